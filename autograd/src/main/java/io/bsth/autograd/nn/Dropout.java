package io.bsth.autograd.nn;

import io.bsth.autograd.F;
import io.bsth.autograd.Var;
import io.bsth.tensor.Rng;

/** Inverted dropout with probability p in training mode, identity in eval mode. No state. */
public final class Dropout extends Module {
    public final float p;
    private Rng rng;

    public Dropout(float p) {
        if (!(p >= 0f && p <= 1f)) throw new IllegalArgumentException("dropout probability must be in [0, 1]: " + p);
        this.p = p;
        this.rng = new Rng(0x5EEDL);
    }

    @Override
    protected void onSeed(Rng r) {
        rng = r.split();
    }

    /** The generator this module draws its masks from (for ops that fuse the dropout in). */
    Rng rng() {
        return rng;
    }

    public Var forward(Var x) {
        return F.dropout(x, p, isTraining(), rng);
    }
}
