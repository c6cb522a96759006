package org.prefixmoe.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.prefixmoe.estimation.FitProblem;
import org.prefixmoe.estimation.FitResult;
import org.prefixmoe.estimation.Initializer;
import org.prefixmoe.estimation.Iterate;
import org.prefixmoe.estimation.LeastSquaresEstimator;
import org.prefixmoe.estimation.NearTruthInitializer;
import org.prefixmoe.estimation.RandomInitializer;
import org.prefixmoe.estimation.StopRule;
import org.prefixmoe.io.ModelFiles;
import org.prefixmoe.model.Evaluator;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/**
 * Why over-specified fits crawl (issue 23): for one data set and start of {@code bench/same_start.py}
 * (same seeds), the default fit with its damping path, then at its end point the spectrum of the
 * scaled {@code JᵀJ} ({@code D^-1/2 JᵀJ D^-1/2}, D its diagonal), the coordinates on a bound, and a
 * continuation with every tolerance at 1e-15 (20,000 iterations): how far the objective still falls,
 * which coordinates move and whether the move follows the flattest eigenvector.
 *
 * <pre>
 * java -cp ... org.prefixmoe.bench.FlatSetDiagnosis MODEL N SEED NEAR START L [METHOD [MAX_ITERATIONS]]
 * </pre>
 */
public final class FlatSetDiagnosis {
    private FlatSetDiagnosis() {
    }

    /**
     * Entry point.
     *
     * @param args model file, n, seed, near-truth starts, start index, L, optional method name
     * @throws Exception on bad input
     */
    public static void main(String[] args) throws Exception {
        TruthModel tm = ModelFiles.read(Path.of(args[0]));
        int n = Integer.parseInt(args[1]);
        long seed = Long.parseLong(args[2]);
        int near = Integer.parseInt(args[3]);
        int k = Integer.parseInt(args[4]);
        int atoms = Integer.parseInt(args[5]);
        LeastSquaresEstimator.Options base = LeastSquaresEstimator.Options.LEGACY_LM; // as in every run of issue 23
        if (args.length > 6) {
            base = base.withMethod(LeastSquaresEstimator.Method.byLabel(args[6]));
        }
        if (args.length > 7) {
            base = base.withMaxIterations(Integer.parseInt(args[7]));
        }
        Dataset data = RegressionSampler.of(tm).sample(n, RandomStreams.stream(seed, 1));
        FitProblem problem = new FitProblem(tm.model(), data, atoms, tm.box());
        boolean isNear = k < near;
        Initializer init = isNear ? new NearTruthInitializer(tm.truth()) : new RandomInitializer();
        MixingMeasure raw = init.start(problem, RandomStreams.stream(seed, isNear ? 2 : 3, k));
        MixingMeasure start = MixingMeasure.unpack(problem.startVector(raw), raw.atomDimension(), raw.hasBias());

        List<Iterate> trace = new ArrayList<>();
        StopRule def = base.stopRule();
        StopRule tracing = it -> {
            trace.add(it);
            return def.test(it);
        };
        FitResult fit = new LeastSquaresEstimator(base, tracing).fit(problem, start);
        System.out.printf("default fit: objective %.12g, %d iterations, %d evaluations, stop %s%n",
                fit.objective(), fit.iterations(), fit.evaluations(), fit.stopReason().label());
        System.out.println("iter objective relReduction gainRatio damping rejected projGradient stepNorm");
        for (int i = 0; i < trace.size(); i++) {
            Iterate it = trace.get(i);
            if (i < 5 || i % 10 == 0 || i >= trace.size() - 5) {
                System.out.printf("%4d %.12g %.3e %.3f %.3e %d %.3e %.3e%n", it.iteration(), it.objective() / n,
                        it.relativeReduction(), it.gainRatio(), it.damping(), it.rejectedTrials(),
                        it.projectedGradient(), it.stepNorm());
            }
        }
        double[] x1 = fit.estimate().pack();
        describe("end point of the default fit", problem, x1);

        trace.clear();
        LeastSquaresEstimator.Options tight = base.withMaxIterations(20_000).withObjectiveTolerance(1e-15)
                .withStepTolerance(1e-15).withGradientTolerance(1e-15);
        StopRule tightRule = tight.stopRule();
        StopRule tracing2 = it -> {
            trace.add(it);
            return tightRule.test(it);
        };
        FitResult more = new LeastSquaresEstimator(tight, tracing2).fit(problem, fit.estimate());
        System.out.printf("%ncontinued at 1e-15: objective %.12g (relative %.3e lower), %d more iterations, %d"
                + " evaluations, stop %s%n", more.objective(), (fit.objective() - more.objective()) / fit.objective(),
                more.iterations(), more.evaluations(), more.stopReason().label());
        System.out.println("iter objective relReduction gainRatio damping rejected projGradient stepNorm");
        for (int i = 0; i < trace.size(); i++) {
            Iterate it = trace.get(i);
            if (i < 3 || (i & (i - 1)) == 0 || i >= trace.size() - 3) {
                System.out.printf("%5d %.12g %.3e %.3f %.3e %d %.3e %.3e%n", it.iteration(), it.objective() / n,
                        it.relativeReduction(), it.gainRatio(), it.damping(), it.rejectedTrials(),
                        it.projectedGradient(), it.stepNorm());
            }
        }
        double[] x2 = more.estimate().pack();
        describe("end point of the continuation", problem, x2);
        double[] d = new double[x1.length];
        System.out.print("move x2 - x1:");
        for (int c = 0; c < d.length; c++) {
            d[c] = x2[c] - x1[c];
            System.out.printf(" %.3g", d[c]);
        }
        System.out.println();
        double[][] flat = flattest(problem, x1);
        double dn = 0;
        for (double v : d) {
            dn += v * v;
        }
        for (int e = 0; e < flat.length; e++) {
            double dot = 0;
            for (int c = 0; c < d.length; c++) {
                dot += flat[e][c] * d[c];
            }
            System.out.printf("cosine of the move with eigenvector %d (flattest first, unscaled coordinates): %.3f%n",
                    e, dot / Math.sqrt(dn));
        }
    }

    private static double[][] normal(FitProblem problem, double[] x) {
        Evaluator ev = problem.evaluator();
        int dim = ev.dimension();
        double[] a = new double[dim * dim];
        double[] g = new double[dim];
        ev.setParameters(x);
        double ssr = ev.normalEquations(problem.data().y(), a, g);
        return new double[][] {a, g, {ssr}};
    }

    private static EigenDecomposition_F64<DMatrixRMaj> eig(double[] a, int dim) {
        DMatrixRMaj s = new DMatrixRMaj(dim, dim);
        for (int r = 0; r < dim; r++) {
            for (int c = 0; c < dim; c++) {
                s.data[r * dim + c] = a[r * dim + c] / Math.sqrt(a[r * dim + r] * a[c * dim + c]);
            }
        }
        EigenDecomposition_F64<DMatrixRMaj> e = DecompositionFactory_DDRM.eig(dim, true, true);
        if (!e.decompose(s)) {
            throw new IllegalStateException("eigen decomposition failed");
        }
        return e;
    }

    /** The two flattest eigenvectors, mapped back to unscaled coordinates and normalized. */
    private static double[][] flattest(FitProblem problem, double[] x) {
        double[] a = normal(problem, x)[0];
        int dim = x.length;
        EigenDecomposition_F64<DMatrixRMaj> e = eig(a, dim);
        Integer[] order = new Integer[dim];
        for (int i = 0; i < dim; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (p, q) -> Double.compare(e.getEigenvalue(p).real, e.getEigenvalue(q).real));
        double[][] out = new double[2][dim];
        for (int j = 0; j < 2; j++) {
            DMatrixRMaj v = e.getEigenVector(order[j]);
            double norm = 0;
            for (int c = 0; c < dim; c++) {
                out[j][c] = v.data[c] / Math.sqrt(a[c * dim + c]);
                norm += out[j][c] * out[j][c];
            }
            for (int c = 0; c < dim; c++) {
                out[j][c] /= Math.sqrt(norm);
            }
        }
        return out;
    }

    private static void describe(String what, FitProblem problem, double[] x) {
        double[][] ne = normal(problem, x);
        double[] a = ne[0];
        double[] g = ne[1];
        int dim = x.length;
        double[] lo = problem.lower();
        double[] hi = problem.upper();
        EigenDecomposition_F64<DMatrixRMaj> e = eig(a, dim);
        double[] ev = new double[dim];
        for (int i = 0; i < dim; i++) {
            ev[i] = e.getEigenvalue(i).real;
        }
        java.util.Arrays.sort(ev);
        System.out.printf("%n%s: objective %.12g%n  point:", what, ne[2][0] / problem.data().size());
        for (double v : x) {
            System.out.printf(" %.4g", v);
        }
        System.out.print("\n  eigenvalues of the scaled JtJ:");
        for (double v : ev) {
            System.out.printf(" %.2e", v);
        }
        System.out.print("\n  on a bound (coordinate: side, scaled gradient):");
        double rn = Math.sqrt(ne[2][0]);
        for (int c = 0; c < dim; c++) {
            if (x[c] <= lo[c] || x[c] >= hi[c]) {
                System.out.printf(" %d:%s %.2e", c, x[c] <= lo[c] ? "lo" : "hi",
                        g[c] / (Math.sqrt(a[c * dim + c]) * rn));
            }
        }
        System.out.print("\n  scaled gradient per coordinate:");
        for (int c = 0; c < dim; c++) {
            System.out.printf(" %.1e", g[c] / (Math.sqrt(a[c * dim + c]) * rn));
        }
        System.out.println();
    }
}
