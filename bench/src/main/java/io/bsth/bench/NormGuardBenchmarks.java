package io.bsth.bench;

import io.bsth.tensor.Parallel;
import io.bsth.tensor.kernels.Activation;
import io.bsth.tensor.kernels.Norm;
import io.bsth.tensor.kernels.Softmax;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Guarded pairs of the autograd kernels (softmax rows, LayerNorm forward, exact GELU): the SIMD entry
 * point next to its scalar reference on the same data, one thread (see bench/guard-floors.properties).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 300, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 300, timeUnit = TimeUnit.MILLISECONDS)
public class NormGuardBenchmarks {
    /** Attention probabilities of 64 sequences of 64 tokens: rows of 64. */
    static final int ROWS = 4096, C = 64;
    /** LayerNorm over 4096 tokens of width 128. */
    static final int TOKENS = 4096, WIDTH = 128;
    float[] x, y, xl, yl, w, b, mean, rstd;

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(11);
        x = new float[ROWS * C];
        y = new float[ROWS * C];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble(-4, 4);
        xl = new float[TOKENS * WIDTH];
        yl = new float[TOKENS * WIDTH];
        for (int i = 0; i < xl.length; i++) xl[i] = (float) r.nextDouble(-2, 3);
        w = new float[WIDTH];
        b = new float[WIDTH];
        java.util.Arrays.fill(w, 1.5f);
        java.util.Arrays.fill(b, 0.25f);
        mean = new float[TOKENS];
        rstd = new float[TOKENS];
        Parallel.setThreads(1);
    }

    @Benchmark
    public float[] softmax() {
        Softmax.forward(x, y, ROWS, C);
        return y;
    }

    @Benchmark
    public float[] softmaxScalar() {
        for (int r = 0; r < ROWS; r++) Softmax.rowReference(x, y, r * C, C);
        return y;
    }

    @Benchmark
    public float[] layerNorm() {
        Norm.layerNormForward(xl, w, b, yl, mean, rstd, TOKENS, WIDTH, 1e-5f);
        return yl;
    }

    @Benchmark
    public float[] layerNormScalar() {
        Norm.layerNormForwardReference(xl, w, b, yl, mean, rstd, TOKENS, WIDTH, 1e-5f);
        return yl;
    }

    @Benchmark
    public float[] gelu() {
        Activation.gelu(x, y, x.length);
        return y;
    }

    @Benchmark
    public float[] geluScalar() {
        Activation.geluReference(x, y, 0, x.length);
        return y;
    }
}
