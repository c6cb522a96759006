package org.prefixmoe.estimation;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.PermutationSampler;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.prefixmoe.model.MixingMeasure;

/**
 * The {@code near-truth} start of the published MoE-rate simulations (docs/theory.md §3): the L fitted atoms
 * are assigned to the L* true atoms by a random surjection, each is perturbed by Gaussian noise of
 * standard deviation {@code scale · n^(-decay)}, and the true weight is split evenly inside a cell
 * ({@code b_l = b*_j − log |cell|}). It isolates statistical error from optimization error.
 */
public final class NearTruthInitializer implements Initializer {
    /** The name used in scenarios. */
    public static final String NAME = "near-truth";
    private final MixingMeasure truth;
    private final double scale;
    private final double decay;

    /**
     * @param truth the true measure G* (in the fitted parameterization)
     * @param scale perturbation scale at n = 1
     * @param decay exponent of the slow decrease with n
     */
    public NearTruthInitializer(MixingMeasure truth, double scale, double decay) {
        java.util.Objects.requireNonNull(truth, "truth");
        if (!(scale >= 0) || !Double.isFinite(scale)) {
            throw new IllegalArgumentException("scale: the perturbation scale must be a finite number >= 0, got "
                    + scale);
        }
        if (!(decay >= 0) || !Double.isFinite(decay)) {
            throw new IllegalArgumentException("decay: the perturbation decay must be a finite number >= 0, got "
                    + decay);
        }
        this.truth = truth;
        this.scale = scale;
        this.decay = decay;
    }

    /**
     * Defaults: scale 0.5, decay 0.1 (so 0.25 at n = 10^3 and 0.16 at n = 10^5).
     *
     * @param truth the true measure whose atoms are perturbed
     */
    public NearTruthInitializer(MixingMeasure truth) {
        this(truth, 0.5, 0.1);
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * The perturbation standard deviation at a sample size.
     *
     * @param n the sample size
     * @return {@code scale · n^(-decay)}
     */
    public double perturbation(int n) {
        return scale * Math.pow(n, -decay);
    }

    @Override
    public MixingMeasure start(FitProblem problem, UniformRandomProvider rng) {
        int fitted = problem.atoms();
        int k = truth.size();
        problem.model().checkMeasure("truth", truth);
        if (fitted < k) {
            throw new IllegalArgumentException("L: " + fitted + " fitted atoms is fewer than the truth's L* = " + k
                    + "; near-truth starts need L >= L*");
        }
        // Random surjection: a shuffled copy of 0..k-1 first (every true atom gets one), the rest uniform.
        int[] perm = PermutationSampler.natural(k);
        PermutationSampler.shuffle(rng, perm);
        int[] cell = new int[fitted];
        int[] count = new int[k];
        for (int l = 0; l < fitted; l++) {
            cell[l] = l < k ? perm[l] : rng.nextInt(k);
            count[cell[l]]++;
        }
        double sd = perturbation(problem.data().size());
        ZigguratSampler.NormalizedGaussian z = ZigguratSampler.NormalizedGaussian.of(rng);
        double lo = problem.box().atomLower();
        double hi = problem.box().atomUpper();
        double[][] atoms = new double[fitted][];
        double[] biases = truth.hasBias() ? new double[fitted] : null;
        for (int l = 0; l < fitted; l++) {
            atoms[l] = truth.atom(cell[l]);
            for (int c = 0; c < atoms[l].length; c++) {
                atoms[l][c] = Math.min(hi, Math.max(lo, atoms[l][c] + sd * z.sample()));
            }
            if (biases != null) {
                biases[l] = Math.min(problem.box().biasUpper(), Math.max(problem.box().biasLower(),
                        truth.bias(cell[l]) - Math.log(count[cell[l]])));
            }
        }
        return new MixingMeasure(atoms, biases);
    }
}
