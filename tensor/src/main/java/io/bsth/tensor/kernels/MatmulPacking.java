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
        final float[] b = new float[KC * NC];
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
    static void packA(boolean transA, float[] A, int aOff, int lda, float alpha, int i0, int mc, int k0, int kc, float[] dst) {
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
}
