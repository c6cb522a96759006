package org.prefixmoe.estimation.moe;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.prefixmoe.model.moe.Block;
import org.prefixmoe.model.moe.Components;
import org.prefixmoe.model.moe.MixtureOfExperts;
import org.prefixmoe.model.moe.LinearScoreGate;

/**
 * Near-truth starts for the mixture-of-experts family, the convention of the published rate
 * simulations: the K fitted components are assigned to the K* true ones by a random surjection,
 * each copies its true component plus noise of scale {@code s_b · n^{-e_b}} per block, and a true
 * weight shared by m fitted components is split ({@code β_0 − log m}, {@code π/m}) or not. With all
 * exponents 0 the noise does not shrink with n, so a loss cannot fall with n through the starts.
 * Immutable.
 */
public final class NearTruthStart {

    /** How a block's noise is drawn. */
    public enum Noise {
        /** Independent {@code N(0, sd²)} on every coordinate. */
        GAUSSIAN,
        /** One {@code N(0, sd²)} draw added to every coordinate of the block (the R code's recycling). */
        SHARED,
        /** {@code |N(0, sd²)|} added to every coordinate (variances). */
        ABSOLUTE,
        /** {@code |N(0, sd²)|} added to each diagonal entry of a square block (covariance matrices). */
        ABSOLUTE_DIAGONAL;

        /** {@return the name in scenario files, e.g. {@code abs-diagonal}} */
        public String label() {
            return this == ABSOLUTE ? "abs" : this == ABSOLUTE_DIAGONAL ? "abs-diagonal" : name().toLowerCase(Locale.ROOT);
        }

        /**
         * @param label a name from {@link #label()}
         * @return the kind
         * @throws IllegalArgumentException listing the known names
         */
        public static Noise of(String label) {
            for (Noise k : values()) {
                if (k.label().equals(label)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("kind: unknown '" + label + "' (known: gaussian, shared, abs, abs-diagonal)");
        }
    }

    /**
     * The noise of one block.
     *
     * @param scale s ≥ 0
     * @param exponent e ≥ 0: the standard deviation is {@code s · n^{-e}}
     * @param kind how it is drawn
     */
    public record BlockNoise(double scale, double exponent, Noise kind) {
        /** @throws IllegalArgumentException naming the bad field */
        public BlockNoise {
            if (!(scale >= 0) || !Double.isFinite(scale)) {
                throw new IllegalArgumentException("scale: must be a finite number >= 0, got " + scale);
            }
            if (!(exponent >= 0) || !Double.isFinite(exponent)) {
                throw new IllegalArgumentException("exponent: must be a finite number >= 0, got " + exponent);
            }
            Objects.requireNonNull(kind, "kind");
        }

        double sd(int n) {
            return scale * Math.pow(n, -exponent);
        }
    }

    /** How fitted components are assigned to true ones. */
    public enum Assignment {
        /** Uniform labels, redrawn until every true component has one. */
        SURJECTION,
        /**
         * As {@link #SURJECTION}, but the last fitted component (the softmax reference, held at 0) is
         * assigned to the last true one (the true reference), as in the softmax-gated Gaussian MoE's code.
         */
        SURJECTION_REFERENCE_LAST
    }

    /** How a true weight is shared by the m fitted components of its cell. */
    public enum WeightSplit {
        /** Each copy keeps the true weight. */
        NONE,
        /** {@code β_0 − log m} (softmax gates): the copies' weights sum to the true one. */
        LOG,
        /** {@code π/m} (Gaussian gates). */
        DIVIDE
    }

    private final Map<String, BlockNoise> noise;
    private final Assignment assignment;
    private final WeightSplit split;

    /**
     * @param noise per block name, its noise (blocks not listed start at the true value)
     * @param assignment the assignment rule
     * @param split the weight-split rule
     */
    public NearTruthStart(Map<String, BlockNoise> noise, Assignment assignment, WeightSplit split) {
        this.noise = Map.copyOf(Objects.requireNonNull(noise, "noise"));
        this.assignment = Objects.requireNonNull(assignment, "assignment");
        this.split = Objects.requireNonNull(split, "split");
    }

    /**
     * These starts with every n-exponent set to 0: the noise keeps the scale it has at n = 1, so a
     * loss cannot fall with n because the starts do.
     *
     * @return the starts
     */
    public NearTruthStart withoutShrinking() {
        Map<String, BlockNoise> fixed = new LinkedHashMap<>();
        noise.forEach((b, x) -> fixed.put(b, new BlockNoise(x.scale(), 0, x.kind())));
        return new NearTruthStart(fixed, assignment, split);
    }

    /** {@return the noise per block} */
    public Map<String, BlockNoise> noise() {
        return new LinkedHashMap<>(noise);
    }

    /** {@return the assignment rule} */
    public Assignment assignment() {
        return assignment;
    }

    /** {@return the weight-split rule} */
    public WeightSplit split() {
        return split;
    }

    /**
     * Draws a start.
     *
     * @param fitted the fitted model (K components)
     * @param truth the true components (K* ≤ K), of the same family
     * @param n the sample size (for the noise scale)
     * @param rng the random stream
     * @return K components near the truth
     * @throws IllegalArgumentException when K &lt; K* or a noise block is not one of the model's
     */
    public Components draw(MixtureOfExperts fitted, Components truth, int n, UniformRandomProvider rng) {
        int k = fitted.components();
        int kStar = truth.size();
        if (k < kStar) {
            throw new IllegalArgumentException("K: the fitted model has " + k + " components, fewer than the truth's "
                    + kStar);
        }
        List<Block> blocks = fitted.blocks();
        for (String b : noise.keySet()) {
            if (blocks.stream().noneMatch(x -> x.name().equals(b))) {
                throw new IllegalArgumentException("init.noise." + b + ": the model has no block " + b + " (blocks: "
                        + blocks.stream().map(Block::name).toList() + ")");
            }
        }
        int reference = fitted.gate() instanceof LinearScoreGate s ? s.reference() : -1;
        int[] label = assign(k, kStar, rng);
        int[] count = new int[kStar];
        for (int l : label) {
            count[l]++;
        }
        ZigguratSampler.NormalizedGaussian z = ZigguratSampler.NormalizedGaussian.of(rng);
        int gateSize = fitted.gate().parameterCount();
        int expertSize = fitted.expert().parameterCount();
        double[][] gate = new double[k][];
        double[][] expert = new double[k][];
        double[] nu = truth.hasVariance() ? new double[k] : null;
        for (int c = 0; c < k; c++) {
            double[] atom = fitted.atom(truth, label[c]);
            int offset = 0;
            for (Block b : blocks) {
                BlockNoise bn = noise.get(b.name());
                boolean pinned = c == reference && offset < gateSize;
                if (bn != null && !pinned) {
                    perturb(atom, offset, b, bn, n, z);
                }
                offset += b.size();
            }
            if (c == reference) {
                java.util.Arrays.fill(atom, 0, gateSize, 0.0);
            } else if (split == WeightSplit.LOG) {
                atom[weightIndex(fitted)] -= Math.log(count[label[c]]);
            } else if (split == WeightSplit.DIVIDE) {
                atom[weightIndex(fitted)] /= count[label[c]];
            }
            gate[c] = java.util.Arrays.copyOfRange(atom, 0, gateSize);
            expert[c] = java.util.Arrays.copyOfRange(atom, gateSize, gateSize + expertSize);
            if (nu != null) {
                nu[c] = atom[gateSize + expertSize];
            }
        }
        return new Components(gate, expert, nu);
    }

    /** The coordinate of the weight in an atom: β_0 for the softmax gate, π for the Gaussian gate. */
    private static int weightIndex(MixtureOfExperts m) {
        int offset = 0;
        for (Block b : m.gate().blocks()) {
            if (b.name().equals("beta0") || b.name().equals("pi")) {
                return offset;
            }
            offset += b.size();
        }
        throw new IllegalArgumentException("init.weight-split: the " + m.gate().name() + " gate has no weight block");
    }

    private int[] assign(int k, int kStar, UniformRandomProvider rng) {
        int[] label = new int[k];
        while (true) {
            boolean[] seen = new boolean[kStar];
            for (int c = 0; c < k; c++) {
                label[c] = rng.nextInt(kStar);
            }
            if (assignment == Assignment.SURJECTION_REFERENCE_LAST) {
                label[k - 1] = kStar - 1;
            }
            int covered = 0;
            for (int l : label) {
                if (!seen[l]) {
                    seen[l] = true;
                    covered++;
                }
            }
            if (covered == kStar) {
                return label;
            }
        }
    }

    private static void perturb(double[] atom, int offset, Block b, BlockNoise bn, int n,
                                ZigguratSampler.NormalizedGaussian z) {
        double sd = bn.sd(n);
        switch (bn.kind()) {
            case GAUSSIAN -> {
                for (int a = 0; a < b.size(); a++) {
                    atom[offset + a] += sd * z.sample();
                }
            }
            case SHARED -> {
                double e = sd * z.sample();
                for (int a = 0; a < b.size(); a++) {
                    atom[offset + a] += e;
                }
            }
            case ABSOLUTE -> {
                for (int a = 0; a < b.size(); a++) {
                    atom[offset + a] += Math.abs(sd * z.sample());
                }
            }
            case ABSOLUTE_DIAGONAL -> {
                int side = (int) Math.round(Math.sqrt(b.size()));
                if (side * side != b.size()) {
                    throw new IllegalArgumentException("init.noise." + b.name() + ": abs-diagonal needs a square block");
                }
                for (int a = 0; a < side; a++) {
                    atom[offset + a * side + a] += Math.abs(sd * z.sample());
                }
            }
            default -> throw new IllegalStateException();
        }
    }
}
