package io.bsth.model;

import io.bsth.autograd.Grad;
import io.bsth.autograd.StepBuffers;
import io.bsth.autograd.Var;
import io.bsth.autograd.nn.Module;
import io.bsth.tensor.Tensor;

/**
 * Encoding items to hash outputs for retrieval (docs/ALGORITHM.md, section 3): the network in eval mode
 * (dropout off, batch norm on running statistics), no graph, in batches; returns h (n, k) before sign.
 * Eval-mode outputs depend on the batch size only through float rounding, so it bounds memory.
 *
 * <p>Eval mode is scoped to the call ({@link Module#inEvalMode}): the network's train/eval flag is
 * never changed, so one network may be encoded from many threads at once (each call has its own
 * activations), and a network in training mode stays in training mode.
 *
 * <p>Each batch runs as one step of a {@link StepBuffers} pool: the modules' scopes hand an array back
 * as soon as the pass is done with it, so the pool holds the live peak of one batch's activations,
 * and every batch after the first of its size takes the same arrays again instead of allocating.
 * Called inside an open step (of the caller's pool), batches draw from that one.
 */
public final class CodeEncoder {
    public static final int DEFAULT_BATCH = 1024;

    private CodeEncoder() {}

    /**
     * image (n, d_I), text (n, d_T) -> h (n, k), row-major. Either may be {@code null} for items that
     * have only the other modality (see {@link BsthNetwork#forward}).
     */
    public static float[] encode(BsthNetwork net, Tensor image, Tensor text, int batch) {
        return encode(net, image, text, batch, new StepBuffers());
    }

    /**
     * As {@link #encode(BsthNetwork, Tensor, Tensor, int)}, drawing the activations from {@code pool}
     * (one step per batch), so that a caller encoding chunk after chunk reuses one pool.
     */
    public static float[] encode(BsthNetwork net, Tensor image, Tensor text, int batch, StepBuffers pool) {
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
        float[][] in = new float[2][];
        Module.inEvalMode(() -> {
            try (var ng = Grad.noGrad()) {
                for (int s = 0; s < n; s += batch) {
                    int len = Math.min(batch, n - s);
                    Var x = image == null ? null : rows(image, s, len, in, 0);
                    Var y = text == null ? null : rows(text, s, len, in, 1);
                    try (var step = StepBuffers.stepOpen() ? null : pool.step()) {  // null: the caller's open step
                        System.arraycopy(net.forward(x, y).h().data(), 0, h, s * k, len * k);
                    }
                }
            }
            return null;
        });
        return h;
    }

    /** Rows [s, s+len) of t (n, d) as a Var over in[i], which is reused while the batch size holds. */
    private static Var rows(Tensor t, int s, int len, float[][] in, int i) {
        int d = t.size(1);
        if (in[i] == null || in[i].length != len * d) in[i] = new float[len * d];
        t.narrow(0, s, len).copyInto(in[i], 0);
        return Var.of(in[i], len, d);
    }
}
