package io.bsth.data;

import io.bsth.tensor.Rng;
import io.bsth.tensor.Tensor;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Real Fashion-MNIST images (the idx files of Debian's {@code dataset-fashion-mnist}) as a two-view
 * set: the "image" view is the top half of each 28 x 28 picture (rows 0-13, 392 pixels in [0, 1]), the
 * "text" view the bottom half (rows 14-27). Each half sees only part of the garment: a sleeve, a
 * collar, a heel, a strap. Labels are one-hot over the 10 classes. Queries are the first {@code query}
 * test images (default 2000); the database is the training set (60,000, or its first {@code db});
 * {@code train} items (default 5000) are drawn from the database with {@code seed}.
 *
 * <p>Spec: {@code fashion-mnist}, {@code fashion-mnist:DIR}, or {@code fashion-mnist:dir=DIR,train=N,db=N,query=N,seed=S}.
 */
public final class FashionMnist {
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    static final int SIDE = 28, HALF = 14, CLASSES = 10;

    public record Config(Path dir, int train, int db, int query, long seed) {
        public static final Config DEFAULT = new Config(DEFAULT_DIR, 5000, 60000, 2000, 2021);

        public static Config parse(String arg, Map<String, String> kv) {
            Config d = DEFAULT;
            Path dir = arg != null ? Path.of(arg) : d.dir;
            int train = d.train, db = d.db, query = d.query;
            long seed = d.seed;
            for (var e : kv.entrySet()) {
                String v = e.getValue();
                switch (e.getKey()) {
                    case "dir" -> dir = Path.of(v);
                    case "train" -> train = DataSources.intValue("fashion-mnist", e.getKey(), v);
                    case "db" -> db = DataSources.intValue("fashion-mnist", e.getKey(), v);
                    case "query" -> query = DataSources.intValue("fashion-mnist", e.getKey(), v);
                    case "seed" -> seed = DataSources.intValue("fashion-mnist", e.getKey(), v);
                    default -> throw new IllegalArgumentException("fashion-mnist: unknown key '" + e.getKey()
                            + "' (known: dir, train, db, query, seed)");
                }
            }
            if (train < 1 || db < 1 || query < 1) throw new IllegalArgumentException("fashion-mnist: train, db and query must be positive");
            if (train > db) throw new IllegalArgumentException("fashion-mnist: train (" + train + ") must not exceed db (" + db + ")");
            return new Config(dir, train, db, query, seed);
        }

        String describe() {
            return "fashion-mnist:dir=" + dir + ",train=" + train + ",db=" + db + ",query=" + query + ",seed=" + seed;
        }
    }

    private FashionMnist() {}

    public static MultiModalData load(Config c) throws IOException {
        if (!Files.isDirectory(c.dir)) {
            throw new IOException(c.dir + ": no Fashion-MNIST folder (install Debian's dataset-fashion-mnist or give fashion-mnist:DIR)");
        }
        byte[][] trainImg = images(c.dir.resolve("train-images-idx3-ubyte.gz"));
        byte[] trainLab = labels(c.dir.resolve("train-labels-idx1-ubyte.gz"), trainImg.length);
        byte[][] testImg = images(c.dir.resolve("t10k-images-idx3-ubyte.gz"));
        byte[] testLab = labels(c.dir.resolve("t10k-labels-idx1-ubyte.gz"), testImg.length);
        if (c.db > trainImg.length) throw new IllegalArgumentException("fashion-mnist: db " + c.db + " exceeds the " + trainImg.length + " training images");
        if (c.query > testImg.length) throw new IllegalArgumentException("fashion-mnist: query " + c.query + " exceeds the " + testImg.length + " test images");
        Split db = split("database", trainImg, trainLab, c.db);
        Split query = split("query", testImg, testLab, c.query);
        int[] trIdx = Arrays.copyOf(new Rng(c.seed).permutation(c.db), c.train);
        return Validation.check(new MultiModalData(c.describe(), db.rows("train", trIdx), db, query),
                key -> "fashion-mnist " + key);
    }

    static Split split(String name, byte[][] img, byte[] lab, int n) {
        int d = HALF * SIDE;
        float[] top = new float[n * d], bottom = new float[n * d], labels = new float[n * CLASSES];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < d; p++) {
                top[i * d + p] = (img[i][p] & 0xFF) / 255f;
                bottom[i * d + p] = (img[i][d + p] & 0xFF) / 255f;
            }
            labels[i * CLASSES + lab[i]] = 1f;
        }
        return new Split(name, Tensor.of(top, n, d), Tensor.of(bottom, n, d), Tensor.of(labels, n, CLASSES));
    }

    static byte[][] images(Path f) throws IOException {
        try (DataInputStream in = open(f)) {
            int magic = in.readInt();
            if (magic != 0x00000803) throw new IOException(f + ": not an idx3 image file (magic " + Integer.toHexString(magic) + ")");
            int n = in.readInt(), rows = in.readInt(), cols = in.readInt();
            if (rows != SIDE || cols != SIDE) throw new IOException(f + ": expected 28 x 28 images, got " + rows + " x " + cols);
            byte[][] out = new byte[n][SIDE * SIDE];
            for (byte[] im : out) in.readFully(im);
            return out;
        }
    }

    static byte[] labels(Path f, int expected) throws IOException {
        try (DataInputStream in = open(f)) {
            int magic = in.readInt();
            if (magic != 0x00000801) throw new IOException(f + ": not an idx1 label file (magic " + Integer.toHexString(magic) + ")");
            int n = in.readInt();
            if (n != expected) throw new IOException(f + ": " + n + " labels for " + expected + " images");
            byte[] out = new byte[n];
            in.readFully(out);
            for (int i = 0; i < n; i++) {
                if (out[i] < 0 || out[i] >= CLASSES) throw new IOException(f + ": label " + out[i] + " at item " + i + " outside 0..9");
            }
            return out;
        }
    }

    private static DataInputStream open(Path f) throws IOException {
        if (!Files.isRegularFile(f)) throw new IOException(f + ": missing");
        InputStream raw = new java.io.BufferedInputStream(Files.newInputStream(f), 1 << 16);
        return new DataInputStream(f.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw);
    }
}
