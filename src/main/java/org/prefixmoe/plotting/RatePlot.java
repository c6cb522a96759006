package org.prefixmoe.plotting;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.prefixmoe.simulation.RateEvidence;
import org.prefixmoe.simulation.RateFit;
import org.prefixmoe.simulation.Stats;
import org.prefixmoe.simulation.Summary;
import org.prefixmoe.simulation.Theory;

/**
 * Log–log convergence-rate charts (docs/theory.md §6) with XChart: the mean loss against n for each series
 * with error bars, the fitted power law of each series (solid) labelled with its slope, 95%
 * bootstrap interval and lack of fit, and dashed theory reference lines. Written as PNG (for
 * reading) and SVG (for papers).
 *
 * <p>Error bars are 95% percentile bootstrap intervals of the mean (the means of over-specified
 * fits are heavy-tailed, so a symmetric t bar misstates them); a series without them (built
 * from statistics alone) gets 95% t intervals, ±t_{0.975, R−1}·sd/√R, cut at 5% of the mean below.
 * Series at the same n are moved sideways by a few percent of n so that their bars do not hide
 * each other. Each theory line is anchored at the smallest n, at the geometric mean of the means
 * there of the series it is compared with (so it starts on the data and shows only the slope);
 * the x-axis title says so. Both axes run over whole decades, labelled as powers of ten.
 *
 * <p>A series whose theory predicts no polynomial rate ({@link Theory.Basis#NONE}: over-specified
 * non-shared fits, docs/theory.md §5) gets its points and error bars but no fitted power law. The legend has
 * one entry per series (its slope and 95% bootstrap interval, the interval that decides the
 * verdict) and one per reference slope, labelled "theory" or "extrapolated"; the fitted lines
 * carry the series' colour and the loss's line style and have no legend entry of their own.
 */
public final class RatePlot {
    private static final Color[] PALETTE = {new Color(0, 114, 178), new Color(213, 94, 0), new Color(0, 158, 115),
        new Color(204, 121, 167), new Color(230, 159, 0), new Color(86, 180, 233), new Color(120, 120, 120)};

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private RatePlot() {
    }

    /**
     * One plotted series: a loss of a study.
     *
     * @param label legend text
     * @param n sample sizes
     * @param stats statistics per size
     * @param fit the fitted rate
     * @param theory the theory's prediction
     * @param group series of one group share a colour (e.g. the losses of one study)
     * @param style marker and line style within a group (e.g. the index of the loss)
     * @param barLow lower ends of the error bars (the mean's bootstrap interval), or null for t bars
     * @param barHigh upper ends of the error bars, or null
     * @param evidence the lack of fit of the fitted line, or null
     */
    public record Series(String label, double[] n, Stats[] stats, RateFit fit, Theory theory, String group,
                         int style, double[] barLow, double[] barHigh, RateEvidence evidence) {
        /**
         * A series with t error bars and no lack-of-fit measure.
         *
         * @param label legend text
         * @param n sample sizes
         * @param stats statistics per size
         * @param fit the fitted rate
         * @param theory the theory's prediction
         * @param group series of one group share a colour
         * @param style marker within a group
         */
        public Series(String label, double[] n, Stats[] stats, RateFit fit, Theory theory, String group, int style) {
            this(label, n, stats, fit, theory, group, style, null, null, null);
        }

        /**
         * A series with its own colour and the first style.
         *
         * @param label legend text
         * @param n sample sizes
         * @param stats statistics per size
         * @param fit the fitted rate
         * @param theory the theory's prediction
         */
        public Series(String label, double[] n, Stats[] stats, RateFit fit, Theory theory) {
            this(label, n, stats, fit, theory, label, 0);
        }
    }

    private static final org.knowm.xchart.style.markers.Marker[] MARKERS = {SeriesMarkers.CIRCLE,
        SeriesMarkers.DIAMOND, SeriesMarkers.SQUARE, SeriesMarkers.TRIANGLE_UP};
    /** Fitted lines are solid (theory lines are the dashed ones); the losses of a study differ by marker. */
    private static final BasicStroke FIT_LINE = SeriesLines.SOLID;
    private static final float[][] THEORY_DASHES = {{8f, 6f}, {2f, 4f}, {12f, 4f, 2f, 4f}};

    /**
     * Human-readable axis text of a loss column.
     *
     * @param metric the loss column
     * @return the axis title
     */
    public static String lossLabel(String metric) {
        return switch (metric) {
            case "d1" -> "mean Voronoi loss D_1(Ĝ_n, G*)";
            case "d2" -> "mean Voronoi loss D_2,r(Ĝ_n, G*)";
            case "regression" -> "mean ||f_Ĝ − f_G*||_L2(μ)";
            case "single" -> "mean error of atoms alone in a cell";
            case "multi" -> "mean largest error in multi-atom cells";
            case "multi_weighted" -> "mean weighted error in multi-atom cells";
            default -> metric;
        };
    }

    /**
     * Short legend text of a loss column.
     *
     * @param metric the loss column
     * @return the legend words
     */
    public static String lossShort(String metric) {
        return switch (metric) {
            case "single" -> "single-atom cells";
            case "multi" -> "multi-atom cells (plain)";
            case "multi_weighted" -> "multi-atom cells (weighted)";
            case "regression" -> "regression error";
            default -> metric.toUpperCase(Locale.ROOT).replace("D1", "D_1").replace("D2", "D_2");
        };
    }

    /**
     * Builds the series of every (study, loss) of a summary; the label holds the loss when several are shown.
     *
     * @param summary the summary
     * @param metrics the losses to show
     * @param prefix text put before each study's name (e.g. the results folder when several are plotted)
     * @return the series, by study and loss
     */
    public static List<Series> series(Summary summary, List<String> metrics, String prefix) {
        List<Series> out = new ArrayList<>();
        for (Summary.StudyInfo st : summary.studies()) {
            for (String m : metrics) {
                List<Summary.Cell> cells = summary.series(st.name(), m);
                if (cells.isEmpty()) {
                    continue;
                }
                double[] n = cells.stream().mapToDouble(Summary.Cell::n).toArray();
                Stats[] stats = cells.stream().map(Summary.Cell::stats).toArray(Stats[]::new);
                Summary.Rate rate = summary.rate(st.name(), m).orElseThrow();
                String label = prefix + st.name() + (metrics.size() > 1 ? ", " + lossShort(m) : "");
                double[] lo = cells.stream().mapToDouble(Summary.Cell::bootLow).toArray();
                double[] hi = cells.stream().mapToDouble(Summary.Cell::bootHigh).toArray();
                out.add(new Series(label, n, stats, rate.fit(), rate.theory(), prefix + st.name(),
                        metrics.indexOf(m), lo, hi, rate.evidence()));
            }
        }
        return out;
    }

    /**
     * Draws the chart.
     *
     * @param title chart title
     * @param yLabel y-axis title
     * @param series the series, in legend order
     * @return the chart, log–log with tick labels as powers of ten
     */
    public static XYChart chart(String title, String yLabel, List<Series> series) {
        int legendRows = series.size() + (int) series.stream().filter(x -> x.theory().hasSlope())
                .map(RatePlot::referenceLabel).distinct().count();
        XYChart chart = new PowerOfTenChart(new XYChartBuilder().width(900).height(540 + 21 * legendRows)
                .title(title).xAxisTitle(X_TITLE).yAxisTitle(yLabel), true, true);
        style(chart);
        double nMin = Double.POSITIVE_INFINITY;
        double nMax = 0;
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = 0;
        // reference label -> {slope, sum of log first means, count, smallest n}
        Map<String, double[]> theoryAnchors = new LinkedHashMap<>();
        List<String> groupOrder = series.stream().map(Series::group).distinct().toList();
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            Color color = PALETTE[groupOrder.indexOf(s.group()) % PALETTE.length];
            double shift = offset(i, series.size());
            double[] x = new double[s.n.length];
            double[] mean = new double[s.n.length];
            for (int k = 0; k < s.n.length; k++) {
                x[k] = s.n[k] * shift;
                mean[k] = s.stats[k].mean();
                double[] bar = bar(s, k);
                nMin = Math.min(nMin, x[k]);
                nMax = Math.max(nMax, x[k]);
                if (mean[k] > 0) {
                    yMin = Math.min(yMin, Math.min(mean[k], bar[0]));
                    yMax = Math.max(yMax, Math.max(mean[k], bar[1]));
                }
                if (bar[1] > bar[0]) {
                    XYSeries b = chart.addSeries(s.label + BAR + s.n[k], new double[] {x[k], x[k]}, bar);
                    b.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                    b.setMarker(SeriesMarkers.NONE);
                    b.setLineColor(color);
                    b.setLineWidth(1.2f);
                    b.setLineStyle(SeriesLines.SOLID);
                    b.setShowInLegend(false);
                }
            }
            XYSeries pts = chart.addSeries(legendLabel(s), x, mean);
            pts.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            pts.setMarker(MARKERS[s.style() % MARKERS.length]);
            pts.setMarkerColor(color);
            pts.setLineColor(color);
            if (drawsFit(s)) {
                double[] xs = {s.n[0], s.n[s.n.length - 1]};
                double[] ys = {s.fit.predict(xs[0]), s.fit.predict(xs[1])};
                XYSeries line = chart.addSeries(s.label + FIT_SUFFIX, xs, ys);
                line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                line.setMarker(SeriesMarkers.NONE);
                line.setLineColor(color);
                line.setLineWidth(1.6f);
                line.setLineStyle(FIT_LINE);
                line.setShowInLegend(false);
                double[] a = theoryAnchors.computeIfAbsent(referenceLabel(s),
                        key -> new double[] {s.theory.slope(), 0, 0, Double.POSITIVE_INFINITY, 0});
                a[1] += Math.log(mean[0]);
                a[2] += 1;
                a[3] = Math.min(a[3], s.n[0]);
                a[4] = Math.max(a[4], s.n[s.n.length - 1]);
            }
        }
        int k = 0;
        for (var e : theoryAnchors.entrySet()) {
            double[] a = e.getValue();
            // Anchored at the smallest n on the geometric mean of the compared series' first means.
            double at = Math.exp(a[1] / a[2]);
            double[] xs = {a[3], a[4]};
            double[] ys = {at, at * Math.pow(a[4] / a[3], a[0])};
            yMin = Math.min(yMin, ys[1]);
            XYSeries ref = chart.addSeries(e.getKey() + ANCHOR, xs, ys);
            ref.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            ref.setMarker(SeriesMarkers.NONE);
            ref.setLineColor(Color.BLACK);
            ref.setLineWidth(1.4f);
            ref.setLineStyle(new BasicStroke(1.4f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                    THEORY_DASHES[k++ % THEORY_DASHES.length], 0f));
        }
        if (nMax > 0) {
            decades(chart, nMin / 1.25, nMax * 1.25, yMin, yMax);
        }
        return chart;
    }

    /** The x-axis title: what the points, bars and lines are, and where the theory lines are anchored. */
    static final String X_TITLE = "sample size n   (mean ± 95% bootstrap interval; series offset sideways;"
            + " solid: fitted power law)";

    /** Words after a reference line's legend label: its style and where it is anchored. */
    static final String ANCHOR = " (dashed, from the mean at the smallest n)";

    /** Name infix of an error-bar series (one per point, no legend entry). */
    static final String BAR = " 95% interval at n = ";

    /** The sideways factor of the i-th of m series: a few percent of n, centred. */
    static double offset(int i, int m) {
        return Math.exp(0.025 * (i - (m - 1) / 2.0));
    }

    /** The error bar of point k: the bootstrap interval when given, else the t interval (cut above 0). */
    static double[] bar(Series s, int k) {
        double mean = s.stats[k].mean();
        if (s.barLow() != null && Double.isFinite(s.barLow()[k]) && Double.isFinite(s.barHigh()[k])) {
            return new double[] {Math.max(s.barLow()[k], 0.05 * mean), s.barHigh()[k]};
        }
        double half = s.stats[k].meanHalfWidth95();
        double h = Double.isFinite(half) ? Math.min(half, 0.95 * mean) : 0;
        return new double[] {mean - h, mean + h};
    }

    /**
     * Sets the x axis a little beyond the data (so that the largest n, often a power of ten, is
     * inside and labelled) and the y axis to whole decades around it (so that it always shows at
     * least two labelled powers of ten).
     */
    static void decades(XYChart chart, double xLow, double xHigh, double yLow, double yHigh) {
        var st = chart.getStyler();
        st.setXAxisMin(xLow);
        st.setXAxisMax(xHigh);
        if (yLow > 0 && Double.isFinite(yLow) && yHigh > 0) {
            st.setYAxisMin(Math.pow(10, Math.floor(Math.log10(yLow))));
            st.setYAxisMax(Math.pow(10, Math.ceil(Math.log10(yHigh))));
        }
    }

    /** The colour of the i-th study (a colour-blind-safe palette, repeating after seven). */
    static Color color(int i) {
        return PALETTE[i % PALETTE.length];
    }

    /** The shared look of the project's charts: white background, light grid, legend below. */
    static void style(XYChart chart) {
        var st = chart.getStyler();
        st.setLegendPosition(Styler.LegendPosition.OutsideS);
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setPlotGridLinesColor(new Color(225, 225, 225));
        st.setErrorBarsColorSeriesColor(true);
        st.setMarkerSize(7);
        st.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
        st.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        st.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        st.setLegendBorderColor(Color.WHITE);
        // XChart keeps room for its own (transparent) labels: wide ones, so that the powers of ten
        // drawn there never reach the y-axis title.
        st.setYAxisDecimalPattern("0.000E0");
        st.setAntiAlias(true);
    }

    /** Name suffix of a fitted-line series (it has no legend entry). */
    static final String FIT_SUFFIX = " (fitted line)";

    /**
     * Whether a series gets a fitted power law: only where the theory predicts a polynomial rate
     * (docs/theory.md §5: none through a curve that has none) and a slope could be fitted.
     */
    static boolean drawsFit(Series s) {
        return s.theory().hasSlope() && Double.isFinite(s.fit().slope());
    }

    /** The legend text of a series: its slope with the 95% bootstrap interval, or why there is no line. */
    static String legendLabel(Series s) {
        if (!s.theory().hasSlope()) {
            return s.label() + ": no rate predicted";
        }
        if (!Double.isFinite(s.fit().slope())) {
            return s.label() + ": too few sizes for a slope";
        }
        RateFit f = s.fit();
        String ci = Double.isFinite(f.bootLow()) ? String.format(Locale.ROOT, " [%.2f, %.2f]", f.bootLow(), f.bootHigh())
                : Double.isFinite(f.low()) ? String.format(Locale.ROOT, " [%.2f, %.2f] (t)", f.low(), f.high()) : "";
        RateEvidence e = s.evidence();
        String fit = e == null || !Double.isFinite(e.lackOfFitP()) ? ""
                : String.format(Locale.ROOT, "; lack of fit χ² %.1f on %d df, p %s%s", e.chiSquare(),
                        e.degreesOfFreedom(), e.lackOfFitP() < 0.001 ? "< 0.001"
                                : String.format(Locale.ROOT, "= %.2f", e.lackOfFitP()), e.lacksFit() ? " (not a line)" : "");
        return String.format(Locale.ROOT, "%s: slope %.2f%s%s", s.label(), f.slope(), ci, fit);
    }

    /** The legend text of a reference line: its basis (theory or extrapolated) and slope. */
    static String referenceLabel(Series s) {
        return s.theory().basis().label() + ": slope " + s.theory().text();
    }

    /**
     * Writes {@code base.png} (144 dpi) and {@code base.svg}.
     *
     * @param chart the chart
     * @param base the path without extension
     */
    public static void write(XYChart chart, Path base) {
        try {
            Path abs = base.toAbsolutePath();
            Files.createDirectories(abs.getParent());
            // Written beside the target under a hidden name, then renamed: never a half-written figure.
            Path tmp = org.prefixmoe.io.AtomicFiles.temporarySibling(abs);
            try {
                BitmapEncoder.saveBitmapWithDPI(chart, tmp + ".png", BitmapEncoder.BitmapFormat.PNG, 144);
                org.prefixmoe.io.AtomicFiles.replace(Path.of(tmp + ".png"), Path.of(abs + ".png"));
                VectorGraphicsEncoder.saveVectorGraphic(chart, tmp + ".svg",
                        VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
                org.prefixmoe.io.AtomicFiles.replace(Path.of(tmp + ".svg"), Path.of(abs + ".svg"));
            } finally {
                Files.deleteIfExists(Path.of(tmp + ".png"));
                Files.deleteIfExists(Path.of(tmp + ".svg"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plot " + base + ": " + e.getMessage(), e);
        }
    }
}
