package io.bsth.autograd;

import io.bsth.tensor.Parallel;
import io.bsth.tensor.kernels.Elementwise;
import io.bsth.tensor.kernels.Reduce;

/**
 * The whole-array loops the ops need: fused forms (axpy, multiply-accumulate) and reductions call the
 * tensor module's kernels ({@link Elementwise}, {@link Reduce}); plain binary maps and the row
 * broadcast are simple chunked loops that C2 vectorises (a JFR profile of the encoder layer showed
 * Elementwise.add/mul/addRowVector in the Vector API's per-lane fallback, 16% of the layer's time).
 */
final class Loops {
    private Loops() {}

    static final int GRAIN = Elementwise.GRAIN;

    /** dst[i] += a[i] for i in [0, n). */
    static void addInto(float[] dst, float[] a, int n) {
        Parallel.forRange(n, GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) dst[i] += a[i];
        });
    }

    /** y = a + b. */
    static void add(float[] a, float[] b, float[] y, int n) {
        Parallel.forRange(n, GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) y[i] = a[i] + b[i];
        });
    }

    /** y = a - b. */
    static void sub(float[] a, float[] b, float[] y, int n) {
        Parallel.forRange(n, GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) y[i] = a[i] - b[i];
        });
    }

    /** y = a * b. */
    static void mul(float[] a, float[] b, float[] y, int n) {
        Parallel.forRange(n, GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) y[i] = a[i] * b[i];
        });
    }

    /** dst[i] += alpha * a[i]. */
    static void axpy(float alpha, float[] a, float[] dst, int n) {
        Elementwise.axpy(alpha, a, 0, dst, 0, n);
    }

    /** dst[i] += a[i] * b[i]. */
    static void mulAcc(float[] a, float[] b, float[] dst, int n) {
        Elementwise.mulAcc(a, 0, b, 0, dst, 0, n);
    }

    /** y (rows, cols) += bias (cols) on every row. */
    static void addRowVector(float[] y, float[] bias, int rows, int cols) {
        Parallel.forRange(rows, Math.max(1, GRAIN / Math.max(1, cols)), (s, e) -> {
            for (int r = s; r < e; r++) {
                int o = r * cols;
                for (int j = 0; j < cols; j++) y[o + j] += bias[j];
            }
        });
    }

    /** out (cols) += column sums of g (rows, cols). */
    static void colSumAcc(float[] g, int rows, int cols, float[] out) {
        Reduce.colSum(g, 0, rows, cols, out, 0, true);
    }

    /** Sum of all elements (double accumulation; the same bits for any thread count and JIT tier). */
    static double sum(float[] a, int n) {
        return Reduce.sum(a, 0, n);
    }
}
