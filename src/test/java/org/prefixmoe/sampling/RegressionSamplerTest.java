package org.prefixmoe.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import org.prefixmoe.TestModels;
import org.prefixmoe.model.PretrainedPart;
import org.prefixmoe.model.TruthModel;

/** {@link RegressionSampler#draw}: the data set of {@code sample}, with the pretrained part its responses came from. */
class RegressionSamplerTest {
    @Test
    void drawIsSampleWithThePretrainedPartAtItsInputs() {
        for (String p : new String[] {"shared-linear", "non-shared"}) {
            TruthModel tm = TestModels.defaultTruth(p);
            RegressionSampler sampler = RegressionSampler.of(tm);
            Dataset data = sampler.sample(777, RandomStreams.stream(61, 1));
            RegressionSampler.Drawn drawn = sampler.draw(777, RandomStreams.stream(61, 1));
            assertArrayEquals(data.x(), drawn.data().x(), p);
            assertArrayEquals(data.y(), drawn.data().y(), p);
            assertSame(tm.model().pretrained(), drawn.experts());
            PretrainedPart part = tm.model().pretrained().evaluate(data.x());
            assertArrayEquals(part.logScore(), drawn.pretrained().logScore(), p);
            assertArrayEquals(part.mean(), drawn.pretrained().mean(), p);
            // The responses are the truth's regression at these inputs plus noise: sigma = 0 leaves it alone.
            RegressionSampler exact = new RegressionSampler(tm.model(), tm.truth(), 0, tm.input());
            RegressionSampler.Drawn noiseless = exact.draw(777, RandomStreams.stream(61, 1));
            assertArrayEquals(tm.model().regression(tm.truth(), noiseless.data().x()), noiseless.data().y(), p);
        }
    }
}
