package io.bsth.cli;

import io.bsth.data.DataSources;
import io.bsth.data.MultiModalData;
import io.bsth.data.Split;
import io.bsth.model.CodeEncoder;
import io.bsth.model.ModelFile;
import io.bsth.tensor.Parallel;
import io.bsth.tensor.io.AtomicFiles;
import io.bsth.tensor.io.Json;
import io.bsth.train.Losses;
import io.bsth.train.Plots;
import io.bsth.train.Preset;
import io.bsth.train.Progress;
import io.bsth.train.EncodeEvaluate;
import io.bsth.train.TrainConfig;
import io.bsth.train.Trainer;
import io.bsth.train.WarmUp;
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
        description = {"Train BSTH (stage 1 label prototypes, stage 2 hash network) and evaluate it.",
            "Then encodes the database and the queries and prints mAP@All. Defaults are the authors' settings;",
            "progress goes to stderr."})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--data", defaultValue = "synthetic", paramLabel = "SPEC",
            description = "A folder of nine .npy files, a MATLAB v7.3 .mat file, synthetic[:KEY=VALUE,...] or fashion-mnist[:DIR] (default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--nbit", defaultValue = "64", description = "Code length k in bits (default: ${DEFAULT-VALUE}).")
    int nbit;

    @Option(names = "--epochs", paramLabel = "N", description = "Stage-2 epochs (default: 140, the authors' MIR-Flickr script).")
    Integer epochs;

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

    @Mixin
    DeviceOption device;

    @Option(names = "--nhead", paramLabel = "H", description = "Attention heads of the modality encoders (default: 1).")
    Integer nhead;

    @Option(names = "--layers", paramLabel = "N", description = "Layers of each modality encoder (default: 2).")
    Integer layers;

    @Option(names = "--dropout", paramLabel = "P", description = "Stage-2 dropout probability (default: 0.5; stage 1 always uses 0.5, as the authors).")
    Float dropout;

    @Option(names = "--sign-weight", paramLabel = "W", description = "Weight of the stage-2 term MSE(h, B) (default: 0.01; the authors used 0.0001 on NUS-WIDE).")
    Float signWeight;

    @Option(names = "--concept-dim", paramLabel = "D", description = "Concept width d_c of the hash network (default: 128; hash heads use d_c/2 hidden units).")
    Integer conceptDim;

    @Option(names = "--preset", paramLabel = "NAME", description = {
        "The authors' settings for a dataset; flags given explicitly still win:",
        "  flickr:  140 epochs, dropout 0.5, 1 head, 2 layers, sign weight 0.01, concept width 256",
        "  nuswide: 140 epochs, dropout 0.5, 1 head, 2 layers, sign weight 0.0001, concept width 128",
        "  coco:    140 epochs, dropout 0.5, 1 head, 2 layers, sign weight 0.01, concept width 128"})
    String preset;

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
        device.requireCpu("train");
        if (resume && checkpoint == null) throw new IllegalArgumentException("--resume needs --checkpoint DIR");
        TrainConfig cfg = config();
        Outputs.checkFile("--save", save);
        Outputs.checkFile("--report", report);
        Outputs.checkFolder("--plots", plots);
        Outputs.checkFolder("--checkpoint", checkpoint);
        Trained trained = train(cfg);
        Trainer.Result res = trained.result();
        String dataKey = trained.dataKey();
        EncodingData e = openForEncoding(data, dataKey);
        MultiModalData d = e.data();
        if (save != null) ModelFile.save(save, res.net());
        EncodeEvaluate.Outcome out = EncodeEvaluate.run(res.net(), d, CodeEncoder.DEFAULT_BATCH);
        printMetrics(out, nbit);
        if (report != null) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("command", "train");
            m.put("data", d.source());
            m.put("train_size", (long) e.trainSize());
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

    /** The training split and {@link MultiModalData#key()} of the whole set. */
    record TrainingSplit(Split train, String key) {}

    /** The data read again for encoding, without the training split's rows, and that split's size. */
    record EncodingData(MultiModalData data, int trainSize) {}

    /**
     * Opens {@code spec} again once training is done, checks that it is the data trained on
     * ({@link MultiModalData#key()}), and keeps the database and the queries: the training split's
     * features are not encoded, so its rows go before the encode batch's arrays are taken (a method of
     * its own, so no frame holds them).
     */
    static EncodingData openForEncoding(String spec, String dataKey) throws java.io.IOException {
        MultiModalData whole = DataSources.open(spec);
        if (!whole.key().equals(dataKey)) {
            throw new IllegalArgumentException("--data " + spec + ": changed while training (" + dataKey + ", now " + whole.key() + ")");
        }
        Split noRows = whole.train().rows(whole.train().name(), new int[0]);
        return new EncodingData(new MultiModalData(whole.source(), noRows, whole.database(), whole.query()), whole.train().size());
    }

    /** What training leaves for encoding: the result and the data's key. */
    private record Trained(Trainer.Result result, String dataKey) {}

    /**
     * Both stages on the training split alone: the database and the queries are not held while training
     * runs (the largest part of the data), and are read again for encoding once it is done. A method of
     * its own so that the training split and the trainer are unreachable once it returns (a frame's
     * locals stay reachable until it ends).
     */
    private Trained train(TrainConfig cfg) throws java.io.IOException {
        // compiles the stage-2 step's kernels while the data loads and stage 1 trains (changes no result)
        WarmUp warmUp = cfg.epochs() > 0 && WarmUp.enabled() ? WarmUp.start(cfg) : null;
        try {
            Progress progress = Progress.stderr();
            TrainingSplit t = openTrainingSplit(data, progress);
            progress.line(String.format(Locale.ROOT, "BSTH %d bits, %d + %d epochs, batch %d, lr %s, seed %d, concept width %d, "
                            + "%d head(s), %d layer(s), dropout %s, sign weight %s%s, %d thread(s)",
                    nbit, epochsPre, cfg.epochs(), batch, lr, seed, cfg.conceptDim(), cfg.nhead(), cfg.layers(), cfg.dropout(),
                    cfg.signWeight(), preset == null ? "" : " (preset " + preset.toLowerCase(Locale.ROOT) + ")", Parallel.threads()));
            Trainer trainer = new Trainer(cfg, progress).warmUp(warmUp);
            if (checkpoint != null) trainer.checkpoint(checkpoint, resume);
            return new Trained(trainer.train(t.train(), t.key()), t.key());
        } finally {
            if (warmUp != null) warmUp.stop(); // a run that ends early (bad input) or skips stage 2
        }
    }

    /** Opens {@code spec} and keeps only its training split (a method of its own, so no frame holds the rest). */
    static TrainingSplit openTrainingSplit(String spec, Progress progress) throws java.io.IOException {
        MultiModalData whole = DataSources.open(spec);
        progress.line(whole.summary());
        return new TrainingSplit(whole.train(), whole.key());
    }

    /** The run's settings: an explicit flag, else the preset's value, else the default. */
    TrainConfig config() {
        Preset p = preset == null ? null : Preset.parse(preset);
        TrainConfig d = TrainConfig.DEFAULT;
        return new TrainConfig(nbit,
                epochs != null ? epochs : p != null ? p.epochs : d.epochs(),
                epochsPre, batch, lr, seed,
                nhead != null ? nhead : p != null ? p.nhead : d.nhead(),
                layers != null ? layers : p != null ? p.layers : d.layers(),
                dropout != null ? dropout : p != null ? p.dropout : d.dropout(),
                signWeight != null ? signWeight : p != null ? p.signWeight : d.signWeight(),
                conceptDim != null ? conceptDim : p != null ? p.conceptDim : d.conceptDim());
    }

    static void printMetrics(EncodeEvaluate.Outcome out, int nbit) {
        var r = out.metrics();
        System.out.printf(Locale.ROOT, "mAP@All %.4f (%d bits, %d queries, %d database items)%n", r.mapAll(), nbit,
                r.queries(), out.dbCodes().size());
        System.out.printf(Locale.ROOT, "P@50 %.4f  P@100 %.4f  P@500 %.4f  P@1000 %.4f  mAP@1000 %.4f%n",
                r.precisionAt(50), r.precisionAt(100), r.precisionAt(500), r.precisionAt(1000), r.mapAt(1000));
        System.out.printf(Locale.ROOT, "encode %.2fs, evaluate %.2fs%n", out.encodeSeconds(), out.evalSeconds());
    }
}
