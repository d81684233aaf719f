package io.bsth.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bsth.model.BsthNetwork;
import io.bsth.model.ModelConfig;
import io.bsth.model.ModelFile;
import io.bsth.retrieval.CodeIndex;
import io.bsth.retrieval.PackedCodes;
import io.bsth.tensor.Rng;
import io.bsth.tensor.io.Json;
import io.bsth.tensor.io.Npy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexServeExportTest {
    @TempDir
    Path dir;

    String p(String name) {
        return dir.resolve(name).toString();
    }

    static CliRun ok(String... args) {
        CliRun r = CliRun.run(args);
        assertEquals(0, r.status(), String.join(" ", args) + ": " + r.err());
        return r;
    }

    static CliRun bad(String... args) {
        CliRun r = CliRun.run(args);
        assertEquals(2, r.status(), String.join(" ", args) + ": expected exit 2, got " + r.status() + ": " + r.err() + r.out());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
        return r;
    }

    static byte[] signs(Random rnd, int n, int nbit, int distinct) {
        byte[] base = new byte[distinct * nbit];
        for (int i = 0; i < base.length; i++) base[i] = (byte) (rnd.nextBoolean() ? 1 : -1);
        byte[] s = new byte[n * nbit];
        for (int i = 0; i < n; i++) System.arraycopy(base, rnd.nextInt(distinct) * nbit, s, i * nbit, nbit);
        return s;
    }

    @Test
    void indexCommandsShardsAndErrors() throws Exception {
        Random rnd = new Random(61);
        int nbit = 16, n = 900;
        byte[] db = signs(rnd, n, nbit, 40), q = signs(rnd, 12, nbit, 40);
        long[] ids = IntStream.range(0, n).mapToLong(i -> 5000L - 3L * i).toArray();   // descending: ties by id differ from row order
        Npy.writeBytes(dir.resolve("db.npy"), db, n, nbit);
        Npy.writeBytes(dir.resolve("q.npy"), q, 12, nbit);
        Npy.writeLongs(dir.resolve("ids.npy"), ids, n, 1);
        Npy.writeBytes(dir.resolve("a.npy"), Arrays.copyOfRange(db, 0, 500 * nbit), 500, nbit);
        Npy.writeBytes(dir.resolve("b.npy"), Arrays.copyOfRange(db, 500 * nbit, n * nbit), n - 500, nbit);
        Npy.writeLongs(dir.resolve("ida.npy"), Arrays.copyOfRange(ids, 0, 500), 500, 1);
        Npy.writeLongs(dir.resolve("idb.npy"), Arrays.copyOfRange(ids, 500, n), n - 500, 1);
        ok("index", "create", "--nbit", "16", "--index", p("one.bidx"));
        ok("index", "add", "--index", p("one.bidx"), "--codes", p("db.npy"), "--ids", p("ids.npy"), "--batch", "64");
        for (String s : new String[] {"a", "b"}) {
            ok("index", "create", "--nbit", "16", "--index", p(s + ".bidx"));
            ok("index", "add", "--index", p(s + ".bidx"), "--codes", p(s + ".npy"), "--ids", p("id" + s + ".npy"));
        }
        ok("index", "search", "--index", p("one.bidx"), "--codes", p("q.npy"), "--k", "50", "--out", p("o1.npy"), "--distances", p("d1.npy"));
        ok("index", "search", "--index", p("b.bidx") + "," + p("a.bidx"), "--codes", p("q.npy"), "--k", "50", "--out", p("o2.npy"),
                "--distances", p("d2.npy"), "--report", p("r.json"));
        assertEquals(2L, Json.parseObject(Files.readString(dir.resolve("r.json"))).get("shards"));
        Npy.Floats o1 = Npy.readFloats(dir.resolve("o1.npy"));
        assertEquals(12, o1.rows());
        assertEquals(50, o1.cols());
        assertArrayEquals(Npy.readLongs(dir.resolve("o1.npy")), Npy.readLongs(dir.resolve("o2.npy")), "shards merge to the single index's answer");
        assertArrayEquals(Npy.readFloats(dir.resolve("d1.npy")).data(), Npy.readFloats(dir.resolve("d2.npy")).data());
        // brute force: (distance, id) order
        PackedCodes all = PackedCodes.fromInt8(db, n, nbit), qc = PackedCodes.fromInt8(q, 12, nbit);
        long[] got = Npy.readLongs(dir.resolve("o1.npy"));
        for (int qi = 0; qi < 12; qi++) {
            final int qq = qi;
            List<Integer> order = IntStream.range(0, n).boxed()
                    .sorted((x, y) -> qc.distance(qq, all, x) != qc.distance(qq, all, y) ? Integer.compare(qc.distance(qq, all, x), qc.distance(qq, all, y))
                            : Long.compare(ids[x], ids[y])).collect(Collectors.toList());
            for (int r = 0; r < 50; r++) assertEquals(ids[order.get(r)], got[qi * 50 + r], "query " + qi + " rank " + r);
        }
        // delete, info, compact
        Npy.writeLongs(dir.resolve("del.npy"), new long[] {ids[0], ids[1]}, 2, 1);
        ok("index", "delete", "--index", p("one.bidx"), "--ids", p("del.npy"));
        assertTrue(ok("index", "info", "--index", p("one.bidx")).out().contains("items: 898"));
        ok("index", "compact", "--index", p("one.bidx"));
        assertTrue(ok("index", "info", "--index", p("one.bidx")).out().contains("dead_records: 0"));
        // errors: one line, exit 2, nothing changed or written
        long before = Files.size(dir.resolve("one.bidx"));
        assertTrue(bad("index", "add", "--index", p("one.bidx"), "--codes", p("db.npy"), "--ids", p("ids.npy")).err().contains("already in the index"));
        assertTrue(bad("index", "delete", "--index", p("one.bidx"), "--ids", p("del.npy")).err().contains("not in the index"));
        assertEquals(before, Files.size(dir.resolve("one.bidx")));
        assertTrue(bad("index", "search", "--index", p("a.bidx") + "," + p("one.bidx"), "--codes", p("q.npy"), "--k", "5", "--out", p("x.npy"))
                .err().contains("unique across"));
        bad("index", "search", "--index", p("one.bidx"), "--codes", p("q.npy"), "--k", "0", "--out", p("x.npy"));
        bad("index", "search", "--index", p("one.bidx"), "--codes", p("q.npy"), "--k", "100000", "--out", p("x.npy"));
        bad("index", "search", "--index", p("one.bidx"), "--k", "5", "--out", p("x.npy"));
        bad("index", "search", "--index", p("none.bidx"), "--codes", p("q.npy"), "--k", "5", "--out", p("x.npy"));
        assertFalse(Files.exists(dir.resolve("x.npy")));
        bad("index", "create", "--nbit", "16", "--index", p("one.bidx"));
        bad("index", "add", "--index", p("a.bidx"), "--codes", p("ids.npy"));
        Files.write(dir.resolve("junk.bidx"), new byte[64]);
        assertTrue(bad("index", "info", "--index", p("junk.bidx")).err().startsWith("bsth index info: "));
    }

    static BsthNetwork tinyModel(Path file, int nbit) throws Exception {
        BsthNetwork net = new BsthNetwork(new ModelConfig(12, 10, 5, nbit, 1, 1, 0.5f), new Rng(3));
        ModelFile.save(file, net);
        return ModelFile.load(file, 1);
    }

    static float[] features(Random rnd, int n, int d) {
        float[] f = new float[n * d];
        for (int i = 0; i < f.length; i++) f[i] = (float) rnd.nextGaussian();
        return f;
    }

    @Test
    void addByFeaturesStreamsAndMissingModalityEncodesThroughOneBranch() throws Exception {
        Random rnd = new Random(62);
        BsthNetwork net = tinyModel(dir.resolve("m.safetensors"), 16);
        int n = 53;
        float[] img = features(rnd, n, 12), txt = features(rnd, n, 10);
        Npy.writeFloats(dir.resolve("I.npy"), img, n, 12);
        Npy.writeFloats(dir.resolve("T.npy"), txt, n, 10);
        for (String mode : new String[] {"both", "image", "text"}) {
            String f = p(mode + ".bidx");
            ok("index", "create", "--nbit", "16", "--index", f);
            List<String> args = new ArrayList<>(List.of("index", "add", "--index", f, "--model", p("m.safetensors"), "--batch", "7"));
            if (!mode.equals("text")) args.addAll(List.of("--image", p("I.npy")));
            if (!mode.equals("image")) args.addAll(List.of("--text", p("T.npy")));
            ok(args.toArray(String[]::new));
            PackedCodes want = Features.encode(net, mode.equals("text") ? null : img, mode.equals("image") ? null : txt, n);
            try (CodeIndex x = CodeIndex.openReadOnly(dir.resolve(mode + ".bidx"))) {
                assertEquals(want, x.items().codes(), mode + ": streamed in batches of 7 = encoded at once");
                assertArrayEquals(IntStream.range(0, n).mapToLong(i -> i).toArray(), x.items().ids());
            }
        }
        try (CodeIndex a = CodeIndex.openReadOnly(dir.resolve("image.bidx")); CodeIndex b = CodeIndex.openReadOnly(dir.resolve("both.bidx"))) {
            assertFalse(a.items().codes().equals(b.items().codes()), "image-only codes differ from fused ones");
        }
        // search by features (text only) = the library's search with the codes the model gives
        ok("index", "search", "--index", p("both.bidx"), "--model", p("m.safetensors"), "--text", p("T.npy"), "--k", "5", "--out", p("fo.npy"),
                "--distances", p("fd.npy"));
        try (CodeIndex x = CodeIndex.openReadOnly(dir.resolve("both.bidx"))) {
            CodeIndex.Hits[] want = x.search(Features.encode(net, null, txt, n), 5);
            long[] got = Npy.readLongs(dir.resolve("fo.npy"));
            long[] gotD = Npy.readLongs(dir.resolve("fd.npy"));
            for (int q = 0; q < n; q++) {
                for (int r = 0; r < 5; r++) {
                    assertEquals(want[q].ids()[r], got[q * 5 + r], "query " + q + " rank " + r);
                    assertEquals(want[q].distances()[r], gotD[q * 5 + r]);
                }
            }
        }
        float[] bad = img.clone();
        bad[12 * 40 + 3] = Float.NaN;
        Npy.writeFloats(dir.resolve("Ibad.npy"), bad, n, 12);
        assertTrue(bad("index", "add", "--index", p("both.bidx"), "--model", p("m.safetensors"), "--image", p("Ibad.npy"), "--text", p("T.npy"), "--batch", "7")
                .err().contains("row 40, column 3"));
        try (CodeIndex x = CodeIndex.openReadOnly(dir.resolve("both.bidx"))) {
            assertEquals(n, x.size(), "a failure in a later batch publishes nothing");
        }
        bad("index", "add", "--index", p("both.bidx"), "--model", p("m.safetensors"));
        bad("index", "add", "--index", p("both.bidx"), "--model", p("m.safetensors"), "--image", p("T.npy"));
    }

    @Test
    void exportFormatsCarryTheCodesInIdOrder() throws Exception {
        Random rnd = new Random(63);
        int nbit = 20, n = 30;   // 20 bits: 3 bytes, the last padded with clear bits
        byte[] s = signs(rnd, n, nbit, 30);
        try (CodeIndex x = CodeIndex.create(dir.resolve("e.bidx"), nbit)) {
            x.add(IntStream.range(0, n).mapToLong(i -> 100L - i).toArray(), PackedCodes.fromInt8(s, n, nbit));
        }
        for (String f : new String[] {"faiss", "opensearch", "elasticsearch", "milvus", "packed"}) {
            ok("export", "--index", p("e.bidx"), "--format", f, "--out", p("out-" + f), "--name", "items");
        }
        // packed: bytes in id order, little-endian bit order
        byte[] codes = Files.readAllBytes(dir.resolve("out-packed/codes.bin"));
        assertEquals(n * 3, codes.length);
        long[] ids = Npy.readLongs(dir.resolve("out-packed/ids.npy"));
        assertArrayEquals(IntStream.range(0, n).mapToLong(i -> 71L + i).toArray(), ids);
        for (int r = 0; r < n; r++) {
            int row = (int) (100 - ids[r]);
            for (int j = 0; j < nbit; j++) {
                boolean set = (codes[r * 3 + j / 8] >> (j % 8) & 1) != 0;
                assertEquals(s[row * nbit + j] == 1, set, "id " + ids[r] + " bit " + j);
            }
            for (int j = nbit; j < 24; j++) assertEquals(0, codes[r * 3 + j / 8] >> (j % 8) & 1, "padding bit");
        }
        // faiss: header then the same bytes
        byte[] fa = Files.readAllBytes(dir.resolve("out-faiss"));
        assertEquals("IBxF", new String(fa, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
        assertArrayEquals(codes, Arrays.copyOfRange(fa, fa.length - codes.length, fa.length));
        assertArrayEquals(ids, Npy.readLongs(dir.resolve("out-faiss.ids.npy")));
        // opensearch / elasticsearch: index body + bulk pairs with signed bytes
        for (String f : new String[] {"opensearch", "elasticsearch"}) {
            Map<String, Object> idx = Json.parseObject(Files.readString(dir.resolve("out-" + f + "/index.json")));
            assertTrue(idx.containsKey("mappings"), f);
            List<String> lines = Files.readAllLines(dir.resolve("out-" + f + "/bulk.ndjson"));
            assertEquals(2 * n, lines.size());
            Map<String, Object> action = Json.parseObject(lines.get(0));
            @SuppressWarnings("unchecked")
            Map<String, Object> meta = (Map<String, Object>) action.get("index");
            assertEquals("items", meta.get("_index"));
            assertEquals("71", meta.get("_id"));
            @SuppressWarnings("unchecked")
            List<Object> v = (List<Object>) Json.parseObject(lines.get(1)).get("code");
            for (int b = 0; b < 3; b++) assertEquals((long) codes[b], v.get(b), f + " byte " + b);
        }
        Map<String, Object> mil = Json.parseObject(Files.readString(dir.resolve("out-milvus")));
        assertEquals(n, ((List<?>) mil.get("rows")).size());
        bad("export", "--index", p("e.bidx"), "--format", "packed", "--out", p("out-packed"));
        bad("export", "--index", p("e.bidx"), "--format", "parquet", "--out", p("x"));
    }

    // ---- the HTTP service

    record Reply(int status, String body) {}

    static Reply call(HttpClient c, String method, String url, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = c.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    static String codeJson(PackedCodes c, int i) {
        StringBuilder sb = new StringBuilder("[");
        for (int j = 0; j < c.nbit(); j++) sb.append(j == 0 ? "" : ",").append((c.word(i, j >>> 6) >>> (j & 63) & 1L) != 0 ? 1 : -1);
        return sb.append(']').toString();
    }

    static String rowsJson(float[] f, int n, int d) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "[" : ",[");
            for (int j = 0; j < d; j++) sb.append(j == 0 ? "" : ",").append(f[i * d + j]);
            sb.append(']');
        }
        return sb.append(']').toString();
    }

    @Test
    void serverAnswersEveryRouteAndRefusesEveryBadRequestWithoutChangingAnything() throws Exception {
        Random rnd = new Random(64);
        int nbit = 16;
        BsthNetwork net = tinyModel(dir.resolve("m.safetensors"), nbit);
        PackedCodes db = PackedCodes.fromInt8(signs(rnd, 200, nbit, 20), 200, nbit);
        Path file = dir.resolve("s.bidx");
        try (CodeIndex x = CodeIndex.create(file, nbit)) {
            x.add(db);
        }
        HttpService s = new HttpService(CodeIndex.open(file), net, true, "127.0.0.1", 0, 4096, 1000);
        HttpClient c = HttpClient.newHttpClient();
        String u = "http://127.0.0.1:" + s.port();
        try {
            Reply h = call(c, "GET", u + "/health", null);
            assertEquals(200, h.status());
            assertEquals(Map.of("status", "ok", "nbit", 16L, "items", 200L), Json.parseObject(h.body()));
            // search by code equals the library's answer
            Reply r = call(c, "POST", u + "/search", "{\"codes\": [" + codeJson(db, 5) + "," + codeJson(db, 9) + "], \"k\": 7}");
            assertEquals(200, r.status(), r.body());
            CodeIndex.Hits[] want;
            try (CodeIndex ro = CodeIndex.openReadOnly(file)) {
                want = ro.search(PackedCodes.wrap(new long[] {db.word(5, 0), db.word(9, 0)}, 2, nbit), 7);
            }
            List<?> results = (List<?>) Json.parseObject(r.body()).get("results");
            for (int q = 0; q < 2; q++) {
                List<?> hits = (List<?>) results.get(q);
                for (int k = 0; k < 7; k++) {
                    Map<?, ?> hit = (Map<?, ?>) hits.get(k);
                    assertEquals(want[q].ids()[k], hit.get("id"));
                    assertEquals((long) want[q].distances()[k], hit.get("distance"));
                }
            }
            // encode: both, image only, text only equal the model's codes
            float[] img = features(rnd, 2, 12), txt = features(rnd, 2, 10);
            Reply e = call(c, "POST", u + "/encode", "{\"image\": " + rowsJson(img, 2, 12) + ", \"text\": " + rowsJson(txt, 2, 10) + "}");
            assertEquals(200, e.status(), e.body());
            PackedCodes fused = Features.encode(net, img, txt, 2);
            assertEquals(Json.parse("[" + codeJson(fused, 0) + "," + codeJson(fused, 1) + "]"), Json.parseObject(e.body()).get("codes"));
            Reply ei = call(c, "POST", u + "/encode", "{\"image\": " + rowsJson(img, 2, 12) + "}");
            PackedCodes imageOnly = Features.encode(net, img, null, 2);
            assertEquals(Json.parse("[" + codeJson(imageOnly, 0) + "," + codeJson(imageOnly, 1) + "]"), Json.parseObject(ei.body()).get("codes"));
            assertEquals(200, call(c, "POST", u + "/encode", "{\"text\": " + rowsJson(txt, 1, 10) + "}").status());
            assertEquals(200, call(c, "POST", u + "/search", "{\"text\": " + rowsJson(txt, 1, 10) + ", \"k\": 3}").status());
            // items: add by code and by features, delete
            Reply a = call(c, "POST", u + "/items", "{\"ids\": [1000, 1001], \"codes\": [" + codeJson(db, 1) + "," + codeJson(db, 2) + "]}");
            assertEquals(200, a.status(), a.body());
            assertEquals(2L, Json.parseObject(a.body()).get("added"));
            assertEquals(200, call(c, "POST", u + "/items", "{\"ids\": [2000], \"image\": " + rowsJson(img, 1, 12) + "}").status());
            assertEquals("{\"deleted\": 1}", call(c, "DELETE", u + "/items/1001", null).body());
            assertEquals(202L, Json.parseObject(call(c, "GET", u + "/health", null).body()).get("items"));
            // every bad request: its status, one JSON error naming the field, and nothing changed
            String longBody = "{\"codes\": [" + (codeJson(db, 0) + ",").repeat(200) + codeJson(db, 0) + "], \"k\": 1}";
            String[][] badOnes = {
                {"GET", "/nowhere", null, "404", "route"},
                {"POST", "/health", "{}", "405", "method"},
                {"GET", "/search", null, "405", "method"},
                {"POST", "/search", "not json", "400", "body"},
                {"POST", "/search", "", "400", "body"},
                {"POST", "/search", "[1,2]", "400", "body"},
                {"POST", "/search", "{\"codes\": [[1,-1]], \"k\": 3}", "400", "codes[0]"},
                {"POST", "/search", "{\"codes\": [" + codeJson(db, 0).replace("[1,", "[2,").replace("[-1,", "[2,") + "], \"k\": 3}", "400", "codes[0][0]"},
                {"POST", "/search", "{\"codes\": [" + codeJson(db, 0) + "], \"k\": 0}", "400", "k"},
                {"POST", "/search", "{\"codes\": [" + codeJson(db, 0) + "], \"k\": 1001}", "400", "k"},
                {"POST", "/search", "{\"codes\": [" + codeJson(db, 0) + "], \"k\": 2.5}", "400", "k"},
                {"POST", "/search", "{\"codes\": [" + codeJson(db, 0) + "]}", "400", "k"},
                {"POST", "/search", "{\"codes\": [], \"k\": 2}", "400", "codes"},
                {"POST", "/search", "{\"k\": 2}", "400", "codes"},
                {"POST", "/search", "{\"codes\": [" + codeJson(db, 0) + "], \"text\": " + rowsJson(txt, 1, 10) + ", \"k\": 2}", "400", "codes"},
                {"POST", "/search", "{\"codes\": [" + codeJson(db, 0) + "], \"k\": 2, \"extra\": 1}", "400", "extra"},
                {"POST", "/search", longBody, "413", "body"},
                {"POST", "/search", "[".repeat(100), "400", "body"},
                {"POST", "/encode", "{}", "400", "image"},
                {"POST", "/encode", "{\"image\": [[1,2,3]]}", "400", "image[0]"},
                {"POST", "/encode", "{\"image\": [[" + "1,".repeat(11) + "NaN]]}", "400", "NaN"},
                {"POST", "/encode", "{\"image\": [[" + "1,".repeat(11) + "1e999]]}", "400", "image[0][11]"},
                {"POST", "/encode", "{\"image\": [[" + "1,".repeat(11) + "\"x\"]]}", "400", "image[0][11]"},
                {"POST", "/encode", "{\"image\": " + rowsJson(img, 2, 12) + ", \"text\": " + rowsJson(txt, 1, 10) + "}", "400", "text"},
                {"POST", "/items", "{\"ids\": [1000], \"codes\": [" + codeJson(db, 3) + "]}", "400", "ids"},
                {"POST", "/items", "{\"ids\": [3000, 3000], \"codes\": [" + codeJson(db, 3) + "," + codeJson(db, 4) + "]}", "400", "ids"},
                {"POST", "/items", "{\"ids\": [3000], \"codes\": [" + codeJson(db, 3) + "," + codeJson(db, 4) + "]}", "400", "ids"},
                {"POST", "/items", "{\"ids\": [\"a\"], \"codes\": [" + codeJson(db, 3) + "]}", "400", "ids[0]"},
                {"POST", "/items", "{\"ids\": [3000, 3001], \"codes\": [" + codeJson(db, 3) + ",[1]]}", "400", "codes[1]"},
                {"GET", "/items", null, "405", "method"},
                {"DELETE", "/items/abc", null, "400", "id"},
                {"DELETE", "/items/1001", null, "404", "1001"},
                {"POST", "/items/5", null, "405", "method"},
            };
            long records = CodeIndexInfo.records(s);
            for (String[] b : badOnes) {
                Reply br = call(c, b[0], u + b[1], b[2]);
                String at = b[0] + " " + b[1] + " " + (b[2] == null ? "" : b[2].substring(0, Math.min(60, b[2].length())));
                assertEquals(Integer.parseInt(b[3]), br.status(), at + ": " + br.body());
                Map<String, Object> err = Json.parseObject(br.body());
                assertEquals(1, err.size(), at);
                String msg = (String) err.get("error");
                assertTrue(msg.contains(b[4]), at + ": the error names " + b[4] + ": " + msg);
                assertFalse(msg.contains("Exception") || msg.contains("\tat "), msg);
            }
            assertEquals(records, CodeIndexInfo.records(s), "no bad request wrote anything");
            assertEquals(202L, Json.parseObject(call(c, "GET", u + "/health", null).body()).get("items"));
            // metrics
            Reply m = call(c, "GET", u + "/metrics", null);
            assertEquals(200, m.status());
            assertTrue(m.body().contains("bsth_http_requests_total{route=\"/search\",status=\"200\"}"), m.body());
            assertTrue(m.body().contains("bsth_http_requests_total{route=\"/search\",status=\"413\"} 1"), m.body());
            assertTrue(m.body().contains("bsth_http_request_duration_seconds_bucket{route=\"/search\",le=\"+Inf\"}"), m.body());
            assertTrue(m.body().contains("bsth_index_items 202"), m.body());
        } finally {
            s.stop(1);
        }
        // a read-only server refuses /items
        HttpService ro = new HttpService(CodeIndex.openReadOnly(file), null, false, "127.0.0.1", 0, 4096, 1000);
        try {
            String u2 = "http://127.0.0.1:" + ro.port();
            assertEquals(405, call(c, "POST", u2 + "/items", "{\"ids\": [1], \"codes\": [" + codeJson(db, 3) + "]}").status());
            assertEquals(400, call(c, "POST", u2 + "/encode", "{\"text\": " + rowsJson(features(rnd, 1, 10), 1, 10) + "}").status());
            assertEquals(202L, Json.parseObject(call(c, "GET", u2 + "/health", null).body()).get("items"), "acknowledged items are on disk");
        } finally {
            ro.stop(1);
        }
    }

    /** The index's record count, read through the service's index. */
    static final class CodeIndexInfo {
        static long records(HttpService s) throws java.io.IOException {
            return s.index.info().records();
        }
    }
}
