package io.bsth.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bsth.autograd.Var;
import io.bsth.autograd.optim.Adam;
import io.bsth.tensor.Rng;
import io.bsth.tensor.Tensor;
import io.bsth.tensor.io.Json;
import io.bsth.train.Losses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stage-2 network against PyTorch (tools/make_model_fixture.py runs tools/bsth_reference.py): the
 * same state names and shapes in the same order, and with the same formula-filled weights the same
 * eval-mode outputs, the same train-mode loss terms, and the same outputs after one Adam step.
 */
class ModelParityTest {
    @TempDir
    Path tmp;

    static Map<String, Object> fixture() throws Exception {
        return Json.parseObject(Files.readString(Path.of(ModelParityTest.class.getResource("parity.json").toURI())));
    }

    static BsthNetwork filled(Map<String, Object> fx, float dropout) {
        BsthNetwork net = new BsthNetwork(new ModelConfig(12, 10, 5, 4, 2, 2, dropout), new Rng(1));
        Map<String, Tensor> sd = net.stateDict();
        int j = 0;
        for (var e : sd.entrySet()) {
            String name = e.getKey();
            float[] d = e.getValue().data();
            int off = e.getValue().offset(), n = e.getValue().numel();
            for (int i = 0; i < n && !name.endsWith("pe"); i++) {
                double v;
                if (name.endsWith("num_batches_tracked")) v = 3;
                else if (name.endsWith("running_var")) v = 1 + 0.25 * Math.abs(Math.cos(0.37 * i + j));
                else if (name.endsWith("running_mean")) v = 0.1 * Math.cos(0.21 * i + j);
                else v = 0.05 * Math.sin(0.37 * i + 1.3 * j);
                d[off + i] = (float) v;
            }
            j++;
        }
        return net;
    }

    static float[] floats(Object list) {
        List<?> l = (List<?>) list;
        float[] out = new float[l.size()];
        for (int i = 0; i < out.length; i++) out[i] = ((Number) l.get(i)).floatValue();
        return out;
    }

    static Var[] inputs() {
        int n = 6;
        float[] I = new float[n * 12], T = new float[n * 10], L = new float[n * 5], B = new float[n * 4];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < 12; c++) I[r * 12 + c] = (float) Math.sin(0.3 * r + 0.7 * c);
            for (int c = 0; c < 10; c++) T[r * 10 + c] = (r * 3 + c) % 4 == 0 ? 1 : 0;
            for (int c = 0; c < 5; c++) L[r * 5 + c] = (r + c) % 3 == 0 ? 1 : 0;
            for (int c = 0; c < 4; c++) B[r * 4 + c] = (r * 5 + c) % 3 != 0 ? 1 : -1;
        }
        return new Var[] {Var.of(I, n, 12), Var.of(T, n, 10), Var.of(L, n, 5), Var.of(B, n, 4)};
    }

    @Test
    void stateNamesAndShapesArePyTorchs() throws Exception {
        Map<String, Object> fx = fixture();
        List<String> expected = new ArrayList<>(), actual = new ArrayList<>();
        for (Object o : (List<?>) fx.get("state")) {
            List<?> e = (List<?>) o;
            List<?> shape = (List<?>) e.get(1);
            expected.add(e.get(0) + " " + shape.stream().map(x -> String.valueOf(((Number) x).intValue())).toList());
        }
        for (var e : filled(fx, 0f).stateDict().entrySet()) {
            actual.add(e.getKey() + " " + Arrays.stream(e.getValue().shape()).mapToObj(String::valueOf).toList());
        }
        assertEquals(expected, actual);
    }

    @Test
    void evalOutputsMatchPyTorch() throws Exception {
        Map<String, Object> fx = fixture();
        BsthNetwork net = filled(fx, 0.5f);
        Var[] in = inputs();
        float[] h = CodeEncoder.encode(net, in[0].tensor(), in[1].tensor(), 4);
        assertArrayEquals(floats(fx.get("h_eval")), h, 2e-5f);
    }

    @Test
    void oneTrainingStepMatchesPyTorch() throws Exception {
        Map<String, Object> fx = fixture();
        BsthNetwork net = filled(fx, 0f);
        Var[] in = inputs();
        Adam adam = new Adam(net.namedParameters(), 1e-3f);
        net.train(true);
        BsthNetwork.Output o = net.forward(in[0], in[1]);
        assertArrayEquals(floats(fx.get("train_h")), o.h().data(), 2e-5f);
        Losses.Terms loss = Losses.stage2(o.h(), o.pred(), in[3], in[2], 0.01f);
        float[] terms = floats(fx.get("terms"));
        double[] v = loss.values();
        assertEquals(((Number) fx.get("loss")).doubleValue(), v[0], 1e-5);
        for (int i = 0; i < 3; i++) assertEquals(terms[i], v[i + 1], 1e-5, "term " + Losses.STAGE2_NAMES[i + 1]);
        adam.zeroGrad();
        loss.total().backward();
        adam.step();
        float[] rm = Arrays.copyOf(net.imageMLP.mlp.bn1.runningMean.data(), 8);
        assertArrayEquals(floats(fx.get("running_mean_after_step")), rm, 1e-5f);
        float[] after = CodeEncoder.encode(net, in[0].tensor(), in[1].tensor(), 6);
        assertArrayEquals(floats(fx.get("h_after_step")), after, 5e-5f);
    }

    @Test
    void modelFileRoundTripsAndCarriesTheContractMetadata() throws Exception {
        Map<String, Object> fx = fixture();
        BsthNetwork net = filled(fx, 0.5f);
        Path f = tmp.resolve("m.safetensors");
        ModelFile.save(f, net);
        BsthNetwork back = ModelFile.load(f, 1);
        assertEquals(2, back.config.nhead(), "nhead from the metadata, not the default");
        assertEquals(net.config, back.config);
        Var[] in = inputs();
        assertArrayEquals(CodeEncoder.encode(net, in[0].tensor(), in[1].tensor(), 6),
                CodeEncoder.encode(back, in[0].tensor(), in[1].tensor(), 6));
        var meta = io.bsth.autograd.state.SafeTensors.read(f).metadata();
        assertEquals("bsth", meta.get("format"));
        Map<String, Object> cfg = Json.parseObject(meta.get("config"));
        assertEquals(4L, ((Number) cfg.get("nbit")).longValue());
        assertEquals(2L, ((Number) cfg.get("nhead")).longValue());
        // Without metadata: sizes from the shapes, nhead from the caller.
        Path bare = tmp.resolve("bare.safetensors");
        net.save(bare, new LinkedHashMap<>());
        BsthNetwork b2 = ModelFile.load(bare, 2);
        assertEquals(net.config.nbit(), b2.config.nbit());
        assertEquals(net.config.layers(), b2.config.layers());
        assertArrayEquals(CodeEncoder.encode(net, in[0].tensor(), in[1].tensor(), 6),
                CodeEncoder.encode(b2, in[0].tensor(), in[1].tensor(), 6));
    }
}
