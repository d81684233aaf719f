package io.bsth.retrieval;

import io.bsth.tensor.Simd;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The popcount kernel family: Hamming distances between packed codes by XOR + BIT_COUNT, on
 * {@link Simd#LONG} lanes with a scalar {@code Long.bitCount} reference beside each kernel.
 *
 * <p>Database codes come in word-plane layout ({@link CodeSource#copyPlanes}): word {@code w} of code
 * {@code i} of a block of {@code len} codes sits at {@code planes[w*len + i]}; a query is its
 * {@code words} longs at {@code q[qOff..]}.
 */
public final class Hamming {
    /** Long lanes of the kernels' vectors (1 without the Vector API). */
    private static final int LANES = Simd.AVAILABLE ? Simd.LONG.length() : 1;

    /** Codes per chunk of the threshold scan: 4 independent vectors. */
    public static final int CHUNK = 4 * LANES;

    private static final boolean VECTOR = Simd.ENABLED && LANES >= 2;

    /** The relevance-key kernel needs a short species with as many lanes as the long one: 256-bit long vectors up. */
    private static final boolean VECTOR_KEYS = Simd.ENABLED && Simd.LONG.vectorBitSize() >= 256;

    private Hamming() {}

    /** True when the kernels run on vectors (false under {@code -Dbsth.simd=0}). */
    public static boolean vectorized() {
        return VECTOR;
    }

    /**
     * Distances of one query to a block of codes: q (words) x planes (words, len) -> out[outOff + i], i in [from, to).
     */
    public static void distances(long[] q, int qOff, int words, long[] planes, int len, int from, int to, int[] out, int outOff) {
        if (!VECTOR) {
            distancesScalar(q, qOff, words, planes, len, from, to, out, outOff);
            return;
        }
        Vec.distances(q, qOff, words, planes, len, from, to, out, outOff);
    }

    /** Scalar reference of {@link #distances}. */
    public static void distancesScalar(long[] q, int qOff, int words, long[] planes, int len, int from, int to, int[] out, int outOff) {
        for (int i = from; i < to; i++) {
            int d = 0;
            for (int w = 0; w < words; w++) d += Long.bitCount(q[qOff + w] ^ planes[w * len + i]);
            out[outOff + i - from] = d;
        }
    }

    /** Distance of query q to code i of a plane block (scalar; the rarely taken path of the scans). */
    public static int distance(long[] q, int qOff, int words, long[] planes, int len, int i) {
        int d = 0;
        for (int w = 0; w < words; w++) d += Long.bitCount(q[qOff + w] ^ planes[w * len + i]);
        return d;
    }

    /**
     * Threshold scan, the hot loop of top-k and radius search: walks codes [from, to) of a plane block in
     * chunks of {@link #CHUNK} codes (chunk starts at from, from + CHUNK, ...) and returns the start of the
     * first chunk holding a code at distance {@code < thr} from q; when no full chunk does, the start of
     * the trailing partial chunk (or {@code to}). The caller examines the returned chunk with
     * {@link #distance} and resumes after it. q (words) x planes (words, len).
     */
    public static int scanBelow(long[] q, int qOff, int words, long[] planes, int len, int from, int to, int thr) {
        if (!VECTOR) return scanBelowScalar(q, qOff, words, planes, len, from, to, thr);
        return Vec.scanBelow(q, qOff, words, planes, len, from, to, thr);
    }

    /** Scalar reference of {@link #scanBelow}: same chunking, same answer. */
    public static int scanBelowScalar(long[] q, int qOff, int words, long[] planes, int len, int from, int to, int thr) {
        int i = from;
        for (; i + CHUNK <= to; i += CHUNK) {
            for (int j = i; j < i + CHUNK; j++) {
                if (distance(q, qOff, words, planes, len, j) < thr) return i;
            }
        }
        return i;
    }

    /**
     * Which codes of the chunk [i, i + CHUNK) lie at distance {@code < thr} from q: bit j of the result is
     * set for code i + j. The rarely taken path after {@link #scanBelow}: the caller then visits only the
     * set bits. q (words) x planes (words, len); the chunk must be full.
     */
    public static long chunkMask(long[] q, int qOff, int words, long[] planes, int len, int i, int thr) {
        if (!VECTOR) return chunkMaskScalar(q, qOff, words, planes, len, i, thr);
        return Vec.chunkMask(q, qOff, words, planes, len, i, thr);
    }

    /** Scalar reference of {@link #chunkMask}. */
    public static long chunkMaskScalar(long[] q, int qOff, int words, long[] planes, int len, int i, int thr) {
        long mask = 0;
        for (int j = 0; j < CHUNK; j++) {
            if (distance(q, qOff, words, planes, len, i + j) < thr) mask |= 1L << j;
        }
        return mask;
    }

    /**
     * The evaluation's sort keys: {@code keys[i] = distance(q, code i) << 1 | relevant}, relevant when code
     * i's label bits share one with the query's. Codes and labels in word-plane layout (word w of item i
     * at {@code [w*n + i]}). q (words), ql (lw) x codePlanes (words, n), labelPlanes (lw, n) -> keys (n).
     */
    public static void relevanceKeys(long[] q, int qOff, int words, long[] codePlanes, long[] ql, int qlOff, int lw,
                                     long[] labelPlanes, int n, short[] keys) {
        if (!VECTOR_KEYS) {
            relevanceKeysScalar(q, qOff, words, codePlanes, ql, qlOff, lw, labelPlanes, n, 0, n, keys);
            return;
        }
        Vec.relevanceKeys(q, qOff, words, codePlanes, ql, qlOff, lw, labelPlanes, n, keys);
    }

    /** Scalar reference of {@link #relevanceKeys}, over items [from, to). */
    public static void relevanceKeysScalar(long[] q, int qOff, int words, long[] codePlanes, long[] ql, int qlOff, int lw,
                                           long[] labelPlanes, int n, int from, int to, short[] keys) {
        for (int i = from; i < to; i++) {
            int d = 0;
            for (int w = 0; w < words; w++) d += Long.bitCount(q[qOff + w] ^ codePlanes[w * n + i]);
            long shared = 0;
            for (int w = 0; w < lw; w++) shared |= ql[qlOff + w] & labelPlanes[w * n + i];
            keys[i] = (short) (d << 1 | (shared != 0 ? 1 : 0));
        }
    }

    /**
     * The Vector API code of this class: loaded (and verified) only when {@link Simd#ENABLED}, so the class
     * above runs its scalar references on a JVM without {@code jdk.incubator.vector}.
     */
    static final class Vec {
        private Vec() {}

        private static final VectorSpecies<Long> L = Simd.LONG;

        /** Int species with as many lanes as {@link #L} (null when L has a single lane: the scalar path runs). */
        private static final VectorSpecies<Integer> I_HALF = L.length() >= 2
                ? VectorSpecies.of(int.class, VectorShape.forBitSize(L.vectorBitSize() / 2)) : null;

        /** Short species with as many lanes as {@link #L}; exists from 256-bit long vectors up. */
        private static final VectorSpecies<Short> S_QUARTER = L.vectorBitSize() >= 256
                ? VectorSpecies.of(short.class, VectorShape.forBitSize(L.vectorBitSize() / 4)) : null;

        static void distances(long[] q, int qOff, int words, long[] planes, int len, int from, int to, int[] out, int outOff) {
            int vl = L.length();
            int i = from;
            int bound = from + L.loopBound(to - from);
            if (words == 1) {
                LongVector qv = LongVector.broadcast(L, q[qOff]);
                for (; i < bound; i += vl) {
                    LongVector d = LongVector.fromArray(L, planes, i).lanewise(VectorOperators.XOR, qv).lanewise(VectorOperators.BIT_COUNT);
                    ((IntVector) d.convertShape(VectorOperators.L2I, I_HALF, 0)).intoArray(out, outOff + i - from);
                }
            } else {
                for (; i < bound; i += vl) {
                    LongVector acc = LongVector.zero(L);
                    for (int w = 0; w < words; w++) {
                        acc = acc.add(LongVector.fromArray(L, planes, w * len + i)
                                .lanewise(VectorOperators.XOR, q[qOff + w]).lanewise(VectorOperators.BIT_COUNT));
                    }
                    ((IntVector) acc.convertShape(VectorOperators.L2I, I_HALF, 0)).intoArray(out, outOff + i - from);
                }
            }
            distancesScalar(q, qOff, words, planes, len, i, to, out, outOff + i - from);
        }

        static int scanBelow(long[] q, int qOff, int words, long[] planes, int len, int from, int to, int thr) {
            int vl = L.length();
            int i = from;
            LongVector tv = LongVector.broadcast(L, thr);
            if (words == 1) {
                LongVector qv = LongVector.broadcast(L, q[qOff]);
                for (; i + CHUNK <= to; i += CHUNK) {
                    LongVector d0 = LongVector.fromArray(L, planes, i).lanewise(VectorOperators.XOR, qv).lanewise(VectorOperators.BIT_COUNT);
                    LongVector d1 = LongVector.fromArray(L, planes, i + vl).lanewise(VectorOperators.XOR, qv).lanewise(VectorOperators.BIT_COUNT);
                    LongVector d2 = LongVector.fromArray(L, planes, i + 2 * vl).lanewise(VectorOperators.XOR, qv).lanewise(VectorOperators.BIT_COUNT);
                    LongVector d3 = LongVector.fromArray(L, planes, i + 3 * vl).lanewise(VectorOperators.XOR, qv).lanewise(VectorOperators.BIT_COUNT);
                    if (d0.min(d1).min(d2.min(d3)).compare(VectorOperators.LT, tv).anyTrue()) return i;
                }
            } else if (words == 2) {
                LongVector q0 = LongVector.broadcast(L, q[qOff]), q1 = LongVector.broadcast(L, q[qOff + 1]);
                for (; i + CHUNK <= to; i += CHUNK) {
                    int o = len + i;
                    LongVector d0 = LongVector.fromArray(L, planes, i).lanewise(VectorOperators.XOR, q0).lanewise(VectorOperators.BIT_COUNT)
                            .add(LongVector.fromArray(L, planes, o).lanewise(VectorOperators.XOR, q1).lanewise(VectorOperators.BIT_COUNT));
                    LongVector d1 = LongVector.fromArray(L, planes, i + vl).lanewise(VectorOperators.XOR, q0).lanewise(VectorOperators.BIT_COUNT)
                            .add(LongVector.fromArray(L, planes, o + vl).lanewise(VectorOperators.XOR, q1).lanewise(VectorOperators.BIT_COUNT));
                    LongVector d2 = LongVector.fromArray(L, planes, i + 2 * vl).lanewise(VectorOperators.XOR, q0).lanewise(VectorOperators.BIT_COUNT)
                            .add(LongVector.fromArray(L, planes, o + 2 * vl).lanewise(VectorOperators.XOR, q1).lanewise(VectorOperators.BIT_COUNT));
                    LongVector d3 = LongVector.fromArray(L, planes, i + 3 * vl).lanewise(VectorOperators.XOR, q0).lanewise(VectorOperators.BIT_COUNT)
                            .add(LongVector.fromArray(L, planes, o + 3 * vl).lanewise(VectorOperators.XOR, q1).lanewise(VectorOperators.BIT_COUNT));
                    if (d0.min(d1).min(d2.min(d3)).compare(VectorOperators.LT, tv).anyTrue()) return i;
                }
            } else {
                for (; i + CHUNK <= to; i += CHUNK) {
                    LongVector d0 = LongVector.zero(L), d1 = LongVector.zero(L), d2 = LongVector.zero(L), d3 = LongVector.zero(L);
                    for (int w = 0; w < words; w++) {
                        long qw = q[qOff + w];
                        int o = w * len + i;
                        d0 = d0.add(LongVector.fromArray(L, planes, o).lanewise(VectorOperators.XOR, qw).lanewise(VectorOperators.BIT_COUNT));
                        d1 = d1.add(LongVector.fromArray(L, planes, o + vl).lanewise(VectorOperators.XOR, qw).lanewise(VectorOperators.BIT_COUNT));
                        d2 = d2.add(LongVector.fromArray(L, planes, o + 2 * vl).lanewise(VectorOperators.XOR, qw).lanewise(VectorOperators.BIT_COUNT));
                        d3 = d3.add(LongVector.fromArray(L, planes, o + 3 * vl).lanewise(VectorOperators.XOR, qw).lanewise(VectorOperators.BIT_COUNT));
                    }
                    if (d0.min(d1).min(d2.min(d3)).compare(VectorOperators.LT, tv).anyTrue()) return i;
                }
            }
            return i;
        }

        static long chunkMask(long[] q, int qOff, int words, long[] planes, int len, int i, int thr) {
            int vl = L.length();
            long mask = 0;
            for (int u = 0; u < 4; u++) {
                int o = i + u * vl;
                LongVector d = LongVector.zero(L);
                for (int w = 0; w < words; w++) {
                    d = d.add(LongVector.fromArray(L, planes, w * len + o).lanewise(VectorOperators.XOR, q[qOff + w])
                            .lanewise(VectorOperators.BIT_COUNT));
                }
                mask |= d.compare(VectorOperators.LT, thr).toLong() << (u * vl);
            }
            return mask;
        }

        static void relevanceKeys(long[] q, int qOff, int words, long[] codePlanes, long[] ql, int qlOff, int lw,
                                         long[] labelPlanes, int n, short[] keys) {
            int i = 0, bound = L.loopBound(n);
            if (words == 1 && lw == 1) {
                LongVector qv = LongVector.broadcast(L, q[qOff]), lv = LongVector.broadcast(L, ql[qlOff]);
                for (; i < bound; i += L.length()) {
                    LongVector d = LongVector.fromArray(L, codePlanes, i).lanewise(VectorOperators.XOR, qv)
                            .lanewise(VectorOperators.BIT_COUNT).lanewise(VectorOperators.LSHL, 1);
                    VectorMask<Long> rel = LongVector.fromArray(L, labelPlanes, i).and(lv).compare(VectorOperators.NE, 0);
                    ((ShortVector) d.lanewise(VectorOperators.OR, 1, rel).convertShape(VectorOperators.L2S, S_QUARTER, 0)).intoArray(keys, i);
                }
            } else {
                for (; i < bound; i += L.length()) {
                    LongVector d = LongVector.zero(L);
                    for (int w = 0; w < words; w++) {
                        d = d.add(LongVector.fromArray(L, codePlanes, w * n + i).lanewise(VectorOperators.XOR, q[qOff + w])
                                .lanewise(VectorOperators.BIT_COUNT));
                    }
                    LongVector shared = LongVector.zero(L);
                    for (int w = 0; w < lw; w++) shared = shared.or(LongVector.fromArray(L, labelPlanes, w * n + i).and(ql[qlOff + w]));
                    VectorMask<Long> rel = shared.compare(VectorOperators.NE, 0);
                    ((ShortVector) d.lanewise(VectorOperators.LSHL, 1).lanewise(VectorOperators.OR, 1, rel)
                            .convertShape(VectorOperators.L2S, S_QUARTER, 0)).intoArray(keys, i);
                }
            }
            relevanceKeysScalar(q, qOff, words, codePlanes, ql, qlOff, lw, labelPlanes, n, i, n, keys);
        }
    }
}
