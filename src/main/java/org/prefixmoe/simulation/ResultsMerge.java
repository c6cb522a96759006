package org.prefixmoe.simulation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges the results files of the shards of one scenario ({@code simulate --shard i/k}) into one
 * results file whose rows are those of an unsharded run. Refuses, naming the files: inputs of
 * different scenario settings (fingerprints), a task present twice (the same shard given twice,
 * or overlapping shards), and an input still being written by a run.
 */
public final class ResultsMerge {
    private ResultsMerge() {
    }

    /**
     * Rows read from one input.
     *
     * @param file the results file
     * @param rows its complete rows
     */
    public record Input(Path file, int rows) {
    }

    /**
     * The merged rows.
     *
     * @param fingerprint the scenario fingerprint shared by every row (empty when there are none)
     * @param rows every row, sorted by study, n and replicate
     * @param inputs the inputs read
     */
    public record Merged(String fingerprint, List<ResultRow> rows, List<Input> inputs) {
    }

    /**
     * The results file of a folder.
     *
     * @param dirOrFile a results folder or a results file
     * @return {@code DIR/results.csv}, or the path itself when it is a file
     */
    public static Path resultsFile(Path dirOrFile) {
        return Files.isDirectory(dirOrFile) ? dirOrFile.resolve("results.csv") : dirOrFile;
    }

    /**
     * Reads and checks the inputs; nothing is written.
     *
     * @param inputs results folders or results files
     * @return the merged rows
     * @throws IllegalArgumentException naming the files for mismatched fingerprints or a task present twice
     * @throws IllegalStateException if a run is still writing an input
     */
    public static Merged of(List<Path> inputs) {
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("merge: no inputs");
        }
        String fingerprint = null;
        Path fingerprintFile = null;
        Map<String, ResultRow> byKey = new HashMap<>();
        Map<String, Path> source = new HashMap<>();
        List<Input> read = new ArrayList<>();
        for (Path in : inputs) {
            Path file = resultsFile(in);
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(in + ": no results file (expected a folder with results.csv"
                        + " written by simulate, or such a file)");
            }
            List<ResultRow> rows;
            try (FileChannel ignored = ResultsFile.lock(file)) {
                rows = ResultsFile.read(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
            for (ResultRow row : rows) {
                String fp = row.get("fingerprint");
                if (fingerprint == null) {
                    fingerprint = fp;
                    fingerprintFile = file;
                } else if (!fp.equals(fingerprint)) {
                    throw new IllegalArgumentException(file + ": holds rows of scenario settings " + fp + " but "
                            + fingerprintFile + " holds rows of " + fingerprint
                            + "; only shards of one scenario with the same settings can be merged");
                }
                String key = row.key();
                ResultRow before = byKey.putIfAbsent(key, row);
                if (before != null) {
                    Path other = source.get(key);
                    String where = other.equals(file) ? "twice in " + file : "in both " + other + " and " + file;
                    String what = before.deterministicValues().equals(row.deterministicValues())
                            ? "identical rows: the same shard given twice, or overlapping shards?"
                            : "conflicting rows, differing in " + firstDifference(before, row);
                    throw new IllegalArgumentException("task " + key + " (study|n|replicate) is " + where + " ("
                            + what + "); nothing written");
                }
                source.put(key, file);
            }
            read.add(new Input(file, rows.size()));
        }
        List<ResultRow> rows = new ArrayList<>(byKey.values());
        rows.sort(Comparator.comparing((ResultRow r) -> r.get("study"))
                .thenComparingInt(r -> Integer.parseInt(r.get("n")))
                .thenComparingInt(r -> Integer.parseInt(r.get("replicate"))));
        return new Merged(fingerprint == null ? "" : fingerprint, List.copyOf(rows), List.copyOf(read));
    }

    private static String firstDifference(ResultRow a, ResultRow b) {
        List<String> x = a.deterministicValues();
        List<String> y = b.deterministicValues();
        for (int i = 0; i < x.size(); i++) {
            if (!x.get(i).equals(y.get(i))) {
                return ResultRow.COLUMNS.get(i) + " (" + x.get(i) + " vs " + y.get(i) + ")";
            }
        }
        return "timing only";
    }

    /**
     * Writes the merged rows to {@code DIR/results.csv} atomically, holding the folder's run lock.
     * An existing results file there must be one of the inputs (it is then replaced by the merge).
     *
     * @param m the merged rows
     * @param dir the output folder
     * @return the results file written
     */
    public static Path write(Merged m, Path dir) {
        Path out = dir.resolve("results.csv");
        boolean isInput = m.inputs().stream().anyMatch(i -> sameFile(i.file(), out));
        if (Files.exists(out) && !isInput) {
            throw new IllegalArgumentException(out + " exists and is not among the inputs; name it as an input"
                    + " to merge into it, or choose another -o");
        }
        try (FileChannel ignored = ResultsFile.lock(out)) {
            ResultsFile.writeAll(out, m.rows());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
