package io.bsth.retrieval;

import io.bsth.tensor.io.AtomicFiles;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A file of packed codes for embedding search in a service: opened by memory mapping
 * ({@code java.lang.foreign}), searched in place, grown by appends that never endanger what was there.
 *
 * <p>Format (little-endian): bytes 0-7 magic {@code "BSTHCODE"}; 8-11 version (1); 12-15 nbit; then two
 * header slots of 32 bytes at 16 and 48, each {@code seq (8) count (8) checksum (8) crc32c (4) pad (4)},
 * the CRC covering version, nbit and the slot's first 24 bytes; the codes start at byte 128, laid out as
 * {@link PackedCodes} ({@code ceil(nbit/64)} longs per code). The valid slot with the larger {@code seq}
 * is the published state: the first {@code count} codes, whose words hash to {@code checksum}.
 *
 * <p>Append: (1) write the new codes after the published ones, (2) fsync, (3) write the new count and
 * checksum into the other slot with {@code seq + 1}, (4) fsync. A crash before (3) completes leaves the
 * old slot valid and newest, so readers see exactly the old codes (bytes past {@code count} are ignored
 * and overwritten by the next append); a torn slot fails its CRC and is ignored. One writer at a time
 * (appends are synchronized); searches read an immutable snapshot and never block.
 */
public final class CodeStore implements AutoCloseable {
    static final byte[] MAGIC = "BSTHCODE".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int SLOT0 = 16, SLOT_BYTES = 32, DATA = 128;
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long CHECKSUM_SEED = 0x9E3779B97F4A7C15L;

    private final Path file;
    private final int nbit;
    private final int words;
    private final FileChannel channel;
    private volatile Snapshot current;
    /** Slot index (0/1) holding the published state. */
    private int activeSlot;
    private boolean closed;

    /** Points where a test can make an append stop as a crash would. */
    enum Crash { NONE, MID_DATA, BEFORE_HEADER, MID_HEADER }

    /** Thrown at a simulated crash point; the file is left exactly as a crash would leave it. */
    static final class SimulatedCrash extends RuntimeException {
        SimulatedCrash(Crash at) {
            super("simulated crash at " + at);
        }
    }

    /** The published codes: an immutable view that search walks. */
    private record Snapshot(MemorySegment segment, int count, long seq, long checksum, int nbit, int words)
            implements CodeSource {
        @Override
        public int size() {
            return count;
        }

        @Override
        public int nbit() {
            return nbit;
        }

        @Override
        public void copyPlanes(int start, int len, long[] dst) {
            long base = DATA + (long) start * words * 8;
            if (words == 1) {
                MemorySegment.copy(segment, LE_LONG, base, dst, 0, len);
                return;
            }
            for (int i = 0; i < len; i++) {
                for (int w = 0; w < words; w++) dst[w * len + i] = segment.get(LE_LONG, base + ((long) i * words + w) * 8);
            }
        }
    }

    private CodeStore(Path file, FileChannel channel, int nbit) {
        this.file = file;
        this.channel = channel;
        this.nbit = nbit;
        this.words = PackedCodes.wordsFor(nbit);
    }

    /** Creates an empty store of {@code nbit}-bit codes; fails if {@code file} exists. */
    public static CodeStore create(Path file, int nbit) throws IOException {
        PackedCodes.wordsFor(nbit);
        if (Files.exists(file)) throw new IOException(file + ": already exists (open it, or delete it first)");
        ByteBuffer h = ByteBuffer.allocate(DATA).order(ByteOrder.LITTLE_ENDIAN);
        h.put(MAGIC).putInt(VERSION).putInt(nbit);
        putSlot(h, SLOT0, nbit, 1, 0, CHECKSUM_SEED);
        AtomicFiles.write(file, out -> out.write(h.array()));
        return open(file);
    }

    /** Opens an existing store: validates the header, picks the newest valid slot, verifies the codes' checksum. */
    public static CodeStore open(Path file) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file");
        }
        try {
            long size = ch.size();
            if (size < DATA) throw new IOException(file + ": not a code store (" + size + " bytes, header needs " + DATA + ")");
            ByteBuffer h = ByteBuffer.allocate(DATA).order(ByteOrder.LITTLE_ENDIAN);
            while (h.hasRemaining() && ch.read(h, h.position()) > 0) { /* fill */ }
            for (int i = 0; i < MAGIC.length; i++) {
                if (h.get(i) != MAGIC[i]) throw new IOException(file + ": not a code store (bad magic)");
            }
            int version = h.getInt(8);
            if (version != VERSION) throw new IOException(file + ": unsupported code store version " + version + " (expected " + VERSION + ")");
            int nbit = h.getInt(12);
            if (nbit < 1) throw new IOException(file + ": corrupt header (nbit " + nbit + ")");
            CodeStore s = new CodeStore(file, ch, nbit);
            int best = -1;
            long bestSeq = -1;
            for (int slot = 0; slot < 2; slot++) {
                int off = SLOT0 + slot * SLOT_BYTES;
                if (slotValid(h, off) && h.getLong(off) > bestSeq) {
                    best = slot;
                    bestSeq = h.getLong(off);
                }
            }
            if (best < 0) throw new IOException(file + ": corrupt header (no header slot passes its CRC)");
            int off = SLOT0 + best * SLOT_BYTES;
            long count = h.getLong(off + 8), checksum = h.getLong(off + 16);
            if (count < 0 || count > Integer.MAX_VALUE) throw new IOException(file + ": corrupt header (count " + count + ")");
            long need = DATA + count * s.words * 8;
            if (size < need) throw new IOException(file + ": truncated: " + count + " codes need " + need + " bytes, file holds " + size);
            s.activeSlot = best;
            s.current = s.map((int) count, bestSeq, checksum);
            long actual = checksum(s.current.segment(), 0, count * s.words, CHECKSUM_SEED);
            if (actual != checksum) throw new IOException(file + ": checksum mismatch over " + count + " codes: the file is damaged");
            return s;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private Snapshot map(int count, long seq, long checksum) throws IOException {
        MemorySegment seg = channel.map(FileChannel.MapMode.READ_ONLY, 0, DATA + (long) count * words * 8, Arena.ofAuto());
        return new Snapshot(seg, count, seq, checksum, nbit, words);
    }

    private static void putSlot(ByteBuffer h, int off, int nbit, long seq, long count, long checksum) {
        h.putLong(off, seq).putLong(off + 8, count).putLong(off + 16, checksum);
        h.putInt(off + 24, slotCrc(h, off, nbit)).putInt(off + 28, 0);
    }

    private static int slotCrc(ByteBuffer h, int off, int nbit) {
        CRC32C crc = new CRC32C();
        ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(VERSION).putInt(nbit).flip();
        crc.update(head);
        crc.update(h.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(off).limit(off + 24));
        return (int) crc.getValue();
    }

    private static boolean slotValid(ByteBuffer h, int off) {
        return h.getInt(off + 24) == slotCrc(h, off, h.getInt(12));
    }

    /** Continues the running checksum over {@code nWords} words starting at word {@code fromWord} of the codes. */
    private static long checksum(MemorySegment seg, long fromWord, long nWords, long h) {
        long base = DATA + fromWord * 8;
        for (long i = 0; i < nWords; i++) h = mix(h, seg.get(LE_LONG, base + i * 8));
        return h;
    }

    private static long mix(long h, long word) {
        return Long.rotateLeft(h ^ (word * 0xC2B2AE3D27D4EB4FL), 31) * 0x9E3779B97F4A7C15L;
    }

    public Path file() {
        return file;
    }

    /** Published codes. */
    public int size() {
        return current.count();
    }

    public int nbit() {
        return nbit;
    }

    /** Appends codes durably (see the class comment); readers see them once this returns. */
    public void append(PackedCodes codes) throws IOException {
        append(codes, Crash.NONE);
    }

    synchronized void append(PackedCodes codes, Crash crash) throws IOException {
        if (closed) throw new IOException(file + ": store is closed");
        if (codes.nbit() != nbit) {
            throw new IllegalArgumentException("append to " + file + ": codes have " + codes.nbit() + " bits, the store holds " + nbit);
        }
        Snapshot cur = current;
        long newCount = (long) cur.count() + codes.size();
        if (newCount > Integer.MAX_VALUE) throw new IllegalArgumentException("append to " + file + ": more than " + Integer.MAX_VALUE + " codes");
        long[] w = codes.words();
        ByteBuffer data = ByteBuffer.allocate(w.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        data.asLongBuffer().put(w);
        long pos = DATA + (long) cur.count() * words * 8;
        if (crash == Crash.MID_DATA) data.limit(data.capacity() / 2);
        while (data.hasRemaining()) pos += channel.write(data, pos);
        if (crash == Crash.MID_DATA) throw new SimulatedCrash(crash);
        channel.force(true);
        if (crash == Crash.BEFORE_HEADER) throw new SimulatedCrash(crash);
        long checksum = cur.checksum();
        for (long x : w) checksum = mix(checksum, x);
        int slot = 1 - activeSlot;
        ByteBuffer h = ByteBuffer.allocate(DATA).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(12, nbit);
        int off = SLOT0 + slot * SLOT_BYTES;
        putSlot(h, off, nbit, cur.seq() + 1, newCount, checksum);
        ByteBuffer slotBytes = h.position(off).limit(off + SLOT_BYTES).slice();
        if (crash == Crash.MID_HEADER) slotBytes.limit(SLOT_BYTES / 2);
        long p = off;
        while (slotBytes.hasRemaining()) p += channel.write(slotBytes, p);
        if (crash == Crash.MID_HEADER) throw new SimulatedCrash(crash);
        channel.force(true);
        activeSlot = slot;
        current = map((int) newCount, cur.seq() + 1, checksum);
    }

    /** Codes {@code [from, to)} as packed codes (copied out of the mapping). */
    public PackedCodes read(int from, int to) {
        Snapshot s = current;
        if (from < 0 || to > s.count() || from > to) throw new IndexOutOfBoundsException("codes [" + from + ", " + to + ") of " + s.count());
        long[] w = new long[(to - from) * words];
        MemorySegment.copy(s.segment(), LE_LONG, DATA + (long) from * words * 8, w, 0, w.length);
        return PackedCodes.wrap(w, to - from, nbit);
    }

    /** The k nearest stored codes of one packed query ({@code ceil(nbit/64)} longs), nearest first, ties by index. */
    public Search.TopK search(long[] code, int k) {
        return search(PackedCodes.wrap(code.clone(), 1, nbit), k);
    }

    /** Batch top-k over the published codes (k is capped at {@link #size()}). */
    public Search.TopK search(PackedCodes queries, int k) {
        return Search.topK(queries, current, k);
    }

    /** Every stored code within {@code radius} of each query. */
    public Search.Radius searchRadius(PackedCodes queries, int radius) {
        return Search.radius(queries, current, radius);
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        channel.close();
    }
}
