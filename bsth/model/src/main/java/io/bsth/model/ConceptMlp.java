package io.bsth.model;

import io.bsth.autograd.F;
import io.bsth.autograd.Var;
import io.bsth.autograd.nn.BatchNorm;
import io.bsth.autograd.nn.Linear;
import io.bsth.autograd.nn.Module;
import io.bsth.tensor.Rng;

/**
 * Eq. 1: the modality MLP, f = tanh(BN(W2 tanh(BN(W1 x)))), x (n, d) -> (n, 128). State names as the
 * authors' {@code imageMLP.mlp.{linear1,bn1,linear2,bn2}.*}: this module holds one child "mlp".
 */
public final class ConceptMlp extends Module {
    /** The authors' inner Sequential. */
    public static final class Layers extends Module {
        public final Linear linear1, linear2;
        public final BatchNorm bn1, bn2;

        Layers(int in, int hidden, int out, Rng rng) {
            linear1 = registerModule("linear1", new Linear(in, hidden, rng));
            bn1 = registerModule("bn1", new BatchNorm(hidden));
            linear2 = registerModule("linear2", new Linear(hidden, out, rng));
            bn2 = registerModule("bn2", new BatchNorm(out));
        }

        Var forward(Var x) {
            Var a = F.tanh(bn1.forward(linear1.forward(x)));
            return F.tanh(bn2.forward(linear2.forward(a)));
        }
    }

    public final Layers mlp;

    public ConceptMlp(int in, int hidden, int out, Rng rng) {
        mlp = registerModule("mlp", new Layers(in, hidden, out, rng));
    }

    public Var forward(Var x) {
        return mlp.forward(x);
    }
}
