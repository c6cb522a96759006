package org.prefixmoe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.prefixmoe.estimation.FitProblem;
import org.prefixmoe.estimation.FitResult;
import org.prefixmoe.estimation.Fitting;
import org.prefixmoe.estimation.Inference;
import org.prefixmoe.estimation.MergeTruncateMerge;
import org.prefixmoe.estimation.ModelSelection;
import org.prefixmoe.estimation.ParametricBootstrap;
import org.prefixmoe.estimation.StandardErrors;
import org.prefixmoe.estimation.LeastSquaresEstimator;
import org.prefixmoe.estimation.RandomInitializer;
import org.prefixmoe.io.DatasetCsv;
import org.prefixmoe.io.DefaultTruths;
import org.prefixmoe.io.MeasureFiles;
import org.prefixmoe.io.ModelFiles;
import org.prefixmoe.model.ModelSpec;
import org.prefixmoe.model.Prediction;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/** The README's "Fitting your own data" example, kept compiling, correct and identical to the README's block. */
class ReadmeOwnDataTest {
    private static final String TEST = "src/test/java/org/prefixmoe/ReadmeOwnDataTest.java";

    @TempDir
    Path out;

    @Test
    void fitAndPredictWithoutATruth() throws IOException {
        // a user's file: an id column, inputs feat_1..feat_4, responses resp_a, resp_b
        Dataset drawn = RegressionSampler.of(DefaultTruths.sharedLinear()).sample(2_000, RandomStreams.stream(3, 0));
        StringBuilder sb = new StringBuilder("id,feat_1,feat_2,feat_3,feat_4,resp_a,resp_b\n");
        for (int i = 0; i < drawn.size(); i++) {
            sb.append(i);
            for (int k = 0; k < 4; k++) {
                sb.append(',').append(drawn.x()[i * 4 + k]);
            }
            sb.append(',').append(drawn.y()[i * 2]).append(',').append(drawn.y()[i * 2 + 1]).append('\n');
        }
        Path csv = out.resolve("my-data.csv");
        Files.writeString(csv, sb);
        double[] newX = {0.1, -0.2, 0.3, 0.0, -0.5, 0.5, 0.9, -0.9};   // two new inputs
        // readme:begin
        ModelSpec spec = ModelFiles.readSpec(Path.of("simulations/models/default-experts.yaml"));  // no atoms: no truth
        Dataset data = DatasetCsv.read(csv, new DatasetCsv.Columns("feat_*", "resp_a,resp_b"));  // --x, --y
        FitProblem problem = new FitProblem(spec.model(), data, 3, spec.box());                 // L = 3, your choice
        FitResult fit = Fitting.fitWithRestarts(new LeastSquaresEstimator(), problem,
                new RandomInitializer(), 10, RandomStreams.stream(1, 1));                   // 10 random starts
        MeasureFiles.write(out.resolve("estimate.json"), spec.model().parameterization().name(), fit);

        Prediction p = spec.model().predict(fit.estimate(), newX);           // f(x) and the N + L gate weights
        double[] tau = spec.model().responsibilities(fit.estimate(), data.x(), data.y(),
                fit.noiseVariance());                                         // P(expert | x, y), the EM reading
        System.out.printf("%s%nf(x) at the first new input: %.4f, %.4f; its gate weights %s%n", fit.estimate(),
                p.regression()[0], p.regression()[1],
                java.util.Arrays.toString(java.util.Arrays.copyOf(p.gates(), p.experts())));
        // readme:end
        assertTrue(spec.truth().isEmpty());
        assertEquals(2, p.size());
        assertEquals(2 + 3, p.experts());
        assertEquals(2_000 * 5, tau.length);
        assertTrue(fit.noiseVariance() < 0.02, "σ² near the truth's 0.01: " + fit.noiseVariance());
        assertEquals(fit.estimate(), MeasureFiles.readFor(out.resolve("estimate.json"), spec.model()).measure());
        List<String> lines = Files.readAllLines(out.resolve("estimate.json"));
        assertTrue(lines.size() > 3);
    }

    @Test
    void chooseLAndIntervals() throws IOException {
        Dataset drawn = RegressionSampler.of(DefaultTruths.sharedLinear()).sample(2_000, RandomStreams.stream(3, 0));
        StringBuilder sb = new StringBuilder("id,feat_1,feat_2,feat_3,feat_4,resp_a,resp_b\n");
        for (int i = 0; i < drawn.size(); i++) {
            sb.append(i);
            for (int k = 0; k < 4; k++) {
                sb.append(',').append(drawn.x()[i * 4 + k]);
            }
            sb.append(',').append(drawn.y()[i * 2]).append(',').append(drawn.y()[i * 2 + 1]).append('\n');
        }
        Path csv = out.resolve("my-data.csv");
        Files.writeString(csv, sb);
        // readme2:begin
        ModelSpec spec = ModelFiles.readSpec(Path.of("simulations/models/default-experts.yaml"));
        Dataset data = DatasetCsv.read(csv, new DatasetCsv.Columns("feat_*", "resp_a,resp_b"));
        ModelSelection.Result choice = ModelSelection.select(spec.model(), spec.box(), data, 1, 4,
                new LeastSquaresEstimator(), 3, 1, MergeTruncateMerge.DEFAULT);    // L = 1..4, 3 random starts, seed 1
        System.out.printf("chosen L: BIC %d, ICL %d, merge-truncate-merge %d%n", choice.byBic(), choice.byIcl(),
                choice.byMerge());

        int l = choice.byBic();
        FitProblem problem = new FitProblem(spec.model(), data, l, spec.box());
        FitResult fit = choice.candidates().get(l - 1).fit();                     // the chosen L's best fit
        Inference wald = StandardErrors.observed(problem, fit.estimate());       // exact-specified fits only
        Inference robust = StandardErrors.sandwich(problem, fit.estimate());
        Inference boot = ParametricBootstrap.run(problem, fit, new LeastSquaresEstimator(), 100, 7, 2);
        System.out.print(wald.table() + robust.table() + boot.table());
        wald.warnings().forEach(w -> System.out.println("warning: " + w));      // none when L = L*
        // readme2:end
        assertEquals(2, l);
        assertEquals(4, choice.candidates().size());
        assertTrue(wald.warnings().isEmpty(), wald.warnings().toString());
        assertTrue(robust.warnings().isEmpty(), robust.warnings().toString());
        assertEquals(6, boot.size());
        for (int c = 0; c < 6; c++) {
            assertTrue(wald.standardErrors()[c] > 0 && boot.standardErrors()[c] > 0);
        }
    }

    @Test
    void theReadmeShowsTheSecondBlock() {
        ReadmeBlocks.assertReadmeShows("## Fitting your own data", 1, TEST, "// readme2:begin", "// readme2:end");
    }

    @Test
    void theReadmeShowsExactlyThisCode() {
        ReadmeBlocks.assertReadmeShows("## Fitting your own data", 0, TEST, "// readme:begin",
                "// readme:end");
    }
}
