package org.prefixmoe.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.prefixmoe.djl.experiment.Adaptation;
import org.prefixmoe.djl.experiment.Report;
import org.prefixmoe.djl.train.Method;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Summary statistics (mean, sd, paired difference with no-share) and the three report files. */
class ReportTest {

    @TempDir
    Path dir;

    private static Adaptation.Result r(Method m, long seed, double acc) {
        return new Adaptation.Result(m, seed, acc, 10, 5, 1, 0.1, 0.5, 0.2, Double.NaN);
    }

    @Test
    void summarizesWithPairedDifferences() throws IOException {
        List<Adaptation.Result> rs = List.of(
                r(Method.NO_SHARE, 1, 0.80), r(Method.NO_SHARE, 2, 0.90),
                r(Method.DEEP_SHARE, 1, 0.82), r(Method.DEEP_SHARE, 2, 0.89));
        List<Report.Row> rows = Report.summarize(List.of(Method.NO_SHARE, Method.DEEP_SHARE, Method.LINEAR_PROBE), rs);
        assertEquals(2, rows.size());
        Report.Row deep = rows.get(1);
        assertEquals(0.855, deep.meanAccuracy(), 1e-12);
        assertEquals(Math.sqrt(2 * 0.035 * 0.035), deep.sdAccuracy(), 1e-12);
        assertEquals(0.005, deep.pairedDiffMean(), 1e-12); // (+0.02 - 0.01) / 2
        assertEquals(Math.sqrt(2 * 0.015 * 0.015), deep.pairedDiffSd(), 1e-12);
        assertEquals(1, deep.winsOverNoShare());
        assertEquals(2, deep.pairs());
        Report.writeCsv(dir.resolve("r.csv"), rows);
        Report.writeChart(dir.resolve("a.png"), rows, "t");
        assertEquals(3, Files.readAllLines(dir.resolve("r.csv")).size());
        assertTrue(Files.size(dir.resolve("a.png")) > 1000);
        String md = Report.markdownTable(rows);
        assertTrue(md.contains("| deep-share | 85.50% ± 4.95 | 2 | +0.50 ± 2.12 | 1/2 |"), md);
    }
}
