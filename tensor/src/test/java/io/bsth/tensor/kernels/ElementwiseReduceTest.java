package io.bsth.tensor.kernels;

import static org.junit.jupiter.api.Assertions.*;

import io.bsth.tensor.Parallel;
import io.bsth.tensor.Simd;
import io.bsth.tensor.Tensor;
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
    static final int L = Simd.FLOAT.length();
    static final int[] SIZES = {1, 2, L - 1, L, L + 1, 2 * L + 3, 97, 1000, 2 * Elementwise.GRAIN + 13};
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
                Elementwise.addScalar(a, oa, b, ob, want, oy, n);
                assertArrayEquals(want, y, "add n=" + n);
                Elementwise.sub(a, oa, b, ob, y, oy, n);
                Elementwise.subScalar(a, oa, b, ob, want, oy, n);
                assertArrayEquals(want, y, "sub n=" + n);
                Elementwise.mul(a, oa, b, ob, y, oy, n);
                Elementwise.mulScalar(a, oa, b, ob, want, oy, n);
                assertArrayEquals(want, y, "mul n=" + n);
                Elementwise.scale(-0.75f, a, oa, y, oy, n);
                Elementwise.scaleScalar(-0.75f, a, oa, want, oy, n);
                assertArrayEquals(want, y, "scale n=" + n);
                Elementwise.axpy(1.5f, a, oa, y, oy, n);
                Elementwise.axpyScalar(1.5f, a, oa, want, oy, n);
                assertClose(want, y, 1e-6f, "axpy n=" + n);
                Elementwise.fma(a, oa, b, ob, z, 2, y, oy, n);
                Elementwise.fmaScalar(a, oa, b, ob, z, 2, want, oy, n);
                assertClose(want, y, 1e-6f, "fma n=" + n);
                Elementwise.mulAcc(a, oa, b, ob, y, oy, n);
                Elementwise.mulAccScalar(a, oa, b, ob, want, oy, n);
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
    void rowVectorAndColumnAndRowSums() {
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            for (int[] rc : new int[][] {{1, 1}, {3, L - 1}, {5, L + 1}, {7, 2 * L + 5}, {2000, 3 * L + 1}, {4096, 384}}) {
                int rows = rc[0], cols = rc[1];
                float[] y = random(rows * cols + 4, rows), v = random(cols + 1, cols), want = y.clone();
                Elementwise.addRowVector(y, 4, v, 1, rows, cols);
                Elementwise.addRowVectorScalar(want, 4, v, 1, rows, cols);
                assertArrayEquals(want, y, "addRowVector " + rows + "x" + cols);
                float[] cs = random(cols + 2, 1), csWant = cs.clone();
                Reduce.colSum(y, 4, rows, cols, cs, 2, true);
                Reduce.colSumScalar(y, 4, rows, cols, csWant, 2, true);
                assertClose(csWant, cs, rows * 1e-6f, "colSum " + rows + "x" + cols);
                Reduce.colSum(y, 4, rows, cols, cs, 2, false);
                Reduce.colSumScalar(y, 4, rows, cols, csWant, 2, false);
                assertClose(csWant, cs, rows * 1e-6f, "colSum overwrite " + rows + "x" + cols);
                float[] rs = new float[rows + 3], rsWant = new float[rows + 3];
                Reduce.rowSum(y, 4, rows, cols, rs, 3, false);
                Reduce.rowSumScalar(y, 4, rows, cols, rsWant, 3, false);
                assertClose(rsWant, rs, cols * 1e-6f, "rowSum " + rows + "x" + cols);
            }
        }
    }

    @Test
    void rangeReductions() {
        for (int n : SIZES) {
            float[] x = random(n + 9, 3 * n);
            assertEquals(Reduce.sumScalar(x, 9, n), Reduce.sum(x, 9, n), n * 0x1p-21, "sum n=" + n);
            assertEquals(Reduce.maxScalar(x, 9, n), Reduce.max(x, 9, n), "max n=" + n);
            assertEquals(Reduce.argmaxScalar(x, 9, n), Reduce.argmax(x, 9, n), "argmax n=" + n);
        }
        float[] ties = {1, 5, 2, 5, Float.NaN, 5};
        assertEquals(1, Reduce.argmax(ties, 0, 6), "first of equal maxima");
        float[] longTies = new float[5 * L];
        longTies[3 * L + 2] = 7f;
        longTies[4 * L] = 7f;
        longTies[L] = Float.NaN;
        assertEquals(3 * L + 2, Reduce.argmax(longTies, 0, longTies.length), "NaN skipped, first maximum");
        assertEquals(Reduce.argmaxScalar(longTies, 0, longTies.length), Reduce.argmax(longTies, 0, longTies.length));
        assertTrue(Float.isNaN(Reduce.max(longTies, 0, longTies.length)), "max propagates NaN");
        assertThrows(IllegalArgumentException.class, () -> Reduce.max(ties, 0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> Reduce.sum(ties, 2, 5));
    }

    @Test
    void tensorBroadcastingBinaryOps() {
        Tensor a = Tensor.of(random(2 * 3 * (L + 3), 11), 2, 3, L + 3);
        Tensor row = Tensor.of(random(L + 3, 12), L + 3);
        Tensor col = Tensor.of(random(3, 13), 3, 1);
        for (Elementwise.Binary op : Elementwise.Binary.values()) {
            checkBinary(op, a, row);
            checkBinary(op, a, col);
            checkBinary(op, col, a);
            checkBinary(op, a.transpose(0, 2).transpose(0, 2), a.narrow(2, 0, L + 3));
            checkBinary(op, a.permute(2, 1, 0), Tensor.of(random(2, 14), 2));
            checkBinary(op, Tensor.scalar(2.5f), a);
        }
        assertThrows(IllegalArgumentException.class, () -> Elementwise.add(a, Tensor.zeros(4)));
    }

    static void checkBinary(Elementwise.Binary op, Tensor a, Tensor b) {
        Tensor out = Elementwise.binary(op, a, b);
        int[] shape = Elementwise.broadcastShape(a.shape(), b.shape());
        assertArrayEquals(shape, out.shape());
        Tensor ea = a.expand(shape), eb = b.expand(shape);
        float[] y = new float[1];
        for (int i = 0; i < out.numel(); i++) {
            float[] x1 = {ea.getFlat(i)}, x2 = {eb.getFlat(i)};
            Elementwise.binaryRowScalar(op, x1, 0, 1, x2, 0, 1, y, 0, 1);
            assertEquals(y[0], out.getFlat(i), op + " element " + i);
        }
    }

    @Test
    void tensorUnaryMaps() {
        int n = 3 * L + 5;
        Tensor x = Tensor.of(random(n, 21), n);
        Tensor pos = Elementwise.unary(Elementwise.Unary.ABS, x);
        for (Elementwise.Unary op : Elementwise.Unary.values()) {
            Tensor in = op == Elementwise.Unary.SQRT || op == Elementwise.Unary.LOG ? pos : x;
            Tensor out = Elementwise.unary(op, in.narrow(0, 1, n - 1));
            float[] want = new float[n - 1];
            Elementwise.unaryScalar(op, in.data(), 1, want, 0, n - 1);
            assertClose(want, out.data(), 2e-6f, op.toString());
        }
        Tensor s = Elementwise.scale(x.narrow(0, 2, 5), 3f);
        for (int i = 0; i < 5; i++) assertEquals(3f * x.get(i + 2), s.get(i));
    }

    @Test
    void tensorReductionsAlongEachAxis() {
        Tensor x = Tensor.of(random(4 * 5 * (L + 2), 31), 4, 5, L + 2);
        for (Tensor v : new Tensor[] {x, x.permute(2, 0, 1)}) {
            for (int axis = 0; axis < 3; axis++) {
                Tensor sum = Reduce.sum(v, axis, false), mean = Reduce.mean(v, axis, true), max = Reduce.max(v, axis, false);
                int[] arg = Reduce.argmax(v, axis);
                int[] shape = v.shape();
                int n = shape[axis];
                assertEquals(1, mean.size(axis));
                for (int i = 0; i < sum.numel(); i++) {
                    // multi-index of output i with the reduced axis removed
                    int[] idx = new int[3];
                    for (int d = 2, q = i; d >= 0; d--) {
                        if (d == axis) continue;
                        idx[d] = q % shape[d];
                        q /= shape[d];
                    }
                    double s = 0;
                    float m = Float.NEGATIVE_INFINITY;
                    int am = 0;
                    for (int k = 0; k < n; k++) {
                        idx[axis] = k;
                        float e = v.get(idx);
                        s += e;
                        if (e > m) {
                            m = e;
                            am = k;
                        }
                    }
                    assertEquals(s, sum.getFlat(i), 1e-5, "sum axis " + axis);
                    assertEquals(s / n, mean.getFlat(i), 1e-5, "mean axis " + axis);
                    assertEquals(m, max.getFlat(i), "max axis " + axis);
                    assertEquals(am, arg[i], "argmax axis " + axis);
                }
            }
        }
    }
}
