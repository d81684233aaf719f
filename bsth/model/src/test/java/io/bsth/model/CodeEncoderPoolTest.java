package io.bsth.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bsth.autograd.Grad;
import io.bsth.autograd.StepBuffers;
import io.bsth.autograd.Var;
import io.bsth.autograd.nn.Module;
import io.bsth.tensor.Rng;
import io.bsth.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link CodeEncoder} runs its batches through a {@link StepBuffers} pool: the same bits as a forward
 * pass that allocates every output, nothing new after the first batch of a size, and a pool that
 * holds the live peak of a batch (which does not grow with the number of layers) rather than every
 * output.
 */
class CodeEncoderPoolTest {
    static final int IMAGE = 24, TEXT = 12, NBIT = 48, DC = 16, BATCH = 64;

    static BsthNetwork net(int layers) {
        return new BsthNetwork(new ModelConfig(IMAGE, TEXT, 5, NBIT, 2, layers, 0.5f, DC), new Rng(17));
    }

    static float[] features(int n, int dim, long seed) {
        float[] x = new float[n * dim];
        new Rng(seed).fillNormal(x, 0, x.length, 0f, 1f);
        return x;
    }

    /** The encoder's loop without a pool: every op's output a new array. */
    static float[] allocating(BsthNetwork net, Tensor image, Tensor text, int batch) {
        int n = image.size(0);
        float[] h = new float[n * NBIT];
        Module.inEvalMode(() -> {
            try (var ng = Grad.noGrad()) {
                for (int s = 0; s < n; s += batch) {
                    int len = Math.min(batch, n - s);
                    Var x = Var.of(image.narrow(0, s, len).contiguous()), y = Var.of(text.narrow(0, s, len).contiguous());
                    System.arraycopy(net.forward(x, y).h().data(), 0, h, s * NBIT, len * NBIT);
                }
            }
            return null;
        });
        return h;
    }

    @Test
    void sameBitsAsAllocatingAndNothingNewAfterTheFirstBatch() {
        BsthNetwork net = net(2);
        int n = 3 * BATCH + 37;   // a ragged last batch
        Tensor image = Tensor.of(features(n, IMAGE, 1), n, IMAGE), text = Tensor.of(features(n, TEXT, 2), n, TEXT);
        float[] want = allocating(net, image, text, BATCH);
        StepBuffers pool = new StepBuffers();
        assertArrayEquals(want, CodeEncoder.encode(net, image, text, BATCH, pool), 0f);
        assertArrayEquals(want, CodeEncoder.encode(net, image, text, BATCH), 0f);

        StepBuffers reuse = new StepBuffers();
        Tensor one = image.narrow(0, 0, BATCH).contiguous(), oneText = text.narrow(0, 0, BATCH).contiguous();
        CodeEncoder.encode(net, one, oneText, BATCH, reuse);
        long first = reuse.allocatedFloats();
        assertTrue(first > 0, "the first batch fills the pool");
        Tensor three = image.narrow(0, 0, 3 * BATCH).contiguous(), threeText = text.narrow(0, 0, 3 * BATCH).contiguous();
        float[] h = CodeEncoder.encode(net, three, threeText, BATCH, reuse);
        assertEquals(first, reuse.allocatedFloats(), "batches of the same size allocate nothing new");
        assertArrayEquals(java.util.Arrays.copyOf(want, 3 * BATCH * NBIT), h, 0f);
    }

    @Test
    void thePoolHoldsTheLivePeakNotEveryOutput() {
        int n = BATCH;
        Tensor image = Tensor.of(features(n, IMAGE, 3), n, IMAGE), text = Tensor.of(features(n, TEXT, 4), n, TEXT);
        long[] held = new long[4];
        for (int layers = 1; layers <= 3; layers++) {
            StepBuffers pool = new StepBuffers();
            CodeEncoder.encode(net(layers), image, text, BATCH, pool);
            held[layers] = pool.heldFloats();
        }
        long tokens = (long) n * NBIT * DC;
        // a layer's outputs alone (in-projection 3 x tokens, attention, out-projection, two sums, two
        // norms, feed-forward) are over 10 x tokens: kept, each extra layer would add them; handed
        // back, an extra layer adds at most its kept output per modality
        assertTrue(held[3] - held[1] <= 2 * 2 * tokens,
                "held " + held[1] + " floats with one layer, " + held[3] + " with three (tokens " + tokens + ")");
        assertTrue(held[1] > 0);
    }
}
