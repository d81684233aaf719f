package io.bsth.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bsth.retrieval.CodeIndex;
import io.bsth.retrieval.PackedCodes;
import io.bsth.tensor.Rng;
import io.bsth.tensor.Tensor;
import io.bsth.tensor.Workers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library API under concurrency: one {@link BsthModel} and one {@link CodeIndex} shared by many
 * threads that encode and search while one thread appends and deletes a batch over and over. Every
 * code equals the single-threaded one, and every search returns exactly the single-threaded answer
 * of one of the two states the writer moves between (each batch is published at once).
 */
class EncoderConcurrencyTest {
    static final int IMAGE = 24, TEXT = 12, NBIT = 48, STABLE = 40, EXTRA = 16, K = 7, READERS = 5, ROUNDS = 12;

    static BsthModel model(Path dir) throws Exception {
        Path file = dir.resolve("model.safetensors");
        BsthNetwork net = new BsthNetwork(new ModelConfig(IMAGE, TEXT, 5, NBIT, 2, 1, 0.1f, 16), new Rng(11));
        ModelFile.save(file, net);
        return BsthModel.load(file);
    }

    static float[] features(int n, int dim, long seed) {
        float[] x = new float[n * dim];
        new Rng(seed).fillNormal(x, 0, x.length, 0f, 1f);
        return x;
    }

    @Test
    void encodingLeavesATrainingNetworkInTrainingModeAndMatchesEvalMode() {
        BsthNetwork net = new BsthNetwork(new ModelConfig(IMAGE, TEXT, 5, NBIT, 2, 1, 0.5f, 16), new Rng(3));
        float[] img = features(6, IMAGE, 1), txt = features(6, TEXT, 2);
        float[] inTraining = CodeEncoder.encode(net, Tensor.of(img, 6, IMAGE), Tensor.of(txt, 6, TEXT), 6);
        assertTrue(net.isTraining(), "encoding must not change the network's mode");
        net.eval();
        float[] inEval = CodeEncoder.encode(net, Tensor.of(img, 6, IMAGE), Tensor.of(txt, 6, TEXT), 6);
        assertArrayEquals(inEval, inTraining, 0f);
    }

    @Test
    void bitOrderOfLongAndByteCodes(@TempDir Path dir) throws Exception {
        BsthModel m = model(dir);
        float[] img = features(1, IMAGE, 5), txt = features(1, TEXT, 6);
        float[] h = m.encodeReal(img, txt, 1);
        long[] words = m.encode(img, txt);
        byte[] bytes = m.encodeBytes(img, txt);
        assertEquals(1, words.length);
        assertEquals(NBIT / 8, bytes.length);
        for (int i = 0; i < NBIT; i++) {
            boolean set = h[i] > 0;
            assertEquals(set, (words[i / 64] >>> (i % 64) & 1) == 1, "long bit " + i);
            assertEquals(set, (bytes[i / 8] >>> (i % 8) & 1) == 1, "byte bit " + i);
        }
    }

    @Test
    void oneModalityAlone(@TempDir Path dir) throws Exception {
        BsthModel m = model(dir);
        float[] img = features(3, IMAGE, 5), txt = features(3, TEXT, 6);
        float[] imageOnly = m.encodeReal(img, null, 3), textOnly = m.encodeReal(null, txt, 3), both = m.encodeReal(img, txt, 3);
        BsthNetwork net = ModelFile.load(dir.resolve("model.safetensors"), 1);
        assertArrayEquals(CodeEncoder.encode(net, Tensor.of(img, 3, IMAGE), null, 3), imageOnly, 0f);
        assertArrayEquals(CodeEncoder.encode(net, null, Tensor.of(txt, 3, TEXT), 3), textOnly, 0f);
        assertTrue(!Arrays.equals(imageOnly, both) && !Arrays.equals(textOnly, both));
        assertArrayEquals(m.encode(Arrays.copyOf(img, IMAGE), null), Arrays.copyOf(m.encodeBatch(img, null, 3), m.wordsPerCode()));
    }

    @Test
    void manyThreadsEncodeAndSearchWhileOneAppendsAndDeletes(@TempDir Path dir) throws Exception {
        BsthModel m = model(dir);
        int n = STABLE + EXTRA, words = m.wordsPerCode();
        float[] img = features(n, IMAGE, 7), txt = features(n, TEXT, 8);

        // single-threaded references: item codes one at a time, and both index states' answers
        long[][] codes = new long[n][];
        for (int i = 0; i < n; i++) {
            codes[i] = m.encode(Arrays.copyOfRange(img, i * IMAGE, (i + 1) * IMAGE), Arrays.copyOfRange(txt, i * TEXT, (i + 1) * TEXT));
        }
        assertArrayEquals(flatten(codes), m.encodeBatch(img, txt, n), "batch encoding equals one-at-a-time encoding");
        long[] extraIds = new long[EXTRA];
        long[] extraWords = new long[EXTRA * words];
        for (int e = 0; e < EXTRA; e++) {
            extraIds[e] = 1000 + e;
            System.arraycopy(codes[STABLE + e], 0, extraWords, e * words, words);
        }
        PackedCodes extra = PackedCodes.wrap(extraWords, EXTRA, NBIT);

        try (CodeIndex index = CodeIndex.create(dir.resolve("index.codes"), NBIT)) {
            for (int i = 0; i < STABLE; i++) index.add(i, codes[i]);
            CodeIndex.Hits[] without = new CodeIndex.Hits[n], with = new CodeIndex.Hits[n];
            for (int i = 0; i < n; i++) without[i] = index.search(codes[i], K);
            index.add(extraIds, extra);
            for (int i = 0; i < n; i++) with[i] = index.search(codes[i], K);
            index.delete(extraIds);

            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(READERS + 1);
            try (Workers shared = new Workers(2)) {
                Future<Integer> writer = pool.submit(() -> {
                    int rounds = 0;
                    while (!stop.get()) {
                        index.add(extraIds, extra);
                        index.delete(extraIds);
                        rounds++;
                    }
                    return rounds;
                });
                List<Future<Integer>> readers = new ArrayList<>();
                for (int t = 0; t < READERS; t++) {
                    int seed = t;
                    readers.add(pool.submit(() -> {
                        int checks = 0;
                        for (int r = 0; r < ROUNDS; r++) {
                            int i = (seed * 13 + r * 7) % n;
                            float[] im = Arrays.copyOfRange(img, i * IMAGE, (i + 1) * IMAGE), tx = Arrays.copyOfRange(txt, i * TEXT, (i + 1) * TEXT);
                            // half the readers bind a shared pool, half use the default: same codes either way
                            long[] code = seed % 2 == 0 ? shared.call(() -> m.encode(im, tx)) : m.encode(im, tx);
                            assertArrayEquals(codes[i], code, "item " + i);
                            CodeIndex.Hits h = index.search(code, K);
                            boolean same = equal(h, without[i]) || equal(h, with[i]);
                            assertTrue(same, "item " + i + ": " + Arrays.toString(h.ids()) + " is neither state's answer "
                                    + Arrays.toString(without[i].ids()) + " / " + Arrays.toString(with[i].ids()));
                            checks++;
                        }
                        return checks;
                    }));
                }
                int checks = 0;
                for (Future<Integer> f : readers) checks += f.get();
                stop.set(true);
                assertTrue(writer.get() > 0);
                assertEquals(READERS * ROUNDS, checks);
            } finally {
                stop.set(true);
                pool.shutdownNow();
            }
            assertEquals(STABLE, index.size());
        }
    }

    static boolean equal(CodeIndex.Hits a, CodeIndex.Hits b) {
        return Arrays.equals(a.ids(), b.ids()) && Arrays.equals(a.distances(), b.distances());
    }

    static long[] flatten(long[][] rows) {
        int w = rows[0].length;
        long[] out = new long[rows.length * w];
        for (int i = 0; i < rows.length; i++) System.arraycopy(rows[i], 0, out, i * w, w);
        return out;
    }
}
