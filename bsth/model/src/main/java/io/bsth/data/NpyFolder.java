package io.bsth.data;

import io.bsth.tensor.Tensor;
import io.bsth.tensor.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A folder holding the nine arrays as {@code KEY.npy} (float32 or float64, C order, 2-D). */
public final class NpyFolder {
    private NpyFolder() {}

    public static MultiModalData read(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException(dir + ": not a folder");
        Split[] s = new Split[3];
        String[] names = {"train", "database", "query"};
        for (int i = 0; i < 3; i++) {
            Tensor[] v = new Tensor[3];
            for (int j = 0; j < 3; j++) {
                Path f = dir.resolve(MultiModalData.KEYS[i][j] + ".npy");
                if (!Files.isRegularFile(f)) {
                    throw new IOException(f + ": missing (a data folder needs I_tr T_tr L_tr I_db T_db L_db I_te T_te L_te .npy)");
                }
                Npy.Floats a = Npy.readFloats(f);
                v[j] = Tensor.of(a.data(), a.rows(), a.cols());
            }
            s[i] = new Split(names[i], v[0], v[1], v[2]);
        }
        return Validation.check(new MultiModalData(dir.toString(), s[0], s[1], s[2]),
                key -> dir.resolve(key + ".npy").toString());
    }
}
