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
 * {@code prefixmoe.vector} is {@code false}. Both agree to rounding (tested to 1e-12 relative).
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

    // Blocked kernels of normalEquations: samples are processed BLOCK at a time in
    // structure-of-arrays layout, so that every inner loop runs over samples (long, unit-stride
    // loops) instead of over the tiny dimensions D, p, q, L. Sample arrays are padded with zeros
    // to a whole number of blocks, so that vector loops never need a tail.
    static final int BLOCK = 64;
    final int nPad;                  // n rounded up to a multiple of BLOCK
    final double[] xT;               // D × nPad, inputs column-major
    final double[] meanT;            // q × nPad, pretrained mean column-major
    final double[] ls0;              // nPad, pretrained log-score (log Σ_j exp s_j)
    private double[] yRef;           // the responses yT was made from
    private double[] yT;             // q × nPad
    final int packedLength;          // P(P+1)/2 entries of the upper triangle of JᵀJ
    private final int chunks;
    private final double[] partials; // per chunk: packed JᵀJ, Jᵀr, SSR
    private Kernel kernel = defaultKernel();
    private int threads = 1;
    private Scratch[] scratch = new Scratch[0];
    private VectorKernel vector;

    /** Block buffers of one thread of the pass. */
    final class Scratch {
        final double[] bGate = new double[atoms * BLOCK];   // L × BLOCK: scores, then prompt gates
        final double[] bPi0 = new double[BLOCK];            // pretrained gate probability
        final double[] bF = new double[q * BLOCK];          // f_G
        final double[] bRes = new double[q * BLOCK];        // residuals
        final double[] bSlope = new double[p * BLOCK];      // gating slope derivatives of one atom
        // Scalar kernel: column (a, c) at (a·P + c)·BLOCK. Vector kernel: a's live columns, then its
        // residual, at (a·(P+1) + k)·BLOCK, and one padding column that a sweep may read past the last.
        final double[] bJac = new double[(q * (dimension() + 1) + 1) * BLOCK];
        final double[] lanes;                               // vector kernel: per-lane partial sums
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
            this.meanT = design.meanT;
            this.ls0 = design.ls0;
            synchronized (design) {
                this.yRef = design.yRef;
                this.yT = design.yT;
            }
        } else {
            this.xT = paddedTranspose(x, n, d, nPad);
            this.meanT = paddedTranspose(mean0, n, q, nPad);
            this.ls0 = java.util.Arrays.copyOf(logScore0, nPad);
        }
        this.packedLength = dimension() * (dimension() + 1) / 2;
        this.chunks = (n + CHUNK - 1) / CHUNK;
        this.partials = new double[chunks * (packedLength + dimension() + 1)];
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
            int n = 16 * BLOCK;
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
            sameSlopes = java.util.Arrays.equals(dKappa, l * p * d, (l + 1) * p * d, dKappa, 0, p * d);
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
        if (kernel == Kernel.VECTOR) {
            vectorKernel().prepare();
        }
        if (scratch.length < workers) {
            Scratch[] more = java.util.Arrays.copyOf(scratch, workers);
            for (int t = scratch.length; t < workers; t++) {
                more[t] = new Scratch(kernel == Kernel.VECTOR ? vectorKernel().lanes() : 0);
            }
            scratch = more;
        }
        if (workers == 1) {
            chunkRange(scratch[0], 0, chunks, yc);
        } else {
            // Threads take the next chunk as they become free (a thread the OS parks does not hold
            // up a fixed share); each chunk's sums land in its own row, so the result is the same.
            java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
            ChunkPool.run(workers, t -> {
                for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                    chunkRange(scratch[t], c, c + 1, yc);
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

    private VectorKernel vectorKernel() {
        if (vector == null) {
            vector = new VectorKernel(this);
        }
        return vector;
    }

    /** Computes chunks [from, to) into their rows of {@code partials}. */
    private void chunkRange(Scratch w, int from, int to, double[] yc) {
        final int width = packedLength + dimension() + 1;
        for (int c = from; c < to; c++) {
            int start = c * CHUNK;
            int end = Math.min(n, start + CHUNK);
            if (kernel == Kernel.VECTOR) {
                vector.chunk(w, start, end, yc, partials, c * width);
            } else {
                scalarChunk(w, start, end, yc, partials, c * width);
            }
        }
    }

    /** The scalar kernel: sums of samples [start, end) into out[o ..] (packed JᵀJ, Jᵀr, SSR). */
    private void scalarChunk(Scratch w, int start, int end, double[] yc, double[] out, int o) {
        final int cols = dimension();
        final double[] jac = w.bJac;
        final double[] res = w.bRes;
        java.util.Arrays.fill(out, o, o + packedLength + cols + 1, 0.0);
        final int jo = o + packedLength;
        double ssr = 0;
        for (int b = start; b < end; b += BLOCK) {
            int m = Math.min(BLOCK, end - b);
            ssr += blockValuesAndResiduals(w, b, m, yc);
            blockJacobian(w, b, m);
            for (int a = 0; a < q; a++) {
                final int ro = a * BLOCK;
                final int ao = a * cols * BLOCK;
                int k = o;
                for (int c1 = 0; c1 < cols; c1++) {
                    final int o1 = ao + c1 * BLOCK;
                    out[jo + c1] += dot(jac, o1, res, ro, m);
                    // Four entries of a row of JᵀJ per sweep: column c1 is loaded once for all four.
                    int c2 = c1;
                    for (; c2 + 3 < cols; c2 += 4) {
                        dot4(jac, o1, ao + c2 * BLOCK, m, out, k);
                        k += 4;
                    }
                    for (; c2 < cols; c2++) {
                        out[k++] += dot(jac, o1, jac, ao + c2 * BLOCK, m);
                    }
                }
            }
        }
        out[jo + cols] = ssr;
    }

    /** Gates, f_G and residuals of samples start..start+m into the block buffers; returns their SSR. */
    private double blockValuesAndResiduals(Scratch w, int start, int m, double[] yc) {
        final double[] g = w.bGate;
        final double[] xs = xT;
        final double[] bPi0 = w.bPi0;
        final double[] bF = w.bF;
        final double[] bRes = w.bRes;
        final int np = nPad;
        for (int l = 0; l < atoms; l++) {
            final int go = l * BLOCK;
            java.util.Arrays.fill(g, go, go + m, biases[l]);
            for (int u = 0; u < d; u++) {
                final double k = kappa[l * d + u];
                final int xo = u * np + start;
                for (int i = 0; i < m; i++) {
                    g[go + i] += k * xs[xo + i];
                }
            }
        }
        // Softmax over the pretrained block and the prompts, in the log domain.
        final double[] ls = ls0;
        for (int i = 0; i < m; i++) {
            double max = ls[start + i];
            for (int l = 0; l < atoms; l++) {
                max = Math.max(max, g[l * BLOCK + i]);
            }
            double w0 = Math.exp(ls[start + i] - max);
            double z = w0;
            for (int l = 0; l < atoms; l++) {
                double wl = Math.exp(g[l * BLOCK + i] - max);
                g[l * BLOCK + i] = wl;
                z += wl;
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
            final int mo = a * np + start;
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
    private void blockJacobian(Scratch w, int start, int m) {
        final int cols = dimension();
        final double[] xs = xT;
        final double[] g = w.bGate;
        final double[] sl = w.bSlope;
        final double[] jac = w.bJac;
        final double[] bF = w.bF;
        final int np = nPad;
        for (int l = 0; l < atoms; l++) {
            final int go = l * BLOCK;
            // ∂s_l/∂θ_c = Σ_u (B ∂key/∂θ)[u][c] x_u
            for (int c = 0; c < p && (l == 0 || !sameSlopes); c++) {
                final int so = c * BLOCK;
                java.util.Arrays.fill(sl, so, so + m, 0.0);
                for (int u = 0; u < d; u++) {
                    final double dk = dKappa[(l * p + c) * d + u];
                    final int xo = u * np + start;
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
