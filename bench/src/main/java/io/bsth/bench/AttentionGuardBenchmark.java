package io.bsth.bench;

import io.bsth.tensor.Parallel;
import io.bsth.tensor.Rng;
import io.bsth.tensor.kernels.Attention;
import io.bsth.tensor.kernels.Matmul;
import io.bsth.tensor.kernels.Softmax;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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

/**
 * The attention pairs for {@code bench/guard}. {@code attention}: {@link Attention#forward} (fused per
 * sequence, products straight from the packed qkv rows, SIMD softmax) against a scalar composed
 * reference (per sequence: copy Q, K, V out of the packed rows, scalar {@link Matmul#sgemmReference}
 * for Q K^T, scalar {@link Softmax#rowReference}, scalar product with V, copy the rows back).
 * {@code attentionStep}: forward and backward with dropout, fused, against the same computation in
 * whole-batch passes ({@link Attention#forwardComposed}, {@link Attention#backwardComposed}; same
 * bits). BSTH's shape: 64 sequences of 32 tokens (one token per hash bit), width 128, one head,
 * sequence first, one thread.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 300, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 300, timeUnit = TimeUnit.MILLISECONDS)
public class AttentionGuardBenchmark {
    static final int T = 32, N = 64, E = 128;
    float[] qkv, probs, out;
    float[] q, kt, v, s, o;
    float[] dOut, dQkv;
    final Rng.Block draws = new Rng(5).reserve(N * T * T);

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(17);
        qkv = new float[T * N * 3 * E];
        for (int i = 0; i < qkv.length; i++) qkv[i] = (float) r.nextDouble(-1, 1);
        probs = new float[N * T * T];
        out = new float[T * N * E];
        q = new float[T * E];
        kt = new float[E * T];
        v = new float[T * E];
        s = new float[T * T];
        o = new float[T * E];
        dOut = new float[T * N * E];
        for (int i = 0; i < dOut.length; i++) dOut[i] = (float) r.nextDouble(-1, 1);
        dQkv = new float[qkv.length];
        Parallel.setThreads(1);
    }

    @Benchmark
    public float[] attention() {
        Attention.forward(qkv, T, N, E, 1, false, probs, null, 0f, out);
        return out;
    }

    /** Forward and backward with dropout 0.5 on the attention weights, fused per sequence. */
    @Benchmark
    public float[] attentionStep() {
        Attention.forward(qkv, T, N, E, 1, false, probs, draws, 0.5f, out);
        Attention.backward(dOut, qkv, T, N, E, 1, false, probs, draws, 0.5f, dQkv);
        return dQkv;
    }

    /** The same as {@link #attentionStep} in whole-batch passes ({@link Attention#forwardComposed}, {@link Attention#backwardComposed}). */
    @Benchmark
    public float[] attentionStepComposed() {
        Attention.forwardComposed(qkv, T, N, E, 1, false, probs, draws, 0.5f, out);
        Attention.backwardComposed(dOut, qkv, T, N, E, 1, false, probs, draws, 0.5f, dQkv);
        return dQkv;
    }

    @Benchmark
    public float[] attentionComposed() {
        float scale = (float) (1 / Math.sqrt(E));
        for (int n = 0; n < N; n++) {
            for (int t = 0; t < T; t++) {
                int row = (t * N + n) * 3 * E;
                System.arraycopy(qkv, row, q, t * E, E);
                for (int c = 0; c < E; c++) kt[c * T + t] = qkv[row + E + c];
                System.arraycopy(qkv, row + 2 * E, v, t * E, E);
            }
            Matmul.sgemmReference(false, false, T, T, E, scale, q, 0, E, kt, 0, T, 0f, s, 0, T);
            for (int t = 0; t < T; t++) Softmax.rowReference(s, s, t * T, T);
            Matmul.sgemmReference(false, false, T, E, T, 1f, s, 0, T, v, 0, E, 0f, o, 0, E);
            for (int t = 0; t < T; t++) System.arraycopy(o, t * E, out, (t * N + n) * E, E);
        }
        return out;
    }
}
