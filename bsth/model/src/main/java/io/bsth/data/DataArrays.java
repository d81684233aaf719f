package io.bsth.data;

import io.bsth.tensor.Tensor;
import java.util.Locale;
import java.util.Map;

/**
 * Nine arrays as read from a file format, before they become a {@link MultiModalData}: the one place
 * where labels given as integer class ids (a vector of n ids 0..C-1 per split, as many tools write single
 * labels) become one-hot rows over C = the largest id + 1, the same C for the three splits.
 */
final class DataArrays {
    /** One array: {@code rows x cols} row-major, {@code ndim} its rank in the file (1 for a vector). */
    record Array(float[] data, int rows, int cols, int ndim) {}

    private DataArrays() {}

    /** Splits from {@code arrays} keyed by {@link MultiModalData#KEYS}, validated; {@code namer} names a key in errors. */
    static MultiModalData assemble(String source, Map<String, Array> arrays, Validation.Namer namer) {
        String[] labelKeys = {"L_tr", "L_db", "L_te"};
        int vectors = 0;
        for (String k : labelKeys) if (arrays.get(k).ndim() == 1) vectors++;
        int classes = 0;
        if (vectors > 0) {
            if (vectors < 3) {
                for (String k : labelKeys) {
                    if (arrays.get(k).ndim() != 1) {
                        throw new IllegalArgumentException(namer.name(k) + ": a 2-D label matrix, but other splits give class ids "
                                + "as a vector; give all three the same way");
                    }
                }
            }
            for (String k : labelKeys) classes = Math.max(classes, maxClassId(arrays.get(k), namer.name(k)) + 1);
            if (classes < 2) throw new IllegalArgumentException(namer.name("L_tr") + ": class ids name a single class; "
                    + "retrieval needs at least two");
        }
        Split[] s = new Split[3];
        String[] names = {"train", "database", "query"};
        for (int i = 0; i < 3; i++) {
            Tensor[] v = new Tensor[3];
            for (int j = 0; j < 3; j++) {
                String key = MultiModalData.KEYS[i][j];
                Array a = arrays.get(key);
                v[j] = j == 2 && vectors > 0 ? oneHot(a, classes) : Tensor.of(a.data(), a.rows(), a.cols());
            }
            s[i] = new Split(names[i], v[0], v[1], v[2]);
        }
        String src = vectors > 0
                ? String.format(Locale.ROOT, "%s (labels given as class ids, read as one-hot over %d classes)", source, classes)
                : source;
        return Validation.check(new MultiModalData(src, s[0], s[1], s[2]), namer);
    }

    private static int maxClassId(Array a, String name) {
        int max = -1;
        for (int i = 0; i < a.data().length; i++) {
            float v = a.data()[i];
            if (!(v >= 0) || v != Math.rint(v) || v > 1_000_000) {
                throw new IllegalArgumentException(name + ": class id " + v + " at row " + i
                        + " (a label vector holds integer class ids 0..C-1)");
            }
            max = Math.max(max, (int) v);
        }
        return max;
    }

    private static Tensor oneHot(Array a, int classes) {
        int n = a.data().length;
        float[] out = new float[Math.multiplyExact(n, classes)];
        for (int i = 0; i < n; i++) out[i * classes + (int) a.data()[i]] = 1f;
        return Tensor.of(out, n, classes);
    }
}
