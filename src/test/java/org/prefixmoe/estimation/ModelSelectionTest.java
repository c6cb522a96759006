package org.prefixmoe.estimation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.prefixmoe.TestModels;
import org.prefixmoe.estimation.em.EmEstimator;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.DensitySampler;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

class ModelSelectionTest {

    /** The scores by hand: Gaussian likelihood at σ̂², k, BIC, the entropy of the responsibilities, ICL. */
    @Test
    void scoresByHand() {
        TruthModel tm = TestModels.defaultTruth("shared-linear");
        Dataset data = RegressionSampler.of(tm).sample(500, RandomStreams.stream(2, 1));
        FitProblem problem = FitProblem.of(tm, data, 2);
        FitResult fit = new LeastSquaresEstimator().fit(problem, tm.truth());
        ModelSelection.Candidate c = ModelSelection.score(problem, fit, "least-squares");
        double s2 = fit.objective() / 2;
        double ll = -0.5 * 500 * 2 * (Math.log(2 * Math.PI * s2) + 1);
        assertEquals(ll, c.logLikelihood(), 1e-9 * Math.abs(ll));
        assertEquals(7, c.parameters());
        assertEquals(-2 * ll + 7 * Math.log(500), c.bic(), 1e-9 * Math.abs(ll));
        double[] tau = tm.model().responsibilities(fit.estimate(), data.x(), data.y(), fit.noiseVariance());
        double en = 0;
        for (double t : tau) {
            en -= t > 0 ? t * Math.log(t) : 0;
        }
        assertEquals(en, c.entropy(), 1e-9 * en);
        assertEquals(c.bic() + 2 * en, c.icl(), 1e-9 * Math.abs(c.icl()));
        // the EM reading: ℓ = −n · objective, which is the EM log-likelihood
        Dataset dd = new DensitySampler(tm.model(), tm.truth(), tm.sigma(), tm.input()).sample(500,
                RandomStreams.stream(2, 2));
        FitProblem pe = FitProblem.of(tm, dd, 2);
        FitResult fe = new EmEstimator().fit(pe, tm.truth());
        ModelSelection.Candidate ce = ModelSelection.score(pe, fe, "em");
        assertEquals(StandardErrors.emLogLikelihood(tm.model(), fe.estimate(), fe.noiseVariance(), dd.x(), dd.y()),
                ce.logLikelihood(), 1e-6 * Math.abs(ce.logLikelihood()));
    }

    /** On 5,000 samples of the default truth (L* = 2) every rule picks 2; a failed L is scored NaN and never picked. */
    @Test
    void picksTheTrueL() {
        TruthModel tm = TestModels.defaultTruth("shared-linear");
        Dataset data = RegressionSampler.of(tm).sample(5000, RandomStreams.stream(4, 1));
        ModelSelection.Result r = ModelSelection.select(tm.model(), tm.box(), data, 1, 3, new LeastSquaresEstimator(),
                3, 5, MergeTruncateMerge.DEFAULT);
        assertEquals(3, r.candidates().size());
        assertEquals(2, r.byBic());
        assertEquals(2, r.byIcl());
        assertEquals(3, r.mergedFrom());
        assertEquals(2, r.byMerge());
        assertTrue(r.candidates().get(0).logLikelihood() < r.candidates().get(1).logLikelihood());
        ModelSelection.Candidate failed = ModelSelection.score(FitProblem.of(tm, data, 3), null, "least-squares");
        assertTrue(Double.isNaN(failed.bic()));
        ModelSelection.Result withFailed = ModelSelection.result(List.of(r.candidates().get(0),
                r.candidates().get(1), failed), 5000, MergeTruncateMerge.DEFAULT);
        assertEquals(2, withFailed.byBic());
        assertEquals(2, withFailed.mergedFrom());
        assertEquals(4, r.csvLines().size());
        assertThrows(IllegalArgumentException.class, () -> ModelSelection.select(tm.model(), tm.box(), data, 3, 2,
                new LeastSquaresEstimator(), 1, 1, MergeTruncateMerge.DEFAULT));
    }
}
