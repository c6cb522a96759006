package org.prefixmoe.loss;

/**
 * The exponent of one parameter block in a generic Voronoi loss, as a function of the size m of
 * the Voronoi cell and of the true atom the cell belongs to. Atoms alone in their cell are seen at
 * power 1 (the parametric rate), atoms sharing a cell at a power the theory of each model gives:
 * {@code r̄(m)} or {@code r̄(m)/2} with {@code r̄(2) = 4}, {@code r̄(3) = 6} (softmax- and
 * Gaussian-gated MoE), or 2 (the prefix model's {@code D_1}).
 */
@FunctionalInterface
public interface ExponentRule {

    /**
     * The exponent.
     *
     * @param cellSize m, the number of fitted atoms in the cell (at least 1)
     * @param trueAtom the index j of the cell's true atom
     * @return the power applied to the block's distance
     */
    double exponent(int cellSize, int trueAtom);

    /**
     * {@code r̄(m)}: the smallest r such that the system of polynomial equations of Ho and Nguyen
     * (2016) has only the trivial solution; known values r̄(1) = 1, r̄(2) = 4, r̄(3) = 6.
     *
     * @param m the cell size
     * @return r̄(m)
     * @throws IllegalArgumentException for m above 3 (not known)
     */
    static double rbarOf(int m) {
        return switch (m) {
            case 1 -> 1;
            case 2 -> 4;
            case 3 -> 6;
            default -> throw new IllegalArgumentException("r̄(" + m + ") is not known (only m <= 3): a cell holds "
                    + m + " fitted atoms");
        };
    }

    /**
     * 1 in single-atom cells, {@code multi} in larger ones.
     *
     * @param multi the exponent in cells of more than one atom
     * @return the rule
     */
    static ExponentRule multi(double multi) {
        return (m, j) -> m == 1 ? 1 : multi;
    }

    /**
     * The same exponent in every cell (as in {@code D_{2,r}}).
     *
     * @param r the exponent
     * @return the rule
     */
    static ExponentRule always(double r) {
        return (m, j) -> r;
    }

    /**
     * 1 in single-atom cells, {@code factor · r̄(m)} in larger ones.
     *
     * @param factor 1 for r̄(m), 0.5 for r̄(m)/2
     * @return the rule
     */
    static ExponentRule rbar(double factor) {
        return (m, j) -> m == 1 ? 1 : factor * rbarOf(m);
    }

    /**
     * One rule for the cells of some true atoms, another for the rest (e.g. the Gaussian-gated
     * MoE's exponent of A in cells whose true centre is 0).
     *
     * @param trueAtoms which true atoms take {@code inside}
     * @param inside their rule
     * @param otherwise the others' rule
     * @return the rule
     */
    static ExponentRule byTruth(boolean[] trueAtoms, ExponentRule inside, ExponentRule otherwise) {
        boolean[] which = trueAtoms.clone();
        return (m, j) -> j < which.length && which[j] ? inside.exponent(m, j) : otherwise.exponent(m, j);
    }

    /**
     * Parses a rule as scenario files write it: {@code rbar}, {@code rbar/2}, a number x (1 in
     * single cells, x in larger ones), or {@code always x}.
     *
     * @param field the name used in messages
     * @param text the text
     * @return the rule
     * @throws IllegalArgumentException naming the field and the accepted forms
     */
    static ExponentRule parse(String field, String text) {
        String t = text == null ? "" : text.trim();
        if (t.equals("rbar")) {
            return rbar(1);
        }
        if (t.equals("rbar/2")) {
            return rbar(0.5);
        }
        boolean always = t.startsWith("always ");
        String num = always ? t.substring(7).trim() : t;
        double v;
        try {
            v = Double.parseDouble(num);
        } catch (NumberFormatException e) {
            v = Double.NaN;
        }
        if (!(v > 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException(field + ": unknown exponent '" + text + "' (use rbar, rbar/2, a positive"
                    + " number for cells of several atoms, or 'always x')");
        }
        return always ? always(v) : multi(v);
    }
}
