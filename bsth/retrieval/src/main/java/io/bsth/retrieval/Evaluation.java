package io.bsth.retrieval;

import io.bsth.tensor.Parallel;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Retrieval evaluation of docs/ALGORITHM.md ("as the authors' MATLAB code computes it") from packed codes and
 * multi-hot labels. The database is ranked per query by Hamming distance, ties in database order (a
 * stable sort); a database item is relevant when it shares at least one label with the query.
 *
 * <ul>
 *   <li>mAP@All: per query with at least one relevant item, AP = mean over its relevant items of
 *       (relevant up to and including that rank) / rank; averaged over those queries only.</li>
 *   <li>Per depth j: precision@j = relevant in the top j / j; recall@j = relevant in the top j / all
 *       relevant (0 when the query has none); mAP@j = (sum of precision at the relevant ranks up to j) /
 *       (relevant found up to j), 0 when none found. Each is averaged over the queries with at least one
 *       relevant item, as mAP@All is (the authors' {@code fast_PR_MAP.m} skips the others): a query that
 *       nothing in the database is relevant to counts in {@code queries} but in no average.</li>
 *   <li>A depth j beyond the database size N reads as N: precision@j = relevant in the whole database / N,
 *       recall@j = 1, mAP@j = mAP@All of that query (one cannot retrieve more than N items).</li>
 *   <li>Precision-recall by Hamming radius r = 0..nbit: precision = relevant within r / retrieved within r
 *       (0 when nothing lies within r), recall = relevant within r / all relevant; averaged over the
 *       queries with at least one relevant item. {@code precisionRadius2} is the precision at r = 2.</li>
 * </ul>
 *
 * <p>Cost: one pass over the database per query counts the items per distance 0..nbit and lists the
 * relevant ones with their place among the items at their distance; a counting sort of the relevant
 * items alone then gives their ranks, so a query costs O(N + nbit), not O(N log N), and the walk over the
 * ranks visits the relevant items only. Queries are split into fixed chunks over {@link Parallel}; partial
 * sums are reduced in chunk order, so results do not depend on the thread count.
 */
public final class Evaluation {
    /** The depths the reports carry (docs/CLI.md). */
    public static final int[] DEFAULT_DEPTHS = {50, 100, 500, 1000};

    private static final int CHUNK = 16;

    private Evaluation() {}

    /** The metrics of one evaluation. Arrays per depth follow {@link #depths}; PR arrays are indexed by radius 0..nbit. */
    public record Result(double mapAll, int[] depths, double[] precisionAt, double[] recallAt, double[] mapAt,
                         double[] prPrecision, double[] prRecall, double precisionRadius2,
                         int queries, int queriesWithRelevant) {

        /** Index of {@code depth} in {@link #depths}, or an exception naming it. */
        private int at(int depth) {
            for (int i = 0; i < depths.length; i++) if (depths[i] == depth) return i;
            throw new IllegalArgumentException("depth " + depth + " was not evaluated (depths " + Arrays.toString(depths) + ")");
        }

        public double precisionAt(int depth) { return precisionAt[at(depth)]; }

        public double recallAt(int depth) { return recallAt[at(depth)]; }

        public double mapAt(int depth) { return mapAt[at(depth)]; }

        /**
         * The report keys of docs/CLI.md: {@code map_all}, {@code p_at}, {@code map_at} (objects keyed by
         * depth), plus {@code r_at}, {@code pr_curve} ({@code radius}, {@code precision}, {@code recall}),
         * {@code precision_radius2}, {@code queries}, {@code queries_with_relevant}.
         */
        public Map<String, Object> toReportMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("map_all", mapAll);
            m.put("p_at", byDepth(precisionAt));
            m.put("map_at", byDepth(mapAt));
            m.put("r_at", byDepth(recallAt));
            Map<String, Object> pr = new LinkedHashMap<>();
            int[] radius = new int[prPrecision.length];
            for (int r = 0; r < radius.length; r++) radius[r] = r;
            pr.put("radius", radius);
            pr.put("precision", prPrecision.clone());
            pr.put("recall", prRecall.clone());
            m.put("pr_curve", pr);
            m.put("precision_radius2", precisionRadius2);
            m.put("queries", (long) queries);
            m.put("queries_with_relevant", (long) queriesWithRelevant);
            return m;
        }

        private Map<String, Object> byDepth(double[] v) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < depths.length; i++) m.put(Integer.toString(depths[i]), v[i]);
            return m;
        }
    }

    /** {@link #evaluate(PackedCodes, PackedCodes, float[], float[], int, int[])} at {@link #DEFAULT_DEPTHS}. */
    public static Result evaluate(PackedCodes query, PackedCodes db, float[] queryLabels, float[] dbLabels, int numClasses) {
        return evaluate(query, db, queryLabels, dbLabels, numClasses, DEFAULT_DEPTHS);
    }

    /**
     * Evaluates {@code query} codes against {@code db} codes.
     *
     * @param queryLabels (nq, C) row-major 0/1
     * @param dbLabels    (N, C) row-major 0/1
     * @param depths      depths j >= 1 for precision@j, recall@j, mAP@j (any order)
     */
    public static Result evaluate(PackedCodes query, PackedCodes db, float[] queryLabels, float[] dbLabels,
                                  int numClasses, int[] depths) {
        if (query.nbit() != db.nbit()) {
            throw new IllegalArgumentException("query codes have " + query.nbit() + " bits, database codes " + db.nbit());
        }
        if (numClasses < 1) throw new IllegalArgumentException("numClasses: expected >= 1, got " + numClasses);
        for (int j : depths) if (j < 1) throw new IllegalArgumentException("depth: expected >= 1, got " + j);
        long[] ql = packLabels("query labels", queryLabels, query.size(), numClasses);
        long[] dl = packLabels("database labels", dbLabels, db.size(), numClasses);
        return evaluate(query, db, ql, dl, (numClasses + 63) >>> 6, depths.clone());
    }

    /** Labels (n, C) of 0/1 as bit rows of {@code ceil(C/64)} longs; anything but 0/1 is an error. */
    static long[] packLabels(String what, float[] labels, int n, int c) {
        if ((long) n * c != labels.length) {
            throw new IllegalArgumentException(what + ": " + labels.length + " values cannot be " + n + " rows x " + c + " classes");
        }
        int lw = (c + 63) >>> 6;
        long[] out = new long[n * lw];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < c; j++) {
                float v = labels[i * c + j];
                if (v == 1f) out[i * lw + (j >>> 6)] |= 1L << (j & 63);
                else if (v != 0f) throw new IllegalArgumentException(what + ": row " + i + ", class " + j + " is " + v + ", expected 0 or 1");
            }
        }
        return out;
    }

    /** Partial sums of one chunk of queries. */
    private static final class Partial {
        double apSum;
        int withRel;
        final double[] p, r, map, prP, prR;

        Partial(int nd, int nbit) {
            p = new double[nd];
            r = new double[nd];
            map = new double[nd];
            prP = new double[nbit + 1];
            prR = new double[nbit + 1];
        }
    }

    private static Result evaluate(PackedCodes query, PackedCodes db, long[] ql, long[] dl, int lw, int[] depths) {
        int nq = query.size(), n = db.size(), nbit = query.nbit();
        if (2 * nbit + 1 > Short.MAX_VALUE) throw new IllegalArgumentException("nbit " + nbit + " is too large to evaluate");
        int nd = depths.length;
        int[] clamped = new int[nd];
        for (int i = 0; i < nd; i++) clamped[i] = Math.min(depths[i], n);
        int[] order = sortedDepthOrder(clamped);
        int chunks = (nq + CHUNK - 1) / CHUNK;
        double[] inv = new double[n];
        for (int r = 0; r < n; r++) inv[r] = 1.0 / (r + 1);
        long[] dbPlanes = planes(db.words(), n, query.wordsPerCode()), labelPlanes = planes(dl, n, lw);
        Partial[] parts = new Partial[chunks];
        ConcurrentLinkedQueue<Scratch> free = new ConcurrentLinkedQueue<>();
        Parallel.forEach(chunks, c -> {
            Partial part = new Partial(nd, nbit);
            Scratch s = free.poll();
            if (s == null) s = new Scratch(n, nbit);
            for (int q = c * CHUNK, e = Math.min(nq, q + CHUNK); q < e; q++) {
                evaluateQuery(query, q, n, dbPlanes, ql, labelPlanes, lw, clamped, order, inv, s, part);
            }
            free.add(s);
            parts[c] = part;
        });
        Partial total = new Partial(nd, nbit);
        for (Partial p : parts) {
            total.apSum += p.apSum;
            total.withRel += p.withRel;
            for (int i = 0; i < nd; i++) {
                total.p[i] += p.p[i];
                total.r[i] += p.r[i];
                total.map[i] += p.map[i];
            }
            for (int r = 0; r <= nbit; r++) {
                total.prP[r] += p.prP[r];
                total.prR[r] += p.prR[r];
            }
        }
        double[] pAt = new double[nd], rAt = new double[nd], mapAt = new double[nd];
        for (int i = 0; i < nd; i++) {
            pAt[i] = total.withRel == 0 ? 0 : total.p[i] / total.withRel;
            rAt[i] = total.withRel == 0 ? 0 : total.r[i] / total.withRel;
            mapAt[i] = total.withRel == 0 ? 0 : total.map[i] / total.withRel;
        }
        double[] prP = new double[nbit + 1], prR = new double[nbit + 1];
        for (int r = 0; r <= nbit; r++) {
            prP[r] = total.withRel == 0 ? 0 : total.prP[r] / total.withRel;
            prR[r] = total.withRel == 0 ? 0 : total.prR[r] / total.withRel;
        }
        double mapAll = total.withRel == 0 ? 0 : total.apSum / total.withRel;
        return new Result(mapAll, depths, pAt, rAt, mapAt, prP, prR, prP[Math.min(2, nbit)], nq, total.withRel);
    }

    private static int[] sortedDepthOrder(int[] d) {
        Integer[] idx = new Integer[d.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        Arrays.sort(idx, (a, b) -> Integer.compare(d[a], d[b]));
        int[] out = new int[idx.length];
        for (int i = 0; i < out.length; i++) out[i] = idx[i];
        return out;
    }

    /**
     * Per-thread scratch: per distance the items counted so far and the relevant ones; the relevant items in
     * database order (their distance and their place among the items at that distance), then their ranks in
     * rank order; the running sums of a walk.
     */
    private static final class Scratch {
        final int[] count, relCount, start, relStart;
        final int[] relPlace, ranks;
        final short[] relDist;
        int found;
        double precSum;

        Scratch(int n, int nbit) {
            count = new int[nbit + 1];
            relCount = new int[nbit + 1];
            start = new int[nbit + 1];
            relStart = new int[nbit + 1];
            relPlace = new int[n];
            relDist = new short[n];
            ranks = new int[n];
        }
    }

    /**
     * One query against the database: codes and labels of the database in word-plane layout. Only relevant
     * items add to any metric, so only their ranks are formed: rank = (items at a smaller distance) + (items
     * at the same distance earlier in the database), the stable order by distance.
     */
    private static void evaluateQuery(PackedCodes query, int q, int n, long[] dbPlanes, long[] ql, long[] labelPlanes, int lw,
                                      int[] depths, int[] order, double[] inv, Scratch s, Partial part) {
        int nbit = query.nbit(), words = query.wordsPerCode();
        int[] count = s.count;
        Arrays.fill(count, 0);
        // pass 1 over the database: per distance a running count; the relevant items listed with their place
        int totalRel = words == 1 && lw == 1
                ? relevantOneWord(query.words()[q], dbPlanes, ql[q], labelPlanes, n, count, s.relDist, s.relPlace)
                : relevantScalar(query.words(), q * words, words, dbPlanes, ql, q * lw, lw, labelPlanes, n, count, s.relDist, s.relPlace);
        if (totalRel == 0) return; // no relevant item: in no average (AP undefined)
        part.withRel++;
        int[] relCount = s.relCount;
        Arrays.fill(relCount, 0);
        histogram(s.relDist, totalRel, relCount);
        // first rank of each distance, over all items and over the relevant ones; PR by radius from the counts
        bucketStarts(count, relCount, nbit, totalRel, s.start, s.relStart, part);
        // the relevant items' ranks, in rank order (a stable counting sort of the relevant items by distance)
        place(s.relDist, s.relPlace, totalRel, s.start, s.relStart, s.ranks);
        // walk the relevant ranks; the depths are checkpoints of the running sums
        int r = 0;
        for (int oi : order) {
            int j = depths[oi];
            walk(s.ranks, totalRel, inv, r, j, s);
            r = j;
            part.p[oi] += j == 0 ? 0 : (double) s.found / j;
            part.r[oi] += (double) s.found / totalRel;
            part.map[oi] += s.found == 0 ? 0 : s.precSum / s.found;
        }
        walk(s.ranks, totalRel, inv, r, n, s);
        part.apSum += s.precSum / totalRel;
        s.found = 0;
        s.precSum = 0;
    }

    /** hist[d] += 1 for each of the first m distances. */
    private static void histogram(short[] dist, int m, int[] hist) {
        for (int k = 0; k < m; k++) hist[dist[k]]++;
    }

    /**
     * start[d] = first rank of distance d, relStart[d] = relevant items at smaller distances; adds precision
     * and recall within every radius d to part.
     */
    private static void bucketStarts(int[] count, int[] relCount, int nbit, int totalRel, int[] start, int[] relStart, Partial part) {
        int retrieved = 0, relRet = 0;
        for (int d = 0; d <= nbit; d++) {
            start[d] = retrieved;
            relStart[d] = relRet;
            retrieved += count[d];
            relRet += relCount[d];
            part.prP[d] += retrieved == 0 ? 0 : (double) relRet / retrieved;
            part.prR[d] += (double) relRet / totalRel;
        }
    }

    /**
     * Stable counting-sort scatter of the m relevant items (database order) into rank order: the k-th goes
     * to relStart[dist[k]]++ with rank start[dist[k]] + place[k].
     */
    static void place(short[] dist, int[] place, int m, int[] start, int[] relStart, int[] ranks) {
        for (int k = 0; k < m; k++) {
            int d = dist[k];
            ranks[relStart[d]++] = start[d] + place[k];
        }
    }

    /**
     * Pass 1 for one code word and one label word: q, ql x codes (n), labels (n) -> count (per distance), and
     * for each relevant item in database order its distance and its place among the items at that distance
     * (relDist, relPlace); returns the number of relevant items. Branch-free: every item is written at the
     * next free slot, which only a relevant item keeps.
     */
    static int relevantOneWord(long q, long[] codes, long ql, long[] labels, int n, int[] count, short[] relDist, int[] relPlace) {
        int m = 0;
        for (int i = 0; i < n; i++) {
            long shared = labels[i] & ql;
            int d = Long.bitCount(q ^ codes[i]);
            int c = count[d];
            count[d] = c + 1;
            relPlace[m] = c;
            relDist[m] = (short) d;
            m += (int) ((shared | -shared) >>> 63);
        }
        return m;
    }

    /** {@link #relevantOneWord} for any word counts; codes and labels in word-plane layout. */
    static int relevantScalar(long[] q, int qOff, int words, long[] codes, long[] ql, int qlOff, int lw, long[] labels, int n,
                              int[] count, short[] relDist, int[] relPlace) {
        int m = 0;
        for (int i = 0; i < n; i++) {
            int d = 0;
            for (int w = 0; w < words; w++) d += Long.bitCount(q[qOff + w] ^ codes[w * n + i]);
            long shared = 0;
            for (int w = 0; w < lw; w++) shared |= ql[qlOff + w] & labels[w * n + i];
            int c = count[d];
            count[d] = c + 1;
            relPlace[m] = c;
            relDist[m] = (short) d;
            m += (int) ((shared | -shared) >>> 63);
        }
        return m;
    }

    /**
     * Ranks [from, to): adds to {@code s.found} the relevant items ranked there and to {@code s.precSum} the
     * precision at each of their ranks (found so far / rank). The terms are summed as a walk over every rank
     * in pairs would sum them (ranks from, from + 2, ... in one sum, from + 1, from + 3, ... in another, the
     * two added at the end), so the result does not depend on skipping the irrelevant ranks; a term goes to
     * its sum multiplied by 1 and to the other by 0, which adds exactly nothing.
     */
    private static void walk(int[] ranks, int m, double[] inv, int from, int to, Scratch s) {
        int k = s.found;
        double a0 = 0, a1 = 0;
        for (; k < m; k++) {
            int r = ranks[k];
            if (r >= to) break;
            double t = (k + 1) * inv[r];
            int odd = (r - from) & 1;
            a0 += t * (1 - odd);
            a1 += t * odd;
        }
        s.found = k;
        s.precSum += a0 + a1;
    }

    /** Rows of {@code words} longs (n rows) in word-plane layout: word w of row i at [w*n + i]; one word: the array itself. */
    private static long[] planes(long[] rows, int n, int words) {
        if (words == 1) return rows;
        long[] out = new long[rows.length];
        for (int i = 0; i < n; i++) for (int w = 0; w < words; w++) out[w * n + i] = rows[i * words + w];
        return out;
    }
}
