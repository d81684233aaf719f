/**
 * Reverse-mode automatic differentiation over {@code io.bsth.tensor}: {@link io.bsth.autograd.Var},
 * the functional ops {@link io.bsth.autograd.F}, layers ({@code nn}), Adam ({@code optim}) and
 * safetensors state dictionaries ({@code state}).
 */
module io.bsth.autograd {
    requires transitive io.bsth.tensor;

    exports io.bsth.autograd;
    exports io.bsth.autograd.nn;
    exports io.bsth.autograd.optim;
    exports io.bsth.autograd.state;
}
