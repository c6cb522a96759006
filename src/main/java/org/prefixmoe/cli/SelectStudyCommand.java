package org.prefixmoe.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.prefixmoe.estimation.LeastSquaresEstimator;
import org.prefixmoe.estimation.MergeTruncateMerge;
import org.prefixmoe.io.AtomicFiles;
import org.prefixmoe.io.ModelFiles;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.plotting.RatePlot;
import org.prefixmoe.plotting.SelectionPlot;
import org.prefixmoe.simulation.SelectionStudy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code select-study}: how often BIC, ICL and merge–truncate–merge pick L* against n (docs/theory.md §9). */
@Command(name = "select-study", mixinStandardHelpOptions = true,
        description = {"Monte Carlo study of choosing L: per n and replicate, draw data from the truth, run select"
            + " (least squares, random restarts, no truth used) and record the L each rule picks; write picks.csv,"
            + " candidates.csv, summary.csv and the figure select-L.png/.svg to the folder."})
final class SelectStudyCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, defaultValue = "simulations/models/default-shared-linear.yaml",
            description = "Model file with a truth (default: ${DEFAULT-VALUE}).")
    Path model;

    @Option(names = "-n", split = ",", required = true, description = "Sample sizes, comma-separated.")
    List<Integer> sizes;

    @Option(names = "--replicates", required = true, description = "Replicates per size.")
    int replicates;

    @Option(names = "--L", defaultValue = "1..4", paramLabel = "MIN..MAX", description = "The range of L (default:"
            + " ${DEFAULT-VALUE}).")
    String range;

    @Option(names = "--restarts", defaultValue = "3", description = "Random starts per L (default: ${DEFAULT-VALUE}).")
    int restarts;

    @Option(names = "--seed", required = true, description = "Master seed (choose it before the run).")
    long seed;

    @Option(names = "--merge-scale", defaultValue = "1", description = "As for select (default: ${DEFAULT-VALUE}).")
    double mergeScale;

    @Option(names = "--weight-scale", defaultValue = "1", description = "As for select (default: ${DEFAULT-VALUE}).")
    double weightScale;

    @Option(names = "--threads", description = "Replicates run at once (default: all cores; rows do not depend on it).")
    Integer threads;

    @Option(names = "--method", paramLabel = "METHOD", description = "Least-squares method (default trf-pair-m; lm"
            + " reproduces runs made before issue 23, with --max-iterations 500).")
    String method;

    @Option(names = "--max-iterations", description = "Least-squares iteration cap (default: the solver's, 1000).")
    Integer maxIterations;

    @Option(names = {"-o", "--output"}, required = true, description = "Output folder.")
    Path output;

    /**
     * The least-squares settings of {@code --method} and {@code --max-iterations}, the defaults where absent.
     *
     * @param method a method label, or null
     * @param maxIterations an iteration cap, or null
     * @return the settings
     * @throws IllegalArgumentException naming the option for an unknown method or a cap below 1
     */
    static LeastSquaresEstimator.Options solver(String method, Integer maxIterations) {
        LeastSquaresEstimator.Options o = LeastSquaresEstimator.Options.DEFAULT;
        try {
            if (method != null) {
                o = o.withMethod(LeastSquaresEstimator.Method.byLabel(method));
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--method: " + e.getMessage(), e);
        }
        try {
            return maxIterations == null ? o : o.withMaxIterations(maxIterations);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--max-iterations: " + e.getMessage(), e);
        }
    }

    @Override
    public Integer call() {
        int[] r = SelectCommand.parseRange(range);
        TruthModel tm = ModelFiles.read(model);
        for (int n : sizes) {
            if (n < 10) {
                throw new IllegalArgumentException("-n: sizes must be at least 10, got " + n);
            }
        }
        int cores = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        SelectionStudy.Settings s = new SelectionStudy.Settings(tm, sizes, replicates, r[0], r[1], restarts, seed,
                new MergeTruncateMerge(mergeScale, weightScale), cores, solver(method, maxIterations));
        AtomicFiles.requireWritableFolder(output);
        long t0 = System.nanoTime();
        List<SelectionStudy.Row> rows = SelectionStudy.run(s);
        double secs = (System.nanoTime() - t0) / 1e9;
        AtomicFiles.writeString(output.resolve("picks.csv"), SelectionStudy.picksCsv(rows));
        AtomicFiles.writeString(output.resolve("candidates.csv"), SelectionStudy.candidatesCsv(rows));
        String summary = SelectionStudy.summaryCsv(rows, tm.trueAtoms(), r[0], r[1]);
        AtomicFiles.writeString(output.resolve("summary.csv"), summary);
        RatePlot.write(SelectionPlot.chart(tm.name() + ": how often each rule picks L* = " + tm.trueAtoms()
                + " (L = " + r[0] + ".." + r[1] + ", " + restarts + " random starts each)", rows, tm.trueAtoms()),
                output.resolve("select-L"));
        System.out.print(summary);
        System.out.printf(Locale.ROOT, "%d sizes x %d replicates in %.1f s on %d threads; wrote %s%n", sizes.size(),
                replicates, secs, cores, output);
        return 0;
    }
}
