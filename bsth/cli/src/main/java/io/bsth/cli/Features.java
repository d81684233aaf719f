package io.bsth.cli;

import io.bsth.model.BsthNetwork;
import io.bsth.model.CodeEncoder;
import io.bsth.retrieval.PackedCodes;
import io.bsth.tensor.Tensor;

/** Feature checks and encoding shared by {@code index} and {@code serve}. */
final class Features {
    private Features() {}

    /** Fails on the first NaN or infinity: {@code what} names the file or field, rows counted from {@code rowOffset}. */
    static void checkFinite(String what, float[] d, int cols, long rowOffset) {
        for (int i = 0; i < d.length; i++) {
            if (!Float.isFinite(d[i])) {
                throw new IllegalArgumentException(what + ": " + d[i] + " at row " + (rowOffset + i / cols) + ", column " + (i % cols)
                        + " (expected a finite number)");
            }
        }
    }

    /**
     * Codes of {@code n} items: image (n x d_I) and text (n x d_T) row-major, either {@code null} when
     * the items have only the other modality. One encode at a time per network (the network's
     * train/eval flag is shared state).
     */
    static PackedCodes encode(BsthNetwork net, float[] image, float[] text, int n) {
        float[] h;
        synchronized (net) {
            h = CodeEncoder.encode(net, image == null ? null : Tensor.of(image, n, net.config.imageDim()),
                    text == null ? null : Tensor.of(text, n, net.config.textDim()), CodeEncoder.DEFAULT_BATCH);
        }
        return PackedCodes.fromSigns(h, n, net.config.nbit());
    }
}
