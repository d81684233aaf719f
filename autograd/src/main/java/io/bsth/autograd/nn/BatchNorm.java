package io.bsth.autograd.nn;

import io.bsth.autograd.F;
import io.bsth.autograd.Var;
import io.bsth.tensor.Tensor;

import java.util.Arrays;

/**
 * BatchNorm over the rows of x (N, C): PyTorch's BatchNorm1d on (N, C), and BatchNorm2d on
 * (N, C, 1, 1) inputs flattened to (N, C) (same state names and shapes). Training: normalise with the
 * batch mean and biased variance, then update {@code running_mean = (1 - m) running_mean + m mean},
 * {@code running_var = (1 - m) running_var + m var * N / (N - 1)} and {@code num_batches_tracked += 1}.
 * Eval: normalise with the running statistics. State: {@code weight} = 1, {@code bias} = 0,
 * {@code running_mean} = 0, {@code running_var} = 1 (C), {@code num_batches_tracked} (int64 scalar).
 */
public final class BatchNorm extends Module {
    public final int C;
    public final float eps, momentum;
    public final Var weight, bias;
    public final Tensor runningMean, runningVar, numBatchesTracked;

    public BatchNorm(int C) {
        this(C, 1e-5f, 0.1f);
    }

    public BatchNorm(int C, float eps, float momentum) {
        this.C = C;
        this.eps = eps;
        this.momentum = momentum;
        this.weight = registerParameter("weight", Tensor.full(1f, C));
        this.bias = registerParameter("bias", Tensor.zeros(C));
        this.runningMean = registerBuffer("running_mean", Tensor.zeros(C), false);
        this.runningVar = registerBuffer("running_var", Tensor.full(1f, C), false);
        this.numBatchesTracked = registerBuffer("num_batches_tracked", Tensor.scalar(0f), true);
    }

    /** x (N, C) -> (N, C). */
    public Var forward(Var x) {
        if (x.dim() != 2 || x.size(1) != C) {
            throw new IllegalArgumentException("BatchNorm(" + C + "): expected input (N, " + C + "), got " + Arrays.toString(x.shape()));
        }
        Var y = F.batchNorm(x, runningMean, runningVar, weight, bias, isTraining(), momentum, eps);
        if (isTraining()) numBatchesTracked.data()[0] += 1f;
        return y;
    }
}
