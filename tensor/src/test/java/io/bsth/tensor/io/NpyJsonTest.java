package io.bsth.tensor.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyJsonTest {
    @TempDir
    Path dir;

    @Test
    void npyRoundTripsEveryWrittenType() throws IOException {
        Path f = dir.resolve("a.npy");
        float[] x = {1.5f, -2f, 3f, 4f, 5f, 6.25f};
        Npy.writeFloats(f, x, 2, 3);
        Npy.Floats r = Npy.readFloats(f);
        assertEquals(2, r.rows());
        assertEquals(3, r.cols());
        assertArrayEquals(x, r.data());
        assertEquals(0, (Files.size(f) - 6 * 4) % 64, "header padded to 64 bytes");

        byte[] codes = {1, -1, -1, 1};
        Npy.writeBytes(f, codes, 2, 2);
        assertArrayEquals(codes, Npy.readBytes(f).data());
        Npy.writeInts(f, new int[] {7, -8}, 1, 2);
        assertArrayEquals(new float[] {7, -8}, Npy.readFloats(f).data());
        Npy.writeLongs(f, new long[] {1L << 40}, 1, 1);
        assertEquals((float) (1L << 40), Npy.readFloats(f).data()[0]);
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary files left behind");
        }
    }

    @Test
    void npyErrorsNameTheFile() throws IOException {
        Path f = dir.resolve("bad.npy");
        Files.write(f, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
        IOException e = assertThrows(IOException.class, () -> Npy.readFloats(f));
        assertTrue(e.getMessage().contains("bad.npy"), e.getMessage());
        IOException missing = assertThrows(IOException.class, () -> Npy.readFloats(dir.resolve("none.npy")));
        assertTrue(missing.getMessage().contains("no such file"));
        Path t = dir.resolve("trunc.npy");
        Npy.writeFloats(t, new float[100], 10, 10);
        byte[] all = Files.readAllBytes(t);
        Files.write(t, java.util.Arrays.copyOf(all, all.length - 4));
        assertTrue(assertThrows(IOException.class, () -> Npy.readFloats(t)).getMessage().contains("truncated"));
    }

    @Test
    void jsonParsesWhatItWrites() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("map_all", 0.8125);
        m.put("name", "a \"q\"\n");
        m.put("list", List.of(1L, 2.5, true));
        m.put("arr", new float[] {0.5f, 2f});
        Map<String, Object> back = Json.parseObject(Json.write(m));
        assertEquals(0.8125, back.get("map_all"));
        assertEquals("a \"q\"\n", back.get("name"));
        assertEquals(List.of(1L, 2.5, true), back.get("list"));
        assertEquals(List.of(0.5, 2.0), back.get("arr"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": }"));
        assertEquals(Map.of("x", List.of()), Json.parse(" {\"x\" : [ ] } "));
    }

    @Test
    void jsonFollowsTheNumberGrammarAndRefusesDuplicateKeys() {
        // integers beyond 64 bits are still numbers (read as doubles), not syntax errors
        assertEquals(1e20, Json.parse("100000000000000000000"));
        assertEquals(Long.MIN_VALUE, Json.parse("-9223372036854775808"));
        assertEquals(-0.0, Json.parse("-0.0"));
        assertEquals(List.of(0L, 1e-3, 2.5e10), Json.parse("[0, 1E-3, 2.5e+10]"));
        for (String bad : new String[] {"+1", "01", "1.", ".5", "1e", "1e+", "-", "--1", "1.2.3", "0x10", "1-2"}) {
            String m = assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad).getMessage();
            assertTrue(m.startsWith("JSON: bad number") || m.startsWith("JSON: trailing"), bad + ": " + m);
        }
        String m = assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"k\": 1, \"k\": 2}")).getMessage();
        assertEquals("JSON: duplicate key \"k\" at character 9", m);
        assertEquals(Map.of("k", Map.of("k", 1L)), Json.parse("{\"k\": {\"k\": 1}}"), "the same key at another level is not a duplicate");
        assertThrows(IllegalArgumentException.class, () -> Json.parse("\"\\uzzzz\""));
        assertEquals("\u00e9", Json.parse("\"\\u00E9\""));
    }
}
