package org.prefixmoe.sampling;

import org.prefixmoe.model.InputDistribution;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.Parameterization;
import org.prefixmoe.model.PrefixModel;
import org.prefixmoe.model.PretrainedExperts;

/**
 * Draws data from the Gaussian mixture-of-experts (conditional density) reading of the model,
 * {@code p_G*(Y|X) = Σ_c π_c(X) N(Y; μ_c(X), σ² I_q)} (docs/theory.md §3, the model EM fits): {@code X ~ μ},
 * then a component {@code c} among the N pretrained experts and the L* true prompts with the gate
 * probabilities {@code π_c(X)} (softmax of {@code X^T A_j X + c_j} and {@code κ(θ*_l)^T X + b*_l},
 * computed in the log domain), then {@code Y = μ_c(X) + σ ε} with {@code μ_j(X) = H_j X + e_j}
 * for a pretrained expert and {@code μ_l = ν(θ*_l)} for a prompt. Its conditional mean is the
 * regression function {@code f_G*} of {@link RegressionSampler}; its conditional variance adds
 * the spread between components to σ².
 *
 * <p>Per sample the draws are, in order: X (from {@code input}), one uniform for the component,
 * q Gaussians for the noise. Immutable.
 */
public final class DensitySampler implements Sampler {
    /** The name used in scenarios. */
    public static final String NAME = "density";
    private final PrefixModel model;
    private final double sigma;
    private final InputDistribution input;
    private final int atoms;
    private final double[] kappa;  // L* × D
    private final double[] value;  // L* × q
    private final double[] bias;   // L*

    /**
     * @param model the model
     * @param truth the true mixing measure G*
     * @param sigma the noise standard deviation σ ≥ 0
     * @param input the input distribution μ
     */
    public DensitySampler(PrefixModel model, MixingMeasure truth, double sigma, InputDistribution input) {
        java.util.Objects.requireNonNull(model, "model");
        java.util.Objects.requireNonNull(truth, "truth");
        java.util.Objects.requireNonNull(input, "input");
        model.checkMeasure("atoms", truth);
        Samplers.checkSigma(sigma);
        this.model = model;
        this.sigma = sigma;
        this.input = input;
        this.atoms = truth.size();
        int d = model.inputDimension();
        int q = model.outputDimension();
        int r = model.keyDimension();
        Parameterization map = model.parameterization();
        double[][] b = model.gatingProjection();
        kappa = new double[atoms * d];
        value = new double[atoms * q];
        bias = new double[atoms];
        double[] key = new double[r];
        double[] v = new double[q];
        for (int l = 0; l < atoms; l++) {
            map.map(truth.atom(l), 0, key, v, null, null);
            System.arraycopy(v, 0, value, l * q, q);
            bias[l] = truth.hasBias() ? truth.bias(l) : 0.0;
            for (int u = 0; u < d; u++) {
                double s = 0;
                for (int k = 0; k < r; k++) {
                    s += b[u][k] * key[k];
                }
                kappa[l * d + u] = s;
            }
        }
    }

    @Override
    public Dataset sample(int n, UniformRandomProvider rng) {
        java.util.Objects.requireNonNull(rng, "rng");
        Samplers.checkSize("n", n, model);
        PretrainedExperts pre = model.pretrained();
        int d = model.inputDimension();
        int q = model.outputDimension();
        int nPre = pre.count();
        int k = nPre + atoms;
        double[] x = new double[n * d];
        double[] y = new double[n * q];
        double[] s = new double[k];
        ZigguratSampler.NormalizedGaussian z = ZigguratSampler.NormalizedGaussian.of(rng);
        for (int i = 0; i < n; i++) {
            int xo = i * d;
            input.draw(rng, x, xo, d);
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < nPre; j++) {
                s[j] = pre.score(j, x, xo);
                max = Math.max(max, s[j]);
            }
            for (int l = 0; l < atoms; l++) {
                double t = bias[l];
                for (int u = 0; u < d; u++) {
                    t += kappa[l * d + u] * x[xo + u];
                }
                s[nPre + l] = t;
                max = Math.max(max, t);
            }
            double total = 0;
            for (int c = 0; c < k; c++) {
                s[c] = Math.exp(s[c] - max);
                total += s[c];
            }
            double u = rng.nextDouble() * total;
            int c = 0;
            double acc = s[0];
            while (c < k - 1 && u >= acc) {
                c++;
                acc += s[c];
            }
            if (c < nPre) {
                pre.output(c, x, xo, y, i * q);
            } else {
                System.arraycopy(value, (c - nPre) * q, y, i * q, q);
            }
            for (int a = 0; a < q; a++) {
                y[i * q + a] += sigma * z.sample();
            }
        }
        return new Dataset(x, y, d, q);
    }
}
