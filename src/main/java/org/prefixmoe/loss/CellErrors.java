package org.prefixmoe.loss;

import org.prefixmoe.model.MixingMeasure;

/**
 * Per-cell atom errors of a fit (docs/theory.md §4), so that atoms alone in a cell and atoms sharing a cell
 * can be followed separately, and the outcome of an over-specified fit classified.
 *
 * @param single mean of {@code ||θ_l − θ*_j||} over the atoms alone in their cell (NaN if none)
 * @param multi largest plain error {@code ||θ_l − θ*_j||} over atoms in multi-atom cells (NaN if none)
 * @param multiWeighted mean over multi-atom cells of
 *     {@code (Σ_{l ∈ V_j} exp(b_l) ||θ_l − θ*_j||²)^{1/2}} (NaN if none)
 * @param emptyCells number of true atoms with no fitted atom
 * @param redundancy how the redundant atoms of an over-specified fit behaved
 */
public record CellErrors(double single, double multi, double multiWeighted, int emptyCells, Redundancy redundancy) {

    /** What the redundant atoms of an over-specified fit did (docs/theory.md §6). */
    public enum Redundancy {
        /** No cell holds more than one atom. */
        NONE,
        /** In every multi-atom cell some atom's weight is negligible: the redundant atom was switched off. */
        SWITCHED_OFF,
        /** Some multi-atom cell has all its atoms with real weight: a true atom was split. */
        SPLIT;

        /** {@return the lower-case label written to result files, e.g. {@code switched-off}} */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /** Relative weight below which an atom in a multi-atom cell counts as switched off. */
    public static final double SWITCHED_OFF_WEIGHT = 0.01;

    /**
     * Computes the cell errors of a fitted measure.
     *
     * @param fitted the estimate Ĝ
     * @param truth the true measure G*
     * @return the per-cell errors and the redundancy class
     */
    public static CellErrors of(MixingMeasure fitted, MixingMeasure truth) {
        VoronoiCells cells = VoronoiCells.of(fitted, truth);
        double singleSum = 0;
        int singleCount = 0;
        double multiMax = Double.NaN;
        double weightedSum = 0;
        int multiCells = 0;
        boolean split = false;
        for (int j = 0; j < cells.cells(); j++) {
            if (cells.size(j) == 1) {
                singleSum += cells.distanceToCell(cells.members(j).get(0));
                singleCount++;
            } else if (cells.size(j) > 1) {
                multiCells++;
                double weighted = 0;
                double mass = 0;
                double minWeight = Double.POSITIVE_INFINITY;
                for (int l : cells.members(j)) {
                    double d = cells.distanceToCell(l);
                    multiMax = Double.isNaN(multiMax) ? d : Math.max(multiMax, d);
                    weighted += fitted.weight(l) * d * d;
                    mass += fitted.weight(l);
                    minWeight = Math.min(minWeight, fitted.weight(l));
                }
                weightedSum += Math.sqrt(weighted);
                if (!fitted.hasBias() || minWeight >= SWITCHED_OFF_WEIGHT * mass) {
                    split = true;
                }
            }
        }
        Redundancy red = multiCells == 0 ? Redundancy.NONE : split ? Redundancy.SPLIT : Redundancy.SWITCHED_OFF;
        return new CellErrors(singleCount == 0 ? Double.NaN : singleSum / singleCount, multiMax,
                multiCells == 0 ? Double.NaN : weightedSum / multiCells, cells.emptyCells(), red);
    }
}
