package org.prefixmoe.plotting;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.prefixmoe.simulation.Summary;

/**
 * Mean {@code D_1} of over-specified fits by outcome class against n (docs/theory.md §6): for each
 * study, the fits whose redundant atom was switched off (circles, solid) and the fits that split a
 * true atom (diamonds, dashed), each point the class's mean with a 95% percentile bootstrap
 * interval, joined point to point. No power law is fitted: the theory gives no rate for a class.
 * The legend gives each class's share of all classified fits and, for a study whose {@code D_1}
 * has a theory slope, the class's descriptive least-squares slope. Log–log, powers of ten.
 */
public final class OutcomeCurvePlot {
    private OutcomeCurvePlot() {
    }

    /**
     * Draws the curves of the over-specified studies of a summary.
     *
     * @param title chart title
     * @param summary the summary
     * @return the chart, or null when it has no outcome curves
     */
    public static XYChart chart(String title, Summary summary) {
        List<Summary.OutcomeCurvePoint> all = summary.outcomeCurves();
        if (all.isEmpty()) {
            return null;
        }
        List<String> studies = all.stream().map(p -> p.study().name()).distinct().toList();
        int entries = studies.size() * Summary.OUTCOME_CLASSES.size();
        XYChart chart = new PowerOfTenChart(new XYChartBuilder().width(900).height(540 + 21 * entries).title(title)
                .xAxisTitle("sample size n   (class mean ± 95% bootstrap interval; offset sideways; no fitted line)")
                .yAxisTitle("mean D_1 within the class"), true, true);
        RatePlot.style(chart);
        double nMin = Double.POSITIVE_INFINITY;
        double nMax = 0;
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = 0;
        int idx = 0;
        for (int i = 0; i < studies.size(); i++) {
            String st = studies.get(i);
            Color color = RatePlot.color(i);
            for (int c = 0; c < Summary.OUTCOME_CLASSES.size(); c++) {
                String cls = Summary.OUTCOME_CLASSES.get(c);
                double shift = RatePlot.offset(idx++, entries);
                List<Summary.OutcomeCurvePoint> ps = all.stream().filter(p -> p.study().name().equals(st)
                        && p.outcome().equals(cls) && p.mean() > 0).toList();
                if (ps.isEmpty()) {
                    continue;
                }
                List<Double> xs = new ArrayList<>();
                List<Double> ys = new ArrayList<>();
                int fits = 0;
                int classified = 0;
                for (Summary.OutcomeCurvePoint p : ps) {
                    double x = p.n() * shift;
                    xs.add(x);
                    ys.add(p.mean());
                    nMin = Math.min(nMin, x);
                    nMax = Math.max(nMax, x);
                    yMin = Math.min(yMin, p.mean());
                    yMax = Math.max(yMax, p.mean());
                    if (Double.isFinite(p.bootLow()) && p.bootHigh() > p.bootLow()) {
                        double lo = Math.max(p.bootLow(), 0.05 * p.mean());
                        yMin = Math.min(yMin, lo);
                        yMax = Math.max(yMax, p.bootHigh());
                        XYSeries b = chart.addSeries(st + ", " + cls + RatePlot.BAR + p.n(), new double[] {x, x},
                                new double[] {lo, p.bootHigh()});
                        b.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                        b.setMarker(SeriesMarkers.NONE);
                        b.setLineColor(color);
                        b.setLineWidth(1.2f);
                        b.setLineStyle(SeriesLines.SOLID);
                        b.setShowInLegend(false);
                    }
                }
                for (Summary.OutcomeCurvePoint p : all) {
                    if (p.study().name().equals(st) && p.outcome().equals(cls)) {
                        fits += p.fits();
                        classified += p.classified();
                    }
                }
                double slope = summary.outcomeCurveSlope(st, cls);
                String label = String.format(Locale.ROOT, "%s, %s: %d of %d fits (%.0f%%)%s", st,
                        cls.equals("split") ? "true atom split" : "redundant atom switched off", fits, classified,
                        100.0 * fits / Math.max(1, classified), Double.isFinite(slope)
                                ? String.format(Locale.ROOT, "; descriptive slope %.2f", slope) : "; no rate predicted");
                XYSeries s = chart.addSeries(label, xs, ys);
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                s.setMarker(c == 0 ? SeriesMarkers.CIRCLE : SeriesMarkers.DIAMOND);
                s.setMarkerColor(color);
                s.setLineColor(color);
                s.setLineStyle(c == 0 ? SeriesLines.SOLID : SeriesLines.DASH_DASH);
                s.setLineWidth(1.4f);
            }
        }
        if (nMax > 0) {
            RatePlot.decades(chart, nMin / 1.25, nMax * 1.25, yMin, yMax);
        }
        return chart;
    }
}
