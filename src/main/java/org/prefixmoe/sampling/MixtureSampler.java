package org.prefixmoe.sampling;

import java.util.Objects;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.prefixmoe.model.InputDistribution;
import org.prefixmoe.model.moe.Components;
import org.prefixmoe.model.moe.FrozenDensity;
import org.prefixmoe.model.moe.GaussianGate;
import org.prefixmoe.model.moe.MixtureOfExperts;
import org.prefixmoe.model.moe.Observation;

/**
 * Draws data from a member of the mixture-of-experts family at true components:
 * <ul>
 *   <li>Gaussian gate (joint model): a component {@code z ~ π}, then {@code X ~ N(c_z, Γ_z)} and
 *       {@code Y ~ N(h_z(X), ν_z I)};</li>
 *   <li>other gates: X from the design (a random input distribution, or the fixed grid
 *       {@code linspace(lo, hi, n)} of the softmax-gated Gaussian MoE's published study), then for
 *       the Gaussian-mixture observation {@code z ~ π(X)}, {@code Y ~ N(h_z(X), ν_z I)} (or, for a
 *       frozen component with a density, {@code Y ~ f_z(·|X)}: the contaminated model), and for the
 *       regression observation {@code Y = f_G(X) + σ ε}.</li>
 * </ul>
 * Immutable.
 */
public final class MixtureSampler implements Sampler {
    private final MixtureOfExperts model;
    private final Components truth;
    private final Design design;
    private final double sigma;

    /** Where the inputs come from, for gates that do not model them. */
    public sealed interface Design permits Random, Grid {
        /** {@return the label written to files, e.g. {@code uniform[-1,1]^D} or {@code grid[0,1]}} */
        String label();

        /**
         * Checks that the design serves inputs of dimension d.
         *
         * @param d the model's input dimension
         * @throws IllegalArgumentException naming the design when it cannot
         */
        default void check(int d) {
        }

        /**
         * Fills n inputs of dimension d, input i at {@code x[i·d .. i·d + d)}.
         *
         * @param x the inputs, length at least n·d
         * @param n how many
         * @param d their dimension
         * @param rng the source of a random design (a grid draws nothing)
         */
        void fill(double[] x, int n, int d, UniformRandomProvider rng);
    }

    /**
     * Inputs drawn i.i.d. from a distribution.
     *
     * @param input the distribution
     */
    public record Random(InputDistribution input) implements Design {
        /**
         * Checks the distribution.
         *
         * @param input the distribution
         * @throws NullPointerException naming the argument
         */
        public Random {
            Objects.requireNonNull(input, "input");
        }

        @Override
        public String label() {
            return input.label();
        }

        @Override
        public void fill(double[] x, int n, int d, UniformRandomProvider rng) {
            for (int i = 0; i < n; i++) {
                input.draw(rng, x, i * d, d);
            }
        }
    }

    /**
     * The fixed design {@code x_i = lo + (hi − lo) i / (n − 1)}, i = 0..n-1 (d = 1 only).
     *
     * @param lo first point
     * @param hi last point
     */
    public record Grid(double lo, double hi) implements Design {
        /**
         * Checks the end points.
         *
         * @param lo first point
         * @param hi last point
         * @throws IllegalArgumentException unless {@code lo < hi}, both finite
         */
        public Grid {
            if (!(lo < hi) || !Double.isFinite(lo) || !Double.isFinite(hi)) {
                throw new IllegalArgumentException("design: grid needs finite lo < hi, got [" + lo + ", " + hi + "]");
            }
        }

        @Override
        public String label() {
            return "grid[" + lo + "," + hi + "]";
        }

        @Override
        public void check(int d) {
            if (d != 1) {
                throw new IllegalArgumentException("design: a grid needs d = 1, the model has d = " + d);
            }
        }

        @Override
        public void fill(double[] x, int n, int d, UniformRandomProvider rng) {
            check(d);
            for (int i = 0; i < n; i++) {
                x[i] = lo + (hi - lo) * i / (n - 1);
            }
        }
    }

    /**
     * @param model the model
     * @param truth the true components
     * @param design the inputs' design (ignored by a gate that models the input; may then be null)
     * @param sigma the noise standard deviation of the regression observation (ignored otherwise)
     * @throws IllegalArgumentException naming the bad argument
     */
    public MixtureSampler(MixtureOfExperts model, Components truth, Design design, double sigma) {
        Objects.requireNonNull(model, "model");
        model.check("truth", truth);
        if (!model.gate().modelsInput()) {
            Objects.requireNonNull(design, "design").check(model.inputDimension());
        }
        if (model.observation() == Observation.REGRESSION) {
            Samplers.checkSigma(sigma);
        }
        this.model = model;
        this.truth = truth;
        this.design = design;
        this.sigma = sigma;
    }

    @Override
    public Dataset sample(int n, UniformRandomProvider rng) {
        Objects.requireNonNull(rng, "rng");
        if (n < 2) {
            throw new IllegalArgumentException("n: must be >= 2, got " + n);
        }
        int d = model.inputDimension();
        int q = model.outputDimension();
        int k = model.components();
        double[] x = new double[n * d];
        double[] y = new double[n * q];
        ZigguratSampler.NormalizedGaussian z = ZigguratSampler.NormalizedGaussian.of(rng);
        int[] component = new int[n];
        if (model.gate() instanceof GaussianGate g) {
            double[] pi = new double[k];
            double[][] chol = new double[k][];
            for (int c = 0; c < k; c++) {
                pi[c] = truth.gate(c)[0];
                chol[c] = g.choleskyOf(truth.gate(c));
            }
            double[] e = new double[d];
            for (int i = 0; i < n; i++) {
                int c = categorical(pi, rng.nextDouble());
                component[i] = c;
                double[] gc = truth.gate(c);
                for (int a = 0; a < d; a++) {
                    e[a] = z.sample();
                }
                for (int a = 0; a < d; a++) {
                    double v = gc[1 + a];
                    for (int b = 0; b <= a; b++) {
                        v += chol[c][a * d + b] * e[b];
                    }
                    x[i * d + a] = v;
                }
            }
        } else {
            design.fill(x, n, d, rng);
            if (model.observation() == Observation.REGRESSION) {
                double[] f = model.regression(truth, x);
                for (int a = 0; a < n * q; a++) {
                    y[a] = f[a] + sigma * z.sample();
                }
                return new Dataset(x, y, d, q);
            }
            int t = k + model.frozenCount();
            double[] p = model.gateProbabilities(truth, x);
            for (int i = 0; i < n; i++) {
                component[i] = categorical(p, i * t, t, rng.nextDouble());
            }
        }
        double[] h = new double[q];
        FrozenDensity frozen = model.frozenCount() > 0 ? (FrozenDensity) model.frozen() : null;
        java.util.function.DoubleSupplier uniform = rng::nextDouble;
        for (int i = 0; i < n; i++) {
            int c = component[i];
            if (c >= k) {
                frozen.draw(c - k, x, i * d, uniform, y, i * q);
                continue;
            }
            model.expert().mean(truth.expert(c), x, i * d, h, 0);
            double sd = Math.sqrt(truth.variance(c));
            for (int o = 0; o < q; o++) {
                y[i * q + o] = h[o] + sd * z.sample();
            }
        }
        return new Dataset(x, y, d, q);
    }

    private static int categorical(double[] p, double u) {
        return categorical(p, 0, p.length, u);
    }

    static int categorical(double[] p, int offset, int len, double u) {
        double total = 0;
        for (int c = 0; c < len; c++) {
            total += p[offset + c];
        }
        double acc = 0;
        for (int c = 0; c < len - 1; c++) {
            acc += p[offset + c] / total;
            if (u < acc) {
                return c;
            }
        }
        return len - 1;
    }
}
