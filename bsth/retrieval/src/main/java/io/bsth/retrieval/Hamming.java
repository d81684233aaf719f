package io.bsth.retrieval;

import io.bsth.tensor.Simd;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
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
    /** Long and int lanes of the kernels' vectors (1 without the Vector API). */
    private static final int LONG_LANES = Simd.AVAILABLE ? Simd.LONG.length() : 1, INT_LANES = Simd.AVAILABLE ? Simd.INT.length() : 1;

    /** Codes per chunk of the threshold scan: 4 independent vectors. */
    public static final int CHUNK = 4 * LONG_LANES;

    private static final boolean VECTOR = Simd.ENABLED && LONG_LANES >= 2;

    /** Codes per chunk of the int-lane scan (codes of at most 32 bits): 4 vectors of int lanes, at most 64. */
    public static final int CHUNK_INT = Math.min(64, 4 * INT_LANES);

    private static final boolean VECTOR_INT = Simd.ENABLED && INT_LANES >= 2 && CHUNK_INT == 4 * INT_LANES;

    private Hamming() {}

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
     * {@link #chunkMask} and resumes after it. q (words) x planes (words, len).
     *
     * <p>The loop is plain Java around one small vector kernel per chunk ({@link #anyBelow1},
     * {@link #anyBelow}): a loop of vector code runs interpreted (every lane operation a boxed call) until
     * its back-edge count triggers compilation, while a small kernel is compiled after a few hundred
     * calls, so the first search in a fresh JVM runs at compiled speed after milliseconds.
     */
    public static int scanBelow(long[] q, int qOff, int words, long[] planes, int len, int from, int to, int thr) {
        int i = from;
        if (words == 1) {
            long qw = q[qOff];
            for (; i + CHUNK <= to; i += CHUNK) if (anyBelow1(qw, planes, i, thr)) return i;
        } else {
            for (; i + CHUNK <= to; i += CHUNK) if (anyBelow(q, qOff, words, planes, len, i, thr)) return i;
        }
        return i;
    }

    /**
     * {@link #scanBelow} for four queries of one word at once, each with its own threshold: walks the
     * one-word codes [from, to) in chunks of {@link #CHUNK} and returns the start of the first chunk holding
     * a code at distance {@code < t0} from q0, or {@code < t1} from q1, and so on; when no full chunk does,
     * the start of the trailing partial chunk (or {@code to}). Each code vector is loaded once for the four
     * queries, and one test covers the four. (q0..q3) x codes (to) -> chunk start.
     */
    public static int scanBelow4(long q0, long q1, long q2, long q3, long[] codes, int from, int to, int t0, int t1, int t2, int t3) {
        int i = from;
        for (; i + CHUNK <= to; i += CHUNK) if (anyBelow4(q0, q1, q2, q3, codes, i, t0, t1, t2, t3)) return i;
        return i;
    }

    /** Whether the chunk [i, i + CHUNK) of one-word codes holds a code at distance {@code < tj} from some qj: (q0..q3) x codes -> any. */
    public static boolean anyBelow4(long q0, long q1, long q2, long q3, long[] codes, int i, int t0, int t1, int t2, int t3) {
        if (!VECTOR) return anyBelow4Scalar(q0, q1, q2, q3, codes, i, t0, t1, t2, t3);
        return Vec.anyBelow4(q0, q1, q2, q3, codes, i, t0, t1, t2, t3);
    }

    /** Scalar reference of {@link #anyBelow4}. */
    public static boolean anyBelow4Scalar(long q0, long q1, long q2, long q3, long[] codes, int i, int t0, int t1, int t2, int t3) {
        return anyBelow1Scalar(q0, codes, i, t0) || anyBelow1Scalar(q1, codes, i, t1)
                || anyBelow1Scalar(q2, codes, i, t2) || anyBelow1Scalar(q3, codes, i, t3);
    }

    /** Scalar reference of {@link #scanBelow4}: same chunking, same answer. */
    public static int scanBelow4Scalar(long q0, long q1, long q2, long q3, long[] codes, int from, int to, int t0, int t1, int t2, int t3) {
        int i = from;
        for (; i + CHUNK <= to; i += CHUNK) if (anyBelow4Scalar(q0, q1, q2, q3, codes, i, t0, t1, t2, t3)) return i;
        return i;
    }

    /** Whether the chunk [i, i + CHUNK) of one-word codes holds a code at distance {@code < thr}: q x codes -> any. */
    public static boolean anyBelow1(long q, long[] codes, int i, int thr) {
        if (!VECTOR) return anyBelow1Scalar(q, codes, i, thr);
        return Vec.anyBelow1(q, codes, i, thr);
    }

    /** Whether the chunk [i, i + CHUNK) of a plane block holds a code at distance {@code < thr}: q (words) x planes (words, len) -> any. */
    public static boolean anyBelow(long[] q, int qOff, int words, long[] planes, int len, int i, int thr) {
        if (!VECTOR) return anyBelowScalar(q, qOff, words, planes, len, i, thr);
        return Vec.anyBelow(q, qOff, words, planes, len, i, thr);
    }

    /** Scalar reference of {@link #anyBelow1}. */
    public static boolean anyBelow1Scalar(long q, long[] codes, int i, int thr) {
        for (int j = i; j < i + CHUNK; j++) if (Long.bitCount(q ^ codes[j]) < thr) return true;
        return false;
    }

    /** Scalar reference of {@link #anyBelow}. */
    public static boolean anyBelowScalar(long[] q, int qOff, int words, long[] planes, int len, int i, int thr) {
        for (int j = i; j < i + CHUNK; j++) if (distance(q, qOff, words, planes, len, j) < thr) return true;
        return false;
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
     * {@link #scanBelow} for codes of at most 32 bits held one per int, twice the codes per vector of the
     * long lanes: walks codes [from, to) in chunks of {@link #CHUNK_INT} and returns the start of the first
     * chunk holding a code at distance {@code < thr} from q, else the start of the trailing partial chunk
     * (or {@code to}). q x codes (to) -> chunk start.
     */
    public static int scanBelowInt(int q, int[] codes, int from, int to, int thr) {
        int i = from;
        for (; i + CHUNK_INT <= to; i += CHUNK_INT) if (anyBelowInt(q, codes, i, thr)) return i;
        return i;
    }

    /** Whether the chunk [i, i + CHUNK_INT) of int codes holds a code at distance {@code < thr}: q x codes -> any. */
    public static boolean anyBelowInt(int q, int[] codes, int i, int thr) {
        if (!VECTOR_INT) return anyBelowIntScalar(q, codes, i, thr);
        return Vec.anyBelowInt(q, codes, i, thr);
    }

    /** Scalar reference of {@link #anyBelowInt}. */
    public static boolean anyBelowIntScalar(int q, int[] codes, int i, int thr) {
        for (int j = i; j < i + CHUNK_INT; j++) if (Integer.bitCount(q ^ codes[j]) < thr) return true;
        return false;
    }

    /** Scalar reference of {@link #scanBelowInt}: same chunking, same answer. */
    public static int scanBelowIntScalar(int q, int[] codes, int from, int to, int thr) {
        int i = from;
        for (; i + CHUNK_INT <= to; i += CHUNK_INT) {
            for (int j = i; j < i + CHUNK_INT; j++) {
                if (Integer.bitCount(q ^ codes[j]) < thr) return i;
            }
        }
        return i;
    }

    /**
     * {@link #chunkMask} on int lanes: bit j of the result is set when code i + j of the full chunk
     * [i, i + CHUNK_INT) lies at distance {@code < thr} from q. q x codes -> mask.
     */
    public static long chunkMaskInt(int q, int[] codes, int i, int thr) {
        if (!VECTOR_INT) return chunkMaskIntScalar(q, codes, i, thr);
        return Vec.chunkMaskInt(q, codes, i, thr);
    }

    /** Scalar reference of {@link #chunkMaskInt}. */
    public static long chunkMaskIntScalar(int q, int[] codes, int i, int thr) {
        long mask = 0;
        for (int j = 0; j < CHUNK_INT; j++) {
            if (Integer.bitCount(q ^ codes[i + j]) < thr) mask |= 1L << j;
        }
        return mask;
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

        private static final VectorSpecies<Integer> I = Simd.INT;

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

        static boolean anyBelow1(long q, long[] codes, int i, int thr) {
            int vl = L.length();
            LongVector qv = LongVector.broadcast(L, q);
            LongVector d0 = LongVector.fromArray(L, codes, i).lanewise(VectorOperators.XOR, qv).lanewise(VectorOperators.BIT_COUNT);
            LongVector d1 = LongVector.fromArray(L, codes, i + vl).lanewise(VectorOperators.XOR, qv).lanewise(VectorOperators.BIT_COUNT);
            LongVector d2 = LongVector.fromArray(L, codes, i + 2 * vl).lanewise(VectorOperators.XOR, qv).lanewise(VectorOperators.BIT_COUNT);
            LongVector d3 = LongVector.fromArray(L, codes, i + 3 * vl).lanewise(VectorOperators.XOR, qv).lanewise(VectorOperators.BIT_COUNT);
            return d0.min(d1).min(d2.min(d3)).compare(VectorOperators.LT, thr).anyTrue();
        }

        static boolean anyBelow4(long q0, long q1, long q2, long q3, long[] codes, int i, int t0, int t1, int t2, int t3) {
            int vl = L.length();
            LongVector c0 = LongVector.fromArray(L, codes, i), c1 = LongVector.fromArray(L, codes, i + vl);
            LongVector c2 = LongVector.fromArray(L, codes, i + 2 * vl), c3 = LongVector.fromArray(L, codes, i + 3 * vl);
            LongVector b = LongVector.broadcast(L, q0);
            LongVector m0 = c0.lanewise(VectorOperators.XOR, b).lanewise(VectorOperators.BIT_COUNT)
                    .min(c1.lanewise(VectorOperators.XOR, b).lanewise(VectorOperators.BIT_COUNT))
                    .min(c2.lanewise(VectorOperators.XOR, b).lanewise(VectorOperators.BIT_COUNT)
                            .min(c3.lanewise(VectorOperators.XOR, b).lanewise(VectorOperators.BIT_COUNT)));
            b = LongVector.broadcast(L, q1);
            LongVector m1 = c0.lanewise(VectorOperators.XOR, b).lanewise(VectorOperators.BIT_COUNT)
                    .min(c1.lanewise(VectorOperators.XOR, b).lanewise(VectorOperators.BIT_COUNT))
                    .min(c2.lanewise(VectorOperators.XOR, b).lanewise(VectorOperators.BIT_COUNT)
                            .min(c3.lanewise(VectorOperators.XOR, b).lanewise(VectorOperators.BIT_COUNT)));
            b = LongVector.broadcast(L, q2);
            LongVector m2 = c0.lanewise(VectorOperators.XOR, b).lanewise(VectorOperators.BIT_COUNT)
                    .min(c1.lanewise(VectorOperators.XOR, b).lanewise(VectorOperators.BIT_COUNT))
                    .min(c2.lanewise(VectorOperators.XOR, b).lanewise(VectorOperators.BIT_COUNT)
                            .min(c3.lanewise(VectorOperators.XOR, b).lanewise(VectorOperators.BIT_COUNT)));
            b = LongVector.broadcast(L, q3);
            LongVector m3 = c0.lanewise(VectorOperators.XOR, b).lanewise(VectorOperators.BIT_COUNT)
                    .min(c1.lanewise(VectorOperators.XOR, b).lanewise(VectorOperators.BIT_COUNT))
                    .min(c2.lanewise(VectorOperators.XOR, b).lanewise(VectorOperators.BIT_COUNT)
                            .min(c3.lanewise(VectorOperators.XOR, b).lanewise(VectorOperators.BIT_COUNT)));
            return m0.compare(VectorOperators.LT, t0).or(m1.compare(VectorOperators.LT, t1))
                    .or(m2.compare(VectorOperators.LT, t2)).or(m3.compare(VectorOperators.LT, t3)).anyTrue();
        }

        static boolean anyBelow(long[] q, int qOff, int words, long[] planes, int len, int i, int thr) {
            int vl = L.length();
            LongVector d0 = LongVector.zero(L), d1 = LongVector.zero(L), d2 = LongVector.zero(L), d3 = LongVector.zero(L);
            for (int w = 0; w < words; w++) {
                long qw = q[qOff + w];
                int o = w * len + i;
                d0 = d0.add(LongVector.fromArray(L, planes, o).lanewise(VectorOperators.XOR, qw).lanewise(VectorOperators.BIT_COUNT));
                d1 = d1.add(LongVector.fromArray(L, planes, o + vl).lanewise(VectorOperators.XOR, qw).lanewise(VectorOperators.BIT_COUNT));
                d2 = d2.add(LongVector.fromArray(L, planes, o + 2 * vl).lanewise(VectorOperators.XOR, qw).lanewise(VectorOperators.BIT_COUNT));
                d3 = d3.add(LongVector.fromArray(L, planes, o + 3 * vl).lanewise(VectorOperators.XOR, qw).lanewise(VectorOperators.BIT_COUNT));
            }
            return d0.min(d1).min(d2.min(d3)).compare(VectorOperators.LT, thr).anyTrue();
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

        static boolean anyBelowInt(int q, int[] codes, int i, int thr) {
            int vl = I.length();
            IntVector qv = IntVector.broadcast(I, q);
            IntVector d0 = IntVector.fromArray(I, codes, i).lanewise(VectorOperators.XOR, qv).lanewise(VectorOperators.BIT_COUNT);
            IntVector d1 = IntVector.fromArray(I, codes, i + vl).lanewise(VectorOperators.XOR, qv).lanewise(VectorOperators.BIT_COUNT);
            IntVector d2 = IntVector.fromArray(I, codes, i + 2 * vl).lanewise(VectorOperators.XOR, qv).lanewise(VectorOperators.BIT_COUNT);
            IntVector d3 = IntVector.fromArray(I, codes, i + 3 * vl).lanewise(VectorOperators.XOR, qv).lanewise(VectorOperators.BIT_COUNT);
            return d0.min(d1).min(d2.min(d3)).compare(VectorOperators.LT, thr).anyTrue();
        }

        static long chunkMaskInt(int q, int[] codes, int i, int thr) {
            int vl = I.length();
            long mask = 0;
            for (int u = 0; u < 4; u++) {
                IntVector d = IntVector.fromArray(I, codes, i + u * vl).lanewise(VectorOperators.XOR, q).lanewise(VectorOperators.BIT_COUNT);
                mask |= d.compare(VectorOperators.LT, thr).toLong() << (u * vl);
            }
            return mask;
        }
    }
}
