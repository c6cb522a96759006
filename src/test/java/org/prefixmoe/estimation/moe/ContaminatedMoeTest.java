package org.prefixmoe.estimation.moe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;
import org.prefixmoe.model.InputDistribution;
import org.prefixmoe.model.moe.Activation;
import org.prefixmoe.model.moe.Components;
import org.prefixmoe.model.moe.FrozenExpert;
import org.prefixmoe.model.moe.IndexExpert;
import org.prefixmoe.model.moe.LinearExpert;
import org.prefixmoe.model.moe.MixtureOfExperts;
import org.prefixmoe.model.moe.Observation;
import org.prefixmoe.model.moe.SigmoidGate;
import org.prefixmoe.model.moe.SoftmaxGate;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.MixtureSampler;
import org.prefixmoe.sampling.RandomStreams;

/**
 * The softmax-contaminated MoE {@code p(y|x) = (1 − λ(x)) f_0(y|x) + λ(x) N(y; tanh(ηᵀx), ν)},
 * {@code λ = σ(βᵀx + τ)}, f_0 frozen (Gaussian or Laplace of mean {@code tanh(e_1ᵀx)}): the frozen
 * density and its draws, the E-step against a direct evaluation, EM's monotonicity step by step and
 * recovery of setting (a) (η* = −e_1, ν* = ν_0, β* = 1_d/√d, τ* = 1) at d = 2.
 */
class ContaminatedMoeTest {
    private static final MixtureSampler.Design NORMAL = new MixtureSampler.Random(new InputDistribution.Gaussian(0.0, 1.0));

    static FrozenExpert f0(FrozenExpert.Family family, int d, double nu0) {
        double[] w = new double[d];
        w[0] = 1;
        return new FrozenExpert(family, w, 0, Activation.TANH, nu0);
    }

    static MixtureOfExperts model(FrozenExpert f0) {
        int d = f0.inputDimension();
        return MixtureOfExperts.builder().gate(new SigmoidGate(d, 1)).expert(new IndexExpert(d, Activation.TANH))
                .observation(Observation.GAUSSIAN_MIXTURE).frozen(f0).build();
    }

    /** Setting (a) at d = 2: β* = 1_d/√d, τ* = 1, η* = −e_1, ν* = ν_0. */
    static Components settingA(int d, double nu0) {
        double[] gate = new double[d + 1];
        java.util.Arrays.fill(gate, 0, d, 1 / Math.sqrt(d));
        gate[d] = 1;
        double[] eta = new double[d];
        eta[0] = -1;
        return new Components(new double[][] {gate}, new double[][] {eta}, new double[] {nu0});
    }

    /** Both densities integrate to 1 with mean m(x) and variance ν_0; draws match them. */
    @Test
    void frozenDensityAndDraws() {
        for (FrozenExpert.Family family : FrozenExpert.Family.values()) {
            FrozenExpert f = f0(family, 2, 0.04);
            double[] x = {0.7, -0.3};
            double m = Math.tanh(0.7);
            double mass = 0;
            double mean = 0;
            double var = 0;
            double h = 1e-4;
            double[] y = new double[1];
            for (double v = m - 3; v <= m + 3; v += h) {
                y[0] = v;
                double p = Math.exp(f.logDensity(0, x, 0, y, 0)) * h;
                mass += p;
                mean += p * v;
                var += p * (v - m) * (v - m);
            }
            assertEquals(1, mass, 1e-4, family + " mass");
            assertEquals(m, mean, 1e-4, family + " mean");
            assertEquals(0.04, var, 1e-4, family + " variance");
            UniformRandomProvider rng = RandomStreams.stream(3, family.ordinal());
            int n = 200_000;
            double s1 = 0;
            double s2 = 0;
            double abs = 0;
            for (int i = 0; i < n; i++) {
                f.draw(0, x, 0, rng::nextDouble, y, 0);
                double r = y[0] - m;
                s1 += r;
                s2 += r * r;
                abs += Math.abs(r);
            }
            assertEquals(0, s1 / n, 4 * Math.sqrt(0.04 / n), family + " draw mean");
            assertEquals(0.04, s2 / n, 0.04 * 0.03, family + " draw variance");
            // E|r| = sd √(2/π) for the Gaussian, b = sd/√2 for the Laplace: tells the families apart
            double expected = family == FrozenExpert.Family.GAUSSIAN ? 0.2 * Math.sqrt(2 / Math.PI) : 0.2 / Math.sqrt(2);
            assertEquals(expected, abs / n, 0.002, family + " draw E|r|");
        }
    }

    /** The log-likelihood is Σ log((1 − λ) f_0 + λ N), evaluated directly; responsibilities sum to 1. */
    @Test
    void logLikelihoodIsTheContaminatedDensity() {
        FrozenExpert f = f0(FrozenExpert.Family.LAPLACE, 2, 0.01);
        MixtureOfExperts m = model(f);
        Components c = new Components(new double[][] {{0.3, -0.8, 0.4}}, new double[][] {{-0.5, 1.2}},
                new double[] {0.05});
        Dataset data = new MixtureSampler(m, settingA(2, 0.01), NORMAL, 0).sample(300, RandomStreams.stream(5));
        double direct = 0;
        double[] x = data.x();
        double[] y = data.y();
        for (int i = 0; i < 300; i++) {
            double lambda = 1 / (1 + Math.exp(-(0.3 * x[2 * i] - 0.8 * x[2 * i + 1] + 0.4)));
            double h = Math.tanh(-0.5 * x[2 * i] + 1.2 * x[2 * i + 1]);
            double normal = Math.exp(-0.5 * (y[i] - h) * (y[i] - h) / 0.05) / Math.sqrt(2 * Math.PI * 0.05);
            double laplace = Math.exp(f.logDensity(0, x, 2 * i, y, i));
            direct += Math.log((1 - lambda) * laplace + lambda * normal);
        }
        assertEquals(direct, m.logLikelihood(c, x, y), 1e-9 * Math.abs(direct));
        double[] resp = new double[600];
        m.componentLogDensities(c, x, y, 300, resp);
        for (int i = 0; i < 300; i++) {
            assertEquals(1, resp[2 * i] + resp[2 * i + 1], 1e-12);
        }
    }

    /** EM step by step from perturbed starts: the log-likelihood never decreases (both f_0 families, settings (a) and near-(b)). */
    @Test
    void emIsMonotone() {
        for (FrozenExpert.Family family : FrozenExpert.Family.values()) {
            for (double etaFirst : new double[] {-1, 1.2}) {
                MixtureOfExperts m = model(f0(family, 2, 0.01));
                Components truth = new Components(settingA(2, 0.01).gate(), new double[][] {{etaFirst, 0}},
                        new double[] {0.01});
                UniformRandomProvider rng = RandomStreams.stream(41, family.ordinal(), etaFirst > 0 ? 1 : 0);
                Dataset data = new MixtureSampler(m, truth, NORMAL, 0).sample(2000, rng);
                Components start = new Components(new double[][] {{0.2, 1.1, 0.3}},
                        new double[][] {{etaFirst + 0.4, -0.3}}, new double[] {0.05});
                double previous = m.logLikelihood(start, data.x(), data.y());
                for (int it = 1; it <= 40; it++) {
                    MixtureFit fit = MixtureEm.defaults().withTolerance(0).withMaxIterations(1)
                            .fit(m, data.x(), data.y(), start);
                    assertEquals(0, fit.decreases());
                    assertTrue(fit.logLikelihood() >= previous - 1e-10 * Math.abs(previous), family + " η_1* = "
                            + etaFirst + " iteration " + it + ": " + fit.logLikelihood() + " < " + previous);
                    previous = fit.logLikelihood();
                    start = fit.estimate();
                }
            }
        }
    }

    /** Setting (a) at d = 2, n = 20 000: every parameter within 0.05 of the truth (ν within 10%). */
    @Test
    void recoversSettingA() {
        for (FrozenExpert.Family family : FrozenExpert.Family.values()) {
            double nu0 = 0.001;
            MixtureOfExperts m = model(f0(family, 2, nu0));
            Components truth = settingA(2, nu0);
            UniformRandomProvider rng = RandomStreams.stream(43, family.ordinal());
            Dataset data = new MixtureSampler(m, truth, NORMAL, 0).sample(20_000, rng);
            Components start = new Components(new double[][] {{0.9, 0.4, 0.6}}, new double[][] {{-0.7, 0.25}},
                    new double[] {3 * nu0});
            MixtureFit fit = MixtureEm.defaults().fit(m, data.x(), data.y(), start);
            assertTrue(fit.converged(), family + ": " + fit.stopReason());
            double[] t = m.atom(truth, 0);
            double[] e = m.atom(fit.estimate(), 0);
            for (int a = 0; a < t.length - 1; a++) {
                assertEquals(t[a], e[a], 0.05, family + " coordinate " + a + " of " + java.util.Arrays.toString(e));
            }
            assertEquals(nu0, e[t.length - 1], 0.1 * nu0, family + " nu");
        }
    }

    /** The gaussian-mixture observation takes frozen components only with a density; a softmax gate takes them too. */
    @Test
    void frozenComponentsNeedADensity() {
        org.prefixmoe.model.moe.FrozenComponents plain = new org.prefixmoe.model.moe.FrozenComponents() {
            @Override
            public int count() {
                return 1;
            }

            @Override
            public double score(int j, double[] x, int offset) {
                return 0;
            }

            @Override
            public void output(int j, double[] x, int offset, double[] out, int outOffset) {
                out[outOffset] = 0;
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MixtureOfExperts.builder()
                .gate(new SigmoidGate(2, 1)).expert(new IndexExpert(2, Activation.TANH))
                .observation(Observation.GAUSSIAN_MIXTURE).frozen(plain).build());
        assertTrue(e.getMessage().startsWith("frozen:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MixtureOfExperts.builder()
                .gate(new SigmoidGate(2, 1)).expert(new IndexExpert(2, Activation.TANH))
                .observation(Observation.GAUSSIAN_MIXTURE).frozen(f0(FrozenExpert.Family.GAUSSIAN, 3, 0.1)).build());
        assertTrue(e.getMessage().startsWith("frozen.weights:"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new FrozenExpert(FrozenExpert.Family.LAPLACE,
                new double[] {1}, 0, Activation.TANH, 0)).getMessage().startsWith("frozen.variance:"));
        // a softmax gate over one free component and f_0 (score 0): EM still monotone
        MixtureOfExperts soft = MixtureOfExperts.builder().gate(new SoftmaxGate(1, 1, -1))
                .expert(new LinearExpert(1, 1)).observation(Observation.GAUSSIAN_MIXTURE)
                .frozen(f0(FrozenExpert.Family.GAUSSIAN, 1, 0.05)).build();
        Components truth = new Components(new double[][] {{2, 0.5}}, new double[][] {{-1, 0.5}}, new double[] {0.05});
        Dataset data = new MixtureSampler(soft, truth, NORMAL, 0).sample(2000, RandomStreams.stream(47));
        MixtureFit fit = MixtureEm.defaults().fit(soft, data.x(), data.y(),
                new Components(new double[][] {{1.5, 0.2}}, new double[][] {{-0.6, 0.3}}, new double[] {0.1}));
        assertEquals(0, fit.decreases());
        assertEquals(2, fit.estimate().gate(0)[0], 0.3);
        assertEquals(-1, fit.estimate().expert(0)[0], 0.1);
    }
}
