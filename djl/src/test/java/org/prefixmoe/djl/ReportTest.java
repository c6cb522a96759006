package org.prefixmoe.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.prefixmoe.djl.experiment.Adaptation;
import org.prefixmoe.djl.experiment.LrLadder;
import org.prefixmoe.djl.experiment.Report;
import org.prefixmoe.djl.experiment.RunStore;
import org.prefixmoe.djl.experiment.Study;
import org.prefixmoe.djl.experiment.StudyConfig;
import org.prefixmoe.djl.model.ViTConfig;
import org.prefixmoe.djl.train.Method;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The study's summaries (paired differences, Holm, matching sizes), its files, and the figures' axes. */
class ReportTest {

    @TempDir
    Path dir;

    private static RunStore.TestRun r(Method m, int k, long seed, double acc) {
        return r(m, k, seed, acc, false);
    }

    private static RunStore.TestRun r(Method m, int k, long seed, double acc, boolean diverged) {
        return new RunStore.TestRun(k, 0.1f, 0.01f, new Adaptation.Result(m, seed, acc, 10, 5, 1, 0.01, 0.5, 0.2,
                Double.NaN, 0.9, 100, 1.6, diverged));
    }

    /** No-share 0.50/0.70 at 10/100 per class; deep-share +0.02 and +0.04 (seed-paired, spread 0.01). */
    private static List<RunStore.TestRun> runs() {
        List<RunStore.TestRun> rs = new ArrayList<>();
        double[] noise = {0.01, -0.01, 0.0};
        for (int s = 1; s <= 3; s++) {
            double e = noise[s - 1];
            rs.add(r(Method.NO_SHARE, 10, s, 0.50 + e));
            rs.add(r(Method.NO_SHARE, 100, s, 0.70 + e));
            rs.add(r(Method.DEEP_SHARE, 10, s, 0.52 + e + 0.01 * (s - 2)));
            rs.add(r(Method.DEEP_SHARE, 100, s, 0.74 + e));
        }
        return rs;
    }

    @Test
    void pairedDifferencesWithHolm() {
        List<Report.Paired> ps = Report.paired(List.of(10, 100), List.of(Method.NO_SHARE, Method.DEEP_SHARE), runs());
        assertEquals(2, ps.size());
        Report.Paired p10 = ps.get(0);
        assertEquals(10, p10.perClass());
        assertEquals(3, p10.pairs());
        assertEquals(0.02, p10.mean(), 1e-12); // diffs 0.01, 0.02, 0.03
        assertEquals(0.01, p10.sd(), 1e-12);
        assertEquals(4.302653 * 0.01 / Math.sqrt(3), p10.half(), 1e-6); // t_{0.975, 2}
        assertEquals(3, p10.wins());
        Report.Paired p100 = ps.get(1);
        assertEquals(0.04, p100.mean(), 1e-12);
        assertEquals(0.0, p100.p(), 0); // identical differences: p = 0
        // Holm over the family of two: the larger p is multiplied by 1, the smaller by 2.
        assertEquals(Math.max(p10.p(), 2 * p100.p()), p10.pHolm(), 1e-12);
        // Three identical differences: the t-test says p = 0, but with three pairs neither exact rank test can go
        // below 2/8 = 0.25, and the verdict says so.
        assertEquals(0.25, p100.pWilcoxon(), 1e-12);
        assertEquals(0.25, p100.pSign(), 1e-12);
        assertEquals("better by t; not significant by Wilcoxon, sign", p100.verdict());
    }

    @Test
    void verdictNamesTheTestsAndTheirDirection() {
        Report.Paired all = new Report.Paired(10, Method.DEEP_SHARE, 20, 0.02, 0.01, 0.005, 18, 2, 0.02, 1e-5, 1e-4,
                1e-4, 1e-3, 1e-3, 1e-3, 0);
        assertEquals("better than no-share (t, Wilcoxon, sign)", all.verdict());
        Report.Paired none = new Report.Paired(10, Method.DEEP_SHARE, 20, 0.02, 0.01, 0.005, 12, 8, 0.01, 0.2, 0.4,
                0.3, 0.6, 0.5, 1, 0);
        assertEquals("no significant difference (t, Wilcoxon, sign)", none.verdict());
        Report.Paired mixed = new Report.Paired(10, Method.DEEP_SHARE, 20, -0.01, 0.01, 0.005, 15, 5, 0.01, 0.01, 0.03,
                0.001, 0.01, 0.04, 0.2, 2);
        assertEquals("better by Wilcoxon; worse by t; not significant by sign", mixed.verdict());
    }

    @Test
    void divergedRunsAreCountedAndCanBeLeftOut() {
        List<RunStore.TestRun> rs = new ArrayList<>(runs());
        rs.add(r(Method.NO_SHARE, 10, 4, 0.2, true));
        rs.add(r(Method.DEEP_SHARE, 10, 4, 0.55, false));
        List<Report.Cell> cells = Report.accuracy(List.of(10), List.of(Method.NO_SHARE), rs);
        assertEquals(1, cells.get(0).diverged());
        assertEquals(4, cells.get(0).seeds());
        Report.Paired p = Report.paired(List.of(10), List.of(Method.NO_SHARE, Method.DEEP_SHARE), rs).get(0);
        assertEquals(4, p.pairs());
        assertEquals(1, p.diverged());
        assertEquals(4, p.wins());
    }

    @Test
    void matchingSizeInterpolatesNoShareOnLogScale() {
        List<Report.Match> ms = Report.matching(List.of(10, 100), List.of(Method.NO_SHARE, Method.DEEP_SHARE), runs(),
                200, 1);
        assertEquals(2, ms.size());
        // deep-share at 10 per class: 0.52, no-share 0.50 -> 0.70 between 10 and 100: 10^(1 + 0.1)
        assertEquals(Math.pow(10, 1.1), ms.get(0).equivalent(), 1e-9);
        assertTrue(ms.get(0).lo() <= ms.get(0).equivalent() && ms.get(0).equivalent() <= ms.get(0).hi());
        // deep-share at 100 per class (0.74) is beyond no-share's largest size.
        assertEquals(Double.POSITIVE_INFINITY, ms.get(1).equivalent());
    }

    private StudyConfig config(Path out) {
        Map<Method, List<Float>> grids = new EnumMap<>(Method.class);
        for (Method m : Method.values()) {
            grids.put(m, List.of(0.1f));
        }
        return new StudyConfig(out, out, out.resolve("ck"), new ViTConfig(28, 7, 64, 6, 4, 2), 1, 0, 128, 1e-3f,
                List.of(10, 100), List.of(1L, 2L, 3L, 4L), List.of(1001L), List.of(Method.NO_SHARE, Method.DEEP_SHARE),
                8, 48, 100, 30, 25, 0.1f, 1e-4f, 0.1f, 20, 0, grids, grids, 2, "cpu", 1, "cmd");
    }

    @Test
    void writesTablesFiguresAndFlagsAnIncompleteStudy() throws IOException {
        StudyConfig cfg = config(dir);
        List<Study.Choice> choices = new ArrayList<>();
        for (int k : cfg.sizes()) {
            for (Method m : cfg.methods()) {
                List<Study.Score> sc = List.of(new Study.Score(0.1f, 0.01f, 0.6, 0, 1),
                        new Study.Score(0.3f, 0.01f, 0.3, 1, 1));
                choices.add(new Study.Choice(m, k, 0.1f, 0.01f, sc, 0, 0, true, true));
            }
        }
        Report.write(cfg, choices, runs(), List.of(), "abcd1234", "tag", "backbone", "time");
        for (String f : new String[] {"accuracy.csv", "paired.csv", "matching.csv", "selection.csv", "results.md",
            "accuracy-vs-size.png", "paired-differences.png"}) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        assertEquals(5, Files.readAllLines(dir.resolve("accuracy.csv")).size()); // header + 2 sizes x 2 methods
        String md = Files.readString(dir.resolve("results.md"));
        // 3 of the 4 requested seeds are done: the report must say so.
        assertTrue(md.contains("INCOMPLETE") && md.contains("10 per class: 3"), md);
        assertTrue(md.contains("still at a grid edge"), md);
        assertTrue(md.contains("next to a diverging point") && md.contains("1 point(s) refused (diverged)"), md);
        assertTrue(md.contains("Wilcoxon") && md.contains("sign"), md);
        assertTrue(Files.readString(dir.resolve("selection.csv")).contains("10,no-share,0.3,0.01,0.30000,1,false"));
    }

    @Test
    void accuracyAxisStartsAtChanceAndDifferenceAxisShowsZero() {
        List<Report.Cell> cells = Report.accuracy(List.of(10, 100), List.of(Method.NO_SHARE, Method.DEEP_SHARE), runs());
        XYChart a = Report.accuracyChart(List.of(10, 100), List.of(Method.NO_SHARE, Method.DEEP_SHARE), cells, "t");
        assertEquals(20.0, a.getStyler().getYAxisMin(), 0);
        assertEquals(100.0, a.getStyler().getYAxisMax(), 0);
        List<Report.Paired> ps = Report.paired(List.of(10, 100), List.of(Method.NO_SHARE, Method.DEEP_SHARE), runs());
        XYChart d = Report.differenceChart(List.of(10, 100), List.of(Method.NO_SHARE, Method.DEEP_SHARE), ps, "t");
        assertEquals(-d.getStyler().getYAxisMin(), d.getStyler().getYAxisMax(), 0);
        assertTrue(d.getStyler().getYAxisMax() >= 100 * (0.04 + 0.0) + 0.5);
        assertTrue(d.getSeriesMap().containsKey("no difference"));
    }

    @Test
    void runFilesHoldOneConfigurationAndRoundTrip() throws IOException {
        Path log = dir.resolve("log.csv");
        RunStore.TestRun a = r(Method.NO_SHARE, 10, 1, 0.5);
        RunStore.TestRun b = r(Method.DEEP_SHARE, 10, 1, 0.6);
        RunStore.append(log, RunStore.RUNS_HEADER, RunStore.row("cfgA", a));
        RunStore.append(log, RunStore.RUNS_HEADER, RunStore.row("cfgB", b));
        assertEquals(1, RunStore.readRuns(log, "cfgA").size());
        RunStore.TestRun back = RunStore.readRuns(log, "cfgB").get(0);
        assertEquals(Method.DEEP_SHARE, back.method());
        assertEquals(0.6, back.result().accuracy(), 1e-9);
        assertEquals(0.9, back.result().trainCpuSeconds(), 1e-9);
        assertEquals(0.01f, back.headLr());
        assertEquals(100, back.result().steps());
        assertEquals(1.6, back.result().initialLoss(), 1e-9);
        RunStore.append(log, RunStore.RUNS_HEADER, RunStore.row("cfgC", r(Method.NO_SHARE, 10, 2, 0.2, true)));
        assertTrue(RunStore.readRuns(log, "cfgC").get(0).result().diverged());
        // The output file gets the study's rows only, never a copy of the multi-configuration log.
        Path out = dir.resolve("runs.csv");
        RunStore.writeRuns(out, "cfgA", RunStore.readRuns(log, "cfgA"));
        List<String> lines = Files.readAllLines(out);
        assertEquals(2, lines.size());
        assertTrue(lines.get(1).startsWith("cfgA,no-share,10,50,1,"), lines.get(1));
        // A malformed row is reported with file and line.
        Files.writeString(log, "cfgA,no-share,10\n", java.nio.file.StandardOpenOption.APPEND);
        IOException e = assertThrows(IOException.class, () -> RunStore.readRuns(log, "cfgA"));
        assertTrue(e.getMessage().contains("line 5"), e.getMessage());
    }

    @Test
    void selectionRefusesPointsThatDivergedOnAnySelectionSeed() {
        java.util.TreeSet<Integer> rungs = new java.util.TreeSet<>(List.of(-4, -3, -2)); // 0.01, 0.03, 0.1
        java.util.TreeSet<Integer> heads = new java.util.TreeSet<>(List.of(-6, -5)); // 0.001, 0.003
        List<Study.Score> sc = new ArrayList<>();
        for (int a : rungs) {
            for (int h : heads) {
                // The best accuracy is at adapted 0.1, but it diverged on one of two selection seeds there.
                double acc = 0.5 + 0.1 * (a + 4) + 0.01 * (h + 6);
                sc.add(new Study.Score(LrLadder.rate(a), LrLadder.rate(h), acc, a == -2 ? 1 : 0, 2));
            }
        }
        Study.Choice c = Study.choose(Method.NO_SHARE, 10, sc, rungs, heads, 0, 0);
        assertEquals(0.03f, c.lr());
        assertEquals(0.003f, c.headLr());
        assertTrue(c.nearDivergence()); // 0.1 is one rung away
        assertTrue(c.atEdge()); // the head rate is at the top of its axis
        // Ties go to the smaller adapted rate, then the smaller head rate.
        List<Study.Score> tie = List.of(new Study.Score(0.03f, 0.01f, 0.7, 0, 2), new Study.Score(0.01f, 0.03f, 0.7, 0, 2),
                new Study.Score(0.01f, 0.01f, 0.7, 0, 2));
        Study.Choice t = Study.choose(Method.NO_SHARE, 10, tie, new java.util.TreeSet<>(List.of(-4, -3)),
                new java.util.TreeSet<>(List.of(-4, -3)), 0, 0);
        assertEquals(0.01f, t.lr());
        assertEquals(0.01f, t.headLr());
        assertFalse(t.nearDivergence());
        // Every point diverged: no choice.
        List<Study.Score> bad = List.of(new Study.Score(0.01f, 0.01f, 0.7, 2, 2));
        assertNull(Study.choose(Method.NO_SHARE, 10, bad, new java.util.TreeSet<>(List.of(-4)),
                new java.util.TreeSet<>(List.of(-4)), 0, 0).lr());
    }

    @Test
    void devicePartOfTheConfigurationAndStepsScaleWithData() {
        StudyConfig cfg = config(dir);
        assertEquals("cpu", StudyConfig.deviceType("cpu()"));
        assertEquals("gpu", StudyConfig.deviceType("gpu(0)"));
        assertEquals("gpu", StudyConfig.deviceType("gpu:1"));
        assertTrue(cfg.settingsTag("fp").endsWith("|rev" + StudyConfig.TRAINING_REVISION + "|dev=cpu"),
                cfg.settingsTag("fp"));
        StudyConfig gpu = new StudyConfig(dir, dir, dir, cfg.vit(), 1, 0, 128, 1e-3f, cfg.sizes(), cfg.seeds(),
                cfg.selectionSeeds(), cfg.methods(), 8, 48, 100, 30, 25, 0.1f, 1e-4f, 0.1f, 20, 0, cfg.grids(),
                cfg.headGrids(), 2, "gpu", 4, "cmd");
        assertNotEquals(Study.sha8(cfg.settingsTag("fp")), Study.sha8(gpu.settingsTag("fp")));
        // min 100 steps, 30 passes of 5k/25 batches: 10 per class -> max(100, 60); 100 per class -> 600.
        assertEquals(100, cfg.steps(10));
        assertEquals(600, cfg.steps(100));
        assertEquals(60, cfg.settings(0.1f, 0.01f, 100).training().warmupSteps());
        assertEquals(0.01f, cfg.settings(0.1f, 0.01f, 100).training().headLearningRate());
    }

    @Test
    void learningRateLadder() {
        assertEquals(1f, LrLadder.rate(0));
        assertEquals(3f, LrLadder.rate(1));
        assertEquals(0.3f, LrLadder.rate(-1));
        assertEquals(0.1f, LrLadder.rate(-2));
        assertEquals(0.03f, LrLadder.rate(-3));
        assertEquals(-3, LrLadder.rung(0.03f));
        assertEquals(-5, LrLadder.rung(0.003f));
        assertThrows(IllegalArgumentException.class, () -> LrLadder.rung(0.05f));
    }
}
