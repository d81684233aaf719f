package io.bsth.model;

import io.bsth.autograd.F;
import io.bsth.autograd.StepBuffers;
import io.bsth.autograd.Var;
import io.bsth.autograd.nn.BatchNorm;
import io.bsth.autograd.nn.GroupedConv1x1;
import io.bsth.autograd.nn.Module;
import io.bsth.tensor.Rng;

/**
 * Eq. 6: the bit-wise hash functions. Bit j has its own two-layer head on fused token j:
 * h_j = tanh(w2_j . tanh(BN(W1_j c_j + b1_j)) + b2_j), W1_j (64, 128). The authors write the k heads as
 * two grouped 1x1 convolutions with k groups, so the state names are theirs: {@code hash.0} (k*64, 128,
 * 1, 1), {@code hash.1} BatchNorm over the k*64 channels, {@code hash.3} (k, 64, 1, 1) (2 and 4 are the
 * tanh layers, without state).
 */
public final class BitwiseHash extends Module {
    public final int nbit, width, hidden;
    public final GroupedConv1x1 first, second;
    public final BatchNorm norm;

    public BitwiseHash(int nbit, int width, int hidden, Rng rng) {
        this.nbit = nbit;
        this.width = width;
        this.hidden = hidden;
        first = registerModule("0", new GroupedConv1x1(nbit, width, hidden, true, rng));
        norm = registerModule("1", new BatchNorm(nbit * hidden));
        second = registerModule("3", new GroupedConv1x1(nbit, hidden, 1, true, rng));
    }

    /** Fused tokens (n, k, width) -> h (n, k). */
    public Var forward(Var tokens) {
        int n = tokens.size(0);
        try (var s = StepBuffers.scope()) {
            Var x = F.reshape(tokens, n, nbit * width);
            Var a = F.tanh(norm.forward(first.forward(x)));
            return s.keep(F.tanh(second.forward(a)));
        }
    }
}
