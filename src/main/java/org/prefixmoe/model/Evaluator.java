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
 *
 * <h2>The fused pass</h2>
 * {@link #normalEquations} runs over the data in fixed chunks of {@value #CHUNK} samples; each
 * chunk's sums ({@code JᵀJ}, {@code Jᵀr}, the residual sum of squares) start from zero and are
 * added up in chunk order at the end, so the result does not depend on how many threads
 * ({@link #setThreads}) share the chunks: it is bit-identical for any thread count. Two kernels
 * compute a chunk: {@link Kernel#VECTOR} with the JDK Vector API ({@code jdk.incubator.vector},
 * used when the JVM runs with {@code --add-modules jdk.incubator.vector}) and
 * {@link Kernel#SCALAR}, plain Java, used otherwise or when the system property
 * {@code prefixmoe.vector} is {@code false}. Both give the same bits: {@code ScalarKernel} repeats
 * the vector kernel's operations lane by lane (tested on every parameterization), so results do
 * not depend on whether the module is loaded, only on the opt-ins
 * {@code -Dprefixmoe.vector.width=preferred} and {@code -Dprefixmoe.gating=projected} (gates on z = Bᵀx).
 */
public final class Evaluator {
    /** Samples per chunk of the fused pass: the unit of work of a thread and of the fixed reduction order. */
    public static final int CHUNK = 4096;

    /** How a chunk of the fused pass is computed. */
    public enum Kernel {
        /** Plain Java loops (auto-vectorized where the JIT can). */
        SCALAR,
        /** SIMD lanes through the JDK Vector API ({@code jdk.incubator.vector}). */
        VECTOR
    }

    private static final boolean VECTOR_AVAILABLE = vectorAvailable();

    private static boolean vectorAvailable() {
        // Checked without touching VectorKernel, whose loading needs the incubator module.
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** {@return whether the vector kernel can run in this JVM (the module {@code jdk.incubator.vector} is present)} */
    public static boolean vectorKernelAvailable() {
        return VECTOR_AVAILABLE;
    }

    /**
     * {@return the kernel new evaluators use: {@link Kernel#VECTOR} when available unless the system
     * property {@code prefixmoe.vector} is {@code false}}
     */
    public static Kernel defaultKernel() {
        return VECTOR_AVAILABLE && !"false".equalsIgnoreCase(System.getProperty("prefixmoe.vector"))
                ? Kernel.VECTOR : Kernel.SCALAR;
    }

    private final PrefixModel model;
    private final Parameterization map;
    final int atoms;
    final int d;
    final int q;
    final int p;
    private final int r;
    final int stride;
    final boolean bias;
    final int n;
    private final double[] x;
    private final double[] logScore0;
    private final double[] mean0;
    private final double[] bMatrix;

    // Per-atom caches, refreshed by setParameters.
    final double[] kappa;   // L × D, gating slopes B key(θ_l)
    final double[] dKappa;  // L × p × D, (B ∂key/∂θ) transposed per atom
    /**
     * Whether the pass gates on the projected inputs {@code z = Bᵀx} ({@code -Dprefixmoe.gating=projected}, opt-in,
     * issue 23): B is fixed, so the gates and gating slopes can sweep r values per sample with {@code key(θ)} and
     * {@code ∂key/∂θ} instead of D values with {@code B key} and {@code B ∂key/∂θ}. The same model; another rounding
     * of every pass (so not the rows committed with the plain pass); the per-sample paths stay on x.
     */
    static final boolean PROJECTED = "projected".equals(System.getProperty("prefixmoe.gating"));
    final int gd;             // the kernels' gating inputs per sample: D, or r when PROJECTED
    final double[] gT;        // gd × nPad: xT, or z = Bᵀx transposed
    final double[] gKappa;    // L × gd: kappa, or key(θ_l)
    final double[] gDKappa;   // L × p × gd: dKappa, or ∂key/∂θ transposed per atom
    final double[] value;   // L × q
    final double[] dValue;  // L × q × p
    final double[] biases;  // L
    // True when every atom has the same ∂κ/∂θ (a key map linear in θ: shared-linear, non-shared),
    // so the gating-slope derivatives of a block are computed once for all atoms.
    boolean sameSlopes;
    private final double[] keyTmp;
    private final double[] dKeyTmp;
    private final double[] valueTmp;
    private final double[] dValueTmp;

    // Per-sample scratch.
    private final double[] gate;    // L prompt gate probabilities
    private final double[] slopeX;  // L × p, (∂κ_l/∂θ)^T x
    private final double[] f;
    private double[] jacobianRow;  // q × P, made by the first Jacobian product

    // Blocked kernels of normalEquations: samples are processed BLOCK at a time in
    // structure-of-arrays layout, so that every inner loop runs over samples (long, unit-stride
    // loops) instead of over the tiny dimensions D, p, q, L. Sample arrays are padded with zeros
    // to a whole number of blocks, so that vector loops never need a tail.
    // The vector kernel's block and the scratch buffers' size: 256 (issue 23: 7-11% less fit time
    // on the peers' workload than 64, measured interleaved; 128 and 512 were slower than 256; the
    // scalar kernel keeps 64, ScalarKernel.BLOCK). -Dprefixmoe.block=N (a multiple of SUM_BLOCK
    // that divides CHUNK) changes the speed only, never the bits: tested against 64 in a child JVM.
    static final int BLOCK = blockSize();
    // Samples per group of the sums, whatever BLOCK is: within a block, the products (JᵀJ, Jᵀr)
    // of each group of SUM_BLOCK samples are summed from zero and then added to the chunk's lanes,
    // and the squared residuals enter the SSR lanes output by output per group. This grouping is
    // part of the summation order, so it fixes the bits of every fit: 64, the block size every
    // committed row was computed with.
    static final int SUM_BLOCK = 64;

    private static int blockSize() {
        int b = Integer.getInteger("prefixmoe.block", 256);
        if (b < 64 || b % 64 != 0 || CHUNK % b != 0) {
            throw new IllegalArgumentException("prefixmoe.block: must be a multiple of 64 that divides " + CHUNK
                    + ", got " + b);
        }
        return b;
    }
    final int nPad;                  // n rounded up to a multiple of BLOCK
    final double[] xT;               // D × nPad, inputs column-major
    final double[] meanT;            // q × nPad, pretrained mean column-major
    final double[] ls0;              // nPad, pretrained log-score (log Σ_j exp s_j)
    private double[] yRef;           // the responses yT was made from
    private double[] yT;             // q × nPad
    final int packedLength;          // P(P+1)/2 entries of the upper triangle of JᵀJ
    private final int chunks;
    private final double[] partials; // per chunk: packed JᵀJ, Jᵀr, SSR
    // Live (not identically zero) Jacobian columns per output coordinate, set by liveColumns().
    final int[] live;                // q: how many
    final int[] slot;                // q × P: stored position of column c of a, or −1
    final int[] column;              // q × (P+1): the column stored at each position
    final int[] entry;               // q × (P+1) × (P+1): packed sum of stored columns (k1, k2); k2 = live[a]: Jᵀr
    private Kernel kernel = defaultKernel();
    private int threads = 1;
    private Scratch[] scratch = new Scratch[0];
    private VectorKernel vector;
    private ScalarKernel scalar;

    /** Block buffers of one thread of the pass. */
    final class Scratch {
        final double[] bGate = new double[atoms * BLOCK];   // L × BLOCK: scores, then prompt gates
        final double[] bPi0 = new double[BLOCK];            // pretrained gate probability
        final double[] bF = new double[q * BLOCK];          // f_G
        final double[] bSlope = new double[p * BLOCK];      // gating slope derivatives of one atom
        // a's live Jacobian columns, then its residual, at (a·(P+1) + k)·BLOCK, and one padding
        // column that a vector sweep may read past the last.
        final double[] bJac = new double[(q * (dimension() + 1) + 1) * BLOCK];
        final double[] lanes;                               // per-lane partial sums of the chunk
        final double[] sums = new double[packedLength + dimension() + 1];

        Scratch(int laneCount) {
            lanes = new double[(packedLength + dimension() + 1) * laneCount];
        }
    }

    /**
     * @param model the model
     * @param atoms number L of fitted atoms
     * @param x the design, n × D row-major (kept by reference: do not modify)
     * @param pretrained the pretrained part evaluated on {@code x}
     */
    public Evaluator(PrefixModel model, int atoms, double[] x, PretrainedPart pretrained) {
        this(model, atoms, x, pretrained, null);
    }

    /**
     * An evaluator of the same model, atoms and data as {@code design}, with its own parameters
     * and scratch, sharing the padded column-major copies of the data that {@code design} made
     * (they are never modified) and its copy of the last responses it saw: O(L) work instead of
     * O(n), so that the starts of a fit or several fits on one data set copy the data once.
     *
     * @param design an evaluator on the data to share
     */
    public Evaluator(Evaluator design) {
        this(design.model, design.atoms, design.x, null, design);
    }

    private Evaluator(PrefixModel model, int atoms, double[] x, PretrainedPart pretrained, Evaluator design) {
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
        if (pretrained != null && pretrained.n() != n) {
            throw new IllegalArgumentException("pretrained part has " + pretrained.n() + " rows, design has " + n);
        }
        this.x = x;
        this.logScore0 = design != null ? design.logScore0 : pretrained.logScore();
        this.mean0 = design != null ? design.mean0 : pretrained.mean();
        this.bMatrix = model.gatingProjectionData();
        this.kappa = new double[atoms * d];
        this.dKappa = new double[atoms * d * p];
        this.gd = PROJECTED ? r : d;
        this.gKappa = PROJECTED ? new double[atoms * r] : kappa;
        this.gDKappa = PROJECTED ? new double[atoms * r * p] : dKappa;
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
        this.nPad = (n + BLOCK - 1) / BLOCK * BLOCK;
        if (design != null) {
            this.xT = design.xT;
            this.gT = design.gT;
            this.meanT = design.meanT;
            this.ls0 = design.ls0;
            synchronized (design) {
                this.yRef = design.yRef;
                this.yT = design.yT;
            }
        } else {
            this.xT = paddedTranspose(x, n, d, nPad);
            this.gT = PROJECTED ? paddedTranspose(projected(x, n, d, r, bMatrix), n, r, nPad) : xT;
            this.meanT = paddedTranspose(mean0, n, q, nPad);
            this.ls0 = java.util.Arrays.copyOf(logScore0, nPad);
        }
        this.packedLength = dimension() * (dimension() + 1) / 2;
        this.chunks = (n + CHUNK - 1) / CHUNK;
        this.partials = new double[chunks * (packedLength + dimension() + 1)];
        this.live = new int[q];
        this.slot = new int[q * dimension()];
        this.column = new int[q * (dimension() + 1)];
        this.entry = new int[q * (dimension() + 1) * (dimension() + 1)];
        liveColumns();   // of the zero parameters, until setParameters
    }

    /** {@code z = Bᵀx} per sample, n × r row-major (each entry summed over u in order). */
    private static double[] projected(double[] x, int n, int d, int r, double[] b) {
        double[] z = new double[n * r];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < r; k++) {
                double s = 0;
                for (int u = 0; u < d; u++) {
                    s += b[u * r + k] * x[i * d + u];
                }
                z[i * r + k] = s;
            }
        }
        return z;
    }

    /**
     * Selects the kernel of {@link #normalEquations}.
     *
     * @param k the kernel; {@link Kernel#VECTOR} needs {@link #vectorKernelAvailable()}
     */
    public void setKernel(Kernel k) {
        if (k == Kernel.VECTOR && !VECTOR_AVAILABLE) {
            throw new IllegalStateException("the vector kernel needs the JVM option --add-modules jdk.incubator.vector");
        }
        if (k != kernel) {
            kernel = k;
            scratch = new Scratch[0];
        }
    }

    /** {@return the kernel of {@link #normalEquations}} */
    public Kernel kernel() {
        return kernel;
    }

    /**
     * Number of threads that share the chunks of {@link #normalEquations} (default 1: the
     * calling thread only). The result is bit-identical for any value.
     *
     * @param threads at least 1
     */
    public void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: must be >= 1, got " + threads);
        }
        this.threads = threads;
    }

    /** {@return the number of threads of the fused pass} */
    public int threads() {
        return threads;
    }

    /**
     * Compiles the fused pass before the data is there. The JIT compiles the vector kernel only
     * after each of its loops ran some 5,000 times, and until then a pass runs interpreted or
     * lightly compiled code tens of times slower: a first pass over 10^6 samples then costs about
     * 0.6 s instead of 25 ms. This runs {@link #normalEquations} on a small synthetic design of the
     * model's shape (1,024 samples, inputs uniform in [−1, 1]^D, parameters drawn in [−1, 1])
     * until the time of a pass has settled (at least 300 passes, then the last 20 within 1.25 times
     * the fastest) or 3 s have passed; about 0.5 s of one core. A command that reads a large file
     * can do this on another core meanwhile. Results are unaffected (the kernels give the same
     * bits compiled or not). Best effort: an error here is dropped, the real fit reports its own.
     *
     * @param model the model that will be fitted
     * @param atoms the number of atoms that will be fitted
     */
    public static void warmUp(PrefixModel model, int atoms) {
        try {
            int d = model.inputDimension();
            int n = 1024;
            java.util.SplittableRandom rnd = new java.util.SplittableRandom(1);
            double[] x = new double[n * d];
            for (int i = 0; i < x.length; i++) {
                x[i] = rnd.nextDouble(-1, 1);
            }
            Evaluator ev = new Evaluator(model, atoms, x, model.pretrained().evaluate(x));
            double[] y = new double[n * model.outputDimension()];
            double[] params = new double[ev.dimension()];
            double[] jtj = new double[params.length * params.length];
            double[] jtr = new double[params.length];
            long end = System.nanoTime() + 3_000_000_000L;
            long fastest = Long.MAX_VALUE;
            int settled = 0;
            for (int k = 0; settled < 20 && System.nanoTime() < end; k++) {
                for (int c = 0; c < params.length; c++) {
                    params[c] = rnd.nextDouble(-1, 1);
                }
                ev.setParameters(params);
                long t0 = System.nanoTime();
                ev.normalEquations(y, jtj, jtr);
                long t = System.nanoTime() - t0;
                fastest = Math.min(fastest, t);
                settled = k >= 300 && t <= 1.25 * fastest ? settled + 1 : 0;
            }
        } catch (RuntimeException e) {
            // Best effort (see above).
        }
    }

    /**
     * Finds, for the parameters just set, the Jacobian columns of each output coordinate a that
     * vanish identically: column (a; l, c) is zero for every sample when ∂ν_la/∂θ_c = 0 and the
     * gating slope does not depend on θ_c (non-shared prompts: a value coordinate of another
     * output). Those columns are neither computed nor multiplied; their entries of JᵀJ stay 0,
     * which is what summing their exact zeros would give. The live columns of a are stored in
     * order, followed by a's residual, and {@code entry} maps pairs of stored columns to the
     * packed sums. Refreshed with the parameters ({@link #setParameters}); both kernels use these tables.
     */
    void liveColumns() {
        final int cols = dimension();
        final int packed = packedLength;
        for (int a = 0; a < q; a++) {
            int k = 0;
            for (int c = 0; c < cols; c++) {
                int l = c / stride;
                int cc = c % stride;
                boolean zero = cc < p && dValue[(l * q + a) * p + cc] == 0.0;
                for (int u = 0; u < gd && zero; u++) {
                    zero = gDKappa[(l * p + cc) * gd + u] == 0.0;   // the kernels' own slopes (dKappa unless projected)
                }
                slot[a * cols + c] = zero ? -1 : k;
                if (!zero) {
                    column[a * (cols + 1) + k++] = c;
                }
            }
            live[a] = k;
            for (int k1 = 0; k1 < k; k1++) {
                int c1 = column[a * (cols + 1) + k1];
                int row = (a * (cols + 1) + k1) * (cols + 1);
                for (int k2 = k1; k2 < k; k2++) {
                    entry[row + k2] = packed(c1, column[a * (cols + 1) + k2], cols);
                }
                entry[row + k] = packed + c1;   // Jᵀr
            }
        }
    }

    /** Index of entry (c1, c2), c1 ≤ c2, of the upper triangle packed row by row. */
    private static int packed(int c1, int c2, int cols) {
        return c1 * cols - c1 * (c1 - 1) / 2 + (c2 - c1);
    }

    private static double[] paddedTranspose(double[] a, int rows, int cols, int paddedRows) {
        double[] t = new double[cols * paddedRows];
        for (int i = 0; i < rows; i++) {
            for (int k = 0; k < cols; k++) {
                t[k * paddedRows + i] = a[i * cols + k];
            }
        }
        return t;
    }

    /** {@return the model} */
    public PrefixModel model() {
        return model;
    }

    /** {@return the number of samples in the design} */
    public int size() {
        return n;
    }

    /** {@return the number L of atoms} */
    public int atoms() {
        return atoms;
    }

    /** {@return the length of the packed parameter vector} */
    public int dimension() {
        return atoms * stride;
    }

    /**
     * Sets the mixing measure.
     *
     * @param g a measure with L atoms
     */
    public void setMeasure(MixingMeasure g) {
        if (g.size() != atoms) {
            throw new IllegalArgumentException("measure has " + g.size() + " atoms, evaluator expects " + atoms);
        }
        setParameters(g.pack());
    }

    /**
     * Sets the packed parameters {@code (θ_1, b_1, ..., θ_L, b_L)} and refreshes per-atom caches.
     *
     * @param params the packed vector, of length {@link #dimension()}; not modified
     */
    public void setParameters(double[] params) {
        for (int l = 0; l < atoms; l++) {
            int off = l * stride;
            map.map(params, off, keyTmp, valueTmp, dKeyTmp, dValueTmp);
            biases[l] = bias ? params[off + p] : 0.0;
            for (int k = 0; k < r && PROJECTED; k++) {
                gKappa[l * r + k] = keyTmp[k];
                for (int c = 0; c < p; c++) {
                    gDKappa[(l * p + c) * r + k] = dKeyTmp[k * p + c];
                }
            }
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
        sameSlopes = true;
        for (int l = 1; l < atoms && sameSlopes; l++) {
            sameSlopes = java.util.Arrays.equals(gDKappa, l * p * gd, (l + 1) * p * gd, gDKappa, 0, p * gd);
        }
        liveColumns();
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
     *
     * @param i the sample, from 0
     * @param out receives the L prompt probabilities; modified
     * @return the total gate probability of the N pretrained experts
     */
    public double gateProbabilities(int i, double[] out) {
        double pi0 = gates(i);
        System.arraycopy(gate, 0, out, 0, atoms);
        return pi0;
    }

    /**
     * The log-domain gating score of a prompt at a sample.
     *
     * @param l the prompt, from 0
     * @param i the sample, from 0
     * @return {@code κ(θ_l)ᵀX_i + b_l}
     */
    public double promptScore(int l, int i) {
        double s = biases[l];
        for (int u = 0; u < d; u++) {
            s += kappa[l * d + u] * x[i * d + u];
        }
        return s;
    }

    /**
     * One component of a prompt's value.
     *
     * @param l the prompt, from 0
     * @param a the component, from 0
     * @return component a of ν(θ_l)
     */
    public double promptValue(int l, int a) {
        return value[l * q + a];
    }

    /**
     * The regression function at one sample.
     *
     * @param i the sample, from 0
     * @param out receives {@code f_G(X_i)}, length q; modified
     */
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
     *
     * @param i the sample, from 0
     * @param out receives {@code f_G(X_i)}, length q; modified
     * @param jacobian receives the Jacobian; modified
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

    /**
     * The residual sum of squares.
     *
     * @param y the responses, n × q row-major; not modified
     * @return {@code Σ_i ‖Y_i − f_G(X_i)‖²}
     */
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
     * the n × P Jacobian, and returns the residual sum of squares. Runs on {@link #threads()}
     * threads; the result does not depend on their number.
     *
     * @param y the responses, n × q row-major
     * @param jtj receives JᵀJ, P × P row-major
     * @param jtr receives Jᵀr, length P
     * @return the residual sum of squares {@code Σ_i ||Y_i − f_G(X_i)||²}
     */
    public double normalEquations(double[] y, double[] jtj, double[] jtr) {
        final int cols = dimension();
        final double[] yc = transposedResponses(y);
        final int width = packedLength + cols + 1;
        int workers = Math.min(threads, chunks);
        final PassKernel pass = passKernel();
        if (scratch.length < workers) {
            Scratch[] more = java.util.Arrays.copyOf(scratch, workers);
            for (int t = scratch.length; t < workers; t++) {
                more[t] = new Scratch(pass.lanes());
            }
            scratch = more;
        }
        if (workers == 1) {
            chunkRange(pass, scratch[0], 0, chunks, yc);
        } else {
            // Threads take the next chunk as they become free (a thread the OS parks does not hold
            // up a fixed share); each chunk's sums land in its own row, so the result is the same.
            java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
            ChunkPool.run(workers, t -> {
                for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                    chunkRange(pass, scratch[t], c, c + 1, yc);
                }
            });
        }
        // Fixed reduction order: chunk 0, 1, 2, ... whatever thread computed them.
        double[] sums = scratch[0].sums;
        System.arraycopy(partials, 0, sums, 0, width);
        for (int c = 1; c < chunks; c++) {
            int o = c * width;
            for (int k = 0; k < width; k++) {
                sums[k] += partials[o + k];
            }
        }
        int k = 0;
        for (int c1 = 0; c1 < cols; c1++) {
            for (int c2 = c1; c2 < cols; c2++) {
                jtj[c1 * cols + c2] = sums[k];
                jtj[c2 * cols + c1] = sums[k];
                k++;
            }
        }
        System.arraycopy(sums, packedLength, jtr, 0, cols);
        return sums[width - 1];
    }

    /**
     * The residuals {@code r = f_G(X) − Y} at the current parameters, in one pass on the calling
     * thread (for the geodesic acceleration of the least-squares solver, which needs residual
     * vectors at two points; the fused pass {@link #normalEquations} never forms them).
     *
     * @param y the responses, n × q row-major; not modified
     * @param out receives the residuals, n × q row-major; modified
     * @return the residual sum of squares
     */
    public double residuals(double[] y, double[] out) {
        checkLength("y", y);
        checkLength("out", out);
        double ssr = 0;
        for (int i = 0; i < n; i++) {
            value(i, f);
            for (int a = 0; a < q; a++) {
                double e = f[a] - y[i * q + a];
                out[i * q + a] = e;
                ssr += e * e;
            }
        }
        return ssr;
    }

    /**
     * {@code Jᵀw} at the current parameters for any vector w of the residuals' shape (J the
     * n q × P Jacobian of {@code f_G(X)}), in one pass on the calling thread; the Jacobian is
     * formed one sample at a time and never stored.
     *
     * @param w the vector, n × q row-major; not modified
     * @param out receives {@code Jᵀw}, length {@link #dimension()}; modified
     */
    public void jacobianTransposeTimes(double[] w, double[] out) {
        checkLength("w", w);
        jacobianProducts(null, w, null, 0, null, out);
    }

    /**
     * The second directional derivative of the residuals along v at the current point x by the
     * finite difference of Transtrum and Sethna, {@code r''_v ≈ (2/h) [(r(x + hv) − r(x))/h − Jv]}
     * with J and r(x) at x, and {@code Jᵀr''_v}, in one pass on the calling thread (docs/theory.md
     * §3; the geodesic acceleration of the least-squares solver).
     *
     * @param y the responses, n × q row-major; not modified
     * @param stepped the residuals at {@code x + hv} ({@link #residuals} there), n × q; not modified
     * @param v the direction, length {@link #dimension()}; not modified
     * @param h the finite-difference step (positive)
     * @param second receives {@code r''_v}, n × q row-major, or null when not wanted; modified
     * @param out receives {@code Jᵀr''_v}, length {@link #dimension()}; modified
     */
    public void secondDirectional(double[] y, double[] stepped, double[] v, double h, double[] second,
                                  double[] out) {
        checkLength("y", y);
        checkLength("stepped", stepped);
        if (second != null) {
            checkLength("second", second);
        }
        if (!(h > 0)) {
            throw new IllegalArgumentException("h: must be > 0, got " + h);
        }
        jacobianProducts(y, stepped, v, h, second, out);
    }

    /**
     * {@code out = Jᵀw} at the current parameters, one sample's Jacobian at a time. With {@code y}
     * null, w is {@code given}; otherwise w is the Transtrum–Sethna second difference along v
     * with {@code given} the residuals at {@code x + hv}, written into {@code second} when not null.
     */
    private void jacobianProducts(double[] y, double[] given, double[] v, double h, double[] second,
                                  double[] out) {
        int cols = dimension();
        double[] jac = jacobianScratch();
        java.util.Arrays.fill(out, 0, cols, 0.0);
        for (int i = 0; i < n; i++) {
            valueAndJacobian(i, f, jac);
            for (int a = 0; a < q; a++) {
                int ro = a * cols;
                int k = i * q + a;
                double w = given[k];
                if (y != null) {
                    double jv = 0;
                    for (int c = 0; c < cols; c++) {
                        jv += jac[ro + c] * v[c];
                    }
                    w = 2 / h * ((w - (f[a] - y[k])) / h - jv);
                    if (second != null) {
                        second[k] = w;
                    }
                }
                for (int c = 0; c < cols; c++) {
                    out[c] += jac[ro + c] * w;
                }
            }
        }
    }

    private double[] jacobianScratch() {
        if (jacobianRow == null) {
            jacobianRow = new double[q * dimension()];
        }
        return jacobianRow;
    }

    private void checkLength(String name, double[] v) {
        if (v.length != n * q) {
            throw new IllegalArgumentException(name + ": expected " + n * q + " values (n × q), found " + v.length);
        }
    }

    /** {@return the kernel of the pass (made on first use; the vector one only when selected)} */
    private PassKernel passKernel() {
        if (kernel == Kernel.VECTOR) {
            if (vector == null) {
                vector = new VectorKernel(this);
            }
            return vector;
        }
        if (scalar == null) {
            scalar = new ScalarKernel(this);
        }
        return scalar;
    }

    /** Computes chunks [from, to) into their rows of {@code partials}. */
    private void chunkRange(PassKernel pass, Scratch w, int from, int to, double[] yc) {
        final int width = packedLength + dimension() + 1;
        for (int c = from; c < to; c++) {
            int start = c * CHUNK;
            pass.chunk(w, start, Math.min(n, start + CHUNK), yc, partials, c * width);
        }
    }

    // Synchronized only for the copy constructor, which may read these from another thread.
    private synchronized double[] transposedResponses(double[] y) {
        if (y != yRef) {
            if (y.length != n * q) {
                throw new IllegalArgumentException("y: expected " + n * q + " values (n × q), found " + y.length);
            }
            yT = paddedTranspose(y, n, q, nPad);
            yRef = y;
        }
        return yT;
    }

    /**
     * Makes the padded copy of the responses now, so that evaluators made from this one by
     * {@link #Evaluator(Evaluator)} share it.
     *
     * @param y the responses, n × q row-major (kept by reference: do not modify)
     */
    public void prepareResponses(double[] y) {
        transposedResponses(y);
    }

}
