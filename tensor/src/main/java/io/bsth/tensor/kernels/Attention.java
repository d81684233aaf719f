package io.bsth.tensor.kernels;


/**
 * Multi-head scaled dot-product self-attention over a packed in-projection, as PyTorch's
 * MultiheadAttention computes it: per batch element n and head h,
 * {@code P = softmax(Q K^T / sqrt(hd))}, optional dropout {@code Pd = P * mask}, {@code O = Pd V}.
 *
 * <p>Layout: {@code qkv} holds one row of width 3E per token, {@code [q | k | v]}, head h at columns
 * h*hd .. (h+1)*hd of each part; {@code out} one row of width E per token. Token (t, n) is row
 * {@code t*N + n} (sequence first, PyTorch's default) or {@code n*T + t} (batch first). All matrix
 * products go through {@link Matmul#sgemmBatched} with strides, so nothing is transposed or copied.
 * Probabilities are (N, H, T, T).
 */
public final class Attention {
    private Attention() {}

    /** Strides of one layout: between tokens of a sequence and between batch elements, for rows of {@code width}. */
    private record Layout(long tok, long batch) {
        static Layout of(boolean batchFirst, int T, int N, int width) {
            return batchFirst ? new Layout(width, (long) T * width) : new Layout((long) N * width, width);
        }
    }

    /**
     * qkv (tokens, 3E) -> out (tokens, E); probs (N,H,T,T) receives softmax(QK^T * scale); when
     * {@code mask} (N,H,T,T) is non-null, {@code dropped} receives probs * mask and is used for O.
     */
    public static void forward(float[] qkv, int T, int N, int E, int H, boolean batchFirst,
                               float[] probs, float[] mask, float[] dropped, float[] out) {
        int hd = E / H;
        float scale = (float) (1 / Math.sqrt(hd));
        Layout in = Layout.of(batchFirst, T, N, 3 * E), o = Layout.of(batchFirst, T, N, E);
        int tt = T * T;
        long pStride = (long) H * tt;
        for (int h = 0; h < H; h++) {
            Matmul.sgemmBatched(N, false, true, T, T, hd, scale,
                    qkv, h * hd, (int) in.tok, in.batch,
                    qkv, E + h * hd, (int) in.tok, in.batch,
                    0f, probs, h * tt, T, pStride);
        }
        Softmax.forward(probs, probs, N * H * T, T);
        float[] p = probs;
        if (mask != null) {
            int n = probs.length;
            Elementwise.mul(probs, 0, mask, 0, dropped, 0, n);
            p = dropped;
        }
        for (int h = 0; h < H; h++) {
            Matmul.sgemmBatched(N, false, false, T, hd, T, 1f,
                    p, h * tt, T, pStride,
                    qkv, 2 * E + h * hd, (int) in.tok, in.batch,
                    0f, out, h * hd, (int) o.tok, o.batch);
        }
    }

    /**
     * Backward of {@link #forward}: dOut (tokens, E) -> accumulates into dQkv (tokens, 3E).
     * {@code dropped} is the Pd of forward (or probs when no dropout), {@code mask} as in forward.
     */
    public static void backward(float[] dOut, float[] qkv, int T, int N, int E, int H, boolean batchFirst,
                                float[] probs, float[] mask, float[] dropped, float[] dQkv) {
        backward(dOut, qkv, T, N, E, H, batchFirst, probs, mask, dropped, dQkv, new float[probs.length]);
    }

    /** As {@link #backward(float[], float[], int, int, int, int, boolean, float[], float[], float[], float[])} with scratch dP (N,H,T,T), overwritten. */
    public static void backward(float[] dOut, float[] qkv, int T, int N, int E, int H, boolean batchFirst,
                                float[] probs, float[] mask, float[] dropped, float[] dQkv, float[] dP) {
        int hd = E / H;
        float scale = (float) (1 / Math.sqrt(hd));
        Layout in = Layout.of(batchFirst, T, N, 3 * E), o = Layout.of(batchFirst, T, N, E);
        int tt = T * T;
        long pStride = (long) H * tt;
        float[] pd = mask != null ? dropped : probs;
        for (int h = 0; h < H; h++) {
            // dPd = dO V^T
            Matmul.sgemmBatched(N, false, true, T, T, hd, 1f,
                    dOut, h * hd, (int) o.tok, o.batch,
                    qkv, 2 * E + h * hd, (int) in.tok, in.batch,
                    0f, dP, h * tt, T, pStride);
            // dV += Pd^T dO
            Matmul.sgemmBatched(N, true, false, T, hd, T, 1f,
                    pd, h * tt, T, pStride,
                    dOut, h * hd, (int) o.tok, o.batch,
                    1f, dQkv, 2 * E + h * hd, (int) in.tok, in.batch);
        }
        if (mask != null) {
            int n = probs.length;
            Elementwise.mul(dP, 0, mask, 0, dP, 0, n);
        }
        Softmax.backwardInPlace(probs, dP, N * H * T, T);
        for (int h = 0; h < H; h++) {
            // dQ += scale dS K ; dK += scale dS^T Q
            Matmul.sgemmBatched(N, false, false, T, hd, T, scale,
                    dP, h * tt, T, pStride,
                    qkv, E + h * hd, (int) in.tok, in.batch,
                    1f, dQkv, h * hd, (int) in.tok, in.batch);
            Matmul.sgemmBatched(N, true, false, T, hd, T, scale,
                    dP, h * tt, T, pStride,
                    qkv, h * hd, (int) in.tok, in.batch,
                    1f, dQkv, E + h * hd, (int) in.tok, in.batch);
        }
    }
}
