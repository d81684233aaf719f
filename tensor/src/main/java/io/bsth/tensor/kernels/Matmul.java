package io.bsth.tensor.kernels;

import io.bsth.tensor.Parallel;
import io.bsth.tensor.Simd;
import io.bsth.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision GEMM on row-major storage, BLAS conventions:
 * {@code C (M,N) = alpha * op(A) (M,K) @ op(B) (K,N) + beta * C}.
 *
 * <p>{@code op(A)} is A stored (M,K) with leading dimension lda, or, when {@code transA}, A stored
 * (K,M) read transposed (no copy); likewise for B. {@code beta == 0} overwrites C (NaN in C is not
 * propagated), as BLAS does.
 *
 * <p>The fast path is the Goto/BLIS scheme: B is packed per (KC x NC) panel into NR-wide strips, A
 * per (MC x KC) block into MR-tall strips (alpha folded in, transposition resolved while packing),
 * and a register-tiled MR x NR Vector API micro-kernel (MR x 2 accumulators, A broadcast, B loaded)
 * updates each C tile once per KC block. Threads split the larger of M and N (in whole tiles), each
 * with its own packing buffers (thread-local, reused: no allocation per call in steady state).
 * Small products (the attention shapes) skip packing and run unpacked 8 x 2L kernels straight from A
 * and B. Batched calls parallelise over the batch (whole matrices per task). Every C element is
 * computed by one thread in a fixed order, so results do not depend on the thread count's split.
 * Block sizes can be tuned with {@code -Dbsth.gemm.kc/mc/nc}. {@link #sgemmScalar} is the reference.
 */
public final class Matmul {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    /** Lanes per vector. */
    private static final int L = S.length();
    /** Micro-tile width: two vectors. */
    private static final int NR = 2 * L;
    /** Micro-tile height (rows of A broadcast per k step). */
    private static final int MR = 12;
    /** K per packed block (C is updated once per block). */
    private static final int KC = Integer.getInteger("bsth.gemm.kc", 384);
    /** Rows of A per packed block (a multiple of MR). */
    private static final int MC = Math.max(MR, Integer.getInteger("bsth.gemm.mc", 192) / MR * MR);
    /** Columns of B per packed panel (a multiple of NR). */
    private static final int NC = Math.max(NR, Integer.getInteger("bsth.gemm.nc", 1024) / NR * NR);
    /**
     * Products of at most this many multiply-adds (or with at most {@link #smallRows} rows) skip
     * packing: the unpacked 8-row kernels read A and B in place, since for small matrices packing
     * costs as much as the arithmetic. With transB the small path first transposes B, so its limit
     * is lower ({@link #smallFmasTransB}). Measured crossovers on the attention shapes; package-private
     * and mutable only so tests can force either path.
     */
    static long smallFmas = 1L << 21, smallFmasTransB = 1L << 17;
    static int smallRows = 16;
    /** Largest B (elements) the small path transposes into scratch for transB. */
    private static final int SMALL_TRANSPOSE_MAX = 1 << 18;
    /** Below this many multiply-adds a call runs on one thread (hand-off would cost more). */
    private static final long PARALLEL_MIN_FMAS = 1L << 18;

    /** Per-thread packing buffers, sized once for the block sizes above. */
    private static final class Workspace {
        final float[] a = new float[MC * KC];
        final float[] b = new float[KC * NC];
        final float[] tile = new float[MR * NR];
        /** B transposed for the small path; grows to the largest size seen, then is reused. */
        float[] bt = new float[0];

        /** A ragged column strip of B, zero-padded to NR; grows like bt. */
        float[] strip = new float[0];

        float[] bt(int n) {
            if (bt.length < n) bt = new float[n];
            return bt;
        }

        float[] strip(int n) {
            if (strip.length < n) strip = new float[n];
            return strip;
        }
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private Matmul() {}

    /** A (M,K)|(K,M), B (K,N)|(N,K), C (M,N). */
    public static void sgemm(boolean transA, boolean transB, int M, int N, int K, float alpha,
                             float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                             float beta, float[] C, int cOff, int ldc) {
        checkArgs(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc);
        if (M == 0 || N == 0) return;
        if (!Simd.ENABLED) {
            sgemmScalar(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
            return;
        }
        if (K == 0 || alpha == 0f) {
            scaleC(M, N, beta, C, cOff, ldc);
            return;
        }
        int threads = Parallel.threads();
        long fmas = (long) M * N * K;
        boolean small = isSmall(transB, M, N, K);
        if (threads == 1 || fmas < PARALLEL_MIN_FMAS) {
            compute(small, transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc, WORKSPACE.get());
            return;
        }
        if (N >= M) {
            int tiles = (N + NR - 1) / NR;
            int parts = Math.min(threads, tiles);
            Parallel.forEach(parts, p -> {
                int j0 = (int) ((long) tiles * p / parts) * NR, j1 = Math.min(N, (int) ((long) tiles * (p + 1) / parts) * NR);
                if (j1 > j0) {
                    compute(small, transA, transB, M, j1 - j0, K, alpha, A, aOff, lda,
                            B, bOff + (transB ? j0 * ldb : j0), ldb, beta, C, cOff + j0, ldc, WORKSPACE.get());
                }
            });
        } else {
            int tiles = (M + MR - 1) / MR;
            int parts = Math.min(threads, tiles);
            Parallel.forEach(parts, p -> {
                int i0 = (int) ((long) tiles * p / parts) * MR, i1 = Math.min(M, (int) ((long) tiles * (p + 1) / parts) * MR);
                if (i1 > i0) {
                    compute(small, transA, transB, i1 - i0, N, K, alpha, A, aOff + (transA ? i0 : i0 * lda), lda,
                            B, bOff, ldb, beta, C, cOff + i0 * ldc, ldc, WORKSPACE.get());
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

    /** One GEMM on the calling thread (inside a parallel task). */
    private static void single(boolean transA, boolean transB, int M, int N, int K, float alpha,
                               float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                               float beta, float[] C, int cOff, int ldc) {
        if (K == 0 || alpha == 0f) {
            scaleC(M, N, beta, C, cOff, ldc);
        } else {
            compute(isSmall(transB, M, N, K), transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc,
                    WORKSPACE.get());
        }
    }

    /**
     * Matrix product of tensor views: a (M,K) @ b (K,N) -> (M,N), or batched a (B,M,K) @ b (B,K,N)
     * -> (B,M,N) (a 2-D operand, or a batch dim of size 1, is broadcast over the batch). Transposed
     * views (unit stride on the row dim) are passed to the kernel as transA/transB without a copy;
     * other layouts are made contiguous first.
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        if (a.dim() < 2 || a.dim() > 3 || b.dim() < 2 || b.dim() > 3) {
            throw new IllegalArgumentException("matmul: expected 2-D or 3-D operands, got ranks " + a.dim() + " and " + b.dim());
        }
        int M = a.size(-2), K = a.size(-1), N = b.size(-1);
        if (b.size(-2) != K) {
            throw new IllegalArgumentException("matmul: inner sizes differ: a " + java.util.Arrays.toString(a.shape())
                    + ", b " + java.util.Arrays.toString(b.shape()));
        }
        int batchA = a.dim() == 3 ? a.size(0) : 1, batchB = b.dim() == 3 ? b.size(0) : 1;
        if (batchA != batchB && batchA != 1 && batchB != 1) {
            throw new IllegalArgumentException("matmul: batch sizes differ: " + batchA + " and " + batchB);
        }
        int batch = Math.max(batchA, batchB);
        MatrixView va = MatrixView.of(a), vb = MatrixView.of(b);
        if (a.dim() == 2 && b.dim() == 2) {
            Tensor out = Tensor.zeros(M, N);
            sgemm(va.trans, vb.trans, M, N, K, 1f, va.data, va.offset, va.ld, vb.data, vb.offset, vb.ld, 0f, out.data(), 0, N);
            return out;
        }
        Tensor out = Tensor.zeros(batch, M, N);
        sgemmBatched(batch, va.trans, vb.trans, M, N, K, 1f, va.data, va.offset, va.ld, batchA == 1 ? 0 : va.batchStride,
                vb.data, vb.offset, vb.ld, batchB == 1 ? 0 : vb.batchStride, 0f, out.data(), 0, N, (long) M * N);
        return out;
    }

    /** The last two dims of a tensor as a BLAS matrix operand (copied only when neither dim has unit stride). */
    private record MatrixView(float[] data, int offset, int ld, boolean trans, int batchStride) {
        static MatrixView of(Tensor t) {
            int rows = t.size(-2), cols = t.size(-1), rs = t.stride(-2), cs = t.stride(-1);
            int bs = t.dim() == 3 ? t.stride(0) : 0;
            if ((cs == 1 || cols == 1) && rs >= cols && rs > 0) return new MatrixView(t.data(), t.offset(), rs, false, bs);
            if ((rs == 1 || rows == 1) && cs >= rows && cs > 0) return new MatrixView(t.data(), t.offset(), cs, true, bs);
            if (rows == 1 && cols == 1) return new MatrixView(t.data(), t.offset(), 1, false, bs);
            Tensor c = t.contiguous();
            return new MatrixView(c.data(), c.offset(), cols, false, t.dim() == 3 ? rows * cols : 0);
        }
    }

    // ---- blocked driver -------------------------------------------------------------------------

    /**
     * Whether a whole product takes the unpacked path. Decided once per product, before any split
     * over threads, so the arithmetic of every C element does not depend on the thread count.
     */
    private static boolean isSmall(boolean transB, int M, int N, int K) {
        long fmas = (long) M * N * K;
        return transB ? (M <= smallRows || fmas <= smallFmasTransB) && (long) K * N <= SMALL_TRANSPOSE_MAX
                : M <= smallRows || fmas <= smallFmas;
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
                    smallNT4x4(mr, Math.min(4, N - j), K, alpha, A, aOff + i * lda, lda, B, bOff + j * ldb, ldb,
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
                    if (nr == NR) small8x2(mr, K, alpha, A, ai, ars, acs, b, bo + j, lb, beta, C, ci, ldc);
                    else small8x1(mr, K, alpha, A, ai, ars, acs, b, bo + j, lb, beta, C, ci, ldc);
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
                    small8x2(mr, K, 1f, A, aOff + i * ars, ars, acs, strip, 0, NR, 0f, w.tile, 0, NR);
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
        for (int jc = 0; jc < N; jc += NC) {
            int nc = Math.min(NC, N - jc);
            for (int pc = 0; pc < K; pc += kcStep) {
                int kc = Math.min(kcStep, K - pc);
                packB(transB, B, bOff, ldb, pc, kc, jc, nc, w.b);
                boolean accumulate = pc > 0 || beta != 0f;
                for (int ic = 0; ic < M; ic += MC) {
                    int mc = Math.min(MC, M - ic);
                    packA(transA, A, aOff, lda, alpha, ic, mc, pc, kc, w.a);
                    macro(mc, nc, kc, w, C, cOff + ic * ldc + jc, ldc, accumulate);
                }
            }
        }
    }

    /** C block (mc, nc) (+)= the packed A block times the packed B panel, tile by tile. */
    private static void macro(int mc, int nc, int kc, Workspace w, float[] C, int cOff, int ldc, boolean accumulate) {
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            for (int ir = 0; ir < mc; ir += MR) {
                int mr = Math.min(MR, mc - ir);
                int ci = cOff + ir * ldc + jr;
                if (mr == MR && nr == NR) {
                    kernel12(kc, w.a, ir * kc, w.b, jr * kc, C, ci, ldc, accumulate);
                } else {
                    kernel12(kc, w.a, ir * kc, w.b, jr * kc, w.tile, 0, NR, false);
                    mergeTile(w.tile, mr, nr, C, ci, ldc, accumulate);
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

    /**
     * Packs op(B)[k0:k0+kc, j0:j0+nc] into NR-wide strips: strip s holds, for each k, NR consecutive
     * columns (zero beyond nc). Layout: dst[s*kc*NR + k*NR + j].
     */
    private static void packB(boolean transB, float[] B, int bOff, int ldb, int k0, int kc, int j0, int nc, float[] dst) {
        for (int s = 0, js = 0; js < nc; s++, js += NR) {
            int w = Math.min(NR, nc - js);
            int base = s * kc * NR;
            if (!transB) {
                int src = bOff + k0 * ldb + j0 + js;
                if (w == NR) {
                    // arraycopy, not vectors: packB runs once per panel, often before C2 compiles it,
                    // and interpreted Vector API code allocates a box per vector
                    for (int k = 0; k < kc; k++, src += ldb) System.arraycopy(B, src, dst, base + k * NR, NR);
                } else {
                    for (int k = 0; k < kc; k++, src += ldb) {
                        int d = base + k * NR;
                        for (int j = 0; j < w; j++) dst[d + j] = B[src + j];
                        for (int j = w; j < NR; j++) dst[d + j] = 0f;
                    }
                }
            } else {
                for (int j = 0; j < w; j++) {
                    int src = bOff + (j0 + js + j) * ldb + k0;
                    for (int k = 0; k < kc; k++) dst[base + k * NR + j] = B[src + k];
                }
                for (int j = w; j < NR; j++) {
                    for (int k = 0; k < kc; k++) dst[base + k * NR + j] = 0f;
                }
            }
        }
    }

    /**
     * Packs alpha * op(A)[i0:i0+mc, k0:k0+kc] into MR-tall strips: strip s holds, for each k, MR
     * consecutive rows (zero beyond mc). Layout: dst[s*kc*MR + k*MR + i].
     */
    private static void packA(boolean transA, float[] A, int aOff, int lda, float alpha, int i0, int mc, int k0, int kc, float[] dst) {
        for (int s = 0, is = 0; is < mc; s++, is += MR) {
            int h = Math.min(MR, mc - is);
            int base = s * kc * MR;
            if (transA) {
                int src = aOff + k0 * lda + i0 + is;
                for (int k = 0; k < kc; k++, src += lda) {
                    int d = base + k * MR;
                    for (int i = 0; i < h; i++) dst[d + i] = alpha * A[src + i];
                    for (int i = h; i < MR; i++) dst[d + i] = 0f;
                }
            } else {
                for (int i = 0; i < h; i++) {
                    int src = aOff + (i0 + is + i) * lda + k0;
                    for (int k = 0; k < kc; k++) dst[base + k * MR + i] = alpha * A[src + k];
                }
                for (int i = h; i < MR; i++) {
                    for (int k = 0; k < kc; k++) dst[base + k * MR + i] = 0f;
                }
            }
        }
    }

    /**
     * The 12 x NR register tile: C[ci.., 12 rows x NR cols, ld ldc] = (accumulate ? C : 0) + Ap . Bp
     * over kc steps; Ap holds 12 values per k from ai, Bp NR values per k from bi.
     */
    private static void kernel12(int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc, boolean accumulate) {
        FloatVector c0_0, c0_1, c1_0, c1_1, c2_0, c2_1, c3_0, c3_1, c4_0, c4_1, c5_0, c5_1, c6_0, c6_1, c7_0, c7_1, c8_0, c8_1, c9_0, c9_1, c10_0, c10_1, c11_0, c11_1;
        if (accumulate) {
            c0_0 = FloatVector.fromArray(S, c, ci + 0 * ldc);
            c0_1 = FloatVector.fromArray(S, c, ci + 0 * ldc + L);
            c1_0 = FloatVector.fromArray(S, c, ci + 1 * ldc);
            c1_1 = FloatVector.fromArray(S, c, ci + 1 * ldc + L);
            c2_0 = FloatVector.fromArray(S, c, ci + 2 * ldc);
            c2_1 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
            c3_0 = FloatVector.fromArray(S, c, ci + 3 * ldc);
            c3_1 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
            c4_0 = FloatVector.fromArray(S, c, ci + 4 * ldc);
            c4_1 = FloatVector.fromArray(S, c, ci + 4 * ldc + L);
            c5_0 = FloatVector.fromArray(S, c, ci + 5 * ldc);
            c5_1 = FloatVector.fromArray(S, c, ci + 5 * ldc + L);
            c6_0 = FloatVector.fromArray(S, c, ci + 6 * ldc);
            c6_1 = FloatVector.fromArray(S, c, ci + 6 * ldc + L);
            c7_0 = FloatVector.fromArray(S, c, ci + 7 * ldc);
            c7_1 = FloatVector.fromArray(S, c, ci + 7 * ldc + L);
            c8_0 = FloatVector.fromArray(S, c, ci + 8 * ldc);
            c8_1 = FloatVector.fromArray(S, c, ci + 8 * ldc + L);
            c9_0 = FloatVector.fromArray(S, c, ci + 9 * ldc);
            c9_1 = FloatVector.fromArray(S, c, ci + 9 * ldc + L);
            c10_0 = FloatVector.fromArray(S, c, ci + 10 * ldc);
            c10_1 = FloatVector.fromArray(S, c, ci + 10 * ldc + L);
            c11_0 = FloatVector.fromArray(S, c, ci + 11 * ldc);
            c11_1 = FloatVector.fromArray(S, c, ci + 11 * ldc + L);
        } else {
            FloatVector z = FloatVector.zero(S);
            c0_0 = z;
            c0_1 = z;
            c1_0 = z;
            c1_1 = z;
            c2_0 = z;
            c2_1 = z;
            c3_0 = z;
            c3_1 = z;
            c4_0 = z;
            c4_1 = z;
            c5_0 = z;
            c5_1 = z;
            c6_0 = z;
            c6_1 = z;
            c7_0 = z;
            c7_1 = z;
            c8_0 = z;
            c8_1 = z;
            c9_0 = z;
            c9_1 = z;
            c10_0 = z;
            c10_1 = z;
            c11_0 = z;
            c11_1 = z;
        }
        for (int k = 0; k < kc; k++) {
            int a = ai + k * 12, b = bi + k * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, b);
            FloatVector b1 = FloatVector.fromArray(S, bp, b + L);
            FloatVector a0 = FloatVector.broadcast(S, ap[a + 0]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, ap[a + 1]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, ap[a + 2]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, ap[a + 3]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, ap[a + 4]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, ap[a + 5]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
            FloatVector a6 = FloatVector.broadcast(S, ap[a + 6]);
            c6_0 = a6.fma(b0, c6_0);
            c6_1 = a6.fma(b1, c6_1);
            FloatVector a7 = FloatVector.broadcast(S, ap[a + 7]);
            c7_0 = a7.fma(b0, c7_0);
            c7_1 = a7.fma(b1, c7_1);
            FloatVector a8 = FloatVector.broadcast(S, ap[a + 8]);
            c8_0 = a8.fma(b0, c8_0);
            c8_1 = a8.fma(b1, c8_1);
            FloatVector a9 = FloatVector.broadcast(S, ap[a + 9]);
            c9_0 = a9.fma(b0, c9_0);
            c9_1 = a9.fma(b1, c9_1);
            FloatVector a10 = FloatVector.broadcast(S, ap[a + 10]);
            c10_0 = a10.fma(b0, c10_0);
            c10_1 = a10.fma(b1, c10_1);
            FloatVector a11 = FloatVector.broadcast(S, ap[a + 11]);
            c11_0 = a11.fma(b0, c11_0);
            c11_1 = a11.fma(b1, c11_1);
        }
        c0_0.intoArray(c, ci + 0 * ldc);
        c0_1.intoArray(c, ci + 0 * ldc + L);
        c1_0.intoArray(c, ci + 1 * ldc);
        c1_1.intoArray(c, ci + 1 * ldc + L);
        c2_0.intoArray(c, ci + 2 * ldc);
        c2_1.intoArray(c, ci + 2 * ldc + L);
        c3_0.intoArray(c, ci + 3 * ldc);
        c3_1.intoArray(c, ci + 3 * ldc + L);
        c4_0.intoArray(c, ci + 4 * ldc);
        c4_1.intoArray(c, ci + 4 * ldc + L);
        c5_0.intoArray(c, ci + 5 * ldc);
        c5_1.intoArray(c, ci + 5 * ldc + L);
        c6_0.intoArray(c, ci + 6 * ldc);
        c6_1.intoArray(c, ci + 6 * ldc + L);
        c7_0.intoArray(c, ci + 7 * ldc);
        c7_1.intoArray(c, ci + 7 * ldc + L);
        c8_0.intoArray(c, ci + 8 * ldc);
        c8_1.intoArray(c, ci + 8 * ldc + L);
        c9_0.intoArray(c, ci + 9 * ldc);
        c9_1.intoArray(c, ci + 9 * ldc + L);
        c10_0.intoArray(c, ci + 10 * ldc);
        c10_1.intoArray(c, ci + 10 * ldc + L);
        c11_0.intoArray(c, ci + 11 * ldc);
        c11_1.intoArray(c, ci + 11 * ldc + L);
    }

    /**
     * Unpacked 8 x 2L tile for small products: C[rows < mr (<= 8), 2L cols] = alpha * A . B (+ beta * C),
     * K steps. A row r at a + r*ars, step acs per k; B row k at b + k*ldb. Rows past mr repeat row
     * mr-1 and are not stored.
     */
    private static void small8x2(int mr, int K, float alpha, float[] A, int a, int ars, int acs,
                                    float[] B, int b, int ldb, float beta, float[] C, int c, int ldc) {
        int a0 = a + Math.min(0, mr - 1) * ars;
        int a1 = a + Math.min(1, mr - 1) * ars;
        int a2 = a + Math.min(2, mr - 1) * ars;
        int a3 = a + Math.min(3, mr - 1) * ars;
        int a4 = a + Math.min(4, mr - 1) * ars;
        int a5 = a + Math.min(5, mr - 1) * ars;
        int a6 = a + Math.min(6, mr - 1) * ars;
        int a7 = a + Math.min(7, mr - 1) * ars;
        FloatVector z = FloatVector.zero(S);
        FloatVector c0_0 = z, c0_1 = z, c1_0 = z, c1_1 = z, c2_0 = z, c2_1 = z, c3_0 = z, c3_1 = z, c4_0 = z, c4_1 = z, c5_0 = z, c5_1 = z, c6_0 = z, c6_1 = z, c7_0 = z, c7_1 = z;
        for (int k = 0; k < K; k++) {
            int bk = b + k * ldb, ak = k * acs;
            FloatVector b0 = FloatVector.fromArray(S, B, bk);
            FloatVector b1 = FloatVector.fromArray(S, B, bk + L);
            FloatVector x0 = FloatVector.broadcast(S, A[a0 + ak]);
            c0_0 = x0.fma(b0, c0_0);
            c0_1 = x0.fma(b1, c0_1);
            FloatVector x1 = FloatVector.broadcast(S, A[a1 + ak]);
            c1_0 = x1.fma(b0, c1_0);
            c1_1 = x1.fma(b1, c1_1);
            FloatVector x2 = FloatVector.broadcast(S, A[a2 + ak]);
            c2_0 = x2.fma(b0, c2_0);
            c2_1 = x2.fma(b1, c2_1);
            FloatVector x3 = FloatVector.broadcast(S, A[a3 + ak]);
            c3_0 = x3.fma(b0, c3_0);
            c3_1 = x3.fma(b1, c3_1);
            FloatVector x4 = FloatVector.broadcast(S, A[a4 + ak]);
            c4_0 = x4.fma(b0, c4_0);
            c4_1 = x4.fma(b1, c4_1);
            FloatVector x5 = FloatVector.broadcast(S, A[a5 + ak]);
            c5_0 = x5.fma(b0, c5_0);
            c5_1 = x5.fma(b1, c5_1);
            FloatVector x6 = FloatVector.broadcast(S, A[a6 + ak]);
            c6_0 = x6.fma(b0, c6_0);
            c6_1 = x6.fma(b1, c6_1);
            FloatVector x7 = FloatVector.broadcast(S, A[a7 + ak]);
            c7_0 = x7.fma(b0, c7_0);
            c7_1 = x7.fma(b1, c7_1);
        }
        if (mr > 0) {
            int ci = c + 0 * ldc;
            FloatVector v0 = c0_0.mul(alpha);
            if (beta != 0f) v0 = FloatVector.fromArray(S, C, ci).mul(beta).add(v0);
            v0.intoArray(C, ci);
            FloatVector v1 = c0_1.mul(alpha);
            if (beta != 0f) v1 = FloatVector.fromArray(S, C, ci + L).mul(beta).add(v1);
            v1.intoArray(C, ci + L);
        }
        if (mr > 1) {
            int ci = c + 1 * ldc;
            FloatVector v0 = c1_0.mul(alpha);
            if (beta != 0f) v0 = FloatVector.fromArray(S, C, ci).mul(beta).add(v0);
            v0.intoArray(C, ci);
            FloatVector v1 = c1_1.mul(alpha);
            if (beta != 0f) v1 = FloatVector.fromArray(S, C, ci + L).mul(beta).add(v1);
            v1.intoArray(C, ci + L);
        }
        if (mr > 2) {
            int ci = c + 2 * ldc;
            FloatVector v0 = c2_0.mul(alpha);
            if (beta != 0f) v0 = FloatVector.fromArray(S, C, ci).mul(beta).add(v0);
            v0.intoArray(C, ci);
            FloatVector v1 = c2_1.mul(alpha);
            if (beta != 0f) v1 = FloatVector.fromArray(S, C, ci + L).mul(beta).add(v1);
            v1.intoArray(C, ci + L);
        }
        if (mr > 3) {
            int ci = c + 3 * ldc;
            FloatVector v0 = c3_0.mul(alpha);
            if (beta != 0f) v0 = FloatVector.fromArray(S, C, ci).mul(beta).add(v0);
            v0.intoArray(C, ci);
            FloatVector v1 = c3_1.mul(alpha);
            if (beta != 0f) v1 = FloatVector.fromArray(S, C, ci + L).mul(beta).add(v1);
            v1.intoArray(C, ci + L);
        }
        if (mr > 4) {
            int ci = c + 4 * ldc;
            FloatVector v0 = c4_0.mul(alpha);
            if (beta != 0f) v0 = FloatVector.fromArray(S, C, ci).mul(beta).add(v0);
            v0.intoArray(C, ci);
            FloatVector v1 = c4_1.mul(alpha);
            if (beta != 0f) v1 = FloatVector.fromArray(S, C, ci + L).mul(beta).add(v1);
            v1.intoArray(C, ci + L);
        }
        if (mr > 5) {
            int ci = c + 5 * ldc;
            FloatVector v0 = c5_0.mul(alpha);
            if (beta != 0f) v0 = FloatVector.fromArray(S, C, ci).mul(beta).add(v0);
            v0.intoArray(C, ci);
            FloatVector v1 = c5_1.mul(alpha);
            if (beta != 0f) v1 = FloatVector.fromArray(S, C, ci + L).mul(beta).add(v1);
            v1.intoArray(C, ci + L);
        }
        if (mr > 6) {
            int ci = c + 6 * ldc;
            FloatVector v0 = c6_0.mul(alpha);
            if (beta != 0f) v0 = FloatVector.fromArray(S, C, ci).mul(beta).add(v0);
            v0.intoArray(C, ci);
            FloatVector v1 = c6_1.mul(alpha);
            if (beta != 0f) v1 = FloatVector.fromArray(S, C, ci + L).mul(beta).add(v1);
            v1.intoArray(C, ci + L);
        }
        if (mr > 7) {
            int ci = c + 7 * ldc;
            FloatVector v0 = c7_0.mul(alpha);
            if (beta != 0f) v0 = FloatVector.fromArray(S, C, ci).mul(beta).add(v0);
            v0.intoArray(C, ci);
            FloatVector v1 = c7_1.mul(alpha);
            if (beta != 0f) v1 = FloatVector.fromArray(S, C, ci + L).mul(beta).add(v1);
            v1.intoArray(C, ci + L);
        }
    }

    /**
     * Unpacked 8 x 1L tile for small products: C[rows < mr (<= 8), 1L cols] = alpha * A . B (+ beta * C),
     * K steps. A row r at a + r*ars, step acs per k; B row k at b + k*ldb. Rows past mr repeat row
     * mr-1 and are not stored.
     */
    private static void small8x1(int mr, int K, float alpha, float[] A, int a, int ars, int acs,
                                    float[] B, int b, int ldb, float beta, float[] C, int c, int ldc) {
        int a0 = a + Math.min(0, mr - 1) * ars;
        int a1 = a + Math.min(1, mr - 1) * ars;
        int a2 = a + Math.min(2, mr - 1) * ars;
        int a3 = a + Math.min(3, mr - 1) * ars;
        int a4 = a + Math.min(4, mr - 1) * ars;
        int a5 = a + Math.min(5, mr - 1) * ars;
        int a6 = a + Math.min(6, mr - 1) * ars;
        int a7 = a + Math.min(7, mr - 1) * ars;
        FloatVector z = FloatVector.zero(S);
        FloatVector c0_0 = z, c1_0 = z, c2_0 = z, c3_0 = z, c4_0 = z, c5_0 = z, c6_0 = z, c7_0 = z;
        for (int k = 0; k < K; k++) {
            int bk = b + k * ldb, ak = k * acs;
            FloatVector b0 = FloatVector.fromArray(S, B, bk);
            FloatVector x0 = FloatVector.broadcast(S, A[a0 + ak]);
            c0_0 = x0.fma(b0, c0_0);
            FloatVector x1 = FloatVector.broadcast(S, A[a1 + ak]);
            c1_0 = x1.fma(b0, c1_0);
            FloatVector x2 = FloatVector.broadcast(S, A[a2 + ak]);
            c2_0 = x2.fma(b0, c2_0);
            FloatVector x3 = FloatVector.broadcast(S, A[a3 + ak]);
            c3_0 = x3.fma(b0, c3_0);
            FloatVector x4 = FloatVector.broadcast(S, A[a4 + ak]);
            c4_0 = x4.fma(b0, c4_0);
            FloatVector x5 = FloatVector.broadcast(S, A[a5 + ak]);
            c5_0 = x5.fma(b0, c5_0);
            FloatVector x6 = FloatVector.broadcast(S, A[a6 + ak]);
            c6_0 = x6.fma(b0, c6_0);
            FloatVector x7 = FloatVector.broadcast(S, A[a7 + ak]);
            c7_0 = x7.fma(b0, c7_0);
        }
        if (mr > 0) {
            int ci = c + 0 * ldc;
            FloatVector v0 = c0_0.mul(alpha);
            if (beta != 0f) v0 = FloatVector.fromArray(S, C, ci).mul(beta).add(v0);
            v0.intoArray(C, ci);
        }
        if (mr > 1) {
            int ci = c + 1 * ldc;
            FloatVector v0 = c1_0.mul(alpha);
            if (beta != 0f) v0 = FloatVector.fromArray(S, C, ci).mul(beta).add(v0);
            v0.intoArray(C, ci);
        }
        if (mr > 2) {
            int ci = c + 2 * ldc;
            FloatVector v0 = c2_0.mul(alpha);
            if (beta != 0f) v0 = FloatVector.fromArray(S, C, ci).mul(beta).add(v0);
            v0.intoArray(C, ci);
        }
        if (mr > 3) {
            int ci = c + 3 * ldc;
            FloatVector v0 = c3_0.mul(alpha);
            if (beta != 0f) v0 = FloatVector.fromArray(S, C, ci).mul(beta).add(v0);
            v0.intoArray(C, ci);
        }
        if (mr > 4) {
            int ci = c + 4 * ldc;
            FloatVector v0 = c4_0.mul(alpha);
            if (beta != 0f) v0 = FloatVector.fromArray(S, C, ci).mul(beta).add(v0);
            v0.intoArray(C, ci);
        }
        if (mr > 5) {
            int ci = c + 5 * ldc;
            FloatVector v0 = c5_0.mul(alpha);
            if (beta != 0f) v0 = FloatVector.fromArray(S, C, ci).mul(beta).add(v0);
            v0.intoArray(C, ci);
        }
        if (mr > 6) {
            int ci = c + 6 * ldc;
            FloatVector v0 = c6_0.mul(alpha);
            if (beta != 0f) v0 = FloatVector.fromArray(S, C, ci).mul(beta).add(v0);
            v0.intoArray(C, ci);
        }
        if (mr > 7) {
            int ci = c + 7 * ldc;
            FloatVector v0 = c7_0.mul(alpha);
            if (beta != 0f) v0 = FloatVector.fromArray(S, C, ci).mul(beta).add(v0);
            v0.intoArray(C, ci);
        }
    }


    /**
     * Dot-product tile for small A . B^T: C[rows < mr (<= 4), cols < nr (<= 4)] = alpha * sum_k A[r,k] B[c,k]
     * (+ beta * C). A row r at a + r*lda, B row c at b + c*ldb, both dense in k; vectors run along k, one
     * lane reduction per output (a fixed butterfly, so every JIT tier rounds alike). Rows/cols past
     * mr/nr repeat the last one and are not stored. Needs 16 lanes.
     */
    private static void smallNT4x4(int mr, int nr, int K, float alpha, float[] A, int a, int lda,
                                   float[] B, int b, int ldb, float beta, float[] C, int c, int ldc) {
        int a0 = a + Math.min(0, mr - 1) * lda;
        int a1 = a + Math.min(1, mr - 1) * lda;
        int a2 = a + Math.min(2, mr - 1) * lda;
        int a3 = a + Math.min(3, mr - 1) * lda;
        int b0 = b + Math.min(0, nr - 1) * ldb;
        int b1 = b + Math.min(1, nr - 1) * ldb;
        int b2 = b + Math.min(2, nr - 1) * ldb;
        int b3 = b + Math.min(3, nr - 1) * ldb;
        FloatVector z = FloatVector.zero(S);
        FloatVector s00 = z, s01 = z, s02 = z, s03 = z, s10 = z, s11 = z, s12 = z, s13 = z, s20 = z, s21 = z, s22 = z, s23 = z, s30 = z, s31 = z, s32 = z, s33 = z;
        int k = 0;
        for (int bound = S.loopBound(K); k < bound; k += L) {
            FloatVector x0 = FloatVector.fromArray(S, A, a0 + k);
            FloatVector x1 = FloatVector.fromArray(S, A, a1 + k);
            FloatVector x2 = FloatVector.fromArray(S, A, a2 + k);
            FloatVector x3 = FloatVector.fromArray(S, A, a3 + k);
            FloatVector y0 = FloatVector.fromArray(S, B, b0 + k);
            FloatVector y1 = FloatVector.fromArray(S, B, b1 + k);
            FloatVector y2 = FloatVector.fromArray(S, B, b2 + k);
            FloatVector y3 = FloatVector.fromArray(S, B, b3 + k);
            s00 = x0.fma(y0, s00);
            s01 = x0.fma(y1, s01);
            s02 = x0.fma(y2, s02);
            s03 = x0.fma(y3, s03);
            s10 = x1.fma(y0, s10);
            s11 = x1.fma(y1, s11);
            s12 = x1.fma(y2, s12);
            s13 = x1.fma(y3, s13);
            s20 = x2.fma(y0, s20);
            s21 = x2.fma(y1, s21);
            s22 = x2.fma(y2, s22);
            s23 = x2.fma(y3, s23);
            s30 = x3.fma(y0, s30);
            s31 = x3.fma(y1, s31);
            s32 = x3.fma(y2, s32);
            s33 = x3.fma(y3, s33);
        }
        s00 = s00.add(s00.rearrange(X8)); s00 = s00.add(s00.rearrange(X4)); s00 = s00.add(s00.rearrange(X2)); s00 = s00.add(s00.rearrange(X1));
        s01 = s01.add(s01.rearrange(X8)); s01 = s01.add(s01.rearrange(X4)); s01 = s01.add(s01.rearrange(X2)); s01 = s01.add(s01.rearrange(X1));
        s02 = s02.add(s02.rearrange(X8)); s02 = s02.add(s02.rearrange(X4)); s02 = s02.add(s02.rearrange(X2)); s02 = s02.add(s02.rearrange(X1));
        s03 = s03.add(s03.rearrange(X8)); s03 = s03.add(s03.rearrange(X4)); s03 = s03.add(s03.rearrange(X2)); s03 = s03.add(s03.rearrange(X1));
        s10 = s10.add(s10.rearrange(X8)); s10 = s10.add(s10.rearrange(X4)); s10 = s10.add(s10.rearrange(X2)); s10 = s10.add(s10.rearrange(X1));
        s11 = s11.add(s11.rearrange(X8)); s11 = s11.add(s11.rearrange(X4)); s11 = s11.add(s11.rearrange(X2)); s11 = s11.add(s11.rearrange(X1));
        s12 = s12.add(s12.rearrange(X8)); s12 = s12.add(s12.rearrange(X4)); s12 = s12.add(s12.rearrange(X2)); s12 = s12.add(s12.rearrange(X1));
        s13 = s13.add(s13.rearrange(X8)); s13 = s13.add(s13.rearrange(X4)); s13 = s13.add(s13.rearrange(X2)); s13 = s13.add(s13.rearrange(X1));
        s20 = s20.add(s20.rearrange(X8)); s20 = s20.add(s20.rearrange(X4)); s20 = s20.add(s20.rearrange(X2)); s20 = s20.add(s20.rearrange(X1));
        s21 = s21.add(s21.rearrange(X8)); s21 = s21.add(s21.rearrange(X4)); s21 = s21.add(s21.rearrange(X2)); s21 = s21.add(s21.rearrange(X1));
        s22 = s22.add(s22.rearrange(X8)); s22 = s22.add(s22.rearrange(X4)); s22 = s22.add(s22.rearrange(X2)); s22 = s22.add(s22.rearrange(X1));
        s23 = s23.add(s23.rearrange(X8)); s23 = s23.add(s23.rearrange(X4)); s23 = s23.add(s23.rearrange(X2)); s23 = s23.add(s23.rearrange(X1));
        s30 = s30.add(s30.rearrange(X8)); s30 = s30.add(s30.rearrange(X4)); s30 = s30.add(s30.rearrange(X2)); s30 = s30.add(s30.rearrange(X1));
        s31 = s31.add(s31.rearrange(X8)); s31 = s31.add(s31.rearrange(X4)); s31 = s31.add(s31.rearrange(X2)); s31 = s31.add(s31.rearrange(X1));
        s32 = s32.add(s32.rearrange(X8)); s32 = s32.add(s32.rearrange(X4)); s32 = s32.add(s32.rearrange(X2)); s32 = s32.add(s32.rearrange(X1));
        s33 = s33.add(s33.rearrange(X8)); s33 = s33.add(s33.rearrange(X4)); s33 = s33.add(s33.rearrange(X2)); s33 = s33.add(s33.rearrange(X1));
        float t00 = s00.lane(0), t01 = s01.lane(0), t02 = s02.lane(0), t03 = s03.lane(0), t10 = s10.lane(0), t11 = s11.lane(0), t12 = s12.lane(0), t13 = s13.lane(0), t20 = s20.lane(0), t21 = s21.lane(0), t22 = s22.lane(0), t23 = s23.lane(0), t30 = s30.lane(0), t31 = s31.lane(0), t32 = s32.lane(0), t33 = s33.lane(0);
        for (; k < K; k++) {
            float x0 = A[a0 + k];
            float x1 = A[a1 + k];
            float x2 = A[a2 + k];
            float x3 = A[a3 + k];
            float y0 = B[b0 + k];
            float y1 = B[b1 + k];
            float y2 = B[b2 + k];
            float y3 = B[b3 + k];
            t00 += x0 * y0; t01 += x0 * y1; t02 += x0 * y2; t03 += x0 * y3;
            t10 += x1 * y0; t11 += x1 * y1; t12 += x1 * y2; t13 += x1 * y3;
            t20 += x2 * y0; t21 += x2 * y1; t22 += x2 * y2; t23 += x2 * y3;
            t30 += x3 * y0; t31 += x3 * y1; t32 += x3 * y2; t33 += x3 * y3;
        }
        if (mr > 0) {
            int ci = c + 0 * ldc;
            if (nr > 0) C[ci + 0] = beta == 0f ? alpha * t00 : alpha * t00 + beta * C[ci + 0];
            if (nr > 1) C[ci + 1] = beta == 0f ? alpha * t01 : alpha * t01 + beta * C[ci + 1];
            if (nr > 2) C[ci + 2] = beta == 0f ? alpha * t02 : alpha * t02 + beta * C[ci + 2];
            if (nr > 3) C[ci + 3] = beta == 0f ? alpha * t03 : alpha * t03 + beta * C[ci + 3];
        }
        if (mr > 1) {
            int ci = c + 1 * ldc;
            if (nr > 0) C[ci + 0] = beta == 0f ? alpha * t10 : alpha * t10 + beta * C[ci + 0];
            if (nr > 1) C[ci + 1] = beta == 0f ? alpha * t11 : alpha * t11 + beta * C[ci + 1];
            if (nr > 2) C[ci + 2] = beta == 0f ? alpha * t12 : alpha * t12 + beta * C[ci + 2];
            if (nr > 3) C[ci + 3] = beta == 0f ? alpha * t13 : alpha * t13 + beta * C[ci + 3];
        }
        if (mr > 2) {
            int ci = c + 2 * ldc;
            if (nr > 0) C[ci + 0] = beta == 0f ? alpha * t20 : alpha * t20 + beta * C[ci + 0];
            if (nr > 1) C[ci + 1] = beta == 0f ? alpha * t21 : alpha * t21 + beta * C[ci + 1];
            if (nr > 2) C[ci + 2] = beta == 0f ? alpha * t22 : alpha * t22 + beta * C[ci + 2];
            if (nr > 3) C[ci + 3] = beta == 0f ? alpha * t23 : alpha * t23 + beta * C[ci + 3];
        }
        if (mr > 3) {
            int ci = c + 3 * ldc;
            if (nr > 0) C[ci + 0] = beta == 0f ? alpha * t30 : alpha * t30 + beta * C[ci + 0];
            if (nr > 1) C[ci + 1] = beta == 0f ? alpha * t31 : alpha * t31 + beta * C[ci + 1];
            if (nr > 2) C[ci + 2] = beta == 0f ? alpha * t32 : alpha * t32 + beta * C[ci + 2];
            if (nr > 3) C[ci + 3] = beta == 0f ? alpha * t33 : alpha * t33 + beta * C[ci + 3];
        }
    }


    /**
     * Lane permutations i ^ 8, i ^ 4, i ^ 2, i ^ 1 of a 16-lane vector: the butterfly that sums the
     * lanes of the dot-product tiles in a fixed order. Unlike reduceLanes, whose order C2 chooses, it
     * rounds identically in the interpreter, C1 and C2, so results do not change when the JIT
     * recompiles.
     */
    private static final VectorShuffle<Float> X8 = VectorShuffle.fromOp(S, i -> (i ^ 8) % L),
            X4 = VectorShuffle.fromOp(S, i -> (i ^ 4) % L), X2 = VectorShuffle.fromOp(S, i -> (i ^ 2) % L),
            X1 = VectorShuffle.fromOp(S, i -> (i ^ 1) % L);

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
    public static void sgemmScalar(boolean transA, boolean transB, int M, int N, int K, float alpha,
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
