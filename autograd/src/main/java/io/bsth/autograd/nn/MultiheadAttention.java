package io.bsth.autograd.nn;

import io.bsth.autograd.F;
import io.bsth.autograd.StepBuffers;
import io.bsth.autograd.Var;
import io.bsth.tensor.Rng;

import java.util.Arrays;

/**
 * Self-attention as torch.nn.MultiheadAttention(E, H, dropout) called with query = key = value = x and
 * need_weights=False: fused in-projection [Wq; Wk; Wv] x + b, per head softmax(q k^T / sqrt(E/H)),
 * dropout on the attention weights in training, weighted sum of v, out-projection.
 * State: {@code in_proj_weight} (3E, E) xavier-uniform, {@code in_proj_bias} (3E) zero,
 * {@code out_proj.weight} (E, E) kaiming-uniform, {@code out_proj.bias} (E) zero.
 * Input (T, N, E) sequence first (PyTorch's default), or (N, T, E) with {@code batchFirst}.
 */
public final class MultiheadAttention extends Module {
    public final int E, H;
    public final float dropout;
    public final boolean batchFirst;
    public final Var inProjWeight, inProjBias;
    public final Linear outProj;
    private Rng rng = new Rng(0xA77EL);

    public MultiheadAttention(int E, int H, float dropout, boolean batchFirst, Rng init) {
        if (H <= 0 || E % H != 0) throw new IllegalArgumentException("MultiheadAttention: embed_dim " + E + " must be divisible by num_heads " + H);
        this.E = E;
        this.H = H;
        this.dropout = dropout;
        this.batchFirst = batchFirst;
        this.inProjWeight = registerParameter("in_proj_weight", Init.xavierUniform(init, 3 * E, E));
        this.inProjBias = registerParameter("in_proj_bias", io.bsth.tensor.Tensor.zeros(3 * E));
        this.outProj = registerModule("out_proj", new Linear(E, E, init));
        java.util.Arrays.fill(outProj.bias.data(), 0f);
    }

    @Override
    protected void onSeed(Rng r) {
        rng = r.split();
    }

    /** x (T, N, E) or (N, T, E) -> same shape. */
    public Var forward(Var x) {
        if (x.dim() != 3 || x.size(2) != E) {
            throw new IllegalArgumentException("MultiheadAttention(" + E + "): expected a 3-D input of width " + E + ", got " + Arrays.toString(x.shape()));
        }
        try (var s = StepBuffers.scope()) {
            Var qkv = F.linear(x, inProjWeight, inProjBias);
            // out_proj(attention) as one op: the attention output is computed again in backward, not stored;
            // qkv is read by nothing else, so its gradient is written over it
            return s.keep(F.selfAttentionLinear(qkv, H, batchFirst, dropout, isTraining() ? rng : null, outProj.weight, outProj.bias, true));
        }
    }
}
