package org.prefixmoe.estimation.moe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import org.prefixmoe.model.moe.SharedRoutedMixture;
import org.prefixmoe.model.moe.SoftmaxGate;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.MixtureSampler;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.SharedRoutedSampler;

/**
 * The shared + routed model {@code ½ Σ ω_i N(h_1(x, κ_i), τ_i) + ½ Σ g_j(x) N(h_2(x, η_j), ν_j)}
 * (docs/theory.md §8): its likelihood against a direct evaluation, EM monotone step by step for
 * ReLU and linear experts under softmax and normalized-sigmoid routers (exact- and over-specified),
 * the routed softmax gate's M-step on rows that do not sum to one (stationary by finite
 * differences), and recovery at large n.
 */
class SharedRoutedEmTest {
    private static final MixtureSampler.Design UNIFORM = new MixtureSampler.Random(new InputDistribution.Uniform(-3, 3));

    record Case(String name, SharedRoutedMixture model, SharedRoutedMixture.Parameters truth) {
    }

    private static MixtureOfExperts block(Gate g, Expert e) {
        return MixtureOfExperts.builder().gate(g).expert(e).observation(Observation.GAUSSIAN_MIXTURE).build();
    }

    /** The four settings of the study with informative routers (the gate slopes differ), k_1* = 1, k_2* = 2. */
    static List<Case> cases() {
        Expert relu = new FfnExpert(1, 1, Activation.RELU);
        Expert linear = new LinearExpert(1, 1);
        // FFN storage: kappa1, kappa0, kappa2; linear: a, b
        Components sharedRelu = new Components(new double[][] {{1}}, new double[][] {{6, 0, -8}}, new double[] {0.25});
        Components sharedLinear = new Components(new double[][] {{1}}, new double[][] {{2, 0}}, new double[] {0.2});
        double[][] reluRouted = {{-12, 0, 4}, {12, 0, 4}};
        double[][] linearRouted = {{8, 2}, {-6, 1}};
        double[] nu = {0.4, 0.4};
        double[][] softmax = {{2, -1}, {0, 0}};
        double[][] sigmoid = {{2, -0.5}, {-2, 0.5}};
        return List.of(
                new Case("relu softmax", SharedRoutedMixture.halves(block(new ConstantGate(1, 1), relu),
                        block(new SoftmaxGate(1, 2, 1), relu)),
                        new SharedRoutedMixture.Parameters(sharedRelu, new Components(softmax, reluRouted, nu))),
                new Case("linear softmax", SharedRoutedMixture.halves(block(new ConstantGate(1, 1), linear),
                        block(new SoftmaxGate(1, 2, 1), linear)),
                        new SharedRoutedMixture.Parameters(sharedLinear, new Components(softmax, linearRouted, nu))),
                new Case("relu normalized sigmoid", SharedRoutedMixture.halves(block(new ConstantGate(1, 1), relu),
                        block(new NormalizedSigmoidGate(1, 2), relu)),
                        new SharedRoutedMixture.Parameters(sharedRelu, new Components(sigmoid, reluRouted, nu))),
                new Case("linear normalized sigmoid", SharedRoutedMixture.halves(block(new ConstantGate(1, 1), linear),
                        block(new NormalizedSigmoidGate(1, 2), linear)),
                        new SharedRoutedMixture.Parameters(sharedLinear, new Components(sigmoid, linearRouted, nu))));
    }

    private static Components perturb(MixtureOfExperts m, Components t, double scale, UniformRandomProvider rng) {
        double[][] g = t.gate();
        double[][] e = t.expert();
        double[] nu = t.variances();
        int reference = m.gate() instanceof LinearScoreGate s ? s.reference() : -1;
        for (int k = 0; k < g.length; k++) {
            for (int a = 0; a < e[k].length; a++) {
                e[k][a] += scale * (rng.nextDouble() - 0.5);
            }
            nu[k] *= 1 + scale * rng.nextDouble();
            if (k != reference && !(m.gate() instanceof ConstantGate)) {
                for (int a = 0; a < g[k].length; a++) {
                    g[k][a] += scale / 2 * (rng.nextDouble() - 0.5);
                }
            }
        }
        return new Components(g, e, nu);
    }

    /** One more component, a copy of component 0 with a moved expert, before a reference component. */
    private static Components addOne(MixtureOfExperts m, Components near) {
        int k = near.size();
        int reference = m.gate() instanceof LinearScoreGate s ? s.reference() : -1;
        double[][] g = new double[k + 1][];
        double[][] e = new double[k + 1][];
        double[] nu = new double[k + 1];
        int at = reference >= 0 ? k - 1 : k;
        for (int a = 0, b = 0; a <= k; a++) {
            if (a == at) {
                g[a] = near.gate(0);
                e[a] = near.expert(0);
                e[a][e[a].length - 1] += 0.2;
                nu[a] = near.variance(0);
                if (m.gate() instanceof ConstantGate) {
                    g[a][0] /= 2;
                } else {
                    g[a][g[a].length - 1] -= 0.3;
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

    private static double logNormal(double y, double mean, double var) {
        return -0.5 * Math.log(2 * Math.PI * var) - 0.5 * (y - mean) * (y - mean) / var;
    }

    /** The likelihood and the responsibilities against a direct evaluation of the density, sample by sample. */
    @Test
    void likelihoodMatchesTheDensityWrittenOut() {
        for (Case c : cases()) {
            Dataset data = new SharedRoutedSampler(c.model(), c.truth(), UNIFORM).sample(200,
                    RandomStreams.stream(3, c.name().hashCode()));
            MixtureOfExperts s = c.model().shared();
            MixtureOfExperts r = c.model().routed();
            double[] g1 = s.gateProbabilities(c.truth().shared(), data.x());
            double[] g2 = r.gateProbabilities(c.truth().routed(), data.x());
            double[] resp = new double[200 * 3];
            double ll = c.model().componentLogDensities(c.truth(), data.x(), data.y(), 200, resp);
            double direct = 0;
            double[] h = new double[1];
            for (int i = 0; i < 200; i++) {
                double[] parts = new double[3];
                s.expert().mean(c.truth().shared().expert(0), data.x(), i, h, 0);
                parts[0] = 0.5 * g1[i] * Math.exp(logNormal(data.y()[i], h[0], c.truth().shared().variance(0)));
                for (int k = 0; k < 2; k++) {
                    r.expert().mean(c.truth().routed().expert(k), data.x(), i, h, 0);
                    parts[1 + k] = 0.5 * g2[i * 2 + k]
                            * Math.exp(logNormal(data.y()[i], h[0], c.truth().routed().variance(k)));
                }
                double p = parts[0] + parts[1] + parts[2];
                direct += Math.log(p);
                for (int k = 0; k < 3; k++) {
                    assertEquals(parts[k] / p, resp[i * 3 + k], 1e-12, c.name() + " τ[" + i + "][" + k + "]");
                }
            }
            assertEquals(direct, ll, 1e-9 * Math.abs(direct), c.name());
            assertEquals(ll, c.model().logLikelihood(c.truth(), data.x(), data.y()), 0, c.name());
        }
    }

    /** EM one step at a time: the log-likelihood never decreases, at (k_1, k_2) = (1, 2) and (2, 3). */
    @Test
    void emIsMonotoneStepByStep() {
        for (Case c : cases()) {
            for (int extra : new int[] {0, 1}) {
                UniformRandomProvider rng = RandomStreams.stream(41, c.name().hashCode(), extra);
                Dataset data = new SharedRoutedSampler(c.model(), c.truth(), UNIFORM).sample(2000, rng);
                SharedRoutedMixture fitted = c.model().withComponents(1 + extra, 2 + extra);
                Components s = perturb(c.model().shared(), c.truth().shared(), 0.5, rng);
                Components r = perturb(c.model().routed(), c.truth().routed(), 0.5, rng);
                if (extra == 1) {
                    s = addOne(c.model().shared(), s);
                    r = addOne(c.model().routed(), r);
                }
                SharedRoutedMixture.Parameters cur = new SharedRoutedMixture.Parameters(s, r);
                double previous = fitted.logLikelihood(cur, data.x(), data.y());
                assertTrue(Double.isFinite(previous), c.name());
                for (int it = 1; it <= 30; it++) {
                    SharedRoutedFit f = MixtureEm.defaults().withTolerance(0).withMaxIterations(1)
                            .fit(fitted, data.x(), data.y(), cur);
                    assertEquals(0, f.decreases(), c.name());
                    assertTrue(f.logLikelihood() >= previous - 1e-10 * Math.abs(previous),
                            c.name() + " +" + extra + " iteration " + it + ": " + f.logLikelihood() + " < " + previous);
                    assertEquals(f.logLikelihood(), fitted.logLikelihood(f.estimate(), data.x(), data.y()),
                            1e-12 * Math.abs(previous));
                    previous = f.logLikelihood();
                    cur = f.estimate();
                }
            }
        }
    }

    /**
     * The routed softmax gate's Newton M-step on the routed block's responsibilities (rows summing to
     * the block's posterior, not to one): Q does not decrease and its gradient, by central finite
     * differences of {@link LinearScoreGate#objective}, vanishes at the result.
     */
    @Test
    void routedSoftmaxMStepIsStationaryOnRowsBelowOne() {
        Case c = cases().get(1);
        Dataset data = new SharedRoutedSampler(c.model(), c.truth(), UNIFORM).sample(3000, RandomStreams.stream(43));
        int n = 3000;
        double[] resp = new double[n * 3];
        c.model().componentLogDensities(c.truth(), data.x(), data.y(), n, resp);
        double[] routedResp = new double[n * 2];
        double minMass = 1;
        for (int i = 0; i < n; i++) {
            routedResp[i * 2] = resp[i * 3 + 1];
            routedResp[i * 2 + 1] = resp[i * 3 + 2];
            minMass = Math.min(minMass, routedResp[i * 2] + routedResp[i * 2 + 1]);
        }
        assertTrue(minMass < 0.5, "some rows carry little routed mass: " + minMass);
        SoftmaxGate gate = (SoftmaxGate) c.model().routed().gate();
        double[][] start = {{0.5, 0.5}, {0, 0}};
        double q0 = gate.objective(start, data.x(), n, new double[0], 0, routedResp);
        double[][] fit = gate.maximize(start, data.x(), n, new double[0], 0, routedResp);
        double q1 = gate.objective(fit, data.x(), n, new double[0], 0, routedResp);
        assertTrue(q1 >= q0, q1 + " < " + q0);
        for (int a = 0; a < 2; a++) {
            double eps = 1e-5;
            double[][] plus = {fit[0].clone(), fit[1].clone()};
            double[][] minus = {fit[0].clone(), fit[1].clone()};
            plus[0][a] += eps;
            minus[0][a] -= eps;
            double g = (gate.objective(plus, data.x(), n, new double[0], 0, routedResp)
                    - gate.objective(minus, data.x(), n, new double[0], 0, routedResp)) / (2 * eps);
            assertEquals(0, g, 1e-5 * n, "∂Q/∂β[0][" + a + "] = " + g);
        }
        // the stationary point of the weighted Q: the plain softmax's would be off by the row masses
        double[] analytic = gate.objectiveGradient(fit, data.x(), n, new double[0], 0, routedResp)[0];
        assertEquals(0, analytic[0], 1e-5 * n);
        assertEquals(0, analytic[1], 1e-5 * n);
    }

    /**
     * A well-specified fit at n = 20 000 from a near-truth start: every expert and variance coordinate
     * within 0.1 (1 + |θ*|) (softmax and constant gates too), gate weights on a grid of [−3, 3] within
     * 0.05, expert functions within 0.1 (1 + |h*|) (a ReLU expert's parameters only up to its scale).
     */
    @Test
    void recoversTheTruthAtLargeN() {
        for (Case c : cases()) {
            UniformRandomProvider rng = RandomStreams.stream(47, c.name().hashCode());
            Dataset data = new SharedRoutedSampler(c.model(), c.truth(), UNIFORM).sample(20_000, rng);
            SharedRoutedMixture.Parameters start = new SharedRoutedMixture.Parameters(
                    perturb(c.model().shared(), c.truth().shared(), 0.3, rng),
                    perturb(c.model().routed(), c.truth().routed(), 0.3, rng));
            SharedRoutedFit f = MixtureEm.defaults().fit(c.model(), data.x(), data.y(), start);
            assertTrue(f.converged(), c.name() + ": " + f.stopReason());
            for (boolean shared : new boolean[] {true, false}) {
                MixtureOfExperts m = shared ? c.model().shared() : c.model().routed();
                Components t = shared ? c.truth().shared() : c.truth().routed();
                Components e = shared ? f.estimate().shared() : f.estimate().routed();
                for (int k = 0; k < m.components(); k++) {
                    double[] ta = m.atom(t, k);
                    double[] ea = m.atom(e, k);
                    int gs = m.gate().parameterCount();
                    int es = m.expert().parameterCount();
                    // a ReLU expert is known up to a positive scale (c κ_2 ReLU((κ_1 x + κ_0)/c)): its function is compared
                    boolean byFunction = m.expert() instanceof FfnExpert;
                    for (int a = 0; a < ta.length; a++) {
                        if (byFunction && a >= gs && a < gs + es) {
                            continue;
                        }
                        // the normalized sigmoid is nearly invariant to a common shift of its scores (nearly a
                        // softmax where the scores are negative): its weights are compared, not its parameters
                        if (m.gate() instanceof NormalizedSigmoidGate && a < gs) {
                            continue;
                        }
                        assertEquals(ta[a], ea[a], 0.1 * (1 + Math.abs(ta[a])),
                                c.name() + (shared ? " shared " : " routed ") + k + " coordinate " + a);
                    }
                    double[] xs = new double[13];
                    for (int i = 0; i < 13; i++) {
                        xs[i] = -3 + 0.5 * i;
                    }
                    double[] pt = m.gateProbabilities(t, xs);
                    double[] pe = m.gateProbabilities(e, xs);
                    for (int i = 0; i < 13; i++) {
                        assertEquals(pt[i * m.components() + k], pe[i * m.components() + k], 0.05,
                                c.name() + " gate " + k + " at " + xs[i]);
                    }
                    double[] ht = new double[1];
                    double[] he = new double[1];
                    for (double x = -3; x <= 3; x += 0.5) {
                        m.expert().mean(t.expert(k), new double[] {x}, 0, ht, 0);
                        m.expert().mean(e.expert(k), new double[] {x}, 0, he, 0);
                        assertEquals(ht[0], he[0], 0.1 * (1 + Math.abs(ht[0])), c.name() + " h_" + k + "(" + x + ")");
                    }
                }
            }
        }
    }

    @Test
    void refusesBlocksThatCannotBeMixed() {
        MixtureOfExperts ok = block(new ConstantGate(1, 1), new LinearExpert(1, 1));
        MixtureOfExperts regression = MixtureOfExperts.builder().gate(new SoftmaxGate(1, 2, 1))
                .expert(new LinearExpert(1, 1)).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SharedRoutedMixture.halves(ok, regression));
        assertTrue(e.getMessage().startsWith("routed.observation"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SharedRoutedMixture(ok, ok, 1));
        assertTrue(e.getMessage().startsWith("shared-weight"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SharedRoutedMixture.halves(ok, block(new ConstantGate(2, 1), new LinearExpert(2, 1))));
        assertTrue(e.getMessage().startsWith("routed.d"), e.getMessage());
    }
}
