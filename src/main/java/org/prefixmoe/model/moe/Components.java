package org.prefixmoe.model.moe;

import java.util.Arrays;

/**
 * The parameters of the K free components of a {@link MixtureOfExperts}: per component a gate
 * vector, an expert vector and (for the Gaussian-mixture observation) a variance {@code ν_k}.
 * Immutable: accessors return copies. This is the mixing measure of the family: component k is an
 * atom whose named blocks are the gate's, the expert's and {@code nu}.
 */
public final class Components {
    private final double[][] gate;
    private final double[][] expert;
    private final double[] variance;

    /**
     * @param gate K gate vectors
     * @param expert K expert vectors
     * @param variance K variances, or null for the regression observation
     * @throws IllegalArgumentException when the counts differ or an entry is missing
     */
    public Components(double[][] gate, double[][] expert, double[] variance) {
        if (gate == null || expert == null || gate.length == 0 || gate.length != expert.length
                || (variance != null && variance.length != gate.length)) {
            throw new IllegalArgumentException("components: need K >= 1 gate and expert vectors (and K variances),"
                    + " got " + (gate == null ? 0 : gate.length) + ", " + (expert == null ? 0 : expert.length)
                    + (variance == null ? "" : ", " + variance.length));
        }
        this.gate = deepCopy(gate, "gate");
        this.expert = deepCopy(expert, "expert");
        this.variance = variance == null ? null : variance.clone();
    }

    private static double[][] deepCopy(double[][] a, String field) {
        double[][] c = new double[a.length][];
        for (int k = 0; k < a.length; k++) {
            if (a[k] == null) {
                throw new IllegalArgumentException(field + "[" + k + "]: missing");
            }
            c[k] = a[k].clone();
        }
        return c;
    }

    /** {@return the number K of components} */
    public int size() {
        return gate.length;
    }

    /** {@return a copy of the gate vectors} */
    public double[][] gate() {
        return deepCopy(gate, "gate");
    }

    /** {@return a copy of the expert vectors} */
    public double[][] expert() {
        return deepCopy(expert, "expert");
    }

    /**
     * One component's gate vector.
     *
     * @param k the component
     * @return a copy
     */
    public double[] gate(int k) {
        return gate[k].clone();
    }

    /**
     * One component's expert vector.
     *
     * @param k the component
     * @return a copy
     */
    public double[] expert(int k) {
        return expert[k].clone();
    }

    /** {@return whether the components carry variances} */
    public boolean hasVariance() {
        return variance != null;
    }

    /**
     * One component's variance.
     *
     * @param k the component
     * @return ν_k (NaN without variances)
     */
    public double variance(int k) {
        return variance == null ? Double.NaN : variance[k];
    }

    /** {@return a copy of the variances, or null} */
    public double[] variances() {
        return variance == null ? null : variance.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Components c && Arrays.deepEquals(c.gate, gate) && Arrays.deepEquals(c.expert, expert)
                && Arrays.equals(c.variance, variance);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(gate) * 31 + Arrays.deepHashCode(expert) * 17 + Arrays.hashCode(variance);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < size(); k++) {
            sb.append(k == 0 ? "" : "; ").append("gate ").append(Arrays.toString(gate[k])).append(" expert ")
                    .append(Arrays.toString(expert[k]));
            if (variance != null) {
                sb.append(" nu ").append(variance[k]);
            }
        }
        return sb.toString();
    }
}
