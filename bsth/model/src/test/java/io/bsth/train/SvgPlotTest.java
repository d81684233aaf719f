package io.bsth.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SvgPlotTest {
    @TempDir
    Path tmp;

    static List<String> labels(SvgPlot.Axis a) {
        List<String> l = new ArrayList<>();
        for (double t : a.ticks()) l.add(a.label(t));
        return l;
    }

    @Test
    void stepsAreOneTwoOrFiveTimesAPowerOfTen() {
        assertEquals(1, SvgPlot.niceStep(0.7), 1e-12);
        assertEquals(2, SvgPlot.niceStep(1.2), 1e-12);
        assertEquals(5, SvgPlot.niceStep(2.5), 1e-12);
        assertEquals(10, SvgPlot.niceStep(5.8), 1e-12);
        assertEquals(0.05, SvgPlot.niceStep(0.042), 1e-12);
        assertEquals(0.2, SvgPlot.niceStep(0.2), 1e-12);
    }

    @Test
    void linearTicksAreRoundAndCoverTheData() {
        // the PR curve: recall 0.042 .. 1 -> 0 .. 1 by 0.2 (not 0.042, 0.234, ...)
        assertEquals(List.of("0.0", "0.2", "0.4", "0.6", "0.8", "1.0"), labels(SvgPlot.linearAxis(0.042, 1, false)));
        // losses 0.31 .. 0.47 -> 0.30 .. 0.50 by 0.05
        assertEquals(List.of("0.30", "0.35", "0.40", "0.45", "0.50"), labels(SvgPlot.linearAxis(0.31, 0.47, false)));
        assertEquals(List.of("-10", "-5", "0", "5", "10", "15"), labels(SvgPlot.linearAxis(-7, 13, false)));
        SvgPlot.Axis flat = SvgPlot.linearAxis(5, 5, false);
        assertTrue(flat.lo() < 5 && flat.hi() > 5);
    }

    @Test
    void integerAxesTickWholeNumbers() {
        // epochs 1 .. 15: 0, 5, 10, 15 (not 3.80, 6.60, ...)
        assertEquals(List.of("0", "5", "10", "15"), labels(SvgPlot.linearAxis(1, 15, true)));
        assertEquals(List.of("0", "10", "20", "30"), labels(SvgPlot.linearAxis(1, 30, true)));
        // two epochs: never a step below 1
        assertEquals(List.of("1", "2"), labels(SvgPlot.linearAxis(1, 2, true)));
        assertEquals(List.of("0", "200", "400", "600", "800", "1000"), labels(SvgPlot.linearAxis(50, 1000, true)));
    }

    @Test
    void logTicksArePlainNumbersAtOneTwoFive() {
        // a loss from 1.26 down to 0.34 -> 0.2 .. 2 (not 1e0.102, 1e-0.467)
        SvgPlot.Axis a = SvgPlot.logAxis(0.34, 1.26);
        assertEquals(List.of("0.2", "0.5", "1", "2"), labels(a));
        assertEquals(0, a.frac(0.2), 1e-12);
        assertEquals(1, a.frac(2), 1e-12);
        assertEquals(List.of("0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1", "2", "5"), labels(SvgPlot.logAxis(0.013, 4.1)));
        // wide ranges: powers of ten only
        assertEquals(List.of("1e-6", "1e-5", "0.0001", "0.001", "0.01", "0.1", "1"), labels(SvgPlot.logAxis(3e-6, 0.9)));
        assertArrayEquals(new double[] {10, 20}, SvgPlot.logAxis(12, 18).ticks(), 1e-9);
    }

    @Test
    void writesOnePolylinePerSeriesInsideThePlotArea() throws Exception {
        SvgPlot p = new SvgPlot("loss <stage 2>", "epoch", "loss").integerX(true).logY(true)
                .add("total", new double[] {1, 2, 3}, new double[] {3, 2, 1})
                .add("sign", new double[] {1, 2, 3}, new double[] {0.5, 0.25, 0.125});
        Path f = tmp.resolve("loss.svg");
        p.write(f);
        String svg = Files.readString(f);
        assertTrue(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assertTrue(svg.trim().endsWith("</svg>"));
        assertTrue(svg.contains("loss &lt;stage 2&gt;"), "title escaped");
        Matcher frame = Pattern.compile("<rect x=\"(\\d+)\" y=\"(\\d+)\" width=\"(\\d+)\" height=\"(\\d+)\"").matcher(svg);
        assertTrue(frame.find());
        int left = Integer.parseInt(frame.group(1)), top = Integer.parseInt(frame.group(2));
        int right = left + Integer.parseInt(frame.group(3)), bottom = top + Integer.parseInt(frame.group(4));
        Matcher m = Pattern.compile("<polyline[^>]*points=\"([^\"]*)\"").matcher(svg);
        int lines = 0;
        while (m.find()) {
            lines++;
            String[] pts = m.group(1).split(" ");
            assertEquals(3, pts.length);
            for (String pt : pts) {
                String[] xy = pt.split(",");
                double x = Double.parseDouble(xy[0]), y = Double.parseDouble(xy[1]);
                assertTrue(x >= left - 0.01 && x <= right + 0.01, "x " + x);
                assertTrue(y >= top - 0.01 && y <= bottom + 0.01, "y " + y);
            }
        }
        assertEquals(2, lines);
        // y tick labels end 6 px left of the frame; the widest must start right of the rotated y title (x 10..22)
        Matcher ticks = Pattern.compile("<text x=\"(\\d+)\" y=\"[\\d.]+\" text-anchor=\"end\">([^<]*)</text>").matcher(svg);
        int widest = 0;
        while (ticks.find()) {
            assertEquals(left - 6, Integer.parseInt(ticks.group(1)));
            widest = Math.max(widest, ticks.group(2).length());
        }
        assertTrue(left - 6 - 7 * widest > 22 + 4, "tick labels clear of the y title");
        assertFalse(svg.contains(">1e0."), "no fractional exponents");
    }

    @Test
    void logScaleDropsNonPositiveValuesAndFlatSeriesStillRender() {
        String svg = new SvgPlot("t", "x", "y").logY(true)
                .add("a", new double[] {1, 2, 3}, new double[] {0, 10, 100}).render();
        Matcher m = Pattern.compile("points=\"([^\"]*)\"").matcher(svg);
        assertTrue(m.find());
        assertEquals(2, m.group(1).split(" ").length);
        String flat = new SvgPlot("t", "x", "y").add("c", new double[] {1, 2}, new double[] {5, 5}).render();
        assertFalse(flat.contains("NaN"));
    }
}
