package org.prefixmoe.estimation.moe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;
import org.prefixmoe.estimation.StopReason;
import org.prefixmoe.model.InputDistribution;
import org.prefixmoe.model.moe.Components;
import org.prefixmoe.model.moe.ConstantExpert;
import org.prefixmoe.model.moe.GaussianGate;
import org.prefixmoe.model.moe.LinearExpert;
import org.prefixmoe.model.moe.MixtureOfExperts;
import org.prefixmoe.model.moe.Observation;
import org.prefixmoe.model.moe.SoftmaxGate;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.MixtureSampler;
import org.prefixmoe.sampling.RandomStreams;

class MixtureEmTest {

    record Case(String name, MixtureOfExperts model, Components truth, MixtureSampler.Design design) {
    }

    static List<Case> cases() {
        MixtureOfExperts sgame = MixtureOfExperts.builder().gate(new SoftmaxGate(1, 2, 1)).expert(new LinearExpert(1, 1))
                .observation(Observation.GAUSSIAN_MIXTURE).build();
        Components sgameTruth = new Components(new double[][] {{-8, 4}, {0, 0}}, new double[][] {{-2, 0}, {1, 0.5}},
                new double[] {0.3, 0.4});
        MixtureOfExperts constant = MixtureOfExperts.builder().gate(new SoftmaxGate(2, 3, -1))
                .expert(new ConstantExpert(2, 2)).observation(Observation.GAUSSIAN_MIXTURE).build();
        Components constantTruth = new Components(new double[][] {{2, 0, 0}, {-1, 2, 0.3}, {0, -2, -0.2}},
                new double[][] {{1, 1}, {-1, 0.5}, {0, -1}}, new double[] {0.05, 0.1, 0.08});
        MixtureOfExperts gmoe1 = MixtureOfExperts.builder().gate(new GaussianGate(1, 3)).expert(new LinearExpert(1, 1))
                .observation(Observation.GAUSSIAN_MIXTURE).build();
        Components gmoe1Truth = new Components(new double[][] {{0.3, -1, 0.2}, {0.4, 0, 0.3}, {0.3, 1.2, 0.2}},
                new double[][] {{-2, 1}, {0.5, 0}, {1.5, -1}}, new double[] {0.05, 0.1, 0.05});
        MixtureOfExperts gmoe2 = MixtureOfExperts.builder().gate(new GaussianGate(2, 2)).expert(new LinearExpert(2, 1))
                .observation(Observation.GAUSSIAN_MIXTURE).build();
        Components gmoe2Truth = new Components(new double[][] {{0.5, -1, 0, 0.3, 0.1, 0.1, 0.4}, {0.5, 1, 1, 0.5, 0, 0, 0.2}},
                new double[][] {{1, -1, 0}, {0, 2, 1}}, new double[] {0.1, 0.05});
        MixtureSampler.Design grid = new MixtureSampler.Grid(0, 1);
        MixtureSampler.Design normal = new MixtureSampler.Random(new InputDistribution.Gaussian(0.0, 1.0));
        return List.of(new Case("softmax-linear grid", sgame, sgameTruth, grid),
                new Case("softmax-constant gaussian inputs", constant, constantTruth, normal),
                new Case("gaussian-gate d=1", gmoe1, gmoe1Truth, null),
                new Case("gaussian-gate d=2", gmoe2, gmoe2Truth, null));
    }

    private static Components perturb(Components c, double scale, UniformRandomProvider rng) {
        double[][] g = c.gate();
        double[][] e = c.expert();
        double[] nu = c.variances();
        for (int k = 0; k < g.length; k++) {
            for (int a = 0; a < e[k].length; a++) {
                e[k][a] += scale * (rng.nextDouble() - 0.5);
            }
            nu[k] *= 1 + scale * rng.nextDouble();
        }
        return new Components(g, e, nu);
    }

    /** EM's log-likelihood never decreases, on every model, exact- and over-specified. */
    @Test
    void logLikelihoodNeverDecreases() {
        for (Case c : cases()) {
            for (int extra : new int[] {0, 1}) {
                UniformRandomProvider rng = RandomStreams.stream(11, c.name().hashCode(), extra);
                Dataset data = new MixtureSampler(c.model(), c.truth(), c.design(), 0).sample(2000, rng);
                MixtureOfExperts fitted = c.model().withComponents(c.model().components() + extra);
                Components start = overSpecifiedStart(c, fitted, rng);
                double previous = Double.NEGATIVE_INFINITY;
                for (int it = 1; it <= 60; it++) {
                    MixtureFit f = MixtureEm.defaults().withTolerance(0).withMaxIterations(it)
                            .fit(fitted, data.x(), data.y(), start);
                    assertEquals(0, f.decreases(), c.name());
                    assertTrue(f.logLikelihood() >= previous - 1e-9 * Math.abs(previous),
                            c.name() + " +" + extra + " iteration " + it + ": " + f.logLikelihood() + " < " + previous);
                    previous = f.logLikelihood();
                    start = f.estimate();
                    if (it > 5) {
                        it += 9; // later iterations sampled more sparsely
                    }
                }
            }
        }
    }

    /** Split the last true component in two (half the weight each) for an over-specified start. */
    private static Components overSpecifiedStart(Case c, MixtureOfExperts fitted, UniformRandomProvider rng) {
        Components near = perturb(c.truth(), 0.2, rng);
        int k = c.model().components();
        if (fitted.components() == k) {
            return near;
        }
        double[][] g = new double[k + 1][];
        double[][] e = new double[k + 1][];
        double[] nu = new double[k + 1];
        for (int a = 0; a < k; a++) {
            g[a] = near.gate(a);
            e[a] = near.expert(a);
            nu[a] = near.variance(a);
        }
        // the new component copies component 0, moved a little
        g[k] = near.gate(0);
        e[k] = near.expert(0);
        e[k][0] += 0.1;
        nu[k] = near.variance(0);
        if (c.model().gate() instanceof GaussianGate) {
            g[0][0] /= 2;
            g[k][0] /= 2;
        } else if (c.model().gate() instanceof SoftmaxGate s && s.reference() >= 0) {
            // the reference moves to the last component: swap the new one in before it
            double[][] g2 = g.clone();
            double[][] e2 = e.clone();
            double[] nu2 = nu.clone();
            g2[k] = g[k - 1];
            e2[k] = e[k - 1];
            nu2[k] = nu[k - 1];
            g2[k - 1] = g[k];
            e2[k - 1] = e[k];
            nu2[k - 1] = nu[k];
            return new Components(g2, e2, nu2);
        }
        return new Components(g, e, nu);
    }

    /** A well-specified fit at large n lands near the truth on every model. */
    @Test
    void recoversTheTruthAtLargeN() {
        for (Case c : cases()) {
            UniformRandomProvider rng = RandomStreams.stream(5, c.name().hashCode());
            Dataset data = new MixtureSampler(c.model(), c.truth(), c.design(), 0).sample(40_000, rng);
            MixtureFit f = MixtureEm.defaults().fit(c.model(), data.x(), data.y(), perturb(c.truth(), 0.3, rng));
            assertTrue(f.converged(), c.name() + ": " + f.stopReason());
            for (int k = 0; k < c.model().components(); k++) {
                double[] t = c.model().atom(c.truth(), k);
                double[] e = c.model().atom(f.estimate(), k);
                for (int a = 0; a < t.length; a++) {
                    assertEquals(t[a], e[a], 0.15 * (1 + Math.abs(t[a])), c.name() + " component " + k + " coordinate " + a);
                }
            }
        }
    }

    @Test
    void oneIterationIsCappedAndNotConverged() {
        Case c = cases().get(2);
        Dataset data = new MixtureSampler(c.model(), c.truth(), null, 0).sample(500, RandomStreams.stream(1, 2));
        MixtureFit f = MixtureEm.defaults().withMaxIterations(1).fit(c.model(), data.x(), data.y(), c.truth());
        assertEquals(1, f.iterations());
        assertEquals(StopReason.MAX_ITERATIONS, f.stopReason());
    }

    @Test
    void refusesTheRegressionObservationAndBadOptions() {
        MixtureOfExperts reg = MixtureOfExperts.builder().gate(new SoftmaxGate(1, 2, 1)).expert(new LinearExpert(1, 1))
                .build();
        Components c = new Components(new double[][] {{1, 0}, {0, 0}}, new double[][] {{1, 0}, {0, 1}}, null);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MixtureEm.defaults().fit(reg, new double[] {0, 1},
                new double[] {0, 1}, c)).getMessage().contains("gaussian-mixture"));
        assertEquals("maxIterations: must be >= 1, got 0", assertThrows(IllegalArgumentException.class,
                () -> MixtureEm.defaults().withMaxIterations(0)).getMessage());
        Case sg = cases().get(0);
        assertEquals("y: Y[1][0] is not a finite number (NaN)", assertThrows(IllegalArgumentException.class,
                () -> MixtureEm.defaults().fit(sg.model(), new double[] {0, 0.5, 1}, new double[] {1, Double.NaN, 2},
                        sg.truth())).getMessage());
    }
}
