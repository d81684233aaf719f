package io.bsth.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SvgPlotTest {
    @TempDir
    Path tmp;

    @Test
    void writesOnePolylinePerSeriesInsideThePlotArea() throws Exception {
        SvgPlot p = new SvgPlot("loss <stage 2>", "epoch", "loss")
                .add("total", new double[] {1, 2, 3}, new double[] {3, 2, 1})
                .add("sign", new double[] {1, 2, 3}, new double[] {0.5, 0.25, 0.125});
        Path f = tmp.resolve("loss.svg");
        p.write(f);
        String svg = Files.readString(f);
        assertTrue(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assertTrue(svg.trim().endsWith("</svg>"));
        assertTrue(svg.contains("loss &lt;stage 2&gt;"), "title escaped");
        Matcher m = Pattern.compile("<polyline[^>]*points=\"([^\"]*)\"").matcher(svg);
        int lines = 0;
        while (m.find()) {
            lines++;
            String[] pts = m.group(1).split(" ");
            assertEquals(3, pts.length);
            for (String pt : pts) {
                String[] xy = pt.split(",");
                double x = Double.parseDouble(xy[0]), y = Double.parseDouble(xy[1]);
                assertTrue(x >= SvgPlot.LEFT - 0.01 && x <= SvgPlot.W - SvgPlot.RIGHT + 0.01, "x " + x);
                assertTrue(y >= SvgPlot.TOP - 0.01 && y <= SvgPlot.H - SvgPlot.BOTTOM + 0.01, "y " + y);
            }
        }
        assertEquals(2, lines);
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
