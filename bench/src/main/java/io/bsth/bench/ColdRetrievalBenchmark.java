package io.bsth.bench;

import io.bsth.retrieval.Evaluation;
import io.bsth.retrieval.PackedCodes;
import io.bsth.retrieval.Search;
import io.bsth.tensor.Parallel;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The first call in a fresh JVM (no warm-up of any kind): every fork builds its data with code that
 * shares nothing with the retrieval kernels, then times ONE call. {@code mapAll}: {@link Evaluation#evaluate}
 * of 2,000 x 18,015 codes, 24 classes (the MIR-Flickr evaluation); {@code topK}: {@link Search#topK} of
 * 1,000 queries against 1M codes, k 100. Both on {@code threads} threads.
 * Run: {@code java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar ColdRetrievalBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 5, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 0)
@Measurement(iterations = 1)
public class ColdRetrievalBenchmark {
    @Param({"64"})
    int nbit;

    @Param({"2"})
    int threads;

    static final int NQ = 2000, N = 18015, C = 24, SEARCH_DB = 1_000_000, SEARCH_Q = 1000;

    PackedCodes query, db, searchDb, searchQ;
    float[] ql, dl;

    @Setup(Level.Trial)
    public void setup() {
        Parallel.setThreads(threads);
        SplittableRandom rnd = new SplittableRandom(7);
        int words = PackedCodes.wordsFor(nbit);
        long pad = nbit % 64 == 0 ? -1L : (1L << (nbit % 64)) - 1;
        // labelled codes: each item is the centre of its first class with about 20% of the bits flipped
        long[] centres = new long[C * words];
        for (int i = 0; i < centres.length; i++) centres[i] = rnd.nextLong();
        ql = new float[NQ * C];
        dl = new float[N * C];
        query = PackedCodes.wrap(labelled(rnd, centres, ql, NQ, words, pad), NQ, nbit);
        db = PackedCodes.wrap(labelled(rnd, centres, dl, N, words, pad), N, nbit);
        searchDb = PackedCodes.wrap(random(rnd, SEARCH_DB * words, words, pad), SEARCH_DB, nbit);
        searchQ = PackedCodes.wrap(random(rnd, SEARCH_Q * words, words, pad), SEARCH_Q, nbit);
    }

    private static long[] labelled(SplittableRandom rnd, long[] centres, float[] labels, int n, int words, long pad) {
        long[] out = new long[n * words];
        for (int i = 0; i < n; i++) {
            int first = rnd.nextInt(C);
            labels[i * C + first] = 1;
            for (int c = 0; c < C; c++) if (rnd.nextInt(16) == 0) labels[i * C + c] = 1;
            for (int w = 0; w < words; w++) {
                long flip = rnd.nextLong() & rnd.nextLong() & (rnd.nextLong() | rnd.nextLong());
                out[i * words + w] = (centres[first * words + w] ^ flip) & (w == words - 1 ? pad : -1L);
            }
        }
        return out;
    }

    private static long[] random(SplittableRandom rnd, int len, int words, long pad) {
        long[] out = new long[len];
        for (int i = 0; i < len; i++) out[i] = rnd.nextLong() & (i % words == words - 1 ? pad : -1L);
        return out;
    }

    @Benchmark
    public Evaluation.Result mapAll() {
        return Evaluation.evaluate(query, db, ql, dl, C);
    }

    @Benchmark
    public Search.TopK topK() {
        return Search.topK(searchQ, searchDb, 100);
    }
}
