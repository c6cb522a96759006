package org.prefixmoe.sampling;

import org.prefixmoe.model.InputDistribution;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.PrefixModel;
import org.prefixmoe.model.PretrainedExperts;
import org.prefixmoe.model.PretrainedPart;
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
        return draw(n, rng).data();
    }

    /**
     * {@link #sample} with the pretrained part of the model at the drawn inputs, which the responses are computed from:
     * a fit of a model with the same pretrained experts can take it instead of evaluating the experts again
     * ({@code FitProblem}'s constructor with a pretrained part). The same data set, bit for bit, from the same stream.
     *
     * @param n the sample size
     * @param rng the random stream the draws come from
     * @return the data set, the experts and their part at its inputs
     */
    public Drawn draw(int n, UniformRandomProvider rng) {
        java.util.Objects.requireNonNull(rng, "rng");
        Samplers.checkSize("n", n, model);
        int d = model.inputDimension();
        int q = model.outputDimension();
        double[] x = new double[n * d];
        for (int i = 0; i < n; i++) {
            input.draw(rng, x, i * d, d);
        }
        PretrainedPart part = model.pretrained().evaluate(x);
        double[] y = model.regression(truth, x, part);
        ZigguratSampler.NormalizedGaussian z = ZigguratSampler.NormalizedGaussian.of(rng);
        for (int k = 0; k < n * q; k++) {
            y[k] += sigma * z.sample();
        }
        return new Drawn(new Dataset(x, y, d, q), model.pretrained(), part);
    }

    /**
     * A data set with the pretrained part of the model it was drawn from at its inputs.
     *
     * @param data the data set
     * @param experts the pretrained experts of the sampler's model
     * @param pretrained {@code experts.evaluate(data.x())}
     */
    public record Drawn(Dataset data, PretrainedExperts experts, PretrainedPart pretrained) {
    }
}
