package org.prefixmoe.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.prefixmoe.TestModels;
import org.prefixmoe.model.TruthModel;

class CoverageStudyTest {

    @Test
    void rowsDoNotDependOnThreadsAndTableCounts() {
        TruthModel tm = TestModels.defaultTruth("shared-linear");
        CoverageStudy.Settings one = new CoverageStudy.Settings(List.of(tm), 1500, 4, 9, List.of("least-squares"), 1);
        CoverageStudy.Settings two = new CoverageStudy.Settings(List.of(tm), 1500, 4, 9, List.of("least-squares"), 2);
        List<CoverageStudy.Row> a = CoverageStudy.run(one);
        assertEquals(a, CoverageStudy.run(two));
        assertEquals(4 * 2 * 6, a.size());
        List<CoverageStudy.Cell> cells = CoverageStudy.table(a);
        assertEquals(12, cells.size());
        for (CoverageStudy.Cell c : cells) {
            long covered = a.stream().filter(r -> r.method().equals(c.method()) && r.parameter().equals(c.parameter())
                    && r.converged() && r.covered()).count();
            assertEquals(covered, c.coverage().successes());
            assertEquals(4, c.coverage().trials() + c.notConverged());
        }
        assertTrue(CoverageStudy.tableCsv(cells).startsWith("study,reading,method,parameter,covered,"));
    }

    @Test
    void refusesBadSettings() {
        TruthModel tm = TestModels.defaultTruth("shared-linear");
        assertThrows(IllegalArgumentException.class,
                () -> new CoverageStudy.Settings(List.of(tm), 1000, 4, 9, List.of("bayes"), 1));
        assertThrows(IllegalArgumentException.class,
                () -> new CoverageStudy.Settings(List.of(tm), 1000, 0, 9, List.of("em"), 1));
        assertThrows(IllegalArgumentException.class,
                () -> new CoverageStudy.Settings(List.of(), 1000, 4, 9, List.of("em"), 1));
    }
}
