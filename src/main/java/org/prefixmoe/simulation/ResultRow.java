package org.prefixmoe.simulation;

import java.util.Arrays;
import java.util.List;

/**
 * One row of a results file: the outcome of one task. Values are kept as the exact text written
 * (doubles with {@link Double#toString}, which round-trips), so that rows of two runs compare
 * bit for bit. Serializable, so that a distributed engine can send rows back to its driver.
 *
 * @serial exclude
 */
public final class ResultRow implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    /** The columns of a results file, in order. */
    public static final List<String> COLUMNS = List.of("scenario", "fingerprint", "study", "parameterization", "L",
            "L_star", "n", "replicate", "estimator", "init", "status", "stop_reason", "converged", "iterations",
            "evaluations", "objective", "noise_variance", "d1", "d2", "regression", "single", "multi",
            "multi_weighted", "empty_cells", "redundancy", "message", "seconds");
    /** Columns that vary from run to run (timings) and are left out of determinism checks. */
    public static final List<String> TIMING_COLUMNS = List.of("seconds");

    private final String[] values;

    /** A row of {@code COLUMNS.size()} values. */
    public ResultRow(String[] values) {
        if (values.length != COLUMNS.size()) {
            throw new IllegalArgumentException("row: " + values.length + " values for " + COLUMNS.size() + " columns");
        }
        this.values = values.clone();
    }

    /** An empty row to fill with {@link #set}. */
    static ResultRow blank() {
        String[] v = new String[COLUMNS.size()];
        Arrays.fill(v, "");
        return new ResultRow(v);
    }

    void set(String column, Object value) {
        values[index(column)] = value == null ? "" : value instanceof Double d ? format(d) : value.toString();
    }

    static String format(double d) {
        return Double.isNaN(d) ? "" : Double.toString(d);
    }

    private static int index(String column) {
        int i = COLUMNS.indexOf(column);
        if (i < 0) {
            throw new IllegalArgumentException("no column " + column);
        }
        return i;
    }

    /** The text of a column. */
    public String get(String column) {
        return values[index(column)];
    }

    /** A numeric column: NaN when empty. */
    public double number(String column) {
        String s = get(column);
        return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
    }

    /** {@return the scenario fingerprint the row was computed under ({@link Scenario#fingerprint()})} */
    public String fingerprint() {
        return get("fingerprint");
    }

    /** {@return the task key (study, n, replicate)} */
    public String key() {
        return Task.key(get("study"), Integer.parseInt(get("n")), Integer.parseInt(get("replicate")));
    }

    /** {@return whether the fit succeeded (a failed fit is recorded with status {@code failed})} */
    public boolean ok() {
        return get("status").equals("ok");
    }

    /** {@return the values, in column order} */
    public String[] values() {
        return values.clone();
    }

    /** {@return the values without the timing columns: what must be identical across thread counts} */
    public List<String> deterministicValues() {
        String[] v = values.clone();
        for (String c : TIMING_COLUMNS) {
            v[index(c)] = "";
        }
        return List.of(v);
    }
}
