package io.bsth.train;

import io.bsth.autograd.optim.Adam;
import io.bsth.autograd.state.SafeTensors;
import io.bsth.model.BsthNetwork;
import io.bsth.tensor.Tensor;
import io.bsth.tensor.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --checkpoint DIR}: after stage 1 and after every stage-2 epoch, {@code DIR/checkpoint.safetensors}
 * is replaced atomically by one holding the network ({@code model.*}, PyTorch names), the Adam state
 * ({@code adam.*}), the target codes B ({@code target_codes}) and, in the metadata
 * {@code bsth_checkpoint}, the finished epoch, the settings, the data description and the history of
 * timings and losses. A killed run loses at most the epoch in progress.
 */
public final class Checkpoint {
    public static final String FILE = "checkpoint.safetensors";

    /** What a checkpoint restores beside the network and optimiser. */
    public record State(int epoch, float[] targetCodes, double stage1Seconds, List<Double> epochSeconds,
                        List<double[]> stage1Losses, List<double[]> stage2Losses) {}

    private Checkpoint() {}

    static void save(Path dir, TrainConfig cfg, String dataKey, BsthNetwork net, Adam adam, float[] B, int epoch,
                     double stage1Seconds, List<Double> epochSeconds, List<double[]> stage1Losses,
                     List<double[]> stage2Losses) throws IOException {
        Files.createDirectories(dir);
        Map<String, Tensor> t = new LinkedHashMap<>();
        Set<String> ints = new LinkedHashSet<>();
        for (var e : net.stateDict().entrySet()) t.put("model." + e.getKey(), e.getValue());
        for (String s : net.int64StateNames()) ints.add("model." + s);
        for (var e : adam.stateDict().entrySet()) t.put("adam." + e.getKey(), e.getValue());
        t.put("target_codes", Tensor.of(B, B.length / cfg.nbit(), cfg.nbit()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", (long) epoch);
        m.put("config", comparable(cfg));
        m.put("data", dataKey);
        m.put("stage1_seconds", stage1Seconds);
        m.put("epoch_seconds", new ArrayList<Object>(epochSeconds));
        m.put("stage1_losses", toLists(stage1Losses));
        m.put("stage2_losses", toLists(stage2Losses));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "bsth-checkpoint");
        meta.put("bsth_checkpoint", Json.writeCompact(m));
        SafeTensors.write(dir.resolve(FILE), t, ints, meta);
    }

    /**
     * Restores {@code net} and {@code adam} from {@code DIR/checkpoint.safetensors}; null when there is
     * none. A checkpoint of other settings or other data is an error naming the difference.
     */
    @SuppressWarnings("unchecked")
    static State load(Path dir, TrainConfig cfg, String dataKey, BsthNetwork net, Adam adam) throws IOException {
        if (dir == null) throw new IllegalArgumentException("--resume needs --checkpoint DIR");
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) return null;
        SafeTensors.Contents c = SafeTensors.read(f);
        String raw = c.metadata().get("bsth_checkpoint");
        if (raw == null) throw new IOException(f + ": not a bsth checkpoint (no bsth_checkpoint metadata)");
        Map<String, Object> m = Json.parseObject(raw);
        Map<String, Object> want = comparable(cfg);
        Map<String, Object> have = (Map<String, Object>) m.get("config");
        for (var e : want.entrySet()) {
            Object h = have.get(e.getKey());
            if (h == null || !String.valueOf(h).equals(String.valueOf(e.getValue()))) {
                throw new IllegalArgumentException(f + ": checkpoint was made with " + e.getKey() + " = " + h
                        + ", this run has " + e.getValue() + " (use the same settings or another --checkpoint DIR)");
            }
        }
        if (!dataKey.equals(m.get("data"))) {
            throw new IllegalArgumentException(f + ": checkpoint was made on data '" + m.get("data") + "', this run uses '" + dataKey + "'");
        }
        Map<String, Tensor> model = new LinkedHashMap<>(), opt = new LinkedHashMap<>();
        for (var e : c.tensors().entrySet()) {
            if (e.getKey().startsWith("model.")) model.put(e.getKey().substring(6), e.getValue());
            else if (e.getKey().startsWith("adam.")) opt.put(e.getKey().substring(5), e.getValue());
        }
        try {
            net.loadStateDict(model, true);
            adam.loadStateDict(opt);
        } catch (IllegalArgumentException e) {
            throw new IOException(f + ": " + e.getMessage());
        }
        Tensor b = c.tensors().get("target_codes");
        if (b == null) throw new IOException(f + ": target_codes missing");
        List<Double> secs = new ArrayList<>();
        for (Object o : (List<Object>) m.get("epoch_seconds")) secs.add(((Number) o).doubleValue());
        return new State(((Number) m.get("epoch")).intValue(), b.toArray(), ((Number) m.get("stage1_seconds")).doubleValue(),
                secs, fromLists(m.get("stage1_losses")), fromLists(m.get("stage2_losses")));
    }

    /** The settings a resumed run must share (all but the number of epochs, which may grow). */
    private static Map<String, Object> comparable(TrainConfig cfg) {
        Map<String, Object> m = cfg.toMap();
        m.remove("epochs");
        return m;
    }

    private static List<Object> toLists(List<double[]> rows) {
        List<Object> out = new ArrayList<>();
        for (double[] r : rows) out.add(r.clone());
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<double[]> fromLists(Object o) {
        List<double[]> out = new ArrayList<>();
        for (Object row : (List<Object>) o) {
            List<Object> r = (List<Object>) row;
            double[] v = new double[r.size()];
            for (int i = 0; i < v.length; i++) v[i] = ((Number) r.get(i)).doubleValue();
            out.add(v);
        }
        return out;
    }
}
