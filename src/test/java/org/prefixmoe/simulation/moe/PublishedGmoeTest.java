package org.prefixmoe.simulation.moe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.prefixmoe.estimation.moe.MixtureEm;
import org.prefixmoe.estimation.moe.MixtureFit;
import org.prefixmoe.model.moe.Components;
import org.prefixmoe.model.moe.MixtureOfExperts;

/**
 * The Gaussian-gated MoE's published results are one EM step from its near-truth starts: on the
 * published code's own data and start (regenerated with its seeds, n = 100), our EM with
 * {@code max-iterations: 1} gives its parameters and its stored loss to rounding, with the model,
 * truth and loss read from our scenario file.
 */
class PublishedGmoeTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void oneEmStepReproducesTheStoredLoss(int truth) throws IOException {
        Path dir = Path.of("src/test/resources/peers/gmoe");
        JsonNode ref = new ObjectMapper().readTree(dir.resolve("truth" + truth + "-k4-n100-rep0.json").toFile());
        List<String> lines = Files.readAllLines(dir.resolve("truth" + truth + "-k4-n100-rep0.csv"));
        int d = lines.get(0).split(",").length - 1;
        int n = lines.size() - 1;
        double[] x = new double[n * d];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            String[] f = lines.get(i + 1).split(",");
            for (int a = 0; a < d; a++) {
                x[i * d + a] = Double.parseDouble(f[a]);
            }
            y[i] = Double.parseDouble(f[d]);
        }
        MoeScenario s = MoeScenarioFiles.read(Path.of("simulations/moe/gmoe-truth" + truth + "-one-step.yaml"));
        MixtureOfExperts fitted = s.model().withComponents(4);
        Components start = components(ref.get("start"), d);
        MixtureFit f = MixtureEm.defaults().withMaxIterations(1).fit(fitted, x, y, start);
        Components expected = components(ref.get("one_step"), d);
        for (int k = 0; k < 4; k++) {
            double[] e = fitted.atom(expected, k);
            double[] a = fitted.atom(f.estimate(), k);
            for (int c = 0; c < e.length; c++) {
                assertEquals(e[c], a[c], 1e-12 * (1 + Math.abs(e[c])), "component " + k + " coordinate " + c);
            }
        }
        double loss = MoeRunner.losses(s, fitted, f.estimate()).raw().loss();
        assertEquals(ref.get("stored_loss").asDouble(), loss, 1e-12 * loss);
    }

    /** The published code's parameters (pi[K], c[K,d], Gamma[K,d,d], A[K,1,d], b[K,1], nu[K,1,1]) as components. */
    private static Components components(JsonNode p, int d) {
        int k = p.get("pi").size();
        double[][] gate = new double[k][1 + d + d * d];
        double[][] expert = new double[k][d + 1];
        double[] nu = new double[k];
        for (int c = 0; c < k; c++) {
            gate[c][0] = p.get("pi").get(c).asDouble();
            for (int a = 0; a < d; a++) {
                gate[c][1 + a] = p.get("c").get(c).get(a).asDouble();
                for (int b = 0; b < d; b++) {
                    gate[c][1 + d + a * d + b] = p.get("Gamma").get(c).get(a).get(b).asDouble();
                }
                expert[c][a] = p.get("A").get(c).get(0).get(a).asDouble();
            }
            expert[c][d] = p.get("b").get(c).get(0).asDouble();
            nu[c] = p.get("nu").get(c).get(0).get(0).asDouble();
        }
        return new Components(gate, expert, nu);
    }
}
