package io.bsth.tensor.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import io.bsth.tensor.Parallel;
import io.bsth.tensor.Rng;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fused attention kernels against their composed references (whole-batch passes through the
 * batched products, softmax and mask kernels): the same bits, forward and backward, on awkward
 * sizes (one token, lanes +- 1, past the unpacked A B^T limit, head widths that are not whole
 * vectors), both layouts, with and without dropout, one and two threads, backward also written over
 * qkv itself; and the composed reference
 * against a plain double-precision attention.
 */
class AttentionTest {
    final int threadsBefore = Parallel.threads();

    @AfterEach
    void restore() {
        Parallel.setThreads(threadsBefore);
    }

    static float[] random(int n, SplittableRandom r, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return x;
    }

    static final int L = io.bsth.tensor.Simd.floatLanes();

    /** {T, N, E, H}. */
    static final int[][] SHAPES = {
        {1, 3, 16, 1}, {2, 1, 12, 3}, {L - 1, 3, 128, 1}, {L, 5, 128, 1}, {L + 1, 2, 128, 1},
        {32, 3, 128, 1}, {33, 2, 128, 1}, {40, 3, 136, 1}, {64, 2, 128, 2}, {65, 2, 48, 2}, {17, 4, 40, 4},
    };

    @Test
    void fusedForwardAndBackwardHaveTheBitsOfTheComposedPasses() {
        long seed = 1;
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            for (int[] s : SHAPES) {
                for (boolean batchFirst : new boolean[] {false, true}) {
                    for (float p : new float[] {0f, 0.5f, 0.1f}) {
                        compare(s[0], s[1], s[2], s[3], batchFirst, p, seed++);
                    }
                }
            }
        }
    }

    static void compare(int T, int N, int E, int H, boolean batchFirst, float p, long seed) {
        String what = "T=" + T + " N=" + N + " E=" + E + " H=" + H + " batchFirst=" + batchFirst + " p=" + p
                + " threads=" + Parallel.threads();
        SplittableRandom r = new SplittableRandom(seed);
        float[] qkv = random(T * N * 3 * E, r, 2), dOut = random(T * N * E, r, 1), dQkv0 = random(qkv.length, r, 1);
        Rng.Block drop = p > 0 ? new Rng(seed).reserve(N * H * T * T) : null;
        float[] probs = new float[N * H * T * T], out = new float[T * N * E];
        float[] probsRef = new float[probs.length], outRef = new float[out.length];
        Attention.forward(qkv, T, N, E, H, batchFirst, probs, drop, p, out);
        Attention.forwardComposed(qkv, T, N, E, H, batchFirst, probsRef, drop, p, outRef);
        assertArrayEquals(probsRef, probs, "probabilities, " + what);
        assertArrayEquals(outRef, out, "output, " + what);
        float[] dQkv = dQkv0.clone(), dQkvRef = dQkv0.clone();
        Attention.backward(dOut, qkv, T, N, E, H, batchFirst, probs, drop, p, dQkv);
        Attention.backwardComposed(dOut, qkv, T, N, E, H, batchFirst, probsRef, drop, p, dQkvRef);
        assertArrayEquals(dQkvRef, dQkv, "dQkv (accumulated), " + what);
        // over qkv itself: the values accumulating into zeros gives, bit for bit
        float[] zeroed = new float[qkv.length], inPlace = qkv.clone();
        Attention.backward(dOut, qkv, T, N, E, H, batchFirst, probs, drop, p, zeroed);
        Attention.backwardInPlace(dOut, inPlace, T, N, E, H, batchFirst, probs, drop, p);
        assertArrayEquals(zeroed, inPlace, "dQkv written over qkv, " + what);
        checkAgainstDouble(qkv, T, N, E, H, batchFirst, p, drop, out, dOut, dQkv0, dQkv, what);
    }

    /** The plain attention and its gradient in double precision, per sequence and head. */
    static void checkAgainstDouble(float[] qkv, int T, int N, int E, int H, boolean batchFirst, float p, Rng.Block drop,
                                   float[] out, float[] dOut, float[] dQkv0, float[] dQkv, String what) {
        int hd = E / H;
        float[] mask = new float[N * H * T * T];
        if (drop != null) Rng.maskOf(drop, p, 0, mask.length, mask, 0);
        double scale = 1 / Math.sqrt(hd);
        for (int n = 0; n < N; n++) {
            for (int h = 0; h < H; h++) {
                double[][] P = new double[T][T], Pd = new double[T][T];
                int[] row = new int[T];
                for (int t = 0; t < T; t++) row[t] = batchFirst ? n * T + t : t * N + n;
                for (int i = 0; i < T; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < T; j++) {
                        double acc = 0;
                        for (int k = 0; k < hd; k++) acc += (double) qkv[row[i] * 3 * E + h * hd + k] * qkv[row[j] * 3 * E + E + h * hd + k];
                        P[i][j] = acc * scale;
                        max = Math.max(max, P[i][j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < T; j++) sum += P[i][j] = Math.exp(P[i][j] - max);
                    for (int j = 0; j < T; j++) {
                        P[i][j] /= sum;
                        Pd[i][j] = P[i][j] * (drop == null ? 1 : mask[((n * H + h) * T + i) * T + j]);
                    }
                }
                double[][] dS = new double[T][T];
                for (int i = 0; i < T; i++) {
                    for (int c = 0; c < hd; c++) {
                        double o = 0;
                        for (int j = 0; j < T; j++) o += Pd[i][j] * qkv[row[j] * 3 * E + 2 * E + h * hd + c];
                        near(o, out[row[i] * E + h * hd + c], T * 8.0, "out", what);
                    }
                    double dot = 0;
                    double[] dPd = new double[T];
                    for (int j = 0; j < T; j++) {
                        double acc = 0;
                        for (int c = 0; c < hd; c++) acc += (double) dOut[row[i] * E + h * hd + c] * qkv[row[j] * 3 * E + 2 * E + h * hd + c];
                        dPd[j] = acc * (drop == null ? 1 : mask[((n * H + h) * T + i) * T + j]);
                        dot += dPd[j] * P[i][j];
                    }
                    for (int j = 0; j < T; j++) dS[i][j] = P[i][j] * (dPd[j] - dot) * scale;
                }
                for (int t = 0; t < T; t++) {
                    for (int c = 0; c < hd; c++) {
                        double dq = 0, dk = 0, dv = 0;
                        for (int j = 0; j < T; j++) {
                            dq += dS[t][j] * qkv[row[j] * 3 * E + E + h * hd + c];
                            dk += dS[j][t] * qkv[row[j] * 3 * E + h * hd + c];
                            dv += Pd[j][t] * dOut[row[j] * E + h * hd + c];
                        }
                        int b = row[t] * 3 * E + h * hd + c;
                        near(dQkv0[b] + dq, dQkv[b], T * 16.0, "dQ", what);
                        near(dQkv0[b + E] + dk, dQkv[b + E], T * 16.0, "dK", what);
                        near(dQkv0[b + 2 * E] + dv, dQkv[b + 2 * E], T * 16.0, "dV", what);
                    }
                }
            }
        }
    }

    static void near(double expected, float got, double ulps, String name, String what) {
        double tol = ulps * 0x1p-22 * (1 + Math.abs(expected)) * 4;
        if (!(Math.abs(got - expected) <= tol)) fail(name + " = " + got + ", expected " + expected + " +- " + tol + ", " + what);
    }

    @Test
    void maskOfASubRangeIsThatPartOfTheWholeMask() {
        for (float p : new float[] {0.5f, 0.1f, 0f}) {
            int n = 3 * L + 5;
            Rng a = new Rng(99), b = new Rng(99);
            float[] whole = new float[n + 2];
            a.dropoutMask(whole, 2, n, p);
            Rng.Block draws = b.reserve(n);
            assertEquals(a.nextLong(), b.nextLong(), "both generators advanced by n draws");
            for (int[] r : new int[][] {{0, n}, {1, 1}, {L - 1, L + 2}, {5, 2 * L - 1}, {n - 3, 3}, {7, 0}}) {
                float[] part = new float[r[1] + 4];
                Rng.maskOf(draws, p, r[0], r[1], part, 4);
                for (int i = 0; i < r[1]; i++) assertEquals(whole[2 + r[0] + i], part[4 + i], "p=" + p + " draw " + (r[0] + i));
            }
            assertThrows(IndexOutOfBoundsException.class, () -> Rng.maskOf(draws, p, n - 1, 2, new float[2], 0));
        }
    }

    @Test
    void badSizesFailWithAClearMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Attention.forward(new float[10], 2, 1, 4, 1, true, new float[4], null, 0f, new float[8]));
        assertEquals("attention: qkv of 10 or probs of 4 floats is too short for 1 sequences of 2 tokens, width 4, 1 heads", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Attention.forward(new float[24], 2, 1, 4, 3, true, new float[12], null, 0f, new float[8]));
        assertThrows(IllegalArgumentException.class,
                () -> Attention.forward(new float[24], 2, 1, 4, 1, true, new float[4], new Rng(1).reserve(3), 0.5f, new float[8]));
    }
}
