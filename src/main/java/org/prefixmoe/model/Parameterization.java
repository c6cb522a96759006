package org.prefixmoe.model;

/**
 * The map from a prompt atom {@code θ} to its gating key {@code key(θ) ∈ R^r} and its expert
 * value {@code value(θ) ∈ R^q} (docs/theory.md §2), with its Jacobian.
 *
 * <p>Implementations are immutable and thread-safe. The evaluator calls {@link #map} once per
 * atom per evaluation of the regression function, never per sample, so an implementation may
 * use local scratch arrays.
 */
public interface Parameterization {

    /** {@return the name used in model files and scenarios, e.g. {@code shared-linear}} */
    String name();

    /** {@return the dimension p of an atom θ} */
    int atomDimension();

    /** {@return the dimension r of the key} */
    int keyDimension();

    /** {@return the dimension q of the value (the response dimension)} */
    int valueDimension();

    /**
     * Evaluates the map at {@code theta[offset .. offset + atomDimension())}.
     *
     * @param theta holds the atom; not modified
     * @param offset where the atom starts
     * @param key receives key(θ), length r
     * @param value receives value(θ), length q
     * @param dKey if non-null, receives ∂key/∂θ, r × p row-major
     * @param dValue if non-null, receives ∂value/∂θ, q × p row-major
     */
    void map(double[] theta, int offset, double[] key, double[] value, double[] dKey, double[] dValue);

    /**
     * Whether key and value are both functions of one shared atom (every parameterization but
     * {@code non-shared}). For a shared map the prompt is identifiable when the key map is injective
     * at the true atom (docs/theory.md §2): two atoms with the same key then have the same value.
     *
     * @return false only for {@code non-shared}
     */
    default boolean shared() {
        return true;
    }

    /**
     * The atom coordinates in which the regression function is linear: {@code non-shared}'s values
     * ({@code f = P(x) + Σ_l w_l(x) v_l}, the gate weights {@code w_l} free of {@code v}). The
     * least-squares estimator's variable-projection damping treats them exactly (docs/solver-flat-sets.md).
     *
     * @return indices into the atom, increasing; empty for every shared map (its value shares the atom with the key)
     */
    default int[] linearCoordinates() {
        return new int[0];
    }

    /**
     * The singular values of the key map's Jacobian {@code ∂key/∂θ} (r × p) at an atom, in decreasing
     * order, padded with zeros to p values when {@code r < p}. The smallest one measures how far a shared
     * map is from losing injectivity of the key at that atom: a nearly singular key map makes a
     * shared model behave like a non-shared one at any practical n (docs/theory.md §2).
     *
     * @param atom the atom θ, length p (not modified)
     * @return p singular values, largest first
     */
    default double[] keySingularValues(double[] atom) {
        int p = atomDimension();
        int r = keyDimension();
        double[] dKey = new double[r * p];
        map(atom, 0, new double[r], new double[valueDimension()], dKey, new double[valueDimension() * p]);
        return Matrices.singularValues(dKey, r, p);
    }

    /**
     * Refuses a truth whose prompts are not identifiable (docs/theory.md §2): for a shared map, a key map
     * that is not injective at a true atom (its Jacobian there without full column rank p). No
     * condition is put on the value map.
     *
     * @param trueAtoms the true atoms (not modified)
     * @throws IllegalArgumentException naming the offending field
     */
    default void checkIdentifiable(double[][] trueAtoms) {
        int p = atomDimension();
        int r = keyDimension();
        for (int l = 0; l < trueAtoms.length; l++) {
            double[] dKey = new double[r * p];
            map(trueAtoms[l], 0, new double[r], new double[valueDimension()], dKey, null);
            if (r < p || Matrices.rank(dKey, r, p) < p) {
                throw new IllegalArgumentException("atoms[" + l + "]: the key map of " + name() + " is not injective"
                        + " at this true atom (its Jacobian, " + r + " x " + p + ", has rank "
                        + Matrices.rank(dKey, r, p) + " < " + p + "), so the prompt is not identifiable");
            }
        }
    }

    /**
     * Returns a copy of this parameterization's fixed maps in the form a model file stores them
     * (e.g. {@code R_K}, {@code R_V}); used to write estimates and models back to disk.
     *
     * @return field name to value, empty for {@code non-shared}
     */
    java.util.Map<String, Object> fixedMaps();
}
