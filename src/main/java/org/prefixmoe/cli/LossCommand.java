package org.prefixmoe.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.prefixmoe.io.MeasureFiles;
import org.prefixmoe.io.ModelFiles;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.loss.CellErrors;
import org.prefixmoe.loss.RegressionError;
import org.prefixmoe.loss.VoronoiLoss;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;
import java.io.PrintWriter;
import org.prefixmoe.sampling.Samplers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code loss}: compares an estimate with the truth of a model file. */
@Command(name = "loss", mixinStandardHelpOptions = true,
        description = "Voronoi losses D_1 and D_{2,r}, per-cell atom errors and the regression error of an estimate.")
final class LossCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ESTIMATE", description = "Estimate JSON written by fit.")
    Path estimate;

    @Option(names = {"-m", "--model"}, required = true, description = "Model file holding the truth.")
    Path model;

    @Option(names = "-r", defaultValue = "2", description = "Exponent r of D_{2,r} (default: ${DEFAULT-VALUE}).")
    double r;

    @Option(names = "--eval-size", defaultValue = "10000",
            description = "Fresh inputs for the regression error (default: ${DEFAULT-VALUE}).")
    int evalSize;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the fresh inputs (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        if (MoeModelCommands.isFamily(model)) {
            return MoeModelCommands.loss(estimate, model);
        }
        if (!(r > 0) || !Double.isFinite(r)) { // checked before anything is printed
            throw new IllegalArgumentException("-r: the exponent of D_{2,r} must be a positive number, got " + r);
        }
        TruthModel tm = ModelFiles.read(model);
        Samplers.checkSize("--eval-size", evalSize, tm.model());
        MeasureFiles.Estimate e = MeasureFiles.read(estimate);
        if (!e.parameterization().isEmpty() && !e.parameterization().equals(tm.model().parameterization().name())) {
            throw new IllegalArgumentException(estimate + ": field 'parameterization': the estimate is "
                    + e.parameterization() + " but the model is " + tm.model().parameterization().name());
        }
        MixingMeasure g = e.measure();
        tm.model().checkMeasure(estimate + ": atoms", g);
        if (!tm.box().contains(g)) {
            org.prefixmoe.model.Box b = tm.box();
            throw new IllegalArgumentException(estimate + ": the estimate lies outside the model's box (atom ["
                    + b.atomLower() + ", " + b.atomUpper() + "], bias [" + b.biasLower() + ", " + b.biasUpper()
                    + "]), where fits never go; its losses would not be meaningful (or finite)");
        }
        if (!e.converged()) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("warning: " + estimate + " is from a fit that did not converge (stopped: " + e.stopReason()
                    + "); its losses describe that point, not an estimator");
            err.flush();
        }
        double[] x = new RegressionSampler(tm.model(), tm.truth(), 0, tm.input())
                .sample(evalSize, RandomStreams.stream(seed, 2)).x();
        CellErrors cells = CellErrors.of(g, tm.truth());
        double d1 = VoronoiLoss.d1(g, tm.truth());
        double d2 = VoronoiLoss.d2(g, tm.truth(), r);
        double l2 = RegressionError.l2(tm.model(), g, tm.model(), tm.truth(), x);
        if (!Double.isFinite(d1) || !Double.isFinite(d2) || !Double.isFinite(l2)) { // before anything is printed
            throw new IllegalArgumentException(estimate + ": the losses of this estimate are not finite (D_1 " + d1
                    + ", D_2 " + d2 + ", L2 " + l2 + "): its weights exp(b) overflow");
        }
        System.out.printf("D_1            %.6g%n", d1);
        System.out.printf("D_2,%-10s %.6g%n", fmt(r), d2);
        System.out.printf("||f - f*||_L2  %.6g%n", l2);
        System.out.printf("single-cell atom error     %.6g%n", cells.single());
        System.out.printf("multi-cell atom error      %.6g%n", cells.multi());
        System.out.printf("multi-cell weighted error  %.6g%n", cells.multiWeighted());
        System.out.printf("empty cells %d, redundant atoms: %s%n", cells.emptyCells(), cells.redundancy().label());
        return 0;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
