package org.prefixmoe.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.prefixmoe.TestModels;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/** The regression loss: by hand on a shifted truth, and {@link RegressionError.On} equal to {@link RegressionError#l2} bit for bit. */
class RegressionErrorTest {

    @Test
    void precomputedTruthGivesTheSameBits() {
        for (String name : new String[] {"shared-linear", "shared-nonlinear", "non-shared"}) {
            TruthModel tm = TestModels.defaultTruth(name);
            double[] x = RegressionSampler.of(tm).sample(3000, RandomStreams.stream(41)).x();
            RegressionError.On on = RegressionError.on(tm.model(), tm.model(), tm.truth(), x);
            MixingMeasure truth = tm.truth();
            MixingMeasure[] estimates = {
                truth,
                new MixingMeasure(new double[][] {truth.atom(0), truth.atom(1), truth.atom(0)},
                        new double[] {0.1, -0.3, -2}),
                new MixingMeasure(new double[][] {truth.atom(1)}, new double[] {0.5}),
            };
            for (MixingMeasure g : estimates) {
                double want = RegressionError.l2(tm.model(), g, tm.model(), truth, x);
                assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(on.l2(g)),
                        name + ", " + g.size() + " atoms");
            }
            assertEquals(0.0, on.l2(truth), name + ": the truth has no error");
            assertTrue(on.l2(estimates[2]) > 0.01, name + ": a missing atom shows");
        }
    }

    @Test
    void precomputedTruthChecksItsArguments() {
        TruthModel tm = TestModels.defaultTruth("shared-linear");
        assertThrows(IllegalArgumentException.class,
                () -> RegressionError.on(tm.model(), tm.model(), tm.truth(), new double[0]));
        assertThrows(NullPointerException.class, () -> RegressionError.on(null, tm.model(), tm.truth(), new double[4]));
    }
}
