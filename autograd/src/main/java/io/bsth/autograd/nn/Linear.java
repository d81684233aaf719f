package io.bsth.autograd.nn;

import io.bsth.autograd.F;
import io.bsth.autograd.Var;
import io.bsth.tensor.Rng;

/** y = x W^T + b; x (..., in) -> (..., out). State: {@code weight} (out, in), {@code bias} (out). */
public final class Linear extends Module {
    public final int in, out;
    public final Var weight, bias;

    public Linear(int in, int out, Rng rng) {
        this(in, out, true, rng);
    }

    /** PyTorch's default initialisation: weight kaiming_uniform(a = sqrt 5), bias U(+-1/sqrt(in)). */
    public Linear(int in, int out, boolean bias, Rng rng) {
        this.in = in;
        this.out = out;
        this.weight = registerParameter("weight", Init.kaimingUniform(rng, in, out, in));
        this.bias = bias ? registerParameter("bias", Init.biasUniform(rng, in, out)) : null;
    }

    public Var forward(Var x) {
        return F.linear(x, weight, bias);
    }
}
