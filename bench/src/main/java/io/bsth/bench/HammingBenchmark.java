package io.bsth.bench;

import io.bsth.retrieval.CodeIndex;
import io.bsth.retrieval.Hamming;
import io.bsth.retrieval.PackedCodes;
import io.bsth.retrieval.Search;
import io.bsth.tensor.Parallel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The popcount kernels and exact top-k search.
 *
 * <ul>
 *   <li>{@code distances*}: all Hamming distances of 16 queries to the database (vector vs scalar reference).</li>
 *   <li>{@code scan*}: the threshold scan of top-k search at a fixed threshold of nbit/4 (hits are rare,
 *       as once a real search's threshold has settled): XOR + BIT_COUNT + compare, vector vs scalar.
 *       The pair the benchmark guard watches. {@code -prof gc} shows it allocates nothing.</li>
 *   <li>{@code topK}: {@link Search#topK} of 64 queries, k = 100, on {@code threads} threads.</li>
 *   <li>{@code storeTopKOne}: one query, k = 10, against a {@link CodeIndex} of the same
 *       codes (a service's request), on {@code threads} threads.</li>
 *   <li>{@code storeTopKScrambled}: the 64 queries, k = 100, against a {@link CodeIndex} of the same codes
 *       under ids in descending order (ties by id differ from ties by row).</li>
 * </ul>
 * Run: {@code java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar HammingBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class HammingBenchmark {
    @Param({"16", "32", "64", "128"})
    int nbit;

    /** Database codes. */
    @Param({"100000"})
    int n;

    @Param({"1"})
    int threads;

    static final int SCAN_QUERIES = 16, TOPK_QUERIES = 64, K = 100;

    int words;
    long[] planes;
    long[] queries;
    int[] out;
    PackedCodes db;
    PackedCodes topkQueries;
    Path storeFile, scrambledFile;
    CodeIndex store, scrambled;
    long[] oneQuery;

    @Setup(Level.Trial)
    public void setup() {
        Parallel.setThreads(threads);
        words = PackedCodes.wordsFor(nbit);
        SplittableRandom rnd = new SplittableRandom(42);
        long[] rows = random(rnd, n);
        db = PackedCodes.wrap(rows, n, nbit);
        planes = new long[n * words];
        db.copyPlanes(0, n, planes);
        queries = random(rnd, SCAN_QUERIES);
        topkQueries = PackedCodes.wrap(random(rnd, TOPK_QUERIES), TOPK_QUERIES, nbit);
        out = new int[n];
        try {
            storeFile = Files.createTempFile("hamming-bench", ".codes");
            Files.delete(storeFile);
            store = CodeIndex.create(storeFile, nbit);
            store.add(db);
            scrambledFile = Files.createTempFile("hamming-bench-ids", ".codes");
            Files.delete(scrambledFile);
            scrambled = CodeIndex.create(scrambledFile, nbit);
            long[] ids = new long[n];
            for (int i = 0; i < n; i++) ids[i] = 3L * (n - i);
            scrambled.add(ids, db);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        oneQuery = topkQueries.slice(0, 1).words();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        store.close();
        scrambled.close();
        Files.deleteIfExists(storeFile);
        Files.deleteIfExists(scrambledFile);
    }

    private long[] random(SplittableRandom rnd, int count) {
        long pad = nbit % 64 == 0 ? -1L : ~(-1L << (nbit % 64));
        long[] a = new long[count * words];
        for (int i = 0; i < a.length; i++) a[i] = rnd.nextLong() & (i % words == words - 1 ? pad : -1L);
        return a;
    }

    @Benchmark
    public void distancesVector(Blackhole bh) {
        for (int q = 0; q < SCAN_QUERIES; q++) {
            Hamming.distances(queries, q * words, words, planes, n, 0, n, out, 0);
            bh.consume(out[q]);
        }
    }

    @Benchmark
    public void distancesScalar(Blackhole bh) {
        for (int q = 0; q < SCAN_QUERIES; q++) {
            Hamming.distancesScalar(queries, q * words, words, planes, n, 0, n, out, 0);
            bh.consume(out[q]);
        }
    }

    @Benchmark
    public int scanVector() {
        int thr = nbit / 4, hits = 0;
        for (int q = 0; q < SCAN_QUERIES; q++) {
            for (int i = 0; (i = Hamming.scanBelow(queries, q * words, words, planes, n, i, n, thr)) + Hamming.CHUNK <= n; i += Hamming.CHUNK) {
                hits++;
            }
        }
        return hits;
    }

    @Benchmark
    public int scanScalar() {
        int thr = nbit / 4, hits = 0;
        for (int q = 0; q < SCAN_QUERIES; q++) {
            for (int i = 0; (i = Hamming.scanBelowScalar(queries, q * words, words, planes, n, i, n, thr)) + Hamming.CHUNK <= n; i += Hamming.CHUNK) {
                hits++;
            }
        }
        return hits;
    }

    @Benchmark
    public Search.TopK topK() {
        return Search.topK(topkQueries, db, K);
    }

    @Benchmark
    public CodeIndex.Hits storeTopKOne() {
        return store.search(oneQuery, 10);
    }

    @Benchmark
    public CodeIndex.Hits[] storeTopKScrambled() {
        return scrambled.search(topkQueries, K);
    }
}
