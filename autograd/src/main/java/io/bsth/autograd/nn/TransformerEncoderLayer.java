package io.bsth.autograd.nn;

import io.bsth.autograd.F;
import io.bsth.autograd.StepBuffers;
import io.bsth.autograd.Var;
import io.bsth.tensor.Rng;

/**
 * torch.nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout, activation="gelu"),
 * post-norm (norm_first=False):
 * {@code x = norm1(x + dropout1(self_attn(x)))}, {@code x = norm2(x + dropout2(linear2(dropout(gelu(linear1(x))))))};
 * the attention weights get dropout inside self_attn. State names as PyTorch:
 * {@code self_attn.*, linear1.*, linear2.*, norm1.*, norm2.*}.
 */
public final class TransformerEncoderLayer extends Module {
    public final MultiheadAttention selfAttn;
    public final Linear linear1, linear2;
    public final LayerNorm norm1, norm2;
    public final Dropout dropout, dropout1, dropout2;

    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward, float dropoutP, boolean batchFirst, Rng init) {
        selfAttn = registerModule("self_attn", new MultiheadAttention(dModel, nhead, dropoutP, batchFirst, init));
        linear1 = registerModule("linear1", new Linear(dModel, dimFeedforward, init));
        dropout = registerModule("dropout", new Dropout(dropoutP));
        linear2 = registerModule("linear2", new Linear(dimFeedforward, dModel, init));
        norm1 = registerModule("norm1", new LayerNorm(dModel));
        norm2 = registerModule("norm2", new LayerNorm(dModel));
        dropout1 = registerModule("dropout1", new Dropout(dropoutP));
        dropout2 = registerModule("dropout2", new Dropout(dropoutP));
    }

    /**
     * x (T, N, E) (or (N, T, E) when built batch-first) -> same shape. In backward the layer reads x
     * again only in the in-projection's weight gradient, through {@link Var#data()}, and its output can
     * be computed again from what its last residual LayerNorm stores: a caller that reads the output
     * no more in forward may drop it ({@link Var#dropValue}), as {@link TransformerEncoder} does.
     */
    public Var forward(Var x) {
        Var h, y;
        try (var s = StepBuffers.scope()) {
            h = s.keep(residual(x, selfAttn.forward(x), dropout1, norm1));
        }
        try (var s = StepBuffers.scope()) {
            // linear2(dropout(gelu(.))) as one op: what linear2 reads is computed again in backward, not stored
            Var f = F.geluDropoutLinear(linear1.forward(h), dropout.p, dropout.isTraining(), dropout.rng(), linear2.weight, linear2.bias);
            y = s.keep(residual(h, f, dropout2, norm2));
        }
        // h is read again only in linear1's weight gradient: until then it need not be held
        h.dropValue();
        return y;
    }

    /**
     * norm(x + dropout(branch)) as one op ({@link F#residualLayerNorm}): the dropped branch is not stored,
     * the sum is stored over the branch (which nothing else reads: the attention's and the feed-forward's
     * out-projections), so backward reads neither x nor the branch and the output can be dropped.
     */
    private static Var residual(Var x, Var branch, Dropout dropout, LayerNorm norm) {
        return F.residualLayerNorm(x, branch, dropout.p, dropout.isTraining(), dropout.rng(), norm.weight, norm.bias, norm.eps, true);
    }
}
