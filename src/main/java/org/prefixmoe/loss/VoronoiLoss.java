package org.prefixmoe.loss;

import org.prefixmoe.model.MixingMeasure;

/**
 * The Voronoi losses of docs/theory.md §4 between a fitted measure G and the truth G*. Weights are
 * {@code exp(b_l)}, or 1 per atom for measures without biases.
 */
public final class VoronoiLoss {
    private VoronoiLoss() {
    }

    /**
     * {@code D_1}: first power of the distance in single-atom cells, second power in multi-atom
     * cells, plus the mass discrepancy of every cell.
     *
     * @param fitted the estimate Ĝ
     * @param truth the true measure G*
     * @return {@code D_1(Ĝ, G*)}
     */
    public static double d1(MixingMeasure fitted, MixingMeasure truth) {
        VoronoiCells cells = VoronoiCells.of(fitted, truth);
        double loss = 0;
        for (int j = 0; j < cells.cells(); j++) {
            int power = cells.size(j) == 1 ? 1 : 2;
            for (int l : cells.members(j)) {
                loss += fitted.weight(l) * Math.pow(cells.distanceToCell(l), power);
            }
        }
        return loss + massDiscrepancy(fitted, truth, cells);
    }

    /**
     * {@code D_{2,r}}: the r-th power of the distance in every cell plus the mass discrepancy.
     *
     * @param fitted the estimate Ĝ
     * @param truth the true measure G*
     * @param r the exponent
     * @return {@code D_{2,r}(Ĝ, G*)}
     */
    public static double d2(MixingMeasure fitted, MixingMeasure truth, double r) {
        if (!(r > 0) || !Double.isFinite(r)) {
            throw new IllegalArgumentException("r: must be a positive number, got " + r);
        }
        VoronoiCells cells = VoronoiCells.of(fitted, truth);
        double loss = 0;
        for (int l = 0; l < fitted.size(); l++) {
            loss += fitted.weight(l) * Math.pow(cells.distanceToCell(l), r);
        }
        return loss + massDiscrepancy(fitted, truth, cells);
    }

    /** {@code Σ_j |Σ_{l ∈ V_j} exp(b_l) − exp(b*_j)|}. */
    static double massDiscrepancy(MixingMeasure fitted, MixingMeasure truth, VoronoiCells cells) {
        double loss = 0;
        for (int j = 0; j < cells.cells(); j++) {
            double mass = 0;
            for (int l : cells.members(j)) {
                mass += fitted.weight(l);
            }
            loss += Math.abs(mass - truth.weight(j));
        }
        return loss;
    }
}
