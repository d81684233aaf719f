package io.bsth.autograd.nn;

import io.bsth.autograd.F;
import io.bsth.autograd.Var;
import io.bsth.tensor.Parallel;
import io.bsth.tensor.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** A training step of an encoder layer + batch norm gives the same bits with 1 and 3 threads. */
class DeterminismTest {
    static List<float[]> step(int threads) {
        int keep = Parallel.threads();
        try {
            Parallel.setThreads(threads);
            Rng rng = new Rng(3);
            TransformerEncoderLayer layer = new TransformerEncoderLayer(16, 2, 24, 0.5f, false, rng);
            BatchNorm bn = new BatchNorm(16);
            layer.seedDropout(new Rng(4));
            float[] xs = new float[40 * 64 * 16];
            new Rng(5).fillNormal(xs, 0, xs.length, 0f, 1f);
            Var x = Var.param(xs, 40, 64, 16);
            Var y = layer.forward(x);
            Var z = F.tanh(bn.forward(F.reshape(y, 40 * 64, 16)));
            Var loss = F.add(F.mse(F.sigmoid(z), F.sign(z)), F.mean(F.normalizeRows(z, 1e-12f)));
            loss.backward();
            List<float[]> out = new ArrayList<>();
            out.add(z.data());
            out.add(x.grad());
            for (Var p : layer.parameters()) out.add(p.grad());
            for (Var p : bn.parameters()) out.add(p.grad());
            return out;
        } finally {
            Parallel.setThreads(keep);
        }
    }

    @Test
    void sameBitsForAnyThreadCount() {
        List<float[]> one = step(1), three = step(3);
        for (int i = 0; i < one.size(); i++) assertArrayEquals(one.get(i), three.get(i), 0f, "tensor " + i);
    }
}
