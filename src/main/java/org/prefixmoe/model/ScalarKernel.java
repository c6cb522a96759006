package org.prefixmoe.model;

/**
 * The plain-Java kernel of {@link Evaluator#normalEquations}, written to give the same bits as
 * {@link VectorKernel} at its default width: every sample goes through the same operations in the
 * same order (the same FMAs, the same {@code exp} polynomial, {@link Exp#exp}), and every sum is
 * kept in {@value #LANES} interleaved partial sums, sample i of a block in sum {@code i mod 4}, as
 * the vector kernel's lanes keep them, added up in the same order. So a study gives the same rows
 * with or without the incubator module ({@code EvaluatorKernelTest} checks the equality bit for bit).
 * Runs on the live-column tables of {@link Evaluator#liveColumns} and on the same padded blocks.
 */
final class ScalarKernel extends PassKernel {
    /** The partial sums per entry: the lanes of a 256-bit vector of doubles. */
    static final int LANES = 4;
    /**
     * Samples per block: 64, not the vector kernel's 256 ({@code bench --pass-only}: 118-120 against
     * 165-168 ns/sample at 256, n = 10^5); the sums are grouped by SUM_BLOCK either way, so the bits
     * are the same.
     */
    static final int BLOCK = 64;

    ScalarKernel(Evaluator e) {
        super(e, BLOCK);
    }

    @Override
    int lanes() {
        return LANES;
    }

    @Override
    void gates(Evaluator.Scratch w, int start, int m, int mp) {
        final int atoms = e.atoms;
        final int d = e.gd;
        final int np = e.nPad;
        final double[] xs = e.gT;
        final double[] kappa = e.gKappa;
        final double[] biases = e.biases;
        final double[] ls = e.ls0;
        final double[] g = w.bGate;
        final double[] pi0 = w.bPi0;
        for (int i = 0; i < mp; i++) {
            double l0 = ls[start + i];
            double max = l0;
            for (int l = 0; l < atoms; l++) {
                double s = biases[l];
                for (int u = 0; u < d; u++) {
                    s = Math.fma(xs[u * np + start + i], kappa[l * d + u], s);
                }
                g[l * BLOCK + i] = s;
                max = Math.max(max, s);
            }
            pi0[i] = Exp.exp(l0 - max);
            double z = pi0[i];
            for (int l = 0; l < atoms; l++) {
                double wl = Exp.exp(g[l * BLOCK + i] - max);
                g[l * BLOCK + i] = wl;
                z = z + wl;
            }
            double inv = 1.0 / z;
            pi0[i] = pi0[i] * inv;
            for (int l = 0; l < atoms; l++) {
                g[l * BLOCK + i] = g[l * BLOCK + i] * inv;
            }
        }
        noWeightOnPadding(w, m, mp);
    }

    /** f_G coordinate a and its residual (stored after a's live columns); squared residuals into the SSR sums. */
    @Override
    void valuesAndResiduals(Evaluator.Scratch w, int start, int a, int from, int mp, double[] yc) {
        final int atoms = e.atoms;
        final int q = e.q;
        final double[] mean = e.meanT;
        final double[] value = e.value;
        final double[] g = w.bGate;
        final double[] pi0 = w.bPi0;
        final double[] f = w.bF;
        final double[] jac = w.bJac;
        final double[] lanes = w.lanes;
        final int ssrAt = (e.packedLength + e.dimension()) * LANES;
        final int fo = a * BLOCK;
        final int ro = (a * (e.dimension() + 1) + e.live[a]) * BLOCK;
        final int mo = a * e.nPad + start;
        for (int i = from, end = from + mp; i < end; i++) {
            double fa = pi0[i] * mean[mo + i];
            for (int l = 0; l < atoms; l++) {
                fa = Math.fma(g[l * BLOCK + i], value[l * q + a], fa);
            }
            f[fo + i] = fa;
            double ra = fa - yc[mo + i];
            jac[ro + i] = ra;
            int k = ssrAt + (i & (LANES - 1));
            lanes[k] = Math.fma(ra, ra, lanes[k]);
        }
    }

    /** ∂s_l/∂θ_c = Σ_u (B ∂key/∂θ)[u][c] x_u for every c, into bSlope. */
    @Override
    void slopes(Evaluator.Scratch w, int start, int l, int mp) {
        final int d = e.gd;
        final int p = e.p;
        final int np = e.nPad;
        final double[] xs = e.gT;
        final double[] dKappa = e.gDKappa;
        final double[] sl = w.bSlope;
        for (int c = 0; c < p; c++) {
            final int ko = (l * p + c) * d;
            for (int i = 0; i < mp; i++) {
                double s = 0.0;
                for (int u = 0; u < d; u++) {
                    s = Math.fma(xs[u * np + start + i], dKappa[ko + u], s);
                }
                sl[c * BLOCK + i] = s;
            }
        }
    }

    /** Live Jacobian columns of atom l, coordinate a: π_l (t ∂s_l/∂θ + ∂ν_la/∂θ) and π_l t, t = ν_la − f_a. */
    @Override
    void jacobianColumns(Evaluator.Scratch w, int l, int a, int mp) {
        final int q = e.q;
        final int p = e.p;
        final int cols = e.dimension();
        final double[] dValue = e.dValue;
        final double[] g = w.bGate;
        final double[] sl = w.bSlope;
        final double[] f = w.bF;
        final double[] jac = w.bJac;
        final double v = e.value[l * q + a];
        final int go = l * BLOCK;
        final int fo = a * BLOCK;
        final int ao = a * (cols + 1) * BLOCK;
        final int so = a * cols + l * e.stride;
        final int vo = (l * q + a) * p;
        for (int c = 0; c < p; c++) {
            final int k = e.slot[so + c];
            if (k < 0) {
                continue;
            }
            final double dv = dValue[vo + c];
            final int jo = ao + k * BLOCK;
            final int lo = c * BLOCK;
            for (int i = 0; i < mp; i++) {
                jac[jo + i] = Math.fma(v - f[fo + i], sl[lo + i], dv) * g[go + i];
            }
        }
        if (e.bias) {
            final int jo = ao + e.slot[so + p] * BLOCK;
            for (int i = 0; i < mp; i++) {
                jac[jo + i] = g[go + i] * (v - f[fo + i]);
            }
        }
    }

    /** Adds the block's products of stored columns (the residual last) to the sums: JᵀJ upper triangle and Jᵀr. */
    @Override
    void products(Evaluator.Scratch w, int from, int mp) {
        final double[] jac = w.bJac;
        final double[] lanes = w.lanes;
        final int stride = e.dimension() + 1;
        for (int a = 0; a < e.q; a++) {
            final int n = e.live[a];
            final int ao = a * stride * BLOCK + from;
            final int eo = a * stride * stride;
            for (int k1 = 0; k1 < n; k1++) {
                final int o1 = ao + k1 * BLOCK;
                for (int k2 = k1; k2 <= n; k2++) {
                    dot(jac, o1, ao + k2 * BLOCK, mp, lanes, e.entry[eo + k1 * stride + k2] * LANES);
                }
            }
        }
    }

    /** lanes[k + j] += Σ_{i ≡ j mod 4} a[o1 + i] a[o2 + i], each partial sum from zero in sample order. */
    private static void dot(double[] a, int o1, int o2, int mp, double[] lanes, int k) {
        double s0 = 0.0;
        double s1 = 0.0;
        double s2 = 0.0;
        double s3 = 0.0;
        for (int i = 0; i < mp; i += LANES) {
            s0 = Math.fma(a[o1 + i], a[o2 + i], s0);
            s1 = Math.fma(a[o1 + i + 1], a[o2 + i + 1], s1);
            s2 = Math.fma(a[o1 + i + 2], a[o2 + i + 2], s2);
            s3 = Math.fma(a[o1 + i + 3], a[o2 + i + 3], s3);
        }
        lanes[k] += s0;
        lanes[k + 1] += s1;
        lanes[k + 2] += s2;
        lanes[k + 3] += s3;
    }
}
