package io.bsth.autograd.optim;

import io.bsth.autograd.Var;
import io.bsth.tensor.Parallel;
import io.bsth.tensor.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * torch.optim.Adam (1.13, amsgrad off, weight_decay 0), per parameter with gradient g at step t:
 * <pre>
 *   m = beta1 m + (1 - beta1) g;   v = beta2 v + (1 - beta2) g^2
 *   step_size = lr / (1 - beta1^t);   denom = sqrt(v) / sqrt(1 - beta2^t) + eps
 *   p -= step_size * m / denom
 * </pre>
 * Parameters without a gradient are skipped (their step count does not advance), as PyTorch.
 * State names: {@code NAME.exp_avg}, {@code NAME.exp_avg_sq}, {@code NAME.step}.
 */
public final class Adam {
    private final Map<String, Var> params;
    private final Map<String, float[]> m = new LinkedHashMap<>(), v = new LinkedHashMap<>();
    private final Map<String, long[]> steps = new LinkedHashMap<>();
    private double lr;
    private final double beta1, beta2, eps;

    public Adam(Map<String, Var> namedParams, double lr) {
        this(namedParams, lr, 0.9, 0.999, 1e-8);
    }

    /** Hyper-parameters in double, as PyTorch's Python floats (cast to float where its kernels do). */
    public Adam(Map<String, Var> namedParams, double lr, double beta1, double beta2, double eps) {
        if (!(lr >= 0)) throw new IllegalArgumentException("Adam: invalid learning rate " + lr);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Adam: betas must lie in [0, 1): " + beta1 + ", " + beta2);
        }
        this.params = new LinkedHashMap<>(namedParams);
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        for (var e : params.entrySet()) {
            m.put(e.getKey(), new float[e.getValue().numel()]);
            v.put(e.getKey(), new float[e.getValue().numel()]);
            steps.put(e.getKey(), new long[1]);
        }
    }

    public double lr() { return lr; }
    public void setLr(double lr) { this.lr = lr; }

    /** One update of every parameter that has a gradient. */
    public void step() {
        for (var e : params.entrySet()) {
            Var p = e.getValue();
            float[] g = p.grad();
            if (g == null) continue;
            long t = ++steps.get(e.getKey())[0];
            float[] mm = m.get(e.getKey()), vv = v.get(e.getKey()), w = p.data();
            double bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
            float stepSize = (float) (lr / bc1);
            float bc2Sqrt = (float) Math.sqrt(bc2);
            float b1 = (float) beta1, b2 = (float) beta2, a1 = (float) (1 - beta1), a2 = (float) (1 - beta2), ep = (float) eps;
            Parallel.forRange(w.length, Parallel.GRAIN_HEAVY, (s, end) -> {
                for (int i = s; i < end; i++) {
                    float gi = g[i];
                    float mi = mm[i] * b1 + a1 * gi;
                    float vi = vv[i] * b2 + a2 * gi * gi;
                    mm[i] = mi;
                    vv[i] = vi;
                    float denom = (float) Math.sqrt(vi) / bc2Sqrt + ep;
                    w[i] -= stepSize * (mi / denom);
                }
            });
        }
    }

    /** Zeroes every parameter's gradient. */
    public void zeroGrad() {
        for (Var p : params.values()) p.zeroGrad();
    }

    /** The optimiser state as named tensors (copies), for checkpoints. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : params.entrySet()) {
            int[] shape = e.getValue().shape();
            String k = e.getKey();
            out.put(k + ".exp_avg", Tensor.of(m.get(k).clone(), shape));
            out.put(k + ".exp_avg_sq", Tensor.of(v.get(k).clone(), shape));
            out.put(k + ".step", Tensor.scalar(steps.get(k)[0]));
        }
        return out;
    }

    /** Restores {@link #stateDict()}; every name must be present with its shape. */
    public void loadStateDict(Map<String, Tensor> state) {
        for (var e : params.entrySet()) {
            String k = e.getKey();
            Tensor em = need(state, k + ".exp_avg", e.getValue().shape());
            Tensor ev = need(state, k + ".exp_avg_sq", e.getValue().shape());
            Tensor st = need(state, k + ".step", new int[0]);
            em.copyInto(m.get(k), 0);
            ev.copyInto(v.get(k), 0);
            steps.get(k)[0] = (long) st.getFlat(0);
        }
    }

    private static Tensor need(Map<String, Tensor> state, String name, int[] shape) {
        Tensor t = state.get(name);
        if (t == null) throw new IllegalArgumentException("optimizer state: missing '" + name + "'");
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException("optimizer state '" + name + "': shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(shape));
        }
        return t;
    }
}
