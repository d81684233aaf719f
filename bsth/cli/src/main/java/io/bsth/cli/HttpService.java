package io.bsth.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.bsth.model.BsthNetwork;
import io.bsth.retrieval.CodeIndex;
import io.bsth.retrieval.PackedCodes;
import io.bsth.tensor.Workers;
import io.bsth.tensor.io.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The HTTP service of {@code bsth serve}: the JDK's own server, one virtual thread per request, JSON in
 * and out. Routes: {@code GET /health}, {@code GET /metrics}, {@code POST /encode}, {@code POST /search},
 * and with {@code writable} {@code POST /items}, {@code DELETE /items/ID}. A bad request gets a 4xx
 * JSON error naming the field and what was expected and changes nothing; an added item is acknowledged
 * only after the index has made it durable.
 */
final class HttpService implements AutoCloseable {
    /** Latency histogram bucket bounds, seconds. */
    static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};

    final CodeIndex index;
    final BsthNetwork net;
    final boolean writable;
    final int maxBody;
    final int maxK;
    private final HttpServer server;
    private final ExecutorService executor;
    private final ConcurrentHashMap<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Histogram> latency = new ConcurrentHashMap<>();

    /** A request that fails: its status and the one sentence of the error body. */
    static final class Fail extends RuntimeException {
        final int status;

        Fail(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    static final class Histogram {
        final LongAdder[] counts = new LongAdder[BUCKETS.length + 1];
        final LongAdder count = new LongAdder();
        final java.util.concurrent.atomic.DoubleAdder sum = new java.util.concurrent.atomic.DoubleAdder();

        Histogram() {
            for (int i = 0; i < counts.length; i++) counts[i] = new LongAdder();
        }

        void observe(double seconds) {
            int b = 0;
            while (b < BUCKETS.length && seconds > BUCKETS[b]) b++;
            counts[b].increment();
            count.increment();
            sum.add(seconds);
        }
    }

    HttpService(CodeIndex index, BsthNetwork net, boolean writable, String host, int port, int maxBody, int maxK) throws IOException {
        this.index = index;
        this.net = net;
        this.writable = writable;
        this.maxBody = maxBody;
        this.maxK = maxK;
        if (net != null && net.config.nbit() != index.nbit()) {
            throw new IllegalArgumentException("--model: " + net.config.nbit() + "-bit codes, --index holds " + index.nbit());
        }
        server = HttpServer.create(new InetSocketAddress(host, port), 128);
        executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        // request threads do not inherit the command's Workers binding (--threads): bind it in each handler
        Workers workers = Workers.current();
        server.createContext("/", workers == null ? this::handle : ex -> workers.run(() -> handle(ex)));
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static final Set<String> ROUTES = Set.of("/health", "/metrics", "/encode", "/search", "/items");

    private void handle(HttpExchange ex) {
        long t0 = System.nanoTime();
        String path = ex.getRequestURI().getPath();
        String route = ROUTES.contains(path) ? path : path.startsWith("/items/") ? "/items/{id}" : "other";
        int status;
        try {
            try {
                status = dispatch(ex, path);
            } catch (Fail f) {
                status = f.status;
                drain(ex);
                send(ex, f.status, "application/json", "{\"error\": " + Json.writeCompact(f.getMessage()) + "}");
            }
        } catch (Throwable t) {
            status = 500;
            try {
                send(ex, 500, "application/json", "{\"error\": \"internal error: " + t.getClass().getSimpleName() + "\"}");
            } catch (IOException | RuntimeException ignored) {
                // the client went away
            }
        } finally {
            ex.close();
        }
        requests.computeIfAbsent(route + " " + status, x -> new LongAdder()).increment();
        latency.computeIfAbsent(route, x -> new Histogram()).observe((System.nanoTime() - t0) / 1e9);
    }

    private int dispatch(HttpExchange ex, String path) throws IOException {
        String method = ex.getRequestMethod();
        switch (path) {
            case "/health" -> {
                allow(method, "GET");
                return send(ex, 200, "application/json", "{\"status\": \"ok\", \"nbit\": " + index.nbit() + ", \"items\": " + index.size() + "}");
            }
            case "/metrics" -> {
                allow(method, "GET");
                return send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics());
            }
            case "/encode" -> {
                allow(method, "POST");
                Map<String, Object> body = body(ex, Set.of("image", "text"));
                PackedCodes c = encodeFeatures(body, true);
                StringBuilder sb = new StringBuilder("{\"codes\": [");
                for (int i = 0; i < c.size(); i++) appendCode(sb.append(i == 0 ? "" : ", "), c, i);
                return send(ex, 200, "application/json", sb.append("]}").toString());
            }
            case "/search" -> {
                allow(method, "POST");
                Map<String, Object> body = body(ex, Set.of("codes", "image", "text", "k"));
                int k = k(body.get("k"));
                long asked = (long) queries(body) * k;
                if (asked > maxHits()) {
                    throw new Fail(400, "k: " + queries(body) + " queries x k " + k + " = " + asked + " hits, expected at most " + maxHits()
                            + " per request (send fewer queries per request)");
                }
                PackedCodes q = body.containsKey("codes") ? codes(body, "codes") : encodeFeatures(body, false);
                CodeIndex.Hits[] hits = index.search(q, k);
                StringBuilder sb = new StringBuilder("{\"results\": [");
                for (int i = 0; i < hits.length; i++) {
                    sb.append(i == 0 ? "[" : ", [");
                    for (int r = 0; r < hits[i].size(); r++) {
                        sb.append(r == 0 ? "" : ", ").append("{\"id\": ").append(hits[i].ids()[r]).append(", \"distance\": ").append(hits[i].distances()[r]).append('}');
                    }
                    sb.append(']');
                }
                return send(ex, 200, "application/json", sb.append("]}").toString());
            }
            case "/items" -> {
                if (!writable) throw new Fail(405, "/items: the server is read-only (start it with --writable to add and delete items)");
                allow(method, "POST");
                Map<String, Object> body = body(ex, Set.of("ids", "codes", "image", "text"));
                PackedCodes c = body.containsKey("codes") ? codes(body, "codes") : encodeFeatures(body, false);
                long[] ids;
                if (body.containsKey("ids")) {
                    ids = ids(body.get("ids"), c.size());
                } else {
                    ids = null;
                }
                try {
                    if (ids == null) {
                        ids = index.add(c);
                    } else {
                        index.add(ids, c);
                    }
                } catch (IllegalArgumentException e) {
                    throw new Fail(400, e.getMessage().startsWith("ids:") ? e.getMessage() : "codes: " + e.getMessage());
                }
                StringBuilder sb = new StringBuilder("{\"added\": ").append(c.size()).append(", \"ids\": [");
                for (int i = 0; i < ids.length; i++) sb.append(i == 0 ? "" : ", ").append(ids[i]);
                return send(ex, 200, "application/json", sb.append("]}").toString());
            }
            default -> {
                if (path.startsWith("/items/")) {
                    if (!writable) throw new Fail(405, "/items: the server is read-only (start it with --writable to add and delete items)");
                    allow(method, "DELETE");
                    String s = path.substring("/items/".length());
                    long id;
                    try {
                        id = Long.parseLong(s);
                    } catch (NumberFormatException e) {
                        throw new Fail(400, "id: expected an integer id in the path /items/ID, got " + show(s));
                    }
                    if (!index.delete(id)) throw new Fail(404, "id " + id + ": not in the index");
                    return send(ex, 200, "application/json", "{\"deleted\": 1}");
                }
                throw new Fail(404, "route " + path + ": unknown (expected /health, /metrics, /encode, /search, /items)");
            }
        }
    }

    /**
     * Reads and discards what is left of a refused request's body, up to {@code --max-body} bytes, so that a
     * client still sending it reads the error answer instead of a reset connection (closing a socket with
     * unread input resets it). A body longer than that still meets a closed connection.
     */
    private void drain(HttpExchange ex) {
        byte[] buf = new byte[8192];
        long left = maxBody;
        try {
            InputStream in = ex.getRequestBody();
            for (int n; left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0; ) left -= n;
        } catch (IOException e) {
            // the client went away or the body was malformed: nothing left to read
        }
    }

    private static void allow(String method, String expected) {
        if (!method.equals(expected)) throw new Fail(405, "method " + method + ": not allowed here (expected " + expected + ")");
    }

    private Map<String, Object> body(HttpExchange ex, Set<String> fields) throws IOException {
        String len = ex.getRequestHeaders().getFirst("Content-Length");
        if (len != null) {
            try {
                if (Long.parseLong(len.trim()) > maxBody) throw new Fail(413, "body: " + len.trim() + " bytes, expected at most " + maxBody);
            } catch (NumberFormatException e) {
                throw new Fail(400, "Content-Length: expected a number of bytes, got " + show(len));
            }
        }
        byte[] raw;
        try {
            // not closed here: what is left past the cap is drained (and the stream closed) after the answer's status is known
            raw = ex.getRequestBody().readNBytes(maxBody + 1);
        } catch (IOException e) {
            // a body shorter than its Content-Length, or a malformed chunk: the client's fault, not the server's
            throw new Fail(400, "body: incomplete (the connection ended before the body"
                    + (len != null ? " of Content-Length " + show(len.trim()) : "") + " was received)");
        }
        if (raw.length > maxBody) throw new Fail(413, "body: more than " + maxBody + " bytes, expected at most " + maxBody);
        String text = new String(raw, StandardCharsets.UTF_8);
        if (text.isBlank()) throw new Fail(400, "body: empty, expected a JSON object");
        checkDepth(text);
        Object v;
        try {
            v = Json.parse(text);
        } catch (IllegalArgumentException e) {
            if (text.contains("NaN") || text.contains("Infinity")) throw new Fail(400, "body: NaN and Infinity are not JSON numbers (expected finite numbers)");
            throw new Fail(400, "body: not valid JSON (" + e.getMessage().replaceFirst("^JSON: ", "") + ")");
        }
        if (!(v instanceof Map<?, ?> m)) throw new Fail(400, "body: expected a JSON object");
        @SuppressWarnings("unchecked")
        Map<String, Object> body = (Map<String, Object>) m;
        for (String key : body.keySet()) {
            if (!fields.contains(key)) throw new Fail(400, "field " + show(key) + ": unknown here (expected " + String.join(", ", new java.util.TreeSet<>(fields)) + ")");
        }
        return body;
    }

    /** Refuses nesting deeper than any valid request (3), before a recursive parser could overflow its stack. */
    private static void checkDepth(String text) {
        int depth = 0;
        boolean str = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (str) {
                if (c == '\\') i++;
                else if (c == '"') str = false;
            } else if (c == '"') {
                str = true;
            } else if (c == '[' || c == '{') {
                if (++depth > 8) throw new Fail(400, "body: nested deeper than a request can be (expected an object of arrays of arrays)");
            } else if (c == ']' || c == '}') {
                depth--;
            }
        }
    }

    /** A value from the request as the error shows it: JSON, at most 40 characters. */
    static String show(Object v) {
        String s = v instanceof Number ? v.toString() : Json.writeCompact(v);
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    private int k(Object v) {
        if (v == null) throw new Fail(400, "k: missing, expected an integer from 1 to " + maxK);
        if (!(v instanceof Long k) || k < 1 || k > maxK) throw new Fail(400, "k: expected an integer from 1 to " + maxK + ", got " + show(v));
        return (int) (long) k;
    }

    /** The most hits (queries x k) one search may ask for: the answer's size is bounded by it, not only by the body's. */
    long maxHits() {
        return Math.max(maxK, 1_000_000L);
    }

    /** The number of query rows a search body holds (0 while it holds no array to count). */
    private static int queries(Map<String, Object> body) {
        for (String f : new String[] {"codes", "image", "text"}) {
            if (body.get(f) instanceof List<?> l) return l.size();
        }
        return 0;
    }

    private List<?> rows(Map<String, Object> body, String field) {
        Object v = body.get(field);
        if (!(v instanceof List<?> l) || l.isEmpty()) throw new Fail(400, field + ": expected a non-empty array of rows");
        return l;
    }

    private PackedCodes codes(Map<String, Object> body, String field) {
        if (body.containsKey("image") || body.containsKey("text")) {
            throw new Fail(400, field + ": expected codes or features (image, text), not both");
        }
        List<?> rows = rows(body, field);
        int nbit = index.nbit();
        byte[] signs = new byte[rows.size() * nbit];
        for (int i = 0; i < rows.size(); i++) {
            if (!(rows.get(i) instanceof List<?> row) || row.size() != nbit) {
                throw new Fail(400, field + "[" + i + "]: expected an array of " + nbit + " values +1/-1"
                        + (rows.get(i) instanceof List<?> r ? ", got " + r.size() : ""));
            }
            for (int j = 0; j < nbit; j++) {
                Object x = row.get(j);
                if (!(x instanceof Long l) || (l != 1 && l != -1)) throw new Fail(400, field + "[" + i + "][" + j + "]: expected +1 or -1, got " + show(x));
                signs[i * nbit + j] = (byte) (long) l;
            }
        }
        return PackedCodes.fromInt8(signs, rows.size(), nbit);
    }

    private float[] features(Map<String, Object> body, String field, int dim) {
        List<?> rows = rows(body, field);
        float[] out = new float[rows.size() * dim];
        for (int i = 0; i < rows.size(); i++) {
            if (!(rows.get(i) instanceof List<?> row) || row.size() != dim) {
                throw new Fail(400, field + "[" + i + "]: expected an array of " + dim + " numbers (the model's " + field + " width)"
                        + (rows.get(i) instanceof List<?> r ? ", got " + r.size() : ""));
            }
            for (int j = 0; j < dim; j++) {
                Object x = row.get(j);
                if (!(x instanceof Number num)) throw new Fail(400, field + "[" + i + "][" + j + "]: expected a number, got " + show(x));
                float f = num.floatValue();
                if (!Float.isFinite(f)) throw new Fail(400, field + "[" + i + "][" + j + "]: expected a finite number, got " + show(x));
                out[i * dim + j] = f;
            }
        }
        return out;
    }

    private PackedCodes encodeFeatures(Map<String, Object> body, boolean encodeRoute) {
        boolean hasImage = body.containsKey("image"), hasText = body.containsKey("text");
        if (!hasImage && !hasText) {
            throw new Fail(400, encodeRoute ? "image, text: expected at least one of them" : "codes, image, text: expected codes, or image and/or text");
        }
        if (net == null) throw new Fail(400, (hasImage ? "image" : "text") + ": this server has no model to encode features (start it with --model)");
        float[] img = hasImage ? features(body, "image", net.config.imageDim()) : null;
        float[] txt = hasText ? features(body, "text", net.config.textDim()) : null;
        int n = img != null ? img.length / net.config.imageDim() : txt.length / net.config.textDim();
        if (img != null && txt != null && txt.length / net.config.textDim() != n) {
            throw new Fail(400, "text: " + txt.length / net.config.textDim() + " rows, expected as many as image (" + n + ")");
        }
        return Features.encode(net, img, txt, n);
    }

    private long[] ids(Object v, int n) {
        if (!(v instanceof List<?> l) || l.size() != n) {
            throw new Fail(400, "ids: expected an array of " + n + " integers (one per item)" + (v instanceof List<?> x ? ", got " + x.size() : ""));
        }
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            if (!(l.get(i) instanceof Long id)) throw new Fail(400, "ids[" + i + "]: expected an integer, got " + show(l.get(i)));
            ids[i] = id;
        }
        return ids;
    }

    private static void appendCode(StringBuilder sb, PackedCodes c, int i) {
        sb.append('[');
        for (int j = 0; j < c.nbit(); j++) sb.append(j == 0 ? "" : ", ").append((c.word(i, j >>> 6) >>> (j & 63) & 1L) != 0 ? "1" : "-1");
        sb.append(']');
    }

    private static int send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
        return status;
    }

    /** Prometheus text exposition: request counts by route and status, latency histogram by route, index size. */
    String metrics() {
        StringBuilder sb = new StringBuilder();
        sb.append("# HELP bsth_http_requests_total HTTP requests by route and status.\n# TYPE bsth_http_requests_total counter\n");
        new java.util.TreeMap<>(requests).forEach((key, n) -> {
            int sp = key.lastIndexOf(' ');
            sb.append("bsth_http_requests_total{route=\"").append(key, 0, sp).append("\",status=\"").append(key.substring(sp + 1))
                    .append("\"} ").append(n.sum()).append('\n');
        });
        sb.append("# HELP bsth_http_request_duration_seconds Request latency by route.\n# TYPE bsth_http_request_duration_seconds histogram\n");
        new java.util.TreeMap<>(latency).forEach((route, h) -> {
            long cum = 0;
            for (int b = 0; b <= BUCKETS.length; b++) {
                cum += h.counts[b].sum();
                String le = b < BUCKETS.length ? String.format(Locale.ROOT, "%s", BUCKETS[b]) : "+Inf";
                sb.append("bsth_http_request_duration_seconds_bucket{route=\"").append(route).append("\",le=\"").append(le).append("\"} ").append(cum).append('\n');
            }
            sb.append("bsth_http_request_duration_seconds_sum{route=\"").append(route).append("\"} ").append(String.format(Locale.ROOT, "%.6f", h.sum.sum())).append('\n');
            sb.append("bsth_http_request_duration_seconds_count{route=\"").append(route).append("\"} ").append(h.count.sum()).append('\n');
        });
        sb.append("# HELP bsth_index_items Live items in the index.\n# TYPE bsth_index_items gauge\nbsth_index_items ").append(index.size()).append('\n');
        sb.append("# HELP bsth_index_nbit Bits per code.\n# TYPE bsth_index_nbit gauge\nbsth_index_nbit ").append(index.nbit()).append('\n');
        return sb.toString();
    }

    /**
     * Graceful stop: no new connections, in-flight requests finish (up to {@code graceSeconds}), then the
     * index closes (every acknowledged write is already durable).
     */
    void stop(int graceSeconds) throws IOException {
        server.stop(graceSeconds);
        executor.shutdown();
        try {
            executor.awaitTermination(graceSeconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        index.close();
    }

    @Override
    public void close() throws IOException {
        stop(0);
    }
}
