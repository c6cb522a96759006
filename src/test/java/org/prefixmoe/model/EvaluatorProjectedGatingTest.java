package org.prefixmoe.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.prefixmoe.TestModels;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.RegressionSampler;

/**
 * The opt-in pass that gates on the projected inputs {@code z = Bᵀx} ({@code -Dprefixmoe.gating=projected}) is the
 * same model: in a child JVM started with it, the normal equations of every parameterization (several sizes, the
 * atoms of the truth and a third one off it) equal this JVM's plain ones within 1e-12 relative, and its two kernels
 * agree with each other bit for bit, as the plain ones do.
 */
class EvaluatorProjectedGatingTest {

    /** One line per case: SSR, then Jᵀr, then JᵀJ, in full precision; the kernels' bits agreeing or not. */
    static List<String> passes() {
        List<String> out = new ArrayList<>();
        for (String name : new String[] {"shared-linear", "shared-nonlinear", "non-shared"}) {
            TruthModel tm = TestModels.defaultTruth(name);
            for (int n : new int[] {40, 1000, Evaluator.CHUNK + 300}) {
                Dataset data = RegressionSampler.of(tm).sample(n, RandomStreams.stream(41, n));
                Evaluator ev = new Evaluator(tm.model(), 3, data.x(), tm.model().pretrained().evaluate(data.x()));
                ev.setMeasure(new MixingMeasure(new double[][] {tm.truth().atom(0), tm.truth().atom(1),
                    tm.truth().atom(0)}, new double[] {0.3, -0.2, -1}));
                int dim = ev.dimension();
                StringBuilder line = new StringBuilder(name + " n=" + n);
                String first = null;
                for (Evaluator.Kernel k : Evaluator.vectorKernelAvailable() ? Evaluator.Kernel.values()
                        : new Evaluator.Kernel[] {Evaluator.Kernel.SCALAR}) {
                    ev.setKernel(k);
                    double[] jtj = new double[dim * dim];
                    double[] jtr = new double[dim];
                    double ssr = ev.normalEquations(data.y(), jtj, jtr);
                    StringBuilder values = new StringBuilder().append(' ').append(ssr);
                    for (double v : jtr) {
                        values.append(' ').append(v);
                    }
                    for (double v : jtj) {
                        values.append(' ').append(v);
                    }
                    if (first == null) {
                        first = values.toString();
                        line.append(first);
                    } else {
                        line.append(" | kernels agree ").append(first.equals(values.toString()));
                    }
                }
                out.add(line.toString());
            }
        }
        return out;
    }

    /** The child JVM: prints whether it gates on projected inputs, then {@link #passes()}. */
    public static void main(String[] args) {
        System.out.println("projected " + Evaluator.PROJECTED);
        for (String line : passes()) {
            System.out.println(line);
        }
    }

    @Test
    void projectedGatingGivesTheSameNormalEquations() throws IOException, InterruptedException {
        assertFalse(Evaluator.PROJECTED, "this JVM runs the plain pass");
        List<String> lines = ChildJvm.run(EvaluatorProjectedGatingTest.class, "-Dprefixmoe.gating=projected");
        String out = String.join("\n", lines);
        assertEquals("projected true", lines.remove(0), out);
        List<String> here = passes();
        assertEquals(here.size(), lines.size(), out);
        boolean anyBitDiffers = false;
        for (int i = 0; i < here.size(); i++) {
            String[] plain = here.get(i).split(" \\| ")[0].split(" ");
            String[] child = lines.get(i).split(" \\| ")[0].split(" ");
            assertEquals(plain.length, child.length);
            assertEquals(plain[0] + plain[1], child[0] + child[1]);
            for (int j = 2; j < plain.length; j++) {
                double a = Double.parseDouble(plain[j]);
                double b = Double.parseDouble(child[j]);
                assertEquals(a, b, 1e-12 * Math.max(1.0, Math.abs(a)), here.get(i).substring(0, 30) + " entry " + j);
                anyBitDiffers |= a != b;
            }
            if (Evaluator.vectorKernelAvailable()) {
                assertTrue(lines.get(i).endsWith("kernels agree true"), lines.get(i).substring(0, 30));
                assertTrue(here.get(i).endsWith("kernels agree true"), here.get(i).substring(0, 30));
            }
        }
        assertTrue(anyBitDiffers, "the child ran another rounding, not the plain pass");
    }
}
