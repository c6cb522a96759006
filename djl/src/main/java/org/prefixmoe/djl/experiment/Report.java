package org.prefixmoe.djl.experiment;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;
import org.prefixmoe.djl.train.Method;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Summarizes adaptation runs per method and writes the CSV table, the Markdown table and the bar chart. */
public final class Report {

    private Report() {}

    /**
     * A learning rate as a plain decimal ({@code 0.0003} rather than {@code 3.0E-4}).
     *
     * @param lr learning rate
     * @return text
     */
    public static String lr(float lr) {
        return new java.math.BigDecimal(Float.toString(lr)).stripTrailingZeros().toPlainString();
    }

    /**
     * Per-method summary over seeds.
     *
     * @param method method
     * @param runs number of seeds
     * @param meanAccuracy mean test accuracy
     * @param sdAccuracy sample standard deviation of test accuracy (n-1)
     * @param trainableParameters trained scalars
     * @param deployedParameters stored scalars after folding
     * @param meanTrainSeconds mean training wall time per run
     * @param meanSecondsPerEpoch mean epoch wall time
     * @param totalSeconds training + evaluation wall time summed over seeds
     * @param pairedDiffMean mean over seeds of (accuracy − no-share accuracy of the same seed), NaN without no-share
     * @param pairedDiffSd sample sd of that paired difference
     * @param winsOverNoShare seeds on which the method beat no-share (same seed = same 1K subset)
     * @param pairs number of seeds with both results
     */
    public record Row(Method method, int runs, double meanAccuracy, double sdAccuracy, long trainableParameters,
                      long deployedParameters, double meanTrainSeconds, double meanSecondsPerEpoch,
                      double totalSeconds, double pairedDiffMean, double pairedDiffSd, int winsOverNoShare,
                      int pairs) {}

    /**
     * Groups runs by method, in the order of {@code methods}.
     *
     * @param methods order of rows
     * @param results all runs
     * @return one row per method with at least one run
     */
    public static List<Row> summarize(List<Method> methods, List<Adaptation.Result> results) {
        List<Row> rows = new ArrayList<>();
        for (Method m : methods) {
            List<Adaptation.Result> rs = results.stream().filter(r -> r.method() == m).toList();
            if (rs.isEmpty()) {
                continue;
            }
            int n = rs.size();
            double mean = rs.stream().mapToDouble(Adaptation.Result::accuracy).average().orElse(Double.NaN);
            double ss = rs.stream().mapToDouble(r -> (r.accuracy() - mean) * (r.accuracy() - mean)).sum();
            double sd = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
            // Paired with no-share on the same seed: same 1K subset and batch order, so the seed-to-seed
            // variation of the data cancels out of the difference.
            List<Double> diffs = new ArrayList<>();
            int wins = 0;
            for (Adaptation.Result r : rs) {
                for (Adaptation.Result b : results) {
                    if (b.method() == Method.NO_SHARE && b.seed() == r.seed()) {
                        diffs.add(r.accuracy() - b.accuracy());
                        wins += r.accuracy() > b.accuracy() ? 1 : 0;
                    }
                }
            }
            double dm = diffs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double dss = diffs.stream().mapToDouble(x -> (x - dm) * (x - dm)).sum();
            double dsd = diffs.size() > 1 ? Math.sqrt(dss / (diffs.size() - 1)) : Double.NaN;
            rows.add(new Row(m, n, mean, sd, rs.get(0).trainableParameters(), rs.get(0).deployedParameters(),
                    rs.stream().mapToDouble(Adaptation.Result::trainSeconds).average().orElse(0),
                    rs.stream().mapToDouble(Adaptation.Result::secondsPerEpoch).average().orElse(0),
                    rs.stream().mapToDouble(r -> r.trainSeconds() + r.evalSeconds()).sum(), dm, dsd, wins,
                    diffs.size()));
        }
        return rows;
    }

    /**
     * Writes the summary as CSV.
     *
     * @param file target
     * @param rows summary rows
     * @throws IOException on write failure
     */
    public static void writeCsv(Path file, List<Row> rows) throws IOException {
        writeCsv(file, rows, null);
    }

    /**
     * Writes the summary as CSV, with each method's learning rate in a column {@code lr} if given.
     *
     * @param file target
     * @param rows summary rows
     * @param lrs learning rate per method, or null for no column
     * @throws IOException on write failure
     */
    public static void writeCsv(Path file, List<Row> rows, java.util.Map<Method, Float> lrs) throws IOException {
        StringBuilder sb = new StringBuilder(
                "method," + (lrs == null ? "" : "lr,") + "seeds,mean_accuracy,sd_accuracy,trainable_params,"
                        + "deployed_params,mean_train_seconds,"
                        + "seconds_per_epoch,total_seconds,paired_diff_vs_no_share,paired_diff_sd,wins_vs_no_share,"
                        + "pairs\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%s,%s%d,%.4f,%.4f,%d,%d,%.1f,%.2f,%.1f,%.4f,%.4f,%d,%d%n",
                    r.method().label(), lrs == null ? "" : lr(lrs.get(r.method())) + ",", r.runs(), r.meanAccuracy(),
                    r.sdAccuracy(), r.trainableParameters(),
                    r.deployedParameters(), r.meanTrainSeconds(), r.meanSecondsPerEpoch(), r.totalSeconds(),
                    r.pairedDiffMean(), r.pairedDiffSd(), r.winsOverNoShare(), r.pairs()));
        }
        Files.writeString(file, sb.toString());
    }

    /**
     * The summary as a Markdown table.
     *
     * @param rows summary rows
     * @return Markdown
     */
    public static String markdownTable(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| method | test accuracy (mean ± sd) | seeds | paired diff. vs no-share (pts, mean ± sd) "
                + "| seeds beating no-share | trainable params | stored params after folding "
                + "| train time per run (s) | time per epoch (s) |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            String paired = r.method() == Method.NO_SHARE || r.pairs() == 0 ? "—"
                    : r.pairs() < 2 ? String.format(Locale.ROOT, "%+.2f", 100 * r.pairedDiffMean())
                    : String.format(Locale.ROOT, "%+.2f ± %.2f", 100 * r.pairedDiffMean(), 100 * r.pairedDiffSd());
            String wins = r.method() == Method.NO_SHARE || r.pairs() == 0 ? "—"
                    : r.winsOverNoShare() + "/" + r.pairs();
            sb.append(String.format(Locale.ROOT, "| %s | %.2f%% ± %.2f | %d | %s | %s | %,d | %,d | %.1f | %.2f |%n",
                    r.method().label(), 100 * r.meanAccuracy(), 100 * r.sdAccuracy(), r.runs(), paired, wins,
                    r.trainableParameters(), r.deployedParameters(), r.meanTrainSeconds(), r.meanSecondsPerEpoch()));
        }
        return sb.toString();
    }

    /**
     * Bar chart of mean accuracy with ±1 sd error bars.
     *
     * @param file target PNG
     * @param rows summary rows
     * @param title chart title
     * @throws IOException on write failure
     */
    public static void writeChart(Path file, List<Row> rows, String title) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(820).height(500).title(title)
                .xAxisTitle("method").yAxisTitle("test accuracy on classes 5-9 (%)").build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLabelsPosition(0.5);
        chart.getStyler().setDecimalPattern("#0.0");
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        List<String> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        List<Double> e = new ArrayList<>();
        double min = 100;
        for (Row r : rows) {
            x.add(r.method().label());
            y.add(100 * r.meanAccuracy());
            e.add(100 * r.sdAccuracy());
            min = Math.min(min, 100 * (r.meanAccuracy() - r.sdAccuracy()));
        }
        // Start the axis below the worst bar so that differences of a few points are visible.
        chart.getStyler().setYAxisMin(Math.max(0, Math.floor(min / 5) * 5 - 5));
        chart.getStyler().setYAxisMax(100.0);
        chart.addSeries("accuracy", x, y, e);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
