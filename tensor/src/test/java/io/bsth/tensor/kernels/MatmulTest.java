package io.bsth.tensor.kernels;

import static org.junit.jupiter.api.Assertions.*;

import io.bsth.tensor.Parallel;
import io.bsth.tensor.Simd;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Matmul against a double-precision triple loop. Tolerance per element:
 * {@code |c - ref| <= (K + 2) * 2^-22 * (sum_k |alpha a_ik b_kj| + |beta c0_ij|) + 1e-30}, i.e. the
 * forward-error bound of a float dot product of length K (with slack 2).
 */
class MatmulTest {
    static final int L = Simd.AVAILABLE ? Simd.FLOAT.length() : 16;
    static final float SENTINEL = -12345.5f;
    final int threadsBefore = Parallel.threads();

    final long smallFmas = Matmul.smallFmas, smallFmasTransB = Matmul.smallFmasTransB;
    final int smallRows = Matmul.smallRows;
    final int directRows = Matmul.directRows;
    final boolean directA = Matmul.directA;
    final int inPlaceMaxN = Matmul.inPlaceMaxN;
    final int kSplitDepth = Matmul.kSplitDepth, kSplitMaxC = Matmul.kSplitMaxC;
    final int panelRows = Matmul.panelRows, blockCols = Matmul.blockCols;

    @AfterEach
    void restore() {
        Parallel.setThreads(threadsBefore);
        Matmul.smallFmas = smallFmas;
        Matmul.smallFmasTransB = smallFmasTransB;
        Matmul.smallRows = smallRows;
        Matmul.directRows = directRows;
        Matmul.directA = directA;
        Matmul.inPlaceMaxN = inPlaceMaxN;
        Matmul.kSplitDepth = kSplitDepth;
        Matmul.kSplitMaxC = kSplitMaxC;
        Matmul.panelRows = panelRows;
        Matmul.blockCols = blockCols;
    }

    /** Path 0: the default choice; 1: everything packed; 2: everything through the unpacked small kernels. */
    static void forcePath(int path) {
        if (path == 0) return;
        Matmul.smallFmas = Matmul.smallFmasTransB = path == 1 ? 0 : Long.MAX_VALUE;
        Matmul.smallRows = path == 1 ? 0 : Integer.MAX_VALUE;
    }

    static float[] random(int n, SplittableRandom r) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }

    /** One GEMM checked against the double reference; untouched C elements must keep the sentinel. */
    static void check(boolean tA, boolean tB, int M, int N, int K, float alpha, float beta, int pad, int off, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int lda = (tA ? M : K) + pad, ldb = (tB ? K : N) + pad, ldc = N + pad;
        int aRows = tA ? K : M, bRows = tB ? N : K;
        float[] A = random(off + aRows * lda, r), B = random(off + bRows * ldb, r);
        float[] C = new float[off + M * ldc + pad];
        Arrays.fill(C, SENTINEL);
        float[] C0 = random(M * N, r);
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) C[off + i * ldc + j] = beta == 0f ? Float.NaN : C0[i * N + j];
        }
        Matmul.sgemm(tA, tB, M, N, K, alpha, A, off, lda, B, off, ldb, beta, C, off, ldc);
        String what = (tA ? "T" : "N") + (tB ? "T" : "N") + " M=" + M + " N=" + N + " K=" + K + " alpha=" + alpha
                + " beta=" + beta + " pad=" + pad + " off=" + off + " threads=" + Parallel.threads();
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                double acc = 0, mag = 0;
                for (int k = 0; k < K; k++) {
                    double a = tA ? A[off + k * lda + i] : A[off + i * lda + k];
                    double b = tB ? B[off + j * ldb + k] : B[off + k * ldb + j];
                    acc += a * b;
                    mag += Math.abs(a * b);
                }
                double c0 = beta == 0f ? 0 : C0[i * N + j];
                double ref = alpha * acc + beta * c0;
                double tol = (K + 2) * 0x1p-22 * (Math.abs(alpha) * mag + Math.abs(beta * c0)) + 1e-30;
                float got = C[off + i * ldc + j];
                if (!(Math.abs(got - ref) <= tol)) {
                    fail(what + ": C[" + i + "," + j + "] = " + got + ", expected " + ref + " +- " + tol);
                }
            }
        }
        for (int p = 0; p < C.length; p++) {
            int q = p - off;
            boolean inside = q >= 0 && q / ldc < M && q % ldc < N;
            if (!inside) assertEquals(SENTINEL, C[p], what + ": element " + p + " outside C was written");
        }
    }

    static final int[][] SHAPES = {
        {1, 1, 1}, {1, 7, 1}, {1, 1, 9}, {3, 1, 5}, {2, 3, 4},
        {L - 1, L + 1, L}, {L + 1, 2 * L + 1, L - 1}, {11, 33, 17}, {12, 32, 16}, {13, 31, 40},
        {25, 65, 7}, {24, 64, 48}, {37, 70, 129},
    };

    @Test
    void everyTransposeCombinationOnAwkwardShapes() {
        long seed = 1;
        for (int path = 1; path <= 2; path++) {
            forcePath(path);
            for (int threads : new int[] {1, 2}) {
                Parallel.setThreads(threads);
                for (int[] s : SHAPES) {
                    for (int t = 0; t < 4; t++) {
                        boolean tA = (t & 1) != 0, tB = (t & 2) != 0;
                        check(tA, tB, s[0], s[1], s[2], 1f, 0f, 0, 0, seed++);
                        check(tA, tB, s[0], s[1], s[2], 0.5f, 1f, 3, 5, seed++);
                        check(tA, tB, s[0], s[1], s[2], -1.5f, 0.25f, 1, 2, seed++);
                    }
                }
            }
        }
    }

    @Test
    void blockBoundariesInKMAndNWithBothSplits() {
        // K beyond one KC block, M beyond one MC block, N beyond one NC panel; M > N and N > M
        // exercise both ways the threads split the work.
        long seed = 100;
        for (int path = 0; path <= 2; path++) {
            forcePath(path);
            for (int threads : new int[] {1, 2, 3}) {
                Parallel.setThreads(threads);
                for (int t = 0; t < 4; t++) {
                    boolean tA = (t & 1) != 0, tB = (t & 2) != 0;
                    check(tA, tB, 203, 45, 777, 1f, 0f, 2, 3, seed++);
                    check(tA, tB, 30, 1100, 70, 1f, 1f, 0, 1, seed++);
                    check(tA, tB, 400, 9, 33, 2f, -1f, 1, 0, seed++);
                }
            }
        }
    }

    @Test
    void packedProductsWithFewRowsReadBInPlaceOrPackIt() {
        // B read in place by the tiles (few rows, B not transposed) against B packed, on ragged
        // column strips, several k blocks and NC panels, offsets and padding, alpha and beta
        forcePath(1);
        long seed = 400;
        for (int[] s : new int[][] {{1, 33, 5}, {12, 32, 400}, {13, 1100, 777}, {30, 65, 70}, {Matmul.MC, 97, 390}}) {
            for (boolean tA : new boolean[] {false, true}) {
                Matmul.directRows = Matmul.MC;
                check(tA, false, s[0], s[1], s[2], 1f, 0f, 0, 0, seed);
                check(tA, false, s[0], s[1], s[2], -0.5f, 0.75f, 3, 5, seed + 1);
                Matmul.directRows = 0;
                check(tA, false, s[0], s[1], s[2], -0.5f, 0.75f, 3, 5, seed + 1);
                seed += 2;
            }
        }
    }

    @Test
    void packingWritesTheDocumentedLayoutOnRaggedBlocks() {
        // the packed layouts against their definitions, element for element (a copy, so exact):
        // B strips dst[s*kc*NR + k*NR + j] = op(B)[k0+k, j0+s*NR+j] (0 past nc), A strips
        // dst[s*kc*MR + k*MR + i] = alpha * op(A)[i0+s*MR+i, k0+k] (0 past mc)
        int NR = Matmul.NR, MR = Matmul.MR;
        SplittableRandom r = new SplittableRandom(900);
        for (boolean t : new boolean[] {false, true}) {
            for (int nc : new int[] {1, 7, 8, 9, NR - 1, NR, NR + 1, 2 * NR + 8, 3 * NR + 13}) {
                for (int kc : new int[] {1, 5, 17}) {
                    int k0 = 3, j0 = 2, ld = 4 * NR + 5, rows = t ? j0 + nc : k0 + kc;
                    float[] B = random(7 + rows * ld, r);
                    float[] dst = new float[kc * (nc + NR)];
                    Arrays.fill(dst, Float.NaN);
                    MatmulPacking.packB(t, B, 7, ld, k0, kc, j0, nc, dst);
                    for (int j = 0; j < (nc + NR - 1) / NR * NR; j++) {
                        for (int k = 0; k < kc; k++) {
                            float want = j >= nc ? 0f : t ? B[7 + (j0 + j) * ld + k0 + k] : B[7 + (k0 + k) * ld + j0 + j];
                            assertEquals(want, dst[j / NR * kc * NR + k * NR + j % NR], "packB trans=" + t + " nc=" + nc
                                    + " kc=" + kc + " j=" + j + " k=" + k);
                        }
                    }
                }
            }
            for (int mc : new int[] {1, MR - 1, MR, MR + 1, 2 * MR + 5}) {
                for (int kc : new int[] {1, 5, 17}) {
                    int k0 = 2, i0 = 3, ld = 2 * MR + 41, rows = t ? k0 + kc : i0 + mc;
                    float[] A = random(5 + rows * ld, r);
                    float[] dst = new float[kc * (mc + MR)];
                    Arrays.fill(dst, Float.NaN);
                    MatmulPacking.packA(t, A, 5, ld, 0.5f, i0, mc, k0, kc, dst);
                    for (int i = 0; i < (mc + MR - 1) / MR * MR; i++) {
                        for (int k = 0; k < kc; k++) {
                            float want = i >= mc ? 0f : 0.5f * (t ? A[5 + (k0 + k) * ld + i0 + i] : A[5 + (i0 + i) * ld + k0 + k]);
                            assertEquals(want, dst[i / MR * kc * MR + k * MR + i % MR], "packA trans=" + t + " mc=" + mc
                                    + " kc=" + kc + " i=" + i + " k=" + k);
                        }
                    }
                }
            }
        }
    }

    @Test
    void packedProductsReadAInPlaceWithTheBitsOfPackedA() {
        // alpha 1: whole MR-row strips of A read in place (row-major, or transposed along its rows),
        // a ragged last strip packed; against the reference and bit for bit against A packed, with
        // B in place and B packed, several k blocks, MC blocks and NC panels, offsets and padding
        forcePath(1);
        Matmul.inPlaceMaxN = Integer.MAX_VALUE;
        long seed = 500;
        int[][] shapes = {{1, 33, 5}, {11, 32, 7}, {12, 32, 16}, {13, 31, 40}, {Matmul.MR - 1, L + 1, L - 1},
            {Matmul.MR + 1, 2 * L - 1, L + 1}, {37, 70, 129}, {Matmul.MC + 5, 97, 390}, {203, 1100, 45}};
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                boolean tA = (t & 1) != 0, tB = (t & 2) != 0;
                for (int dr : new int[] {Matmul.MC, 0}) {
                    Matmul.directRows = dr;
                    Matmul.directA = true;
                    check(tA, tB, s[0], s[1], s[2], 1f, 0f, 0, 0, seed);
                    check(tA, tB, s[0], s[1], s[2], 1f, 0.75f, 3, 5, seed + 1);
                    int M = s[0], N = s[1], K = s[2], pad = 3, off = 5;
                    int lda = (tA ? M : K) + pad, ldb = (tB ? K : N) + pad, ldc = N + pad;
                    SplittableRandom r = new SplittableRandom(seed + 2);
                    float[] A = random(off + (tA ? K : M) * lda, r), B = random(off + (tB ? N : K) * ldb, r);
                    float[] C0 = random(off + M * ldc, r), inPlace = C0.clone(), packed = C0.clone();
                    Matmul.sgemm(tA, tB, M, N, K, 1f, A, off, lda, B, off, ldb, 1f, inPlace, off, ldc);
                    Matmul.directA = false;
                    Matmul.sgemm(tA, tB, M, N, K, 1f, A, off, lda, B, off, ldb, 1f, packed, off, ldc);
                    assertArrayEquals(packed, inPlace, "A in place vs packed: " + (tA ? "T" : "N") + (tB ? "T" : "N")
                            + " M=" + M + " N=" + N + " K=" + K + " directRows=" + dr);
                    seed += 3;
                }
            }
        }
    }

    @Test
    void packedPanelsMatchTheReferenceOnRaggedShapes() {
        // the packed path with panels of A and blocks of B smaller than the product (ragged last
        // strips, panels and blocks), several KC blocks, both thread splits, all four
        // transpositions, offsets and padding, alpha and beta; A never read in place
        forcePath(1);
        Matmul.inPlaceMaxN = -1;
        Matmul.panelRows = 2 * Matmul.MR;
        Matmul.blockCols = 2 * Matmul.NR;
        long seed = 1000;
        int[][] shapes = {{1, 40, 3}, {13, 33, 7}, {Matmul.MR, Matmul.NR, Matmul.KC}, {37, 101, Matmul.KC + 9},
            {2 * Matmul.MR + 5, 3 * Matmul.NR + 3, 2 * Matmul.KC + 1}, {70, 40, 50}};
        for (int threads : new int[] {1, 2, 3}) {
            Parallel.setThreads(threads);
            for (int[] s : shapes) {
                for (int t = 0; t < 4; t++) {
                    boolean tA = (t & 1) != 0, tB = (t & 2) != 0;
                    check(tA, tB, s[0], s[1], s[2], 1f, 0f, 0, 0, seed++);
                    check(tA, tB, s[0], s[1], s[2], 0.5f, 1f, 3, 5, seed++);
                    check(tA, tB, s[0], s[1], s[2], -1.5f, 0.25f, 1, 2, seed++);
                }
            }
        }
    }

    @Test
    void everyPackedPathAndBlockingGivesTheSameBits() {
        // packed panels (1, 2 and 3 threads; default and smallest panels and blocks) against A read
        // in place and B read in place: the same multiply-adds in the same order, so the same bits
        forcePath(1);
        int[][] shapes = {{37, 101, 2 * Matmul.KC + 9}, {2 * Matmul.MR + 5, 3 * Matmul.NR + 3, 70}, {150, 60, 500}};
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                boolean tA = (t & 1) != 0, tB = (t & 2) != 0;
                int M = s[0], N = s[1], K = s[2], pad = 2, off = 3;
                int lda = (tA ? M : K) + pad, ldb = (tB ? K : N) + pad, ldc = N + pad;
                SplittableRandom r = new SplittableRandom(M * 131L + t);
                float[] A = random(off + (tA ? K : M) * lda, r), B = random(off + (tB ? N : K) * ldb, r), C0 = random(off + M * ldc, r);
                float[] first = null;
                String what = (tA ? "T" : "N") + (tB ? "T" : "N") + " M=" + M + " N=" + N + " K=" + K;
                for (int v = 0; v < 7; v++) {
                    Matmul.inPlaceMaxN = v == 5 ? Integer.MAX_VALUE : -1;
                    Matmul.directRows = v == 6 ? Integer.MAX_VALUE : 0;
                    Matmul.panelRows = v == 3 || v == 4 ? Matmul.MR : panelRows;
                    Matmul.blockCols = v == 3 || v == 4 ? Matmul.NR : blockCols;
                    Parallel.setThreads(v == 0 || v == 3 ? 1 : v == 2 ? 3 : 2);
                    float[] C = C0.clone();
                    Matmul.sgemm(tA, tB, M, N, K, 1f, A, off, lda, B, off, ldb, 1f, C, off, ldc);
                    if (first == null) first = C;
                    else assertArrayEquals(first, C, what + " variant " + v);
                }
            }
        }
    }

    @Test
    void resultsAreBitwiseIndependentOfTheThreadCount() {
        int[][] shapes = {{203, 45, 777}, {30, 1100, 70}, {400, 33, 64}, {12, 3000, 100}, {100, 100, 100}};
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                boolean tA = (t & 1) != 0, tB = (t & 2) != 0;
                int M = s[0], N = s[1], K = s[2];
                SplittableRandom r = new SplittableRandom(M * 31L + t);
                float[] A = random(M * K, r), B = random(K * N, r), C0 = random(M * N, r);
                float[] first = null;
                for (int threads : new int[] {1, 2, 3}) {
                    Parallel.setThreads(threads);
                    float[] C = C0.clone();
                    Matmul.sgemm(tA, tB, M, N, K, 0.5f, A, 0, tA ? M : K, B, 0, tB ? K : N, 1f, C, 0, N);
                    if (first == null) first = C;
                    else assertArrayEquals(first, C, "M=" + M + " N=" + N + " K=" + K + " trans=" + t + " threads=" + threads);
                }
            }
        }
    }

    @Test
    void deepKSplitOverThreadsMatchesTheReference() {
        // parts of K into C and scratches, summed in part order: odd K, K smaller than the thread
        // count, parts shallower than one KC block and deeper, accumulate into a non-zero C
        forcePath(1);
        Matmul.kSplitDepth = 3;
        long seed = 700;
        int[][] shapes = {{5, 7, 6}, {13, 33, 7}, {1, 1, 9}, {12, 32, 25}, {37, 70, 1001}, {Matmul.MC + 5, 40, 999}};
        for (int[] s : shapes) assertTrue(Matmul.kParts(s[0], s[1], s[2]) > 1, "K split expected for " + Arrays.toString(s));
        for (int threads : new int[] {1, 2, 3}) {
            Parallel.setThreads(threads);
            for (int[] s : shapes) {
                for (int t = 0; t < 4; t++) {
                    boolean tA = (t & 1) != 0, tB = (t & 2) != 0;
                    check(tA, tB, s[0], s[1], s[2], 1f, 0f, 0, 0, seed++);
                    check(tA, tB, s[0], s[1], s[2], 0.5f, 1f, 3, 5, seed++);
                    check(tA, tB, s[0], s[1], s[2], -1.5f, 0.25f, 1, 2, seed++);
                }
            }
        }
        // two parts of one element each, three threads
        Matmul.kSplitDepth = 1;
        assertEquals(2, Matmul.kParts(4, 5, 2));
        check(true, false, 4, 5, 2, 1f, 1f, 0, 0, seed++);
        check(false, true, 4, 5, 2, 1f, 0f, 2, 1, seed);
    }

    @Test
    void deepKSplitAtTheDefaultThresholds() {
        // a small C over a K just past two default parts: split, whatever the thread count
        assertEquals(2, Matmul.kParts(40, 50, 2 * Matmul.kSplitDepth + 1));
        assertEquals(1, Matmul.kParts(40, 50, 2 * Matmul.kSplitDepth - 1));
        assertEquals(Matmul.K_SPLIT_MAX_PARTS, Matmul.kParts(128, 128, 65536));
        assertEquals(1, Matmul.kParts(1024, 1024, 65536), "a large C splits its columns, not K");
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            check(true, false, 40, 50, 2 * Matmul.kSplitDepth + 1, 1f, 1f, 1, 3, 800 + threads);
        }
    }

    @Test
    void deepKSplitIsBitwiseIndependentOfTheThreadCountAndTheBatching() {
        Matmul.kSplitDepth = 64;
        int M = 37, N = 45, K = 1001, batch = 3;
        for (int t = 0; t < 4; t++) {
            boolean tA = (t & 1) != 0, tB = (t & 2) != 0;
            SplittableRandom r = new SplittableRandom(900 + t);
            float[] A = random(batch * M * K, r), B = random(batch * K * N, r), C0 = random(batch * M * N, r);
            float[] first = null;
            // 1 thread: in turn; 2: the batch over threads, each matrix split in turn; 4: each matrix
            // split over the threads (batch < threads)
            for (int threads : new int[] {1, 2, 3, 4}) {
                Parallel.setThreads(threads);
                float[] C = C0.clone();
                Matmul.sgemmBatched(batch, tA, tB, M, N, K, 0.5f, A, 0, tA ? M : K, M * K, B, 0, tB ? K : N, K * N,
                        1f, C, 0, N, M * N);
                if (first == null) first = C;
                else assertArrayEquals(first, C, "trans=" + t + " threads=" + threads);
            }
            Parallel.setThreads(2);
            float[] C = C0.clone();
            for (int b = 0; b < batch; b++) {
                Matmul.sgemm(tA, tB, M, N, K, 0.5f, A, b * M * K, tA ? M : K, B, b * K * N, tB ? K : N, 1f, C, b * M * N, N);
            }
            assertArrayEquals(first, C, "batched against one call per matrix, trans=" + t);
        }
    }

    @Test
    void degenerateSizes() {
        float[] C = {1f, 2f, 3f, 4f};
        Matmul.sgemm(false, false, 2, 2, 0, 1f, new float[0], 0, 1, new float[0], 0, 2, 0.5f, C, 0, 2);
        assertArrayEquals(new float[] {0.5f, 1f, 1.5f, 2f}, C, "K=0 scales C by beta");
        Matmul.sgemm(false, false, 2, 2, 0, 1f, new float[0], 0, 1, new float[0], 0, 2, 0f, C, 0, 2);
        assertArrayEquals(new float[4], C, "K=0 with beta=0 zeroes C");
        float[] D = {7f};
        Matmul.sgemm(false, false, 0, 1, 3, 1f, new float[0], 0, 3, new float[3], 0, 1, 0f, D, 0, 1);
        assertArrayEquals(new float[] {7f}, D, "M=0 touches nothing");
        check(false, false, 4, 5, 6, 0f, 0.5f, 0, 0, 7);
    }

    @Test
    void badArgumentsFailWithAClearMessage() {
        float[] x = new float[12];
        var e = assertThrows(IllegalArgumentException.class,
                () -> Matmul.sgemm(false, false, 3, 4, 3, 1f, x, 0, 2, x, 0, 4, 0f, x, 0, 4));
        assertTrue(e.getMessage().contains("lda=2"), e.getMessage());
        var o = assertThrows(IndexOutOfBoundsException.class,
                () -> Matmul.sgemm(false, false, 3, 4, 3, 1f, x, 0, 3, x, 1, 4, 0f, x, 0, 4));
        assertTrue(o.getMessage().contains("B"), o.getMessage());
    }

    @Test
    void batchedMatchesPerMatrixReferenceWithSharedOperand() {
        long seed = 500;
        for (int path = 1; path <= 2; path++) {
            forcePath(path);
            for (int threads : new int[] {1, 2}) {
                Parallel.setThreads(threads);
                for (int t = 0; t < 4; t++) {
                    boolean tA = (t & 1) != 0, tB = (t & 2) != 0;
                    for (int[] s : new int[][] {{16, 16, 16}, {17, 33, 5}, {64, 48, 31}}) {
                        for (int batch : new int[] {1, 3, 9}) {
                            checkBatched(batch, tA, tB, s[0], s[1], s[2], false, seed++);
                            checkBatched(batch, tA, tB, s[0], s[1], s[2], true, seed++);
                        }
                    }
                }
            }
        }
    }

    static void checkBatched(int batch, boolean tA, boolean tB, int M, int N, int K, boolean shareB, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int off = 3, lda = (tA ? M : K) + 1, ldb = tB ? K : N, ldc = N + 2;
        int aSize = (tA ? K : M) * lda, bSize = (tB ? N : K) * ldb, cSize = M * ldc;
        float[] A = random(off + batch * aSize, r), B = random(off + batch * bSize, r);
        float[] C = random(off + batch * cSize, r), want = C.clone();
        float alpha = 0.75f, beta = 0.5f;
        long strideB = shareB ? 0 : bSize;
        Matmul.sgemmBatched(batch, tA, tB, M, N, K, alpha, A, off, lda, aSize, B, off, ldb, strideB, beta, C, off, ldc, cSize);
        for (int b = 0; b < batch; b++) {
            Matmul.sgemmReference(tA, tB, M, N, K, alpha, A, off + b * aSize, lda, B, (int) (off + b * strideB), ldb,
                    beta, want, off + b * cSize, ldc);
        }
        for (int p = 0; p < C.length; p++) {
            assertEquals(want[p], C[p], 2e-5f * K, "batched " + batch + " " + (tA ? "T" : "N") + (tB ? "T" : "N")
                    + " M=" + M + " N=" + N + " K=" + K + " shareB=" + shareB + " element " + p);
        }
    }

    @Test
    void scalarReferenceAgreesWithDoubleLoop() {
        SplittableRandom r = new SplittableRandom(9);
        int M = 5, N = 7, K = 9;
        float[] A = random(M * K, r), B = random(N * K, r), C = new float[M * N];
        Matmul.sgemmReference(false, true, M, N, K, 1f, A, 0, K, B, 0, K, 0f, C, 0, N);
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                double acc = 0;
                for (int k = 0; k < K; k++) acc += (double) A[i * K + k] * B[j * K + k];
                assertEquals(acc, C[i * N + j], 1e-5);
            }
        }
    }
}
