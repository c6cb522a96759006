package org.prefixmoe.sampling;

import org.prefixmoe.model.InputDistribution;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.PrefixModel;
import org.prefixmoe.model.TruthModel;

/**
 * Draws data from the regression model {@code Y = f_{G*}(X) + ε}, {@code ε ~ N(0, σ² I_q)},
 * {@code X ~ μ} (docs/theory.md §2).
 */
public final class RegressionSampler implements Sampler {
    private final PrefixModel model;
    private final MixingMeasure truth;
    private final double sigma;
    private final InputDistribution input;

    /**
     * The sampler of the regression model {@code Y = f_G*(X) + ε} of a truth.
     *
     * @param truth the truth: model, G*, σ and μ
     * @return its sampler
     */
    public static RegressionSampler of(TruthModel truth) {
        return new RegressionSampler(truth.model(), truth.truth(), truth.sigma(), truth.input());
    }

    /**
     * @param model the model
     * @param truth the true mixing measure G*
     * @param sigma the noise standard deviation σ ≥ 0
     * @param input the input distribution μ
     */
    public RegressionSampler(PrefixModel model, MixingMeasure truth, double sigma, InputDistribution input) {
        java.util.Objects.requireNonNull(model, "model");
        java.util.Objects.requireNonNull(truth, "truth");
        java.util.Objects.requireNonNull(input, "input");
        model.checkMeasure("atoms", truth);
        Samplers.checkSigma(sigma);
        this.model = model;
        this.truth = truth;
        this.sigma = sigma;
        this.input = input;
    }

    @Override
    public Dataset sample(int n, UniformRandomProvider rng) {
        java.util.Objects.requireNonNull(rng, "rng");
        Samplers.checkSize("n", n, model);
        int d = model.inputDimension();
        int q = model.outputDimension();
        double[] x = new double[n * d];
        for (int i = 0; i < n; i++) {
            input.draw(rng, x, i * d, d);
        }
        double[] y = model.regression(truth, x);
        ZigguratSampler.NormalizedGaussian z = ZigguratSampler.NormalizedGaussian.of(rng);
        for (int k = 0; k < n * q; k++) {
            y[k] += sigma * z.sample();
        }
        return new Dataset(x, y, d, q);
    }
}
