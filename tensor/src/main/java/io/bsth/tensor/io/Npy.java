package io.bsth.tensor.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (format versions 1-3), the one place they are read and written.
 *
 * <p>Reads 1-D and 2-D C-order arrays of float32/64, int8/16/32/64, uint8 and bool, either byte
 * order, into float32 ({@link #readFloats}) or int8 ({@link #readBytes}). Writes float32, int8,
 * int32 and int64 atomically (temporary file, then rename). Every error names the file.
 */
public final class Npy {
    private Npy() {}

    /** A 2-D view of the array: {@code rows x cols} (a 1-D array of n reads as n x 1). */
    public record Header(String dtype, int[] shape, int dataOffset) {
        public int rows() { return shape.length == 0 ? 1 : shape[0]; }
        public int cols() { return shape.length < 2 ? 1 : shape[1]; }
        public long count() { return (long) rows() * cols(); }
    }

    /** A float32 array read as {@code rows x cols}; {@code ndim} is the file's own rank (1 for a vector of n). */
    public record Floats(float[] data, int rows, int cols, int ndim) {
        public Floats(float[] data, int rows, int cols) {
            this(data, rows, cols, 2);
        }
    }

    public record Bytes(byte[] data, int rows, int cols) {}

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private static ByteBuffer map(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) throw new IOException(file + ": larger than 2 GiB is not supported");
            ByteBuffer b = ByteBuffer.allocate((int) size);
            while (b.hasRemaining() && ch.read(b) >= 0) { /* fill */ }
            b.flip();
            return b;
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file");
        }
    }

    public static Header header(Path file, ByteBuffer b) throws IOException {
        return header(file, b, b.limit());
    }

    /**
     * The header at the start of {@code b}, a prefix of a file of {@code fileSize} bytes: the data the
     * header promises must fit in the file (so a 64-byte file cannot make a reader allocate gigabytes).
     */
    static Header header(Path file, ByteBuffer b, long fileSize) throws IOException {
        if (b.remaining() < 10) throw new IOException(file + ": not a .npy file (too short)");
        for (int i = 0; i < MAGIC.length; i++) {
            if (b.get(i) != MAGIC[i]) throw new IOException(file + ": not a .npy file (bad magic)");
        }
        int major = b.get(6) & 0xFF;
        int len, start;
        b.order(ByteOrder.LITTLE_ENDIAN);
        if (major == 1) {
            len = b.getShort(8) & 0xFFFF;
            start = 10;
        } else if (major == 2 || major == 3) {
            if (b.remaining() < 12) throw new IOException(file + ": truncated .npy header");
            len = b.getInt(8);
            start = 12;
        } else {
            throw new IOException(file + ": unsupported .npy version " + major);
        }
        if (len < 0 || start + (long) len > b.limit()) throw new IOException(file + ": truncated .npy header");
        byte[] h = new byte[len];
        b.get(start, h);
        String text = new String(h, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(text), f = FORTRAN.matcher(text), s = SHAPE.matcher(text);
        if (!d.find() || !f.find() || !s.find()) throw new IOException(file + ": malformed .npy header: " + printable(text.trim()));
        if (f.group(1).equals("True")) {
            throw new IOException(file + ": Fortran-order arrays are not supported; save with C order (np.ascontiguousarray)");
        }
        String[] parts = s.group(1).split(",");
        int[] shape = Arrays.stream(parts).map(String::trim).filter(p -> !p.isEmpty()).mapToInt(p -> {
            try {
                return Integer.parseInt(p.endsWith("L") ? p.substring(0, p.length() - 1) : p);
            } catch (NumberFormatException e) {
                return -1;
            }
        }).toArray();
        for (int x : shape) if (x < 0) throw new IOException(file + ": bad shape in .npy header: (" + printable(s.group(1)) + ")");
        if (shape.length > 2) {
            throw new IOException(file + ": expected a 1-D or 2-D array, found shape " + Arrays.toString(shape));
        }
        Header hd = new Header(d.group(1), shape, start + len);
        long need = hd.count() * itemSize(file, hd.dtype());
        if (hd.dataOffset() + need > fileSize) {
            throw new IOException(file + ": truncated: header promises " + need + " data bytes, file holds "
                    + (fileSize - hd.dataOffset()));
        }
        return hd;
    }

    /** Header text for an error line: control characters as '?', at most 200 characters. */
    private static String printable(String text) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < text.length() && b.length() < 200; i++) {
            char c = text.charAt(i);
            b.append(c < 0x20 || c == 0x7F ? '?' : c);
        }
        return text.length() > 200 ? b + "..." : b.toString();
    }

    private static int itemSize(Path file, String dtype) throws IOException {
        if (dtype.length() < 3) throw new IOException(file + ": unsupported dtype '" + dtype + "'");
        String t = dtype.substring(1);
        return switch (t) {
            case "f4", "i4", "u4" -> 4;
            case "f8", "i8", "u8" -> 8;
            case "i2", "u2", "f2" -> 2;
            case "i1", "u1", "b1" -> 1;
            default -> throw new IOException(file + ": unsupported dtype '" + dtype + "'");
        };
    }

    /** Reads any supported numeric array as float32 (streamed from the file: no 2 GiB limit on its size). */
    public static Floats readFloats(Path file) throws IOException {
        try (Rows r = Rows.open(file)) {
            long count = r.header().count();
            if (count > Integer.MAX_VALUE - 8) {
                throw new IOException(file + ": " + count + " elements is more than one Java array holds (2^31 - 9); "
                        + "read it in row batches");
            }
            float[] out = new float[(int) count];
            r.read(0, r.rows(), out, 0);
            return new Floats(out, r.rows(), r.cols(), r.header().shape().length);
        }
    }

    /** Reads a whole .npy held in {@code b} (e.g. an entry of an .npz archive) as float32; {@code name} names it in errors. */
    public static Floats readFloats(Path name, ByteBuffer b) throws IOException {
        Header h = header(name, b);
        int n = Math.toIntExact(h.count());
        float[] out = new float[n];
        ByteBuffer d = b.position(h.dataOffset()).slice().order(order(h));
        decode(name, h.dtype(), d, out, 0, n);
        return new Floats(out, h.rows(), h.cols(), h.shape().length);
    }

    private static ByteOrder order(Header h) {
        return h.dtype().charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    /** Decodes {@code n} elements of {@code dtype} from the start of {@code d} into {@code out[off..]}. */
    private static void decode(Path file, String dtype, ByteBuffer d, float[] out, int off, int n) throws IOException {
        switch (dtype.substring(1)) {
            case "f4" -> d.asFloatBuffer().get(out, off, n);
            case "f8" -> { for (int i = 0; i < n; i++) out[off + i] = (float) d.getDouble(i * 8); }
            case "i8" -> { for (int i = 0; i < n; i++) out[off + i] = d.getLong(i * 8); }
            case "u8" -> { for (int i = 0; i < n; i++) out[off + i] = unsigned(d.getLong(i * 8)); }
            case "i4" -> { for (int i = 0; i < n; i++) out[off + i] = d.getInt(i * 4); }
            case "u4" -> { for (int i = 0; i < n; i++) out[off + i] = d.getInt(i * 4) & 0xFFFFFFFFL; }
            case "i2" -> { for (int i = 0; i < n; i++) out[off + i] = d.getShort(i * 2); }
            case "u2" -> { for (int i = 0; i < n; i++) out[off + i] = d.getShort(i * 2) & 0xFFFF; }
            case "f2" -> { for (int i = 0; i < n; i++) out[off + i] = Float.float16ToFloat(d.getShort(i * 2)); }
            case "i1" -> { for (int i = 0; i < n; i++) out[off + i] = d.get(i); }
            case "u1", "b1" -> { for (int i = 0; i < n; i++) out[off + i] = d.get(i) & 0xFF; }
            default -> throw new IOException(file + ": unsupported dtype '" + dtype + "'");
        }
    }

    private static float unsigned(long v) {
        return v >= 0 ? v : (float) ((v >>> 1) * 2.0);
    }

    /** Reads an array of integers exactly as int64 (e.g. ids), row-major; floating-point dtypes are refused. */
    public static long[] readLongs(Path file) throws IOException {
        ByteBuffer b = map(file);
        Header h = header(file, b);
        int n = Math.toIntExact(h.count());
        ByteBuffer d = b.position(h.dataOffset()).slice().order(order(h));
        long[] out = new long[n];
        switch (h.dtype().substring(1)) {
            case "i8" -> { for (int i = 0; i < n; i++) out[i] = d.getLong(i * 8); }
            case "u8" -> {
                for (int i = 0; i < n; i++) {
                    out[i] = d.getLong(i * 8);
                    if (out[i] < 0) throw new IOException(file + ": element " + i + " exceeds the int64 range");
                }
            }
            case "i4" -> { for (int i = 0; i < n; i++) out[i] = d.getInt(i * 4); }
            case "u4" -> { for (int i = 0; i < n; i++) out[i] = d.getInt(i * 4) & 0xFFFFFFFFL; }
            case "i2" -> { for (int i = 0; i < n; i++) out[i] = d.getShort(i * 2); }
            case "u2" -> { for (int i = 0; i < n; i++) out[i] = d.getShort(i * 2) & 0xFFFF; }
            case "i1" -> { for (int i = 0; i < n; i++) out[i] = d.get(i); }
            case "u1" -> { for (int i = 0; i < n; i++) out[i] = d.get(i) & 0xFF; }
            default -> throw new IOException(file + ": dtype '" + h.dtype() + "', expected an integer array (int64)");
        }
        return out;
    }

    /**
     * An open .npy file read in row ranges, without holding it in memory: a database larger than the heap
     * is encoded batch by batch. Positional reads through a {@link FileChannel}, so files of any size.
     */
    public static final class Rows implements AutoCloseable {
        private static final int CHUNK_BYTES = 1 << 22;
        private final Path file;
        private final FileChannel ch;
        private final Header header;
        private final int itemSize;
        private final ByteBuffer buf;

        private Rows(Path file, FileChannel ch, Header header) throws IOException {
            this.file = file;
            this.ch = ch;
            this.header = header;
            this.itemSize = itemSize(file, header.dtype());
            // no larger than the data: a small file never costs a 4 MiB buffer
            long data = header.count() * itemSize;
            this.buf = ByteBuffer.allocate((int) Math.max(itemSize, Math.min(CHUNK_BYTES, data))).order(order(header));
        }

        public static Rows open(Path file) throws IOException {
            FileChannel ch;
            try {
                ch = FileChannel.open(file, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                throw new IOException(file + ": no such file");
            }
            try {
                long size = ch.size();
                ByteBuffer head = ByteBuffer.allocate((int) Math.min(size, 1 << 16));
                while (head.hasRemaining() && ch.read(head, head.position()) > 0) { /* fill */ }
                head.flip();
                return new Rows(file, ch, Npy.header(file, head, size));
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        }

        public Header header() { return header; }
        public int rows() { return header.rows(); }
        public int cols() { return header.cols(); }

        /** Rows [from, from + count) as float32 into {@code out[off..]} (row-major). */
        public void read(int from, int count, float[] out, int off) throws IOException {
            if (from < 0 || count < 0 || (long) from + count > rows()) {
                throw new IllegalArgumentException(file + ": rows " + from + ".." + ((long) from + count) + " of " + rows());
            }
            long first = (long) from * cols(), n = (long) count * cols();
            long pos = header.dataOffset() + first * itemSize;
            int per = buf.capacity() / itemSize;
            for (long done = 0; done < n; ) {
                int m = (int) Math.min(per, n - done);
                buf.clear().limit(m * itemSize);
                while (buf.hasRemaining()) {
                    if (ch.read(buf, pos + buf.position()) < 0) throw new IOException(file + ": truncated while reading");
                }
                buf.flip();
                decode(file, header.dtype(), buf, out, off + (int) done, m);
                pos += (long) m * itemSize;
                done += m;
            }
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }

    /** Reads an integer or bool array whose values fit in int8 (e.g. +-1 codes). */
    public static Bytes readBytes(Path file) throws IOException {
        ByteBuffer b = map(file);
        Header h = header(file, b);
        if (h.dtype().endsWith("i1")) {   // int8 already: copy, no widening to float and back
            byte[] out = new byte[Math.toIntExact(h.count())];
            b.get(h.dataOffset(), out);
            return new Bytes(out, h.rows(), h.cols());
        }
        Floats f = readFloats(file);
        byte[] out = new byte[f.data().length];
        for (int i = 0; i < out.length; i++) {
            float v = f.data()[i];
            if (v != Math.rint(v) || v < -128 || v > 127) {
                throw new IOException(file + ": element " + i + " = " + v + " is not an int8 value");
            }
            out[i] = (byte) v;
        }
        return new Bytes(out, f.rows(), f.cols());
    }

    /** Writes float32, streamed in chunks (no 2 GiB limit, no second copy of the data). */
    public static void writeFloats(Path file, float[] data, int rows, int cols) throws IOException {
        check(data.length, rows, cols);
        AtomicFiles.write(file, out -> {
            out.write(header("<f4", rows, cols));
            writeFloatChunks(out, data, 0, data.length);
        });
    }

    /** float32 little-endian {@code data[off, off + n)} to {@code out}, in 1 MiB pieces. */
    public static void writeFloatChunks(java.io.OutputStream out, float[] data, int off, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; ) {
            int m = Math.min(n - i, b.capacity() / 4);
            b.clear();
            b.asFloatBuffer().put(data, off + i, m);
            out.write(b.array(), 0, m * 4);
            i += m;
        }
    }

    public static void writeBytes(Path file, byte[] data, int rows, int cols) throws IOException {
        check(data.length, rows, cols);
        write(file, "|i1", rows, cols, data);
    }

    public static void writeInts(Path file, int[] data, int rows, int cols) throws IOException {
        check(data.length, rows, cols);
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(data);
        write(file, "<i4", rows, cols, b.array());
    }

    public static void writeLongs(Path file, long[] data, int rows, int cols) throws IOException {
        check(data.length, rows, cols);
        ByteBuffer b = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(data);
        write(file, "<i8", rows, cols, b.array());
    }

    private static void check(int len, int rows, int cols) {
        if ((long) rows * cols != len) {
            throw new IllegalArgumentException("array of " + len + " elements written as " + rows + " x " + cols);
        }
    }

    private static void write(Path file, String descr, int rows, int cols, byte[] payload) throws IOException {
        AtomicFiles.write(file, out -> {
            out.write(header(descr, rows, cols));
            out.write(payload);
        });
    }

    /**
     * The bytes of a version-1 header for a {@code rows x cols} C-order array of {@code descr} (e.g. {@code "<f4"},
     * "|i1"), padded to 64 bytes: what a streaming writer puts before its rows.
     */
    public static byte[] header(String descr, int rows, int cols) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
        int total = 10 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        byte[] text = (dict + " ".repeat(pad) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer h = ByteBuffer.allocate(10 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        h.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length).put(text);
        return h.array();
    }
}
