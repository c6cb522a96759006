package org.prefixmoe.estimation;

/**
 * Moment coordinates of the two closest fitted atoms, for {@link LeastSquaresEstimator.Method#LM_PAIR} (issue 23,
 * docs/solver-flat-sets.md). For atoms {@code (θ_i, b_i)}, {@code (θ_j, b_j)}: {@code u = b_i − b_j},
 * {@code π = 1/(1 + e^{−u})}, {@code s = log(e^{b_i} + e^{b_j})}, the centre {@code c = πθ_i + (1 − π)θ_j} and
 * {@code w = √(π(1 − π))·(θ_i − θ_j)}, so that the pair's total weight, centre and second moment are coordinates and
 * moving weight between the two atoms at fixed moments is one coordinate, {@code u}. In the packed vector atom i's
 * slot holds {@code (c, s)} and atom j's {@code (w, u)}; other atoms are unchanged. The map's Jacobian is taken by
 * central differences of the back map (no pass over the data). Not thread-safe: one per fit.
 */
final class PairCoordinates implements StepCoordinates {
    /** The weight fraction of either atom must lie in [EDGE, 1 − EDGE] for the coordinates to be used. */
    static final double EDGE = 1e-12;

    private final int p;
    private final int stride;
    private final int atoms;
    private final int dim;
    private int i;
    private int j;
    private final double[] z;
    private final double[] plus;
    private final double[] minus;
    private final double[] jac;
    private final double[] cw;

    /**
     * @param atoms L
     * @param atomDimension p (the model must have biases: a slot is p coordinates and a bias)
     */
    PairCoordinates(int atoms, int atomDimension) {
        this.atoms = atoms;
        this.p = atomDimension;
        this.stride = atomDimension + 1;
        this.dim = atoms * stride;
        this.z = new double[dim];
        this.plus = new double[dim];
        this.minus = new double[dim];
        this.jac = new double[dim * dim];
        this.cw = new double[2 * atomDimension];
    }

    /**
     * Chooses the closest pair at x and computes its moment coordinates.
     *
     * @param x the packed point
     * @param lo lower bounds
     * @param hi upper bounds
     * @return false when the coordinates are not to be used here (L < 2, a coordinate of the pair on a bound, or
     *     a weight fraction outside [EDGE, 1 − EDGE])
     */
    boolean prepare(double[] x, double[] lo, double[] hi) {
        return prepare(x, lo, hi, false);
    }

    /**
     * As {@link #prepare(double[], double[], double[])}, optionally also for a pair with coordinates on a bound
     * ({@link LeastSquaresEstimator.Method#LM_PAIR_B}, which keeps the held ones fixed through {@link #jacobian()}).
     *
     * @param x the packed point
     * @param lo lower bounds
     * @param hi upper bounds
     * @param onBounds whether a pair with a coordinate on a bound is used
     * @return whether the coordinates are to be used here
     */
    @Override
    public boolean prepare(double[] x, double[] lo, double[] hi, boolean onBounds) {
        if (atoms < 2) {
            return false;
        }
        double best = Double.POSITIVE_INFINITY;
        for (int a = 0; a < atoms; a++) {
            for (int b = a + 1; b < atoms; b++) {
                double d = 0;
                for (int k = 0; k < p; k++) {
                    double t = x[a * stride + k] - x[b * stride + k];
                    d += t * t;
                }
                if (d < best) {
                    best = d;
                    i = a;
                    j = b;
                }
            }
        }
        for (int k = 0; k < stride && !onBounds; k++) {
            for (int c : new int[] {i * stride + k, j * stride + k}) {
                if (x[c] <= lo[c] || x[c] >= hi[c]) {
                    return false;
                }
            }
        }
        double bi = x[i * stride + p];
        double bj = x[j * stride + p];
        double u = bi - bj;
        double pi = 1 / (1 + Math.exp(-u));
        if (!(pi >= EDGE && pi <= 1 - EDGE)) {
            return false;
        }
        System.arraycopy(x, 0, z, 0, dim);
        double root = Math.sqrt(pi * (1 - pi));
        for (int k = 0; k < p; k++) {
            double ti = x[i * stride + k];
            double tj = x[j * stride + k];
            z[i * stride + k] = pi * ti + (1 - pi) * tj;
            z[j * stride + k] = root * (ti - tj);
        }
        z[i * stride + p] = Math.max(bi, bj) + Math.log1p(Math.exp(-Math.abs(u)));
        z[j * stride + p] = u;
        // Jacobian of the back map at z, column by column; identity outside the pair's slots.
        java.util.Arrays.fill(jac, 0.0);
        for (int c = 0; c < dim; c++) {
            if (!inPair(c)) {
                jac[c * dim + c] = 1.0;
                continue;
            }
            double h = 1e-6 * Math.max(1.0, Math.abs(z[c]));
            System.arraycopy(z, 0, plus, 0, dim);
            System.arraycopy(z, 0, minus, 0, dim);
            plus[c] += h;
            minus[c] -= h;
            back(plus, plus);
            back(minus, minus);
            for (int r = 0; r < dim; r++) {
                jac[r * dim + c] = (plus[r] - minus[r]) / (2 * h);
            }
        }
        return true;
    }

    private boolean inPair(int c) {
        int slot = c / stride;
        return slot == i || slot == j;
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
        double u = zz[j * stride + p];
        double s = zz[i * stride + p];
        double pi = 1 / (1 + Math.exp(-u));
        double root = Math.sqrt(pi * (1 - pi));
        for (int k = 0; k < p; k++) {
            cw[k] = zz[i * stride + k];
            cw[p + k] = zz[j * stride + k];
        }
        if (out != zz) {
            System.arraycopy(zz, 0, out, 0, dim);
        }
        for (int k = 0; k < p; k++) {
            double delta = cw[p + k] / root;
            out[i * stride + k] = cw[k] + (1 - pi) * delta;
            out[j * stride + k] = cw[k] - pi * delta;
        }
        // log π = −log(1 + e^{−u}), log(1 − π) = −log(1 + e^{u}), written to stay finite for large |u|.
        out[i * stride + p] = s - (u >= 0 ? Math.log1p(Math.exp(-u)) : -u + Math.log1p(Math.exp(u)));
        out[j * stride + p] = s - (u >= 0 ? u + Math.log1p(Math.exp(-u)) : Math.log1p(Math.exp(u)));
    }
}
