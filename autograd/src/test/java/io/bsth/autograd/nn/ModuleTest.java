package io.bsth.autograd.nn;

import io.bsth.autograd.F;
import io.bsth.autograd.Var;
import io.bsth.tensor.Rng;
import io.bsth.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModuleTest {
    static final class Net extends Module {
        final Linear first, second;
        final ModuleList<Linear> more = new ModuleList<>();

        Net(Rng rng) {
            first = registerModule("first", new Linear(4, 3, rng));
            second = registerModule("second", new Linear(3, 2, false, rng));
            registerModule("more", more);
            more.add(new Linear(2, 2, rng));
        }
    }

    @Test
    void dottedNamesAndState(@TempDir Path dir) throws Exception {
        Net net = new Net(new Rng(1));
        assertEquals(List.of("first.weight", "first.bias", "second.weight", "more.0.weight", "more.0.bias"),
                List.copyOf(net.namedParameters().keySet()));
        assertEquals(12 + 3 + 6 + 4 + 2, net.parameterCount());
        Path f = dir.resolve("net.safetensors");
        net.save(f, Map.of("format", "test"));
        Net other = new Net(new Rng(2));
        assertFalse(other.first.weight.data()[0] == net.first.weight.data()[0]);
        Map<String, String> meta = other.load(f, true);
        assertEquals("test", meta.get("format"));
        assertArrayEquals(net.first.weight.data(), other.first.weight.data());
        assertArrayEquals(net.more.get(0).bias.data(), other.more.get(0).bias.data());

        var bad = new java.util.LinkedHashMap<>(net.stateDict());
        bad.put("first.weight", Tensor.zeros(4, 3));
        var ex = assertThrows(IllegalArgumentException.class, () -> other.loadStateDict(bad, true));
        assertTrue(ex.getMessage().contains("first.weight"), ex.getMessage());
        bad.remove("first.weight");
        ex = assertThrows(IllegalArgumentException.class, () -> other.loadStateDict(bad, true));
        assertTrue(ex.getMessage().contains("missing [first.weight]"), ex.getMessage());
    }

    @Test
    void linearInitBoundsAndTrainMode() {
        Linear l = new Linear(64, 32, new Rng(3));
        float bound = 1f / 8f;
        float max = 0;
        for (float w : l.weight.data()) max = Math.max(max, Math.abs(w));
        assertTrue(max <= bound && max > 0.9f * bound, "kaiming_uniform(a=sqrt5) bound 1/sqrt(fan_in): " + max);
        for (float b : l.bias.data()) assertTrue(Math.abs(b) <= bound);
        Net net = new Net(new Rng(1));
        net.eval();
        assertFalse(net.more.get(0).isTraining());
        net.train(true);
        assertTrue(net.first.isTraining());
        Var y = net.second.forward(net.first.forward(Var.of(new float[8], 2, 4)));
        F.sum(y).backward();
        assertTrue(net.first.weight.grad() != null);
        net.zeroGrad();
        for (float g : net.first.weight.grad()) assertEquals(0f, g);
    }
}
