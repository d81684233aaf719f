import io.bsth.autograd.state.SafeTensors;
import io.bsth.model.BsthNetwork;
import io.bsth.model.ModelConfig;
import io.bsth.tensor.Rng;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Java half of tools/init_function.py: the freshly initialised stage-2 network of each seed, drawn exactly
 * as `bin/bsth train --seed SEED` draws it (the second split of the root generator), written as
 * OUT_DIR/java_SEED.safetensors with PyTorch's state names.
 *
 *   java --add-modules jdk.incubator.vector -cp bsth/cli/target/bsth-cli-*-all.jar tools/InitDump.java IMAGE_DIM TEXT_DIM CLASSES NBIT FIRST_SEED LAST_SEED OUT_DIR
 */
public class InitDump {
    public static void main(String[] a) throws Exception {
        int image = Integer.parseInt(a[0]), text = Integer.parseInt(a[1]), classes = Integer.parseInt(a[2]), nbit = Integer.parseInt(a[3]);
        int first = Integer.parseInt(a[4]), last = Integer.parseInt(a[5]);
        Path out = Path.of(a[6]);
        Files.createDirectories(out);
        for (int seed = first; seed <= last; seed++) {
            Rng root = new Rng(seed);
            root.split();
            BsthNetwork net = new BsthNetwork(new ModelConfig(image, text, classes, nbit, 1, 2, 0.5f), root.split());
            SafeTensors.write(out.resolve("java_" + seed + ".safetensors"), net.stateDict(), null, null);
        }
    }
}
