package io.bsth.model;

import io.bsth.autograd.F;
import io.bsth.autograd.Var;
import io.bsth.autograd.nn.Embedding;
import io.bsth.autograd.nn.GroupedConv1x1;
import io.bsth.autograd.nn.Linear;
import io.bsth.autograd.nn.Module;
import io.bsth.autograd.nn.TransformerEncoder;
import io.bsth.tensor.Rng;

/**
 * Stage 1 of BSTH, Label Prototype Learning (docs/ALGORITHM.md, section 1): class embeddings (C+1, k) with padding row 0,
 * rows 1..C taken as a sequence of C tokens, one transformer encoder layer (d_model k, 1 head,
 * feed-forward k, GELU, dropout) and a final LayerNorm, then a per-class hash layer (a grouped 1x1
 * convolution with C groups, k -> k per class) and tanh: the prototypes P (C, k). For labels L (n, C):
 * code = L P (n, k) and pred = classify(code) (n, C).
 */
public final class LabelPrototypeNet extends Module {
    /** P (C, k), code (n, k), pred (n, C). */
    public record Output(Var prototypes, Var code, Var pred) {}

    public final int classes, nbit;
    public final Embedding embedding;
    public final TransformerEncoder transformerEncoder;
    public final PrototypeHash hash;
    public final Linear classify;
    private final int[] classIds;

    /** The per-class hash layer: {@code hash.0}, a grouped 1x1 convolution (C*k, k, 1, 1), C groups. */
    public static final class PrototypeHash extends Module {
        public final GroupedConv1x1 conv;

        PrototypeHash(int classes, int nbit, Rng rng) {
            conv = registerModule("0", new GroupedConv1x1(classes, nbit, nbit, true, rng));
        }
    }

    public LabelPrototypeNet(int classes, int nbit, float dropout, Rng rng) {
        this.classes = classes;
        this.nbit = nbit;
        embedding = registerModule("embedding", new Embedding(classes + 1, nbit, 0, rng));
        transformerEncoder = registerModule("transformerEncoder", new TransformerEncoder(1, nbit, 1, nbit, dropout, true, true, rng));
        hash = registerModule("hash", new PrototypeHash(classes, nbit, rng));
        classify = registerModule("classify", new Linear(nbit, classes, rng));
        classIds = new int[classes];
        for (int c = 0; c < classes; c++) classIds[c] = c + 1;
    }

    /** P (C, k) = tanh(hash(LN(Encoder(E[1..C])))). */
    public Var prototypes() {
        Var tokens = F.reshape(embedding.forward(classIds), 1, classes, nbit);    // one sequence of C tokens
        Var refined = transformerEncoder.forward(tokens);                          // (1, C, k)
        Var p = hash.conv.forward(F.reshape(refined, 1, classes * nbit));          // (1, C*k)
        return F.reshape(F.tanh(p), classes, nbit);
    }

    /** labels (n, C) -> P, code = L P, pred = classify(code). */
    public Output forward(Var labels) {
        Var p = prototypes();
        Var code = F.matmul(labels, p);
        return new Output(p, code, classify.forward(code));
    }
}
