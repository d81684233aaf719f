package io.bsth.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Every reader of a file the tool takes in, fed by the hundred: valid files truncated, bit-flipped,
 * overwritten with random bytes, wholly random bytes, and hand-made boundary headers (huge or negative
 * shapes, wrong dtypes, NaN). Each input must give the documented clean error ({@link IOException} or
 * {@link IllegalArgumentException} with a one-line message) or a valid result; never another exception,
 * never a hang (10 s per input), never an allocation beyond what the input can justify (64 bytes per
 * input byte plus 16 MiB, measured per thread).
 */
class ReaderPropertiesTest {
    static Path dir;
    static byte[] npy, safetensors, model, index, npz, h5, mat;
    static String reportJson;

    @BeforeContainer
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

    @AfterContainer
    static void cleanUp() throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // the readers

    @Property(tries = 1000)
    void npyReadersFailCleanly(@ForAll("npyInputs") byte[] input) {
        clean(input, ".npy", ReaderPropertiesTest::readNpy);
    }

    @Property(tries = 1000)
    void safetensorsReaderFailsCleanly(@ForAll("safetensorsInputs") byte[] input) {
        clean(input, ".safetensors", SafeTensors::read);
    }

    @Property(tries = 400)
    void modelFileReaderFailsCleanly(@ForAll("modelInputs") byte[] input) {
        clean(input, ".safetensors", f -> ModelFile.load(f, 1));
    }

    @Property(tries = 500)
    void codeIndexReaderFailsCleanly(@ForAll("indexInputs") byte[] input) {
        clean(input, ".bidx", ReaderPropertiesTest::readIndex);
    }

    @Property(tries = 300)
    void npzReaderFailsCleanly(@ForAll("npzInputs") byte[] input) {
        clean(input, ".npz", ReaderPropertiesTest::openData);
    }

    @Property(tries = 300)
    void hdf5ReaderFailsCleanly(@ForAll("hdf5Inputs") byte[] input) {
        clean(input, ".h5", ReaderPropertiesTest::openData);
    }

    @Property(tries = 300)
    void matlabReaderFailsCleanly(@ForAll("matInputs") byte[] input) {
        clean(input, ".mat", ReaderPropertiesTest::openData);
    }

    @Property(tries = 2000)
    void jsonParserFailsCleanly(@ForAll("jsonInputs") String input) {
        byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
        clean(bytes, ".json", f -> Json.parse(input));
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

    /** A valid input, truncated, bit-flipped, partly overwritten, or replaced by random bytes. */
    static Arbitrary<byte[]> mutations(byte[] valid) {
        int n = valid.length;
        Arbitrary<byte[]> truncated = Arbitraries.integers().between(0, n - 1).map(k -> Arrays.copyOf(valid, k));
        Arbitrary<byte[]> flipped = Arbitraries.longs().map(seed -> {
            Random r = new Random(seed);
            byte[] b = valid.clone();
            for (int i = 1 + r.nextInt(8); i > 0; i--) {
                int bit = r.nextInt(n * 8);
                b[bit >>> 3] ^= (byte) (1 << (bit & 7));
            }
            return b;
        });
        Arbitrary<byte[]> headerFlipped = Arbitraries.longs().map(seed -> {
            Random r = new Random(seed);
            byte[] b = valid.clone();
            int bit = r.nextInt(Math.min(n, 1024) * 8);
            b[bit >>> 3] ^= (byte) (1 << (bit & 7));
            return b;
        });
        Arbitrary<byte[]> overwritten = Arbitraries.longs().map(seed -> {
            Random r = new Random(seed);
            byte[] b = valid.clone();
            int at = r.nextInt(n), len = 1 + r.nextInt(Math.min(64, n - at));
            for (int i = 0; i < len; i++) b[at + i] = (byte) r.nextInt();
            return b;
        });
        Arbitrary<byte[]> boundaryBytes = Arbitraries.longs().map(seed -> {
            Random r = new Random(seed);
            byte[] b = valid.clone();
            byte[] edge = {0, (byte) 0xFF, (byte) 0x7F, (byte) 0x80};
            for (int i = 1 + r.nextInt(4); i > 0; i--) b[r.nextInt(Math.min(n, 512))] = edge[r.nextInt(edge.length)];
            return b;
        });
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(Math.min(n * 2, 4096));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, truncated), net.jqwik.api.Tuple.of(4, flipped), net.jqwik.api.Tuple.of(4, headerFlipped),
                net.jqwik.api.Tuple.of(2, overwritten), net.jqwik.api.Tuple.of(2, boundaryBytes), net.jqwik.api.Tuple.of(1, random),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(valid)));
    }

    @Provide
    Arbitrary<byte[]> npyInputs() {
        Arbitrary<String> dtype = Arbitraries.of("<f4", ">f4", "<f8", "|i1", "|u1", "|b1", "<i8", ">i8", "<u8", "<f2", "<i2",
                "<c8", "|O", "<U4", "<V8", "f4", "", "<f16");
        Arbitrary<String> shape = Arbitraries.of("(6, 5)", "(5, 6)", "(30,)", "()", "(0, 5)", "(6, 0)", "(-1, 5)", "(6, -5)",
                "(4294967296, 2)", "(2147483647, 2147483647)", "(99999999999999999999,)", "(3, 3, 3)", "(7, 5)", "(6, 5L)",
                "(1e3, 2)", "(6 5)", "(", "(,)");
        Arbitrary<Boolean> fortran = Arbitraries.of(false, false, false, true);
        Arbitrary<Integer> version = Arbitraries.of(1, 1, 1, 2, 3, 0, 4, 255);
        Arbitrary<Integer> dataBytes = Arbitraries.of(0, 1, 120, 240, 119, 4096);
        Arbitrary<byte[]> boundary = Combinators.combine(dtype, shape, fortran, version, dataBytes).as((d, s, fo, v, nb) -> {
            String dict = "{'descr': '" + d + "', 'fortran_order': " + (fo ? "True" : "False") + ", 'shape': " + s + ", }";
            byte[] text = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
            int hl = v >= 2 ? 12 : 10;
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(hl + text.length + nb).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', v.byteValue(), 0});
            if (v >= 2) b.putInt(text.length);
            else b.putShort((short) text.length);
            b.put(text);
            for (int i = 0; i < nb / 4; i++) b.putFloat(i % 7 == 3 ? Float.NaN : i % 11 == 5 ? Float.POSITIVE_INFINITY : i);
            return b.array();
        });
        return Arbitraries.oneOf(mutations(npy), boundary);
    }

    @Provide
    Arbitrary<byte[]> safetensorsInputs() {
        Arbitrary<String> dtype = Arbitraries.of("F32", "F64", "I64", "I32", "BF16", "U8", "", "f32");
        Arbitrary<String> shape = Arbitraries.of("[6,5]", "[30]", "[]", "[0]", "[-1,30]", "[4294967296,1]",
                "[2147483647,2147483647]", "[6,5,1,1]", "[\"6\"]", "null", "[1e2]");
        Arbitrary<String> offsets = Arbitraries.of("[0,120]", "[0,0]", "[120,0]", "[-8,112]", "[0,99999999999]", "[0]", "[8,128]",
                "[0,120,5]", "\"x\"");
        Arbitrary<Long> headerLength = Arbitraries.of(-1L, 0L, 1L, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE);
        Arbitrary<byte[]> boundary = Combinators.combine(dtype, shape, offsets, headerLength.injectNull(0.7)).as((d, s, o, hl) -> {
            byte[] h = ("{\"w\":{\"dtype\":\"" + d + "\",\"shape\":" + s + ",\"data_offsets\":" + o + "}}").getBytes(StandardCharsets.UTF_8);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + h.length + 120).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            b.putLong(hl == null ? h.length : hl).put(h);
            for (int i = 0; i < 30; i++) b.putFloat(i == 7 ? Float.NaN : i);
            return b.array();
        });
        return Arbitraries.oneOf(mutations(safetensors), boundary);
    }

    @Provide
    Arbitrary<byte[]> modelInputs() {
        return mutations(model);
    }

    @Provide
    Arbitrary<byte[]> indexInputs() {
        return mutations(index);
    }

    @Provide
    Arbitrary<byte[]> npzInputs() {
        return mutations(npz);
    }

    @Provide
    Arbitrary<byte[]> hdf5Inputs() {
        return mutations(h5);
    }

    @Provide
    Arbitrary<byte[]> matInputs() {
        return mutations(mat);
    }

    @Provide
    Arbitrary<String> jsonInputs() {
        String valid = reportJson;
        Arbitrary<String> truncated = Arbitraries.integers().between(0, valid.length() - 1).map(valid::substring);
        Arbitrary<String> prefix = Arbitraries.integers().between(0, valid.length() - 1).map(k -> valid.substring(0, k));
        Arbitrary<String> edited = Arbitraries.longs().map(seed -> {
            Random r = new Random(seed);
            StringBuilder sb = new StringBuilder(valid);
            String junk = "{}[]\",:\\0123456789.eE+-tfnu \u0000\uffff\ud800";
            for (int i = 1 + r.nextInt(4); i > 0; i--) sb.setCharAt(r.nextInt(sb.length()), junk.charAt(r.nextInt(junk.length())));
            return sb.toString();
        });
        Arbitrary<String> boundary = Arbitraries.of("", " ", "{", "}", "[", "\"", "\"\\u12\"", "\"\\ud800\"", "1e999999", "-",
                "0x10", "NaN", "Infinity", "{\"a\":NaN}", "1" + "0".repeat(400), "[" .repeat(100_000), "{\"a\":".repeat(50_000),
                "[1,]", "{\"a\" 1}", "{\"a\":1,\"a\":2}", "\"" + "\\".repeat(3) + "\"", "tru", "nul", "[1 2]", "1.", ".5", "01");
        Arbitrary<String> random = Arbitraries.strings().ofMaxLength(200);
        return Arbitraries.oneOf(truncated, prefix, edited, edited, boundary, random, Arbitraries.just(valid));
    }
}
