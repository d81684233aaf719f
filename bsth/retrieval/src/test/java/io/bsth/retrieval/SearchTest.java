package io.bsth.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.bsth.tensor.Parallel;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class SearchTest {
    @AfterAll
    static void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    /** Reference: all distances, stable sort by (distance, index). */
    static int[] ranking(PackedCodes q, int qi, PackedCodes db) {
        return IntStream.range(0, db.size()).boxed()
                .sorted(Comparator.comparingInt((Integer i) -> q.distance(qi, db, i)).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
    }

    static PackedCodes random(Random rnd, int n, int nbit) {
        return PackedCodes.fromInt8(PackedCodesTest.randomSigns(rnd, n, nbit), n, nbit);
    }

    /** Codes with few distinct values: heavy ties at every distance. */
    static PackedCodes clustered(Random rnd, int n, int nbit, int distinct) {
        PackedCodes base = random(rnd, distinct, nbit);
        byte[] s = base.toInt8(), out = new byte[n * nbit];
        for (int i = 0; i < n; i++) System.arraycopy(s, rnd.nextInt(distinct) * nbit, out, i * nbit, nbit);
        return PackedCodes.fromInt8(out, n, nbit);
    }

    @Test
    void topKMatchesStableSortReference() {
        Random rnd = new Random(21);
        int[][] cases = {{3, 500, 7, 10}, {8, 1000, 5, 100}, {64, 3000, 9, 100}, {64, 2000, 1, 37}, {100, 1500, 4, 50},
                {128, 9000, 3, 25}, {200, 700, 6, 1000}, {16, 40, 2, 1}, {33, 10000, 2, 5},
                {32, 20000, 3, 100}, {17, 8192 + 65, 5, 9}, {24, 8191, 2, 300}, {1, 100, 2, 3},
                {64, 9000, 11, 5000}, {64, 4096 * 3 + 9, 13, 4096}, {64, 4097, 9, 4097}, {20, 8192 + 3, 5, 8192}};
        for (int[] cs : cases) {
            int nbit = cs[0], n = cs[1], nq = cs[2], k = cs[3];
            for (boolean ties : new boolean[] {false, true}) {
                PackedCodes db = ties ? clustered(rnd, n, nbit, 13) : random(rnd, n, nbit);
                PackedCodes q = ties ? clustered(rnd, nq, nbit, 13) : random(rnd, nq, nbit);
                for (int threads : new int[] {1, 2, 3}) {
                    Parallel.setThreads(threads);
                    Search.TopK r = Search.topK(q, db, k);
                    int kk = Math.min(k, n);
                    assertEquals(kk, r.k());
                    for (int qi = 0; qi < nq; qi++) {
                        int[] want = Arrays.copyOf(ranking(q, qi, db), kk);
                        int[] got = Arrays.copyOfRange(r.indices(), qi * kk, (qi + 1) * kk);
                        String at = "nbit " + nbit + " n " + n + " k " + k + " ties " + ties + " threads " + threads + " query " + qi;
                        assertArrayEquals(want, got, at);
                        for (int j = 0; j < kk; j++) assertEquals(q.distance(qi, db, want[j]), r.distance(qi, j), at);
                    }
                }
            }
        }
    }

    @Test
    void topKWithTiesReturnsEveryCodeUpToTheKthDistance() {
        Random rnd = new Random(23);
        int[][] cases = {{64, 3000, 5, 100}, {12, 9000, 3, 40}, {32, 8192 + 70, 4, 7}, {100, 2500, 3, 60}, {64, 50, 2, 80}, {7, 300, 3, 1}};
        for (int[] cs : cases) {
            int nbit = cs[0], n = cs[1], nq = cs[2], k = cs[3];
            for (boolean ties : new boolean[] {false, true}) {
                PackedCodes db = ties ? clustered(rnd, n, nbit, 11) : random(rnd, n, nbit);
                PackedCodes q = random(rnd, nq, nbit);
                for (int threads : new int[] {1, 2, 3}) {
                    Parallel.setThreads(threads);
                    Search.Radius r = Search.topKWithTies(q, db, k);
                    for (int qi = 0; qi < nq; qi++) {
                        int[] order = ranking(q, qi, db);
                        int query = qi, kth = q.distance(qi, db, order[Math.min(k, n) - 1]);
                        int[] want = Arrays.stream(order).filter(i -> q.distance(query, db, i) <= kth).toArray();
                        int[] got = Arrays.copyOfRange(r.indices(), r.offsets()[qi], r.offsets()[qi + 1]);
                        String at = "nbit " + nbit + " n " + n + " k " + k + " ties " + ties + " threads " + threads + " query " + qi;
                        assertArrayEquals(want, got, at);
                        for (int j = 0; j < got.length; j++) assertEquals(q.distance(qi, db, got[j]), r.distances()[r.offsets()[qi] + j], at);
                    }
                }
            }
        }
    }

    @Test
    void planeSourceGivesTheSameAnswerAsDirectArrays() {
        // a CodeSource that is not a PackedCodes takes the copy-into-scratch path, also for one-word codes
        Random rnd = new Random(22);
        PackedCodes db = clustered(rnd, 5000, 48, 50), q = random(rnd, 11, 48);
        CodeSource wrapped = new CodeSource() {
            public int size() { return db.size(); }
            public int nbit() { return db.nbit(); }
            public void copyPlanes(int start, int len, long[] dst) { db.copyPlanes(start, len, dst); }
        };
        Parallel.setThreads(2);
        Search.TopK a = Search.topK(q, db, 60), b = Search.topK(q, wrapped, 60);
        assertArrayEquals(a.indices(), b.indices());
        assertArrayEquals(a.distances(), b.distances());
    }

    @Test
    void radiusReturnsEverythingWithinRSorted() {
        Random rnd = new Random(23);
        for (int nbit : new int[] {10, 64, 90}) {
            PackedCodes db = clustered(rnd, 3000, nbit, 40), q = random(rnd, 5, nbit);
            for (int radius : new int[] {0, 2, nbit / 3, nbit / 2, nbit}) {
                Parallel.setThreads(2);
                Search.Radius r = Search.radius(q, db, radius);
                for (int qi = 0; qi < 5; qi++) {
                    int fq = qi;
                    int[] want = Arrays.stream(ranking(q, qi, db)).filter(i -> q.distance(fq, db, i) <= radius).toArray();
                    assertArrayEquals(want, Arrays.copyOfRange(r.indices(), r.offsets()[qi], r.offsets()[qi + 1]),
                            "nbit " + nbit + " radius " + radius);
                }
            }
        }
    }

    @Test
    void rejectsBadArguments() {
        Random rnd = new Random(24);
        PackedCodes a = random(rnd, 3, 8), b = random(rnd, 3, 9);
        assertEquals("k: expected >= 1, got 0", assertThrows(IllegalArgumentException.class, () -> Search.topK(a, a, 0)).getMessage());
        assertEquals("queries have 8 bits, database codes 9", assertThrows(IllegalArgumentException.class, () -> Search.topK(a, b, 1)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Search.radius(a, a, -1));
    }

    @Test
    void emptyDatabaseOrQueriesGiveEmptyResults() {
        Random rnd = new Random(25);
        PackedCodes none = PackedCodes.fromInt8(new byte[0], 0, 12), some = random(rnd, 4, 12);
        Search.TopK a = Search.topK(some, none, 5);
        assertEquals(0, a.k());
        assertEquals(0, a.indices().length);
        assertEquals(0, Search.topK(none, some, 3).indices().length);
        Search.Radius r = Search.radius(some, none, 3);
        assertEquals(0, r.count(2));
        Search.TopK capped = Search.topK(some, some, 10);
        assertEquals(4, capped.k());
        for (int q = 0; q < 4; q++) assertEquals(0, capped.distance(q, 0));
    }

    @Test
    void queriesApproachedAtDifferentRatesShareTheFourQueryScan() {
        // nine queries, each with its own sequence of database codes closing in on it at its own rate, in
        // one database: the four-query scan stops for one query's hits while the others' thresholds differ
        int nbit = 64, nq = 9, n = 3 * 4096 + 100;
        Random rnd = new Random(27);
        long[] qw = new long[nq];
        for (int j = 0; j < nq; j++) qw[j] = rnd.nextLong();
        long[] w = new long[n];
        for (int i = 0; i < n; i++) {
            int j = i % nq, level = Math.max(0, 64 - (i / nq) / (1 + j));
            w[i] = qw[j] ^ (level == 0 ? 0 : -1L >>> (64 - level)) ^ (rnd.nextInt(8) == 0 ? 1L << rnd.nextInt(64) : 0);
        }
        PackedCodes db = PackedCodes.wrap(w, n, nbit), qs = PackedCodes.wrap(qw, nq, nbit);
        for (int k : new int[] {1, 7, 100, 4096, 5000}) {
            for (int threads : new int[] {1, 2}) {
                Parallel.setThreads(threads);
                Search.TopK r = Search.topK(qs, db, k);
                for (int qi = 0; qi < nq; qi++) {
                    assertArrayEquals(Arrays.copyOf(ranking(qs, qi, db), k), Arrays.copyOfRange(r.indices(), qi * k, (qi + 1) * k),
                            "k " + k + " threads " + threads + " query " + qi);
                }
            }
        }
    }

    @Test
    void approachingCodesExerciseThresholdDropsAndCompaction() {
        // database codes get closer to the query as the index grows (each distance level several times):
        // every code is a candidate when scanned, the threshold drops level by level, the list compacts
        int nbit = 64, n = 65 * 40;
        long q = 0x0123456789ABCDEFL;
        long[] w = new long[n];
        for (int i = 0; i < n; i++) w[i] = q ^ (-1L >>> (i / 40));
        PackedCodes db = PackedCodes.wrap(w, n, nbit), qs = PackedCodes.wrap(new long[] {q}, 1, nbit);
        for (int k : new int[] {1, 3, 40, 41, 100}) {
            for (int threads : new int[] {1, 2}) {
                Parallel.setThreads(threads);
                Search.TopK r = Search.topK(qs, db, k);
                assertArrayEquals(Arrays.copyOf(ranking(qs, 0, db), k), r.indices(), "k " + k + " threads " + threads);
            }
        }
    }
}
