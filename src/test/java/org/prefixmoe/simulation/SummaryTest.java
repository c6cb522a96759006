package org.prefixmoe.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
        r.set("estimator", "least-squares");
        r.set("L", 3);
        r.set("L_star", 2);
        r.set("n", n);
        r.set("replicate", rep);
        r.set("status", status);
        r.set("stop_reason", stop);
        r.set("d1", d1);
        r.set("redundancy", redundancy);
        r.set("empty_cells", status.equals("ok") ? 0 : null);
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
        assertEquals(-0.5, rate.median().slope(), 1e-9);
        assertEquals(4, rate.fit().replicates());
        assertEquals(-0.5, rate.theory().slope());
        assertEquals(Theory.Basis.THEORY, rate.theory().basis());
        // 4 replicates and 3 sizes: no verdict, however well the slope matches.
        assertEquals(Verdict.Kind.TOO_FEW, rate.verdict().kind());
        Summary.Outcome o = s.outcomes().get(0);
        assertEquals(5, o.tasks());
        assertEquals(1, o.failed());
        assertEquals(1, o.capped());
        assertEquals(3, o.switchedOff());
        assertEquals(1, o.split());
        assertEquals(4, o.classified());
        assertEquals(0.75, o.switchedOffFraction().estimate(), 1e-15);
        // D_1 > 0.1 at n = 100: the replicates 0.1 * (1, 1.1, 1.2, 1.3) -> 3 of 4.
        assertEquals(3, o.d1Above());
        assertEquals(4, o.d1Fits());
        assertTrue(s.markdown("t").contains("| shared-linear | 3 / 2 | d1 | -0.500 |"), s.markdown("t"));
        assertTrue(s.ratesCsv().lines().findFirst().orElseThrow().contains("median_slope,median_ci_low"));
        assertTrue(s.outcomesCsv().contains("switched_off_frac"));
    }

    @Test
    void convergedFitsWhoseGaussNewtonModelPromisesMoreAreCountedNotCertified() {
        List<ResultRow> rows = new ArrayList<>();
        double[] decrements = {0.0, 5e-10, 1e-9, 2e-9, Double.NaN, 1e-3};
        for (int k = 0; k < decrements.length; k++) {
            ResultRow r = row("shared-linear", 100, k, 0.1, "split", k == 5 ? "max-iterations" : "objective-change",
                    "ok");
            r.set("converged", k != 5);   // the last one stopped at the cap: not converged, so not counted
            r.set("gauss_newton_decrement", decrements[k]);
            rows.add(r);
        }
        Summary s = Summary.of(rows);
        Summary.Outcome o = s.outcomes().get(0);
        assertEquals(4, o.certificates());   // converged, with a recorded decrement
        assertEquals(1, o.notCertified());   // 2e-9 > 1e-9; exactly 1e-9 is certified
        assertTrue(s.outcomesCsv().lines().toList().get(1).endsWith(",4,1"), s.outcomesCsv());
        assertTrue(s.markdown("t").contains("| shared-linear | 100 | 6 | 0 | 1 | 1 |"), s.markdown("t"));
        // Without any decrement (EM, or a file older than the column) the count is not made up.
        rows.forEach(r -> r.set("gauss_newton_decrement", null));
        Summary none = Summary.of(rows);
        assertEquals(0, none.outcomes().get(0).certificates());
        assertTrue(none.markdown("t").contains("| shared-linear | 100 | 6 | 0 | 1 | — |"), none.markdown("t"));
    }

    @Test
    void medianSlopeIgnoresAMinorityOfOutliers() {
        List<ResultRow> rows = new ArrayList<>();
        int[] ns = {1000, 3000, 10000, 30000};
        for (int n : ns) {
            for (int k = 0; k < 11; k++) {
                // 4 of 11 replicates stay at 1 whatever n (a flat set); the other 7 fall as n^{-1/2}.
                double d1 = k < 4 ? 1.0 : Math.pow(n, -0.5) * (1 + 0.01 * k);
                rows.add(row("non-shared", n, k, d1, "split", "objective-change", "ok"));
            }
        }
        Summary s = Summary.of(rows);
        Summary.Rate rate = s.rate("non-shared", "d1").orElseThrow();
        assertTrue(rate.fit().slope() > -0.05, "the mean is dominated by the flat replicates: " + rate.fit());
        assertEquals(-0.5, rate.median().slope(), 0.01);
        assertTrue(rate.median().bootLow() <= rate.median().slope() && rate.median().slope() <= rate.median().bootHigh());
        assertEquals(Verdict.Kind.NO_RATE, rate.verdict().kind());
        assertTrue(s.ratesCsv().contains("none (slope descriptive),0.1,no rate predicted,false"), s.ratesCsv());
    }

    @Test
    void ratioOfMeansToTheBaselineWithABootstrapInterval() {
        List<ResultRow> rows = new ArrayList<>();
        int[] ns = {1000, 10000};
        for (int n : ns) {
            for (int k = 0; k < 20; k++) {
                double base = 0.1 * (1 + (k % 5) * 0.1) * Math.sqrt(1000.0 / n);   // mean 0.12 * sqrt(1000/n)
                rows.add(row("a-shared", n, k, base, "split", "objective-change", "ok"));
                rows.add(row("b-other", n, k, (n == 1000 ? 3 : 5) * base, "split", "objective-change", "ok"));
            }
        }
        Summary s = Summary.of(rows);
        assertEquals("a-shared", s.baseline());
        Summary.Ratio r = s.ratio("b-other", "d1", 1000).orElseThrow();
        assertEquals(3, r.ratio(), 1e-12);
        assertTrue(r.low() < 3 && 3 < r.high(), r.toString());
        assertTrue(r.high() - r.low() < 1.5, r.toString());
        assertEquals(5, s.ratio("b-other", "d1", 10000).orElseThrow().ratio(), 1e-12);
        assertTrue(s.ratio("a-shared", "d1", 1000).isEmpty(), "the baseline has no ratio to itself");
        String csv = s.summaryCsv();
        assertTrue(csv.lines().findFirst().orElseThrow().endsWith("baseline,ratio,ratio_low,ratio_high"), csv);
        String line = csv.lines().filter(l -> l.startsWith("b-other,") && l.contains(",d1,1000,")).findFirst()
                .orElseThrow();
        String[] f = line.split(",");
        assertEquals("a-shared", f[15]);
        assertEquals(3, Double.parseDouble(f[16]), 1e-12);
        assertEquals(r.low(), Double.parseDouble(f[17]), 0);

        Summary other = Summary.of(rows, Summary.Options.DEFAULT.withBaseline("b-other"));
        assertEquals(1.0 / 3, other.ratio("a-shared", "d1", 1000).orElseThrow().ratio(), 1e-12);
        assertThrows(IllegalArgumentException.class,
                () -> Summary.of(rows, Summary.Options.DEFAULT.withBaseline("nope")));
    }

    @Test
    void d1ThresholdIsAnOption() {
        List<ResultRow> rows = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
            rows.add(row("s", 1000, k, 0.05 * k, "switched-off", "objective-change", "ok"));
        }
        assertEquals(7, Summary.of(rows).outcomes().get(0).d1Above());          // 0.15 ... 0.45 > 0.1
        Summary.Outcome o = Summary.of(rows, Summary.Options.DEFAULT.withD1Threshold(0.32)).outcomes().get(0);
        assertEquals(3, o.d1Above());                                          // 0.35, 0.4, 0.45
        assertEquals(0.3, o.d1AboveFraction().estimate(), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> Summary.Options.DEFAULT.withD1Threshold(-1));
    }
    /**
     * The rate fits run on all cores, each on its own random streams: the summary is the same, in the same order,
     * on one thread as on the common pool (three studies, two losses, 12 sizes, 10 replicates).
     */
    @Test
    void rateFitsDoNotDependOnTheThreads() throws Exception {
        List<ResultRow> rows = new ArrayList<>();
        java.util.Random noise = new java.util.Random(7);
        for (String study : new String[] {"shared-linear", "shared-nonlinear", "non-shared"}) {
            for (int i = 0; i < 12; i++) {
                int n = (int) Math.round(100 * Math.pow(10, i / 4.0));
                for (int k = 0; k < 10; k++) {
                    ResultRow r = row(study, n, k, Math.pow(n, -0.5) * Math.exp(0.3 * noise.nextGaussian()),
                            "split", "objective-change", "ok");
                    r.set("regression", Math.pow(n, -1.0) * Math.exp(0.3 * noise.nextGaussian()));
                    rows.add(r);
                }
            }
        }
        Summary common = Summary.of(rows);
        java.util.concurrent.ForkJoinPool one = new java.util.concurrent.ForkJoinPool(1);
        Summary single;
        try {
            single = one.submit(() -> Summary.of(rows)).get();
        } finally {
            one.shutdown();
        }
        assertEquals(6, common.rates().size());
        assertEquals(common.rates().size(), single.rates().size());
        for (int j = 0; j < common.rates().size(); j++) {
            Summary.Rate a = common.rates().get(j);
            Summary.Rate b = single.rates().get(j);
            assertEquals(a.study(), b.study());
            assertEquals(a.metric(), b.metric());
            assertEquals(a.fit(), b.fit());
            assertEquals(a.median(), b.median());
            assertEquals(a.evidence().logFactor(), b.evidence().logFactor());
            assertEquals(a.evidence().logLogB(), b.evidence().logLogB());
            assertTrue(java.util.Arrays.deepEquals(a.evidence().seedIntervals(), b.evidence().seedIntervals()));
            assertTrue(Double.isFinite(a.fit().bootLow()), "a bootstrap interval was computed");
        }
    }
}
