package io.bsth.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD8;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;

import io.bsth.tensor.Rng;
import io.bsth.tensor.backend.Backend;
import io.bsth.tensor.backend.BackendUnavailableException;
import io.bsth.tensor.backend.CpuBackend;
import io.bsth.tensor.backend.DeviceBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

/**
 * {@link Backend} on an NVIDIA GPU through JCuda's driver API: the committed PTX modules ({@link Ptx})
 * are loaded with {@code cuModuleLoadData} (the driver JIT-compiles them for the device) and every op
 * is one or two {@code cuLaunchKernel} calls on the default stream of device 0's primary context.
 * Launches are asynchronous and in order; only downloads, {@link #sum} and {@link #synchronize()} wait.
 * Nothing here needs the CUDA toolkit, NVRTC or cuBLAS: only the driver's {@code libcuda.so.1}.
 */
public final class CudaBackend implements Backend {
    public static final String NAME = "cuda";
    /** Threads per block of the one-dimensional and row kernels (a multiple of 32). */
    private static final int THREADS = 256;
    /** The hamming_topk block: 8 warps, one database slice each. */
    private static final int SEARCH_THREADS = 256;

    private final CUdevice device;
    private final CUcontext context;
    /** Threads on which {@link #context} has been made current (the driver keeps it per thread). */
    private final ThreadLocal<Boolean> bound = ThreadLocal.withInitial(() -> false);
    private final String deviceName;
    private final int driverVersion;
    private final Map<String, CUfunction> functions = new HashMap<>();
    /** Reused temporary device memory (reductions); safe because every launch runs in stream order. */
    private Buffer scratch;
    private boolean closed;

    private CudaBackend(CUdevice device, CUcontext context, String deviceName, int driverVersion) {
        this.device = device;
        this.context = context;
        this.deviceName = deviceName;
        this.driverVersion = driverVersion;
    }

    /**
     * Initialises the driver, takes device 0's primary context and loads every module. Throws
     * {@link BackendUnavailableException} with one line when the driver library is missing, there is
     * no device, or a module does not load.
     */
    public static CudaBackend open() {
        try {
            JCudaDriver.setExceptionsEnabled(true);
            cuInit(0);
        } catch (LinkageError e) {
            throw new BackendUnavailableException("no CUDA driver on this machine (libcuda.so.1; JCuda: "
                    + rootMessage(e) + ")", e);
        } catch (CudaException e) {
            throw new BackendUnavailableException("the CUDA driver did not initialise: " + e.getMessage(), e);
        }
        CUdevice dev = new CUdevice();
        CUcontext ctx = new CUcontext();
        byte[] name = new byte[256];
        int[] version = new int[1];
        try {
            int[] count = new int[1];
            cuDeviceGetCount(count);
            if (count[0] == 0) throw new BackendUnavailableException("the CUDA driver reports no GPU");
            cuDeviceGet(dev, 0);
            cuDeviceGetName(name, name.length, dev);
            cuDriverGetVersion(version);
            cuDevicePrimaryCtxRetain(ctx, dev);
            cuCtxSetCurrent(ctx);
        } catch (CudaException e) {
            throw new BackendUnavailableException("GPU 0 could not be opened: " + e.getMessage(), e);
        }
        CudaBackend b = new CudaBackend(dev, ctx, cString(name), version[0]);
        b.bound.set(true);
        try {
            for (String module : Ptx.MODULES) {
                String ptx = Ptx.text(module);
                CUmodule m = new CUmodule();
                try {
                    cuModuleLoadData(m, (ptx + "\0").getBytes(StandardCharsets.US_ASCII));
                } catch (CudaException e) {
                    throw new BackendUnavailableException("the CUDA driver could not load kernel module " + module + ": " + e.getMessage(), e);
                }
                for (String entry : Ptx.entries(ptx)) {
                    CUfunction f = new CUfunction();
                    cuModuleGetFunction(f, m, entry);
                    b.functions.put(entry, f);
                }
            }
        } catch (RuntimeException e) {
            cuDevicePrimaryCtxRelease(dev);
            throw e;
        }
        return b;
    }

    /** Whether {@link #open()} would succeed here (for tests and the GPU check): opens and closes once. */
    public static String unavailableReason() {
        try {
            open().close();
            return null;
        } catch (BackendUnavailableException e) {
            return e.getMessage();
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) t = t.getCause();
        String m = t.getMessage() == null ? t.toString() : t.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.US_ASCII);
    }

    @Override public String name() { return NAME; }

    @Override
    public String describe() {
        return "cuda (" + deviceName + ", driver " + driverVersion / 1000 + "." + driverVersion % 1000 / 10 + ")";
    }

    // ---- memory ---------------------------------------------------------------------------------

    /** Device memory: a pointer, its element kind and length. */
    static final class Buffer implements DeviceBuffer {
        final CUdeviceptr ptr = new CUdeviceptr();
        final Kind kind;
        final long length;
        boolean freed;

        Buffer(Kind kind, long length) {
            this.kind = kind;
            this.length = length;
        }

        @Override public Kind kind() { return kind; }
        @Override public long length() { return length; }

        @Override
        public void close() {
            if (!freed) {
                freed = true;
                if (length > 0) cuMemFree(ptr);
            }
        }
    }

    @Override
    public DeviceBuffer allocate(DeviceBuffer.Kind kind, long n) {
        if (n < 0) throw new IllegalArgumentException("cuda: negative buffer length " + n);
        bind();
        Buffer b = new Buffer(kind, n);
        if (n > 0) {
            cuMemAlloc(b.ptr, n * kind.bytes);
            cuMemsetD8(b.ptr, (byte) 0, n * kind.bytes);
        }
        return b;
    }

    /** Makes the context current on the calling thread the first time that thread uses this backend. */
    private void bind() {
        if (closed) throw new IllegalStateException("cuda backend used after close()");
        if (!bound.get()) {
            cuCtxSetCurrent(context);
            bound.set(true);
        }
    }

    private static Buffer own(DeviceBuffer b, DeviceBuffer.Kind kind) {
        if (!(b instanceof Buffer c)) throw new IllegalArgumentException("cuda backend: buffer " + b + " belongs to another backend");
        if (c.freed) throw new IllegalStateException("cuda backend: buffer used after close()");
        if (c.kind != kind) throw new IllegalArgumentException("cuda backend: expected a " + kind + " buffer, got " + c.kind);
        return c;
    }

    private static void fits(Buffer b, long n) {
        if (n > b.length) throw new IllegalArgumentException("cuda backend: " + n + " elements do not fit a buffer of " + b.length);
    }

    @Override
    public void upload(float[] src, int off, int n, DeviceBuffer dst) {
        bind();
        Buffer b = own(dst, DeviceBuffer.Kind.FLOAT);
        fits(b, n);
        if (n > 0) cuMemcpyHtoD(b.ptr, Pointer.to(src).withByteOffset(4L * off), 4L * n);
    }

    @Override
    public void upload(long[] src, int off, int n, DeviceBuffer dst) {
        bind();
        Buffer b = own(dst, DeviceBuffer.Kind.LONG);
        fits(b, n);
        if (n > 0) cuMemcpyHtoD(b.ptr, Pointer.to(src).withByteOffset(8L * off), 8L * n);
    }

    @Override
    public void download(DeviceBuffer src, float[] dst, int off, int n) {
        bind();
        Buffer b = own(src, DeviceBuffer.Kind.FLOAT);
        fits(b, n);
        if (n > 0) cuMemcpyDtoH(Pointer.to(dst).withByteOffset(4L * off), b.ptr, 4L * n);
    }

    @Override
    public void download(DeviceBuffer src, int[] dst, int off, int n) {
        bind();
        Buffer b = own(src, DeviceBuffer.Kind.INT);
        fits(b, n);
        if (n > 0) cuMemcpyDtoH(Pointer.to(dst).withByteOffset(4L * off), b.ptr, 4L * n);
    }

    @Override
    public void download(DeviceBuffer src, long[] dst, int off, int n) {
        bind();
        Buffer b = own(src, DeviceBuffer.Kind.LONG);
        fits(b, n);
        if (n > 0) cuMemcpyDtoH(Pointer.to(dst).withByteOffset(8L * off), b.ptr, 8L * n);
    }

    @Override
    public void synchronize() {
        bind();
        cuCtxSynchronize();
    }

    @Override
    public void close() {
        if (closed) return;
        bind();
        cuCtxSynchronize();
        if (scratch != null) scratch.close();
        closed = true;
        cuDevicePrimaryCtxRelease(device);
    }

    /** Scratch device memory of at least n floats, reused across calls. */
    private Buffer scratch(long n) {
        if (scratch == null || scratch.length < n) {
            if (scratch != null) scratch.close();
            scratch = (Buffer) allocate(DeviceBuffer.Kind.FLOAT, Math.max(n, 1 << 16));
        }
        return scratch;
    }

    // ---- launching ------------------------------------------------------------------------------

    /** Kernel arguments: buffers (null = a null pointer), Integer, Long, Float. */
    private static Pointer params(Object... args) {
        Pointer[] p = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a == null) p[i] = Pointer.to(new long[] {0L});
            else if (a instanceof Buffer b) {
                if (b.freed) throw new IllegalStateException("cuda backend: buffer used after close()");
                p[i] = Pointer.to(b.ptr);
            } else if (a instanceof Integer v) p[i] = Pointer.to(new int[] {v});
            else if (a instanceof Long v) p[i] = Pointer.to(new long[] {v});
            else if (a instanceof Float v) p[i] = Pointer.to(new float[] {v});
            else throw new IllegalArgumentException("cuda backend: unsupported kernel argument " + a.getClass());
        }
        return Pointer.to(p);
    }

    private CUfunction fn(String name) {
        CUfunction f = functions.get(name);
        if (f == null) throw new IllegalStateException("cuda backend: kernel " + name + " is not in the loaded PTX");
        return f;
    }

    private void launch(String kernel, int gx, int gy, int gz, int bx, int by, int shared, Object... args) {
        bind();
        if (gx == 0 || gy == 0 || gz == 0) return;
        cuLaunchKernel(fn(kernel), gx, gy, gz, bx, by, 1, shared, null, params(args), null);
    }

    /** One thread per element over n elements. */
    private void launch1d(String kernel, long n, Object... args) {
        long blocks = (n + THREADS - 1) / THREADS;
        if (blocks > Integer.MAX_VALUE) throw new IllegalArgumentException("cuda backend: " + n + " elements is too many for one launch");
        launch(kernel, (int) blocks, 1, 1, THREADS, 1, 0, args);
    }

    /** One block per row. */
    private void launchRows(String kernel, int rows, Object... args) {
        launch(kernel, rows, 1, 1, THREADS, 1, 0, args);
    }

    private static final DeviceBuffer.Kind F = DeviceBuffer.Kind.FLOAT;

    /** The buffer, checked to be ours, a FLOAT buffer, and at least n long (null stays null). */
    private static Buffer f(DeviceBuffer b, long n) {
        if (b == null) return null;
        Buffer c = own(b, F);
        fits(c, n);
        return c;
    }

    // ---- kernels --------------------------------------------------------------------------------

    @Override
    public void sgemmBatched(int batch, boolean transA, boolean transB, int M, int N, int K, float alpha,
                             DeviceBuffer A, int lda, long strideA, DeviceBuffer B, int ldb, long strideB,
                             float beta, DeviceBuffer C, int ldc, long strideC) {
        if (batch < 0 || M < 0 || N < 0 || K < 0) throw new IllegalArgumentException("sgemm: negative size");
        if (batch > 65535) throw new IllegalArgumentException("sgemm: batch " + batch + " exceeds the grid's 65535");
        if (batch == 0 || M == 0 || N == 0) return;
        long last = batch - 1L;
        f(A, last * strideA + (transA ? (long) (K - 1) * lda + M : (long) (M - 1) * lda + K));
        f(B, last * strideB + (transB ? (long) (N - 1) * ldb + K : (long) (K - 1) * ldb + N));
        f(C, last * strideC + (long) (M - 1) * ldc + N);
        launch("sgemm_tiled", (N + 63) / 64, (M + 63) / 64, batch, 16, 16, 0,
                transA ? 1 : 0, transB ? 1 : 0, M, N, K, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC);
    }

    @Override
    public void softmaxForward(DeviceBuffer x, DeviceBuffer y, int rows, int C) {
        long n = (long) rows * C;
        launchRows("softmax_forward", rows, f(x, n), f(y, n), rows, C);
    }

    @Override
    public void softmaxBackward(DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx, int rows, int C) {
        long n = (long) rows * C;
        launchRows("softmax_backward", rows, f(y, n), f(dy, n), f(dx, n), rows, C);
    }

    @Override
    public void layerNormForward(DeviceBuffer x, DeviceBuffer w, DeviceBuffer b, DeviceBuffer y,
                                 DeviceBuffer mean, DeviceBuffer rstd, int rows, int C, float eps) {
        long n = (long) rows * C;
        launchRows("layernorm_forward", rows, f(x, n), f(w, C), f(b, C), f(y, n), f(mean, rows), f(rstd, rows), rows, C, eps);
    }

    @Override
    public void layerNormBackward(DeviceBuffer dy, DeviceBuffer x, DeviceBuffer w, DeviceBuffer mean, DeviceBuffer rstd,
                                  DeviceBuffer dx, DeviceBuffer dw, DeviceBuffer db, int rows, int C) {
        long n = (long) rows * C;
        if (dx != null) {
            launchRows("layernorm_backward_input", rows, f(dy, n), f(x, n), f(w, C), f(mean, rows), f(rstd, rows), f(dx, n), rows, C);
        }
        if (dw != null || db != null) {
            launch("layernorm_backward_params", (C + THREADS - 1) / THREADS, 1, 1, THREADS, 1, 0,
                    f(dy, n), f(x, n), f(mean, rows), f(rstd, rows), f(dw, C), f(db, C), rows, C);
        }
    }

    private static String kernel(Activation a, boolean backward) {
        String base = switch (a) {
            case GELU -> "gelu";
            case TANH -> "tanh";
            case SIGMOID -> "sigmoid";
        };
        return base + (backward ? "_backward" : "_forward");
    }

    @Override
    public void activation(Activation a, DeviceBuffer x, DeviceBuffer y, long n) {
        launch1d(kernel(a, false), n, f(x, n), f(y, n), n);
    }

    @Override
    public void activationBackward(Activation a, DeviceBuffer saved, DeviceBuffer dy, DeviceBuffer dx, long n) {
        launch1d(kernel(a, true), n, f(saved, n), f(dy, n), f(dx, n), n);
    }

    @Override
    public void dropoutMask(Rng rng, DeviceBuffer mask, int n, float p) {
        int threshold = Rng.dropoutThreshold(p);
        float scale = 1f / (1f - p);
        Rng.Block draws = rng.reserve(n);
        launch1d("dropout_mask", n, f(mask, n), (long) n, draws.key(), draws.base(), threshold, scale);
    }

    @Override
    public void binary(Binary op, DeviceBuffer a, DeviceBuffer b, DeviceBuffer y, long n) {
        String k = switch (op) {
            case ADD -> "ew_add";
            case SUB -> "ew_sub";
            case MUL -> "ew_mul";
            case MUL_ACC -> "ew_mul_acc";
        };
        launch1d(k, n, f(a, n), f(b, n), f(y, n), n);
    }

    @Override public void axpy(float alpha, DeviceBuffer x, DeviceBuffer y, long n) { launch1d("ew_axpy", n, alpha, f(x, n), f(y, n), n); }
    @Override public void scale(float alpha, DeviceBuffer x, DeviceBuffer y, long n) { launch1d("ew_scale", n, alpha, f(x, n), f(y, n), n); }
    @Override public void fill(DeviceBuffer y, float v, long n) { launch1d("ew_fill", n, v, f(y, n), n); }

    @Override
    public void addRowVector(DeviceBuffer y, DeviceBuffer v, int rows, int cols) {
        launch1d("ew_add_row_vector", (long) rows * cols, f(y, (long) rows * cols), f(v, cols), rows, cols);
    }

    @Override
    public void colSum(DeviceBuffer x, int rows, int cols, DeviceBuffer out, boolean accumulate) {
        launch("reduce_col_sum", (cols + THREADS - 1) / THREADS, 1, 1, THREADS, 1, 0,
                f(x, (long) rows * cols), rows, cols, f(out, cols), accumulate ? 1 : 0);
    }

    @Override
    public void rowSum(DeviceBuffer x, int rows, int cols, DeviceBuffer out, boolean accumulate) {
        launchRows("reduce_row_sum", rows, f(x, (long) rows * cols), rows, cols, f(out, rows), accumulate ? 1 : 0);
    }

    @Override
    public double sum(DeviceBuffer x, long n) {
        bind();
        int blocks = (int) Math.max(1, Math.min(1024, (n + THREADS - 1) / THREADS));
        Buffer s = scratch(blocks + 1L);
        launch("reduce_sum_partial", blocks, 1, 1, THREADS, 1, 0, f(x, n), n, s);
        CUdeviceptr total = s.ptr.withByteOffset(4L * blocks);
        cuLaunchKernel(fn("reduce_sum_partial"), 1, 1, 1, THREADS, 1, 1, 0, null,
                Pointer.to(Pointer.to(s.ptr), Pointer.to(new long[] {blocks}), Pointer.to(total)), null);
        float[] out = new float[1];
        cuMemcpyDtoH(Pointer.to(out), total, 4);
        return out[0];
    }

    @Override
    public void adamStep(DeviceBuffer p, DeviceBuffer g, DeviceBuffer m, DeviceBuffer v, long n,
                         double lr, double beta1, double beta2, double eps, long t) {
        CpuBackend.AdamScalars s = CpuBackend.AdamScalars.of(lr, beta1, beta2, eps, t);
        launch1d("adam_step", n, f(p, n), f(g, n), f(m, n), f(v, n), n,
                s.b1(), s.b2(), s.a1(), s.a2(), s.stepSize(), s.bc2Sqrt(), s.eps());
    }

    @Override
    public void batchStats(DeviceBuffer x, int N, int C, DeviceBuffer mean, DeviceBuffer var) {
        launch("batchnorm_stats", (C + THREADS - 1) / THREADS, 1, 1, THREADS, 1, 0, f(x, (long) N * C), N, C, f(mean, C), f(var, C));
    }

    @Override
    public void batchNormForward(DeviceBuffer x, DeviceBuffer mean, DeviceBuffer rstd, DeviceBuffer w, DeviceBuffer b,
                                 DeviceBuffer y, int N, int C) {
        long n = (long) N * C;
        launch1d("batchnorm_forward", n, f(x, n), f(mean, C), f(rstd, C), f(w, C), f(b, C), f(y, n), N, C);
    }

    @Override
    public void batchNormBackward(DeviceBuffer dy, DeviceBuffer x, DeviceBuffer mean, DeviceBuffer rstd, DeviceBuffer w,
                                  DeviceBuffer dx, DeviceBuffer dw, DeviceBuffer db, int N, int C, boolean batchStats) {
        bind();
        long n = (long) N * C;
        Buffer s = scratch(2L * C);
        CUdeviceptr sumG = s.ptr, sumGX = s.ptr.withByteOffset(4L * C);
        Pointer args = Pointer.to(Pointer.to(f(dy, n).ptr), Pointer.to(f(x, n).ptr), Pointer.to(f(mean, C).ptr),
                Pointer.to(f(rstd, C).ptr), Pointer.to(sumG), Pointer.to(sumGX), ptr(f(dw, C)), ptr(f(db, C)),
                Pointer.to(new int[] {N}), Pointer.to(new int[] {C}));
        cuLaunchKernel(fn("batchnorm_backward_reduce"), (C + THREADS - 1) / THREADS, 1, 1, THREADS, 1, 1, 0, null, args, null);
        if (dx == null || n == 0) return;
        Pointer args2 = Pointer.to(Pointer.to(f(dy, n).ptr), Pointer.to(f(x, n).ptr), Pointer.to(f(mean, C).ptr),
                Pointer.to(f(rstd, C).ptr), ptr(f(w, C)), Pointer.to(sumG), Pointer.to(sumGX), Pointer.to(f(dx, n).ptr),
                Pointer.to(new int[] {N}), Pointer.to(new int[] {C}), Pointer.to(new int[] {batchStats ? 1 : 0}));
        cuLaunchKernel(fn("batchnorm_backward_input"), (int) ((n + THREADS - 1) / THREADS), 1, 1, THREADS, 1, 1, 0, null, args2, null);
    }

    private static Pointer ptr(Buffer b) {
        return b == null ? Pointer.to(new long[] {0L}) : Pointer.to(b.ptr);
    }

    @Override
    public void hashHeadForward(DeviceBuffer a, DeviceBuffer w, DeviceBuffer b, DeviceBuffer h, int n, int G, int H) {
        long threads = 32L * n * G;
        launch1d("hash_head_forward", threads, f(a, (long) n * G * H), f(w, (long) G * H), f(b, G), f(h, (long) n * G), n, G, H);
    }

    @Override
    public void hashHeadBackward(DeviceBuffer dh, DeviceBuffer h, DeviceBuffer a, DeviceBuffer w,
                                 DeviceBuffer da, DeviceBuffer dw, DeviceBuffer db, int n, int G, int H) {
        long na = (long) n * G * H, nh = (long) n * G;
        if (da != null) launch1d("hash_head_backward_input", na, f(dh, nh), f(h, nh), f(w, (long) G * H), f(da, na), n, G, H);
        if (dw != null || db != null) {
            launch("hash_head_backward_params", (G * H + THREADS - 1) / THREADS, 1, 1, THREADS, 1, 0,
                    f(dh, nh), f(h, nh), f(a, na), f(dw, (long) G * H), f(db, G), n, G, H);
        }
    }

    @Override
    public void signPack(DeviceBuffer h, int n, int nbit, DeviceBuffer codes) {
        int words = (nbit + 63) >>> 6;
        Buffer c = own(codes, DeviceBuffer.Kind.LONG);
        fits(c, (long) n * words);
        launch1d("sign_pack", (long) n * words, f(h, (long) n * nbit), n, nbit, c);
    }

    @Override
    public void hammingTopK(DeviceBuffer queries, int nq, DeviceBuffer db, int n, int nbit, int k,
                            DeviceBuffer idx, DeviceBuffer dist) {
        CpuBackend.checkSearch(n, nbit, k);
        int words = (nbit + 63) >>> 6;
        Buffer q = own(queries, DeviceBuffer.Kind.LONG), d = own(db, DeviceBuffer.Kind.LONG);
        Buffer oi = own(idx, DeviceBuffer.Kind.INT), od = own(dist, DeviceBuffer.Kind.INT);
        fits(q, (long) nq * words);
        fits(d, (long) n * words);
        fits(oi, (long) nq * k);
        fits(od, (long) nq * k);
        int shared = (SEARCH_THREADS / 32) * (nbit + 1) * 4;
        launch("hamming_topk", nq, 1, 1, SEARCH_THREADS, 1, shared, q, d, n, words, nbit, k, oi, od);
    }
}
