package org.prefixmoe.estimation.em;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.prefixmoe.TestModels;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.PrefixModel;
import org.prefixmoe.model.PretrainedExperts;

/** The E-step's likelihood against a naive computation, and Q's derivatives against finite differences. */
class EmStateTest {

    static String[] variants() {
        return TestModels.parameterizationVariants();
    }

    private static double[] gaussian(int len, Random rnd, double scale) {
        double[] v = new double[len];
        for (int i = 0; i < len; i++) {
            v[i] = scale * rnd.nextGaussian();
        }
        return v;
    }

    /** log Σ_c π_c(X) N(Y; μ_c, σ²) summed over samples, computed without any of EmState's shortcuts. */
    private static double naiveLogLikelihood(PrefixModel model, MixingMeasure g, double[] x, double[] y, double s2) {
        PretrainedExperts pre = model.pretrained();
        int d = model.inputDimension();
        int q = model.outputDimension();
        int n = x.length / d;
        double[][] b = model.gatingProjection();
        double total = 0;
        double[] key = new double[model.keyDimension()];
        double[] val = new double[q];
        double[] mu = new double[q];
        for (int i = 0; i < n; i++) {
            int k = pre.count() + g.size();
            double[] s = new double[k];
            double[][] means = new double[k][];
            for (int j = 0; j < pre.count(); j++) {
                s[j] = pre.score(j, x, i * d);
                pre.output(j, x, i * d, mu, 0);
                means[j] = mu.clone();
            }
            for (int l = 0; l < g.size(); l++) {
                model.parameterization().map(g.atom(l), 0, key, val, null, null);
                double t = g.hasBias() ? g.bias(l) : 0;
                for (int u = 0; u < d; u++) {
                    for (int c = 0; c < key.length; c++) {
                        t += x[i * d + u] * b[u][c] * key[c];
                    }
                }
                s[pre.count() + l] = t;
                means[pre.count() + l] = val.clone();
            }
            double zsum = 0;
            double dens = 0;
            for (int c = 0; c < k; c++) {
                double e = 0;
                for (int a = 0; a < q; a++) {
                    e += (y[i * q + a] - means[c][a]) * (y[i * q + a] - means[c][a]);
                }
                zsum += Math.exp(s[c]);
                dens += Math.exp(s[c]) * Math.exp(-e / (2 * s2)) / Math.pow(2 * Math.PI * s2, q / 2.0);
            }
            total += Math.log(dens / zsum);
        }
        return total;
    }

    @ParameterizedTest
    @MethodSource("variants")
    void eStepLikelihoodAndQDerivativesAreRight(String variant) {
        for (boolean bias : new boolean[] {true, false}) {
            Random rnd = new Random(variant.hashCode() + (bias ? 1 : 0));
            PrefixModel model = TestModels.randomModel(variant, 3, 2, 2, 2, 2, bias, rnd);
            int n = 60;
            double[] x = gaussian(n * 3, rnd, 1.0);
            double[] y = gaussian(n * 2, rnd, 1.0);
            MixingMeasure g = TestModels.randomMeasure(model, 3, rnd);
            double s2 = 0.7;
            EmState st = new EmState(model, x, y, model.pretrained().evaluate(x).logScore(), 3);
            double[] params = g.pack();
            st.setParameters(params);
            double ll = st.eStep(s2);
            assertEquals(naiveLogLikelihood(model, g, x, y, s2), ll, 1e-9 * Math.abs(ll), variant);

            int dim = params.length;
            double[] grad = new double[dim];
            double[] hneg = new double[dim * dim];
            double q0 = st.q(s2, grad, hneg);
            double h = 1e-5;
            double[] gTmp = new double[dim];
            double[] hTmp = new double[dim * dim];
            for (int c = 0; c < dim; c++) {
                double[] p1 = params.clone();
                double[] p2 = params.clone();
                p1[c] += h;
                p2[c] -= h;
                st.setParameters(p1);
                double f1 = st.q(s2, gTmp, hTmp);
                double[] g1 = gTmp.clone();
                st.setParameters(p2);
                double f2 = st.q(s2, gTmp, hTmp);
                double[] g2 = gTmp.clone();
                double fd = (f1 - f2) / (2 * h);
                assertEquals(fd, grad[c], 1e-5 * (1 + Math.abs(fd)), variant + " bias " + bias + " grad " + c);
                boolean linear = variant.equals("non-shared") || variant.equals("shared-linear")
                        || variant.equals("prompt-tuning");
                if (linear) {
                    // The curvature matrix is the exact negative Hessian for maps linear in θ.
                    for (int e = 0; e < dim; e++) {
                        double fdh = -(g1[e] - g2[e]) / (2 * h);
                        assertEquals(fdh, hneg[e * dim + c], 1e-5 * (1 + Math.abs(fdh)),
                                variant + " bias " + bias + " hessian " + e + "," + c);
                    }
                }
            }
            st.setParameters(params);
            assertEquals(q0, st.q(s2, null, null), 0.0, "q without derivatives");
            // The E-step's fused accumulation gives the same Q and derivatives without another pass.
            assertEquals(ll, st.eStep(s2, true), 1e-12 * Math.abs(ll));
            double[] fusedGrad = new double[dim];
            double[] fusedH = new double[dim * dim];
            assertEquals(q0, st.qFromStats(s2, fusedGrad, fusedH), 1e-12 * Math.abs(q0));
            for (int c = 0; c < dim; c++) {
                assertEquals(grad[c], fusedGrad[c], 1e-10 * (1 + Math.abs(grad[c])));
            }
            for (int c = 0; c < dim * dim; c++) {
                assertEquals(hneg[c], fusedH[c], 1e-10 * (1 + Math.abs(hneg[c])));
            }
        }
    }
}
