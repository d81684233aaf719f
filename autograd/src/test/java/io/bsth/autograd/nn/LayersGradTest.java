package io.bsth.autograd.nn;

import io.bsth.autograd.F;
import io.bsth.autograd.Var;
import io.bsth.tensor.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.bsth.autograd.GradCheck.check;
import static io.bsth.autograd.GradCheck.leaf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Finite-difference checks of every layer, with respect to the input and every parameter
 * (h = 1e-2; tolerance 2e-3 abs + 2e-2 rel: float32 forward passes through several ops).
 */
class LayersGradTest {
    static final float H = 1e-2f;
    static final double ATOL = 2e-3, RTOL = 2e-2;

    static Var[] withParams(Var x, Module m) {
        List<Var> all = new ArrayList<>();
        all.add(x);
        all.addAll(m.parameters());
        return all.toArray(new Var[0]);
    }

    @Test
    void batchNormTrainAndEval() {
        BatchNorm bn = new BatchNorm(5);
        Rng r = new Rng(1);
        r.fillUniform(bn.weight.data(), 0, 5, 0.5f, 1.5f);
        r.fillUniform(bn.bias.data(), 0, 5, -1, 1);
        Var x = leaf(2, -2, 2, 7, 5);
        check("batchNorm train", in -> bn.forward(in[0]), H, ATOL, RTOL, withParams(x, bn));
        bn.eval();
        check("batchNorm eval", in -> bn.forward(in[0]), H, ATOL, RTOL, withParams(x, bn));
        bn.train(true);
        assertThrows(IllegalArgumentException.class, () -> bn.forward(leaf(3, 0, 1, 1, 5)));
    }

    @Test
    void batchNormRunningStatistics() {
        BatchNorm bn = new BatchNorm(2);
        float[] x = {1, 10, 3, 20, 5, 60};
        bn.forward(Var.of(x, 3, 2));
        // mean (3, 30), unbiased var (4, 700)
        assertArrayEquals(new float[] {0.3f, 3f}, bn.runningMean.data(), 1e-6f);
        assertArrayEquals(new float[] {0.9f + 0.4f, 0.9f + 70f}, bn.runningVar.data(), 1e-4f);
        assertEquals(1f, bn.numBatchesTracked.getFlat(0));
        assertEquals(Map.of().size(), 0);
        bn.eval();
        Var y = bn.forward(Var.of(new float[] {0.3f, 3f}, 1, 2));
        assertArrayEquals(new float[] {0f, 0f}, y.data(), 1e-6f);
    }

    @Test
    void groupedConvAndItsWeightShape() {
        GroupedConv1x1 c = new GroupedConv1x1(3, 4, 2, true, new Rng(4));
        assertArrayEquals(new int[] {6, 4, 1, 1}, c.weight.shape());
        Var x = leaf(5, -1, 1, 5, 12);
        check("groupedConv1x1", in -> c.forward(in[0]), H, ATOL, RTOL, withParams(x, c));
        // group g is Linear(in, out) on its slice
        Var y = c.forward(x);
        float[] w = c.weight.data(), b = c.bias.data();
        for (int g = 0; g < 3; g++) {
            for (int o = 0; o < 2; o++) {
                double ref = b[g * 2 + o];
                for (int i = 0; i < 4; i++) ref += w[(g * 2 + o) * 4 + i] * x.data()[12 + g * 4 + i];
                assertEquals(ref, y.data()[6 + g * 2 + o], 1e-5);
            }
        }
    }

    @Test
    void attentionOneAndFourHeadsBothLayouts() {
        for (int heads : new int[] {1, 4}) {
            for (boolean bf : new boolean[] {false, true}) {
                MultiheadAttention mha = new MultiheadAttention(8, heads, 0f, bf, new Rng(6));
                Rng r = new Rng(7);
                r.fillUniform(mha.inProjBias.data(), 0, 24, -0.5f, 0.5f);
                r.fillUniform(mha.outProj.bias.data(), 0, 8, -0.5f, 0.5f);
                Var x = leaf(8, -1, 1, 3, 2, 8);
                check("mha h" + heads + " bf" + bf, in -> mha.forward(in[0]), H, ATOL, RTOL, withParams(x, mha));
            }
        }
    }

    @Test
    void attentionWithDropoutUsesOneMask() {
        MultiheadAttention mha = new MultiheadAttention(4, 2, 0.5f, false, new Rng(9));
        Var x = leaf(10, -1, 1, 5, 2, 4);
        check("mha dropout", in -> {
            mha.seedDropout(new Rng(11));
            return mha.forward(in[0]);
        }, H, ATOL, RTOL, withParams(x, mha));
    }

    @Test
    void encoderLayerAndStack() {
        TransformerEncoderLayer layer = new TransformerEncoderLayer(8, 2, 6, 0.3f, false, new Rng(12));
        Var x = leaf(13, -1, 1, 4, 2, 8);
        check("encoder layer (dropout on)", in -> {
            layer.seedDropout(new Rng(14));
            return layer.forward(in[0]);
        }, H, ATOL, RTOL, withParams(x, layer));
        TransformerEncoder enc = new TransformerEncoder(2, 8, 1, 8, 0.5f, true, true, new Rng(15));
        assertArrayEquals(enc.layers.get(0).linear1.weight.data(), enc.layers.get(1).linear1.weight.data(),
                "layers start as deep copies, as PyTorch");
        enc.eval();
        check("encoder stack (eval)", in -> enc.forward(in[0]), H, ATOL, RTOL, withParams(leaf(16, -1, 1, 2, 3, 8), enc));
        assertEquals(List.of("layers.0.self_attn.in_proj_weight", "layers.0.self_attn.in_proj_bias",
                "layers.0.self_attn.out_proj.weight", "layers.0.self_attn.out_proj.bias",
                "layers.0.linear1.weight", "layers.0.linear1.bias", "layers.0.linear2.weight", "layers.0.linear2.bias",
                "layers.0.norm1.weight", "layers.0.norm1.bias", "layers.0.norm2.weight", "layers.0.norm2.bias"),
                enc.stateDict().keySet().stream().limit(12).toList());
        assertEquals(26, enc.stateDict().size());
    }

    @Test
    void positionalEncodingAndEmbedding() {
        PositionalEncoding pe = new PositionalEncoding(6, 0f);
        assertArrayEquals(new int[] {5000, 1, 6}, pe.pe.shape());
        assertEquals((float) Math.sin(3.0), pe.pe.get(3, 0, 0), 1e-6f);
        assertEquals((float) Math.cos(3.0 * Math.exp(-2 * Math.log(10000) / 6)), pe.pe.get(3, 0, 3), 1e-6f);
        check("posenc", in -> pe.forward(in[0]), H, ATOL, RTOL, leaf(17, -1, 1, 4, 3, 6));
        PositionalEncoding pb = new PositionalEncoding(6, 0f, 50, true);
        Var x = leaf(18, -1, 1, 3, 4, 6);
        Var ys = pe.forward(F.permute(x, 1, 0, 2)), yb = pb.forward(x);
        assertArrayEquals(F.permute(ys, 1, 0, 2).data(), yb.data(), 1e-7f);

        Embedding e = new Embedding(5, 3, 0, new Rng(19));
        assertArrayEquals(new float[3], java.util.Arrays.copyOf(e.weight.data(), 3));
        Var out = e.forward(new int[] {0, 2, 2});
        F.sum(out).backward();
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0, 2, 2, 2}, java.util.Arrays.copyOf(e.weight.grad(), 9));
    }
}
