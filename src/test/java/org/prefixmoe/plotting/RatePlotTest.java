package org.prefixmoe.plotting;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.prefixmoe.simulation.RateFit;
import org.prefixmoe.simulation.Stats;
import org.prefixmoe.simulation.Theory;

class RatePlotTest {
    @TempDir
    Path dir;

    @Test
    void writesPngAndSvgWithLabelledSlopes() throws IOException {
        double[] n = {1000, 10000, 100000};
        Stats[] st = new Stats[3];
        double[] means = new double[3];
        for (int i = 0; i < 3; i++) {
            means[i] = Math.pow(n[i], -0.5);
            st[i] = Stats.of(new double[] {means[i] * 0.9, means[i], means[i] * 1.1});
        }
        RatePlot.Series s = new RatePlot.Series("shared-linear", n, st, RateFit.ols(n, means),
                Theory.of("shared-linear", true, "d1"));
        Path base = dir.resolve("fig");
        org.knowm.xchart.XYChart chart = RatePlot.chart("title", RatePlot.lossLabel("d1"), List.of(s));
        assertTrue(chart.getSeriesMap().keySet().stream().anyMatch(k -> k.contains("slope -0.50")),
                "the fitted line is labelled with its slope: " + chart.getSeriesMap().keySet());
        assertTrue(chart.getSeriesMap().containsKey("theory: slope -1/2"));
        RatePlot.write(chart, base);
        assertTrue(Files.size(dir.resolve("fig.png")) > 1000);
        String svg = Files.readString(dir.resolve("fig.svg"));
        assertTrue(svg.contains("<svg"));
    }
}
