package org.prefixmoe.plotting;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.prefixmoe.simulation.Scenario;
import org.prefixmoe.simulation.Summary;

/** Draws the figures a scenario declares (or default ones) from its summary. */
public final class Figures {
    private Figures() {
    }

    /**
     * The figures drawn when a scenario declares none: mean D_1 and the regression error.
     *
     * @param scenarioName the scenario's name (the files' prefix)
     * @return the two figures
     */
    public static List<Scenario.Figure> defaults(String scenarioName) {
        return List.of(new Scenario.Figure(scenarioName + "-d1", scenarioName + ": mean D_1 against n", List.of("d1")),
                new Scenario.Figure(scenarioName + "-regression", scenarioName + ": regression error against n",
                        List.of("regression")));
    }

    /**
     * Draws the outcome figure of a scenario with an over-specified study (see {@link OutcomePlot})
     * as {@code dir/NAME-outcomes.png} and {@code .svg}.
     *
     * @param summary the scenario's summary
     * @param scenarioName the scenario's name (the file's prefix and the title's)
     * @param dir the folder
     * @return the base path written, or null when no study is over-specified
     */
    public static Path drawOutcomes(Summary summary, String scenarioName, Path dir) {
        XYChart chart = OutcomePlot.chart(scenarioName + ": how the over-specified fits ended", summary);
        if (chart == null) {
            return null;
        }
        Path base = dir.resolve(scenarioName + "-outcomes");
        RatePlot.write(chart, base);
        return base;
    }

    /**
     * Draws the mean {@code D_1} by outcome class of the over-specified studies (see
     * {@link OutcomeCurvePlot}) as {@code dir/NAME-d1-by-outcome.png} and {@code .svg}.
     *
     * @param summary the scenario's summary
     * @param scenarioName the scenario's name
     * @param dir the folder
     * @return the base path written, or null when no study is over-specified
     */
    public static Path drawOutcomeCurves(Summary summary, String scenarioName, Path dir) {
        XYChart chart = OutcomeCurvePlot.chart(scenarioName + ": mean D_1 by how the over-specified fits ended",
                summary);
        if (chart == null) {
            return null;
        }
        Path base = dir.resolve(scenarioName + "-d1-by-outcome");
        RatePlot.write(chart, base);
        return base;
    }

    /**
     * Draws each figure as {@code dir/NAME.png} and {@code dir/NAME.svg}; returns the base paths.
     * A figure whose losses have no data is skipped.
     *
     * @param summary the scenario's summary
     * @param figures the figures to draw
     * @param dir the folder
     * @return the base paths written
     */
    public static List<Path> draw(Summary summary, List<Scenario.Figure> figures, Path dir) {
        List<Path> out = new ArrayList<>();
        for (Scenario.Figure f : figures) {
            List<RatePlot.Series> series = RatePlot.series(summary, f.losses(), "");
            if (series.isEmpty()) {
                continue;
            }
            String y = f.losses().size() == 1 ? RatePlot.lossLabel(f.losses().get(0)) : "mean atom error";
            XYChart chart = RatePlot.chart(f.title(), y, series);
            Path base = dir.resolve(f.name());
            RatePlot.write(chart, base);
            out.add(base);
        }
        return out;
    }
}
