package org.prefixmoe.model.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.prefixmoe.model.Prediction;

/**
 * What the shared + routed model says at new inputs ({@link SharedRoutedMixture#predict},
 * {@link SharedRoutedMixture#gateWeights}, {@link SharedRoutedMixture#responsibilities}) against
 * values computed by hand, with a shared weight w = 0.3 so that w and 1 − w cannot be swapped.
 */
class SharedRoutedPredictionTest {
    private static final double W = 0.3;

    private static MixtureOfExperts block(Gate g) {
        return MixtureOfExperts.builder().gate(g).expert(new LinearExpert(1, 1)).observation(Observation.GAUSSIAN_MIXTURE)
                .build();
    }

    private static final SharedRoutedMixture MODEL = new SharedRoutedMixture(block(new ConstantGate(1, 2)),
            block(new SoftmaxGate(1, 2, 1)), W);
    // shared: pi = (1, 3) read as proportions (1/4, 3/4); h = 2x, -x + 1; nu = 0.5, 2
    // routed: score_1 = 1 x + 0.5, score_2 = 0; h = 3x - 1, 2; nu = 1, 0.25
    private static final SharedRoutedMixture.Parameters P = new SharedRoutedMixture.Parameters(
            new Components(new double[][] {{1}, {3}}, new double[][] {{2, 0}, {-1, 1}}, new double[] {0.5, 2}),
            new Components(new double[][] {{1, 0.5}, {0, 0}}, new double[][] {{3, -1}, {0, 2}}, new double[] {1, 0.25}));

    private static double normal(double y, double mean, double variance) {
        return Math.exp(-(y - mean) * (y - mean) / (2 * variance)) / Math.sqrt(2 * Math.PI * variance);
    }

    @Test
    void predictionsMatchAHandComputation() {
        double[] x = {0.4, -2};
        double[] y = {1.1, 0.3};
        Prediction p = MODEL.predict(P, x);
        double[] resp = MODEL.responsibilities(P, x, y);
        assertEquals(2, p.size());
        assertEquals(4, p.experts());
        for (int i = 0; i < 2; i++) {
            double g1 = 1 / (1 + Math.exp(-(x[i] + 0.5)));
            double[] gates = {0.25, 0.75, g1, 1 - g1};
            double[] means = {2 * x[i], -x[i] + 1, 3 * x[i] - 1, 2};
            double[] nu = {0.5, 2, 1, 0.25};
            double[] blockWeight = {W, W, 1 - W, 1 - W};
            double f = 0;
            double total = 0;
            double[] num = new double[4];
            for (int k = 0; k < 4; k++) {
                f += blockWeight[k] * gates[k] * means[k];
                num[k] = blockWeight[k] * gates[k] * normal(y[i], means[k], nu[k]);
                total += num[k];
            }
            assertEquals(f, p.regression()[i], 1e-12, "f at x = " + x[i]);
            for (int k = 0; k < 4; k++) {
                assertEquals(gates[k], p.gates()[i * 4 + k], 1e-12, "gate " + k + " at x = " + x[i]);
                assertEquals(num[k] / total, resp[i * 4 + k], 1e-12, "responsibility " + k + " at x = " + x[i]);
            }
        }
        assertArrayEquals(MODEL.gateWeights(P, x), p.gates(), 0.0);
        assertArrayEquals(MODEL.regression(P, x), p.regression(), 0.0);
    }

    @Test
    void badInputsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MODEL.predict(P, new double[] {0.1, Double.NaN}));
        assertTrue(e.getMessage().startsWith("x"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MODEL.responsibilities(P, new double[] {0.1, 0.2},
                new double[] {1}));
        assertTrue(e.getMessage().startsWith("y: 1 values for 2 samples"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MODEL.responsibilities(P, new double[] {0.1},
                new double[] {Double.POSITIVE_INFINITY}));
        assertTrue(e.getMessage().startsWith("y: entry 0 is not finite"), e.getMessage());
        SharedRoutedMixture.Parameters oneRouted = new SharedRoutedMixture.Parameters(P.shared(),
                new Components(new double[][] {{0, 0}}, new double[][] {{1, 1}}, new double[] {1}));
        e = assertThrows(IllegalArgumentException.class, () -> MODEL.predict(oneRouted, new double[] {0.1}));
        assertTrue(e.getMessage().startsWith("parameters.routed"), e.getMessage());
    }
}
