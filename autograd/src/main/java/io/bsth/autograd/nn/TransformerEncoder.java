package io.bsth.autograd.nn;

import io.bsth.autograd.Var;
import io.bsth.tensor.Rng;

/**
 * torch.nn.TransformerEncoder(layer, num_layers, norm=LayerNorm(d_model)): {@code layers.{i}.*} then
 * the final {@code norm}. As PyTorch builds the stack by deep-copying one layer, every layer starts
 * from the same initial weights.
 */
public final class TransformerEncoder extends Module {
    public final ModuleList<TransformerEncoderLayer> layers;
    public final LayerNorm norm;

    /** {@code finalNorm}: whether the stack ends with LayerNorm(d_model) (state {@code norm.*}). */
    public TransformerEncoder(int numLayers, int dModel, int nhead, int dimFeedforward, float dropout,
                              boolean batchFirst, boolean finalNorm, Rng init) {
        layers = registerModule("layers", new ModuleList<>());
        TransformerEncoderLayer first = new TransformerEncoderLayer(dModel, nhead, dimFeedforward, dropout, batchFirst, init);
        layers.add(first);
        for (int i = 1; i < numLayers; i++) {
            TransformerEncoderLayer copy = new TransformerEncoderLayer(dModel, nhead, dimFeedforward, dropout, batchFirst, init);
            copy.loadStateDict(first.stateDict(), true);
            layers.add(copy);
        }
        norm = finalNorm ? registerModule("norm", new LayerNorm(dModel)) : null;
    }

    /**
     * x (T, N, E) (or (N, T, E) batch-first) -> same shape. Each layer's output, once the next layer (or
     * the final norm) has read it, is dropped ({@link Var#dropValue}) and computed again when backward
     * reads it: the graph does not hold the layers' outputs between forward and backward.
     */
    public Var forward(Var x) {
        Var in = x;
        for (TransformerEncoderLayer l : layers.items()) {
            Var y = l.forward(x);
            if (x != in) x.dropValue();
            x = y;
        }
        if (norm == null) return x;
        Var out = norm.forward(x);
        if (x != in) x.dropValue();
        return out;
    }
}
