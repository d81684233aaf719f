package io.bsth.bench;

import io.bsth.autograd.Var;
import io.bsth.autograd.nn.TransformerEncoderLayer;
import io.bsth.tensor.Parallel;
import io.bsth.tensor.Rng;
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

import java.util.concurrent.TimeUnit;

/**
 * One BSTH encoder layer, forward + backward, as in training: TransformerEncoderLayer(d_model 128,
 * 1 head, feed-forward 128, GELU, dropout 0.5, train mode) on (nbit, 1024, 128) sequence-first input
 * that requires a gradient; backward from a fixed seed gradient into the input and every parameter.
 * The PyTorch peer (tools/attention_peer.py) times the same layer; tools/bench_attention.sh runs both.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx8g"})
@Warmup(iterations = 3, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
public class AttentionBenchmark {
    @Param({"16", "32", "64", "128"})
    public int nbit;

    @Param({"1024"})
    public int batch;

    @Param({"2"})
    public int threads;

    static final int WIDTH = 128;

    TransformerEncoderLayer layer;
    Var x;
    float[] seed;

    @Setup(Level.Trial)
    public void setup() {
        Parallel.setThreads(threads);
        Rng rng = new Rng(2021);
        layer = new TransformerEncoderLayer(WIDTH, 1, WIDTH, 0.5f, false, rng);
        layer.train(true);
        layer.seedDropout(rng.split());
        float[] xs = new float[nbit * batch * WIDTH];
        rng.fillNormal(xs, 0, xs.length, 0f, 1f);
        x = Var.param(xs, nbit, batch, WIDTH);
        seed = new float[xs.length];
        rng.fillUniform(seed, 0, seed.length, -1f, 1f);
    }

    /** Forward and backward of the layer; returns the input gradient. */
    @Benchmark
    public float[] encoderLayerForwardBackward() {
        layer.zeroGrad();
        x.clearGrad();
        Var out = layer.forward(x);
        out.backward(seed);
        return x.grad();
    }
}
