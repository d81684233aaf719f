package io.bsth.model;

import io.bsth.autograd.state.SafeTensors;
import io.bsth.tensor.Rng;
import io.bsth.tensor.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The model file (docs/CLI.md): a .safetensors file holding the stage-2 network under the PyTorch
 * names of docs/ALGORITHM.md, with {@code __metadata__} {"format": "bsth", "config": "{...}"}. The config is a
 * JSON object written as a string, because safetensors metadata values are strings (the Python
 * library rejects anything else); a file without metadata loads too, its sizes read off the shapes.
 */
public final class ModelFile {
    private ModelFile() {}

    public static void save(Path file, BsthNetwork net) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "bsth");
        meta.put("config", Json.writeCompact(net.config.toMap()));
        net.save(file, meta);
    }

    /** Loads a model file; {@code nhead} applies when the file's metadata does not name one. */
    public static BsthNetwork load(Path file, int nhead) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such model file");
        SafeTensors.Contents c = SafeTensors.read(file);
        String fmt = c.metadata() == null ? null : c.metadata().get("format");
        if (fmt != null && !fmt.equals("bsth")) throw new IOException(file + ": metadata format is '" + fmt + "', expected 'bsth'");
        ModelConfig cfg;
        try {
            cfg = ModelConfig.fromMetadata(c.metadata(), c.tensors(), nhead, file.toString());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage());
        }
        BsthNetwork net = new BsthNetwork(cfg, new Rng(0));
        try {
            net.loadStateDict(c.tensors(), true);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage());
        }
        net.eval();
        return net;
    }
}
