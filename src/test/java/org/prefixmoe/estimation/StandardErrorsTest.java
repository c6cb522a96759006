package org.prefixmoe.estimation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.prefixmoe.TestModels;
import org.prefixmoe.estimation.em.EmEstimator;
import org.prefixmoe.model.Evaluator;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.PrefixModel;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.DensitySampler;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

class StandardErrorsTest {

    /** The per-sample EM score against central differences of the per-sample log-likelihood. */
    @ParameterizedTest
    @ValueSource(strings = {"non-shared", "shared-linear", "shared-nonlinear-tanh", "shared-mlp", "prompt-tuning"})
    void emScoreMatchesFiniteDifferences(String variant) {
        for (boolean bias : new boolean[] {true, false}) {
            Random rnd = new Random(variant.hashCode() + (bias ? 1 : 0));
            PrefixModel model = TestModels.randomModel(variant, 3, 2, 2, 3, 2, bias, rnd);
            MixingMeasure g = TestModels.randomMeasure(model, 3, rnd);
            double sigma2 = 0.3;
            int n = 5;
            double[] x = TestModels.vector(n * 3, rnd);
            double[] y = TestModels.vector(n * 2, rnd);
            double[] s = StandardErrors.emScores(model, g, sigma2, x, y);
            double[] phi = g.pack();
            int p = phi.length + 1;
            assertEquals(n * p, s.length);
            for (int i = 0; i < n; i++) {
                double[] xi = java.util.Arrays.copyOfRange(x, i * 3, i * 3 + 3);
                double[] yi = java.util.Arrays.copyOfRange(y, i * 2, i * 2 + 2);
                for (int c = 0; c < p; c++) {
                    double h = 1e-6;
                    double fd;
                    if (c < p - 1) {
                        double[] a = phi.clone();
                        double[] b = phi.clone();
                        a[c] += h;
                        b[c] -= h;
                        fd = (ll(model, a, sigma2, xi, yi) - ll(model, b, sigma2, xi, yi)) / (2 * h);
                    } else {
                        fd = (ll(model, phi, sigma2 + h, xi, yi) - ll(model, phi, sigma2 - h, xi, yi)) / (2 * h);
                    }
                    assertEquals(fd, s[i * p + c], 1e-6 * Math.max(1, Math.abs(fd)),
                            variant + " bias " + bias + " sample " + i + " coordinate " + c);
                }
            }
        }
    }

    private static double ll(PrefixModel model, double[] packed, double sigma2, double[] x, double[] y) {
        MixingMeasure g = MixingMeasure.unpack(packed, model.atomDimension(), model.hasBias());
        return StandardErrors.emLogLikelihood(model, g, sigma2, x, y);
    }

    /** The EM log-likelihood on a hand-computed case: one pretrained expert, one prompt. */
    @Test
    void emLogLikelihoodByHand() {
        TruthModel tm = TestModels.defaultTruth("shared-linear");
        PrefixModel model = tm.model();
        double[] x = {0.1, -0.2, 0.3, 0.4};
        double[] y = {0.5, -0.1};
        MixingMeasure g = tm.truth();
        double sigma2 = 0.04;
        var pred = model.predict(g, x);
        double[] gates = pred.gates();
        double expect = 0;
        int k = pred.experts();
        double[][] means = new double[k][2];
        for (int j = 0; j < 2; j++) {
            model.pretrained().output(j, x, 0, means[j], 0);
        }
        var comps = model.components(g);
        for (int l = 0; l < 2; l++) {
            means[2 + l] = comps.expert()[l];
        }
        for (int c = 0; c < k; c++) {
            double ss = Math.pow(y[0] - means[c][0], 2) + Math.pow(y[1] - means[c][1], 2);
            expect += gates[c] * Math.exp(-ss / (2 * sigma2)) / (2 * Math.PI * sigma2);
        }
        assertEquals(Math.log(expect), StandardErrors.emLogLikelihood(model, g, sigma2, x, y), 1e-12);
    }

    /** The Jacobian the least-squares forms use, against central differences of f. */
    @ParameterizedTest
    @ValueSource(strings = {"non-shared", "shared-linear", "shared-nonlinear-tanh"})
    void leastSquaresJacobianMatchesFiniteDifferences(String variant) {
        Random rnd = new Random(7 + variant.hashCode());
        PrefixModel model = TestModels.randomModel(variant, 3, 2, 2, 2, 2, true, rnd);
        MixingMeasure g = TestModels.randomMeasure(model, 2, rnd);
        double[] x = TestModels.vector(3 * 4, rnd);
        Evaluator ev = new Evaluator(model, 2, x, model.pretrained().evaluate(x));
        ev.setMeasure(g);
        int p = ev.dimension();
        double[] f = new double[2];
        double[] jac = new double[2 * p];
        double[] phi = g.pack();
        for (int i = 0; i < 4; i++) {
            ev.valueAndJacobian(i, f, jac);
            for (int c = 0; c < p; c++) {
                double[] a = phi.clone();
                double[] b = phi.clone();
                a[c] += 1e-6;
                b[c] -= 1e-6;
                double[] xi = java.util.Arrays.copyOfRange(x, i * 3, i * 3 + 3);
                double[] fa = model.regression(MixingMeasure.unpack(a, model.atomDimension(), true), xi);
                double[] fb = model.regression(MixingMeasure.unpack(b, model.atomDimension(), true), xi);
                for (int o = 0; o < 2; o++) {
                    assertEquals((fa[o] - fb[o]) / 2e-6, jac[o * p + c], 1e-7, variant + " " + i + " " + c);
                }
            }
        }
    }

    /**
     * Exact-specified least squares at n = 20,000 on homoscedastic data: observed and sandwich standard errors
     * agree within 10%, the intervals are finite with no warning, and the estimate is within 4 se of the truth.
     */
    @Test
    void leastSquaresExactSpecified() {
        TruthModel tm = TestModels.defaultTruth("shared-linear");
        Dataset data = RegressionSampler.of(tm).sample(20_000, RandomStreams.stream(5, 1));
        FitProblem problem = FitProblem.of(tm, data, 2);
        FitResult fit = new LeastSquaresEstimator().fit(problem, tm.truth());
        assertTrue(fit.converged());
        Inference obs = StandardErrors.observed(problem, fit.estimate());
        Inference sw = StandardErrors.sandwich(problem, fit.estimate());
        assertEquals(6, obs.size());
        assertTrue(obs.warnings().isEmpty(), obs.warnings().toString());
        double[] truth = tm.truth().pack();
        for (int c = 0; c < 6; c++) {
            double se = obs.standardErrors()[c];
            assertTrue(se > 0 && se < 0.1, "se " + se);
            assertEquals(1.0, sw.standardErrors()[c] / se, 0.1, obs.names().get(c));
            assertTrue(Math.abs(obs.estimate()[c] - truth[c]) < 4 * se, obs.names().get(c));
            assertEquals(obs.estimate()[c] - Inference.Z95 * se, obs.lower()[c], 1e-15);
        }
    }

    /** An over-specified fit: the information is nearly singular and the inference says so. */
    @Test
    void overSpecifiedIsFlagged() {
        TruthModel tm = TestModels.defaultTruth("shared-linear");
        Dataset data = RegressionSampler.of(tm).sample(5_000, RandomStreams.stream(6, 1));
        FitProblem problem = FitProblem.of(tm, data, 3);
        // the truth with a third atom of negligible weight: a point of the flat set
        MixingMeasure g = MixingMeasure.builder().atom(tm.truth().atom(0), 0).atom(tm.truth().atom(1), 0)
                .atom(new double[] {0.3, -0.4}, -10).build();
        Inference obs = StandardErrors.observed(problem, g);
        assertFalse(obs.warnings().isEmpty());
        assertTrue(obs.warnings().get(0).contains("nearly singular"), obs.warnings().toString());
        assertTrue(obs.warnings().get(1).contains("b_3"), obs.warnings().toString());
    }

    /**
     * The EM reading on data from the density: the empirical and observed information give standard errors
     * within 15% of each other (the information equality), σ² included.
     */
    @Test
    void emExactSpecified() {
        TruthModel tm = TestModels.defaultTruth("shared-linear");
        Dataset data = new DensitySampler(tm.model(), tm.truth(), tm.sigma(), tm.input())
                .sample(20_000, RandomStreams.stream(8, 1));
        FitProblem problem = FitProblem.of(tm, data, 2);
        FitResult fit = new EmEstimator().fit(problem, tm.truth());
        assertTrue(fit.converged(), fit.stopReason().toString());
        Inference score = StandardErrors.emScore(problem, fit.estimate(), fit.noiseVariance());
        Inference observed = StandardErrors.emObserved(problem, fit.estimate(), fit.noiseVariance());
        assertEquals(7, score.size());
        assertEquals("sigma2", score.names().get(6));
        assertTrue(score.warnings().isEmpty(), score.warnings().toString());
        for (int c = 0; c < 7; c++) {
            assertEquals(1.0, score.standardErrors()[c] / observed.standardErrors()[c], 0.15, score.names().get(c));
        }
        // the total score vanishes at the EM fixed point (to the stop rule's tolerance)
        double[] s = StandardErrors.emScores(tm.model(), fit.estimate(), fit.noiseVariance(), data.x(), data.y());
        for (int c = 0; c < 7; c++) {
            double t = 0;
            for (int i = 0; i < data.size(); i++) {
                t += s[i * 7 + c];
            }
            assertTrue(Math.abs(t) * score.standardErrors()[c] < 0.05, "score " + c + " " + t);
        }
    }
}
