package org.prefixmoe.estimation;

import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

class LeastSquaresContractTest extends EstimatorContractTest {
    @Override
    Estimator estimator(int maxIterations) {
        return new LeastSquaresEstimator(LeastSquaresEstimator.Options.DEFAULT.withMaxIterations(maxIterations));
    }

    @Override
    Dataset data(TruthModel tm, int n, long seed) {
        return RegressionSampler.of(tm).sample(n, RandomStreams.stream(seed, n));
    }
}
