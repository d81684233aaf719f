package io.bsth.bench;

import io.bsth.autograd.StepBuffers;
import io.bsth.autograd.Var;
import io.bsth.autograd.optim.Adam;
import io.bsth.model.BsthNetwork;
import io.bsth.model.ModelConfig;
import io.bsth.tensor.Parallel;
import io.bsth.tensor.Rng;
import io.bsth.train.Losses;
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
 * One stage-2 training step at the MIR-Flickr shape, as {@code Trainer} runs it: zero the gradients,
 * forward image (1024, 4096) and text (1024, 1386) through the whole network in train mode (dropout
 * 0.5), the stage-2 loss against fixed target codes and labels (24 classes), backward, one Adam step.
 * Run with {@code -prof gc} to see what a step allocates:
 * {@code java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar TrainStepBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx6g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TrainStepBenchmark {
    @Param({"16", "64", "128"})
    int nbit;

    @Param({"2"})
    int threads;

    static final int BATCH = 1024, IMAGE = 4096, TEXT = 1386, CLASSES = 24;

    BsthNetwork net;
    Adam adam;
    Var image, text, labels, target;
    final StepBuffers buffers = new StepBuffers();

    @Setup(Level.Trial)
    public void setup() {
        Parallel.setThreads(threads);
        Rng rng = new Rng(2021);
        net = new BsthNetwork(new ModelConfig(IMAGE, TEXT, CLASSES, nbit, 1, 2, 0.5f), rng.split());
        net.seedDropout(rng.split());
        net.train(true);
        adam = new Adam(net.namedParameters(), 1e-3);
        float[] im = new float[BATCH * IMAGE], tx = new float[BATCH * TEXT], lb = new float[BATCH * CLASSES], tg = new float[BATCH * nbit];
        rng.fillUniform(im, 0, im.length, 0f, 1f);
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        for (int i = 0; i < tx.length; i++) tx[i] = r.nextInt(50) == 0 ? 1f : 0f;
        for (int i = 0; i < BATCH; i++) {
            lb[i * CLASSES + r.nextInt(CLASSES)] = 1f;
            for (int c = 0; c < CLASSES; c++) if (r.nextInt(12) == 0) lb[i * CLASSES + c] = 1f;
        }
        for (int i = 0; i < tg.length; i++) tg[i] = r.nextBoolean() ? 1f : -1f;
        image = Var.of(im, BATCH, IMAGE);
        text = Var.of(tx, BATCH, TEXT);
        labels = Var.of(lb, BATCH, CLASSES);
        target = Var.of(tg, BATCH, nbit);
    }

    /** One step; returns the loss. */
    @Benchmark
    public double step() {
        try (var s = buffers.step()) {
            adam.zeroGrad();
            BsthNetwork.Output o = net.forward(image, text);
            Losses.Terms loss = Losses.stage2(o.h(), o.pred(), target, labels, 0.01f);
            loss.total().backward();
            adam.step();
            return loss.values()[0];
        }
    }
}
