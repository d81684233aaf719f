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

    @Test
    void dropoutWithoutAStoredMaskGivesTheBitsOfTheMaskedProduct() {
        for (int n : new int[] {1, 15, 16, 17, 1000, 70_001, 131_075}) {
            float[] x = new float[n], g = new float[n], mask = new float[n];
            new Rng(n).fillNormal(x, 0, n, 0f, 1f);
            new Rng(n + 1).fillNormal(g, 0, n, 0f, 1f);
            for (float p : new float[] {0.1f, 0.5f}) {
                new Rng(9).dropoutMask(mask, 0, n, p);
                float[] want = new float[n], got = new float[n];
                io.bsth.tensor.kernels.Elementwise.mul(x, 0, mask, 0, want, 0, n);
                Rng r = new Rng(9);
                Rng.Block draws = r.dropout(x, got, n, p);
                assertArrayEquals(want, got, "forward, n " + n + ", p " + p);
                Rng r2 = new Rng(9);
                r2.reserve(n);
                assertEquals(r2.nextLong(), r.nextLong(), "dropout advances the generator by n draws");
                float[] dWant = x.clone(), dGot = x.clone();
                io.bsth.tensor.kernels.Elementwise.mulAcc(g, 0, mask, 0, dWant, 0, n);
                Rng.dropoutBackward(draws, p, g, dGot);
                assertArrayEquals(dWant, dGot, "backward, n " + n + ", p " + p);
                float[] yRef = new float[n], dRef = x.clone(), dMul = x.clone();
                Rng.dropoutReference(draws.key(), draws.base(), Rng.dropoutThreshold(p), 1f / (1f - p), x, yRef, 0, n);
                assertArrayEquals(want, yRef, "reference forward");
                Rng.dropoutBackwardReference(draws.key(), draws.base(), Rng.dropoutThreshold(p), 1f / (1f - p), g, dRef, 0, n);
                io.bsth.tensor.kernels.Elementwise.mulAccReference(g, 0, mask, 0, dMul, 0, n);
                assertArrayEquals(dMul, dRef, "reference backward");
            }
        }
    }
}
