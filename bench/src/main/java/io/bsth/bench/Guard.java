package io.bsth.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The benchmark guard: runs every benchmark named in the floors file briefly (one fork each, JMH
 * throughput, 3 x 300 ms measured after 3 x 300 ms warm-up, best iteration) and checks, for each entry,
 * that the SIMD kernel's throughput divided by its scalar reference's throughput, both measured in this
 * same run, is at least the recorded floor. A ratio is robust to a busy machine where absolute times are
 * not; a pair under its floor is measured once more (both sides, best iteration of the two rounds)
 * before it fails the run, so one load spike does not fail a build.
 *
 * <p>Floors file: one entry per line, {@code name = FastBenchmark.method ScalarBenchmark.method floor},
 * the benchmarks given as simple class name and method (in package io.bsth.bench); '#' starts a
 * comment. Exit 0 when every ratio holds, 1 with one line per failing entry, 2 for a bad file.
 */
public final class Guard {
    record Entry(String name, String fast, String scalar, double floor) {}

    private Guard() {}

    public static void main(String[] args) throws IOException, RunnerException {
        Path file = Path.of(args.length > 0 ? args[0] : "bench/guard-floors.properties");
        List<Entry> entries;
        try {
            entries = parse(file);
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("bench/guard: " + e.getMessage());
            System.exit(2);
            return;
        }
        Map<String, Double> score = new LinkedHashMap<>();
        measure(benchmarksOf(entries), score);
        List<Entry> low = new ArrayList<>();
        for (Entry e : entries) if (!holds(e, score)) low.add(e);
        if (!low.isEmpty()) {
            System.out.println("bench/guard: measuring " + low.size() + " pair(s) under the floor once more");
            measure(benchmarksOf(low), score);
        }
        List<String> failures = new ArrayList<>();
        System.out.println();
        System.out.printf("%-28s %14s %14s %8s %8s%n", "guard (best iterations)", "simd ops/s", "scalar ops/s", "ratio", "floor");
        for (Entry e : entries) {
            Double f = score.get(e.fast), s = score.get(e.scalar);
            if (f == null || s == null) {
                failures.add("bench/guard: " + e.name + ": no result for " + (f == null ? e.fast : e.scalar));
                continue;
            }
            double ratio = f / s;
            System.out.printf("%-28s %14.1f %14.1f %8.2f %8.2f%s%n", e.name, f, s, ratio, e.floor, ratio < e.floor ? "  FAIL" : "");
            if (ratio < e.floor) {
                failures.add(String.format("bench/guard: %s: %s is %.2fx its scalar reference %s, below the floor %.2f in %s",
                        e.name, e.fast, ratio, e.scalar, e.floor, file));
            }
        }
        if (!failures.isEmpty()) {
            failures.forEach(System.err::println);
            System.exit(1);
        }
        System.out.println("bench/guard: " + entries.size() + " ratios at or above their floors");
    }

    private static Set<String> benchmarksOf(List<Entry> entries) {
        Set<String> names = new LinkedHashSet<>();
        for (Entry e : entries) {
            names.add(e.fast);
            names.add(e.scalar);
        }
        return names;
    }

    private static boolean holds(Entry e, Map<String, Double> score) {
        Double f = score.get(e.fast), s = score.get(e.scalar);
        return f != null && s != null && f / s >= e.floor;
    }

    /**
     * Runs the named benchmarks once (one fork each) and keeps each one's best iteration in {@code score}
     * (over every round so far): on a shared machine load spikes only ever lower a throughput, so the best
     * iteration is the steadiest estimate of each side.
     */
    private static void measure(Set<String> names, Map<String, Double> score) throws RunnerException {
        ChainedOptionsBuilder opt = new OptionsBuilder()
                .forks(1)
                .warmupIterations(3).warmupTime(TimeValue.milliseconds(300))
                .measurementIterations(3).measurementTime(TimeValue.milliseconds(300))
                .shouldFailOnError(true);
        for (String n : names) opt.include("^" + Pattern.quote("io.bsth.bench." + n) + "$");
        Collection<RunResult> results = new Runner(opt.build()).run();
        for (RunResult r : results) {
            String label = r.getParams().getBenchmark().substring("io.bsth.bench.".length());
            for (BenchmarkResult br : r.getBenchmarkResults()) {
                for (IterationResult ir : br.getIterationResults()) {
                    score.merge(label, ir.getPrimaryResult().getScore(), Math::max);
                }
            }
        }
    }

    static List<Entry> parse(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such floors file");
        List<Entry> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            int hash = line.indexOf('#');
            if (hash >= 0) line = line.substring(0, hash).strip();
            if (line.isEmpty()) continue;
            int eq = line.indexOf('=');
            String[] v = eq < 0 ? new String[0] : line.substring(eq + 1).strip().split("\\s+");
            if (eq <= 0 || v.length != 3) {
                throw new IllegalArgumentException(file + " line " + (i + 1)
                        + ": expected 'name = FastBenchmark.method ScalarBenchmark.method floor', got '" + lines.get(i) + "'");
            }
            double floor;
            try {
                floor = Double.parseDouble(v[2]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": floor '" + v[2] + "' is not a number");
            }
            out.add(new Entry(line.substring(0, eq).strip(), v[0], v[1], floor));
        }
        if (out.isEmpty()) throw new IllegalArgumentException(file + ": no entries");
        return out;
    }
}
