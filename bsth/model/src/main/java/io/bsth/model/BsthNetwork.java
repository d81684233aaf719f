package io.bsth.model;

import io.bsth.autograd.F;
import io.bsth.autograd.StepBuffers;
import io.bsth.autograd.Var;
import io.bsth.autograd.nn.Linear;
import io.bsth.autograd.nn.Module;
import io.bsth.autograd.nn.PositionalEncoding;
import io.bsth.autograd.nn.TransformerEncoder;
import io.bsth.tensor.Rng;

/**
 * Stage 2 of BSTH, the Bit-aware Semantic Transformer (docs/ALGORITHM.md, Eq. 1-8), with the authors' module
 * names so that {@link #stateDict()} is their PyTorch state_dict:
 * <pre>
 *   imageMLP / textMLP                     Eq. 1  f = MLP(x)                      (n, 128)
 *   imageConcept / textConcept             Eq. 2  C = DeLayer(f), k concept tokens (n, k, 128)
 *   imagePosEncoder / textPosEncoder              C + PE, dropout
 *   imageTransformerEncoder / textTransf.. Eq. 3  C~ = TransformerEncoder(C)       (n, k, 128)
 *   (fusion)                               Eq. 4  C~f = C~(I) + C~(T)
 *   hash                                   Eq. 6  h_j = H_j(c~f_j), j = 1..k        (n, k)
 *   classify                               Eq. 8  pred = FC(h)                     (n, C)
 * </pre>
 * 128 is the concept width d_c ({@link ModelConfig#conceptDim()}, the authors' 128 by default).
 * The code is b = sign(h) (Eq. 7). Tokens are kept batch-major (n, k, 128); PyTorch's encoder sees
 * them as (k, n, 128), which is the same computation per item.
 */
public final class BsthNetwork extends Module {
    /** The network's two outputs: h (n, k) in (-1, 1) and the label logits pred (n, C). */
    public record Output(Var h, Var pred) {}

    public final ModelConfig config;
    public final ConceptMlp imageMLP, textMLP;
    public final Linear imageConcept, textConcept;
    public final PositionalEncoding imagePosEncoder, textPosEncoder;
    public final TransformerEncoder imageTransformerEncoder, textTransformerEncoder;
    public final BitwiseHash hash;
    public final Linear classify;

    /** Initialised as PyTorch initialises the authors' module, from {@code rng} in registration order. */
    public BsthNetwork(ModelConfig c, Rng rng) {
        this.config = c;
        int dc = c.conceptDim();
        imageMLP = registerModule("imageMLP", new ConceptMlp(c.imageDim(), ModelConfig.IMAGE_HIDDEN, dc, rng));
        textMLP = registerModule("textMLP", new ConceptMlp(c.textDim(), ModelConfig.TEXT_HIDDEN, dc, rng));
        imageConcept = registerModule("imageConcept", new Linear(dc, dc * c.nbit(), rng));
        textConcept = registerModule("textConcept", new Linear(dc, dc * c.nbit(), rng));
        imagePosEncoder = registerModule("imagePosEncoder", new PositionalEncoding(dc, c.dropout(), ModelConfig.MAX_LEN, true));
        textPosEncoder = registerModule("textPosEncoder", new PositionalEncoding(dc, c.dropout(), ModelConfig.MAX_LEN, true));
        imageTransformerEncoder = registerModule("imageTransformerEncoder",
                new TransformerEncoder(c.layers(), dc, c.nhead(), c.feedForward(), c.dropout(), true, true, rng));
        textTransformerEncoder = registerModule("textTransformerEncoder",
                new TransformerEncoder(c.layers(), dc, c.nhead(), c.feedForward(), c.dropout(), true, true, rng));
        hash = registerModule("hash", new BitwiseHash(c.nbit(), dc, c.hashHidden(), rng));
        classify = registerModule("classify", new Linear(c.nbit(), c.classes(), rng));
    }

    /** Eq. 2, feature decoupling: f (n, d_c) -> k coarse concept tokens (n, k, d_c). */
    Var decouple(Var f, Linear concept) {
        return F.reshape(concept.forward(f), f.size(0), config.nbit(), config.conceptDim());
    }

    /** One modality, Eq. 1-3: x (n, d) -> refined concept tokens (n, k, 128). */
    Var concepts(Var x, ConceptMlp mlp, Linear concept, PositionalEncoding pos, TransformerEncoder encoder) {
        try (var s = StepBuffers.scope()) {
            Var f = mlp.forward(x);                     // Eq. 1  (n, 128)
            Var c = decouple(f, concept);               // Eq. 2  (n, k, 128)
            // the concept tokens are read by nothing else (the concept layer's backward reads f): the
            // positional encoding is written over them
            return s.keep(encoder.forward(pos.forward(c, true)));   // Eq. 3  (n, k, 128)
        }
    }

    /**
     * Eq. 4, fusion: the modalities' token sequences summed token by token, written over the image's
     * (the encoder's final LayerNorm output, which nothing else reads).
     */
    static Var fuse(Var imageConcepts, Var textConcepts) {
        return F.addInPlace(imageConcepts, textConcepts);
    }

    /**
     * image (n, d_I), text (n, d_T) -> h (n, k), pred (n, C). Either modality may be {@code null} (an
     * item with only an image or only text): the fused tokens are then that branch's tokens alone, the
     * sum of Eq. 4 without the missing term.
     */
    public Output forward(Var image, Var text) {
        if (image == null && text == null) throw new IllegalArgumentException("image and text: expected at least one of them");
        if (image != null && text != null && image.size(0) != text.size(0)) {
            throw new IllegalArgumentException("image has " + image.size(0) + " rows, text " + text.size(0));
        }
        Var ci = image == null ? null : concepts(image, imageMLP, imageConcept, imagePosEncoder, imageTransformerEncoder);
        Var ct = text == null ? null : concepts(text, textMLP, textConcept, textPosEncoder, textTransformerEncoder);
        Var fused = ci == null ? ct : ct == null ? ci : fuse(ci, ct);                 // Eq. 4
        Var h = hash.forward(fused);                                                  // Eq. 6
        return new Output(h, classify.forward(h));                                    // Eq. 8
    }
}
