package org.prefixmoe.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.prefixmoe.io.DatasetCsv;
import org.prefixmoe.io.MeasureFiles;
import org.prefixmoe.io.ModelFiles;
import org.prefixmoe.io.PredictionCsv;
import org.prefixmoe.model.ModelSpec;
import org.prefixmoe.model.Prediction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code predict}: f_Ĝ(x), the gate weights and, optionally, the responsibilities at new inputs. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Predict with a fitted estimate at new inputs: write f(x), the gate weight of every expert"
            + " (pretrained, then prompts) and, with --em, the posterior responsibilities given the responses.",
            "The model file needs no truth (atoms); the estimate must be of its parameterization.",
            "With a family scenario file as -m (and an estimate written by fit with it): f(x), the gate weight of every"
                + " component (free, then frozen) and, with --em, the responsibilities under the Gaussian-mixture"
                + " observation (each component's own variance).",
            "With a shared + routed scenario file as -m: f(x) = w f_shared(x) + (1 - w) f_routed(x), the shared block's"
                + " weights omega (gate_shared_i, summing to 1) and the router's g_j(x) (gate_routed_j, summing to 1)"
                + " and, with --em, the responsibilities of all K_1 + K_2 components (summing to 1)."})
final class PredictCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ESTIMATE", description = "Estimate JSON written by fit.")
    Path estimate;

    @Option(names = {"-m", "--model"}, required = true, description = "Model file the estimate was fitted with.")
    Path model;

    @Option(names = "--at", required = true, paramLabel = "CSV",
            description = "Inputs to predict at: a CSV with x columns (x1..xD or --x) and, for --em, y columns.")
    Path at;

    @Option(names = "--x", paramLabel = "COLUMNS", description = "Input columns, as fit's --x (default: x1, x2, ...).")
    String xColumns;

    @Option(names = "--y", paramLabel = "COLUMNS", description = "Response columns, as fit's --y (default: y1, y2,"
            + " ... when present; copied to the output, and needed by --em).")
    String yColumns;

    @Option(names = "--em", description = "Also write the responsibilities of the Gaussian mixture-of-experts"
            + " reading, P(expert | x, y), with the fit's sigma2 from the estimate file.")
    boolean em;

    @Option(names = {"-o", "--output"}, required = true, description = "Output CSV file.")
    Path output;

    @Override
    public Integer call() {
        if (MoeModelCommands.isFamily(model)) {
            return MoeModelCommands.predict(estimate, model, at, new DatasetCsv.Columns(xColumns, yColumns), em, output);
        }
        ModelSpec spec = ModelFiles.readSpec(model);
        MeasureFiles.Estimate est = MeasureFiles.readFor(estimate, spec.model());
        if (em && !(est.sigma2() > 0 && Double.isFinite(est.sigma2()))) {
            throw new IllegalArgumentException("--em: " + estimate + " has no positive fit.sigma2 (got "
                    + est.sigma2() + "); the responsibilities need the fit's noise variance");
        }
        DatasetCsv.Table table = DatasetCsv.readColumns(at, new DatasetCsv.Columns(xColumns, yColumns), em);
        int d = spec.model().inputDimension();
        if (table.inputDimension() != d) {
            throw new IllegalArgumentException("--at: " + at + " has " + table.inputDimension() + " input columns "
                    + table.xNames() + " but the model's D is " + d);
        }
        int q = spec.model().outputDimension();
        if (table.outputDimension() != 0 && table.outputDimension() != q) {
            throw new IllegalArgumentException("--at: " + at + " has " + table.outputDimension() + " response columns "
                    + table.yNames() + " but the model's q is " + q);
        }
        Outputs.file("--output", output);
        Prediction p = spec.model().predict(est.measure(), table.x());
        double[] resp = em ? spec.model().responsibilities(est.measure(), table.x(), table.y(), est.sigma2()) : null;
        PredictionCsv.write(output, table, p, spec.model().pretrained().count(), resp);
        System.out.printf("wrote predictions at %d inputs (%d pretrained experts, %d prompts%s) to %s%n", p.size(),
                spec.model().pretrained().count(), est.measure().size(), em ? ", responsibilities" : "", output);
        if (!est.converged()) {
            System.err.println("warning: " + estimate + " is marked \"converged\": false (stopped: " + est.stopReason()
                    + ")");
        }
        return 0;
    }
}
