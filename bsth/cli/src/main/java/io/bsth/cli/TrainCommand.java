package io.bsth.cli;

import io.bsth.data.DataSources;
import io.bsth.data.MultiModalData;
import io.bsth.model.CodeEncoder;
import io.bsth.model.ModelFile;
import io.bsth.tensor.Parallel;
import io.bsth.tensor.io.AtomicFiles;
import io.bsth.tensor.io.Json;
import io.bsth.train.Losses;
import io.bsth.train.Plots;
import io.bsth.train.Progress;
import io.bsth.train.Retrieval;
import io.bsth.train.TrainConfig;
import io.bsth.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bsth train}: both stages of BSTH, then encodes the database and queries and evaluates. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train BSTH (stage 1 label prototypes, stage 2 hash network), then encode the database and the",
            "queries and print mAP@All. Defaults are the authors' settings; progress goes to stderr."})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--data", defaultValue = "synthetic", paramLabel = "SPEC",
            description = "A folder of nine .npy files, a MATLAB v7.3 .mat file, synthetic[:KEY=VALUE,...] or fashion-mnist[:DIR] (default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--nbit", defaultValue = "64", description = "Code length k in bits (default: ${DEFAULT-VALUE}).")
    int nbit;

    @Option(names = "--epochs", defaultValue = "140", description = "Stage-2 epochs (default: ${DEFAULT-VALUE}, the authors' MIR-Flickr script).")
    int epochs;

    @Option(names = "--epochs-pre", defaultValue = "100", description = "Stage-1 (label prototype) epochs (default: ${DEFAULT-VALUE}).")
    int epochsPre;

    @Option(names = "--batch", defaultValue = "1024", description = "Stage-2 mini-batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "0.001", description = "Adam learning rate, both stages (default: ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--seed", defaultValue = "2021", description = "Seed of initialisation, shuffling and dropout (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    ThreadsOption threads;

    @Option(names = "--nhead", defaultValue = "1", description = "Attention heads of the modality encoders (default: ${DEFAULT-VALUE}).")
    int nhead;

    @Option(names = "--layers", defaultValue = "2", description = "Layers of each modality encoder (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--dropout", defaultValue = "0.5", description = "Dropout probability (default: ${DEFAULT-VALUE}).")
    float dropout;

    @Option(names = "--sign-weight", defaultValue = "0.01", description = "Weight of the stage-2 term MSE(h, B) (default: ${DEFAULT-VALUE}; the authors used 0.0001 on NUS-WIDE).")
    float signWeight;

    @Option(names = "--save", paramLabel = "FILE", description = "Write the stage-2 network as .safetensors (PyTorch names).")
    Path save;

    @Option(names = "--report", paramLabel = "FILE", description = "Write a JSON report: settings, timings, losses, retrieval metrics.")
    Path report;

    @Option(names = "--checkpoint", paramLabel = "DIR", description = "Write a checkpoint after stage 1 and after every stage-2 epoch.")
    Path checkpoint;

    @Option(names = "--resume", description = "Continue from the checkpoint in --checkpoint DIR (same settings and data).")
    boolean resume;

    @Option(names = "--plots", paramLabel = "DIR", description = "Write SVG plots: loss curves, precision-recall, top-K precision.")
    Path plots;

    @Override
    public Integer call() throws Exception {
        if (resume && checkpoint == null) throw new IllegalArgumentException("--resume needs --checkpoint DIR");
        TrainConfig cfg = new TrainConfig(nbit, epochs, epochsPre, batch, lr, seed, nhead, layers, dropout, signWeight);
        MultiModalData d = DataSources.open(data);
        Progress progress = Progress.stderr();
        progress.line(d.summary());
        progress.line(String.format(Locale.ROOT, "BSTH %d bits, %d + %d epochs, batch %d, lr %s, seed %d, %d thread(s)",
                nbit, epochsPre, epochs, batch, lr, seed, Parallel.threads()));
        Trainer trainer = new Trainer(cfg, progress);
        if (checkpoint != null) trainer.checkpoint(checkpoint, resume);
        Trainer.Result res = trainer.train(d);
        if (save != null) ModelFile.save(save, res.net());
        Retrieval.Outcome out = Retrieval.run(res.net(), d, CodeEncoder.DEFAULT_BATCH);
        printMetrics(out, nbit);
        if (report != null) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("command", "train");
            m.put("data", d.source());
            m.put("train_size", (long) d.train().size());
            m.put("database_size", (long) d.database().size());
            m.put("query_size", (long) d.query().size());
            m.put("threads", (long) Parallel.threads());
            m.put("config", cfg.toMap());
            m.put("stage1_seconds", res.stage1Seconds());
            m.put("epoch_seconds", res.epochSeconds().stream().mapToDouble(Double::doubleValue).toArray());
            m.put("resumed_from_epoch", (long) res.resumedFromEpoch());
            m.putAll(out.toReportMap());
            Map<String, Object> losses = new LinkedHashMap<>();
            losses.put("stage1_names", List.of((Object[]) Losses.STAGE1_NAMES));
            losses.put("stage1", new ArrayList<Object>(res.stage1Losses()));
            losses.put("stage2_names", List.of((Object[]) Losses.STAGE2_NAMES));
            losses.put("stage2", new ArrayList<Object>(res.stage2Losses()));
            m.put("losses", losses);
            AtomicFiles.writeString(report, Json.write(m));
        }
        if (plots != null) Plots.write(plots, res.stage1Losses(), res.stage2Losses(), out.metrics(), nbit);
        return 0;
    }

    static void printMetrics(Retrieval.Outcome out, int nbit) {
        var r = out.metrics();
        System.out.printf(Locale.ROOT, "mAP@All %.4f (%d bits, %d queries, %d database items)%n", r.mapAll(), nbit,
                r.queries(), out.dbCodes().size());
        System.out.printf(Locale.ROOT, "P@50 %.4f  P@100 %.4f  P@500 %.4f  P@1000 %.4f  mAP@1000 %.4f%n",
                r.precisionAt(50), r.precisionAt(100), r.precisionAt(500), r.precisionAt(1000), r.mapAt(1000));
        System.out.printf(Locale.ROOT, "encode %.2fs, evaluate %.2fs%n", out.encodeSeconds(), out.evalSeconds());
    }
}
