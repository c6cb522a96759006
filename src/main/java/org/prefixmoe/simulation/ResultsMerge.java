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
import java.util.Objects;

/**
 * Merges the results files of the shards of one scenario ({@code simulate --shard i/k}) into one
 * results file whose rows are those of an unsharded run. Refuses, naming the files: inputs of
 * different scenario settings (fingerprints), a task present twice (the same shard given twice,
 * or overlapping shards), a row outside its shard's task list, and an input still being written
 * by a run. Each shard folder's manifest ({@link Shards.Manifest}) says which shard of how many
 * it is and which tasks it has: missing shards, missing tasks and cut rows are listed in
 * {@link Merged#gaps()} ({@code merge} refuses them unless {@code --partial}). Nothing is created
 * beside the inputs.
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
     * @param gaps what is missing, one sentence each: shards of {@code k} not given, tasks of a
     *     shard's manifest without a row (a killed or unfinished shard), a cut last line; empty
     *     when the inputs are complete (or carry no manifest to tell)
     * @param checked whether completeness was checked: every input has a shard manifest
     *     ({@link Shards#MANIFEST}, written by {@code simulate --shard})
     */
    public record Merged(String fingerprint, List<ResultRow> rows, List<Input> inputs, List<String> gaps,
                         boolean checked) {
        /** {@return whether nothing is known to be missing} */
        public boolean complete() {
            return gaps.isEmpty();
        }
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
     * The results files named by {@code inputs}: a results file, a results folder, or the folder
     * given to {@code simulate --shard ... -o DIR}, which stands for every {@code NAME-shard-i-of-k}
     * folder in it.
     *
     * @param inputs results folders, results files, or parents of shard folders
     * @return the results files, in order
     * @throws IllegalArgumentException naming an input that holds no results
     */
    public static List<Path> expand(List<Path> inputs) {
        Objects.requireNonNull(inputs, "inputs");
        List<Path> out = new ArrayList<>();
        for (Path in : inputs) {
            Objects.requireNonNull(in, "inputs[" + out.size() + "]");
            Path file = resultsFile(in);
            if (Files.isRegularFile(file)) {
                out.add(file);
                continue;
            }
            List<Path> shards = new ArrayList<>();
            if (Files.isDirectory(in)) {
                try (var list = Files.list(in)) {
                    list.filter(d -> SHARD_FOLDER.matcher(d.getFileName().toString()).matches())
                            .filter(d -> Files.isRegularFile(d.resolve("results.csv"))).sorted().forEach(shards::add);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot list " + in + ": " + e.getMessage(), e);
                }
            }
            if (shards.isEmpty()) {
                throw new IllegalArgumentException(in + ": no results file (expected a folder with results.csv"
                        + " written by simulate, such a file, or the -o folder of simulate --shard with"
                        + " NAME-shard-i-of-k folders)");
            }
            java.util.Set<String> names = new java.util.TreeSet<>();
            shards.forEach(d -> names.add(SHARD_FOLDER.matcher(d.getFileName().toString()).replaceAll("$1")));
            if (names.size() > 1) {
                throw new IllegalArgumentException(in + ": holds the shards of several scenarios " + names
                        + "; name one scenario's NAME-shard-i-of-k folders");
            }
            shards.forEach(d -> out.add(d.resolve("results.csv")));
        }
        return out;
    }

    private static final java.util.regex.Pattern SHARD_FOLDER =
            java.util.regex.Pattern.compile("(.+)-shard-[0-9]+-of-[0-9]+");

    /**
     * Reads and checks the inputs; nothing is written, nothing is created beside the inputs (they
     * may be read-only). What is missing is reported in {@link Merged#gaps()}, not refused.
     *
     * @param inputs results folders, results files, or the -o folder of {@code simulate --shard}
     * @return the merged rows
     * @throws IllegalArgumentException naming the files for mismatched fingerprints, a task present
     *     twice, a row outside its shard's manifest or manifests of different scenarios
     * @throws IllegalStateException if a run is still writing an input
     */
    public static Merged of(List<Path> inputs) {
        Objects.requireNonNull(inputs, "inputs");
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("merge: no inputs");
        }
        String fingerprint = null;
        Path fingerprintFile = null;
        Map<String, ResultRow> byKey = new HashMap<>();
        Map<String, Path> source = new HashMap<>();
        List<Input> read = new ArrayList<>();
        List<String> gaps = new ArrayList<>();
        Map<Integer, Path> shardsGiven = new java.util.TreeMap<>();
        Shards.Manifest first = null;
        boolean allManifests = true;
        for (Path file : expand(inputs)) {
            ResultsFile.requireNotLocked(file);
            List<ResultRow> rows = ResultsFile.read(file);
            long cut;
            try {
                cut = ResultsFile.partialLastLineLength(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
            if (cut > 0) {
                gaps.add(file + ": its last line is cut (" + cut + " bytes after the last newline: a row of a"
                        + " killed run, left out)");
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
            java.util.Optional<Shards.Manifest> man = file.getParent() == null ? java.util.Optional.empty()
                    : Shards.Manifest.read(file.getParent());
            if (man.isEmpty()) {
                allManifests = false;
            } else {
                Shards.Manifest mf = man.get();
                Path mfile = file.resolveSibling(Shards.MANIFEST);
                if (first == null) {
                    first = mf;
                } else if (first.shard().count() != mf.shard().count() || !first.scenario().equals(mf.scenario())
                        || !first.fingerprint().equals(mf.fingerprint())) {
                    throw new IllegalArgumentException(mfile + ": shard " + mf.shard() + " of scenario '"
                            + mf.scenario() + "' (" + mf.fingerprint() + "), but another input is shard "
                            + first.shard() + " of '" + first.scenario() + "' (" + first.fingerprint()
                            + "); only the shards of one run of one scenario can be merged");
                }
                Path twice = shardsGiven.put(mf.shard().index(), file);
                if (twice != null) {
                    throw new IllegalArgumentException(file + " and " + twice + " are both shard " + mf.shard()
                            + "; nothing written");
                }
                java.util.Set<String> listed = new java.util.HashSet<>(mf.tasks());
                for (ResultRow row : rows) {
                    if (!row.get("fingerprint").equals(mf.fingerprint()) || !listed.contains(row.key())) {
                        throw new IllegalArgumentException(file + ": task " + row.key() + " is not one of shard "
                                + mf.shard() + "'s tasks in " + mfile + " (or its settings differ); nothing written");
                    }
                }
                java.util.Set<String> have = new java.util.HashSet<>();
                rows.forEach(r -> have.add(r.key()));
                List<String> missing = mf.tasks().stream().filter(t -> !have.contains(t)).toList();
                if (!missing.isEmpty()) {
                    gaps.add(file + ": shard " + mf.shard() + " has " + rows.size() + " of its " + mf.tasks().size()
                            + " tasks' rows; " + missing.size() + " missing (" + examples(missing)
                            + "): killed, failed or still to run");
                }
            }
            read.add(new Input(file, rows.size()));
        }
        if (first != null) {
            List<String> absent = new ArrayList<>();
            for (int i = 1; i <= first.shard().count(); i++) {
                if (!shardsGiven.containsKey(i)) {
                    absent.add(i + "/" + first.shard().count());
                }
            }
            if (!absent.isEmpty()) {
                gaps.add("shard(s) " + String.join(", ", absent) + " of scenario '" + first.scenario()
                        + "' not given (folders " + first.scenario() + "-shard-" + absent.get(0).replace("/", "-of-")
                        + (absent.size() > 1 ? ", ..." : "") + "); " + (first.scenarioTasks() - byKey.size())
                        + " of the scenario's " + first.scenarioTasks() + " tasks have no row");
            }
            if (!allManifests) {
                gaps.add("some inputs have no shard manifest (" + Shards.MANIFEST + "): their completeness is unknown");
            }
        }
        List<ResultRow> rows = new ArrayList<>(byKey.values());
        rows.sort(Comparator.comparing((ResultRow r) -> r.get("study"))
                .thenComparingInt(r -> Integer.parseInt(r.get("n")))
                .thenComparingInt(r -> Integer.parseInt(r.get("replicate"))));
        return new Merged(fingerprint == null ? "" : fingerprint, List.copyOf(rows), List.copyOf(read),
                List.copyOf(gaps), first != null && allManifests);
    }

    private static String examples(List<String> keys) {
        return "e.g. " + String.join(", ", keys.subList(0, Math.min(3, keys.size()))) + (keys.size() > 3 ? ", ..." : "");
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
        Objects.requireNonNull(m, "merged");
        Objects.requireNonNull(dir, "dir");
        Path out = dir.resolve("results.csv");
        boolean isInput = m.inputs().stream().anyMatch(i -> sameFile(i.file(), out));
        if (Files.exists(out) && !isInput) {
            throw new IllegalArgumentException(out + " exists and is not among the inputs; choose a new or empty"
                    + " -o folder");
        }
        try (FileChannel ignored = ResultsFile.lock(out)) {
            try {
                ResultsFile.writeAll(out, m.rows());
            } finally {
                ResultsFile.deleteLockFile(out); // while still held: no other run can be holding it
            }
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
