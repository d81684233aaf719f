package io.bsth.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodeIndexTest {
    @TempDir
    Path dir;

    /** The live items as a test keeps them: id -> code (insertion order). */
    static Map<Long, long[]> model(CodeIndex x) {
        CodeIndex.Items it = x.items();
        Map<Long, long[]> m = new LinkedHashMap<>();
        int w = it.codes().wordsPerCode();
        for (int i = 0; i < it.ids().length; i++) m.put(it.ids()[i], Arrays.copyOfRange(it.codes().words(), i * w, (i + 1) * w));
        return m;
    }

    static void assertSameItems(Map<Long, long[]> want, Map<Long, long[]> got, String at) {
        assertEquals(want.keySet().stream().toList(), got.keySet().stream().toList(), at + ": ids in order");
        for (Map.Entry<Long, long[]> e : want.entrySet()) assertArrayEquals(e.getValue(), got.get(e.getKey()), at + ": code of id " + e.getKey());
    }

    /** Reference top-k: every live item, sorted by (distance, id). */
    static CodeIndex.Hits brute(Map<Long, long[]> items, long[] q, int k) {
        long[] ids = items.keySet().stream().mapToLong(Long::longValue).toArray();
        int[] d = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            long[] c = items.get(ids[i]);
            for (int w = 0; w < c.length; w++) d[i] += Long.bitCount(c[w] ^ q[w]);
        }
        CodeIndex.sortByDistanceThenId(ids, d);
        int m = Math.min(k, ids.length);
        return new CodeIndex.Hits(Arrays.copyOf(ids, m), Arrays.copyOf(d, m));
    }

    static void assertHits(CodeIndex.Hits want, CodeIndex.Hits got, String at) {
        assertArrayEquals(want.ids(), got.ids(), at + ": ids");
        assertArrayEquals(want.distances(), got.distances(), at + ": distances");
    }

    static long[] code(PackedCodes c, int i) {
        int w = c.wordsPerCode();
        return Arrays.copyOfRange(c.words(), i * w, (i + 1) * w);
    }

    @Test
    void searchIsExactWithTiesByIdAndSurvivesReopen() throws IOException {
        Random rnd = new Random(41);
        for (int nbit : new int[] {64, 100, 12}) {
            Path f = dir.resolve("s" + nbit + ".bidx");
            PackedCodes a = SearchTest.clustered(rnd, 1500, nbit, 25), b = SearchTest.random(rnd, 700, nbit);
            PackedCodes q = SearchTest.clustered(rnd, 6, nbit, 25);
            // explicit ids in a scrambled order, so ties by id differ from ties by insertion order
            long[] idsB = IntStream.range(0, 700).mapToLong(i -> 1_000_000L - 7L * i).toArray();
            try (CodeIndex x = CodeIndex.create(f, nbit)) {
                assertEquals(0, x.size());
                assertEquals(0, x.search(code(q, 0), 5).size());
                long[] idsA = x.add(a);
                assertArrayEquals(IntStream.range(0, 1500).mapToLong(i -> i).toArray(), idsA, "default ids 0, 1, 2, ...");
                x.add(idsB, b);
                assertEquals(2200, x.size());
            }
            for (boolean ro : new boolean[] {false, true}) {
                try (CodeIndex x = ro ? CodeIndex.openReadOnly(f) : CodeIndex.open(f)) {
                    Map<Long, long[]> items = model(x);
                    assertEquals(2200, items.size());
                    for (int k : new int[] {1, 10, 333, 5000}) {
                        CodeIndex.Hits[] got = x.search(q, k);
                        for (int qi = 0; qi < q.size(); qi++) {
                            assertHits(brute(items, code(q, qi), k), got[qi], "nbit " + nbit + " k " + k + " q " + qi + " ro " + ro);
                            assertHits(got[qi], x.search(code(q, qi), k), "single query");
                        }
                    }
                }
            }
        }
    }

    @Test
    void defaultIdsContinueAfterTheLargestAndAreNeverReused() throws IOException {
        Random rnd = new Random(42);
        Path f = dir.resolve("ids.bidx");
        try (CodeIndex x = CodeIndex.create(f, 64)) {
            assertArrayEquals(new long[] {0, 1, 2}, x.add(SearchTest.random(rnd, 3, 64)));
            x.add(new long[] {10}, SearchTest.random(rnd, 1, 64));
            assertEquals(11, x.add(code(SearchTest.random(rnd, 1, 64), 0)));
            assertTrue(x.delete(11));
            assertFalse(x.delete(11));
        }
        try (CodeIndex x = CodeIndex.open(f)) {
            assertEquals(12, x.add(code(SearchTest.random(rnd, 1, 64), 0)), "the deleted 11 is not reused, even after reopen");
            x.add(new long[] {Long.MAX_VALUE}, SearchTest.random(rnd, 1, 64));
            assertThrows(IllegalArgumentException.class, () -> x.add(SearchTest.random(rnd, 1, 64)));
            x.add(-5L, code(SearchTest.random(rnd, 1, 64), 0));
            assertTrue(x.contains(-5L));
        }
    }

    @Test
    void deletesHideCodesPersistAndBadBatchesChangeNothing() throws IOException {
        Random rnd = new Random(43);
        Path f = dir.resolve("del.bidx");
        PackedCodes a = SearchTest.clustered(rnd, 400, 32, 9);
        PackedCodes q = SearchTest.random(rnd, 4, 32);
        Map<Long, long[]> want;
        try (CodeIndex x = CodeIndex.create(f, 32)) {
            x.add(a);
            assertEquals(100, x.delete(range(0, 100)));
            assertTrue(x.delete(399));
            long before = x.info().records();
            assertThrows(IllegalArgumentException.class, () -> x.delete(new long[] {150, 5}), "5 is gone");
            assertThrows(IllegalArgumentException.class, () -> x.delete(new long[] {150, 150}));
            assertThrows(IllegalArgumentException.class, () -> x.add(new long[] {1000, 200}, SearchTest.random(rnd, 2, 32)), "200 is live");
            assertThrows(IllegalArgumentException.class, () -> x.add(new long[] {1000, 1000}, SearchTest.random(rnd, 2, 32)));
            assertThrows(IllegalArgumentException.class, () -> x.add(new long[] {1000}, SearchTest.random(rnd, 1, 33)));
            assertThrows(IllegalArgumentException.class, () -> x.add(1000L, new long[] {1L << 40}), "bits beyond nbit");
            assertEquals(before, x.info().records(), "failed calls wrote nothing");
            assertTrue(x.contains(150));
            x.add(5L, code(a, 5));   // a deleted id may be added again
            want = model(x);
            assertEquals(300, x.size());
            assertEquals(202, x.info().deadRecords(), "101 deleted codes and their 101 tombstones");
            for (int qi = 0; qi < 4; qi++) assertHits(brute(want, code(q, qi), 50), x.search(code(q, qi), 50), "q " + qi);
        }
        try (CodeIndex x = CodeIndex.open(f)) {
            assertSameItems(want, model(x), "reopened");
            for (int qi = 0; qi < 4; qi++) assertHits(brute(want, code(q, qi), 50), x.search(code(q, qi), 50), "reopened q " + qi);
        }
    }

    static long[] range(int from, int to) {
        return IntStream.range(from, to).mapToLong(i -> i).toArray();
    }

    @Test
    void crashDuringAddOrDeleteLeavesThePublishedState() throws IOException {
        Random rnd = new Random(44);
        int nbit = 96;
        PackedCodes a = SearchTest.random(rnd, 500, nbit), b = SearchTest.random(rnd, 300, nbit), c = SearchTest.random(rnd, 70, nbit);
        for (boolean deleting : new boolean[] {false, true}) {
            for (CodeIndex.Crash at : new CodeIndex.Crash[] {CodeIndex.Crash.MID_DATA, CodeIndex.Crash.BEFORE_HEADER, CodeIndex.Crash.MID_HEADER}) {
                String what = (deleting ? "delete " : "add ") + at;
                Path f = dir.resolve("crash-" + deleting + "-" + at + ".bidx");
                Map<Long, long[]> want;
                try (CodeIndex x = CodeIndex.create(f, nbit)) {
                    x.add(a);
                    x.delete(range(10, 20));   // flip the active slot once, so both slots have been written
                    want = model(x);
                }
                long sizeBefore = Files.size(f);
                // the instance that dies mid-write; closing it afterwards only releases its lock, as death would
                CodeIndex dying = CodeIndex.open(f);
                if (deleting) {
                    assertThrows(CodeIndex.SimulatedCrash.class, () -> dying.delete(range(100, 400), at));
                } else {
                    assertThrows(CodeIndex.SimulatedCrash.class, () -> dying.add(range(1000, 1300), b, at));
                }
                assertThrows(IllegalStateException.class, () -> dying.add(c), "a broken instance refuses writes");
                dying.close();
                assertTrue(Files.size(f) > sizeBefore || at == CodeIndex.Crash.MID_HEADER, "debris left behind (" + what + ")");
                try (CodeIndex x = CodeIndex.open(f)) {
                    assertSameItems(want, model(x), "after a crash in " + what);
                    long[] ids = x.add(c);   // the next write overwrites the debris
                    for (int i = 0; i < ids.length; i++) want.put(ids[i], code(c, i));
                }
                try (CodeIndex x = CodeIndex.open(f)) {
                    assertSameItems(want, model(x), "after the next write, " + what);
                }
            }
        }
    }

    @Test
    void compactionKeepsEveryLiveCodeAndSurvivesACrashAtEachStep() throws IOException {
        Random rnd = new Random(45);
        int nbit = 64;
        for (CodeIndex.Crash at : new CodeIndex.Crash[] {CodeIndex.Crash.NONE, CodeIndex.Crash.COMPACT_MID_WRITE,
                CodeIndex.Crash.COMPACT_BEFORE_RENAME, CodeIndex.Crash.COMPACT_AFTER_RENAME}) {
            Path f = dir.resolve("compact-" + at + ".bidx");
            Map<Long, long[]> want;
            long fullBytes;
            try (CodeIndex x = CodeIndex.create(f, nbit)) {
                x.add(SearchTest.random(rnd, 3000, nbit));
                x.delete(IntStream.range(0, 3000).filter(i -> i % 3 == 0).mapToLong(i -> i).toArray());
                x.add(new long[] {-1, -2}, SearchTest.random(rnd, 2, nbit));
                want = model(x);
                fullBytes = Files.size(f);
                if (at == CodeIndex.Crash.NONE) {
                    x.compact();
                    assertSameItems(want, model(x), "in memory after compaction");
                    assertEquals(0, x.info().deadRecords());
                    x.add(7000L, code(SearchTest.random(rnd, 1, nbit), 0));   // writes go on in the new file
                    want = model(x);
                } else {
                    assertThrows(CodeIndex.SimulatedCrash.class, () -> x.compact(at));
                }
            }
            try (CodeIndex x = CodeIndex.open(f)) {
                assertSameItems(want, model(x), "reopened after compaction " + at);
                boolean compacted = at == CodeIndex.Crash.NONE || at == CodeIndex.Crash.COMPACT_AFTER_RENAME;
                assertEquals(compacted, Files.size(f) < fullBytes, "file " + (compacted ? "shrank" : "unchanged") + " (" + at + ")");
                x.compact();   // removes the debris of the crashed compaction too
                assertSameItems(want, model(x), "compacted again");
            }
            try (var files = Files.list(dir)) {
                assertEquals(List.of(), files.filter(p -> p.getFileName().toString().endsWith(".compact")).toList(), "no temporary files left");
            }
            try (CodeIndex x = CodeIndex.open(f)) {
                assertSameItems(want, model(x), "reopened after the second compaction");
                assertEquals(want.size(), x.info().records());
            }
        }
    }

    @Test
    void addAllIsOneWriteAllOrNothing() throws IOException {
        Random rnd = new Random(50);
        Path f = dir.resolve("bulk.bidx");
        PackedCodes a = SearchTest.random(rnd, 300, 40), b = SearchTest.random(rnd, 200, 40);
        try (CodeIndex x = CodeIndex.create(f, 40)) {
            x.add(new long[] {7}, SearchTest.random(rnd, 1, 40));
            long records = x.info().records();
            int[] calls = {0};
            // the third batch repeats id 7: nothing of the first two may be published
            assertThrows(IllegalArgumentException.class, () -> x.addAll(() -> switch (calls[0]++) {
                case 0 -> new CodeIndex.Batch(null, a);
                case 1 -> new CodeIndex.Batch(range(1000, 1200), b);
                default -> new CodeIndex.Batch(new long[] {7}, SearchTest.random(rnd, 1, 40));
            }));
            assertEquals(1, x.size());
            assertEquals(records, x.info().records());
            int[] again = {0};
            assertEquals(500, x.addAll(() -> switch (again[0]++) {
                case 0 -> new CodeIndex.Batch(null, a);
                case 1 -> new CodeIndex.Batch(range(1000, 1200), b);
                default -> null;
            }));
            assertEquals(501, x.size());
        }
        try (CodeIndex x = CodeIndex.openReadOnly(f)) {
            Map<Long, long[]> m = model(x);
            assertEquals(501, m.size());
            assertArrayEquals(code(a, 0), m.get(8L), "default ids continue after 7");
            assertArrayEquals(code(b, 199), m.get(1199L));
        }
    }

    @Test
    void readOnlyOpenSearchesAndRefusesWrites() throws IOException {
        Random rnd = new Random(46);
        Path f = dir.resolve("ro.bidx");
        try (CodeIndex x = CodeIndex.create(f, 16)) {
            x.add(SearchTest.random(rnd, 50, 16));
            // a reader beside the writer: no lock, the state published when it opened
            try (CodeIndex r = CodeIndex.openReadOnly(f)) {
                assertEquals(50, r.size());
                assertThrows(IllegalStateException.class, () -> r.add(SearchTest.random(rnd, 1, 16)));
                assertThrows(IllegalStateException.class, () -> r.delete(3));
                assertThrows(IllegalStateException.class, r::compact);
            }
            assertTrue(assertThrows(IOException.class, () -> CodeIndex.open(f)).getMessage().contains("already open for writing"));
        }
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--r--r--"));
        try (CodeIndex r = CodeIndex.openReadOnly(f)) {
            assertEquals(50, r.size());
            assertEquals(3, r.search(new long[] {0}, 3).size());
        }
        if (!Files.isWritable(f)) {   // root may write anyway
            assertTrue(assertThrows(IOException.class, () -> CodeIndex.open(f)).getMessage().contains("read-only"));
        }
    }

    @Test
    void oldForeignAndDamagedFilesAreRefusedInOneLine() throws IOException {
        Random rnd = new Random(47);
        ByteBuffer v1 = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        v1.put(CodeIndex.MAGIC).putInt(1).putInt(64);
        Files.write(dir.resolve("v1.codes"), v1.array());
        String m = assertThrows(IOException.class, () -> CodeIndex.open(dir.resolve("v1.codes"))).getMessage();
        assertTrue(m.contains("version 1") && m.contains("rebuild"), m);
        v1.putInt(8, 3);
        Files.write(dir.resolve("v3.codes"), v1.array());
        assertTrue(assertThrows(IOException.class, () -> CodeIndex.openReadOnly(dir.resolve("v3.codes"))).getMessage().contains("unsupported code index version 3"));
        Files.write(dir.resolve("foreign.bin"), new byte[300]);
        assertTrue(assertThrows(IOException.class, () -> CodeIndex.open(dir.resolve("foreign.bin"))).getMessage().contains("bad magic"));
        assertTrue(assertThrows(IOException.class, () -> CodeIndex.open(dir.resolve("none.bidx"))).getMessage().contains("no such file"));
        Path f = dir.resolve("d.bidx");
        try (CodeIndex x = CodeIndex.create(f, 64)) {
            x.add(SearchTest.random(rnd, 100, 64));
        }
        assertTrue(assertThrows(IOException.class, () -> CodeIndex.create(f, 64)).getMessage().contains("already exists"));
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), CodeIndex.DATA + 40);
        }
        assertTrue(assertThrows(IOException.class, () -> CodeIndex.open(f)).getMessage().contains("checksum mismatch"));
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(CodeIndex.DATA + 50);
        }
        assertTrue(assertThrows(IOException.class, () -> CodeIndex.open(f)).getMessage().contains("truncated"));
    }

    @Test
    void shardMergeEqualsOneIndexHoweverItemsAreSplit() throws IOException {
        Random rnd = new Random(48);
        int nbit = 10, n = 3000;   // 10 bits over 3000 items: ties at every distance
        PackedCodes all = SearchTest.random(rnd, n, nbit), q = SearchTest.random(rnd, 20, nbit);
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) ids[i] = rnd.nextLong() >>> 20;   // unique in practice; checked by add
        try (CodeIndex one = CodeIndex.create(dir.resolve("one.bidx"), nbit)) {
            one.add(ids, all);
            for (int split = 0; split < 3; split++) {
                CodeIndex[] shards = new CodeIndex[2 + split];
                List<List<Integer>> parts = new ArrayList<>();
                for (int s = 0; s < shards.length; s++) {
                    shards[s] = CodeIndex.create(dir.resolve("shard" + split + "-" + s + ".bidx"), nbit);
                    parts.add(new ArrayList<>());
                }
                for (int i = 0; i < n; i++) parts.get(rnd.nextInt(shards.length)).add(i);
                for (int s = 0; s < shards.length; s++) {
                    int[] rows = parts.get(s).stream().mapToInt(Integer::intValue).toArray();
                    long[] w = new long[rows.length];
                    long[] sid = new long[rows.length];
                    for (int r = 0; r < rows.length; r++) {
                        w[r] = all.word(rows[r], 0);
                        sid[r] = ids[rows[r]];
                    }
                    shards[s].add(sid, PackedCodes.wrap(w, rows.length, nbit));
                }
                for (int k : new int[] {1, 17, 400}) {
                    CodeIndex.Hits[] want = one.search(q, k);
                    CodeIndex.Hits[][] per = new CodeIndex.Hits[shards.length][];
                    for (int s = 0; s < shards.length; s++) per[s] = shards[s].search(q, k);
                    for (int qi = 0; qi < q.size(); qi++) {
                        CodeIndex.Hits[] parts1 = new CodeIndex.Hits[shards.length];
                        for (int s = 0; s < shards.length; s++) parts1[s] = per[s][qi];
                        assertHits(want[qi], CodeIndex.merge(parts1, k), "split " + split + " k " + k + " q " + qi);
                    }
                }
                for (CodeIndex s : shards) s.close();
            }
        }
    }

    @Test
    void searchersSeeConsistentStatesWhileOneWriterAddsAndDeletes() throws Exception {
        // every code is a function of its id, so any hit can be checked without knowing which state was read
        int nbit = 64;
        Path f = dir.resolve("live.bidx");
        Random rnd = new Random(49);
        long[] qs = {rnd.nextLong(), rnd.nextLong(), rnd.nextLong()};
        try (CodeIndex x = CodeIndex.create(f, nbit)) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicBoolean done = new AtomicBoolean();
            Thread[] readers = new Thread[3];
            for (int t = 0; t < readers.length; t++) {
                long[] qq = {qs[t]};
                readers[t] = new Thread(() -> {
                    try {
                        while (!done.get()) {
                            CodeIndex.Hits h = x.search(qq, 20);
                            for (int r = 0; r < h.size(); r++) {
                                assertEquals(Long.bitCount(codeOf(h.ids()[r]) ^ qq[0]), h.distances()[r], "distance of id " + h.ids()[r]);
                                if (r > 0) {
                                    assertTrue(h.distances()[r] > h.distances()[r - 1]
                                            || h.distances()[r] == h.distances()[r - 1] && h.ids()[r] > h.ids()[r - 1], "order");
                                }
                            }
                        }
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                });
                readers[t].start();
            }
            for (int b = 0; b < 40; b++) {
                long[] ids = range(b * 100, b * 100 + 100);
                x.add(ids, PackedCodes.wrap(Arrays.stream(ids).map(CodeIndexTest::codeOf).toArray(), ids.length, nbit));
                x.delete(Arrays.stream(ids).filter(i -> i % 5 == 4).toArray());
                if (b % 10 == 9) x.compact();
            }
            done.set(true);
            for (Thread t : readers) t.join();
            if (failure.get() != null) throw new AssertionError(failure.get());
            assertEquals(3200, x.size());
        }
    }

    /** A fixed pseudo-random code per id. */
    static long codeOf(long id) {
        long h = id * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 29);
    }

    /** Child process of {@link #killedWriterLeavesWholeBatchesOnly}: adds batch after batch and deletes some until killed. */
    public static final class Writer {
        public static void main(String[] args) throws IOException {
            try (CodeIndex x = CodeIndex.open(Path.of(args[0]))) {
                System.out.println("ready");
                System.out.flush();
                for (int b = 0; ; b++) {
                    x.add(batchIds(b), batch(b));
                    if (b % 3 == 2) x.delete(new long[] {b * 1000L, b * 1000L + 1});
                }
            }
        }
    }

    static long[] batchIds(int b) {
        return IntStream.range(0, 257).mapToLong(i -> b * 1000L + i).toArray();
    }

    /** Batch b: 257 codes of 96 bits whose first word is b and second word the row within the batch. */
    static PackedCodes batch(int b) {
        long[] w = new long[257 * 2];
        for (int i = 0; i < 257; i++) {
            w[2 * i] = b;
            w[2 * i + 1] = i;
        }
        return PackedCodes.wrap(w, 257, 96);
    }

    @Test
    void killedWriterLeavesWholeBatchesOnly() throws Exception {
        Path f = dir.resolve("killed.bidx");
        CodeIndex.create(f, 96).close();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Writer.class.getName(), f.toString())
                .redirectErrorStream(true).start();
        try {
            assertEquals("ready", new BufferedReader(new InputStreamReader(p.getInputStream())).readLine());
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (Files.size(f) < CodeIndex.DATA + 40L * 257 * 32 && System.nanoTime() < deadline) Thread.sleep(5);
        } finally {
            p.destroyForcibly().waitFor();
        }
        try (CodeIndex x = CodeIndex.open(f)) {
            Map<Long, long[]> items = model(x);
            assertTrue(items.size() > 0, "some batches were published before the kill");
            int batches = (int) (items.keySet().stream().mapToLong(Long::longValue).max().getAsLong() / 1000) + 1;
            int want = 0;
            for (int b = 0; b < batches; b++) {
                boolean lastDeleted = b % 3 == 2 && !items.containsKey(b * 1000L);
                want += b % 3 == 2 && (b < batches - 1 || lastDeleted) ? 255 : 257;
            }
            assertEquals(want, items.size(), "whole batches and whole deletes only");
            for (Map.Entry<Long, long[]> e : items.entrySet()) {
                long id = e.getKey();
                assertArrayEquals(new long[] {id / 1000, id % 1000}, e.getValue(), "code of id " + id);
            }
            x.add(new long[] {-1}, batch(0).slice(0, 1));
        }
    }
}
