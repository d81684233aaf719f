package io.bsth.model;

import io.bsth.retrieval.PackedCodes;
import io.bsth.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A trained BSTH model, loaded from its {@code .safetensors} file, that encodes (image, text) feature
 * vectors to packed binary codes:
 * <pre>{@code
 * BsthModel m = BsthModel.load(Path.of("model.safetensors"));
 * long[] code = m.encode(imageVec, textVec);          // m.wordsPerCode() longs
 * byte[] same = m.encodeBytes(imageVec, textVec);     // m.bytesPerCode() bytes
 * }</pre>
 *
 * <p>Missing modality: pass {@code null} for the image or the text features of items that have only
 * the other one; the fused tokens are then that modality's alone (the other term of the sum is left
 * out).
 *
 * <p>Bit order: bit {@code i} of a code (i = 0 .. nbit-1) is set when the network's output h_i is
 * positive (+1) and clear otherwise (-1). In {@code long[]} form bit i is bit {@code i % 64} of word
 * {@code i / 64}; in {@code byte[]} form it is bit {@code i % 8} of byte {@code i / 8} (numpy's
 * {@code packbits(..., bitorder="little")}); unused high bits are clear. The {@code long[]} form is
 * what {@link PackedCodes} and the search engine use.
 *
 * <p>Thread safety: a {@code BsthModel} is immutable after {@link #load} and may be shared by any
 * number of threads; every encode call allocates its own activations and never changes the network's
 * state (eval mode is scoped to the call). Kernels split each call over the {@link io.bsth.tensor.Workers}
 * pool bound by the caller, or the process default pool (see {@link io.bsth.tensor.Parallel}).
 */
public final class BsthModel {
    private final BsthNetwork net;
    private final ModelConfig config;

    private BsthModel(BsthNetwork net) {
        this.net = net;
        this.config = net.config;
    }

    /** Loads a model file written by {@code bsth train --save} (or the PyTorch reference). */
    public static BsthModel load(Path file) throws IOException {
        return load(file, 1);
    }

    /** As {@link #load(Path)}; {@code nhead} applies to a file whose metadata does not record the head count. */
    public static BsthModel load(Path file, int nhead) throws IOException {
        return new BsthModel(ModelFile.load(file, nhead));
    }

    /** Bits per code (k). */
    public int nbit() {
        return config.nbit();
    }

    /** Length of an image feature vector. */
    public int imageDim() {
        return config.imageDim();
    }

    /** Length of a text feature vector. */
    public int textDim() {
        return config.textDim();
    }

    /** Longs per code in {@code long[]} form: {@code ceil(nbit / 64)}. */
    public int wordsPerCode() {
        return PackedCodes.wordsFor(config.nbit());
    }

    /** Bytes per code in {@code byte[]} form: {@code ceil(nbit / 8)}. */
    public int bytesPerCode() {
        return (config.nbit() + 7) >>> 3;
    }

    /** The model's hyper-parameters (sizes, heads, layers). */
    public ModelConfig config() {
        return config;
    }

    /** One item: image (d_I), text (d_T), either may be null -> its code, {@link #wordsPerCode()} longs. */
    public long[] encode(float[] image, float[] text) {
        return encodeBatch(image, text, 1);
    }

    /** One item: image (d_I), text (d_T) -> its code, {@link #bytesPerCode()} bytes (numpy packbits little). */
    public byte[] encodeBytes(float[] image, float[] text) {
        return toBytes(encode(image, text), nbit());
    }

    /** n items, row-major: images (n, d_I), texts (n, d_T), either may be null -> n codes, {@link #wordsPerCode()} longs each, row-major. */
    public long[] encodeBatch(float[] images, float[] texts, int n) {
        return encodeCodes(images, texts, n).words();
    }

    /** n items, row-major: images (n, d_I), texts (n, d_T) -> the n codes, for {@code Search} and {@code Evaluation}. */
    public PackedCodes encodeCodes(float[] images, float[] texts, int n) {
        return PackedCodes.fromSigns(encodeReal(images, texts, n), n, nbit());
    }

    /** n items, row-major: images (n, d_I), texts (n, d_T) -> the real outputs h (n, k) before sign, in (-1, 1). */
    public float[] encodeReal(float[] images, float[] texts, int n) {
        if (n < 0) throw new IllegalArgumentException("n: expected a non-negative item count, got " + n);
        if (images == null && texts == null) throw new IllegalArgumentException("image and text features: both null, expected at least one");
        if (images != null) check("image", images, n, imageDim());
        if (texts != null) check("text", texts, n, textDim());
        return CodeEncoder.encode(net, images == null ? null : Tensor.of(images, n, imageDim()),
                texts == null ? null : Tensor.of(texts, n, textDim()), CodeEncoder.DEFAULT_BATCH);
    }

    /**
     * Encodes random items of this model's widths for at most {@code maxMillis}, so that the JIT has
     * compiled the kernels before the first real call (which otherwise takes seconds in a fresh JVM);
     * changes nothing, returns the rounds done. See {@link EncoderWarmUp}.
     */
    public int warmUp(long maxMillis) {
        return EncoderWarmUp.run(net, maxMillis);
    }

    /** A {@code long[]} code (bit i = bit i % 64 of word i / 64) as bytes (bit i = bit i % 8 of byte i / 8). */
    public static byte[] toBytes(long[] words, int nbit) {
        if (words.length != PackedCodes.wordsFor(nbit)) {
            throw new IllegalArgumentException("code: " + words.length + " longs, expected " + PackedCodes.wordsFor(nbit) + " for " + nbit + " bits");
        }
        byte[] out = new byte[(nbit + 7) >>> 3];
        for (int b = 0; b < out.length; b++) out[b] = (byte) (words[b >>> 3] >>> ((b & 7) * 8));
        return out;
    }

    private static void check(String what, float[] x, int n, int dim) {
        if ((long) n * dim != x.length) {
            throw new IllegalArgumentException(what + " features: " + x.length + " values, expected " + n + " x " + dim);
        }
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                throw new IllegalArgumentException(what + " features: " + x[i] + " at item " + (i / dim) + ", index " + (i % dim)
                        + " (NaN or infinity not allowed)");
            }
        }
    }

    @Override
    public String toString() {
        return "BsthModel[" + config + "]";
    }
}
