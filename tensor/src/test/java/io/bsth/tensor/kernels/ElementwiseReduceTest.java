package io.bsth.tensor.kernels;

import static org.junit.jupiter.api.Assertions.*;

import io.bsth.tensor.Parallel;
import io.bsth.tensor.Simd;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SIMD element-wise kernels and reductions against their scalar references on awkward sizes (1,
 * lanes-1, lanes+1, odd, beyond one parallel chunk) at non-zero offsets. Element-wise results must
 * match exactly (same float operations; FMA forms within 1 ulp-scale 1e-6 relative); sums within
 * n * 2^-23 of the double reference in magnitude.
 */
class ElementwiseReduceTest {
    static final int L = Simd.AVAILABLE ? Simd.FLOAT.length() : 16;
    static final int[] SIZES = {1, 2, L - 1, L, L + 1, 2 * L + 3, 97, 1000, 2 * Parallel.GRAIN + 13};
    final int threadsBefore = Parallel.threads();

    @AfterEach
    void restore() {
        Parallel.setThreads(threadsBefore);
    }

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextDouble(-2, 2);
        return x;
    }

    @Test
    void arrayKernelsMatchScalarReferences() {
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            for (int n : SIZES) {
                int oa = 3, ob = 5, oy = 7;
                float[] a = random(n + oa, n), b = random(n + ob, n + 1), z = random(n + 2, n + 2);
                float[] y = random(n + oy, n + 3), want = y.clone();
                Elementwise.add(a, oa, b, ob, y, oy, n);
                Elementwise.addReference(a, oa, b, ob, want, oy, n);
                assertArrayEquals(want, y, "add n=" + n);
                Elementwise.sub(a, oa, b, ob, y, oy, n);
                Elementwise.subReference(a, oa, b, ob, want, oy, n);
                assertArrayEquals(want, y, "sub n=" + n);
                Elementwise.mul(a, oa, b, ob, y, oy, n);
                Elementwise.mulReference(a, oa, b, ob, want, oy, n);
                assertArrayEquals(want, y, "mul n=" + n);
                Elementwise.scale(-0.75f, a, oa, y, oy, n);
                Elementwise.scaleReference(-0.75f, a, oa, want, oy, n);
                assertArrayEquals(want, y, "scale n=" + n);
                Elementwise.axpy(1.5f, a, oa, y, oy, n);
                Elementwise.axpyReference(1.5f, a, oa, want, oy, n);
                assertClose(want, y, 1e-6f, "axpy n=" + n);
                Elementwise.fma(a, oa, b, ob, z, 2, y, oy, n);
                Elementwise.fmaReference(a, oa, b, ob, z, 2, want, oy, n);
                assertClose(want, y, 1e-6f, "fma n=" + n);
                Elementwise.mulAcc(a, oa, b, ob, y, oy, n);
                Elementwise.mulAccReference(a, oa, b, ob, want, oy, n);
                assertClose(want, y, 1e-6f, "mulAcc n=" + n);
                for (int i = 0; i < oy; i++) assertEquals(want[i], y[i], "prefix untouched");
            }
        }
    }

    static void assertClose(float[] want, float[] got, float rel, String what) {
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], rel * (1 + Math.abs(want[i])), what + " element " + i);
        }
    }

    @Test
    void rowVectorAndColumnSums() {
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            for (int[] rc : new int[][] {{1, 1}, {3, L - 1}, {5, L + 1}, {7, 2 * L + 5}, {2000, 3 * L + 1}, {4096, 384}}) {
                int rows = rc[0], cols = rc[1];
                float[] y = random(rows * cols + 4, rows), v = random(cols + 1, cols), want = y.clone();
                Elementwise.addRowVector(y, 4, v, 1, rows, cols);
                Elementwise.addRowVectorReference(want, 4, v, 1, rows, cols);
                assertArrayEquals(want, y, "addRowVector " + rows + "x" + cols);
                float[] cs = random(cols + 2, 1), csWant = cs.clone();
                Reduce.colSum(y, 4, rows, cols, cs, 2, true);
                Reduce.colSumReference(y, 4, rows, cols, csWant, 2, true);
                assertClose(csWant, cs, rows * 1e-6f, "colSum " + rows + "x" + cols);
                Reduce.colSum(y, 4, rows, cols, cs, 2, false);
                Reduce.colSumReference(y, 4, rows, cols, csWant, 2, false);
                assertClose(csWant, cs, rows * 1e-6f, "colSum overwrite " + rows + "x" + cols);
            }
        }
    }

    @Test
    void rangeSum() {
        for (int n : SIZES) {
            float[] x = random(n + 9, 3 * n);
            assertEquals(Reduce.sumReference(x, 9, n), Reduce.sum(x, 9, n), n * 0x1p-21, "sum n=" + n);
        }
        assertThrows(IndexOutOfBoundsException.class, () -> Reduce.sum(new float[6], 2, 5));
    }
}
