package io.bsth.data;

import io.bsth.tensor.io.Npy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/** A NumPy {@code .npz} archive ({@code np.savez} or {@code np.savez_compressed}) holding the nine arrays as {@code KEY.npy}. */
public final class NpzFile {
    private NpzFile() {}

    public static MultiModalData read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such file");
        Map<String, DataArrays.Array> arrays = new HashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (String[] keys : MultiModalData.KEYS) {
                for (String key : keys) {
                    ZipEntry e = zip.getEntry(key + ".npy");
                    if (e == null) {
                        throw new IOException(file + ": array " + key + " missing (the archive needs I_tr T_tr L_tr I_db T_db L_db "
                                + "I_te T_te L_te)");
                    }
                    if (e.getSize() > Integer.MAX_VALUE - 8) {
                        throw new IOException(file + ": array " + key + " is larger than 2 GiB; store it as a .npy in a folder");
                    }
                    byte[] bytes;
                    try (InputStream in = zip.getInputStream(e)) {
                        bytes = in.readNBytes(Integer.MAX_VALUE - 8);
                    }
                    Npy.Floats a = Npy.readFloats(Path.of(file + ":" + key), ByteBuffer.wrap(bytes));
                    arrays.put(key, new DataArrays.Array(a.data(), a.rows(), a.cols(), a.ndim()));
                }
            }
        } catch (ZipException | java.io.EOFException e) {
            throw new IOException(file + ": not a readable .npz archive (" + (e.getMessage() == null ? "truncated" : e.getMessage()) + ")");
        } catch (IOException e) {
            if (e.getMessage() != null) throw e;
            throw new IOException(file + ": not a readable .npz archive (" + e.getClass().getSimpleName() + ")");
        }
        return DataArrays.assemble(file.toString(), arrays, key -> file + ":" + key);
    }
}
