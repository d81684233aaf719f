package io.bsth.data;

import io.bsth.tensor.Tensor;

/**
 * One part of a multi-modal data set: n items, each with an image feature vector, a text feature
 * vector and a multi-hot label vector. image (n, d_I), text (n, d_T), labels (n, C), all contiguous.
 */
public record Split(String name, Tensor image, Tensor text, Tensor labels) {
    public int size() {
        return image.size(0);
    }

    public int imageDim() {
        return image.size(1);
    }

    public int textDim() {
        return text.size(1);
    }

    public int classes() {
        return labels.size(1);
    }

    /** Rows {@code idx} of every view, copied into a new split. */
    public Split rows(String newName, int[] idx) {
        return new Split(newName, gather(image, idx), gather(text, idx), gather(labels, idx));
    }

    /** Rows {@code idx} of a contiguous (n, d) matrix, as a new (idx.length, d) tensor. */
    public static Tensor gatherRows(Tensor m, int[] idx) {
        return gather(m, idx);
    }

    static Tensor gather(Tensor m, int[] idx) {
        int cols = m.size(1);
        float[] src = m.data();
        float[] out = new float[idx.length * cols];
        for (int r = 0; r < idx.length; r++) {
            System.arraycopy(src, m.offset() + idx[r] * cols, out, r * cols, cols);
        }
        return Tensor.of(out, idx.length, cols);
    }
}
