package org.prefixmoe.estimation;

import org.prefixmoe.estimation.em.EmEstimator;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.DensitySampler;
import org.prefixmoe.sampling.RandomStreams;

class EmContractTest extends EstimatorContractTest {
    @Override
    Estimator estimator(int maxIterations) {
        return new EmEstimator(EmEstimator.Options.DEFAULT.withMaxIterations(maxIterations));
    }

    @Override
    Dataset data(TruthModel tm, int n, long seed) {
        return new DensitySampler(tm.model(), tm.truth(), tm.sigma(), tm.input()).sample(n,
                RandomStreams.stream(seed, n));
    }
}
