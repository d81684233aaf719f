package io.bsth.model;

import io.bsth.tensor.Tensor;
import io.bsth.tensor.io.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sizes of the stage-2 network (docs/ALGORITHM.md): input widths, classes, bits k, heads, encoder layers, dropout
 * and the concept width d_c. The hidden sizes are the authors': image MLP d_I -> 2048 -> d_c, text MLP
 * d_T -> 1024 -> d_c, feed-forward width d_c, d_c / 2 hidden units per bit-wise hash function. The
 * authors fix d_c = 128 (their code notes "COCO: 128 Flickr: 256" beside it); here it is a setting,
 * saved in the model file's config and read back from the tensor shapes.
 */
public record ModelConfig(int imageDim, int textDim, int classes, int nbit, int nhead, int layers, float dropout,
                          int conceptDim) {
    /** The authors' concept width d_c. */
    public static final int CONCEPT = 128;
    public static final int IMAGE_HIDDEN = 2048, TEXT_HIDDEN = 1024;
    public static final int MAX_LEN = 5000;

    public ModelConfig {
        if (imageDim < 1 || textDim < 1 || classes < 1) {
            throw new IllegalArgumentException("model: input widths and classes must be positive");
        }
        if (nbit < 1 || nbit > MAX_LEN) throw new IllegalArgumentException("--nbit: expected 1.." + MAX_LEN + ", got " + nbit);
        if (conceptDim < 2 || conceptDim % 2 != 0 || conceptDim > 4096) {
            throw new IllegalArgumentException("--concept-dim: expected an even width 2..4096, got " + conceptDim);
        }
        if (nhead < 1 || conceptDim % nhead != 0) {
            throw new IllegalArgumentException("--nhead: must divide the concept width " + conceptDim + ", got " + nhead);
        }
        if (layers < 1) throw new IllegalArgumentException("--layers: expected >= 1, got " + layers);
    }

    /** The authors' concept width 128. */
    public ModelConfig(int imageDim, int textDim, int classes, int nbit, int nhead, int layers, float dropout) {
        this(imageDim, textDim, classes, nbit, nhead, layers, dropout, CONCEPT);
    }

    /** Feed-forward width of the encoder layers: d_c. */
    public int feedForward() {
        return conceptDim;
    }

    /** Hidden units of each bit-wise hash function: d_c / 2 (64 for the authors' 128). */
    public int hashHidden() {
        return conceptDim / 2;
    }

    /** The {@code config} object of a model file's metadata. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nbit", (long) nbit);
        m.put("nhead", (long) nhead);
        m.put("layers", (long) layers);
        m.put("image_dim", (long) imageDim);
        m.put("text_dim", (long) textDim);
        m.put("classes", (long) classes);
        m.put("concept_dim", (long) conceptDim);
        m.put("dropout", (double) dropout);
        return m;
    }

    /**
     * Sizes read off a state dict's shapes (a file without metadata, e.g. the authors' own), the concept
     * width from {@code imageMLP.mlp.linear2.weight} (d_c, 2048); {@code nhead} is not visible in the
     * shapes and comes from the caller.
     */
    public static ModelConfig fromState(Map<String, Tensor> state, int nhead, String where) {
        int imageDim = shape(state, "imageMLP.mlp.linear1.weight", where)[1];
        int textDim = shape(state, "textMLP.mlp.linear1.weight", where)[1];
        int[] cls = shape(state, "classify.weight", where);
        int conceptDim = shape(state, "imageMLP.mlp.linear2.weight", where)[0];
        int layers = 0;
        while (state.containsKey("imageTransformerEncoder.layers." + layers + ".self_attn.in_proj_weight")) layers++;
        if (layers == 0) throw new IllegalArgumentException(where + ": no imageTransformerEncoder.layers.0.* tensors: not a BSTH model");
        return new ModelConfig(imageDim, textDim, cls[0], cls[1], nhead, layers, 0.5f, conceptDim);
    }

    /** Reads the metadata {@code config} (a JSON object, or a string holding one) over the shapes' sizes. */
    public static ModelConfig fromMetadata(Map<String, String> metadata, Map<String, Tensor> state, int defaultNhead, String where) {
        int nhead = defaultNhead;
        float dropout = 0.5f;
        String cfg = metadata == null ? null : metadata.get("config");
        if (cfg != null) {
            Map<String, Object> m;
            try {
                m = Json.parseObject(cfg);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(where + ": metadata 'config' is not a JSON object: " + e.getMessage());
            }
            if (m.get("nhead") instanceof Number n) nhead = n.intValue();
            if (m.get("dropout") instanceof Number d) dropout = d.floatValue();
        }
        ModelConfig s = fromState(state, nhead, where);
        return new ModelConfig(s.imageDim, s.textDim, s.classes, s.nbit, nhead, s.layers, dropout, s.conceptDim);
    }

    private static int[] shape(Map<String, Tensor> state, String key, String where) {
        Tensor t = state.get(key);
        if (t == null) throw new IllegalArgumentException(where + ": tensor '" + key + "' missing: not a BSTH model");
        if (t.dim() != 2) throw new IllegalArgumentException(where + ": tensor '" + key + "' is not 2-D");
        return t.shape();
    }
}
