package io.bsth.retrieval;

import io.bsth.tensor.io.Npy;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Codes and labels on disk (docs/CLI.md): codes are {@code .npy} int8 of +1/-1, one row per item
 * (N x nbit); labels are {@code .npy} 0/1 (N x C). Every error names the file.
 */
public final class CodeFiles {
    private CodeFiles() {}

    /** Reads an N x nbit array of +1/-1 and packs it. */
    public static PackedCodes readCodes(Path file) throws IOException {
        Npy.Bytes b = Npy.readBytes(file);
        if (b.cols() < 1) throw new IOException(file + ": codes need at least one bit per row, found shape (" + b.rows() + ", 0)");
        try {
            return PackedCodes.fromInt8(b.data(), b.rows(), b.cols());
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage().replaceFirst("^codes: ", ""));
        }
    }

    /** Reads an N x C array of 0/1 labels (any numeric dtype). */
    public static Npy.Floats readLabels(Path file) throws IOException {
        Npy.Floats f = Npy.readFloats(file);
        float[] d = f.data();
        int c = Math.max(1, f.cols());
        for (int i = 0; i < d.length; i++) {
            if (d[i] != 0f && d[i] != 1f) {
                throw new IOException(file + ": row " + i / c + ", class " + i % c + " is " + d[i] + ", expected 0 or 1");
            }
        }
        return f;
    }
}
