package io.bsth.tensor;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/** The vector dropout mask against its scalar reference: same bits on awkward sizes, offsets and counters. */
class DropoutMaskTest {
    @Test
    void simdMatchesReferenceOnAwkwardSizes() {
        assumeTrue(Simd.ENABLED, "needs the Vector API");
        int lanes = Simd.FLOAT.length();
        long key = 0x1234_5678_9ABC_DEF0L;
        for (float p : new float[] {0f, 0.1f, 0.5f, 0.9f}) {
            int threshold = Rng.dropoutThreshold(p);
            float scale = 1f / (1f - p);
            for (int n : new int[] {0, 1, lanes - 1, lanes, lanes + 1, 2 * lanes + 3, 1000, 70_001}) {
                for (int from : new int[] {0, 1, 5}) {
                    if (from > n) continue;
                    for (long base : new long[] {0L, 7L, (1L << 40) + 3}) {
                        int off = 3;
                        float[] ref = new float[off + n + 2], simd = new float[off + n + 2];
                        java.util.Arrays.fill(ref, -1f);
                        java.util.Arrays.fill(simd, -1f);
                        Rng.dropoutMaskReference(key, base, threshold, scale, ref, off, from, n);
                        Rng.Vec.dropoutMaskSimd(key, base, threshold, scale, simd, off, from, n);
                        assertArrayEquals(ref, simd, "p " + p + ", n " + n + ", from " + from + ", base " + base);
                    }
                }
            }
        }
    }

    @Test
    void maskIsTheDrawsOfNextLong() {
        Rng a = new Rng(42), b = new Rng(42);
        int n = 333;
        float[] mask = new float[n];
        a.dropoutMask(mask, 0, n, 0.3f);
        int threshold = Rng.dropoutThreshold(0.3f);
        for (int i = 0; i < n; i++) {
            boolean keep = (int) (b.nextLong() >>> 40) >= threshold;
            assertEquals(keep ? 1f / 0.7f : 0f, mask[i], "element " + i);
        }
        assertEquals(a.nextLong(), b.nextLong(), "the mask advances the generator by n draws");
    }
}
