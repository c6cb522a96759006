package org.prefixmoe.estimation;

import java.util.Arrays;

/**
 * Value-moment coordinates of every fitted atom, for {@link LeastSquaresEstimator.Method#LM_PAIR_V} (issue 23,
 * docs/solver-flat-sets.md): in an atom's slot {@code (θ, b)} each coordinate the regression function is linear in
 * (a {@code non-shared} value, {@code Parameterization.linearCoordinates()}) becomes {@code m = e^b v} and the bias
 * becomes the weight {@code w = e^b}; the other coordinates (the key) stay. With the pretrained part fixed the atom
 * enters the attention average as {@code e^{k·q(x)} m} in the numerator and {@code e^{k·q(x)} w} in the denominator,
 * linear in {@code (w, m)} for a fixed key, so the valleys of over-specified non-shared fits (weight traded between
 * atoms with nearly equal keys at a fixed weighted value; an atom's weight falling while its value grows) are straight
 * lines here and curved in {@code (v, b)}. The back map is {@code v = m / w}, {@code b = log w}; a weight that a step
 * makes non-positive sends the bias to its lower bound and keeps the value (the solver then projects onto the box).
 * The Jacobian is analytic. Not thread-safe: one per fit.
 */
final class ValueMoments implements StepCoordinates {
    private final int stride;
    private final int atoms;
    private final int dim;
    private final boolean[] linear;
    private final double[] z;
    private final double[] x0;
    private final double[] jac;
    private double[] lower;

    /**
     * @param linear the packed coordinates the regression function is linear in (the values), length dim
     * @param stride the slot length of an atom (its coordinates and its bias, the bias last)
     */
    ValueMoments(boolean[] linear, int stride) {
        this.linear = linear.clone();
        this.stride = stride;
        this.dim = linear.length;
        this.atoms = dim / stride;
        this.z = new double[dim];
        this.x0 = new double[dim];
        this.jac = new double[dim * dim];
    }

    /** Always used: every weight {@code e^b} is positive. */
    @Override
    public boolean prepare(double[] x, double[] lo, double[] hi, boolean onBounds) {
        lower = lo;
        System.arraycopy(x, 0, x0, 0, dim);
        System.arraycopy(x, 0, z, 0, dim);
        Arrays.fill(jac, 0.0);
        for (int l = 0; l < atoms; l++) {
            int bias = l * stride + stride - 1;
            double w = Math.exp(x[bias]);
            z[bias] = w;
            jac[bias * dim + bias] = 1 / w;   // ∂b/∂w
            for (int c = l * stride; c < bias; c++) {
                if (linear[c]) {
                    z[c] = w * x[c];
                    jac[c * dim + c] = 1 / w;             // ∂v/∂m
                    jac[c * dim + bias] = -x[c] / w;      // ∂v/∂w
                } else {
                    jac[c * dim + c] = 1.0;
                }
            }
        }
        return true;
    }

    @Override
    public double[] jacobian() {
        return jac;
    }

    @Override
    public double[] point() {
        return z;
    }

    @Override
    public void back(double[] zz, double[] out) {
        if (out != zz) {
            System.arraycopy(zz, 0, out, 0, dim);
        }
        for (int l = 0; l < atoms; l++) {
            int bias = l * stride + stride - 1;
            double w = zz[bias];
            boolean alive = w > 0;
            out[bias] = alive ? Math.log(w) : lower[bias];
            for (int c = l * stride; c < bias; c++) {
                if (linear[c]) {
                    out[c] = alive ? zz[c] / w : x0[c];
                }
            }
        }
    }
}
