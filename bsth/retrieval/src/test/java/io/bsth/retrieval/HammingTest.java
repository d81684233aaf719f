package io.bsth.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class HammingTest {
    static long[] randomWords(Random rnd, int n) {
        long[] a = new long[n];
        for (int i = 0; i < n; i++) a[i] = rnd.nextLong();
        return a;
    }

    @Test
    void distancesVectorEqualsScalarOnAwkwardSizes() {
        Random rnd = new Random(11);
        int c = Hamming.CHUNK;
        for (int words : new int[] {1, 2, 3}) {
            for (int len : new int[] {1, 3, c / 4 - 1, c / 4 + 1, c - 1, c, c + 1, 3 * c + 5, 257}) {
                long[] planes = randomWords(rnd, words * len);
                long[] q = randomWords(rnd, words + 2);
                for (int from : new int[] {0, 1, len / 2}) {
                    int[] want = new int[len + 1], got = new int[len + 1];
                    Hamming.distancesScalar(q, 1, words, planes, len, from, len, want, 1);
                    Hamming.distances(q, 1, words, planes, len, from, len, got, 1);
                    assertArrayEquals(want, got, "words " + words + " len " + len + " from " + from);
                    for (int i = from; i < len; i++) {
                        int d = 0;
                        for (int w = 0; w < words; w++) d += Long.bitCount(q[1 + w] ^ planes[w * len + i]);
                        assertEquals(d, want[1 + i - from]);
                    }
                }
            }
        }
    }

    @Test
    void scanBelowVectorEqualsScalar() {
        Random rnd = new Random(12);
        int c = Hamming.CHUNK;
        for (int words : new int[] {1, 2, 3}) {
            for (int len : new int[] {1, c - 1, c, c + 1, 5 * c + 3}) {
                long[] planes = randomWords(rnd, words * len);
                long[] q = randomWords(rnd, words);
                for (int thr = 0; thr <= 64 * words + 1; thr += 3) {
                    for (int from : new int[] {0, 1, 7}) {
                        if (from > len) continue;
                        int want = Hamming.scanBelowScalar(q, 0, words, planes, len, from, len, thr);
                        int got = Hamming.scanBelow(q, 0, words, planes, len, from, len, thr);
                        assertEquals(want, got, "words " + words + " len " + len + " thr " + thr + " from " + from);
                        // the answer is a chunk start; every full chunk before it is free of closer codes
                        assertEquals(0, (want - from) % c);
                        for (int i = from; i < want; i++) {
                            assertEquals(true, Hamming.distance(q, 0, words, planes, len, i) >= thr);
                        }
                    }
                }
            }
        }
    }

    @Test
    void fourQueryScanEqualsScalarAndTheSingleQueryScans() {
        Random rnd = new Random(15);
        int c = Hamming.CHUNK;
        for (int len : new int[] {1, c - 1, c, c + 1, 2 * c - 1, 5 * c + 3, 4096 + 7}) {
            long[] codes = randomWords(rnd, len);
            long[] q = randomWords(rnd, 4);
            for (int trial = 0; trial < 40; trial++) {
                // thresholds per query: mostly low (few hits), sometimes one query far above the others
                int[] t = new int[4];
                for (int j = 0; j < 4; j++) t[j] = rnd.nextInt(4) == 0 ? rnd.nextInt(66) : rnd.nextInt(24);
                for (int from : new int[] {0, 1, 7, c}) {
                    if (from > len) continue;
                    int want = Hamming.scanBelow4Scalar(q[0], q[1], q[2], q[3], codes, from, len, t[0], t[1], t[2], t[3]);
                    int got = Hamming.scanBelow4(q[0], q[1], q[2], q[3], codes, from, len, t[0], t[1], t[2], t[3]);
                    String at = "len " + len + " from " + from + " thresholds " + java.util.Arrays.toString(t);
                    assertEquals(want, got, at);
                    // the first chunk where any of the four single-query scans stops
                    int first = len;
                    for (int j = 0; j < 4; j++) first = Math.min(first, Hamming.scanBelowScalar(q, j, 1, codes, len, from, len, t[j]));
                    assertEquals(first, want, at);
                    if (want + c <= len) {
                        assertEquals(Hamming.anyBelow4Scalar(q[0], q[1], q[2], q[3], codes, want, t[0], t[1], t[2], t[3]),
                                Hamming.anyBelow4(q[0], q[1], q[2], q[3], codes, want, t[0], t[1], t[2], t[3]), at);
                    }
                }
            }
        }
    }

    @Test
    void chunkMaskVectorEqualsScalarAndMarksExactlyTheCloserCodes() {
        Random rnd = new Random(13);
        int c = Hamming.CHUNK;
        for (int words : new int[] {1, 2, 3}) {
            int len = 3 * c + 1;
            long[] planes = randomWords(rnd, words * len);
            long[] q = randomWords(rnd, words);
            for (int thr = 0; thr <= 64 * words + 1; thr += 2) {
                for (int i : new int[] {0, 1, c, 2 * c + 1}) {
                    long want = Hamming.chunkMaskScalar(q, 0, words, planes, len, i, thr);
                    assertEquals(want, Hamming.chunkMask(q, 0, words, planes, len, i, thr), "words " + words + " thr " + thr + " at " + i);
                    for (int j = 0; j < c; j++) {
                        assertEquals(Hamming.distance(q, 0, words, planes, len, i + j) < thr, (want >>> j & 1) != 0);
                    }
                }
            }
        }
    }

    @Test
    void intLaneScanAndMaskEqualScalarOnAwkwardSizes() {
        Random rnd = new Random(15);
        int c = Hamming.CHUNK_INT;
        for (int nbit : new int[] {1, 7, 16, 31, 32}) {
            int keep = nbit == 32 ? -1 : (1 << nbit) - 1;
            for (int len : new int[] {1, c - 1, c, c + 1, 3 * c + 5, 1001}) {
                int[] codes = new int[len];
                for (int i = 0; i < len; i++) codes[i] = rnd.nextInt() & keep;
                int q = rnd.nextInt() & keep;
                for (int thr = 0; thr <= nbit + 1; thr++) {
                    for (int from : new int[] {0, 1, 7}) {
                        if (from > len) continue;
                        int want = Hamming.scanBelowIntScalar(q, codes, from, len, thr);
                        String at = "nbit " + nbit + " len " + len + " thr " + thr + " from " + from;
                        assertEquals(want, Hamming.scanBelowInt(q, codes, from, len, thr), at);
                        assertEquals(0, (want - from) % c, at);
                        for (int i = from; i < want; i++) assertEquals(true, Integer.bitCount(q ^ codes[i]) >= thr, at);
                        if (want + c <= len) {
                            long m = Hamming.chunkMaskIntScalar(q, codes, want, thr);
                            assertEquals(m, Hamming.chunkMaskInt(q, codes, want, thr), at);
                            for (int j = 0; j < c; j++) assertEquals(Integer.bitCount(q ^ codes[want + j]) < thr, (m >>> j & 1) != 0, at);
                            assertEquals(true, m != 0, at);
                        }
                    }
                }
            }
        }
    }
}
