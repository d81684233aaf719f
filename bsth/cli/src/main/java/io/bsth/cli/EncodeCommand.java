package io.bsth.cli;

import io.bsth.model.BsthNetwork;
import io.bsth.model.CodeEncoder;
import io.bsth.model.ModelFile;
import io.bsth.retrieval.PackedCodes;
import io.bsth.tensor.Tensor;
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

    @Option(names = "--nhead", defaultValue = "1", description = "Heads, for a model file without metadata (default: ${DEFAULT-VALUE}).")
    int nhead;

    @Override
    public Integer call() throws Exception {
        BsthNetwork net = ModelFile.load(model, nhead);
        Npy.Floats img = Npy.readFloats(image), txt = Npy.readFloats(text);
        if (img.rows() != txt.rows()) {
            throw new IllegalArgumentException(text + ": " + txt.rows() + " rows, but " + image + " has " + img.rows());
        }
        check(image, img);
        check(text, txt);
        if (img.cols() != net.config.imageDim()) {
            throw new IllegalArgumentException(image + ": " + img.cols() + " columns, the model expects " + net.config.imageDim());
        }
        if (txt.cols() != net.config.textDim()) {
            throw new IllegalArgumentException(text + ": " + txt.cols() + " columns, the model expects " + net.config.textDim());
        }
        int n = img.rows(), k = net.config.nbit();
        float[] h = CodeEncoder.encode(net, Tensor.of(img.data(), n, img.cols()), Tensor.of(txt.data(), n, txt.cols()),
                CodeEncoder.DEFAULT_BATCH);
        if (real) {
            Npy.writeFloats(out, h, n, k);
        } else {
            Npy.writeBytes(out, PackedCodes.fromSigns(h, n, k).toInt8(), n, k);
        }
        System.out.println("wrote " + n + (real ? " real outputs" : " codes") + " of " + k + " bits to " + out);
        return 0;
    }

    private static void check(Path f, Npy.Floats a) {
        float[] d = a.data();
        for (int i = 0; i < d.length; i++) {
            if (!Float.isFinite(d[i])) {
                throw new IllegalArgumentException(f + ": " + d[i] + " at row " + (i / a.cols()) + ", column " + (i % a.cols())
                        + " (NaN or infinity not allowed)");
            }
        }
    }
}
