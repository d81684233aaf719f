package io.bsth.autograd;

import io.bsth.tensor.kernels.Elementwise;
import io.bsth.tensor.kernels.Reduce;

/**
 * The whole-array forms the ops need, over dense arrays from offset 0: thin adapters to the tensor
 * module's kernels ({@link Elementwise}, {@link Reduce}), which own the SIMD code and its scalar
 * references.
 */
final class Loops {
    private Loops() {}

    static final int GRAIN = Elementwise.GRAIN;

    /** dst[i] += a[i] for i in [0, n). */
    static void addInto(float[] dst, float[] a, int n) {
        Elementwise.add(dst, 0, a, 0, dst, 0, n);
    }

    /** y = a + b. */
    static void add(float[] a, float[] b, float[] y, int n) {
        Elementwise.add(a, 0, b, 0, y, 0, n);
    }

    /** y = a - b. */
    static void sub(float[] a, float[] b, float[] y, int n) {
        Elementwise.sub(a, 0, b, 0, y, 0, n);
    }

    /** y = a * b. */
    static void mul(float[] a, float[] b, float[] y, int n) {
        Elementwise.mul(a, 0, b, 0, y, 0, n);
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
        Elementwise.addRowVector(y, 0, bias, 0, rows, cols);
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
