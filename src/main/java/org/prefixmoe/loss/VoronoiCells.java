package org.prefixmoe.loss;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.prefixmoe.model.MixingMeasure;

/**
 * The Voronoi cells of a fitted measure with respect to the truth (docs/theory.md §4):
 * {@code V_j = { l : ||θ_l − θ*_j|| ≤ ||θ_l − θ*_k|| for all k }}, ties going to the smaller j.
 * Immutable.
 */
public final class VoronoiCells {
    private final int[] cellOf;
    private final double[] distance;
    private final List<List<Integer>> members;

    private VoronoiCells(int[] cellOf, double[] distance, List<List<Integer>> members) {
        this.cellOf = cellOf;
        this.distance = distance;
        this.members = members;
    }

    /**
     * Assigns every fitted atom to the cell of its nearest true atom.
     *
     * @param fitted the estimate Ĝ
     * @param truth the true measure G*
     * @return the cells
     * @throws IllegalArgumentException if the atoms live in different spaces
     */
    public static VoronoiCells of(MixingMeasure fitted, MixingMeasure truth) {
        java.util.Objects.requireNonNull(fitted, "fitted");
        java.util.Objects.requireNonNull(truth, "truth");
        if (fitted.atomDimension() != truth.atomDimension()) {
            throw new IllegalArgumentException("fitted: atoms have dimension " + fitted.atomDimension()
                    + " but the truth's have " + truth.atomDimension()
                    + " (Voronoi losses need both in the same parameterization)");
        }
        int k = truth.size();
        int[] cellOf = new int[fitted.size()];
        double[] dist = new double[fitted.size()];
        List<List<Integer>> members = new ArrayList<>(k);
        for (int j = 0; j < k; j++) {
            members.add(new ArrayList<>());
        }
        for (int l = 0; l < fitted.size(); l++) {
            int best = 0;
            double bestD = Double.POSITIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                double d = distance(fitted, l, truth, j);
                if (d < bestD) { // strict: ties stay with the smaller j
                    bestD = d;
                    best = j;
                }
            }
            cellOf[l] = best;
            dist[l] = bestD;
            members.get(best).add(l);
        }
        List<List<Integer>> frozen = new ArrayList<>(k);
        for (List<Integer> m : members) {
            frozen.add(Collections.unmodifiableList(m));
        }
        return new VoronoiCells(cellOf, dist, Collections.unmodifiableList(frozen));
    }

    /**
     * Euclidean distance between a fitted and a true atom.
     *
     * @param fitted the estimate
     * @param l a fitted atom, from 0
     * @param truth the true measure
     * @param j a true atom, from 0
     * @return {@code ‖θ_l − θ*_j‖}
     */
    public static double distance(MixingMeasure fitted, int l, MixingMeasure truth, int j) {
        double s = 0;
        for (int c = 0; c < truth.atomDimension(); c++) {
            double e = fitted.atom(l, c) - truth.atom(j, c);
            s += e * e;
        }
        return Math.sqrt(s);
    }

    /** {@return the number of true atoms (cells)} */
    public int cells() {
        return members.size();
    }

    /**
     * The cell of a fitted atom.
     *
     * @param l the fitted atom, from 0
     * @return the index of its nearest true atom
     */
    public int cellOf(int l) {
        return cellOf[l];
    }

    /**
     * Distance of a fitted atom to the true atom of its cell.
     *
     * @param l the fitted atom, from 0
     * @return {@code ‖θ_l − θ*_{cell(l)}‖}
     */
    public double distanceToCell(int l) {
        return distance[l];
    }

    /**
     * The fitted atoms in a cell.
     *
     * @param j the true atom, from 0
     * @return the indices of the fitted atoms in {@code V_j} (unmodifiable)
     */
    public List<Integer> members(int j) {
        return members.get(j);
    }

    /**
     * The size of a cell.
     *
     * @param j the true atom, from 0
     * @return {@code |V_j|}
     */
    public int size(int j) {
        return members.get(j).size();
    }

    /** {@return the number of cells with no fitted atom} */
    public int emptyCells() {
        int e = 0;
        for (List<Integer> m : members) {
            e += m.isEmpty() ? 1 : 0;
        }
        return e;
    }
}
