package io.bsth.model;

import io.bsth.autograd.Grad;
import io.bsth.autograd.Var;
import io.bsth.autograd.nn.Module;
import io.bsth.tensor.Tensor;

/**
 * Encoding items to hash outputs for retrieval (docs/ALGORITHM.md, section 3): the network in eval mode
 * (dropout off, batch norm on running statistics), no graph, in batches; returns h (n, k) before sign.
 * Eval-mode outputs depend on the batch size only through float rounding, so it bounds memory.
 *
 * <p>Eval mode is scoped to the call ({@link Module#inEvalMode}): the network's train/eval flag is
 * never changed, so one network may be encoded from many threads at once (each call allocates its
 * own activations), and a network in training mode stays in training mode.
 */
public final class CodeEncoder {
    public static final int DEFAULT_BATCH = 1024;

    private CodeEncoder() {}

    /**
     * image (n, d_I), text (n, d_T) -> h (n, k), row-major. Either may be {@code null} for items that
     * have only the other modality (see {@link BsthNetwork#forward}).
     */
    public static float[] encode(BsthNetwork net, Tensor image, Tensor text, int batch) {
        if (image == null && text == null) throw new IllegalArgumentException("image and text: expected at least one of them");
        int n = image != null ? image.size(0) : text.size(0), k = net.config.nbit();
        if (image != null && text != null && text.size(0) != n) throw new IllegalArgumentException("image has " + n + " rows, text " + text.size(0));
        if (image != null && image.size(1) != net.config.imageDim()) {
            throw new IllegalArgumentException("image features are " + image.size(1) + "-d, the model expects " + net.config.imageDim());
        }
        if (text != null && text.size(1) != net.config.textDim()) {
            throw new IllegalArgumentException("text features are " + text.size(1) + "-d, the model expects " + net.config.textDim());
        }
        if (batch < 1) throw new IllegalArgumentException("batch: expected a positive size, got " + batch);
        float[] h = new float[n * k];
        Module.inEvalMode(() -> {
            try (var ng = Grad.noGrad()) {
                for (int s = 0; s < n; s += batch) {
                    int len = Math.min(batch, n - s);
                    Var x = image == null ? null : Var.of(image.narrow(0, s, len).contiguous());
                    Var y = text == null ? null : Var.of(text.narrow(0, s, len).contiguous());
                    System.arraycopy(net.forward(x, y).h().data(), 0, h, s * k, len * k);
                }
            }
            return null;
        });
        return h;
    }
}
