package io.bsth.tensor.kernels;

import static io.bsth.tensor.kernels.Matmul.KC;
import static io.bsth.tensor.kernels.Matmul.MC;
import static io.bsth.tensor.kernels.Matmul.MR;
import static io.bsth.tensor.kernels.Matmul.NC;
import static io.bsth.tensor.kernels.Matmul.NR;

/**
 * Packing for the blocked path of {@link Matmul}: copies a block of op(A) into MR-tall strips and a
 * panel of op(B) into NR-wide strips, so the micro-kernel reads both with unit stride whatever the
 * operands' layout and transposition. Edges are zero-padded to whole strips. One {@link Workspace}
 * per thread holds the buffers.
 */
final class MatmulPacking {
    private MatmulPacking() {}

    /** Per-thread packing buffers, sized once for Matmul's block sizes. */
    static final class Workspace {
        final float[] a = new float[MC * KC];
        final float[] b = new float[KC * Math.max(NC, Matmul.blockCols)];
        final float[] tile = new float[MR * NR];
        /** B transposed for the small path; grows to the largest size seen, then is reused. */
        float[] bt = new float[0];

        /** A ragged column strip of B, zero-padded to NR; grows like bt. */
        float[] strip = new float[0];

        /** Partial products of a K split ({@link Matmul}); grows like bt. */
        float[] partials = new float[0];

        /**
         * The A block of the tiles (set by Matmul.packOrPlace): packed in {@link #a}, or, when
         * {@code inPlace}, read from {@code src} at {@code at} with {@code rowStep} between rows and
         * {@code kStep} between k.
         */
        boolean inPlace;
        float[] src;
        int at, rowStep, kStep;

        float[] panel = new float[0];

        float[] panel(int n) {
            if (panel.length < n) panel = new float[n];
            return panel;
        }

        float[] partials(int n) {
            if (partials.length < n) partials = new float[n];
            return partials;
        }

        float[] bt(int n) {
            if (bt.length < n) bt = new float[n];
            return bt;
        }

        float[] strip(int n) {
            if (strip.length < n) strip = new float[n];
            return strip;
        }
    }

    static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    /**
     * Packs op(B)[k0:k0+kc, j0:j0+nc] into NR-wide strips: strip s holds, for each k, NR consecutive
     * columns (zero beyond nc). Layout: dst[s*kc*NR + k*NR + j].
     */
    static void packB(boolean transB, float[] B, int bOff, int ldb, int k0, int kc, int j0, int nc, float[] dst) {
        int full = transB ? 0 : nc / NR * NR;
        // whole strips of a row-major B row by row: each row of the panel is read once, sequentially
        // (strip by strip, NR-float pieces ldb apart, the reads defeat the prefetcher: about 2x slower).
        // arraycopy, not vectors: packB runs once per panel, often before C2 compiles it, and
        // interpreted Vector API code allocates a box per vector
        for (int k = 0; k < kc; k++) {
            int src = bOff + (k0 + k) * ldb + j0;
            for (int js = 0, d = k * NR; js < full; js += NR, d += kc * NR) System.arraycopy(B, src + js, dst, d, NR);
        }
        for (int s = full / NR, js = full; js < nc; s++, js += NR) {
            int w = Math.min(NR, nc - js);
            int base = s * kc * NR;
            if (!transB) {
                int src = bOff + k0 * ldb + j0 + js;
                for (int k = 0; k < kc; k++, src += ldb) {
                    int d = base + k * NR;
                    for (int j = 0; j < w; j++) dst[d + j] = B[src + j];
                    for (int j = w; j < NR; j++) dst[d + j] = 0f;
                }
            } else {
                int j = 0;
                for (; j + 8 <= w; j += 8) packCols8(B, bOff + (j0 + js + j) * ldb + k0, ldb, kc, dst, base + j);
                for (; j < w; j++) {
                    int src = bOff + (j0 + js + j) * ldb + k0;
                    for (int k = 0; k < kc; k++) dst[base + k * NR + j] = B[src + k];
                }
                for (; j < NR; j++) {
                    for (int k = 0; k < kc; k++) dst[base + k * NR + j] = 0f;
                }
            }
        }
    }

    /**
     * Eight columns of a packed strip from a transposed B (stored (N,K)):
     * dst[d0 + k*NR + c] = B[src + c*ldb + k] for c in [0, 8), k in [0, kc). k outer, so each k's
     * eight values are written side by side while eight rows of B are read in step.
     */
    private static void packCols8(float[] B, int src, int ldb, int kc, float[] dst, int d0) {
        int r0 = src + 0 * ldb, r1 = src + 1 * ldb, r2 = src + 2 * ldb, r3 = src + 3 * ldb, r4 = src + 4 * ldb, r5 = src + 5 * ldb, r6 = src + 6 * ldb, r7 = src + 7 * ldb;
        for (int k = 0, d = d0; k < kc; k++, d += NR) {
            dst[d + 0] = B[r0 + k];
            dst[d + 1] = B[r1 + k];
            dst[d + 2] = B[r2 + k];
            dst[d + 3] = B[r3 + k];
            dst[d + 4] = B[r4 + k];
            dst[d + 5] = B[r5 + k];
            dst[d + 6] = B[r6 + k];
            dst[d + 7] = B[r7 + k];
        }
    }

    /**
     * Packs alpha * op(A)[i0:i0+mc, k0:k0+kc] into MR-tall strips: strip s holds, for each k, MR
     * consecutive rows (zero beyond mc). Layout: dst[s*kc*MR + k*MR + i].
     */
    static void packA(boolean transA, float[] A, int aOff, int lda, float alpha, int i0, int mc, int k0, int kc, float[] dst) {
        packA(transA, A, aOff, lda, alpha, i0, mc, k0, kc, dst, 0);
    }

    static void packA(boolean transA, float[] A, int aOff, int lda, float alpha, int i0, int mc, int k0, int kc, float[] dst, int dOff) {
        for (int s = 0, is = 0; is < mc; s++, is += MR) {
            int h = Math.min(MR, mc - is);
            int base = dOff + s * kc * MR;
            if (transA) {
                int src = aOff + k0 * lda + i0 + is;
                for (int k = 0; k < kc; k++, src += lda) {
                    int d = base + k * MR;
                    for (int i = 0; i < h; i++) dst[d + i] = alpha * A[src + i];
                    for (int i = h; i < MR; i++) dst[d + i] = 0f;
                }
            } else if (MR == 12 && h == MR) {
                packRows12(A, aOff + (i0 + is) * lda + k0, lda, alpha, kc, dst, base);
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
     * One full strip of a row-major A: dst[base + k*12 + r] = alpha * A[src + r*lda + k] for 12 rows r
     * and k in [0, kc). The scalar loop of {@link #packA} with k outer: the strip is written
     * sequentially while the 12 rows are read side by side (faster than one row at a time, whose
     * writes land 12 floats apart). Same products, so the same bits.
     */
    private static void packRows12(float[] A, int src, int lda, float alpha, int kc, float[] dst, int base) {
        int r0 = src + 0 * lda, r1 = src + 1 * lda, r2 = src + 2 * lda, r3 = src + 3 * lda, r4 = src + 4 * lda, r5 = src + 5 * lda, r6 = src + 6 * lda, r7 = src + 7 * lda, r8 = src + 8 * lda, r9 = src + 9 * lda, r10 = src + 10 * lda, r11 = src + 11 * lda;
        for (int k = 0, d = base; k < kc; k++, d += 12) {
            dst[d + 0] = alpha * A[r0 + k];
            dst[d + 1] = alpha * A[r1 + k];
            dst[d + 2] = alpha * A[r2 + k];
            dst[d + 3] = alpha * A[r3 + k];
            dst[d + 4] = alpha * A[r4 + k];
            dst[d + 5] = alpha * A[r5 + k];
            dst[d + 6] = alpha * A[r6 + k];
            dst[d + 7] = alpha * A[r7 + k];
            dst[d + 8] = alpha * A[r8 + k];
            dst[d + 9] = alpha * A[r9 + k];
            dst[d + 10] = alpha * A[r10 + k];
            dst[d + 11] = alpha * A[r11 + k];
        }
    }
}
