package org.prefixmoe.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A mixing measure {@code G = Σ_l exp(b_l) δ_{θ_l}} over prompt atoms (docs/theory.md §2). Immutable.
 * Without biases ({@code bias: false}) every atom has weight 1.
 *
 * <p>Estimators work on the <em>packed</em> vector {@code (θ_1, b_1, θ_2, b_2, ...)} (the
 * {@code b_l} omitted without biases).
 */
public final class MixingMeasure {
    private final double[][] atoms;
    private final double[] biases;
    private final boolean bias;

    /**
     * @param atoms the atoms θ_l, each of the same dimension
     * @param biases the biases b_l, or null for a measure without biases
     */
    public MixingMeasure(double[][] atoms, double[] biases) {
        if (atoms == null || atoms.length == 0) {
            throw new IllegalArgumentException("atoms: at least one atom is required");
        }
        int p = atoms[0] == null ? 0 : atoms[0].length;
        if (p == 0) {
            throw new IllegalArgumentException("atoms[0]: empty atom");
        }
        this.atoms = new double[atoms.length][];
        for (int l = 0; l < atoms.length; l++) {
            this.atoms[l] = Matrices.vector("atoms[" + l + "]", atoms[l], p);
        }
        this.bias = biases != null;
        this.biases = bias ? Matrices.vector("biases", biases, atoms.length) : new double[atoms.length];
    }

    /**
     * Starts a builder that takes the atoms one at a time:
     * {@code MixingMeasure.builder().atom(new double[] {1.0, 0.6}, 0.0).atom(new double[] {-0.7, 0.9}, 0.0).build()}.
     *
     * @return an empty builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Collects atoms {@code θ_l} with their biases {@code b_l} (or none, for a model without biases);
     * {@link #build} checks them with messages naming the atom.
     */
    public static final class Builder {
        private final List<double[]> atoms = new ArrayList<>();
        private final List<Double> biases = new ArrayList<>();

        private Builder() {
        }

        /**
         * Adds an atom with its bias, weight {@code exp(bias)}.
         *
         * @param theta the atom θ_l (not modified; copied at build)
         * @param bias its bias b_l
         * @return this builder
         */
        public Builder atom(double[] theta, double bias) {
            atoms.add(theta);
            biases.add(bias);
            return this;
        }

        /**
         * Adds an atom without a bias (weight 1), for models with {@code bias: false}.
         *
         * @param theta the atom θ_l (not modified; copied at build)
         * @return this builder
         */
        public Builder atom(double[] theta) {
            atoms.add(theta);
            biases.add(null);
            return this;
        }

        /**
         * Checks the atoms and builds the measure.
         *
         * @return the measure
         * @throws IllegalArgumentException when there is no atom, atoms differ in dimension, an entry is
         *     not finite, or some atoms have a bias and others not (the message names the atom)
         */
        public MixingMeasure build() {
            if (atoms.isEmpty()) {
                throw new IllegalArgumentException("atoms: at least one atom is required (call atom(..))");
            }
            boolean withBias = biases.get(0) != null;
            for (int l = 1; l < biases.size(); l++) {
                if ((biases.get(l) != null) != withBias) {
                    throw new IllegalArgumentException("biases[" + l + "]: atom " + l + (withBias ? " has no bias but atom 0 has one"
                            : " has a bias but atom 0 has none") + " (give every atom a bias or none)");
                }
            }
            double[] b = withBias ? biases.stream().mapToDouble(Double::doubleValue).toArray() : null;
            return new MixingMeasure(atoms.toArray(double[][]::new), b);
        }
    }

    /** {@return the number L of atoms} */
    public int size() {
        return atoms.length;
    }

    /** {@return the dimension of an atom} */
    public int atomDimension() {
        return atoms[0].length;
    }

    /** {@return whether the measure carries biases} */
    public boolean hasBias() {
        return bias;
    }

    /**
     * Atom θ_l.
     *
     * @param l the atom's index, from 0
     * @return a copy of it
     */
    public double[] atom(int l) {
        return atoms[l].clone();
    }

    /**
     * One coordinate of an atom.
     *
     * @param l the atom's index, from 0
     * @param c the coordinate, from 0
     * @return coordinate c of θ_l
     */
    public double atom(int l, int c) {
        return atoms[l][c];
    }

    /** {@return a copy of all atoms, one row per atom} */
    public double[][] atoms() {
        double[][] copy = new double[atoms.length][];
        for (int l = 0; l < atoms.length; l++) {
            copy[l] = atoms[l].clone();
        }
        return copy;
    }

    /**
     * The bias of an atom.
     *
     * @param l the atom's index, from 0
     * @return b_l (0 without biases)
     */
    public double bias(int l) {
        return biases[l];
    }

    /** {@return a copy of the biases, or null without biases} */
    public double[] biases() {
        return bias ? biases.clone() : null;
    }

    /**
     * The weight of an atom.
     *
     * @param l the atom's index, from 0
     * @return {@code exp(b_l)} (1 without biases)
     */
    public double weight(int l) {
        return bias ? Math.exp(biases[l]) : 1.0;
    }

    /** {@return the packed parameter vector {@code (θ_1, b_1, ..., θ_L, b_L)}, a new array} */
    public double[] pack() {
        int p = atomDimension();
        int stride = p + (bias ? 1 : 0);
        double[] x = new double[size() * stride];
        for (int l = 0; l < size(); l++) {
            System.arraycopy(atoms[l], 0, x, l * stride, p);
            if (bias) {
                x[l * stride + p] = biases[l];
            }
        }
        return x;
    }

    /**
     * Unpacks a vector written by {@link #pack()}.
     *
     * @param x the packed vector; not modified
     * @param atomDimension dimension of an atom
     * @param bias whether a bias follows each atom
     * @return the measure
     * @throws IllegalArgumentException when the length is not a whole number of atoms
     */
    public static MixingMeasure unpack(double[] x, int atomDimension, boolean bias) {
        int stride = atomDimension + (bias ? 1 : 0);
        if (x.length % stride != 0) {
            throw new IllegalArgumentException("packed vector of length " + x.length
                    + " does not hold whole atoms of dimension " + atomDimension);
        }
        int l = x.length / stride;
        double[][] atoms = new double[l][];
        double[] b = bias ? new double[l] : null;
        for (int k = 0; k < l; k++) {
            atoms[k] = Arrays.copyOfRange(x, k * stride, k * stride + atomDimension);
            if (bias) {
                b[k] = x[k * stride + atomDimension];
            }
        }
        return new MixingMeasure(atoms, b);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("G = ");
        for (int l = 0; l < size(); l++) {
            if (l > 0) {
                sb.append(" + ");
            }
            sb.append(String.format("%.4g·δ%s", weight(l), Arrays.toString(atoms[l])));
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MixingMeasure g && g.bias == bias && Arrays.deepEquals(g.atoms, atoms)
                && Arrays.equals(g.biases, biases);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(atoms) * 31 + Arrays.hashCode(biases);
    }
}
