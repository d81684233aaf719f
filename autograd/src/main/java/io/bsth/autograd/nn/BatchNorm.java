package io.bsth.autograd.nn;

import io.bsth.autograd.Var;
import io.bsth.tensor.Tensor;
import io.bsth.tensor.kernels.Norm;

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
        int N = x.size(0);
        float[] X = x.data(), Y = new float[X.length];
        float[] mean = new float[C], rstd = new float[C];
        boolean batch = isTraining();
        if (batch) {
            if (N < 2) throw new IllegalArgumentException("BatchNorm(" + C + "): expected more than 1 value per channel when training, got input " + Arrays.toString(x.shape()));
            float[] var = new float[C];
            Norm.batchStats(X, N, C, mean, var);
            float[] rm = runningMean.data(), rv = runningVar.data();
            for (int j = 0; j < C; j++) {
                rstd[j] = (float) (1 / Math.sqrt(var[j] + eps));
                rm[j] = (1 - momentum) * rm[j] + momentum * mean[j];
                rv[j] = (1 - momentum) * rv[j] + momentum * (float) ((double) var[j] * N / (N - 1));
            }
            numBatchesTracked.data()[0] += 1f;
        } else {
            float[] rm = runningMean.data(), rv = runningVar.data();
            for (int j = 0; j < C; j++) {
                mean[j] = rm[j];
                rstd[j] = (float) (1 / Math.sqrt(rv[j] + eps));
            }
        }
        float[] W = weight.data(), B = bias.data();
        Norm.batchNormForward(X, mean, rstd, W, B, Y, N, C);
        return Var.result("batchNorm", Y, x.shape(), g -> Norm.batchNormBackward(g, X, mean, rstd, W,
                x.needsGrad() ? x.gradBuf() : null, weight.needsGrad() ? weight.gradBuf() : null,
                bias.needsGrad() ? bias.gradBuf() : null, N, C, batch), x, weight, bias);
    }
}
