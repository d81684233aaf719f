package io.bsth.cli;

import io.bsth.autograd.StepBuffers;
import io.bsth.model.BsthNetwork;
import io.bsth.model.CodeEncoder;
import io.bsth.model.ModelConfig;
import io.bsth.model.ModelFile;
import io.bsth.retrieval.PackedCodes;
import io.bsth.tensor.Tensor;
import io.bsth.tensor.io.AtomicFiles;
import io.bsth.tensor.io.Npy;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bsth encode}: hash codes (or the real outputs h) of every row of an image/text feature pair. */
@Command(name = "encode", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Encode items with a saved model: writes an int8 .npy of +1/-1 codes (N x nbit), or with --real the float32 outputs h.")
public final class EncodeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model written by train --save.")
    Path model;

    @Option(names = "--image", required = true, paramLabel = "I.npy", description = "Image features (N x d_I).")
    Path image;

    @Option(names = "--text", required = true, paramLabel = "T.npy", description = "Text features (N x d_T).")
    Path text;

    @Option(names = "--out", required = true, paramLabel = "CODES.npy", description = "Output .npy.")
    Path out;

    @Option(names = "--real", description = "Write the float32 outputs h (before sign) instead of the codes.")
    boolean real;

    @Mixin
    ThreadsOption threads;

    @Mixin
    DeviceOption device;

    @Option(names = "--nhead", defaultValue = "1", description = "Heads, for a model file without metadata (default: ${DEFAULT-VALUE}).")
    int nhead;

    @Override
    public Integer call() throws Exception {
        device.requireCpu("encode");
        BsthNetwork net = ModelFile.load(model, nhead);
        Outputs.checkFile("--out", out);
        int n, k = net.config.nbit();
        // streamed: rows are read in chunks and codes written as they come, so a database larger than
        // the heap encodes in bounded memory; the output appears only when complete (temporary file + rename)
        try (Npy.Rows img = Npy.Rows.open(image); Npy.Rows txt = Npy.Rows.open(text)) {
            if (img.rows() != txt.rows()) {
                throw new IllegalArgumentException(text + ": " + txt.rows() + " rows, but " + image + " has " + img.rows());
            }
            if (img.cols() != net.config.imageDim()) {
                throw new IllegalArgumentException(image + ": " + img.cols() + " columns, the model expects " + net.config.imageDim());
            }
            if (txt.cols() != net.config.textDim()) {
                throw new IllegalArgumentException(text + ": " + txt.cols() + " columns, the model expects " + net.config.textDim());
            }
            n = img.rows();
            int di = img.cols(), dt = txt.cols(), chunk = chunkRows(net.config, Runtime.getRuntime().maxMemory());
            AtomicFiles.write(out, o -> {
                o.write(Npy.header(real ? "<f4" : "|i1", n, k));
                int rows = Math.min(n, chunk);
                float[] bi = new float[rows * di], bt = new float[rows * dt];
                StepBuffers pool = new StepBuffers();   // one pool for every chunk's batches
                for (int s = 0; s < n; s += chunk) {
                    int m = Math.min(chunk, n - s);
                    img.read(s, m, bi, 0);
                    txt.read(s, m, bt, 0);
                    check(image, bi, m * di, di, s);
                    check(text, bt, m * dt, dt, s);
                    // the first m rows of the chunk buffers, as views (a last, shorter chunk is not copied)
                    float[] h = CodeEncoder.encode(net, Tensor.of(bi, rows, di).narrow(0, 0, m),
                            Tensor.of(bt, rows, dt).narrow(0, 0, m), CodeEncoder.DEFAULT_BATCH, pool);
                    if (real) Npy.writeFloatChunks(o, h, 0, m * k);
                    else o.write(PackedCodes.fromSigns(h, m, k).toInt8());
                }
            });
        }
        System.out.println("wrote " + n + (real ? " real outputs" : " codes") + " of " + k + " bits to " + out);
        return 0;
    }

    /**
     * Rows per chunk: at most 64 MiB of float32 features and at most 65,536 rows, and few enough that the
     * chunk (its features twice: read, and a batch of them copied for the network) and the network's activations for it fit in a
     * quarter of the heap. A chunk under 1024 rows is also the encoder's batch, so the activations shrink with it.
     */
    static int chunkRows(ModelConfig c, long maxHeapBytes) {
        int width = c.imageDim() + c.textDim();
        long activations = activationBytesPerRow(c);
        long byHeap = (maxHeapBytes / 4) / (8L * width + activations);
        return (int) Math.max(1, Math.min(Math.min(1 << 16, (64L << 20) / (4L * width)), byHeap));
    }

    /**
     * An upper estimate of what the forward pass keeps alive per row at once: the two MLP hidden layers
     * (with their activations), the concept tokens through an encoder layer (projections, feed-forward,
     * norms) and the attention maps.
     */
    static long activationBytesPerRow(ModelConfig c) {
        return 4L * (3L * (ModelConfig.IMAGE_HIDDEN + ModelConfig.TEXT_HIDDEN) + 12L * c.nbit() * c.conceptDim() + 3L * c.nhead() * c.nbit() * c.nbit());
    }

    private static void check(Path f, float[] d, int len, int cols, int firstRow) {
        for (int i = 0; i < len; i++) {
            if (!Float.isFinite(d[i])) {
                throw new IllegalArgumentException(f + ": " + d[i] + " at row " + (firstRow + i / cols) + ", column " + (i % cols)
                        + " (NaN or infinity not allowed)");
            }
        }
    }
}
