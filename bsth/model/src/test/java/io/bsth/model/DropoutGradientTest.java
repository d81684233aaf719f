package io.bsth.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bsth.autograd.Grad;
import io.bsth.autograd.Var;
import io.bsth.tensor.Rng;
import io.bsth.train.Losses;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The stage-2 gradients with dropout ON (0.5 on the positional encoding, the attention weights of the
 * 4-token attention, the feed-forward and both residual branches) against central finite
 * differences with the same dropout masks (re-seeded before every forward). The PyTorch fixtures run
 * with dropout off, so this is what checks the masked backward paths.
 */
class DropoutGradientTest {
    static double loss(BsthNetwork net, Var[] in, long seed) {
        net.seedDropout(new Rng(seed));
        BsthNetwork.Output o = net.forward(in[0], in[1]);
        return Losses.stage2(o.h(), o.pred(), in[3], in[2], 0.01f).total().item();
    }

    @Test
    void maskedBackwardMatchesFiniteDifferences() {
        BsthNetwork net = new BsthNetwork(new ModelConfig(12, 10, 5, 4, 2, 2, 0.5f, 8), new Rng(3));
        net.train(true);
        Var[] in = ModelParityTest.inputs();
        long seed = 42;
        net.seedDropout(new Rng(seed));
        BsthNetwork.Output o = net.forward(in[0], in[1]);
        Losses.stage2(o.h(), o.pred(), in[3], in[2], 0.01f).total().backward();
        Map<String, Var> params = net.namedParameters();
        String[] names = {"imageTransformerEncoder.layers.0.self_attn.in_proj_weight", "imageTransformerEncoder.layers.1.linear1.weight",
            "textTransformerEncoder.layers.0.self_attn.out_proj.weight", "imageConcept.weight", "textMLP.mlp.linear2.weight",
            "hash.0.weight", "imageTransformerEncoder.layers.0.norm1.weight"};
        Rng pick = new Rng(9);
        int checked = 0;
        double worst = 0;
        for (String name : names) {
            Var p = params.get(name);
            float[] w = p.data();
            float[] g = p.grad();
            for (int t = 0; t < 6; t++) {
                int i = (int) Math.floorMod(pick.nextLong(), (long) g.length);
                float keep = w[p.tensor().offset() + i];
                float eps = 3e-3f;
                double up, down;
                try (var ng = Grad.noGrad()) {
                    w[p.tensor().offset() + i] = keep + eps;
                    up = loss(net, in, seed);
                    w[p.tensor().offset() + i] = keep - eps;
                    down = loss(net, in, seed);
                    w[p.tensor().offset() + i] = keep;
                }
                double fd = (up - down) / (2.0 * eps), an = g[i];
                double err = Math.abs(fd - an) / Math.max(1e-2, Math.abs(fd) + Math.abs(an));
                worst = Math.max(worst, err);
                assertTrue(err < 0.05, name + "[" + i + "]: analytic " + an + ", finite difference " + fd);
                checked++;
            }
        }
        System.out.println("dropout gradient check: " + checked + " entries, worst relative error " + worst);
    }
}
