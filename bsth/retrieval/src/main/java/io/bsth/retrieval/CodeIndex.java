package io.bsth.retrieval;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * A persistent index of binary codes with external 64-bit ids: add, delete by id, exact Hamming top-k
 * search, compaction. Every write is durable when the method returns and survives a crash at any
 * point (the file then holds exactly the writes that returned, plus possibly the one in flight, whole
 * or not at all).
 *
 * <h2>Use</h2>
 * <pre>{@code
 * try (CodeIndex index = CodeIndex.create(Path.of("items.bidx"), 64)) {
 *     index.add(42L, new long[] {0x5DEECE66DL});          // one code of 64 bits = one long
 *     CodeIndex.Hits hits = index.search(new long[] {0x5DEECE66FL}, 10);
 *     hits.ids();        // [42]
 *     hits.distances();  // [1]
 * }
 * }</pre>
 * A code is {@code ceil(nbit/64)} longs, bit {@code j} in bit {@code j % 64} of long {@code j / 64}, a
 * set bit for +1 (the layout of {@link PackedCodes}). Ids are any {@code long}; {@link #add(PackedCodes)}
 * assigns default ids that continue after the largest id ever added (0, 1, 2, ... for an index filled
 * only that way), so default ids follow insertion order and are never reused.
 *
 * <h2>Threads</h2>
 * One instance may be shared by any number of threads. Searches never block and never see a write
 * half done: each reads an immutable snapshot of the live codes. Writes ({@code add}, {@code delete},
 * {@code compact}) are serialised by the instance. Across processes: one writer at a time (a writable
 * open takes an exclusive file lock and fails if another process holds it); read-only opens take no
 * lock and see the state published when they opened.
 *
 * <h2>Search</h2>
 * Exact: the {@code k} live codes nearest in Hamming distance, nearest first, ties by ascending id.
 * The live codes are held in memory (8 bytes per 64 bits of code plus 8 for the id and about 20 for the
 * id set), packed, so a search is the same scan as {@link Search#topK}.
 *
 * <h2>File format (version 2, little-endian)</h2>
 * Bytes 0-7 magic {@code "BSTHCODE"}; 8-11 version (2); 12-15 nbit; two header slots of 32 bytes at 16
 * and 48, each {@code seq (8) records (8) checksum (8) crc32c (4) pad (4)}, the CRC covering version,
 * nbit and the slot's first 24 bytes; records from byte 128, each {@code tag (8) id (8) code
 * (8 * ceil(nbit/64))}: tag 0 adds the code under the id, tag 1 deletes the id (its code words are 0).
 * The valid slot with the larger {@code seq} is the published state: the first {@code records}
 * records, whose words hash to {@code checksum}. Bytes past them are debris of an interrupted write
 * and are ignored.
 *
 * <p>A write (add or delete batch): (1) write its records after the published ones, (2) fsync, (3)
 * write the new record count and checksum into the other slot with {@code seq + 1}, (4) fsync. A crash
 * before (3) completes leaves the old slot valid and newest; a torn slot fails its CRC and is ignored.
 * {@link #compact()} writes only the live records to a new file beside this one, fsyncs it, renames it
 * over this one (atomic) and fsyncs the folder: a crash leaves either the old file or the new one, both
 * holding every live code. Version 1 files (codes without ids) are refused with a message saying so.
 */
public final class CodeIndex implements AutoCloseable {
    static final byte[] MAGIC = "BSTHCODE".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 2;
    static final int SLOT0 = 16, SLOT_BYTES = 32, DATA = 128;
    static final long TAG_ADD = 0, TAG_DELETE = 1;
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long CHECKSUM_SEED = 0x9E3779B97F4A7C15L;

    /** The k nearest live items of one query: {@code ids[r]} at Hamming distance {@code distances[r]}, nearest first, ties by id. */
    public record Hits(long[] ids, int[] distances) {
        /** Number of hits (k, or the index size when smaller). */
        public int size() {
            return ids.length;
        }
    }

    /** What {@link #info()} reports. {@code deadRecords} are tombstones and deleted codes that {@link #compact()} drops. */
    public record Info(int nbit, int size, long records, long deadRecords, long fileBytes) {}

    /** The live items in insertion order (copies). */
    public record Items(long[] ids, PackedCodes codes) {}

    /** Points where a test can make a write stop as a crash would. */
    enum Crash { NONE, MID_DATA, BEFORE_HEADER, MID_HEADER, COMPACT_MID_WRITE, COMPACT_BEFORE_RENAME, COMPACT_AFTER_RENAME }

    /** Thrown at a simulated crash point; the files are left exactly as a crash would leave them. */
    static final class SimulatedCrash extends RuntimeException {
        SimulatedCrash(Crash at) {
            super("simulated crash at " + at);
        }
    }

    /**
     * The live items searches read: codes and ids of rows {@code [0, n)} in insertion order. The arrays
     * may be longer (room for appends); a writer only ever writes past {@code n} of a published state.
     */
    private record State(long[] codes, long[] ids, int n, boolean ascending) {}

    private final Path file;
    private final int nbit;
    private final int words;
    private final int recordBytes;
    private final boolean readOnly;
    private final Object writeLock = new Object();
    private volatile State state;
    private volatile boolean closed;

    // writer state, guarded by writeLock
    private FileChannel channel;
    private FileLock lock;
    private LongSet liveIds;
    private int activeSlot;
    private long seq;
    private long records;
    private long checksum;
    private long nextId;
    private boolean nextIdOverflow;
    private String broken;

    private CodeIndex(Path file, int nbit, boolean readOnly) {
        this.file = file;
        this.nbit = nbit;
        this.words = PackedCodes.wordsFor(nbit);
        this.recordBytes = 16 + 8 * words;
        this.readOnly = readOnly;
    }

    /** Creates an empty index of {@code nbit}-bit codes at {@code file} (which must not exist) and opens it for writing. */
    public static CodeIndex create(Path file, int nbit) throws IOException {
        PackedCodes.wordsFor(nbit);
        if (Files.exists(file)) throw new IOException(file + ": already exists (open it, or delete it first)");
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) throw new IOException(file + ": folder " + dir + " does not exist");
        ByteBuffer h = header(nbit, 1, 0, CHECKSUM_SEED);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".create");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                while (h.hasRemaining()) ch.write(h);
                ch.force(true);
            }
            // a plain rename would replace a file created meanwhile; a link fails instead
            try {
                Files.createLink(file, tmp);
            } catch (UnsupportedOperationException | FileSystemException e) {
                if (Files.exists(file)) throw new IOException(file + ": already exists (open it, or delete it first)");
                Files.move(tmp, file);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        syncFolder(file);
        return open(file);
    }

    /** Opens an index for reading and writing (exclusive across processes). */
    public static CodeIndex open(Path file) throws IOException {
        return open(file, false);
    }

    /** Opens an index for search only: works on a read-only file or volume, takes no lock; writes throw. */
    public static CodeIndex openReadOnly(Path file) throws IOException {
        return open(file, true);
    }

    private static CodeIndex open(Path file, boolean readOnly) throws IOException {
        FileChannel ch;
        try {
            ch = readOnly ? FileChannel.open(file, StandardOpenOption.READ)
                    : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new IOException(file + ": permission denied" + (readOnly ? "" : " for writing (open it read-only to search)"));
        }
        try {
            FileLock lock = null;
            if (!readOnly) {
                try {
                    lock = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null;
                }
                if (lock == null) throw new IOException(file + ": already open for writing (by this or another process); open it read-only to search");
            }
            CodeIndex x = load(file, ch, readOnly);
            if (readOnly) {
                ch.close();
            } else {
                x.channel = ch;
                x.lock = lock;
            }
            return x;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static CodeIndex load(Path file, FileChannel ch, boolean readOnly) throws IOException {
        long size = ch.size();
        if (size < 16) throw new IOException(file + ": not a bsth code index (" + size + " bytes)");
        ByteBuffer h = ByteBuffer.allocate((int) Math.min(DATA, size)).order(ByteOrder.LITTLE_ENDIAN);
        while (h.hasRemaining() && ch.read(h, h.position()) > 0) { /* fill */ }
        for (int i = 0; i < MAGIC.length; i++) {
            if (h.get(i) != MAGIC[i]) throw new IOException(file + ": not a bsth code index (bad magic)");
        }
        int version = h.getInt(8);
        if (version == 1) {
            throw new IOException(file + ": a version 1 code store (codes without ids, from before CodeIndex); this build reads version "
                    + VERSION + ": rebuild it (bsth index create, then bsth index add with the codes)");
        }
        if (version != VERSION) throw new IOException(file + ": unsupported code index version " + version + " (this build reads " + VERSION + ")");
        if (size < DATA) throw new IOException(file + ": truncated header (" + size + " bytes, needs " + DATA + ")");
        int nbit = h.getInt(12);
        if (nbit < 1) throw new IOException(file + ": corrupt header (nbit " + nbit + ")");
        CodeIndex x = new CodeIndex(file, nbit, readOnly);
        int best = -1;
        long bestSeq = -1;
        for (int slot = 0; slot < 2; slot++) {
            int off = SLOT0 + slot * SLOT_BYTES;
            if (h.getInt(off + 24) == slotCrc(h, off, nbit) && h.getLong(off) > bestSeq) {
                best = slot;
                bestSeq = h.getLong(off);
            }
        }
        if (best < 0) throw new IOException(file + ": corrupt header (no header slot passes its CRC)");
        int off = SLOT0 + best * SLOT_BYTES;
        long recs = h.getLong(off + 8), sum = h.getLong(off + 16);
        if (recs < 0) throw new IOException(file + ": corrupt header (records " + recs + ")");
        long need = DATA + recs * x.recordBytes;
        if (size < need) throw new IOException(file + ": truncated: " + recs + " records need " + need + " bytes, file holds " + size);
        x.activeSlot = best;
        x.seq = bestSeq;
        x.records = recs;
        x.checksum = sum;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = recs == 0 ? MemorySegment.NULL : ch.map(FileChannel.MapMode.READ_ONLY, 0, need, arena);
            x.replay(seg, recs, sum);
        }
        return x;
    }

    /** Rebuilds the live items from the published records and checks the checksum and the add/delete sequence. */
    private void replay(MemorySegment seg, long recs, long sum) throws IOException {
        long h = CHECKSUM_SEED;
        long wordsPerRecord = recordBytes / 8;
        for (long i = 0, end = recs * wordsPerRecord; i < end; i++) h = mix(h, seg.get(LE_LONG, DATA + i * 8));
        if (h != sum) throw new IOException(file + ": checksum mismatch over " + recs + " records: the file is damaged");
        // backwards: an add is live unless a later delete names its id
        boolean[] live = new boolean[Math.toIntExact(recs)];
        LongSet pendingDelete = new LongSet(16);
        LongSet seen = new LongSet(16);
        int n = 0;
        long maxId = Long.MIN_VALUE;
        boolean anyAdd = false;
        for (long r = recs - 1; r >= 0; r--) {
            long base = DATA + r * recordBytes;
            long tag = seg.get(LE_LONG, base), id = seg.get(LE_LONG, base + 8);
            if (tag == TAG_DELETE) {
                if (!pendingDelete.add(id)) throw new IOException(file + ": corrupt record " + r + ": deletes id " + id + " that is not live");
            } else if (tag == TAG_ADD) {
                anyAdd = true;
                maxId = Math.max(maxId, id);
                if (pendingDelete.remove(id)) continue;
                if (!seen.add(id)) throw new IOException(file + ": corrupt record " + r + ": adds id " + id + " that is already live");
                live[(int) r] = true;
                n++;
            } else {
                throw new IOException(file + ": corrupt record " + r + " (tag " + tag + ")");
            }
        }
        if (pendingDelete.size() > 0) throw new IOException(file + ": corrupt records: a delete names an id never added");
        long[] codes = new long[n * words], ids = new long[n];
        int row = 0;
        boolean ascending = true;
        for (int r = 0; r < recs; r++) {
            if (!live[r]) continue;
            long base = DATA + (long) r * recordBytes;
            ids[row] = seg.get(LE_LONG, base + 8);
            if (row > 0 && ids[row] <= ids[row - 1]) ascending = false;
            MemorySegment.copy(seg, LE_LONG, base + 16, codes, row * words, words);
            row++;
        }
        long pad = PackedCodes.padMask(nbit);
        for (int i = 0; i < n; i++) {
            if ((codes[i * words + words - 1] & pad) != 0) throw new IOException(file + ": corrupt code of id " + ids[i] + " (bits set beyond nbit " + nbit + ")");
        }
        liveIds = seen;
        nextId = anyAdd ? maxId + 1 : 0;
        nextIdOverflow = anyAdd && maxId == Long.MAX_VALUE;
        state = new State(codes, ids, n, ascending);
    }

    private static ByteBuffer header(int nbit, long seq, long recs, long sum) {
        ByteBuffer h = ByteBuffer.allocate(DATA).order(ByteOrder.LITTLE_ENDIAN);
        h.put(MAGIC).putInt(VERSION).putInt(nbit);
        putSlot(h, SLOT0, nbit, seq, recs, sum);
        return h.clear();
    }

    private static void putSlot(ByteBuffer h, int off, int nbit, long seq, long recs, long sum) {
        h.putLong(off, seq).putLong(off + 8, recs).putLong(off + 16, sum);
        h.putInt(off + 24, slotCrc(h, off, nbit)).putInt(off + 28, 0);
    }

    private static int slotCrc(ByteBuffer h, int off, int nbit) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(VERSION).putInt(nbit).flip());
        crc.update(h.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(off).limit(off + 24));
        return (int) crc.getValue();
    }

    private static long mix(long h, long word) {
        return Long.rotateLeft(h ^ (word * 0xC2B2AE3D27D4EB4FL), 31) * 0x9E3779B97F4A7C15L;
    }

    private static void syncFolder(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null) return;
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // some platforms cannot open or sync a folder; the rename itself is still atomic there
        }
    }

    /** The index file. */
    public Path file() {
        return file;
    }

    /** Bits per code. */
    public int nbit() {
        return nbit;
    }

    /** Longs per code: {@code ceil(nbit / 64)}. */
    public int wordsPerCode() {
        return words;
    }

    /** Live items (added and not deleted). */
    public int size() {
        return state.n();
    }

    /** Whether this instance was opened with {@link #openReadOnly}. */
    public boolean isReadOnly() {
        return readOnly;
    }

    /** Whether {@code id} is live. */
    public boolean contains(long id) {
        synchronized (writeLock) {
            return liveIds.contains(id);
        }
    }

    /** Sizes of the index and its file. */
    public Info info() throws IOException {
        synchronized (writeLock) {
            State s = state;
            return new Info(nbit, s.n(), records, records - s.n(), readOnly ? Files.size(file) : channel.size());
        }
    }

    /** A consistent copy of the live items, in insertion order. */
    public Items items() {
        State s = state;
        return new Items(Arrays.copyOf(s.ids(), s.n()), PackedCodes.wrap(Arrays.copyOf(s.codes(), s.n() * words), s.n(), nbit));
    }

    // ---- writes

    /** Adds one code under {@code id} (which must not be live). Durable when this returns. */
    public void add(long id, long[] code) throws IOException {
        checkCode(code);
        add(new long[] {id}, PackedCodes.wrap(code.clone(), 1, nbit));
    }

    /** Adds one code under the next default id and returns that id. */
    public long add(long[] code) throws IOException {
        checkCode(code);
        return add(PackedCodes.wrap(code.clone(), 1, nbit))[0];
    }

    /** Adds codes under consecutive default ids (continuing after the largest id ever added); returns the ids. */
    public long[] add(PackedCodes codes) throws IOException {
        synchronized (writeLock) {
            checkWritable();
            int m = codes.size();
            if (m > 0 && (nextIdOverflow || nextId > Long.MAX_VALUE - (m - 1))) {
                throw new IllegalArgumentException("ids: default ids would pass Long.MAX_VALUE (pass explicit ids)");
            }
            long[] ids = new long[m];
            for (int i = 0; i < m; i++) ids[i] = nextId + i;
            add(ids, codes, Crash.NONE);
            return ids;
        }
    }

    /**
     * Adds {@code codes.size()} codes, code {@code i} under {@code ids[i]}, all or nothing: every id must
     * be new (not live, not repeated in the batch), else {@link IllegalArgumentException} and nothing is
     * written. Durable when this returns.
     */
    public void add(long[] ids, PackedCodes codes) throws IOException {
        add(ids, codes, Crash.NONE);
    }

    void add(long[] ids, PackedCodes codes, Crash crash) throws IOException {
        synchronized (writeLock) {
            checkWritable();
            if (codes.nbit() != nbit) throw new IllegalArgumentException("codes: expected " + nbit + " bits, got " + codes.nbit());
            int m = codes.size();
            if (ids.length != m) throw new IllegalArgumentException("ids: expected one id per code (" + m + "), got " + ids.length);
            if (m == 0) return;
            LongSet batch = new LongSet(m);
            for (int i = 0; i < m; i++) {
                if (liveIds.contains(ids[i])) throw new IllegalArgumentException("ids: id " + ids[i] + " is already in the index");
                if (!batch.add(ids[i])) throw new IllegalArgumentException("ids: id " + ids[i] + " appears twice");
            }
            State s = state;
            if ((long) s.n() + m > Integer.MAX_VALUE / Math.max(words, 1) - 16) throw new IllegalArgumentException("ids: more codes than one index holds");
            ByteBuffer recs = ByteBuffer.allocate(m * recordBytes).order(ByteOrder.LITTLE_ENDIAN);
            long[] w = codes.words();
            for (int i = 0; i < m; i++) {
                recs.putLong(TAG_ADD).putLong(ids[i]);
                for (int j = 0; j < words; j++) recs.putLong(w[i * words + j]);
            }
            commit(recs.flip(), m, crash);
            appendToState(ids, w, m);
        }
    }

    /** Publishes {@code m} durable new items to searches (writer lock held). */
    private void appendToState(long[] ids, long[] w, int m) {
        State s = state;
        long[] cs = s.codes(), is = s.ids();
        int n = s.n();
        if (is.length < n + m) {
            int cap = Math.max(n + m, n + (n >> 1) + 16);
            cs = Arrays.copyOf(cs, cap * words);
            is = Arrays.copyOf(is, cap);
        }
        System.arraycopy(w, 0, cs, n * words, m * words);
        System.arraycopy(ids, 0, is, n, m);
        boolean asc = s.ascending() && (n == 0 || ids[0] > is[n - 1]);
        for (int i = 1; i < m && asc; i++) asc = ids[i] > ids[i - 1];
        for (int i = 0; i < m; i++) {
            long id = ids[i];
            liveIds.add(id);
            if (id >= nextId) {
                nextIdOverflow = id == Long.MAX_VALUE;
                nextId = nextIdOverflow ? id : id + 1;
            }
        }
        state = new State(cs, is, n + m, asc);
    }

    /** One batch of {@link #addAll}: codes and their ids ({@code null}: default ids). */
    public record Batch(long[] ids, PackedCodes codes) {}

    /** Supplies the batches of {@link #addAll}; {@code null} ends the stream. */
    @FunctionalInterface
    public interface Feed {
        Batch next() throws IOException;
    }

    /**
     * Adds every batch the feed supplies as ONE write, all or nothing: the records are written as the
     * batches arrive (so the feed may produce more codes than fit in memory as features, e.g. encoding
     * from files), and published only after the feed ends. If the feed or a batch fails (an exception,
     * a live or repeated id), nothing is published and the exception propagates. Other writes wait;
     * searches go on and see the new items only at the end. Returns the number added.
     */
    public long addAll(Feed feed) throws IOException {
        synchronized (writeLock) {
            checkWritable();
            LongSet pending = new LongSet(1024);
            long[] pIds = new long[1024], pWords = new long[1024 * words];
            int m = 0;
            long next = nextId;
            boolean overflow = nextIdOverflow;
            long pos = DATA + records * recordBytes, sum = checksum;
            for (Batch b; (b = feed.next()) != null; ) {
                PackedCodes codes = b.codes();
                if (codes.nbit() != nbit) throw new IllegalArgumentException("codes: expected " + nbit + " bits, got " + codes.nbit());
                int c = codes.size();
                long[] ids = b.ids();
                if (ids == null) {
                    if (c > 0 && (overflow || next > Long.MAX_VALUE - (c - 1))) throw new IllegalArgumentException("ids: default ids would pass Long.MAX_VALUE (pass explicit ids)");
                    ids = new long[c];
                    for (int i = 0; i < c; i++) ids[i] = next + i;
                } else if (ids.length != c) {
                    throw new IllegalArgumentException("ids: expected one id per code (" + c + "), got " + ids.length);
                }
                if ((long) state.n() + m + c > Integer.MAX_VALUE / Math.max(words, 1) - 16) throw new IllegalArgumentException("ids: more codes than one index holds");
                for (int i = 0; i < c; i++) {
                    if (liveIds.contains(ids[i])) throw new IllegalArgumentException("ids: id " + ids[i] + " is already in the index");
                    if (!pending.add(ids[i])) throw new IllegalArgumentException("ids: id " + ids[i] + " appears twice");
                    if (ids[i] >= next) {
                        overflow = ids[i] == Long.MAX_VALUE;
                        next = overflow ? ids[i] : ids[i] + 1;
                    }
                }
                ByteBuffer recs = ByteBuffer.allocate(c * recordBytes).order(ByteOrder.LITTLE_ENDIAN);
                long[] w = codes.words();
                for (int i = 0; i < c; i++) {
                    recs.putLong(TAG_ADD).putLong(ids[i]);
                    sum = mix(mix(sum, TAG_ADD), ids[i]);
                    for (int j = 0; j < words; j++) {
                        recs.putLong(w[i * words + j]);
                        sum = mix(sum, w[i * words + j]);
                    }
                }
                recs.flip();
                while (recs.hasRemaining()) pos += channel.write(recs, pos);
                if (pIds.length < m + c) {
                    int cap = Math.max(m + c, pIds.length * 2);
                    pIds = Arrays.copyOf(pIds, cap);
                    pWords = Arrays.copyOf(pWords, cap * words);
                }
                System.arraycopy(ids, 0, pIds, m, c);
                System.arraycopy(w, 0, pWords, m * words, c * words);
                m += c;
            }
            if (m == 0) return 0;
            try {
                channel.force(true);
                publish(m, sum, Crash.NONE);
            } catch (IOException | RuntimeException e) {
                broken = e.getMessage();
                throw e;
            }
            appendToState(pIds, pWords, m);
            return m;
        }
    }

    /** Deletes {@code id}; false (and nothing written) when it is not live. Durable when this returns. */
    public boolean delete(long id) throws IOException {
        synchronized (writeLock) {
            checkWritable();
            if (!liveIds.contains(id)) return false;
            delete(new long[] {id}, Crash.NONE);
            return true;
        }
    }

    /**
     * Deletes every id, all or nothing: each must be live and appear once, else
     * {@link IllegalArgumentException} and nothing is written. Returns the number deleted.
     */
    public int delete(long[] ids) throws IOException {
        return delete(ids, Crash.NONE);
    }

    int delete(long[] ids, Crash crash) throws IOException {
        synchronized (writeLock) {
            checkWritable();
            int m = ids.length;
            if (m == 0) return 0;
            LongSet batch = new LongSet(m);
            for (long id : ids) {
                if (!liveIds.contains(id)) throw new IllegalArgumentException("ids: id " + id + " is not in the index");
                if (!batch.add(id)) throw new IllegalArgumentException("ids: id " + id + " appears twice");
            }
            ByteBuffer recs = ByteBuffer.allocate(m * recordBytes).order(ByteOrder.LITTLE_ENDIAN);
            for (long id : ids) {
                recs.putLong(TAG_DELETE).putLong(id);
                for (int j = 0; j < words; j++) recs.putLong(0L);
            }
            commit(recs.flip(), m, crash);
            State s = state;
            int n = s.n(), keep = n - m;
            long[] cs = new long[(keep + (keep >> 2) + 16) * words], is = new long[keep + (keep >> 2) + 16];
            int row = 0;
            for (int i = 0; i < n; i++) {
                if (batch.contains(s.ids()[i])) continue;
                is[row] = s.ids()[i];
                System.arraycopy(s.codes(), i * words, cs, row * words, words);
                row++;
            }
            for (long id : ids) liveIds.remove(id);
            state = new State(cs, is, keep, s.ascending());
            return m;
        }
    }

    /** Writes {@code m} records after the published ones and publishes them (the protocol of the class comment). */
    private void commit(ByteBuffer recs, int m, Crash crash) throws IOException {
        try {
            long sum = checksum;
            ByteBuffer ro = recs.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            while (ro.hasRemaining()) sum = mix(sum, ro.getLong());
            long pos = DATA + records * recordBytes;
            if (crash == Crash.MID_DATA) recs.limit(recs.capacity() / 2);
            while (recs.hasRemaining()) pos += channel.write(recs, pos);
            if (crash == Crash.MID_DATA) throw new SimulatedCrash(crash);
            channel.force(true);
            if (crash == Crash.BEFORE_HEADER) throw new SimulatedCrash(crash);
            publish(m, sum, crash);
        } catch (IOException | RuntimeException e) {
            broken = e.getMessage();
            throw e;
        }
    }

    /** Steps (3) and (4) of a write: the other header slot names {@code m} more records with checksum {@code sum}; fsync. */
    private void publish(long m, long sum, Crash crash) throws IOException {
        int slot = 1 - activeSlot;
        int off = SLOT0 + slot * SLOT_BYTES;
        ByteBuffer h = ByteBuffer.allocate(DATA).order(ByteOrder.LITTLE_ENDIAN);
        putSlot(h, off, nbit, seq + 1, records + m, sum);
        ByteBuffer slotBytes = h.position(off).limit(off + SLOT_BYTES).slice();
        if (crash == Crash.MID_HEADER) slotBytes.limit(SLOT_BYTES / 2);
        long p = off;
        while (slotBytes.hasRemaining()) p += channel.write(slotBytes, p);
        if (crash == Crash.MID_HEADER) throw new SimulatedCrash(crash);
        channel.force(true);
        activeSlot = slot;
        seq++;
        records += m;
        checksum = sum;
    }

    /**
     * Rewrites the file with the live items only (dropping tombstones and deleted codes), keeping their
     * ids, codes and order. Crash-safe: see the class comment. Searches go on meanwhile.
     */
    public void compact() throws IOException {
        compact(Crash.NONE);
    }

    void compact(Crash crash) throws IOException {
        synchronized (writeLock) {
            checkWritable();
            Path abs = file.toAbsolutePath();
            Path dir = abs.getParent();
            String prefix = "." + abs.getFileName() + ".";
            try (DirectoryStream<Path> stale = Files.newDirectoryStream(dir, prefix + "*.compact")) {
                for (Path p : stale) Files.deleteIfExists(p);   // debris of a compaction that crashed (we hold the writer lock)
            }
            State s = state;
            Path tmp = Files.createTempFile(dir, prefix, ".compact");
            FileChannel out = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE);
            boolean renamed = false;
            try {
                long sum = CHECKSUM_SEED;
                int n = s.n();
                for (int i = 0; i < n; i++) {
                    sum = mix(sum, TAG_ADD);
                    sum = mix(sum, s.ids()[i]);
                    for (int j = 0; j < words; j++) sum = mix(sum, s.codes()[i * words + j]);
                }
                long newSeq = seq + 1;
                long pos = 0;
                ByteBuffer h = header(nbit, newSeq, n, sum);
                while (h.hasRemaining()) pos += out.write(h, pos);
                int per = Math.max(1, (1 << 20) / recordBytes);
                ByteBuffer buf = ByteBuffer.allocate(per * recordBytes).order(ByteOrder.LITTLE_ENDIAN);
                int stopAt = crash == Crash.COMPACT_MID_WRITE ? n / 2 : n;
                for (int i = 0; i < stopAt; i += per) {
                    buf.clear();
                    for (int r = i, e = Math.min(stopAt, i + per); r < e; r++) {
                        buf.putLong(TAG_ADD).putLong(s.ids()[r]);
                        for (int j = 0; j < words; j++) buf.putLong(s.codes()[r * words + j]);
                    }
                    buf.flip();
                    while (buf.hasRemaining()) pos += out.write(buf, pos);
                }
                if (crash == Crash.COMPACT_MID_WRITE) throw new SimulatedCrash(crash);
                out.force(true);
                if (crash == Crash.COMPACT_BEFORE_RENAME) throw new SimulatedCrash(crash);
                FileLock newLock = out.tryLock();
                if (newLock == null) throw new IOException(tmp + ": cannot lock the compacted file");
                try {
                    Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new IOException(file + ": the file system cannot rename atomically; compaction needs it");
                }
                renamed = true;
                syncFolder(abs);
                if (crash == Crash.COMPACT_AFTER_RENAME) throw new SimulatedCrash(crash);
                FileChannel old = channel;
                channel = out;
                lock = newLock;
                old.close();
                activeSlot = 0;
                seq = newSeq;
                records = n;
                checksum = sum;
            } catch (IOException | RuntimeException e) {
                out.close();
                if (!renamed) {
                    if (!(e instanceof SimulatedCrash)) Files.deleteIfExists(tmp);
                } else {
                    broken = "compaction finished on disk but the index could not switch to it: " + e.getMessage();
                }
                throw e;
            }
        }
    }

    private void checkWritable() {
        if (closed) throw new IllegalStateException(file + ": index is closed");
        if (readOnly) throw new IllegalStateException(file + ": opened read-only");
        if (broken != null) throw new IllegalStateException(file + ": an earlier write failed (" + broken + "); reopen the index");
    }

    private void checkCode(long[] code) {
        if (code.length != words) throw new IllegalArgumentException("code: expected " + words + " longs for " + nbit + " bits, got " + code.length);
        if ((code[words - 1] & PackedCodes.padMask(nbit)) != 0) throw new IllegalArgumentException("code: bits set beyond nbit " + nbit);
    }

    // ---- search

    /** The {@code k} nearest live codes of one query code ({@code ceil(nbit/64)} longs); see the class comment. */
    public Hits search(long[] code, int k) {
        checkCode(code);
        return search(PackedCodes.wrap(code.clone(), 1, nbit), k)[0];
    }

    /** The {@code k} nearest live codes of every query, one {@link Hits} per query. */
    public Hits[] search(PackedCodes queries, int k) {
        if (closed) throw new IllegalStateException(file + ": index is closed");
        if (k < 1) throw new IllegalArgumentException("k: expected >= 1, got " + k);
        if (queries.nbit() != nbit) throw new IllegalArgumentException("queries: expected " + nbit + " bits, got " + queries.nbit());
        State s = state;
        int nq = queries.size();
        Hits[] out = new Hits[nq];
        if (s.n() == 0) {
            for (int q = 0; q < nq; q++) out[q] = new Hits(new long[0], new int[0]);
            return out;
        }
        PackedCodes db = PackedCodes.prefixView(s.codes(), s.n(), nbit);
        if (!s.ascending()) return searchByIds(queries, db, s.ids(), k);
        Search.TopK top = Search.topK(queries, db, k);
        int kk = top.k();
        for (int q = 0; q < nq; q++) {
            long[] ids = new long[kk];
            int[] dist = new int[kk];
            for (int r = 0; r < kk; r++) {
                ids[r] = s.ids()[top.index(q, r)];
                dist[r] = top.distance(q, r);
            }
            out[q] = new Hits(ids, dist);
        }
        return out;
    }

    /**
     * Top-k when the rows' ids are not in ascending order (ties by id differ from ties by row): one scan
     * returns, per query, every row at a distance up to its k-th smallest (nearest first); the ids of each
     * distance are then sorted and the first k kept.
     */
    private static Hits[] searchByIds(PackedCodes queries, PackedCodes db, long[] rowIds, int k) {
        Search.Radius all = Search.topKWithTies(queries, db, k);
        int nq = queries.size(), kk = Math.min(k, db.size());
        Hits[] out = new Hits[nq];
        for (int q = 0; q < nq; q++) {
            int from = all.offsets()[q], to = all.offsets()[q + 1];
            long[] ids = new long[to - from];
            for (int r = from; r < to; r++) ids[r - from] = rowIds[all.indices()[r]];
            int[] dist = Arrays.copyOfRange(all.distances(), from, to);
            for (int g = 0; g < ids.length; ) {
                int e = g;
                while (e < ids.length && dist[e] == dist[g]) e++;
                Arrays.sort(ids, g, e);
                g = e;
            }
            out[q] = new Hits(Arrays.copyOf(ids, kk), Arrays.copyOf(dist, kk));
        }
        return out;
    }

    /** Sorts pairs by distance, then id (small arrays: the hits of one query). */
    static void sortByDistanceThenId(long[] ids, int[] dist) {
        Integer[] order = new Integer[ids.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> dist[a] != dist[b] ? Integer.compare(dist[a], dist[b]) : Long.compare(ids[a], ids[b]));
        long[] i2 = new long[ids.length];
        int[] d2 = new int[ids.length];
        for (int i = 0; i < order.length; i++) {
            i2[i] = ids[order[i]];
            d2[i] = dist[order[i]];
        }
        System.arraycopy(i2, 0, ids, 0, ids.length);
        System.arraycopy(d2, 0, dist, 0, dist.length);
    }

    /**
     * The exact global top-k of one query over several result lists (each already the top-k of its own
     * shard, nearest first, ties by id, ids unique across shards): merged by distance, then id.
     */
    public static Hits merge(Hits[] shards, int k) {
        if (k < 1) throw new IllegalArgumentException("k: expected >= 1, got " + k);
        int total = 0;
        for (Hits h : shards) total += h.size();
        long[] ids = new long[total];
        int[] dist = new int[total];
        int p = 0;
        for (Hits h : shards) {
            System.arraycopy(h.ids(), 0, ids, p, h.size());
            System.arraycopy(h.distances(), 0, dist, p, h.size());
            p += h.size();
        }
        sortByDistanceThenId(ids, dist);
        int m = Math.min(k, total);
        return new Hits(Arrays.copyOf(ids, m), Arrays.copyOf(dist, m));
    }

    /** Flushes nothing (every write is already durable), releases the file and its lock. Searches after close throw. */
    @Override
    public void close() throws IOException {
        synchronized (writeLock) {
            if (closed) return;
            closed = true;
            if (channel != null) channel.close();   // closing the channel releases the lock
        }
    }
}
