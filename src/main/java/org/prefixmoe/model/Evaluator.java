package org.prefixmoe.model;

/**
 * Evaluates the regression function {@code f_G} and its Jacobian with respect to the packed
 * parameters on one fixed design, for any {@link Parameterization}.
 *
 * <p>The pretrained part is taken precomputed ({@link PretrainedPart}); per-atom quantities
 * (key, value, gating slope {@code κ = B key} and their Jacobians) are computed once per call of
 * {@link #setParameters}; the per-sample loops then cost {@code O(L (D p + q p))} and allocate
 * nothing. The softmax is computed in the log domain. Instances hold scratch buffers and are
 * not thread-safe: use one per thread.
 */
public final class Evaluator {
    private final PrefixModel model;
    private final Parameterization map;
    private final int atoms;
    private final int d;
    private final int q;
    private final int p;
    private final int r;
    private final int stride;
    private final boolean bias;
    private final int n;
    private final double[] x;
    private final double[] logScore0;
    private final double[] mean0;
    private final double[] bMatrix;

    // Per-atom caches, refreshed by setParameters.
    private final double[] kappa;   // L × D, gating slopes B key(θ_l)
    private final double[] dKappa;  // L × p × D, (B ∂key/∂θ) transposed per atom
    private final double[] value;   // L × q
    private final double[] dValue;  // L × q × p
    private final double[] biases;  // L
    private final double[] keyTmp;
    private final double[] dKeyTmp;
    private final double[] valueTmp;
    private final double[] dValueTmp;

    // Per-sample scratch.
    private final double[] gate;    // L prompt gate probabilities
    private final double[] slopeX;  // L × p, (∂κ_l/∂θ)^T x
    private final double[] f;
    private final double[] packedJtJ; // upper triangle of JᵀJ, row by row

    // Blocked kernel of normalEquations: samples are processed BLOCK at a time in
    // structure-of-arrays layout, so that every inner loop runs over samples (long, unit-stride
    // loops the JIT unrolls) instead of over the tiny dimensions D, p, q, L.
    private static final int BLOCK = 128;
    private final double[] xT;       // D × n, inputs column-major
    private final double[] meanT;    // q × n, pretrained mean column-major
    private double[] yRef;           // the responses yT was made from
    private double[] yT;             // q × n
    private final double[] bGate;    // L × BLOCK: scores, then prompt gate probabilities
    private final double[] bPi0;     // BLOCK: pretrained gate probability
    private final double[] bF;       // q × BLOCK: f_G
    private final double[] bRes;     // q × BLOCK: residuals
    private final double[] bSlope;   // p × BLOCK: gating slope derivatives of one atom
    private final double[] bJac;     // (q·P) × BLOCK: Jacobian column (a, c) at (a·P + c)·BLOCK

    /**
     * @param model the model
     * @param atoms number L of fitted atoms
     * @param x the design, n × D row-major (kept by reference: do not modify)
     * @param pretrained the pretrained part evaluated on {@code x}
     */
    public Evaluator(PrefixModel model, int atoms, double[] x, PretrainedPart pretrained) {
        this.model = model;
        this.map = model.parameterization();
        this.atoms = atoms;
        this.d = model.inputDimension();
        this.q = model.outputDimension();
        this.p = model.atomDimension();
        this.r = model.keyDimension();
        this.bias = model.hasBias();
        this.stride = model.parametersPerAtom();
        this.n = x.length / d;
        if (pretrained.n() != n) {
            throw new IllegalArgumentException("pretrained part has " + pretrained.n() + " rows, design has " + n);
        }
        this.x = x;
        this.logScore0 = pretrained.logScore();
        this.mean0 = pretrained.mean();
        this.bMatrix = model.gatingProjectionData();
        this.kappa = new double[atoms * d];
        this.dKappa = new double[atoms * d * p];
        this.value = new double[atoms * q];
        this.dValue = new double[atoms * q * p];
        this.biases = new double[atoms];
        this.keyTmp = new double[r];
        this.dKeyTmp = new double[r * p];
        this.valueTmp = new double[q];
        this.dValueTmp = new double[q * p];
        this.gate = new double[atoms];
        this.slopeX = new double[atoms * p];
        this.f = new double[q];
        this.packedJtJ = new double[dimension() * (dimension() + 1) / 2];
        this.xT = Matrices.transpose(x, n, d);
        this.meanT = Matrices.transpose(mean0, n, q);
        this.bGate = new double[atoms * BLOCK];
        this.bPi0 = new double[BLOCK];
        this.bF = new double[q * BLOCK];
        this.bRes = new double[q * BLOCK];
        this.bSlope = new double[p * BLOCK];
        this.bJac = new double[q * dimension() * BLOCK];
    }

    /** The model. */
    public PrefixModel model() {
        return model;
    }

    /** Number of samples in the design. */
    public int size() {
        return n;
    }

    /** Number of atoms L. */
    public int atoms() {
        return atoms;
    }

    /** Length of the packed parameter vector. */
    public int dimension() {
        return atoms * stride;
    }

    /** Sets the mixing measure. */
    public void setMeasure(MixingMeasure g) {
        if (g.size() != atoms) {
            throw new IllegalArgumentException("measure has " + g.size() + " atoms, evaluator expects " + atoms);
        }
        setParameters(g.pack());
    }

    /** Sets the packed parameters {@code (θ_1, b_1, ..., θ_L, b_L)} and refreshes per-atom caches. */
    public void setParameters(double[] params) {
        for (int l = 0; l < atoms; l++) {
            int off = l * stride;
            map.map(params, off, keyTmp, valueTmp, dKeyTmp, dValueTmp);
            biases[l] = bias ? params[off + p] : 0.0;
            System.arraycopy(valueTmp, 0, value, l * q, q);
            System.arraycopy(dValueTmp, 0, dValue, l * q * p, q * p);
            for (int u = 0; u < d; u++) {
                double s = 0;
                for (int k = 0; k < r; k++) {
                    s += bMatrix[u * r + k] * keyTmp[k];
                }
                kappa[l * d + u] = s;
                for (int c = 0; c < p; c++) {
                    double t = 0;
                    for (int k = 0; k < r; k++) {
                        t += bMatrix[u * r + k] * dKeyTmp[k * p + c];
                    }
                    dKappa[(l * p + c) * d + u] = t;
                }
            }
        }
    }

    /**
     * Computes the gate probabilities of sample i in the log domain: the prompts' into
     * {@code gate}, returning the pretrained block's total probability π0.
     */
    private double gates(int i) {
        int xo = i * d;
        double max = logScore0[i];
        for (int l = 0; l < atoms; l++) {
            double s = biases[l];
            int ko = l * d;
            for (int u = 0; u < d; u++) {
                s += kappa[ko + u] * x[xo + u];
            }
            gate[l] = s;
            if (s > max) {
                max = s;
            }
        }
        double w0 = Math.exp(logScore0[i] - max);
        double z = w0;
        for (int l = 0; l < atoms; l++) {
            double w = Math.exp(gate[l] - max);
            gate[l] = w;
            z += w;
        }
        double inv = 1.0 / z;
        for (int l = 0; l < atoms; l++) {
            gate[l] *= inv;
        }
        return w0 * inv;
    }

    /**
     * Gate probabilities of sample i: writes the L prompt probabilities into {@code out} and
     * returns the total probability of the pretrained experts.
     */
    public double gateProbabilities(int i, double[] out) {
        double pi0 = gates(i);
        System.arraycopy(gate, 0, out, 0, atoms);
        return pi0;
    }

    /** The log-domain gating score {@code κ(θ_l)^T X_i + b_l} of prompt l at sample i. */
    public double promptScore(int l, int i) {
        double s = biases[l];
        for (int u = 0; u < d; u++) {
            s += kappa[l * d + u] * x[i * d + u];
        }
        return s;
    }

    /** The value ν(θ_l), component a. */
    public double promptValue(int l, int a) {
        return value[l * q + a];
    }

    /** Writes {@code f_G(X_i)} into {@code out} (length q). */
    public void value(int i, double[] out) {
        double pi0 = gates(i);
        for (int a = 0; a < q; a++) {
            double s = pi0 * mean0[i * q + a];
            for (int l = 0; l < atoms; l++) {
                s += gate[l] * value[l * q + a];
            }
            out[a] = s;
        }
    }

    /**
     * Writes {@code f_G(X_i)} into {@code out} and its Jacobian with respect to the packed
     * parameters into {@code jacobian}, q × {@link #dimension()} row-major.
     */
    public void valueAndJacobian(int i, double[] out, double[] jacobian) {
        value(i, out);
        jacobianAt(i, out, jacobian);
    }

    // Requires gates(i) and f_G(X_i) in fi. ∂f/∂s_l = π_l (ν_l − f), ∂s_l/∂θ = (B ∂key/∂θ)^T x,
    // ∂f/∂θ_l = π_l (ν_l − f) ((B ∂key/∂θ)^T x)^T + π_l ∂ν/∂θ, ∂f/∂b_l = π_l (ν_l − f).
    private void jacobianAt(int i, double[] fi, double[] jacobian) {
        int xo = i * d;
        final double[] xs = x;
        final double[] dk = dKappa;
        final double[] sx = slopeX;
        // slopeX[l*p + c] = Σ_u (B ∂key/∂θ)[u][c] x_u, with dKappa stored (l, c, u) so each is one dot product.
        for (int lc = 0, lp = atoms * p; lc < lp; lc++) {
            int ko = lc * d;
            double s = 0;
            for (int u = 0; u < d; u++) {
                s += dk[ko + u] * xs[xo + u];
            }
            sx[lc] = s;
        }
        final double[] gt = gate;
        final double[] val = value;
        final double[] dv = dValue;
        final int pp = p;
        final int qq = q;
        final int cols = dimension();
        final boolean withBias = bias;
        for (int l = 0; l < atoms; l++) {
            final double pil = gt[l];
            final int so = l * pp;
            for (int a = 0; a < qq; a++) {
                final double ds = pil * (val[l * qq + a] - fi[a]);
                final int col = a * cols + l * stride;
                final int vo = (l * qq + a) * pp;
                for (int c = 0; c < pp; c++) {
                    jacobian[col + c] = ds * sx[so + c] + pil * dv[vo + c];
                }
                if (withBias) {
                    jacobian[col + pp] = ds;
                }
            }
        }
    }

    /** The residual sum of squares {@code Σ_i ||Y_i − f_G(X_i)||²}; {@code y} is n × q row-major. */
    public double sumOfSquares(double[] y) {
        double ssr = 0;
        for (int i = 0; i < n; i++) {
            value(i, f);
            for (int a = 0; a < q; a++) {
                double e = f[a] - y[i * q + a];
                ssr += e * e;
            }
        }
        return ssr;
    }

    /**
     * In one pass over the data, accumulates the Gauss–Newton normal equations {@code JᵀJ}
     * (P × P row-major, full) and {@code Jᵀr} with {@code r = f_G(X) − Y}, without materializing
     * the n × P Jacobian, and returns the residual sum of squares.
     */
    public double normalEquations(double[] y, double[] jtj, double[] jtr) {
        final int cols = dimension();
        final double[] packed = packedJtJ;
        final double[] yc = transposedResponses(y);
        java.util.Arrays.fill(packed, 0.0);
        java.util.Arrays.fill(jtr, 0, cols, 0.0);
        double ssr = 0;
        for (int start = 0; start < n; start += BLOCK) {
            int m = Math.min(BLOCK, n - start);
            ssr += blockValuesAndResiduals(start, m, yc);
            blockJacobian(start, m);
            for (int a = 0; a < q; a++) {
                final int ro = a * BLOCK;
                final int ao = a * cols * BLOCK;
                int k = 0;
                for (int c1 = 0; c1 < cols; c1++) {
                    final int o1 = ao + c1 * BLOCK;
                    jtr[c1] += dot(bJac, o1, bRes, ro, m);
                    // Four entries of a row of JᵀJ per sweep: column c1 is loaded once for all four.
                    int c2 = c1;
                    for (; c2 + 3 < cols; c2 += 4) {
                        dot4(bJac, o1, ao + c2 * BLOCK, m, packed, k);
                        k += 4;
                    }
                    for (; c2 < cols; c2++) {
                        packed[k++] += dot(bJac, o1, bJac, ao + c2 * BLOCK, m);
                    }
                }
            }
        }
        int k = 0;
        for (int c1 = 0; c1 < cols; c1++) {
            for (int c2 = c1; c2 < cols; c2++) {
                jtj[c1 * cols + c2] = packed[k];
                jtj[c2 * cols + c1] = packed[k];
                k++;
            }
        }
        return ssr;
    }

    /** Gates, f_G and residuals of samples start..start+m into the block buffers; returns their SSR. */
    private double blockValuesAndResiduals(int start, int m, double[] yc) {
        final double[] g = bGate;
        final double[] xs = xT;
        for (int l = 0; l < atoms; l++) {
            final int go = l * BLOCK;
            java.util.Arrays.fill(g, go, go + m, biases[l]);
            for (int u = 0; u < d; u++) {
                final double k = kappa[l * d + u];
                final int xo = u * n + start;
                for (int i = 0; i < m; i++) {
                    g[go + i] += k * xs[xo + i];
                }
            }
        }
        // Softmax over the pretrained block and the prompts, in the log domain.
        final double[] ls = logScore0;
        for (int i = 0; i < m; i++) {
            double max = ls[start + i];
            for (int l = 0; l < atoms; l++) {
                max = Math.max(max, g[l * BLOCK + i]);
            }
            double w0 = Math.exp(ls[start + i] - max);
            double z = w0;
            for (int l = 0; l < atoms; l++) {
                double w = Math.exp(g[l * BLOCK + i] - max);
                g[l * BLOCK + i] = w;
                z += w;
            }
            double inv = 1.0 / z;
            bPi0[i] = w0 * inv;
            for (int l = 0; l < atoms; l++) {
                g[l * BLOCK + i] *= inv;
            }
        }
        double ssr = 0;
        for (int a = 0; a < q; a++) {
            final int fo = a * BLOCK;
            final int mo = a * n + start;
            for (int i = 0; i < m; i++) {
                bF[fo + i] = bPi0[i] * meanT[mo + i];
            }
            for (int l = 0; l < atoms; l++) {
                final double v = value[l * q + a];
                final int go = l * BLOCK;
                for (int i = 0; i < m; i++) {
                    bF[fo + i] += g[go + i] * v;
                }
            }
            for (int i = 0; i < m; i++) {
                double e = bF[fo + i] - yc[mo + i];
                bRes[fo + i] = e;
                ssr += e * e;
            }
        }
        return ssr;
    }

    /** Jacobian columns of samples start..start+m (needs blockValuesAndResiduals first). */
    private void blockJacobian(int start, int m) {
        final int cols = dimension();
        final double[] xs = xT;
        final double[] g = bGate;
        final double[] sl = bSlope;
        final double[] jac = bJac;
        for (int l = 0; l < atoms; l++) {
            final int go = l * BLOCK;
            // ∂s_l/∂θ_c = Σ_u (B ∂key/∂θ)[u][c] x_u
            for (int c = 0; c < p; c++) {
                final int so = c * BLOCK;
                java.util.Arrays.fill(sl, so, so + m, 0.0);
                for (int u = 0; u < d; u++) {
                    final double dk = dKappa[(l * p + c) * d + u];
                    final int xo = u * n + start;
                    for (int i = 0; i < m; i++) {
                        sl[so + i] += dk * xs[xo + i];
                    }
                }
            }
            for (int a = 0; a < q; a++) {
                final double v = value[l * q + a];
                final int fo = a * BLOCK;
                final int base = a * cols + l * stride;
                // ∂f_a/∂s_l = π_l (ν_la − f_a) is the bias column; atom columns are that times ∂s_l/∂θ plus π_l ∂ν_la/∂θ.
                final int bo = (base + p) * BLOCK;
                for (int c = 0; c < p; c++) {
                    final double dv = dValue[(l * q + a) * p + c];
                    final int jo = (base + c) * BLOCK;
                    final int so = c * BLOCK;
                    for (int i = 0; i < m; i++) {
                        double pi = g[go + i];
                        jac[jo + i] = pi * ((v - bF[fo + i]) * sl[so + i] + dv);
                    }
                }
                if (bias) {
                    for (int i = 0; i < m; i++) {
                        jac[bo + i] = g[go + i] * (v - bF[fo + i]);
                    }
                }
            }
        }
    }

    /** Adds Σ_i a[o1+i] a[o2+j·BLOCK+i], j = 0..3, over m terms to out[k..k+3]. */
    private static void dot4(double[] a, int o1, int o2, int m, double[] out, int k) {
        final int p0 = o2;
        final int p1 = o2 + BLOCK;
        final int p2 = o2 + 2 * BLOCK;
        final int p3 = o2 + 3 * BLOCK;
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        for (int i = 0; i < m; i++) {
            double v = a[o1 + i];
            s0 += v * a[p0 + i];
            s1 += v * a[p1 + i];
            s2 += v * a[p2 + i];
            s3 += v * a[p3 + i];
        }
        out[k] += s0;
        out[k + 1] += s1;
        out[k + 2] += s2;
        out[k + 3] += s3;
    }

    /** Σ_i a[ao+i] b[bo+i] over m terms, with four partial sums for instruction-level parallelism. */
    private static double dot(double[] a, int ao, double[] b, int bo, int m) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 3 < m; i += 4) {
            s0 += a[ao + i] * b[bo + i];
            s1 += a[ao + i + 1] * b[bo + i + 1];
            s2 += a[ao + i + 2] * b[bo + i + 2];
            s3 += a[ao + i + 3] * b[bo + i + 3];
        }
        for (; i < m; i++) {
            s0 += a[ao + i] * b[bo + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    private double[] transposedResponses(double[] y) {
        if (y != yRef) {
            if (y.length != n * q) {
                throw new IllegalArgumentException("y: expected " + n * q + " values (n × q), found " + y.length);
            }
            yT = Matrices.transpose(y, n, q);
            yRef = y;
        }
        return yT;
    }

}
