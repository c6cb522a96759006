package org.prefixmoe.plotting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.prefixmoe.simulation.ResultsReader;
import org.prefixmoe.simulation.Scenario;
import org.prefixmoe.simulation.ScenarioFiles;
import org.prefixmoe.simulation.Summary;

/**
 * Renders every paper figure from its committed rows (no fit) and checks what can be checked
 * without looking at pixels: log axes over the data, the y axis labelled in at least two powers
 * of ten and nothing else, the largest n inside the x axis with its decade labelled, one legend
 * entry per study (slope, bootstrap interval and lack of fit where a rate is predicted, "no rate
 * predicted" and no fitted line where none is), solid fitted lines, theory lines that say where
 * they are anchored, and bootstrap error bars.
 */
class PaperFiguresRenderTest {
    @TestFactory
    Stream<DynamicTest> everyPaperFigureRenders() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("simulations"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                Scenario s = ScenarioFiles.read(f);
                Path results = Path.of("paper-figures", s.name(), "results.csv");
                if (s.figures().isEmpty() || !Files.isRegularFile(results)) {
                    continue;
                }
                tests.add(DynamicTest.dynamicTest(s.name(), () -> check(s, results)));
            }
        }
        assertTrue(tests.size() >= 7, "paper figures found: " + tests.size());
        return tests.stream();
    }

    private static void check(Scenario s, Path results) {
        Summary sum = Summary.of(ResultsReader.read(results, s).rows(),
                new Summary.Options(s.r(), s.baseline(), s.d1Threshold(), s.margin()));
        for (Scenario.Figure fig : s.figures()) {
            List<RatePlot.Series> series = RatePlot.series(sum, fig.losses(), "");
            if (series.isEmpty()) {
                continue;
            }
            XYChart chart = RatePlot.chart(fig.title(), "y", series);
            List<String> labels = paint(chart);
            String where = s.name() + "/" + fig.name() + ": ";
            assertTrue(chart.getStyler().isXAxisLogarithmic() && chart.getStyler().isYAxisLogarithmic(), where);
            List<String> y = labels.stream().filter(l -> l.startsWith("y:")).toList();
            assertTrue(y.size() >= 2, where + "y labels " + y);
            assertTrue(y.stream().allMatch(l -> l.matches("y:10\\^−?\\d+")), where + "y labels not powers of ten " + y);
            double nMax = series.stream().mapToDouble(x -> x.n()[x.n().length - 1]).max().orElseThrow();
            assertTrue(chart.getStyler().getXAxisMax() > nMax, where + "the largest n is inside the x axis");
            int decade = (int) Math.floor(Math.log10(nMax) + 1e-9);
            assertTrue(labels.contains("x:10^" + Integer.toString(decade).replace('-', '−')),
                    where + "decade of the largest n labelled: " + labels);
            for (RatePlot.Series x : series) {
                String legend = RatePlot.legendLabel(x);
                XYSeries pts = chart.getSeriesMap().get(legend);
                assertNotNull(pts, where + legend);
                assertTrue(pts.isShowInLegend());
                XYSeries line = chart.getSeriesMap().get(x.label() + RatePlot.FIT_SUFFIX);
                if (x.theory().hasSlope() && !Double.isFinite(x.fit().slope())) {
                    assertTrue(legend.endsWith("too few sizes for a slope"), where + legend);
                } else if (x.theory().hasSlope()) {
                    assertTrue(legend.contains(": slope ") && legend.contains("lack of fit"), where + legend);
                    assertNotNull(line, where + "fitted line of " + x.label());
                    assertTrue(line.getLineStyle().getDashArray() == null, where + "fitted lines are solid");
                } else {
                    assertTrue(legend.endsWith("no rate predicted"), where + legend);
                    assertTrue(line == null, where + "no fitted line through a curve without a rate");
                }
                assertNotNull(x.barLow(), where + "bootstrap bars");
                assertNotNull(chart.getSeriesMap().get(x.label() + RatePlot.BAR + x.n()[0]), where + "error bar");
            }
            long theory = chart.getSeriesMap().keySet().stream().filter(k -> k.endsWith(RatePlot.ANCHOR)).count();
            assertEquals(series.stream().filter(RatePlot::drawsFit).map(RatePlot::referenceLabel).distinct()
                    .count(), theory, where + "one anchored theory line per reference slope");
        }
        if (sum.hasOverSpecified()) {
            XYChart out = OutcomePlot.chart("t", sum);
            assertNotNull(out);
            paint(out);
            XYChart curves = OutcomeCurvePlot.chart("t", sum);
            assertNotNull(curves);
            List<String> labels = paint(curves);
            assertTrue(labels.stream().filter(l -> l.startsWith("y:")).allMatch(l -> l.matches("y:10\\^−?\\d+")),
                    s.name() + " outcome curves: " + labels);
            assertFalse(curves.getSeriesMap().keySet().stream().anyMatch(k -> k.startsWith("non-shared")
                    && k.contains("slope")), s.name() + ": no slope for non-shared classes");
        }
    }

    private static List<String> paint(XYChart chart) {
        BufferedImage img = new BufferedImage(chart.getWidth(), chart.getHeight(), BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = img.createGraphics();
        chart.paint(g, chart.getWidth(), chart.getHeight());
        g.dispose();
        return ((PowerOfTenChart) chart).drawnLabels();
    }
}
