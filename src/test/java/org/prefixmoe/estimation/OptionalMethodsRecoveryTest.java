package org.prefixmoe.estimation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.prefixmoe.TestModels;
import org.prefixmoe.loss.VoronoiCells;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/** Recovery of known parameters by the optional least-squares methods of issue 23 ({@code flat}, {@code geodesic}, {@code lm-ts}, {@code geodesic-ts}, {@code lm-soc}, {@code trf}, {@code lm-x}, {@code lm-aa}, {@code trf-aa}, {@code trf-lm}, {@code lm-vp}, {@code lm-pair}, {@code trf-pair}, {@code trf-pair2},
 * {@code lm-pair-b}, {@code trf-pair-b}, {@code lm-pair-c}, {@code trf-pair-c}, {@code lm-pair-p}, {@code trf-pair-p},
 * {@code lm-pair-v}, {@code trf-pair-v}, {@code lm-pair-s}, {@code trf-pair-s}, {@code lm-pair-t}, {@code trf-pair-t},
 * {@code lm-pair-u}, {@code trf-pair-u}, {@code lm-pair-w}, {@code trf-pair-w}). */
class OptionalMethodsRecoveryTest {
    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String p : new String[] {"shared-linear", "shared-nonlinear", "non-shared"}) {
            b.add(Arguments.of(LeastSquaresEstimator.Method.FLAT, p, 2311L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.GEODESIC, p, 2411L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.LM_TS, p, 2511L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.GEODESIC_TS, p, 2611L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.LM_SOC, p, 2711L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.TRF, p, 2811L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.LM_X, p, 2911L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.LM_AA, p, 3011L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.TRF_AA, p, 3111L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.TRF_LM, p, 3211L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.LM_VP, p, 3311L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.LM_PAIR, p, 3411L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.TRF_PAIR, p, 3511L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.TRF_PAIR2, p, 3611L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.LM_PAIR_B, p, 3711L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.TRF_PAIR_B, p, 3811L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.LM_PAIR_C, p, 3911L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.TRF_PAIR_C, p, 4011L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.LM_PAIR_P, p, 4111L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.TRF_PAIR_P, p, 4211L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.LM_PAIR_V, p, 4311L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.TRF_PAIR_V, p, 4411L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.LM_PAIR_S, p, 4511L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.TRF_PAIR_S, p, 4611L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.LM_PAIR_T, p, 4711L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.TRF_PAIR_T, p, 4811L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.LM_PAIR_U, p, 4911L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.TRF_PAIR_U, p, 5011L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.LM_PAIR_W, p, 5111L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.TRF_PAIR_W, p, 5211L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.TRF_PAIR_F, p, 5311L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.TRF_PAIR_G, p, 5411L));
            b.add(Arguments.of(LeastSquaresEstimator.Method.TRF_PAIR_M, p, 5511L));
        }
        return b.build();
    }

    /**
     * Fits the default truth of a parameterization exactly specified (n = 20,000, one near-truth
     * start, the given seed) and asserts a converged fit with one fitted atom in each true atom's
     * Voronoi cell, every coordinate within 0.05 of the truth, and the noise variance 0.01 ± 0.001.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void exactSpecifiedFitRecoversTheTrueAtoms(LeastSquaresEstimator.Method method, String parameterization,
                                               long seed) {
        Estimator estimator = new LeastSquaresEstimator(LeastSquaresEstimator.Options.LEGACY_LM.withMethod(method));
        TruthModel tm = TestModels.defaultTruth(parameterization);
        FitProblem problem = new FitProblem(tm.model(),
                RegressionSampler.of(tm).sample(20_000, RandomStreams.stream(seed, 1)), tm.trueAtoms(), tm.box());
        FitResult fit = Fitting.fitWithRestarts(estimator, problem, new NearTruthInitializer(tm.truth()), 1,
                RandomStreams.stream(seed, 2));
        assertTrue(fit.converged(), fit.stopReason().label());
        MixingMeasure g = fit.estimate();
        VoronoiCells cells = VoronoiCells.of(g, tm.truth());
        double worst = 0;
        for (int j = 0; j < tm.trueAtoms(); j++) {
            assertEquals(1, cells.size(j), "true atom " + j + " in " + g);
            double[] fitted = g.atom(cells.members(j).get(0));
            double[] truth = tm.truth().atom(j);
            for (int c = 0; c < truth.length; c++) {
                worst = Math.max(worst, Math.abs(fitted[c] - truth[c]));
            }
        }
        assertTrue(worst <= 0.05, "largest coordinate error " + worst + ": " + g);
        assertEquals(0.01, fit.noiseVariance(), 0.001);
    }
}
