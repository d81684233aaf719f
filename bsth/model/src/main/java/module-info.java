/**
 * The BSTH network: {@link io.bsth.model.BsthModel} loads a trained model file and encodes feature
 * vectors to packed binary codes. The data readers ({@code io.bsth.data}) and the trainer
 * ({@code io.bsth.train}) serve the command line and are not exported; jhdf (MATLAB v7.3 files) is
 * needed only by the data readers, so it is an optional dependency.
 */
module io.bsth.model {
    requires transitive io.bsth.autograd;
    requires transitive io.bsth.retrieval;
    requires static io.jhdf;

    exports io.bsth.model;
}
