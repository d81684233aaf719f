package io.bsth.tensor;

import java.util.Arrays;

/**
 * A float32 tensor: a view (shape, strides, offset) over a flat {@code float[]} storage.
 *
 * <p>View operations ({@link #reshape}, {@link #permute}, {@link #transpose}, {@link #narrow}) never
 * copy; {@link #contiguous()} copies only when the view is not already row-major dense. Strides are
 * in elements.
 * Kernels work on the raw storage with explicit offsets; this class is the shape bookkeeping around them.
 */
public final class Tensor {
    private final float[] data;
    private final int offset;
    private final int[] shape;
    private final int[] strides;

    private Tensor(float[] data, int offset, int[] shape, int[] strides) {
        this.data = data;
        this.offset = offset;
        this.shape = shape;
        this.strides = strides;
    }

    /** A new zero-filled contiguous tensor. */
    public static Tensor zeros(int... shape) {
        int[] s = shape.clone();
        return new Tensor(new float[checkedNumel(s)], 0, s, rowMajorStrides(s));
    }

    /** A contiguous tensor over {@code data} (not copied); {@code data.length} must equal the element count. */
    public static Tensor of(float[] data, int... shape) {
        int[] s = shape.clone();
        int n = checkedNumel(s);
        if (n != data.length) {
            throw new IllegalArgumentException("data has " + data.length + " elements, shape "
                    + Arrays.toString(s) + " needs " + n);
        }
        return new Tensor(data, 0, s, rowMajorStrides(s));
    }

    /** A view with explicit layout; bounds are checked against the storage. */
    public static Tensor view(float[] data, int offset, int[] shape, int[] strides) {
        if (shape.length != strides.length) {
            throw new IllegalArgumentException("shape and strides differ in rank");
        }
        long lo = offset, hi = offset;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0) throw new IllegalArgumentException("negative size in " + Arrays.toString(shape));
            if (shape[d] == 0) { lo = offset; hi = offset - 1L; break; }
            long ext = (long) (shape[d] - 1) * strides[d];
            if (ext < 0) lo += ext; else hi += ext;
        }
        if (hi >= lo && (lo < 0 || hi >= data.length)) {
            throw new IndexOutOfBoundsException("view reaches [" + lo + ", " + hi + "] outside storage of "
                    + data.length);
        }
        return new Tensor(data, offset, shape.clone(), strides.clone());
    }

    public static Tensor full(float value, int... shape) {
        Tensor t = zeros(shape);
        Arrays.fill(t.data, value);
        return t;
    }

    public static Tensor scalar(float v) {
        return of(new float[] {v});
    }

    static int checkedNumel(int[] shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException("negative size in " + Arrays.toString(shape));
            n *= s;
            if (n > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " is too large");
            }
        }
        return (int) n;
    }

    public static int[] rowMajorStrides(int[] shape) {
        int[] st = new int[shape.length];
        int s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            st[d] = s;
            s *= Math.max(shape[d], 1);
        }
        return st;
    }

    // ---- accessors ----------------------------------------------------------------------------

    /** The storage (shared with every view of it). */
    public float[] data() { return data; }
    public int offset() { return offset; }
    public int[] shape() { return shape.clone(); }
    public int[] strides() { return strides.clone(); }
    public int dim() { return shape.length; }

    /** Size of dimension {@code d}; negative d counts from the end. */
    public int size(int d) { return shape[axis(d)]; }
    public int stride(int d) { return strides[axis(d)]; }

    public int numel() {
        int n = 1;
        for (int s : shape) n *= s;
        return n;
    }

    public int axis(int d) {
        int a = d < 0 ? d + shape.length : d;
        if (a < 0 || a >= shape.length) {
            throw new IllegalArgumentException("dimension " + d + " out of range for rank " + shape.length);
        }
        return a;
    }

    /** True when elements are laid out row-major and densely from {@link #offset()}. */
    public boolean isContiguous() {
        int expect = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 1) continue;
            if (strides[d] != expect) return false;
            expect *= shape[d];
        }
        return true;
    }

    public boolean sameShape(Tensor o) { return Arrays.equals(shape, o.shape); }

    private int index(int[] idx) {
        if (idx.length != shape.length) {
            throw new IllegalArgumentException("index rank " + idx.length + " for tensor of rank " + shape.length);
        }
        int p = offset;
        for (int d = 0; d < idx.length; d++) {
            if (idx[d] < 0 || idx[d] >= shape[d]) {
                throw new IndexOutOfBoundsException("index " + idx[d] + " out of range for dim " + d
                        + " of size " + shape[d]);
            }
            p += idx[d] * strides[d];
        }
        return p;
    }

    public float get(int... idx) { return data[index(idx)]; }
    public void set(float v, int... idx) { data[index(idx)] = v; }

    /** Element {@code i} in row-major logical order (works for any view). */
    public float getFlat(int i) {
        int p = offset;
        for (int d = shape.length - 1; d >= 0; d--) {
            int s = shape[d];
            p += (i % s) * strides[d];
            i /= s;
        }
        return data[p];
    }

    // ---- views ----------------------------------------------------------------------------------

    /**
     * Same elements, new shape (one entry may be -1). A view when the layout allows it (always for
     * contiguous tensors), otherwise a contiguous copy, as PyTorch's {@code reshape}.
     */
    public Tensor reshape(int... newShape) {
        int[] s = inferShape(newShape, numel());
        if (isContiguous()) return new Tensor(data, offset, s, rowMajorStrides(s));
        return contiguous().reshape(s);
    }

    private static int[] inferShape(int[] newShape, int numel) {
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int d = 0; d < s.length; d++) {
            if (s[d] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("only one dimension may be -1");
                infer = d;
            } else {
                known *= s[d];
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new IllegalArgumentException("cannot reshape " + numel + " elements to " + Arrays.toString(newShape));
            }
            s[infer] = (int) (numel / known);
        }
        if (checkedNumel(s) != numel) {
            throw new IllegalArgumentException("cannot reshape " + numel + " elements to " + Arrays.toString(newShape));
        }
        return s;
    }

    /** Dimensions reordered: result dim i is this tensor's dim {@code perm[i]}. */
    public Tensor permute(int... perm) {
        if (perm.length != shape.length) throw new IllegalArgumentException("permutation rank mismatch");
        int[] s = new int[perm.length], st = new int[perm.length];
        boolean[] seen = new boolean[perm.length];
        for (int i = 0; i < perm.length; i++) {
            int a = axis(perm[i]);
            if (seen[a]) throw new IllegalArgumentException("repeated dimension in " + Arrays.toString(perm));
            seen[a] = true;
            s[i] = shape[a];
            st[i] = strides[a];
        }
        return new Tensor(data, offset, s, st);
    }

    public Tensor transpose(int d0, int d1) {
        int a = axis(d0), b = axis(d1);
        int[] perm = new int[shape.length];
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        perm[a] = b;
        perm[b] = a;
        return permute(perm);
    }

    /** Elements {@code start .. start+length-1} along {@code dim}. */
    public Tensor narrow(int dim, int start, int length) {
        int a = axis(dim);
        if (start < 0 || length < 0 || start + length > shape[a]) {
            throw new IndexOutOfBoundsException("narrow [" + start + ", " + (start + length) + ") of dim " + a
                    + " with size " + shape[a]);
        }
        int[] s = shape.clone();
        s[a] = length;
        return new Tensor(data, offset + start * strides[a], s, strides.clone());
    }

    /** This tensor when contiguous, else a dense row-major copy. */
    public Tensor contiguous() {
        if (isContiguous()) return this;
        return copy();
    }

    /** A dense row-major copy with its own storage. */
    public Tensor copy() {
        Tensor out = zeros(shape);
        copyInto(out.data, 0);
        return out;
    }

    /** Writes the elements in row-major order into {@code dst} from {@code dstOff}. */
    public void copyInto(float[] dst, int dstOff) {
        int n = numel();
        if (n == 0) return;
        if (isContiguous()) {
            System.arraycopy(data, offset, dst, dstOff, n);
            return;
        }
        int rank = shape.length;
        int inner = shape[rank - 1], innerStride = strides[rank - 1];
        int[] idx = new int[rank];
        int rows = n / inner;
        for (int r = 0; r < rows; r++) {
            int p = offset;
            for (int d = 0; d < rank - 1; d++) p += idx[d] * strides[d];
            int o = dstOff + r * inner;
            for (int j = 0; j < inner; j++) dst[o + j] = data[p + j * innerStride];
            for (int d = rank - 2; d >= 0; d--) {
                if (++idx[d] < shape[d]) break;
                idx[d] = 0;
            }
        }
    }

    /** The elements in row-major order as a new array. */
    public float[] toArray() {
        float[] out = new float[numel()];
        copyInto(out, 0);
        return out;
    }

    public void fill(float v) {
        if (isContiguous()) {
            Arrays.fill(data, offset, offset + numel(), v);
        } else {
            throw new IllegalStateException("fill needs a contiguous tensor");
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor").append(Arrays.toString(shape)).append(' ');
        int n = Math.min(numel(), 8);
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (i > 0) sb.append(", ");
            sb.append(getFlat(i));
        }
        if (numel() > n) sb.append(", ...");
        return sb.append(']').toString();
    }
}
