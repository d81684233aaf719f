package io.bsth.train;

import io.bsth.tensor.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart as a standalone SVG file (no plotting dependency): axes with ticks, one polyline per
 * series, a legend. Used by {@code train --plots} for the loss curves, the precision-recall curve and
 * the top-K precision curve.
 */
public final class SvgPlot {
    /** One curve: x and y of equal length. */
    public record Series(String name, double[] x, double[] y) {
        public Series {
            if (x.length != y.length) throw new IllegalArgumentException("series " + name + ": " + x.length + " x vs " + y.length + " y");
        }
    }

    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"};
    static final int W = 640, H = 420, LEFT = 70, RIGHT = 170, TOP = 40, BOTTOM = 55;

    private final String title, xLabel, yLabel;
    private final List<Series> series = new ArrayList<>();
    private boolean logY;

    public SvgPlot(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    public SvgPlot add(Series s) {
        series.add(s);
        return this;
    }

    public SvgPlot add(String name, double[] x, double[] y) {
        return add(new Series(name, x, y));
    }

    /** Plots log10(y) (for losses spanning decades); non-positive values are left out. */
    public SvgPlot logY(boolean on) {
        logY = on;
        return this;
    }

    public void write(Path file) throws IOException {
        AtomicFiles.writeString(file, render());
    }

    /** The SVG document. */
    public String render() {
        double x0 = Double.POSITIVE_INFINITY, x1 = Double.NEGATIVE_INFINITY, y0 = x0, y1 = x1;
        for (Series s : series) {
            for (int i = 0; i < s.x.length; i++) {
                double y = ty(s.y[i]);
                if (!Double.isFinite(s.x[i]) || !Double.isFinite(y)) continue;
                x0 = Math.min(x0, s.x[i]);
                x1 = Math.max(x1, s.x[i]);
                y0 = Math.min(y0, y);
                y1 = Math.max(y1, y);
            }
        }
        if (!(x0 <= x1)) { x0 = 0; x1 = 1; y0 = 0; y1 = 1; }
        if (x1 == x0) { x0 -= 0.5; x1 += 0.5; }
        if (y1 == y0) { y0 -= 0.5; y1 += 0.5; }
        double pad = (y1 - y0) * 0.05;
        y0 -= pad;
        y1 += pad;
        int pw = W - LEFT - RIGHT, ph = H - TOP - BOTTOM;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", W, H, W, H));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\" text-anchor=\"middle\">%s</text>%n", LEFT + pw / 2, esc(title)));
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>%n", LEFT, TOP, pw, ph));
        for (int t = 0; t <= 5; t++) {
            double fx = x0 + (x1 - x0) * t / 5, fy = y0 + (y1 - y0) * t / 5;
            double px = LEFT + pw * t / 5.0, py = TOP + ph - ph * t / 5.0;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n", px, TOP, px, TOP + ph));
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", LEFT, py, LEFT + pw, py));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px, TOP + ph + 16, num(fx)));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT - 6, py + 4,
                    logY ? "1e" + num(fy) : num(fy)));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", LEFT + pw / 2, H - 14, esc(xLabel)));
        sb.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 16 %d)\">%s</text>%n",
                TOP + ph / 2, TOP + ph / 2, esc(logY ? "log10 " + yLabel : yLabel)));
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            String colour = COLOURS[k % COLOURS.length];
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < s.x.length; i++) {
                double y = ty(s.y[i]);
                if (!Double.isFinite(s.x[i]) || !Double.isFinite(y)) continue;
                double px = LEFT + pw * (s.x[i] - x0) / (x1 - x0), py = TOP + ph - ph * (y - y0) / (y1 - y0);
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
            }
            sb.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" points=\"%s\"/>%n", colour, pts.toString().trim()));
            int ly = TOP + 14 + 18 * k;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>%n",
                    W - RIGHT + 12, ly - 4, W - RIGHT + 32, ly - 4, colour));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", W - RIGHT + 38, ly, esc(s.name)));
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private double ty(double y) {
        return logY ? (y > 0 ? Math.log10(y) : Double.NaN) : y;
    }

    private static String num(double v) {
        double a = Math.abs(v);
        if (a != 0 && (a >= 1e5 || a < 1e-3)) return String.format(Locale.ROOT, "%.2e", v);
        return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 1 ? "%.2f" : "%.3f", v);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
