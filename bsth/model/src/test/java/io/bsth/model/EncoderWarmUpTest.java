package io.bsth.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.bsth.autograd.Var;
import io.bsth.autograd.optim.Adam;
import io.bsth.tensor.Rng;
import io.bsth.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link EncoderWarmUp} leaves the network as it found it and stops when told. */
class EncoderWarmUpTest {
    static final int IMAGE = 24, TEXT = 12, CLASSES = 5, NBIT = 16, DC = 16;

    /** A network after two training steps, so batch norm's running statistics are not their initial values. */
    static BsthNetwork trained() {
        Rng rng = new Rng(5);
        BsthNetwork net = new BsthNetwork(new ModelConfig(IMAGE, TEXT, CLASSES, NBIT, 1, 2, 0.5f, DC), rng);
        net.seedDropout(rng.split());
        net.train(true);
        Adam adam = new Adam(net.namedParameters(), 1e-2f);
        int n = 32;
        for (int step = 0; step < 2; step++) {
            adam.zeroGrad();
            Var h = net.forward(Var.of(CodeEncoderPoolTest.features(n, IMAGE, 10 + step), n, IMAGE),
                    Var.of(CodeEncoderPoolTest.features(n, TEXT, 20 + step), n, TEXT)).h();
            io.bsth.autograd.F.sum(io.bsth.autograd.F.mul(h, h)).backward();
            adam.step();
        }
        net.train(false);
        return net;
    }

    static Map<String, float[]> state(BsthNetwork net) {
        Map<String, float[]> copy = new LinkedHashMap<>();
        net.stateDict().forEach((name, t) -> copy.put(name, t.contiguous().data().clone()));
        return copy;
    }

    @Test
    void changesNoStateAndNoCode() {
        BsthNetwork net = trained();
        int n = 40;
        Tensor image = Tensor.of(CodeEncoderPoolTest.features(n, IMAGE, 1), n, IMAGE);
        Tensor text = Tensor.of(CodeEncoderPoolTest.features(n, TEXT, 2), n, TEXT);
        Map<String, float[]> before = state(net);
        float[] h = CodeEncoder.encode(net, image, text, 16);
        float[] imageOnly = CodeEncoder.encode(net, image, null, 16);

        assertEquals(EncoderWarmUp.ROUNDS, EncoderWarmUp.run(net, 600_000), "all rounds within ten minutes");

        Map<String, float[]> after = state(net);
        assertEquals(before.keySet(), after.keySet());
        before.forEach((name, v) -> assertArrayEquals(v, after.get(name), 0f, name + " changed"));
        assertArrayEquals(h, CodeEncoder.encode(net, image, text, 16), 0f);
        assertArrayEquals(imageOnly, CodeEncoder.encode(net, image, null, 16), 0f);
    }

    @Test
    void stopsWhenTheTimeIsSpent() {
        assertEquals(0, EncoderWarmUp.run(trained(), 0));
        assertThrows(IllegalArgumentException.class, () -> EncoderWarmUp.run(trained(), -1));
    }
}
