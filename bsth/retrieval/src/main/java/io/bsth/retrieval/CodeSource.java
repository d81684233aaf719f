package io.bsth.retrieval;

/**
 * A database of packed codes that search can walk block by block, such as {@link PackedCodes}.
 */
public interface CodeSource {
    /** Number of codes. */
    int size();

    /** Bits per code. */
    int nbit();

    /**
     * Copies codes {@code [start, start+len)} into {@code dst} in word-plane layout: word {@code w} of
     * code {@code start+i} goes to {@code dst[w*len + i]} (for one-word codes that is just the codes).
     */
    void copyPlanes(int start, int len, long[] dst);
}
