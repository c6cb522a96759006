package org.prefixmoe.djl.experiment;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.prefixmoe.djl.stats.Stats;
import org.prefixmoe.djl.train.Method;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The study's statistics, tables and figures: accuracy per (size, method) with 95% t intervals; the paired
 * difference of each shared form with no-share per size (95% t interval, paired t-test, Holm correction over all
 * sizes and shared forms together); and the number of images per class no-share needs to match each shared form.
 */
public final class Report {

    /** Chance level with five classes, the bottom of the accuracy axis. */
    public static final double CHANCE = 20.0;

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
     * Test accuracy of one method at one size over its seeds.
     *
     * @param perClass images per class
     * @param method method
     * @param seeds number of seeds
     * @param mean mean accuracy (fraction)
     * @param sd sample sd
     * @param half half-width of the 95% t interval
     * @param diverged runs that diverged (kept in the mean: divergence is an outcome)
     * @param finalLoss mean final training loss
     * @param steps optimizer steps per run (the largest taken)
     */
    public record Cell(int perClass, Method method, int seeds, double mean, double sd, double half, int diverged,
                       double finalLoss, int steps) {}

    /**
     * A shared form against no-share at one size, paired by seed, with three tests.
     *
     * @param perClass images per class
     * @param method the shared form
     * @param pairs seeds with both runs
     * @param mean mean of (shared − no-share) accuracy (fraction)
     * @param sd sample sd of the differences
     * @param half half-width of the 95% t interval of the mean difference (not adjusted for multiplicity)
     * @param wins seeds on which the shared form was strictly better
     * @param losses seeds on which it was strictly worse
     * @param median median of the differences
     * @param p two-sided paired t-test p-value
     * @param pHolm Holm-adjusted t-test p-value over all (size, shared form) comparisons of the study
     * @param pWilcoxon two-sided exact Wilcoxon signed-rank p-value
     * @param pWilcoxonHolm Holm-adjusted over the same family
     * @param pSign two-sided exact sign-test p-value
     * @param pSignHolm Holm-adjusted over the same family
     * @param diverged pairs in which either run diverged
     */
    public record Paired(int perClass, Method method, int pairs, double mean, double sd, double half, int wins,
                         int losses, double median, double p, double pHolm, double pWilcoxon, double pWilcoxonHolm,
                         double pSign, double pSignHolm, int diverged) {

        /**
         * The verdict at family-wise level 5%, stated with all three tests (each Holm-adjusted over the family):
         * the paired t-test (direction: the mean), the Wilcoxon signed-rank test (direction: the median) and the
         * sign test (direction: more wins or more losses).
         */
        public String verdict() {
            if (Double.isNaN(pHolm)) {
                return "too few seeds";
            }
            List<String> better = new ArrayList<>();
            List<String> worse = new ArrayList<>();
            List<String> none = new ArrayList<>();
            sort(pHolm, mean, "t", better, worse, none);
            sort(pWilcoxonHolm, median, "Wilcoxon", better, worse, none);
            sort(pSignHolm, wins - losses, "sign", better, worse, none);
            if (better.size() == 3) {
                return "better than no-share (t, Wilcoxon, sign)";
            }
            if (worse.size() == 3) {
                return "worse than no-share (t, Wilcoxon, sign)";
            }
            if (none.size() == 3) {
                return "no significant difference (t, Wilcoxon, sign)";
            }
            List<String> parts = new ArrayList<>();
            if (!better.isEmpty()) {
                parts.add("better by " + String.join(", ", better));
            }
            if (!worse.isEmpty()) {
                parts.add("worse by " + String.join(", ", worse));
            }
            if (!none.isEmpty()) {
                parts.add("not significant by " + String.join(", ", none));
            }
            return String.join("; ", parts);
        }

        private static void sort(double p, double direction, String name, List<String> better, List<String> worse,
                                 List<String> none) {
            if (p < 0.05 && direction > 0) {
                better.add(name);
            } else if (p < 0.05 && direction < 0) {
                worse.add(name);
            } else {
                none.add(name);
            }
        }
    }

    /**
     * How many images per class no-share needs to reach a shared form's mean accuracy at one size.
     *
     * @param perClass the shared form's images per class
     * @param method the shared form
     * @param sharedMean its mean accuracy there
     * @param equivalent images per class at which no-share's mean curve reaches it (log-linear interpolation);
     *     −∞ if no-share reaches it at the smallest size, +∞ if not within the largest
     * @param lo 2.5% bootstrap quantile (seeds resampled), NaN if too few seeds
     * @param hi 97.5% bootstrap quantile
     */
    public record Match(int perClass, Method method, double sharedMean, double equivalent, double lo, double hi) {}

    // ---------------------------------------------------------------- statistics

    /**
     * Accuracy summaries, one per (size, method) with at least one run.
     *
     * @param sizes sizes
     * @param methods methods
     * @param runs test runs
     * @return the cells
     */
    public static List<Cell> accuracy(List<Integer> sizes, List<Method> methods, List<RunStore.TestRun> runs) {
        List<Cell> out = new ArrayList<>();
        for (int k : sizes) {
            for (Method m : methods) {
                List<RunStore.TestRun> rs = runs.stream().filter(r -> r.perClass() == k && r.method() == m).toList();
                double[] a = rs.stream().mapToDouble(r -> r.result().accuracy()).toArray();
                if (a.length > 0) {
                    int div = (int) rs.stream().filter(r -> r.result().diverged()).count();
                    double loss = rs.stream().mapToDouble(r -> r.result().finalLoss()).average().orElse(Double.NaN);
                    int steps = rs.stream().mapToInt(r -> r.result().steps()).max().orElse(0);
                    out.add(new Cell(k, m, a.length, Stats.mean(a), Stats.sd(a), Stats.tHalfWidth(a, 0.95), div, loss,
                            steps));
                }
            }
        }
        return out;
    }

    /**
     * Paired comparisons of every shared form with no-share at every size, Holm-corrected together.
     *
     * @param sizes sizes
     * @param methods methods (those that {@link Method#isShared()} are compared)
     * @param runs test runs
     * @return the comparisons
     */
    public static List<Paired> paired(List<Integer> sizes, List<Method> methods, List<RunStore.TestRun> runs) {
        List<double[]> diffs = new ArrayList<>();
        List<Integer> keys = new ArrayList<>();
        List<Method> ms = new ArrayList<>();
        List<Integer> divs = new ArrayList<>();
        for (int k : sizes) {
            Map<Long, Double> base = byseed(runs, Method.NO_SHARE, k);
            Map<Long, Boolean> baseDiv = divergedBySeed(runs, Method.NO_SHARE, k);
            for (Method m : methods) {
                if (!m.isShared()) {
                    continue;
                }
                Map<Long, Double> other = byseed(runs, m, k);
                Map<Long, Boolean> otherDiv = divergedBySeed(runs, m, k);
                double[] d = other.entrySet().stream().filter(e -> base.containsKey(e.getKey()))
                        .mapToDouble(e -> e.getValue() - base.get(e.getKey())).toArray();
                if (d.length == 0) {
                    continue;
                }
                int div = (int) other.keySet().stream().filter(base::containsKey)
                        .filter(s -> otherDiv.get(s) || baseDiv.get(s)).count();
                diffs.add(d);
                keys.add(k);
                ms.add(m);
                divs.add(div);
            }
        }
        double[] p = new double[diffs.size()];
        double[] pw = new double[diffs.size()];
        double[] ps = new double[diffs.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = Stats.tTestP(diffs.get(i));
            pw[i] = diffs.get(i).length < 2 ? Double.NaN : Stats.wilcoxonP(diffs.get(i));
            ps[i] = diffs.get(i).length < 2 ? Double.NaN : Stats.signTestP(diffs.get(i));
        }
        double[] adj = Stats.holm(p);
        double[] adjW = Stats.holm(pw);
        double[] adjS = Stats.holm(ps);
        List<Paired> out = new ArrayList<>();
        for (int i = 0; i < p.length; i++) {
            double[] d = diffs.get(i);
            int wins = 0;
            int losses = 0;
            for (double v : d) {
                wins += v > 0 ? 1 : 0;
                losses += v < 0 ? 1 : 0;
            }
            out.add(new Paired(keys.get(i), ms.get(i), d.length, Stats.mean(d), Stats.sd(d),
                    Stats.tHalfWidth(d, 0.95), wins, losses, Stats.quantile(d, 0.5), p[i], adj[i], pw[i], adjW[i],
                    ps[i], adjS[i], divs.get(i)));
        }
        return out;
    }

    private static Map<Long, Boolean> divergedBySeed(List<RunStore.TestRun> runs, Method m, int k) {
        Map<Long, Boolean> out = new TreeMap<>();
        for (RunStore.TestRun r : runs) {
            if (r.method() == m && r.perClass() == k) {
                out.put(r.seed(), r.result().diverged());
            }
        }
        return out;
    }

    private static Map<Long, Double> byseed(List<RunStore.TestRun> runs, Method m, int k) {
        Map<Long, Double> out = new TreeMap<>();
        for (RunStore.TestRun r : runs) {
            if (r.method() == m && r.perClass() == k) {
                out.put(r.seed(), r.result().accuracy());
            }
        }
        return out;
    }

    /**
     * For every shared form and size: the images per class at which no-share's mean accuracy, interpolated
     * linearly in {@code log(images per class)} between measured sizes, reaches the shared form's mean accuracy;
     * with a percentile bootstrap interval that resamples seeds (jointly for all sizes and both methods, since
     * they are paired).
     *
     * @param sizes sizes
     * @param methods methods
     * @param runs test runs
     * @param resamples bootstrap resamples (0: none)
     * @param seed bootstrap seed
     * @return the matches
     */
    public static List<Match> matching(List<Integer> sizes, List<Method> methods, List<RunStore.TestRun> runs,
                                       int resamples, long seed) {
        List<Match> out = new ArrayList<>();
        List<Integer> ks = sizes.stream().filter(k -> !byseed(runs, Method.NO_SHARE, k).isEmpty()).toList();
        if (ks.size() < 2) {
            return out;
        }
        double[] x = ks.stream().mapToDouble(Integer::doubleValue).toArray();
        for (Method m : methods) {
            if (!m.isShared()) {
                continue;
            }
            // Seeds with both methods at every size: the unit the bootstrap resamples.
            List<Long> common = null;
            for (int k : ks) {
                Map<Long, Double> a = byseed(runs, Method.NO_SHARE, k);
                Map<Long, Double> b = byseed(runs, m, k);
                List<Long> both = a.keySet().stream().filter(b::containsKey).toList();
                common = common == null ? new ArrayList<>(both)
                        : new ArrayList<>(common.stream().filter(both::contains).toList());
            }
            for (int k : ks) {
                Map<Long, Double> shared = byseed(runs, m, k);
                if (shared.isEmpty()) {
                    continue;
                }
                double[] curve = new double[ks.size()];
                for (int i = 0; i < ks.size(); i++) {
                    curve[i] = mean(byseed(runs, Method.NO_SHARE, ks.get(i)).values());
                }
                double level = mean(shared.values());
                double eq = Stats.sizeToReach(x, curve, level);
                double lo = Double.NaN;
                double hi = Double.NaN;
                if (resamples > 0 && common.size() >= 3) {
                    Random rng = new Random(seed + 31L * k + m.ordinal());
                    double[] boot = new double[resamples];
                    for (int b = 0; b < resamples; b++) {
                        long[] draw = new long[common.size()];
                        for (int j = 0; j < draw.length; j++) {
                            draw[j] = common.get(rng.nextInt(common.size()));
                        }
                        double[] c = new double[ks.size()];
                        for (int i = 0; i < ks.size(); i++) {
                            Map<Long, Double> ns = byseed(runs, Method.NO_SHARE, ks.get(i));
                            c[i] = meanOf(ns, draw);
                        }
                        boot[b] = Stats.sizeToReach(x, c, meanOf(shared, draw));
                    }
                    lo = Stats.quantile(boot, 0.025);
                    hi = Stats.quantile(boot, 0.975);
                }
                out.add(new Match(k, m, level, eq, lo, hi));
            }
        }
        return out;
    }

    private static double mean(java.util.Collection<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static double meanOf(Map<Long, Double> bySeed, long[] draw) {
        double s = 0;
        for (long d : draw) {
            s += bySeed.get(d);
        }
        return s / draw.length;
    }

    // ---------------------------------------------------------------- files

    /**
     * Writes accuracy.csv, paired.csv, matching.csv, selection.csv, results.md and the two figures to the
     * output directory.
     *
     * @param cfg study settings
     * @param choices chosen learning rates
     * @param runs the study's test runs
     * @param selection the study's selection runs
     * @param config configuration hash
     * @param settings full settings tag
     * @param backboneLine a line describing the backbone
     * @param timeLine a line describing the invocation's time
     * @throws IOException on write failure
     */
    public static void write(StudyConfig cfg, List<Study.Choice> choices, List<RunStore.TestRun> runs,
                             List<RunStore.SelectionRun> selection, String config, String settings,
                             String backboneLine, String timeLine) throws IOException {
        Path dir = cfg.outDir();
        List<Cell> cells = accuracy(cfg.sizes(), cfg.methods(), runs);
        List<Paired> paired = paired(cfg.sizes(), cfg.methods(), runs);
        List<RunStore.TestRun> kept = runs.stream().filter(r -> !r.result().diverged()).toList();
        List<Paired> pairedKept = paired(cfg.sizes(), cfg.methods(), kept);
        List<Match> matches = matching(cfg.sizes(), cfg.methods(), runs, 2000, 99);
        Map<String, Study.Choice> byKey = new LinkedHashMap<>();
        for (Study.Choice c : choices) {
            byKey.put(c.method().label() + "|" + c.perClass(), c);
        }

        StringBuilder acc = new StringBuilder("images_per_class,method,lr,head_lr,steps,seeds,mean_accuracy,sd,"
                + "ci95_low,ci95_high,diverged,mean_final_loss\n");
        for (Cell c : cells) {
            Study.Choice ch = byKey.get(c.method().label() + "|" + c.perClass());
            acc.append(String.format(Locale.ROOT, "%d,%s,%s,%s,%d,%d,%.5f,%.5f,%.5f,%.5f,%d,%.5f%n", c.perClass(),
                    c.method().label(), lrText(ch == null ? null : ch.lr()), lrText(ch == null ? null : ch.headLr()),
                    c.steps(), c.seeds(), c.mean(), c.sd(), c.mean() - c.half(), c.mean() + c.half(), c.diverged(),
                    c.finalLoss()));
        }
        RunStore.writeAtomically(dir.resolve("accuracy.csv"), acc.toString());
        RunStore.writeAtomically(dir.resolve("paired.csv"), pairedCsv(paired));
        RunStore.writeAtomically(dir.resolve("paired-without-diverged.csv"), pairedCsv(pairedKept));
        StringBuilder mt = new StringBuilder("images_per_class,method,shared_mean_accuracy,"
                + "no_share_images_per_class_to_match,boot95_low,boot95_high\n");
        for (Match m : matches) {
            mt.append(String.format(Locale.ROOT, "%d,%s,%.5f,%.3f,%.3f,%.3f%n", m.perClass(), m.method().label(),
                    m.sharedMean(), m.equivalent(), m.lo(), m.hi()));
        }
        RunStore.writeAtomically(dir.resolve("matching.csv"), mt.toString());
        StringBuilder sc = new StringBuilder("images_per_class,method,lr,head_lr,mean_validation_accuracy,"
                + "diverged_seeds,chosen,grid_extensions,head_grid_extensions,chosen_at_grid_edge,"
                + "chosen_next_to_divergence\n");
        for (Study.Choice c : choices) {
            for (Study.Score e : c.scores()) {
                boolean chosen = c.lr() != null && e.lr() == c.lr() && e.headLr() == c.headLr();
                sc.append(String.format(Locale.ROOT, "%d,%s,%s,%s,%.5f,%d,%b,%d,%d,%b,%b%n", c.perClass(),
                        c.method().label(), lr(e.lr()), lr(e.headLr()), e.accuracy(), e.diverged(), chosen,
                        c.extensions(), c.headExtensions(), c.atEdge(), c.nearDivergence()));
            }
        }
        RunStore.writeAtomically(dir.resolve("selection.csv"), sc.toString());

        String title = "Fashion-MNIST 0-4 -> 5-9, " + stepsText(cfg);
        if (!cells.isEmpty()) {
            BitmapEncoder.saveBitmap(accuracyChart(cfg.sizes(), cfg.methods(), cells, title),
                    dir.resolve("accuracy-vs-size").toString(), BitmapEncoder.BitmapFormat.PNG);
            // The steps go in the accuracy figure's title only: both titles together do not fit 900 pixels.
            BitmapEncoder.saveBitmap(differenceChart(cfg.sizes(), cfg.methods(), paired, "Fashion-MNIST 0-4 -> 5-9"),
                    dir.resolve("paired-differences").toString(), BitmapEncoder.BitmapFormat.PNG);
        }
        RunStore.writeAtomically(dir.resolve("results.md"), markdown(cfg, choices, runs, selection, cells, paired,
                pairedKept, matches, config, settings, backboneLine, timeLine));
    }

    /** Steps per run by size, e.g. {@code steps per run 300 (10/class), 1200 (200/class)}. */
    static String stepsText(StudyConfig cfg) {
        List<String> parts = new ArrayList<>();
        for (int k : cfg.sizes()) {
            parts.add(cfg.steps(k) + " (" + k + "/class)");
        }
        return "steps per run " + String.join(", ", parts);
    }

    private static String pairedCsv(List<Paired> paired) {
        StringBuilder pd = new StringBuilder("images_per_class,method,pairs,mean_diff,sd_diff,ci95_low,ci95_high,"
                + "median_diff,wins,losses,p_t,p_t_holm,p_wilcoxon,p_wilcoxon_holm,p_sign,p_sign_holm,diverged_pairs,"
                + "verdict\n");
        for (Paired p : paired) {
            pd.append(String.format(Locale.ROOT, "%d,%s,%d,%.5f,%.5f,%.5f,%.5f,%.5f,%d,%d,%.5g,%.5g,%.5g,%.5g,%.5g,"
                            + "%.5g,%d,\"%s\"%n", p.perClass(), p.method().label(), p.pairs(), p.mean(), p.sd(),
                    p.mean() - p.half(), p.mean() + p.half(), p.median(), p.wins(), p.losses(), p.p(), p.pHolm(),
                    p.pWilcoxon(), p.pWilcoxonHolm(), p.pSign(), p.pSignHolm(), p.diverged(), p.verdict()));
        }
        return pd.toString();
    }

    private static String lrText(Float lr) {
        return lr == null ? "" : lr(lr);
    }

    /**
     * Seeds with a test run of every requested method, per size.
     *
     * @param cfg settings
     * @param runs test runs
     * @return size to number of complete seeds
     */
    static Map<Integer, Integer> completeSeeds(StudyConfig cfg, List<RunStore.TestRun> runs) {
        Map<Integer, Integer> out = new LinkedHashMap<>();
        for (int k : cfg.sizes()) {
            int n = 0;
            for (long s : cfg.seeds()) {
                boolean all = true;
                for (Method m : cfg.methods()) {
                    all &= runs.stream().anyMatch(r -> r.perClass() == k && r.seed() == s && r.method() == m);
                }
                n += all ? 1 : 0;
            }
            out.put(k, n);
        }
        return out;
    }

    static String markdown(StudyConfig cfg, List<Study.Choice> choices, List<RunStore.TestRun> runs,
                           List<RunStore.SelectionRun> selection, List<Cell> cells, List<Paired> paired,
                           List<Paired> pairedKept, List<Match> matches, String config, String settings,
                           String backboneLine, String timeLine) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Sample efficiency of prefix-tuning forms: Fashion-MNIST classes 0-4 -> 5-9\n\n");
        sb.append("Generated by `org.prefixmoe.djl` (DJL ").append(ai.djl.engine.Engine.getDjlVersion()).append(") at ")
                .append(Instant.now()).append(".\n\nCommand:\n\n```\n").append(cfg.command()).append("\n```\n\n");
        Map<Integer, Integer> complete = completeSeeds(cfg, runs);
        boolean finished = complete.values().stream().allMatch(n -> n == cfg.seeds().size());
        sb.append(finished ? "**Status: complete.** " : "**Status: INCOMPLETE — provisional results.** ");
        sb.append("Seeds with every method finished, per size (of ").append(cfg.seeds().size()).append(" requested): ");
        List<String> parts = new ArrayList<>();
        complete.forEach((k, n) -> parts.add(k + " per class: " + n));
        sb.append(String.join("; ", parts)).append(". ").append(runs.size()).append(" test runs and ")
                .append(selection.size()).append(" selection runs in this configuration.\n\n");
        sb.append("Configuration `").append(config).append("`: `").append(settings).append("`; ").append(backboneLine)
                .append("; ").append(timeLine).append(".\n\n");

        sb.append("Training length: ").append(stepsText(cfg)).append(" (").append(cfg.epochs())
                .append(" passes over the training set, at least ").append(cfg.minSteps())
                .append(" steps; the same rule for every method). Divergence rule: a non-finite loss, a ")
                .append(org.prefixmoe.djl.train.Divergence.FACTOR).append("x rise of the windowed training loss over "
                        + "its start, or a final window above the start (see `Divergence`).\n\n");
        sb.append("## Test accuracy (mean [95% t interval], seeds; diverged runs included and counted)\n\n"
                + "| images per class |");
        for (Method m : cfg.methods()) {
            sb.append(' ').append(m.label()).append(" |");
        }
        sb.append("\n|---|").append("---|".repeat(cfg.methods().size())).append('\n');
        for (int k : cfg.sizes()) {
            sb.append("| ").append(k).append(" |");
            for (Method m : cfg.methods()) {
                Cell c = cells.stream().filter(x -> x.perClass() == k && x.method() == m).findFirst().orElse(null);
                String div = c == null || c.diverged() == 0 ? "" : ", " + c.diverged() + " diverged";
                sb.append(c == null ? " — |" : c.seeds() < 2
                        ? String.format(Locale.ROOT, " %.2f%% (1%s) |", 100 * c.mean(), div)
                        : String.format(Locale.ROOT, " %.2f%% [%.2f, %.2f] (%d%s) |", 100 * c.mean(),
                        100 * (c.mean() - c.half()), 100 * (c.mean() + c.half()), c.seeds(), div));
            }
            sb.append('\n');
        }
        sb.append("\n## Final training loss (mean over seeds; last pass, with prefix dropout) and steps per run\n\n"
                + "| images per class | steps |");
        for (Method m : cfg.methods()) {
            sb.append(' ').append(m.label()).append(" |");
        }
        sb.append("\n|---|---|").append("---|".repeat(cfg.methods().size())).append('\n');
        for (int k : cfg.sizes()) {
            sb.append("| ").append(k).append(" | ").append(cfg.steps(k)).append(" |");
            for (Method m : cfg.methods()) {
                Cell c = cells.stream().filter(x -> x.perClass() == k && x.method() == m).findFirst().orElse(null);
                sb.append(c == null ? " — |" : String.format(Locale.ROOT, " %.3f |", c.finalLoss()));
            }
            sb.append('\n');
        }
        sb.append("\n## Shared forms minus no-share, paired by seed (accuracy points)\n\n");
        sb.append("95% t interval of the mean paired difference (not adjusted). Three two-sided tests of no "
                + "difference: the paired t-test, the exact Wilcoxon signed-rank test and the exact sign test, each "
                + "Holm-adjusted over all ").append(paired.size()).append(" comparisons (every size and shared form); "
                + "the verdict names the tests significant at family-wise level 5% and their direction. Diverged runs "
                + "are outcomes and stay in; the next table leaves out every pair with a diverged run.\n\n");
        pairedTable(sb, paired);
        sb.append("\n### The same without the pairs in which either run diverged\n\n");
        pairedTable(sb, pairedKept);
        sb.append("\n## Images per class no-share needs to match each shared form\n\n");
        sb.append("No-share's mean accuracy is interpolated linearly in log(images per class) between the measured "
                + "sizes; the table gives the size at which it reaches the shared form's mean accuracy (first "
                + "crossing), and a 95% percentile bootstrap interval over seeds (2000 resamples of the seeds that "
                + "have both methods at every size). \"≤ smallest\" means no-share already reaches it at the smallest "
                + "size, \"> largest\" that it does not reach it within the measured sizes.\n\n");
        sb.append("| shared form | at images per class | its mean accuracy | no-share needs (images per class) | "
                + "ratio | bootstrap 95% |\n|---|---|---|---|---|---|\n");
        int lo = cfg.sizes().get(0);
        int hi = cfg.sizes().get(cfg.sizes().size() - 1);
        for (Match m : matches) {
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.2f%% | %s | %s | %s |%n", m.method().label(),
                    m.perClass(), 100 * m.sharedMean(), sizeText(m.equivalent(), lo, hi),
                    Double.isInfinite(m.equivalent()) ? "—" : String.format(Locale.ROOT, "%.2f", m.equivalent() / m.perClass()),
                    Double.isNaN(m.lo()) ? "—" : "[" + sizeText(m.lo(), lo, hi) + ", " + sizeText(m.hi(), lo, hi) + "]"));
        }
        sb.append("\n## Learning rates (chosen per method and size on the validation set)\n\n");
        sb.append(String.format(Locale.ROOT, "Each point is `adapted rate / head rate` (the linear probe has the head's "
                        + "only) with its mean validation accuracy over the selection seeds %s (%d images per class "
                        + "held out, never in a training subset; selection seeds never used as test seeds). A point "
                        + "that diverged on any selection seed is refused (marked \u2020). Chosen point in bold; ties "
                        + "go to the smaller adapted rate, then the smaller head rate; a winner at an edge of either "
                        + "axis extends that axis by one rung (at most %d times per axis).%n%n", cfg.selectionSeeds(),
                cfg.validationPerClass(), cfg.maxExtensions()));
        sb.append("| images per class | method | validation accuracy per point | chosen (adapted / head) | note |\n"
                + "|---|---|---|---|---|\n");
        for (Study.Choice c : choices) {
            List<String> cellsText = new ArrayList<>();
            for (Study.Score e : c.scores()) {
                String t = String.format(Locale.ROOT, "%s/%s: %.2f%%%s", lr(e.lr()), lr(e.headLr()),
                        100 * e.accuracy(), e.admissible() ? "" : "\u2020");
                boolean chosen = c.lr() != null && e.lr() == c.lr() && e.headLr() == c.headLr();
                cellsText.add(chosen ? "**" + t + "**" : t);
            }
            List<String> notes = new ArrayList<>();
            if (c.extensions() + c.headExtensions() > 0) {
                notes.add("extended " + c.extensions() + "+" + c.headExtensions() + "x");
            }
            if (c.atEdge()) {
                notes.add("still at a grid edge");
            }
            if (c.nearDivergence()) {
                notes.add("next to a diverging point");
            }
            long div = c.scores().stream().filter(x -> !x.admissible()).count();
            if (div > 0) {
                notes.add(div + " point(s) refused (diverged)");
            }
            sb.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s |%n", c.perClass(), c.method().label(),
                    String.join(", ", cellsText), c.lr() == null ? (c.scores().isEmpty() ? "incomplete"
                            : "every point diverged") : lr(c.lr()) + " / " + lr(c.headLr()), String.join("; ", notes)));
        }
        sb.append("\n## Cost\n\nWall time depends on what else the machine ran; CPU time of the training thread (one "
                + "PyTorch thread) is what a step costs on an idle core.\n\n"
                + "| method | trainable params | stored params (folded) | wall ms per step | CPU ms per step "
                + "| wall s per test run |\n|---|---|---|---|---|---|\n");
        for (Method m : cfg.methods()) {
            List<RunStore.TestRun> rs = runs.stream().filter(r -> r.method() == m).toList();
            if (rs.isEmpty()) {
                continue;
            }
            sb.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %.1f | %.1f | %.1f |%n", m.label(),
                    rs.get(0).result().trainableParameters(), rs.get(0).result().deployedParameters(),
                    1000 * rs.stream().mapToDouble(r -> r.result().secondsPerStep()).average().orElse(0),
                    1000 * rs.stream().mapToDouble(r -> r.result().cpuSecondsPerStep()).average().orElse(0),
                    rs.stream().mapToDouble(r -> r.result().trainSeconds() + r.result().evalSeconds()).average()
                            .orElse(0)));
        }
        sb.append("\nFigures: `accuracy-vs-size.png` (y-axis from chance, 20%, to 100%), `paired-differences.png` "
                + "(with the zero line). Per-run data: `runs.csv`; selection runs: `selection-runs.csv`.\n");
        return sb.toString();
    }

    private static void pairedTable(StringBuilder sb, List<Paired> paired) {
        sb.append("| images per class | method | pairs | mean diff. [95% CI] | median | better/worse | diverged pairs "
                + "| t: p (Holm) | Wilcoxon: p (Holm) | sign: p (Holm) | verdict |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Paired p : paired) {
            sb.append(String.format(Locale.ROOT, "| %d | %s | %d | %+.2f [%+.2f, %+.2f] | %+.2f | %d/%d | %d | %s (%s) "
                            + "| %s (%s) | %s (%s) | %s |%n", p.perClass(), p.method().label(), p.pairs(),
                    100 * p.mean(), 100 * (p.mean() - p.half()), 100 * (p.mean() + p.half()), 100 * p.median(),
                    p.wins(), p.losses(), p.diverged(), pText(p.p()), pText(p.pHolm()), pText(p.pWilcoxon()),
                    pText(p.pWilcoxonHolm()), pText(p.pSign()), pText(p.pSignHolm()), p.verdict()));
        }
    }

    private static String pText(double p) {
        return Double.isNaN(p) ? "—" : p < 1e-4 ? "<0.0001" : String.format(Locale.ROOT, "%.4f", p);
    }

    private static String sizeText(double v, int lo, int hi) {
        if (v == Double.NEGATIVE_INFINITY) {
            return "≤ " + lo;
        }
        if (v == Double.POSITIVE_INFINITY) {
            return "> " + hi;
        }
        return String.format(Locale.ROOT, "%.1f", v);
    }

    // ---------------------------------------------------------------- figures

    private static final Color[] COLORS = {new Color(0x7f7f7f), new Color(0x1f77b4), new Color(0xd62728),
        new Color(0x2ca02c), new Color(0x9467bd), new Color(0xff7f0e)};

    private static Color color(Method m) {
        return COLORS[m.ordinal() % COLORS.length];
    }

    /** Small horizontal offsets (multiplicative, on the log axis) so that intervals at one size do not overlap. */
    private static double offset(int i, int n) {
        return Math.pow(1.04, i - (n - 1) / 2.0);
    }

    /**
     * Accuracy against images per class (log axis), mean with 95% t interval per method; the y-axis runs from
     * chance (20%) to 100% so that gaps are not magnified.
     *
     * @param sizes sizes
     * @param methods methods
     * @param cells accuracy summaries
     * @param title title
     * @return the chart
     */
    public static XYChart accuracyChart(List<Integer> sizes, List<Method> methods, List<Cell> cells, String title) {
        XYChart chart = new XYChartBuilder().width(900).height(560).title(title)
                .xAxisTitle(sizesTitle(sizes)).yAxisTitle("test accuracy on classes 5-9 (%)")
                .build();
        style(chart, sizes);
        chart.getStyler().setYAxisMin(CHANCE);
        chart.getStyler().setYAxisMax(100.0);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        int i = 0;
        for (Method m : methods) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            List<Double> e = new ArrayList<>();
            for (Cell c : cells) {
                if (c.method() == m) {
                    x.add(c.perClass() * offset(i, methods.size()));
                    y.add(100 * c.mean());
                    e.add(Double.isNaN(c.half()) ? 0 : 100 * c.half());
                }
            }
            i++;
            addSeries(chart, m, x, y, e);
        }
        return chart;
    }

    /**
     * Paired difference (shared − no-share, accuracy points) against images per class, with 95% t intervals and a
     * zero line; the y-axis is symmetric about zero.
     *
     * @param sizes sizes
     * @param methods methods
     * @param paired comparisons
     * @param title title
     * @return the chart
     */
    public static XYChart differenceChart(List<Integer> sizes, List<Method> methods, List<Paired> paired,
                                          String title) {
        XYChart chart = new XYChartBuilder().width(900).height(560).title(title + ": shared form minus no-share, paired by seed")
                .xAxisTitle(sizesTitle(sizes))
                .yAxisTitle("paired difference in test accuracy (points)").build();
        style(chart, sizes);
        double span = 1;
        for (Paired p : paired) {
            double h = Double.isNaN(p.half()) ? 0 : p.half();
            span = Math.max(span, 100 * (Math.abs(p.mean()) + h));
        }
        span = Math.ceil(span + 0.5);
        chart.getStyler().setYAxisMin(-span);
        chart.getStyler().setYAxisMax(span);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        List<Double> zx = List.of(sizes.get(0) / 1.3, sizes.get(sizes.size() - 1) * 1.3);
        XYSeries zero = chart.addSeries("no difference", zx, List.of(0.0, 0.0));
        zero.setLineColor(Color.BLACK);
        zero.setMarker(SeriesMarkers.NONE);
        zero.setLineStyle(new BasicStroke(1.2f));
        List<Method> shared = methods.stream().filter(Method::isShared).toList();
        int i = 0;
        for (Method m : shared) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            List<Double> e = new ArrayList<>();
            for (Paired p : paired) {
                if (p.method() == m) {
                    x.add(p.perClass() * offset(i, shared.size()));
                    y.add(100 * p.mean());
                    e.add(Double.isNaN(p.half()) ? 0 : 100 * p.half());
                }
            }
            i++;
            addSeries(chart, m, x, y, e);
        }
        return chart;
    }

    /** One method's points with error bars, in the method's colour (nothing if it has no points). */
    private static void addSeries(XYChart chart, Method m, List<Double> x, List<Double> y, List<Double> e) {
        if (x.isEmpty()) {
            return;
        }
        XYSeries s = chart.addSeries(m.label(), x, y, e);
        s.setLineColor(color(m));
        s.setMarkerColor(color(m));
        s.setMarker(SeriesMarkers.CIRCLE);
    }

    private static String sizesTitle(List<Integer> sizes) {
        return "training images per class (log scale; measured at " + sizes.toString().replaceAll("[\\[\\]]", "")
                + "; points offset sideways to keep intervals apart)";
    }

    private static void style(XYChart chart, List<Integer> sizes) {
        Styler s = chart.getStyler();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setXAxisMin(sizes.get(0) / 1.3);
        chart.getStyler().setXAxisMax(sizes.get(sizes.size() - 1) * 1.3);
        chart.getStyler().setErrorBarsColorSeriesColor(true);
        chart.getStyler().setDecimalPattern("#0.#");
        s.setLegendVisible(true);
    }
}
