package io.bsth.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bsth.autograd.F;
import io.bsth.autograd.Grad;
import io.bsth.autograd.Var;
import io.bsth.autograd.optim.Adam;
import io.bsth.tensor.Rng;
import io.bsth.tensor.Tensor;
import io.bsth.tensor.io.Json;
import io.bsth.train.Losses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Stage 1 against PyTorch (tools/make_stage1_fixture.py runs tools/bsth_reference.py): the label
 * prototype network's state names and shapes, and with the same formula-filled weights the same
 * prototypes P, codes, logits, the four loss terms, P after one Adam step and the target codes
 * B = sign(L P), including a label row without labels whose code is 0 and target sign(0) = 0.
 */
class Stage1ParityTest {
    static Map<String, Object> fixture() throws Exception {
        return Json.parseObject(Files.readString(Path.of(Stage1ParityTest.class.getResource("stage1.json").toURI())));
    }

    static float[] floats(Object list) {
        return ModelParityTest.floats(list);
    }

    static LabelPrototypeNet filled(int classes, int nbit) {
        LabelPrototypeNet net = new LabelPrototypeNet(classes, nbit, 0f, new Rng(1));
        int j = 0;
        for (var e : net.stateDict().entrySet()) {
            Tensor t = e.getValue();
            float[] d = t.data();
            for (int i = 0; i < t.numel(); i++) {
                boolean padding = e.getKey().equals("embedding.weight") && i < nbit;
                d[t.offset() + i] = padding ? 0f : (float) (0.3 * Math.sin(0.37 * i + 1.3 * j));
            }
            j++;
        }
        return net;
    }

    @Test
    void stage1MatchesPyTorch() throws Exception {
        Map<String, Object> fx = fixture();
        int c = ((Number) fx.get("classes")).intValue(), k = ((Number) fx.get("nbit")).intValue();
        LabelPrototypeNet net = filled(c, k);

        List<String> expected = new ArrayList<>(), actual = new ArrayList<>();
        for (Object o : (List<?>) fx.get("state")) {
            List<?> e = (List<?>) o;
            expected.add(e.get(0) + " " + ((List<?>) e.get(1)).stream().map(x -> String.valueOf(((Number) x).intValue())).toList());
        }
        for (var e : net.stateDict().entrySet()) {
            actual.add(e.getKey() + " " + Arrays.stream(e.getValue().shape()).mapToObj(String::valueOf).toList());
        }
        assertEquals(expected, actual);

        float[] l = floats(fx.get("labels"));
        Var L = Var.of(l, l.length / c, c);
        Adam adam = new Adam(net.namedParameters(), 1e-3f);
        net.train(true);
        LabelPrototypeNet.Output o = net.forward(L);
        assertArrayEquals(floats(fx.get("P")), o.prototypes().data(), 2e-6f, "P");
        assertArrayEquals(floats(fx.get("code")), o.code().data(), 1e-5f, "code");
        assertArrayEquals(floats(fx.get("pred")), o.pred().data(), 1e-5f, "pred");
        Losses.Terms loss = Losses.stage1(o.prototypes(), o.code(), o.pred(), L);
        double[] v = loss.values();
        float[] terms = floats(fx.get("terms"));
        for (int i = 0; i < 4; i++) assertEquals(terms[i], v[i + 1], 2e-6, Losses.STAGE1_NAMES[i + 1]);
        assertEquals(((Number) fx.get("loss")).doubleValue(), v[0], 2e-4);
        adam.zeroGrad();
        loss.total().backward();
        adam.step();
        net.eval();
        try (var ng = Grad.noGrad()) {
            Var p = net.prototypes();
            assertArrayEquals(floats(fx.get("P_after_step")), p.data(), 2e-6f, "P after one Adam step");
            float[] b = F.matmul(L, p).data().clone();
            for (int i = 0; i < b.length; i++) b[i] = Math.signum(b[i]);
            assertArrayEquals(floats(fx.get("B")), b, "target codes, sign(0) = 0 as torch.sign");
        }
    }
}
