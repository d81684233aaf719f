package io.bsth.autograd;

import io.bsth.tensor.Parallel;
import io.bsth.tensor.Rng;
import io.bsth.tensor.Tensor;
import io.bsth.tensor.kernels.Activation;
import io.bsth.tensor.kernels.Attention;
import io.bsth.tensor.kernels.Elementwise;
import io.bsth.tensor.kernels.Matmul;
import io.bsth.tensor.kernels.Norm;
import io.bsth.tensor.kernels.Reduce;
import io.bsth.tensor.kernels.Softmax;

import java.util.Arrays;

/**
 * Every differentiable op (PyTorch's {@code torch.nn.functional} and tensor arithmetic), forward and
 * backward side by side. Each op computes its value with whole-array kernels from the tensor module
 * and, when recording ({@link Grad}), attaches through {@link Var#result} a backward closure that
 * accumulates (+=) into its inputs' gradients. The modules in {@code nn} hold parameters and call
 * these; they record nothing themselves. Inputs are dense row-major {@link Var}s; shapes in the
 * comments. Parallel work goes through {@link Parallel} with the grain sizes chosen there.
 */
public final class F {
    private F() {}

    /** d[i] += g[i] for i in [0, n): the gradient of an op that passes its input through. */
    private static void addInto(float[] d, float[] g, int n) {
        Elementwise.add(d, 0, g, 0, d, 0, n);
    }

    /**
     * x's gradient += g, where g is the gradient of the op whose backward is running: x takes g itself
     * when it has no gradient yet ({@link Var#adoptGrad}) and {@code mayAdopt} (g taken by no other
     * input). Returns whether x took it.
     */
    private static boolean passGrad(Var x, float[] g, int n, boolean mayAdopt) {
        if (mayAdopt && x.adoptGrad(g)) return true;
        addInto(x.gradBuf(), g, n);
        return false;
    }

    private static void requireSameShape(String op, Var a, Var b) {
        if (!a.sameShape(b)) {
            throw new IllegalArgumentException(op + ": shapes " + Arrays.toString(a.shape()) + " and "
                    + Arrays.toString(b.shape()) + " differ");
        }
    }

    // ---- linear algebra -------------------------------------------------------------------------

    /** a (M,K) @ b (K,N) -> (M,N). */
    public static Var matmul(Var a, Var b) {
        return matmul(a, false, b, false);
    }

    /** op(a) @ op(b) for 2-D a, b; {@code transA} reads a stored (K,M) as its transpose, likewise b (N,K). */
    public static Var matmul(Var a, boolean transA, Var b, boolean transB) {
        if (a.dim() != 2 || b.dim() != 2) throw new IllegalArgumentException("matmul: expected 2-D operands");
        int M = transA ? a.size(1) : a.size(0), K = transA ? a.size(0) : a.size(1);
        int Kb = transB ? b.size(1) : b.size(0), N = transB ? b.size(0) : b.size(1);
        if (K != Kb) {
            throw new IllegalArgumentException("matmul: inner sizes differ: " + Arrays.toString(a.shape())
                    + (transA ? "^T" : "") + " @ " + Arrays.toString(b.shape()) + (transB ? "^T" : ""));
        }
        float[] A = a.data(), B = b.data();
        int lda = a.size(1), ldb = b.size(1);
        float[] C = StepBuffers.take(M * N);
        Matmul.sgemm(transA, transB, M, N, K, 1f, A, 0, lda, B, 0, ldb, 0f, C, 0, N);
        return Var.result("matmul", C, new int[] {M, N}, g -> {
            if (a.needsGrad()) {
                // dA = g (M,N) @ op(B)^T, stored as (M,K) or, when transA, (K,M) = op(B) @ g^T
                if (!transA) Matmul.sgemm(false, !transB, M, K, N, 1f, g, 0, N, B, 0, ldb, 1f, a.gradBuf(), 0, lda);
                else Matmul.sgemm(transB, true, K, M, N, 1f, B, 0, ldb, g, 0, N, 1f, a.gradBuf(), 0, lda);
            }
            if (b.needsGrad()) {
                // dB = op(A)^T @ g (K,N), or when transB, (N,K) = g^T @ op(A)
                if (!transB) Matmul.sgemm(!transA, false, K, N, M, 1f, A, 0, lda, g, 0, N, 1f, b.gradBuf(), 0, ldb);
                else Matmul.sgemm(true, transA, N, K, M, 1f, g, 0, N, A, 0, lda, 1f, b.gradBuf(), 0, ldb);
            }
        }, a, b);
    }

    /** x (..., in) @ w^T + b: w (out, in), b (out) or null -> (..., out). */
    public static Var linear(Var x, Var w, Var b) {
        int in = w.size(1), out = w.size(0);
        if (x.size(-1) != in) {
            throw new IllegalArgumentException("linear: input width " + x.size(-1) + ", weight " + Arrays.toString(w.shape()));
        }
        if (b != null && (b.dim() != 1 || b.size(0) != out)) {
            throw new IllegalArgumentException("linear: bias shape " + Arrays.toString(b.shape()) + ", expected [" + out + "]");
        }
        int rows = x.numel() / in;
        float[] X = x.data(), W = w.data();
        float[] Y = StepBuffers.take(rows * out);
        Matmul.sgemm(false, true, rows, out, in, 1f, X, 0, in, W, 0, in, 0f, Y, 0, out);
        if (b != null) Elementwise.addRowVector(Y, 0, b.data(), 0, rows, out);
        int[] shape = x.shape();
        shape[shape.length - 1] = out;
        // x's value is read again through data(): it may have been dropped meanwhile (Var.dropValue)
        return Var.result("linear", Y, shape, g -> {
            if (x.needsGrad()) Matmul.sgemm(false, false, rows, in, out, 1f, g, 0, out, W, 0, in, 1f, x.gradBuf(), 0, in);
            if (w.needsGrad()) Matmul.sgemm(true, false, out, in, rows, 1f, g, 0, out, x.data(), 0, in, 1f, w.gradBuf(), 0, in);
            if (b != null && b.needsGrad()) Reduce.colSum(g, 0, rows, out, b.gradBuf(), 0, true);
        }, x, w, b);
    }

    /**
     * linear(dropout(gelu(x)), w, b) as one op, the feed-forward of a transformer layer after its first
     * linear map: x (..., in), w (out, in), b (out) or null -> (..., out). Only x is stored: backward
     * computes the GELU and the dropout (its mask drawn again from {@code rng}'s draws) once more
     * instead of keeping their output. Dropout p applies when {@code training}. Same values, gradients
     * and draws, bit for bit, as {@code linear(dropout(gelu(x), p, training, rng), w, b)}.
     */
    public static Var geluDropoutLinear(Var x, float p, boolean training, Rng rng, Var w, Var b) {
        if (training && p == 1f) return linear(dropout(gelu(x), p, training, rng), w, b);
        int in = w.size(1), out = w.size(0);
        if (x.size(-1) != in) {
            throw new IllegalArgumentException("geluDropoutLinear: input width " + x.size(-1) + ", weight " + Arrays.toString(w.shape()));
        }
        if (b != null && (b.dim() != 1 || b.size(0) != out)) {
            throw new IllegalArgumentException("geluDropoutLinear: bias shape " + Arrays.toString(b.shape()) + ", expected [" + out + "]");
        }
        int n = x.numel(), rows = n / in;
        boolean drop = training && p > 0f;
        float[] X = x.data(), W = w.data();
        float[] A = StepBuffers.take(n);
        Activation.gelu(X, A, n);
        Rng.Block draws = drop ? rng.dropout(A, A, n, p) : null;
        float[] Y = StepBuffers.take(rows * out);
        Matmul.sgemm(false, true, rows, out, in, 1f, A, 0, in, W, 0, in, 0f, Y, 0, out);
        if (b != null) Elementwise.addRowVector(Y, 0, b.data(), 0, rows, out);
        StepBuffers.release(A);
        int[] shape = x.shape();
        shape[shape.length - 1] = out;
        return Var.result("geluDropoutLinear", Y, shape, g -> {
            if (w.needsGrad()) {
                float[] a = StepBuffers.take(n);
                Activation.gelu(X, a, n);
                if (drop) Rng.dropoutAgain(draws, p, a, a);
                Matmul.sgemm(true, false, out, in, rows, 1f, g, 0, out, a, 0, in, 1f, w.gradBuf(), 0, in);
                StepBuffers.release(a);
            }
            if (b != null && b.needsGrad()) Reduce.colSum(g, 0, rows, out, b.gradBuf(), 0, true);
            if (x.needsGrad()) {
                float[] dA = StepBuffers.takeZeroed(n);
                Matmul.sgemm(false, false, rows, in, out, 1f, g, 0, out, W, 0, in, 1f, dA, 0, in);
                if (drop) {
                    float[] dGelu = StepBuffers.takeZeroed(n);
                    Rng.dropoutBackward(draws, p, dA, dGelu);
                    StepBuffers.release(dA);
                    dA = dGelu;
                }
                Activation.geluBackward(X, dA, x.gradBuf(), n);
                StepBuffers.release(dA);
            }
        }, x, w, b);
    }

    /**
     * G independent linear maps over groups of channels (Conv2d(G*in, G*out, 1, groups=G) on
     * (n, G*in, 1, 1)): x (n, G*in), w (G*out, in) (any trailing 1s), b (G*out) or null -> (n, G*out);
     * group g reads channels [g*in, (g+1)*in) and writes [g*out, (g+1)*out).
     */
    public static Var groupedLinear(Var x, Var w, Var b, int groups) {
        int G = groups, out = w.size(0) / G, in = w.numel() / w.size(0), ci = G * in, co = G * out;
        if (x.dim() != 2 || x.size(1) != ci) {
            throw new IllegalArgumentException("groupedLinear(" + G + " groups, " + in + " -> " + out + "): expected input (n, "
                    + ci + "), got " + Arrays.toString(x.shape()));
        }
        int n = x.size(0);
        float[] X = x.data(), W = w.data(), Y = StepBuffers.take(n * co);
        // Y_g (n, out) = X_g (n, in) @ W_g^T
        Matmul.sgemmBatched(G, false, true, n, out, in, 1f, X, 0, ci, in, W, 0, in, (long) out * in, 0f, Y, 0, co, out);
        if (b != null) Elementwise.addRowVector(Y, 0, b.data(), 0, n, co);
        return Var.result("groupedLinear", Y, new int[] {n, co}, g -> {
            // dX_g += g_g @ W_g ; dW_g += g_g^T @ X_g ; db += column sums of g
            if (x.needsGrad()) {
                Matmul.sgemmBatched(G, false, false, n, in, out, 1f, g, 0, co, out, W, 0, in, (long) out * in,
                        1f, x.gradBuf(), 0, ci, in);
            }
            if (w.needsGrad()) {
                Matmul.sgemmBatched(G, true, false, out, in, n, 1f, g, 0, co, out, X, 0, ci, in,
                        1f, w.gradBuf(), 0, in, (long) out * in);
            }
            if (b != null && b.needsGrad()) Reduce.colSum(g, 0, n, co, b.gradBuf(), 0, true);
        }, x, w, b);
    }

    // ---- arithmetic -----------------------------------------------------------------------------

    /** a + b, same shapes. */
    public static Var add(Var a, Var b) {
        return add("add", a, b, false);
    }

    /**
     * a + b written over a's array, as {@link #add}: a's value is lost, so only for an a that nothing
     * reads again (its own op's backward included, as a LayerNorm's, which reads its input, not its
     * output). The result shares the array with a, which keeps it until a's backward. Same values and
     * gradients, bit for bit.
     */
    public static Var addInPlace(Var a, Var b) {
        return add("addInPlace", a, b, true);
    }

    /** a + b into a new array, or over a's own with {@code overwrite}; the gradient passes to both as it is. */
    private static Var add(String op, Var a, Var b, boolean overwrite) {
        requireSameShape(op, a, b);
        int n = a.numel();
        float[] A = a.data(), B = b.data(), Y = overwrite ? A : StepBuffers.take(n);
        Elementwise.add(A, 0, B, 0, Y, 0, n);
        return Var.result(op, Y, a.shape(), g -> {
            boolean taken = a.needsGrad() && passGrad(a, g, n, true);
            if (b.needsGrad()) passGrad(b, g, n, !taken);
        }, a, b);
    }

    /** a - b, same shapes. */
    public static Var sub(Var a, Var b) {
        requireSameShape("sub", a, b);
        int n = a.numel();
        float[] A = a.data(), B = b.data(), Y = StepBuffers.take(n);
        Elementwise.sub(A, 0, B, 0, Y, 0, n);
        return Var.result("sub", Y, a.shape(), g -> {
            if (a.needsGrad()) addInto(a.gradBuf(), g, n);
            if (b.needsGrad()) Elementwise.axpy(-1f, g, 0, b.gradBuf(), 0, n);
        }, a, b);
    }

    /** a * b element-wise, same shapes. */
    public static Var mul(Var a, Var b) {
        requireSameShape("mul", a, b);
        int n = a.numel();
        float[] A = a.data(), B = b.data(), Y = StepBuffers.take(n);
        Elementwise.mul(A, 0, B, 0, Y, 0, n);
        return Var.result("mul", Y, a.shape(), g -> {
            if (a.needsGrad()) Elementwise.mulAcc(g, 0, B, 0, a.gradBuf(), 0, n);
            if (b.needsGrad()) Elementwise.mulAcc(g, 0, A, 0, b.gradBuf(), 0, n);
        }, a, b);
    }

    /** s * a. */
    public static Var scale(Var a, float s) {
        int n = a.numel();
        float[] A = a.data(), Y = StepBuffers.take(n);
        Elementwise.scale(s, A, 0, Y, 0, n);
        return Var.result("scale", Y, a.shape(), g -> Elementwise.axpy(s, g, 0, a.gradBuf(), 0, n), a);
    }

    /** a + c for a constant c. */
    public static Var addScalar(Var a, float c) {
        int n = a.numel();
        float[] A = a.data(), Y = StepBuffers.take(n);
        Parallel.forRange(n, Parallel.GRAIN, (lo, hi) -> {
            for (int i = lo; i < hi; i++) Y[i] = A[i] + c;
        });
        return Var.result("addScalar", Y, a.shape(), g -> addInto(a.gradBuf(), g, n), a);
    }

    /** Sum of all elements -> shape () . Accumulated in double. */
    public static Var sum(Var a) {
        int n = a.numel();
        float[] y = {(float) Reduce.sum(a.data(), 0, n)};
        return Var.result("sum", y, new int[0], g -> addConstant(a.gradBuf(), g[0], n), a);
    }

    /** Mean of all elements -> shape (). */
    public static Var mean(Var a) {
        int n = a.numel();
        float[] y = {(float) (Reduce.sum(a.data(), 0, n) / n)};
        return Var.result("mean", y, new int[0], g -> addConstant(a.gradBuf(), g[0] / n, n), a);
    }

    /** d[i] += v for i in [0, n): the gradient of a full reduction spread over its input. */
    private static void addConstant(float[] d, float v, int n) {
        Parallel.forRange(n, Parallel.GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) d[i] += v;
        });
    }

    /** Sum of {@code coef[i] * terms[i]} over one-element terms (a weighted loss) -> shape (). */
    public static Var weightedSum(float[] coef, Var... terms) {
        if (coef.length != terms.length) throw new IllegalArgumentException("weightedSum: " + coef.length + " weights for " + terms.length + " terms");
        double acc = 0;
        for (int i = 0; i < terms.length; i++) acc += (double) coef[i] * terms[i].item();
        float[] c = coef.clone();
        return Var.result("weightedSum", new float[] {(float) acc}, new int[0], g -> {
            for (int i = 0; i < terms.length; i++) if (terms[i].needsGrad()) terms[i].gradBuf()[0] += c[i] * g[0];
        }, terms);
    }

    // ---- activations ----------------------------------------------------------------------------

    public static Var tanh(Var x) {
        int n = x.numel();
        float[] Y = StepBuffers.take(n);
        Activation.tanh(x.data(), Y, n);
        return Var.result("tanh", Y, x.shape(), g -> Activation.tanhBackward(Y, g, x.gradBuf(), n), x);
    }

    public static Var sigmoid(Var x) {
        int n = x.numel();
        float[] Y = StepBuffers.take(n);
        Activation.sigmoid(x.data(), Y, n);
        return Var.result("sigmoid", Y, x.shape(), g -> Activation.sigmoidBackward(Y, g, x.gradBuf(), n), x);
    }

    /** Exact GELU: x * Phi(x) (PyTorch's default {@code approximate='none'}). */
    public static Var gelu(Var x) {
        int n = x.numel();
        float[] X = x.data(), Y = StepBuffers.take(n);
        Activation.gelu(X, Y, n);
        return Var.result("gelu", Y, x.shape(), g -> Activation.geluBackward(X, g, x.gradBuf(), n), x);
    }

    /** sign(x) in {-1, 0, 1}; its gradient is zero (as torch.sign), so the result is a constant. */
    public static Var sign(Var x) {
        int n = x.numel();
        float[] X = x.data(), Y = StepBuffers.take(n);
        Parallel.forRange(n, Parallel.GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) Y[i] = Math.signum(X[i]);
        });
        return Var.of(Y, x.shape());
    }

    /** Inverted dropout: in training, x * mask with mask in {0, 1/(1-p)} from {@code rng}; otherwise x itself. */
    public static Var dropout(Var x, float p, boolean training, Rng rng) {
        if (!training || p == 0f) return x;
        if (p == 1f) return scale(x, 0f);
        int n = x.numel();
        float[] X = x.data(), Y = StepBuffers.take(n);
        // the mask is not stored: backward redraws it from the same counter-based draws
        Rng.Block draws = rng.dropout(X, Y, n, p);
        return Var.result("dropout", Y, x.shape(), g -> Rng.dropoutBackward(draws, p, g, x.gradBuf()), x);
    }

    /** Softmax over the last dimension (max-subtracted). */
    public static Var softmax(Var x) {
        int C = x.size(-1), rows = x.numel() / Math.max(1, C);
        float[] Y = StepBuffers.take(x.numel());
        Softmax.forward(x.data(), Y, rows, C);
        return Var.result("softmax", Y, x.shape(), g -> Softmax.backward(Y, g, x.gradBuf(), rows, C), x);
    }

    // ---- shapes ---------------------------------------------------------------------------------

    /** Same elements, new shape (one entry may be -1); shares the value storage. */
    public static Var reshape(Var x, int... shape) {
        int[] s = x.tensor().reshape(shape).shape();
        int n = x.numel();
        return Var.result("reshape", x.data(), s, g -> passGrad(x, g, n, true), x);
    }

    /** Dimensions reordered (result dim i = input dim perm[i]), copied to a dense layout. */
    public static Var permute(Var x, int... perm) {
        Tensor v = x.tensor().permute(perm);
        float[] Y = v.toArray();
        int[] inv = new int[perm.length];
        for (int i = 0; i < perm.length; i++) inv[x.tensor().axis(perm[i])] = i;
        int[] outShape = v.shape();
        return Var.result("permute", Y, outShape, g -> {
            float[] back = Tensor.of(g, outShape).permute(inv).toArray();
            addInto(x.gradBuf(), back, back.length);
        }, x);
    }

    /** Rows {@code start .. start+len-1} of dim 0 (a copy). */
    public static Var narrowRows(Var x, int start, int len) {
        int inner = x.numel() / Math.max(1, x.size(0));
        if (start < 0 || len < 0 || start + len > x.size(0)) {
            throw new IndexOutOfBoundsException("narrowRows [" + start + ", " + (start + len) + ") of " + x.size(0));
        }
        float[] Y = Arrays.copyOfRange(x.data(), start * inner, (start + len) * inner);
        int[] s = x.shape();
        s[0] = len;
        return Var.result("narrowRows", Y, s, g -> {
            float[] d = x.gradBuf();
            for (int i = 0; i < g.length; i++) d[start * inner + i] += g[i];
        }, x);
    }

    /** Rows of {@code weight} (V, D) picked by {@code idx} -> (idx.length, D); rows equal to paddingIdx get no gradient (-1: none). */
    public static Var embedding(Var weight, int[] idx, int paddingIdx) {
        int V = weight.size(0), D = weight.size(1);
        float[] W = weight.data(), Y = StepBuffers.take(idx.length * D);
        for (int r = 0; r < idx.length; r++) {
            if (idx[r] < 0 || idx[r] >= V) throw new IndexOutOfBoundsException("embedding: index " + idx[r] + " outside [0, " + V + ")");
            System.arraycopy(W, idx[r] * D, Y, r * D, D);
        }
        int[] ix = idx.clone();
        return Var.result("embedding", Y, new int[] {idx.length, D}, g -> {
            float[] d = weight.gradBuf();
            for (int r = 0; r < ix.length; r++) {
                if (ix[r] == paddingIdx) continue;
                int o = ix[r] * D;
                for (int j = 0; j < D; j++) d[o + j] += g[r * D + j];
            }
        }, weight);
    }

    /**
     * x + pe[t] at every position t: x (T, N, d) sequence first, or (N, T, d) when {@code batchFirst};
     * pe (maxLen, 1, d) or (maxLen, d), a constant table (the sinusoidal positional encoding).
     */
    public static Var addPositionalEncoding(Var x, Tensor pe, boolean batchFirst) {
        return addPositionalEncoding(x, pe, batchFirst, false);
    }

    private static Var addPositionalEncoding(Var x, Tensor pe, boolean batchFirst, boolean overwrite) {
        float[] Y = positionalSum(x, pe, batchFirst, overwrite);
        int n = Y.length;
        return Var.result("addPositionalEncoding", Y, x.shape(), g -> addInto(x.gradBuf(), g, n), x);
    }

    /** x + pe[t] into a new array, or over x's own with {@code overwrite} (the value of {@link #addPositionalEncoding}). */
    private static float[] positionalSum(Var x, Tensor pe, boolean batchFirst, boolean overwrite) {
        int d = x.size(2), T = batchFirst ? x.size(1) : x.size(0), N = batchFirst ? x.size(0) : x.size(1);
        if (T > pe.size(0)) throw new IllegalArgumentException("PositionalEncoding: sequence of " + T + " exceeds max_len " + pe.size(0));
        float[] X = x.data(), Y = overwrite ? X : StepBuffers.take(X.length), P = pe.contiguous().data();
        int pOff = pe.contiguous().offset();
        Parallel.forRange(T * N, Parallel.rowGrain(d), (s, e) -> {
            for (int r = s; r < e; r++) {
                int t = batchFirst ? r % T : r / N;
                int o = r * d, po = pOff + t * d;
                for (int j = 0; j < d; j++) Y[o + j] = X[o + j] + P[po + j];
            }
        });
        return Y;
    }

    /**
     * dropout(x + pe[t]) as one op ({@link #addPositionalEncoding}, then {@link #dropout} in place): the
     * sum is not stored, backward draws the mask again from {@code rng}'s draws. Same values, gradients
     * and draws, bit for bit, as {@code dropout(addPositionalEncoding(x, pe, batchFirst), p, training, rng)}.
     */
    public static Var addPositionalEncoding(Var x, Tensor pe, boolean batchFirst, float p, boolean training, Rng rng) {
        return addPositionalEncoding(x, pe, batchFirst, p, training, rng, false);
    }

    /**
     * {@link #addPositionalEncoding(Var, Tensor, boolean, float, boolean, Rng)}, with {@code overwrite}
     * written over x's own array instead of a new one: x's value is lost, so only for an x that nothing
     * reads again (its own op's backward included, as a linear map's, which reads its input, not its
     * output). The result shares the array with x, which keeps it until x's backward. Same values,
     * gradients and draws, bit for bit.
     */
    public static Var addPositionalEncoding(Var x, Tensor pe, boolean batchFirst, float p, boolean training, Rng rng, boolean overwrite) {
        if (!training || p == 0f || p == 1f) return dropout(addPositionalEncoding(x, pe, batchFirst, overwrite), p, training, rng);
        float[] Y = positionalSum(x, pe, batchFirst, overwrite);
        int n = Y.length;
        Rng.Block draws = rng.dropout(Y, Y, n, p);
        return Var.result("addPositionalEncodingDropout", Y, x.shape(), g -> {
            float[] dSum = StepBuffers.takeZeroed(n);
            Rng.dropoutBackward(draws, p, g, dSum);
            addInto(x.gradBuf(), dSum, n);
            StepBuffers.release(dSum);
        }, x);
    }

    // ---- normalisation --------------------------------------------------------------------------

    /** Rows of x (..., C) divided by max(||row||_2, eps), as F.normalize(x, p=2, dim=-1, eps). */
    public static Var normalizeRows(Var x, float eps) {
        int C = x.size(-1), rows = x.numel() / Math.max(1, C);
        float[] Y = StepBuffers.take(x.numel()), norm = StepBuffers.take(rows);
        Norm.l2NormalizeForward(x.data(), Y, norm, rows, C, eps);
        return Var.result("normalize", Y, x.shape(), g -> Norm.l2NormalizeBackward(Y, norm, g, x.gradBuf(), rows, C, eps), x);
    }

    /** LayerNorm over the last dim: (x - mean) * rstd * w + b; w, b (C) or null. */
    public static Var layerNorm(Var x, Var w, Var b, float eps) {
        int C = x.size(-1), rows = x.numel() / Math.max(1, C);
        float[] Y = StepBuffers.take(x.numel()), mean = StepBuffers.take(rows), rstd = StepBuffers.take(rows);
        float[] W = w == null ? null : w.data(), B = b == null ? null : b.data();
        Norm.layerNormForward(x.data(), W, B, Y, mean, rstd, rows, C, eps);
        // x's value is read again through data(): it may have been dropped meanwhile (Var.dropValue)
        return Var.result("layerNorm", Y, x.shape(), g -> Norm.layerNormBackward(g, x.data(), W,
                mean, rstd, x.needsGrad() ? x.gradBuf() : null,
                w != null && w.needsGrad() ? w.gradBuf() : null,
                b != null && b.needsGrad() ? b.gradBuf() : null, rows, C), x, w, b);
    }

    /**
     * LayerNorm(x + dropout(a)) over the last dim, the residual step of a post-norm transformer layer,
     * as one op: the sum and the dropped-out branch are not stored (backward recomputes them from x, a
     * and the mask drawn again from {@code rng}'s draws). Dropout p applies when {@code training};
     * w, b (C) or null. Same values and gradients, bit for bit, as
     * {@code layerNorm(add(x, dropout(a, p, training, rng)), w, b, eps)}, and the same draws taken from rng.
     */
    public static Var residualLayerNorm(Var x, Var a, float p, boolean training, Rng rng, Var w, Var b, float eps) {
        return residualLayerNorm(x, a, p, training, rng, w, b, eps, false);
    }

    /**
     * {@link #residualLayerNorm(Var, Var, float, boolean, Rng, Var, Var, float)}, with {@code sumOverBranch}
     * storing the sum x + dropout(a) over a's array: a's value is lost, so only for an a that nothing
     * else reads (an op's output whose own backward does not read it, as a linear map's). Backward then
     * reads the sum instead of computing it from x and a, so it does not read x; and the result can be
     * dropped ({@link Var#dropValue}) and computed again from the sum, the mean and rstd
     * ({@link Norm#layerNormFromStats}): a post-norm layer's LayerNorm outputs need not be held from forward
     * to backward. Same values and gradients, bit for bit.
     */
    public static Var residualLayerNorm(Var x, Var a, float p, boolean training, Rng rng, Var w, Var b, float eps,
                                        boolean sumOverBranch) {
        requireSameShape("residualLayerNorm", x, a);
        boolean drop = training && p > 0f;
        if (drop && p >= 1f) return layerNorm(add(x, dropout(a, p, training, rng)), w, b, eps);
        int C = x.size(-1), rows = x.numel() / Math.max(1, C);
        if (drop) Rng.dropoutThreshold(p);
        Rng.Block draws = drop ? rng.reserve(x.numel()) : null;
        float[] Y = StepBuffers.take(x.numel()), mean = StepBuffers.take(rows), rstd = StepBuffers.take(rows);
        float[] A = a.data(), W = w == null ? null : w.data(), B = b == null ? null : b.data();
        // the sum is stored only for a backward to read (none without a recorded graph, as when encoding)
        boolean storeSum = sumOverBranch && Var.recorded(x, a, w, b);
        Norm.residualLayerNormForward(x.data(), A, draws, p, W, B, Y, mean, rstd, rows, C, eps, storeSum ? A : null);
        // x's value, where read again, is read through data(): it may have been dropped meanwhile
        if (storeSum) a.pin();
        Var y = Var.result("residualLayerNorm", Y, x.shape(), g -> Norm.residualLayerNormBackward(g,
                storeSum ? null : x.data(), storeSum ? A : a.data(), storeSum, draws, p, W,
                mean, rstd, x.needsGrad() ? x.gradBuf() : null, a.needsGrad() ? a.gradBuf() : null,
                w != null && w.needsGrad() ? w.gradBuf() : null,
                b != null && b.needsGrad() ? b.gradBuf() : null, rows, C), x, a, w, b);
        if (storeSum) y.recomputeWith(out -> Norm.layerNormFromStats(A, mean, rstd, W, B, out, rows, C));
        return y;
    }

    /**
     * BatchNorm over the rows of x (N, C), as torch.nn.functional.batch_norm: in training, normalise
     * with the batch mean and biased variance and update the running statistics in place
     * ({@code running = (1 - momentum) running + momentum stat}, the variance unbiased by N/(N-1));
     * otherwise normalise with the running statistics. Then * w + b (C). The backward treats the batch
     * statistics as functions of x in training and as constants otherwise.
     */
    public static Var batchNorm(Var x, Tensor runningMean, Tensor runningVar, Var w, Var b,
                                boolean training, float momentum, float eps) {
        int N = x.size(0), C = x.size(1);
        float[] X = x.data(), Y = StepBuffers.take(X.length);
        float[] mean = StepBuffers.take(C), rstd = StepBuffers.take(C);
        float[] rm = runningMean.data(), rv = runningVar.data();
        if (training) {
            if (N < 2) {
                throw new IllegalArgumentException("BatchNorm(" + C + "): expected more than 1 value per channel when training, got input "
                        + Arrays.toString(x.shape()));
            }
            float[] var = StepBuffers.take(C);
            Norm.batchStats(X, N, C, mean, var);
            for (int j = 0; j < C; j++) {
                rstd[j] = (float) (1 / Math.sqrt(var[j] + eps));
                rm[j] = (1 - momentum) * rm[j] + momentum * mean[j];
                rv[j] = (1 - momentum) * rv[j] + momentum * (float) ((double) var[j] * N / (N - 1));
            }
        } else {
            for (int j = 0; j < C; j++) {
                mean[j] = rm[j];
                rstd[j] = (float) (1 / Math.sqrt(rv[j] + eps));
            }
        }
        float[] W = w == null ? null : w.data(), B = b == null ? null : b.data();
        Norm.batchNormForward(X, mean, rstd, W, B, Y, N, C);
        return Var.result("batchNorm", Y, x.shape(), g -> Norm.batchNormBackward(g, X, mean, rstd, W,
                x.needsGrad() ? x.gradBuf() : null, w != null && w.needsGrad() ? w.gradBuf() : null,
                b != null && b.needsGrad() ? b.gradBuf() : null, N, C, training), x, w, b);
    }

    // ---- attention ------------------------------------------------------------------------------

    /**
     * The core of multi-head self-attention: qkv (T, N, 3E) sequence first, or (N, T, 3E) when
     * {@code batchFirst}, holding [q | k | v] per token; per head softmax(q k^T / sqrt(E/H)), dropout p
     * on the attention weights when {@code rng} is given, times v -> (T, N, E) or (N, T, E). The in-
     * and out-projections are {@link #linear}s around it.
     */
    public static Var selfAttention(Var qkv, int heads, boolean batchFirst, float dropout, Rng rng) {
        int E = qkv.size(2) / 3, H = heads;
        int T = batchFirst ? qkv.size(1) : qkv.size(0), N = batchFirst ? qkv.size(0) : qkv.size(1);
        float[] probs = StepBuffers.take(N * H * T * T);
        boolean drop = rng != null && dropout > 0f;
        if (drop) Rng.dropoutThreshold(dropout);
        // the mask is not stored: the kernel draws it per sequence, and backward draws it again
        Rng.Block draws = drop ? rng.reserve(probs.length) : null;
        float[] Q = qkv.data(), out = StepBuffers.take(T * N * E);
        Attention.forward(Q, T, N, E, H, batchFirst, probs, draws, dropout, out);
        int[] shape = qkv.shape();
        shape[2] = E;
        return Var.result("selfAttention", out, shape, g ->
                Attention.backward(g, Q, T, N, E, H, batchFirst, probs, draws, dropout, qkv.gradBuf()), qkv);
    }

    /**
     * linear(selfAttention(qkv, heads, batchFirst, dropout, rng), w, b) as one op, the attention of a
     * transformer layer after its in-projection: w (E, E), b (E) or null -> (T, N, E) or (N, T, E). The
     * attention output is not stored: forward writes it into a temporary array that goes back to the
     * pool once the out-projection has read it, and backward computes it again from qkv and the
     * probabilities ({@link Attention#output}, the dropout mask drawn again) for the weight gradient.
     * Same values, gradients and draws, bit for bit, as the two separate ops.
     */
    public static Var selfAttentionLinear(Var qkv, int heads, boolean batchFirst, float dropout, Rng rng, Var w, Var b) {
        return selfAttentionLinear(qkv, heads, batchFirst, dropout, rng, w, b, false);
    }

    /**
     * {@link #selfAttentionLinear(Var, int, boolean, float, Rng, Var, Var)}, with {@code gradOverQkv}
     * writing qkv's gradient over qkv's own array in backward ({@link Attention#backwardInPlace}) when
     * qkv has no gradient yet: qkv's value is lost then, so only for a qkv that nothing else reads (an
     * in-projection's output, whose own backward reads its input, not its output). One array of qkv's
     * size less at the top of backward; the same values and gradients, bit for bit.
     */
    public static Var selfAttentionLinear(Var qkv, int heads, boolean batchFirst, float dropout, Rng rng, Var w, Var b,
                                          boolean gradOverQkv) {
        int E = qkv.size(2) / 3, H = heads;
        if (w.size(1) != E) {
            throw new IllegalArgumentException("selfAttentionLinear: attention width " + E + ", weight " + Arrays.toString(w.shape()));
        }
        if (b != null && (b.dim() != 1 || b.size(0) != w.size(0))) {
            throw new IllegalArgumentException("selfAttentionLinear: bias shape " + Arrays.toString(b.shape()) + ", expected [" + w.size(0) + "]");
        }
        int T = batchFirst ? qkv.size(1) : qkv.size(0), N = batchFirst ? qkv.size(0) : qkv.size(1);
        int out = w.size(0), rows = T * N;
        float[] probs = StepBuffers.take(N * H * T * T);
        boolean drop = rng != null && dropout > 0f;
        if (drop) Rng.dropoutThreshold(dropout);
        Rng.Block draws = drop ? rng.reserve(probs.length) : null;
        float[] Q = qkv.data(), W = w.data(), A = StepBuffers.take(rows * E);
        Attention.forward(Q, T, N, E, H, batchFirst, probs, draws, dropout, A);
        float[] Y = StepBuffers.take(rows * out);
        Matmul.sgemm(false, true, rows, out, E, 1f, A, 0, E, W, 0, E, 0f, Y, 0, out);
        if (b != null) Elementwise.addRowVector(Y, 0, b.data(), 0, rows, out);
        StepBuffers.release(A);
        int[] shape = qkv.shape();
        shape[2] = out;
        return Var.result("selfAttentionLinear", Y, shape, g -> {
            float[] dA = qkv.needsGrad() ? StepBuffers.takeZeroed(rows * E) : null;
            if (dA != null) Matmul.sgemm(false, false, rows, E, out, 1f, g, 0, out, W, 0, E, 1f, dA, 0, E);
            if (w.needsGrad()) {
                float[] a = StepBuffers.take(rows * E);
                Attention.output(Q, T, N, E, H, batchFirst, probs, draws, dropout, a);
                Matmul.sgemm(true, false, out, E, rows, 1f, g, 0, out, a, 0, E, 1f, w.gradBuf(), 0, E);
                StepBuffers.release(a);
            }
            if (b != null && b.needsGrad()) Reduce.colSum(g, 0, rows, out, b.gradBuf(), 0, true);
            if (dA != null) {
                if (gradOverQkv && qkv.adoptGrad(Q)) Attention.backwardInPlace(dA, Q, T, N, E, H, batchFirst, probs, draws, dropout);
                else Attention.backward(dA, Q, T, N, E, H, batchFirst, probs, draws, dropout, qkv.gradBuf());
                StepBuffers.release(dA);
            }
        }, qkv, w, b);
    }

    // ---- losses ---------------------------------------------------------------------------------

    /** mean((a - b)^2) -> shape (); both sides differentiable. */
    public static Var mse(Var a, Var b) {
        requireSameShape("mse", a, b);
        int n = a.numel();
        float[] A = a.data(), B = b.data();
        int chunks = Math.max(1, Math.min(64, n / Parallel.GRAIN));
        double[] part = new double[chunks];
        Parallel.forEach(chunks, c -> {
            int s = (int) ((long) n * c / chunks), e = (int) ((long) n * (c + 1) / chunks);
            double acc = 0;
            for (int i = s; i < e; i++) {
                double d = A[i] - B[i];
                acc += d * d;
            }
            part[c] = acc;
        });
        double t = 0;
        for (double p : part) t += p;
        float[] y = {(float) (t / n)};
        return Var.result("mse", y, new int[0], g -> {
            float k = 2f * g[0] / n;
            float[] da = a.needsGrad() ? a.gradBuf() : null, db = b.needsGrad() ? b.gradBuf() : null;
            Parallel.forRange(n, Parallel.GRAIN, (s, e) -> {
                for (int i = s; i < e; i++) {
                    float d = k * (A[i] - B[i]);
                    if (da != null) da[i] += d;
                    if (db != null) db[i] -= d;
                }
            });
        }, a, b);
    }
}
