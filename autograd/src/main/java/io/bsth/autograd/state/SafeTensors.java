package io.bsth.autograd.state;

import io.bsth.tensor.Tensor;
import io.bsth.tensor.io.AtomicFiles;
import io.bsth.tensor.io.Json;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The .safetensors format: 8-byte little-endian header length n, n bytes of JSON
 * ({@code {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {string: string}}},
 * offsets relative to the data section), then the raw little-endian data.
 *
 * <p>Writing: F32, or I64 for the names given (integer buffers); the header is space-padded to a
 * multiple of 8; the file is written atomically. Reading: F32, F64, I64 and I32, converted to float32
 * tensors; every size in the header is checked against the file (offsets in range, sizes equal to
 * shape x dtype width, regions non-overlapping) before any data is touched. Errors name the file and
 * the tensor.
 */
public final class SafeTensors {
    private SafeTensors() {}

    /** Largest header accepted (as the reference implementation: 100 MB). */
    static final long MAX_HEADER = 100L << 20;

    /** A file's tensors (as float32, in header order), their stored dtypes, and its metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> dtypes, Map<String, String> metadata) {}

    public static void write(Path file, Map<String, Tensor> tensors, Set<String> int64Names,
                             Map<String, String> metadata) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) header.put("__metadata__", new LinkedHashMap<>(metadata));
        long off = 0;
        List<String> names = new ArrayList<>(tensors.keySet());
        for (String name : names) {
            if (name.equals("__metadata__")) throw new IllegalArgumentException("tensor name '__metadata__' is reserved");
            Tensor t = tensors.get(name);
            boolean i64 = int64Names != null && int64Names.contains(name);
            long bytes = (long) t.numel() * (i64 ? 8 : 4);
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("dtype", i64 ? "I64" : "F32");
            List<Object> shape = new ArrayList<>();
            for (int s : t.shape()) shape.add((long) s);
            h.put("shape", shape);
            h.put("data_offsets", List.of(off, off + bytes));
            header.put(name, h);
            off += bytes;
        }
        byte[] json = Json.writeCompact(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] hdr = Arrays.copyOf(json, padded);
        Arrays.fill(hdr, json.length, padded, (byte) ' ');
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(hdr);
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (String name : names) {
                Tensor t = tensors.get(name);
                boolean i64 = int64Names != null && int64Names.contains(name);
                int n = t.numel();
                for (int i = 0; i < n; i++) {
                    if (buf.remaining() < 8) {
                        out.write(buf.array(), 0, buf.position());
                        buf.clear();
                    }
                    float v = t.getFlat(i);
                    if (i64) {
                        if (v != Math.rint(v)) throw new IOException(file + ": tensor '" + name + "' holds non-integer " + v + " for I64");
                        buf.putLong((long) v);
                    } else {
                        buf.putFloat(v);
                    }
                }
            }
            out.write(buf.array(), 0, buf.position());
        });
    }

    public static Contents read(Path file) throws IOException {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (size < 8) throw new IOException(file + ": not a safetensors file (" + size + " bytes, shorter than the 8-byte header length)");
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, file);
            long n = lenBuf.getLong(0);
            if (n < 2 || n > MAX_HEADER || n > size - 8) {
                throw new IOException(file + ": header length " + n + " is impossible for a file of " + size + " bytes");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) n);
            readFully(ch, hb, 8, file);
            String text = new String(hb.array(), StandardCharsets.UTF_8).stripTrailing();
            Map<String, Object> header;
            try {
                header = Json.parseObject(text);
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": bad safetensors header: " + e.getMessage());
            }
            long dataStart = 8 + n, dataLen = size - dataStart;
            Map<String, String> meta = new LinkedHashMap<>();
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            Map<String, String> dtypes = new LinkedHashMap<>();
            List<long[]> regions = new ArrayList<>();
            record Entry(String name, String dtype, int[] shape, long begin, long end) {}
            List<Entry> entries = new ArrayList<>();
            for (var e : header.entrySet()) {
                String name = e.getKey();
                if (name.equals("__metadata__")) {
                    if (!(e.getValue() instanceof Map<?, ?> mm)) throw new IOException(file + ": __metadata__ is not an object");
                    // the format stores strings; a writer that put an object or number there is read
                    // leniently as that value's compact JSON text
                    for (var me : mm.entrySet()) {
                        Object v = me.getValue();
                        meta.put((String) me.getKey(), v instanceof String sv ? sv : Json.writeCompact(v));
                    }
                    continue;
                }
                String where = file + ": tensor '" + name + "'";
                if (!(e.getValue() instanceof Map<?, ?> h)) throw new IOException(where + ": entry is not an object");
                if (!(h.get("dtype") instanceof String dtype)) throw new IOException(where + ": missing dtype");
                int width = switch (dtype) {
                    case "F32", "I32" -> 4;
                    case "F64", "I64" -> 8;
                    default -> throw new IOException(where + ": unsupported dtype " + dtype + " (expected F32, F64, I64 or I32)");
                };
                if (!(h.get("shape") instanceof List<?> sl)) throw new IOException(where + ": missing shape");
                int[] shape = new int[sl.size()];
                long numel = 1;
                for (int i = 0; i < shape.length; i++) {
                    if (!(sl.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                        throw new IOException(where + ": bad shape " + sl);
                    }
                    shape[i] = (int) (long) d;
                    numel *= d;
                    if (numel > Integer.MAX_VALUE - 16) throw new IOException(where + ": shape " + sl + " is too large");
                }
                if (!(h.get("data_offsets") instanceof List<?> ol) || ol.size() != 2
                        || !(ol.get(0) instanceof Long b) || !(ol.get(1) instanceof Long en)) {
                    throw new IOException(where + ": data_offsets must be two integers");
                }
                if (b < 0 || en < b || en > dataLen) {
                    throw new IOException(where + ": data_offsets [" + b + ", " + en + "] outside the data section of " + dataLen + " bytes");
                }
                if (en - b != numel * width) {
                    throw new IOException(where + ": data_offsets span " + (en - b) + " bytes, shape " + Arrays.toString(shape)
                            + " of " + dtype + " needs " + numel * width);
                }
                regions.add(new long[] {b, en});
                entries.add(new Entry(name, dtype, shape, b, en));
            }
            regions.sort((x, y) -> Long.compare(x[0], y[0]));
            for (int i = 1; i < regions.size(); i++) {
                if (regions.get(i)[0] < regions.get(i - 1)[1]) throw new IOException(file + ": tensor data regions overlap");
            }
            for (Entry en : entries) {
                int bytes = (int) (en.end - en.begin);
                ByteBuffer buf = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, buf, dataStart + en.begin, file);
                buf.flip();
                int numel = bytes / (en.dtype.equals("F32") || en.dtype.equals("I32") ? 4 : 8);
                float[] out = new float[numel];
                switch (en.dtype) {
                    case "F32" -> buf.asFloatBuffer().get(out);
                    case "F64" -> { for (int i = 0; i < numel; i++) out[i] = (float) buf.getDouble(); }
                    case "I64" -> { for (int i = 0; i < numel; i++) out[i] = (float) buf.getLong(); }
                    default -> { for (int i = 0; i < numel; i++) out[i] = (float) buf.getInt(); }
                }
                tensors.put(en.name, Tensor.of(out, en.shape));
                dtypes.put(en.name, en.dtype);
            }
            return new Contents(Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(dtypes),
                    Collections.unmodifiableMap(meta));
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long pos, Path file) throws IOException {
        while (dst.hasRemaining()) {
            int r = ch.read(dst, pos);
            if (r < 0) throw new IOException(file + ": truncated (unexpected end of file at byte " + pos + ")");
            pos += r;
        }
    }
}
