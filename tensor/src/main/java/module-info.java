/**
 * Float32 tensors with strided views, the kernels behind them, the worker pool and the seeded RNG.
 *
 * <p>Exported: {@code io.bsth.tensor} ({@link io.bsth.tensor.Tensor}, {@link io.bsth.tensor.Workers},
 * {@link io.bsth.tensor.Rng}), {@code io.bsth.tensor.io} (.npy reading and writing, atomic file
 * replacement, a small JSON writer) and {@code io.bsth.tensor.backend} (the compute-backend SPI). The kernels package is internal: it is exported only to the
 * sibling modules that call it directly.
 *
 * <p>The module requires {@code jdk.incubator.vector}, so on the module path the Vector API is resolved
 * without a flag. On the class path it is resolved only with {@code --add-modules jdk.incubator.vector};
 * without it every kernel runs its scalar reference (same results within the tests' tolerances) and
 * one log line says how to enable SIMD.
 */
module io.bsth.tensor {
    requires transitive jdk.incubator.vector;

    exports io.bsth.tensor;
    exports io.bsth.tensor.io;
    /** The compute-backend SPI: {@code bsth-native-cuda} provides a {@code BackendProvider} through ServiceLoader. */
    exports io.bsth.tensor.backend;
    exports io.bsth.tensor.kernels to io.bsth.autograd, io.bsth.model;

    uses io.bsth.tensor.backend.BackendProvider;
}
