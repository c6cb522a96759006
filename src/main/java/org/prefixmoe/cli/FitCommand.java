package org.prefixmoe.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.prefixmoe.estimation.Estimator;
import org.prefixmoe.estimation.Estimators;
import org.prefixmoe.estimation.FitProblem;
import org.prefixmoe.estimation.FitResult;
import org.prefixmoe.estimation.Fitting;
import org.prefixmoe.estimation.GaussNewtonCertificate;
import org.prefixmoe.estimation.Inference;
import org.prefixmoe.estimation.Initializer;
import org.prefixmoe.estimation.ParametricBootstrap;
import org.prefixmoe.estimation.StandardErrors;
import org.prefixmoe.estimation.LeastSquaresEstimator;
import org.prefixmoe.estimation.NearTruthInitializer;
import org.prefixmoe.estimation.RandomInitializer;
import org.prefixmoe.io.DatasetCsv;
import org.prefixmoe.io.MeasureFiles;
import org.prefixmoe.io.ModelFiles;
import org.prefixmoe.model.Evaluator;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.ModelSpec;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;
import java.io.PrintWriter;
import org.prefixmoe.estimation.StopReason;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fit}: fits L atoms to a CSV data set and writes the estimate as JSON. */
@Command(name = "fit", mixinStandardHelpOptions = true,
        description = {"Fit a mixing measure with L atoms to a CSV data set; print and write the estimate as JSON.",
            "Exit status 3 when the fit failed or stopped without converging (the estimate file says"
                + " \"converged\": false and why); L is at most " + FitProblem.MAX_ATOMS
                + " and the data need at least as many samples as parameters."})
final class FitCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DATA", description = "CSV data set (x1..xD, y1..yq, or the columns"
            + " --x and --y name).")
    Path data;

    @Option(names = {"-m", "--model"}, required = true,
            description = "Model file: the pretrained part, maps and box; its atoms, if it has any, are the truth for"
                    + " near-truth starts (a file without atoms is a model without a truth).")
    Path model;

    @Option(names = "-L", description = "Number of fitted atoms (default: the model's L*; required for a model"
            + " without a truth).")
    Integer atoms;

    @Option(names = "--study", paramLabel = "NAME", description = "Family and shared + routed scenario files: fit"
            + " the components of this study of the file (K, or K_1 and K_2; default: the truth's).")
    String study;

    @Option(names = "--x", paramLabel = "COLUMNS", description = "Input columns of DATA, in order: a comma list of"
            + " names, globs ('x*'), 1-based positions or ranges ('1-4') (default: x1, x2, ...).")
    String xColumns;

    @Option(names = "--y", paramLabel = "COLUMNS", description = "Response columns of DATA, as --x (default: y1, y2,"
            + " ...).")
    String yColumns;

    @Option(names = "--estimator", defaultValue = "least-squares", description = "Estimator: least-squares or em"
            + " (maximum likelihood of the Gaussian mixture-of-experts density; for data from sample --sampler"
            + " density) (default: ${DEFAULT-VALUE}).")
    String estimator;

    @Option(names = "--init", defaultValue = "random",
            description = "Initialization: random or near-truth (default: ${DEFAULT-VALUE}).")
    String init;

    @Option(names = "--restarts", defaultValue = "5", description = "Number of starts (default: ${DEFAULT-VALUE}).")
    int restarts;

    @Option(names = "--max-iterations", description = "Iteration cap of the estimator (default: its own).")
    Integer maxIterations;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed of the starts (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--start", paramLabel = "FILE",
            description = "Fit once from this start: an estimate JSON with atoms and biases (what fit -o writes), "
                    + "projected onto the model's box; --init and --restarts are then not used.")
    Path start;

    @Option(names = {"-o", "--output"}, description = "Output JSON file for the estimate.")
    Path output;

    @Option(names = "--method", paramLabel = "METHOD", description = "Least-squares method (default trf-pair-m;"
            + " lm, the default until issue 23, flat, trf-lm, ... as in a scenario's solver: {method: ...};"
            + " docs/solver-flat-sets.md).")
    String method;

    @Option(names = "--se", description = "Also compute standard errors and 95%% Wald intervals of every atom"
            + " coordinate and bias (least squares: observed Gauss-Newton information and the sandwich form; em:"
            + " empirical information of the per-sample scores, observed information and their sandwich, sigma2"
            + " included). Valid for an exact-specified fit only: for L > L* the information is singular and the"
            + " intervals are invalid (use --bootstrap).")
    boolean se;

    @Option(names = "--bootstrap", paramLabel = "B", description = "Also run a parametric bootstrap with B refits"
            + " from the estimate (seeded by --seed, on --threads cores, the same result for any number): standard"
            + " deviations and 95%% percentile intervals, the intervals to use when L may exceed L*.")
    Integer bootstrap;

    @Option(names = "--se-output", paramLabel = "FILE", description = "Write the standard-error tables (--se,"
            + " --bootstrap) as CSV: method,parameter,estimate,se,lower,upper.")
    Path seOutput;

    @Option(names = "--threads", description = "Threads of each least-squares pass over the data (default: all cores; "
            + "the fit is bit-identical for any number).")
    Integer threads;

    /** How far off the model's scale data may be before {@code fit} warns: a factor of 100 in root mean square. */
    static final double SCALE_RATIO = 100;

    /**
     * A warning when the data's inputs or responses are on another scale than data drawn from
     * the model file (root mean square more than {@link #SCALE_RATIO} times larger): the box bounds
     * the atoms, so a fit cannot follow such data and may stop at its start. Empty otherwise.
     */
    static String scaleWarning(Dataset d, TruthModel tm, Path file) {
        Dataset ref = org.prefixmoe.sampling.RegressionSampler.of(tm).sample(1000, RandomStreams.stream(0, 0));
        StringBuilder sb = new StringBuilder();
        double[][] pairs = {{rms(d.x()), rms(ref.x())}, {rms(d.y()), rms(ref.y())}};
        String[] what = {"inputs x", "responses y"};
        for (int i = 0; i < 2; i++) {
            double ratio = pairs[i][0] / pairs[i][1];
            if (ratio > SCALE_RATIO) {
                sb.append(sb.length() == 0 ? "" : "; ").append(String.format(java.util.Locale.ROOT,
                        "its %s have root mean square %.3g, %.3g times that of data from the model (%.3g)", what[i],
                        pairs[i][0], ratio, pairs[i][1]));
            }
        }
        return sb.length() == 0 ? "" : "warning: " + file + ": " + sb + "; the box bounds the atoms, so a fit cannot"
                + " follow data on another scale (it may stop where it started): rescale the data or the model";
    }

    /** The root mean square, scaled by the largest magnitude so that huge values do not overflow. */
    private static double rms(double[] v) {
        double m = 0;
        for (double a : v) {
            m = Math.max(m, Math.abs(a));
        }
        if (m == 0 || !Double.isFinite(m)) {
            return m;
        }
        double s = 0;
        for (double a : v) {
            s += (a / m) * (a / m);
        }
        return m * Math.sqrt(s / Math.max(1, v.length));
    }

    @Override
    public Integer call() {
        if (MoeModelCommands.isFamily(model) && (se || bootstrap != null || seOutput != null)) {
            throw new IllegalArgumentException("--se/--bootstrap: standard errors are for prefix models; " + model
                    + " is a family scenario file");
        }
        if (MoeModelCommands.isFamily(model)) {
            // a family member's "model file" is its scenario file; -L is its K, EM from near-truth starts (the
            // shared + routed model: the truth's K_1, K_2 or a study's)
            return MoeModelCommands.fit(data, model, atoms, study, restarts, maxIterations, seed, output);
        }
        if (study != null) {
            throw new IllegalArgumentException("--study: for family and shared + routed scenario files; " + model
                    + " is a prefix model file (use -L)");
        }
        ModelSpec ms = ModelFiles.readSpec(model);
        TruthModel tm = ms.truth().orElse(null);
        if (atoms == null && tm == null) {
            throw new IllegalArgumentException("-L: required: " + model + " is a model without a truth (no atoms),"
                    + " so there is no L* to default to");
        }
        if (NearTruthInitializer.NAME.equals(init) && tm == null && start == null) {
            throw new IllegalArgumentException("--init near-truth: needs the truth's atoms, and " + model + " is a"
                    + " model without a truth (no atoms); use --init random (the default)");
        }
        int l = atoms == null ? tm.trueAtoms() : atoms;
        // While a large file is read (from ~30,000 rows, where the fit's first passes would run
        // slow code for a while), compile the least-squares pass on another core.
        Thread warmUp = new Thread(() -> Evaluator.warmUp(ms.model(), Math.max(1, Math.min(l,
                FitProblem.MAX_ATOMS))), "prefixmoe-warm-up");
        warmUp.setDaemon(true);
        if (LeastSquaresEstimator.NAME.equals(estimator) && data.toFile().length() > (4 << 20)) {
            warmUp.start();
        }
        Dataset d = xColumns == null && yColumns == null ? DatasetCsv.read(data)
                : DatasetCsv.read(data, new DatasetCsv.Columns(xColumns, yColumns));
        String scaleWarning = tm == null ? "" : scaleWarning(d, tm, data);
        try {
            warmUp.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        FitProblem problem;
        try {
            problem = tm != null ? FitProblem.of(tm, d, l) : new FitProblem(ms.model(), d, l, ms.box());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException((e.getMessage().startsWith("L:") ? "-" : "") + e.getMessage()
                    + (e.getMessage().startsWith("data:") ? " (" + data + ")" : " (model " + model + ")"));
        }
        java.util.Map<String, Double> settings = new java.util.HashMap<>();
        if (maxIterations != null) {
            settings.put("max_iterations", (double) maxIterations);
        }
        if (method != null) {
            if (!LeastSquaresEstimator.NAME.equals(estimator)) {
                throw new IllegalArgumentException("--method: only the least-squares estimator has methods, not "
                        + estimator);
            }
            settings.put("method", (double) LeastSquaresEstimator.Method.byLabel(method).code());
        }
        Estimator est = settings.isEmpty() ? Estimators.byName(estimator) : Estimators.create(estimator, settings);
        if (restarts < 1) {
            throw new IllegalArgumentException("--restarts: must be at least 1, got " + restarts);
        }
        // The start is an input too: read it before the output policy looks at the inputs.
        MixingMeasure from = start == null ? null : MeasureFiles.readStart(start, ms.model(), l);
        if (output != null) {
            Outputs.file("--output", output);
        }
        if (bootstrap != null && bootstrap < 2) {
            throw new IllegalArgumentException("--bootstrap: needs at least 2 replicates, got " + bootstrap);
        }
        if (seOutput != null) {
            if (!se && bootstrap == null) {
                throw new IllegalArgumentException("--se-output: give --se or --bootstrap B too");
            }
            Outputs.file("--se-output", seOutput);
        }
        int cores = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (cores < 1) {
            throw new IllegalArgumentException("--threads: must be >= 1, got " + cores);
        }
        if (est instanceof LeastSquaresEstimator ls) {
            // One fit, all cores: the pass splits the data in fixed chunks (bit-identical for any count).
            est = new LeastSquaresEstimator(ls.options(), cores);
        }
        Initializer initializer = switch (init) {
            case NearTruthInitializer.NAME -> tm == null ? null : new NearTruthInitializer(tm.truth());
            case RandomInitializer.NAME -> new RandomInitializer();
            default -> throw new IllegalArgumentException("--init: unknown initialization '" + init
                    + "' (expected random or near-truth)");
        };
        if (!scaleWarning.isEmpty()) {
            PrintWriter err = spec.commandLine().getErr();
            err.println(scaleWarning);
            err.flush();
        }
        long t0 = System.nanoTime();
        FitResult fit = from != null ? est.fit(problem, from)
                : Fitting.fitWithRestarts(est, problem, initializer, restarts, RandomStreams.stream(seed, 1));
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%s fit of %d atoms (%s) to %d samples in %.3f s%n", est.name(), l,
                ms.model().parameterization().name(), d.size(), secs);
        System.out.printf("objective %.6g, sigma^2 %.4g, %d iterations, %d evaluations, stopped: %s%n",
                fit.objective(), fit.noiseVariance(), fit.iterations(), fit.evaluations(), fit.stopReason().label());
        double decrement = est instanceof LeastSquaresEstimator && fit.stopReason() != StopReason.FAILED
                ? certify(problem, fit) : Double.NaN;
        System.out.println(fit.estimate());
        if (output != null) {
            MeasureFiles.write(output, ms.model().parameterization().name(), fit, decrement);
            System.out.println("wrote " + output);
        }
        if ((se || bootstrap != null) && fit.converged()) {
            inference(problem, fit, est, tm, l, cores);
        } else if (se || bootstrap != null) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("warning: no standard errors: they need a converged fit");
            err.flush();
        }
        if (!fit.converged()) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("error: the fit " + (fit.stopReason() == StopReason.FAILED ? "failed" : "did not converge")
                    + " (stopped: " + fit.stopReason().label() + ")"
                    + (output != null ? "; " + output + " is marked \"converged\": false" : ""));
            err.flush();
            return Main.FIT_FAILED;
        }
        return 0;
    }

    /**
     * What to do about a fit its certificate flags: the default has already tried to finish such an end, so only
     * under another method is refitting with it the advice.
     *
     * @param method the {@code --method} label, null for the default
     * @return the advice, for the warning
     */
    static String refitAdvice(String method) {
        boolean finished = method == null
                || LeastSquaresEstimator.Method.byLabel(method) == LeastSquaresEstimator.Options.DEFAULT.method();
        return finished ? "continue from the estimate (-o, then --start) or compare --restarts"
                : "refit with the default method (" + LeastSquaresEstimator.Options.DEFAULT.method().label()
                + "), which finishes such crawls with trf at tolerance 1e-13, continue from the estimate (-o, then"
                + " --start), or compare --restarts";
    }

    /**
     * Prints the Gauss–Newton certificate of a least-squares fit, and warns when the model still promises more than
     * its tolerance: an over-specified fit may have stopped at the mouth of a flat valley (docs/solver-flat-sets.md).
     *
     * @return the decrement, for the estimate file's fit report
     */
    private double certify(FitProblem problem, FitResult fit) {
        GaussNewtonCertificate c = GaussNewtonCertificate.of(problem, fit.estimate());
        System.out.printf(java.util.Locale.ROOT, "Gauss-Newton certificate: %.2g relative decrease still promised"
                + " (%s at %.0e)%n", c.decrement(), c.certified() ? "certified" : "NOT certified",
                GaussNewtonCertificate.TOLERANCE);
        if (!c.certified() && fit.converged()) {
            double gain = GaussNewtonCertificate.continuationGain(problem, fit.estimate(),
                    GaussNewtonCertificate.CONFIRM_ITERATIONS);
            PrintWriter err = spec.commandLine().getErr();
            String refit = refitAdvice(method);
            err.printf(java.util.Locale.ROOT, "warning: the fit stopped on a small change, but its Gauss-Newton model"
                    + " still promises %.2g relative decrease, and %d more iterations at tolerance 1e-15 lower the"
                    + " objective by %.2g: %s%n", c.decrement(), GaussNewtonCertificate.CONFIRM_ITERATIONS, gain,
                    gain > GaussNewtonCertificate.TOLERANCE
                            ? "it stopped early in a flat valley (over-specified fits often do); " + refit
                            : "the promise is not confirmed (near a degenerate optimum the model over-promises), but an"
                            + " early stop on a slow crawl is not ruled out (" + refit + ")");
            err.flush();
        }
        return c.decrement();
    }

    /** Prints (and writes) the standard errors of a converged fit; warns on over-specified fits. */
    private void inference(FitProblem problem, FitResult fit, Estimator est, TruthModel tm, int l, int cores) {
        PrintWriter err = spec.commandLine().getErr();
        java.util.List<Inference> out = new java.util.ArrayList<>();
        if (se) {
            if (tm != null && l > tm.trueAtoms()) {
                err.println("warning: L = " + l + " > L* = " + tm.trueAtoms() + " of " + model + ": "
                        + StandardErrors.OVER_SPECIFIED);
            }
            out.addAll(StandardErrors.all(problem, fit, est.name()));
        }
        if (bootstrap != null) {
            Estimator one = est instanceof LeastSquaresEstimator ls ? new LeastSquaresEstimator(ls.options(), 1) : est;
            long t0 = System.nanoTime();
            out.add(ParametricBootstrap.run(problem, fit, one, bootstrap, seed, cores));
            System.out.printf(java.util.Locale.ROOT, "parametric bootstrap: %d refits in %.2f s%n", bootstrap,
                    (System.nanoTime() - t0) / 1e9);
        }
        StringBuilder csv = new StringBuilder();
        for (Inference inf : out) {
            System.out.print(inf.table());
            for (String w : inf.warnings()) {
                err.println("warning: " + inf.method() + ": " + w);
            }
            java.util.List<String> lines = inf.csvLines();
            for (int k = csv.length() == 0 ? 0 : 1; k < lines.size(); k++) {
                csv.append(lines.get(k)).append('\n');
            }
        }
        err.flush();
        if (seOutput != null) {
            org.prefixmoe.io.AtomicFiles.writeString(seOutput, csv.toString());
            System.out.println("wrote " + seOutput);
        }
    }
}
