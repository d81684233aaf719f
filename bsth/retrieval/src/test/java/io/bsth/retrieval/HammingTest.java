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
    void relevanceKeysVectorEqualsScalar() {
        Random rnd = new Random(14);
        for (int words : new int[] {1, 2, 3}) {
            for (int lw : new int[] {1, 2}) {
                for (int n : new int[] {0, 1, 7, 8, 9, 31, 33, 1000}) {
                    long[] codes = randomWords(rnd, n * words), labels = new long[n * lw];
                    for (int i = 0; i < labels.length; i++) labels[i] = rnd.nextInt(3) == 0 ? 0 : 1L << rnd.nextInt(64);
                    long[] q = randomWords(rnd, words + 1), ql = new long[lw + 1];
                    for (int w = 0; w <= lw; w++) ql[w] = rnd.nextLong() & rnd.nextLong() & rnd.nextLong();
                    short[] want = new short[n], got = new short[n];
                    Hamming.relevanceKeysScalar(q, 1, words, codes, ql, 1, lw, labels, n, 0, n, want);
                    Hamming.relevanceKeys(q, 1, words, codes, ql, 1, lw, labels, n, got);
                    assertArrayEquals(want, got, "words " + words + " lw " + lw + " n " + n);
                    for (int i = 0; i < n; i++) {
                        int d = 0;
                        boolean rel = false;
                        for (int w = 0; w < words; w++) d += Long.bitCount(q[1 + w] ^ codes[w * n + i]);
                        for (int w = 0; w < lw; w++) rel |= (ql[1 + w] & labels[w * n + i]) != 0;
                        assertEquals(d, want[i] >> 1);
                        assertEquals(rel, (want[i] & 1) == 1);
                    }
                }
            }
        }
    }
}
