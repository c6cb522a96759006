package org.prefixmoe.sampling;

import org.prefixmoe.model.InputDistribution;
import java.util.Map;
import java.util.TreeMap;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.PrefixModel;

/** The data-generating samplers known by name to scenarios ({@code regression} by default). */
public final class Samplers {
    /** Builds a sampler from the truth's parts. */
    @FunctionalInterface
    public interface Factory {
        /**
         * A sampler for a truth.
         *
         * @param model the model
         * @param truth the true measure G*
         * @param sigma the noise standard deviation σ
         * @param input the input distribution μ
         * @return the sampler
         */
        Sampler create(PrefixModel model, MixingMeasure truth, double sigma, InputDistribution input);
    }

    private static final Map<String, Factory> KNOWN = new TreeMap<>();

    static {
        KNOWN.put("regression", RegressionSampler::new);
        KNOWN.put("density", DensitySampler::new);
    }

    private Samplers() {
    }

    /**
     * The sampler of that name for a truth.
     *
     * @param name {@code regression} or {@code density}
     * @param model the model
     * @param truth the true measure G*
     * @param sigma the noise standard deviation σ
     * @param input the input distribution μ
     * @return the sampler
     * @throws IllegalArgumentException for an unknown name
     */
    public static Sampler byName(String name, PrefixModel model, MixingMeasure truth, double sigma,
                                 InputDistribution input) {
        Factory f = KNOWN.get(name);
        if (f == null) {
            throw new IllegalArgumentException("sampler: unknown sampler '" + name + "' (known: "
                    + String.join(", ", KNOWN.keySet()) + ")");
        }
        return f.create(model, truth, sigma, input);
    }

    /** Refuses a noise level that is not a finite number {@code >= 0}. */
    static void checkSigma(double sigma) {
        if (!Double.isFinite(sigma) || sigma < 0) {
            throw new IllegalArgumentException("sigma: must be a finite number >= 0, got " + sigma);
        }
    }

    /** {@return the known sampler names} */
    public static java.util.Set<String> names() {
        return java.util.Collections.unmodifiableSet(KNOWN.keySet());
    }
}
