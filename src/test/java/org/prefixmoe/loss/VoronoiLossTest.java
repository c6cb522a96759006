package org.prefixmoe.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.prefixmoe.model.MixingMeasure;

class VoronoiLossTest {
    // Truth: atoms (0,0) and (10,0), weights 1 and e (b* = 0, 1).
    private static final MixingMeasure TRUTH = new MixingMeasure(new double[][] {{0, 0}, {10, 0}},
            new double[] {0, 1});

    @Test
    void singleAtomCells() {
        // Fitted atoms at distance 3 (3-4-5) and 1; weights e^0 = 1 and e^1.
        MixingMeasure g = new MixingMeasure(new double[][] {{3, 4}, {11, 0}}, new double[] {0, 1});
        double e = Math.E;
        assertEquals(1 * 5 + e * 1 + 0, VoronoiLoss.d1(g, TRUTH), 1e-12);
        assertEquals(1 * 25 + e * 1, VoronoiLoss.d2(g, TRUTH, 2), 1e-12);
        assertEquals(1 * 5 + e * 1, VoronoiLoss.d2(g, TRUTH, 1), 1e-12);
    }

    @Test
    void multiAtomCellUsesSquaredDistancesAndMassDiscrepancy() {
        // Two atoms near (0,0) with weights 0.5 and 0.25 (mass 0.75 vs 1), one at (10,2) with weight e.
        MixingMeasure g = new MixingMeasure(new double[][] {{1, 0}, {0, -2}, {10, 2}},
                new double[] {Math.log(0.5), Math.log(0.25), 1});
        double e = Math.E;
        double expected = 0.5 * 1 + 0.25 * 4 + e * 2 + Math.abs(0.75 - 1);
        assertEquals(expected, VoronoiLoss.d1(g, TRUTH), 1e-12);
        CellErrors cells = CellErrors.of(g, TRUTH);
        assertEquals(2.0, cells.single(), 1e-12);
        assertEquals(2.0, cells.multi(), 1e-12);
        assertEquals(Math.sqrt(0.5 * 1 + 0.25 * 4), cells.multiWeighted(), 1e-12);
        assertEquals(CellErrors.Redundancy.SPLIT, cells.redundancy());
        assertEquals(0, cells.emptyCells());
    }

    @Test
    void emptyCellCountsItsWholeTrueMass() {
        MixingMeasure g = new MixingMeasure(new double[][] {{0, 1}, {1, 0}}, new double[] {0, Math.log(1e-4)});
        // Both atoms in cell 0; cell 1 empty: mass term |1 + 1e-4 - 1| + |0 - e|.
        double expected = 1 * 1 + 1e-4 * 1 + 1e-4 + Math.E;
        assertEquals(expected, VoronoiLoss.d1(g, TRUTH), 1e-12);
        CellErrors cells = CellErrors.of(g, TRUTH);
        assertEquals(1, cells.emptyCells());
        assertTrue(Double.isNaN(cells.single()));
        assertEquals(CellErrors.Redundancy.SWITCHED_OFF, cells.redundancy());
    }

    @Test
    void tiesGoToTheSmallerTrueAtom() {
        MixingMeasure g = new MixingMeasure(new double[][] {{5, 0}}, new double[] {0});
        VoronoiCells cells = VoronoiCells.of(g, TRUTH);
        assertEquals(0, cells.cellOf(0));
        assertEquals(1, cells.emptyCells());
        assertEquals(1 * 5 + 0 + Math.E, VoronoiLoss.d1(g, TRUTH), 1e-12);
    }

    @Test
    void withoutBiasesEveryAtomWeighsOne() {
        MixingMeasure truth = new MixingMeasure(new double[][] {{0, 0}, {10, 0}}, null);
        MixingMeasure g = new MixingMeasure(new double[][] {{0, 1}, {0, -1}, {10, 3}}, null);
        // Cell 0: two atoms at distance 1 (squared: 1 each), mass 2 vs 1; cell 1: distance 3.
        assertEquals(1 + 1 + 3 + 1, VoronoiLoss.d1(g, truth), 1e-12);
        assertEquals(1 + 1 + 9 + 1, VoronoiLoss.d2(g, truth, 2), 1e-12);
    }

    @Test
    void exactEstimateHasZeroLoss() {
        assertEquals(0.0, VoronoiLoss.d1(TRUTH, TRUTH));
        assertEquals(0.0, VoronoiLoss.d2(TRUTH, TRUTH, 3));
    }

    @Test
    void atomsOfDifferentSpacesAreRefused() {
        MixingMeasure g = new MixingMeasure(new double[][] {{0, 0, 0}}, new double[] {0});
        assertThrows(IllegalArgumentException.class, () -> VoronoiLoss.d1(g, TRUTH));
        assertThrows(IllegalArgumentException.class, () -> VoronoiLoss.d2(TRUTH, TRUTH, -1));
    }
}
