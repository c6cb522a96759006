package org.prefixmoe.simulation;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.prefixmoe.estimation.StopReason;
import org.prefixmoe.model.MixingMeasure;

/**
 * One row of a results file: the outcome of one task, with typed, record-like accessors
 * ({@link #study()}, {@link #n()}, {@link #d1()}, {@link #estimate()} ...). Values are kept as the
 * exact text written (doubles with {@link Double#toString}, which round-trips), so that rows of two
 * runs compare bit for bit ({@link #deterministicValues()}). An empty numeric column reads as NaN
 * (a loss not recorded, or a failed fit). Serializable, so that a distributed engine can send rows
 * back to its driver.
 *
 * <p>The {@code estimate} column holds the fitted mixing measure when the scenario stores it
 * ({@link Scenario.Builder#storeEstimates}), so that other losses can be computed later without
 * refitting: atoms separated by {@code |}, the coordinates of an atom by {@code ;}, and the atom's
 * bias, if the model has biases, after a {@code :}, every number in {@link Double#toString} form,
 * e.g. {@code 1.02;0.61:0.013|-0.69;0.91:-0.004}. {@link #estimate()} parses it back exactly.
 *
 * @serial exclude
 */
public final class ResultRow implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    /** The longest {@code message} a row holds: longer messages are cut when written, refused when read. */
    public static final int MAX_MESSAGE = 1000;

    /** The columns of a results file, in order. */
    public static final List<String> COLUMNS = List.of("scenario", "fingerprint", "study", "parameterization", "L",
            "L_star", "n", "replicate", "estimator", "init", "status", "stop_reason", "converged", "iterations",
            "evaluations", "objective", "noise_variance", "d1", "d2", "regression", "single", "multi",
            "multi_weighted", "empty_cells", "redundancy", "message", "seconds", "estimate", "gauss_newton_decrement");
    /**
     * Columns holding a boolean, written {@code TRUE}/{@code FALSE} so that R's {@code read.csv} and
     * pandas both read them as logical; files written before, with {@code true}/{@code false}, are
     * read as the same values.
     */
    public static final List<String> BOOLEAN_COLUMNS = List.of("converged");
    /** Columns that vary from run to run (timings) and are left out of determinism checks. */
    public static final List<String> TIMING_COLUMNS = List.of("seconds");
    /**
     * Columns added after the first release, in the order they were added, each appended after the columns
     * before it: a results file may lack any of them (it is then read with them empty, and resumed in its own
     * layout).
     */
    public static final List<String> ADDED_COLUMNS = List.of("estimate", "gauss_newton_decrement");

    /**
     * Whether a results file's header is a layout of this version: {@link #COLUMNS}, or {@link #COLUMNS} without
     * some of the {@link #ADDED_COLUMNS} (a file written before they were added), in order.
     *
     * @param header the file's column names, in order
     * @return whether the file can be read and resumed in its own layout
     */
    public static boolean readableLayout(List<String> header) {
        int i = 0;
        for (String c : COLUMNS) {
            if (i < header.size() && header.get(i).equals(c)) {
                i++;
            } else if (!ADDED_COLUMNS.contains(c)) {
                return false;
            }
        }
        return i == header.size();
    }

    private final String[] values;

    /**
     * A row of {@code COLUMNS.size()} values.
     *
     * @param values the text of each column, in {@link #COLUMNS} order; not modified
     */
    public ResultRow(String[] values) {
        java.util.Objects.requireNonNull(values, "values");
        if (values.length != COLUMNS.size()) {
            throw new IllegalArgumentException("row: " + values.length + " values for " + COLUMNS.size() + " columns");
        }
        this.values = values.clone();
        for (String c : BOOLEAN_COLUMNS) {
            int i = index(c);
            if (this.values[i].equalsIgnoreCase("true") || this.values[i].equalsIgnoreCase("false")) {
                this.values[i] = format(Boolean.parseBoolean(this.values[i]));
            }
        }
    }

    /** An empty row to fill with {@link #set}. */
    static ResultRow blank() {
        String[] v = new String[COLUMNS.size()];
        Arrays.fill(v, "");
        return new ResultRow(v);
    }

    void set(String column, Object value) {
        values[index(column)] = value == null ? "" : value instanceof Double d ? format(d)
                : value instanceof Boolean b ? format(b) : value.toString();
    }

    /**
     * How the toolkit writes a boolean in its CSV files.
     *
     * @param b the value
     * @return {@code TRUE} or {@code FALSE}
     */
    public static String format(boolean b) {
        return b ? "TRUE" : "FALSE";
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

    /**
     * The text of a column.
     *
     * @param column one of {@link #COLUMNS}
     * @return its text, empty when absent
     */
    public String get(String column) {
        return values[index(column)];
    }

    /**
     * A numeric column.
     *
     * @param column one of {@link #COLUMNS}
     * @return its value, NaN when empty
     */
    public double number(String column) {
        String s = get(column);
        return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
    }

    private int whole(String column) {
        return Integer.parseInt(get(column));
    }

    private OptionalInt optionalWhole(String column) {
        String s = get(column);
        return s.isEmpty() ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(s));
    }

    /** {@return the scenario name} */
    public String scenario() {
        return get("scenario");
    }

    /** {@return the scenario fingerprint the row was computed under ({@link Scenario#fingerprint()})} */
    public String fingerprint() {
        return get("fingerprint");
    }

    /** {@return the study name} */
    public String study() {
        return get("study");
    }

    /** {@return the fitted parameterization's name} */
    public String parameterization() {
        return get("parameterization");
    }

    /** {@return the number L of fitted atoms (column {@code L})} */
    public int atoms() {
        return whole("L");
    }

    /** {@return the truth's number L* of atoms (column {@code L_star})} */
    public int trueAtoms() {
        return whole("L_star");
    }

    /** {@return the sample size n} */
    public int n() {
        return whole("n");
    }

    /** {@return the replicate number, from 0} */
    public int replicate() {
        return whole("replicate");
    }

    /** {@return the estimator's name} */
    public String estimator() {
        return get("estimator");
    }

    /** {@return the initialization's name} */
    public String init() {
        return get("init");
    }

    /** {@return {@code ok}, or {@code failed} for a fit that failed (see {@link #message()})} */
    public String status() {
        return get("status");
    }

    /** {@return whether the fit succeeded (a failed fit is recorded with status {@code failed})} */
    public boolean ok() {
        return status().equals("ok");
    }

    /** {@return why the fit stopped, e.g. {@code max-iterations} ({@link StopReason#label()})} */
    public String stopReason() {
        return get("stop_reason");
    }

    /** {@return whether the fit stopped at the iteration cap} */
    public boolean capped() {
        return stopReason().equals(StopReason.MAX_ITERATIONS.label());
    }

    /** {@return whether the fit converged (the column reads true/TRUE or false/FALSE)} */
    public boolean converged() {
        return Boolean.parseBoolean(get("converged"));
    }

    /** {@return the iterations of the kept start, empty when the fit threw} */
    public OptionalInt iterations() {
        return optionalWhole("iterations");
    }

    /** {@return the objective evaluations of all starts, empty when the fit threw} */
    public OptionalInt evaluations() {
        return optionalWhole("evaluations");
    }

    /** {@return the final objective, NaN when absent} */
    public double objective() {
        return number("objective");
    }

    /** {@return the estimated noise variance, NaN when absent} */
    public double noiseVariance() {
        return number("noise_variance");
    }

    /** {@return the Voronoi loss D_1 against the truth, NaN when not recorded} */
    public double d1() {
        return number("d1");
    }

    /** {@return the Voronoi loss D_{2,r} against the truth, NaN when not recorded} */
    public double d2() {
        return number("d2");
    }

    /** {@return the regression error ||f_Ĝ − f_G*|| on the fresh inputs, NaN when not recorded} */
    public double regression() {
        return number("regression");
    }

    /** {@return the error of atoms alone in their Voronoi cell, NaN when not recorded} */
    public double single() {
        return number("single");
    }

    /** {@return the error of atoms sharing a cell, NaN when not recorded} */
    public double multi() {
        return number("multi");
    }

    /** {@return the weighted error of atoms sharing a cell, NaN when not recorded} */
    public double multiWeighted() {
        return number("multi_weighted");
    }

    /** {@return the number of true atoms whose cell is empty, empty when not recorded} */
    public OptionalInt emptyCells() {
        return optionalWhole("empty_cells");
    }

    /** {@return what became of the redundant atoms (e.g. {@code split}), empty when not recorded} */
    public String redundancy() {
        return get("redundancy");
    }

    /** {@return why a fit failed, empty otherwise} */
    public String message() {
        return get("message");
    }

    /** {@return the task's wall time in seconds (varies from run to run)} */
    public double seconds() {
        return number("seconds");
    }

    /**
     * The fitted mixing measure, parsed from the {@code estimate} column.
     *
     * @return the estimate, exactly as fitted; empty when the row does not store it (failed fit,
     *     scenario without stored estimates, or a results file older than the column)
     */
    public Optional<MixingMeasure> estimate() {
        String s = get("estimate");
        return s.isEmpty() ? Optional.empty() : Optional.of(parseEstimate(s));
    }

    /**
     * How much lower the Gauss–Newton model says a least-squares fit's objective could still go, relative to it
     * ({@code org.prefixmoe.estimation.GaussNewtonCertificate}, docs/solver-flat-sets.md): at most
     * {@code GaussNewtonCertificate.TOLERANCE} (1e-9) for a fit at its optimum; well above it at most early stops on
     * a crawl.
     *
     * @return the decrement, NaN when absent (a failed fit, an estimator other than least squares, or a results
     *     file older than the column)
     */
    public double gaussNewtonDecrement() {
        return number("gauss_newton_decrement");
    }

    /** {@return whether the fit converged and has a recorded {@link #gaussNewtonDecrement()}} */
    public boolean hasCertificate() {
        return converged() && !Double.isNaN(gaussNewtonDecrement());
    }

    /**
     * {@return whether the fit converged but its Gauss–Newton model still promised more than
     * {@code GaussNewtonCertificate.TOLERANCE}: likely stopped early on a crawl}
     */
    public boolean notCertified() {
        return converged() && gaussNewtonDecrement() > org.prefixmoe.estimation.GaussNewtonCertificate.TOLERANCE;
    }

    /**
     * The deterministic columns in which this row differs from a row read from a file: the columns of
     * {@link #deterministicValues()}, except an {@link #ADDED_COLUMNS added column} that is empty in {@code written}
     * (a file older than the column, which does not hold it).
     *
     * @param written a row as read from a results file, for the same task
     * @return the differing columns, each as {@code column (value in the file, value here)}; empty when they agree
     */
    public List<String> differencesFrom(ResultRow written) {
        List<String> a = deterministicValues();
        List<String> b = written.deterministicValues();
        List<String> out = new java.util.ArrayList<>();
        for (int c = 0; c < a.size(); c++) {
            String col = COLUMNS.get(c);
            if (!a.get(c).equals(b.get(c)) && !(b.get(c).isEmpty() && ADDED_COLUMNS.contains(col))) {
                out.add(col + " (" + b.get(c) + " in the file, " + a.get(c) + " now)");
            }
        }
        return out;
    }

    /**
     * Writes a mixing measure in the {@code estimate} column's form (see the class comment).
     *
     * @param g the measure
     * @return its text, which {@link #parseEstimate} reads back exactly
     */
    public static String formatEstimate(MixingMeasure g) {
        java.util.Objects.requireNonNull(g, "estimate");
        StringBuilder sb = new StringBuilder();
        for (int l = 0; l < g.size(); l++) {
            if (l > 0) {
                sb.append('|');
            }
            for (int c = 0; c < g.atomDimension(); c++) {
                sb.append(c > 0 ? ";" : "").append(g.atom(l, c));
            }
            if (g.hasBias()) {
                sb.append(':').append(g.bias(l));
            }
        }
        return sb.toString();
    }

    /**
     * Reads the {@code estimate} column's form (see the class comment).
     *
     * @param text the column's text
     * @return the measure
     * @throws IllegalArgumentException if the text is not of that form (naming the column and the text)
     */
    public static MixingMeasure parseEstimate(String text) {
        java.util.Objects.requireNonNull(text, "text");
        try {
            String[] atoms = text.split("\\|", -1);
            double[][] theta = new double[atoms.length][];
            double[] biases = null;
            for (int l = 0; l < atoms.length; l++) {
                String[] parts = atoms[l].split(":", -1);
                if (parts.length > 2 || (l > 0 && (parts.length == 2) != (biases != null))) {
                    throw new IllegalArgumentException("every atom or none has a bias");
                }
                if (parts.length == 2) {
                    if (biases == null) {
                        biases = new double[atoms.length];
                    }
                    biases[l] = Double.parseDouble(parts[1]);
                }
                theta[l] = Arrays.stream(parts[0].split(";", -1)).mapToDouble(Double::parseDouble).toArray();
            }
            return new MixingMeasure(theta, biases);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("estimate: not a stored estimate ('" + text + "'): " + e.getMessage(),
                    e);
        }
    }

    /** {@return the task key (study, n, replicate)} */
    public String key() {
        return Task.key(study(), n(), replicate());
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
