package io.bsth.autograd.nn;

import io.bsth.autograd.F;
import io.bsth.autograd.Var;
import io.bsth.tensor.Rng;
import io.bsth.tensor.Tensor;

/** Lookup table (num, dim) initialised N(0, 1) with row {@code paddingIdx} zeroed and excluded from gradients. State: {@code weight}. */
public final class Embedding extends Module {
    public final int num, dim, paddingIdx;
    public final Var weight;

    /** {@code paddingIdx} -1 for none. */
    public Embedding(int num, int dim, int paddingIdx, Rng rng) {
        if (paddingIdx < -1 || paddingIdx >= num) throw new IllegalArgumentException("padding index " + paddingIdx + " outside [0, " + num + ")");
        this.num = num;
        this.dim = dim;
        this.paddingIdx = paddingIdx;
        Tensor w = Init.normal(rng, num, dim);
        if (paddingIdx >= 0) java.util.Arrays.fill(w.data(), paddingIdx * dim, (paddingIdx + 1) * dim, 0f);
        this.weight = registerParameter("weight", w);
    }

    /** idx (n) -> (n, dim). */
    public Var forward(int[] idx) {
        return F.embedding(weight, idx, paddingIdx);
    }
}
