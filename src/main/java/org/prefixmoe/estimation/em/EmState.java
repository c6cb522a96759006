package org.prefixmoe.estimation.em;

import org.prefixmoe.model.Parameterization;
import org.prefixmoe.model.PrefixModel;
import org.prefixmoe.model.PretrainedExperts;

/**
 * The working memory and the passes over the data of one EM fit (package-private engine of
 * {@link EmEstimator}).
 *
 * <p>Everything that does not depend on the prompts is computed once in the constructor: the
 * projected inputs {@code z_i = Bᵀ X_i} (so that a prompt score is {@code key·z_i + b}), the
 * pretrained scores {@code s_ij}, their log-sum {@code S0_i}, and the squared distances
 * {@code ||Y_i − h_j(X_i)||²} to the pretrained means (σ² enters the pretrained components only
 * through {@code −dist/(2σ²)}, recomputed cheaply in every E-step).
 *
 * <p>The E-step never stores the n × (N + L) responsibilities: the M-step needs only their
 * sufficient statistics per prompt, {@code R_l = Σ_i r_il}, {@code Σ_i r_il Y_i},
 * {@code Σ_i r_il z_i}, {@code Σ_i r_il ||Y_i||²}, and the pretrained part of the residual sum
 * {@code Σ_i Σ_j r_ij ||Y_i − h_j(X_i)||²}, accumulated on the fly. No pass over the data
 * allocates.
 */
final class EmState {
    final int n;
    final int nPre;
    final int atoms;
    final int q;
    final int r;
    final int p;
    final int stride;
    final int rb;       // r + 1 with biases, r without: dimension of (key, bias)
    final boolean bias;
    private final Parameterization map;

    // Per data set.
    private final double[] z;      // n × r
    private final double[] y;      // n × q
    private final double[] yy;     // n
    private final double[] s0;     // n × N
    private final double[] dist0;  // n × N
    private final double[] lse0;   // n

    // Per-atom caches, refreshed by setParameters.
    final double[] key;            // L × r
    final double[] value;          // L × q
    final double[] dKey;           // L × r × p
    final double[] dValue;         // L × q × p
    final double[] bs;             // L

    // Sufficient statistics of the last E-step.
    final double[] resp;           // L: R_l
    final double[] ySum;           // L × q
    final double[] zSum;           // L × r
    final double[] yySum;          // L
    double preSs;                  // Σ_i Σ_j r_ij dist0_ij
    double lseSum;                 // Σ_i log Σ_c exp s_c(X_i)

    // Scratch.
    private final double[] keyTmp;
    private final double[] valueTmp;
    private final double[] dKeyTmp;
    private final double[] dValueTmp;
    private final double[] score;  // L
    private final double[] gate;   // L
    private final double[] comp;   // N + L
    private final double[] zh;     // rb
    private final double[] zz;     // rb × rb
    private final double[] hz;     // L × L × rb × rb, gating curvature in (key, bias) space
    private final double[] pz;     // L × rb, Σ_i π_il ẑ_i

    int passes;

    EmState(PrefixModel model, double[] x, double[] yData, double[] logScore0, int atoms) {
        PretrainedExperts pre = model.pretrained();
        int d = model.inputDimension();
        this.n = x.length / d;
        this.nPre = pre.count();
        this.atoms = atoms;
        this.q = model.outputDimension();
        this.r = model.keyDimension();
        this.p = model.atomDimension();
        this.bias = model.hasBias();
        this.stride = model.parametersPerAtom();
        this.rb = r + (bias ? 1 : 0);
        this.map = model.parameterization();
        this.y = yData;
        double[][] bMat = model.gatingProjection();
        z = new double[n * r];
        yy = new double[n];
        s0 = new double[n * nPre];
        dist0 = new double[n * nPre];
        lse0 = logScore0;
        double[] out = new double[q];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < r; k++) {
                double s = 0;
                for (int u = 0; u < d; u++) {
                    s += bMat[u][k] * x[i * d + u];
                }
                z[i * r + k] = s;
            }
            double t = 0;
            for (int a = 0; a < q; a++) {
                t += y[i * q + a] * y[i * q + a];
            }
            yy[i] = t;
            for (int j = 0; j < nPre; j++) {
                s0[i * nPre + j] = pre.score(j, x, i * d);
                pre.output(j, x, i * d, out, 0);
                double e = 0;
                for (int a = 0; a < q; a++) {
                    double v = y[i * q + a] - out[a];
                    e += v * v;
                }
                dist0[i * nPre + j] = e;
            }
        }
        key = new double[atoms * r];
        value = new double[atoms * q];
        dKey = new double[atoms * r * p];
        dValue = new double[atoms * q * p];
        bs = new double[atoms];
        resp = new double[atoms];
        ySum = new double[atoms * q];
        zSum = new double[atoms * r];
        yySum = new double[atoms];
        keyTmp = new double[r];
        valueTmp = new double[q];
        dKeyTmp = new double[r * p];
        dValueTmp = new double[q * p];
        score = new double[atoms];
        gate = new double[atoms];
        comp = new double[nPre + atoms];
        zh = new double[rb];
        zz = new double[rb * rb];
        hz = new double[atoms * atoms * rb * rb];
        pz = new double[atoms * rb];
    }

    /** Maps every atom of the packed vector to its key, value and their Jacobians. */
    void setParameters(double[] x) {
        for (int l = 0; l < atoms; l++) {
            int off = l * stride;
            map.map(x, off, keyTmp, valueTmp, dKeyTmp, dValueTmp);
            System.arraycopy(keyTmp, 0, key, l * r, r);
            System.arraycopy(valueTmp, 0, value, l * q, q);
            System.arraycopy(dKeyTmp, 0, dKey, l * r * p, r * p);
            System.arraycopy(dValueTmp, 0, dValue, l * q * p, q * p);
            bs[l] = bias ? x[off + p] : 0.0;
        }
    }

    private void promptScores(int i) {
        int zo = i * r;
        for (int l = 0; l < atoms; l++) {
            double s = bs[l];
            int ko = l * r;
            for (int k = 0; k < r; k++) {
                s += key[ko + k] * z[zo + k];
            }
            score[l] = s;
        }
    }

    /**
     * E-step at the current parameters and σ²: accumulates the responsibilities' sufficient
     * statistics and returns the observed log-likelihood {@code Σ_i log p_G(Y_i | X_i)}. All in
     * the log domain.
     */
    double eStep(double sigma2) {
        return eStep(sigma2, false);
    }

    /**
     * E-step; with {@code derivs} it also accumulates, in the same pass, the gating curvature and
     * {@code Σ_i π_il ẑ_i} at the current parameters, so that {@link #qFromStats} and
     * {@link #derivatives} then give Q and its derivatives there without another pass.
     */
    double eStep(double sigma2, boolean derivs) {
        if (derivs) {
            java.util.Arrays.fill(hz, 0.0);
            java.util.Arrays.fill(pz, 0.0);
        }
        lseSum = 0;
        java.util.Arrays.fill(resp, 0.0);
        java.util.Arrays.fill(ySum, 0.0);
        java.util.Arrays.fill(zSum, 0.0);
        java.util.Arrays.fill(yySum, 0.0);
        preSs = 0;
        double inv2s = 0.5 / sigma2;
        double logNorm = -0.5 * q * Math.log(2 * Math.PI * sigma2);
        double ll = 0;
        int k = nPre + atoms;
        for (int i = 0; i < n; i++) {
            // log Σ_c exp(s_c): the gate normalizer.
            double gz = gateSum(i);
            double logG = gateShift + Math.log(gz);
            lseSum += logG;
            if (derivs) {
                accumulateCurvature(i, 1.0 / gz);
            }
            // log of the unnormalized joint terms s_c − ||Y − μ_c||² / (2σ²).
            double amax = Double.NEGATIVE_INFINITY;
            int po = i * nPre;
            for (int j = 0; j < nPre; j++) {
                double a = s0[po + j] - dist0[po + j] * inv2s;
                comp[j] = a;
                amax = Math.max(amax, a);
            }
            int yo = i * q;
            for (int l = 0; l < atoms; l++) {
                double e = 0;
                int vo = l * q;
                for (int a = 0; a < q; a++) {
                    double v = y[yo + a] - value[vo + a];
                    e += v * v;
                }
                double a = score[l] - e * inv2s;
                comp[nPre + l] = a;
                amax = Math.max(amax, a);
            }
            double hz0 = 0;
            for (int c = 0; c < k; c++) {
                double w = Math.exp(comp[c] - amax);
                comp[c] = w;
                hz0 += w;
            }
            ll += amax + Math.log(hz0) - logG + logNorm;
            double inv = 1.0 / hz0;
            for (int j = 0; j < nPre; j++) {
                preSs += comp[j] * inv * dist0[po + j];
            }
            int zo = i * r;
            for (int l = 0; l < atoms; l++) {
                double w = comp[nPre + l] * inv;
                resp[l] += w;
                yySum[l] += w * yy[i];
                for (int a = 0; a < q; a++) {
                    ySum[l * q + a] += w * y[yo + a];
                }
                for (int c = 0; c < r; c++) {
                    zSum[l * r + c] += w * z[zo + c];
                }
            }
        }
        passes++;
        return ll;
    }

    /** {@code Σ_l Σ_i r_il ||Y_i − ν_l||²} at the current values, from the sufficient statistics. */
    double promptSs() {
        double ss = 0;
        for (int l = 0; l < atoms; l++) {
            double cross = 0;
            double norm = 0;
            for (int a = 0; a < q; a++) {
                double v = value[l * q + a];
                cross += v * ySum[l * q + a];
                norm += v * v;
            }
            ss += Math.max(0.0, yySum[l] - 2 * cross + resp[l] * norm);
        }
        return ss;
    }

    /**
     * The prompt-dependent part of the M-step objective Q at the current parameters, with the
     * responsibilities of the last E-step:
     * {@code Σ_l [key_l·Σ_i r_il z_i + b_l R_l] − Σ_i log Σ_c exp s_c(X_i) − Σ_l Σ_i r_il ||Y_i − ν_l||² / (2σ²)}.
     *
     * @param grad if non-null, receives ∂Q/∂x over the packed parameters
     * @param hneg if non-null (with grad), receives a positive semidefinite curvature matrix
     *     P × P: the exact −∂²Q/∂x² for maps linear in θ, its Gauss–Newton part otherwise
     */
    double q(double sigma2, double[] grad, double[] hneg) {
        boolean derivs = grad != null;
        if (derivs) {
            java.util.Arrays.fill(hz, 0.0);
            java.util.Arrays.fill(pz, 0.0);
        }
        double lse = 0;
        for (int i = 0; i < n; i++) {
            double gz = gateSum(i);
            lse += gateShift + Math.log(gz);
            if (derivs) {
                accumulateCurvature(i, 1.0 / gz);
            }
        }
        passes++;
        return finish(sigma2, lse, grad, hneg);
    }

    /** The largest gate score of the sample last passed to {@link #gateSum}. */
    private double gateShift;

    /**
     * Scores sample i's prompts and leaves in {@code gate} their weights {@code exp(s_l − max)};
     * returns the sum of all gate weights (pretrained block included) relative to the maximum,
     * which is kept in {@code gateShift}.
     */
    private double gateSum(int i) {
        promptScores(i);
        double gmax = lse0[i];
        for (int l = 0; l < atoms; l++) {
            gmax = Math.max(gmax, score[l]);
        }
        double gz = Math.exp(lse0[i] - gmax);
        for (int l = 0; l < atoms; l++) {
            double w = Math.exp(score[l] - gmax);
            gate[l] = w;
            gz += w;
        }
        gateShift = gmax;
        return gz;
    }

    /**
     * Q at the current parameters from the statistics of the last E-step, which must have run at
     * the current gating parameters (only non-shared values may have changed since); with
     * {@code grad} non-null also its derivatives, which needs {@code eStep(σ², true)}.
     */
    double qFromStats(double sigma2, double[] grad, double[] hneg) {
        return finish(sigma2, lseSum, grad, hneg);
    }

    private double finish(double sigma2, double lse, double[] grad, double[] hneg) {
        double qv = -lse - promptSs() * (0.5 / sigma2);
        for (int l = 0; l < atoms; l++) {
            double s = bs[l] * resp[l];
            for (int c = 0; c < r; c++) {
                s += key[l * r + c] * zSum[l * r + c];
            }
            qv += s;
        }
        if (grad != null) {
            assemble(sigma2, grad, hneg);
        }
        return qv;
    }

    // Adds sample i's gating curvature Σ (π_l δ_lm − π_l π_m) ẑ ẑᵀ and Σ π_l ẑ; gate holds the
    // unnormalized prompt gate weights, inv the inverse normalizer.
    private void accumulateCurvature(int i, double inv) {
        int zo = i * r;
        for (int c = 0; c < r; c++) {
            zh[c] = z[zo + c];
        }
        if (bias) {
            zh[r] = 1.0;
        }
        for (int u = 0; u < rb; u++) {
            for (int v = u; v < rb; v++) {
                zz[u * rb + v] = zh[u] * zh[v];
            }
        }
        for (int l = 0; l < atoms; l++) {
            gate[l] *= inv;
        }
        for (int l = 0; l < atoms; l++) {
            double pl = gate[l];
            for (int u = 0; u < rb; u++) {
                pz[l * rb + u] += pl * zh[u];
            }
            for (int m = l; m < atoms; m++) {
                double w = (m == l ? pl : 0.0) - pl * gate[m];
                int ho = (l * atoms + m) * rb * rb;
                for (int u = 0; u < rb; u++) {
                    for (int v = u; v < rb; v++) {
                        hz[ho + u * rb + v] += w * zz[u * rb + v];
                    }
                }
            }
        }
    }

    // Jhat_l: (key, bias) as a function of the packed atom (θ_l, b_l), rb × stride.
    private double jhat(int l, int u, int a) {
        if (u < r) {
            return a < p ? dKey[(l * r + u) * p + a] : 0.0;
        }
        return a == p ? 1.0 : 0.0;
    }

    private void assemble(double sigma2, double[] grad, double[] hneg) {
        int dim = atoms * stride;
        double invS = 1.0 / sigma2;
        // Symmetrize the (key, bias)-space curvature blocks.
        for (int l = 0; l < atoms; l++) {
            for (int m = l; m < atoms; m++) {
                int ho = (l * atoms + m) * rb * rb;
                for (int u = 0; u < rb; u++) {
                    for (int v = 0; v < u; v++) {
                        hz[ho + u * rb + v] = hz[ho + v * rb + u];
                    }
                }
            }
        }
        for (int l = 0; l < atoms; l++) {
            for (int a = 0; a < stride; a++) {
                double g = 0;
                for (int u = 0; u < rb; u++) {
                    double stat = u < r ? zSum[l * r + u] : resp[l];
                    g += jhat(l, u, a) * (stat - pz[l * rb + u]);
                }
                if (a < p) {
                    for (int b = 0; b < q; b++) {
                        g += dValue[(l * q + b) * p + a] * (ySum[l * q + b] - resp[l] * value[l * q + b]) * invS;
                    }
                }
                grad[l * stride + a] = g;
            }
        }
        for (int l = 0; l < atoms; l++) {
            for (int m = l; m < atoms; m++) {
                int ho = (l * atoms + m) * rb * rb;
                for (int a = 0; a < stride; a++) {
                    for (int b = 0; b < stride; b++) {
                        double h = 0;
                        for (int u = 0; u < rb; u++) {
                            double ja = jhat(l, u, a);
                            if (ja == 0.0) {
                                continue;
                            }
                            for (int v = 0; v < rb; v++) {
                                h += ja * hz[ho + u * rb + v] * jhat(m, v, b);
                            }
                        }
                        if (l == m && a < p && b < p) {
                            double gv = 0;
                            for (int c = 0; c < q; c++) {
                                gv += dValue[(l * q + c) * p + a] * dValue[(l * q + c) * p + b];
                            }
                            h += resp[l] * gv * invS;
                        }
                        hneg[(l * stride + a) * dim + m * stride + b] = h;
                        hneg[(m * stride + b) * dim + l * stride + a] = h;
                    }
                }
            }
        }
    }
}
