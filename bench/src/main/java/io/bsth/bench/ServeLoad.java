package io.bsth.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Load driver for {@code bsth serve}: {@code C} clients, each sending one request after another to
 * {@code POST /search} (one query per request, k = 10), by code or by features, until {@code N}
 * requests in all are done or {@code S} seconds passed (bounded either way). Loopback only: the URL
 * must name 127.0.0.1 or localhost. Prints throughput and p50 / p99 latency.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar io.bsth.bench.ServeLoad URL codes|features
 * CLIENTS REQUESTS MAX_SECONDS NBIT IMAGE_DIM TEXT_DIM}
 */
public final class ServeLoad {
    private ServeLoad() {}

    public static void main(String[] args) throws Exception {
        String url = args[0], mode = args[1];
        int clients = Integer.parseInt(args[2]), total = Integer.parseInt(args[3]);
        double maxSeconds = Double.parseDouble(args[4]);
        int nbit = Integer.parseInt(args[5]), imageDim = Integer.parseInt(args[6]), textDim = Integer.parseInt(args[7]);
        String host = URI.create(url).getHost();
        if (!host.equals("127.0.0.1") && !host.equals("localhost")) throw new IllegalArgumentException("loopback only, got " + host);
        SplittableRandom rnd = new SplittableRandom(7);
        String[] bodies = new String[64];
        for (int b = 0; b < bodies.length; b++) {
            StringBuilder sb = new StringBuilder("{");
            if (mode.equals("codes")) {
                sb.append("\"codes\": [[");
                for (int j = 0; j < nbit; j++) sb.append(j == 0 ? "" : ",").append(rnd.nextBoolean() ? 1 : -1);
                sb.append("]]");
            } else {
                sb.append("\"image\": [[");
                for (int j = 0; j < imageDim; j++) sb.append(j == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", rnd.nextDouble()));
                sb.append("]], \"text\": [[");
                for (int j = 0; j < textDim; j++) sb.append(j == 0 ? "" : ",").append(rnd.nextInt(20) == 0 ? "1" : "0");
                sb.append("]]");
            }
            bodies[b] = sb.append(", \"k\": 10}").toString();
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI search = URI.create(url + "/search");
        AtomicInteger next = new AtomicInteger();
        long[][] lat = new long[clients][];
        int[] done = new int[clients];
        int[] errors = new int[clients];
        long end = System.nanoTime() + (long) (maxSeconds * 1e9);
        Thread[] ts = new Thread[clients];
        long t0 = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            final int id = c;
            lat[c] = new long[total];
            ts[c] = Thread.ofPlatform().start(() -> {
                while (System.nanoTime() < end) {
                    int i = next.getAndIncrement();
                    if (i >= total) break;
                    long s = System.nanoTime();
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(search).timeout(Duration.ofSeconds(60))
                                .POST(HttpRequest.BodyPublishers.ofString(bodies[i % bodies.length])).build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) errors[id]++;
                    } catch (Exception e) {
                        errors[id]++;
                    }
                    lat[id][done[id]++] = System.nanoTime() - s;
                }
            });
        }
        for (Thread t : ts) t.join();
        double seconds = (System.nanoTime() - t0) / 1e9;
        int n = 0, err = 0;
        for (int c = 0; c < clients; c++) {
            n += done[c];
            err += errors[c];
        }
        long[] all = new long[n];
        int p = 0;
        for (int c = 0; c < clients; c++) {
            System.arraycopy(lat[c], 0, all, p, done[c]);
            p += done[c];
        }
        Arrays.sort(all);
        System.out.printf(Locale.ROOT, "search by %s, %d clients: %d requests in %.2f s, %.1f req/s, p50 %.2f ms, p99 %.2f ms, errors %d%n",
                mode, clients, n, seconds, n / seconds, all[n / 2] / 1e6, all[Math.min(n - 1, (int) (n * 0.99))] / 1e6, err);
    }
}
