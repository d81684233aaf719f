package io.bsth.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bsth.autograd.F;
import io.bsth.autograd.Grad;
import io.bsth.autograd.Var;
import io.bsth.autograd.nn.MultiheadAttention;
import io.bsth.data.DataSources;
import io.bsth.data.MultiModalData;
import io.bsth.data.Split;
import io.bsth.model.BsthNetwork;
import io.bsth.model.CodeEncoder;
import io.bsth.model.LabelPrototypeNet;
import io.bsth.model.ModelConfig;
import io.bsth.tensor.Rng;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ExplainTest {
    static final int K = 8, DC = 16;

    @Test
    void printsEveryStepAndItsNumbersAreTheNetworks() throws Exception {
        MultiModalData d = DataSources.open("synthetic:train=40,db=40,query=6,image=20,text=24,classes=5");
        BsthNetwork net = new BsthNetwork(new ModelConfig(20, 24, 5, K, 1, 2, 0.5f, DC), new Rng(7));
        LabelPrototypeNet proto = new LabelPrototypeNet(5, K, 0.5f, new Rng(8));
        // run a few batches in training mode so the batch norms' running statistics are not the initial ones
        net.train(true);
        try (var ng = Grad.noGrad()) {
            net.forward(Var.of(d.train().image().contiguous()), Var.of(d.train().text().contiguous()));
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Split q = d.query();
        Explain.Result r = Explain.run(net, proto, q, 3, 2, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String text = buf.toString(StandardCharsets.UTF_8);
        for (String tag : new String[] {"Stage 1", "1.1", "class tokens", "prototypes", "target codes", "Eq. 1", "Eq. 2", "PE", "Eq. 3",
            "a_2 =", "Eq. 4", "Eq. 6", "Eq. 7", "Eq. 8", "search"}) {
            assertTrue(text.contains(tag), "missing '" + tag + "' in:\n" + text);
        }
        assertTrue(text.contains("[3, " + K + ", " + DC + "]"), "concept token shape");
        assertTrue(text.contains("[5, " + K + "]"), "prototype shape");
        assertTrue(net.isTraining(), "explain restores the mode it found");

        // h is the network's own eval-mode output for these items
        int[] idx = Explain.pick(q.labels(), 3);
        Split picked = q.rows("picked", idx);
        assertEquals(0, idx[0]);
        float[] h = CodeEncoder.encode(net, picked.image(), picked.text(), 64);
        assertArrayEquals(h, r.h());

        // the printed attention weights of token 2 reproduce the attention op's output for that token
        float[] a = r.attention();
        double sum = 0;
        for (float v : a) sum += v;
        assertEquals(1, sum, 1e-5);
        net.eval();
        try (var ng = Grad.noGrad()) {
            Var x = Var.of(picked.image().narrow(0, 0, 1).contiguous());
            Var tokens = net.imagePosEncoder.forward(F.reshape(net.imageConcept.forward(net.imageMLP.forward(x)), 1, K, DC));
            MultiheadAttention mha = net.imageTransformerEncoder.layers.items().get(0).selfAttn;
            Var qkv = F.linear(tokens, mha.inProjWeight, mha.inProjBias);
            float[] attended = F.selfAttention(qkv, 1, true, 0f, null).data();
            for (int c = 0; c < DC; c++) {
                double want = 0;
                for (int t = 0; t < K; t++) want += a[t] * qkv.data()[t * 3 * DC + 2 * DC + c];
                assertEquals(want, attended[2 * DC + c], 1e-5, "channel " + c);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Explain.run(net, null, q, 99, 0, new PrintStream(new ByteArrayOutputStream())));
        assertThrows(IllegalArgumentException.class, () -> Explain.run(net, null, q, 2, K, new PrintStream(new ByteArrayOutputStream())));
    }
}
