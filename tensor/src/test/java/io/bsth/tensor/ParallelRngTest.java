package io.bsth.tensor;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelRngTest {
    @Test
    void everyTaskRunsExactlyOnceForAnyThreadCount() {
        int before = Parallel.threads();
        try {
            for (int t : new int[] {1, 2, 3, 8}) {
                Parallel.setThreads(t);
                AtomicIntegerArray hits = new AtomicIntegerArray(1000);
                Parallel.forEach(1000, hits::incrementAndGet);
                for (int i = 0; i < 1000; i++) assertEquals(1, hits.get(i), "task " + i + " with " + t + " threads");
                AtomicIntegerArray cover = new AtomicIntegerArray(777);
                Parallel.forRange(777, 10, (s, e) -> { for (int i = s; i < e; i++) cover.incrementAndGet(i); });
                for (int i = 0; i < 777; i++) assertEquals(1, cover.get(i));
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void nestedCallsRunInlineAndErrorsPropagate() {
        Parallel.setThreads(2);
        AtomicIntegerArray hits = new AtomicIntegerArray(16);
        Parallel.forEach(4, i -> Parallel.forEach(4, j -> hits.incrementAndGet(i * 4 + j)));
        for (int i = 0; i < 16; i++) assertEquals(1, hits.get(i));
        RuntimeException e = assertThrows(RuntimeException.class, () -> Parallel.forEach(8, i -> {
            if (i == 5) throw new IllegalStateException("boom");
        }));
        assertEquals("boom", e.getMessage());
    }

    @Test
    void rngFillsAreThreadCountIndependentAndWellDistributed() {
        int n = 300_000;
        float[] a = new float[n], b = new float[n];
        Parallel.setThreads(1);
        new Rng(7).fillUniform(a, 0, n, -1f, 1f);
        Parallel.setThreads(3);
        new Rng(7).fillUniform(b, 0, n, -1f, 1f);
        assertArrayEquals(a, b);
        double mean = 0, var = 0;
        for (float v : a) { assertTrue(v >= -1f && v < 1f); mean += v; }
        mean /= n;
        for (float v : a) var += (v - mean) * (v - mean);
        var /= n;
        assertEquals(0.0, mean, 0.01);
        assertEquals(1.0 / 3.0, var, 0.01);

        new Rng(3).fillNormal(a, 0, n, 0f, 2f);
        mean = 0; var = 0;
        for (float v : a) mean += v;
        mean /= n;
        for (float v : a) var += (v - mean) * (v - mean);
        assertEquals(0.0, mean, 0.02);
        assertEquals(4.0, var / n, 0.05);

        new Rng(5).dropoutMask(a, 0, n, 0.5f);
        int kept = 0;
        for (float v : a) { assertTrue(v == 0f || v == 2f); if (v != 0f) kept++; }
        assertEquals(0.5, kept / (double) n, 0.01);

        Rng r = new Rng(11);
        Rng s1 = r.split(), s2 = r.split();
        assertNotEquals(s1.nextLong(), s2.nextLong());
        int[] perm = new Rng(1).permutation(100);
        boolean[] seen = new boolean[100];
        for (int p : perm) { assertFalse(seen[p]); seen[p] = true; }
    }
}
