package io.bsth.bench;

import io.bsth.retrieval.Hamming;
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
 * The XOR-popcount pair for {@code bench/guard}: the threshold scan of top-k search (XOR + BIT_COUNT +
 * compare on {@code Simd.LONG} lanes) against its scalar {@code Long.bitCount} reference, 4 queries x
 * 16,384 one-word codes at a threshold of 16 (hits are rare, as in a settled search). One thread, no
 * parameters; the full picture is in {@link HammingBenchmark}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 300, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 300, timeUnit = TimeUnit.MILLISECONDS)
public class PopcountGuardBenchmark {
    static final int N = 16384, Q = 4, THR = 16;
    long[] codes = new long[N];
    long[] queries = new long[Q];

    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int i = 0; i < N; i++) codes[i] = rnd.nextLong();
        for (int i = 0; i < Q; i++) queries[i] = rnd.nextLong();
    }

    @Benchmark
    public int hammingScan() {
        int hits = 0;
        for (int q = 0; q < Q; q++) {
            for (int i = 0; (i = Hamming.scanBelow(queries, q, 1, codes, N, i, N, THR)) + Hamming.CHUNK <= N; i += Hamming.CHUNK) hits++;
        }
        return hits;
    }

    @Benchmark
    public int hammingScanScalar() {
        int hits = 0;
        for (int q = 0; q < Q; q++) {
            for (int i = 0; (i = Hamming.scanBelowScalar(queries, q, 1, codes, N, i, N, THR)) + Hamming.CHUNK <= N; i += Hamming.CHUNK) hits++;
        }
        return hits;
    }
}
