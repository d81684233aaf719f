package io.bsth.tensor.kernels;

import static io.bsth.tensor.kernels.Matmul.L;
import static io.bsth.tensor.kernels.Matmul.NR;
import static io.bsth.tensor.kernels.Matmul.S;

import jdk.incubator.vector.FloatVector;

/**
 * The register-tile micro-kernels of {@link Matmul}: the 12 x 2L tile over packed panels, the
 * unpacked 8 x 2L and 8 x 1L tiles for small products, and the 4 x 4 dot-product tile for small
 * A B^T.
 *
 * <p>Why they are written out by hand: a tile's accumulators must stay in vector registers for the
 * whole k loop. C2 keeps named local {@code FloatVector}s in registers (24 of the 32 zmm registers
 * for the 12 x 2L tile); an array of vectors, or a loop over the tile's rows, makes each vector an
 * object in memory (the Vector API boxes whatever escape analysis cannot scalarise), which costs
 * several times the arithmetic. So each tile is one straight-line body with one local per
 * accumulator, and the k loop is the only loop. Rows beyond a ragged edge are computed (they repeat
 * the last valid row) but not stored.
 */
final class MatmulKernels {
    private MatmulKernels() {}

    /**
     * The 12 x NR register tile: C[ci.., 12 rows x NR cols, ld ldc] = (accumulate ? C : 0) + Ap . Bp
     * over kc steps; Ap holds 12 consecutive values per k from ai + k*astep (astep 12 for a packed
     * strip, A's row stride when a transposed A is read in place), Bp NR values per k from bi + k*ldb
     * (ldb NR for a packed strip, B's own row stride when B is read in place).
     */
    static void kernel12(int kc, float[] ap, int ai, int astep, float[] bp, int bi, int ldb, float[] c, int ci, int ldc, boolean accumulate) {
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
            int a = ai + k * astep, b = bi + k * ldb;
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
     * {@link #kernel12} with A read in place, not packed: row r of the tile is A[ai + r*lda + k] for k
     * in [0, kc) (a row-major A with unit stride along k). Same multiply-adds in the same order as
     * kernel12 on the packed copy of those rows, so the same bits.
     */
    static void kernel12Rows(int kc, float[] ap, int ai, int lda, float[] bp, int bi, int ldb, float[] c, int ci, int ldc, boolean accumulate) {
        int a0_ = ai + 0 * lda, a1_ = ai + 1 * lda, a2_ = ai + 2 * lda, a3_ = ai + 3 * lda, a4_ = ai + 4 * lda, a5_ = ai + 5 * lda, a6_ = ai + 6 * lda, a7_ = ai + 7 * lda, a8_ = ai + 8 * lda, a9_ = ai + 9 * lda, a10_ = ai + 10 * lda, a11_ = ai + 11 * lda;
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
            int b = bi + k * ldb;
            FloatVector b0 = FloatVector.fromArray(S, bp, b);
            FloatVector b1 = FloatVector.fromArray(S, bp, b + L);
            FloatVector a0 = FloatVector.broadcast(S, ap[a0_ + k]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, ap[a1_ + k]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, ap[a2_ + k]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, ap[a3_ + k]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, ap[a4_ + k]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, ap[a5_ + k]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
            FloatVector a6 = FloatVector.broadcast(S, ap[a6_ + k]);
            c6_0 = a6.fma(b0, c6_0);
            c6_1 = a6.fma(b1, c6_1);
            FloatVector a7 = FloatVector.broadcast(S, ap[a7_ + k]);
            c7_0 = a7.fma(b0, c7_0);
            c7_1 = a7.fma(b1, c7_1);
            FloatVector a8 = FloatVector.broadcast(S, ap[a8_ + k]);
            c8_0 = a8.fma(b0, c8_0);
            c8_1 = a8.fma(b1, c8_1);
            FloatVector a9 = FloatVector.broadcast(S, ap[a9_ + k]);
            c9_0 = a9.fma(b0, c9_0);
            c9_1 = a9.fma(b1, c9_1);
            FloatVector a10 = FloatVector.broadcast(S, ap[a10_ + k]);
            c10_0 = a10.fma(b0, c10_0);
            c10_1 = a10.fma(b1, c10_1);
            FloatVector a11 = FloatVector.broadcast(S, ap[a11_ + k]);
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
    static void small8x2(int mr, int K, float alpha, float[] A, int a, int ars, int acs,
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
    static void small8x1(int mr, int K, float alpha, float[] A, int a, int ars, int acs,
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
     * mr/nr repeat the last one and are not stored.
     */
    static void smallNT4x4(int mr, int nr, int K, float alpha, float[] A, int a, int lda,
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
        float t00 = LaneSum.sum(s00), t01 = LaneSum.sum(s01), t02 = LaneSum.sum(s02), t03 = LaneSum.sum(s03), t10 = LaneSum.sum(s10), t11 = LaneSum.sum(s11), t12 = LaneSum.sum(s12), t13 = LaneSum.sum(s13), t20 = LaneSum.sum(s20), t21 = LaneSum.sum(s21), t22 = LaneSum.sum(s22), t23 = LaneSum.sum(s23), t30 = LaneSum.sum(s30), t31 = LaneSum.sum(s31), t32 = LaneSum.sum(s32), t33 = LaneSum.sum(s33);
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
}
