package org.prefixmoe.plotting;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Axis;
import org.knowm.xchart.internal.chartpart.AxisPair;
import org.knowm.xchart.style.XYStyler;

/**
 * An XY chart whose logarithmic axes are labelled as powers of ten ({@code 10³}, {@code 10⁻²}),
 * as docs/theory.md §6 asks, instead of XChart's {@code 1E3}. XChart 3.8.8 formats logarithmic tick labels
 * with a decimal pattern only (a custom formatting function replaces the logarithmic ticks by
 * linear ones), so this chart keeps XChart's ticks, grid and label space, paints XChart's own
 * labels transparent, and draws the powers of ten itself at the decades inside the plot. Where an
 * axis shows fewer than two decades, 2·10^k and 5·10^k are labelled too (beside the y axis
 * all labels are then decimals, because XChart's label space is only as wide as its own). If the y axis cannot be
 * reached (it is package-private in XChart), its own labels are left visible.
 */
final class PowerOfTenChart extends XYChart {
    private static final Color TRANSPARENT = new Color(0, 0, 0, 0);
    private static final Method Y_AXIS = yAxisAccessor();

    private final Color labelColor;
    /** The tick labels drawn by the last paint, as "x:TEXT" or "y:TEXT" (for tests). */
    private final List<String> drawn = new ArrayList<>();
    private final boolean xLog;
    private final boolean yLog;

    PowerOfTenChart(XYChartBuilder builder, boolean xLog, boolean yLog) {
        super(builder);
        XYStyler st = getStyler();
        this.labelColor = st.getAxisTickLabelsColor();
        this.xLog = xLog;
        this.yLog = yLog && Y_AXIS != null;
        st.setXAxisLogarithmic(xLog);
        st.setYAxisLogarithmic(yLog);
        if (this.xLog) {
            st.setXAxisTickLabelsColor(TRANSPARENT);
        }
        if (this.yLog) {
            st.setYAxisTickLabelsColor(TRANSPARENT);
        }
    }

    private static Method yAxisAccessor() {
        try {
            Method m = AxisPair.class.getDeclaredMethod("getYAxis");
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public void paint(Graphics2D g, int width, int height) {
        super.paint(g, width, height);
        drawn.clear();
        Rectangle2D plotBounds = plot.getBounds();
        if (plotBounds == null || plotBounds.getWidth() <= 0) {
            return;
        }
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(labelColor);
        XYStyler st = getStyler();
        double gap = st.getAxisTickMarkLength() + st.getAxisTickPadding();
        if (xLog) {
            Axis<?, ?> x = axisPair.getXAxis();
            for (double v : labelledValues(x, plotBounds.getMinX(), plotBounds.getMaxX())) {
                drawLabel(g, v, x.getScreenValue(v), plotBounds.getMaxY() + gap, true, false);
            }
        }
        if (yLog) {
            try {
                Axis<?, ?> y = (Axis<?, ?>) Y_AXIS.invoke(axisPair);
                List<Double> values = labelledValues(y, plotBounds.getMinY(), plotBounds.getMaxY());
                // Beside the y axis there is only the room XChart kept for its own decimal labels:
                // on a short axis, whose labels include 2 and 5 times a decade, all are decimals.
                boolean plain = values.stream().anyMatch(v -> Math.abs(Math.log10(v) - Math.rint(Math.log10(v))) > 1e-9);
                for (double v : values) {
                    drawLabel(g, v, plotBounds.getMinX() - gap, y.getScreenValue(v), false, plain);
                }
            } catch (ReflectiveOperationException e) {
                // left unlabelled rather than fail a figure; XChart's labels are transparent here
            }
        }
    }

    /**
     * The tick labels the last {@link #paint} drew, e.g. {@code x:10^3} or {@code y:2×10^−2}.
     *
     * @return the labels, in drawing order
     */
    List<String> drawnLabels() {
        return List.copyOf(drawn);
    }

    /** The values to label: the decades inside the plot, and 2 and 5 times them when fewer than two fit. */
    private static List<Double> labelledValues(Axis<?, ?> axis, double screenLow, double screenHigh) {
        List<Double> decades = inside(axis, screenLow, screenHigh, new double[] {1});
        return decades.size() >= 2 ? decades : inside(axis, screenLow, screenHigh, new double[] {1, 2, 5});
    }

    private static List<Double> inside(Axis<?, ?> axis, double screenLow, double screenHigh, double[] mantissas) {
        List<Double> out = new ArrayList<>();
        for (int k = -30; k <= 30; k++) {
            for (double m : mantissas) {
                double v = m * Math.pow(10, k);
                double s = axis.getScreenValue(v);
                if (Double.isFinite(s) && s >= screenLow - 0.5 && s <= screenHigh + 0.5) {
                    out.add(v);
                }
            }
        }
        return out;
    }

    /**
     * Draws {@code 10^k} (or {@code m×10^k}) with a raised, smaller exponent: centred below
     * {@code (x, y)} on the x axis, right-aligned at {@code x} and centred on {@code y} on the y axis;
     * {@code plain} writes it as a decimal instead.
     */
    private void drawLabel(Graphics2D g, double value, double x, double y, boolean below, boolean plain) {
        int k = (int) Math.floor(Math.log10(value) + 1e-9);
        long mantissa = Math.round(value / Math.pow(10, k));
        String base = plain ? java.math.BigDecimal.valueOf(mantissa).scaleByPowerOfTen(k).stripTrailingZeros()
                .toPlainString() : mantissa == 1 ? "10" : mantissa + "×10";
        String exponent = plain ? "" : Integer.toString(k).replace('-', '−');
        Font font = getStyler().getAxisTickLabelsFont();
        Font small = font.deriveFont(font.getSize2D() * 0.75f);
        FontMetrics fm = g.getFontMetrics(font);
        FontMetrics sm = g.getFontMetrics(small);
        double width = fm.stringWidth(base) + sm.stringWidth(exponent) + 1;
        double raise = fm.getAscent() * 0.42;
        double left;
        double baseline;
        if (below) {
            left = x - width / 2;
            baseline = y + raise + fm.getAscent();
        } else {
            left = x - width;
            baseline = y + fm.getAscent() / 2.0 - 1;
        }
        drawn.add((below ? "x:" : "y:") + base + (exponent.isEmpty() ? "" : "^" + exponent));
        g.setFont(font);
        g.drawString(base, (float) left, (float) baseline);
        g.setFont(small);
        g.drawString(exponent, (float) (left + fm.stringWidth(base) + 1), (float) (baseline - raise));
    }
}
