package io.bsth.tensor.backend;

import io.bsth.tensor.Rng;
import io.bsth.tensor.backend.DeviceBuffer.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs every {@link Backend} kernel on two backends with the same random inputs (awkward sizes: not
 * multiples of a tile or a warp) and compares the outputs, as the PyTorch fixtures compare with torch:
 * max |candidate - reference| / max |reference| per output, at most {@link #SINGLE} for float kernels;
 * integer outputs (search, sign packing) and the dropout masks must be equal. Used by the GPU tests
 * (CUDA against {@link CpuBackend}) and by the GPU check program.
 */
public final class KernelCheck {
    /** The fixtures' tolerance for single ops. */
    public static final double SINGLE = 1e-5;

    /** One compared output: the worst relative difference and whether it is within tolerance. */
    public record Result(String kernel, double maxRel, double tol) {
        public boolean ok() {
            return maxRel <= tol;
        }

        @Override
        public String toString() {
            return String.format("%-34s max rel diff %.3g (tol %.0g) %s", kernel, maxRel, tol, ok() ? "ok" : "FAIL");
        }
    }

    private final Backend ref, dut;
    private final Rng rng;
    private final List<Result> results = new ArrayList<>();
    private final List<DeviceBuffer> open = new ArrayList<>();

    private KernelCheck(Backend ref, Backend dut, long seed) {
        this.ref = ref;
        this.dut = dut;
        this.rng = new Rng(seed);
    }

    /** Every comparison of dut against ref. */
    public static List<Result> run(Backend ref, Backend dut, long seed) {
        KernelCheck c = new KernelCheck(ref, dut, seed);
        try {
            c.all();
        } finally {
            for (DeviceBuffer b : c.open) b.close();
        }
        return c.results;
    }

    /** The same float data on both backends. */
    private record Pair(DeviceBuffer r, DeviceBuffer d, int n) {}

    private Pair floats(int n, float lo, float hi) {
        float[] x = new float[n];
        rng.fillUniform(x, 0, n, lo, hi);
        return pair(x);
    }

    private Pair pair(float[] x) {
        DeviceBuffer r = ref.allocate(Kind.FLOAT, x.length), d = dut.allocate(Kind.FLOAT, x.length);
        open.add(r);
        open.add(d);
        ref.upload(x, 0, x.length, r);
        dut.upload(x, 0, x.length, d);
        return new Pair(r, d, x.length);
    }

    private Pair zeros(int n) {
        return pair(new float[n]);
    }

    private Pair longs(long[] x) {
        DeviceBuffer r = ref.allocate(Kind.LONG, x.length), d = dut.allocate(Kind.LONG, x.length);
        open.add(r);
        open.add(d);
        ref.upload(x, 0, x.length, r);
        dut.upload(x, 0, x.length, d);
        return new Pair(r, d, x.length);
    }

    private Pair ints(int n) {
        DeviceBuffer r = ref.allocate(Kind.INT, n), d = dut.allocate(Kind.INT, n);
        open.add(r);
        open.add(d);
        return new Pair(r, d, n);
    }

    private void compare(String kernel, Pair p, double tol) {
        float[] a = new float[p.n], b = new float[p.n];
        ref.download(p.r, a, 0, p.n);
        dut.download(p.d, b, 0, p.n);
        double maxD = 0, maxE = 0;
        for (int i = 0; i < p.n; i++) {
            double diff = Math.abs((double) a[i] - b[i]);
            if (Double.isNaN(diff)) diff = Double.POSITIVE_INFINITY;
            maxD = Math.max(maxD, diff);
            maxE = Math.max(maxE, Math.abs(a[i]));
        }
        results.add(new Result(kernel, maxD == 0 ? 0 : maxD / Math.max(maxE, 1e-30), tol));
    }

    private void compareInts(String kernel, Pair p) {
        int[] a = new int[p.n], b = new int[p.n];
        ref.download(p.r, a, 0, p.n);
        dut.download(p.d, b, 0, p.n);
        int bad = 0;
        for (int i = 0; i < p.n; i++) if (a[i] != b[i]) bad++;
        results.add(new Result(kernel + " (" + bad + " of " + p.n + " differ)", bad == 0 ? 0 : 1, 0));
    }

    private void compareLongs(String kernel, Pair p) {
        long[] a = new long[p.n], b = new long[p.n];
        ref.download(p.r, a, 0, p.n);
        dut.download(p.d, b, 0, p.n);
        int bad = 0;
        for (int i = 0; i < p.n; i++) if (a[i] != b[i]) bad++;
        results.add(new Result(kernel + " (" + bad + " of " + p.n + " differ)", bad == 0 ? 0 : 1, 0));
    }

    private void all() {
        sgemm();
        rowOps();
        elementwise();
        optimiser();
        batchNorm();
        hashHead();
        search();
    }

    private void sgemm() {
        int M = 67, N = 45, K = 130;
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                Pair A = floats(M * K, -1, 1), B = floats(K * N, -1, 1), C = floats(M * N, -1, 1);
                int lda = ta ? M : K, ldb = tb ? K : N;
                ref.sgemmBatched(1, ta, tb, M, N, K, 0.75f, A.r, lda, 0, B.r, ldb, 0, 0.5f, C.r, N, 0);
                dut.sgemmBatched(1, ta, tb, M, N, K, 0.75f, A.d, lda, 0, B.d, ldb, 0, 0.5f, C.d, N, 0);
                compare("sgemm " + (ta ? "At" : "A") + "." + (tb ? "Bt" : "B") + " beta=0.5", C, SINGLE);
            }
        }
        // batched, the grouped-Linear layout of the hash head: X (n, G*in), W (G*out, in) -> Y (n, G*out)
        int n = 53, G = 5, in = 33, out = 19;
        Pair X = floats(n * G * in, -1, 1), W = floats(G * out * in, -1, 1), Y = floats(n * G * out, -1, 1);
        ref.sgemmBatched(G, false, true, n, out, in, 1f, X.r, G * in, in, W.r, in, (long) out * in, 0f, Y.r, G * out, out);
        dut.sgemmBatched(G, false, true, n, out, in, 1f, X.d, G * in, in, W.d, in, (long) out * in, 0f, Y.d, G * out, out);
        compare("sgemm batched grouped A.Bt beta=0", Y, SINGLE);
    }

    private void rowOps() {
        int rows = 37, C = 301;
        Pair x = floats(rows * C, -4, 4), y = zeros(rows * C);
        ref.softmaxForward(x.r, y.r, rows, C);
        dut.softmaxForward(x.d, y.d, rows, C);
        compare("softmax forward", y, SINGLE);
        Pair dy = floats(rows * C, -1, 1), dx = floats(rows * C, -1, 1);
        ref.softmaxBackward(y.r, dy.r, dx.r, rows, C);
        dut.softmaxBackward(y.d, dy.d, dx.d, rows, C);
        compare("softmax backward", dx, SINGLE);

        Pair w = floats(C, 0.5f, 1.5f), b = floats(C, -0.5f, 0.5f), ln = zeros(rows * C), mean = zeros(rows), rstd = zeros(rows);
        ref.layerNormForward(x.r, w.r, b.r, ln.r, mean.r, rstd.r, rows, C, 1e-5f);
        dut.layerNormForward(x.d, w.d, b.d, ln.d, mean.d, rstd.d, rows, C, 1e-5f);
        compare("layernorm forward", ln, SINGLE);
        compare("layernorm forward rstd", rstd, SINGLE);
        Pair lx = floats(rows * C, -1, 1), lw = floats(C, -1, 1), lb = floats(C, -1, 1);
        ref.layerNormBackward(dy.r, x.r, w.r, mean.r, rstd.r, lx.r, lw.r, lb.r, rows, C);
        dut.layerNormBackward(dy.d, x.d, w.d, mean.d, rstd.d, lx.d, lw.d, lb.d, rows, C);
        compare("layernorm backward dx", lx, SINGLE);
        compare("layernorm backward dw", lw, SINGLE);
        compare("layernorm backward db", lb, SINGLE);
    }

    private void elementwise() {
        int n = 100_003;
        Pair a = floats(n, -5, 5), b = floats(n, -2, 2);
        for (Backend.Activation f : Backend.Activation.values()) {
            Pair y = zeros(n), dx = floats(n, -1, 1);
            ref.activation(f, a.r, y.r, n);
            dut.activation(f, a.d, y.d, n);
            compare(f + " forward", y, SINGLE);
            Pair saved = f == Backend.Activation.GELU ? a : y;
            ref.activationBackward(f, saved.r, b.r, dx.r, n);
            dut.activationBackward(f, saved.d, b.d, dx.d, n);
            compare(f + " backward", dx, SINGLE);
        }
        for (Backend.Binary op : Backend.Binary.values()) {
            Pair y = floats(n, -1, 1);
            ref.binary(op, a.r, b.r, y.r, n);
            dut.binary(op, a.d, b.d, y.d, n);
            compare("elementwise " + op, y, SINGLE);
        }
        Pair y = floats(n, -1, 1);
        ref.axpy(-0.3f, a.r, y.r, n);
        dut.axpy(-0.3f, a.d, y.d, n);
        compare("axpy", y, SINGLE);
        ref.scale(1.7f, a.r, y.r, n);
        dut.scale(1.7f, a.d, y.d, n);
        compare("scale", y, SINGLE);
        ref.fill(y.r, 0.25f, n);
        dut.fill(y.d, 0.25f, n);
        compare("fill", y, 0);
        int rows = 311, cols = 321;
        Pair m = floats(rows * cols, -1, 1), v = floats(cols, -1, 1);
        ref.addRowVector(m.r, v.r, rows, cols);
        dut.addRowVector(m.d, v.d, rows, cols);
        compare("add row vector", m, SINGLE);
        Pair cs = floats(cols, -1, 1), rs = floats(rows, -1, 1);
        ref.colSum(m.r, rows, cols, cs.r, true);
        dut.colSum(m.d, rows, cols, cs.d, true);
        compare("column sum (accumulate)", cs, SINGLE);
        ref.rowSum(m.r, rows, cols, rs.r, false);
        dut.rowSum(m.d, rows, cols, rs.d, false);
        compare("row sum", rs, SINGLE);
        double sr = ref.sum(a.r, n), sd = dut.sum(a.d, n);
        float[] host = new float[n];
        ref.download(a.r, host, 0, n);
        double scale = 0;
        for (float f : host) scale += Math.abs(f);
        results.add(new Result("sum (relative to sum |x|)", Math.abs(sr - sd) / scale, SINGLE));

        int dn = 70_001;
        Rng r1 = new Rng(99), r2 = new Rng(99);
        Pair mask = zeros(dn);
        ref.dropoutMask(r1, mask.r, dn, 0.1f);
        dut.dropoutMask(r2, mask.d, dn, 0.1f);
        compare("dropout mask (same draws)", mask, 0);
        results.add(new Result("dropout rng advanced equally", r1.nextLong() == r2.nextLong() ? 0 : 1, 0));
    }

    private void optimiser() {
        int n = 10_007;
        Pair p = floats(n, -1, 1), g = floats(n, -1, 1), m = floats(n, -0.1f, 0.1f), v = floats(n, 0, 0.01f);
        for (long t = 1; t <= 3; t++) {
            ref.adamStep(p.r, g.r, m.r, v.r, n, 1e-3, 0.9, 0.999, 1e-8, t);
            dut.adamStep(p.d, g.d, m.d, v.d, n, 1e-3, 0.9, 0.999, 1e-8, t);
        }
        compare("adam 3 steps: param", p, SINGLE);
        compare("adam 3 steps: exp_avg", m, SINGLE);
        compare("adam 3 steps: exp_avg_sq", v, SINGLE);
    }

    private void batchNorm() {
        int N = 129, C = 67;
        Pair x = floats(N * C, -2, 3), mean = zeros(C), var = zeros(C);
        ref.batchStats(x.r, N, C, mean.r, var.r);
        dut.batchStats(x.d, N, C, mean.d, var.d);
        compare("batchnorm stats mean", mean, SINGLE);
        compare("batchnorm stats var", var, SINGLE);
        float[] vh = new float[C], rstd = new float[C];
        ref.download(var.r, vh, 0, C);
        for (int j = 0; j < C; j++) rstd[j] = (float) (1 / Math.sqrt(vh[j] + 1e-5));
        Pair rs = pair(rstd), w = floats(C, 0.5f, 1.5f), b = floats(C, -1, 1), y = zeros(N * C);
        ref.batchNormForward(x.r, mean.r, rs.r, w.r, b.r, y.r, N, C);
        dut.batchNormForward(x.d, mean.d, rs.d, w.d, b.d, y.d, N, C);
        compare("batchnorm forward", y, SINGLE);
        for (boolean stats : new boolean[] {true, false}) {
            Pair dy = floats(N * C, -1, 1), dx = floats(N * C, -1, 1), dw = floats(C, -1, 1), db = floats(C, -1, 1);
            ref.batchNormBackward(dy.r, x.r, mean.r, rs.r, w.r, dx.r, dw.r, db.r, N, C, stats);
            dut.batchNormBackward(dy.d, x.d, mean.d, rs.d, w.d, dx.d, dw.d, db.d, N, C, stats);
            String mode = stats ? " (batch stats)" : " (running stats)";
            compare("batchnorm backward dx" + mode, dx, SINGLE);
            compare("batchnorm backward dw" + mode, dw, SINGLE);
            compare("batchnorm backward db" + mode, db, SINGLE);
        }
    }

    private void hashHead() {
        int n = 41, G = 70, H = 64;
        Pair a = floats(n * G * H, -1, 1), w = floats(G * H, -0.2f, 0.2f), b = floats(G, -0.5f, 0.5f), h = zeros(n * G);
        ref.hashHeadForward(a.r, w.r, b.r, h.r, n, G, H);
        dut.hashHeadForward(a.d, w.d, b.d, h.d, n, G, H);
        compare("hash head forward", h, SINGLE);
        Pair dh = floats(n * G, -1, 1), da = floats(n * G * H, -1, 1), dw = floats(G * H, -1, 1), db = floats(G, -1, 1);
        ref.hashHeadBackward(dh.r, h.r, a.r, w.r, da.r, dw.r, db.r, n, G, H);
        dut.hashHeadBackward(dh.d, h.d, a.d, w.d, da.d, dw.d, db.d, n, G, H);
        compare("hash head backward da", da, SINGLE);
        compare("hash head backward dw", dw, SINGLE);
        compare("hash head backward db", db, SINGLE);
        Pair codes = longs(new long[n * 2]);
        ref.signPack(h.r, n, G, codes.r);
        dut.signPack(h.d, n, G, codes.d);
        compareLongs("sign pack (70 bits, 2 words)", codes);
    }

    private void search() {
        for (int nbit : new int[] {16, 64, 130}) {
            int words = (nbit + 63) >>> 6, n = 5003, nq = 37, k = 100;
            long[] db = new long[n * words], q = new long[nq * words];
            long tail = nbit % 64 == 0 ? -1L : (1L << (nbit % 64)) - 1;
            for (int i = 0; i < db.length; i++) db[i] = rng.nextLong() & (i % words == words - 1 ? tail : -1L);
            // duplicates: many ties at every distance
            for (int i = 0; i + 7 < n; i += 7) System.arraycopy(db, i * words, db, (i + 3) * words, words);
            for (int i = 0; i < q.length; i++) q[i] = db[(i * 131) % db.length] ^ (rng.nextLong() & rng.nextLong() & rng.nextLong());
            for (int i = 0; i < q.length; i++) if (i % words == words - 1) q[i] &= tail;
            Pair qs = longs(q), ds = longs(db), idx = ints(nq * k), dist = ints(nq * k);
            ref.hammingTopK(qs.r, nq, ds.r, n, nbit, k, idx.r, dist.r);
            dut.hammingTopK(qs.d, nq, ds.d, n, nbit, k, idx.d, dist.d);
            compareInts("hamming top-" + k + " " + nbit + " bits: indices", idx);
            compareInts("hamming top-" + k + " " + nbit + " bits: distances", dist);
        }
    }
}
