package io.bsth.data;

import io.bsth.tensor.Tensor;
import io.bsth.tensor.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The nine arrays of docs/ALGORITHM.md: training set (I_tr, T_tr, L_tr), retrieval database (I_db, T_db, L_db)
 * and queries (I_te, T_te, L_te). {@code source} describes where they came from (for reports).
 */
public record MultiModalData(String source, Split train, Split database, Split query) {
    /** Keys of the nine arrays in the authors' files, in the order train, database, query x I, T, L. */
    public static final String[][] KEYS = {
        {"I_tr", "T_tr", "L_tr"}, {"I_db", "T_db", "L_db"}, {"I_te", "T_te", "L_te"}};

    public int imageDim() {
        return train.imageDim();
    }

    public int textDim() {
        return train.textDim();
    }

    public int classes() {
        return train.classes();
    }

    public Split[] splits() {
        return new Split[] {train, database, query};
    }

    /** Writes the nine arrays as float32 {@code .npy} files into {@code dir} (created if missing). */
    public void writeNpy(Path dir) throws IOException {
        Files.createDirectories(dir);
        Split[] s = splits();
        for (int i = 0; i < 3; i++) {
            Tensor[] views = {s[i].image(), s[i].text(), s[i].labels()};
            for (int v = 0; v < 3; v++) {
                Tensor t = views[v].contiguous();
                Npy.writeFloats(dir.resolve(KEYS[i][v] + ".npy"), t.data(), t.size(0), t.size(1));
            }
        }
    }

    /**
     * What a checkpoint records of the data it was made on, and a resumed run must match: the source and
     * the three splits' sizes.
     */
    public String key() {
        return source + " [" + train.size() + "/" + database.size() + "/" + query.size() + "]";
    }

    /** One line: sizes and dimensions. */
    public String summary() {
        return String.format("%s: train %d, database %d, query %d; image %d-d, text %d-d, %d classes",
                source, train.size(), database.size(), query.size(), imageDim(), textDim(), classes());
    }
}
