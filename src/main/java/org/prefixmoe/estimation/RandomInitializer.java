package org.prefixmoe.estimation;

import org.apache.commons.rng.UniformRandomProvider;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.NonShared;
import org.prefixmoe.sampling.Dataset;

/**
 * The {@code random} start (docs/theory.md §3): what a user without the truth does. Atom coordinates are
 * uniform on the central half of the box (standard normal if the box is unbounded); for
 * {@code non-shared} atoms the value part is a response {@code Y_i} drawn from the data (clipped
 * to the box), so that starts are data-driven; biases are {@code −log L}, giving the prompts
 * together about the weight of one pretrained expert.
 */
public final class RandomInitializer implements Initializer {
    /** The name used in scenarios. */
    public static final String NAME = "random";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public MixingMeasure start(FitProblem problem, UniformRandomProvider rng) {
        int fitted = problem.atoms();
        int p = problem.model().atomDimension();
        double lo = problem.box().atomLower();
        double hi = problem.box().atomUpper();
        boolean bounded = Double.isFinite(lo) && Double.isFinite(hi);
        double mid = bounded ? 0.5 * (lo + hi) : 0;
        double half = bounded ? 0.25 * (hi - lo) : 1;
        Dataset data = problem.data();
        int q = data.outputDimension();
        boolean nonShared = problem.model().parameterization() instanceof NonShared;
        int r = problem.model().keyDimension();
        double[][] atoms = new double[fitted][p];
        for (int l = 0; l < fitted; l++) {
            for (int c = 0; c < p; c++) {
                atoms[l][c] = mid + half * (2 * rng.nextDouble() - 1);
            }
            if (nonShared) {
                int i = rng.nextInt(data.size());
                for (int a = 0; a < q; a++) {
                    atoms[l][r + a] = Math.min(hi, Math.max(lo, data.y()[i * q + a]));
                }
            }
        }
        double[] biases = null;
        if (problem.model().hasBias()) {
            biases = new double[fitted];
            double b = Math.min(problem.box().biasUpper(), Math.max(problem.box().biasLower(), -Math.log(fitted)));
            java.util.Arrays.fill(biases, b);
        }
        return new MixingMeasure(atoms, biases);
    }
}
