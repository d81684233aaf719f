package io.bsth.bench;

import io.bsth.tensor.Parallel;
import io.bsth.tensor.kernels.Elementwise;
import io.bsth.tensor.kernels.Matmul;
import io.bsth.tensor.kernels.Reduce;
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
 * Guarded pairs of the tensor kernels: each SIMD kernel next to its scalar reference on the same
 * data, one thread, short runs. {@code bench/guard} compares their throughputs (see
 * bench/guard-floors.properties); the absolute numbers are not the point.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 300, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 300, timeUnit = TimeUnit.MILLISECONDS)
public class GuardBenchmarks {
    static final int M = 96, K = 128, N = 96;
    /** (rows, cols) of the reduction / element-wise pairs: a bias gradient of 4096 tokens x 384. */
    static final int ROWS = 4096, COLS = 384;
    float[] a, b, c, g, col, y;

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(7);
        a = new float[M * K];
        b = new float[N * K];
        c = new float[M * N];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextDouble(-1, 1);
        g = new float[ROWS * COLS];
        y = new float[ROWS * COLS];
        for (int i = 0; i < g.length; i++) g[i] = (float) r.nextDouble(-1, 1);
        col = new float[COLS];
        Parallel.setThreads(1);
    }

    /** x (96,128) @ w (96,128)^T, the Linear layout. */
    @Benchmark
    public float[] sgemm() {
        Matmul.sgemm(false, true, M, N, K, 1f, a, 0, K, b, 0, K, 0f, c, 0, N);
        return c;
    }

    @Benchmark
    public float[] sgemmScalar() {
        Matmul.sgemmReference(false, true, M, N, K, 1f, a, 0, K, b, 0, K, 0f, c, 0, N);
        return c;
    }

    /** Bias gradient: column sums of (4096, 384). */
    @Benchmark
    public float[] colSum() {
        Reduce.colSum(g, 0, ROWS, COLS, col, 0, false);
        return col;
    }

    @Benchmark
    public float[] colSumScalar() {
        Reduce.colSumReference(g, 0, ROWS, COLS, col, 0, false);
        return col;
    }

    @Benchmark
    public double sum() {
        return Reduce.sum(g, 0, g.length);
    }

    @Benchmark
    public double sumScalar() {
        return Reduce.sumReference(g, 0, g.length);
    }

    /** y += 0.5 x over 1.5M floats (memory-bound; C2 vectorises the scalar loop too). */
    @Benchmark
    public float[] axpy() {
        Elementwise.axpy(0.5f, g, 0, y, 0, g.length);
        return y;
    }

    @Benchmark
    public float[] axpyScalar() {
        Elementwise.axpyReference(0.5f, g, 0, y, 0, g.length);
        return y;
    }

    /** y = g + y over 1.5M floats: the plain binary kernel (a per-lane fallback would show as a ratio far below 1). */
    @Benchmark
    public float[] add() {
        Elementwise.add(g, 0, y, 0, y, 0, g.length);
        return y;
    }

    @Benchmark
    public float[] addScalar() {
        Elementwise.addReference(g, 0, y, 0, y, 0, g.length);
        return y;
    }
}
