package org.prefixmoe.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.prefixmoe.estimation.Estimator;
import org.prefixmoe.estimation.Estimators;
import org.prefixmoe.estimation.LeastSquaresEstimator;
import org.prefixmoe.estimation.MergeTruncateMerge;
import org.prefixmoe.estimation.ModelSelection;
import org.prefixmoe.io.AtomicFiles;
import org.prefixmoe.io.DatasetCsv;
import org.prefixmoe.io.ModelFiles;
import org.prefixmoe.model.ModelSpec;
import org.prefixmoe.sampling.Dataset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code select}: chooses the number L of prompts (docs/theory.md §9). */
@Command(name = "select", mixinStandardHelpOptions = true,
        description = {"Choose the number L of prompts: fit each L of a range with random restarts and report the"
            + " log-likelihood (EM reading) or residual variance (least squares), parameter count, BIC and ICL and the"
            + " L each picks; reduce the largest L's fit by merge-truncate-merge (Guha, Ho and Nguyen 2021) and report"
            + " its number of atoms."})
final class SelectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DATA", description = "CSV data set (x1..xD, y1..yq, or --x and --y).")
    Path data;

    @Option(names = {"-m", "--model"}, required = true, description = "Model file (its atoms, if any, are not used).")
    Path model;

    @Option(names = "--L", defaultValue = "1..6", paramLabel = "MIN..MAX", description = "The range of L (default:"
            + " ${DEFAULT-VALUE}).")
    String range;

    @Option(names = "--x", paramLabel = "COLUMNS", description = "Input columns, as for fit.")
    String xColumns;

    @Option(names = "--y", paramLabel = "COLUMNS", description = "Response columns, as for fit.")
    String yColumns;

    @Option(names = "--estimator", defaultValue = "least-squares", description = "least-squares or em (default:"
            + " ${DEFAULT-VALUE}).")
    String estimator;

    @Option(names = "--restarts", defaultValue = "5", description = "Random starts per L (default: ${DEFAULT-VALUE}).")
    int restarts;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the starts (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--merge-scale", defaultValue = "1", description = "Constant c of the merging distance"
            + " c (log n / n)^(1/4) (default: ${DEFAULT-VALUE}).")
    double mergeScale;

    @Option(names = "--weight-scale", defaultValue = "1", description = "Constant c of the truncation weight"
            + " c (log n / n)^(1/2) (default: ${DEFAULT-VALUE}).")
    double weightScale;

    @Option(names = "--threads", description = "Threads of each least-squares pass (default: all cores).")
    Integer threads;

    @Option(names = {"-o", "--output"}, description = "Write the table as CSV.")
    Path output;

    /**
     * Parses {@code MIN..MAX} or a single L.
     *
     * @param s the text
     * @return {min, max}
     */
    static int[] parseRange(String s) {
        try {
            String[] parts = s.strip().split("\\.\\.", -1);
            int lo = Integer.parseInt(parts[0].strip());
            int hi = parts.length == 1 ? lo : Integer.parseInt(parts[1].strip());
            if (parts.length > 2 || lo < 1 || hi < lo) {
                throw new NumberFormatException();
            }
            return new int[] {lo, hi};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--L: expected MIN..MAX with 1 <= MIN <= MAX (e.g. 1..6), got '" + s + "'");
        }
    }

    @Override
    public Integer call() {
        int[] r = parseRange(range);
        if (restarts < 1) {
            throw new IllegalArgumentException("--restarts: must be at least 1, got " + restarts);
        }
        MergeTruncateMerge mtm;
        try {
            mtm = new MergeTruncateMerge(mergeScale, weightScale);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--merge-scale/--weight-scale: " + e.getMessage());
        }
        ModelSpec ms = ModelFiles.readSpec(model);
        Dataset d = xColumns == null && yColumns == null ? DatasetCsv.read(data)
                : DatasetCsv.read(data, new DatasetCsv.Columns(xColumns, yColumns));
        if (output != null) {
            Outputs.file("--output", output);
        }
        Estimator est = Estimators.byName(estimator);
        int cores = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (cores < 1) {
            throw new IllegalArgumentException("--threads: must be >= 1, got " + cores);
        }
        if (est instanceof LeastSquaresEstimator ls) {
            est = new LeastSquaresEstimator(ls.options(), cores);
        }
        long t0 = System.nanoTime();
        ModelSelection.Result res;
        try {
            res = ModelSelection.select(ms.model(), ms.box(), d, r[0], r[1], est, restarts, seed, mtm);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (" + data + ", model " + model + ")");
        }
        System.out.printf(Locale.ROOT, "%s fits of L = %d..%d (%s, %d restarts each) to %d samples in %.2f s%n",
                est.name(), r[0], r[1], ms.model().parameterization().name(), restarts, d.size(),
                (System.nanoTime() - t0) / 1e9);
        System.out.printf("%3s %16s %12s %4s %16s %14s %16s  %s%n", "L", "log-likelihood", "sigma^2", "k", "BIC",
                "entropy", "ICL", "stopped");
        for (ModelSelection.Candidate c : res.candidates()) {
            System.out.printf(Locale.ROOT, "%3d %16.4f %12.6g %4d %16.4f %14.4f %16.4f  %s%n", c.atoms(), c.logLikelihood(),
                    c.residualVariance(), c.parameters(), c.bic(), c.entropy(), c.icl(),
                    c.fit() == null ? "failed" : c.fit().stopReason().label());
        }
        System.out.printf(Locale.ROOT, "chosen L: BIC %d, ICL %d, merge-truncate-merge %d (of the L = %d fit; merging"
                + " distance %.4g, truncation weight %.4g)%n", res.byBic(), res.byIcl(), res.byMerge(), res.mergedFrom(),
                mtm.distance(d.size()), mtm.weight(d.size()));
        if (res.merged() != null) {
            System.out.println("merged: " + res.merged());
        }
        if (output != null) {
            AtomicFiles.writeString(output, String.join("\n", res.csvLines()) + "\n");
            System.out.println("wrote " + output);
        }
        return 0;
    }
}
