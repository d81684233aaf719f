package io.bsth.example;

import io.bsth.model.BsthNetwork;
import io.bsth.model.ModelConfig;
import io.bsth.model.ModelFile;
import io.bsth.tensor.Rng;
import java.nio.file.Path;

/**
 * Writes a small randomly initialised model file ({@code DemoModel OUT.safetensors}) so the example
 * runs without a training run; a real application loads the file written by {@code bsth train --save}.
 */
public final class DemoModel {
    public static void main(String[] args) throws Exception {
        // image 48-d, text 24-d, 10 classes, 32 bits, 2 heads, 1 encoder layer, dropout 0.1, concept width 32
        ModelConfig config = new ModelConfig(48, 24, 10, 32, 2, 1, 0.1f, 32);
        ModelFile.save(Path.of(args[0]), new BsthNetwork(config, new Rng(7)));
    }

    private DemoModel() {}
}
