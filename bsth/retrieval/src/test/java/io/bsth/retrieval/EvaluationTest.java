package io.bsth.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bsth.tensor.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EvaluationTest {
    static final double TOL = 1e-12;

    /** Plain reference: sort the database per query (stable by index), then read every definition off the ranking. */
    static Evaluation.Result reference(PackedCodes query, PackedCodes db, float[] ql, float[] dl, int c, int[] depths) {
        int nq = query.size(), n = db.size(), nbit = query.nbit();
        double apSum = 0;
        int withRel = 0;
        double[] pAt = new double[depths.length], rAt = new double[depths.length], mapAt = new double[depths.length];
        double[] prP = new double[nbit + 1], prR = new double[nbit + 1];
        for (int q = 0; q < nq; q++) {
            List<int[]> items = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                boolean rel = false;
                for (int j = 0; j < c; j++) rel |= ql[q * c + j] == 1f && dl[i * c + j] == 1f;
                items.add(new int[] {query.distance(q, db, i), i, rel ? 1 : 0});
            }
            items.sort((a, b) -> a[0] != b[0] ? Integer.compare(a[0], b[0]) : Integer.compare(a[1], b[1]));
            int total = 0;
            for (int[] it : items) total += it[2];
            int found = 0;
            double ap = 0;
            double[] precAt = new double[n];
            for (int r = 0; r < n; r++) {
                if (items.get(r)[2] == 1) {
                    found++;
                    precAt[r] = (double) found / (r + 1);
                    ap += precAt[r];
                }
            }
            if (total > 0) {
                withRel++;
                apSum += ap / total;
                for (int rad = 0; rad <= nbit; rad++) {
                    int ret = 0, rr = 0;
                    for (int[] it : items) {
                        if (it[0] <= rad) {
                            ret++;
                            rr += it[2];
                        }
                    }
                    prP[rad] += ret == 0 ? 0 : (double) rr / ret;
                    prR[rad] += (double) rr / total;
                }
            }
            for (int di = 0; di < depths.length && total > 0; di++) {
                int j = Math.min(depths[di], n);
                int f = 0;
                double s = 0;
                for (int r = 0; r < j; r++) {
                    if (items.get(r)[2] == 1) {
                        f++;
                        s += precAt[r];
                    }
                }
                pAt[di] += j == 0 ? 0 : (double) f / j;
                rAt[di] += total == 0 ? 0 : (double) f / total;
                mapAt[di] += f == 0 ? 0 : s / f;
            }
        }
        for (int di = 0; di < depths.length; di++) {
            pAt[di] = withRel == 0 ? 0 : pAt[di] / withRel;
            rAt[di] = withRel == 0 ? 0 : rAt[di] / withRel;
            mapAt[di] = withRel == 0 ? 0 : mapAt[di] / withRel;
        }
        for (int rad = 0; rad <= nbit; rad++) {
            prP[rad] = withRel == 0 ? 0 : prP[rad] / withRel;
            prR[rad] = withRel == 0 ? 0 : prR[rad] / withRel;
        }
        return new Evaluation.Result(withRel == 0 ? 0 : apSum / withRel, depths.clone(), pAt, rAt, mapAt, prP, prR,
                prP[Math.min(2, nbit)], nq, withRel);
    }

    /** Multi-hot labels; rows listed in {@code empty} get no label at all (so they are relevant to nothing). */
    static float[] labels(Random rnd, int n, int c, double density, int... empty) {
        float[] l = new float[n * c];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < c; j++) l[i * c + j] = rnd.nextDouble() < density ? 1f : 0f;
        }
        for (int e : empty) for (int j = 0; j < c; j++) l[e * c + j] = 0f;
        return l;
    }

    static void assertSame(Evaluation.Result want, Evaluation.Result got) {
        assertEquals(want.mapAll(), got.mapAll(), TOL, "mAP@All");
        assertArrayEquals(want.precisionAt(), got.precisionAt(), TOL, "precision@j");
        assertArrayEquals(want.recallAt(), got.recallAt(), TOL, "recall@j");
        assertArrayEquals(want.mapAt(), got.mapAt(), TOL, "mAP@j");
        assertArrayEquals(want.prPrecision(), got.prPrecision(), TOL, "PR precision");
        assertArrayEquals(want.prRecall(), got.prRecall(), TOL, "PR recall");
        assertEquals(want.precisionRadius2(), got.precisionRadius2(), TOL);
        assertEquals(want.queriesWithRelevant(), got.queriesWithRelevant());
    }

    @Test
    void matchesSortPerQueryReferenceWithTiesMultiLabelAndEmptyQueries() {
        Random rnd = new Random(7);
        // few bits -> many ties; 70 and 130 bits -> several words with padding; 100 classes -> two label words
        int[][] cases = {{5, 300, 37, 6}, {16, 500, 41, 24}, {70, 400, 33, 3}, {130, 257, 20, 100}, {64, 600, 50, 10}};
        for (int[] cs : cases) {
            int nbit = cs[0], n = cs[1], nq = cs[2], c = cs[3];
            PackedCodes db = PackedCodes.fromInt8(PackedCodesTest.randomSigns(rnd, n, nbit), n, nbit);
            PackedCodes q = PackedCodes.fromInt8(PackedCodesTest.randomSigns(rnd, nq, nbit), nq, nbit);
            float[] dl = labels(rnd, n, c, 0.15);
            float[] ql = labels(rnd, nq, c, 0.15, 0, 3, nq - 1);
            int[] depths = {50, 1, 7, 100, 1000, n, 3 * n};
            Evaluation.Result want = reference(q, db, ql, dl, c, depths);
            for (int threads : new int[] {1, 2, 3}) {
                Parallel.setThreads(threads);
                assertSame(want, Evaluation.evaluate(q, db, ql, dl, c, depths));
            }
        }
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void perfectCodesGiveMapOne() {
        // two classes, code = class pattern: every relevant item sits at distance 0 ahead of the rest
        int nbit = 8, n = 40;
        byte[] s = new byte[n * nbit];
        float[] l = new float[n * 2];
        for (int i = 0; i < n; i++) {
            int cls = i % 2;
            for (int k = 0; k < nbit; k++) s[i * nbit + k] = (byte) (cls == 0 ? 1 : -1);
            l[i * 2 + cls] = 1f;
        }
        PackedCodes codes = PackedCodes.fromInt8(s, n, nbit);
        Evaluation.Result r = Evaluation.evaluate(codes, codes, l, l, 2, new int[] {10, 20, 40});
        assertEquals(1.0, r.mapAll(), TOL);
        assertEquals(1.0, r.precisionAt(20), TOL);
        assertEquals(0.5, r.precisionAt(40), TOL);
        assertEquals(1.0, r.recallAt(20), TOL);
        assertEquals(0.5, r.recallAt(10), TOL);
        assertEquals(1.0, r.mapAt(40), TOL);
        assertEquals(1.0, r.precisionRadius2(), TOL);
    }

    @Test
    void handComputedTieOrder() {
        // query 1 bit "+"; db: [-, +, +, -]; relevant: items 0 and 2. Ranking by (distance, index): 1, 2, 0, 3
        PackedCodes q = PackedCodes.fromInt8(new byte[] {1}, 1, 1);
        PackedCodes db = PackedCodes.fromInt8(new byte[] {-1, 1, 1, -1}, 4, 1);
        float[] ql = {1f};
        float[] dl = {1f, 0f, 1f, 0f};
        Evaluation.Result r = Evaluation.evaluate(q, db, ql, dl, 1, new int[] {1, 2, 3});
        // relevant ranks 2 and 3: AP = (1/2 + 2/3) / 2
        assertEquals((0.5 + 2.0 / 3) / 2, r.mapAll(), TOL);
        assertEquals(0.0, r.precisionAt(1), TOL);
        assertEquals(0.5, r.precisionAt(2), TOL);
        assertEquals(0.5, r.mapAt(2), TOL);
        assertEquals((0.5 + 2.0 / 3) / 2, r.mapAt(3), TOL);
        assertEquals(0.5, r.prPrecision()[0], TOL);
        assertEquals(0.5, r.prRecall()[0], TOL);
    }

    @Test
    void reportMapCarriesContractKeys() {
        Random rnd = new Random(3);
        PackedCodes db = PackedCodes.fromInt8(PackedCodesTest.randomSigns(rnd, 30, 16), 30, 16);
        Evaluation.Result r = Evaluation.evaluate(db, db, labels(rnd, 30, 4, 0.3), labels(rnd, 30, 4, 0.3), 4);
        Map<String, Object> m = r.toReportMap();
        assertEquals(r.mapAll(), (Double) m.get("map_all"));
        @SuppressWarnings("unchecked")
        Map<String, Object> p = (Map<String, Object>) m.get("p_at");
        assertEquals(List.of("50", "100", "500", "1000"), new ArrayList<>(p.keySet()));
        assertEquals(r.precisionAt(100), (Double) p.get("100"));
        @SuppressWarnings("unchecked")
        Map<String, Object> mp = (Map<String, Object>) m.get("map_at");
        assertEquals(r.mapAt(1000), (Double) mp.get("1000"));
    }

    @Test
    void rejectsMismatchedInputs() {
        PackedCodes a = PackedCodes.fromInt8(new byte[] {1, -1}, 1, 2);
        PackedCodes b = PackedCodes.fromInt8(new byte[] {1, -1, 1}, 1, 3);
        assertEquals("query codes have 2 bits, database codes 3",
                assertThrows(IllegalArgumentException.class, () -> Evaluation.evaluate(a, b, new float[] {1}, new float[] {1}, 1)).getMessage());
        assertEquals("database labels: row 0, class 0 is 2.0, expected 0 or 1",
                assertThrows(IllegalArgumentException.class, () -> Evaluation.evaluate(a, a, new float[] {1}, new float[] {2}, 1)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Evaluation.evaluate(a, a, new float[] {1, 0}, new float[] {1}, 1));
        assertThrows(IllegalArgumentException.class, () -> Evaluation.evaluate(a, a, new float[] {1}, new float[] {1}, 1, new int[] {0}));
    }

    @Test
    void queriesWithoutRelevantItemsAreLeftOutOfEveryAverage() {
        // 12 queries; 3 of them (a quarter) have a class no database item has. The other 9 are copies of one
        // query. Every average must equal that one query's value: leaving the 3 in would scale them by 9/12.
        Random rnd = new Random(11);
        int nbit = 16, n = 200, c = 5, nq = 12;
        byte[] dbs = PackedCodesTest.randomSigns(rnd, n, nbit);
        float[] dl = labels(rnd, n, c, 0.3);
        for (int i = 0; i < n; i++) dl[i * c + 4] = 0f; // class 4 belongs to no database item
        dl[0] = 1f;                                      // class 0 has at least one item
        byte[] one = PackedCodesTest.randomSigns(rnd, 1, nbit), qs = new byte[nq * nbit];
        float[] ql = new float[nq * c];
        for (int q = 0; q < nq; q++) {
            System.arraycopy(one, 0, qs, q * nbit, nbit);
            ql[q * c + (q % 4 == 3 ? 4 : 0)] = 1f;
        }
        PackedCodes db = PackedCodes.fromInt8(dbs, n, nbit), query = PackedCodes.fromInt8(qs, nq, nbit);
        PackedCodes single = PackedCodes.fromInt8(one, 1, nbit);
        int[] depths = {1, 10, 50, n, 5 * n};
        Evaluation.Result all = Evaluation.evaluate(query, db, ql, dl, c, depths);
        Evaluation.Result alone = Evaluation.evaluate(single, db, java.util.Arrays.copyOf(ql, c), dl, c, depths);
        assertEquals(12, all.queries());
        assertEquals(9, all.queriesWithRelevant());
        assertEquals(alone.mapAll(), all.mapAll(), TOL);
        assertArrayEquals(alone.precisionAt(), all.precisionAt(), TOL, "precision@j");
        assertArrayEquals(alone.recallAt(), all.recallAt(), TOL, "recall@j");
        assertArrayEquals(alone.mapAt(), all.mapAt(), TOL, "mAP@j");
        assertArrayEquals(alone.prPrecision(), all.prPrecision(), TOL, "PR precision");
        assertArrayEquals(alone.prRecall(), all.prRecall(), TOL, "PR recall");
        assertTrue(all.precisionAt(50) > 0, "the query finds relevant items in its top 50");
        // a depth past the database reads as the database size: recall 1, precision = relevant / N, mAP@j = AP
        int rel = 0;
        for (int i = 0; i < n; i++) rel += (int) dl[i * c];
        assertEquals(1.0, all.recallAt(5 * n), TOL);
        assertEquals((double) rel / n, all.precisionAt(5 * n), TOL);
        assertEquals(all.precisionAt(n), all.precisionAt(5 * n), TOL);
        assertEquals(all.mapAll(), all.mapAt(5 * n), TOL);
    }

    @Test
    void emptyDatabaseGivesZeros() {
        PackedCodes q = PackedCodes.fromInt8(new byte[] {1, -1}, 1, 2), none = PackedCodes.fromInt8(new byte[0], 0, 2);
        Evaluation.Result r = Evaluation.evaluate(q, none, new float[] {1}, new float[0], 1);
        assertEquals(0.0, r.mapAll());
        assertEquals(0, r.queriesWithRelevant());
        assertEquals(0.0, r.precisionAt(50));
    }

    @Test
    void relevantOneWordEqualsTheGeneralPassAndTheDefinition() {
        Random rnd = new Random(14);
        for (int n : new int[] {0, 1, 7, 33, 1000}) {
            long[] codes = new long[n], labels = new long[n];
            for (int i = 0; i < n; i++) {
                codes[i] = rnd.nextInt(4) == 0 ? codes[rnd.nextInt(i + 1)] : rnd.nextLong();
                labels[i] = rnd.nextInt(3) == 0 ? 0 : 1L << rnd.nextInt(64);
            }
            long q = rnd.nextLong(), ql = rnd.nextLong() & rnd.nextLong() | Long.MIN_VALUE;
            int[] cw = new int[65], cg = new int[65], pw = new int[n], pg = new int[n];
            short[] dw = new short[n], dg = new short[n];
            int mw = Evaluation.relevantScalar(new long[] {q}, 0, 1, codes, new long[] {ql}, 0, 1, labels, n, cw, dw, pw);
            int mg = Evaluation.relevantOneWord(q, codes, ql, labels, n, cg, dg, pg);
            assertEquals(mw, mg, "n " + n);
            assertArrayEquals(cw, cg, "n " + n);
            assertArrayEquals(Arrays.copyOf(dw, mw), Arrays.copyOf(dg, mg), "n " + n);
            assertArrayEquals(Arrays.copyOf(pw, mw), Arrays.copyOf(pg, mg), "n " + n);
            int[] count = new int[65];
            int m = 0;
            for (int i = 0; i < n; i++) {
                int d = Long.bitCount(q ^ codes[i]);
                if ((ql & labels[i]) != 0) {
                    assertEquals(d, dw[m], "distance of relevant item " + m);
                    assertEquals(count[d], pw[m], "place of relevant item " + m);
                    m++;
                }
                count[d]++;
            }
            assertEquals(m, mw);
            assertArrayEquals(count, cw);
        }
    }

    @Test
    void placeGivesTheRanksOfAStableSortByDistance() {
        Random rnd = new Random(15);
        for (int n : new int[] {1, 2, 9, 64, 777}) {
            int nbit = 1 + rnd.nextInt(12);
            int[] dist = new int[n];
            boolean[] rel = new boolean[n];
            for (int i = 0; i < n; i++) {
                dist[i] = rnd.nextInt(nbit + 1);
                rel[i] = rnd.nextBoolean();
            }
            int[] count = new int[nbit + 1], relCount = new int[nbit + 1], place = new int[n];
            short[] relDist = new short[n];
            int m = 0;
            for (int i = 0; i < n; i++) {
                if (rel[i]) {
                    relDist[m] = (short) dist[i];
                    place[m++] = count[dist[i]];
                    relCount[dist[i]]++;
                }
                count[dist[i]]++;
            }
            int[] start = new int[nbit + 1], relStart = new int[nbit + 1];
            for (int d = 1; d <= nbit; d++) {
                start[d] = start[d - 1] + count[d - 1];
                relStart[d] = relStart[d - 1] + relCount[d - 1];
            }
            int[] ranks = new int[m];
            Evaluation.place(relDist, place, m, start, relStart, ranks);
            Integer[] idx = new Integer[n];
            for (int i = 0; i < n; i++) idx[i] = i;
            Arrays.sort(idx, (a, b) -> Integer.compare(dist[a], dist[b]));
            int k = 0;
            for (int r = 0; r < n; r++) if (rel[idx[r]]) assertEquals(r, ranks[k++], "n " + n + ", relevant item " + (k - 1));
            assertEquals(m, k);
        }
    }

    /**
     * The walk over the relevant ranks sums exactly as a walk over every rank does (relevance flags in rank
     * order, ranks taken in pairs into two sums between the depth checkpoints): the same bits, not only the
     * same value within rounding. One chunk of queries, so the partial sums are reduced in the same order.
     */
    @Test
    void sumsBitForBitAsTheWalkOverEveryRank() {
        Random rnd = new Random(16);
        int[][] cases = {{64, 1001, 13, 24}, {5, 333, 16, 6}, {70, 257, 11, 3}, {16, 4097, 9, 100}, {64, 2, 3, 2}, {3, 40, 16, 1}};
        for (int[] cs : cases) {
            int nbit = cs[0], n = cs[1], nq = cs[2], c = cs[3];
            PackedCodes db = PackedCodes.fromInt8(PackedCodesTest.randomSigns(rnd, n, nbit), n, nbit);
            PackedCodes q = PackedCodes.fromInt8(PackedCodesTest.randomSigns(rnd, nq, nbit), nq, nbit);
            float[] dl = labels(rnd, n, c, 0.2), ql = labels(rnd, nq, c, 0.2, 1);
            int[] depths = {7, 50, 51, 50, 1000, 3 * n, 1};
            Evaluation.Result got = Evaluation.evaluate(q, db, ql, dl, c, depths);
            int nd = depths.length;
            Integer[] order = new Integer[nd];
            for (int i = 0; i < nd; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> Integer.compare(Math.min(depths[a], n), Math.min(depths[b], n)));
            double[] inv = new double[n];
            for (int r = 0; r < n; r++) inv[r] = 1.0 / (r + 1);
            double apSum = 0;
            double[] p = new double[nd], rc = new double[nd], map = new double[nd];
            int withRel = 0;
            for (int qi = 0; qi < nq; qi++) {
                Integer[] idx = new Integer[n];
                for (int i = 0; i < n; i++) idx[i] = i;
                int query = qi;
                Arrays.sort(idx, (a, b) -> Integer.compare(q.distance(query, db, a), q.distance(query, db, b)));
                int[] flags = new int[n];
                int total = 0;
                for (int r = 0; r < n; r++) {
                    for (int j = 0; j < c; j++) if (ql[qi * c + j] == 1f && dl[idx[r] * c + j] == 1f) flags[r] = 1;
                    total += flags[r];
                }
                if (total == 0) continue;
                withRel++;
                int found = 0, from = 0;
                double precSum = 0;
                for (int k = 0; k <= nd; k++) {
                    int to = k < nd ? Math.min(depths[order[k]], n) : n;
                    double a0 = 0, a1 = 0;
                    int r = from;
                    for (; r + 1 < to; r += 2) {
                        found += flags[r];
                        a0 += (flags[r] * found) * inv[r];
                        found += flags[r + 1];
                        a1 += (flags[r + 1] * found) * inv[r + 1];
                    }
                    if (r < to) {
                        found += flags[r];
                        a0 += (flags[r] * found) * inv[r];
                    }
                    precSum += a0 + a1;
                    from = to;
                    if (k < nd) {
                        p[order[k]] += to == 0 ? 0 : (double) found / to;
                        rc[order[k]] += (double) found / total;
                        map[order[k]] += found == 0 ? 0 : precSum / found;
                    }
                }
                apSum += precSum / total;
            }
            String what = "nbit " + nbit + ", n " + n;
            assertEquals(withRel, got.queriesWithRelevant(), what);
            assertEquals(withRel == 0 ? 0 : apSum / withRel, got.mapAll(), 0.0, what);
            for (int i = 0; i < nd && withRel > 0; i++) {
                assertEquals(p[i] / withRel, got.precisionAt()[i], 0.0, what + ", precision@" + depths[i]);
                assertEquals(rc[i] / withRel, got.recallAt()[i], 0.0, what + ", recall@" + depths[i]);
                assertEquals(map[i] / withRel, got.mapAt()[i], 0.0, what + ", mAP@" + depths[i]);
            }
        }
    }
}
