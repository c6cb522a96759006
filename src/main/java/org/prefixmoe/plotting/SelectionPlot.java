package org.prefixmoe.plotting;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.prefixmoe.simulation.Proportion;
import org.prefixmoe.simulation.SelectionStudy;

/**
 * How often each rule of {@link SelectionStudy} picks L* against n (docs/theory.md §9): one line per
 * rule, the fraction of replicates with a 95% Wilson interval as a vertical bar at each n, each rule
 * moved sideways by a few percent of n. The x axis is logarithmic with powers of ten.
 */
public final class SelectionPlot {
    private SelectionPlot() {
    }

    /**
     * Draws the chart.
     *
     * @param title the title
     * @param rows the study's rows
     * @param target L*
     * @return the chart
     */
    public static XYChart chart(String title, List<SelectionStudy.Row> rows, int target) {
        XYChart chart = new PowerOfTenChart(new XYChartBuilder().width(900).height(560).title(title)
                .xAxisTitle("sample size n   (fraction of replicates ± 95% Wilson interval)")
                .yAxisTitle("fraction that picked L* = " + target), true, false);
        RatePlot.style(chart);
        var st = chart.getStyler();
        st.setYAxisMin(0.0);
        st.setYAxisMax(1.0);
        st.setYAxisDecimalPattern("0.0");
        List<Integer> sizes = rows.stream().map(SelectionStudy.Row::n).distinct().toList();
        Marker[] markers = {SeriesMarkers.CIRCLE, SeriesMarkers.DIAMOND, SeriesMarkers.SQUARE};
        int rules = SelectionStudy.RULES.size();
        for (int k = 0; k < rules; k++) {
            String rule = SelectionStudy.RULES.get(k);
            Color color = RatePlot.color(k);
            double shift = Math.exp(0.02 * (k - (rules - 1) / 2.0));
            List<Proportion> hits = SelectionStudy.hits(rows, rule, target);
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int i = 0; i < sizes.size(); i++) {
                double x = sizes.get(i) * shift;
                Proportion p = hits.get(i);
                xs.add(x);
                ys.add(p.estimate());
                XYSeries bar = chart.addSeries(rule + " interval at n = " + sizes.get(i), new double[] {x, x},
                        new double[] {p.low(), p.high()});
                bar.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                bar.setMarker(SeriesMarkers.NONE);
                bar.setLineColor(color);
                bar.setLineWidth(1.2f);
                bar.setLineStyle(SeriesLines.SOLID);
                bar.setShowInLegend(false);
            }
            XYSeries s = chart.addSeries(rule, xs, ys);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            s.setMarker(markers[k % markers.length]);
            s.setMarkerColor(color);
            s.setLineColor(color);
            s.setLineWidth(1.4f);
        }
        return chart;
    }
}
