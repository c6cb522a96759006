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

    /** The largest array Java allocates (a few entries below Integer.MAX_VALUE). */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /**
     * Checks, before anything is allocated, that {@code n} samples of this model fit in Java
     * arrays (n·D and the pretrained part's n·N·q entries, in {@code long} arithmetic) and in the
     * memory the JVM can still take: the inputs, responses and the pretrained experts' scores and
     * means evaluated at the inputs.
     *
     * @param field the name of the size in messages (e.g. {@code n} or {@code --size})
     * @param n the number of samples
     * @param model the model sampled
     * @throws IllegalArgumentException naming the field otherwise
     */
    public static void checkSize(String field, long n, PrefixModel model) {
        checkArrays(field, n, model);
        long d = model.inputDimension();
        long q = model.outputDimension();
        long experts = model.pretrained().count();
        long bytes = 8 * n * (d + 2 * q + experts * (1 + q));
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (bytes > free) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "%s: %d samples need about %.1f"
                    + " GiB of memory but the JVM has %.1f GiB left (its limit is %.1f GiB; raise it with -Xmx, e.g."
                    + " JAVA_OPTS=-Xmx%dg for bin/prefixmoe)", field, n, bytes / 1073741824.0, free / 1073741824.0,
                    rt.maxMemory() / 1073741824.0, (long) Math.ceil(2.0 * bytes / 1073741824.0) + 1));
        }
    }

    /**
     * Checks that {@code n} samples of this model fit in Java arrays (n·D and the pretrained
     * part's n·N·q entries, in {@code long} arithmetic); unlike {@link #checkSize}, not the memory
     * of this JVM (for a study that runs later or elsewhere).
     *
     * @param field the name of the size in messages
     * @param n the number of samples
     * @param model the model sampled
     * @throws IllegalArgumentException naming the field otherwise
     */
    public static void checkArrays(String field, long n, PrefixModel model) {
        if (n < 1) {
            throw new IllegalArgumentException(field + ": must be positive, got " + n);
        }
        long d = model.inputDimension();
        long q = model.outputDimension();
        long experts = model.pretrained().count();
        long widest = Math.max(Math.max(d, q), experts * q);
        if (n > MAX_ARRAY / widest) {
            throw new IllegalArgumentException(field + ": " + n + " samples need arrays of n x " + widest + " = "
                    + n * widest + " entries, above the Java limit of " + MAX_ARRAY
                    + "; use at most " + MAX_ARRAY / widest + " samples");
        }
    }

    /** {@return the known sampler names} */
    public static java.util.Set<String> names() {
        return java.util.Collections.unmodifiableSet(KNOWN.keySet());
    }
}
