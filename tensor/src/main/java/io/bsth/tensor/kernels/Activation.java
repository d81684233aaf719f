package io.bsth.tensor.kernels;

import io.bsth.tensor.Parallel;
import io.bsth.tensor.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise activations and their gradients on flat float arrays: tanh, sigmoid and the exact
 * (erf) GELU of PyTorch. Every forward writes {@code y[i] = f(x[i])} for i in [0, n); every backward
 * accumulates {@code dx[i] += dy[i] * f'(.)}. The public entry points split [0, n) over
 * {@link Parallel}; each range runs the SIMD body or, when {@link Simd#ENABLED} is false, the scalar
 * reference ({@code *Reference}), which also handles the tails.
 *
 * <p>Java has no erf: {@link #erfc(double)} is the Chebyshev-fitted form of Numerical Recipes
 * ({@code erfcc}, fractional error below 1.2e-7 everywhere), {@link #erf(double)} uses a Taylor series
 * near 0 so that its relative error stays small there too.
 */
public final class Activation {
    private Activation() {}

    private static final float INV_SQRT2 = (float) (1 / Math.sqrt(2));

    private static final float INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));

    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

    /** A range body: processes [from, to). */
    private interface Body {
        void run(int from, int to);
    }

    /**
     * Splits [0, n) into chunks whose boundaries are multiples of 64, so the scalar tail is always
     * the same last n % lanes elements: results do not depend on the thread count.
     */
    private static void split(int n, Body simd, Body scalar) {
        Body body = Simd.ENABLED ? simd : scalar;
        int chunks = Math.max(1, Math.min(Parallel.threads(), n / Parallel.GRAIN_HEAVY));
        if (chunks == 1) {
            body.run(0, n);
            return;
        }
        Parallel.forEach(chunks, c -> {
            int s = (int) ((long) n * c / chunks) & ~63;
            int e = c == chunks - 1 ? n : (int) ((long) n * (c + 1) / chunks) & ~63;
            body.run(s, e);
        });
    }

    private static final float EXP_HI = 88.3762626647949f;

    private static final float EXP_C1 = 0.693359375f, EXP_C2 = -2.12194440e-4f;

    // ---- erf ------------------------------------------------------------------------------------

    /** Complementary error function, fractional error below 1.2e-7 for every x. */
    public static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double ans = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? ans : 2 - ans;
    }

    /** Error function: Taylor series for |x| < 0.5 (truncation below 1e-9 relative), else 1 - erfc. */
    public static double erf(double x) {
        double a = Math.abs(x);
        if (a < 0.5) {
            double x2 = x * x;
            double s = 1 + x2 * (-1.0 / 3 + x2 * (1.0 / 10 + x2 * (-1.0 / 42 + x2 * (1.0 / 216
                    + x2 * (-1.0 / 1320 + x2 * (1.0 / 9360 - x2 / 75600))))));
            return TWO_OVER_SQRT_PI * x * s;
        }
        double e = 1 - erfc(a);
        return x < 0 ? -e : e;
    }

    /** Standard normal CDF Phi(x) = (1 + erf(x / sqrt 2)) / 2, relative error ~1e-7 in both tails. */
    public static double normalCdf(double x) {
        double u = x * (1 / Math.sqrt(2));
        if (Math.abs(u) < 0.5) return 0.5 * (1 + erf(u));
        return 0.5 * erfc(-u);
    }

    // ---- tanh -----------------------------------------------------------------------------------

    /** y = tanh(x); x, y (n). */
    public static void tanh(float[] x, float[] y, int n) {
        split(n, (f, t) -> tanhSimd(x, y, f, t), (f, t) -> tanhReference(x, y, f, t));
    }

    public static void tanhReference(float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) y[i] = (float) Math.tanh(x[i]);
    }

    static void tanhSimd(float[] x, float[] y, int from, int to) {
        Vec.tanhSimd(x, y, from, to);
    }

    /** dx += dy * (1 - y^2); y the forward output. */
    public static void tanhBackward(float[] y, float[] dy, float[] dx, int n) {
        split(n, (f, t) -> tanhBackwardSimd(y, dy, dx, f, t), (f, t) -> tanhBackwardReference(y, dy, dx, f, t));
    }

    public static void tanhBackwardReference(float[] y, float[] dy, float[] dx, int from, int to) {
        for (int i = from; i < to; i++) dx[i] += dy[i] * (1f - y[i] * y[i]);
    }

    static void tanhBackwardSimd(float[] y, float[] dy, float[] dx, int from, int to) {
        Vec.tanhBackwardSimd(y, dy, dx, from, to);
    }

    // ---- sigmoid --------------------------------------------------------------------------------

    /** y = 1 / (1 + exp(-x)). */
    public static void sigmoid(float[] x, float[] y, int n) {
        split(n, (f, t) -> sigmoidSimd(x, y, f, t), (f, t) -> sigmoidReference(x, y, f, t));
    }

    public static void sigmoidReference(float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) y[i] = (float) (1 / (1 + Math.exp(-x[i])));
    }

    static void sigmoidSimd(float[] x, float[] y, int from, int to) {
        Vec.sigmoidSimd(x, y, from, to);
    }

    /** dx += dy * y * (1 - y); y the forward output. */
    public static void sigmoidBackward(float[] y, float[] dy, float[] dx, int n) {
        split(n, (f, t) -> sigmoidBackwardSimd(y, dy, dx, f, t), (f, t) -> sigmoidBackwardReference(y, dy, dx, f, t));
    }

    public static void sigmoidBackwardReference(float[] y, float[] dy, float[] dx, int from, int to) {
        for (int i = from; i < to; i++) dx[i] += dy[i] * y[i] * (1f - y[i]);
    }

    static void sigmoidBackwardSimd(float[] y, float[] dy, float[] dx, int from, int to) {
        Vec.sigmoidBackwardSimd(y, dy, dx, from, to);
    }

    // ---- GELU (exact) ---------------------------------------------------------------------------

    /** y = x * Phi(x) = x/2 * (1 + erf(x / sqrt 2)). */
    public static void gelu(float[] x, float[] y, int n) {
        split(n, (f, t) -> geluSimd(x, y, f, t), (f, t) -> geluReference(x, y, f, t));
    }

    public static void geluReference(float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) y[i] = (float) (x[i] * normalCdf(x[i]));
    }

    /** dx += dy * (Phi(x) + x * phi(x)). */
    public static void geluBackward(float[] x, float[] dy, float[] dx, int n) {
        split(n, (f, t) -> geluBackwardSimd(x, dy, dx, f, t), (f, t) -> geluBackwardReference(x, dy, dx, f, t));
    }

    public static void geluBackwardReference(float[] x, float[] dy, float[] dx, int from, int to) {
        for (int i = from; i < to; i++) {
            double v = x[i];
            double d = normalCdf(v) + v * Math.exp(-0.5 * v * v) * (1 / Math.sqrt(2 * Math.PI));
            dx[i] += (float) (dy[i] * d);
        }
    }

    static void geluSimd(float[] x, float[] y, int from, int to) {
        Vec.geluSimd(x, y, from, to);
    }

    static void geluBackwardSimd(float[] x, float[] dy, float[] dx, int from, int to) {
        Vec.geluBackwardSimd(x, dy, dx, from, to);
    }

    /**
     * The Vector API code of this class: loaded (and verified) only when {@link Simd#ENABLED}, so the class
     * above runs its scalar references on a JVM without {@code jdk.incubator.vector}.
     */
    static final class Vec {
        private Vec() {}

        private static final VectorSpecies<Float> S = Simd.FLOAT;

        // ---- exp and tanh from basic arithmetic ------------------------------------------------------
        // The Vector API's EXP/TANH may give different bits in interpreted and compiled code (a Java
        // fallback there, a vector math library here), which made runs irreproducible. These use only
        // IEEE-exact operations (+, *, fma, compare, convert, shifts), so every tier agrees.

        private static final float LOG2E = 1.44269504088896341f;

        /** exp per lane (Cephes expf: 2^n times a degree-6 polynomial), ~1-2 ulp; 0 below -88.38. */
        static FloatVector exp(FloatVector x) {
            x = x.max(-EXP_HI).min(EXP_HI);
            FloatVector t = x.fma(LOG2E, 0.5f);
            FloatVector fi = (FloatVector) ((IntVector) t.convert(VectorOperators.F2I, 0)).convert(VectorOperators.I2F, 0);
            fi = fi.sub(1f, fi.compare(VectorOperators.GT, t));                 // floor(t)
            FloatVector r = x.sub(fi.mul(EXP_C1));                              // exact: C1 has 9 bits
            r = fi.fma(FloatVector.broadcast(S, -EXP_C2), r);
            FloatVector p = r.fma(1.9875691500E-4f, 1.3981999507E-3f);
            p = p.fma(r, FloatVector.broadcast(S, 8.3334519073E-3f));
            p = p.fma(r, FloatVector.broadcast(S, 4.1665795894E-2f));
            p = p.fma(r, FloatVector.broadcast(S, 1.6666665459E-1f));
            p = p.fma(r, FloatVector.broadcast(S, 5.0000001201E-1f));
            FloatVector y = p.fma(r.mul(r), r).add(1f);
            IntVector n = (IntVector) fi.convert(VectorOperators.F2I, 0);
            FloatVector pow2 = n.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            return y.mul(pow2);
        }

        /** tanh per lane (Cephes tanhf: odd polynomial below |x| = 0.625, else 1 - 2/(e^{2|x|} + 1)). */
        static FloatVector tanhV(FloatVector x) {
            FloatVector ax = x.abs();
            FloatVector s = x.mul(x);
            FloatVector p = s.fma(-5.70498872745E-3f, 2.06390887954E-2f);
            p = p.fma(s, FloatVector.broadcast(S, -5.37397155531E-2f));
            p = p.fma(s, FloatVector.broadcast(S, 1.33314422036E-1f));
            p = p.fma(s, FloatVector.broadcast(S, -3.33332819422E-1f));
            FloatVector small = p.mul(s).fma(x, x);
            FloatVector e = exp(ax.mul(2f));
            FloatVector large = FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(e.add(1f)));
            large = large.blend(large.neg(), x.compare(VectorOperators.LT, 0f));
            return large.blend(small, ax.compare(VectorOperators.LT, 0.625f));
        }

        static void tanhSimd(float[] x, float[] y, int from, int to) {
            int i = from;
            for (int end = from + S.loopBound(to - from); i < end; i += S.length()) {
                tanhV(FloatVector.fromArray(S, x, i)).intoArray(y, i);
            }
            tanhReference(x, y, i, to);
        }

        static void tanhBackwardSimd(float[] y, float[] dy, float[] dx, int from, int to) {
            int i = from;
            for (int end = from + S.loopBound(to - from); i < end; i += S.length()) {
                FloatVector yv = FloatVector.fromArray(S, y, i);
                FloatVector d = yv.neg().fma(yv, FloatVector.broadcast(S, 1f)).mul(FloatVector.fromArray(S, dy, i));
                d.add(FloatVector.fromArray(S, dx, i)).intoArray(dx, i);
            }
            tanhBackwardReference(y, dy, dx, i, to);
        }

        static void sigmoidSimd(float[] x, float[] y, int from, int to) {
            int i = from;
            for (int end = from + S.loopBound(to - from); i < end; i += S.length()) {
                FloatVector e = exp(FloatVector.fromArray(S, x, i).neg());
                FloatVector.broadcast(S, 1f).div(e.add(1f)).intoArray(y, i);
            }
            sigmoidReference(x, y, i, to);
        }

        static void sigmoidBackwardSimd(float[] y, float[] dy, float[] dx, int from, int to) {
            int i = from;
            for (int end = from + S.loopBound(to - from); i < end; i += S.length()) {
                FloatVector yv = FloatVector.fromArray(S, y, i);
                FloatVector d = FloatVector.fromArray(S, dy, i).mul(yv).mul(yv.neg().add(1f));
                d.add(FloatVector.fromArray(S, dx, i)).intoArray(dx, i);
            }
            sigmoidBackwardReference(y, dy, dx, i, to);
        }

        // ---- GELU ------------------------------------------------------------------------------------
        // Phi(x) needs an erfc fit with an exp, a series near 0 and two blends, the backward also the
        // density's exp. Written as one loop body calling vector helpers, C2 compiled the helpers on
        // their own and then would not inline them (too big); every vector crossing those calls was
        // boxed on the heap (the whole GELU ran at 1.7-3 ns per element and allocated gigabytes per
        // training step). So GELU runs over blocks of BLOCK elements in passes, each a small loop with
        // no vector calls, handing its lanes to the next pass through scratch arrays (floats stored and
        // reloaded: exact). The operations and their order are those of one fused expression.

        /** Elements per pass (the scratch stays in L1). */
        private static final int BLOCK = 512;

        /** v (len) = exp(v) in place, len a multiple of the lanes: the body of {@link #exp(FloatVector)}. */
        private static void expPass(float[] v, int len) {
            for (int j = 0; j < len; j += S.length()) {
                FloatVector x = FloatVector.fromArray(S, v, j).max(-EXP_HI).min(EXP_HI);
                FloatVector t = x.fma(LOG2E, 0.5f);
                FloatVector fi = (FloatVector) ((IntVector) t.convert(VectorOperators.F2I, 0)).convert(VectorOperators.I2F, 0);
                fi = fi.sub(1f, fi.compare(VectorOperators.GT, t));
                FloatVector r = x.sub(fi.mul(EXP_C1));
                r = fi.fma(FloatVector.broadcast(S, -EXP_C2), r);
                FloatVector p = r.fma(1.9875691500E-4f, 1.3981999507E-3f);
                p = p.fma(r, FloatVector.broadcast(S, 8.3334519073E-3f));
                p = p.fma(r, FloatVector.broadcast(S, 4.1665795894E-2f));
                p = p.fma(r, FloatVector.broadcast(S, 1.6666665459E-1f));
                p = p.fma(r, FloatVector.broadcast(S, 5.0000001201E-1f));
                FloatVector y = p.fma(r.mul(r), r).add(1f);
                IntVector n = (IntVector) fi.convert(VectorOperators.F2I, 0);
                y.mul(n.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats()).intoArray(v, j);
            }
        }

        /**
         * The erfc fit of {@link #erfc(double)} at z = |x[off + j]| / sqrt 2 up to its exp: t (len) =
         * 1 / (1 + z/2), a (len) = -z^2 + poly(t); erfc(z) = t exp(a).
         */
        private static void erfcArgPass(float[] x, int off, int len, float[] t, float[] a) {
            for (int j = 0; j < len; j += S.length()) {
                FloatVector z = FloatVector.fromArray(S, x, off + j).mul(INV_SQRT2).abs();
                FloatVector tv = FloatVector.broadcast(S, 1f).div(z.fma(0.5f, 1f));
                FloatVector p = tv.fma(0.17087277f, -0.82215223f);
                p = p.fma(tv, FloatVector.broadcast(S, 1.48851587f));
                p = p.fma(tv, FloatVector.broadcast(S, -1.13520398f));
                p = p.fma(tv, FloatVector.broadcast(S, 0.27886807f));
                p = p.fma(tv, FloatVector.broadcast(S, -0.18628806f));
                p = p.fma(tv, FloatVector.broadcast(S, 0.09678418f));
                p = p.fma(tv, FloatVector.broadcast(S, 0.37409196f));
                p = p.fma(tv, FloatVector.broadcast(S, 1.00002368f));
                p = p.fma(tv, FloatVector.broadcast(S, -1.26551223f));
                tv.intoArray(t, j);
                z.neg().fma(z, p).intoArray(a, j);
            }
        }

        /**
         * phi (len) = Phi(x[off + j]) from t and e = exp(a) of {@link #erfcArgPass}: 1 - erfc(u)/2 or
         * erfc(|u|)/2 (u = x / sqrt 2), or near 0 the Taylor series of erf.
         */
        private static void cdfPass(float[] x, int off, int len, float[] t, float[] e, float[] phi) {
            for (int j = 0; j < len; j += S.length()) {
                FloatVector u = FloatVector.fromArray(S, x, off + j).mul(INV_SQRT2);
                FloatVector half = FloatVector.fromArray(S, t, j).mul(FloatVector.fromArray(S, e, j)).mul(0.5f);
                FloatVector far = half.neg().add(1f).blend(half, u.compare(VectorOperators.LT, 0f));
                FloatVector u2 = u.mul(u);
                FloatVector s = u2.fma(-1f / 75600, 1f / 9360);
                s = s.fma(u2, FloatVector.broadcast(S, -1f / 1320));
                s = s.fma(u2, FloatVector.broadcast(S, 1f / 216));
                s = s.fma(u2, FloatVector.broadcast(S, -1f / 42));
                s = s.fma(u2, FloatVector.broadcast(S, 1f / 10));
                s = s.fma(u2, FloatVector.broadcast(S, -1f / 3));
                s = s.fma(u2, FloatVector.broadcast(S, 1f));
                FloatVector near = s.mul(u).mul((float) (TWO_OVER_SQRT_PI / 2)).add(0.5f);
                far.blend(near, u.abs().compare(VectorOperators.LT, 0.5f)).intoArray(phi, j);
            }
        }

        /** x, y (from..to): y = x Phi(x). */
        static void geluSimd(float[] x, float[] y, int from, int to) {
            float[] t = new float[BLOCK], a = new float[BLOCK];
            int i = from;
            for (int end = from + S.loopBound(to - from); i < end; ) {
                int len = Math.min(BLOCK, end - i);
                erfcArgPass(x, i, len, t, a);
                expPass(a, len);
                cdfPass(x, i, len, t, a, a);
                for (int j = 0; j < len; j += S.length()) {
                    FloatVector.fromArray(S, x, i + j).mul(FloatVector.fromArray(S, a, j)).intoArray(y, i + j);
                }
                i += len;
            }
            geluReference(x, y, i, to);
        }

        /** x, dy, dx (from..to): dx += dy (Phi(x) + x phi(x)), phi the standard normal density. */
        static void geluBackwardSimd(float[] x, float[] dy, float[] dx, int from, int to) {
            float[] t = new float[BLOCK], a = new float[BLOCK], pdf = new float[BLOCK];
            int i = from;
            for (int end = from + S.loopBound(to - from); i < end; ) {
                int len = Math.min(BLOCK, end - i);
                erfcArgPass(x, i, len, t, a);
                expPass(a, len);
                cdfPass(x, i, len, t, a, a);
                for (int j = 0; j < len; j += S.length()) {
                    FloatVector xv = FloatVector.fromArray(S, x, i + j);
                    xv.mul(xv).mul(-0.5f).intoArray(pdf, j);
                }
                expPass(pdf, len);
                for (int j = 0; j < len; j += S.length()) {
                    FloatVector xv = FloatVector.fromArray(S, x, i + j);
                    FloatVector p = FloatVector.fromArray(S, pdf, j).mul(INV_SQRT_2PI);
                    FloatVector d = xv.fma(p, FloatVector.fromArray(S, a, j)).mul(FloatVector.fromArray(S, dy, i + j));
                    d.add(FloatVector.fromArray(S, dx, i + j)).intoArray(dx, i + j);
                }
                i += len;
            }
            geluBackwardReference(x, dy, dx, i, to);
        }
    }
}
