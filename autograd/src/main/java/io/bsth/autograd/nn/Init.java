package io.bsth.autograd.nn;

import io.bsth.tensor.Rng;
import io.bsth.tensor.Tensor;

/** PyTorch's default initialisations (torch.nn.init), drawn from {@link Rng}. */
public final class Init {
    private Init() {}

    /** U(-bound, bound). */
    public static Tensor uniform(Rng rng, float bound, int... shape) {
        Tensor t = Tensor.zeros(shape);
        rng.fillUniform(t.data(), 0, t.numel(), -bound, bound);
        return t;
    }

    /**
     * kaiming_uniform_(a = sqrt 5) of a weight with {@code fanIn} inputs per output: gain sqrt(2/(1+a^2)) =
     * sqrt(1/3), bound = gain * sqrt(3 / fanIn) = 1 / sqrt(fanIn) (Linear and Conv weights).
     */
    public static Tensor kaimingUniform(Rng rng, int fanIn, int... shape) {
        return uniform(rng, (float) (1 / Math.sqrt(fanIn)), shape);
    }

    /** The default bias: U(+-1/sqrt(fanIn)). */
    public static Tensor biasUniform(Rng rng, int fanIn, int... shape) {
        return uniform(rng, fanIn > 0 ? (float) (1 / Math.sqrt(fanIn)) : 0f, shape);
    }

    /** xavier_uniform_ (gain 1) of a 2-D (fanOut, fanIn) weight: bound sqrt(6 / (fanIn + fanOut)). */
    public static Tensor xavierUniform(Rng rng, int fanOut, int fanIn) {
        return uniform(rng, (float) Math.sqrt(6.0 / (fanIn + fanOut)), fanOut, fanIn);
    }

    /** N(0, 1). */
    public static Tensor normal(Rng rng, int... shape) {
        Tensor t = Tensor.zeros(shape);
        rng.fillNormal(t.data(), 0, t.numel(), 0f, 1f);
        return t;
    }
}
