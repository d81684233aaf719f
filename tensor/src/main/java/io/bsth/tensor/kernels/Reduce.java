package io.bsth.tensor.kernels;

import io.bsth.tensor.Parallel;
import io.bsth.tensor.Simd;
import io.bsth.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Reductions. Array level: the sum of a range (float lanes per block, blocks added in double), max,
 * argmax; column sums of an (N,C) matrix (the bias gradient) and row sums, each beside its scalar
 * reference. Tensor level: sum, mean, max and argmax along one axis of any view.
 *
 * <p>Results do not depend on the thread count: parallel work is split by output (columns, rows), so
 * every output element is always summed in the same order; nor on the JIT tier: lanes are summed by
 * a fixed butterfly, not reduceLanes.
 */
public final class Reduce {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int L = S.length();
    /** Elements summed in float lanes before the partial goes into the double total. */
    private static final int BLOCK = 1 << 12;
    /** Lane permutations i ^ 8, 4, 2, 1: the fixed-order lane sum of a 16-lane vector. */
    private static final VectorShuffle<Float> X8 = VectorShuffle.fromOp(S, i -> (i ^ 8) % L),
            X4 = VectorShuffle.fromOp(S, i -> (i ^ 4) % L), X2 = VectorShuffle.fromOp(S, i -> (i ^ 2) % L),
            X1 = VectorShuffle.fromOp(S, i -> (i ^ 1) % L);

    private Reduce() {}

    // ---- whole ranges -----------------------------------------------------------------------------

    /** Sum of x[off, off+n). */
    public static double sum(float[] x, int off, int n) {
        Elementwise.checkRange("sum", x, off, n, x, off, x, off);
        if (!Simd.ENABLED) return sumScalar(x, off, n);
        double total = 0;
        for (int s = 0; s < n; s += BLOCK) total += sumBlock(x, off + s, Math.min(BLOCK, n - s));
        return total;
    }

    private static float sumBlock(float[] x, int off, int n) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (int bound = n - 4 * L; i <= bound; i += 4 * L) {
            a0 = a0.add(FloatVector.fromArray(S, x, off + i));
            a1 = a1.add(FloatVector.fromArray(S, x, off + i + L));
            a2 = a2.add(FloatVector.fromArray(S, x, off + i + 2 * L));
            a3 = a3.add(FloatVector.fromArray(S, x, off + i + 3 * L));
        }
        for (int bound = S.loopBound(n); i < bound; i += L) a0 = a0.add(FloatVector.fromArray(S, x, off + i));
        FloatVector t = a0.add(a1).add(a2.add(a3));
        float s;
        if (L == 16) {
            // fixed butterfly: the same rounding in every JIT tier (reduceLanes' order is C2's choice)
            t = t.add(t.rearrange(X8));
            t = t.add(t.rearrange(X4));
            t = t.add(t.rearrange(X2));
            t = t.add(t.rearrange(X1));
            s = t.lane(0);
        } else {
            s = t.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) s += x[off + i];
        return s;
    }

    /** Scalar reference: sum in double, in order. */
    public static double sumScalar(float[] x, int off, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += x[off + i];
        return s;
    }

    /** Largest of x[off, off+n) (n >= 1; NaN if any element is NaN). */
    public static float max(float[] x, int off, int n) {
        if (n < 1) throw new IllegalArgumentException("max: empty range");
        Elementwise.checkRange("max", x, off, n, x, off, x, off);
        if (!Simd.ENABLED || n < L) return maxScalar(x, off, n);
        FloatVector m = FloatVector.fromArray(S, x, off);
        int i = L;
        for (int bound = S.loopBound(n); i < bound; i += L) m = m.max(FloatVector.fromArray(S, x, off + i));
        float r = m.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) r = Math.max(r, x[off + i]);
        return r;
    }

    public static float maxScalar(float[] x, int off, int n) {
        float r = x[off];
        for (int i = 1; i < n; i++) r = Math.max(r, x[off + i]);
        return r;
    }

    /** Index (from 0) of the first largest element of x[off, off+n); NaN elements are skipped. */
    public static int argmax(float[] x, int off, int n) {
        if (n < 1) throw new IllegalArgumentException("argmax: empty range");
        Elementwise.checkRange("argmax", x, off, n, x, off, x, off);
        if (!Simd.ENABLED || n < 2 * L) return argmaxScalar(x, off, n);
        // one SIMD pass for the max value, then the first index holding it
        FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, off + i);
            m = m.max(v.blend(Float.NEGATIVE_INFINITY, v.test(VectorOperators.IS_NAN)));
        }
        float best = m.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) if (x[off + i] > best) best = x[off + i];
        for (int j = 0; j < n; j++) if (x[off + j] == best) return j;
        return 0;
    }

    public static int argmaxScalar(float[] x, int off, int n) {
        int bi = 0;
        float best = Float.NEGATIVE_INFINITY;
        boolean found = false;
        for (int i = 0; i < n; i++) {
            float v = x[off + i];
            if (!Float.isNaN(v) && (!found || v > best)) {
                best = v;
                bi = i;
                found = true;
            }
        }
        return bi;
    }

    // ---- matrices -----------------------------------------------------------------------------------

    /**
     * out (C) (+)= column sums of x (N,C) dense at xOff: {@code out[j] = sum_r x[r,j]}, summed in row
     * order. The bias gradient. Threads split the columns.
     */
    public static void colSum(float[] x, int xOff, int rows, int cols, float[] out, int oOff, boolean accumulate) {
        Elementwise.checkRange("colSum", x, xOff, rows * cols, x, xOff, x, xOff);
        Elementwise.checkRange("colSum", out, oOff, cols, out, oOff, out, oOff);
        if (!Simd.ENABLED) {
            colSumScalar(x, xOff, rows, cols, out, oOff, accumulate);
            return;
        }
        int strips = (cols + L - 1) / L;
        long work = (long) rows * cols;
        int parts = work < 2L * Elementwise.GRAIN ? 1 : Math.min(strips, Parallel.threads());
        Parallel.forEach(parts, p -> {
            int c0 = strips * p / parts * L, c1 = Math.min(cols, strips * (p + 1) / parts * L);
            colSumSimd(x, xOff, rows, cols, c0, c1, out, oOff, accumulate);
        });
    }

    private static void colSumSimd(float[] x, int xOff, int rows, int cols, int c0, int c1, float[] out, int oOff, boolean accumulate) {
        int j = c0;
        for (; j + 2 * L <= c1; j += 2 * L) {
            FloatVector s0 = FloatVector.zero(S), s1 = s0;
            for (int r = 0, p = xOff + j; r < rows; r++, p += cols) {
                s0 = s0.add(FloatVector.fromArray(S, x, p));
                s1 = s1.add(FloatVector.fromArray(S, x, p + L));
            }
            if (accumulate) {
                s0 = s0.add(FloatVector.fromArray(S, out, oOff + j));
                s1 = s1.add(FloatVector.fromArray(S, out, oOff + j + L));
            }
            s0.intoArray(out, oOff + j);
            s1.intoArray(out, oOff + j + L);
        }
        for (; j + L <= c1; j += L) {
            FloatVector s0 = FloatVector.zero(S);
            for (int r = 0, p = xOff + j; r < rows; r++, p += cols) s0 = s0.add(FloatVector.fromArray(S, x, p));
            if (accumulate) s0 = s0.add(FloatVector.fromArray(S, out, oOff + j));
            s0.intoArray(out, oOff + j);
        }
        for (; j < c1; j++) {
            float s = 0;
            for (int r = 0; r < rows; r++) s += x[xOff + r * cols + j];
            out[oOff + j] = accumulate ? out[oOff + j] + s : s;
        }
    }

    public static void colSumScalar(float[] x, int xOff, int rows, int cols, float[] out, int oOff, boolean accumulate) {
        for (int j = 0; j < cols; j++) {
            float s = 0;
            for (int r = 0; r < rows; r++) s += x[xOff + r * cols + j];
            out[oOff + j] = accumulate ? out[oOff + j] + s : s;
        }
    }

    /** out (N) (+)= row sums of x (N,C) dense at xOff. Threads split the rows. */
    public static void rowSum(float[] x, int xOff, int rows, int cols, float[] out, int oOff, boolean accumulate) {
        Elementwise.checkRange("rowSum", x, xOff, rows * cols, x, xOff, x, xOff);
        Elementwise.checkRange("rowSum", out, oOff, rows, out, oOff, out, oOff);
        if (!Simd.ENABLED) {
            rowSumScalar(x, xOff, rows, cols, out, oOff, accumulate);
            return;
        }
        Parallel.forRange(rows, Math.max(1, Elementwise.GRAIN / Math.max(1, cols)), (s, e) -> {
            for (int r = s; r < e; r++) {
                float v = sumBlockAny(x, xOff + r * cols, cols);
                out[oOff + r] = accumulate ? out[oOff + r] + v : v;
            }
        });
    }

    private static float sumBlockAny(float[] x, int off, int n) {
        float s = 0;
        for (int b = 0; b < n; b += BLOCK) s += sumBlock(x, off + b, Math.min(BLOCK, n - b));
        return s;
    }

    public static void rowSumScalar(float[] x, int xOff, int rows, int cols, float[] out, int oOff, boolean accumulate) {
        for (int r = 0; r < rows; r++) {
            float s = 0;
            for (int j = 0; j < cols; j++) s += x[xOff + r * cols + j];
            out[oOff + r] = accumulate ? out[oOff + r] + s : s;
        }
    }

    // ---- tensors along an axis ------------------------------------------------------------------------

    /** The reductions available along an axis. */
    public enum Op { SUM, MEAN, MAX }

    public static Tensor sum(Tensor x, int axis, boolean keepDim) { return reduce(Op.SUM, x, axis, keepDim); }
    public static Tensor mean(Tensor x, int axis, boolean keepDim) { return reduce(Op.MEAN, x, axis, keepDim); }
    public static Tensor max(Tensor x, int axis, boolean keepDim) { return reduce(Op.MAX, x, axis, keepDim); }

    /**
     * x (..., n, ...) reduced along {@code axis} -> the shape without that dim (or with size 1 when
     * keepDim). Works on any view (non-contiguous ones are copied first).
     */
    public static Tensor reduce(Op op, Tensor x, int axis, boolean keepDim) {
        int a = x.axis(axis);
        int[] shape = x.shape();
        int n = shape[a];
        if (n == 0 && op == Op.MAX) throw new IllegalArgumentException("max along an empty dim " + a);
        Tensor c = x.contiguous();
        int outer = 1, inner = 1;
        for (int d = 0; d < a; d++) outer *= shape[d];
        for (int d = a + 1; d < shape.length; d++) inner *= shape[d];
        Tensor out = Tensor.zeros(reducedShape(shape, a, keepDim));
        float[] X = c.data(), Y = out.data();
        int base = c.offset();
        for (int o = 0; o < outer; o++) {
            int xo = base + o * n * inner, yo = o * inner;
            if (inner == 1) {
                Y[yo] = switch (op) {
                    case SUM -> (float) sum(X, xo, n);
                    case MEAN -> (float) (sum(X, xo, n) / n);
                    case MAX -> max(X, xo, n);
                };
            } else if (op == Op.MAX) {
                System.arraycopy(X, xo, Y, yo, inner);
                for (int k = 1; k < n; k++) Elementwise.binaryRowScalar(Elementwise.Binary.MAX, Y, yo, 1, X, xo + k * inner, 1, Y, yo, inner);
            } else {
                colSum(X, xo, n, inner, Y, yo, false);
                if (op == Op.MEAN) Elementwise.scale(1f / n, Y, yo, Y, yo, inner);
            }
        }
        return out;
    }

    /** Index of the first largest element along {@code axis}; shape of x without that dim. */
    public static int[] argmax(Tensor x, int axis) {
        int a = x.axis(axis);
        int[] shape = x.shape();
        int n = shape[a];
        if (n == 0) throw new IllegalArgumentException("argmax along an empty dim " + a);
        Tensor c = x.contiguous();
        int outer = 1, inner = 1;
        for (int d = 0; d < a; d++) outer *= shape[d];
        for (int d = a + 1; d < shape.length; d++) inner *= shape[d];
        int[] idx = new int[outer * inner];
        float[] X = c.data();
        int base = c.offset();
        for (int o = 0; o < outer; o++) {
            int xo = base + o * n * inner;
            if (inner == 1) {
                idx[o] = argmax(X, xo, n);
                continue;
            }
            for (int j = 0; j < inner; j++) {
                int bi = 0;
                float best = Float.NEGATIVE_INFINITY;
                boolean found = false;
                for (int k = 0; k < n; k++) {
                    float v = X[xo + k * inner + j];
                    if (!Float.isNaN(v) && (!found || v > best)) {
                        best = v;
                        bi = k;
                        found = true;
                    }
                }
                idx[o * inner + j] = bi;
            }
        }
        return idx;
    }

    private static int[] reducedShape(int[] shape, int a, boolean keepDim) {
        if (keepDim) {
            int[] s = shape.clone();
            s[a] = 1;
            return s;
        }
        int[] s = new int[shape.length - 1];
        for (int d = 0, j = 0; d < shape.length; d++) if (d != a) s[j++] = shape[d];
        return s;
    }
}
