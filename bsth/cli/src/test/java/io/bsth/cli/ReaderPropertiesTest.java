package io.bsth.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.bsth.autograd.state.SafeTensors;
import io.bsth.data.DataSources;
import io.bsth.model.BsthNetwork;
import io.bsth.model.ModelConfig;
import io.bsth.model.ModelFile;
import io.bsth.retrieval.CodeIndex;
import io.bsth.retrieval.PackedCodes;
import io.bsth.tensor.Rng;
import io.bsth.tensor.io.Json;
import io.bsth.tensor.io.Npy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seeded property tests: every reader of a file the tool takes in, fed by the hundred: valid files truncated,
 * bit-flipped, overwritten with random bytes, wholly random bytes, and hand-made boundary headers (huge or
 * negative shapes, wrong dtypes, NaN). Each input must give the documented clean error ({@link IOException} or
 * {@link IllegalArgumentException} with a one-line message) or a valid result; never another exception,
 * never a hang (10 s per input), never an allocation beyond what the input can justify (64 bytes per
 * input byte plus 16 MiB, measured per thread).
 *
 * <p>Input {@code i} of a reader is made by {@link Gen} from the seed {@link #seedFor}{@code (reader, i)}, so a
 * run is reproducible and a failure names the reader, the index, the seed and the input's first bytes;
 * {@code -Dbsth.props.seed=N} changes the base seed to explore other inputs.
 */
class ReaderPropertiesTest {
    static Path dir;
    static byte[] npy, safetensors, model, index, npz, h5, mat;
    static String reportJson;

    @BeforeAll
    static void seeds() throws Exception {
        dir = Files.createTempDirectory("bsth-props");
        float[] a = new float[6 * 5];
        for (int i = 0; i < a.length; i++) a[i] = i * 0.25f - 3;
        Path p = dir.resolve("seed.npy");
        Npy.writeFloats(p, a, 6, 5);
        npy = Files.readAllBytes(p);
        Map<String, io.bsth.tensor.Tensor> t = new LinkedHashMap<>();
        t.put("w", io.bsth.tensor.Tensor.of(a, 6, 5));
        t.put("b", io.bsth.tensor.Tensor.of(new float[] {1, 2, 3}, 3));
        p = dir.resolve("seed.safetensors");
        SafeTensors.write(p, t, java.util.Set.of(), Map.of("format", "bsth"));
        safetensors = Files.readAllBytes(p);
        BsthNetwork net = new BsthNetwork(new ModelConfig(3, 2, 2, 2, 1, 1, 0.5f, 4), new Rng(1));
        p = dir.resolve("seed-model.safetensors");
        ModelFile.save(p, net);
        model = Files.readAllBytes(p);
        p = dir.resolve("seed.bidx");
        try (CodeIndex x = CodeIndex.create(p, 70)) {
            x.add(new long[] {5, 9, -2}, PackedCodes.fromSigns(new float[] {
                1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1,
                1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1,
                1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1,
                1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1,
                1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1,
                1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1},
                3, 70));
            x.delete(9);
        }
        index = Files.readAllBytes(p);
        npz = resource("/io/bsth/data/tiny_ids.npz");
        h5 = resource("/io/bsth/data/tiny_h5py.h5");
        mat = resource("/io/bsth/data/tiny_v73.mat");
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("map_all", 0.5);
        r.put("p_at", Map.of("50", 0.25, "100", 0.125));
        r.put("config", Map.of("nbit", 64L, "dropout", 0.5, "name", "a\"b\\u00e9"));
        r.put("epoch_seconds", new double[] {1.5, 2e-3, 1e300});
        r.put("list", List.of(true, false, "x"));
        reportJson = Json.write(r);
        // each reader once on its valid seed, which must read: so a reader that refused everything could not
        // pass; and class loading and first-call set-up are then not counted as per-input costs
        for (var e : Map.<byte[], Reader>of(npy, Npy::readFloats, safetensors, SafeTensors::read,
                model, f -> ModelFile.load(f, 1), index, ReaderPropertiesTest::readIndex, npz, ReaderPropertiesTest::openData,
                h5, ReaderPropertiesTest::openData, mat, ReaderPropertiesTest::openData).entrySet()) {
            Path f = dir.resolve("warm-up");
            Files.write(f, e.getKey());
            e.getValue().read(f);
        }
        Json.parse(reportJson);
    }

    static void readNpy(Path f) throws IOException {
        Npy.readFloats(f);
        try (Npy.Rows r = Npy.Rows.open(f)) {
            if (r.rows() > 0 && r.cols() > 0 && r.cols() < 1 << 20) r.read(r.rows() - 1, 1, new float[r.cols()], 0);
        }
        Npy.readBytes(f);
    }

    static void readIndex(Path f) throws IOException {
        try (CodeIndex x = CodeIndex.openReadOnly(f)) {
            if (x.size() > 0) x.search(new long[PackedCodes.wordsFor(x.nbit())], 3);
        }
    }

    static void openData(Path f) throws IOException {
        DataSources.open(f.toString());
    }

    static byte[] resource(String name) throws Exception {
        return Files.readAllBytes(Path.of(ReaderPropertiesTest.class.getResource(name).toURI()));
    }

    @AfterAll
    static void cleanUp() throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // the readers

    @Test
    void npyReadersFailCleanly() {
        run("npy", 1000, ".npy", ReaderPropertiesTest::npyInput, ReaderPropertiesTest::readNpy);
    }

    @Test
    void safetensorsReaderFailsCleanly() {
        run("safetensors", 1000, ".safetensors", ReaderPropertiesTest::safetensorsInput, SafeTensors::read);
    }

    @Test
    void modelFileReaderFailsCleanly() {
        run("model", 400, ".safetensors", g -> mutation(g, model), f -> ModelFile.load(f, 1));
    }

    @Test
    void codeIndexReaderFailsCleanly() {
        run("code index", 500, ".bidx", g -> mutation(g, index), ReaderPropertiesTest::readIndex);
    }

    @Test
    void npzReaderFailsCleanly() {
        run("npz", 300, ".npz", g -> mutation(g, npz), ReaderPropertiesTest::openData);
    }

    @Test
    void hdf5ReaderFailsCleanly() {
        run("hdf5", 300, ".h5", g -> mutation(g, h5), ReaderPropertiesTest::openData);
    }

    @Test
    void matlabReaderFailsCleanly() {
        run("mat", 300, ".mat", g -> mutation(g, mat), ReaderPropertiesTest::openData);
    }

    @Test
    void jsonParserFailsCleanly() {
        // the reader parses the string the bytes were made from, so a lone surrogate reaches the parser as is
        for (int i = 0; i < 2000; i++) {
            long seed = seedFor("json", i);
            String input = jsonInput(new Gen(seed));
            byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
            replayable("json", i, seed, bytes, () -> clean(bytes, ".json", f -> Json.parse(input)));
        }
    }

    // ------------------------------------------------------------------------------------------------
    // the seeds and the replay

    static final long BASE_SEED = Long.getLong("bsth.props.seed", 20_261_127L);

    /** The seed of input {@code i} of {@code reader}: {@code new Gen(seedFor(reader, i))} makes that input again. */
    static long seedFor(String reader, int i) {
        long z = BASE_SEED + reader.hashCode() * 0x9E3779B97F4A7C15L + i * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Checks {@code count} inputs of one reader, input {@code i} made from {@link #seedFor}{@code (name, i)}. */
    static void run(String name, int count, String ext, Function<Gen, byte[]> inputs, Reader reader) {
        for (int i = 0; i < count; i++) {
            long seed = seedFor(name, i);
            byte[] input = inputs.apply(new Gen(seed));
            replayable(name, i, seed, input, () -> clean(input, ext, reader));
        }
    }

    /** Runs one check; any failure is reported with what is needed to make the same input again. */
    static void replayable(String name, int i, long seed, byte[] input, Runnable check) {
        try {
            check.run();
        } catch (Throwable t) {
            String hex = HexFormat.of().formatHex(input, 0, Math.min(input.length, 32));
            fail(name + " reader, input " + i + " of base seed " + BASE_SEED + " (seed " + seed + ", " + input.length
                    + " bytes, starting " + hex + (input.length > 32 ? "..." : "") + "): " + t, t);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // the check

    interface Reader {
        void read(Path file) throws Exception;
    }

    static final java.util.concurrent.atomic.AtomicLong COUNTER = new java.util.concurrent.atomic.AtomicLong();

    /** Writes {@code input} to a file, reads it; only the clean errors may escape, in time and in memory. */
    static void clean(byte[] input, String ext, Reader reader) {
        Path f = dir.resolve("in-" + COUNTER.incrementAndGet() + ext);
        try {
            Files.write(f, input);
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
                long id = Thread.currentThread().threadId(), before = mx.getThreadAllocatedBytes(id);
                try {
                    reader.read(f);
                } catch (IOException | IllegalArgumentException | UncheckedIOException e) {
                    String m = e.getMessage();
                    assertTrue(m != null && !m.isBlank(), "an error without a message: " + e);
                    assertFalse(m.contains("\n"), "a multi-line message: " + m);
                }
                long used = mx.getThreadAllocatedBytes(id) - before;
                assertTrue(used <= 64L * input.length + (16L << 20), "allocated " + used + " bytes for a " + input.length + "-byte input");
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                Files.deleteIfExists(f);
            } catch (IOException ignored) {
                // the temporary folder goes at the end anyway
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // the inputs

    /** A tiny seeded generator: one of several values, a weighted choice, an integer in a range, random bytes. */
    static final class Gen {
        final Random r;

        Gen(long seed) {
            r = new Random(seed);
        }

        /** An integer in [lo, hi], both ends included. */
        int between(int lo, int hi) {
            return lo + r.nextInt(hi - lo + 1);
        }

        @SafeVarargs
        final <T> T oneOf(T... values) {
            return values[r.nextInt(values.length)];
        }

        /** The index of one weight, chosen with probability proportional to it. */
        int frequency(int... weights) {
            int k = r.nextInt(Arrays.stream(weights).sum());
            for (int i = 0; ; i++) {
                k -= weights[i];
                if (k < 0) return i;
            }
        }

        byte[] bytes(int maxLength) {
            byte[] b = new byte[between(0, maxLength)];
            r.nextBytes(b);
            return b;
        }
    }

    /** A valid input, truncated, bit-flipped, partly overwritten, or replaced by random bytes. */
    static byte[] mutation(Gen g, byte[] valid) {
        Random r = g.r;
        int n = valid.length;
        byte[] b = valid.clone();
        switch (g.frequency(3, 4, 4, 2, 2, 1, 1)) {
            case 0 -> b = Arrays.copyOf(valid, g.between(0, n - 1)); // truncated
            case 1 -> { // bit-flipped anywhere
                for (int i = 1 + r.nextInt(8); i > 0; i--) {
                    int bit = r.nextInt(n * 8);
                    b[bit >>> 3] ^= (byte) (1 << (bit & 7));
                }
            }
            case 2 -> { // one bit flipped in the first KiB, where the headers are
                int bit = r.nextInt(Math.min(n, 1024) * 8);
                b[bit >>> 3] ^= (byte) (1 << (bit & 7));
            }
            case 3 -> { // up to 64 bytes overwritten
                int at = r.nextInt(n), len = 1 + r.nextInt(Math.min(64, n - at));
                for (int i = 0; i < len; i++) b[at + i] = (byte) r.nextInt();
            }
            case 4 -> { // boundary bytes in the first 512
                byte[] edge = {0, (byte) 0xFF, (byte) 0x7F, (byte) 0x80};
                for (int i = 1 + r.nextInt(4); i > 0; i--) b[r.nextInt(Math.min(n, 512))] = edge[r.nextInt(edge.length)];
            }
            case 5 -> b = g.bytes(Math.min(n * 2, 4096)); // random
            default -> { } // the valid seed itself
        }
        return b;
    }

    static byte[] npyInput(Gen g) {
        if (g.r.nextBoolean()) return mutation(g, npy);
        String d = g.oneOf("<f4", ">f4", "<f8", "|i1", "|u1", "|b1", "<i8", ">i8", "<u8", "<f2", "<i2",
                "<c8", "|O", "<U4", "<V8", "f4", "", "<f16");
        String s = g.oneOf("(6, 5)", "(5, 6)", "(30,)", "()", "(0, 5)", "(6, 0)", "(-1, 5)", "(6, -5)",
                "(4294967296, 2)", "(2147483647, 2147483647)", "(99999999999999999999,)", "(3, 3, 3)", "(7, 5)", "(6, 5L)",
                "(1e3, 2)", "(6 5)", "(", "(,)");
        boolean fo = g.oneOf(false, false, false, true);
        int v = g.oneOf(1, 1, 1, 2, 3, 0, 4, 255);
        int nb = g.oneOf(0, 1, 120, 240, 119, 4096);
        String dict = "{'descr': '" + d + "', 'fortran_order': " + (fo ? "True" : "False") + ", 'shape': " + s + ", }";
        byte[] text = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
        int hl = v >= 2 ? 12 : 10;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(hl + text.length + nb).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) v, 0});
        if (v >= 2) b.putInt(text.length);
        else b.putShort((short) text.length);
        b.put(text);
        for (int i = 0; i < nb / 4; i++) b.putFloat(i % 7 == 3 ? Float.NaN : i % 11 == 5 ? Float.POSITIVE_INFINITY : i);
        return b.array();
    }

    static byte[] safetensorsInput(Gen g) {
        if (g.r.nextBoolean()) return mutation(g, safetensors);
        String d = g.oneOf("F32", "F64", "I64", "I32", "BF16", "U8", "", "f32");
        String s = g.oneOf("[6,5]", "[30]", "[]", "[0]", "[-1,30]", "[4294967296,1]",
                "[2147483647,2147483647]", "[6,5,1,1]", "[\"6\"]", "null", "[1e2]");
        String o = g.oneOf("[0,120]", "[0,0]", "[120,0]", "[-8,112]", "[0,99999999999]", "[0]", "[8,128]",
                "[0,120,5]", "\"x\"");
        byte[] h = ("{\"w\":{\"dtype\":\"" + d + "\",\"shape\":" + s + ",\"data_offsets\":" + o + "}}").getBytes(StandardCharsets.UTF_8);
        // the recorded header length: the true one 70% of the time, else a boundary value
        long hl = g.r.nextInt(10) < 7 ? h.length : g.oneOf(-1L, 0L, 1L, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + h.length + 120).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(hl).put(h);
        for (int i = 0; i < 30; i++) b.putFloat(i == 7 ? Float.NaN : i);
        return b.array();
    }

    static String jsonInput(Gen g) {
        String valid = reportJson;
        Random r = g.r;
        switch (g.frequency(1, 1, 2, 1, 1, 1)) {
            case 0: // a suffix
                return valid.substring(g.between(0, valid.length() - 1));
            case 1: // a prefix
                return valid.substring(0, g.between(0, valid.length() - 1));
            case 2: { // a few characters replaced by syntax, digits, controls, or a lone surrogate
                StringBuilder sb = new StringBuilder(valid);
                String junk = "{}[]\",:\\0123456789.eE+-tfnu \u0000\uffff\ud800";
                for (int i = 1 + r.nextInt(4); i > 0; i--) sb.setCharAt(r.nextInt(sb.length()), junk.charAt(r.nextInt(junk.length())));
                return sb.toString();
            }
            case 3:
                return g.oneOf("", " ", "{", "}", "[", "\"", "\"\\u12\"", "\"\\ud800\"", "1e999999", "-",
                        "0x10", "NaN", "Infinity", "{\"a\":NaN}", "1" + "0".repeat(400), "[".repeat(100_000), "{\"a\":".repeat(50_000),
                        "[1,]", "{\"a\" 1}", "{\"a\":1,\"a\":2}", "\"" + "\\".repeat(3) + "\"", "tru", "nul", "[1 2]", "1.", ".5", "01");
            case 4: { // random characters: JSON syntax, ASCII, or any UTF-16 unit
                StringBuilder sb = new StringBuilder();
                String syntax = "{}[]\",:\\0123456789.-eEtrufalsn ";
                for (int i = g.between(0, 200); i > 0; i--) {
                    sb.append(switch (r.nextInt(3)) {
                        case 0 -> syntax.charAt(r.nextInt(syntax.length()));
                        case 1 -> (char) r.nextInt(128);
                        default -> (char) r.nextInt(0x10000);
                    });
                }
                return sb.toString();
            }
            default:
                return valid;
        }
    }
}
