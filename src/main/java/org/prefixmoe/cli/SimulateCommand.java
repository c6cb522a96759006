package org.prefixmoe.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.prefixmoe.simulation.ScenarioFiles;
import org.prefixmoe.plotting.Figures;
import org.prefixmoe.simulation.Engine;
import org.prefixmoe.simulation.Progress;
import org.prefixmoe.simulation.ResultRow;
import org.prefixmoe.simulation.ResultsReader;
import org.prefixmoe.simulation.Scenario;
import org.prefixmoe.simulation.ScenarioReport;
import org.prefixmoe.simulation.Shards;
import org.prefixmoe.simulation.Summary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code simulate}: runs the Monte Carlo study of scenario files, then summarizes and plots it. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = {"Run the Monte Carlo study of each SCENARIO: every (study, n, replicate) task in parallel,"
                + " one row per task appended to OUT/NAME/results.csv as it finishes. Rerunning the same command"
                + " after an interruption computes only the missing tasks. Then writes the summary"
                + " (summary.md, summary.csv, rates.csv, outcomes.csv) and the figures (PNG and SVG) beside it."})
final class SimulateCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "SCENARIO", description = "Scenario files (YAML or JSON).")
    List<Path> scenarios;

    @Option(names = {"-o", "--output"}, defaultValue = "plots",
            description = "Parent folder of the results; each scenario writes OUT/NAME/ (default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--threads", description = "Worker threads (default: all cores, ${sys:prefixmoe.cores}).")
    Integer threads;

    @Option(names = "--quick", description = "Run the scenario's reduced 'quick' grid into OUT/NAME-quick/.")
    boolean quick;

    @Option(names = "--plot", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Summarize and plot after the run (default); --no-plot only writes the results.")
    boolean plot;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar.")
    boolean quiet;

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
            description = {"bar: a bar redrawn in place; lines: a plain line every 10%% or minute (for logs);"
                    + " auto (default): bar on a terminal, lines otherwise."})
    void progress(String mode) {
        progressMode = switch (mode) {
            case "auto" -> Progress.Mode.AUTO;
            case "bar" -> Progress.Mode.BAR;
            case "lines" -> Progress.Mode.LINES;
            default -> throw new IllegalArgumentException("--progress: expected auto, bar or lines, got '" + mode + "'");
        };
    }

    private Progress.Mode progressMode = Progress.Mode.AUTO;

    @Option(names = "--shard", paramLabel = "i/k", converter = ShardConverter.class,
            description = {"Run only shard i of k (1 <= i <= k): a fixed 1/k of the tasks, balanced by cost, into"
                    + " OUT/NAME-shard-i-of-k/ (resumable; no summary or figures). Run every shard, e.g. as a SLURM"
                    + " array job, then join them with 'prefixmoe merge'."})
    Shards.Shard shard;

    /** Parses {@code --shard i/k}. */
    static final class ShardConverter implements picocli.CommandLine.ITypeConverter<Shards.Shard> {
        @Override
        public Shards.Shard convert(String value) {
            try {
                return Shards.Shard.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage().replaceFirst("^--shard: ", ""));
            }
        }
    }

    @Option(names = "--fresh", description = "Delete the existing rows (once this run holds the results lock) and"
            + " recompute every task.")
    boolean fresh;

    static {
        System.setProperty("prefixmoe.cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    }

    @Override
    public Integer call() {
        if (scenarios.stream().anyMatch(SimulateCommand::isFamily)) {
            return callFamily();
        }
        List<Scenario> list = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        for (Path p : scenarios) {
            Scenario s = ScenarioFiles.read(p);
            list.add(quick ? s.quick() : s);
            dirs.add(output.resolve((quick ? s.name() + "-quick" : s.name()) + (shard == null ? "" : shard.suffix())));
        }
        // Fail on an unwritable folder, or one whose files are inputs, before any work starts.
        for (int i = 0; i < list.size(); i++) {
            List<String> names = new ArrayList<>(writtenFiles(list.get(i), list.get(i).figures()));
            names.add(Shards.MANIFEST);
            Outputs.folder("--output", dirs.get(i), names);
        }
        if (new java.util.HashSet<>(dirs).size() < dirs.size()) {
            throw new IllegalArgumentException("SCENARIO: two scenarios have the same name and would write one folder"
                    + " " + dirs);
        }
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (t < 1) {
            throw new IllegalArgumentException("--threads: must be at least 1, got " + t);
        }
        for (int i = 0; i < list.size(); i++) {
            if (shard != null) {
                runShard(list.get(i), shard, dirs.get(i), t, quiet, progressMode, fresh);
                continue;
            }
            run(list.get(i), dirs.get(i), t, quiet, !plot, "prefixmoe simulate " + scenarios.get(i)
                    + (quick ? " --quick" : "") + " -o " + output, list.get(i).figures(), progressMode, fresh);
        }
        return 0;
    }

    /** Whether a file is a family scenario: a {@code model.gate} field, or {@code shared} and {@code routed} blocks. */
    static boolean isFamily(Path p) {
        return org.prefixmoe.simulation.moe.MoeScenarioFiles.isFamilyScenario(p)
                || org.prefixmoe.simulation.moe.SharedRoutedScenarioFiles.isSharedRoutedScenario(p);
    }

    /** Family scenarios (a {@code model.gate} field): run, summarize and plot each, one after another. */
    private Integer callFamily() {
        if (shard != null) {
            throw new IllegalArgumentException("--shard: not available for mixture-of-experts family scenarios");
        }
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (t < 1) {
            throw new IllegalArgumentException("--threads: must be at least 1, got " + t);
        }
        for (Path p : scenarios) {
            if (!isFamily(p)) {
                throw new IllegalArgumentException("SCENARIO: " + p + " is a prefix scenario; run it apart from the"
                        + " family scenarios");
            }
        }
        for (Path p : scenarios) {
            MoeSimulate.run(p, output, t, quiet, progressMode, fresh, plot, quick);
        }
        return 0;
    }

    /** Runs one shard of a scenario into {@code dir}: results and runs.log only. */
    private static void runShard(Scenario s, Shards.Shard shard, Path dir, int threads, boolean quiet,
                                 Progress.Mode mode, boolean fresh) {
        Path results = dir.resolve("results.csv");
        java.util.List<org.prefixmoe.simulation.Task> tasks = Shards.tasks(s, shard);
        System.out.printf(Locale.ROOT, "%s: shard %s, %d of %d tasks on %d thread(s) -> %s%n", s.name(), shard,
                tasks.size(), s.taskCount(), threads, results);
        warnIfKernelChanged(dir, s, fresh);
        warnIfEmOnRegressionData(s);
        Shards.Manifest.of(s, shard).write(dir); // for merge: which shard of how many, and its tasks
        Engine.Report rep = engine(threads, quiet, mode).run(s, results, tasks, fresh);
        Path parent = dir.toAbsolutePath().getParent();
        System.out.printf(Locale.ROOT, "%s: shard %s: %d computed, %d already present, %s; %.1f s, %.1f fits/s;"
                        + " when all %d shards are done: prefixmoe merge %s -o %s%n",
                s.name(), shard, rep.ran(), rep.skipped(), outcomes(rep, results, s), rep.seconds(),
                rep.fitsPerSecond(), shard.count(), parent, parent.resolve(s.name()));
        if (rep.ran() > 0) {
            appendRunLog(dir, s, rep, threads);
        }
    }


    /** The files a run of {@code s} writes into its folder, for {@link Outputs#folder}. */
    static List<String> writtenFiles(Scenario s, List<Scenario.Figure> figures) {
        List<String> names = new ArrayList<>(List.of("results.csv", "results.csv.lock", "runs.log", "README.md",
                "summary.md", "summary.csv", "rates.csv", "outcomes.csv"));
        List<String> figs = figures.isEmpty() ? List.of(s.name() + "-d1", s.name() + "-regression")
                : figures.stream().map(Scenario.Figure::name).toList();
        names.add(s.name() + "-outcomes.png");
        names.add(s.name() + "-outcomes.svg");
        names.add(s.name() + "-d1-by-outcome.png");
        names.add(s.name() + "-d1-by-outcome.svg");
        names.add("outcome-curves.csv");
        names.add("report.html");
        for (String f : figs) {
            names.add(f + ".png");
            names.add(f + ".svg");
        }
        return names;
    }

    /**
     * Runs, summarizes and plots one scenario into {@code dir}; with {@code fresh}, recomputes
     * every task (the old rows are deleted under the results lock). Shared with {@code figures}.
     */
    static Engine.Report run(Scenario s, Path dir, int threads, boolean quiet, boolean noPlot, String command,
                             List<Scenario.Figure> figures, boolean fresh) {
        return run(s, dir, threads, quiet, noPlot, command, figures, Progress.Mode.AUTO, fresh);
    }

    private static Engine.Report run(Scenario s, Path dir, int threads, boolean quiet, boolean noPlot, String command,
                                     List<Scenario.Figure> figures, Progress.Mode mode, boolean fresh) {
        Path results = dir.resolve("results.csv");
        System.out.printf(Locale.ROOT, "%s: %d studies x %d sizes x %d replicates = %d tasks on %d thread(s) -> %s%n",
                s.name(), s.studies().size(), s.sizes().size(), s.replicates(), s.taskCount(), threads, results);
        warnIfKernelChanged(dir, s, fresh);
        warnIfEmOnRegressionData(s);
        recordPlan(dir, s);
        Engine.Report rep = engine(threads, quiet, mode).run(s, results, fresh);
        System.out.printf(Locale.ROOT, "%s: %d computed, %d already present, %s; %.1f s, %.1f fits/s%n", s.name(),
                rep.ran(), rep.skipped(), outcomes(rep, results, s), rep.seconds(), rep.fitsPerSecond());
        if (rep.ran() > 0) {
            appendRunLog(dir, s, rep, threads);
        }
        if (!noPlot) {
            ResultsReader.Results read = ResultsReader.read(results, s);
            if (!read.outsideGridNote().isEmpty()) {
                System.err.println("note: " + read.outsideGridNote());
            }
            Summary sum = Summary.of(read.rows(), summaryOptions(s));
            sum.write(dir, s.name());
            System.out.print(sum.table());
            // Default figures only when drawing, so that --no-plot never loads the plotting classes.
            for (Path p : Figures.draw(sum, figures.isEmpty() ? Figures.defaults(s.name()) : figures, dir)) {
                System.out.println("wrote " + p + ".png and .svg");
            }
            Path outcomes = Figures.drawOutcomes(sum, s.name(), dir);
            if (outcomes != null) {
                System.out.println("wrote " + outcomes + ".png and .svg");
            }
            Path curves = Figures.drawOutcomeCurves(sum, s.name(), dir);
            if (curves != null) {
                System.out.println("wrote " + curves + ".png and .svg");
            }
            // A redraw that computed nothing keeps the README of the run that made the rows (its timing).
            if (rep.ran() > 0 || !java.nio.file.Files.isRegularFile(dir.resolve("README.md"))) {
                org.prefixmoe.io.AtomicFiles.writeString(dir.resolve("README.md"),
                        ScenarioReport.markdown(s, command, rep, threads));
            }
            ReportCommand.write(s, sum, dir, command);
            System.out.println("wrote " + dir.resolve("report.html"));
        }
        return rep;
    }

    /**
     * {@return the kernel of the passes over the data in this JVM, as runs.log records it: scalar,
     * vector, or vector-wide (the machine's widest vectors, {@code -Dprefixmoe.vector.width=preferred}),
     * followed by -projected when the least-squares pass gates on projected inputs
     * ({@code -Dprefixmoe.gating=projected})}
     */
    static String kernel() {
        String k = org.prefixmoe.model.Evaluator.defaultKernel().name().toLowerCase(Locale.ROOT);
        k = k.equals("vector") && "preferred".equals(System.getProperty("prefixmoe.vector.width"))
                ? "vector-wide" : k;
        return "projected".equals(System.getProperty("prefixmoe.gating")) ? k + "-projected" : k;
    }

    /** {@return whether least-squares rows of the two kernels (as {@link #kernel()} writes them) agree bit for bit} */
    static boolean sameLeastSquaresBits(String a, String b) {
        return a.contains("-wide") == b.contains("-wide") && a.endsWith("-projected") == b.endsWith("-projected");
    }

    /**
     * Warns when the rows already in {@code dir} came from other arithmetic (runs.log says which):
     * the least-squares scalar and default vector kernels give the same bits, the widest vectors and
     * the projected gating do not, and EM's two kernels agree only to rounding, so a resumed study
     * would mix rows that agree only in all but the last bits.
     */
    private static void warnIfKernelChanged(Path dir, Scenario s, boolean fresh) {
        Path log = dir.resolve("runs.log");
        if (fresh || !java.nio.file.Files.isRegularFile(log)) {
            return;
        }
        String last = null;
        try {
            for (String line : java.nio.file.Files.readAllLines(log, java.nio.charset.StandardCharsets.UTF_8)) {
                int k = line.lastIndexOf("  kernel ");
                if (k >= 0) {
                    last = line.substring(k + 9).strip();
                }
            }
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return;   // the log is informative only
        }
        String now = kernel();
        boolean differ = last != null && (s.estimator().equals(org.prefixmoe.estimation.LeastSquaresEstimator.NAME)
                ? !sameLeastSquaresBits(last, now)
                : !last.replace("-projected", "").equals(now.replace("-projected", "")));   // EM: no gating pass
        if (differ) {
            System.err.println("warning: the rows already in " + dir + " were computed with the " + last
                    + " kernel and new ones will be with the " + now + " kernel: for this study they agree to"
                    + " rounding, not bit for bit (run with the " + last + " kernel to resume with the same bits,"
                    + " or use --fresh)");
        }
    }

    /**
     * Warns when EM, the maximum-likelihood estimator of the Gaussian mixture-of-experts density,
     * is run on data from the regression sampler ({@code Y = f_G*(X) + ε}, the default): its
     * likelihood is then misspecified and its fits may report convergence far from the truth.
     */
    static void warnIfEmOnRegressionData(Scenario s) {
        if (s.estimator().equals(org.prefixmoe.estimation.em.EmEstimator.NAME) && s.sampler().equals("regression")) {
            System.err.println("warning: " + s.name() + ": estimator em on data from the regression sampler (Y = f(X)"
                    + " + noise, the default): EM maximizes the likelihood of the mixture-of-experts density, which"
                    + " these data do not follow; converged fits may lie far from the truth. Add 'sampler: density'"
                    + " to the scenario for EM's own model");
        }
    }

    /**
     * The failed and capped fits of a run; when rows were already present, those of every row of
     * the results file as well, so that a resumed run does not report "0 at the iteration cap" for
     * a file that has some.
     */
    private static String outcomes(Engine.Report rep, Path results, Scenario s) {
        List<ResultRow> rows = ResultsReader.read(results, s).rows();
        String capped = rep.skipped() == 0
                ? String.format(Locale.ROOT, "%d failed, %d at the iteration cap", rep.failed(), rep.capped())
                : String.format(Locale.ROOT, "%d failed, %d at the iteration cap among its %d rows (%d and %d in this"
                        + " run)", rows.stream().filter(r -> !r.ok()).count(), rows.stream().filter(ResultRow::capped)
                        .count(), rows.size(), rep.failed(), rep.capped());
        return capped + notCertified(rows);
    }

    /**
     * ", N of M converged fits not certified (...)" when some converged least-squares fit's Gauss–Newton model still
     * promised more than {@code GaussNewtonCertificate.TOLERANCE}; empty otherwise.
     */
    static String notCertified(List<ResultRow> rows) {
        long certificates = rows.stream().filter(ResultRow::hasCertificate).count();
        long flagged = rows.stream().filter(ResultRow::notCertified).count();
        // under the default the finish has run on every such end, and what is left is mostly over-promise
        return flagged == 0 ? "" : String.format(Locale.ROOT, ", %d of %d converged fits not certified (the"
                + " Gauss-Newton model still promises a lower objective: an early stop on a crawl, or a degenerate"
                + " optimum where the model over-promises; column gauss_newton_decrement; docs/solver-flat-sets.md)",
                flagged, certificates);
    }

    /** The summary settings of a scenario: its r, baseline study, {@code D_1} threshold and verdict margin. */
    static Summary.Options summaryOptions(Scenario s) {
        return new Summary.Options(s.r(), s.baseline(), s.d1Threshold(), s.margin());
    }

    /** The engine of the command line: progress on stderr (unless quiet), lines in runs.log as the run goes. */
    private static Engine engine(int threads, boolean quiet, Progress.Mode mode) {
        return new Engine(threads, quiet ? null : System.err, mode, true);
    }

    /**
     * Records a scenario's pre-registered analysis plan in {@code runs.log} before the run computes
     * any row: its file and SHA-256 (which is also in every row's fingerprint).
     */
    static void recordPlan(Path dir, Scenario s) {
        if (s.planFile().isEmpty()) {
            return;
        }
        String line = String.format(Locale.ROOT, "%s  %s  analysis plan %s  sha256 %s  (recorded before this run's"
                        + " first row; in every row's fingerprint %s)%n", java.time.Instant.now().truncatedTo(
                        java.time.temporal.ChronoUnit.SECONDS), s.name(), s.planFile().get().getFileName(),
                s.planSha256(), s.fingerprint());
        try {
            java.nio.file.Files.createDirectories(dir);
            java.nio.file.Files.writeString(dir.resolve("runs.log"), line, java.nio.charset.StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + dir.resolve("runs.log"), e);
        }
    }

    /**
     * Appends the timing of a run that computed something to {@code runs.log}: wall time, fits/s,
     * threads and the machine's load, so that timings of resumed or redrawn folders are kept.
     */
    private static void appendRunLog(Path dir, Scenario s, Engine.Report rep, int threads) {
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        String line = String.format(Locale.ROOT, "%s  %s  grid %d sizes x %d replicates  computed %d (of %d, %d"
                        + " present before)  failed %d  at cap %d  wall %.1f s  %.2f fits/s  threads %d  cores %d"
                        + "  load average at end %.2f  kernel %s%n", java.time.Instant.now().truncatedTo(
                        java.time.temporal.ChronoUnit.SECONDS), s.name(), s.sizes().size(), s.replicates(), rep.ran(),
                rep.tasks(), rep.skipped(), rep.failed(), rep.capped(), rep.seconds(), rep.fitsPerSecond(), threads,
                Runtime.getRuntime().availableProcessors(), load, kernel());
        try {
            java.nio.file.Files.writeString(dir.resolve("runs.log"), line, java.nio.charset.StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + dir.resolve("runs.log"), e);
        }
    }
}
