package io.bsth.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Opens the {@code --data} argument: a folder of nine {@code .npy} files, an {@code .npz} archive of
 * them, a MATLAB v7.3 {@code .mat} file or another HDF5 file with the nine keys,
 * {@code synthetic[:KEY=VALUE,...]} or {@code fashion-mnist[:DIR]}.
 */
public final class DataSources {
    private DataSources() {}

    public static MultiModalData open(String spec) throws IOException {
        if (spec == null || spec.isBlank()) throw new IllegalArgumentException("--data: empty");
        String head = spec, rest = null;
        int colon = spec.indexOf(':');
        if (colon > 0) {
            head = spec.substring(0, colon);
            rest = spec.substring(colon + 1);
        }
        if (head.equals("synthetic")) {
            return Synthetic.generate(Synthetic.Config.parse(options("synthetic", rest)));
        }
        if (head.equals("fashion-mnist")) {
            boolean dirOnly = rest != null && !rest.contains("=");
            return FashionMnist.load(FashionMnist.Config.parse(dirOnly ? rest : null,
                    dirOnly ? Map.of() : options("fashion-mnist", rest)));
        }
        Path p = Path.of(spec);
        if (Files.isDirectory(p)) return NpyFolder.read(p);
        if (Files.isRegularFile(p)) return isZip(p) ? NpzFile.read(p) : MatFile.read(p);
        throw new IOException(spec + ": no such file or folder (--data takes a folder of nine .npy files, a .mat file, "
                + "synthetic[:KEY=VALUE,...] or fashion-mnist[:DIR])");
    }

    /** An .npz archive is a zip file: "PK\\3\\4" at the start. */
    static boolean isZip(Path p) throws IOException {
        try (var in = Files.newInputStream(p)) {
            byte[] h = in.readNBytes(4);
            return h.length == 4 && h[0] == 'P' && h[1] == 'K' && h[2] == 3 && h[3] == 4;
        }
    }

    static Map<String, String> options(String source, String rest) {
        Map<String, String> kv = new LinkedHashMap<>();
        if (rest == null || rest.isEmpty()) return kv;
        for (String part : rest.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException(source + ": expected KEY=VALUE, got '" + part + "'");
            kv.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
        }
        return kv;
    }

    static int intValue(String source, String key, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": " + key + " expects an integer, got '" + v + "'");
        }
    }
}
