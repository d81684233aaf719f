package io.bsth.autograd;

import io.bsth.autograd.nn.TransformerEncoderLayer;
import io.bsth.autograd.optim.Adam;
import io.bsth.tensor.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Training steps drawing their arrays from {@link StepBuffers} give the bits of steps that allocate. */
class StepBuffersTest {
    /** Four Adam steps of an encoder layer with dropout on (n, 12, 16) inputs; returns every loss and the final parameters. */
    static List<float[]> train(StepBuffers buffers, int... batches) {
        Rng rng = new Rng(3);
        TransformerEncoderLayer layer = new TransformerEncoderLayer(16, 2, 24, 0.5f, true, rng);
        layer.seedDropout(new Rng(4));
        layer.train(true);
        Adam adam = new Adam(layer.namedParameters(), 1e-2);
        List<float[]> out = new ArrayList<>();
        for (int b = 0; b < batches.length; b++) {
            int n = batches[b];
            float[] xs = new float[n * 12 * 16], ts = new float[n * 12 * 16];
            new Rng(10 + b).fillNormal(xs, 0, xs.length, 0f, 1f);
            new Rng(20 + b).fillNormal(ts, 0, ts.length, 0f, 1f);
            Var x = Var.of(xs, n, 12, 16), t = Var.of(ts, n, 12, 16);
            StepBuffers.Step step = buffers == null ? null : buffers.step();
            try {
                adam.zeroGrad();
                Var y = layer.forward(x);
                Var loss = F.add(F.mse(F.tanh(y), t), F.mean(F.gelu(y)));
                loss.backward();
                adam.step();
                out.add(new float[] {loss.item()});
            } finally {
                if (step != null) step.close();
            }
        }
        for (Var p : layer.parameters()) out.add(p.data().clone());
        return out;
    }

    @Test
    void sameBitsAsAllocatingAndNothingNewAfterTheFirstStep() {
        List<float[]> plain = train(null, 64, 64, 64, 64);
        StepBuffers buffers = new StepBuffers();
        List<float[]> pooled = train(buffers, 64);
        long afterFirst = buffers.allocatedFloats();
        assertTrue(afterFirst > 0, "the first step fills the pool");
        List<float[]> more = train(buffers, 64, 64, 64);
        assertEquals(afterFirst, buffers.allocatedFloats(), "steps of the same shapes allocate nothing new");
        StepBuffers fresh = new StepBuffers();
        List<float[]> all = train(fresh, 64, 64, 64, 64);
        for (int i = 0; i < plain.size(); i++) assertArrayEquals(plain.get(i), all.get(i), 0f, "tensor " + i);
        assertArrayEquals(plain.get(0), pooled.get(0), 0f);
    }

    @Test
    void gradientsAreReusedWithinAStepAndThePoolKeepsOnlyTheLastStep() {
        StepBuffers buffers = new StepBuffers();
        train(buffers, 64);
        long held64 = buffers.heldFloats();
        // forward values and every intermediate gradient at once would need more than the pool holds
        assertTrue(held64 > 0);
        train(buffers, 40);
        long held40 = buffers.heldFloats();
        assertTrue(held40 < held64, "a smaller last batch replaces the full batch's arrays: " + held40 + " vs " + held64);
        StepBuffers noReuse = new StepBuffers();
        try (var step = noReuse.step()) {
            Var a = Var.param(new float[StepBuffers.MIN_LENGTH], StepBuffers.MIN_LENGTH);
            Var b = F.scale(F.scale(F.scale(a, 2f), 3f), 4f);
            F.sum(b).backward();
            // three results and their three gradients; released gradients serve the later ones
            assertTrue(noReuse.allocatedFloats() <= 5L * StepBuffers.MIN_LENGTH, "allocated " + noReuse.allocatedFloats());
            assertEquals(24f, a.grad()[7]);
        }
    }

    @Test
    void backwardHandsForwardValuesBackAndAViewKeepsItsParentsStorage() {
        int n = StepBuffers.MIN_LENGTH, depth = 6;
        StepBuffers buffers = new StepBuffers();
        try (var step = buffers.step()) {
            float[] p = new float[n];
            for (int i = 0; i < n; i++) p[i] = (i % 11 - 5) * 0.1f;
            Var w = Var.param(p, n);
            Var t = w;
            for (int i = 0; i < depth; i++) t = F.tanh(F.scale(t, 1.5f));
            long forward = buffers.allocatedFloats();
            assertEquals(2L * depth * n, forward, "the forward values");
            // a view of the last value: its storage must stay until tanh's backward, which reads it
            F.sum(F.reshape(t, 2, n / 2)).backward();
            // new: the view's gradient (passed on to the last tanh) and the one below it; every later one takes a value backward has passed
            assertEquals(forward + 2L * n, buffers.allocatedFloats(), "the gradients reuse the values backward has passed");
            float[] y = p.clone(), dy = new float[n];
            java.util.Arrays.fill(dy, 1f);
            float[][] ys = new float[depth][];
            for (int i = 0; i < depth; i++) {
                for (int j = 0; j < n; j++) y[j] = (float) Math.tanh(1.5f * y[j]);
                ys[i] = y.clone();
            }
            for (int i = depth - 1; i >= 0; i--) {
                for (int j = 0; j < n; j++) dy[j] = dy[j] * (1 - ys[i][j] * ys[i][j]) * 1.5f;
            }
            for (int j = 0; j < n; j += 101) assertEquals(dy[j], w.grad()[j], 1e-5f * Math.abs(dy[j]) + 1e-6f, "gradient at " + j);
        }
    }

    @Test
    void scopesWithoutGradientsHandBackAllButTheKeptArrays() {
        int n = StepBuffers.MIN_LENGTH;
        StepBuffers buffers = new StepBuffers();
        try (var step = buffers.step(); var ng = Grad.noGrad()) {
            Var x = Var.of(new float[n], n);
            float[] inner, innermost;
            Var kept;
            try (var s = StepBuffers.scope()) {
                Var a = F.scale(x, 2f);
                inner = a.data();
                try (var t = StepBuffers.scope()) {
                    Var b = F.scale(a, 3f);
                    innermost = b.data();
                    a = t.keep(F.scale(b, 4f));
                }
                assertTrue(innermost == StepBuffers.take(n), "the inner scope gave b back");
                kept = s.keep(a);
            }
            float[] next = StepBuffers.take(n), then = StepBuffers.take(n);
            assertTrue(next == inner && then == innermost || next == innermost && then == inner,
                    "the outer scope gave back its temporary and what it took after the inner scope");
            assertTrue(StepBuffers.take(n) != kept.data(), "the kept array stays out, through both scopes");
        }
        // with gradients enabled the graph holds the values backward needs: a scope gives nothing back
        StepBuffers graph = new StepBuffers();
        try (var step = graph.step()) {
            float[] p = new float[n];
            for (int i = 0; i < n; i++) p[i] = i % 7 - 3;
            Var w = Var.param(p, n);
            Var sq;
            float[] a;
            try (var s = StepBuffers.scope()) {
                Var t = F.scale(w, 2f);
                a = t.data();
                sq = s.keep(F.mul(t, t));
            }
            float[] other = StepBuffers.take(n);
            assertTrue(a != other, "with gradients a scope gives nothing back");
            java.util.Arrays.fill(other, 1e9f);
            F.sum(sq).backward();
            for (int i = 0; i < n; i += 97) assertEquals(8f * p[i], w.grad()[i], "d/dw (2w)^2 at " + i);
        }
    }

    @Test
    void oneStepPerThreadAtATime() {
        StepBuffers buffers = new StepBuffers();
        try (var s = buffers.step()) {
            assertThrows(IllegalStateException.class, buffers::step);
        }
        try (var s = buffers.step()) {
            assertNotNull(s);
        }
    }
}
