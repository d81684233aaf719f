package io.bsth.retrieval;

import java.util.Arrays;

/**
 * {@code n} binary codes of {@code nbit} bits each, packed 64 bits per long, row-major: code {@code i}
 * occupies words {@code [i*words, (i+1)*words)}. Bit {@code j} of a code is bit {@code j % 64} of word
 * {@code j / 64}; a +1 is a set bit, a -1 a clear bit; the unused high bits of the last word are always
 * clear, so XOR + popcount over whole words is the Hamming distance.
 *
 * <p>Sign rule for real-valued outputs ({@link #fromSigns}): bit = {@code h > 0}, so {@code h <= 0}
 * (including 0 and -0) is -1. This is the authors' convention: their MATLAB evaluation packs codes with
 * {@code compactbit(B > 0)} (see {@code matlab/utils/hammingDist.m}: "distMat(U2>0, U1>0)"), so a
 * {@code torch.sign} output of 0 counts as a clear bit there too. NaN is rejected.
 *
 * <p>Immutable once built; {@link #words()} exposes the backing array without copying (do not modify it).
 */
public final class PackedCodes implements CodeSource {
    private final long[] bits;
    private final int n;
    private final int nbit;
    private final int words;

    private PackedCodes(long[] bits, int n, int nbit) {
        this.bits = bits;
        this.n = n;
        this.nbit = nbit;
        this.words = wordsFor(nbit);
    }

    /** Longs per code: {@code ceil(nbit / 64)}. */
    public static int wordsFor(int nbit) {
        if (nbit < 1) throw new IllegalArgumentException("nbit: expected a positive number of bits, got " + nbit);
        return (nbit + 63) >>> 6;
    }

    private static void checkShape(String what, int length, int n, int nbit) {
        if (n < 0) throw new IllegalArgumentException(what + ": negative row count " + n);
        wordsFor(nbit);
        if ((long) n * nbit != length) {
            throw new IllegalArgumentException(what + ": " + length + " values cannot be " + n + " rows x " + nbit + " bits");
        }
    }

    /** Codes from an {@code n x nbit} row-major array of +1/-1 (e.g. an int8 {@code .npy}); any other value is an error. */
    public static PackedCodes fromInt8(byte[] signs, int n, int nbit) {
        checkShape("codes", signs.length, n, nbit);
        int words = wordsFor(nbit);
        long[] out = new long[n * words];
        // branch-free: bit = (v + 1) >>> 1 is 1 for +1 and 0 for -1; v * v - 1 is 0 only for +1 and -1
        // (random signs would mispredict every other branch of a per-value test)
        for (int i = 0; i < n; i++) {
            int src = i * nbit, bad = 0;
            for (int w = 0; w < words; w++) {
                int j0 = w << 6, bits = Math.min(64, nbit - j0);
                long word = 0;
                for (int b = 0; b < bits; b++) {
                    int v = signs[src + j0 + b];
                    word |= (long) ((v + 1) >>> 1) << b;
                    bad |= v * v - 1;
                }
                out[i * words + w] = word;
            }
            if (bad != 0) {
                for (int j = 0; j < nbit; j++) {
                    byte v = signs[src + j];
                    if (v != 1 && v != -1) {
                        throw new IllegalArgumentException("codes: row " + i + ", bit " + j + " is " + v + ", expected +1 or -1");
                    }
                }
            }
        }
        return new PackedCodes(out, n, nbit);
    }

    /** Codes from real outputs {@code h} ({@code n x nbit}, row-major): bit = {@code h > 0} (see the class comment). */
    public static PackedCodes fromSigns(float[] h, int n, int nbit) {
        checkShape("h", h.length, n, nbit);
        int words = wordsFor(nbit);
        long[] out = new long[n * words];
        for (int i = 0; i < n; i++) {
            int src = i * nbit;
            for (int j = 0; j < nbit; j++) {
                float v = h[src + j];
                if (v > 0) {
                    out[i * words + (j >>> 6)] |= 1L << (j & 63);
                } else if (Float.isNaN(v)) {
                    throw new IllegalArgumentException("h: row " + i + ", bit " + j + " is NaN");
                }
            }
        }
        return new PackedCodes(out, n, nbit);
    }

    /**
     * Wraps already packed words ({@code n * wordsFor(nbit)} longs, layout of the class comment) without
     * copying; rejects set bits beyond {@code nbit}.
     */
    public static PackedCodes wrap(long[] bits, int n, int nbit) {
        int words = wordsFor(nbit);
        if (n < 0 || (long) n * words != bits.length) {
            throw new IllegalArgumentException("packed codes: " + bits.length + " words cannot be " + n + " codes of " + words + " words");
        }
        long pad = padMask(nbit);
        if (pad != 0) {
            for (int i = 0; i < n; i++) {
                if ((bits[i * words + words - 1] & pad) != 0) {
                    throw new IllegalArgumentException("packed codes: code " + i + " has bits set beyond nbit " + nbit);
                }
            }
        }
        return new PackedCodes(bits, n, nbit);
    }

    /**
     * The first {@code n} codes of {@code bits}, which may be longer (spare capacity past them); no
     * copy, no checks. For search over a growing array; such a view must not escape (equals and
     * hashCode compare whole arrays).
     */
    static PackedCodes prefixView(long[] bits, int n, int nbit) {
        return new PackedCodes(bits, n, nbit);
    }

    /** Mask of the unused high bits of the last word (0 when nbit is a multiple of 64). */
    static long padMask(int nbit) {
        int r = nbit & 63;
        return r == 0 ? 0L : -1L << r;
    }

    /** The codes as +1/-1 bytes, {@code n x nbit} row-major. */
    public byte[] toInt8() {
        byte[] out = new byte[n * nbit];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < nbit; j++) {
                out[i * nbit + j] = (byte) ((bits[i * words + (j >>> 6)] >>> (j & 63) & 1L) != 0 ? 1 : -1);
            }
        }
        return out;
    }

    /** The codes as +1/-1 floats, {@code n x nbit} row-major. */
    public float[] toFloat() {
        float[] out = new float[n * nbit];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < nbit; j++) out[i * nbit + j] = (bits[i * words + (j >>> 6)] >>> (j & 63) & 1L) != 0 ? 1f : -1f;
        }
        return out;
    }

    /** Number of codes. */
    @Override
    public int size() {
        return n;
    }

    @Override
    public int nbit() {
        return nbit;
    }

    /** Longs per code. */
    public int wordsPerCode() {
        return words;
    }

    /** The backing array (not a copy; do not modify). */
    public long[] words() {
        return bits;
    }

    /** Word {@code w} of code {@code i}. */
    public long word(int i, int w) {
        return bits[i * words + w];
    }

    /** Codes {@code [from, to)} as a new instance (copied). */
    public PackedCodes slice(int from, int to) {
        if (from < 0 || to > n || from > to) throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of " + n + " codes");
        return new PackedCodes(Arrays.copyOfRange(bits, from * words, to * words), to - from, nbit);
    }

    /** Hamming distance between code {@code i} of this set and code {@code j} of {@code other}. */
    public int distance(int i, PackedCodes other, int j) {
        if (other.nbit != nbit) throw new IllegalArgumentException("nbit differs: " + nbit + " vs " + other.nbit);
        int d = 0;
        for (int w = 0; w < words; w++) d += Long.bitCount(bits[i * words + w] ^ other.bits[j * words + w]);
        return d;
    }

    @Override
    public void copyPlanes(int start, int len, long[] dst) {
        if (words == 1) {
            System.arraycopy(bits, start, dst, 0, len);
            return;
        }
        for (int w = 0; w < words; w++) {
            int base = w * len;
            for (int i = 0; i < len; i++) dst[base + i] = bits[(start + i) * words + w];
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PackedCodes p && p.n == n && p.nbit == nbit && Arrays.equals(p.bits, bits);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * n + nbit) + Arrays.hashCode(bits);
    }

    @Override
    public String toString() {
        return "PackedCodes[" + n + " x " + nbit + " bits]";
    }
}
