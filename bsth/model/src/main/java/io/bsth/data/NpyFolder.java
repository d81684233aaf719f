package io.bsth.data;

import io.bsth.tensor.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A folder holding the nine arrays as {@code KEY.npy} (any numeric dtype, C order, 2-D; labels may also be
 * a vector of integer class ids per split).
 */
public final class NpyFolder {
    private NpyFolder() {}

    public static MultiModalData read(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException(dir + ": not a folder");
        Map<String, DataArrays.Array> arrays = new HashMap<>();
        for (String[] keys : MultiModalData.KEYS) {
            for (String key : keys) {
                Path f = dir.resolve(key + ".npy");
                if (!Files.isRegularFile(f)) {
                    throw new IOException(f + ": missing (a data folder needs I_tr T_tr L_tr I_db T_db L_db I_te T_te L_te .npy)");
                }
                Npy.Floats a = Npy.readFloats(f);
                arrays.put(key, new DataArrays.Array(a.data(), a.rows(), a.cols(), a.ndim()));
            }
        }
        return DataArrays.assemble(dir.toString(), arrays, key -> dir.resolve(key + ".npy").toString());
    }
}
