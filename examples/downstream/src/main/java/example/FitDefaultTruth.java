package example;

import org.apache.commons.rng.UniformRandomProvider;
import org.prefixmoe.estimation.FitProblem;
import org.prefixmoe.estimation.FitResult;
import org.prefixmoe.estimation.Fitting;
import org.prefixmoe.estimation.LeastSquaresEstimator;
import org.prefixmoe.estimation.RandomInitializer;
import org.prefixmoe.io.DefaultTruths;
import org.prefixmoe.loss.VoronoiLoss;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/**
 * Samples from the default shared-linear truth (read from the library jar), fits an over-specified
 * model by least squares and prints the Voronoi loss; exits with status 1 if the fit is far off.
 */
public final class FitDefaultTruth {
    public static void main(String[] args) {
        TruthModel truth = DefaultTruths.sharedLinear();
        UniformRandomProvider rng = RandomStreams.stream(2025, 1);
        Dataset data = RegressionSampler.of(truth).sample(5_000, rng);
        FitProblem problem = new FitProblem(truth.model(), data, 3, truth.box());
        FitResult fit = Fitting.fitWithRestarts(new LeastSquaresEstimator(), problem, new RandomInitializer(), 5, rng);
        double d1 = VoronoiLoss.d1(fit.estimate(), truth.truth());
        System.out.printf("downstream fit: L = 3, n = 5000, stop = %s, D1 = %.4f%n", fit.stopReason(), d1);
        if (!(d1 < 0.5)) {
            System.exit(1);
        }
    }
}
