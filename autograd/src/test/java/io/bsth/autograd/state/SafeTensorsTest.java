package io.bsth.autograd.state;

import io.bsth.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest {
    @Test
    void metadataObjectValuesReadAsTheirJsonText(@TempDir Path dir) throws IOException {
        String header = "{\"__metadata__\":{\"format\":\"bsth\",\"config\":{\"nbit\":16,\"nhead\":2}},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).putFloat(2.5f);
        Path f = dir.resolve("obj.safetensors");
        Files.write(f, b.array());
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals("bsth", c.metadata().get("format"));
        assertEquals(Map.of("nbit", 16L, "nhead", 2L), io.bsth.tensor.io.Json.parse(c.metadata().get("config")));
        assertEquals(2.5f, c.tensors().get("w").getFlat(0));
    }

    @Test
    void roundTripWithInt64AndMetadata(@TempDir Path dir) throws IOException {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("a.weight", Tensor.of(new float[] {1, -2, 3.5f, 4, 5, 6}, 2, 3));
        m.put("bn.num_batches_tracked", Tensor.scalar(42f));
        Path f = dir.resolve("x.safetensors");
        SafeTensors.write(f, m, Set.of("bn.num_batches_tracked"), Map.of("format", "bsth", "config", "{\"nbit\":16}"));
        byte[] raw = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(raw, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + n) % 8, "header padded to 8 bytes");
        assertEquals(8 + n + 24 + 8, raw.length);
        SafeTensors.Contents c = SafeTensors.read(f);
        assertArrayEquals(new int[] {2, 3}, c.tensors().get("a.weight").shape());
        assertArrayEquals(m.get("a.weight").data(), c.tensors().get("a.weight").data());
        assertEquals(0, c.tensors().get("bn.num_batches_tracked").dim());
        assertEquals(42f, c.tensors().get("bn.num_batches_tracked").getFlat(0));
        assertEquals("I64", c.dtypes().get("bn.num_batches_tracked"));
        assertEquals("{\"nbit\":16}", c.metadata().get("config"));
        assertFalse(Files.list(dir).anyMatch(p -> p.getFileName().toString().endsWith(".tmp")));
    }

    static Path craft(Path dir, String header, int dataBytes, long lenOverride) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(lenOverride >= 0 ? lenOverride : h.length).put(h);
        Path f = dir.resolve("bad" + header.hashCode() + "_" + lenOverride + ".safetensors");
        Files.write(f, b.array());
        return f;
    }

    static void rejects(Path f, String expect) {
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expect), e.getMessage());
    }

    @Test
    void neverTrustsTheHeader(@TempDir Path dir) throws IOException {
        rejects(craft(dir, "{}", 0, 1L << 40), "header length");
        rejects(craft(dir, "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,16]}}", 8, -1), "'w'");
        rejects(craft(dir, "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,8]}}", 8, -1), "needs 16");
        rejects(craft(dir, "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,8]}}", 8, -1), "bad shape");
        rejects(craft(dir, "{\"w\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,8]}}", 8, -1), "unsupported dtype");
        rejects(craft(dir, "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"v\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, -1), "overlap");
        rejects(craft(dir, "{\"w\":{\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,8]}}", 8, -1), "too large");
        rejects(craft(dir, "{\"w\":", 0, -1), "bad safetensors header");
        Path shortFile = dir.resolve("short.safetensors");
        Files.write(shortFile, new byte[3]);
        rejects(shortFile, "shorter");
        rejects(dir.resolve("missing.safetensors"), "no such file");
        Path f64 = craft(dir, "{\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8, -1);
        byte[] raw = Files.readAllBytes(f64);
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).putDouble(raw.length - 8, 2.5);
        Files.write(f64, raw);
        assertEquals(2.5f, SafeTensors.read(f64).tensors().get("d").getFlat(0));
    }
}
