package io.bsth.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodeStoreTest {
    @TempDir
    Path dir;

    static PackedCodes concat(PackedCodes a, PackedCodes b) {
        byte[] x = a.toInt8(), y = b.toInt8(), z = new byte[x.length + y.length];
        System.arraycopy(x, 0, z, 0, x.length);
        System.arraycopy(y, 0, z, x.length, y.length);
        return PackedCodes.fromInt8(z, a.size() + b.size(), a.nbit());
    }

    @Test
    void appendsPersistAndSearchMatchesInMemorySearch() throws IOException {
        Random rnd = new Random(31);
        for (int nbit : new int[] {64, 100, 20}) {
            Path f = dir.resolve("s" + nbit + ".codes");
            PackedCodes a = SearchTest.clustered(rnd, 3000, nbit, 30), b = SearchTest.random(rnd, 1234, nbit);
            PackedCodes q = SearchTest.random(rnd, 9, nbit);
            try (CodeStore s = CodeStore.create(f, nbit)) {
                assertEquals(0, s.size());
                s.append(a);
                s.append(b);
                assertEquals(4234, s.size());
            }
            try (CodeStore s = CodeStore.open(f)) {
                PackedCodes all = concat(a, b);
                assertEquals(nbit, s.nbit());
                assertEquals(all, s.read(0, s.size()));
                Search.TopK want = Search.topK(q, all, 50), got = s.search(q, 50);
                assertArrayEquals(want.indices(), got.indices());
                assertArrayEquals(want.distances(), got.distances());
                long[] one = q.slice(3, 4).words();
                Search.TopK single = s.search(one, 7);
                for (int r = 0; r < 7; r++) assertEquals(want.index(3, r), single.index(0, r));
                Search.Radius rr = s.searchRadius(q, nbit / 3), wr = Search.radius(q, all, nbit / 3);
                assertArrayEquals(wr.indices(), rr.indices());
            }
        }
    }

    @Test
    void crashInTheMiddleOfAnAppendLeavesTheOldCodesIntact() throws IOException {
        Random rnd = new Random(32);
        int nbit = 96;
        PackedCodes a = SearchTest.random(rnd, 500, nbit), b = SearchTest.random(rnd, 300, nbit), c = SearchTest.random(rnd, 70, nbit);
        for (CodeStore.Crash at : new CodeStore.Crash[] {CodeStore.Crash.MID_DATA, CodeStore.Crash.BEFORE_HEADER, CodeStore.Crash.MID_HEADER}) {
            Path f = dir.resolve("crash-" + at + ".codes");
            try (CodeStore s = CodeStore.create(f, nbit)) {
                s.append(a);
            }
            // a second store instance stands for the process that dies mid-append
            CodeStore dying = CodeStore.open(f);
            assertThrows(CodeStore.SimulatedCrash.class, () -> dying.append(b, at));
            assertTrue(Files.size(f) > CodeStore.DATA + 500L * 2 * 8, "the crash left partial bytes behind (" + at + ")");
            try (CodeStore s = CodeStore.open(f)) {
                assertEquals(500, s.size(), "after a crash " + at);
                assertEquals(a, s.read(0, 500));
                // the next append overwrites the debris and the store stays consistent
                s.append(c);
            }
            try (CodeStore s = CodeStore.open(f)) {
                assertEquals(570, s.size());
                assertEquals(concat(a, c), s.read(0, 570));
            }
            dying.close();
        }
    }

    @Test
    void crashAfterAnEarlierAppendUsesTheOtherSlot() throws IOException {
        // two appends flip the active slot; a torn write of the next one must not touch the published slot
        Random rnd = new Random(33);
        Path f = dir.resolve("flip.codes");
        PackedCodes a = SearchTest.random(rnd, 10, 64), b = SearchTest.random(rnd, 20, 64), c = SearchTest.random(rnd, 5, 64);
        try (CodeStore s = CodeStore.create(f, 64)) {
            s.append(a);
            s.append(b);
            assertThrows(CodeStore.SimulatedCrash.class, () -> s.append(c, CodeStore.Crash.MID_HEADER));
        }
        try (CodeStore s = CodeStore.open(f)) {
            assertEquals(30, s.size());
            assertEquals(concat(a, b), s.read(0, 30));
        }
    }

    @Test
    void damageIsReportedInOneLine() throws IOException {
        Random rnd = new Random(34);
        Path f = dir.resolve("d.codes");
        try (CodeStore s = CodeStore.create(f, 64)) {
            s.append(SearchTest.random(rnd, 100, 64));
        }
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), CodeStore.DATA + 40);
        }
        assertTrue(assertThrows(IOException.class, () -> CodeStore.open(f)).getMessage().contains("checksum mismatch"));
        Files.write(dir.resolve("bad.codes"), new byte[200]);
        assertTrue(assertThrows(IOException.class, () -> CodeStore.open(dir.resolve("bad.codes"))).getMessage().contains("bad magic"));
        assertTrue(assertThrows(IOException.class, () -> CodeStore.open(dir.resolve("none.codes"))).getMessage().contains("no such file"));
        assertTrue(assertThrows(IOException.class, () -> CodeStore.create(f, 64)).getMessage().contains("already exists"));
        try (CodeStore s = CodeStore.create(dir.resolve("n.codes"), 32)) {
            assertThrows(IllegalArgumentException.class, () -> s.append(SearchTest.random(rnd, 1, 33)));
        }
    }

    @Test
    void searchersSeeConsistentSnapshotsWhileAppendsRun() throws Exception {
        Random rnd = new Random(35);
        Path f = dir.resolve("live.codes");
        PackedCodes q = SearchTest.random(rnd, 2, 64);
        PackedCodes[] batches = new PackedCodes[20];
        for (int b = 0; b < batches.length; b++) batches[b] = SearchTest.random(rnd, 100, 64);
        try (CodeStore s = CodeStore.create(f, 64)) {
            s.append(batches[0]);
            java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            Thread reader = new Thread(() -> {
                try {
                    int last = 0;
                    while (!done.get()) {
                        int size = s.size();
                        assertTrue(size >= last && size % 100 == 0, "published sizes only grow, by whole batches");
                        last = size;
                        Search.TopK top = s.search(q, 5);
                        for (int r = 0; r < top.k(); r++) assertTrue(top.index(0, r) < s.size());
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            reader.start();
            for (int b = 1; b < batches.length; b++) s.append(batches[b]);
            done.set(true);
            reader.join();
            if (failure.get() != null) throw new AssertionError(failure.get());
            assertEquals(2000, s.size());
            assertEquals(batches[7], s.read(700, 800));
        }
    }

    /** Child process of {@link #killedWriterLeavesWholeBatchesOnly}: appends batch after batch until killed. */
    public static final class Appender {
        public static void main(String[] args) throws IOException {
            try (CodeStore s = CodeStore.open(Path.of(args[0]))) {
                System.out.println("ready");
                System.out.flush();
                for (int b = 1; ; b++) s.append(batch(b));
            }
        }
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
        Path f = dir.resolve("killed.codes");
        CodeStore.create(f, 96).close();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Appender.class.getName(), f.toString())
                .redirectErrorStream(true).start();
        try {
            assertEquals("ready", new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine());
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (Files.size(f) < CodeStore.DATA + 40L * 257 * 16 && System.nanoTime() < deadline) Thread.sleep(5);
        } finally {
            p.destroyForcibly().waitFor();
        }
        try (CodeStore s = CodeStore.open(f)) {
            assertTrue(s.size() > 0, "some batches were published before the kill");
            assertEquals(0, s.size() % 257, "only whole batches are visible: " + s.size());
            PackedCodes all = s.read(0, s.size());
            for (int i = 0; i < s.size(); i++) {
                assertEquals(i / 257 + 1, all.word(i, 0));
                assertEquals(i % 257, all.word(i, 1));
            }
            s.append(batch(1000));
            assertEquals(1000, s.read(s.size() - 1, s.size()).word(0, 0));
        }
        try (CodeStore s = CodeStore.open(f)) {
            assertEquals(0, s.size() % 257);
        }
    }
}
