package io.bsth.cli;

import io.bsth.retrieval.CodeFiles;
import io.bsth.retrieval.Evaluation;
import io.bsth.retrieval.PackedCodes;
import io.bsth.tensor.Parallel;
import io.bsth.tensor.io.AtomicFiles;
import io.bsth.tensor.io.Json;
import io.bsth.tensor.io.Npy;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bsth metrics}: the evaluation of docs/ALGORITHM.md from codes and labels alone. */
@Command(name = "metrics", mixinStandardHelpOptions = true,
        description = "Evaluate retrieval from codes alone: mAP@All, precision/recall/mAP at depths, PR curve by Hamming radius.")
public final class MetricsCommand implements Callable<Integer> {
    @Option(names = "--query-codes", required = true, paramLabel = "Q.npy", description = "Query codes: int8 +1/-1, nq x nbit.")
    Path queryCodes;

    @Option(names = "--db-codes", required = true, paramLabel = "DB.npy", description = "Database codes: int8 +1/-1, N x nbit.")
    Path dbCodes;

    @Option(names = "--query-labels", required = true, paramLabel = "LQ.npy", description = "Query labels: 0/1, nq x C.")
    Path queryLabels;

    @Option(names = "--db-labels", required = true, paramLabel = "LDB.npy", description = "Database labels: 0/1, N x C.")
    Path dbLabels;

    @Option(names = "--depths", split = ",", paramLabel = "J", defaultValue = "50,100,500,1000",
            description = "Depths for precision@j, recall@j and mAP@j (default: ${DEFAULT-VALUE}).")
    int[] depths;

    @Option(names = "--report", paramLabel = "FILE", description = "Write the metrics as JSON (map_all, p_at, map_at, ..., eval_seconds).")
    Path report;

    @Mixin
    ThreadsOption threads;

    @Override
    public Integer call() throws Exception {
        for (int j : depths) if (j < 1) throw new IllegalArgumentException("--depths: expected depths >= 1, got " + j);
        Outputs.checkFile("--report", report);
        long l0 = System.nanoTime();
        PackedCodes q = CodeFiles.readCodes(queryCodes);
        Npy.Floats lq = CodeFiles.readLabels(queryLabels);
        PackedCodes db = CodeFiles.readCodes(dbCodes);
        Npy.Floats ldb = CodeFiles.readLabels(dbLabels);
        if (q.nbit() != db.nbit()) {
            throw new IllegalArgumentException("--query-codes " + queryCodes + " has " + q.nbit() + " bits per code, --db-codes "
                    + dbCodes + " has " + db.nbit());
        }
        if (lq.rows() != q.size()) {
            throw new IllegalArgumentException("--query-labels " + queryLabels + " has " + lq.rows() + " rows, --query-codes "
                    + queryCodes + " has " + q.size());
        }
        if (ldb.rows() != db.size()) {
            throw new IllegalArgumentException("--db-labels " + dbLabels + " has " + ldb.rows() + " rows, --db-codes "
                    + dbCodes + " has " + db.size());
        }
        if (lq.cols() != ldb.cols()) {
            throw new IllegalArgumentException("--query-labels " + queryLabels + " has " + lq.cols() + " classes, --db-labels "
                    + dbLabels + " has " + ldb.cols());
        }
        double loadSeconds = (System.nanoTime() - l0) / 1e9;
        long t0 = System.nanoTime();
        Evaluation.Result r = Evaluation.evaluate(q, db, lq.data(), ldb.data(), lq.cols(), depths);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> m = r.toReportMap();
        m.put("eval_seconds", seconds);
        m.put("load_seconds", loadSeconds);
        m.put("threads", (long) Parallel.threads());
        m.put("nbit", (long) q.nbit());
        m.put("database", (long) db.size());
        if (report != null) AtomicFiles.writeString(report, Json.write(m));
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "mAP@All %.4f", r.mapAll()));
        for (int j : depths) b.append(String.format(Locale.ROOT, "  P@%d %.4f  mAP@%d %.4f", j, r.precisionAt(j), j, r.mapAt(j)));
        System.out.println(b);
        System.out.printf(Locale.ROOT, "precision within radius 2 %.4f; %d queries (%d with a relevant item) x %d codes of %d bits; eval %.3f s on %d thread%s%n",
                r.precisionRadius2(), r.queries(), r.queriesWithRelevant(), db.size(), q.nbit(), seconds, Parallel.threads(),
                Parallel.threads() == 1 ? "" : "s");
        return 0;
    }
}
