package io.bsth.tensor.backend;

import io.bsth.tensor.Parallel;
import io.bsth.tensor.Rng;
import io.bsth.tensor.kernels.Activation;
import io.bsth.tensor.kernels.Elementwise;
import io.bsth.tensor.kernels.Matmul;
import io.bsth.tensor.kernels.Norm;
import io.bsth.tensor.kernels.Reduce;
import io.bsth.tensor.kernels.Softmax;
import java.util.Arrays;

/**
 * The CPU backend: buffers are heap arrays and every kernel is the existing SIMD kernel of
 * {@code io.bsth.tensor.kernels} (threads from {@link Parallel}). It runs synchronously, so
 * {@link #synchronize()} has nothing to wait for. It is also the reference the GPU tests compare with.
 */
public final class CpuBackend implements Backend {
    public static final String NAME = "cpu";
    public static final CpuBackend INSTANCE = new CpuBackend();

    private CpuBackend() {}

    /** A heap array: exactly one of f, i, l is non-null. */
    static final class Buffer implements DeviceBuffer {
        final Kind kind;
        final float[] f;
        final int[] i;
        final long[] l;

        Buffer(Kind kind, int n) {
            this.kind = kind;
            f = kind == Kind.FLOAT ? new float[n] : null;
            i = kind == Kind.INT ? new int[n] : null;
            l = kind == Kind.LONG ? new long[n] : null;
        }

        @Override public Kind kind() { return kind; }

        @Override
        public long length() {
            return f != null ? f.length : i != null ? i.length : l.length;
        }

        @Override public void close() {}
    }

    private static float[] f(DeviceBuffer b) {
        if (b == null) return null;
        Buffer c = own(b);
        if (c.f == null) throw new IllegalArgumentException("cpu backend: expected a FLOAT buffer, got " + c.kind);
        return c.f;
    }

    private static int[] ints(DeviceBuffer b) {
        Buffer c = own(b);
        if (c.i == null) throw new IllegalArgumentException("cpu backend: expected an INT buffer, got " + c.kind);
        return c.i;
    }

    private static long[] longs(DeviceBuffer b) {
        Buffer c = own(b);
        if (c.l == null) throw new IllegalArgumentException("cpu backend: expected a LONG buffer, got " + c.kind);
        return c.l;
    }

    private static Buffer own(DeviceBuffer b) {
        if (b instanceof Buffer c) return c;
        throw new IllegalArgumentException("cpu backend: buffer " + b + " belongs to another backend");
    }

    private static int size(long n) {
        if (n < 0 || n > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("cpu backend: bad element count " + n);
        return (int) n;
    }

    @Override public String name() { return NAME; }

    @Override
    public String describe() {
        return "cpu (" + Parallel.threads() + " threads)";
    }

    @Override
    public DeviceBuffer allocate(DeviceBuffer.Kind kind, long n) {
        return new Buffer(kind, size(n));
    }

    @Override public void upload(float[] src, int off, int n, DeviceBuffer dst) { System.arraycopy(src, off, f(dst), 0, n); }
    @Override public void upload(long[] src, int off, int n, DeviceBuffer dst) { System.arraycopy(src, off, longs(dst), 0, n); }
    @Override public void download(DeviceBuffer src, float[] dst, int off, int n) { System.arraycopy(f(src), 0, dst, off, n); }
    @Override public void download(DeviceBuffer src, int[] dst, int off, int n) { System.arraycopy(ints(src), 0, dst, off, n); }
    @Override public void download(DeviceBuffer src, long[] dst, int off, int n) { System.arraycopy(longs(src), 0, dst, off, n); }
    @Override public void synchronize() {}
    @Override public void close() {}

    @Override
    public void sgemmBatched(int batch, boolean transA, boolean transB, int M, int N, int K, float alpha,
                             DeviceBuffer A, int lda, long strideA, DeviceBuffer B, int ldb, long strideB,
                             float beta, DeviceBuffer C, int ldc, long strideC) {
        Matmul.sgemmBatched(batch, transA, transB, M, N, K, alpha, f(A), 0, lda, strideA, f(B), 0, ldb, strideB,
                beta, f(C), 0, ldc, strideC);
    }

    @Override public void softmaxForward(DeviceBuffer x, DeviceBuffer y, int rows, int C) { Softmax.forward(f(x), f(y), rows, C); }

    @Override
    public void softmaxBackward(DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx, int rows, int C) {
        Softmax.backward(f(y), f(dy), f(dx), rows, C);
    }

    @Override
    public void layerNormForward(DeviceBuffer x, DeviceBuffer w, DeviceBuffer b, DeviceBuffer y,
                                 DeviceBuffer mean, DeviceBuffer rstd, int rows, int C, float eps) {
        Norm.layerNormForward(f(x), f(w), f(b), f(y), f(mean), f(rstd), rows, C, eps);
    }

    @Override
    public void layerNormBackward(DeviceBuffer dy, DeviceBuffer x, DeviceBuffer w, DeviceBuffer mean, DeviceBuffer rstd,
                                  DeviceBuffer dx, DeviceBuffer dw, DeviceBuffer db, int rows, int C) {
        Norm.layerNormBackward(f(dy), f(x), f(w), f(mean), f(rstd), f(dx), f(dw), f(db), rows, C);
    }

    @Override
    public void activation(Activation f, DeviceBuffer x, DeviceBuffer y, long n) {
        int m = size(n);
        switch (f) {
            case GELU -> io.bsth.tensor.kernels.Activation.gelu(f(x), f(y), m);
            case TANH -> io.bsth.tensor.kernels.Activation.tanh(f(x), f(y), m);
            case SIGMOID -> io.bsth.tensor.kernels.Activation.sigmoid(f(x), f(y), m);
        }
    }

    @Override
    public void activationBackward(Activation f, DeviceBuffer saved, DeviceBuffer dy, DeviceBuffer dx, long n) {
        int m = size(n);
        switch (f) {
            case GELU -> io.bsth.tensor.kernels.Activation.geluBackward(f(saved), f(dy), f(dx), m);
            case TANH -> io.bsth.tensor.kernels.Activation.tanhBackward(f(saved), f(dy), f(dx), m);
            case SIGMOID -> io.bsth.tensor.kernels.Activation.sigmoidBackward(f(saved), f(dy), f(dx), m);
        }
    }

    @Override
    public void dropoutMask(Rng rng, DeviceBuffer mask, int n, float p) {
        rng.dropoutMask(f(mask), 0, n, p);
    }

    @Override
    public void binary(Binary op, DeviceBuffer a, DeviceBuffer b, DeviceBuffer y, long n) {
        int m = size(n);
        switch (op) {
            case ADD -> Elementwise.add(f(a), 0, f(b), 0, f(y), 0, m);
            case SUB -> Elementwise.sub(f(a), 0, f(b), 0, f(y), 0, m);
            case MUL -> Elementwise.mul(f(a), 0, f(b), 0, f(y), 0, m);
            case MUL_ACC -> Elementwise.mulAcc(f(a), 0, f(b), 0, f(y), 0, m);
        }
    }

    @Override public void axpy(float alpha, DeviceBuffer x, DeviceBuffer y, long n) { Elementwise.axpy(alpha, f(x), 0, f(y), 0, size(n)); }
    @Override public void scale(float alpha, DeviceBuffer x, DeviceBuffer y, long n) { Elementwise.scale(alpha, f(x), 0, f(y), 0, size(n)); }
    @Override public void fill(DeviceBuffer y, float v, long n) { Arrays.fill(f(y), 0, size(n), v); }

    @Override
    public void addRowVector(DeviceBuffer y, DeviceBuffer v, int rows, int cols) {
        Elementwise.addRowVector(f(y), 0, f(v), 0, rows, cols);
    }

    @Override
    public void colSum(DeviceBuffer x, int rows, int cols, DeviceBuffer out, boolean accumulate) {
        Reduce.colSum(f(x), 0, rows, cols, f(out), 0, accumulate);
    }

    @Override
    public void rowSum(DeviceBuffer x, int rows, int cols, DeviceBuffer out, boolean accumulate) {
        float[] X = f(x), O = f(out);
        Parallel.forRange(rows, Math.max(1, 8192 / Math.max(1, cols)), (s, e) -> {
            for (int r = s; r < e; r++) {
                float v = (float) Reduce.sum(X, r * cols, cols);
                O[r] = accumulate ? O[r] + v : v;
            }
        });
    }

    @Override public double sum(DeviceBuffer x, long n) { return Reduce.sum(f(x), 0, size(n)); }

    @Override
    public void adamStep(DeviceBuffer p, DeviceBuffer g, DeviceBuffer m, DeviceBuffer v, long n,
                         double lr, double beta1, double beta2, double eps, long t) {
        float[] w = f(p), gg = f(g), mm = f(m), vv = f(v);
        AdamScalars s = AdamScalars.of(lr, beta1, beta2, eps, t);
        Parallel.forRange(size(n), 1 << 14, (from, to) -> {
            for (int i = from; i < to; i++) {
                float gi = gg[i];
                float mi = mm[i] * s.b1() + s.a1() * gi;
                float vi = vv[i] * s.b2() + s.a2() * gi * gi;
                mm[i] = mi;
                vv[i] = vi;
                float denom = (float) Math.sqrt(vi) / s.bc2Sqrt() + s.eps();
                w[i] -= s.stepSize() * (mi / denom);
            }
        });
    }

    /** The float constants of one Adam step, computed in double as PyTorch's Python floats are. */
    public record AdamScalars(float b1, float b2, float a1, float a2, float stepSize, float bc2Sqrt, float eps) {
        public static AdamScalars of(double lr, double beta1, double beta2, double eps, long t) {
            if (t < 1) throw new IllegalArgumentException("adam: step must start at 1, got " + t);
            double bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
            return new AdamScalars((float) beta1, (float) beta2, (float) (1 - beta1), (float) (1 - beta2),
                    (float) (lr / bc1), (float) Math.sqrt(bc2), (float) eps);
        }
    }

    @Override
    public void batchStats(DeviceBuffer x, int N, int C, DeviceBuffer mean, DeviceBuffer var) {
        Norm.batchStats(f(x), N, C, f(mean), f(var));
    }

    @Override
    public void batchNormForward(DeviceBuffer x, DeviceBuffer mean, DeviceBuffer rstd, DeviceBuffer w, DeviceBuffer b,
                                 DeviceBuffer y, int N, int C) {
        Norm.batchNormForward(f(x), f(mean), f(rstd), f(w), f(b), f(y), N, C);
    }

    @Override
    public void batchNormBackward(DeviceBuffer dy, DeviceBuffer x, DeviceBuffer mean, DeviceBuffer rstd, DeviceBuffer w,
                                  DeviceBuffer dx, DeviceBuffer dw, DeviceBuffer db, int N, int C, boolean batchStats) {
        Norm.batchNormBackward(f(dy), f(x), f(mean), f(rstd), f(w), f(dx), f(dw), f(db), N, C, batchStats);
    }

    @Override
    public void hashHeadForward(DeviceBuffer a, DeviceBuffer w, DeviceBuffer b, DeviceBuffer h, int n, int G, int H) {
        float[] A = f(a), W = f(w), B = f(b), Y = f(h);
        Parallel.forRange(n, Math.max(1, 8192 / Math.max(1, G * H)), (s, e) -> {
            for (int r = s; r < e; r++) {
                for (int g = 0; g < G; g++) {
                    float acc = 0f;
                    for (int i = 0, o = r * G * H + g * H; i < H; i++) acc += A[o + i] * W[g * H + i];
                    Y[r * G + g] = (float) Math.tanh(acc + B[g]);
                }
            }
        });
    }

    @Override
    public void hashHeadBackward(DeviceBuffer dh, DeviceBuffer h, DeviceBuffer a, DeviceBuffer w,
                                 DeviceBuffer da, DeviceBuffer dw, DeviceBuffer db, int n, int G, int H) {
        float[] DH = f(dh), Y = f(h), A = f(a), W = f(w), DA = f(da), DW = f(dw), DB = f(db);
        float[] z = new float[n * G];
        for (int t = 0; t < z.length; t++) z[t] = DH[t] * (1f - Y[t] * Y[t]);
        if (DA != null) {
            Parallel.forRange(n, Math.max(1, 8192 / Math.max(1, G * H)), (s, e) -> {
                for (int r = s; r < e; r++) {
                    for (int c = 0; c < G * H; c++) DA[r * G * H + c] += z[r * G + c / H] * W[c];
                }
            });
        }
        for (int c = 0; c < G * H; c++) {
            int g = c / H;
            float sw = 0f, sb = 0f;
            for (int r = 0; r < n; r++) {
                sw += z[r * G + g] * A[r * G * H + c];
                sb += z[r * G + g];
            }
            if (DW != null) DW[c] += sw;
            if (DB != null && c % H == 0) DB[g] += sb;
        }
    }

    @Override
    public void signPack(DeviceBuffer h, int n, int nbit, DeviceBuffer codes) {
        float[] H = f(h);
        long[] out = longs(codes);
        int words = (nbit + 63) >>> 6;
        Arrays.fill(out, 0, n * words, 0L);
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < nbit; j++) if (H[r * nbit + j] > 0f) out[r * words + (j >>> 6)] |= 1L << (j & 63);
        }
    }

    /**
     * The plain reference: every distance, then a stable counting sort by distance (so ties keep index
     * order). The production CPU search is {@code io.bsth.retrieval.Search} (pruned, blocked, SIMD).
     */
    @Override
    public void hammingTopK(DeviceBuffer queries, int nq, DeviceBuffer db, int n, int nbit, int k,
                            DeviceBuffer idx, DeviceBuffer dist) {
        checkSearch(n, nbit, k);
        long[] Q = longs(queries), D = longs(db);
        int[] I = ints(idx), S = ints(dist);
        int words = (nbit + 63) >>> 6;
        Parallel.forEach(nq, q -> {
            int[] d = new int[n];
            int[] start = new int[nbit + 2];
            for (int i = 0; i < n; i++) {
                int s = 0;
                for (int w = 0; w < words; w++) s += Long.bitCount(Q[q * words + w] ^ D[i * words + w]);
                d[i] = s;
                start[s + 1]++;
            }
            for (int b = 1; b < start.length; b++) start[b] += start[b - 1];
            for (int i = 0; i < n; i++) {
                int p = start[d[i]]++;
                if (p < k) {
                    I[q * k + p] = i;
                    S[q * k + p] = d[i];
                }
            }
        });
    }

    /** The argument rules of {@link #hammingTopK}, one line each. */
    public static void checkSearch(int n, int nbit, int k) {
        if (nbit < 1 || nbit > MAX_SEARCH_BITS) {
            throw new IllegalArgumentException("hammingTopK: nbit " + nbit + " outside [1, " + MAX_SEARCH_BITS + "]");
        }
        if (k < 1 || k > n) throw new IllegalArgumentException("hammingTopK: k " + k + " outside [1, " + n + "]");
    }
}
