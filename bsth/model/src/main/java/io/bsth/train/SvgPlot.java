package io.bsth.train;

import io.bsth.tensor.io.AtomicFiles;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart as a standalone SVG file (no plotting dependency): axes with round ticks, one polyline
 * per series, a legend. Used by {@code train --plots} for the loss curves, the precision-recall curve
 * and the top-K precision curve.
 *
 * <p>Ticks step by 1, 2 or 5 times a power of ten and the axis ends on a tick; an integer axis (epochs)
 * never steps by less than 1; a log axis is ticked at 1, 2 and 5 per decade (only the powers of ten
 * over wide ranges) and labelled with plain numbers (0.1, 0.2, 0.5, 1, ...).
 */
public final class SvgPlot {
    /** One curve: x and y of equal length. */
    public record Series(String name, double[] x, double[] y) {
        public Series {
            if (x.length != y.length) throw new IllegalArgumentException("series " + name + ": " + x.length + " x vs " + y.length + " y");
        }
    }

    /**
     * An axis from {@code lo} to {@code hi} with its ticks (lo and hi among them); on a log axis all
     * three are values, not logarithms.
     */
    record Axis(double lo, double hi, double[] ticks, boolean log, int decimals) {
        /** Position of v along the axis, 0 at lo and 1 at hi. */
        double frac(double v) {
            return log ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v - lo) / (hi - lo);
        }

        String label(double t) {
            if (log) {
                int e = (int) Math.floor(Math.log10(t) + 1e-9);
                long m = Math.round(t / Math.pow(10, e));
                if (e < -4 || e > 5) return m + "e" + e;
                return BigDecimal.valueOf(m).scaleByPowerOfTen(e).stripTrailingZeros().toPlainString();
            }
            String s = BigDecimal.valueOf(t).setScale(decimals, java.math.RoundingMode.HALF_UP).toPlainString();
            return s.matches("-0(\\.0*)?") ? s.substring(1) : s;
        }
    }

    /** The smallest step of the form 1, 2 or 5 times a power of ten that is at least {@code raw} (> 0). */
    static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5}) if (m * p >= raw * (1 - 1e-9)) return m * p;
        return 10 * p;
    }

    /** A linear axis covering [min, max] in at most about six round steps; integer axes step by whole numbers. */
    static Axis linearAxis(double min, double max, boolean integer) {
        if (!(max > min)) {
            double half = integer ? 1 : min == 0 ? 1 : Math.abs(min) * 0.1;
            min -= half;
            max += half;
        }
        double step = niceStep((max - min) / 5);
        if (integer) step = Math.max(1, step);
        double lo = Math.floor(min / step + 1e-9) * step, hi = Math.ceil(max / step - 1e-9) * step;
        int n = (int) Math.round((hi - lo) / step);
        double[] ticks = new double[n + 1];
        for (int i = 0; i <= n; i++) ticks[i] = lo + i * step;
        return new Axis(lo, hi, ticks, false, Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9)));
    }

    /** A log axis covering [min, max] (both > 0), from and to values of the form 1, 2 or 5 times a power of ten. */
    static Axis logAxis(double min, double max) {
        int d0 = (int) Math.floor(Math.log10(min)), d1 = (int) Math.ceil(Math.log10(max));
        if (d1 <= d0) d1 = d0 + 1;
        double[] mantissas = d1 - d0 <= 3 ? new double[] {1, 2, 5} : new double[] {1};
        List<Double> all = new ArrayList<>();
        for (int e = d0; e <= d1; e++) {
            for (double m : mantissas) all.add(BigDecimal.valueOf(m).scaleByPowerOfTen(e).doubleValue());
        }
        double lo = all.get(0), hi = all.get(all.size() - 1);
        for (double v : all) if (v <= min * (1 + 1e-9)) lo = v;
        for (int i = all.size() - 1; i >= 0; i--) if (all.get(i) >= max * (1 - 1e-9)) hi = all.get(i);
        if (hi <= lo) hi = all.get(Math.min(all.size() - 1, all.indexOf(lo) + 1));
        List<Double> in = new ArrayList<>();
        for (double v : all) if (v >= lo && v <= hi) in.add(v);
        double[] ticks = new double[in.size()];
        for (int i = 0; i < ticks.length; i++) ticks[i] = in.get(i);
        return new Axis(lo, hi, ticks, true, 0);
    }

    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"};
    static final int W = 640, H = 420, RIGHT = 170, TOP = 40, BOTTOM = 55;
    /** Approximate advance of one character of the 12-pixel sans-serif labels. */
    private static final int CHAR_W = 7;

    private final String title, xLabel, yLabel;
    private final List<Series> series = new ArrayList<>();
    private boolean logY, integerX;

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

    /** A log y axis (for losses spanning decades); non-positive values are left out. */
    public SvgPlot logY(boolean on) {
        logY = on;
        return this;
    }

    /** An x axis of whole numbers (epochs). */
    public SvgPlot integerX(boolean on) {
        integerX = on;
        return this;
    }

    public void write(Path file) throws IOException {
        AtomicFiles.writeString(file, render());
    }

    private boolean shown(double x, double y) {
        return Double.isFinite(x) && Double.isFinite(y) && (!logY || y > 0);
    }

    /** The SVG document. */
    public String render() {
        double x0 = Double.POSITIVE_INFINITY, x1 = Double.NEGATIVE_INFINITY, y0 = x0, y1 = x1;
        for (Series s : series) {
            for (int i = 0; i < s.x.length; i++) {
                if (!shown(s.x[i], s.y[i])) continue;
                x0 = Math.min(x0, s.x[i]);
                x1 = Math.max(x1, s.x[i]);
                y0 = Math.min(y0, s.y[i]);
                y1 = Math.max(y1, s.y[i]);
            }
        }
        if (!(x0 <= x1)) {
            x0 = 0;
            x1 = 1;
            y0 = logY ? 1 : 0;
            y1 = logY ? 10 : 1;
        }
        Axis ax = linearAxis(x0, x1, integerX), ay = logY ? logAxis(y0, y1) : linearAxis(y0, y1, false);
        int labelChars = 1;
        for (double t : ay.ticks) labelChars = Math.max(labelChars, ay.label(t).length());
        // y title centred at x = 16 (12 px tall once rotated), then a gap, the tick labels, 6 px, the frame
        int left = Math.max(60, 16 + 6 + 8 + CHAR_W * labelChars + 6);
        int pw = W - left - RIGHT, ph = H - TOP - BOTTOM;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", W, H, W, H));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\" text-anchor=\"middle\">%s</text>%n", left + pw / 2, esc(title)));
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>%n", left, TOP, pw, ph));
        for (double t : ax.ticks) {
            double px = left + pw * ax.frac(t);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n", px, TOP, px, TOP + ph));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px, TOP + ph + 16, ax.label(t)));
        }
        for (double t : ay.ticks) {
            double py = TOP + ph - ph * ay.frac(t);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", left, py, left + pw, py));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", left - 6, py + 4, ay.label(t)));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", left + pw / 2, H - 14, esc(xLabel)));
        sb.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 16 %d)\">%s</text>%n",
                TOP + ph / 2, TOP + ph / 2, esc(logY ? yLabel + " (log scale)" : yLabel)));
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            String colour = COLOURS[k % COLOURS.length];
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < s.x.length; i++) {
                if (!shown(s.x[i], s.y[i])) continue;
                double px = left + pw * ax.frac(s.x[i]), py = TOP + ph - ph * ay.frac(s.y[i]);
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

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
