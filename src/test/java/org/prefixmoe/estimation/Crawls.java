package org.prefixmoe.estimation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.prefixmoe.TestModels;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/** Fits on which {@code lm} crawls, for the tests of the crawl moves of issue 23. */
final class Crawls {
    /** A data set, a start and {@code lm}'s fit from it. */
    record Crawl(long seed, FitProblem problem, MixingMeasure start, FitResult lm) {
    }

    private Crawls() {
    }

    /** {@return the fit of the problem from the start by the method, default settings otherwise} */
    static FitResult fit(LeastSquaresEstimator.Method method, FitProblem problem, MixingMeasure start) {
        return new LeastSquaresEstimator(LeastSquaresEstimator.Options.LEGACY_LM.withMethod(method)).fit(problem, start);
    }

    /**
     * The over-specified near-truth fits (default shared-linear truth, L = L* + 1, n = 800, seeds from..to−1) on
     * which {@code lm} takes 100 iterations or more.
     */
    static List<Crawl> sharedLinear(long from, long to) {
        TruthModel tm = TestModels.defaultTruth("shared-linear");
        List<Crawl> crawls = new ArrayList<>();
        for (long seed = from; seed < to; seed++) {
            FitProblem problem = FitProblem.of(tm, RegressionSampler.of(tm).sample(800, RandomStreams.stream(seed, 1)),
                    tm.trueAtoms() + 1);
            MixingMeasure start = new NearTruthInitializer(tm.truth()).start(problem, RandomStreams.stream(seed, 2));
            FitResult lm = fit(LeastSquaresEstimator.Method.LM, problem, start);
            if (lm.iterations() >= 100) {
                crawls.add(new Crawl(seed, problem, start, lm));
            }
        }
        return crawls;
    }

    /**
     * {@return a non-shared fit with one atom too many on the second truth (n = 10^3, seed 5132) from a near-truth
     * start projected onto the box, on which {@code trf-pair-w} stops on the objective test 1.4e-9 above the optimum
     * SciPy reaches from the same start; {@code lm} is not fitted (null)}
     */
    static Crawl secondTruthNonShared() throws java.io.IOException {
        TruthModel tm = org.prefixmoe.io.ModelFiles.read(java.nio.file.Path.of("simulations/models/second-non-shared.yaml"));
        FitProblem problem = new FitProblem(tm.model(),
                RegressionSampler.of(tm).sample(1000, RandomStreams.stream(5132, 1)), tm.trueAtoms() + 1, tm.box());
        MixingMeasure raw = new NearTruthInitializer(tm.truth()).start(problem, RandomStreams.stream(5132, 2, 0));
        MixingMeasure start = MixingMeasure.unpack(problem.startVector(raw), raw.atomDimension(), raw.hasBias());
        return new Crawl(5132, problem, start, null);
    }

    /** Asserts that two fits end at the same point bit for bit, after as many iterations and passes. */
    static void assertSameFit(FitResult expected, FitResult actual) {
        assertArrayEquals(expected.estimate().pack(), actual.estimate().pack());
        assertEquals(expected.iterations(), actual.iterations());
        assertEquals(expected.evaluations(), actual.evaluations());
    }

    /** Asserts that a method is found by its label and its code, also through {@link Estimators#create}. */
    static void assertNamed(LeastSquaresEstimator.Method method, String label, int code) {
        assertEquals(method, LeastSquaresEstimator.Method.byLabel(label));
        assertEquals(method, LeastSquaresEstimator.Method.byCode(code));
        assertEquals(method, ((LeastSquaresEstimator) Estimators.create("least-squares",
                Map.of("method", (double) code))).options().method());
    }

    /** {@return an exactly specified fit that never crawls (shared-nonlinear, n = 5,000, seed 2912) and its start} */
    static Crawl noCrawl() {
        TruthModel tm = TestModels.defaultTruth("shared-nonlinear");
        FitProblem problem = FitProblem.of(tm, RegressionSampler.of(tm).sample(5_000, RandomStreams.stream(2912, 1)),
                tm.trueAtoms());
        MixingMeasure start = new NearTruthInitializer(tm.truth()).start(problem, RandomStreams.stream(2912, 2));
        return new Crawl(2912, problem, start, fit(LeastSquaresEstimator.Method.LM, problem, start));
    }
}
