package org.prefixmoe.simulation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import org.prefixmoe.estimation.LeastSquaresEstimator;
import org.prefixmoe.estimation.MergeTruncateMerge;
import org.prefixmoe.estimation.ModelSelection;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/**
 * How often does each rule pick L*? (docs/theory.md §9.) For each n and replicate: draw n samples
 * from the truth, run {@link ModelSelection#select} by least squares with random restarts over a
 * range of L (no truth used by the fits), and record the L chosen by BIC, by ICL and by
 * merge–truncate–merge of the largest L's fit. Replicate r at size n draws its data from
 * {@code RandomStreams.stream(seed, n, r, 0)} and its starts from a seed drawn from
 * {@code RandomStreams.stream(seed, n, r, 1)}, so the rows do not depend on the number of threads.
 */
public final class SelectionStudy {
    /** The rules, in the order of the rows' columns. */
    public static final List<String> RULES = List.of("BIC", "ICL", "MTM");

    private SelectionStudy() {
    }

    /**
     * What to run.
     *
     * @param truth the truth
     * @param sizes the sample sizes
     * @param replicates replicates per size
     * @param minL smallest L fitted
     * @param maxL largest L fitted (merge–truncate–merge reduces this fit)
     * @param restarts random starts per L
     * @param seed master seed
     * @param mtm the merge–truncate–merge thresholds
     * @param threads replicates run at once
     * @param solver the least-squares solver of every fit
     */
    public record Settings(TruthModel truth, List<Integer> sizes, int replicates, int minL, int maxL, int restarts,
                           long seed, MergeTruncateMerge mtm, int threads, LeastSquaresEstimator.Options solver) {
        /**
         * Checks the settings.
         *
         * @param truth truth
         * @param sizes sizes
         * @param replicates replicates
         * @param minL smallest L
         * @param maxL largest L
         * @param restarts restarts
         * @param seed seed
         * @param mtm thresholds
         * @param threads threads
         * @param solver least-squares solver
         */
        public Settings {
            Objects.requireNonNull(truth, "truth");
            Objects.requireNonNull(solver, "solver");
            Objects.requireNonNull(mtm, "mtm");
            sizes = List.copyOf(sizes);
            if (sizes.isEmpty() || replicates < 1 || restarts < 1 || threads < 1 || minL < 1 || maxL < minL) {
                throw new IllegalArgumentException("settings: need sizes, replicates, restarts, threads >= 1 and"
                        + " 1 <= minL <= maxL");
            }
        }

        /**
         * Settings with the default least-squares solver.
         *
         * @param truth truth
         * @param sizes sizes
         * @param replicates replicates
         * @param minL smallest L
         * @param maxL largest L
         * @param restarts restarts
         * @param seed seed
         * @param mtm thresholds
         * @param threads threads
         */
        public Settings(TruthModel truth, List<Integer> sizes, int replicates, int minL, int maxL, int restarts,
                        long seed, MergeTruncateMerge mtm, int threads) {
            this(truth, sizes, replicates, minL, maxL, restarts, seed, mtm, threads,
                    LeastSquaresEstimator.Options.DEFAULT);
        }
    }

    /**
     * One replicate.
     *
     * @param n the sample size
     * @param replicate the replicate
     * @param candidates the fitted L with their scores
     * @param byBic the L of smallest BIC
     * @param byIcl the L of smallest ICL
     * @param byMerge atoms left by merge–truncate–merge
     */
    public record Row(int n, int replicate, List<ModelSelection.Candidate> candidates, int byBic, int byIcl,
                      int byMerge) {
        /**
         * {@return the L a rule picked}
         *
         * @param rule one of {@link #RULES}
         */
        public int picked(String rule) {
            return switch (rule) {
                case "BIC" -> byBic;
                case "ICL" -> byIcl;
                case "MTM" -> byMerge;
                default -> throw new IllegalArgumentException("rule: unknown '" + rule + "'");
            };
        }
    }

    /**
     * Runs the study.
     *
     * @param s the settings
     * @return the rows, by size then replicate
     */
    public static List<Row> run(Settings s) {
        int tasks = s.sizes().size() * s.replicates();
        Row[] out = new Row[tasks];
        ForkJoinPool pool = new ForkJoinPool(s.threads());
        try {
            pool.submit(() -> IntStream.range(0, tasks).parallel().forEach(k -> {
                int n = s.sizes().get(k / s.replicates());
                int r = k % s.replicates();
                Dataset d = RegressionSampler.of(s.truth()).sample(n, RandomStreams.stream(s.seed(), n, r, 0));
                long starts = RandomStreams.stream(s.seed(), n, r, 1).nextLong();
                ModelSelection.Result res = ModelSelection.select(s.truth().model(), s.truth().box(), d, s.minL(),
                        s.maxL(), new LeastSquaresEstimator(s.solver()), s.restarts(), starts, s.mtm());
                out[k] = new Row(n, r, res.candidates(), res.byBic(), res.byIcl(), res.byMerge());
            })).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("selection study interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("selection study: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdown();
        }
        return List.of(out);
    }

    /**
     * The fraction of replicates at each size where a rule picked exactly {@code target}.
     *
     * @param rows the rows
     * @param rule the rule
     * @param target L*
     * @return one proportion per size, in the order sizes first appear
     */
    public static List<Proportion> hits(List<Row> rows, String rule, int target) {
        List<Integer> sizes = rows.stream().map(Row::n).distinct().toList();
        List<Proportion> out = new ArrayList<>();
        for (int n : sizes) {
            List<Row> at = rows.stream().filter(r -> r.n() == n).toList();
            int k = (int) at.stream().filter(r -> r.picked(rule) == target).count();
            out.add(Proportion.wilson(k, at.size()));
        }
        return out;
    }

    /**
     * The picks as CSV: one line per replicate.
     *
     * @param rows the rows
     * @return CSV text with a header
     */
    public static String picksCsv(List<Row> rows) {
        StringBuilder sb = new StringBuilder("n,replicate,L_bic,L_icl,L_mtm\n");
        for (Row r : rows) {
            sb.append(r.n()).append(',').append(r.replicate()).append(',').append(r.byBic()).append(',')
                    .append(r.byIcl()).append(',').append(r.byMerge()).append('\n');
        }
        return sb.toString();
    }

    /**
     * Every candidate as CSV: one line per replicate and L.
     *
     * @param rows the rows
     * @return CSV text with a header
     */
    public static String candidatesCsv(List<Row> rows) {
        StringBuilder sb = new StringBuilder("n,replicate,L,log_likelihood,residual_variance,parameters,bic,entropy,icl,"
                + "converged,stopped\n");
        for (Row r : rows) {
            for (ModelSelection.Candidate c : r.candidates()) {
                sb.append(String.format(Locale.ROOT, "%d,%d,%d,%.17g,%.17g,%d,%.17g,%.17g,%.17g,%b,%s%n", r.n(),
                        r.replicate(), c.atoms(), c.logLikelihood(), c.residualVariance(), c.parameters(), c.bic(),
                        c.entropy(), c.icl(), c.fit() != null && c.fit().converged(),
                        c.fit() == null ? "failed" : c.fit().stopReason().label()));
            }
        }
        return sb.toString();
    }

    /**
     * The summary: per size and rule, the counts of each L picked and the fraction that picked L*.
     *
     * @param rows the rows
     * @param target L*
     * @param minL smallest L
     * @param maxL largest L
     * @return CSV text with a header
     */
    public static String summaryCsv(List<Row> rows, int target, int minL, int maxL) {
        StringBuilder sb = new StringBuilder("n,rule,replicates");
        for (int l = minL; l <= maxL; l++) {
            sb.append(",picked_").append(l);
        }
        sb.append(",hit,hit_low,hit_high\n");
        List<Integer> sizes = rows.stream().map(Row::n).distinct().toList();
        for (String rule : RULES) {
            List<Proportion> h = hits(rows, rule, target);
            for (int i = 0; i < sizes.size(); i++) {
                int n = sizes.get(i);
                List<Row> at = rows.stream().filter(r -> r.n() == n).toList();
                sb.append(n).append(',').append(rule).append(',').append(at.size());
                for (int l = minL; l <= maxL; l++) {
                    final int ll = l;
                    sb.append(',').append(at.stream().filter(r -> r.picked(rule) == ll).count());
                }
                Proportion p = h.get(i);
                sb.append(String.format(Locale.ROOT, ",%.4f,%.4f,%.4f%n", p.estimate(), p.low(), p.high()));
            }
        }
        return sb.toString();
    }
}
