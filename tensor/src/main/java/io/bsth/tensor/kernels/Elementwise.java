package io.bsth.tensor.kernels;

import io.bsth.tensor.Parallel;
import io.bsth.tensor.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise kernels. Array level ({@code (float[] x, int xOff, ..., int n)}, the form autograd
 * uses): binary add/sub/mul, the fused forms axpy {@code y += alpha x}, {@code out = x*y + z},
 * {@code y += a*b}, scale, and a row-vector broadcast {@code y (rows, cols) += v (cols)}; each with its
 * scalar reference {@code ...Reference}. Large calls are split over {@link Parallel} in chunks of
 * {@link Parallel#GRAIN} elements.
 *
 * <p>Outputs may alias inputs exactly (same array and offset), never partially.
 */
public final class Elementwise {
    private static final int L = Simd.floatLanes();

    private Elementwise() {}

    /** A kernel over the element range [s, e) of the call's arrays. */
    @FunctionalInterface
    private interface Chunk {
        void run(int s, int e);
    }

    private static void split(int n, Chunk c) {
        if (n < 2 * Parallel.GRAIN || Parallel.threads() == 1) c.run(0, n);
        else Parallel.forRange(n, Parallel.GRAIN, c::run);
    }

    // ---- array level: y = a op b -------------------------------------------------------------------

    /** y (n) = a (n) + b (n). */
    public static void add(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        checkRange("add", a, aOff, n, b, bOff, y, yOff);
        if (!Simd.ENABLED) addReference(a, aOff, b, bOff, y, yOff, n);
        else split(n, (s, e) -> addSimd(a, aOff + s, b, bOff + s, y, yOff + s, e - s));
    }

    public static void addReference(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] = a[aOff + i] + b[bOff + i];
    }

    /** y (n) = a (n) - b (n). */
    public static void sub(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        checkRange("sub", a, aOff, n, b, bOff, y, yOff);
        if (!Simd.ENABLED) subReference(a, aOff, b, bOff, y, yOff, n);
        else split(n, (s, e) -> subSimd(a, aOff + s, b, bOff + s, y, yOff + s, e - s));
    }

    public static void subReference(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] = a[aOff + i] - b[bOff + i];
    }

    /** y (n) = a (n) * b (n). */
    public static void mul(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        checkRange("mul", a, aOff, n, b, bOff, y, yOff);
        if (!Simd.ENABLED) mulReference(a, aOff, b, bOff, y, yOff, n);
        else split(n, (s, e) -> mulSimd(a, aOff + s, b, bOff + s, y, yOff + s, e - s));
    }

    public static void mulReference(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] = a[aOff + i] * b[bOff + i];
    }

    private static void addSimd(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        Vec.addSimd(a, aOff, b, bOff, y, yOff, n);
    }

    private static void subSimd(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        Vec.subSimd(a, aOff, b, bOff, y, yOff, n);
    }

    private static void mulSimd(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        Vec.mulSimd(a, aOff, b, bOff, y, yOff, n);
    }

    // ---- array level: fused forms --------------------------------------------------------------------

    /** y (n) += alpha * x (n). */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        checkRange("axpy", x, xOff, n, y, yOff, y, yOff);
        if (!Simd.ENABLED) axpyReference(alpha, x, xOff, y, yOff, n);
        else split(n, (s, e) -> axpySimd(alpha, x, xOff + s, y, yOff + s, e - s));
    }

    private static void axpySimd(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        Vec.axpySimd(alpha, x, xOff, y, yOff, n);
    }

    public static void axpyReference(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }

    /** y (n) = alpha * x (n). */
    public static void scale(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        checkRange("scale", x, xOff, n, x, xOff, y, yOff);
        if (!Simd.ENABLED) scaleReference(alpha, x, xOff, y, yOff, n);
        else split(n, (s, e) -> scaleSimd(alpha, x, xOff + s, y, yOff + s, e - s));
    }

    private static void scaleSimd(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        Vec.scaleSimd(alpha, x, xOff, y, yOff, n);
    }

    public static void scaleReference(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] = alpha * x[xOff + i];
    }

    /** out (n) = x (n) * y (n) + z (n). */
    public static void fma(float[] x, int xOff, float[] y, int yOff, float[] z, int zOff, float[] out, int oOff, int n) {
        checkRange("fma", x, xOff, n, y, yOff, out, oOff);
        checkRange("fma", z, zOff, n, z, zOff, z, zOff);
        if (!Simd.ENABLED) fmaReference(x, xOff, y, yOff, z, zOff, out, oOff, n);
        else split(n, (s, e) -> fmaSimd(x, xOff + s, y, yOff + s, z, zOff + s, out, oOff + s, e - s));
    }

    private static void fmaSimd(float[] x, int xOff, float[] y, int yOff, float[] z, int zOff, float[] out, int oOff, int n) {
        Vec.fmaSimd(x, xOff, y, yOff, z, zOff, out, oOff, n);
    }

    public static void fmaReference(float[] x, int xOff, float[] y, int yOff, float[] z, int zOff, float[] out, int oOff, int n) {
        for (int i = 0; i < n; i++) out[oOff + i] = x[xOff + i] * y[yOff + i] + z[zOff + i];
    }

    /** y (n) += a (n) * b (n) (the gradient of a product). */
    public static void mulAcc(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        fma(a, aOff, b, bOff, y, yOff, y, yOff, n);
    }

    public static void mulAccReference(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] += a[aOff + i] * b[bOff + i];
    }

    /** y (rows, cols) += v (cols) on every row (bias add); y dense with row stride cols. */
    public static void addRowVector(float[] y, int yOff, float[] v, int vOff, int rows, int cols) {
        checkRange("addRowVector", y, yOff, rows * cols, y, yOff, y, yOff);
        checkRange("addRowVector", v, vOff, cols, v, vOff, v, vOff);
        if (!Simd.ENABLED) {
            addRowVectorReference(y, yOff, v, vOff, rows, cols);
            return;
        }
        int grainRows = Math.max(1, Parallel.GRAIN / Math.max(1, cols));
        Chunk c = (s, e) -> {
            for (int r = s; r < e; r++) addSimd(y, yOff + r * cols, v, vOff, y, yOff + r * cols, cols);
        };
        if (rows < 2 * grainRows || Parallel.threads() == 1) c.run(0, rows);
        else Parallel.forRange(rows, grainRows, c::run);
    }

    public static void addRowVectorReference(float[] y, int yOff, float[] v, int vOff, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) y[yOff + r * cols + j] += v[vOff + j];
        }
    }

    static void checkRange(String op, float[] a, int aOff, int n, float[] b, int bOff, float[] y, int yOff) {
        if (n < 0) throw new IllegalArgumentException(op + ": negative length " + n);
        check(op, "first operand", a, aOff, n);
        check(op, "second operand", b, bOff, n);
        check(op, "output", y, yOff, n);
    }

    private static void check(String op, String what, float[] x, int off, int n) {
        if (off < 0 || (long) off + n > x.length) {
            throw new IndexOutOfBoundsException(op + ": " + what + " range [" + off + ", " + ((long) off + n)
                    + ") outside an array of " + x.length);
        }
    }

    /**
     * The Vector API code of this class: loaded (and verified) only when {@link Simd#ENABLED}, so the class
     * above runs its scalar references on a JVM without {@code jdk.incubator.vector}.
     */
    static final class Vec {
        private Vec() {}

        private static final VectorSpecies<Float> S = Simd.FLOAT;

        // One method per operation, each with its operator as a literal: a shared body taking the
        // operator as a parameter is compiled on its own (OSR of the long loop) with a non-constant
        // operator, and the Vector API then falls back to per-lane code.

        static void addSimd(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) {
                FloatVector.fromArray(S, a, aOff + i).add(FloatVector.fromArray(S, b, bOff + i)).intoArray(y, yOff + i);
            }
            addReference(a, aOff + i, b, bOff + i, y, yOff + i, n - i);
        }

        static void subSimd(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) {
                FloatVector.fromArray(S, a, aOff + i).sub(FloatVector.fromArray(S, b, bOff + i)).intoArray(y, yOff + i);
            }
            subReference(a, aOff + i, b, bOff + i, y, yOff + i, n - i);
        }

        static void mulSimd(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) {
                FloatVector.fromArray(S, a, aOff + i).mul(FloatVector.fromArray(S, b, bOff + i)).intoArray(y, yOff + i);
            }
            mulReference(a, aOff + i, b, bOff + i, y, yOff + i, n - i);
        }

        static void axpySimd(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
            FloatVector va = FloatVector.broadcast(S, alpha);
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) {
                FloatVector.fromArray(S, x, xOff + i).fma(va, FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
            }
            for (; i < n; i++) y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
        }

        static void scaleSimd(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) {
                FloatVector.fromArray(S, x, xOff + i).mul(alpha).intoArray(y, yOff + i);
            }
            for (; i < n; i++) y[yOff + i] = alpha * x[xOff + i];
        }

        static void fmaSimd(float[] x, int xOff, float[] y, int yOff, float[] z, int zOff, float[] out, int oOff, int n) {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) {
                FloatVector.fromArray(S, x, xOff + i).fma(FloatVector.fromArray(S, y, yOff + i), FloatVector.fromArray(S, z, zOff + i))
                        .intoArray(out, oOff + i);
            }
            for (; i < n; i++) out[oOff + i] = Math.fma(x[xOff + i], y[yOff + i], z[zOff + i]);
        }
    }
}
