package org.prefixmoe.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.prefixmoe.io.DatasetCsv;
import org.prefixmoe.io.ModelFiles;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.Samplers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sample}: draws a data set from a model file and writes it as CSV. */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Draw n samples (X, Y) from the model of a model file and write them as CSV.")
final class SampleCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "Model file (YAML or JSON).")
    Path model;

    @Option(names = {"-n", "--size"}, required = true, description = "Number of samples.")
    int n;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--sampler", defaultValue = "regression",
            description = "regression (Y = f_G*(X) + noise) or density (draw the expert, then the Gaussian; "
                    + "the EM reading) (default: ${DEFAULT-VALUE}).")
    String sampler;

    @Option(names = {"-o", "--output"}, required = true, description = "Output CSV file.")
    Path output;

    @Override
    public Integer call() {
        if (MoeModelCommands.isFamily(model)) {
            return MoeModelCommands.sample(model, n, seed, output);
        }
        TruthModel tm = ModelFiles.read(model);
        Samplers.checkSize("--size", n, tm.model());
        Outputs.file("--output", output);
        Dataset data = Samplers.byName(sampler, tm.model(), tm.truth(), tm.sigma(), tm.input())
                .sample(n, RandomStreams.stream(seed, 0));
        DatasetCsv.write(data, output);
        System.out.printf("wrote %d samples (D = %d, q = %d) to %s%n", n, data.inputDimension(),
                data.outputDimension(), output);
        return 0;
    }
}
