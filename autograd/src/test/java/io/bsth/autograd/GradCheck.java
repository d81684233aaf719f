package io.bsth.autograd;

import io.bsth.tensor.Rng;

import java.util.Arrays;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Central finite-difference gradient check. The scalar probed is L = sum_i out_i * r_i with fixed
 * random r (accumulated in double); the analytic gradient is {@code out.backward(r)}; the numeric one
 * (L(x + h e_j) - L(x - h e_j)) / 2h for every element j of every input. Values are float32, so the
 * step h and the tolerance |a - n| <= atol + rtol |n| are sized for single-precision forward passes.
 */
public final class GradCheck {
    private GradCheck() {}

    public static void check(String what, Function<Var[], Var> f, float h, double atol, double rtol, Var... inputs) {
        Var out = f.apply(inputs);
        Rng rng = new Rng(what.hashCode());
        float[] r = new float[out.numel()];
        rng.fillUniform(r, 0, r.length, -1f, 1f);
        for (Var in : inputs) in.clearGrad();
        out.backward(r);
        for (int k = 0; k < inputs.length; k++) {
            Var in = inputs[k];
            if (!in.requiresGrad()) continue;
            float[] x = in.data();
            float[] g = in.grad() == null ? new float[x.length] : in.grad().clone();
            for (int j = 0; j < x.length; j++) {
                float keep = x[j];
                x[j] = keep + h;
                double lp = probe(f, inputs, r);
                x[j] = keep - h;
                double lm = probe(f, inputs, r);
                x[j] = keep;
                double num = (lp - lm) / (2 * h);
                if (Math.abs(g[j] - num) > atol + rtol * Math.abs(num)) {
                    fail(what + ": input " + k + " " + Arrays.toString(in.shape()) + " element " + j + ": analytic "
                            + g[j] + ", numeric " + num);
                }
            }
        }
    }

    private static double probe(Function<Var[], Var> f, Var[] inputs, float[] r) {
        try (var ng = Grad.noGrad()) {
            float[] o = f.apply(inputs).data();
            double s = 0;
            for (int i = 0; i < o.length; i++) s += (double) o[i] * r[i];
            return s;
        }
    }

    /** A leaf with values U(lo, hi). */
    public static Var leaf(long seed, float lo, float hi, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        float[] d = new float[n];
        new Rng(seed).fillUniform(d, 0, n, lo, hi);
        return Var.param(d, shape);
    }

    /** A constant with values U(lo, hi). */
    public static Var constant(long seed, float lo, float hi, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        float[] d = new float[n];
        new Rng(seed).fillUniform(d, 0, n, lo, hi);
        return Var.of(d, shape);
    }
}
