package io.bsth.autograd.nn;

import io.bsth.autograd.F;
import io.bsth.autograd.Var;
import io.bsth.tensor.Rng;
import io.bsth.tensor.Tensor;

import java.util.Arrays;

/**
 * The sinusoidal positional encoding of the PyTorch tutorial (the authors' PositionalEncoding):
 * buffer {@code pe} (maxLen, 1, d) with pe[t, 0, 2i] = sin(t * w_i), pe[t, 0, 2i+1] = cos(t * w_i),
 * w_i = exp(2i * -ln(10000) / d) (float32 arithmetic as torch); forward x + pe[:T] then dropout.
 * Input (T, N, d) sequence first, or (N, T, d) with {@code batchFirst}.
 */
public final class PositionalEncoding extends Module {
    public final int d, maxLen;
    public final boolean batchFirst;
    public final Tensor pe;
    public final Dropout dropout;

    public PositionalEncoding(int d, float dropoutP) {
        this(d, dropoutP, 5000, false);
    }

    public PositionalEncoding(int d, float dropoutP, int maxLen, boolean batchFirst) {
        this.d = d;
        this.maxLen = maxLen;
        this.batchFirst = batchFirst;
        this.dropout = registerModule("dropout", new Dropout(dropoutP));
        float[] t = new float[maxLen * d];
        float k = (float) (-Math.log(10000.0) / d);
        for (int i = 0; 2 * i < d; i++) {
            float w = (float) Math.exp((float) (2 * i) * k);
            for (int p = 0; p < maxLen; p++) {
                float a = (float) p * w;
                t[p * d + 2 * i] = (float) Math.sin(a);
                if (2 * i + 1 < d) t[p * d + 2 * i + 1] = (float) Math.cos(a);
            }
        }
        this.pe = registerBuffer("pe", Tensor.of(t, maxLen, 1, d), false);
    }

    public Var forward(Var x) {
        return forward(x, false);
    }

    /**
     * {@link #forward(Var)}, with {@code overwrite} written over x's own array: for an x that nothing
     * reads again ({@link F#addPositionalEncoding(Var, Tensor, boolean, float, boolean, Rng, boolean)}).
     */
    public Var forward(Var x, boolean overwrite) {
        if (x.dim() != 3 || x.size(2) != d) {
            throw new IllegalArgumentException("PositionalEncoding(" + d + "): expected a 3-D input of width " + d + ", got " + Arrays.toString(x.shape()));
        }
        // one op: the sum before the dropout is not stored
        return F.addPositionalEncoding(x, pe, batchFirst, dropout.p, dropout.isTraining(), dropout.rng(), overwrite);
    }
}
