package io.bsth.autograd.nn;

import io.bsth.autograd.F;
import io.bsth.autograd.Var;
import io.bsth.tensor.Tensor;

/** LayerNorm over the last dim (width C), eps 1e-5 by default. State: {@code weight} = 1, {@code bias} = 0 (C). */
public final class LayerNorm extends Module {
    public final Var weight, bias;
    public final float eps;

    public LayerNorm(int C) {
        this(C, 1e-5f);
    }

    public LayerNorm(int C, float eps) {
        this.eps = eps;
        this.weight = registerParameter("weight", Tensor.full(1f, C));
        this.bias = registerParameter("bias", Tensor.zeros(C));
    }

    public Var forward(Var x) {
        return F.layerNorm(x, weight, bias, eps);
    }
}
