package io.bsth.retrieval;

import io.bsth.tensor.Parallel;
import java.util.Arrays;

/**
 * Exact Hamming search over a {@link CodeSource}: top-k (ties by database index) and radius search.
 *
 * <p>How: each task takes a tile of queries (and, when there are fewer queries than threads, a range of
 * the database) and walks its database range in L1-sized blocks, so every block is reused by all the
 * queries of the tile while it is cache resident. Per query, {@link Hamming#scanBelow} tests 4 vectors of
 * codes at a time against the query's running threshold; one-word codes are scanned four queries at a
 * time ({@link Hamming#scanBelow4}: each code vector loaded once for the four); the rare chunk that holds
 * a closer code goes to a scalar path that appends candidates. In top-k modes each task starts every
 * query's threshold at one more than the k-th smallest distance within its first block (a histogram of
 * that block), so far fewer codes are appended while the threshold falls. Codes of at most 32 bits are narrowed to one int each per
 * block and scanned on int lanes ({@link Hamming#scanBelowInt}), twice the codes per vector. The
 * threshold is the smallest distance t with at least k candidates at distance &lt;= t: a later code
 * (larger index) enters the top k only when strictly closer than t. Distances are integers in 0..nbit, so the final order is a stable counting sort of the
 * candidates by distance (they were appended in index order), never a heap or a comparison sort.
 */
public final class Search {
    /** Longs per database block: 32 KiB, an L1 data cache. */
    private static final int BLOCK_LONGS = 4096;
    /** Codes per database block on the int-lane path (codes of at most 32 bits): 32 KiB of ints. */
    private static final int BLOCK_INTS = 8192;
    /** Queries per tile: their per-query state stays small while the block is reused across them. */
    private static final int MAX_TILE = 256;

    private Search() {}

    /** Top-k result: row q holds the k nearest codes of query q, nearest first, ties by index. */
    public record TopK(int queries, int k, int[] indices, int[] distances) {
        public int index(int q, int r) { return indices[q * k + r]; }

        public int distance(int q, int r) { return distances[q * k + r]; }
    }

    /**
     * Radius result in compressed rows: the hits of query q are {@code [offsets[q], offsets[q+1])} of
     * {@code indices}/{@code distances}, nearest first, ties by index.
     */
    public record Radius(int queries, int[] offsets, int[] indices, int[] distances) {
        public int count(int q) { return offsets[q + 1] - offsets[q]; }
    }

    /**
     * The {@code k} nearest database codes of every query (k is capped at the database size).
     * Threads: {@link Parallel}.
     */
    public static TopK topK(PackedCodes queries, CodeSource db, int k) {
        check(queries, db);
        if (k < 1) throw new IllegalArgumentException("k: expected >= 1, got " + k);
        int kk = Math.min(k, db.size());
        int nq = queries.size();
        int[] idx = new int[nq * kk], dist = new int[nq * kk];
        if (kk == 0 || nq == 0) return new TopK(nq, kk, idx, dist);
        run(queries, db, kk, -1, false, (q, cands) -> cands.selectInto(kk, idx, dist, q * kk));
        return new TopK(nq, kk, idx, dist);
    }

    /**
     * Per query, every database code at a distance no larger than its k-th smallest distance (k capped at
     * the database size): the top k with all the codes tied with the k-th, nearest first, ties by index.
     * For callers that break ties by something other than the index (an index over ids in any order): one
     * scan, the same kernels as {@link #topK}, and the tie break is theirs over a short list.
     */
    static Radius topKWithTies(PackedCodes queries, CodeSource db, int k) {
        check(queries, db);
        if (k < 1) throw new IllegalArgumentException("k: expected >= 1, got " + k);
        int nq = queries.size();
        int[][] hi = new int[nq][], hd = new int[nq][];
        if (db.size() > 0 && nq > 0) run(queries, db, Math.min(k, db.size()), -1, true, (q, cands) -> {
            int m = cands.compact();
            hi[q] = new int[m];
            hd[q] = new int[m];
            cands.selectInto(m, hi[q], hd[q], 0);
        });
        return rows(nq, hi, hd);
    }

    /** Every database code within Hamming distance {@code radius} (inclusive) of each query. */
    public static Radius radius(PackedCodes queries, CodeSource db, int radius) {
        check(queries, db);
        if (radius < 0) throw new IllegalArgumentException("radius: expected >= 0, got " + radius);
        int nq = queries.size();
        int[][] hi = new int[nq][], hd = new int[nq][];
        if (db.size() > 0 && nq > 0) {
            run(queries, db, Integer.MAX_VALUE, Math.min(radius, db.nbit()), false, (q, cands) -> {
                hi[q] = new int[cands.size];
                hd[q] = new int[cands.size];
                cands.selectInto(cands.size, hi[q], hd[q], 0);
            });
        }
        return rows(nq, hi, hd);
    }

    /** Per-query rows (null: none) as one compressed {@link Radius}. */
    private static Radius rows(int nq, int[][] hi, int[][] hd) {
        int[] off = new int[nq + 1];
        for (int q = 0; q < nq; q++) off[q + 1] = off[q] + (hi[q] == null ? 0 : hi[q].length);
        int[] idx = new int[off[nq]], dist = new int[off[nq]];
        for (int q = 0; q < nq; q++) {
            if (hi[q] == null) continue;
            System.arraycopy(hi[q], 0, idx, off[q], hi[q].length);
            System.arraycopy(hd[q], 0, dist, off[q], hd[q].length);
        }
        return new Radius(nq, off, idx, dist);
    }

    private static void check(PackedCodes queries, CodeSource db) {
        if (queries.nbit() != db.nbit()) {
            throw new IllegalArgumentException("queries have " + queries.nbit() + " bits, database codes " + db.nbit());
        }
    }

    /** Receives the merged candidates of query q (in database order). */
    private interface Sink {
        void accept(int q, Candidates c);
    }

    /**
     * Candidates of one query in database order, with a histogram of their distances and the running
     * threshold: a code is appended only when its distance is {@code < thr}. In top-k mode {@code thr} is
     * the smallest t with at least k candidates at distance {@code <= t} (a later code only enters when
     * strictly closer); with {@code ties}, one more: codes tied with the k-th are kept as well.
     */
    static final class Candidates {
        final int k;
        final boolean ties;
        final int[] cnt;
        int[] idx;
        int[] dist;
        int size;
        int thr;
        /** Candidates at distance {@code < thr} ({@code < thr - 1} with ties). */
        int below;

        /** Top-k mode ({@code fixedRadius < 0}, keeping the codes tied with the k-th when {@code ties}) or radius mode (threshold fixed at radius + 1). */
        Candidates(int k, int nbit, int fixedRadius, boolean ties) {
            this.k = k;
            this.ties = ties;
            this.cnt = new int[nbit + 2];
            this.thr = fixedRadius < 0 ? nbit + 1 : fixedRadius + 1;
            int cap = fixedRadius < 0 ? 4 * k + 64 : 64;
            idx = new int[cap];
            dist = new int[cap];
        }

        /** Appends code i at distance d ({@code d < thr}) and lowers the threshold once k are strictly closer. */
        void add(int i, int d) {
            if (size == idx.length) makeRoom();
            idx[size] = i;
            dist[size] = d;
            size++;
            cnt[d]++;
            if (!ties) {
                below++;
                while (below >= k) {
                    thr--;
                    below -= cnt[thr];
                }
            } else if (d < thr - 1) {
                below++;
                while (below >= k) {
                    thr--;
                    below -= cnt[thr - 1];
                }
            }
        }

        /**
         * Top-k modes, before the first code is added: lowers the threshold to one more than the k-th
         * smallest distance among the codes of the first block (at least k codes). At
         * least k codes then lie below it, so no code of the top k, nor one tied with the k-th, is ever
         * refused, while the codes far from the query are no longer appended on the way down (without it,
         * the threshold falls one distance at a time and each step appends about k codes).
         * {@code hist}: how many codes of the first block lie at each distance (at least k in all).
         */
        void capThreshold(int[] hist) {
            int t = 0, seen = hist[0];
            while (seen < k) seen += hist[++t];
            thr = Math.min(thr, t + 1);
        }

        /** Drops the candidates that no longer pass the threshold (ties mode); returns how many remain. */
        int compact() {
            int w = 0;
            for (int r = 0; r < size; r++) {
                if (dist[r] < thr) {
                    idx[w] = idx[r];
                    dist[w] = dist[r];
                    w++;
                }
            }
            size = w;
            return w;
        }

        /** Drops candidates beyond the threshold (at most 2k - 1 remain in top-k mode without ties), else grows. */
        private void makeRoom() {
            int w = 0, keep = ties ? thr - 1 : thr;
            for (int r = 0; r < size; r++) {
                if (dist[r] <= keep) {
                    idx[w] = idx[r];
                    dist[w] = dist[r];
                    w++;
                }
            }
            size = w;
            if (size > idx.length / 2) {
                idx = Arrays.copyOf(idx, idx.length * 2);
                dist = Arrays.copyOf(dist, dist.length * 2);
            }
        }

        /** Appends all candidates of {@code o} (a later database range) in order. */
        void appendAll(Candidates o) {
            for (int r = 0; r < o.size; r++) if (o.dist[r] < thr) add(o.idx[r], o.dist[r]);
        }

        /** Stable counting sort by distance; writes the first {@code m} to out arrays at {@code off}. */
        void selectInto(int m, int[] outIdx, int[] outDist, int off) {
            int nb = cnt.length;
            int[] start = new int[nb];
            for (int r = 0; r < size; r++) start[dist[r]]++;
            int s = 0;
            for (int d = 0; d < nb; d++) {
                int c = start[d];
                start[d] = s;
                s += c;
            }
            for (int r = 0; r < size; r++) {
                int p = start[dist[r]]++;
                if (p < m) {
                    outIdx[off + p] = idx[r];
                    outDist[off + p] = dist[r];
                }
            }
        }
    }

    private static void run(PackedCodes queries, CodeSource db, int k, int fixedRadius, boolean ties, Sink sink) {
        int nq = queries.size(), n = db.size(), words = queries.wordsPerCode();
        int threads = Parallel.threads();
        // tiles of at most MAX_TILE queries, their count a multiple of the threads (balanced), or one per query
        int tiles = Math.min(nq, (nq + MAX_TILE - 1) / MAX_TILE);
        tiles = Math.min(nq, (tiles + threads - 1) / threads * threads);
        int even = (nq + tiles - 1) / tiles, four = (even + 3) / 4 * 4;
        // one-word codes are scanned four queries at a time: whole groups of four per tile where that costs no tile
        int tile = words == 1 && db.nbit() > 32 && even >= 8 && (nq + four - 1) / four == (nq + even - 1) / even ? four : even;
        tiles = (nq + tile - 1) / tile;
        int block = db.nbit() <= 32 ? BLOCK_INTS / Hamming.CHUNK_INT * Hamming.CHUNK_INT
                : Math.max(Hamming.CHUNK, BLOCK_LONGS / words / Hamming.CHUNK * Hamming.CHUNK);
        // fewer tiles than threads: split the database into ranges too (whole blocks each)
        int ranges = tiles >= threads ? 1 : Math.max(1, Math.min((threads + tiles - 1) / tiles, (n + block - 1) / block));
        int blocksPerRange = ((n + block - 1) / block + ranges - 1) / ranges;
        Candidates[][] out = new Candidates[tiles * ranges][];
        Parallel.forEach(tiles * ranges, u -> {
            int t = u / ranges, r = u % ranges;
            int q0 = t * tile, q1 = Math.min(nq, q0 + tile);
            int from = Math.min(n, r * blocksPerRange * block), to = Math.min(n, from + blocksPerRange * block);
            out[u] = db.nbit() <= 32 ? scanTileInt(queries, q0, q1, db, from, to, block, k, fixedRadius, ties)
                    : scanTile(queries, q0, q1, db, from, to, block, k, fixedRadius, ties);
        });
        for (int t = 0; t < tiles; t++) {
            for (int q = t * tile, e = Math.min(nq, q + tile); q < e; q++) {
                Candidates c = out[t * ranges][q - t * tile];
                for (int r = 1; r < ranges; r++) c.appendAll(out[t * ranges + r][q - t * tile]);
                sink.accept(q, c);
            }
        }
    }

    /** Queries [q0, q1) against database codes [from, to), block by block. */
    private static Candidates[] scanTile(PackedCodes queries, int q0, int q1, CodeSource db, int from, int to,
                                         int block, int k, int fixedRadius, boolean ties) {
        int words = queries.wordsPerCode(), nbit = db.nbit();
        long[] qw = queries.words();
        Candidates[] cs = new Candidates[q1 - q0];
        for (int q = q0; q < q1; q++) cs[q - q0] = new Candidates(k, nbit, fixedRadius, ties);
        boolean direct = words == 1 && db instanceof PackedCodes;
        long[] scratch = direct ? null : new long[block * words];
        for (int b = from; b < to; b += block) {
            int len = Math.min(block, to - b);
            long[] planes;
            int lo, planeLen;
            if (direct) {
                planes = ((PackedCodes) db).words();
                lo = b;
                planeLen = 0;
            } else {
                db.copyPlanes(b, len, scratch);
                planes = scratch;
                lo = 0;
                planeLen = len;
            }
            int hi = lo + len, shift = b - lo;
            if (b == from && fixedRadius < 0 && len >= k) {
                int[] hist = new int[nbit + 2], dist = words == 1 ? null : new int[len];
                for (int q = q0; q < q1; q++) {
                    Arrays.fill(hist, 0);
                    if (words == 1) histogram1(qw[q], planes, lo, hi, hist);
                    else {
                        Hamming.distancesScalar(qw, q * words, words, planes, planeLen, lo, hi, dist, 0);
                        for (int i = 0; i < len; i++) hist[dist[i]]++;
                    }
                    cs[q - q0].capThreshold(hist);
                }
            }
            int q = q0;
            if (words == 1) {
                for (; q + 4 <= q1; q += 4) {
                    scan4(qw, q, cs[q - q0], cs[q - q0 + 1], cs[q - q0 + 2], cs[q - q0 + 3], planes, lo, hi, shift);
                }
            }
            for (; q < q1; q++) {
                Candidates c = cs[q - q0];
                int qo = q * words;
                int i = lo;
                while (true) {
                    i = Hamming.scanBelow(qw, qo, words, planes, planeLen, i, hi, c.thr);
                    if (i + Hamming.CHUNK > hi) break;
                    chunk(c, qw, qo, words, planes, planeLen, i, shift);
                    i += Hamming.CHUNK;
                }
                tail(c, qw, qo, words, planes, planeLen, i, hi, shift);
            }
        }
        return cs;
    }

    /**
     * Four one-word queries q..q+3 (candidates c0..c3) against the codes [lo, hi) of a block: one scan
     * loads each code vector once for the four; a chunk where any of them has a closer code goes to each
     * query's chunk path in turn, so every query still sees the codes in database order.
     */
    private static void scan4(long[] qw, int q, Candidates c0, Candidates c1, Candidates c2, Candidates c3,
                              long[] codes, int lo, int hi, int shift) {
        long a = qw[q], b = qw[q + 1], c = qw[q + 2], d = qw[q + 3];
        int i = lo;
        while (true) {
            i = Hamming.scanBelow4(a, b, c, d, codes, i, hi, c0.thr, c1.thr, c2.thr, c3.thr);
            if (i + Hamming.CHUNK > hi) break;
            chunk(c0, qw, q, 1, codes, 0, i, shift);
            chunk(c1, qw, q + 1, 1, codes, 0, i, shift);
            chunk(c2, qw, q + 2, 1, codes, 0, i, shift);
            chunk(c3, qw, q + 3, 1, codes, 0, i, shift);
            i += Hamming.CHUNK;
        }
        tail(c0, qw, q, 1, codes, 0, i, hi, shift);
        tail(c1, qw, q + 1, 1, codes, 0, i, hi, shift);
        tail(c2, qw, q + 2, 1, codes, 0, i, hi, shift);
        tail(c3, qw, q + 3, 1, codes, 0, i, hi, shift);
    }

    /** The codes of the full chunk [i, i + CHUNK) closer than c's threshold, in order, into c (database index = row + shift). */
    private static void chunk(Candidates c, long[] qw, int qo, int words, long[] planes, int planeLen, int i, int shift) {
        long m = Hamming.chunkMask(qw, qo, words, planes, planeLen, i, c.thr);
        while (m != 0) {
            int j = i + Long.numberOfTrailingZeros(m);
            m &= m - 1;
            int d = Hamming.distance(qw, qo, words, planes, planeLen, j);
            if (d < c.thr) c.add(j + shift, d);
        }
    }

    /** The codes [i, hi) (less than a chunk) closer than c's threshold, in order, into c. */
    private static void tail(Candidates c, long[] qw, int qo, int words, long[] planes, int planeLen, int i, int hi, int shift) {
        for (; i < hi; i++) {
            int d = Hamming.distance(qw, qo, words, planes, planeLen, i);
            if (d < c.thr) c.add(i + shift, d);
        }
    }

    /** hist[d] += codes of [lo, hi) at distance d from the one-word query q: q x codes -> hist (a plain loop, compiled early). */
    private static void histogram1(long q, long[] codes, int lo, int hi, int[] hist) {
        for (int i = lo; i < hi; i++) hist[Long.bitCount(q ^ codes[i])]++;
    }

    /** {@link #scanTile} for codes of at most 32 bits: each block narrowed to one int per code, scanned on int lanes. */
    private static Candidates[] scanTileInt(PackedCodes queries, int q0, int q1, CodeSource db, int from, int to,
                                            int block, int k, int fixedRadius, boolean ties) {
        long[] qw = queries.words();
        Candidates[] cs = new Candidates[q1 - q0];
        for (int q = q0; q < q1; q++) cs[q - q0] = new Candidates(k, db.nbit(), fixedRadius, ties);
        long[] wide = new long[block];
        int[] codes = new int[block];
        for (int b = from; b < to; b += block) {
            int len = Math.min(block, to - b);
            db.copyPlanes(b, len, wide);
            for (int i = 0; i < len; i++) codes[i] = (int) wide[i];
            if (b == from && fixedRadius < 0 && len >= k) {
                int[] hist = new int[db.nbit() + 2];
                for (int q = q0; q < q1; q++) {
                    Arrays.fill(hist, 0);
                    int qc = (int) qw[q];
                    for (int i = 0; i < len; i++) hist[Integer.bitCount(qc ^ codes[i])]++;
                    cs[q - q0].capThreshold(hist);
                }
            }
            for (int q = q0; q < q1; q++) scanInt(cs[q - q0], (int) qw[q], codes, len, b);
        }
        return cs;
    }

    /** One query (one int) against a block of int codes [0, len) whose first code is database index {@code shift}. */
    private static void scanInt(Candidates c, int q, int[] codes, int len, int shift) {
        int i = 0;
        while (true) {
            i = Hamming.scanBelowInt(q, codes, i, len, c.thr);
            if (i + Hamming.CHUNK_INT > len) break;
            long m = Hamming.chunkMaskInt(q, codes, i, c.thr);
            while (m != 0) {
                int j = i + Long.numberOfTrailingZeros(m);
                m &= m - 1;
                int d = Integer.bitCount(q ^ codes[j]);
                if (d < c.thr) c.add(j + shift, d);
            }
            i += Hamming.CHUNK_INT;
        }
        for (; i < len; i++) {
            int d = Integer.bitCount(q ^ codes[i]);
            if (d < c.thr) c.add(i + shift, d);
        }
    }
}
