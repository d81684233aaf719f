package io.bsth.autograd;

import io.bsth.tensor.Parallel;

/**
 * Small whole-array loops the ops need (element-wise arithmetic, row broadcasts, column sums), split
 * over {@link Parallel} in chunks of rows or elements, never per element. Plain Java loops that C2
 * auto-vectorises; the tensor module's kernels take over where one exists.
 */
final class Loops {
    private Loops() {}

    static final int GRAIN = 1 << 14;

    /** dst[i] += a[i] for i in [0, n). */
    static void addInto(float[] dst, float[] a, int n) {
        Parallel.forRange(n, GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) dst[i] += a[i];
        });
    }

    /** dst[i] += alpha * a[i]. */
    static void axpy(float alpha, float[] a, float[] dst, int n) {
        Parallel.forRange(n, GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) dst[i] += alpha * a[i];
        });
    }

    /** dst[i] += a[i] * b[i]. */
    static void mulAcc(float[] a, float[] b, float[] dst, int n) {
        Parallel.forRange(n, GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) dst[i] += a[i] * b[i];
        });
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

    /** out (cols) += column sums of g (rows, cols); per-chunk partials, summed in chunk order. */
    static void colSumAcc(float[] g, int rows, int cols, float[] out) {
        int chunks = Math.max(1, Math.min(Parallel.threads(), rows / Math.max(1, GRAIN / Math.max(1, cols))));
        float[][] part = new float[chunks][cols];
        Parallel.forEach(chunks, c -> {
            int s = (int) ((long) rows * c / chunks), e = (int) ((long) rows * (c + 1) / chunks);
            float[] p = part[c];
            for (int r = s; r < e; r++) {
                int o = r * cols;
                for (int j = 0; j < cols; j++) p[j] += g[o + j];
            }
        });
        for (float[] p : part) for (int j = 0; j < cols; j++) out[j] += p[j];
    }

    /** Sum of all elements in double. */
    static double sum(float[] a, int n) {
        int chunks = Math.max(1, Math.min(Parallel.threads(), n / GRAIN));
        double[] part = new double[chunks];
        Parallel.forEach(chunks, c -> {
            int s = (int) ((long) n * c / chunks), e = (int) ((long) n * (c + 1) / chunks);
            double acc = 0;
            for (int i = s; i < e; i++) acc += a[i];
            part[c] = acc;
        });
        double t = 0;
        for (double p : part) t += p;
        return t;
    }
}
