package org.prefixmoe.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.prefixmoe.bench.LeastSquaresBenchmark;
import org.prefixmoe.estimation.LeastSquaresEstimator;
import org.prefixmoe.io.ModelFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bench}: single-threaded timings of the evaluator and of whole fits. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time one evaluation of f_G plus Jacobian per sample and whole least-squares fits "
                + "at n = 10^4 and 10^5 (one thread, near-truth starts).")
final class BenchCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, defaultValue = "simulations/models/default-shared-linear.yaml",
            description = "Truth (default: ${DEFAULT-VALUE}).")
    Path model;

    @Option(names = "-L", defaultValue = "3", description = "Fitted atoms (default: ${DEFAULT-VALUE}).")
    int atoms;

    @Option(names = "--replicates", defaultValue = "40",
            description = "Fits timed at n = 10^4 (a quarter of that at 10^5; default: ${DEFAULT-VALUE}).")
    int replicates;

    @Option(names = "--objective-tolerance", defaultValue = "1e-10",
            description = "Relative objective-change tolerance of the fits (default: ${DEFAULT-VALUE}).")
    double objectiveTolerance;

    @Option(names = "--step-tolerance", defaultValue = "1e-9",
            description = "Relative step tolerance of the fits (default: ${DEFAULT-VALUE}).")
    double stepTolerance;

    @Option(names = "--gradient-tolerance", defaultValue = "1e-10",
            description = "Scaled projected-gradient tolerance of the fits (default: ${DEFAULT-VALUE}).")
    double gradientTolerance;

    @Option(names = "--pass-only", description = "Only the per-sample cost of the passes (least squares: "
            + "both kernels; EM's E-step: both kernels), one machine-readable line each (bench/pass_ratio.sh reads them).")
    boolean passOnly;

    @Override
    public Integer call() {
        if (replicates < 1) {
            throw new IllegalArgumentException("--replicates: must be at least 1, got " + replicates);
        }
        if (atoms < 1 || atoms > org.prefixmoe.estimation.FitProblem.MAX_ATOMS) {
            throw new IllegalArgumentException("-L: must be between 1 and "
                    + org.prefixmoe.estimation.FitProblem.MAX_ATOMS + ", got " + atoms);
        }
        LeastSquaresEstimator.Options options = LeastSquaresEstimator.Options.DEFAULT
                .withObjectiveTolerance(objectiveTolerance).withStepTolerance(stepTolerance)
                .withGradientTolerance(gradientTolerance);
        LeastSquaresBenchmark bench = new LeastSquaresBenchmark(ModelFiles.read(model), System.out, options);
        if (passOnly) {
            bench.passes(atoms);
        } else {
            bench.report(atoms, replicates);
        }
        return 0;
    }
}
