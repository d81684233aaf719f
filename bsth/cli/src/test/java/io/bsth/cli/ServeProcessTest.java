package io.bsth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bsth.retrieval.CodeIndex;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bsth serve --writable} in a child JVM, stopped by SIGKILL or SIGTERM while a client adds items. */
class ServeProcessTest {
    @TempDir
    Path dir;

    static final int PER_REQUEST = 10;

    record Server(Process process, String url, BufferedReader out) {}

    Server start(Path index) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "serve", "--index", index.toString(), "--port", "0", "--writable", "--threads", "1")
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        for (int i = 0; i < 5 && line != null && line.startsWith("WARNING:"); i++) line = out.readLine();   // the JVM's incubator notice
        Matcher m = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)").matcher(line == null ? "" : line);
        assertTrue(m.find(), "first line: " + line);
        return new Server(p, m.group(1), out);
    }

    static String body(long firstId) {
        StringBuilder sb = new StringBuilder("{\"ids\": [");
        for (int i = 0; i < PER_REQUEST; i++) sb.append(i == 0 ? "" : ",").append(firstId + i);
        sb.append("], \"codes\": [");
        for (int i = 0; i < PER_REQUEST; i++) {
            sb.append(i == 0 ? "[" : ",[");
            for (int j = 0; j < 32; j++) sb.append(j == 0 ? "" : ",").append(((firstId + i) >> (j % 16) & 1) != 0 ? 1 : -1);
            sb.append(']');
        }
        return sb.append("]}").toString();
    }

    /**
     * Adds batches of ids from one client thread until {@code stop} is set or the server goes away
     * (bounded: at most 3000 requests); returns the first ids of the acknowledged batches and, in
     * {@code inFlight}, the first id of a batch sent but not acknowledged.
     */
    static final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicInteger> ACKS = new java.util.concurrent.ConcurrentHashMap<>();

    static List<Long> addUntil(String url, AtomicBoolean stop, long[] inFlight) {
        return addUntil(url, stop, inFlight, 3000, 1000L);
    }

    /** Acknowledgements received so far by the client adding to {@code url}. */
    static int acks(String url) {
        return ACKS.computeIfAbsent(url, u -> new java.util.concurrent.atomic.AtomicInteger()).get();
    }

    static List<Long> addUntil(String url, AtomicBoolean stop, long[] inFlight, int maxRequests, long base) {
        HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<Long> acked = new ArrayList<>();
        inFlight[0] = -1;
        for (int r = 0; r < maxRequests && !stop.get(); r++) {
            long first = base + (long) r * PER_REQUEST;
            inFlight[0] = first;
            try {
                HttpResponse<String> resp = c.send(HttpRequest.newBuilder(URI.create(url + "/items")).timeout(Duration.ofSeconds(20))
                        .POST(HttpRequest.BodyPublishers.ofString(body(first))).build(), HttpResponse.BodyHandlers.ofString());
                if (resp.statusCode() != 200) break;
                acked.add(first);
                inFlight[0] = -1;
                ACKS.computeIfAbsent(url, u -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
            } catch (Exception e) {
                break;
            }
        }
        return acked;
    }

    void checkHoldsAcknowledged(Path index, List<Long> acked, long inFlight) throws Exception {
        try (CodeIndex x = CodeIndex.openReadOnly(index)) {
            Set<Long> ids = new HashSet<>();
            for (long id : x.items().ids()) ids.add(id);
            for (long first : acked) {
                for (int i = 0; i < PER_REQUEST; i++) assertTrue(ids.contains(first + i), "acknowledged id " + (first + i) + " is in the index");
            }
            int extra = ids.size() - acked.size() * PER_REQUEST;
            assertTrue(extra == 0 || extra == PER_REQUEST && inFlight >= 0 && ids.contains(inFlight),
                    "beyond the acknowledged items at most the one batch in flight, whole: " + extra + " extra");
        }
    }

    @Test
    void killMinusNineDuringAddsLosesNoAcknowledgedItem() throws Exception {
        Path index = dir.resolve("k.bidx");
        CodeIndex.create(index, 32).close();
        Server s = start(index);
        AtomicBoolean stop = new AtomicBoolean();
        long[] inFlight = new long[1];
        @SuppressWarnings("unchecked")
        List<Long>[] acked = new List[1];
        Thread client = Thread.ofPlatform().start(() -> acked[0] = addUntil(s.url(), stop, inFlight));
        try {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < deadline && client.isAlive() && acks(s.url()) < 30) Thread.sleep(20);
        } finally {
            s.process().destroyForcibly().waitFor();
        }
        client.join(30_000);
        stop.set(true);
        assertTrue(acked[0].size() >= 30, "the client got acknowledgements before the kill: " + acked[0].size());
        checkHoldsAcknowledged(index, acked[0], inFlight[0]);
        // the index reopens for writing after the kill (the dead process's lock is gone)
        Server again = start(index);
        try {
            List<Long> more = addUntil(again.url(), new AtomicBoolean(), new long[1], 3, 10_000_000L);
            assertEquals(3, more.size());
        } finally {
            again.process().destroyForcibly().waitFor();
        }
    }

    @Test
    void sigtermFinishesInFlightRequestsAndClosesCleanly() throws Exception {
        Path index = dir.resolve("t.bidx");
        CodeIndex.create(index, 32).close();
        Server s = start(index);
        AtomicBoolean stop = new AtomicBoolean();
        long[] inFlight = new long[1];
        @SuppressWarnings("unchecked")
        List<Long>[] acked = new List[1];
        Thread client = Thread.ofPlatform().start(() -> acked[0] = addUntil(s.url(), stop, inFlight));
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline && client.isAlive() && acks(s.url()) < 20) Thread.sleep(20);
        // SIGTERM by kill(1): Process.destroy would also close our end of the child's output
        assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(s.process().pid())).start().waitFor());
        StringBuilder rest = new StringBuilder();
        for (String line; (line = s.out().readLine()) != null; ) rest.append(line).append('\n');
        s.process().waitFor();
        client.join(30_000);
        stop.set(true);
        assertTrue(rest.toString().contains("bsth serve: stopped"), "graceful stop announced: " + rest);
        checkHoldsAcknowledged(index, acked[0], inFlight[0]);
        // closed cleanly: the index opens for writing at once
        CodeIndex.open(index).close();
    }
}
