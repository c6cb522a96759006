package org.prefixmoe.spark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.prefixmoe.simulation.ResultRow;
import org.prefixmoe.simulation.Scenario;
import org.prefixmoe.simulation.Task;

/**
 * Where a Spark run keeps its rows, on any Hadoop-compatible file system (a local or shared
 * folder, HDFS, an object store): the results file {@code results.csv}, in the threaded engine's
 * format, and beside it the folder {@code results.csv.parts/} where executors write their rows
 * as they compute them, one part file per task attempt ({@code RUN-pPARTITION-tATTEMPT.csv}, a
 * header and one line per row, each line flushed where the file system can). The driver reads
 * only keys (study, n, replicate) of existing rows, never keeps rows, and at the end of a run
 * streams the rows of the part files that the results file lacks into it ({@link #merge}), each
 * task once. A part file's partial last line (an executor killed while writing) is ignored.
 */
final class OutputFolder {
    static final CSVFormat WRITE = CSVFormat.DEFAULT.builder().setRecordSeparator("\n").get();

    private final Path results;
    private final Path parts;

    /** @param results the results file, a Hadoop path ({@link #path}) */
    OutputFolder(Path results) {
        this.results = results;
        this.parts = new Path(results.getParent(), results.getName() + ".parts");
    }

    /**
     * A path as the command line takes it: with a scheme ({@code hdfs://}, {@code s3a://},
     * {@code file:}) as given; without one, a file of the driver's local file system, relative
     * to its working directory (as every other prefixmoe command reads {@code -o}).
     */
    static Path path(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (java.net.URISyntaxException e) {
            uri = null;
        }
        if (uri != null && uri.getScheme() != null && uri.getScheme().length() > 1) {
            return new Path(text);
        }
        return new Path(java.nio.file.Path.of(text).toAbsolutePath().normalize().toUri());
    }

    Path results() {
        return results;
    }

    Path parts() {
        return parts;
    }

    /** {@return whether the folder is on the driver's local file system} */
    boolean isLocal() {
        return "file".equals(results.toUri().getScheme());
    }

    /** {@return the results file as a local path (only when {@link #isLocal})} */
    java.nio.file.Path localResults() {
        return java.nio.file.Path.of(results.toUri());
    }

    /**
     * The file system of a path; for local paths the raw one (no {@code .crc} files beside the
     * results, and a flush reaches the file).
     */
    static FileSystem fs(Path p, Configuration conf) {
        try {
            FileSystem fs = p.getFileSystem(conf);
            return fs instanceof LocalFileSystem local ? local.getRaw() : fs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the file system of " + p + ": " + e.getMessage(), e);
        }
    }

    /**
     * Takes the run's lock of a local results file: the threaded engine's lock file
     * ({@code results.csv.lock}, an OS lock), so a threaded run and a Spark run never write one
     * file at once. On other file systems there is no lock: one run per folder is up to the user.
     */
    static FileChannel lock(java.nio.file.Path file) {
        java.nio.file.Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        try {
            Files.createDirectories(lockFile.getParent());
            FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                if (ch.tryLock() != null) {
                    return ch;
                }
            } catch (java.nio.channels.OverlappingFileLockException e) {
                // held by this very process
            }
            ch.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + file + ": " + e.getMessage(), e);
        }
        throw new IllegalStateException(file + " is being written by another run (lock " + lockFile
                + "); wait for it to finish or stop it, then rerun to resume");
    }

    /** Releases a lock of {@link #lock}, deleting its file while still holding it. */
    static void unlock(java.nio.file.Path file, FileChannel lock) {
        try {
            Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".lock"));
        } catch (IOException ignored) {
            // a leftover lock file is harmless: the OS lock is what refuses a second run
        }
        try {
            lock.close();
        } catch (IOException ignored) {
            // releasing
        }
    }

    /** The keys of the rows present anywhere (results file and part files), each row checked against {@code s}. */
    Set<String> keys(FileSystem fs, Scenario s) {
        recover(fs);
        Set<String> keys = new HashSet<>();
        if (exists(fs, results)) {
            readRows(fs, results, s, true, v -> keys.add(v.key()));
        }
        for (Path part : partFiles(fs, null)) {
            readRows(fs, part, s, false, v -> keys.add(v.key()));
        }
        return keys;
    }

    /** The part files, sorted by name; with {@code prefix}, only those whose name starts with it. */
    List<Path> partFiles(FileSystem fs, String prefix) {
        try {
            if (!fs.exists(parts)) {
                return List.of();
            }
            FileStatus[] st = fs.listStatus(parts, p -> p.getName().endsWith(".csv")
                    && (prefix == null || p.getName().startsWith(prefix)));
            return Arrays.stream(st).map(FileStatus::getPath).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + parts + ": " + e.getMessage(), e);
        }
    }

    /** A row's values and where it came from. */
    record Line(String text, String[] values, String key, String file, int line) {
        String get(String column) {
            return values[ResultRow.COLUMNS.indexOf(column)];
        }
    }

    /**
     * Streams the complete rows of a results or part file (a partial last line is skipped),
     * checking its header and each row's column count, scenario and fingerprint.
     */
    static void readRows(FileSystem fs, Path file, Scenario s, boolean results, Consumer<Line> each) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
            List<String> header = null;
            int[] index = null;
            StringBuilder sb = new StringBuilder();
            int lineNo = 0;
            int c;
            char[] buf = new char[1 << 16];
            int len;
            while ((len = r.read(buf)) > 0) {
                for (int i = 0; i < len; i++) {
                    c = buf[i];
                    if (c != '\n') {
                        sb.append((char) c);
                        continue;
                    }
                    lineNo++;
                    String text = sb.length() > 0 && sb.charAt(sb.length() - 1) == '\r'
                            ? sb.substring(0, sb.length() - 1) : sb.toString();
                    sb.setLength(0);
                    if (header == null) {
                        header = header(file, text);
                        index = new int[ResultRow.COLUMNS.size()];
                        for (int k = 0; k < index.length; k++) {
                            index[k] = header.indexOf(ResultRow.COLUMNS.get(k));
                        }
                        continue;
                    }
                    if (text.isEmpty()) {
                        continue;
                    }
                    each.accept(row(file, lineNo, text, header, index, s));
                }
            }
            if (header == null && lineNo == 0 && sb.length() > 0 && results) {
                throw new IllegalArgumentException(file + ": not a results file: no complete header line");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static List<String> header(Path file, String text) {
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<String> h = parse(file, 1, text);
        if (!ResultRow.readableLayout(h)) {
            throw new IllegalArgumentException(file + ": line 1: not a results file of this version (header "
                    + (text.length() > 200 ? text.substring(0, 200) + "..." : text) + "; expected "
                    + String.join(",", ResultRow.COLUMNS) + ")");
        }
        return h;
    }

    private static List<String> parse(Path file, int line, String text) {
        try (CSVParser p = CSVParser.parse(text, CSVFormat.DEFAULT)) {
            List<CSVRecord> recs = p.getRecords();
            if (recs.size() != 1) {
                throw new IllegalArgumentException(file + ": line " + line + ": not one CSV record");
            }
            return recs.get(0).toList();
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            throw new IllegalArgumentException(file + ": line " + line + ": malformed CSV: " + e.getMessage());
        }
    }

    private static Line row(Path file, int lineNo, String text, List<String> header, int[] index, Scenario s) {
        List<String> v = parse(file, lineNo, text);
        if (v.size() != header.size()) {
            throw new IllegalArgumentException(file + ": line " + lineNo + " has " + v.size() + " values, expected "
                    + header.size());
        }
        String[] values = new String[ResultRow.COLUMNS.size()];
        for (int k = 0; k < values.length; k++) {
            values[k] = index[k] < 0 ? "" : v.get(index[k]);
        }
        Line line = new Line(text, values, null, file.toString(), lineNo);
        if (!line.get("fingerprint").equals(s.fingerprint())) {
            throw new IllegalArgumentException(file + ": line " + lineNo + ": column fingerprint: '"
                    + line.get("fingerprint") + "' differs from the scenario's '" + s.fingerprint() + "': the file"
                    + " holds rows of other scenario settings (seed, solver, truth, ...); write to another folder or"
                    + " delete the file");
        }
        if (!line.get("scenario").equals(s.name())) {
            throw new IllegalArgumentException(file + ": line " + lineNo + ": column scenario: '" + line.get("scenario")
                    + "' differs from the scenario's name '" + s.name() + "'");
        }
        String key;
        try {
            key = Task.key(line.get("study"), Integer.parseInt(line.get("n")), Integer.parseInt(line.get("replicate")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": line " + lineNo + ": n and replicate must be integers");
        }
        return new Line(text, values, key, file.toString(), lineNo);
    }

    /** After a merge was cut between deleting the old results file and renaming the new one: the new one. */
    private void recover(FileSystem fs) {
        Path merging = merging();
        try {
            if (!fs.exists(results) && fs.exists(merging)) {
                fs.rename(merging, results);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot recover " + results + " from " + merging + ": " + e.getMessage(), e);
        }
    }

    private Path merging() {
        return new Path(results.getParent(), results.getName() + ".merging");
    }

    private static boolean exists(FileSystem fs, Path p) {
        try {
            return fs.exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    /** What a merge added to the results file. */
    record Merged(long added, long failed, long capped, long partFiles) {
    }

    /**
     * Streams the rows of every part file that the results file lacks into it (a task's first row
     * wins; the results file's rows and order are kept), counting the added rows of
     * {@code counted} tasks (this run's), then deletes the merged part files. The new results
     * file is written beside the old one and replaces it: a local file atomically; elsewhere by
     * delete and rename (a merge cut in between is completed by the next run).
     */
    Merged merge(FileSystem fs, Scenario s, Set<String> counted) {
        recover(fs);
        List<Path> partList = partFiles(fs, null);
        if (partList.isEmpty()) {
            return new Merged(0, 0, 0, 0);
        }
        Path merging = merging();
        Set<String> keys = new HashSet<>();
        long[] n = new long[3];
        List<String> layout = ResultRow.COLUMNS;
        try {
            if (fs.exists(results)) {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(results),
                        StandardCharsets.UTF_8))) {
                    String first = r.readLine();
                    if (first != null) {
                        layout = header(results, first);
                    }
                }
            }
            List<String> fileLayout = layout;
            try (FSDataOutputStream os = fs.create(merging, true);
                 Writer w = new java.io.BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16)) {
                w.write(WRITE.format(fileLayout.toArray()) + "\n");
                if (fs.exists(results)) {
                    readRows(fs, results, s, true, line -> {
                        if (keys.add(line.key())) {
                            write(w, line.text());
                        }
                    });
                }
                for (Path part : partList) {
                    readRows(fs, part, s, false, line -> {
                        if (keys.add(line.key())) {
                            write(w, fileLayout == ResultRow.COLUMNS ? line.text()
                                    : WRITE.format(fileLayout.stream().map(line::get).toArray()));
                            if (counted.contains(line.key())) {
                                n[0]++;
                                n[1] += line.get("status").equals("ok") ? 0 : 1;
                                n[2] += line.get("stop_reason").equals(
                                        org.prefixmoe.estimation.StopReason.MAX_ITERATIONS.label()) ? 1 : 0;
                            }
                        }
                    });
                }
            }
            replace(fs, merging, results);
            for (Path part : partList) {
                fs.delete(part, false);
            }
            if (fs.listStatus(parts).length == 0) {
                fs.delete(parts, false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot merge the rows of " + parts + " into " + results + ": "
                    + e.getMessage(), e);
        }
        return new Merged(n[0], n[1], n[2], partList.size());
    }

    private static void write(Writer w, String line) {
        try {
            w.write(line);
            w.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void replace(FileSystem fs, Path from, Path to) throws IOException {
        if (isLocal()) {
            Files.move(java.nio.file.Path.of(from.toUri()), java.nio.file.Path.of(to.toUri()),
                    StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        if (fs.exists(to) && !fs.delete(to, false)) {
            throw new IOException("cannot delete " + to);
        }
        if (!fs.rename(from, to)) {
            throw new IOException("cannot rename " + from + " to " + to);
        }
    }

    /** Appends a line to a small text file of the folder ({@code runs.log}), on any file system. */
    void appendLine(FileSystem fs, String name, String line) {
        Path file = new Path(results.getParent(), name);
        try {
            if (isLocal()) {
                Files.writeString(java.nio.file.Path.of(file.toUri()), line, StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                return;
            }
            List<String> old = new ArrayList<>();
            if (fs.exists(file)) {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
                    r.lines().forEach(old::add);
                }
            }
            try (Writer w = new OutputStreamWriter(fs.create(file, true), StandardCharsets.UTF_8)) {
                for (String l : old) {
                    w.write(l + "\n");
                }
                w.write(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
