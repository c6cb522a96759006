package org.prefixmoe.model.moe;

/**
 * A guarded BFGS ascent for M-steps without a closed form: every accepted step satisfies the
 * Armijo condition, so the objective never decreases, and when no step along the quasi-Newton
 * direction (nor the gradient) gains, the current point is returned unchanged. The objective may
 * be −∞ off its domain (a trial there is simply rejected).
 */
final class GuardedAscent {
    /** Armijo constant. */
    private static final double ARMIJO = 1e-4;
    /** Halvings of a trial step before giving up on a direction. */
    private static final int HALVINGS = 40;

    /** An objective with its gradient. */
    interface Objective {
        /**
         * @param p the point; not modified
         * @param gradient receives ∇Q(p) (only read when the value is finite); modified
         * @return Q(p), possibly −∞
         */
        double valueAndGradient(double[] p, double[] gradient);
    }

    private GuardedAscent() {
    }

    /**
     * Maximizes from a start.
     *
     * @param f the objective
     * @param start the start; not modified
     * @param maxIterations BFGS iterations at most
     * @param tolerance stop when a step gains less than this times |Q| (or the gradient vanishes)
     * @return a point whose objective is at least the start's
     */
    static double[] maximize(Objective f, double[] start, int maxIterations, double tolerance) {
        int n = start.length;
        double[] p = start.clone();
        double[] g = new double[n];
        double q = f.valueAndGradient(p, g);
        if (!Double.isFinite(q) || n == 0) {
            return p;
        }
        double[] h = new double[n * n]; // inverse Hessian of −Q
        double[] dir = new double[n];
        double[] trial = new double[n];
        double[] gTrial = new double[n];
        double[] s = new double[n];
        double[] y = new double[n];
        boolean scaled = false;
        for (int a = 0; a < n; a++) {
            h[a * n + a] = 1;
        }
        for (int it = 0; it < maxIterations; it++) {
            double gNorm = 0;
            for (double v : g) {
                gNorm = Math.max(gNorm, Math.abs(v));
            }
            if (!(gNorm > 0)) {
                break;
            }
            for (int a = 0; a < n; a++) {
                double v = 0;
                for (int b = 0; b < n; b++) {
                    v += h[a * n + b] * g[b];
                }
                dir[a] = v;
            }
            double slope = dot(g, dir);
            if (!(slope > 0)) {
                // not an ascent direction: restart from the gradient
                java.util.Arrays.fill(h, 0);
                for (int a = 0; a < n; a++) {
                    h[a * n + a] = 1;
                }
                scaled = false;
                System.arraycopy(g, 0, dir, 0, n);
                slope = dot(g, g);
            }
            if (!scaled) {
                // the first step moves at most 1 in every coordinate
                double m = 0;
                for (double v : dir) {
                    m = Math.max(m, Math.abs(v));
                }
                double c = 1 / Math.max(m, 1e-300);
                for (int a = 0; a < n; a++) {
                    dir[a] *= c;
                }
                slope *= c;
            }
            double alpha = 1;
            double qt = Double.NEGATIVE_INFINITY;
            boolean accepted = false;
            for (int half = 0; half < HALVINGS; half++) {
                for (int a = 0; a < n; a++) {
                    trial[a] = p[a] + alpha * dir[a];
                }
                qt = f.valueAndGradient(trial, gTrial);
                if (Double.isFinite(qt) && qt >= q + ARMIJO * alpha * slope && qt > q) {
                    accepted = true;
                    break;
                }
                alpha /= 2;
            }
            if (!accepted) {
                break;
            }
            double sy = 0;
            for (int a = 0; a < n; a++) {
                s[a] = trial[a] - p[a];
                y[a] = g[a] - gTrial[a]; // gradient change of −Q
                sy += s[a] * y[a];
            }
            double gain = qt - q;
            System.arraycopy(trial, 0, p, 0, n);
            System.arraycopy(gTrial, 0, g, 0, n);
            q = qt;
            if (gain <= tolerance * Math.abs(q)) {
                break;
            }
            if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
                if (!scaled) {
                    double c = sy / dot(y, y);
                    for (int a = 0; a < n; a++) {
                        h[a * n + a] = c;
                    }
                    scaled = true;
                }
                update(h, s, y, sy, n);
            }
        }
        return p;
    }

    /** BFGS update of the inverse Hessian: H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ. */
    private static void update(double[] h, double[] s, double[] y, double sy, int n) {
        double rho = 1 / sy;
        double[] hy = new double[n];
        for (int a = 0; a < n; a++) {
            double v = 0;
            for (int b = 0; b < n; b++) {
                v += h[a * n + b] * y[b];
            }
            hy[a] = v;
        }
        double yhy = dot(y, hy);
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                h[a * n + b] += -rho * (hy[a] * s[b] + s[a] * hy[b]) + (rho * rho * yhy + rho) * s[a] * s[b];
            }
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
