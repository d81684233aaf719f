package io.bsth.tensor.kernels;

import io.bsth.tensor.Parallel;
import io.bsth.tensor.Simd;
import io.bsth.tensor.kernels.MatmulPacking.Workspace;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision GEMM on row-major storage, BLAS conventions:
 * {@code C (M,N) = alpha * op(A) (M,K) @ op(B) (K,N) + beta * C}.
 *
 * <p>{@code op(A)} is A stored (M,K) with leading dimension lda, or, when {@code transA}, A stored
 * (K,M) read transposed (no copy); likewise for B. {@code beta == 0} overwrites C (NaN in C is not
 * propagated), as BLAS does.
 *
 * <p>The fast path is the Goto/BLIS scheme: for each KC block of k, A (not transposed) is packed in
 * panels of up to panelRows rows into MR-tall strips (alpha folded in, transposition resolved while packing),
 * op(B) in blocks of blockCols columns into NR-wide strips, and a register-tiled MR x NR Vector API
 * micro-kernel (MR x 2 accumulators, A broadcast, B loaded) updates each C tile once per KC block;
 * each strip of A runs along a whole block of B (strip in L1, block in L2). Products of at most MC
 * rows with B not transposed (the weight gradients of narrow layers) leave B in place: its whole
 * strips are read by the tiles with B's row stride (A per MC x KC block), since each packed element
 * would serve only a few rows; products at most {@link #inPlaceMaxN} columns wide with alpha 1 read
 * A in place, and a transposed A is packed per MC x KC block (B per KC x NC panel in both). Threads split the larger of M and N (in whole tiles), each with
 * its own packing buffers (thread-local, reused: no allocation per call in steady state). A small C
 * over a deep K (weight gradients, K = batch x tokens) is split over K instead, into a number of
 * parts fixed by the shape, whose partial products are summed into C in part order.
 * Small products (the attention shapes) skip packing and run unpacked 8 x 2L kernels straight from A
 * and B. Batched calls parallelise over the batch (whole matrices per task). Every C element is
 * computed by one thread in a fixed order (on the packed paths the same multiply-adds in k order,
 * from C or zero, whatever the blocking), so results do not depend on the thread count's split.
 * Block sizes can be tuned with {@code -Dbsth.gemm.kc/mc/nc/panelrows/blockcols}.
 * {@link #sgemmReference} is the reference.
 *
 * <p>This file is the API and the driver (argument checks, thread split, path choice, the blocked
 * and unpacked loops); {@link MatmulPacking} packs the operands and {@link MatmulKernels} holds the
 * register-tile micro-kernels (and says why they are written out by hand).
 */
public final class Matmul {
    static final VectorSpecies<Float> S = Simd.FLOAT;
    /** Lanes per vector. */
    static final int L = Simd.floatLanes();
    /** Micro-tile width: two vectors. */
    static final int NR = 2 * L;
    /** Micro-tile height (rows of A broadcast per k step). */
    static final int MR = 12;
    /** K per packed block (C is updated once per block). */
    static final int KC = Integer.getInteger("bsth.gemm.kc", 384);
    /** Rows of A per packed block (a multiple of MR). */
    static final int MC = Math.max(MR, Integer.getInteger("bsth.gemm.mc", 192) / MR * MR);
    /** Columns of B per packed panel (a multiple of NR). */
    static final int NC = Math.max(NR, Integer.getInteger("bsth.gemm.nc", 1024) / NR * NR);
    /**
     * Products of at most this many multiply-adds (or with at most {@link #smallRows} rows) skip
     * packing: the unpacked 8-row kernels read A and B in place, since for small matrices packing
     * costs as much as the arithmetic. With transB the small path first transposes B, so its limit
     * is lower ({@link #smallFmasTransB}). Measured crossovers on the attention shapes; package-private
     * and mutable only so tests can force either path.
     */
    static long smallFmas = 1L << 21, smallFmasTransB = 1L << 17;
    static int smallRows = 16;
    /**
     * Packed products of at most this many rows (and B not transposed) read B in place instead of
     * packing it; package-private and mutable only so tests can force either way.
     */
    static int directRows = MC;
    /**
     * Whether packed products with alpha 1 read whole MR-row strips of A in place instead of packing
     * them (same multiply-adds, same bits); package-private and mutable only so tests can force
     * either way.
     */
    static boolean directA = true;
    /**
     * A is read in place only for products at most this many columns wide (per thread): there each
     * packed element of A would serve few columns, so packing costs a large share. On wider products
     * packing wins: the in-place tiles read 12 rows of A whose addresses (lda apart, often a multiple
     * of 4 KB) fall into the same cache sets, and the row-wise tile needs 12 row indices in
     * registers. Package-private and mutable only so tests can force either way.
     */
    static int inPlaceMaxN = 128;
    /**
     * The packed path ({@link #packedPanels}): rows of op(A) per packed panel (a multiple of MR;
     * the panel, panelRows x KC, lives in L3) and columns of op(B) per packed block (a multiple of NR;
     * the block, KC x blockCols, stays in L2 while every strip of the panel runs over it).
     * Package-private and mutable only so tests can force small blocks.
     */
    static int panelRows = Math.max(MR, Integer.getInteger("bsth.gemm.panelrows", 1536) / MR * MR),
            blockCols = Math.max(NR, Integer.getInteger("bsth.gemm.blockcols", 384) / NR * NR);
    /**
     * K split ({@link #kParts}): a part is at least {@code kSplitDepth} deep, C at most
     * {@code kSplitMaxC} elements; package-private and mutable only so tests can force splits.
     */
    static int kSplitDepth = 4096, kSplitMaxC = 1 << 17;
    /** At most this many parts of K (the scratch is (parts - 1) x M x N). */
    static final int K_SPLIT_MAX_PARTS = 8;
    /** Largest B (elements) the small path transposes into scratch for transB. */
    private static final int SMALL_TRANSPOSE_MAX = 1 << 18;
    /** Below this many multiply-adds a call runs on one thread (hand-off would cost more). */
    private static final long PARALLEL_MIN_FMAS = 1L << 18;

    private Matmul() {}

    /** A (M,K)|(K,M), B (K,N)|(N,K), C (M,N). */
    public static void sgemm(boolean transA, boolean transB, int M, int N, int K, float alpha,
                             float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                             float beta, float[] C, int cOff, int ldc) {
        checkArgs(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc);
        if (M == 0 || N == 0) return;
        if (!Simd.ENABLED) {
            sgemmReference(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
            return;
        }
        if (K == 0 || alpha == 0f) {
            scaleC(M, N, beta, C, cOff, ldc);
            return;
        }
        int threads = Parallel.threads();
        long fmas = (long) M * N * K;
        boolean small = isSmall(transB, M, N, K);
        int kparts = small ? 1 : kParts(M, N, K);
        if (kparts > 1) {
            splitK(kparts, threads > 1 && fmas >= PARALLEL_MIN_FMAS, transA, transB, M, N, K, alpha, A, aOff, lda,
                    B, bOff, ldb, beta, C, cOff, ldc);
            return;
        }
        if (threads == 1 || fmas < PARALLEL_MIN_FMAS) {
            compute(small, transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc, MatmulPacking.WORKSPACE.get());
            return;
        }
        if (N >= M) {
            int tiles = (N + NR - 1) / NR;
            int parts = Math.min(threads, tiles);
            Parallel.forEach(parts, p -> {
                int j0 = (int) ((long) tiles * p / parts) * NR, j1 = Math.min(N, (int) ((long) tiles * (p + 1) / parts) * NR);
                if (j1 > j0) {
                    compute(small, transA, transB, M, j1 - j0, K, alpha, A, aOff, lda,
                            B, bOff + (transB ? j0 * ldb : j0), ldb, beta, C, cOff + j0, ldc, MatmulPacking.WORKSPACE.get());
                }
            });
        } else {
            int tiles = (M + MR - 1) / MR;
            int parts = Math.min(threads, tiles);
            Parallel.forEach(parts, p -> {
                int i0 = (int) ((long) tiles * p / parts) * MR, i1 = Math.min(M, (int) ((long) tiles * (p + 1) / parts) * MR);
                if (i1 > i0) {
                    compute(small, transA, transB, i1 - i0, N, K, alpha, A, aOff + (transA ? i0 : i0 * lda), lda,
                            B, bOff, ldb, beta, C, cOff + i0 * ldc, ldc, MatmulPacking.WORKSPACE.get());
                }
            });
        }
    }

    /**
     * {@code batch} independent GEMMs; matrix b of each operand starts at {@code off + b * stride}
     * (a stride of 0 reuses one matrix for every b). A (batch,M,K), B (batch,K,N), C (batch,M,N) in
     * the same conventions as {@link #sgemm}.
     */
    public static void sgemmBatched(int batch, boolean transA, boolean transB, int M, int N, int K, float alpha,
                                    float[] A, int aOff, int lda, long strideA,
                                    float[] B, int bOff, int ldb, long strideB,
                                    float beta, float[] C, int cOff, int ldc, long strideC) {
        if (batch < 0) throw new IllegalArgumentException("sgemmBatched: negative batch " + batch);
        if (batch == 0 || M == 0 || N == 0) return;
        if (batch > 1) {
            long lastA = aOff + (batch - 1) * strideA, lastB = bOff + (batch - 1) * strideB, lastC = cOff + (batch - 1) * strideC;
            if (aOff < 0 || lastA < 0 || lastA > Integer.MAX_VALUE || bOff < 0 || lastB < 0 || lastB > Integer.MAX_VALUE
                    || cOff < 0 || lastC < 0 || lastC > Integer.MAX_VALUE) {
                throw new IndexOutOfBoundsException("sgemmBatched: batch strides reach outside int offsets");
            }
            checkArgs(transA, transB, M, N, K, A, (int) lastA, lda, B, (int) lastB, ldb, C, (int) lastC, ldc);
        }
        checkArgs(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc);
        long fmas = (long) M * N * K;
        int threads = Parallel.threads();
        if (!Simd.ENABLED || batch == 1 || threads == 1 || batch < threads && fmas >= PARALLEL_MIN_FMAS) {
            for (int b = 0; b < batch; b++) {
                sgemm(transA, transB, M, N, K, alpha, A, (int) (aOff + b * strideA), lda,
                        B, (int) (bOff + b * strideB), ldb, beta, C, (int) (cOff + b * strideC), ldc);
            }
            return;
        }
        // whole matrices per task; enough tasks for balance, few enough to keep the hand-off cheap
        int grain = (int) Math.max(1, Math.min(batch / threads, (1L << 20) / Math.max(1, fmas)));
        int tasks = (batch + grain - 1) / grain;
        Parallel.forEach(tasks, t -> {
            int b1 = Math.min(batch, (t + 1) * grain);
            for (int b = t * grain; b < b1; b++) {
                single(transA, transB, M, N, K, alpha, A, (int) (aOff + b * strideA), lda,
                        B, (int) (bOff + b * strideB), ldb, beta, C, (int) (cOff + b * strideC), ldc);
            }
        });
    }

    /** One GEMM on the calling thread (inside a parallel task; arguments already checked). */
    static void single(boolean transA, boolean transB, int M, int N, int K, float alpha,
                               float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                               float beta, float[] C, int cOff, int ldc) {
        boolean small = isSmall(transB, M, N, K);
        int parts = small ? 1 : kParts(M, N, K);
        if (K == 0 || alpha == 0f) {
            scaleC(M, N, beta, C, cOff, ldc);
        } else if (parts > 1) {
            splitK(parts, false, transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
        } else {
            compute(small, transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc,
                    MatmulPacking.WORKSPACE.get());
        }
    }

    // ---- driver: path choice, unpacked and blocked loops ----------------------------------------

    /**
     * Whether a whole product takes the unpacked path. Decided once per product, before any split
     * over threads, so the arithmetic of every C element does not depend on the thread count.
     */
    static boolean isSmall(boolean transB, int M, int N, int K) {
        long fmas = (long) M * N * K;
        return transB ? (M <= smallRows || fmas <= smallFmasTransB) && (long) K * N <= SMALL_TRANSPOSE_MAX
                : M <= smallRows || fmas <= smallFmas;
    }

    /**
     * Into how many parts of K a packed product is split: more than one only for a small C over a
     * deep K (the weight gradients dY^T X of narrow layers, K = batch x tokens), where splitting the
     * columns of C would have every thread pack all of op(A) for a few tiles each. A function of the
     * shape only, never of the thread count, so results do not depend on the thread count.
     */
    static int kParts(int M, int N, int K) {
        if ((long) M * N > kSplitMaxC || K < 2L * kSplitDepth) return 1;
        return Math.min(K_SPLIT_MAX_PARTS, K / kSplitDepth);
    }

    /**
     * C (M,N) = alpha * op(A) op(B) + beta * C with K split into {@code parts} contiguous ranges:
     * part 0 goes into C (with beta), part p > 0 into its own (M,N) scratch, the parts run over the
     * threads (or in turn), then each C element adds the scratches in part order. Which thread
     * computes a part does not change its bits, so the result is fixed by the shape alone.
     */
    private static void splitK(int parts, boolean parallel, boolean transA, boolean transB, int M, int N, int K,
                               float alpha, float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                               float beta, float[] C, int cOff, int ldc) {
        int mn = M * N;
        float[] partial = MatmulPacking.WORKSPACE.get().partials((parts - 1) * mn);
        Parallel.Task part = p -> {
            int k0 = (int) ((long) K * p / parts), k1 = (int) ((long) K * (p + 1) / parts);
            int ao = aOff + (transA ? k0 * lda : k0), bo = bOff + (transB ? k0 : k0 * ldb);
            Workspace w = MatmulPacking.WORKSPACE.get();
            if (p == 0) blocked(transA, transB, M, N, k1 - k0, alpha, A, ao, lda, B, bo, ldb, beta, C, cOff, ldc, w);
            else blocked(transA, transB, M, N, k1 - k0, alpha, A, ao, lda, B, bo, ldb, 0f, partial, (p - 1) * mn, N, w);
        };
        if (parallel) {
            Parallel.forEach(parts, part);
        } else {
            for (int p = 0; p < parts; p++) part.run(p);
        }
        for (int i = 0; i < M; i++) {
            int c = cOff + i * ldc;
            for (int p = 1; p < parts; p++) {
                int s = (p - 1) * mn + i * N;
                for (int j = 0; j < N; j++) C[c + j] += partial[s + j];
            }
        }
    }

    /** One (sub-)product on the calling thread (K > 0, alpha != 0) on the chosen path. */
    private static void compute(boolean small, boolean transA, boolean transB, int M, int N, int K, float alpha,
                                float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                                float beta, float[] C, int cOff, int ldc, Workspace w) {
        if (small) small(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc, w);
        else blocked(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc, w);
    }

    /**
     * The unpacked product: NT as 4 x 4 dot-product tiles; otherwise 8 x 2L tiles straight from A and
     * B (for TT, B^T first transposed into scratch).
     */
    private static void small(boolean transA, boolean transB, int M, int N, int K, float alpha,
                              float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                              float beta, float[] C, int cOff, int ldc, Workspace w) {
        if (transB && !transA && L == 16) {
            // A B^T: both operands dense along k, so 4 x 4 dot products with vectors along k beat
            // transposing B (measured 2x at 16x128x16, even at 32x128x32)
            for (int i = 0; i < M; i += 4) {
                int mr = Math.min(4, M - i);
                for (int j = 0; j < N; j += 4) {
                    MatmulKernels.smallNT4x4(mr, Math.min(4, N - j), K, alpha, A, aOff + i * lda, lda, B, bOff + j * ldb, ldb,
                            beta, C, cOff + i * ldc + j, ldc);
                }
            }
            return;
        }
        int ars = transA ? 1 : lda, acs = transA ? lda : 1;
        float[] b = B;
        int bo = bOff, lb = ldb;
        if (transB) {
            b = w.bt(K * N);
            for (int j = 0; j < N; j++) {
                int src = bOff + j * ldb;
                for (int k = 0; k < K; k++) b[k * N + j] = B[src + k];
            }
            bo = 0;
            lb = N;
        }
        for (int j = 0; j < N; j += NR) {
            int nr = Math.min(NR, N - j);
            if (nr == NR || nr == L) {
                for (int i = 0; i < M; i += 8) {
                    int mr = Math.min(8, M - i), ai = aOff + i * ars, ci = cOff + i * ldc + j;
                    if (nr == NR) MatmulKernels.small8x2(mr, K, alpha, A, ai, ars, acs, b, bo + j, lb, beta, C, ci, ldc);
                    else MatmulKernels.small8x1(mr, K, alpha, A, ai, ars, acs, b, bo + j, lb, beta, C, ci, ldc);
                }
            } else {
                // ragged last strip: B columns copied zero-padded to NR, tiles computed into scratch
                float[] strip = w.strip(K * NR);
                for (int k = 0; k < K; k++) {
                    int d = k * NR, src = bo + k * lb + j;
                    for (int q = 0; q < nr; q++) strip[d + q] = b[src + q];
                    for (int q = nr; q < NR; q++) strip[d + q] = 0f;
                }
                for (int i = 0; i < M; i += 8) {
                    int mr = Math.min(8, M - i);
                    MatmulKernels.small8x2(mr, K, 1f, A, aOff + i * ars, ars, acs, strip, 0, NR, 0f, w.tile, 0, NR);
                    int ci = cOff + i * ldc + j;
                    for (int r = 0; r < mr; r++) {
                        for (int q = 0; q < nr; q++) {
                            float v = alpha * w.tile[r * NR + q];
                            C[ci + r * ldc + q] = beta == 0f ? v : v + beta * C[ci + r * ldc + q];
                        }
                    }
                }
            }
        }
    }

    /** The packed, blocked product on the calling thread (K > 0, alpha != 0). */
    private static void blocked(boolean transA, boolean transB, int M, int N, int K, float alpha,
                                float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                                float beta, float[] C, int cOff, int ldc, Workspace w) {
        if (beta != 0f && beta != 1f) scaleC(M, N, beta, C, cOff, ldc);
        int kBlocks = (K + KC - 1) / KC;
        int kcStep = (K + kBlocks - 1) / kBlocks;
        if (packedPanels(transA, transB, M, N, alpha)) {
            for (int pc = 0; pc < K; pc += kcStep) {
                int kc = Math.min(kcStep, K - pc);
                for (int ic = 0; ic < M; ic += panelRows) {
                    int mc = Math.min(panelRows, M - ic);
                    float[] ap = w.panel((mc + MR - 1) / MR * MR * kc);
                    MatmulPacking.packA(transA, A, aOff, lda, alpha, ic, mc, pc, kc, ap, 0);
                    panel(transB, mc, N, kc, ap, 0, B, bOff, ldb, pc, C, cOff + ic * ldc, ldc, pc > 0 || beta != 0f, w);
                }
            }
            return;
        }
        // few rows: each packed element of B would serve at most MC rows, so the tiles read B's
        // whole-NR strips in place (rows of B one ldb apart) and only A is packed
        boolean direct = !transB && M <= directRows;
        // alpha 1 and few columns: the tiles read whole MR-row strips of A in place (packing would
        // only copy them); a ragged last strip is still packed
        boolean inPlaceA = alpha == 1f && directA && N <= inPlaceMaxN;
        for (int jc = 0; jc < N; jc += NC) {
            int nc = Math.min(NC, N - jc);
            for (int pc = 0; pc < K; pc += kcStep) {
                int kc = Math.min(kcStep, K - pc);
                boolean accumulate = pc > 0 || beta != 0f;
                if (direct) {
                    packOrPlace(inPlaceA, transA, A, aOff, lda, alpha, 0, M, pc, kc, w);
                    directMacro(M, nc, kc, w, B, bOff + pc * ldb + jc, ldb, C, cOff + jc, ldc, accumulate);
                    continue;
                }
                MatmulPacking.packB(transB, B, bOff, ldb, pc, kc, jc, nc, w.b);
                for (int ic = 0; ic < M; ic += MC) {
                    int mc = Math.min(MC, M - ic);
                    packOrPlace(inPlaceA, transA, A, aOff, lda, alpha, ic, mc, pc, kc, w);
                    macro(mc, nc, kc, w, C, cOff + ic * ldc + jc, ldc, accumulate);
                }
            }
        }
        w.src = null;
    }

    /**
     * Sets where the tiles of one block of op(A) (rows [i0, i0+mc), k [k0, k0+kc)) read it
     * ({@link Workspace#inPlace} and the fields after it): packed strips in w.a, or, when {@code inPlace},
     * A itself from op(A)[i0, k0], with only a ragged last strip packed, at the start of w.a.
     */
    private static void packOrPlace(boolean inPlace, boolean transA, float[] a, int aOff, int lda, float alpha,
                                    int i0, int mc, int k0, int kc, Workspace w) {
        w.inPlace = inPlace;
        if (!inPlace) {
            MatmulPacking.packA(transA, a, aOff, lda, alpha, i0, mc, k0, kc, w.a);
            return;
        }
        int full = mc / MR * MR;
        if (full < mc) MatmulPacking.packA(transA, a, aOff, lda, alpha, i0 + full, mc - full, k0, kc, w.a);
        w.src = a;
        w.at = transA ? aOff + k0 * lda + i0 : aOff + i0 * lda + k0;
        w.rowStep = transA ? 1 : lda;
        w.kStep = transA ? lda : 1;
    }

    /**
     * One MR x NR tile: C[ci.., mr x nr] (+)= rows [ir, ir+mr) of the A block times the B strip (bp
     * from bi, ldb between k). Full tiles write C directly, ragged ones go through w.tile.
     */
    private static void tile(int kc, Workspace w, int ir, int mr, float[] bp, int bi, int ldb, int nr,
                             float[] C, int ci, int ldc, boolean accumulate) {
        boolean full = mr == MR && nr == NR;
        float[] c = full ? C : w.tile;
        int co = full ? ci : 0, ld = full ? ldc : NR;
        boolean acc = full && accumulate;
        if (!w.inPlace) {
            MatmulKernels.kernel12(kc, w.a, ir * kc, MR, bp, bi, ldb, c, co, ld, acc);
        } else if (mr < MR) {
            MatmulKernels.kernel12(kc, w.a, 0, MR, bp, bi, ldb, c, co, ld, acc);
        } else if (w.rowStep == 1) {
            MatmulKernels.kernel12(kc, w.src, w.at + ir, w.kStep, bp, bi, ldb, c, co, ld, acc);
        } else {
            MatmulKernels.kernel12Rows(kc, w.src, w.at + ir * w.rowStep, w.rowStep, bp, bi, ldb, c, co, ld, acc);
        }
        if (!full) mergeTile(w.tile, mr, nr, C, ci, ldc, accumulate);
    }

    /**
     * C block (mc, nc) (+)= the A block (as {@link #packOrPlace} set it) times B read in place (row k of the block at
     * b + k*ldb), tile by tile; a ragged last strip of B is packed first (zero-padded).
     */
    private static void directMacro(int mc, int nc, int kc, Workspace w, float[] B, int b, int ldb,
                                    float[] C, int cOff, int ldc, boolean accumulate) {
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            float[] bp = B;
            int bi = b + jr, step = ldb;
            if (nr < NR) {
                MatmulPacking.packB(false, B, b + jr, ldb, 0, kc, 0, nr, w.b);
                bp = w.b;
                bi = 0;
                step = NR;
            }
            for (int ir = 0; ir < mc; ir += MR) {
                tile(kc, w, ir, Math.min(MR, mc - ir), bp, bi, step, nr, C, cOff + ir * ldc + jr, ldc, accumulate);
            }
        }
    }

    /** C block (mc, nc) (+)= the A block times the packed B panel, tile by tile. */
    private static void macro(int mc, int nc, int kc, Workspace w, float[] C, int cOff, int ldc, boolean accumulate) {
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            for (int ir = 0; ir < mc; ir += MR) {
                tile(kc, w, ir, Math.min(MR, mc - ir), w.b, jr * kc, NR, nr, C, cOff + ir * ldc + jr, ldc, accumulate);
            }
        }
    }

    /**
     * Whether a (per-thread) product of M rows and N columns takes the packed path: op(A) packed in
     * panels, op(B) in blocks. Otherwise B is read in place (at most directRows rows, B not
     * transposed), or A is ({@link #inPlaceMaxN}), or, for a transposed A (where the panels measured
     * no faster: 1024x4096x2048 TN 282 against 309 GFLOP/s), A is packed per MC x KC block and B per
     * KC x NC panel, each B strip running over the block's A strips. Every path does the same multiply-adds in the same
     * order, so the choice never changes the bits.
     */
    static boolean packedPanels(boolean transA, boolean transB, int M, int N, float alpha) {
        return !transA && (transB || M > directRows) && !(alpha == 1f && directA && N <= inPlaceMaxN);
    }

    /**
     * C block (mc, n) (+)= a packed panel of op(A) (mc rows in MR-row strips at ap[apOff], one KC block
     * of k starting at pc) times op(B)[pc.., 0..n), packed blockCols columns at a time. For each block
     * of B, each strip of A (12 x kc, small enough to stay in L1 beside the streamed B) runs along the
     * whole block (kept in L2), so the tiles walk 12 rows of C left to right and every strip reads the
     * block from L2. (The blocked order before, each B strip over a block of A strips, kept a 48 KB B
     * strip meant for L1 and was 3-5% slower.)
     */
    private static void panel(boolean transB, int mc, int n, int kc, float[] ap, int apOff, float[] B, int bOff, int ldb, int pc,
                              float[] C, int cOff, int ldc, boolean accumulate, Workspace w) {
        for (int jc = 0; jc < n; jc += blockCols) {
            int nc = Math.min(blockCols, n - jc);
            MatmulPacking.packB(transB, B, bOff, ldb, pc, kc, jc, nc, w.b);
            for (int ir = 0; ir < mc; ir += MR) {
                int mr = Math.min(MR, mc - ir), ai = apOff + ir * kc;
                for (int jr = 0; jr < nc; jr += NR) {
                    int nr = Math.min(NR, nc - jr);
                    int ci = cOff + ir * ldc + jc + jr;
                    if (mr == MR && nr == NR) {
                        MatmulKernels.kernel12(kc, ap, ai, MR, w.b, jr * kc, NR, C, ci, ldc, accumulate);
                    } else {
                        MatmulKernels.kernel12(kc, ap, ai, MR, w.b, jr * kc, NR, w.tile, 0, NR, false);
                        mergeTile(w.tile, mr, nr, C, ci, ldc, accumulate);
                    }
                }
            }
        }
    }

    /** Writes (or adds) the valid (mr, nr) corner of a full scratch tile (ld NR) into C. */
    private static void mergeTile(float[] tile, int mr, int nr, float[] C, int ci, int ldc, boolean accumulate) {
        for (int r = 0; r < mr; r++) {
            int t = r * NR, c = ci + r * ldc;
            for (int j = 0; j < nr; j++) C[c + j] = accumulate ? C[c + j] + tile[t + j] : tile[t + j];
        }
    }




    /** C (M,N) = beta * C; beta == 0 writes zeros. */
    private static void scaleC(int M, int N, float beta, float[] C, int cOff, int ldc) {
        for (int i = 0; i < M; i++) {
            int c = cOff + i * ldc;
            for (int j = 0; j < N; j++) C[c + j] = beta == 0f ? 0f : beta * C[c + j];
        }
    }

    private static void checkArgs(boolean transA, boolean transB, int M, int N, int K,
                                  float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                                  float[] C, int cOff, int ldc) {
        if (M < 0 || N < 0 || K < 0) {
            throw new IllegalArgumentException("sgemm: negative size M=" + M + " N=" + N + " K=" + K);
        }
        checkOperand("A", A, aOff, lda, transA ? K : M, transA ? M : K);
        checkOperand("B", B, bOff, ldb, transB ? N : K, transB ? K : N);
        checkOperand("C", C, cOff, ldc, M, N);
    }

    /** A stored (rows, cols) at off with leading dimension ld must fit in the array. */
    private static void checkOperand(String name, float[] x, int off, int ld, int rows, int cols) {
        if (rows == 0 || cols == 0) return;
        if (ld < cols) {
            throw new IllegalArgumentException("sgemm: ld" + name.toLowerCase() + "=" + ld + " is less than the "
                    + cols + " columns of " + name);
        }
        long last = off + (long) (rows - 1) * ld + cols - 1;
        if (off < 0 || last >= x.length) {
            throw new IndexOutOfBoundsException("sgemm: " + name + " (" + rows + "x" + cols + ", ld " + ld + ") at offset "
                    + off + " reaches element " + last + " of an array of " + x.length);
        }
    }

    /** The scalar reference: a plain triple loop, float accumulation in k order. */
    public static void sgemmReference(boolean transA, boolean transB, int M, int N, int K, float alpha,
                                   float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                                   float beta, float[] C, int cOff, int ldc) {
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                float acc = 0f;
                for (int k = 0; k < K; k++) {
                    float a = transA ? A[aOff + k * lda + i] : A[aOff + i * lda + k];
                    float b = transB ? B[bOff + j * ldb + k] : B[bOff + k * ldb + j];
                    acc += a * b;
                }
                int c = cOff + i * ldc + j;
                C[c] = beta == 0f ? alpha * acc : alpha * acc + beta * C[c];
            }
        }
    }
}
