package io.bsth.train;

import io.bsth.retrieval.Evaluation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code --plots DIR}: loss curves of both stages, the precision-recall curve and the top-K precision curve, as SVG. */
public final class Plots {
    private Plots() {}

    public static void write(Path dir, List<double[]> stage1, List<double[]> stage2, Evaluation.Result r, int nbit)
            throws IOException {
        Files.createDirectories(dir);
        lossPlot("Stage 1 (label prototypes): loss per epoch", Losses.STAGE1_NAMES, stage1).logY(true)
                .write(dir.resolve("loss_stage1.svg"));
        lossPlot("Stage 2 (hash network): mean loss per epoch", Losses.STAGE2_NAMES, stage2).logY(true)
                .write(dir.resolve("loss_stage2.svg"));
        new SvgPlot("Precision-recall by Hamming radius (" + nbit + " bits)", "recall", "precision")
                .add("BSTH", r.prRecall(), r.prPrecision()).write(dir.resolve("pr_curve.svg"));
        double[] x = new double[r.depths().length];
        for (int i = 0; i < x.length; i++) x[i] = r.depths()[i];
        new SvgPlot("Top-K precision (" + nbit + " bits)", "K (retrieved items)", "precision@K").integerX(true)
                .add("BSTH", x, r.precisionAt()).write(dir.resolve("topk_precision.svg"));
    }

    static SvgPlot lossPlot(String title, String[] names, List<double[]> rows) {
        SvgPlot p = new SvgPlot(title, "epoch", "loss").integerX(true);
        double[] x = new double[rows.size()];
        for (int i = 0; i < x.length; i++) x[i] = i + 1;
        for (int t = 0; t < names.length; t++) {
            double[] y = new double[rows.size()];
            boolean negative = false;
            for (int i = 0; i < y.length; i++) {
                y[i] = Math.abs(rows.get(i)[t]);
                negative |= rows.get(i)[t] < 0;
            }
            String name = t == 0 ? "total" : names[t];
            p.add(negative ? "|" + name + "|" : name, x, y);
        }
        return p;
    }
}
