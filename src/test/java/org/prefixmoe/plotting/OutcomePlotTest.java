package org.prefixmoe.plotting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.prefixmoe.simulation.ResultRow;
import org.prefixmoe.simulation.Summary;

class OutcomePlotTest {
    @TempDir
    Path dir;

    private static ResultRow row(String study, int atoms, int n, int rep, double d1, String redundancy) {
        String[] v = new String[ResultRow.COLUMNS.size()];
        java.util.Arrays.fill(v, "");
        java.util.function.BiConsumer<String, Object> set = (c, x) -> v[ResultRow.COLUMNS.indexOf(c)] = x.toString();
        set.accept("study", study);
        set.accept("parameterization", "shared-linear");
        set.accept("estimator", "least-squares");
        set.accept("L", atoms);
        set.accept("L_star", 2);
        set.accept("n", n);
        set.accept("replicate", rep);
        set.accept("status", "ok");
        set.accept("stop_reason", "objective-change");
        set.accept("d1", d1);
        set.accept("redundancy", redundancy);
        set.accept("empty_cells", 0);
        return new ResultRow(v);
    }

    @Test
    void fractionsOfOverSpecifiedStudiesWithWilsonBars() throws Exception {
        List<ResultRow> rows = new ArrayList<>();
        for (int n : new int[] {1000, 10000}) {
            for (int k = 0; k < 10; k++) {
                rows.add(row("over", 3, n, k, k < 4 ? 0.5 : 0.01, k < 3 ? "split" : "switched-off"));
                rows.add(row("exact", 2, n, k, 0.01, "none"));
            }
        }
        Summary s = Summary.of(rows);
        XYChart chart = OutcomePlot.chart("t", s);
        var legend = chart.getSeriesMap().values().stream().filter(XYSeries::isShowInLegend).map(XYSeries::getName)
                .toList();
        assertEquals(List.of("over: true atom split", "over: D_1 > 0.1"), legend, "no entry for the exact study");
        XYSeries split = chart.getSeriesMap().get("over: true atom split");
        assertEquals(0.3, split.getYData()[0], 1e-15);
        XYSeries bar = chart.getSeriesMap().get("over, true atom split" + OutcomePlot.INTERVAL + 1000);
        assertNotNull(bar, chart.getSeriesMap().keySet().toString());
        var wilson = org.prefixmoe.simulation.Proportion.wilson(3, 10);
        assertEquals(wilson.low(), bar.getYData()[0], 1e-15);
        assertEquals(wilson.high(), bar.getYData()[1], 1e-15);
        assertEquals(0.4, chart.getSeriesMap().get("over: D_1 > 0.1").getYData()[1], 1e-15);

        Path base = Figures.drawOutcomes(s, "sc", dir);
        assertTrue(base.getFileName().toString().contains("outcome"));
        assertTrue(Files.size(dir.resolve("sc-outcomes.png")) > 1000);
        assertTrue(Files.exists(dir.resolve("sc-outcomes.svg")));
    }

    @Test
    void noFigureWithoutAnOverSpecifiedStudy() {
        List<ResultRow> rows = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            rows.add(row("exact", 2, 1000, k, 0.01, "none"));
        }
        assertNull(OutcomePlot.chart("t", Summary.of(rows)));
        assertNull(Figures.drawOutcomes(Summary.of(rows), "sc", dir));
    }
}
