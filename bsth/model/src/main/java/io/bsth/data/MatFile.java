package io.bsth.data;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * HDF5 files holding the nine arrays, read with jhdf, in two flavours told apart by the file's first bytes:
 * <ul>
 *   <li>the authors' MATLAB v7.3 {@code .mat} files: HDF5 behind a 512-byte user block that starts with
 *       the text "MATLAB 7.3 MAT-file". MATLAB writes an n x d matrix column-major, so HDF5 reports it as
 *       d x n; like the authors' {@code data[key][:].T} this reader transposes every dataset back to n x d;</li>
 *   <li>any other HDF5 file (e.g. written by h5py from NumPy (n, d) arrays): read as written, and a
 *       label vector of n class ids becomes one-hot rows.</li>
 * </ul>
 */
public final class MatFile {
    private MatFile() {}

    public static MultiModalData read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such file");
        boolean matlab = isMatlab(file);
        checkNotTruncated(file);
        Map<String, DataArrays.Array> arrays = new HashMap<>();
        try (HdfFile hdf = open(file)) {
            for (String[] keys : MultiModalData.KEYS) {
                for (String key : keys) {
                    arrays.put(key, matlab ? readTransposed(hdf, file, key) : readAsWritten(hdf, file, key));
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            throw new IOException(file + ": not a readable " + (matlab ? "MATLAB v7.3" : "HDF5") + " file (" + e.getMessage() + ")");
        }
        return DataArrays.assemble(file.toString(), arrays, key -> file + ": key " + key);
    }

    /**
     * Files under 2 GiB are memory-mapped and handed to jhdf as one buffer: a corrupt structure size then
     * reads past the buffer's end (a clean error) instead of making jhdf allocate that many bytes (one
     * flipped bit in an object header's size asked it for a gigabyte). Larger files go through a channel.
     */
    static HdfFile open(Path file) throws IOException {
        long size = Files.size(file);
        if (size >= Integer.MAX_VALUE) return new HdfFile(file);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
            return HdfFile.fromByteBuffer(ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, size));
        }
    }

    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1A, '\n'};

    /**
     * The HDF5 superblock (at byte 0, 512, 1024, ...) records the end-of-file address: a file shorter
     * than that is truncated, and is refused here with one line before the HDF5 library sees it.
     */
    static void checkNotTruncated(Path file) throws IOException {
        long size = Files.size(file);
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes((int) Math.min(size, 1 << 16));
        }
        for (int at = 0; at + 8 <= head.length; at = at == 0 ? 512 : at * 2) {
            if (!Arrays.equals(head, at, at + 8, HDF5_SIGNATURE, 0, 8)) continue;
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(head).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            int version = at + 8 < head.length ? head[at + 8] & 0xFF : -1;
            int offsets, base;   // size of offsets, position of the base address
            if (version == 0 || version == 1) {
                offsets = at + 13 < head.length ? head[at + 13] & 0xFF : 0;
                base = at + 24 + (version == 1 ? 4 : 0);
            } else if (version == 2 || version == 3) {
                offsets = at + 9 < head.length ? head[at + 9] & 0xFF : 0;
                base = at + 12;
            } else {
                throw new IOException(file + ": unsupported HDF5 superblock version " + version);
            }
            if (offsets != 8) return; // unusual offset sizes: left to the HDF5 library
            int eofAt = base + 16;   // after the base address and the free-space (v0/1) or extension (v2/3) address
            if (eofAt + 8 > head.length) throw new IOException(file + ": truncated HDF5 file (" + size + " bytes, superblock cut off)");
            // (written files behind a user block record the whole file's length here, as files without one do)
            long eof = b.getLong(eofAt);
            if (eof > size) {
                throw new IOException(file + ": truncated HDF5 file: its superblock records " + eof + " bytes, the file holds " + size);
            }
            return;
        }
        if (size < 8) throw new IOException(file + ": not an HDF5 / MATLAB v7.3 file (" + size + " bytes)");
    }

    /** A MATLAB v7.3 file: its 512-byte user block starts with "MATLAB 7.3 MAT-file" (at least "MATLAB"). */
    static boolean isMatlab(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(6);
            return new String(head, StandardCharsets.ISO_8859_1).equals("MATLAB");
        }
    }

    static Node dataset(HdfFile hdf, Path file, String key) throws IOException {
        Node node = hdf.getChild(key);
        if (node == null) {
            throw new IOException(file + ": key " + key + " missing (the file needs I_tr T_tr L_tr I_db T_db L_db I_te T_te L_te)");
        }
        if (!(node instanceof Dataset)) throw new IOException(file + ": key " + key + " is not a dataset");
        return node;
    }

    /** Dataset {@code key} as written: (n, d), or (n,) for labels given as class ids. */
    static DataArrays.Array readAsWritten(HdfFile hdf, Path file, String key) throws IOException {
        Dataset ds = (Dataset) dataset(hdf, file, key);
        int[] dims = ds.getDimensions();
        if (dims.length != 1 && dims.length != 2) {
            throw new IOException(file + ": key " + key + ": expected a 2-D matrix (or a vector of class ids), got dimensions "
                    + Arrays.toString(dims));
        }
        long count = dims.length == 1 ? dims[0] : (long) dims[0] * dims[1];
        checkSize(ds, file, key, count);
        float[] flat = toFloats(ds.getDataFlat(), file, key);
        return new DataArrays.Array(flat, dims[0], dims.length == 1 ? 1 : dims[1], dims.length);
    }

    /**
     * What the dimensions promise must fit in the file (at most the file's size uncompressed, at most
     * gzip's ratio limit compressed): a tiny file cannot make the reader allocate gigabytes.
     */
    private static void checkSize(Dataset ds, Path file, String key, long count) throws IOException {
        if (count > Integer.MAX_VALUE - 8) throw new IOException(file + ": key " + key + ": " + count + " elements is too large");
        long bytes = count * Math.max(1, ds.getDataType().getSize()), fileSize = Files.size(file);
        long limit = ds.getFilters().isEmpty() ? fileSize : fileSize * 1100;
        if (bytes > limit) {
            throw new IOException(file + ": key " + key + ": dimensions promise " + bytes + " bytes, more than the "
                    + fileSize + "-byte file can hold");
        }
    }

    /** Dataset {@code key} of a MATLAB file, stored (d, n), returned as (n, d) float32. */
    static DataArrays.Array readTransposed(HdfFile hdf, Path file, String key) throws IOException {
        Dataset ds = (Dataset) dataset(hdf, file, key);
        int[] dims = ds.getDimensions();
        if (dims.length != 2) {
            throw new IOException(file + ": key " + key + ": expected a 2-D matrix, got dimensions " + Arrays.toString(dims));
        }
        int d = dims[0], n = dims[1];
        checkSize(ds, file, key, (long) d * n);
        float[] flat = toFloats(ds.getDataFlat(), file, key);
        float[] out = new float[flat.length];
        for (int a = 0; a < d; a++) {
            for (int b = 0; b < n; b++) out[b * d + a] = flat[a * n + b];
        }
        return new DataArrays.Array(out, n, d, 2);
    }

    private static float[] toFloats(Object flat, Path file, String key) throws IOException {
        return switch (flat) {
            case float[] f -> f;
            case double[] a -> { float[] o = new float[a.length]; for (int i = 0; i < a.length; i++) o[i] = (float) a[i]; yield o; }
            case long[] a -> { float[] o = new float[a.length]; for (int i = 0; i < a.length; i++) o[i] = a[i]; yield o; }
            case int[] a -> { float[] o = new float[a.length]; for (int i = 0; i < a.length; i++) o[i] = a[i]; yield o; }
            case short[] a -> { float[] o = new float[a.length]; for (int i = 0; i < a.length; i++) o[i] = a[i]; yield o; }
            case byte[] a -> { float[] o = new float[a.length]; for (int i = 0; i < a.length; i++) o[i] = a[i]; yield o; }
            case boolean[] a -> { float[] o = new float[a.length]; for (int i = 0; i < a.length; i++) o[i] = a[i] ? 1 : 0; yield o; }
            default -> throw new IOException(file + ": key " + key + ": unsupported element type "
                    + flat.getClass().getComponentType());
        };
    }
}
