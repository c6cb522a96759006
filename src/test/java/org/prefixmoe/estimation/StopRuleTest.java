package org.prefixmoe.estimation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class StopRuleTest {

    /**
     * A snapshot after a step from objective 1 to {@code 1 − actual} with the given prediction and ρ;
     * the step before decreased the objective by 10 times as much (contraction 0.1).
     */
    private static Iterate step(double actual, double predicted, double stepNorm, double gradient) {
        return new Iterate(5, 1 - actual, 1, 1 + 10 * actual, predicted, actual / predicted, stepNorm, 1, gradient,
                1e-3, 0);
    }

    @Test
    void objectiveChangeWaitsWhileTheDecreasesShrinkSlowly() {
        StopRule rule = StopRule.objectiveChange(1e-10);
        // Decreases 5e-11 after 5.05e-11: c = 0.99, about 5e-9 still to come.
        Iterate crawl = new Iterate(9, 1 - 5e-11, 1, 1 + 5.05e-11, 6e-11, 5.0 / 6, 1, 1, 1, 1e-3, 0);
        assertEquals(5e-9, crawl.relativeRemainingReduction(), 1e-12);
        assertEquals(Optional.empty(), rule.test(crawl));
        // Decreases that grow: no extrapolation, go on.
        Iterate growing = new Iterate(9, 1 - 5e-11, 1, 1 + 4e-11, 6e-11, 5.0 / 6, 1, 1, 1, 1e-3, 0);
        assertEquals(Double.POSITIVE_INFINITY, growing.relativeRemainingReduction());
        assertEquals(Optional.empty(), rule.test(growing));
        // The first step has no earlier decrease: the objective test cannot fire yet.
        Iterate first = new Iterate(1, 1 - 5e-11, 1, Double.NaN, 6e-11, 5.0 / 6, 1, 1, 1, 1e-3, 0);
        assertEquals(Optional.empty(), rule.test(first));
    }

    @Test
    void objectiveChangeNeedsSmallActualAndPredictedReductionsAndAModelThatAgreed() {
        StopRule rule = StopRule.objectiveChange(1e-10);
        assertEquals(Optional.of(StopReason.OBJECTIVE_CHANGE), rule.test(step(5e-11, 6e-11, 1, 1)), "rho 0.83");
        // The old rule's early stop: a tiny decrease the model did not predict (rho near 0).
        assertEquals(Optional.empty(), rule.test(step(5e-11, 1e-6, 1, 1)), "predicted reduction large");
        assertEquals(Optional.empty(), rule.test(step(5e-11, 5e-10, 1, 1)), "rho 0.1 < 1/4");
        assertEquals(Optional.empty(), rule.test(step(5e-11, 2e-11, 1, 1)), "rho 2.5 > 2");
        assertEquals(Optional.empty(), rule.test(step(2e-10, 2e-10, 1, 1)), "actual reduction above tolerance");
        assertEquals(Optional.empty(), rule.test(Iterate.start(1, 1)), "never at the start point");
        // After a rejected trial the accepted step was shortened by the raised damping.
        Iterate afterRejection = new Iterate(5, 1 - 5e-11, 1, 1 + 5e-10, 6e-11, 5.0 / 6, 1, 1, 1, 1e-3, 1);
        assertEquals(Optional.empty(), rule.test(afterRejection));
    }

    @Test
    void relativeChangeIsTheEmTest() {
        StopRule rule = StopRule.relativeChange(1e-8);
        // EM's objective is −ℓ̄ of order 1: change relative to max(1, |F|).
        assertEquals(Optional.of(StopReason.OBJECTIVE_CHANGE),
                rule.test(new Iterate(3, -0.5 - 5e-9, -0.5, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                        Double.NaN, Double.NaN, 0)));
        assertEquals(Optional.empty(), rule.test(new Iterate(3, -0.5 - 5e-8, -0.5, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0)));
        assertEquals(Optional.empty(), rule.test(Iterate.start(-0.5, Double.NaN)));
    }

    @Test
    void gradientAndStepTests() {
        assertEquals(Optional.of(StopReason.GRADIENT), StopRule.projectedGradient(1e-10).test(step(1e-3, 1e-3, 1, 1e-11)));
        assertEquals(Optional.of(StopReason.GRADIENT), StopRule.projectedGradient(1e-10).test(Iterate.start(1, 0)));
        assertEquals(Optional.empty(), StopRule.projectedGradient(1e-10).test(step(1e-3, 1e-3, 1, 1e-9)));
        assertEquals(Optional.of(StopReason.STEP_SIZE), StopRule.stepSize(1e-9).test(step(1e-3, 1e-3, 5e-10, 1)));
        assertEquals(Optional.empty(), StopRule.stepSize(1e-9).test(step(1e-3, 1e-3, 5e-9, 1)));
        assertEquals(Optional.empty(), StopRule.stepSize(1e-9).test(Iterate.start(1, 1)), "no step at the start");
    }

    @Test
    void combinedRulesReportTheFirstThatFires() {
        StopRule rule = StopRule.anyOf(StopRule.objectiveChange(1e-10), StopRule.projectedGradient(1e-10),
                StopRule.stepSize(1e-9));
        assertEquals(Optional.of(StopReason.OBJECTIVE_CHANGE), rule.test(step(5e-11, 6e-11, 1e-12, 1e-12)));
        assertEquals(Optional.of(StopReason.GRADIENT), rule.test(step(5e-11, 1e-6, 1e-12, 1e-12)));
        assertEquals(Optional.of(StopReason.STEP_SIZE), rule.test(step(5e-11, 1e-6, 1e-12, 1)));
        assertEquals(Optional.empty(), rule.test(step(5e-11, 1e-6, 1, 1)));
        assertEquals(Optional.empty(), StopRule.anyOf().test(step(0, 1, 0, 0)), "no rule never fires");
    }

    @Test
    void optionsWithersChangeOneSettingAndValidate() {
        LeastSquaresEstimator.Options o = LeastSquaresEstimator.Options.DEFAULT.withObjectiveTolerance(1e-12)
                .withGradientTolerance(1e-8).withMaxIterations(20).withStepTolerance(1e-7);
        assertEquals(new LeastSquaresEstimator.Options(20, 1e-12, 1e-7, 1e-8,
                LeastSquaresEstimator.Options.DEFAULT.method()), o);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> LeastSquaresEstimator.Options.DEFAULT.withGradientTolerance(-1));
        org.prefixmoe.estimation.em.EmEstimator.Options em = org.prefixmoe.estimation.em.EmEstimator.Options.DEFAULT
                .withObjectiveTolerance(1e-10).withMaxIterations(7);
        assertEquals(1e-10, em.objectiveTolerance());
        assertEquals(7, em.maxIterations());
        assertEquals(org.prefixmoe.estimation.em.EmEstimator.Options.DEFAULT.newtonSteps(), em.newtonSteps());
    }
}
