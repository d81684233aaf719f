package io.bsth.tensor.backend;

import io.bsth.tensor.Rng;

/**
 * The kernel set that autograd ops, the optimiser, the hash head and the search call, over memory
 * the backend owns ({@link DeviceBuffer}). {@link CpuBackend} runs today's kernels on heap arrays;
 * the CUDA backend (module {@code native-cuda}) runs the same contracts on a GPU.
 *
 * <p>Calls are queued in order on one stream: a kernel may return before it has run, and nothing is
 * synchronised per op. Only the downloads (and {@link #synchronize()}) wait, so a training loop that
 * uploads a batch, runs forward, backward and the optimiser step, then downloads the loss moves data
 * once per batch. Every buffer argument is a whole buffer (element 0 first); shapes are in the comments,
 * row-major and dense unless a leading dimension says otherwise. Backward kernels accumulate
 * ({@code +=}) into gradient buffers, as the CPU kernels do. Optional arguments are {@code null}.
 */
public interface Backend extends AutoCloseable {
    /** The device name ({@code cpu}, {@code cuda}). */
    String name();

    /** One line describing the device, for the log line that names the chosen backend. */
    String describe();

    // ---- memory ---------------------------------------------------------------------------------

    /** A zero-filled buffer of n elements. */
    DeviceBuffer allocate(DeviceBuffer.Kind kind, long n);

    /** dst[0..n) = src[off..off+n). */
    void upload(float[] src, int off, int n, DeviceBuffer dst);

    void upload(long[] src, int off, int n, DeviceBuffer dst);

    /** dst[off..off+n) = src[0..n); waits for the queued work that writes src. */
    void download(DeviceBuffer src, float[] dst, int off, int n);

    void download(DeviceBuffer src, int[] dst, int off, int n);

    void download(DeviceBuffer src, long[] dst, int off, int n);

    /** Waits until every queued kernel has run. */
    void synchronize();

    @Override
    void close();

    // ---- matrix products ------------------------------------------------------------------------

    /**
     * {@code batch} products C_b (M,N) = alpha op(A_b) (M,K) op(B_b) (K,N) + beta C_b, matrix b of each
     * operand at element {@code b * stride} (stride 0 reuses one matrix); BLAS conventions as
     * {@link io.bsth.tensor.kernels.Matmul#sgemmBatched}. A plain product is batch 1.
     */
    void sgemmBatched(int batch, boolean transA, boolean transB, int M, int N, int K, float alpha,
                      DeviceBuffer A, int lda, long strideA, DeviceBuffer B, int ldb, long strideB,
                      float beta, DeviceBuffer C, int ldc, long strideC);

    // ---- row-wise ops ---------------------------------------------------------------------------

    /** x, y (rows, C): y = softmax of each row. */
    void softmaxForward(DeviceBuffer x, DeviceBuffer y, int rows, int C);

    /** y, dy, dx (rows, C): dx += y * (dy - {@code <dy, y>}) per row. */
    void softmaxBackward(DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx, int rows, int C);

    /** x, y (rows, C); w, b (C) or null; mean, rstd (rows) written for the backward. */
    void layerNormForward(DeviceBuffer x, DeviceBuffer w, DeviceBuffer b, DeviceBuffer y,
                          DeviceBuffer mean, DeviceBuffer rstd, int rows, int C, float eps);

    /** dy, x (rows, C); w (C) or null; accumulates into dx (rows, C), dw, db (C), any of them null. */
    void layerNormBackward(DeviceBuffer dy, DeviceBuffer x, DeviceBuffer w, DeviceBuffer mean, DeviceBuffer rstd,
                           DeviceBuffer dx, DeviceBuffer dw, DeviceBuffer db, int rows, int C);

    // ---- element-wise ---------------------------------------------------------------------------

    /** Activations over n values; the backward kernels accumulate dx += dy * f'. */
    enum Activation { GELU, TANH, SIGMOID }

    /** y = f(x), x, y (n). */
    void activation(Activation f, DeviceBuffer x, DeviceBuffer y, long n);

    /**
     * dx += dy * f'(x) (n). {@code saved} is what the CPU kernels keep: x for GELU, the output y for
     * tanh and sigmoid.
     */
    void activationBackward(Activation f, DeviceBuffer saved, DeviceBuffer dy, DeviceBuffer dx, long n);

    /**
     * mask (n) = inverted-dropout mask from the next n draws of {@code rng} (the same values as
     * {@link Rng#dropoutMask} on every backend); advances rng by n draws.
     */
    void dropoutMask(Rng rng, DeviceBuffer mask, int n, float p);

    /** Element-wise binary ops over n values: y = a op b, or y += a * b for MUL_ACC. */
    enum Binary { ADD, SUB, MUL, MUL_ACC }

    void binary(Binary op, DeviceBuffer a, DeviceBuffer b, DeviceBuffer y, long n);

    /** y += alpha x (n). */
    void axpy(float alpha, DeviceBuffer x, DeviceBuffer y, long n);

    /** y = alpha x (n). */
    void scale(float alpha, DeviceBuffer x, DeviceBuffer y, long n);

    /** y (n) = v. */
    void fill(DeviceBuffer y, float v, long n);

    /** y (rows, cols) += v (cols) on every row. */
    void addRowVector(DeviceBuffer y, DeviceBuffer v, int rows, int cols);

    /** out (cols) = (or +=) column sums of x (rows, cols). */
    void colSum(DeviceBuffer x, int rows, int cols, DeviceBuffer out, boolean accumulate);

    /** out (rows) = (or +=) row sums of x (rows, cols). */
    void rowSum(DeviceBuffer x, int rows, int cols, DeviceBuffer out, boolean accumulate);

    /** Sum of x (n), read back to the host (a synchronisation point). */
    double sum(DeviceBuffer x, long n);

    // ---- optimiser ------------------------------------------------------------------------------

    /**
     * One Adam step over p, g, m, v (n) at step t (from 1): torch.optim.Adam without amsgrad and weight
     * decay, the arithmetic of {@code io.bsth.autograd.optim.Adam}.
     */
    void adamStep(DeviceBuffer p, DeviceBuffer g, DeviceBuffer m, DeviceBuffer v, long n,
                  double lr, double beta1, double beta2, double eps, long t);

    // ---- BatchNorm ------------------------------------------------------------------------------

    /** mean, var (C): per-column mean and biased variance of x (N, C). */
    void batchStats(DeviceBuffer x, int N, int C, DeviceBuffer mean, DeviceBuffer var);

    /** y = (x - mean) * rstd * w + b per column; x, y (N, C); mean, rstd, w, b (C), w and b may be null. */
    void batchNormForward(DeviceBuffer x, DeviceBuffer mean, DeviceBuffer rstd, DeviceBuffer w, DeviceBuffer b,
                          DeviceBuffer y, int N, int C);

    /** As {@link io.bsth.tensor.kernels.Norm#batchNormBackward}; dx, dw, db accumulate and may be null. */
    void batchNormBackward(DeviceBuffer dy, DeviceBuffer x, DeviceBuffer mean, DeviceBuffer rstd, DeviceBuffer w,
                           DeviceBuffer dx, DeviceBuffer dw, DeviceBuffer db, int N, int C, boolean batchStats);

    // ---- the bit-wise hash head -----------------------------------------------------------------

    /** h (n, G) = tanh(b[g] + a[r, g*H .. g*H+H) . w[g*H .. g*H+H)); a (n, G*H), w (G*H), b (G). */
    void hashHeadForward(DeviceBuffer a, DeviceBuffer w, DeviceBuffer b, DeviceBuffer h, int n, int G, int H);

    /** With z = dh * (1 - h^2): da += z w, dw += sum_r z a, db += sum_r z (da, dw, db may be null). */
    void hashHeadBackward(DeviceBuffer dh, DeviceBuffer h, DeviceBuffer a, DeviceBuffer w,
                          DeviceBuffer da, DeviceBuffer dw, DeviceBuffer db, int n, int G, int H);

    /** codes (n, ceil(nbit/64)) longs: bit j of row r set iff h[r, j] > 0; h (n, nbit). */
    void signPack(DeviceBuffer h, int n, int nbit, DeviceBuffer codes);

    // ---- search ---------------------------------------------------------------------------------

    /** The widest code {@link #hammingTopK} takes. */
    int MAX_SEARCH_BITS = 1024;

    /**
     * Exact Hamming top-k: for each of nq queries (nq, words) the k nearest of n database codes
     * (n, words), words = ceil(nbit/64), ordered by (distance, index); idx, dist (nq, k) ints.
     * Requires {@code 1 <= k <= n} and {@code nbit <=} {@link #MAX_SEARCH_BITS}.
     */
    void hammingTopK(DeviceBuffer queries, int nq, DeviceBuffer db, int n, int nbit, int k,
                     DeviceBuffer idx, DeviceBuffer dist);
}
