package org.prefixmoe.estimation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.PrefixModel;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;

/**
 * The parametric bootstrap of a fit (docs/theory.md §9): B data sets are drawn from the fitted model
 * at the data's own inputs — {@code Y* = f_Ĝ(X) + σ̂ ε} for least squares, or, for the EM reading,
 * an expert drawn from the fitted gates and {@code Y* = μ_c(X) + σ̂ ε} — each is refitted from Ĝ, the
 * refitted atoms are matched to Ĝ's (the permutation closest in the packed coordinates), and each
 * coordinate gets the standard deviation of its B values and a 95% percentile interval. This is the
 * interval to use when the fit may be over-specified, where Wald intervals are invalid; for a
 * redundant atom the interval is wide or covers the box, which is the honest answer.
 *
 * <p>Replicate b draws from {@code RandomStreams.stream(seed, b)} and the results are collected in
 * replicate order, so the result does not depend on the number of threads.
 */
public final class ParametricBootstrap {
    private ParametricBootstrap() {
    }

    /**
     * Runs the bootstrap.
     *
     * @param problem the fitted problem (its inputs are kept)
     * @param fit the fit (its estimate and σ̂²)
     * @param estimator the estimator that made it; {@code em} selects the density reading
     * @param replicates B, at least 2
     * @param seed the master seed
     * @param threads fits run at once, at least 1
     * @return the inference, method {@code bootstrap}; replicates whose refit failed or did not converge are
     *     left out and counted in its warnings
     */
    public static Inference run(FitProblem problem, FitResult fit, Estimator estimator, int replicates, long seed,
                                int threads) {
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(fit, "fit");
        Objects.requireNonNull(estimator, "estimator");
        if (replicates < 2) {
            throw new IllegalArgumentException("bootstrap: needs at least 2 replicates, got " + replicates);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads: must be >= 1, got " + threads);
        }
        boolean density = "em".equals(estimator.name());
        PrefixModel model = problem.model();
        MixingMeasure g = fit.estimate();
        double sigma = Math.sqrt(fit.noiseVariance());
        double[] x = problem.data().x();
        double[] f = model.regression(g, x);
        double[] gates = density ? model.predict(g, x).gates() : null;
        double[] base = vector(g, fit.noiseVariance(), density);
        double[][] draws = new double[replicates][];
        ForkJoinPool pool = new ForkJoinPool(threads);
        try {
            pool.submit(() -> IntStream.range(0, replicates).parallel().forEach(b -> {
                UniformRandomProvider rng = RandomStreams.stream(seed, b);
                double[] y = density ? densityDraw(model, g, x, gates, sigma, rng) : regressionDraw(f, sigma, rng);
                Dataset d = new Dataset(x, y, model.inputDimension(), model.outputDimension());
                // The same inputs: the pretrained part is the problem's (not evaluated again per replicate).
                FitProblem p = new FitProblem(model, d, problem.atoms(), problem.box(), problem.pretrained());
                try {
                    FitResult r = estimator.fit(p, g);
                    if (r.converged()) {
                        draws[b] = vector(align(r.estimate(), g), r.noiseVariance(), density);
                    }
                } catch (ArithmeticException | IllegalStateException e) {
                    draws[b] = null;
                }
            })).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("bootstrap: interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("bootstrap: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdown();
        }
        List<double[]> ok = new ArrayList<>();
        for (double[] v : draws) {
            if (v != null) {
                ok.add(v);
            }
        }
        int p = base.length;
        double[] se = new double[p];
        double[] lo = new double[p];
        double[] hi = new double[p];
        double[] col = new double[ok.size()];
        for (int c = 0; c < p; c++) {
            double mean = 0;
            for (int b = 0; b < ok.size(); b++) {
                col[b] = ok.get(b)[c];
                mean += col[b];
            }
            mean /= Math.max(1, ok.size());
            double ss = 0;
            for (double v : col) {
                ss += (v - mean) * (v - mean);
            }
            se[c] = ok.size() > 1 ? Math.sqrt(ss / (ok.size() - 1)) : Double.NaN;
            Arrays.sort(col);
            lo[c] = quantile(col, 0.025);
            hi[c] = quantile(col, 0.975);
        }
        List<String> names = new ArrayList<>(StandardErrors.names(model, problem.atoms()));
        if (density) {
            names.add("sigma2");
        }
        List<String> warnings = new ArrayList<>();
        if (ok.size() < replicates) {
            warnings.add((replicates - ok.size()) + " of " + replicates + " bootstrap refits failed or did not"
                    + " converge and are left out");
        }
        return new Inference("bootstrap", names, base, se, lo, hi, Double.NaN, warnings);
    }

    /** Linear interpolation between order statistics (type 7), NaN when empty. */
    static double quantile(double[] sorted, double prob) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double h = (sorted.length - 1) * prob;
        int lo = (int) Math.floor(h);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    private static double[] vector(MixingMeasure g, double sigma2, boolean withSigma) {
        double[] packed = g.pack();
        if (!withSigma) {
            return packed;
        }
        double[] out = Arrays.copyOf(packed, packed.length + 1);
        out[packed.length] = sigma2;
        return out;
    }

    private static double[] regressionDraw(double[] f, double sigma, UniformRandomProvider rng) {
        ZigguratSampler.NormalizedGaussian z = ZigguratSampler.NormalizedGaussian.of(rng);
        double[] y = f.clone();
        for (int k = 0; k < y.length; k++) {
            y[k] += sigma * z.sample();
        }
        return y;
    }

    private static double[] densityDraw(PrefixModel model, MixingMeasure g, double[] x, double[] gates, double sigma,
                                        UniformRandomProvider rng) {
        ZigguratSampler.NormalizedGaussian z = ZigguratSampler.NormalizedGaussian.of(rng);
        int d = model.inputDimension();
        int q = model.outputDimension();
        int n = x.length / d;
        int nExp = model.pretrained().count();
        int k = nExp + g.size();
        double[][] values = model.components(g).expert();
        double[] y = new double[n * q];
        double[] mean = new double[q];
        for (int i = 0; i < n; i++) {
            double u = rng.nextDouble();
            int c = 0;
            double acc = gates[i * k];
            while (c < k - 1 && u >= acc) {
                c++;
                acc += gates[i * k + c];
            }
            if (c < nExp) {
                model.pretrained().output(c, x, i * d, mean, 0);
            } else {
                System.arraycopy(values[c - nExp], 0, mean, 0, q);
            }
            for (int a = 0; a < q; a++) {
                y[i * q + a] = mean[a] + sigma * z.sample();
            }
        }
        return y;
    }

    /**
     * The measure's atoms reordered to match a reference's: the permutation that minimizes the summed
     * squared distance of the atoms (exhaustive up to 8 atoms, greedy above).
     *
     * @param g the measure to reorder
     * @param reference the reference, with as many atoms
     * @return g with its atoms (and biases) permuted
     */
    public static MixingMeasure align(MixingMeasure g, MixingMeasure reference) {
        int l = g.size();
        if (reference.size() != l) {
            throw new IllegalArgumentException("reference: has " + reference.size() + " atoms, the measure " + l);
        }
        double[][] cost = new double[l][l];
        for (int a = 0; a < l; a++) {
            for (int b = 0; b < l; b++) {
                double s = 0;
                for (int c = 0; c < g.atomDimension(); c++) {
                    double e = g.atom(b, c) - reference.atom(a, c);
                    s += e * e;
                }
                cost[a][b] = s;
            }
        }
        int[] best = l <= 8 ? bestPermutation(cost) : greedy(cost);
        double[][] atoms = new double[l][];
        double[] biases = g.hasBias() ? new double[l] : null;
        for (int a = 0; a < l; a++) {
            atoms[a] = g.atom(best[a]);
            if (biases != null) {
                biases[a] = g.bias(best[a]);
            }
        }
        return new MixingMeasure(atoms, biases);
    }

    private static int[] bestPermutation(double[][] cost) {
        int l = cost.length;
        int[] perm = IntStream.range(0, l).toArray();
        int[] best = perm.clone();
        double[] bestCost = {Double.POSITIVE_INFINITY};
        permute(perm, 0, cost, best, bestCost);
        return best;
    }

    private static void permute(int[] perm, int k, double[][] cost, int[] best, double[] bestCost) {
        if (k == perm.length) {
            double s = 0;
            for (int a = 0; a < perm.length; a++) {
                s += cost[a][perm[a]];
            }
            if (s < bestCost[0]) {
                bestCost[0] = s;
                System.arraycopy(perm, 0, best, 0, perm.length);
            }
            return;
        }
        for (int i = k; i < perm.length; i++) {
            int t = perm[k];
            perm[k] = perm[i];
            perm[i] = t;
            permute(perm, k + 1, cost, best, bestCost);
            perm[i] = perm[k];
            perm[k] = t;
        }
    }

    private static int[] greedy(double[][] cost) {
        int l = cost.length;
        int[] out = new int[l];
        boolean[] used = new boolean[l];
        for (int a = 0; a < l; a++) {
            int arg = -1;
            for (int b = 0; b < l; b++) {
                if (!used[b] && (arg < 0 || cost[a][b] < cost[a][arg])) {
                    arg = b;
                }
            }
            used[arg] = true;
            out[a] = arg;
        }
        return out;
    }
}
