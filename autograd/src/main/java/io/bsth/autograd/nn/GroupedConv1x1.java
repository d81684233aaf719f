package io.bsth.autograd.nn;

import io.bsth.autograd.Var;
import io.bsth.tensor.kernels.Matmul;

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

    public GroupedConv1x1(int groups, int in, int out, boolean bias, io.bsth.tensor.Rng rng) {
        this.groups = groups;
        this.in = in;
        this.out = out;
        this.weight = registerParameter("weight", Init.kaimingUniform(rng, in, groups * out, in, 1, 1));
        this.bias = bias ? registerParameter("bias", Init.biasUniform(rng, in, groups * out)) : null;
    }

    /** x (n, G*in) -> (n, G*out). */
    public Var forward(Var x) {
        int G = groups, ci = G * in, co = G * out;
        if (x.dim() != 2 || x.size(1) != ci) {
            throw new IllegalArgumentException("GroupedConv1x1(" + G + " groups, " + in + " -> " + out + "): expected input (n, "
                    + ci + "), got " + Arrays.toString(x.shape()));
        }
        int n = x.size(0);
        float[] X = x.data(), W = weight.data(), Y = new float[n * co];
        // Y_g (n, out) = X_g (n, in) @ W_g^T
        Matmul.sgemmBatched(G, false, true, n, out, in, 1f, X, 0, ci, in, W, 0, in, (long) out * in, 0f, Y, 0, co, out);
        if (bias != null) {
            float[] b = bias.data();
            io.bsth.tensor.Parallel.forRange(n, Math.max(1, 8192 / co), (s, e) -> {
                for (int r = s; r < e; r++) for (int j = 0; j < co; j++) Y[r * co + j] += b[j];
            });
        }
        return Var.result("groupedConv1x1", Y, new int[] {n, co}, g -> {
            if (x.needsGrad()) {
                Matmul.sgemmBatched(G, false, false, n, in, out, 1f, g, 0, co, out, W, 0, in, (long) out * in,
                        1f, x.gradBuf(), 0, ci, in);
            }
            if (weight.needsGrad()) {
                Matmul.sgemmBatched(G, true, false, out, in, n, 1f, g, 0, co, out, X, 0, ci, in,
                        1f, weight.gradBuf(), 0, in, (long) out * in);
            }
            if (bias != null && bias.needsGrad()) {
                float[] db = bias.gradBuf();
                for (int r = 0; r < n; r++) for (int j = 0; j < co; j++) db[j] += g[r * co + j];
            }
        }, x, weight, bias);
    }
}
