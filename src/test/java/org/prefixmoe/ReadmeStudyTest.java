package org.prefixmoe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.prefixmoe.io.DefaultTruths;
import org.prefixmoe.loss.VoronoiLoss;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.simulation.Engine;
import org.prefixmoe.simulation.ResultRow;
import org.prefixmoe.simulation.Scenario;
import org.prefixmoe.simulation.Summary;

/** The README's "A study from Java", kept compiling, running and identical to the README's block (imports too). */
class ReadmeStudyTest {
    private static final String BEGIN = "// --- README study begins";
    private static final String END = "// --- README study ends";

    @Test
    void aStudyFromJava() {
        // --- README study begins
        Scenario study = Scenario.builder()
                .name("demo").seed(2025)
                .study("shared-linear", DefaultTruths.sharedLinear(), 3)   // L = 3 atoms fitted, L* = 2
                .study("non-shared", DefaultTruths.nonShared(), 3)
                .logSizes(250, 2000, 4).replicates(6)                      // n = 250, 500, 1000, 2000
                .solver("max_iterations", 200)                             // any setting of the estimator
                .build();                                                  // the checks a scenario file gets
        List<ResultRow> rows = new Engine(4, null).run(study);             // 4 threads, rows in memory
        Summary summary = Summary.of(rows);
        for (Summary.Rate rate : summary.rates()) {                        // log-log slope of the mean loss
            System.out.printf("%-14s %-14s slope %6.2f (theory %s)%n", rate.study().name(), rate.metric(),
                    rate.fit().slope(), rate.theory().text());
        }
        MixingMeasure g = rows.get(0).estimate().orElseThrow();           // fitted atoms, stored per row
        double d2r3 = VoronoiLoss.d2(g, DefaultTruths.sharedLinear().truth(), 3);   // a new loss, no refit
        // --- README study ends
        assertEquals(48, rows.size());
        assertTrue(rows.stream().allMatch(ResultRow::ok));
        assertTrue(summary.rate("shared-linear", "d1").isPresent());
        assertTrue(Double.isFinite(d2r3) && d2r3 >= 0, "D_2,3 = " + d2r3);
        assertEquals(rows.get(0).d2(), VoronoiLoss.d2(g, DefaultTruths.sharedLinear().truth(), 2));
    }

    @Test
    void theReadmeShowsExactlyThisCode() {
        ReadmeBlocks.assertReadmeShows("### A study from Java", 0, "src/test/java/org/prefixmoe/ReadmeStudyTest.java",
                BEGIN, END);
    }
}
