package io.bsth.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.bsth.tensor.Rng;
import io.bsth.tensor.backend.CpuBackend;
import io.bsth.tensor.backend.DeviceBuffer;
import org.junit.jupiter.api.Test;

/**
 * The algorithm of {@code hamming.cu} run on the CPU: one query at a time, warps and lanes walked in
 * order with the kernel's index arithmetic (slices, per-warp histograms, thread 0's threshold and
 * counting sort, ranks among equal-distance lanes, the cut at k). It checks the algorithm against the
 * plain reference on awkward cases (fewer codes than lanes, k = n, k = 1, all codes equal, multi-word
 * codes) without a GPU; the kernel itself is compared on a GPU by CudaBackendTest.
 */
class HammingTopkModelTest {
    static final int WARPS = 8;

    /** hamming_topk for one query, as the kernel computes it (lanes of a step in lane order). */
    static void model(long[] q, int qOff, long[] db, int n, int words, int nbit, int k, int[] outI, int[] outD, int outOff) {
        int bins = nbit + 1;
        int[] hist = new int[WARPS * bins];
        int seg = (n + WARPS - 1) / WARPS;
        for (int w = 0; w < WARPS; w++) {
            int lo = Math.min(n, w * seg), hi = Math.min(n, lo + seg);
            for (int base = lo; base < hi; base += 32) {
                for (int lane = 0; lane < 32; lane++) {
                    int i = base + lane;
                    if (i < hi) hist[w * bins + dist(q, qOff, db, i, words)]++;
                }
            }
        }
        int cum = 0, t = 0;
        for (; t < bins; t++) {
            int c = 0;
            for (int w = 0; w < WARPS; w++) c += hist[w * bins + t];
            if (cum + c >= k) break;
            cum += c;
        }
        int off = 0;
        for (int d = 0; d <= t && d < bins; d++) {
            for (int w = 0; w < WARPS; w++) {
                int c = hist[w * bins + d];
                hist[w * bins + d] = off;
                off += c;
            }
        }
        for (int w = 0; w < WARPS; w++) {
            int lo = Math.min(n, w * seg), hi = Math.min(n, lo + seg);
            for (int base = lo; base < hi; base += 32) {
                int[] d = new int[32];
                for (int lane = 0; lane < 32; lane++) d[lane] = base + lane < hi ? dist(q, qOff, db, base + lane, words) : -1;
                int[] add = new int[bins];
                for (int lane = 0; lane < 32; lane++) {
                    if (d[lane] < 0 || d[lane] > t) continue;
                    int rank = 0;
                    for (int l = 0; l < lane; l++) if (d[l] == d[lane]) rank++;
                    int pos = hist[w * bins + d[lane]] + rank;
                    if (pos < k) {
                        outI[outOff + pos] = base + lane;
                        outD[outOff + pos] = d[lane];
                    }
                    add[d[lane]]++;
                }
                for (int b = 0; b < bins; b++) hist[w * bins + b] += add[b];
            }
        }
    }

    static int dist(long[] q, int qOff, long[] db, int i, int words) {
        int s = 0;
        for (int w = 0; w < words; w++) s += Long.bitCount(q[qOff + w] ^ db[i * words + w]);
        return s;
    }

    private static void check(long[] db, long[] q, int n, int nq, int nbit, int k) {
        int words = (nbit + 63) >>> 6;
        int[] mi = new int[nq * k], md = new int[nq * k];
        for (int qi = 0; qi < nq; qi++) model(q, qi * words, db, n, words, nbit, k, mi, md, qi * k);
        CpuBackend cpu = CpuBackend.INSTANCE;
        try (DeviceBuffer Q = cpu.allocate(DeviceBuffer.Kind.LONG, q.length); DeviceBuffer D = cpu.allocate(DeviceBuffer.Kind.LONG, db.length);
             DeviceBuffer I = cpu.allocate(DeviceBuffer.Kind.INT, nq * k); DeviceBuffer S = cpu.allocate(DeviceBuffer.Kind.INT, nq * k)) {
            cpu.upload(q, 0, q.length, Q);
            cpu.upload(db, 0, db.length, D);
            cpu.hammingTopK(Q, nq, D, n, nbit, k, I, S);
            int[] ri = new int[nq * k], rd = new int[nq * k];
            cpu.download(I, ri, 0, ri.length);
            cpu.download(S, rd, 0, rd.length);
            String what = "n " + n + ", nbit " + nbit + ", k " + k;
            assertArrayEquals(ri, mi, what + ": indices");
            assertArrayEquals(rd, md, what + ": distances");
        }
    }

    private static long[] random(Rng rng, int rows, int nbit, int distinctBits) {
        int words = (nbit + 63) >>> 6;
        long tail = nbit % 64 == 0 ? -1L : (1L << (nbit % 64)) - 1;
        long[] x = new long[rows * words];
        for (int i = 0; i < x.length; i++) {
            long v = rng.nextLong() & (i % words == words - 1 ? tail : -1L);
            x[i] = distinctBits >= 64 ? v : v & ((1L << distinctBits) - 1);
        }
        return x;
    }

    @Test
    void theKernelsAlgorithmGivesTheReferenceOrder() {
        Rng rng = new Rng(17);
        int[][] cases = { // n, nbit, k, distinct low bits (few = many ties)
            {5, 16, 5, 64}, {5, 16, 1, 64}, {7, 64, 3, 2}, {255, 64, 100, 64}, {257, 64, 257, 3},
            {1000, 64, 1, 64}, {1000, 7, 100, 64}, {3001, 130, 100, 64}, {3001, 130, 50, 4}, {4096, 64, 1000, 5},
        };
        for (int[] c : cases) {
            int n = c[0], nbit = c[1], k = c[2];
            check(random(rng, n, nbit, c[3]), random(rng, 9, nbit, c[3]), n, 9, nbit, k);
        }
        long[] same = new long[300];
        check(same, new long[] {0L, -1L}, 300, 2, 64, 120);
    }
}
