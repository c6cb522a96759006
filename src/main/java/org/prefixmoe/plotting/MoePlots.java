package org.prefixmoe.plotting;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.prefixmoe.simulation.RateFit;
import org.prefixmoe.simulation.Theory;
import org.prefixmoe.simulation.moe.MoeSummary;

/**
 * Rate figures of a family study: the mean loss over replicates against n for each study (and, in
 * a second figure, the loss with normalized weights), with the fitted slope and the theory's line.
 */
public final class MoePlots {
    private MoePlots() {
    }

    /**
     * Writes {@code NAME-loss} and {@code NAME-loss-normalized} (PNG and SVG) into a folder.
     *
     * @param summary the summary
     * @param dir the folder
     * @return the paths written, without extension
     */
    public static List<Path> write(MoeSummary summary, Path dir) {
        List<Path> out = new ArrayList<>();
        String name = summary.scenario().name();
        double slope = summary.scenario().theorySlope();
        Theory theory = Double.isNaN(slope) ? new Theory(Double.NaN, "none", Theory.Basis.NONE)
                : new Theory(slope, summary.scenario().theoryText(), Theory.Basis.THEORY);
        for (String metric : List.of("loss", "loss_normalized")) {
            List<RatePlot.Series> series = new ArrayList<>();
            for (MoeSummary.StudySummary st : summary.studies()) {
                MoeSummary.Metric m = st.metrics().get(metric);
                if (st.sizes().length == 0) {
                    continue;
                }
                series.add(new RatePlot.Series(st.study().name() + " (K = " + st.study().components() + ")", st.sizes(),
                        m.stats(), m.rates().get(RateFit.Centre.MEAN), theory));
            }
            if (series.isEmpty()) {
                continue;
            }
            String title = name + (metric.equals("loss") ? ": Voronoi loss (weights as fitted)"
                    : ": Voronoi loss (weights normalized to sum 1)");
            XYChart chart = RatePlot.chart(title, metric.equals("loss") ? "mean loss" : "mean normalized loss", series);
            Path base = dir.resolve(name + "-" + metric.replace('_', '-'));
            RatePlot.write(chart, base);
            out.add(base);
        }
        return out;
    }
}
