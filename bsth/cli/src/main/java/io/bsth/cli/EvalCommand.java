package io.bsth.cli;

import io.bsth.data.DataSources;
import io.bsth.data.MultiModalData;
import io.bsth.model.BsthNetwork;
import io.bsth.model.CodeEncoder;
import io.bsth.model.ModelFile;
import io.bsth.tensor.Parallel;
import io.bsth.tensor.io.AtomicFiles;
import io.bsth.tensor.io.Json;
import io.bsth.train.EncodeEvaluate;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bsth eval}: encodes the database and the queries with a saved model and evaluates. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Encode the database and the queries of --data with a saved model (.safetensors) and print mAP@All.")
public final class EvalCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model written by train --save (or a PyTorch state_dict as .safetensors).")
    Path model;

    @Option(names = "--data", defaultValue = "synthetic", paramLabel = "SPEC",
            description = "A folder of nine .npy files, a .mat file, synthetic[:KEY=VALUE,...] or fashion-mnist[:DIR] (default: ${DEFAULT-VALUE}).")
    String data;

    @Mixin
    ThreadsOption threads;

    @Mixin
    DeviceOption device;

    @Option(names = "--nhead", defaultValue = "1", description = "Heads, for a model file without metadata (default: ${DEFAULT-VALUE}).")
    int nhead;

    @Option(names = "--modality", defaultValue = "both", paramLabel = "M",
            description = "Encode queries and database from both modalities, or only image or only text (items missing the other): both | image | text (default: ${DEFAULT-VALUE}).")
    String modality;

    @Option(names = "--report", paramLabel = "FILE", description = "Write a JSON report: encode_seconds, eval_seconds, retrieval metrics.")
    Path report;

    @Override
    public Integer call() throws Exception {
        EncodeEvaluate.Modality mod = switch (modality) {
            case "both" -> EncodeEvaluate.Modality.BOTH;
            case "image" -> EncodeEvaluate.Modality.IMAGE;
            case "text" -> EncodeEvaluate.Modality.TEXT;
            default -> throw new IllegalArgumentException("--modality: expected both, image or text, got '" + modality + "'");
        };
        device.requireCpu("eval");
        Outputs.checkFile("--report", report);
        BsthNetwork net = ModelFile.load(model, nhead);
        MultiModalData d = DataSources.open(data);
        if (d.classes() != net.config.classes()) {
            throw new IllegalArgumentException("--data has " + d.classes() + " classes, " + model + " was trained for " + net.config.classes());
        }
        if (d.imageDim() != net.config.imageDim() || d.textDim() != net.config.textDim()) {
            throw new IllegalArgumentException("--data " + d.source() + ": image features are " + d.imageDim() + "-d and text " + d.textDim() + "-d, "
                    + model + " expects " + net.config.imageDim() + " and " + net.config.textDim());
        }
        EncodeEvaluate.Outcome out = EncodeEvaluate.run(net, d, CodeEncoder.DEFAULT_BATCH, mod);
        TrainCommand.printMetrics(out, net.config.nbit());
        if (report != null) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("command", "eval");
            m.put("model", model.toString());
            m.put("data", d.source());
            m.put("modality", modality);
            m.put("threads", (long) Parallel.threads());
            m.put("config", net.config.toMap());
            m.putAll(out.toReportMap());
            AtomicFiles.writeString(report, Json.write(m));
        }
        return 0;
    }
}
