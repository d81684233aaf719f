package io.bsth.model;

import io.bsth.tensor.Rng;
import io.bsth.tensor.Tensor;

/**
 * Gets the encoder's kernels compiled before the first real request. The kernels are Vector API code,
 * which runs interpreted or in C1 (every lane operation a boxed call) until C2 has compiled the method,
 * and C2 compiles a method only after hundreds of calls or tens of thousands of loop iterations: the
 * first encode call of a fresh JVM therefore takes seconds (3.4 s for one item of the MIR-Flickr shape
 * at 16 bits on two busy cores, about 25 ms once compiled). A service that runs this before it
 * accepts requests moves that cost into its start-up.
 *
 * <p>It encodes random items of the network's own input widths through {@link CodeEncoder}, the path
 * every encode takes, in the sizes requests come in (1, 8 and 64 items) and in the three forms an item
 * can have (both modalities, image only, text only), round after round, until {@link #ROUNDS} rounds
 * are done or the time given is spent. It changes nothing: encoding runs in eval mode without
 * gradients, so it neither draws dropout masks nor updates batch-norm statistics, and its random
 * inputs come from a generator of its own.
 */
public final class EncoderWarmUp {
    /** Rounds of the nine encode calls; by then a call of one item takes its compiled time. */
    public static final int ROUNDS = 8;
    /** Items per call: one request, a small batch, a larger one. */
    static final int[] SIZES = {1, 8, 64};
    private static final long SEED = 0x3A_17_C0DEL;

    private EncoderWarmUp() {}

    /**
     * Encodes random items with {@code net} until {@link #ROUNDS} rounds are done or {@code maxMillis}
     * have passed (checked between calls, so a call under way then still finishes); returns the rounds
     * completed. Runs on the caller's thread and {@link io.bsth.tensor.Workers} binding.
     */
    public static int run(BsthNetwork net, long maxMillis) {
        if (maxMillis < 0) throw new IllegalArgumentException("maxMillis: expected a non-negative time, got " + maxMillis);
        long deadline = System.nanoTime() + maxMillis * 1_000_000L;
        int dI = net.config.imageDim(), dT = net.config.textDim(), most = SIZES[SIZES.length - 1];
        Rng rng = new Rng(SEED);
        float[] image = new float[most * dI], text = new float[most * dT];
        rng.fillNormal(image, 0, image.length, 0f, 1f);
        rng.fillNormal(text, 0, text.length, 0f, 1f);
        int rounds = 0;
        while (rounds < ROUNDS) {
            for (int n : SIZES) {
                Tensor x = Tensor.of(image, most, dI).narrow(0, 0, n), y = Tensor.of(text, most, dT).narrow(0, 0, n);
                for (int form = 0; form < 3; form++) {
                    if (System.nanoTime() - deadline >= 0) return rounds;
                    CodeEncoder.encode(net, form == 2 ? null : x, form == 1 ? null : y, CodeEncoder.DEFAULT_BATCH);
                }
            }
            rounds++;
        }
        return rounds;
    }
}
