package io.bsth.autograd.nn;

import io.bsth.autograd.F;
import io.bsth.autograd.Var;
import io.bsth.tensor.Rng;

import java.util.Arrays;

/**
 * Conv2d(G*in, G*out, kernel_size=1, groups=G) on (n, G*in, 1, 1) inputs, here on (n, G*in): G
 * independent Linear(in, out) maps, group g reading channels [g*in, (g+1)*in) and writing
 * [g*out, (g+1)*out). State as PyTorch's Conv2d: {@code weight} (G*out, in, 1, 1) kaiming-uniform
 * (fan_in = in), {@code bias} (G*out) U(+-1/sqrt(in)).
 */
public final class GroupedConv1x1 extends Module {
    public final int groups, in, out;
    public final Var weight, bias;

    public GroupedConv1x1(int groups, int in, int out, boolean bias, Rng rng) {
        this.groups = groups;
        this.in = in;
        this.out = out;
        this.weight = registerParameter("weight", Init.kaimingUniform(rng, in, groups * out, in, 1, 1));
        this.bias = bias ? registerParameter("bias", Init.biasUniform(rng, in, groups * out)) : null;
    }

    /** x (n, G*in) -> (n, G*out). */
    public Var forward(Var x) {
        if (x.dim() != 2 || x.size(1) != groups * in) {
            throw new IllegalArgumentException("GroupedConv1x1(" + groups + " groups, " + in + " -> " + out + "): expected input (n, "
                    + groups * in + "), got " + Arrays.toString(x.shape()));
        }
        return F.groupedLinear(x, weight, bias, groups);
    }
}
