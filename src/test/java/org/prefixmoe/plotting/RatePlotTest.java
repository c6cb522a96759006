package org.prefixmoe.plotting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.prefixmoe.simulation.RateFit;
import org.prefixmoe.simulation.Stats;
import org.prefixmoe.simulation.Theory;

class RatePlotTest {
    @TempDir
    Path dir;

    private static final double[] N = {1000, 10000, 100000};

    private static RatePlot.Series series(String name, String parameterization, String estimator) {
        Stats[] st = new Stats[3];
        double[] means = new double[3];
        for (int i = 0; i < 3; i++) {
            means[i] = Math.pow(N[i], -0.5);
            st[i] = Stats.of(new double[] {means[i] * 0.9, means[i], means[i] * 1.1});
        }
        return new RatePlot.Series(name, N, st, RateFit.ols(N, means),
                Theory.of(estimator, parameterization, true, "d1", 2));
    }

    @Test
    void writesPngAndSvgWithLabelledSlopes() throws IOException {
        RatePlot.Series s = series("shared-linear", "shared-linear", "least-squares");
        Path base = dir.resolve("fig");
        XYChart chart = RatePlot.chart("title", RatePlot.lossLabel("d1"), List.of(s));
        assertTrue(chart.getSeriesMap().keySet().stream().anyMatch(k -> k.contains("slope -0.50")),
                "the series is labelled with its slope: " + chart.getSeriesMap().keySet());
        assertTrue(chart.getSeriesMap().containsKey("theory: slope -1/2" + RatePlot.ANCHOR),
                chart.getSeriesMap().keySet().toString());
        assertTrue(chart.getSeriesMap().containsKey("shared-linear" + RatePlot.FIT_SUFFIX));
        assertFalse(chart.getSeriesMap().get("shared-linear" + RatePlot.FIT_SUFFIX).isShowInLegend());
        RatePlot.write(chart, base);
        assertTrue(Files.size(dir.resolve("fig.png")) > 1000);
        String svg = Files.readString(dir.resolve("fig.svg"));
        assertTrue(svg.contains("<svg"));
    }

    @Test
    void aStudyWithoutPredictedRateGetsPointsButNoFittedLine() {
        RatePlot.Series shared = series("shared-linear", "shared-linear", "least-squares");
        RatePlot.Series nonShared = series("non-shared", "non-shared", "least-squares");
        XYChart chart = RatePlot.chart("title", "y", List.of(shared, nonShared));
        var keys = chart.getSeriesMap().keySet();
        assertTrue(keys.contains("non-shared: no rate predicted"), keys.toString());
        assertFalse(keys.stream().anyMatch(k -> k.startsWith("non-shared") && k.endsWith(RatePlot.FIT_SUFFIX)),
                "no power law through a curve that has none: " + keys);
        assertTrue(keys.contains("shared-linear" + RatePlot.FIT_SUFFIX));
        // One legend entry per series and one per reference slope.
        assertEquals(3, chart.getSeriesMap().values().stream().filter(x -> x.isShowInLegend()).count(), keys.toString());
    }

    @Test
    void extrapolatedSlopesAreLabelledSo() {
        XYChart chart = RatePlot.chart("t", "y", List.of(series("em shared", "shared-linear", "em")));
        assertTrue(chart.getSeriesMap().containsKey("extrapolated: slope -1/2" + RatePlot.ANCHOR),
                chart.getSeriesMap().keySet().toString());
    }

    @Test
    void errorBarsUseTheTQuantile() {
        RatePlot.Series s = series("shared-linear", "shared-linear", "least-squares");
        XYChart chart = RatePlot.chart("t", "y", List.of(s));
        // Without bootstrap intervals: 3 replicates, t_{0.975, 2} = 4.302653 times sd/sqrt(3), not 1.96.
        XYSeries bar = chart.getSeriesMap().get("shared-linear" + RatePlot.BAR + "1000.0");
        double expected = 4.302653 * s.stats()[0].sd() / Math.sqrt(3);
        assertEquals(2 * expected, bar.getYData()[1] - bar.getYData()[0], 1e-6);
    }
}
