package io.bsth.bench;

import io.bsth.retrieval.Evaluation;
import io.bsth.retrieval.PackedCodes;
import io.bsth.tensor.Parallel;
import java.util.Arrays;
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
 * Evaluation at MIR-Flickr scale: 2,000 queries against 18,015 database codes, 24 classes.
 * {@code evaluate}: {@link Evaluation#evaluate} (counting-sort ranking, all metrics) on {@code threads}
 * threads. {@code mapAllSortPerQuery}: the straightforward mAP@All in Java (sort each query's
 * (distance, index) keys, then walk the ranking), single-threaded: the in-run baseline.
 * Run: {@code java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar MapBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class MapBenchmark {
    @Param({"64"})
    int nbit;

    @Param({"1", "2"})
    int threads;

    static final int NQ = 2000, N = 18015, C = 24;

    PackedCodes query, db;
    float[] ql, dl;

    @Setup(Level.Trial)
    public void setup() {
        Parallel.setThreads(threads);
        SplittableRandom rnd = new SplittableRandom(7);
        // labelled codes: each item copies the centre of its first class with 20% of the bits flipped
        byte[][] centres = new byte[C][nbit];
        for (byte[] c : centres) for (int j = 0; j < nbit; j++) c[j] = (byte) (rnd.nextBoolean() ? 1 : -1);
        byte[] qs = new byte[NQ * nbit], ds = new byte[N * nbit];
        ql = new float[NQ * C];
        dl = new float[N * C];
        fill(rnd, centres, qs, ql, NQ);
        fill(rnd, centres, ds, dl, N);
        query = PackedCodes.fromInt8(qs, NQ, nbit);
        db = PackedCodes.fromInt8(ds, N, nbit);
    }

    private void fill(SplittableRandom rnd, byte[][] centres, byte[] codes, float[] labels, int n) {
        for (int i = 0; i < n; i++) {
            int first = rnd.nextInt(C);
            labels[i * C + first] = 1;
            for (int c = 0; c < C; c++) if (rnd.nextDouble() < 1.5 / C) labels[i * C + c] = 1;
            for (int j = 0; j < nbit; j++) codes[i * nbit + j] = (byte) (centres[first][j] * (rnd.nextDouble() < 0.2 ? -1 : 1));
        }
    }

    @Benchmark
    public Evaluation.Result evaluate() {
        return Evaluation.evaluate(query, db, ql, dl, C);
    }

    @Benchmark
    public double mapAllSortPerQuery() {
        long[] keys = new long[N];
        double sum = 0;
        int with = 0;
        for (int q = 0; q < NQ; q++) {
            for (int i = 0; i < N; i++) keys[i] = (long) query.distance(q, db, i) << 32 | i;
            Arrays.sort(keys);
            int found = 0;
            double ap = 0;
            for (int r = 0; r < N; r++) {
                int i = (int) keys[r];
                boolean rel = false;
                for (int c = 0; c < C && !rel; c++) rel = ql[q * C + c] == 1 && dl[i * C + c] == 1;
                if (rel) {
                    found++;
                    ap += (double) found / (r + 1);
                }
            }
            if (found > 0) {
                sum += ap / found;
                with++;
            }
        }
        return with == 0 ? 0 : sum / with;
    }
}
