package io.bsth.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Seeded, splittable, counter-based random numbers (SplitMix64 finaliser over key + counter).
 *
 * <p>Draw number i of a generator is a pure function of (key, i), so bulk fills are computed in
 * parallel blocks and give the same numbers for any thread count. {@link #split()} derives an
 * independent generator (a new key), for per-layer or per-epoch streams.
 */
public final class Rng {
    private static final long GAMMA = 0x9E3779B97F4A7C15L;
    private static final int BLOCK = 1 << 16;

    private final long key;
    private long counter;

    public Rng(long seed) {
        this.key = mix64(seed ^ 0x5DEECE66DL);
    }

    private Rng(long key, boolean raw) {
        this.key = key;
    }

    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private long at(long i) {
        return mix64(key + i * GAMMA);
    }

    public long nextLong() {
        return at(counter++);
    }

    /** Uniform in [0, n). */
    public int nextInt(int n) {
        if (n <= 0) throw new IllegalArgumentException("bound must be positive: " + n);
        return (int) (((nextLong() >>> 33) * n) >>> 31);
    }

    /** Uniform in [0, 1) with 24 random bits. */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** An independent generator; advances this one by one draw. */
    public Rng split() {
        return new Rng(mix64(nextLong() ^ 0x6A09E667F3BCC909L), true);
    }

    /** Fisher-Yates permutation of 0..n-1. */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /**
     * n consecutive draws handed to another device: draw i of the block is
     * {@code mix64(key + (base + i) * 0x9E3779B97F4A7C15)} (SplitMix64's finaliser), exactly the value
     * {@link #nextLong()} would have returned.
     */
    public record Block(long key, long base, int n) {}

    /** Reserves the next n draws (this generator skips them) for computation elsewhere (a GPU kernel). */
    public Block reserve(int n) {
        if (n < 0) throw new IllegalArgumentException("negative draw count: " + n);
        Block b = new Block(key, counter, n);
        counter += n;
        return b;
    }

    /** The keep test of {@link #dropoutMask}: a draw keeps its element iff its top 24 bits are >= this. */
    public static int dropoutThreshold(float p) {
        if (!(p >= 0f && p < 1f)) throw new IllegalArgumentException("dropout probability must be in [0, 1): " + p);
        return (int) Math.ceil(p * (double) (1 << 24));
    }

    private interface BlockFill {
        void fill(long base, int from, int to);
    }

    private void bulk(int n, BlockFill f) {
        long base = counter;
        counter += n;
        int blocks = (n + BLOCK - 1) / BLOCK;
        Parallel.forEach(blocks, b -> f.fill(base, b * BLOCK, Math.min(n, (b + 1) * BLOCK)));
    }

    /** dst[off + i] = uniform in [lo, hi). */
    public void fillUniform(float[] dst, int off, int n, float lo, float hi) {
        float w = hi - lo;
        bulk(n, (base, from, to) -> {
            for (int i = from; i < to; i++) dst[off + i] = lo + w * ((at(base + i) >>> 40) * 0x1.0p-24f);
        });
    }

    /** dst[off + i] = mean + std * N(0, 1). */
    public void fillNormal(float[] dst, int off, int n, float mean, float std) {
        bulk(n, (base, from, to) -> {
            for (int i = from; i < to; i++) {
                long r = at(base + i);
                double u1 = ((r >>> 40) + 1) * 0x1.0p-24;
                double u2 = (r & 0xFFFFFFL) * 0x1.0p-24;
                dst[off + i] = (float) (mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
            }
        });
    }

    /**
     * Inverted-dropout mask: mask[off + i] = 1/(1-p) with probability 1-p, else 0. The keep test
     * compares 24 random bits against p, so p is honoured to 2^-24.
     */
    public void dropoutMask(float[] mask, int off, int n, float p) {
        int threshold = dropoutThreshold(p);
        float scale = 1f / (1f - p);
        long k = key;
        bulk(n, (base, from, to) -> {
            if (Simd.ENABLED) Vec.dropoutMaskSimd(k, base, threshold, scale, mask, off, from, to);
            else dropoutMaskReference(k, base, threshold, scale, mask, off, from, to);
        });
    }

    /**
     * mask (off + [0, n)) = the dropout mask of draws [from, from + n) of {@code draws}: the values
     * {@link #dropoutMask} would have written at those positions had it drawn them (same p).
     */
    public static void maskOf(Block draws, float p, int from, int n, float[] mask, int off) {
        if (from < 0 || n < 0 || (long) from + n > draws.n()) {
            throw new IndexOutOfBoundsException("dropout mask: draws [" + from + ", " + ((long) from + n) + ") of a block of " + draws.n());
        }
        int threshold = dropoutThreshold(p);
        float scale = 1f / (1f - p);
        if (Simd.ENABLED) Vec.dropoutMaskSimd(draws.key(), draws.base(), threshold, scale, mask, off - from, from, from + n);
        else dropoutMaskReference(draws.key(), draws.base(), threshold, scale, mask, off - from, from, from + n);
    }

    /**
     * Inverted dropout without a stored mask: y (n) = x (n) * mask, where mask is what
     * {@link #dropoutMask} would draw for the next n draws (this generator skips them). Returns those
     * draws, from which {@link #dropoutBackward} redraws the same mask.
     */
    public Block dropout(float[] x, float[] y, int n, float p) {
        Block b = reserve(n);
        dropoutAgain(b, p, x, y);
        return b;
    }

    /** y (n) = x (n) * mask, the mask of {@link #dropout} that returned {@code draws} (same p) drawn again: its values again. */
    public static void dropoutAgain(Block draws, float p, float[] x, float[] y) {
        int threshold = dropoutThreshold(p);
        float scale = 1f / (1f - p);
        long k = draws.key(), base = draws.base();
        blocks(draws.n(), (from, to) -> {
            if (Simd.ENABLED) Vec.dropoutSimd(k, base, threshold, scale, x, y, from, to);
            else dropoutReference(k, base, threshold, scale, x, y, from, to);
        });
    }

    /** dx (n) += g (n) * mask, the mask of {@link #dropout} that returned {@code draws} (same p). */
    public static void dropoutBackward(Block draws, float p, float[] g, float[] dx) {
        int threshold = dropoutThreshold(p);
        float scale = 1f / (1f - p);
        long k = draws.key(), base = draws.base();
        blocks(draws.n(), (from, to) -> {
            if (Simd.ENABLED) Vec.dropoutBackwardSimd(k, base, threshold, scale, g, dx, from, to);
            else dropoutBackwardReference(k, base, threshold, scale, g, dx, from, to);
        });
    }

    private interface Range {
        void run(int from, int to);
    }

    /** [0, n) in the blocks of {@link #bulk}, over the pool. */
    private static void blocks(int n, Range r) {
        int blocks = (n + BLOCK - 1) / BLOCK;
        Parallel.forEach(blocks, b -> r.run(b * BLOCK, Math.min(n, (b + 1) * BLOCK)));
    }

    /** y [from, to) = x * mask of draws base + i: the scalar reference of {@link #dropout}. */
    static void dropoutReference(long key, long base, int threshold, float scale, float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = x[i] * ((int) (mix64(key + (base + i) * GAMMA) >>> 40) >= threshold ? scale : 0f);
        }
    }

    /** dx [from, to) += g * mask of draws base + i: the scalar reference of {@link #dropoutBackward}. */
    static void dropoutBackwardReference(long key, long base, int threshold, float scale, float[] g, float[] dx, int from, int to) {
        for (int i = from; i < to; i++) {
            dx[i] += g[i] * ((int) (mix64(key + (base + i) * GAMMA) >>> 40) >= threshold ? scale : 0f);
        }
    }

    /**
     * Draws base+from .. base+to-1 of generator {@code key} as a dropout mask: mask (off + [from, to))
     * = scale where the draw's top 24 bits are >= threshold, else 0. The scalar reference.
     */
    static void dropoutMaskReference(long key, long base, int threshold, float scale, float[] mask, int off, int from, int to) {
        for (int i = from; i < to; i++) {
            mask[off + i] = (int) (mix64(key + (base + i) * GAMMA) >>> 40) >= threshold ? scale : 0f;
        }
    }

    /** The Vector API code: loaded only when {@link Simd#ENABLED}. */
    static final class Vec {
        private Vec() {}

        private static final VectorSpecies<Long> SL = Simd.LONG;
        private static final VectorSpecies<Float> SF = Simd.FLOAT;

        /**
         * {@link #dropoutMaskReference} with SplitMix64 on long lanes: two long vectors of draws per
         * float vector of mask (same shape, so twice the lanes); the keep bits of both become one
         * float mask. Same bits as the reference.
         */
        static void dropoutMaskSimd(long key, long base, int threshold, float scale, float[] mask, int off, int from, int to) {
            int ll = SL.length(), fl = SF.length();
            LongVector lane = LongVector.zero(SL).addIndex(1);
            FloatVector keepV = FloatVector.broadcast(SF, scale), zero = FloatVector.zero(SF);
            int i = from;
            for (int end = from + SF.loopBound(to - from); i < end; i += fl) {
                long lo = keepBits(lane.add(base + i), key, threshold);
                long hi = keepBits(lane.add(base + i + ll), key, threshold);
                zero.blend(keepV, VectorMask.fromLong(SF, lo | hi << ll)).intoArray(mask, off + i);
            }
            dropoutMaskReference(key, base, threshold, scale, mask, off, i, to);
        }

        /** {@link #dropoutReference} on vectors: y = x * mask (a plain product, as Elementwise.mul). */
        static void dropoutSimd(long key, long base, int threshold, float scale, float[] x, float[] y, int from, int to) {
            int ll = SL.length(), fl = SF.length();
            LongVector lane = LongVector.zero(SL).addIndex(1);
            FloatVector keepV = FloatVector.broadcast(SF, scale), zero = FloatVector.zero(SF);
            int i = from;
            for (int end = from + SF.loopBound(to - from); i < end; i += fl) {
                long lo = keepBits(lane.add(base + i), key, threshold);
                long hi = keepBits(lane.add(base + i + ll), key, threshold);
                FloatVector m = zero.blend(keepV, VectorMask.fromLong(SF, lo | hi << ll));
                FloatVector.fromArray(SF, x, i).mul(m).intoArray(y, i);
            }
            dropoutReference(key, base, threshold, scale, x, y, i, to);
        }

        /** {@link #dropoutBackwardReference} on vectors: dx = fma(g, mask, dx), as Elementwise.mulAcc. */
        static void dropoutBackwardSimd(long key, long base, int threshold, float scale, float[] g, float[] dx, int from, int to) {
            int ll = SL.length(), fl = SF.length();
            LongVector lane = LongVector.zero(SL).addIndex(1);
            FloatVector keepV = FloatVector.broadcast(SF, scale), zero = FloatVector.zero(SF);
            int i = from;
            for (int end = from + SF.loopBound(to - from); i < end; i += fl) {
                long lo = keepBits(lane.add(base + i), key, threshold);
                long hi = keepBits(lane.add(base + i + ll), key, threshold);
                FloatVector m = zero.blend(keepV, VectorMask.fromLong(SF, lo | hi << ll));
                FloatVector.fromArray(SF, g, i).fma(m, FloatVector.fromArray(SF, dx, i)).intoArray(dx, i);
            }
            for (; i < to; i++) {
                float m = (int) (mix64(key + (base + i) * GAMMA) >>> 40) >= threshold ? scale : 0f;
                dx[i] = Math.fma(g[i], m, dx[i]);
            }
        }

        /** Lane j of the result: whether draw idx[j] is kept. */
        private static long keepBits(LongVector idx, long key, int threshold) {
            LongVector z = idx.mul(GAMMA).add(key);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(0xBF58476D1CE4E5B9L);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(0x94D049BB133111EBL);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31));
            return z.lanewise(VectorOperators.LSHR, 40).compare(VectorOperators.GE, threshold).toLong();
        }
    }
}
