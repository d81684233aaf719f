package io.bsth.tensor.kernels;

import io.bsth.tensor.Parallel;
import io.bsth.tensor.Rng;
import io.bsth.tensor.Simd;

import java.util.Arrays;

/**
 * Multi-head scaled dot-product self-attention over a packed in-projection, as PyTorch's
 * MultiheadAttention computes it: per batch element n and head h,
 * {@code P = softmax(Q K^T / sqrt(hd))}, optional dropout {@code Pd = P * mask}, {@code O = Pd V}.
 *
 * <p>Layout: {@code qkv} holds one row of width 3E per token, {@code [q | k | v]}, head h at columns
 * h*hd .. (h+1)*hd of each part; {@code out} one row of width E per token. Token (t, n) is row
 * {@code t*N + n} (sequence first, PyTorch's default) or {@code n*T + t} (batch first).
 * Probabilities are (N, H, T, T).
 *
 * <p>Fused per sequence: one parallel region over the batch, and for each sequence and head the
 * scores go straight into that sequence's slice of the probabilities, the softmax runs on it while it
 * is in cache, the dropout mask is drawn into a small per-thread scratch from the counter-based
 * generator (nothing of the batch's size is stored: backward draws it again), and the products read
 * Q, K and V in place from the packed rows. Each product is the one {@link Matmul} runs for a single
 * matrix of that shape (for A B^T with more than {@link Matmul#smallRows} rows, scale * Q and K^T
 * copied into scratch and multiplied as A B, which is what Matmul's packing does), so every element
 * gets the same multiply-adds in the same order as the batched products and separate softmax,
 * mask and product passes of {@link #forwardComposed}: the same bits.
 */
public final class Attention {
    private Attention() {}

    /** Strides of one layout: between tokens of a sequence and between batch elements, for rows of {@code width}. */
    private record Layout(long tok, long batch) {
        static Layout of(boolean batchFirst, int T, int N, int width) {
            return batchFirst ? new Layout(width, (long) T * width) : new Layout((long) N * width, width);
        }
    }

    /** Per-thread scratch of one sequence and head, grown to the largest size seen, then reused. */
    private static final class Scratch {
        float[] mask = new float[0], pd = new float[0], dS = new float[0], dQ = new float[0], a = new float[0], b = new float[0];

        static float[] grow(float[] x, int n) {
            return x.length < n ? new float[n] : x;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Sequences per parallel task: several tasks per thread, so a busy core does not hold up the rest. */
    private static int grain(int N) {
        return Math.max(1, N / (8 * Math.max(1, Parallel.threads())));
    }

    /** The work on one sequence n, head h, with the worker's scratch. */
    private interface HeadTask {
        void run(int n, int h, Scratch s);
    }

    /** Runs task for every sequence n < N and head h < H, in chunks of whole sequences over the pool. */
    private static void eachHead(int N, int H, HeadTask task) {
        int g = grain(N), tasks = (N + g - 1) / g;
        Parallel.forEach(tasks, t -> {
            Scratch s = SCRATCH.get();
            for (int n = t * g, n1 = Math.min(N, n + g); n < n1; n++) {
                for (int h = 0; h < H; h++) task.run(n, h, s);
            }
        });
    }

    /**
     * qkv (tokens, 3E) -> out (tokens, E); probs (N,H,T,T) receives softmax(QK^T * scale). With
     * {@code drop} non-null (the draws reserved for the N*H*T*T attention weights, e.g. by
     * {@link Rng#reserve}), O uses probs * mask, the mask of dropout p that {@link Rng#dropoutMask}
     * would draw from those draws ({@link Rng#maskOf}).
     */
    public static void forward(float[] qkv, int T, int N, int E, int H, boolean batchFirst,
                               float[] probs, Rng.Block drop, float p, float[] out) {
        check(qkv, T, N, E, H, probs, drop);
        Layout in = Layout.of(batchFirst, T, N, 3 * E), o = Layout.of(batchFirst, T, N, E);
        eachHead(N, H, (n, h, s) -> forwardOne(qkv, T, E, H, in, o, n, h, probs, drop, p, out, s));
    }

    /** One sequence n, head h of {@link #forward}. */
    private static void forwardOne(float[] qkv, int T, int E, int H, Layout in, Layout o, int n, int h,
                                   float[] probs, Rng.Block drop, float p, float[] out, Scratch s) {
        int hd = E / H, tt = T * T;
        int tok = (int) in.tok, q = (int) (n * in.batch) + h * hd;
        int po = (n * H + h) * tt;
        scores(qkv, q, tok, qkv, q + E, tok, T, hd, scale(hd), probs, po, s);
        for (int i = 0; i < T; i++) {
            if (Simd.ENABLED) Softmax.rowSimd(probs, probs, po + i * T, T);
            else Softmax.rowReference(probs, probs, po + i * T, T);
        }
        outputOne(qkv, T, E, H, in, o, n, h, probs, drop, p, out, s);
    }

    /**
     * The output of {@link #forward} again from the probabilities it left: out (tokens, E) = (probs *
     * mask) V, the mask drawn again from {@code drop}; the same kernels on the same values, so the same
     * bits as forward's {@code out}. For a backward that needs the output but did not keep it.
     */
    public static void output(float[] qkv, int T, int N, int E, int H, boolean batchFirst,
                              float[] probs, Rng.Block drop, float p, float[] out) {
        check(qkv, T, N, E, H, probs, drop);
        if (out.length < (long) T * N * E) {
            throw new IllegalArgumentException("attention output: out of " + out.length + " floats is too short for "
                    + N + " sequences of " + T + " tokens, width " + E);
        }
        Layout in = Layout.of(batchFirst, T, N, 3 * E), o = Layout.of(batchFirst, T, N, E);
        eachHead(N, H, (n, h, s) -> outputOne(qkv, T, E, H, in, o, n, h, probs, drop, p, out, s));
    }

    /** O = (P * mask) V for one sequence n, head h, P at its slice of {@code probs}. */
    private static void outputOne(float[] qkv, int T, int E, int H, Layout in, Layout o, int n, int h,
                                  float[] probs, Rng.Block drop, float p, float[] out, Scratch s) {
        int hd = E / H, tt = T * T;
        int tok = (int) in.tok, q = (int) (n * in.batch) + h * hd;
        int po = (n * H + h) * tt;
        float[] pd = probs;
        int pdo = po;
        if (drop != null) {
            pd = s.pd = Scratch.grow(s.pd, tt);
            float[] mask = s.mask = Scratch.grow(s.mask, tt);
            Rng.maskOf(drop, p, po, tt, mask, 0);
            for (int i = 0; i < tt; i++) pd[i] = probs[po + i] * mask[i];
            pdo = 0;
        }
        // O = Pd V
        product(false, false, T, hd, T, 1f, pd, pdo, T, qkv, q + 2 * E, tok, 0f,
                out, (int) (n * o.batch) + h * hd, (int) o.tok);
    }

    /**
     * C (T, T) at c, ld T = scale * A B^T for A, B (T, hd) with rows {@code aTok}, {@code bTok} apart: the product Matmul
     * runs for one matrix of this shape, with the same bits. Its unpacked A B^T kernel where Matmul
     * takes it; otherwise, as its packed path does, scale * A and B^T into scratch, then A B (one fused
     * multiply-add per k in k order from zero, whatever the tile).
     */
    private static void scores(float[] A, int a, int aTok, float[] B, int b, int bTok, int T, int hd, float scale,
                               float[] C, int c, Scratch s) {
        if (Matmul.isSmall(true, T, T, hd) || hd > Matmul.KC || !Simd.ENABLED) {
            product(false, true, T, T, hd, scale, A, a, aTok, B, b, bTok, 0f, C, c, T);
            return;
        }
        float[] as = s.a = Scratch.grow(s.a, T * hd), bt = s.b = Scratch.grow(s.b, hd * T);
        for (int i = 0; i < T; i++) {
            int src = a + i * aTok, dst = i * hd;
            for (int k = 0; k < hd; k++) as[dst + k] = scale * A[src + k];
        }
        for (int k = 0; k < hd; k++) {
            int dst = k * T, src = b + k;
            for (int j = 0; j < T; j++) bt[dst + j] = B[src + j * bTok];
        }
        product(false, false, T, T, hd, 1f, as, 0, hd, bt, 0, T, 0f, C, c, T);
    }

    /** One product on the calling thread: Matmul's single-matrix product, or its scalar reference without SIMD. */
    private static void product(boolean transA, boolean transB, int M, int N, int K, float alpha,
                                float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                                float beta, float[] C, int cOff, int ldc) {
        if (Simd.ENABLED) Matmul.single(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
        else Matmul.sgemmReference(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
    }

    private static float scale(int hd) {
        return (float) (1 / Math.sqrt(hd));
    }

    /**
     * Backward of {@link #forward}: dOut (tokens, E) -> accumulates into dQkv (tokens, 3E). {@code probs}
     * as forward left them; {@code drop} and p as given to forward (the mask is drawn again).
     */
    public static void backward(float[] dOut, float[] qkv, int T, int N, int E, int H, boolean batchFirst,
                                float[] probs, Rng.Block drop, float p, float[] dQkv) {
        backward(dOut, qkv, T, N, E, H, batchFirst, probs, drop, p, dQkv, false);
    }

    /**
     * {@link #backward(float[], float[], int, int, int, int, boolean, float[], Rng.Block, float, float[])}
     * written over qkv itself: dQkv (tokens, 3E) replaces qkv, whose values are lost, with the values
     * that accumulating into a zeroed dQkv gives, bit for bit. Each sequence and head reads only its own
     * columns of q, k and v, so each can be overwritten once its work no longer reads them: dV after
     * dPd = dO V^T, dK after dQ (which reads K) has gone into per-thread scratch, and dQ last.
     */
    public static void backwardInPlace(float[] dOut, float[] qkv, int T, int N, int E, int H, boolean batchFirst,
                                       float[] probs, Rng.Block drop, float p) {
        backward(dOut, qkv, T, N, E, H, batchFirst, probs, drop, p, qkv, true);
    }

    private static void backward(float[] dOut, float[] qkv, int T, int N, int E, int H, boolean batchFirst,
                                 float[] probs, Rng.Block drop, float p, float[] dQkv, boolean inPlace) {
        check(qkv, T, N, E, H, probs, drop);
        if (dOut.length < (long) T * N * E || dQkv.length < qkv.length) {
            throw new IllegalArgumentException("attention backward: dOut of " + dOut.length + " or dQkv of " + dQkv.length
                    + " floats is too short for " + N + " sequences of " + T + " tokens, width " + E);
        }
        Layout in = Layout.of(batchFirst, T, N, 3 * E), o = Layout.of(batchFirst, T, N, E);
        eachHead(N, H, (n, h, s) -> backwardOne(dOut, qkv, T, E, H, in, o, n, h, probs, drop, p, dQkv, inPlace, s));
    }

    /** One sequence n, head h of {@link #backward}; {@code inPlace}: dQkv is qkv (see {@link #backwardInPlace}). */
    private static void backwardOne(float[] dOut, float[] qkv, int T, int E, int H, Layout in, Layout o, int n, int h,
                                    float[] probs, Rng.Block drop, float p, float[] dQkv, boolean inPlace, Scratch s) {
        int hd = E / H, tt = T * T;
        int tok = (int) in.tok, q = (int) (n * in.batch) + h * hd, k = q + E, v = q + 2 * E;
        int otok = (int) o.tok, d = (int) (n * o.batch) + h * hd;
        int po = (n * H + h) * tt;
        float[] pd = probs, mask = null;
        int pdo = po;
        if (drop != null) {
            pd = s.pd = Scratch.grow(s.pd, tt);
            mask = s.mask = Scratch.grow(s.mask, tt);
            Rng.maskOf(drop, p, po, tt, mask, 0);
            for (int i = 0; i < tt; i++) pd[i] = probs[po + i] * mask[i];
            pdo = 0;
        }
        // dPd = dO V^T into the scratch dS (T, T); dV += Pd^T dO
        float[] dS = s.dS = Scratch.grow(s.dS, tt);
        scores(dOut, d, otok, qkv, v, tok, T, hd, 1f, dS, 0, s);
        if (inPlace) zeroColumns(dQkv, v, tok, T, hd);
        product(true, false, T, hd, T, 1f, pd, pdo, T, dOut, d, otok, 1f, dQkv, v, tok);
        // dS = P * (dPd * mask - <dPd * mask, P>), row by row
        if (mask != null) for (int i = 0; i < tt; i++) dS[i] *= mask[i];
        for (int i = 0; i < T; i++) {
            int r = i * T, pr = po + r;
            float dot = Simd.ENABLED ? Norm.rowDot(dS, r, probs, pr, T) : Norm.rowDotReference(dS, r, probs, pr, T);
            for (int j = 0; j < T; j++) dS[r + j] = probs[pr + j] * (dS[r + j] - dot);
        }
        // dQ += scale dS K ; dK += scale dS^T Q
        float scale = scale(hd);
        if (!inPlace) {
            product(false, false, T, hd, T, scale, dS, 0, T, qkv, k, tok, 1f, dQkv, q, tok);
            product(true, false, T, hd, T, scale, dS, 0, T, qkv, q, tok, 1f, dQkv, k, tok);
            return;
        }
        // dQ reads K, dK reads Q: dQ goes to scratch first, then dK over K, then dQ over Q
        float[] dQ = s.dQ = Scratch.grow(s.dQ, T * hd);
        Arrays.fill(dQ, 0, T * hd, 0f);
        product(false, false, T, hd, T, scale, dS, 0, T, qkv, k, tok, 1f, dQ, 0, hd);
        zeroColumns(dQkv, k, tok, T, hd);
        product(true, false, T, hd, T, scale, dS, 0, T, qkv, q, tok, 1f, dQkv, k, tok);
        for (int t = 0; t < T; t++) System.arraycopy(dQ, t * hd, dQkv, q + t * tok, hd);
    }

    /** Zeroes hd columns from a in each of T rows {@code tok} apart. */
    private static void zeroColumns(float[] x, int a, int tok, int T, int hd) {
        for (int t = 0; t < T; t++) Arrays.fill(x, a + t * tok, a + t * tok + hd, 0f);
    }

    /**
     * The composed reference of {@link #forward}: the same computation as separate whole-batch passes
     * (batched products over the strided rows, softmax over all rows, the mask drawn for the whole
     * batch and multiplied in), each through its own kernel. Same bits as the fused forward.
     */
    public static void forwardComposed(float[] qkv, int T, int N, int E, int H, boolean batchFirst,
                                       float[] probs, Rng.Block drop, float p, float[] out) {
        check(qkv, T, N, E, H, probs, drop);
        int hd = E / H;
        float scale = scale(hd);
        Layout in = Layout.of(batchFirst, T, N, 3 * E), o = Layout.of(batchFirst, T, N, E);
        int tt = T * T, maps = N * H * tt;
        long pStride = (long) H * tt;
        for (int h = 0; h < H; h++) {
            Matmul.sgemmBatched(N, false, true, T, T, hd, scale,
                    qkv, h * hd, (int) in.tok, in.batch,
                    qkv, E + h * hd, (int) in.tok, in.batch,
                    0f, probs, h * tt, T, pStride);
        }
        Softmax.forward(probs, probs, N * H * T, T);
        float[] pd = probs;
        if (drop != null) {
            float[] mask = new float[maps];
            Rng.maskOf(drop, p, 0, maps, mask, 0);
            pd = new float[maps];
            Elementwise.mul(probs, 0, mask, 0, pd, 0, maps);
        }
        for (int h = 0; h < H; h++) {
            Matmul.sgemmBatched(N, false, false, T, hd, T, 1f,
                    pd, h * tt, T, pStride,
                    qkv, 2 * E + h * hd, (int) in.tok, in.batch,
                    0f, out, h * hd, (int) o.tok, o.batch);
        }
    }

    /** The composed reference of {@link #backward}, in whole-batch passes as {@link #forwardComposed}. */
    public static void backwardComposed(float[] dOut, float[] qkv, int T, int N, int E, int H, boolean batchFirst,
                                        float[] probs, Rng.Block drop, float p, float[] dQkv) {
        check(qkv, T, N, E, H, probs, drop);
        int hd = E / H;
        float scale = scale(hd);
        Layout in = Layout.of(batchFirst, T, N, 3 * E), o = Layout.of(batchFirst, T, N, E);
        int tt = T * T, maps = N * H * tt;
        long pStride = (long) H * tt;
        float[] pd = probs, mask = null, dP = new float[maps];
        if (drop != null) {
            mask = new float[maps];
            Rng.maskOf(drop, p, 0, maps, mask, 0);
            pd = new float[maps];
            Elementwise.mul(probs, 0, mask, 0, pd, 0, maps);
        }
        for (int h = 0; h < H; h++) {
            // dPd = dO V^T ; dV += Pd^T dO
            Matmul.sgemmBatched(N, false, true, T, T, hd, 1f,
                    dOut, h * hd, (int) o.tok, o.batch,
                    qkv, 2 * E + h * hd, (int) in.tok, in.batch,
                    0f, dP, h * tt, T, pStride);
            Matmul.sgemmBatched(N, true, false, T, hd, T, 1f,
                    pd, h * tt, T, pStride,
                    dOut, h * hd, (int) o.tok, o.batch,
                    1f, dQkv, 2 * E + h * hd, (int) in.tok, in.batch);
        }
        if (mask != null) Elementwise.mul(dP, 0, mask, 0, dP, 0, maps);
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

    private static void check(float[] qkv, int T, int N, int E, int H, float[] probs, Rng.Block drop) {
        if (T < 0 || N < 0 || H <= 0 || E % H != 0) {
            throw new IllegalArgumentException("attention: " + N + " sequences of " + T + " tokens, width " + E + ", "
                    + H + " heads: expected non-negative sizes and a width divisible by the heads");
        }
        long tokens = (long) T * N, maps = tokens * T * H;
        if (qkv.length < tokens * 3 * E || probs.length < maps) {
            throw new IllegalArgumentException("attention: qkv of " + qkv.length + " or probs of " + probs.length
                    + " floats is too short for " + N + " sequences of " + T + " tokens, width " + E + ", " + H + " heads");
        }
        if (drop != null && drop.n() != maps) {
            throw new IllegalArgumentException("attention: " + drop.n() + " dropout draws for " + maps + " attention weights");
        }
    }
}
