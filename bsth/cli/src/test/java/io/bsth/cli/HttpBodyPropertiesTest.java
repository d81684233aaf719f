package io.bsth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.bsth.cli.ReaderPropertiesTest.Gen;
import io.bsth.model.BsthNetwork;
import io.bsth.model.ModelConfig;
import io.bsth.model.ModelFile;
import io.bsth.retrieval.CodeIndex;
import io.bsth.retrieval.PackedCodes;
import io.bsth.tensor.Rng;
import io.bsth.tensor.io.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seeded property tests of the HTTP request bodies of {@code bsth serve}: for each route that reads a body
 * ({@code POST /search}, {@code POST /encode}, {@code POST /items}) and for {@code DELETE /items/ID}, valid
 * requests truncated, bit-flipped, overwritten and replaced by random bytes; random but well-formed JSON
 * with values of the wrong types; and boundary requests (bodies at and past {@code --max-body}, deep nesting,
 * huge and non-finite numbers, negative and huge k, wrong code widths, duplicate keys, empty and blank
 * bodies, bytes that are not UTF-8, other content types, chunked bodies, a body shorter than its
 * Content-Length).
 *
 * <p>Every answer must be a valid result or a documented 4xx whose body is one JSON field {@code error}
 * holding one line without a stack trace; never a 500, never more than 10 s; the server may allocate at most
 * 64 bytes per byte read or written plus 16 MiB plus, for the rows a body of that size can hold, twice
 * the model's measured cost per row. A rejected request leaves the index's record count unchanged, an accepted {@code /items} or
 * {@code DELETE} changes the item count by what it answers, and {@code /health} still answers at the end.
 *
 * <p>One server (a raw-socket client, so headers and framing can be wrong too) serves every input of the
 * class. Input {@code i} of route {@code r} is made from {@link ReaderPropertiesTest#seedFor}{@code (r, i)};
 * a failure names the route, the index, the seed and the first bytes of the body.
 */
class HttpBodyPropertiesTest {
    static final int NBIT = 16, IMAGE = 12, TEXT = 10, MAX_BODY = 32 << 10, MAX_K = 1000, ITEMS = 200;
    static Path dir;
    static HttpService server;
    static BsthNetwork net;
    static long encodeBytesPerRow;
    static long nextId = 10_000;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("bsth-http-props");
        Path m = dir.resolve("m.safetensors");
        ModelFile.save(m, new BsthNetwork(new ModelConfig(IMAGE, TEXT, 5, NBIT, 1, 1, 0.5f, 8), new Rng(3)));
        net = ModelFile.load(m, 1);
        Random r = new Random(5);
        byte[] s = new byte[ITEMS * NBIT];
        for (int i = 0; i < s.length; i++) s[i] = (byte) (r.nextBoolean() ? 1 : -1);
        Path f = dir.resolve("s.bidx");
        try (CodeIndex x = CodeIndex.create(f, NBIT)) {
            x.add(PackedCodes.fromInt8(s, ITEMS, NBIT));
        }
        server = new HttpService(CodeIndex.open(f), net, true, "127.0.0.1", 0, MAX_BODY, MAX_K);
        // the model's allocation per encoded row, measured on 256 rows after a warm-up
        float[] img = new float[256 * IMAGE], txt = new float[256 * TEXT];
        Features.encode(net, img, txt, 256);
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        Features.encode(net, img, txt, 256);
        encodeBytesPerRow = (mx.getCurrentThreadAllocatedBytes() - before) / 256 + 1;
        // every route once on a valid request, which must succeed: a server refusing everything cannot pass
        for (String route : new String[] {"search", "encode", "items"}) {
            Reply a = send(new Request("POST", "/" + route, valid(new Gen(route.hashCode()), route).getBytes(StandardCharsets.UTF_8)));
            assertEquals(200, a.status, route + ": " + a.body);
        }
        assertEquals(200, send(new Request("DELETE", "/items/0", null)).status);
    }

    @AfterAll
    static void stop() throws IOException {
        try {
            Reply h = send(new Request("GET", "/health", null));
            assertEquals(200, h.status, "healthy after every input: " + h.body);
            assertEquals((long) server.index.size(), Json.parseObject(h.body).get("items"));
        } finally {
            server.stop(1);
            try (var s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // the routes

    @Test
    void searchBodies() {
        run("search", 800, g -> request(g, "search"));
    }

    @Test
    void encodeBodies() {
        run("encode", 600, g -> request(g, "encode"));
    }

    @Test
    void itemsBodies() {
        run("items", 800, g -> request(g, "items"));
    }

    @Test
    void deletePaths() {
        run("delete", 300, HttpBodyPropertiesTest::deleteRequest);
    }

    /** What the seeded inputs found, and what review found beside them, each pinned down. */
    @Test
    void regressions() throws Exception {
        byte[] search = ("{\"codes\": [" + code(new Gen(1), NBIT) + "], \"k\": 3}").getBytes(StandardCharsets.UTF_8);
        // a body shorter than its Content-Length was a 500 (the read's IOException); seed -8890960453093065857 of /encode
        assertError(400, "body: incomplete", send(new Request("POST", "/search", search, "application/json", Framing.SHORT)));
        // a body past --max-body was answered 413 and the connection closed unread: the client saw a reset, not the
        // answer (seed 7073611813492858815 of /search); the same for a 405 sent before a large body was read
        byte[] big = ("{\"codes\": " + rows(new Gen(2), MAX_BODY / 30, x -> code(x, NBIT)) + ", \"k\": 3}").getBytes(StandardCharsets.UTF_8);
        assertTrue(big.length > MAX_BODY);
        assertError(413, "body", send(new Request("POST", "/search", big)));
        assertError(413, "body", send(new Request("POST", "/search", big, "application/json", Framing.CHUNKED)));
        assertError(405, "method", send(new Request("PUT", "/search", Arrays.copyOf(big, MAX_BODY - 10))));
        // a repeated key is refused instead of the last value silently winning
        assertError(400, "duplicate key \"k\"", send(new Request("POST", "/search",
                ("{\"k\": 3, \"k\": 5, \"codes\": [" + code(new Gen(3), NBIT) + "]}").getBytes(StandardCharsets.UTF_8))));
        // an integer past 64 bits is a number of the wrong size, not a syntax error
        assertError(400, "k: expected an integer from 1 to 1000, got 1.0E20", send(new Request("POST", "/search",
                ("{\"k\": 100000000000000000000, \"codes\": [" + code(new Gen(4), NBIT) + "]}").getBytes(StandardCharsets.UTF_8))));
        // queries x k is bounded, so a small body cannot ask for an answer of any size
        String zeros = "[0" + ",0".repeat(IMAGE - 1) + "]";
        byte[] many = ("{\"image\": " + rows(new Gen(5), 1001, x -> zeros) + ", \"k\": 1000}").getBytes(StandardCharsets.UTF_8);
        assertTrue(many.length < MAX_BODY);
        assertError(400, "k: 1001 queries x k 1000 = 1001000 hits, expected at most 1000000", send(new Request("POST", "/search", many)));
        // a value echoed in an error is cut short, and JSON-quoted (no raw newline)
        Reply r = send(new Request("POST", "/search", ("{\"codes\": [[\"" + "x\\n".repeat(5000) + "\"]], \"k\": 1}").getBytes(StandardCharsets.UTF_8)));
        assertError(400, "codes[0]", r);
        r = send(new Request("POST", "/encode", ("{\"image\": [[1e999" + ",1".repeat(IMAGE - 1) + "]]}").getBytes(StandardCharsets.UTF_8)));
        assertError(400, "image[0][0]: expected a finite number, got Infinity", r);
    }

    static void assertError(int status, String part, Reply r) {
        assertEquals(status, r.status, r.body);
        String m = (String) Json.parseObject(r.body).get("error");
        assertTrue(m.contains(part) && m.length() <= 300 && !m.contains("\n"), m);
    }

    // ------------------------------------------------------------------------------------------------
    // the check

    record Request(String method, String path, byte[] body, String contentType, Framing framing) {
        Request(String method, String path, byte[] body) {
            this(method, path, body, "application/json", Framing.LENGTH);
        }
    }

    /** How the body is framed: Content-Length, chunked, or a Content-Length larger than the bytes sent. */
    enum Framing { LENGTH, CHUNKED, SHORT }

    record Reply(int status, String body) {}

    /** Checks {@code count} inputs of one route; a failure names the first three failing inputs and how many failed. */
    static void run(String route, int count, Function<Gen, Request> inputs) {
        List<String> failures = new java.util.ArrayList<>();
        Map<Integer, Integer> statuses = new java.util.TreeMap<>();
        Throwable first = null;
        for (int i = 0; i < count; i++) {
            long seed = ReaderPropertiesTest.seedFor("http " + route, i);
            Request q = inputs.apply(new Gen(seed));
            try {
                statuses.merge(check(q), 1, Integer::sum);
            } catch (Throwable t) {
                byte[] b = q.body == null ? new byte[0] : q.body;
                String hex = HexFormat.of().formatHex(b, 0, Math.min(b.length, 32));
                failures.add(route + " route, input " + i + " of base seed " + ReaderPropertiesTest.BASE_SEED + " (seed " + seed + ", " + q.method
                        + " " + q.path + ", " + q.framing + ", " + q.contentType + ", " + b.length + " bytes, starting " + hex
                        + (b.length > 32 ? "..." : "") + "): " + t);
                if (first == null) first = t;
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + count + " inputs failed; the first:\n" + String.join("\n", failures.subList(0, Math.min(3, failures.size()))), first);
        }
        // the inputs reach past the parser: some are answered, most are refused
        assertTrue(statuses.getOrDefault(200, 0) >= 10 && statuses.getOrDefault(400, 0) >= count / 4, route + ": answers by status " + statuses);
    }

    /** Sends one request, checks the answer and the index; returns the status. */
    static int check(Request q) throws Exception {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long records = server.index.info().records(), items = server.index.size();
        long before = mx.getTotalThreadAllocatedBytes();
        Reply a = send(q);
        long used = mx.getTotalThreadAllocatedBytes() - before;
        int in = q.body == null ? 0 : q.body.length, out = a.body.length();
        long budget = 64L * (in + out) + (16L << 20) + 2 * encodeBytesPerRow * (in / (2 * TEXT) + 1);   // a row of d numbers takes at least 2d bytes
        assertTrue(used <= budget, "allocated " + used + " bytes for " + in + " bytes in and " + out + " out");
        assertTrue(List.of(200, 400, 404, 405, 413).contains(a.status), "status " + a.status + ": " + a.body);
        Map<String, Object> body = Json.parseObject(a.body);
        if (a.status != 200) {
            assertEquals(1, body.size(), "one field: " + a.body);
            assertTrue(body.get("error") instanceof String, a.body);
            String m = (String) body.get("error");
            assertFalse(m.isBlank() || m.contains("\n") || m.contains("Exception") || m.contains("\tat "), "one clean line: " + m);
            assertTrue(m.length() <= 300, "a short sentence: " + m.length() + " characters");
            assertEquals(records, server.index.info().records(), "a refused request wrote nothing: " + m);
            return a.status;
        }
        switch (q.path) {
            case "/search" -> assertTrue(body.get("results") instanceof List<?> l && !l.isEmpty(), a.body);
            case "/encode" -> assertTrue(body.get("codes") instanceof List<?> l && !l.isEmpty(), a.body);
            case "/items" -> {
                assertTrue(body.get("ids") instanceof List<?>, a.body);
                assertEquals(items + (Long) body.get("added"), server.index.size(), "added as answered");
            }
            default -> {
                assertEquals(Map.of("deleted", 1L), body);
                assertEquals(items - 1, server.index.size());
            }
        }
        return a.status;
    }

    /** One request on its own connection; the whole answer within 10 s. */
    static Reply send(Request q) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
            s.setSoTimeout(10_000);
            OutputStream o = s.getOutputStream();
            StringBuilder h = new StringBuilder(q.method + " " + q.path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
            if (q.contentType != null) h.append("Content-Type: ").append(q.contentType).append("\r\n");
            byte[] b = q.body;
            if (b != null) {
                switch (q.framing) {
                    case LENGTH -> h.append("Content-Length: ").append(b.length).append("\r\n");
                    case SHORT -> h.append("Content-Length: ").append(b.length + 1 + b.length / 2).append("\r\n");
                    case CHUNKED -> h.append("Transfer-Encoding: chunked\r\n");
                }
            }
            o.write(h.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            if (b != null) {
                if (q.framing == Framing.CHUNKED) {
                    for (int at = 0; at < b.length; at += 1000) {
                        int n = Math.min(1000, b.length - at);
                        o.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        o.write(b, at, n);
                        o.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    }
                    o.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                } else {
                    o.write(b);
                }
            }
            o.flush();
            s.shutdownOutput();
            return parse(readAll(s.getInputStream()));
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer within 10 s");
        }
    }

    static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        in.transferTo(b);
        return b.toByteArray();
    }

    /** Status and body of one HTTP/1.1 answer (Content-Length or chunked). */
    static Reply parse(byte[] raw) {
        String all = new String(raw, StandardCharsets.UTF_8);
        int end = all.indexOf("\r\n\r\n");
        assertTrue(all.startsWith("HTTP/1.1 ") && end > 0, "an HTTP answer: " + all.substring(0, Math.min(all.length(), 200)));
        int status = Integer.parseInt(all.substring(9, 12));
        String head = all.substring(0, end).toLowerCase(java.util.Locale.ROOT), body = all.substring(end + 4);
        if (head.contains("transfer-encoding: chunked")) {
            StringBuilder sb = new StringBuilder();
            int at = 0;
            while (true) {
                int nl = body.indexOf("\r\n", at);
                int n = Integer.parseInt(body.substring(at, nl).trim(), 16);
                if (n == 0) break;
                sb.append(body, nl + 2, nl + 2 + n);
                at = nl + 2 + n + 2;
            }
            body = sb.toString();
        }
        return new Reply(status, body);
    }

    // ------------------------------------------------------------------------------------------------
    // the inputs

    static String code(Gen g, int nbit) {
        StringBuilder sb = new StringBuilder("[");
        for (int j = 0; j < nbit; j++) sb.append(j == 0 ? "" : ",").append(g.r.nextBoolean() ? 1 : -1);
        return sb.append(']').toString();
    }

    static String rows(Gen g, int n, Function<Gen, String> row) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) sb.append(i == 0 ? "" : ",").append(row.apply(g));
        return sb.append(']').toString();
    }

    static String features(Gen g, int dim) {
        StringBuilder sb = new StringBuilder("[");
        for (int j = 0; j < dim; j++) sb.append(j == 0 ? "" : ",").append(g.oneOf("0", "1", "-2.5", "0.125", "3e-2", "-7", "1E2"));
        return sb.append(']').toString();
    }

    /** Image and/or text fields (without braces) for n rows. */
    static String featureFields(Gen g, int n) {
        return switch (g.between(0, 2)) {
            case 0 -> "\"image\": " + rows(g, n, x -> features(x, IMAGE));
            case 1 -> "\"text\": " + rows(g, n, x -> features(x, TEXT));
            default -> "\"image\": " + rows(g, n, x -> features(x, IMAGE)) + ", \"text\": " + rows(g, n, x -> features(x, TEXT));
        };
    }

    /** A valid body for the route. */
    static String valid(Gen g, String route) {
        int n = g.between(1, 4);
        return switch (route) {
            case "search" -> "{" + (g.r.nextBoolean() ? "\"codes\": " + rows(g, n, x -> code(x, NBIT)) : featureFields(g, n))
                    + ", \"k\": " + g.between(1, 300) + "}";
            case "encode" -> "{" + featureFields(g, n) + "}";
            default -> {
                String ids = "";
                if (g.r.nextBoolean()) {
                    StringBuilder sb = new StringBuilder("\"ids\": [");
                    for (int i = 0; i < n; i++) sb.append(i == 0 ? "" : ",").append(nextId++);
                    ids = sb.append("], ").toString();
                }
                yield "{" + ids + (g.r.nextBoolean() ? "\"codes\": " + rows(g, n, x -> code(x, NBIT)) : featureFields(g, n)) + "}";
            }
        };
    }

    /** Random well-formed JSON: any kind, nested up to {@code depth}. */
    static String randomJson(Gen g, int depth) {
        int kind = g.between(0, depth > 0 ? 9 : 6);
        return switch (kind) {
            case 0 -> "null";
            case 1 -> g.oneOf("true", "false");
            case 2 -> g.oneOf("0", "1", "-1", "2", "16", "15", "17", "1000", "1001", "-0", "9223372036854775807", "-9223372036854775808");
            case 3 -> g.oneOf("1.5", "-1.0", "1e308", "1e400", "-1e400", "1e-400", "4.9e-324", "1.0", "99999999999999999999");
            case 4 -> g.oneOf("\"\"", "\"1\"", "\"-1\"", "\"NaN\"", "\"codes\"", "\"\\u0000\"", "\"\\n\\t\"", "\"\\ud800\"", "\"é\"");
            case 5 -> "[]";
            case 6 -> "{}";
            case 7, 8 -> {
                StringBuilder sb = new StringBuilder("[");
                for (int i = g.between(1, 20); i > 0; i--) sb.append(sb.length() > 1 ? "," : "").append(randomJson(g, depth - 1));
                yield sb.append(']').toString();
            }
            default -> {
                StringBuilder sb = new StringBuilder("{");
                for (int i = g.between(1, 4); i > 0; i--) {
                    sb.append(sb.length() > 1 ? "," : "").append('"').append(g.oneOf("codes", "image", "text", "k", "ids", "x", ""))
                            .append("\":").append(randomJson(g, depth - 1));
                }
                yield sb.append('}').toString();
            }
        };
    }

    /** The route's fields, each a random JSON value or a valid one. */
    static String wrongTypes(Gen g, String route) {
        String[] fields = switch (route) {
            case "search" -> new String[] {"codes", "image", "text", "k"};
            case "encode" -> new String[] {"image", "text"};
            default -> new String[] {"ids", "codes", "image", "text"};
        };
        StringBuilder sb = new StringBuilder("{");
        for (String f : fields) {
            if (g.between(0, 2) == 0) continue;
            String v = switch (g.between(0, 3)) {
                case 0 -> f.equals("k") ? String.valueOf(g.between(1, 10)) : f.equals("codes") ? rows(g, 2, x -> code(x, NBIT))
                        : f.equals("ids") ? "[" + nextId++ + "," + nextId++ + "]" : rows(g, 2, x -> features(x, f.equals("image") ? IMAGE : TEXT));
                case 1 -> "[" + randomJson(g, 2) + "]";
                case 2 -> "[[" + randomJson(g, 1) + "]]";
                default -> randomJson(g, 3);
            };
            sb.append(sb.length() > 1 ? ", " : "").append('"').append(f).append("\": ").append(v);
        }
        return sb.append('}').toString();
    }

    /** Hand-made boundary bodies, one chosen per input. */
    static String boundary(Gen g, String route) {
        String k = route.equals("search") ? ", \"k\": 5" : "";
        String codeField = route.equals("encode") ? "image" : "codes";
        int wide = g.oneOf(0, 1, NBIT - 1, NBIT + 1, 64, 1000);
        int many = MAX_BODY / 40 + g.between(-200, 400);   // rows of about 40 bytes: some fit, some pass --max-body
        return switch (g.between(0, 17)) {
            case 0 -> "";
            case 1 -> g.oneOf(" ", "\n\t ", "\r\n", "null", "0", "\"\"", "[]", "true");
            case 2 -> "[".repeat(g.between(2, 40_000)) + "]".repeat(g.between(0, 3));
            case 3 -> "{\"" + codeField + "\": " + "[".repeat(g.between(3, 20)) + "1" + "]".repeat(g.between(3, 20)) + k + "}";
            case 4 -> "{\"" + codeField + "\": [[" + g.oneOf("NaN", "Infinity", "-Infinity", "nan", "inf", "1e999", "-1e999", "1e-999", "0x10",
                    "1.7976931348623157e309", "+1", "--1", "1e", ".", "-", "1.2.3") + "]]" + k + "}";
            case 5 -> "{\"codes\": [" + code(g, NBIT) + "], \"k\": " + g.oneOf("0", "-1", "-9223372036854775808", "9223372036854775807",
                    "99999999999999999999", "2147483648", "1001", "1000", "1e3", "1.0", "\"5\"", "null", "[5]", "{}", "true", "NaN") + "}";
            case 6 -> "{\"codes\": [" + code(g, wide) + "]" + k + "}";
            case 7 -> "{\"codes\": " + rows(g, many, x -> code(x, NBIT)) + k + "}";
            case 8 -> "{\"image\": " + rows(g, many / 2, x -> features(x, IMAGE)) + k + "}";
            case 9 -> "{\"codes\": [" + code(g, NBIT) + "], \"codes\": [" + code(g, wide) + "]" + k + "}";
            case 10 -> "{\"k\": 3, \"k\": " + g.oneOf("0", "4", "100000") + ", \"codes\": [" + code(g, NBIT) + "]}";
            case 11 -> "{\"ids\": [" + g.oneOf("1", "1.5", "-1", "9223372036854775807", "99999999999999999999", "null", "\"7\"", "1e2")
                    + "], \"codes\": [" + code(g, NBIT) + "]" + k + "}";
            case 12 -> "{\"ids\": [" + nextId + ", " + nextId++ + "], \"codes\": " + rows(g, 2, x -> code(x, NBIT)) + "}";
            case 13 -> "{\"" + g.oneOf("", " codes", "CODES", "k\u0000", "\\u0063odes", "x".repeat(10_000)) + "\": 1" + k + "}";
            case 14 -> "{\"codes\": [" + code(g, NBIT) + "]" + k + "}" + g.oneOf("x", "}", " {}", ",", "\u0000");
            case 15 -> "{\"image\": [" + features(g, g.oneOf(IMAGE - 1, IMAGE + 1, TEXT, 0)) + "]" + k + "}";
            case 16 -> "{\"image\": " + rows(g, 2, x -> features(x, IMAGE)) + ", \"text\": " + rows(g, g.oneOf(1, 3), x -> features(x, TEXT)) + k + "}";
            default -> "{\"codes\": [" + code(g, NBIT) + "], \"k\": " + g.between(1, MAX_K) + ", \"codes\": [" + code(g, NBIT) + "]}";
        };
    }

    static Request request(Gen g, String route) {
        String valid = valid(g, route);
        byte[] body = switch (g.frequency(4, 3, 3, 1)) {
            case 0 -> ReaderPropertiesTest.mutation(g, valid.getBytes(StandardCharsets.UTF_8));
            case 1 -> wrongTypes(g, route).getBytes(StandardCharsets.UTF_8);
            case 2 -> boundary(g, route).getBytes(StandardCharsets.UTF_8);
            default -> g.oneOf(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'}, new byte[] {'{', '"', (byte) 0xC3, '"', ':', '1', '}'},
                    new byte[] {(byte) 0xFF, (byte) 0xFE, '{', 0, '}', 0}, new byte[0]);
        };
        String type = g.oneOf("application/json", "application/json", "application/json", "text/plain", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x", null, "application/json; charset=latin1");
        Framing framing = g.frequency(8, 1, 1) == 0 ? Framing.LENGTH : g.r.nextBoolean() ? Framing.CHUNKED : Framing.SHORT;
        String method = g.frequency(30, 1, 1) == 0 ? "POST" : g.oneOf("PUT", "GET", "DELETE", "PATCH");
        return new Request(method, "/" + route, body, type, framing);
    }

    static Request deleteRequest(Gen g) {
        long live = g.between(1, ITEMS - 1);
        String id = g.oneOf(String.valueOf(live), String.valueOf(live), "-1", "0", "abc", "", "1.5", "9223372036854775807", "99999999999999999999",
                "1e3", "%20", "+" + live, "0x10", String.valueOf(live) + "/x", "%00");
        byte[] body = g.r.nextBoolean() ? null : ReaderPropertiesTest.mutation(g, ("{\"ids\": [" + live + "]}").getBytes(StandardCharsets.UTF_8));
        String method = g.frequency(10, 1) == 0 ? "DELETE" : g.oneOf("POST", "PUT", "GET");
        return new Request(method, "/items/" + id, body, g.oneOf("application/json", null), Framing.LENGTH);
    }
}
