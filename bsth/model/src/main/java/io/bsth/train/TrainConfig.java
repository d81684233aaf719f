package io.bsth.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every setting of a BSTH training run; the defaults are the authors' (docs/ALGORITHM.md): 64 bits, Adam lr 1e-3,
 * batch 1024, 100 stage-1 epochs, 140 stage-2 epochs (their MIR-Flickr script), dropout 0.5, one head,
 * two encoder layers, sign-loss weight 0.01, seed 2021, concept width 128. {@code dropout} is stage 2's;
 * stage 1 always uses {@link #STAGE1_DROPOUT}.
 */
public record TrainConfig(int nbit, int epochs, int epochsPre, int batch, float lr, long seed, int nhead, int layers,
                          float dropout, float signWeight, int conceptDim) {
    public static final TrainConfig DEFAULT = new TrainConfig(64, 140, 100, 1024, 1e-3f, 2021, 1, 2, 0.5f, 0.01f);

    /** Stage 1 always trains with dropout 0.5, as the authors' code does, whatever {@code dropout} says. */
    public static final float STAGE1_DROPOUT = 0.5f;

    /** The authors' concept width 128. */
    public TrainConfig(int nbit, int epochs, int epochsPre, int batch, float lr, long seed, int nhead, int layers,
                       float dropout, float signWeight) {
        this(nbit, epochs, epochsPre, batch, lr, seed, nhead, layers, dropout, signWeight, 128);
    }

    public TrainConfig {
        if (nbit < 1) throw new IllegalArgumentException("--nbit: expected a positive number of bits, got " + nbit);
        if (epochs < 0) throw new IllegalArgumentException("--epochs: expected >= 0, got " + epochs);
        if (epochsPre < 0) throw new IllegalArgumentException("--epochs-pre: expected >= 0, got " + epochsPre);
        if (batch < 2) throw new IllegalArgumentException("--batch: expected >= 2 (batch norm needs two items), got " + batch);
        if (!(lr > 0) || !Float.isFinite(lr)) throw new IllegalArgumentException("--lr: expected a positive number, got " + lr);
        if (conceptDim < 2 || conceptDim % 2 != 0 || conceptDim > 4096) {
            throw new IllegalArgumentException("--concept-dim: expected an even width 2..4096, got " + conceptDim);
        }
        if (nhead < 1 || conceptDim % nhead != 0) {
            throw new IllegalArgumentException("--nhead: must divide the concept width " + conceptDim + ", got " + nhead);
        }
        if (layers < 1) throw new IllegalArgumentException("--layers: expected >= 1, got " + layers);
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("--dropout: expected [0, 1), got " + dropout);
        if (!(signWeight >= 0)) throw new IllegalArgumentException("--sign-weight: expected >= 0, got " + signWeight);
    }

    /** The settings as a JSON-ready map (reports, checkpoints, model metadata). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nbit", (long) nbit);
        m.put("epochs", (long) epochs);
        m.put("epochs_pre", (long) epochsPre);
        m.put("batch", (long) batch);
        m.put("lr", (double) lr);
        m.put("seed", seed);
        m.put("nhead", (long) nhead);
        m.put("layers", (long) layers);
        m.put("dropout", (double) dropout);
        m.put("sign_weight", (double) signWeight);
        m.put("concept_dim", (long) conceptDim);
        return m;
    }
}
