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
 * SGEMM {@code C (M,N) = op(A) (M,K) @ op(B) (K,N)} at the shapes that matter: the OpenBLAS
 * comparison shape and BSTH's hot Linear shapes (65536 tokens x 128 -> 384 in-projection, 128 -> 128).
 * Time per call in ms; GFLOP/s = 2*M*N*K / time (tools/bench_matmul.sh prints both).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 3, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 5, time = 1)
public class MatmulBenchmark {
    /** MxKxN. */
    @Param({"1024x4096x2048", "65536x128x384", "65536x128x128"})
    public String shape;

    @Param({"2"})
    public int threads;

    /** Which operands are read transposed: NN, TN, NT or TT. */
    @Param({"NN"})
    public String trans;

    int m, n, k, lda, ldb;
    boolean transA, transB;
    float[] a, b, c;

    @Setup
    public void setup() {
        String[] p = shape.split("x");
        m = Integer.parseInt(p[0]);
        k = Integer.parseInt(p[1]);
        n = Integer.parseInt(p[2]);
        transA = trans.charAt(0) == 'T';
        transB = trans.charAt(1) == 'T';
        lda = transA ? m : k;
        ldb = transB ? k : n;
        SplittableRandom r = new SplittableRandom(42);
        a = new float[m * k];
        b = new float[k * n];
        c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextDouble(-1, 1);
        Parallel.setThreads(threads);
    }

    @Benchmark
    public float[] sgemm() {
        Matmul.sgemm(transA, transB, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
        return c;
    }
}
