package io.bsth.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bsth.retrieval.Evaluation;
import io.bsth.retrieval.PackedCodes;
import io.bsth.retrieval.Search;
import io.bsth.tensor.io.Json;
import io.bsth.tensor.io.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetrievalCommandsTest {
    @TempDir
    Path dir;

    static CliRun run(String... args) {
        return CliRun.run(args);
    }

    static byte[] signs(Random rnd, int n, int nbit) {
        byte[] s = new byte[n * nbit];
        for (int i = 0; i < s.length; i++) s[i] = (byte) (rnd.nextBoolean() ? 1 : -1);
        return s;
    }

    static float[] labels(Random rnd, int n, int c) {
        float[] l = new float[n * c];
        for (int i = 0; i < l.length; i++) l[i] = rnd.nextDouble() < 0.2 ? 1 : 0;
        return l;
    }

    @Test
    void metricsWritesContractReportMatchingTheLibrary() throws Exception {
        Random rnd = new Random(5);
        int nbit = 24, n = 700, nq = 60, c = 5;
        byte[] dbs = signs(rnd, n, nbit), qs = signs(rnd, nq, nbit);
        float[] ldb = labels(rnd, n, c), lq = labels(rnd, nq, c);
        Npy.writeBytes(dir.resolve("db.npy"), dbs, n, nbit);
        Npy.writeBytes(dir.resolve("q.npy"), qs, nq, nbit);
        Npy.writeFloats(dir.resolve("ldb.npy"), ldb, n, c);
        Npy.writeFloats(dir.resolve("lq.npy"), lq, nq, c);
        CliRun r = run("metrics", "--query-codes", dir.resolve("q.npy").toString(), "--db-codes", dir.resolve("db.npy").toString(),
                "--query-labels", dir.resolve("lq.npy").toString(), "--db-labels", dir.resolve("ldb.npy").toString(),
                "--threads", "2", "--report", dir.resolve("m.json").toString());
        assertEquals(0, r.status(), r.err());
        Map<String, Object> m = Json.parseObject(Files.readString(dir.resolve("m.json")));
        Evaluation.Result want = Evaluation.evaluate(PackedCodes.fromInt8(qs, nq, nbit), PackedCodes.fromInt8(dbs, n, nbit), lq, ldb, c);
        assertEquals(want.mapAll(), (Double) m.get("map_all"), 1e-12);
        @SuppressWarnings("unchecked")
        Map<String, Object> p = (Map<String, Object>) m.get("p_at");
        @SuppressWarnings("unchecked")
        Map<String, Object> mp = (Map<String, Object>) m.get("map_at");
        for (String d : new String[] {"50", "100", "500", "1000"}) {
            assertEquals(want.precisionAt(Integer.parseInt(d)), (Double) p.get(d), 1e-12);
            assertEquals(want.mapAt(Integer.parseInt(d)), (Double) mp.get(d), 1e-12);
        }
        assertTrue((Double) m.get("eval_seconds") >= 0);
        assertTrue(r.out().startsWith("mAP@All "), r.out());
    }

    @Test
    void searchWritesIndicesAndDistances() throws Exception {
        Random rnd = new Random(6);
        int nbit = 70, n = 900, nq = 7, k = 25;
        byte[] dbs = signs(rnd, n, nbit), qs = signs(rnd, nq, nbit);
        Npy.writeBytes(dir.resolve("db.npy"), dbs, n, nbit);
        Npy.writeBytes(dir.resolve("q.npy"), qs, nq, nbit);
        CliRun r = run("search", "--db-codes", dir.resolve("db.npy").toString(), "--queries", dir.resolve("q.npy").toString(),
                "--k", "" + k, "--out", dir.resolve("idx.npy").toString(), "--distances", dir.resolve("d.npy").toString(),
                "--threads", "2", "--report", dir.resolve("s.json").toString());
        assertEquals(0, r.status(), r.err());
        Search.TopK want = Search.topK(PackedCodes.fromInt8(qs, nq, nbit), PackedCodes.fromInt8(dbs, n, nbit), k);
        Npy.Floats idx = Npy.readFloats(dir.resolve("idx.npy")), d = Npy.readFloats(dir.resolve("d.npy"));
        assertEquals(nq, idx.rows());
        assertEquals(k, idx.cols());
        for (int i = 0; i < nq * k; i++) {
            assertEquals(want.indices()[i], (int) idx.data()[i]);
            assertEquals(want.distances()[i], (int) d.data()[i]);
        }
        Map<String, Object> m = Json.parseObject(Files.readString(dir.resolve("s.json")));
        assertTrue(m.containsKey("search_seconds"));
    }

    @Test
    void badInputsGetOneLineAndStatus2() throws Exception {
        Random rnd = new Random(7);
        Npy.writeBytes(dir.resolve("db.npy"), signs(rnd, 50, 16), 50, 16);
        Npy.writeBytes(dir.resolve("q8.npy"), signs(rnd, 3, 8), 3, 8);
        Npy.writeBytes(dir.resolve("q.npy"), signs(rnd, 3, 16), 3, 16);
        byte[] zero = signs(rnd, 3, 16);
        zero[17] = 0;
        Npy.writeBytes(dir.resolve("zero.npy"), zero, 3, 16);
        Npy.writeFloats(dir.resolve("l2.npy"), new float[] {0, 1, 2, 0, 1, 1}, 3, 2);
        Npy.writeFloats(dir.resolve("ldb.npy"), labels(rnd, 49, 2), 49, 2);
        String db = dir.resolve("db.npy").toString(), out = dir.resolve("idx.npy").toString();
        String[][] cases = {
            {"search", "--db-codes", db, "--queries", dir.resolve("q8.npy").toString(), "--out", out, "--k", "5"},
            {"search", "--db-codes", db, "--queries", dir.resolve("zero.npy").toString(), "--out", out},
            {"search", "--db-codes", db, "--queries", dir.resolve("q.npy").toString(), "--out", out, "--k", "0"},
            {"search", "--db-codes", db, "--queries", dir.resolve("q.npy").toString(), "--out", out, "--k", "51"},
            {"search", "--db-codes", dir.resolve("missing.npy").toString(), "--queries", dir.resolve("q.npy").toString(), "--out", out},
            {"search", "--db-codes", db, "--queries", dir.resolve("q.npy").toString(), "--out", dir.resolve("nodir/idx.npy").toString()},
            {"metrics", "--query-codes", dir.resolve("q.npy").toString(), "--db-codes", db, "--query-labels",
                dir.resolve("l2.npy").toString(), "--db-labels", dir.resolve("l2.npy").toString()},
            {"metrics", "--query-codes", db, "--db-codes", db, "--query-labels",
                dir.resolve("ldb.npy").toString(), "--db-labels", dir.resolve("ldb.npy").toString()},
        };
        String[] expect = {"has 8 bits per code", "row 1, bit 1 is 0, expected +1 or -1", "--k: expected a positive",
            "--k: 51 exceeds the 50 codes", "no such file", "does not exist", "row 1, class 0 is 2.0, expected 0 or 1",
            "has 49 rows, --query-codes"};
        for (int i = 0; i < cases.length; i++) {
            CliRun r = run(cases[i]);
            assertEquals(2, r.status(), String.join(" ", cases[i]) + "\n" + r.err());
            String line = r.err().strip();
            assertFalse(line.contains("\n"), "one line: " + line);
            assertTrue(line.startsWith("bsth " + cases[i][0] + ": ") && line.contains(expect[i]), line);
        }
        assertFalse(Files.exists(dir.resolve("idx.npy")), "no output after a failed search");
    }
}
