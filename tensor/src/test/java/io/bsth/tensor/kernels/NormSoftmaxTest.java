package io.bsth.tensor.kernels;

import io.bsth.tensor.Rng;
import io.bsth.tensor.Simd;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class NormSoftmaxTest {
    static final int L = Simd.AVAILABLE ? Simd.FLOAT.length() : 16;
    static final int[] WIDTHS = {1, L - 1, L + 1, 2 * L + 3, 33, 128};

    static float[] rand(long seed, int n, float lo, float hi) {
        float[] a = new float[n];
        new Rng(seed).fillUniform(a, 0, n, lo, hi);
        return a;
    }

    @Test
    void softmaxRowsMatchScalarAndDouble() {
        for (int C : WIDTHS) {
            int rows = 7;
            float[] x = rand(C, rows * C, -30f, 30f), y = new float[rows * C], ys = new float[rows * C];
            Softmax.forward(x, y, rows, C);
            for (int r = 0; r < rows; r++) Softmax.rowReference(x, ys, r * C, C);
            for (int r = 0; r < rows; r++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = 0; j < C; j++) max = Math.max(max, x[r * C + j]);
                for (int j = 0; j < C; j++) sum += Math.exp(x[r * C + j] - max);
                for (int j = 0; j < C; j++) {
                    double ref = Math.exp(x[r * C + j] - max) / sum;
                    assertEquals(ref, y[r * C + j], 1e-6 * ref + 1e-12, "C " + C);
                    assertEquals(ys[r * C + j], y[r * C + j], 1e-6 * ref + 1e-12, "C " + C);
                }
            }
            float[] dy = rand(C + 1, rows * C, -1, 1), dx = new float[rows * C], dxs = new float[rows * C];
            Softmax.backward(y, dy, dx, rows, C);
            for (int r = 0; r < rows; r++) Softmax.rowBackwardReference(y, dy, dxs, r * C, C);
            for (int i = 0; i < dx.length; i++) assertEquals(dxs[i], dx[i], 1e-6);
        }
    }

    @Test
    void layerNormMatchesScalarAndDouble() {
        for (int C : WIDTHS) {
            int rows = 9;
            float[] x = rand(C, rows * C, -3f, 5f), w = rand(2, C, 0.5f, 1.5f), b = rand(3, C, -1, 1);
            float[] y = new float[rows * C], ys = new float[rows * C];
            float[] m = new float[rows], rs = new float[rows], m2 = new float[rows], rs2 = new float[rows];
            Norm.layerNormForward(x, w, b, y, m, rs, rows, C, 1e-5f);
            Norm.layerNormForwardReference(x, w, b, ys, m2, rs2, rows, C, 1e-5f);
            for (int r = 0; r < rows; r++) {
                double mean = 0, var = 0;
                for (int j = 0; j < C; j++) mean += x[r * C + j];
                mean /= C;
                for (int j = 0; j < C; j++) var += (x[r * C + j] - mean) * (x[r * C + j] - mean);
                var /= C;
                for (int j = 0; j < C; j++) {
                    double ref = (x[r * C + j] - mean) / Math.sqrt(var + 1e-5) * w[j] + b[j];
                    assertEquals(ref, y[r * C + j], 2e-5 * (1 + Math.abs(ref)), "C " + C);
                    assertEquals(ys[r * C + j], y[r * C + j], 2e-5 * (1 + Math.abs(ref)), "C " + C);
                }
            }
        }
    }

    @Test
    void batchStatsAreExact() {
        int N = 1001, C = 13;
        float[] x = rand(5, N * C, 100f, 101f);
        float[] mean = new float[C], var = new float[C];
        Norm.batchStats(x, N, C, mean, var);
        for (int j = 0; j < C; j++) {
            double m = 0, v = 0;
            for (int r = 0; r < N; r++) m += x[r * C + j];
            m /= N;
            for (int r = 0; r < N; r++) v += (x[r * C + j] - m) * (x[r * C + j] - m);
            assertEquals(m, mean[j], 1e-5);
            assertEquals(v / N, var[j], 1e-6);
        }
    }

    @Test
    void rowHelpersMatchScalar() {
        for (int C : WIDTHS) {
            float[] a = rand(C, C + 5, -1, 1), b = rand(C + 9, C + 5, -1, 1);
            assertEquals(Norm.rowSumReference(a, 5, C), Norm.rowSum(a, 5, C), 1e-5);
            assertEquals(Norm.rowDotReference(a, 5, b, 3, C), Norm.rowDot(a, 5, b, 3, C), 1e-5);
            assertEquals(Norm.rowSqDevReference(a, 2, C, 0.3f), Norm.rowSqDev(a, 2, C, 0.3f), 1e-5);
        }
    }
}
