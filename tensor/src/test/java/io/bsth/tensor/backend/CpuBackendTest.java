package io.bsth.tensor.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bsth.tensor.Rng;
import io.bsth.tensor.backend.DeviceBuffer.Kind;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

class CpuBackendTest {
    final Backend cpu = CpuBackend.INSTANCE;

    @Test
    void hammingTopKIsTheSortedOrderByDistanceThenIndex() {
        Rng rng = new Rng(5);
        for (int nbit : new int[] {7, 64, 130}) {
            int words = (nbit + 63) >>> 6, n = 301, nq = 9, k = 40;
            long tail = nbit % 64 == 0 ? -1L : (1L << (nbit % 64)) - 1;
            long[] db = new long[n * words], q = new long[nq * words];
            for (int i = 0; i < db.length; i++) db[i] = rng.nextLong() & (i % words == words - 1 ? tail : -1L);
            for (int i = 0; i < q.length; i++) q[i] = rng.nextLong() & (i % words == words - 1 ? tail : -1L);
            DeviceBuffer Q = cpu.allocate(Kind.LONG, q.length), D = cpu.allocate(Kind.LONG, db.length);
            DeviceBuffer I = cpu.allocate(Kind.INT, nq * k), S = cpu.allocate(Kind.INT, nq * k);
            cpu.upload(q, 0, q.length, Q);
            cpu.upload(db, 0, db.length, D);
            cpu.hammingTopK(Q, nq, D, n, nbit, k, I, S);
            int[] idx = new int[nq * k], dist = new int[nq * k];
            cpu.download(I, idx, 0, idx.length);
            cpu.download(S, dist, 0, dist.length);
            for (int qi = 0; qi < nq; qi++) {
                int[][] all = new int[n][];
                for (int i = 0; i < n; i++) {
                    int d = 0;
                    for (int w = 0; w < words; w++) d += Long.bitCount(q[qi * words + w] ^ db[i * words + w]);
                    all[i] = new int[] {d, i};
                }
                Arrays.sort(all, Comparator.<int[]>comparingInt(a -> a[0]).thenComparingInt(a -> a[1]));
                for (int r = 0; r < k; r++) {
                    assertEquals(all[r][1], idx[qi * k + r], "nbit " + nbit + " query " + qi + " rank " + r);
                    assertEquals(all[r][0], dist[qi * k + r]);
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> CpuBackend.checkSearch(10, 64, 11));
        assertThrows(IllegalArgumentException.class, () -> CpuBackend.checkSearch(10, 1025, 1));
    }

    @Test
    void hashHeadBackwardMatchesFiniteDifferences() {
        int n = 3, G = 4, H = 5;
        Rng rng = new Rng(11);
        float[] a = new float[n * G * H], w = new float[G * H], b = new float[G], dh = new float[n * G];
        rng.fillUniform(a, 0, a.length, -1, 1);
        rng.fillUniform(w, 0, w.length, -1, 1);
        rng.fillUniform(b, 0, b.length, -1, 1);
        rng.fillUniform(dh, 0, dh.length, -1, 1);
        float[] h = head(a, w, b, n, G, H);
        DeviceBuffer dA = cpu.allocate(Kind.FLOAT, a.length), dW = cpu.allocate(Kind.FLOAT, w.length), dB = cpu.allocate(Kind.FLOAT, b.length);
        cpu.hashHeadBackward(buf(dh), buf(h), buf(a), buf(w), dA, dW, dB, n, G, H);
        float[] da = new float[a.length], dw = new float[w.length], db = new float[b.length];
        cpu.download(dA, da, 0, da.length);
        cpu.download(dW, dw, 0, dw.length);
        cpu.download(dB, db, 0, db.length);
        double eps = 1e-3;
        for (float[][] pr : new float[][][] {{a, da}, {w, dw}, {b, db}}) {
            float[] x = pr[0], grad = pr[1];
            for (int i = 0; i < x.length; i++) {
                float keep = x[i];
                x[i] = (float) (keep + eps);
                double up = dot(head(a, w, b, n, G, H), dh);
                x[i] = (float) (keep - eps);
                double down = dot(head(a, w, b, n, G, H), dh);
                x[i] = keep;
                assertEquals((up - down) / (2 * eps), grad[i], 2e-3, "gradient element " + i);
            }
        }
    }

    private DeviceBuffer buf(float[] x) {
        DeviceBuffer d = cpu.allocate(Kind.FLOAT, x.length);
        cpu.upload(x, 0, x.length, d);
        return d;
    }

    private float[] head(float[] a, float[] w, float[] b, int n, int G, int H) {
        DeviceBuffer h = cpu.allocate(Kind.FLOAT, n * G);
        cpu.hashHeadForward(buf(a), buf(w), buf(b), h, n, G, H);
        float[] out = new float[n * G];
        cpu.download(h, out, 0, out.length);
        return out;
    }

    @Test
    void reservedDrawsAreTheDrawsTheGeneratorSkips() {
        Rng a = new Rng(42), b = new Rng(42);
        a.nextLong();
        b.nextLong();
        Rng.Block block = a.reserve(5);
        assertEquals(5, block.n());
        long[] expected = new long[6];
        for (int i = 0; i < 6; i++) expected[i] = b.nextLong();
        assertEquals(expected[5], a.nextLong(), "reserve(5) skips exactly five draws");
        // the dropout mask draws the same numbers from the same counters
        float[] viaMask = new float[5];
        Rng c = new Rng(42);
        c.nextLong();
        c.dropoutMask(viaMask, 0, 5, 0.5f);
        for (int i = 0; i < 5; i++) {
            boolean keep = (int) (expected[i] >>> 40) >= Rng.dropoutThreshold(0.5f);
            assertEquals(keep ? 2f : 0f, viaMask[i], "draw " + i);
        }
    }

    @Test
    void backendsFindsCpuAndNamesWhatIsMissing() {
        assertSame(CpuBackend.INSTANCE, Backends.open("cpu"));
        assertTrue(Backends.names().contains("cpu"));
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Backends.open("tpu"));
        assertTrue(e.getMessage().startsWith("no 'tpu' backend on the class path"), e.getMessage());
        assertEquals(-1, e.getMessage().indexOf('\n'));
    }

    @Test
    void kernelCheckPassesCpuAgainstItselfAndCatchesADifference() {
        List<KernelCheck.Result> same = KernelCheck.run(cpu, cpu, 1);
        assertTrue(same.size() > 40, "every kernel compared: " + same.size());
        for (KernelCheck.Result r : same) assertTrue(r.ok(), r.toString());
        KernelCheck.Result off = new KernelCheck.Result("x", 2e-5, KernelCheck.SINGLE);
        assertTrue(!off.ok());
    }

    private static double dot(float[] x, float[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) s += (double) x[i] * y[i];
        return s;
    }
}
