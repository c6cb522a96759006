package org.prefixmoe.simulation;

import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import java.util.zip.GZIPOutputStream;
import org.prefixmoe.estimation.Estimator;
import org.prefixmoe.estimation.FitProblem;
import org.prefixmoe.estimation.FitResult;
import org.prefixmoe.estimation.Inference;
import org.prefixmoe.estimation.LeastSquaresEstimator;
import org.prefixmoe.estimation.NearTruthInitializer;
import org.prefixmoe.estimation.ParametricBootstrap;
import org.prefixmoe.estimation.StandardErrors;
import org.prefixmoe.estimation.em.EmEstimator;
import org.prefixmoe.io.AtomicFiles;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.DensitySampler;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/**
 * Does a 95% interval cover the truth 95% of the time? (docs/theory.md §9.) For each truth and
 * replicate: draw n samples, fit L = L* atoms from a near-truth start, match the fitted atoms to the
 * true ones, compute every interval form of {@link StandardErrors} and record, per coordinate,
 * whether it covers the true value. Two readings: {@code least-squares} (data from the regression
 * model, forms {@code observed} and {@code sandwich}) and {@code em} (data from the density, forms
 * {@code em-score}, {@code em-observed}, {@code em-sandwich}, σ² included). Replicate r of truth t and
 * reading k draws from {@code RandomStreams.stream(seed, t, k, r, use)}, so the rows do not depend on
 * the number of threads.
 */
public final class CoverageStudy {
    /** The readings a study can run. */
    public static final List<String> READINGS = List.of(LeastSquaresEstimator.NAME, EmEstimator.NAME);

    private CoverageStudy() {
    }

    /**
     * What to run.
     *
     * @param truths the truths (L = L* is fitted to each)
     * @param n the sample size
     * @param replicates replicates per truth and reading
     * @param seed master seed
     * @param readings {@code least-squares}, {@code em} or both
     * @param threads replicates run at once
     * @param solver the least-squares solver of that reading
     */
    public record Settings(List<TruthModel> truths, int n, int replicates, long seed, List<String> readings,
                           int threads, LeastSquaresEstimator.Options solver) {
        /**
         * Checks the settings.
         *
         * @param truths truths
         * @param n sample size
         * @param replicates replicates
         * @param seed seed
         * @param readings readings
         * @param threads threads
         * @param solver least-squares solver
         */
        public Settings {
            Objects.requireNonNull(solver, "solver");
            truths = List.copyOf(truths);
            readings = List.copyOf(readings);
            if (truths.isEmpty()) {
                throw new IllegalArgumentException("truths: at least one model with a truth is needed");
            }
            if (n < 10) {
                throw new IllegalArgumentException("n: must be at least 10, got " + n);
            }
            if (replicates < 1) {
                throw new IllegalArgumentException("replicates: must be at least 1, got " + replicates);
            }
            if (threads < 1) {
                throw new IllegalArgumentException("threads: must be at least 1, got " + threads);
            }
            for (String r : readings) {
                if (!READINGS.contains(r)) {
                    throw new IllegalArgumentException("readings: unknown reading '" + r + "' (known: "
                            + String.join(", ", READINGS) + ")");
                }
            }
        }

        /**
         * Settings with the default least-squares solver.
         *
         * @param truths truths
         * @param n sample size
         * @param replicates replicates
         * @param seed seed
         * @param readings readings
         * @param threads threads
         */
        public Settings(List<TruthModel> truths, int n, int replicates, long seed, List<String> readings,
                        int threads) {
            this(truths, n, replicates, seed, readings, threads, LeastSquaresEstimator.Options.DEFAULT);
        }
    }

    /**
     * One interval of one coordinate in one replicate.
     *
     * @param study the truth's name
     * @param reading {@code least-squares} or {@code em}
     * @param replicate the replicate, from 0
     * @param converged whether the fit converged
     * @param method the interval form
     * @param parameter the coordinate's name
     * @param truth its true value
     * @param estimate its estimate
     * @param se its standard error
     * @param lower lower end of the interval
     * @param upper upper end
     */
    public record Row(String study, String reading, int replicate, boolean converged, String method, String parameter,
                      double truth, double estimate, double se, double lower, double upper) {
        /** {@return whether the interval covers the true value} */
        public boolean covered() {
            return lower <= truth && truth <= upper;
        }
    }

    /**
     * Runs the study.
     *
     * @param s the settings
     * @return the rows, ordered by truth, reading, replicate, method and coordinate
     */
    public static List<Row> run(Settings s) {
        Objects.requireNonNull(s, "settings");
        List<int[]> tasks = new ArrayList<>();
        for (int t = 0; t < s.truths().size(); t++) {
            for (String reading : s.readings()) {
                for (int r = 0; r < s.replicates(); r++) {
                    tasks.add(new int[] {t, READINGS.indexOf(reading), r});
                }
            }
        }
        @SuppressWarnings("unchecked")
        List<Row>[] out = new List[tasks.size()];
        ForkJoinPool pool = new ForkJoinPool(s.threads());
        try {
            pool.submit(() -> IntStream.range(0, tasks.size()).parallel().forEach(k -> {
                int[] c = tasks.get(k);
                out[k] = replicate(s, s.truths().get(c[0]), c[0], READINGS.get(c[1]), c[1], c[2]);
            })).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("coverage study interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("coverage study: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdown();
        }
        List<Row> rows = new ArrayList<>();
        for (List<Row> r : out) {
            rows.addAll(r);
        }
        return rows;
    }

    private static List<Row> replicate(Settings s, TruthModel tm, int t, String reading, int k, int r) {
        boolean em = EmEstimator.NAME.equals(reading);
        FitProblem problem;
        if (em) {
            Dataset data = new DensitySampler(tm.model(), tm.truth(), tm.sigma(), tm.input())
                    .sample(s.n(), RandomStreams.stream(s.seed(), t, k, r, 0));
            problem = FitProblem.of(tm, data, tm.trueAtoms());
        } else {
            // The sampler's pretrained part at the inputs serves the fit too (the same bits, one evaluation).
            RegressionSampler.Drawn drawn = RegressionSampler.of(tm)
                    .draw(s.n(), RandomStreams.stream(s.seed(), t, k, r, 0));
            problem = new FitProblem(tm.model(), drawn.data(), tm.trueAtoms(), tm.box(), drawn.pretrained());
        }
        Estimator est = em ? new EmEstimator() : new LeastSquaresEstimator(s.solver());
        MixingMeasure start = new NearTruthInitializer(tm.truth()).start(problem, RandomStreams.stream(s.seed(), t, k, r, 1));
        FitResult fit = est.fit(problem, start);
        MixingMeasure g = ParametricBootstrap.align(fit.estimate(), tm.truth());
        FitResult aligned = new FitResult(g, fit.objective(), fit.noiseVariance(), fit.iterations(), fit.evaluations(),
                fit.stopReason());
        double[] truth = tm.truth().pack();
        if (em) {
            truth = java.util.Arrays.copyOf(truth, truth.length + 1);
            truth[truth.length - 1] = tm.sigma() * tm.sigma();
        }
        List<Row> rows = new ArrayList<>();
        for (Inference inf : StandardErrors.all(problem, aligned, est.name())) {
            double[] e = inf.estimate();
            double[] se = inf.standardErrors();
            double[] lo = inf.lower();
            double[] hi = inf.upper();
            for (int c = 0; c < inf.size(); c++) {
                rows.add(new Row(tm.name(), reading, r, fit.converged(), inf.method(), inf.names().get(c), truth[c],
                        e[c], se[c], lo[c], hi[c]));
            }
        }
        return rows;
    }

    /**
     * The coverage of one coordinate's interval over the converged replicates.
     *
     * @param study the truth's name
     * @param reading the reading
     * @param method the interval form
     * @param parameter the coordinate
     * @param coverage covered / converged replicates, with its 95% Wilson interval
     * @param notConverged replicates left out because the fit did not converge
     * @param meanSe the mean standard error
     * @param sdEstimate the standard deviation of the estimates over replicates
     * @param bias the mean estimate minus the truth
     */
    public record Cell(String study, String reading, String method, String parameter, Proportion coverage,
                       int notConverged, double meanSe, double sdEstimate, double bias) {
    }

    /**
     * Coverage per truth, reading, method and coordinate.
     *
     * @param rows the study's rows
     * @return one cell per (study, reading, method, parameter), in the rows' order
     */
    public static List<Cell> table(List<Row> rows) {
        Map<String, List<Row>> groups = new LinkedHashMap<>();
        for (Row r : rows) {
            groups.computeIfAbsent(r.study() + "\u0000" + r.reading() + "\u0000" + r.method() + "\u0000" + r.parameter(),
                    k -> new ArrayList<>()).add(r);
        }
        List<Cell> out = new ArrayList<>();
        for (List<Row> g : groups.values()) {
            int covered = 0;
            int used = 0;
            double se = 0;
            double sum = 0;
            double sum2 = 0;
            for (Row r : g) {
                if (!r.converged()) {
                    continue;
                }
                used++;
                covered += r.covered() ? 1 : 0;
                se += r.se();
                sum += r.estimate();
            }
            double mean = sum / Math.max(1, used);
            for (Row r : g) {
                if (r.converged()) {
                    sum2 += (r.estimate() - mean) * (r.estimate() - mean);
                }
            }
            Row f = g.get(0);
            out.add(new Cell(f.study(), f.reading(), f.method(), f.parameter(), Proportion.wilson(covered, used),
                    g.size() - used, se / Math.max(1, used), Math.sqrt(sum2 / Math.max(1, used - 1)),
                    mean - f.truth()));
        }
        return out;
    }

    /**
     * The table as CSV.
     *
     * @param cells the cells
     * @return CSV text with a header
     */
    public static String tableCsv(List<Cell> cells) {
        StringBuilder sb = new StringBuilder("study,reading,method,parameter,covered,replicates,coverage,wilson_low,"
                + "wilson_high,not_converged,mean_se,sd_estimate,se_ratio,bias\n");
        for (Cell c : cells) {
            sb.append(String.format(Locale.ROOT, "%s,%s,%s,%s,%d,%d,%.4f,%.4f,%.4f,%d,%.6g,%.6g,%.4f,%.4g%n", c.study(),
                    c.reading(), c.method(), c.parameter(), c.coverage().successes(), c.coverage().trials(),
                    c.coverage().estimate(), c.coverage().low(), c.coverage().high(), c.notConverged(), c.meanSe(),
                    c.sdEstimate(), c.meanSe() / c.sdEstimate(), c.bias()));
        }
        return sb.toString();
    }

    /**
     * The table as Markdown: one line per (study, reading, method) with the coverage of every coordinate,
     * each marked {@code *} when 0.95 lies outside its Wilson interval.
     *
     * @param cells the cells
     * @return Markdown text
     */
    public static String tableMarkdown(List<Cell> cells) {
        Map<String, List<Cell>> byMethod = new LinkedHashMap<>();
        for (Cell c : cells) {
            byMethod.computeIfAbsent(c.study() + " | " + c.reading() + " | " + c.method(), k -> new ArrayList<>()).add(c);
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, List<Cell>> e : byMethod.entrySet()) {
            List<Cell> cs = e.getValue();
            sb.append("| ").append(e.getKey()).append(" | ").append(cs.get(0).coverage().trials()).append(" | ");
            List<String> parts = new ArrayList<>();
            for (Cell c : cs) {
                Proportion p = c.coverage();
                boolean off = !(p.low() <= 0.95 && 0.95 <= p.high());
                parts.add(String.format(Locale.ROOT, "%s %.3f%s", c.parameter(), p.estimate(), off ? "*" : ""));
            }
            sb.append(String.join(", ", parts)).append(" |\n");
        }
        return sb.toString();
    }

    /**
     * Writes every row, gzip-compressed CSV, atomically.
     *
     * @param rows the rows
     * @param file the target file
     */
    public static void writeRows(List<Row> rows, Path file) {
        AtomicFiles.write(file, out -> {
            try (Writer w = new OutputStreamWriter(new GZIPOutputStream(out), StandardCharsets.UTF_8)) {
                w.write("study,reading,replicate,converged,method,parameter,truth,estimate,se,lower,upper,covered\n");
                for (Row r : rows) {
                    w.write(String.format(Locale.ROOT, "%s,%s,%d,%b,%s,%s,%.17g,%.17g,%.17g,%.17g,%.17g,%b%n", r.study(),
                            r.reading(), r.replicate(), r.converged(), r.method(), r.parameter(), r.truth(), r.estimate(),
                            r.se(), r.lower(), r.upper(), r.covered()));
                }
            }
        });
    }
}
