/**
 * The search engine: packed binary codes, Hamming distance kernels, exact top-k search, the
 * retrieval evaluation (mAP, precision) and the on-disk code store. Depends on {@code io.bsth.tensor} only.
 */
module io.bsth.retrieval {
    requires transitive io.bsth.tensor;
    requires jdk.incubator.vector;

    exports io.bsth.retrieval;
}
