package org.prefixmoe.estimation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.prefixmoe.TestModels;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.PretrainedPart;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/** {@link FitProblem} with the pretrained part handed in by the sampler: the same problem, checked on entry. */
class FitProblemTest {
    @Test
    void aHandedInPartGivesTheSameFitToTheBit() {
        TruthModel tm = TestModels.defaultTruth("non-shared");
        RegressionSampler.Drawn drawn = RegressionSampler.of(tm).draw(1_500, RandomStreams.stream(62, 1));
        FitProblem own = new FitProblem(tm.model(), drawn.data(), 3, tm.box());
        FitProblem handed = new FitProblem(tm.model(), drawn.data(), 3, tm.box(), drawn.pretrained());
        MixingMeasure start = new NearTruthInitializer(tm.truth()).start(own, RandomStreams.stream(62, 2));
        double[] x = own.startVector(start);
        int dim = x.length;
        double[] a1 = new double[dim * dim];
        double[] g1 = new double[dim];
        double[] a2 = new double[dim * dim];
        double[] g2 = new double[dim];
        own.evaluator().setParameters(x);
        double s1 = own.evaluator().normalEquations(drawn.data().y(), a1, g1);
        handed.evaluator().setParameters(x);
        double s2 = handed.evaluator().normalEquations(drawn.data().y(), a2, g2);
        assertEquals(s1, s2);
        assertArrayEquals(a1, a2);
        assertArrayEquals(g1, g2);
        FitResult f1 = new LeastSquaresEstimator().fit(own, start);
        FitResult f2 = new LeastSquaresEstimator().fit(handed, start);
        assertEquals(f1.objective(), f2.objective());
        assertEquals(f1.iterations(), f2.iterations());
        assertArrayEquals(own.startVector(f1.estimate()), handed.startVector(f2.estimate()));
    }

    @Test
    void aPartOfOtherInputsOrShapeIsRefused() {
        TruthModel tm = TestModels.defaultTruth("shared-linear");
        RegressionSampler sampler = RegressionSampler.of(tm);
        Dataset data = sampler.sample(400, RandomStreams.stream(63, 1));
        PretrainedPart other = sampler.draw(400, RandomStreams.stream(63, 2)).pretrained();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FitProblem(tm.model(), data, 2, tm.box(), other));
        assertTrue(e.getMessage().startsWith("pretrained:"), e.getMessage());
        PretrainedPart shorter = sampler.draw(399, RandomStreams.stream(63, 1)).pretrained();
        assertThrows(IllegalArgumentException.class, () -> new FitProblem(tm.model(), data, 2, tm.box(), shorter));
        // The last input alone differs: the check reads the last row too.
        PretrainedPart own = tm.model().pretrained().evaluate(data.x());
        double[] ls = own.logScore().clone();
        ls[399] = Math.nextUp(ls[399]);
        PretrainedPart lastOff = new PretrainedPart(400, own.q(), ls, own.mean());
        assertThrows(IllegalArgumentException.class, () -> new FitProblem(tm.model(), data, 2, tm.box(), lastOff));
        new FitProblem(tm.model(), data, 2, tm.box(), own);   // its own part is taken
    }
}
