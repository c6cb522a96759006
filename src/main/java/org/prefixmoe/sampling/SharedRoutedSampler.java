package org.prefixmoe.sampling;

import java.util.Objects;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.prefixmoe.model.moe.Components;
import org.prefixmoe.model.moe.MixtureOfExperts;
import org.prefixmoe.model.moe.SharedRoutedMixture;

/**
 * Draws data from the shared + routed model at true parameters: X from the design, then the shared
 * block with probability w (else the routed one), a component of that block from its gate at X, and
 * {@code Y ~ N(h_z(X), ν_z I)}. Immutable.
 */
public final class SharedRoutedSampler implements Sampler {
    private final SharedRoutedMixture model;
    private final SharedRoutedMixture.Parameters truth;
    private final MixtureSampler.Design design;

    /**
     * @param model the model
     * @param truth the true parameters
     * @param design the inputs' design
     * @throws IllegalArgumentException naming the bad argument
     */
    public SharedRoutedSampler(SharedRoutedMixture model, SharedRoutedMixture.Parameters truth,
                               MixtureSampler.Design design) {
        Objects.requireNonNull(model, "model");
        model.check("truth", truth);
        Objects.requireNonNull(design, "design").check(model.inputDimension());
        this.model = model;
        this.truth = truth;
        this.design = design;
    }

    @Override
    public Dataset sample(int n, UniformRandomProvider rng) {
        Objects.requireNonNull(rng, "rng");
        if (n < 2) {
            throw new IllegalArgumentException("n: must be >= 2, got " + n);
        }
        int d = model.inputDimension();
        int q = model.outputDimension();
        double[] x = new double[n * d];
        double[] y = new double[n * q];
        design.fill(x, n, d, rng);
        MixtureOfExperts shared = model.shared();
        MixtureOfExperts routed = model.routed();
        double[] p1 = shared.gateProbabilities(truth.shared(), x);
        double[] p2 = routed.gateProbabilities(truth.routed(), x);
        int k1 = shared.components();
        int k2 = routed.components();
        ZigguratSampler.NormalizedGaussian z = ZigguratSampler.NormalizedGaussian.of(rng);
        double[] h = new double[q];
        for (int i = 0; i < n; i++) {
            boolean isShared = rng.nextDouble() < model.sharedWeight();
            MixtureOfExperts block = isShared ? shared : routed;
            Components c = isShared ? truth.shared() : truth.routed();
            int comp = isShared ? MixtureSampler.categorical(p1, i * k1, k1, rng.nextDouble())
                    : MixtureSampler.categorical(p2, i * k2, k2, rng.nextDouble());
            block.expert().mean(c.expert(comp), x, i * d, h, 0);
            double sd = Math.sqrt(c.variance(comp));
            for (int o = 0; o < q; o++) {
                y[i * q + o] = h[o] + sd * z.sample();
            }
        }
        return new Dataset(x, y, d, q);
    }
}
