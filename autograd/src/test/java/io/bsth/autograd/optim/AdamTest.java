package io.bsth.autograd.optim;

import io.bsth.autograd.F;
import io.bsth.autograd.Var;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AdamTest {
    /** Three steps against the torch.optim.Adam formula evaluated in double (tolerance 1e-6 relative). */
    @Test
    void matchesTheFormula() {
        float[] w0 = {0.5f, -1.5f, 2f};
        Var p = Var.param(w0.clone(), 3);
        Map<String, Var> named = new LinkedHashMap<>();
        named.put("w", p);
        double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        Adam opt = new Adam(named, lr, b1, b2, eps);
        double[] w = {0.5, -1.5, 2}, m = new double[3], v = new double[3];
        for (int t = 1; t <= 3; t++) {
            opt.zeroGrad();
            F.sum(F.mul(F.mul(p, p), p)).backward(); // d/dw w^3 = 3 w^2
            opt.step();
            for (int i = 0; i < 3; i++) {
                double g = 3 * w[i] * w[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double denom = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(b2, t)) + eps;
                w[i] -= lr / (1 - Math.pow(b1, t)) * m[i] / denom;
            }
            for (int i = 0; i < 3; i++) assertEquals(w[i], p.data()[i], 1e-6 * Math.abs(w[i]) + 1e-7, "step " + t);
        }
        var state = opt.stateDict();
        assertEquals(3f, state.get("w.step").getFlat(0));
        Adam again = new Adam(named, lr);
        again.loadStateDict(state);
        assertEquals(state.get("w.exp_avg").getFlat(1), again.stateDict().get("w.exp_avg").getFlat(1));
        assertThrows(IllegalArgumentException.class, () -> new Adam(named, -1));
    }

    @Test
    void parametersWithoutGradientAreSkipped() {
        Var a = Var.param(new float[] {1f}, 1), b = Var.param(new float[] {2f}, 1);
        Map<String, Var> named = new LinkedHashMap<>();
        named.put("a", a);
        named.put("b", b);
        Adam opt = new Adam(named, 0.1);
        F.sum(a).backward();
        opt.step();
        assertEquals(0.9f, a.data()[0], 1e-6f);
        assertEquals(2f, b.data()[0]);
        assertEquals(0f, opt.stateDict().get("b.step").getFlat(0));
    }
}
