package org.prefixmoe.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryTest {
    private static ResultRow row(String study, int n, int rep, double d1, String redundancy, String stop, String status) {
        ResultRow r = ResultRow.blank();
        r.set("scenario", "s");
        r.set("fingerprint", "f");
        r.set("study", study);
        r.set("parameterization", study);
        r.set("L", 3);
        r.set("L_star", 2);
        r.set("n", n);
        r.set("replicate", rep);
        r.set("status", status);
        r.set("stop_reason", stop);
        r.set("d1", d1);
        r.set("redundancy", redundancy);
        return r;
    }

    @Test
    void statisticsSlopesAndOutcomes() {
        List<ResultRow> rows = new ArrayList<>();
        int[] ns = {100, 1000, 10000};
        for (int n : ns) {
            for (int k = 0; k < 4; k++) {
                double d1 = Math.pow(n, -0.5) * (1 + 0.1 * k);
                rows.add(row("shared-linear", n, k, d1, k == 0 ? "split" : "switched-off",
                        k == 1 ? "max-iterations" : "objective-change", "ok"));
            }
            rows.add(row("shared-linear", n, 4, Double.NaN, "", "failed", "failed"));
        }
        java.util.Collections.reverse(rows);
        Summary s = Summary.of(rows);
        List<Summary.Cell> d1 = s.series("shared-linear", "d1");
        assertEquals(3, d1.size());
        assertEquals(100, d1.get(0).n());
        assertEquals(4, d1.get(0).stats().count());
        assertEquals(0.1 * 1.15, d1.get(0).stats().mean(), 1e-12);
        assertEquals(0.1 * 1.15, d1.get(0).stats().median(), 1e-12);
        Summary.Rate rate = s.rate("shared-linear", "d1").orElseThrow();
        assertEquals(-0.5, rate.fit().slope(), 1e-9);
        assertEquals(-0.5, rate.theory().slope());
        assertEquals("agrees", rate.verdict());
        Summary.Outcome o = s.outcomes().get(0);
        assertEquals(5, o.tasks());
        assertEquals(1, o.failed());
        assertEquals(1, o.capped());
        assertEquals(3, o.switchedOff());
        assertEquals(1, o.split());
        assertTrue(s.markdown("t").contains("| shared-linear | 3 / 2 | d1 | -0.500 |"), s.markdown("t"));
    }

    @Test
    void theoryTable() {
        assertEquals(-0.5, Theory.of("shared-linear", true, "d1").slope());
        assertTrue(Double.isNaN(Theory.of("non-shared", true, "d1").slope()));
        assertEquals(-0.5, Theory.of("non-shared", false, "d1").slope());
        assertEquals(-0.25, Theory.of("shared-nonlinear", true, "multi_weighted").slope());
        assertEquals(-0.5, Theory.of("non-shared", true, "regression").slope());
    }
}
