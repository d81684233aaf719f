package io.bsth.cli;

import io.bsth.data.DataSources;
import io.bsth.data.MultiModalData;
import io.bsth.model.BsthNetwork;
import io.bsth.model.LabelPrototypeNet;
import io.bsth.model.ModelFile;
import io.bsth.train.Explain;
import io.bsth.train.Progress;
import io.bsth.train.TrainConfig;
import io.bsth.train.Trainer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bsth explain}: one forward pass of a small network on a few query items, printed step by step
 * (equation, shape, a few values), for following the method on real numbers. Without {@code --model} it
 * first trains both stages briefly on {@code --data}; with one it shows stage 2 of that model.
 */
@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Follow the method on real numbers: one forward pass of a small network on a few query items.",
            "Prints every step with its equation, tensor shape and values: prototype codes, concept tokens, the",
            "attention weights of one bit token, the fused tokens, h and the code. Trains briefly first unless",
            "--model is given."})
public final class ExplainCommand implements Callable<Integer> {
    @Option(names = "--data", defaultValue = "synthetic:train=300,db=600,query=20", paramLabel = "SPEC",
            description = "A folder of nine .npy files, a .mat file, synthetic[:KEY=VALUE,...] or fashion-mnist[:DIR] (default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--model", paramLabel = "FILE", description = "Explain this saved model (stage 2 only: a model file holds no stage-1 network) instead of training one.")
    Path model;

    @Option(names = "--items", defaultValue = "3", paramLabel = "N", description = "Query items to follow (default: ${DEFAULT-VALUE}).")
    int items;

    @Option(names = "--bit", defaultValue = "0", paramLabel = "J", description = "The bit token whose attention weights are shown, from 0 (default: ${DEFAULT-VALUE}).")
    int bit;

    @Option(names = "--nbit", defaultValue = "16", description = "Code length k of the network trained here (default: ${DEFAULT-VALUE}).")
    int nbit;

    @Option(names = "--concept-dim", defaultValue = "64", paramLabel = "D", description = "Concept width d_c of the network trained here (default: ${DEFAULT-VALUE}).")
    int conceptDim;

    @Option(names = "--epochs", defaultValue = "3", paramLabel = "N", description = "Stage-2 epochs of the brief training (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--epochs-pre", defaultValue = "30", paramLabel = "N", description = "Stage-1 epochs of the brief training (default: ${DEFAULT-VALUE}).")
    int epochsPre;

    @Option(names = "--seed", defaultValue = "2021", description = "Seed of the brief training (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--nhead", defaultValue = "1", paramLabel = "H", description = "Attention heads (and, with --model, for a file without metadata) (default: ${DEFAULT-VALUE}).")
    int nhead;

    @Mixin
    ThreadsOption threads;

    @Override
    public Integer call() throws Exception {
        MultiModalData d = DataSources.open(data);
        BsthNetwork net;
        LabelPrototypeNet proto = null;
        if (model != null) {
            net = ModelFile.load(model, nhead);
            System.out.printf(Locale.ROOT, "Model %s: k = %d bits, C = %d classes, d_c = %d, %d layer(s), %d head(s)%n%n", model,
                    net.config.nbit(), net.config.classes(), net.config.conceptDim(), net.config.layers(), net.config.nhead());
        } else {
            TrainConfig d0 = TrainConfig.DEFAULT;
            TrainConfig cfg = new TrainConfig(nbit, epochs, epochsPre, 128, d0.lr(), seed, nhead, d0.layers(), d0.dropout(),
                    d0.signWeight(), conceptDim);
            Progress progress = Progress.stderr();
            progress.line(d.summary());
            Trainer.Result res = new Trainer(cfg, progress).train(d);
            net = res.net();
            proto = res.prototypeNet();
            System.out.printf(Locale.ROOT, "A network trained here for %d + %d epochs on the %d training items of %s: k = %d bits, "
                            + "C = %d classes, d_c = %d, %d layers, %d head(s)%n%n", epochsPre, epochs, d.train().size(), d.source(),
                    nbit, d.classes(), conceptDim, cfg.layers(), nhead);
        }
        if (d.classes() != net.config.classes()) {
            throw new IllegalArgumentException("--data has " + d.classes() + " classes, the model " + net.config.classes());
        }
        Explain.run(net, proto, d.query(), items, bit, System.out);
        return 0;
    }
}
