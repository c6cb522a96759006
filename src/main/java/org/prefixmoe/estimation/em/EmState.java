package org.prefixmoe.estimation.em;

import org.prefixmoe.model.Evaluator;
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
    /** Samples per block of the passes: the data are stored block by block, each block column-major. */
    static final int BLOCK = 64;

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

    // Per data set, block by block: block b holds, for its BLOCK samples, the columns
    // ||Y||², Y_1..Y_q, z_1..z_r, 1 (the columns of the statistics Σ r_il (·), in the order of an
    // atom's slots below), then s0_1..s0_N, dist0_1..dist0_N, S0. Samples past n are zeros (and
    // the column of ones stays 1); their weights are set to zero, so they add nothing.
    final int width;    // columns per block
    final int cols;     // 2 + q + r: the statistics' columns
    final int colZ;     // first z column; with biases the column of ones follows the last z
    final int colS0;
    final int colDist0;
    final int colLse0;
    final int blocks;
    final double[] data;           // blocks × width × BLOCK

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
    final double[] hz;             // L × L × rb × rb, gating curvature in (key, bias) space
    final double[] pz;             // L × rb, Σ_i π_il ẑ_i

    // Block buffers, BLOCK samples per row.
    final double[] bScore;         // L × BLOCK: prompt scores s_l
    final double[] bGate;          // L × BLOCK: gate weights exp(s_l − max), then probabilities π_l
    final double[] bGmax;          // the largest gate score (S0 included)
    final double[] bGz;            // Σ gate weights, S0 included, relative to the largest
    final double[] bComp;          // (N + L) × BLOCK: joint terms s_c − ||Y − μ_c||²/(2σ²), then responsibilities
    final double[] bAmax;          // the largest joint term
    final double[] bHz0;           // Σ exp(joint − largest)
    private final double[] bInv;   // reciprocals of bGz or bHz0
    private final double[] bW;     // L(L+1)/2 × BLOCK: δ_lm π_l − π_l π_m, l ≤ m
    private final double[] bZz;    // rb(rb+1)/2 × BLOCK: ẑ_u ẑ_v, u ≤ v

    // Per-lane sums of a pass (slot k, lane j at k·lanes + j), summed over lanes in lane order at
    // the end: per atom [Σ r ||Y||², Σ r Y, Σ r z, Σ r], then Σ r_j dist0_j, Σ log-normalizers,
    // the log-likelihood, Σ π ẑ per atom, the gating curvature per pair l ≤ m (upper triangle).
    final int slotPre;
    final int slotLse;
    final int slotLl;
    final int slotPz;
    final int slotHz;
    final int tri;                 // rb(rb+1)/2
    private double[] lanes;
    private int laneCount;
    private Evaluator.Kernel kernel;
    private EStepVectorKernel vector;

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
        this.cols = 2 + q + r;
        this.colZ = 1 + q;
        this.colS0 = cols;
        this.colDist0 = cols + nPre;
        this.colLse0 = cols + 2 * nPre;
        this.width = colLse0 + 1;
        this.blocks = (n + BLOCK - 1) / BLOCK;
        this.data = new double[blocks * width * BLOCK];
        double[][] bMat = model.gatingProjection();
        double[] out = new double[q];
        for (int b = 0; b < blocks; b++) {
            java.util.Arrays.fill(data, (b * width + colZ + r) * BLOCK, (b * width + colZ + r + 1) * BLOCK, 1.0);
        }
        for (int i = 0; i < n; i++) {
            int o = (i / BLOCK) * width * BLOCK + i % BLOCK;
            for (int k = 0; k < r; k++) {
                double s = 0;
                for (int u = 0; u < d; u++) {
                    s += bMat[u][k] * x[i * d + u];
                }
                data[o + (colZ + k) * BLOCK] = s;
            }
            double t = 0;
            for (int a = 0; a < q; a++) {
                double v = yData[i * q + a];
                t += v * v;
                data[o + (1 + a) * BLOCK] = v;
            }
            data[o] = t;
            for (int j = 0; j < nPre; j++) {
                data[o + (colS0 + j) * BLOCK] = pre.score(j, x, i * d);
                pre.output(j, x, i * d, out, 0);
                double e = 0;
                for (int a = 0; a < q; a++) {
                    double v = yData[i * q + a] - out[a];
                    e += v * v;
                }
                data[o + (colDist0 + j) * BLOCK] = e;
            }
            data[o + colLse0 * BLOCK] = logScore0[i];
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
        hz = new double[atoms * atoms * rb * rb];
        pz = new double[atoms * rb];
        bScore = new double[atoms * BLOCK];
        bGate = new double[atoms * BLOCK];
        bGmax = new double[BLOCK];
        bGz = new double[BLOCK];
        bComp = new double[(nPre + atoms) * BLOCK];
        bAmax = new double[BLOCK];
        bHz0 = new double[BLOCK];
        bInv = new double[BLOCK];
        tri = rb * (rb + 1) / 2;
        bW = new double[atoms * (atoms + 1) / 2 * BLOCK];
        bZz = new double[tri * BLOCK];
        slotPre = atoms * cols;
        slotLse = slotPre + 1;
        slotLl = slotLse + 1;
        slotPz = slotLl + 1;
        slotHz = slotPz + atoms * rb;
        setKernel(Evaluator.defaultKernel());
    }

    /**
     * Selects how the passes compute a block: {@link Evaluator.Kernel#VECTOR} (JDK Vector API,
     * needs {@link Evaluator#vectorKernelAvailable()}) or {@link Evaluator.Kernel#SCALAR}; the
     * default is {@link Evaluator#defaultKernel()}, as for the least-squares pass.
     */
    void setKernel(Evaluator.Kernel k) {
        if (k == Evaluator.Kernel.VECTOR && !Evaluator.vectorKernelAvailable()) {
            throw new IllegalStateException("the vector kernel needs the JVM option --add-modules jdk.incubator.vector");
        }
        kernel = k;
        vector = k == Evaluator.Kernel.VECTOR ? new EStepVectorKernel(this) : null;
        laneCount = vector == null ? 1 : vector.lanes();
        lanes = new double[(slotHz + atoms * (atoms + 1) / 2 * tri) * laneCount];
    }

    /** The per-lane sums of the pass (for the vector kernel). */
    double[] lanesArray() {
        return lanes;
    }

    /** {@return the kernel of the passes} */
    Evaluator.Kernel kernel() {
        return kernel;
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
        java.util.Arrays.fill(lanes, 0.0);
        double inv2s = 0.5 / sigma2;
        double logNorm = -0.5 * q * Math.log(2 * Math.PI * sigma2);
        int k = nPre + atoms;
        for (int b = 0; b < blocks; b++) {
            int base = b * width * BLOCK;
            int m = Math.min(BLOCK, n - b * BLOCK);
            gateBlock(base, m, derivs);
            if (vector != null) {
                vector.joint(base, inv2s);
            } else {
                joint(base, inv2s);
            }
            if (m < BLOCK) {
                // Padding: no weight, and log-terms of 0.
                for (int i = m; i < BLOCK; i++) {
                    bAmax[i] = 0;
                    bHz0[i] = 1;
                    for (int c = 0; c < k; c++) {
                        bComp[c * BLOCK + i] = 0;
                    }
                }
            }
            if (vector != null) {
                vector.logTerms(true);
            } else {
                scalarLogTerms(true, m, logNorm);
            }
            for (int i = 0; i < BLOCK; i++) {
                bInv[i] = 1.0 / bHz0[i];
            }
            for (int c = 0; c < k; c++) {
                int co = c * BLOCK;
                for (int i = 0; i < BLOCK; i++) {
                    bComp[co + i] *= bInv[i];
                }
            }
            for (int j = 0; j < nPre; j++) {
                rowTimesColumns(bComp, j * BLOCK, base + (colDist0 + j) * BLOCK, 1, slotPre);
            }
            for (int l = 0; l < atoms; l++) {
                rowTimesColumns(bComp, (nPre + l) * BLOCK, base, cols, l * cols);
            }
        }
        double ll = finishPass(derivs, true);
        if (vector != null) {
            ll += n * logNorm; // the scalar path adds it per sample
        }
        passes++;
        return ll;
    }

    /**
     * Gating part of a block of m live samples: scores, gate weights and normalizers (neutral on
     * the padding), and with {@code derivs} the gate probabilities, the gating curvature and Σ π ẑ
     * into the lane sums.
     */
    private void gateBlock(int base, int m, boolean derivs) {
        if (vector != null) {
            vector.gates(base);
        } else {
            gates(base);
        }
        if (m < BLOCK) {
            for (int i = m; i < BLOCK; i++) {
                bGmax[i] = 0;
                bGz[i] = 1;
                for (int l = 0; l < atoms; l++) {
                    bGate[l * BLOCK + i] = 0;
                }
            }
        }
        if (!derivs) {
            return;
        }
        for (int i = 0; i < BLOCK; i++) {
            bInv[i] = 1.0 / bGz[i];
        }
        for (int l = 0; l < atoms; l++) {
            int go = l * BLOCK;
            for (int i = 0; i < BLOCK; i++) {
                bGate[go + i] *= bInv[i];
            }
        }
        // ẑ = (z, 1) is the run of columns from colZ: z, then the column of ones.
        int t = 0;
        for (int u = 0; u < rb; u++) {
            int uo = base + (colZ + u) * BLOCK;
            for (int v = u; v < rb; v++, t++) {
                int vo = base + (colZ + v) * BLOCK;
                int to = t * BLOCK;
                for (int i = 0; i < BLOCK; i++) {
                    bZz[to + i] = data[uo + i] * data[vo + i];
                }
            }
        }
        t = 0;
        for (int l = 0; l < atoms; l++) {
            int lo = l * BLOCK;
            for (int m2 = l; m2 < atoms; m2++, t++) {
                int mo = m2 * BLOCK;
                int to = t * BLOCK;
                if (m2 == l) {
                    for (int i = 0; i < BLOCK; i++) {
                        bW[to + i] = bGate[lo + i] - bGate[lo + i] * bGate[lo + i];
                    }
                } else {
                    for (int i = 0; i < BLOCK; i++) {
                        bW[to + i] = -(bGate[lo + i] * bGate[mo + i]);
                    }
                }
            }
        }
        for (int l = 0; l < atoms; l++) {
            rowTimesColumns(bGate, l * BLOCK, base + colZ * BLOCK, rb, slotPz + l * rb);
        }
        int pairs = atoms * (atoms + 1) / 2;
        for (t = 0; t < pairs; t++) {
            rowTimesColumnsOf(bW, t * BLOCK, bZz, 0, tri, slotHz + t * tri);
        }
    }

    /** Adds Σ_i row_i · data column c (i over the block) to slot k + c, for the count columns from co. */
    private void rowTimesColumns(double[] row, int ro, int co, int count, int k) {
        rowTimesColumnsOf(row, ro, data, co, count, k);
    }

    private void rowTimesColumnsOf(double[] row, int ro, double[] columns, int co, int count, int k) {
        if (vector != null) {
            vector.rowTimesColumns(row, ro, columns, co, count, lanes, k);
            return;
        }
        for (int c = 0; c < count; c++) {
            int o = co + c * BLOCK;
            double s = 0;
            for (int i = 0; i < BLOCK; i++) {
                s += row[ro + i] * columns[o + i];
            }
            lanes[k + c] += s;
        }
    }

    /** Scalar kernel: prompt scores, gate weights relative to the largest score, and their sum. */
    private void gates(int base) {
        int lso = base + colLse0 * BLOCK;
        System.arraycopy(data, lso, bGmax, 0, BLOCK);
        for (int l = 0; l < atoms; l++) {
            int so = l * BLOCK;
            java.util.Arrays.fill(bScore, so, so + BLOCK, bs[l]);
            for (int k = 0; k < r; k++) {
                double kv = key[l * r + k];
                int zo = base + (colZ + k) * BLOCK;
                for (int i = 0; i < BLOCK; i++) {
                    bScore[so + i] += kv * data[zo + i];
                }
            }
            for (int i = 0; i < BLOCK; i++) {
                bGmax[i] = Math.max(bGmax[i], bScore[so + i]);
            }
        }
        for (int i = 0; i < BLOCK; i++) {
            bGz[i] = Math.exp(data[lso + i] - bGmax[i]);
        }
        for (int l = 0; l < atoms; l++) {
            int so = l * BLOCK;
            for (int i = 0; i < BLOCK; i++) {
                double w = Math.exp(bScore[so + i] - bGmax[i]);
                bGate[so + i] = w;
                bGz[i] += w;
            }
        }
    }

    /** Scalar kernel: the joint terms' weights relative to the largest, and their sum. */
    private void joint(int base, double inv2s) {
        java.util.Arrays.fill(bAmax, Double.NEGATIVE_INFINITY);
        for (int j = 0; j < nPre; j++) {
            int co = j * BLOCK;
            int so = base + (colS0 + j) * BLOCK;
            int dso = base + (colDist0 + j) * BLOCK;
            for (int i = 0; i < BLOCK; i++) {
                double a = data[so + i] - data[dso + i] * inv2s;
                bComp[co + i] = a;
                bAmax[i] = Math.max(bAmax[i], a);
            }
        }
        for (int l = 0; l < atoms; l++) {
            int co = (nPre + l) * BLOCK;
            java.util.Arrays.fill(bComp, co, co + BLOCK, 0.0);
            for (int a = 0; a < q; a++) {
                double v = value[l * q + a];
                int yo = base + (1 + a) * BLOCK;
                for (int i = 0; i < BLOCK; i++) {
                    double e = data[yo + i] - v;
                    bComp[co + i] += e * e;
                }
            }
            int so = l * BLOCK;
            for (int i = 0; i < BLOCK; i++) {
                double a = bScore[so + i] - bComp[co + i] * inv2s;
                bComp[co + i] = a;
                bAmax[i] = Math.max(bAmax[i], a);
            }
        }
        java.util.Arrays.fill(bHz0, 0.0);
        for (int c = 0; c < nPre + atoms; c++) {
            int co = c * BLOCK;
            for (int i = 0; i < BLOCK; i++) {
                double w = Math.exp(bComp[co + i] - bAmax[i]);
                bComp[co + i] = w;
                bHz0[i] += w;
            }
        }
    }

    /**
     * Scalar kernel: adds the block's log-normalizers {@code log Σ_c exp s_c} to the lane sums and,
     * for the E-step, the log-likelihood terms {@code amax + log hz0 − logG + logNorm}, sample by
     * sample over the m live samples.
     */
    private void scalarLogTerms(boolean eStep, int m, double logNorm) {
        for (int i = 0; i < m; i++) {
            double logG = bGmax[i] + Math.log(bGz[i]);
            lanes[slotLse] += logG;
            if (eStep) {
                lanes[slotLl] += bAmax[i] + Math.log(bHz0[i]) - logG + logNorm;
            }
        }
    }

    /**
     * Sums the lanes in lane order into the statistics of the pass (the E-step's, or only the
     * log-normalizers for {@link #q}) and, with {@code derivs}, into the curvature; returns the
     * log-likelihood sum (without the normal constant on the vector path).
     */
    private double finishPass(boolean derivs, boolean eStep) {
        if (eStep) {
            for (int l = 0; l < atoms; l++) {
                int k = l * cols;
                yySum[l] = laneSum(k);
                for (int a = 0; a < q; a++) {
                    ySum[l * q + a] = laneSum(k + 1 + a);
                }
                for (int c = 0; c < r; c++) {
                    zSum[l * r + c] = laneSum(k + colZ + c);
                }
                resp[l] = laneSum(k + cols - 1);
            }
            preSs = laneSum(slotPre);
            lseSum = laneSum(slotLse);
        }
        if (derivs) {
            for (int l = 0; l < atoms; l++) {
                for (int u = 0; u < rb; u++) {
                    pz[l * rb + u] = laneSum(slotPz + l * rb + u);
                }
            }
            int t = 0;
            for (int l = 0; l < atoms; l++) {
                for (int m = l; m < atoms; m++, t++) {
                    int ho = (l * atoms + m) * rb * rb;
                    int tt = 0;
                    for (int u = 0; u < rb; u++) {
                        for (int v = u; v < rb; v++, tt++) {
                            hz[ho + u * rb + v] = laneSum(slotHz + t * tri + tt);
                        }
                    }
                }
            }
        }
        return eStep ? laneSum(slotLl) : laneSum(slotLse);
    }

    private double laneSum(int k) {
        double s = 0;
        for (int j = 0; j < laneCount; j++) {
            s += lanes[k * laneCount + j];
        }
        return s;
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
        java.util.Arrays.fill(lanes, 0.0);
        for (int b = 0; b < blocks; b++) {
            int base = b * width * BLOCK;
            int m = Math.min(BLOCK, n - b * BLOCK);
            gateBlock(base, m, derivs);
            if (vector != null) {
                vector.logTerms(false);
            } else {
                scalarLogTerms(false, m, 0.0);
            }
        }
        double lse = finishPass(derivs, false);
        passes++;
        return finish(sigma2, lse, grad, hneg);
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
