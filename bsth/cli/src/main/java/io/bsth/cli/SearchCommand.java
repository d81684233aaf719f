package io.bsth.cli;


import io.bsth.retrieval.CodeFiles;
import io.bsth.retrieval.PackedCodes;
import io.bsth.retrieval.Search;
import io.bsth.tensor.Parallel;
import io.bsth.tensor.backend.Backend;
import io.bsth.tensor.backend.DeviceBuffer;
import io.bsth.tensor.io.AtomicFiles;
import io.bsth.tensor.io.Json;
import io.bsth.tensor.io.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bsth search}: exact Hamming top-k per query, ties by database index. */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Exact Hamming top-k of every query code against database codes (ties by database index).")
public final class SearchCommand implements Callable<Integer> {
    @Option(names = "--db-codes", required = true, paramLabel = "DB.npy", description = "Database codes: int8 +1/-1, N x nbit.")
    Path dbCodes;

    @Option(names = "--queries", required = true, paramLabel = "Q.npy", description = "Query codes: int8 +1/-1, nq x nbit.")
    Path queries;

    @Option(names = "--k", paramLabel = "K", defaultValue = "100", description = "Neighbours per query (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--out", required = true, paramLabel = "IDX.npy", description = "Database indices, int64 nq x k, nearest first.")
    Path out;

    @Option(names = "--distances", paramLabel = "D.npy", description = "Also write the Hamming distances, int32 nq x k.")
    Path distances;

    @Option(names = "--report", paramLabel = "FILE", description = "Write a JSON report (search_seconds, sizes, threads).")
    Path report;

    @Mixin
    ThreadsOption threads;

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() throws Exception {
        if (k < 1) throw new IllegalArgumentException("--k: expected a positive number of neighbours, got " + k);
        Outputs.checkFile("--out", out);
        Outputs.checkFile("--distances", distances);
        Outputs.checkFile("--report", report);
        if (!device.isCpu()) return callOnDevice();
        long l0 = System.nanoTime();
        PackedCodes q = CodeFiles.readCodes(queries);
        PackedCodes db = readDatabase(q);
        double loadSeconds = (System.nanoTime() - l0) / 1e9;
        long t0 = System.nanoTime();
        Search.TopK r = Search.topK(q, db, k);
        double seconds = (System.nanoTime() - t0) / 1e9;
        write(q, db, r.indices(), r.distances(), seconds, loadSeconds, Map.of());
        System.out.printf(Locale.ROOT, "%d queries x %d codes of %d bits, k %d: search %.3f s on %d thread%s%n",
                q.size(), db.size(), db.nbit(), k, seconds, Parallel.threads(), Parallel.threads() == 1 ? "" : "s");
        return 0;
    }

    /**
     * The search on a GPU backend: both code sets are uploaded once, one kernel launch ranks every
     * query, one download brings back indices and distances. search_seconds covers upload, kernel and
     * download; load_seconds the file reads and opening the device.
     */
    private int callOnDevice() throws Exception {
        long l0 = System.nanoTime();
        PackedCodes q = CodeFiles.readCodes(queries);
        PackedCodes db = readDatabase(q);
        if (db.nbit() > Backend.MAX_SEARCH_BITS) {
            throw new IllegalArgumentException("--device " + device.device + ": codes of " + db.nbit() + " bits exceed the GPU search's "
                    + Backend.MAX_SEARCH_BITS);
        }
        try (Backend b = device.open()) {
            System.err.println("bsth search: device " + b.describe());
            double loadSeconds = (System.nanoTime() - l0) / 1e9;
            int nq = q.size(), n = db.size(), words = PackedCodes.wordsFor(db.nbit());
            int[] idx = new int[nq * k], dist = new int[nq * k];
            long t0 = System.nanoTime();
            try (DeviceBuffer dq = b.allocate(DeviceBuffer.Kind.LONG, (long) nq * words);
                 DeviceBuffer dd = b.allocate(DeviceBuffer.Kind.LONG, (long) n * words);
                 DeviceBuffer di = b.allocate(DeviceBuffer.Kind.INT, (long) nq * k);
                 DeviceBuffer ds = b.allocate(DeviceBuffer.Kind.INT, (long) nq * k)) {
                b.upload(q.words(), 0, nq * words, dq);
                b.upload(db.words(), 0, n * words, dd);
                if (nq > 0) b.hammingTopK(dq, nq, dd, n, db.nbit(), k, di, ds);
                b.download(di, idx, 0, idx.length);
                b.download(ds, dist, 0, dist.length);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            write(q, db, idx, dist, seconds, loadSeconds, Map.of("device", b.name()));
            System.out.printf(Locale.ROOT, "%d queries x %d codes of %d bits, k %d: search %.3f s on %s%n",
                    nq, n, db.nbit(), k, seconds, b.describe());
        }
        return 0;
    }

    private void write(PackedCodes q, PackedCodes db, int[] indices, int[] dist, double seconds, double loadSeconds,
                       Map<String, Object> extra) throws Exception {
        long[] idx = new long[indices.length];
        for (int i = 0; i < idx.length; i++) idx[i] = indices[i];
        Npy.writeLongs(out, idx, q.size(), k);
        if (distances != null) Npy.writeInts(distances, dist, q.size(), k);
        if (report != null) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("queries", (long) q.size());
            m.put("database", (long) db.size());
            m.put("nbit", (long) db.nbit());
            m.put("k", (long) k);
            m.put("threads", (long) Parallel.threads());
            m.putAll(extra);
            m.put("search_seconds", seconds);
            m.put("load_seconds", loadSeconds);
            AtomicFiles.writeString(report, Json.write(m));
        }
    }

    /** The database codes, checked against the queries' width and against --k. */
    private PackedCodes readDatabase(PackedCodes q) throws IOException {
        PackedCodes db = CodeFiles.readCodes(dbCodes);
        if (q.nbit() != db.nbit()) {
            throw new IllegalArgumentException("--queries " + queries + " has " + q.nbit() + " bits per code, --db-codes "
                    + dbCodes + " has " + db.nbit());
        }
        if (k > db.size()) {
            throw new IllegalArgumentException("--k: " + k + " exceeds the " + db.size() + " codes of --db-codes " + dbCodes);
        }
        return db;
    }
}
