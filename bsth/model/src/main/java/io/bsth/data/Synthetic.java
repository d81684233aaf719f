package io.bsth.data;

import io.bsth.tensor.Rng;
import io.bsth.tensor.Tensor;
import java.util.Map;

/**
 * The embedded data set: a seeded generator shaped like MIR-Flickr. Items are drawn from a few latent
 * scenes, each with its own label profile, so the {@code classes} labels co-occur (about 3 per item).
 * The image view is dense (a Gaussian direction per visible label, a scene direction, noise); the text
 * view is a sparse binary bag of words (each visible label emits some of its own words, plus random
 * background words). Each view sees only part of the semantics: labels {@code c % 3 == 0} show only in
 * the image, {@code c % 3 == 2} only in the text, {@code c % 3 == 1} in both; so fusing the views beats
 * either alone. The training items are drawn from the database, the queries are separate items.
 *
 * <p>Keys of {@code synthetic:KEY=VALUE,...}: train, db, query (item counts), image, text (dimensions),
 * classes, scenes, seed.
 */
public final class Synthetic {
    /** Sizes and seed of a generated set. */
    public record Config(int train, int db, int query, int imageDim, int textDim, int classes, int scenes, long seed) {
        public static final Config DEFAULT = new Config(2000, 10000, 1000, 512, 1000, 24, 8, 2021);

        public Config {
            positive("train", train);
            positive("db", db);
            positive("query", query);
            positive("image", imageDim);
            positive("text", textDim);
            positive("scenes", scenes);
            if (classes < 2) throw new IllegalArgumentException("synthetic: classes must be at least 2, got " + classes);
            if (train > db) throw new IllegalArgumentException("synthetic: train (" + train + ") must not exceed db (" + db
                    + "): the training items are drawn from the database");
            if (textDim < 4 * classes) {
                throw new IllegalArgumentException("synthetic: text must be at least 4 x classes = " + 4 * classes + ", got " + textDim);
            }
        }

        private static void positive(String key, int v) {
            if (v < 1) throw new IllegalArgumentException("synthetic: " + key + " must be positive, got " + v);
        }

        /** Applies {@code KEY=VALUE} overrides. */
        public static Config parse(Map<String, String> kv) {
            Config d = DEFAULT;
            int train = d.train, db = d.db, query = d.query, image = d.imageDim, text = d.textDim, classes = d.classes,
                    scenes = d.scenes;
            long seed = d.seed;
            for (var e : kv.entrySet()) {
                String v = e.getValue();
                switch (e.getKey()) {
                    case "train" -> train = DataSources.intValue("synthetic", e.getKey(), v);
                    case "db" -> db = DataSources.intValue("synthetic", e.getKey(), v);
                    case "query" -> query = DataSources.intValue("synthetic", e.getKey(), v);
                    case "image" -> image = DataSources.intValue("synthetic", e.getKey(), v);
                    case "text" -> text = DataSources.intValue("synthetic", e.getKey(), v);
                    case "classes" -> classes = DataSources.intValue("synthetic", e.getKey(), v);
                    case "scenes" -> scenes = DataSources.intValue("synthetic", e.getKey(), v);
                    case "seed" -> seed = DataSources.intValue("synthetic", e.getKey(), v);
                    default -> throw new IllegalArgumentException("synthetic: unknown key '" + e.getKey()
                            + "' (known: train, db, query, image, text, classes, scenes, seed)");
                }
            }
            return new Config(train, db, query, image, text, classes, scenes, seed);
        }

        public String describe() {
            return "synthetic:train=" + train + ",db=" + db + ",query=" + query + ",image=" + imageDim + ",text=" + textDim
                    + ",classes=" + classes + ",scenes=" + scenes + ",seed=" + seed;
        }
    }

    static final int WORDS_PER_CLASS = 4;
    static final float WORD_RATE = 0.2f;
    static final float CLASS_SCALE = 0.15f;
    static final int BACKGROUND_WORDS = 6;
    static final float IMAGE_NOISE = 1.0f;
    static final float IMAGE_DROP = 0.15f;

    private Synthetic() {}

    public static MultiModalData generate(Config c) {
        Rng rng = new Rng(c.seed);
        int C = c.classes, dI = c.imageDim, dT = c.textDim;
        // Scene label profiles: 3-5 core classes with high probability, the rest rare.
        float[][] profile = new float[c.scenes][C];
        for (int s = 0; s < c.scenes; s++) {
            for (int k = 0; k < C; k++) profile[s][k] = 0.02f;
            int core = 3 + rng.nextInt(3);
            for (int j = 0; j < core; j++) profile[s][rng.nextInt(C)] = 0.45f + 0.4f * rng.nextFloat();
        }
        float[] classDir = new float[C * dI];
        rng.fillNormal(classDir, 0, classDir.length, 0f, CLASS_SCALE);
        float[] sceneDir = new float[c.scenes * dI];
        rng.fillNormal(sceneDir, 0, sceneDir.length, 0f, 0.5f);
        int wordsPerClass = Math.max(WORDS_PER_CLASS, (dT / C) / 3);
        int[] classWords = new int[C * wordsPerClass];
        int[] vocab = rng.permutation(dT);
        for (int i = 0; i < classWords.length; i++) classWords[i] = vocab[i % dT];

        int n = c.db + c.query;
        float[] image = new float[n * dI], text = new float[n * dT], labels = new float[n * C];
        float[] noise = new float[dI];
        for (int i = 0; i < n; i++) {
            int s1 = rng.nextInt(c.scenes), s2 = rng.nextFloat() < 0.5f ? rng.nextInt(c.scenes) : -1;
            int count = 0;
            for (int k = 0; k < C; k++) {
                float p = Math.max(profile[s1][k], s2 >= 0 ? profile[s2][k] : 0f);
                if (rng.nextFloat() < p) { labels[i * C + k] = 1f; count++; }
            }
            if (count == 0) labels[i * C + argmax(profile[s1])] = 1f;
            rng.fillNormal(noise, 0, dI, 0f, IMAGE_NOISE);
            int io = i * dI;
            for (int d = 0; d < dI; d++) image[io + d] = noise[d] + sceneDir[s1 * dI + d];
            for (int k = 0; k < C; k++) {
                if (labels[i * C + k] == 0f) continue;
                boolean seenByImage = k % 3 != 2, seenByText = k % 3 != 0;
                if (seenByImage && rng.nextFloat() >= IMAGE_DROP) {
                    for (int d = 0; d < dI; d++) image[io + d] += classDir[k * dI + d];
                }
                if (seenByText) {
                    for (int w = 0; w < wordsPerClass; w++) {
                        if (rng.nextFloat() < WORD_RATE) text[i * dT + classWords[k * wordsPerClass + w]] = 1f;
                    }
                }
            }
            for (int w = 0; w < BACKGROUND_WORDS; w++) text[i * dT + rng.nextInt(dT)] = 1f;
        }
        Tensor I = Tensor.of(image, n, dI), T = Tensor.of(text, n, dT), L = Tensor.of(labels, n, C);
        Split all = new Split("all", I, T, L);
        int[] dbIdx = new int[c.db], qIdx = new int[c.query];
        for (int i = 0; i < c.db; i++) dbIdx[i] = i;
        for (int i = 0; i < c.query; i++) qIdx[i] = c.db + i;
        int[] perm = rng.permutation(c.db);
        int[] trIdx = java.util.Arrays.copyOf(perm, c.train);
        Split db = all.rows("database", dbIdx);
        return Validation.check(new MultiModalData(c.describe(), db.rows("train", trIdx), db, all.rows("query", qIdx)),
                key -> "synthetic " + key);
    }

    private static int argmax(float[] a) {
        int b = 0;
        for (int i = 1; i < a.length; i++) if (a[i] > a[b]) b = i;
        return b;
    }
}
