package io.bsth.tensor.kernels;

import io.bsth.tensor.Parallel;
import io.bsth.tensor.Simd;
import io.bsth.tensor.Tensor;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise kernels. Array level ({@code (float[] x, int xOff, ..., int n)}, the form autograd
 * uses): binary add/sub/mul, the fused forms axpy {@code y += alpha x}, {@code out = x*y + z},
 * {@code y += a*b}, scale, and a row-vector broadcast {@code y (rows, cols) += v (cols)}; each with its
 * scalar reference {@code ...Scalar}. Large calls are split over {@link Parallel} in chunks of
 * {@link #GRAIN} elements. Tensor level: binary ops with NumPy broadcasting over any views, and
 * unary maps, returning new contiguous tensors.
 *
 * <p>Outputs may alias inputs exactly (same array and offset), never partially.
 */
public final class Elementwise {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int L = S.length();
    /** Elements per parallel chunk (memory-bound work: a chunk must outweigh the hand-off). */
    public static final int GRAIN = 1 << 15;

    private Elementwise() {}

    /** A kernel over the element range [s, e) of the call's arrays. */
    @FunctionalInterface
    private interface Chunk {
        void run(int s, int e);
    }

    private static void split(int n, Chunk c) {
        if (n < 2 * GRAIN || Parallel.threads() == 1) c.run(0, n);
        else Parallel.forRange(n, GRAIN, c::run);
    }

    // ---- array level: y = a op b -------------------------------------------------------------------

    /** y (n) = a (n) + b (n). */
    public static void add(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        checkRange("add", a, aOff, n, b, bOff, y, yOff);
        if (!Simd.ENABLED) addScalar(a, aOff, b, bOff, y, yOff, n);
        else split(n, (s, e) -> addSimd(a, aOff + s, b, bOff + s, y, yOff + s, e - s));
    }

    public static void addScalar(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] = a[aOff + i] + b[bOff + i];
    }

    /** y (n) = a (n) - b (n). */
    public static void sub(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        checkRange("sub", a, aOff, n, b, bOff, y, yOff);
        if (!Simd.ENABLED) subScalar(a, aOff, b, bOff, y, yOff, n);
        else split(n, (s, e) -> subSimd(a, aOff + s, b, bOff + s, y, yOff + s, e - s));
    }

    public static void subScalar(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] = a[aOff + i] - b[bOff + i];
    }

    /** y (n) = a (n) * b (n). */
    public static void mul(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        checkRange("mul", a, aOff, n, b, bOff, y, yOff);
        if (!Simd.ENABLED) mulScalar(a, aOff, b, bOff, y, yOff, n);
        else split(n, (s, e) -> mulSimd(a, aOff + s, b, bOff + s, y, yOff + s, e - s));
    }

    public static void mulScalar(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] = a[aOff + i] * b[bOff + i];
    }

    // One method per operation, each with its operator as a literal: a shared body taking the
    // operator as a parameter is compiled on its own (OSR of the long loop) with a non-constant
    // operator, and the Vector API then falls back to per-lane code.

    private static void addSimd(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, a, aOff + i).add(FloatVector.fromArray(S, b, bOff + i)).intoArray(y, yOff + i);
        }
        addScalar(a, aOff + i, b, bOff + i, y, yOff + i, n - i);
    }

    private static void subSimd(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, a, aOff + i).sub(FloatVector.fromArray(S, b, bOff + i)).intoArray(y, yOff + i);
        }
        subScalar(a, aOff + i, b, bOff + i, y, yOff + i, n - i);
    }

    private static void mulSimd(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, a, aOff + i).mul(FloatVector.fromArray(S, b, bOff + i)).intoArray(y, yOff + i);
        }
        mulScalar(a, aOff + i, b, bOff + i, y, yOff + i, n - i);
    }

    // ---- array level: fused forms --------------------------------------------------------------------

    /** y (n) += alpha * x (n). */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        checkRange("axpy", x, xOff, n, y, yOff, y, yOff);
        if (!Simd.ENABLED) axpyScalar(alpha, x, xOff, y, yOff, n);
        else split(n, (s, e) -> axpySimd(alpha, x, xOff + s, y, yOff + s, e - s));
    }

    private static void axpySimd(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        FloatVector va = FloatVector.broadcast(S, alpha);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, xOff + i).fma(va, FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
    }

    public static void axpyScalar(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }

    /** y (n) = alpha * x (n). */
    public static void scale(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        checkRange("scale", x, xOff, n, x, xOff, y, yOff);
        if (!Simd.ENABLED) scaleScalar(alpha, x, xOff, y, yOff, n);
        else split(n, (s, e) -> scaleSimd(alpha, x, xOff + s, y, yOff + s, e - s));
    }

    private static void scaleSimd(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, xOff + i).mul(alpha).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] = alpha * x[xOff + i];
    }

    public static void scaleScalar(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] = alpha * x[xOff + i];
    }

    /** out (n) = x (n) * y (n) + z (n). */
    public static void fma(float[] x, int xOff, float[] y, int yOff, float[] z, int zOff, float[] out, int oOff, int n) {
        checkRange("fma", x, xOff, n, y, yOff, out, oOff);
        checkRange("fma", z, zOff, n, z, zOff, z, zOff);
        if (!Simd.ENABLED) fmaScalar(x, xOff, y, yOff, z, zOff, out, oOff, n);
        else split(n, (s, e) -> fmaSimd(x, xOff + s, y, yOff + s, z, zOff + s, out, oOff + s, e - s));
    }

    private static void fmaSimd(float[] x, int xOff, float[] y, int yOff, float[] z, int zOff, float[] out, int oOff, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, xOff + i).fma(FloatVector.fromArray(S, y, yOff + i), FloatVector.fromArray(S, z, zOff + i))
                    .intoArray(out, oOff + i);
        }
        for (; i < n; i++) out[oOff + i] = Math.fma(x[xOff + i], y[yOff + i], z[zOff + i]);
    }

    public static void fmaScalar(float[] x, int xOff, float[] y, int yOff, float[] z, int zOff, float[] out, int oOff, int n) {
        for (int i = 0; i < n; i++) out[oOff + i] = x[xOff + i] * y[yOff + i] + z[zOff + i];
    }

    /** y (n) += a (n) * b (n) (the gradient of a product). */
    public static void mulAcc(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        fma(a, aOff, b, bOff, y, yOff, y, yOff, n);
    }

    public static void mulAccScalar(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] += a[aOff + i] * b[bOff + i];
    }

    /** y (rows, cols) += v (cols) on every row (bias add); y dense with row stride cols. */
    public static void addRowVector(float[] y, int yOff, float[] v, int vOff, int rows, int cols) {
        checkRange("addRowVector", y, yOff, rows * cols, y, yOff, y, yOff);
        checkRange("addRowVector", v, vOff, cols, v, vOff, v, vOff);
        if (!Simd.ENABLED) {
            addRowVectorScalar(y, yOff, v, vOff, rows, cols);
            return;
        }
        int grainRows = Math.max(1, GRAIN / Math.max(1, cols));
        Chunk c = (s, e) -> {
            for (int r = s; r < e; r++) addSimd(y, yOff + r * cols, v, vOff, y, yOff + r * cols, cols);
        };
        if (rows < 2 * grainRows || Parallel.threads() == 1) c.run(0, rows);
        else Parallel.forRange(rows, grainRows, c::run);
    }

    public static void addRowVectorScalar(float[] y, int yOff, float[] v, int vOff, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) y[yOff + r * cols + j] += v[vOff + j];
        }
    }

    static void checkRange(String op, float[] a, int aOff, int n, float[] b, int bOff, float[] y, int yOff) {
        if (n < 0) throw new IllegalArgumentException(op + ": negative length " + n);
        check(op, "first operand", a, aOff, n);
        check(op, "second operand", b, bOff, n);
        check(op, "output", y, yOff, n);
    }

    private static void check(String op, String what, float[] x, int off, int n) {
        if (off < 0 || (long) off + n > x.length) {
            throw new IndexOutOfBoundsException(op + ": " + what + " range [" + off + ", " + ((long) off + n)
                    + ") outside an array of " + x.length);
        }
    }

    // ---- tensor level: broadcasting binary ops ---------------------------------------------------------

    /** The binary operations over tensors. */
    public enum Binary { ADD, SUB, MUL, DIV, MAX, MIN }

    /** The unary maps over tensors. */
    public enum Unary { NEG, ABS, SQUARE, SQRT, EXP, LOG }

    public static Tensor add(Tensor a, Tensor b) { return binary(Binary.ADD, a, b); }
    public static Tensor sub(Tensor a, Tensor b) { return binary(Binary.SUB, a, b); }
    public static Tensor mul(Tensor a, Tensor b) { return binary(Binary.MUL, a, b); }
    public static Tensor div(Tensor a, Tensor b) { return binary(Binary.DIV, a, b); }

    /** The NumPy broadcast of two shapes (trailing dims aligned; sizes equal or 1). */
    public static int[] broadcastShape(int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] s = new int[n];
        for (int d = 0; d < n; d++) {
            int x = d - (n - a.length) >= 0 ? a[d - (n - a.length)] : 1;
            int y = d - (n - b.length) >= 0 ? b[d - (n - b.length)] : 1;
            if (x != y && x != 1 && y != 1) {
                throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " do not broadcast (dim " + d + ": " + x + " vs " + y + ")");
            }
            s[d] = x == 1 ? y : x;
        }
        return s;
    }

    /** a op b with broadcasting, any views -> a new contiguous tensor of the broadcast shape. */
    public static Tensor binary(Binary op, Tensor a, Tensor b) {
        int[] shape = broadcastShape(a.shape(), b.shape());
        Tensor ea = a.expand(shape), eb = b.expand(shape), out = Tensor.zeros(shape);
        if (out.numel() == 0) return out;
        int rank = shape.length;
        int inner = rank == 0 ? 1 : shape[rank - 1];
        int as = rank == 0 ? 0 : ea.stride(-1), bs = rank == 0 ? 0 : eb.stride(-1);
        int rows = out.numel() / inner;
        float[] A = ea.data(), B = eb.data(), Y = out.data();
        int[] aSt = ea.strides(), bSt = eb.strides();
        Chunk body = (s, e) -> {
            for (int r = s; r < e; r++) {
                int ao = ea.offset(), bo = eb.offset();
                for (int d = rank - 2, q = r; d >= 0; d--) {
                    int i = q % shape[d];
                    q /= shape[d];
                    ao += i * aSt[d];
                    bo += i * bSt[d];
                }
                binaryRow(op, A, ao, as, B, bo, bs, Y, r * inner, inner);
            }
        };
        int grainRows = Math.max(1, GRAIN / inner);
        if (rows < 2 * grainRows || Parallel.threads() == 1) body.run(0, rows);
        else Parallel.forRange(rows, grainRows, body::run);
        return out;
    }

    /** One row: y[i] = a[ao + i*as] op b[bo + i*bs]; strides 1 (dense) or 0 (broadcast) take the SIMD path. */
    private static void binaryRow(Binary op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] y, int yo, int n) {
        if (Simd.ENABLED && (as == 1 || as == 0) && (bs == 1 || bs == 0)) {
            switch (op) {
                case ADD -> rowSimd(VectorOperators.ADD, a, ao, as, b, bo, bs, y, yo, n);
                case SUB -> rowSimd(VectorOperators.SUB, a, ao, as, b, bo, bs, y, yo, n);
                case MUL -> rowSimd(VectorOperators.MUL, a, ao, as, b, bo, bs, y, yo, n);
                case DIV -> rowSimd(VectorOperators.DIV, a, ao, as, b, bo, bs, y, yo, n);
                case MAX -> rowSimd(VectorOperators.MAX, a, ao, as, b, bo, bs, y, yo, n);
                case MIN -> rowSimd(VectorOperators.MIN, a, ao, as, b, bo, bs, y, yo, n);
            }
        } else {
            binaryRowScalar(op, a, ao, as, b, bo, bs, y, yo, n);
        }
    }

    private static void rowSimd(VectorOperators.Binary vop, float[] a, int ao, int as, float[] b, int bo, int bs, float[] y, int yo, int n) {
        int i = 0, bound = S.loopBound(n);
        if (as == 1 && bs == 1) {
            for (; i < bound; i += L) {
                FloatVector.fromArray(S, a, ao + i).lanewise(vop, FloatVector.fromArray(S, b, bo + i)).intoArray(y, yo + i);
            }
        } else if (as == 1) {
            FloatVector vb = FloatVector.broadcast(S, b[bo]);
            for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).lanewise(vop, vb).intoArray(y, yo + i);
        } else if (bs == 1) {
            FloatVector va = FloatVector.broadcast(S, a[ao]);
            for (; i < bound; i += L) va.lanewise(vop, FloatVector.fromArray(S, b, bo + i)).intoArray(y, yo + i);
        } else {
            i = 0;
        }
        for (; i < n; i++) y[yo + i] = apply(vop, a[ao + i * as], b[bo + i * bs]);
    }

    private static float apply(VectorOperators.Binary vop, float x, float z) {
        if (vop == VectorOperators.ADD) return x + z;
        if (vop == VectorOperators.SUB) return x - z;
        if (vop == VectorOperators.MUL) return x * z;
        if (vop == VectorOperators.DIV) return x / z;
        if (vop == VectorOperators.MAX) return Math.max(x, z);
        return Math.min(x, z);
    }

    /** Scalar reference of one broadcast row. */
    public static void binaryRowScalar(Binary op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            float x = a[ao + i * as], z = b[bo + i * bs];
            y[yo + i] = switch (op) {
                case ADD -> x + z;
                case SUB -> x - z;
                case MUL -> x * z;
                case DIV -> x / z;
                case MAX -> Math.max(x, z);
                case MIN -> Math.min(x, z);
            };
        }
    }

    // ---- tensor level: unary ---------------------------------------------------------------------------

    /** f(x) element-wise over any view -> a new contiguous tensor. */
    public static Tensor unary(Unary op, Tensor x) {
        Tensor c = x.contiguous();
        Tensor out = Tensor.zeros(x.shape());
        int n = out.numel();
        float[] X = c.data(), Y = out.data();
        int xo = c.offset();
        if (!Simd.ENABLED) unaryScalar(op, X, xo, Y, 0, n);
        else split(n, (s, e) -> unarySimd(op, X, xo + s, Y, s, e - s));
        return out;
    }

    /** alpha * x over any view -> a new contiguous tensor. */
    public static Tensor scale(Tensor x, float alpha) {
        Tensor c = x.contiguous();
        Tensor out = Tensor.zeros(x.shape());
        scale(alpha, c.data(), c.offset(), out.data(), 0, out.numel());
        return out;
    }

    private static void unarySimd(Unary op, float[] x, int xo, float[] y, int yo, int n) {
        switch (op) {
            case NEG -> unaryRow(VectorOperators.NEG, x, xo, y, yo, n);
            case ABS -> unaryRow(VectorOperators.ABS, x, xo, y, yo, n);
            case SQUARE -> {
                int i = 0;
                for (int bound = S.loopBound(n); i < bound; i += L) {
                    FloatVector v = FloatVector.fromArray(S, x, xo + i);
                    v.mul(v).intoArray(y, yo + i);
                }
                unaryScalar(op, x, xo + i, y, yo + i, n - i);
            }
            case SQRT -> unaryRow(VectorOperators.SQRT, x, xo, y, yo, n);
            case EXP -> unaryRow(VectorOperators.EXP, x, xo, y, yo, n);
            case LOG -> unaryRow(VectorOperators.LOG, x, xo, y, yo, n);
        }
    }

    private static void unaryRow(VectorOperators.Unary vop, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, xo + i).lanewise(vop).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            float v = x[xo + i];
            y[yo + i] = vop == VectorOperators.NEG ? -v : vop == VectorOperators.ABS ? Math.abs(v)
                    : vop == VectorOperators.SQRT ? (float) Math.sqrt(v) : vop == VectorOperators.EXP ? (float) Math.exp(v)
                    : (float) Math.log(v);
        }
    }

    /** Scalar reference of the unary maps. */
    public static void unaryScalar(Unary op, float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[xo + i];
            y[yo + i] = switch (op) {
                case NEG -> -v;
                case ABS -> Math.abs(v);
                case SQUARE -> v * v;
                case SQRT -> (float) Math.sqrt(v);
                case EXP -> (float) Math.exp(v);
                case LOG -> (float) Math.log(v);
            };
        }
    }
}
