package io.bsth.bench;

import io.bsth.tensor.Parallel;
import io.bsth.tensor.kernels.Matmul;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Batched SGEMM at BSTH's attention shapes: batch 1024 sequences of k tokens (k = bits, 16..128),
 * d_model 128. {@code QKt}: (k,128) @ (k,128)^T -> (k,k); {@code PV}: (k,k) @ (k,128) -> (k,128).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 2, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
public class BatchedMatmulBenchmark {
    /** batch x M x K x N. */
    @Param({"1024x16x128x16", "1024x64x128x64", "1024x128x128x128", "1024x64x64x128"})
    public String shape;

    @Param({"2"})
    public int threads;

    @Param({"NT"})
    public String trans;

    int batch, m, n, k, lda, ldb;
    boolean transA, transB;
    float[] a, b, c;

    @Setup
    public void setup() {
        String[] p = shape.split("x");
        batch = Integer.parseInt(p[0]);
        m = Integer.parseInt(p[1]);
        k = Integer.parseInt(p[2]);
        n = Integer.parseInt(p[3]);
        transA = trans.charAt(0) == 'T';
        transB = trans.charAt(1) == 'T';
        lda = transA ? m : k;
        ldb = transB ? k : n;
        SplittableRandom r = new SplittableRandom(42);
        a = new float[batch * m * k];
        b = new float[batch * k * n];
        c = new float[batch * m * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextDouble(-1, 1);
        Parallel.setThreads(threads);
    }

    @Benchmark
    public float[] sgemmBatched() {
        Matmul.sgemmBatched(batch, transA, transB, m, n, k, 1f, a, 0, lda, (long) m * k, b, 0, ldb, (long) k * n,
                0f, c, 0, n, (long) m * n);
        return c;
    }
}
