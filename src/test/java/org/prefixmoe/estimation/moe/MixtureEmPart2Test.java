package org.prefixmoe.estimation.moe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;
import org.prefixmoe.model.InputDistribution;
import org.prefixmoe.model.moe.Activation;
import org.prefixmoe.model.moe.Components;
import org.prefixmoe.model.moe.ConstantGate;
import org.prefixmoe.model.moe.Expert;
import org.prefixmoe.model.moe.FfnExpert;
import org.prefixmoe.model.moe.Gate;
import org.prefixmoe.model.moe.LinearExpert;
import org.prefixmoe.model.moe.LinearScoreGate;
import org.prefixmoe.model.moe.MixtureOfExperts;
import org.prefixmoe.model.moe.NormalizedSigmoidGate;
import org.prefixmoe.model.moe.Observation;
import org.prefixmoe.model.moe.PolynomialExpert;
import org.prefixmoe.model.moe.SoftmaxGate;
import org.prefixmoe.model.moe.TopKSoftmaxGate;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.MixtureSampler;
import org.prefixmoe.sampling.RandomStreams;

/**
 * EM on the gates and experts of part 2: for each new gate (softmax with a temperature, with a
 * tanh score activation, top-K softmax, normalized sigmoid, constant) and each new expert (FFN
 * with tanh, ReLU and GELU, polynomial), the log-likelihood never decreases (exact- and
 * over-specified) and a well-specified fit at large n from a near-truth start lands near the truth.
 */
class MixtureEmPart2Test {

    /** A member, its truth, and whether its expert is compared by its function (ReLU: parameters up to scale). */
    record Case(String name, MixtureOfExperts model, Components truth, boolean compareFunction) {
    }

    private static MixtureOfExperts model(Gate g, Expert e) {
        return MixtureOfExperts.builder().gate(g).expert(e).observation(Observation.GAUSSIAN_MIXTURE).build();
    }

    static List<Case> cases() {
        double[][] linear = {{-2, 1}, {1.5, -0.5}};
        double[] nu = {0.05, 0.08};
        return List.of(
                new Case("softmax tau=0.5", model(new SoftmaxGate(1, 2, 1, 0.5, Activation.IDENTITY),
                        new LinearExpert(1, 1)), new Components(new double[][] {{2, 0.3}, {0, 0}}, linear, nu), false),
                new Case("softmax tanh tau=0.25", model(new SoftmaxGate(1, 2, 1, 0.25, Activation.TANH),
                        new LinearExpert(1, 1)), new Components(new double[][] {{1.5, -0.2}, {0, 0}}, linear, nu), false),
                new Case("top-2 of 3", model(new TopKSoftmaxGate(1, 3, 2, 2), new LinearExpert(1, 1)),
                        new Components(new double[][] {{3, 0}, {-3, 0}, {0, 0}},
                                new double[][] {{-2, 1}, {2, 1}, {0, -1}}, new double[] {0.05, 0.05, 0.05}), false),
                new Case("normalized sigmoid", model(new NormalizedSigmoidGate(1, 2), new LinearExpert(1, 1)),
                        new Components(new double[][] {{3, 0.5}, {-3, 0}}, linear, nu), false),
                new Case("constant gate", model(new ConstantGate(1, 2), new LinearExpert(1, 1)),
                        new Components(new double[][] {{0.4}, {0.6}}, new double[][] {{2, 0}, {-1, 1}}, nu), false),
                new Case("ffn tanh", model(new SoftmaxGate(1, 2, 1), new FfnExpert(1, 1, Activation.TANH)),
                        new Components(new double[][] {{2, 0.2}, {0, 0}},
                                new double[][] {{2, 0.5, 3}, {-1.5, 0, -2}}, nu), false),
                new Case("ffn relu", model(new SoftmaxGate(1, 2, 1), new FfnExpert(1, 1, Activation.RELU)),
                        new Components(new double[][] {{2, 0.2}, {0, 0}},
                                new double[][] {{2, 0.5, 1.5}, {-1.5, 0.3, -2}}, nu), true),
                new Case("ffn gelu", model(new SoftmaxGate(1, 2, 1), new FfnExpert(1, 1, Activation.GELU)),
                        new Components(new double[][] {{2, 0.2}, {0, 0}},
                                new double[][] {{2, 0.5, 1.5}, {-1.5, 0.3, -2}}, nu), false),
                new Case("polynomial degree 2", model(new SoftmaxGate(1, 2, 1), new PolynomialExpert(1, 1, 2)),
                        new Components(new double[][] {{2, 0.2}, {0, 0}},
                                new double[][] {{-2, 1, 0.5}, {1, -1.5, -0.5}}, nu), false));
    }

    private static final MixtureSampler.Design NORMAL = new MixtureSampler.Random(new InputDistribution.Gaussian(0.0, 1.0));

    /** Experts and variances moved by up to ±scale/2; gates by up to ±scale/4 (not the top-K gate, whose masks EM keeps). */
    private static Components perturb(Case c, double scale, UniformRandomProvider rng) {
        Components t = c.truth();
        double[][] g = t.gate();
        double[][] e = t.expert();
        double[] nu = t.variances();
        int reference = c.model().gate() instanceof LinearScoreGate s ? s.reference() : -1;
        for (int k = 0; k < g.length; k++) {
            for (int a = 0; a < e[k].length; a++) {
                e[k][a] += scale * (rng.nextDouble() - 0.5);
            }
            nu[k] *= 1 + scale * rng.nextDouble();
            if (k != reference && !(c.model().gate() instanceof TopKSoftmaxGate)) {
                for (int a = 0; a < g[k].length; a++) {
                    g[k][a] += c.model().gate() instanceof ConstantGate ? 0.1 * scale * (rng.nextDouble() - 0.5)
                            : scale / 2 * (rng.nextDouble() - 0.5);
                }
            }
        }
        return new Components(g, e, nu);
    }

    /** One more component: a copy of component 0 with a moved expert and a lower gate intercept, placed before a reference. */
    private static Components overSpecified(Case c, Components near) {
        int k = near.size();
        int reference = c.model().gate() instanceof LinearScoreGate s ? s.reference() : -1;
        double[][] g = new double[k + 1][];
        double[][] e = new double[k + 1][];
        double[] nu = new double[k + 1];
        int at = reference >= 0 ? k - 1 : k; // where the copy goes
        for (int a = 0, b = 0; a <= k; a++) {
            if (a == at) {
                g[a] = near.gate(0);
                e[a] = near.expert(0);
                e[a][e[a].length - 1] += 0.1;
                nu[a] = near.variance(0);
                g[a][g[a].length - 1] += c.model().gate() instanceof ConstantGate ? 0 : -0.2;
                if (c.model().gate() instanceof ConstantGate) {
                    g[a][0] /= 2;
                }
            } else {
                g[a] = near.gate(b);
                e[a] = near.expert(b);
                nu[a] = near.variance(b);
                b++;
            }
        }
        return new Components(g, e, nu);
    }

    /** EM step by step: the log-likelihood never decreases, from the start on, exact- and over-specified. */
    @Test
    void logLikelihoodNeverDecreases() {
        for (Case c : cases()) {
            for (int extra : new int[] {0, 1}) {
                UniformRandomProvider rng = RandomStreams.stream(31, c.name().hashCode(), extra);
                Dataset data = new MixtureSampler(c.model(), c.truth(), NORMAL, 0).sample(2000, rng);
                MixtureOfExperts fitted = c.model().withComponents(c.model().components() + extra);
                Components start = perturb(c, 0.4, rng);
                if (extra == 1) {
                    start = overSpecified(c, start);
                }
                double previous = fitted.logLikelihood(start, data.x(), data.y());
                assertTrue(Double.isFinite(previous), c.name());
                for (int it = 1; it <= 40; it++) {
                    MixtureFit f = MixtureEm.defaults().withTolerance(0).withMaxIterations(1)
                            .fit(fitted, data.x(), data.y(), start);
                    assertEquals(0, f.decreases(), c.name());
                    assertTrue(f.logLikelihood() >= previous - 1e-10 * Math.abs(previous),
                            c.name() + " +" + extra + " iteration " + it + ": " + f.logLikelihood() + " < " + previous);
                    previous = f.logLikelihood();
                    start = f.estimate();
                }
            }
        }
    }

    /** A well-specified fit at n = 20 000 lands near the truth (within 0.15 (1 + |θ*|) per coordinate). */
    @Test
    void recoversTheTruthAtLargeN() {
        double[] grid = {-2, -1, -0.3, 0, 0.4, 1, 2};
        for (Case c : cases()) {
            UniformRandomProvider rng = RandomStreams.stream(37, c.name().hashCode());
            Dataset data = new MixtureSampler(c.model(), c.truth(), NORMAL, 0).sample(20_000, rng);
            MixtureFit f = MixtureEm.defaults().fit(c.model(), data.x(), data.y(), perturb(c, 0.3, rng));
            assertTrue(f.converged(), c.name() + ": " + f.stopReason());
            MixtureOfExperts m = c.model();
            int gateSize = m.gate().parameterCount();
            int expertSize = m.expert().parameterCount();
            for (int k = 0; k < m.components(); k++) {
                double[] t = m.atom(c.truth(), k);
                double[] e = m.atom(f.estimate(), k);
                for (int a = 0; a < t.length; a++) {
                    boolean expert = a >= gateSize && a < gateSize + expertSize;
                    if (expert && c.compareFunction()) {
                        continue;
                    }
                    assertEquals(t[a], e[a], 0.15 * (1 + Math.abs(t[a])), c.name() + " component " + k + " coordinate " + a);
                }
                if (c.compareFunction()) {
                    double[] ht = new double[1];
                    double[] he = new double[1];
                    for (double x : grid) {
                        m.expert().mean(c.truth().expert(k), new double[] {x}, 0, ht, 0);
                        m.expert().mean(f.estimate().expert(k), new double[] {x}, 0, he, 0);
                        assertEquals(ht[0], he[0], 0.15 * (1 + Math.abs(ht[0])), c.name() + " h_" + k + "(" + x + ")");
                    }
                }
            }
        }
    }
}
