package org.prefixmoe.model;

/**
 * The map from a prompt atom {@code θ} to its gating key {@code key(θ) ∈ R^r} and its expert
 * value {@code value(θ) ∈ R^q} (SPEC §2), with its Jacobian.
 *
 * <p>Implementations are immutable and thread-safe. The evaluator calls {@link #map} once per
 * atom per evaluation of the regression function, never per sample, so an implementation may
 * use local scratch arrays.
 */
public interface Parameterization {

    /** The name used in model files and scenarios, e.g. {@code shared-linear}. */
    String name();

    /** Dimension of an atom θ. */
    int atomDimension();

    /** Dimension r of the key. */
    int keyDimension();

    /** Dimension q of the value (the response dimension). */
    int valueDimension();

    /**
     * Evaluates the map at {@code theta[offset .. offset + atomDimension())}.
     *
     * @param key receives key(θ), length r
     * @param value receives value(θ), length q
     * @param dKey if non-null, receives ∂key/∂θ, r × p row-major
     * @param dValue if non-null, receives ∂value/∂θ, q × p row-major
     */
    void map(double[] theta, int offset, double[] key, double[] value, double[] dKey, double[] dValue);

    /**
     * Refuses a truth whose atoms make the prompts non-identifiable (SPEC §2): a rank-deficient
     * map, or a Jacobian of the map that is rank-deficient at a true atom.
     *
     * @throws IllegalArgumentException naming the offending field
     */
    default void checkIdentifiable(double[][] trueAtoms) {
        int p = atomDimension();
        int r = keyDimension();
        int q = valueDimension();
        double[] key = new double[r];
        double[] value = new double[q];
        double[] dKey = new double[r * p];
        double[] dValue = new double[q * p];
        for (int l = 0; l < trueAtoms.length; l++) {
            map(trueAtoms[l], 0, key, value, dKey, dValue);
            double[] stacked = new double[(r + q) * p];
            System.arraycopy(dKey, 0, stacked, 0, r * p);
            System.arraycopy(dValue, 0, stacked, r * p, q * p);
            if (Matrices.rank(stacked, r + q, p) < p) {
                throw new IllegalArgumentException("atoms[" + l + "]: the Jacobian of the " + name()
                        + " map is rank-deficient at this true atom, so it is not identifiable");
            }
        }
    }

    /**
     * Returns a copy of this parameterization's fixed maps in the form a model file stores them
     * (e.g. {@code R_K}, {@code R_V}); used to write estimates and models back to disk.
     */
    java.util.Map<String, Object> fixedMaps();
}
