package io.bsth.data;

import io.bsth.tensor.Tensor;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The authors' MATLAB v7.3 {@code .mat} files (HDF5 with a 512-byte user block), read with jhdf.
 * MATLAB writes an n x d matrix column-major, so HDF5 reports it as d x n; like the authors'
 * {@code data[key][:].T} this reader transposes every dataset back to n x d.
 */
public final class MatFile {
    private MatFile() {}

    public static MultiModalData read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such file");
        Split[] s = new Split[3];
        String[] names = {"train", "database", "query"};
        try (HdfFile hdf = new HdfFile(file)) {
            for (int i = 0; i < 3; i++) {
                Tensor[] v = new Tensor[3];
                for (int j = 0; j < 3; j++) v[j] = readTransposed(hdf, file, MultiModalData.KEYS[i][j]);
                s[i] = new Split(names[i], v[0], v[1], v[2]);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IOException(file + ": not a readable MATLAB v7.3 / HDF5 file (" + e.getMessage() + ")");
        }
        return Validation.check(new MultiModalData(file.toString(), s[0], s[1], s[2]),
                key -> file + ": key " + key);
    }

    /** Dataset {@code key}, stored (d, n), returned as (n, d) float32. */
    static Tensor readTransposed(HdfFile hdf, Path file, String key) throws IOException {
        Node node = hdf.getChild(key);
        if (node == null) {
            throw new IOException(file + ": key " + key + " missing (the file needs I_tr T_tr L_tr I_db T_db L_db I_te T_te L_te)");
        }
        if (!(node instanceof Dataset ds)) throw new IOException(file + ": key " + key + " is not a dataset");
        int[] dims = ds.getDimensions();
        if (dims.length != 2) {
            throw new IOException(file + ": key " + key + ": expected a 2-D matrix, got dimensions " + Arrays.toString(dims));
        }
        int d = dims[0], n = dims[1];
        float[] flat = toFloats(ds.getDataFlat(), file, key);
        float[] out = new float[flat.length];
        for (int a = 0; a < d; a++) {
            for (int b = 0; b < n; b++) out[b * d + a] = flat[a * n + b];
        }
        return Tensor.of(out, n, d);
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
