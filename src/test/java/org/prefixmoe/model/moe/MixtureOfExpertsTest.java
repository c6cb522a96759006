package org.prefixmoe.model.moe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.prefixmoe.TestModels;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.PrefixModel;

class MixtureOfExpertsTest {

    static String[] variants() {
        return TestModels.parameterizationVariants();
    }

    /** The prefix model read as a family member gives the same regression function as its fused kernel. */
    @ParameterizedTest
    @MethodSource("variants")
    void prefixModelIsOneConfigurationOfTheFamily(String variant) {
        Random rnd = new Random(variant.hashCode());
        for (boolean bias : new boolean[] {true, false}) {
            PrefixModel model = TestModels.randomModel(variant, 3, 2, 2, 2, 2, bias, rnd);
            MixingMeasure g = TestModels.randomMeasure(model, 3, rnd);
            double[] x = TestModels.vector(3 * 50, rnd);
            double[] fast = model.regression(g, x);
            MixtureOfExperts mix = model.asMixture(g.size());
            double[] generic = mix.regression(model.components(g), x);
            assertEquals(fast.length, generic.length);
            for (int i = 0; i < fast.length; i++) {
                assertEquals(fast[i], generic[i], 1e-12 * (1 + Math.abs(fast[i])), variant + " entry " + i);
            }
        }
    }

    static MixtureOfExperts sgame(int k) {
        return MixtureOfExperts.builder().gate(new SoftmaxGate(1, k, k - 1)).expert(new LinearExpert(1, 1))
                .observation(Observation.GAUSSIAN_MIXTURE).build();
    }

    /** The log-likelihood against the density written out by hand for a two-component model. */
    @Test
    void logLikelihoodByHand() {
        MixtureOfExperts m = sgame(2);
        Components c = new Components(new double[][] {{2.0, -0.5}, {0, 0}}, new double[][] {{1.5, 0.2}, {-1, 0.3}},
                new double[] {0.3, 0.1});
        double[] x = {0.2, 0.7, -0.4};
        double[] y = {0.5, -0.1, 0.9};
        double expected = 0;
        for (int i = 0; i < 3; i++) {
            double s0 = 2.0 * x[i] - 0.5;
            double p0 = Math.exp(s0) / (Math.exp(s0) + 1);
            double m0 = 1.5 * x[i] + 0.2;
            double m1 = -x[i] + 0.3;
            double f = p0 * Math.exp(-(y[i] - m0) * (y[i] - m0) / (2 * 0.3)) / Math.sqrt(2 * Math.PI * 0.3)
                    + (1 - p0) * Math.exp(-(y[i] - m1) * (y[i] - m1) / (2 * 0.1)) / Math.sqrt(2 * Math.PI * 0.1);
            expected += Math.log(f);
        }
        assertEquals(expected, m.logLikelihood(c, x, y), 1e-12);
    }

    /** Responsibilities and the regression function against the two-component formulas written out by hand. */
    @Test
    void responsibilitiesAndRegressionByHand() {
        MixtureOfExperts m = sgame(2);
        Components c = new Components(new double[][] {{2.0, -0.5}, {0, 0}}, new double[][] {{1.5, 0.2}, {-1, 0.3}},
                new double[] {0.3, 0.1});
        double[] x = {0.2, 0.7, -0.4};
        double[] y = {0.5, -0.1, 0.9};
        double[] tau = m.responsibilities(c, x, y);
        double[] f = m.regression(c, x);
        assertEquals(6, tau.length);
        for (int i = 0; i < 3; i++) {
            double s0 = 2.0 * x[i] - 0.5;
            double p0 = Math.exp(s0) / (Math.exp(s0) + 1);
            double m0 = 1.5 * x[i] + 0.2;
            double m1 = -x[i] + 0.3;
            double a = p0 * Math.exp(-(y[i] - m0) * (y[i] - m0) / (2 * 0.3)) / Math.sqrt(2 * Math.PI * 0.3);
            double b = (1 - p0) * Math.exp(-(y[i] - m1) * (y[i] - m1) / (2 * 0.1)) / Math.sqrt(2 * Math.PI * 0.1);
            assertEquals(a / (a + b), tau[2 * i], 1e-12);
            assertEquals(b / (a + b), tau[2 * i + 1], 1e-12);
            assertEquals(p0 * m0 + (1 - p0) * m1, f[i], 1e-12);
        }
        assertThrows(IllegalArgumentException.class, () -> m.responsibilities(c, x, new double[] {1, 2}));
        MixtureOfExperts reg = MixtureOfExperts.builder().gate(new SoftmaxGate(1, 2, 1)).expert(new LinearExpert(1, 1))
                .observation(Observation.REGRESSION).build();
        assertThrows(IllegalStateException.class, () -> reg.responsibilities(c, x, y));
    }

    /** The Gaussian gate's joint log density against the bivariate normal written out by hand. */
    @Test
    void gaussianGateJointDensityByHand() {
        GaussianGate gate = new GaussianGate(2, 2);
        double[][] p = {{0.3, 0.1, -0.2, 1.0, 0.3, 0.3, 0.5}, {0.7, -1, 1, 0.4, 0, 0, 0.9}};
        double[] lw = new double[2];
        double[] x = {0.5, 0.4};
        gate.at(p).logWeights(x, 0, new double[0], 0, lw);
        double dx = 0.4;
        double dy = 0.6;
        double det = 1.0 * 0.5 - 0.09;
        double quad = (0.5 * dx * dx - 2 * 0.3 * dx * dy + 1.0 * dy * dy) / det;
        double expected = Math.log(0.3) - Math.log(2 * Math.PI) - 0.5 * Math.log(det) - 0.5 * quad;
        assertEquals(expected, lw[0], 1e-12);
        double expected1 = Math.log(0.7) - Math.log(2 * Math.PI) - 0.5 * Math.log(0.36) - 0.5 * (1.5 * 1.5 / 0.4
                + 0.6 * 0.6 / 0.9);
        assertEquals(expected1, lw[1], 1e-12);
    }

    @Test
    void gaussianGateRefusesAnInvalidCovariance() {
        GaussianGate gate = new GaussianGate(2, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> gate.check("atoms[0]", new double[] {1, 0, 0, 1, 2, 2, 1}));
        assertTrue(e.getMessage().startsWith("atoms[0].Gamma"), e.getMessage());
    }

    @Test
    void builderNamesTheMissingOrInconsistentPart() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MixtureOfExperts.builder()
                .expert(new LinearExpert(1, 1)).build()).getMessage().startsWith("gate"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MixtureOfExperts.builder()
                .gate(new SoftmaxGate(2, 2, 1)).expert(new LinearExpert(1, 1)).build()).getMessage()
                .startsWith("expert"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MixtureOfExperts.builder()
                .gate(new GaussianGate(1, 2)).expert(new LinearExpert(1, 1)).build()).getMessage()
                .startsWith("observation"));
        MixtureOfExperts m = sgame(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.check("start",
                new Components(new double[][] {{1, 0}, {0, 0}}, new double[][] {{1, 0}, {1, 0}}, new double[] {1, -1})));
        assertEquals("start[1].nu: must be a positive number, got -1.0", e.getMessage());
    }
}
