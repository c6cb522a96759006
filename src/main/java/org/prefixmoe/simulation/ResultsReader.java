package org.prefixmoe.simulation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.prefixmoe.estimation.StopReason;
import org.prefixmoe.io.InputFiles;
import org.prefixmoe.loss.CellErrors;

/**
 * The one reader of results files, used by resume, {@code summarize}, {@code plot} and
 * {@code merge}. Every row is validated before any is used: the header, the number of values,
 * every column's type and range (whole numbers, {@code status} and {@code stop_reason} in their
 * sets, {@code converged} {@code true}/{@code false} in either case, losses finite and
 * non-negative in rows whose fit succeeded), one fingerprint for the whole file, and no task key
 * (study, n, replicate) twice. An error names the file, the line and the column. A partial last
 * line (a row cut by a killed run) is ignored. Given a scenario, rows must carry its fingerprint
 * and its studies' settings, and rows whose key is outside its grid (after lowering
 * {@code replicates} or changing {@code sizes}) are kept apart in {@link Results#outsideGrid()},
 * to be reported and left out of summaries.
 */
public final class ResultsReader {
    private static final CSVFormat READ = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get();
    private static final List<String> LOSSES = List.of("d1", "d2", "regression", "single", "multi",
            "multi_weighted");

    private ResultsReader() {
    }

    /**
     * The validated rows of a results file.
     *
     * @param file the file read
     * @param rows the rows, in file order (only those inside the grid when read against a scenario)
     * @param outsideGrid rows outside the scenario's grid (empty without a scenario)
     * @param fingerprint the fingerprint of every row (empty for a file without rows)
     */
    public record Results(Path file, List<ResultRow> rows, List<ResultRow> outsideGrid, String fingerprint) {
        /**
         * A one-line note on the rows left out, or "" when none were.
         *
         * @return the note
         */
        public String outsideGridNote() {
            if (outsideGrid.isEmpty()) {
                return "";
            }
            ResultRow r = outsideGrid.get(0);
            return file + ": " + outsideGrid.size() + " row(s) outside the scenario's grid (e.g. study '"
                    + r.get("study") + "', n = " + r.get("n") + ", replicate " + r.get("replicate")
                    + ") are kept in the file but left out of the summary";
        }
    }

    /**
     * Reads and validates every row of {@code file}.
     *
     * @param file a results file
     * @return its rows
     * @throws IllegalArgumentException naming the file, line and column of the first bad value
     */
    public static Results read(Path file) {
        java.util.Objects.requireNonNull(file, "file");
        return read(file, null, null);
    }

    /**
     * Reads and validates every row of {@code file} against a scenario: its fingerprint, its
     * studies' parameterization, L, L* and estimator, and its grid.
     *
     * @param file a results file of {@code scenario}
     * @param scenario the scenario
     * @return its rows inside the grid, and those outside it apart
     * @throws IllegalArgumentException naming the file, line and column of the first bad value
     */
    public static Results read(Path file, Scenario scenario) {
        java.util.Objects.requireNonNull(file, "file");
        java.util.Objects.requireNonNull(scenario, "scenario");
        return read(file, scenario, scenario.fingerprint());
    }

    /**
     * Reads and validates every row of {@code file}, which must carry {@code fingerprint} (what a
     * resumed run knows).
     *
     * @param file a results file
     * @param fingerprint the fingerprint every row must carry
     * @return its rows
     * @throws IllegalArgumentException naming the file, line and column of the first bad value
     */
    public static Results read(Path file, String fingerprint) {
        java.util.Objects.requireNonNull(file, "file");
        java.util.Objects.requireNonNull(fingerprint, "fingerprint");
        return read(file, null, fingerprint);
    }

    private static Results read(Path file, Scenario scenario, String fingerprint) {
        InputFiles.record(file);
        String text;
        try {
            byte[] bytes = Files.readAllBytes(file);
            text = new String(bytes, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such results file");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1); // a byte-order mark, as some editors and spreadsheets write
        }
        int end = text.lastIndexOf('\n');
        text = end < 0 ? "" : text.substring(0, end + 1); // a partial last line is a row cut by a killed run
        if (text.isEmpty()) {
            throw new IllegalArgumentException(file + ": not a results file: no complete header line (the file is"
                    + " empty or has no newline)");
        }
        int[] lineStarts = lineStarts(text);
        Map<String, Scenario.Study> studies = new HashMap<>();
        Set<Integer> sizes = new HashSet<>();
        if (scenario != null) {
            scenario.studies().forEach(s -> studies.put(s.name(), s));
            sizes.addAll(scenario.sizes());
        }
        List<ResultRow> rows = new ArrayList<>();
        List<ResultRow> outside = new ArrayList<>();
        Map<String, Integer> keys = new HashMap<>();
        String seen = fingerprint;
        int seenLine = 0;
        String name = scenario == null ? null : scenario.name();
        int nameLine = 0;
        try (CSVParser p = parse(file, text)) {
            List<String> header = p.getHeaderNames();
            checkLayout(file, header);
            for (CSVRecord rec : p) {
                int line = line(lineStarts, rec.getCharacterPosition());
                if (rec.size() != header.size()) {
                    throw new IllegalArgumentException(file + ": line " + line + " has " + rec.size()
                            + " values, expected " + header.size());
                }
                ResultRow row = new ResultRow(toColumns(header, rec.values()));
                Check c = new Check(file, line, row);
                c.check();
                String fp = row.get("fingerprint");
                if (seen == null) {
                    seen = fp;
                    seenLine = line;
                } else if (!fp.equals(seen)) {
                    throw c.error("fingerprint", "'" + fp + "' differs from " + (seenLine > 0 ? "line " + seenLine
                            + "'s" : "the scenario's") + " '" + seen + "': the file mixes scenario settings (seed,"
                            + " solver, truth, ...); write to another folder or delete the file");
                }
                if (name == null) {
                    name = row.get("scenario");
                    nameLine = line;
                } else if (!row.get("scenario").equals(name)) {
                    throw c.error("scenario", "'" + row.get("scenario") + "' differs from " + (nameLine > 0 ? "line "
                            + nameLine + "'s" : "the scenario's name") + " '" + name + "': a results file holds the"
                            + " rows of one scenario; write to another folder or delete the file");
                }
                Integer before = keys.putIfAbsent(row.key(), line);
                if (before != null) {
                    throw c.error("replicate", "task (study '" + row.get("study") + "', n = " + row.get("n")
                            + ", replicate " + row.get("replicate") + ") already has a row on line " + before
                            + "; a task has one row");
                }
                if (scenario != null) {
                    Scenario.Study st = studies.get(row.get("study"));
                    if (st == null || !sizes.contains(Integer.parseInt(row.get("n")))
                            || Integer.parseInt(row.get("replicate")) >= scenario.replicates()) {
                        outside.add(row);
                        continue;
                    }
                    c.same("parameterization", st.fitted().model().parameterization().name());
                    c.same("L", Integer.toString(st.atoms()));
                    c.same("L_star", Integer.toString(st.truth().trueAtoms()));
                    c.same("estimator", scenario.estimator());
                }
                rows.add(row);
            }
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalArgumentException(file + ": not a readable CSV file: " + e.getMessage());
        } catch (IllegalStateException e) { // Commons CSV: malformed quoting
            throw new IllegalArgumentException(file + ": malformed CSV: " + e.getMessage());
        }
        return new Results(file, List.copyOf(rows), List.copyOf(outside), seen == null ? "" : seen);
    }

    /** Parses the text; Commons CSV's refusals of a header (e.g. a duplicate name) name the file. */
    private static CSVParser parse(Path file, String text) throws IOException {
        try {
            return CSVParser.parse(text, READ);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": line 1: not a results file (" + e.getMessage() + ")");
        }
    }

    /**
     * Checks a header: {@link ResultRow#COLUMNS}, or those without some of the columns added since the file
     * was written ({@link ResultRow#readableLayout}; such files are read and resumed in their layout).
     */
    static void checkLayout(Path file, List<String> header) {
        if (!ResultRow.readableLayout(header)) {
            String diff = "";
            for (int i = 0; i < Math.min(header.size(), ResultRow.COLUMNS.size()); i++) {
                if (!header.get(i).equals(ResultRow.COLUMNS.get(i))) {
                    diff = "column " + (i + 1) + " is '" + visible(header.get(i)) + "', expected '"
                            + ResultRow.COLUMNS.get(i) + "'; ";
                    break;
                }
            }
            if (diff.isEmpty()) {
                diff = header.size() + " columns, expected " + ResultRow.COLUMNS.size() + "; ";
            }
            String h = String.join(",", header);
            throw new IllegalArgumentException(file + ": line 1: not a results file of this version (" + diff
                    + "header " + visible(h.length() > 200 ? h.substring(0, 200) + "..." : h) + "; expected "
                    + String.join(",", ResultRow.COLUMNS) + ")");
        }
    }

    /** The text with characters outside printable ASCII shown as {@code \\uXXXX}. */
    private static String visible(String text) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format(java.util.Locale.ROOT, "\\u%04X",
                    (int) c));
        }
        return sb.toString();
    }

    /** The values of a row in {@link ResultRow#COLUMNS} order, columns missing from the file left empty. */
    private static String[] toColumns(List<String> header, String[] values) {
        if (header.equals(ResultRow.COLUMNS)) {
            return values;
        }
        String[] out = new String[ResultRow.COLUMNS.size()];
        Arrays.fill(out, "");
        for (int i = 0; i < header.size(); i++) {
            out[ResultRow.COLUMNS.indexOf(header.get(i))] = values[i];
        }
        return out;
    }

    private static int[] lineStarts(String text) {
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                starts.add(i + 1);
            }
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int line(int[] starts, long position) {
        int i = Arrays.binarySearch(starts, (int) position);
        return (i >= 0 ? i : -i - 2) + 1;
    }

    /** The checks of one row; errors name file, line and column. */
    private static final class Check {
        private static final Set<String> STOP_REASONS = new HashSet<>();
        private static final Set<String> REDUNDANCY = new HashSet<>();

        static {
            for (StopReason r : StopReason.values()) {
                STOP_REASONS.add(r.label());
            }
            for (CellErrors.Redundancy r : CellErrors.Redundancy.values()) {
                REDUNDANCY.add(r.label());
            }
        }

        /** The longest name a results file may hold in its text columns (scenario, study, ...). */
        private static final int MAX_NAME = 200;
        private final Path file;
        private final int line;
        private final ResultRow row;

        Check(Path file, int line, ResultRow row) {
            this.file = file;
            this.line = line;
            this.row = row;
        }

        IllegalArgumentException error(String column, String reason) {
            return new IllegalArgumentException(file + ": line " + line + ", column '" + column + "': " + reason);
        }

        void check() {
            for (String c : ResultRow.COLUMNS) {
                String v = row.get(c);
                for (int i = 0; i < v.length(); i++) {
                    char ch = v.charAt(i);
                    if (ch < 0x20 || ch == 0x7f) {
                        throw error(c, String.format(java.util.Locale.ROOT, "control character U+%04X at"
                                + " position %d: results files hold printable text only", (int) ch, i + 1));
                    }
                }
            }
            for (String c : List.of("scenario", "fingerprint", "study", "parameterization", "estimator", "init")) {
                if (row.get(c).isEmpty()) {
                    throw error(c, "empty");
                }
                if (row.get(c).length() > MAX_NAME) {
                    throw error(c, row.get(c).length() + " characters, at most " + MAX_NAME);
                }
            }
            if (row.get("message").length() > ResultRow.MAX_MESSAGE) {
                throw error("message", row.get("message").length() + " characters, at most "
                        + ResultRow.MAX_MESSAGE + " (what a run writes)");
            }
            whole("L", 1, false);
            whole("L_star", 1, false);
            whole("n", 1, false);
            whole("replicate", 0, false);
            boolean ok = oneOf("status", Set.of("ok", "failed")).equals("ok");
            oneOf("stop_reason", STOP_REASONS);
            String conv = row.get("converged");
            if (!conv.equalsIgnoreCase("true") && !conv.equalsIgnoreCase("false")) {
                throw error("converged", "expected true or false (TRUE or FALSE), found '" + conv + "'");
            }
            whole("iterations", 0, !ok);
            whole("evaluations", 0, !ok);
            number("objective", ok, !ok, false);
            number("noise_variance", ok, !ok, true);
            for (String loss : LOSSES) {
                number(loss, true, true, true);
                if (!ok && !row.get(loss).isEmpty()) {
                    throw error(loss, "a failed fit has no losses, found '" + row.get(loss) + "'");
                }
            }
            whole("empty_cells", 0, true);
            if (!row.get("redundancy").isEmpty()) {
                oneOf("redundancy", REDUNDANCY);
            }
            number("seconds", true, true, true);
            number("gauss_newton_decrement", true, true, true);
            String estimate = row.get("estimate");
            if (!estimate.isEmpty()) {
                org.prefixmoe.model.MixingMeasure g;
                try {
                    g = ResultRow.parseEstimate(estimate);
                } catch (IllegalArgumentException e) {
                    throw error("estimate", "not a stored estimate ('" + estimate + "')");
                }
                if (g.size() != Integer.parseInt(row.get("L"))) {
                    throw error("estimate", g.size() + " atoms but L = " + row.get("L"));
                }
            }
        }

        void same(String column, String expected) {
            if (!row.get(column).equals(expected)) {
                throw error(column, "'" + row.get(column) + "' but the scenario's study '" + row.get("study")
                        + "' has '" + expected + "'");
            }
        }

        private String oneOf(String column, Set<String> allowed) {
            String v = row.get(column);
            if (!allowed.contains(v)) {
                throw error(column, "'" + v + "' is not one of " + new java.util.TreeSet<>(allowed));
            }
            return v;
        }

        private void whole(String column, long min, boolean mayBeEmpty) {
            String v = row.get(column);
            if (v.isEmpty() && mayBeEmpty) {
                return;
            }
            long x;
            try {
                x = Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw error(column, "not a whole number: '" + v + "'");
            }
            if (x < min || x > Integer.MAX_VALUE) {
                throw error(column, "must be a whole number >= " + min + ", found " + v);
            }
        }

        /** A number; {@code finite}: no infinity; empty only if {@code mayBeEmpty}; NaN is never written. */
        private void number(String column, boolean finite, boolean mayBeEmpty, boolean nonNegative) {
            String v = row.get(column);
            if (v.isEmpty()) {
                if (!mayBeEmpty) {
                    throw error(column, "empty");
                }
                return;
            }
            double x;
            try {
                x = Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw error(column, "not a number: '" + v + "'");
            }
            if (Double.isNaN(x) || (finite && Double.isInfinite(x))) {
                throw error(column, "not a finite number: '" + v + "' (results files never hold NaN; a loss not"
                        + " recorded is empty)");
            }
            if (nonNegative && x < 0) {
                throw error(column, "must be >= 0, found " + v);
            }
        }
    }
}
