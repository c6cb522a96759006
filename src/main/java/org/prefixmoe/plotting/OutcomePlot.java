package org.prefixmoe.plotting;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.prefixmoe.simulation.Proportion;
import org.prefixmoe.simulation.Summary;

/**
 * The outcomes of over-specified fits against n (docs/theory.md §5, §6): per study, the fraction of fits
 * that split a true atom (the others switched their redundant atom off: an over-specified fit
 * always has a multi-atom cell, so the two fractions add up to one and the figure draws one of
 * them) and the fraction with {@code D_1} above the summary's threshold, each with its 95% Wilson
 * interval as a vertical bar. The colour is the study, the marker and line style the outcome;
 * each (study, outcome) is moved sideways by a few percent of n so that the intervals do not hide
 * each other. The x axis is logarithmic with powers of ten; the y axis is the fraction, 0 to 1.
 */
public final class OutcomePlot {
    /** Name suffix of the interval series (one per point, no legend entry). */
    static final String INTERVAL = " 95% interval at n = ";

    private OutcomePlot() {
    }

    /** One outcome kind: its legend words, marker, line and fraction. */
    private record Kind(String words, Marker marker, BasicStroke line, Function<Summary.Outcome, Proportion> fraction) {
    }

    /**
     * Draws the outcome fractions of the over-specified studies of a summary.
     *
     * @param title chart title
     * @param summary the summary (its outcomes and {@code D_1} threshold)
     * @return the chart, or null when no study is over-specified
     */
    public static XYChart chart(String title, Summary summary) {
        List<Summary.StudyInfo> studies = summary.studies().stream().filter(Summary.StudyInfo::overSpecified).toList();
        if (studies.isEmpty()) {
            return null;
        }
        String threshold = java.math.BigDecimal.valueOf(summary.options().d1Threshold()).stripTrailingZeros()
                .toPlainString();
        // Over-specified, every fit has a multi-atom cell: switched off = 1 − split, so one of the two suffices.
        List<Kind> kinds = List.of(
                new Kind("true atom split", SeriesMarkers.DIAMOND, SeriesLines.SOLID, Summary.Outcome::splitFraction),
                new Kind("D_1 > " + threshold, SeriesMarkers.SQUARE, SeriesLines.DOT_DOT,
                        Summary.Outcome::d1AboveFraction));
        int entries = studies.size() * kinds.size();
        XYChart chart = new PowerOfTenChart(new XYChartBuilder().width(900).height(520 + 21 * entries).title(title)
                .xAxisTitle("sample size n   (fraction of successful fits ± 95% Wilson interval;"
                        + " redundant atom switched off = 1 − split)")
                .yAxisTitle("fraction of fits"), true, false);
        RatePlot.style(chart);
        var st = chart.getStyler();
        st.setYAxisMin(0.0);
        st.setYAxisMax(1.0);
        st.setYAxisDecimalPattern("0.0");
        for (int i = 0; i < studies.size(); i++) {
            Summary.StudyInfo study = studies.get(i);
            Color color = RatePlot.color(i);
            List<Summary.Outcome> os = summary.outcomes(study.name()).stream().filter(o -> o.classified() > 0).toList();
            if (os.isEmpty()) {
                continue;
            }
            for (int k = 0; k < kinds.size(); k++) {
                Kind kind = kinds.get(k);
                double shift = Math.exp(0.02 * (i * kinds.size() + k - (entries - 1) / 2.0));
                List<Double> xs = new ArrayList<>();
                List<Double> ys = new ArrayList<>();
                for (Summary.Outcome o : os) {
                    Proportion p = kind.fraction().apply(o);
                    if (p.trials() == 0) {
                        continue;
                    }
                    double x = o.n() * shift;
                    xs.add(x);
                    ys.add(p.estimate());
                    XYSeries bar = chart.addSeries(study.name() + ", " + kind.words() + INTERVAL + o.n(),
                            new double[] {x, x}, new double[] {p.low(), p.high()});
                    bar.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                    bar.setMarker(SeriesMarkers.NONE);
                    bar.setLineColor(color);
                    bar.setLineWidth(1.2f);
                    bar.setLineStyle(SeriesLines.SOLID);
                    bar.setShowInLegend(false);
                }
                if (xs.isEmpty()) {
                    continue;
                }
                XYSeries s = chart.addSeries(study.name() + ": " + kind.words(), xs, ys);
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                s.setMarker(kind.marker());
                s.setMarkerColor(color);
                s.setLineColor(color);
                s.setLineStyle(kind.line());
                s.setLineWidth(1.4f);
            }
        }
        return chart;
    }
}
