package io.bsth.tensor.kernels;

import io.bsth.tensor.Parallel;
import io.bsth.tensor.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sums: of a range (float lanes per block, blocks added in double) and the column sums of an (N,C)
 * matrix (the bias gradient), each beside its scalar reference.
 *
 * <p>Results do not depend on the thread count: parallel work is split by output column, so every
 * output element is always summed in the same order; nor on the JIT tier: lanes are summed by
 * {@link LaneSum}, not reduceLanes.
 */
public final class Reduce {
    private static final int L = Simd.floatLanes();

    /** Elements summed in float lanes before the partial goes into the double total. */
    private static final int BLOCK = 1 << 12;

    private Reduce() {}

    // ---- whole ranges -----------------------------------------------------------------------------

    /** Sum of x[off, off+n). */
    public static double sum(float[] x, int off, int n) {
        Elementwise.checkRange("sum", x, off, n, x, off, x, off);
        if (!Simd.ENABLED) return sumReference(x, off, n);
        double total = 0;
        for (int s = 0; s < n; s += BLOCK) total += sumBlock(x, off + s, Math.min(BLOCK, n - s));
        return total;
    }

    private static float sumBlock(float[] x, int off, int n) {
        return Vec.sumBlock(x, off, n);
    }

    /** Scalar reference: sum in double, in order. */
    public static double sumReference(float[] x, int off, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += x[off + i];
        return s;
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
            colSumReference(x, xOff, rows, cols, out, oOff, accumulate);
            return;
        }
        int strips = (cols + L - 1) / L;
        long work = (long) rows * cols;
        int parts = work < 2L * Parallel.GRAIN ? 1 : Math.min(strips, Parallel.threads());
        Parallel.forEach(parts, p -> {
            int c0 = strips * p / parts * L, c1 = Math.min(cols, strips * (p + 1) / parts * L);
            colSumSimd(x, xOff, rows, cols, c0, c1, out, oOff, accumulate);
        });
    }

    private static void colSumSimd(float[] x, int xOff, int rows, int cols, int c0, int c1, float[] out, int oOff, boolean accumulate) {
        Vec.colSumSimd(x, xOff, rows, cols, c0, c1, out, oOff, accumulate);
    }

    public static void colSumReference(float[] x, int xOff, int rows, int cols, float[] out, int oOff, boolean accumulate) {
        for (int j = 0; j < cols; j++) {
            float s = 0;
            for (int r = 0; r < rows; r++) s += x[xOff + r * cols + j];
            out[oOff + j] = accumulate ? out[oOff + j] + s : s;
        }
    }

    /**
     * The Vector API code of this class: loaded (and verified) only when {@link Simd#ENABLED}, so the class
     * above runs its scalar references on a JVM without {@code jdk.incubator.vector}.
     */
    static final class Vec {
        private Vec() {}

        private static final VectorSpecies<Float> S = Simd.FLOAT;

        static float sumBlock(float[] x, int off, int n) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            int i = 0;
            for (int bound = n - 4 * L; i <= bound; i += 4 * L) {
                a0 = a0.add(FloatVector.fromArray(S, x, off + i));
                a1 = a1.add(FloatVector.fromArray(S, x, off + i + L));
                a2 = a2.add(FloatVector.fromArray(S, x, off + i + 2 * L));
                a3 = a3.add(FloatVector.fromArray(S, x, off + i + 3 * L));
            }
            for (int bound = S.loopBound(n); i < bound; i += L) a0 = a0.add(FloatVector.fromArray(S, x, off + i));
            float s = LaneSum.sum(a0.add(a1).add(a2.add(a3)));
            for (; i < n; i++) s += x[off + i];
            return s;
        }

        static void colSumSimd(float[] x, int xOff, int rows, int cols, int c0, int c1, float[] out, int oOff, boolean accumulate) {
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
    }
}
