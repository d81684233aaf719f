package io.bsth.train;

import io.bsth.data.MultiModalData;
import io.bsth.model.BsthNetwork;
import io.bsth.model.CodeEncoder;
import io.bsth.retrieval.Evaluation;
import io.bsth.retrieval.PackedCodes;
import java.util.LinkedHashMap;
import java.util.Map;

/** Encodes the queries and the database with a trained network and evaluates them ({@link Evaluation}). */
public final class EncodeEvaluate {
    /** Depths of the top-K curves: 50, 100, ..., 1000 (the report keys 50, 100, 500, 1000 among them). */
    public static final int[] DEPTHS = new int[20];

    static {
        for (int i = 0; i < DEPTHS.length; i++) DEPTHS[i] = 50 * (i + 1);
    }

    /** Metrics and the time of each phase. */
    public record Outcome(Evaluation.Result metrics, PackedCodes queryCodes, PackedCodes dbCodes, double encodeSeconds,
                          double evalSeconds) {
        /** Report entries: encode_seconds, eval_seconds, then the retrieval metrics. */
        public Map<String, Object> toReportMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("encode_seconds", encodeSeconds);
            m.put("eval_seconds", evalSeconds);
            m.putAll(metrics.toReportMap());
            return m;
        }
    }

    private EncodeEvaluate() {}

    /** Which features items are encoded from: both (the method), or only one (items missing the other). */
    public enum Modality { BOTH, IMAGE, TEXT }

    public static Outcome run(BsthNetwork net, MultiModalData data, int batch) {
        return run(net, data, batch, Modality.BOTH);
    }

    /** As {@link #run(BsthNetwork, MultiModalData, int)}, queries and database encoded from {@code modality} only. */
    public static Outcome run(BsthNetwork net, MultiModalData data, int batch, Modality modality) {
        int k = net.config.nbit();
        boolean img = modality != Modality.TEXT, txt = modality != Modality.IMAGE;
        long t0 = System.nanoTime();
        float[] hq = CodeEncoder.encode(net, img ? data.query().image() : null, txt ? data.query().text() : null, batch);
        float[] hd = CodeEncoder.encode(net, img ? data.database().image() : null, txt ? data.database().text() : null, batch);
        PackedCodes q = PackedCodes.fromSigns(hq, data.query().size(), k);
        PackedCodes db = PackedCodes.fromSigns(hd, data.database().size(), k);
        double encode = (System.nanoTime() - t0) * 1e-9;
        long t1 = System.nanoTime();
        Evaluation.Result r = Evaluation.evaluate(q, db, data.query().labels().contiguous().data(),
                data.database().labels().contiguous().data(), data.classes(), DEPTHS);
        return new Outcome(r, q, db, encode, (System.nanoTime() - t1) * 1e-9);
    }
}
