package org.prefixmoe;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.prefixmoe.estimation.FitProblem;
import org.prefixmoe.estimation.FitResult;
import org.prefixmoe.estimation.Fitting;
import org.prefixmoe.estimation.LeastSquaresEstimator;
import org.prefixmoe.estimation.NearTruthInitializer;
import org.prefixmoe.estimation.RandomInitializer;
import org.prefixmoe.estimation.em.EmEstimator;
import org.prefixmoe.io.DefaultTruths;
import org.prefixmoe.loss.CellErrors;
import org.prefixmoe.loss.RegressionError;
import org.prefixmoe.loss.VoronoiCells;
import org.prefixmoe.loss.VoronoiLoss;
import org.prefixmoe.model.Activation;
import org.prefixmoe.model.Box;
import org.prefixmoe.model.InputDistribution;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.NonShared;
import org.prefixmoe.model.PrefixModel;
import org.prefixmoe.model.PretrainedExperts;
import org.prefixmoe.model.PromptTuning;
import org.prefixmoe.model.SharedLinear;
import org.prefixmoe.model.SharedMlp;
import org.prefixmoe.model.SharedNonlinear;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.DensitySampler;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;
import org.prefixmoe.simulation.Engine;
import org.prefixmoe.simulation.ResultSink;
import org.prefixmoe.simulation.Scenario;
import org.prefixmoe.simulation.Task;
import org.prefixmoe.simulation.Tasks;

/**
 * API misuse probes (issue 10): each public constructor or factory of the model, sampling,
 * estimation and loss types, called with a null, a wrong shape, a NaN, n = 0, L < L* or a
 * rank-deficient map, must throw {@link NullPointerException} or {@link IllegalArgumentException}
 * whose message names the argument — never a bare NPE from deep inside, never a silent result.
 */
class ApiMisuseTest {
    private static final TruthModel TRUTH = DefaultTruths.sharedLinear();
    private static final PrefixModel MODEL = TRUTH.model();
    private static final MixingMeasure G = TRUTH.truth();
    private static final double[][] I2 = {{1, 0}, {0, 1}};
    private static int passed;
    private static int total;

    private record Probe(String name, Class<? extends RuntimeException> type, String word, Runnable call) {
    }

    private static Probe npe(String name, String word, Runnable call) {
        return new Probe(name, NullPointerException.class, word, call);
    }

    private static Probe iae(String name, String word, Runnable call) {
        return new Probe(name, IllegalArgumentException.class, word, call);
    }

    private static Dataset data(int n) {
        return RegressionSampler.of(TRUTH).sample(n, RandomStreams.stream(1, n));
    }

    static List<Probe> probes() {
        PretrainedExperts ex = MODEL.pretrained();
        double[][][] a = {{{1, 0}, {0, 1}}};
        double[][][] h = {{{1, 0}, {0, 1}}};
        double[] nanX = new double[8];
        nanX[5] = Double.NaN;
        UniformRandomProvider rng = RandomStreams.stream(1, 2);
        List<Probe> t = new ArrayList<>();
        // model
        t.add(npe("MixingMeasure(null, ...)", "atoms", () -> new MixingMeasure(null, null)));
        t.add(iae("MixingMeasure with no atoms", "atoms", () -> new MixingMeasure(new double[0][], null)));
        t.add(iae("MixingMeasure with a NaN atom", "atoms[0]", () -> new MixingMeasure(new double[][] {{Double.NaN,
            1}}, null)));
        t.add(iae("MixingMeasure with ragged atoms", "atoms[1]", () -> new MixingMeasure(new double[][] {{1, 2}, {1}},
                null)));
        t.add(iae("MixingMeasure with too few biases", "biases", () -> new MixingMeasure(I2, new double[] {0})));
        t.add(npe("PretrainedExperts(null A)", "A", () -> new PretrainedExperts(null, new double[1], h,
                new double[][] {{0, 0}})));
        t.add(npe("PretrainedExperts(null H)", "H", () -> new PretrainedExperts(a, new double[1], null,
                new double[][] {{0, 0}})));
        t.add(iae("PretrainedExperts with a NaN in A", "A", () -> new PretrainedExperts(
                new double[][][] {{{Double.NaN, 0}, {0, 1}}}, new double[1], h, new double[][] {{0, 0}})));
        t.add(npe("PrefixModel(null pretrained)", "pretrained", () -> new PrefixModel(null, I2,
                MODEL.parameterization(), true)));
        t.add(npe("PrefixModel(null B)", "B", () -> new PrefixModel(ex, null, MODEL.parameterization(), true)));
        t.add(npe("PrefixModel(null parameterization)", "parameterization", () -> new PrefixModel(ex,
                MODEL.gatingProjection(), null, true)));
        t.add(iae("PrefixModel with B of the wrong shape", "B", () -> new PrefixModel(ex, I2,
                MODEL.parameterization(), true)));
        t.add(iae("PrefixModel with a rank-deficient B", "B", () -> new PrefixModel(ex,
                new double[][] {{1, 2}, {2, 4}, {0, 0}, {1, 2}}, MODEL.parameterization(), true)));
        t.add(iae("PrefixModel.regression with NaN in x", "x", () -> MODEL.regression(G, nanX)));
        t.add(iae("PrefixModel.regression with x not n x D", "x", () -> MODEL.regression(G, new double[5])));
        t.add(npe("PrefixModel.regression(null x)", "x", () -> MODEL.regression(G, null)));
        t.add(npe("PrefixModel.regression(null measure)", "measure", () -> MODEL.regression(null, new double[4])));
        t.add(iae("PrefixModel.checkIdentifiable with near-equal atoms", "atoms[1]", () -> MODEL.checkIdentifiable(
                new MixingMeasure(new double[][] {{1, 0.6}, {1 + 1e-12, 0.6}}, new double[2]))));
        t.add(npe("SharedLinear(null R_K)", "R_K", () -> new SharedLinear(null, I2)));
        t.add(iae("a truth whose key map R_K is not injective", "R_K", () -> new PrefixModel(ex,
                MODEL.gatingProjection(), new SharedLinear(new double[][] {{1, 2}, {2, 4}}, I2), true)
                .checkIdentifiable(G)));
        t.add(npe("SharedNonlinear(null activation)", "activation", () -> new SharedNonlinear(I2, I2, null)));
        t.add(npe("PromptTuning(null W_V)", "W_V", () -> new PromptTuning(I2, null)));
        t.add(npe("SharedMlp(null W1)", "W1", () -> new SharedMlp(null, new double[2], I2, new double[2], 1)));
        t.add(iae("NonShared with r = 0", "r", () -> new NonShared(0, 2)));
        t.add(iae("Box with lower > upper", "atom", () -> new Box(1, -1, -1, 1)));
        t.add(iae("Box with a NaN bound", "", () -> new Box(Double.NaN, 1, -1, 1)));
        t.add(npe("TruthModel(null model)", "model", () -> new TruthModel("t", null, G, 0.1,
                InputDistribution.of("uniform[-1,1]"), Box.DEFAULT)));
        t.add(iae("TruthModel with a NaN sigma", "sigma", () -> new TruthModel("t", MODEL, G, Double.NaN,
                InputDistribution.of("uniform[-1,1]"), Box.DEFAULT)));
        t.add(iae("InputDistribution of an unknown name", "input", () -> InputDistribution.of("cauchy")));
        // sampling
        t.add(iae("Dataset with n = 0", "n", () -> new Dataset(new double[0], new double[0], 4, 2)));
        t.add(npe("Dataset(null x)", "x", () -> new Dataset(null, new double[2], 4, 2)));
        t.add(iae("Dataset with a NaN response", "Y", () -> new Dataset(new double[4], new double[] {0,
            Double.NaN}, 4, 2)));
        t.add(iae("Dataset with more inputs than responses", "dataset", () -> new Dataset(new double[8],
                new double[2], 4, 2)));
        t.add(npe("RegressionSampler(null model)", "model", () -> new RegressionSampler(null, G, 0.1,
                InputDistribution.of("uniform[-1,1]"))));
        t.add(npe("RegressionSampler.of(null)", "truth", () -> RegressionSampler.of(null)));
        t.add(iae("RegressionSampler with a negative sigma", "sigma", () -> new RegressionSampler(MODEL, G, -1,
                InputDistribution.of("uniform[-1,1]"))));
        t.add(iae("RegressionSampler.sample with n = 0", "n", () -> RegressionSampler.of(TRUTH).sample(0, rng)));
        t.add(iae("RegressionSampler.sample beyond Java's arrays", "n", () -> RegressionSampler.of(TRUTH).sample(
                Integer.MAX_VALUE, rng)));
        t.add(npe("RegressionSampler.sample(null rng)", "rng", () -> RegressionSampler.of(TRUTH).sample(10, null)));
        t.add(npe("DensitySampler(null truth)", "truth", () -> new DensitySampler(MODEL, null, 0.1,
                InputDistribution.of("uniform[-1,1]"))));
        // estimation
        t.add(npe("FitProblem(null model)", "model", () -> new FitProblem(null, data(50), 2, Box.DEFAULT)));
        t.add(npe("FitProblem(null data)", "data", () -> new FitProblem(MODEL, null, 2, Box.DEFAULT)));
        t.add(npe("FitProblem(null box)", "box", () -> new FitProblem(MODEL, data(50), 2, null)));
        t.add(iae("FitProblem with L = 0", "L", () -> new FitProblem(MODEL, data(50), 0, Box.DEFAULT)));
        t.add(iae("FitProblem with L above the limit", "L", () -> new FitProblem(MODEL, data(50), 65,
                Box.DEFAULT)));
        t.add(iae("FitProblem with fewer samples than parameters", "data", () -> new FitProblem(MODEL, data(5), 2,
                Box.DEFAULT)));
        t.add(iae("FitProblem.of with L < L*", "L", () -> FitProblem.of(TRUTH, data(50), 1)));
        t.add(iae("FitProblem with data of another dimension", "data", () -> new FitProblem(MODEL,
                new Dataset(new double[30], new double[20], 3, 2), 2, Box.DEFAULT)));
        t.add(npe("LeastSquaresEstimator.fit(null problem)", "problem", () -> new LeastSquaresEstimator().fit(null,
                G)));
        t.add(npe("LeastSquaresEstimator.fit(null start)", "start", () -> new LeastSquaresEstimator().fit(
                new FitProblem(MODEL, data(50), 2, Box.DEFAULT), null)));
        t.add(iae("LeastSquaresEstimator.fit from a start of the wrong L", "start", () -> new LeastSquaresEstimator()
                .fit(new FitProblem(MODEL, data(50), 3, Box.DEFAULT), G)));
        t.add(npe("LeastSquaresEstimator(null options)", "options", () -> new LeastSquaresEstimator(null)));
        t.add(npe("EmEstimator(null options)", "options", () -> new EmEstimator(null)));
        t.add(iae("LeastSquaresEstimator.Options with 0 iterations", "maxIterations",
                () -> LeastSquaresEstimator.Options.DEFAULT.withMaxIterations(0)));
        t.add(npe("NearTruthInitializer(null truth)", "truth", () -> new NearTruthInitializer(null)));
        t.add(iae("NearTruthInitializer with a negative scale", "scale", () -> new NearTruthInitializer(G, -1, 0)));
        t.add(iae("NearTruthInitializer with L < L*", "L", () -> new NearTruthInitializer(G).start(
                new FitProblem(MODEL, data(50), 1, Box.DEFAULT), rng)));
        t.add(npe("Fitting.fitWithRestarts(null estimator)", "estimator", () -> Fitting.fitWithRestarts(null,
                new FitProblem(MODEL, data(50), 2, Box.DEFAULT), new RandomInitializer(), 1, rng)));
        t.add(npe("Fitting.fitWithRestarts(null rng)", "rng", () -> Fitting.fitWithRestarts(
                new LeastSquaresEstimator(), new FitProblem(MODEL, data(50), 2, Box.DEFAULT), new RandomInitializer(),
                1, null)));
        t.add(iae("Fitting.fitWithRestarts with 0 restarts", "restarts", () -> Fitting.fitWithRestarts(
                new LeastSquaresEstimator(), new FitProblem(MODEL, data(50), 2, Box.DEFAULT), new RandomInitializer(),
                0, rng)));
        // loss
        t.add(npe("VoronoiLoss.d1(null fitted)", "fitted", () -> VoronoiLoss.d1(null, G)));
        t.add(npe("VoronoiLoss.d2(null truth)", "truth", () -> VoronoiLoss.d2(G, null, 2)));
        t.add(iae("VoronoiLoss.d2 with r = NaN", "r", () -> VoronoiLoss.d2(G, G, Double.NaN)));
        t.add(iae("VoronoiLoss.d1 of measures of different dimensions", "fitted", () -> VoronoiLoss.d1(
                new MixingMeasure(new double[][] {{1, 2, 3}}, new double[1]), G)));
        t.add(npe("CellErrors.of(null truth)", "truth", () -> CellErrors.of(G, null)));
        t.add(npe("VoronoiCells.of(null fitted)", "fitted", () -> VoronoiCells.of(null, G)));
        t.add(iae("RegressionError.l2 with NaN in x", "x", () -> RegressionError.l2(MODEL, G, MODEL, G, nanX)));
        t.add(iae("RegressionError.l2 with no inputs", "x", () -> RegressionError.l2(MODEL, G, MODEL, G,
                new double[0])));
        t.add(npe("RegressionError.l2(null fitted model)", "fittedModel", () -> RegressionError.l2(null, G, MODEL, G,
                new double[4])));
        t.add(iae("Activation.parse of an unknown name", "activation", () -> Activation.parse("relu6")));
        // simulation (issue 20)
        t.add(iae("Engine.run with a task twice (memory sink)", "listed twice", () -> {
            Scenario s = tinyScenario();
            Task one = Tasks.all(s).get(0);
            new Engine(1, null).run(s, List.of(one, one), ResultSink.memory());
        }));
        t.add(iae("Engine.run with a task twice (callback sink)", "listed twice", () -> {
            Scenario s = tinyScenario();
            Task one = Tasks.all(s).get(0);
            new Engine(1, null).run(s, List.of(one, one), ResultSink.of(r -> { }));
        }));
        t.add(npe("Engine.run(null scenario)", "scenario", () -> new Engine(1, null).run(null)));
        t.add(npe("Engine.run(null tasks)", "tasks", () -> new Engine(1, null).run(tinyScenario(), null,
                ResultSink.memory())));
        t.add(npe("Engine.run(null sink)", "sink", () -> new Engine(1, null).run(tinyScenario(), List.of(), null)));
        t.add(npe("Tasks.all(null)", "scenario", () -> Tasks.all(null)));
        t.add(npe("Tasks.run(scenario, null task)", "task", () -> Tasks.run(tinyScenario(), null)));
        t.add(npe("ResultsReader.read(null)", "file", () -> org.prefixmoe.simulation.ResultsReader.read(null)));
        t.add(npe("new ResultRow(null)", "values", () -> new org.prefixmoe.simulation.ResultRow(null)));
        t.add(npe("Shards.tasks(scenario, null)", "shard", () -> org.prefixmoe.simulation.Shards.tasks(
                tinyScenario(), null)));
        t.add(npe("ResultsMerge.of(null)", "inputs", () -> org.prefixmoe.simulation.ResultsMerge.of(null)));
        t.add(npe("ScenarioFiles.parse(null text)", "text", () -> org.prefixmoe.simulation.ScenarioFiles.parse(null,
                java.nio.file.Path.of("s.yaml"))));
        t.add(iae("Engine.run with a task of another scenario", "not a task of scenario", () -> new Engine(1, null)
                .run(tinyScenario(), List.of(new Task(0, "nope", 60, 0)), ResultSink.memory())));
        // Scenario.Builder setters: a null names its field (issue 20, round 2)
        t.add(npe("Scenario.Builder.sizes((int[]) null)", "sizes", () -> Scenario.builder().sizes((int[]) null)));
        t.add(npe("Scenario.Builder.sizes((List) null)", "sizes", () -> Scenario.builder().sizes((List<Integer>) null)));
        t.add(npe("Scenario.Builder.estimator(null)", "estimator", () -> Scenario.builder().estimator(null)));
        t.add(npe("Scenario.Builder.sampler(null)", "sampler", () -> Scenario.builder().sampler(null)));
        t.add(npe("Scenario.Builder.init((String) null)", "init", () -> Scenario.builder().init((String) null)));
        t.add(npe("Scenario.Builder.init((Init) null)", "init", () -> Scenario.builder().init((Scenario.Init) null)));
        t.add(npe("Scenario.Builder.solver(null, 1)", "solver", () -> Scenario.builder().solver(null, 1)));
        t.add(npe("Scenario.Builder.solver((Map) null)", "solver", () -> Scenario.builder().solver(
                (java.util.Map<String, Double>) null)));
        java.util.Map<String, Double> nullValue = new java.util.HashMap<>();
        nullValue.put("max_iterations", null);
        t.add(npe("Scenario.Builder.solver with a null value", "solver.max_iterations", () -> Scenario.builder()
                .solver(nullValue)));
        t.add(npe("Scenario.Builder.losses((String[]) null)", "losses", () -> Scenario.builder()
                .losses((String[]) null)));
        t.add(npe("Scenario.Builder.losses with a null element", "losses[1]", () -> Scenario.builder()
                .losses(java.util.Arrays.asList("d1", null))));
        t.add(npe("Scenario.Builder.quickSizes((int[]) null)", "quick.sizes", () -> Scenario.builder()
                .quickSizes((int[]) null)));
        t.add(npe("Scenario.Builder.quickSizes((List) null)", "quick.sizes", () -> Scenario.builder()
                .quickSizes((List<Integer>) null)));
        t.add(npe("Scenario.Builder.figure with null losses", "figures[0].losses", () -> Scenario.builder()
                .figure("f", null, null)));
        t.add(npe("Scenario.Builder.figure with a null loss", "figures[0].losses[0]", () -> Scenario.builder()
                .figure("f", null, java.util.Arrays.asList((String) null))));
        return t;
    }

    private static Scenario tinyScenario() {
        return Scenario.builder().name("tiny").seed(1).study("s", TRUTH, 2).sizes(60).replicates(1).build();
    }

    @TestFactory
    Stream<DynamicTest> everyProbe() {
        return probes().stream().map(p -> DynamicTest.dynamicTest(p.name(), () -> {
            total++;
            try {
                p.call().run();
                fail(p.name() + ": accepted silently");
            } catch (RuntimeException e) {
                // A null may also be refused by an explicit IllegalArgumentException naming it.
                boolean named = p.type().isInstance(e) || (p.type() == NullPointerException.class
                        && e instanceof IllegalArgumentException);
                assertTrue(named, p.name() + ": expected " + p.type().getSimpleName() + ", got " + e);
                assertNotNull(e.getMessage(), p.name() + ": " + e + " has no message");
                assertTrue(e.getMessage().contains(p.word()), p.name() + ": '" + p.word() + "' not in: "
                        + e.getMessage());
            }
            passed++;
        }));
    }

    @AfterAll
    static void report() {
        System.out.println("API misuse probes: " + passed + " of " + total + " passed");
    }

    /** Issue 20: EM on responses scaled by 10^6 used to stop after 1 iteration "converged" at its start. */
    @Test
    void emOnDataFarOffTheModelsScaleIsNotConverged() {
        Dataset d = new DensitySampler(MODEL, G, TRUTH.sigma(), TRUTH.input()).sample(500, RandomStreams.stream(3, 1));
        double[] y = d.y().clone();
        for (int i = 0; i < y.length; i++) {
            y[i] *= 1e6;
        }
        FitProblem p = new FitProblem(MODEL, new Dataset(d.x(), y, 4, 2), 3, TRUTH.box());
        FitResult fit = new EmEstimator().fit(p, new RandomInitializer().start(p, RandomStreams.stream(3, 2)));
        assertTrue(!fit.converged(), "stopped " + fit.stopReason() + " after " + fit.iterations() + " iterations");
        // and on data at the model's scale EM still converges
        FitProblem ok = new FitProblem(MODEL, d, 2, TRUTH.box());
        assertTrue(new EmEstimator().fit(ok, G).converged());
    }

    @Test
    void emOnConstantResponsesKeepsSigmaSquaredAboveTheRelativeFloor() {
        Dataset d = data(300);
        double[] y = d.y().clone();
        java.util.Arrays.fill(y, 0.7);
        Dataset constant = new Dataset(d.x(), y, 4, 2);
        FitResult fit = new EmEstimator().fit(new FitProblem(MODEL, constant, 2, TRUTH.box()), G);
        assertTrue(fit.noiseVariance() >= 1e-12 * (1 + 0.49), "sigma^2 = " + fit.noiseVariance());
        assertTrue(Double.isFinite(fit.objective()), "objective " + fit.objective());
    }
}
