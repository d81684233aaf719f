package io.bsth.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Training progress on stderr: a batch line (stage, epoch/total, batch/total, each loss term, items/s,
 * ETA) redrawn in place on a terminal and printed every few seconds otherwise, and one log line per
 * epoch. A quiet progress prints nothing (tests).
 */
public class Progress {
    private final PrintStream out;
    private final boolean inPlace;
    private final long intervalNanos;
    private long lastPrint;
    private boolean dirty;

    public Progress(PrintStream out, boolean inPlace, double intervalSeconds) {
        this.out = out;
        this.inPlace = inPlace;
        this.intervalNanos = (long) (intervalSeconds * 1e9);
    }

    /** Progress on System.err, redrawn in place when a console is attached. */
    public static Progress stderr() {
        return new Progress(System.err, System.console() != null, 5.0);
    }

    public static Progress quiet() {
        return new Progress(null, false, 0);
    }

    /** After each batch. {@code etaSeconds} covers the rest of the stage. */
    public void batch(String stage, int epoch, int epochs, int batch, int batches, String[] names, double[] terms,
                      double itemsPerSecond, double etaSeconds) {
        if (out == null) return;
        long now = System.nanoTime();
        boolean last = batch == batches;
        if (!inPlace && now - lastPrint < intervalNanos) return;
        if (inPlace && now - lastPrint < 100_000_000L && !last) return;
        lastPrint = now;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s epoch %d/%d batch %d/%d", stage, epoch, epochs, batch, batches));
        for (int i = 0; i < names.length; i++) sb.append(String.format(Locale.ROOT, " %s %.5f", names[i], terms[i]));
        sb.append(String.format(Locale.ROOT, " | %.0f items/s ETA %s", itemsPerSecond, clock(etaSeconds)));
        if (inPlace) {
            out.print("\r" + sb + "\033[K");
            dirty = true;
        } else {
            out.println(sb);
        }
        out.flush();
    }

    /** One line at the end of each epoch. */
    public void epoch(String stage, int epoch, int epochs, String[] names, double[] terms, double seconds,
                      double itemsPerSecond, double etaSeconds) {
        if (out == null) return;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s epoch %d/%d", stage, epoch, epochs));
        for (int i = 0; i < names.length; i++) sb.append(String.format(Locale.ROOT, " %s %.5f", names[i], terms[i]));
        sb.append(String.format(Locale.ROOT, " | %.1fs, %.0f items/s, ETA %s", seconds, itemsPerSecond, clock(etaSeconds)));
        line(sb.toString());
    }

    /** A free-form log line. */
    public void line(String s) {
        if (out == null) return;
        if (dirty) out.print("\r\033[K");
        dirty = false;
        out.println(s);
        out.flush();
    }

    static String clock(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) return "?";
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
