package io.bsth.bench;

import io.bsth.autograd.StepBuffers;
import io.bsth.model.BsthNetwork;
import io.bsth.model.CodeEncoder;
import io.bsth.model.ModelConfig;
import io.bsth.tensor.Parallel;
import io.bsth.tensor.Rng;
import io.bsth.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encoding one batch of 1,024 items at the MIR-Flickr shape (image 4096-d, text 1386-d, 24 classes):
 * the network's forward pass in eval mode without gradients, through {@code CodeEncoder} with one
 * step buffers pool across calls, as {@code bsth encode} and the evaluation after training run it
 * batch by batch (20,015 items are 20 such batches).
 * {@code java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar EncodeBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class EncodeBenchmark {
    @Param({"16", "64", "128"})
    int nbit;

    @Param({"2"})
    int threads;

    static final int BATCH = 1024, IMAGE = 4096, TEXT = 1386, CLASSES = 24;

    BsthNetwork net;
    Tensor image, text;
    final StepBuffers pool = new StepBuffers();

    @Setup(Level.Trial)
    public void setup() {
        Parallel.setThreads(threads);
        Rng rng = new Rng(2021);
        net = new BsthNetwork(new ModelConfig(IMAGE, TEXT, CLASSES, nbit, 1, 2, 0.5f), rng.split());
        net.eval();
        float[] im = new float[BATCH * IMAGE], tx = new float[BATCH * TEXT];
        rng.fillUniform(im, 0, im.length, 0f, 1f);
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        for (int i = 0; i < tx.length; i++) tx[i] = r.nextInt(50) == 0 ? 1f : 0f;
        image = Tensor.of(im, BATCH, IMAGE);
        text = Tensor.of(tx, BATCH, TEXT);
    }

    /** h (1024, nbit) of one batch, as {@code CodeEncoder} runs it: one step of a pool kept across batches. */
    @Benchmark
    public float[] encodeBatch() {
        return CodeEncoder.encode(net, image, text, BATCH, pool);
    }
}
