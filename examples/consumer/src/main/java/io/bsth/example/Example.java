package io.bsth.example;

import io.bsth.model.BsthModel;
import io.bsth.retrieval.CodeIndex;
import io.bsth.tensor.Simd;
import io.bsth.tensor.Workers;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Encode + index + search with bsth as a library: {@code Example MODEL.safetensors INDEX_FILE}.
 * Encodes 200 items (seeded random features), stores their codes under ids 1000.., deletes one,
 * and searches the index with the first item's code.
 */
public final class Example {
    public static void main(String[] args) throws Exception {
        BsthModel model = BsthModel.load(Path.of(args[0]));         // immutable, share it between threads
        int n = 200;
        float[] images = features(n * model.imageDim(), 1), texts = features(n * model.textDim(), 2);

        try (Workers workers = new Workers(2);                       // our pool: 1 worker + the calling thread
             CodeIndex index = CodeIndex.create(Path.of(args[1]), model.nbit())) {
            long[] codes = workers.call(() -> model.encodeBatch(images, texts, n));   // n codes, row-major
            int words = model.wordsPerCode();
            for (int i = 0; i < n; i++) index.add(1000 + i, Arrays.copyOfRange(codes, i * words, (i + 1) * words));
            index.delete(1003);

            float[] image0 = Arrays.copyOf(images, model.imageDim()), text0 = Arrays.copyOf(texts, model.textDim());
            byte[] packed = model.encodeBytes(image0, text0);        // bit i = bit i%8 of byte i/8
            CodeIndex.Hits hits = index.search(model.encode(image0, text0), 5);
            System.out.println("code " + HexFormat.of().formatHex(packed));
            System.out.println("ids " + Arrays.toString(hits.ids()));
            System.out.println("distances " + Arrays.toString(hits.distances()));
            System.out.println("checksum " + Arrays.hashCode(codes));
        }
        System.out.println("module " + (Example.class.getModule().isNamed() ? "named" : "unnamed") + ", " + Simd.describe());
    }

    private static float[] features(int len, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[len];
        for (int i = 0; i < len; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    private Example() {}
}
