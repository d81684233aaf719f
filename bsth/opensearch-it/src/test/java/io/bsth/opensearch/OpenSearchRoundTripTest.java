package io.bsth.opensearch;

import com.carrotsearch.randomizedtesting.ThreadFilter;
import com.carrotsearch.randomizedtesting.annotations.ThreadLeakFilters;
import io.bsth.cli.Main;
import io.bsth.retrieval.CodeIndex;
import io.bsth.retrieval.PackedCodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.opensearch.action.bulk.BulkResponse;
import org.opensearch.action.search.SearchResponse;
import org.opensearch.common.xcontent.XContentType;
import org.opensearch.index.query.QueryBuilders;
import org.opensearch.plugins.Plugin;
import org.opensearch.search.SearchHit;
import org.opensearch.test.OpenSearchSingleNodeTestCase;

/**
 * `bsth export --format opensearch` through a real OpenSearch 3.5.0 node with the k-NN plugin: the index
 * is created from our index.json, filled from our bulk.ndjson, and exact search (script_score with the
 * knn_score script, hamming) must return our top-k: the same distances rank by rank and the same ids
 * (as sets within each distance, since OpenSearch breaks ties by its own document order). Also reports
 * the recall of the approximate HNSW knn query.
 */
@ThreadLeakFilters(filters = OpenSearchRoundTripTest.BsthWorkers.class)
public class OpenSearchRoundTripTest extends OpenSearchSingleNodeTestCase {
    /** bsth's search pool keeps its daemon workers for the life of the JVM (by design, not a leak). */
    public static final class BsthWorkers implements ThreadFilter {
        @Override
        public boolean reject(Thread t) {
            return t.getName().startsWith("bsth-worker-");
        }
    }

    @Override
    protected Collection<Class<? extends Plugin>> getPlugins() {
        // the plugin's classes come from its zip, unpacked onto the test classpath only (see the POM)
        try {
            return List.of(Class.forName("org.opensearch.knn.plugin.KNNPlugin").asSubclass(Plugin.class));
        } catch (ClassNotFoundException e) {
            throw new AssertionError("the k-NN plugin is not on the test classpath", e);
        }
    }

    public void testExportedIndexAnswersAsBsthDoes() throws Exception {
        // a folder on the real file system: the test framework's own temp folders cannot be memory-mapped
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "bsth-opensearch-");
        Random rnd = new Random(71);
        int n = 2000, nbit = 64, k = 10, nq = 20;
        long[] words = new long[n];
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            words[i] = rnd.nextLong();
            ids[i] = 10_000L + 7L * i;
        }
        Path indexFile = dir.resolve("items.bidx");
        try (CodeIndex x = CodeIndex.create(indexFile, nbit)) {
            x.add(ids, PackedCodes.wrap(words, n, nbit));
        }
        assertEquals(0, Main.run("export", "--index", indexFile.toString(), "--format", "opensearch", "--out", dir.resolve("os").toString(), "--name", "items"));
        String indexJson = Files.readString(dir.resolve("os/index.json"));
        byte[] bulk = Files.readAllBytes(dir.resolve("os/bulk.ndjson"));
        // PUT /items with our body, as the REST layer hands it on: the mappings wrapped under the single type "_doc"
        java.util.Map<String, Object> body = new java.util.LinkedHashMap<>(io.bsth.tensor.io.Json.parseObject(indexJson));
        body.put("mappings", java.util.Map.of("_doc", body.get("mappings")));
        client().admin().indices().prepareCreate("items").setSource(body).get();
        BulkResponse br = client().prepareBulk().add(bulk, 0, bulk.length, XContentType.JSON).get();
        assertFalse(br.buildFailureMessage(), br.hasFailures());
        client().admin().indices().prepareRefresh("items").get();

        int approxHits = 0;
        try (CodeIndex x = CodeIndex.openReadOnly(indexFile)) {
            for (int q = 0; q < nq; q++) {
                long code = rnd.nextLong();
                CodeIndex.Hits want = x.search(new long[] {code}, k);
                StringBuilder v = new StringBuilder("[");
                for (int b = 0; b < 8; b++) v.append(b == 0 ? "" : ",").append((byte) (code >>> (8 * b)));
                String vec = v.append(']').toString();
                String exact = "{\"script_score\": {\"query\": {\"match_all\": {}}, \"script\": {\"lang\": \"knn\", \"source\": \"knn_score\","
                        + " \"params\": {\"field\": \"code\", \"query_value\": " + vec + ", \"space_type\": \"hamming\"}}}}";
                SearchResponse r = client().prepareSearch("items").setQuery(QueryBuilders.wrapperQuery(exact)).setSize(k).get();
                SearchHit[] hits = r.getHits().getHits();
                assertEquals(k, hits.length);
                int last = want.distances()[k - 1];
                Set<Long> wantInner = new HashSet<>(), gotInner = new HashSet<>();
                for (int i = 0; i < k; i++) {
                    // knn_score for hamming: 1 / (1 + distance)
                    int d = Math.round(1f / hits[i].getScore() - 1f);
                    assertEquals("query " + q + " rank " + i, want.distances()[i], d);
                    long id = Long.parseLong(hits[i].getId());
                    if (d < last) gotInner.add(id);
                    if (want.distances()[i] < last) wantInner.add(want.ids()[i]);
                    if (d == last) assertEquals("query " + q + ": id " + id + " at the boundary distance", last, Long.bitCount(words[(int) ((id - 10_000L) / 7)] ^ code));
                }
                assertEquals("query " + q, wantInner, gotInner);
                String knn = "{\"knn\": {\"code\": {\"vector\": " + vec + ", \"k\": " + k + "}}}";
                SearchResponse a = client().prepareSearch("items").setQuery(QueryBuilders.wrapperQuery(knn)).setSize(k).get();
                Set<Long> wantIds = new HashSet<>();
                for (long id : want.ids()) wantIds.add(id);
                for (SearchHit h : a.getHits().getHits()) if (wantIds.contains(Long.parseLong(h.getId()))) approxHits++;
            }
        }
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
        System.out.printf(Locale.ROOT, "OpenSearch exact knn_score matched bsth on %d queries; HNSW knn recall@%d %.3f (default ef_search)%n",
                nq, k, approxHits / (double) (nq * k));
    }
}
