package io.bsth.tensor.kernels;

import io.bsth.tensor.Rng;
import io.bsth.tensor.Simd;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ActivationTest {
    static final int L = Simd.FLOAT.length();
    static final int[] SIZES = {1, L - 1, L, L + 1, 2 * L + 3, 37, 1000, 70001};

    /** erf in double by its Taylor series (|x| <= 3) or the Laplace continued fraction of erfc (|x| > 3). */
    static double erfRef(double x) {
        double a = Math.abs(x);
        if (a <= 3) {
            double term = a, sum = a;
            for (int n = 1; n < 200; n++) {
                term *= -a * a / n;
                sum += term / (2 * n + 1);
            }
            return Math.signum(x) * sum * 2 / Math.sqrt(Math.PI);
        }
        double f = 0;
        for (int k = 60; k >= 1; k--) f = k / 2.0 / (a + f);
        double erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + f);
        return Math.signum(x) * (1 - erfc);
    }

    static double erfcRef(double x) {
        if (x > 3) {
            double f = 0;
            for (int k = 60; k >= 1; k--) f = k / 2.0 / (x + f);
            return Math.exp(-x * x) / Math.sqrt(Math.PI) / (x + f);
        }
        return 1 - erfRef(x);
    }

    @Test
    void erfAgainstDoubleReference() {
        double worstErf = 0, worstErfc = 0;
        for (double x = -6; x <= 6; x += 0.0137) {
            double ref = erfRef(x);
            double e = Math.abs(Activation.erf(x) - ref);
            worstErf = Math.max(worstErf, e / Math.max(Math.abs(ref), 1e-300));
            double rc = erfcRef(x);
            worstErfc = Math.max(worstErfc, Math.abs(Activation.erfc(x) - rc) / rc);
        }
        assertTrue(worstErf < 2e-7, "erf relative error " + worstErf);
        assertTrue(worstErfc < 2e-7, "erfc relative error " + worstErfc);
        assertEquals(0.0, Activation.erf(0.0));
        assertEquals(1e-8 * 2 / Math.sqrt(Math.PI), Activation.erf(1e-8), 1e-22);
    }

    @Test
    void simdMatchesScalarOnAwkwardSizes() {
        for (int n : SIZES) {
            float[] x = new float[n + 3], dy = new float[n + 3];
            Rng r = new Rng(n);
            r.fillUniform(x, 0, x.length, -8f, 8f);
            r.fillUniform(dy, 0, dy.length, -1f, 1f);
            for (int f = 0; f < 3; f++) {
                float[] a = new float[n + 3], b = new float[n + 3], da = new float[n + 3], db = new float[n + 3];
                switch (f) {
                    case 0 -> { Activation.tanhSimd(x, a, 3, n + 3); Activation.tanhReference(x, b, 3, n + 3);
                        Activation.tanhBackwardSimd(a, dy, da, 3, n + 3); Activation.tanhBackwardReference(b, dy, db, 3, n + 3); }
                    case 1 -> { Activation.sigmoidSimd(x, a, 3, n + 3); Activation.sigmoidReference(x, b, 3, n + 3);
                        Activation.sigmoidBackwardSimd(a, dy, da, 3, n + 3); Activation.sigmoidBackwardReference(b, dy, db, 3, n + 3); }
                    default -> { Activation.geluSimd(x, a, 3, n + 3); Activation.geluReference(x, b, 3, n + 3);
                        Activation.geluBackwardSimd(x, dy, da, 3, n + 3); Activation.geluBackwardReference(x, dy, db, 3, n + 3); }
                }
                for (int i = 0; i < n + 3; i++) {
                    // 2e-6 relative + 1e-7 absolute: float evaluation of the same formulas
                    assertEquals(b[i], a[i], 2e-6 * Math.abs(b[i]) + 1e-7, "fn " + f + " n " + n + " i " + i);
                    // gradients from the output (1 - y^2, y (1 - y)) inherit y's ulps without the relative
                    // guarantee near saturation: 4e-7 |dy| more
                    assertEquals(db[i], da[i], 2e-6 * Math.abs(db[i]) + 4e-7 * Math.abs(dy[i]) + 1e-7,
                            "grad fn " + f + " n " + n + " i " + i);
                }
            }
        }
    }

    @Test
    void vectorExpAndTanhAgainstMath() {
        int L = Simd.FLOAT.length();
        float[] x = new float[L], y = new float[L];
        double worstExp = 0, worstTanh = 0;
        for (float v = -87f; v < 88f; v += 0.0371f) {
            for (int i = 0; i < L; i++) x[i] = v + i * 0.001f;
            Activation.Vec.exp(jdk.incubator.vector.FloatVector.fromArray(Simd.FLOAT, x, 0)).intoArray(y, 0);
            for (int i = 0; i < L; i++) worstExp = Math.max(worstExp, Math.abs(y[i] / Math.exp(x[i]) - 1));
        }
        for (float v = -20f; v < 20f; v += 0.00731f) {
            for (int i = 0; i < L; i++) x[i] = v + i * 1e-4f;
            Activation.Vec.tanhV(jdk.incubator.vector.FloatVector.fromArray(Simd.FLOAT, x, 0)).intoArray(y, 0);
            for (int i = 0; i < L; i++) {
                double ref = Math.tanh(x[i]);
                if (ref != 0) worstTanh = Math.max(worstTanh, Math.abs(y[i] / ref - 1));
            }
        }
        // float has 6e-8 per ulp: exp within ~3 ulp, tanh within ~4 ulp
        assertTrue(worstExp < 2e-7, "exp relative error " + worstExp);
        assertTrue(worstTanh < 3e-7, "tanh relative error " + worstTanh);
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        int n = 3 * (1 << 14) + 37;
        float[] x = new float[n], a = new float[n], b = new float[n];
        new Rng(5).fillUniform(x, 0, n, -6f, 6f);
        int keep = io.bsth.tensor.Parallel.threads();
        try {
            io.bsth.tensor.Parallel.setThreads(1);
            Activation.gelu(x, a, n);
            io.bsth.tensor.Parallel.setThreads(3);
            Activation.gelu(x, b, n);
        } finally {
            io.bsth.tensor.Parallel.setThreads(keep);
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(a, b, 0f);
    }

    @Test
    void geluAgainstDoubleDefinition() {
        float[] x = new float[2001], y = new float[2001];
        for (int i = 0; i < x.length; i++) x[i] = -10f + i * 0.01f;
        Activation.gelu(x, y, x.length);
        for (int i = 0; i < x.length; i++) {
            double ref = x[i] * 0.5 * (1 + erfRef(x[i] / Math.sqrt(2)));
            if (x[i] < -3) ref = x[i] * 0.5 * erfcRef(-x[i] / Math.sqrt(2));
            // 1e-6 relative down to x = -3; in the tails the float exponent -x^2/2 limits it:
            // 3e-6 on [-5, -3) (|GELU| < 4e-3), 1e-5 below (|GELU| < 2e-6)
            double rel = x[i] < -5 ? 1e-5 : x[i] < -3 ? 3e-6 : 1e-6;
            assertEquals(ref, y[i], rel * Math.abs(ref) + 1e-30, "gelu(" + x[i] + ")");
        }
    }
}
