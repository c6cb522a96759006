package org.prefixmoe.model;

/**
 * The compact parameter space of docs/theory.md §2: every atom coordinate in {@code [atomLower, atomUpper]}
 * and every bias in {@code [biasLower, biasUpper]}. Estimators keep every iterate inside it.
 *
 * @param atomLower lower bound of each atom coordinate
 * @param atomUpper upper bound of each atom coordinate
 * @param biasLower lower bound of each bias
 * @param biasUpper upper bound of each bias
 */
public record Box(double atomLower, double atomUpper, double biasLower, double biasUpper) {

    /** The default box: atoms in [-3, 3] (the default truth's), biases in [-10, 10]. */
    public static final Box DEFAULT = new Box(-3, 3, -10, 10);

    /** An unbounded box, for users who want the unconstrained estimator. */
    public static final Box UNBOUNDED = new Box(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);

    /**
     * Validates the bounds.
     *
     * @param atomLower lower bound of each atom coordinate
     * @param atomUpper upper bound of each atom coordinate, above {@code atomLower}
     * @param biasLower lower bound of each bias
     * @param biasUpper upper bound of each bias, above {@code biasLower}
     * @throws IllegalArgumentException when a lower bound is not below its upper bound
     */
    public Box {
        if (Double.isNaN(atomLower) || Double.isNaN(atomUpper) || !(atomLower < atomUpper)) {
            throw new IllegalArgumentException("box.atom: need lower < upper, got [" + atomLower + ", " + atomUpper
                    + "]");
        }
        if (Double.isNaN(biasLower) || Double.isNaN(biasUpper) || !(biasLower < biasUpper)) {
            throw new IllegalArgumentException("box.bias: need lower < upper, got [" + biasLower + ", " + biasUpper
                    + "]");
        }
    }

    /**
     * Lower bounds of a packed parameter vector (see {@link MixingMeasure#pack}).
     *
     * @param atoms number L of atoms
     * @param atomDimension dimension of an atom
     * @param bias whether the vector holds a bias after each atom
     * @return {@code atomLower} for atom coordinates, {@code biasLower} for biases, in packed order
     */
    public double[] lower(int atoms, int atomDimension, boolean bias) {
        return bounds(atoms, atomDimension, bias, atomLower, biasLower);
    }

    /**
     * Upper bounds of a packed parameter vector (see {@link MixingMeasure#pack}).
     *
     * @param atoms number L of atoms
     * @param atomDimension dimension of an atom
     * @param bias whether the vector holds a bias after each atom
     * @return {@code atomUpper} for atom coordinates, {@code biasUpper} for biases, in packed order
     */
    public double[] upper(int atoms, int atomDimension, boolean bias) {
        return bounds(atoms, atomDimension, bias, atomUpper, biasUpper);
    }

    private static double[] bounds(int atoms, int p, boolean bias, double atomBound, double biasBound) {
        int stride = p + (bias ? 1 : 0);
        double[] out = new double[atoms * stride];
        for (int l = 0; l < atoms; l++) {
            for (int c = 0; c < p; c++) {
                out[l * stride + c] = atomBound;
            }
            if (bias) {
                out[l * stride + p] = biasBound;
            }
        }
        return out;
    }

    /**
     * Whether a measure lies inside the box.
     *
     * @param g the measure
     * @return true when every atom coordinate and every bias (if any) is within its bounds
     */
    public boolean contains(MixingMeasure g) {
        for (int l = 0; l < g.size(); l++) {
            for (double v : g.atom(l)) {
                if (v < atomLower || v > atomUpper) {
                    return false;
                }
            }
            double b = g.bias(l);
            if (g.hasBias() && (b < biasLower || b > biasUpper)) {
                return false;
            }
        }
        return true;
    }
}
