package org.prefixmoe.simulation;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * A results CSV written one row per task as tasks finish, and resumable: opening an existing
 * file reads the keys of the rows already there so that the engine skips those tasks. Each row
 * is one line written whole and flushed, so a killed run leaves at most a partial last line,
 * which is dropped on resume. While open, the file is locked ({@code FILE.lock}, an OS file
 * lock) so that two runs can never append the same tasks to one file. The lock file is deleted on
 * close and, through a shutdown hook, on Ctrl-C; one left by a killed process does not block the
 * next run, since the OS releases the lock itself with the process.
 */
public final class ResultsFile implements Closeable, ResultSink {
    private static final CSVFormat WRITE = CSVFormat.DEFAULT.builder().setRecordSeparator("\n").get();
    private static final CSVFormat READ = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get();

    private final Path file;
    private final Writer out;
    private final Set<String> done;
    private final int kept;
    private final FileChannel lock;
    /** The file's own columns: an older file without {@link ResultRow#ADDED_COLUMNS} is resumed in its layout. */
    private final List<String> columns;
    private final Thread removeLockOnExit;

    private ResultsFile(Path file, Writer out, Set<String> done, int kept, FileChannel lock, List<String> columns) {
        this.file = file;
        this.out = out;
        this.done = done;
        this.kept = kept;
        this.lock = lock;
        this.columns = columns;
        this.removeLockOnExit = new Thread(() -> deleteLockFile(file), "prefixmoe-remove-lock");
        Runtime.getRuntime().addShutdownHook(removeLockOnExit);
    }

    static Path lockFile(Path file) {
        return file.resolveSibling(file.getFileName() + ".lock");
    }

    /** Deleted while the lock is still held, so no other run can be holding it. */
    static void deleteLockFile(Path file) {
        try {
            Files.deleteIfExists(lockFile(file));
        } catch (IOException e) {
            // a leftover lock file is harmless: the OS lock, not the file, is what refuses a second run
        }
    }

    /** Takes the run's lock on {@code FILE.lock}, or refuses when another run holds it. */
    static FileChannel lock(Path file) throws IOException {
        Path lockFile = lockFile(file);
        Files.createDirectories(file.toAbsolutePath().getParent());
        FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            if (ch.tryLock() != null) {
                return ch;
            }
        } catch (java.nio.channels.OverlappingFileLockException e) {
            // held by this very process: fall through to the refusal
        }
        ch.close();
        throw new IllegalStateException(file + " is being written by another run (lock " + lockFile
                + "); wait for it to finish or stop it, then rerun to resume");
    }

    /**
     * Opens {@code file} for appending, creating it with a header if absent. Existing rows must
     * carry {@code fingerprint} (the same scenario settings), else the run is refused.
     *
     * @param file the results file
     * @param fingerprint the scenario's {@link Scenario#fingerprint()}
     * @return the open file, holding the run's lock until {@link #close}
     * @throws IllegalArgumentException when the file holds rows of other settings
     * @throws IllegalStateException when another run holds the lock
     */
    public static ResultsFile open(Path file, String fingerprint) {
        return open(file, fingerprint, false);
    }

    /**
     * Opens {@code file} as {@link #open(Path, String)}; with {@code deleteRows}, deletes its rows
     * first, only once this run holds the lock (so a run writing the file is never robbed of it).
     *
     * @param file the results file
     * @param fingerprint the scenario's fingerprint, which existing rows must carry
     * @param deleteRows whether to delete the existing rows (under the lock) first
     * @return the open file, holding the run's lock until closed
     */
    public static ResultsFile open(Path file, String fingerprint, boolean deleteRows) {
        java.util.Objects.requireNonNull(file, "file");
        java.util.Objects.requireNonNull(fingerprint, "fingerprint");
        return open(file, f -> ResultsReader.read(f, fingerprint), deleteRows);
    }

    /**
     * Opens the results file of a run of {@code s}, as {@link #open(Path, String, boolean)}, and
     * checks more than the fingerprint: each row's scenario name and, for rows inside the
     * scenario's grid, its study's parameterization, L, L* and estimator (rows outside the grid,
     * e.g. after lowering {@code replicates}, are kept but not counted as done).
     *
     * @param file the results file
     * @param s the scenario
     * @param deleteRows whether to delete the existing rows (under the lock) first
     * @return the open file, holding the run's lock until closed
     */
    public static ResultsFile open(Path file, Scenario s, boolean deleteRows) {
        java.util.Objects.requireNonNull(file, "file");
        java.util.Objects.requireNonNull(s, "scenario");
        return open(file, f -> ResultsReader.read(f, s), deleteRows);
    }

    private static ResultsFile open(Path file, java.util.function.Function<Path, ResultsReader.Results> reader,
                                    boolean deleteRows) {
        FileChannel lock = null;
        try {
            lock = lock(file);
            if (deleteRows) {
                Files.deleteIfExists(file);
            }
            Set<String> done = new HashSet<>();
            int kept = 0;
            List<String> columns = ResultRow.COLUMNS;
            if (Files.exists(file) && Files.size(file) > 0) {
                // Header and every complete row validated (ResultsReader) before anything is
                // changed: a file that is not a results file, or holds rows of other settings, is
                // refused untouched. Only then is a partial last line (a row cut by a kill) dropped.
                columns = header(file);
                for (ResultRow row : reader.apply(file).rows()) {
                    if (done.add(row.key())) {
                        kept++;
                    }
                }
                dropPartialLastLine(file);
            }
            boolean fresh = !Files.exists(file) || Files.size(file) == 0;
            Files.createDirectories(file.toAbsolutePath().getParent());
            Writer w = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND));
            if (fresh) {
                w.write(WRITE.format(ResultRow.COLUMNS.toArray()) + "\n");
                w.flush();
            }
            return new ResultsFile(file, w, done, kept, lock, columns);
        } catch (IOException e) {
            release(file, lock);
            throw new UncheckedIOException("cannot open results file " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            release(file, lock);
            throw e;
        }
    }

    /** Gives up a lock taken by {@link #open} that failed afterwards (e.g. rows of other settings). */
    private static void release(Path file, FileChannel lock) {
        if (lock != null) {
            deleteLockFile(file);
            closeQuietly(lock);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // releasing a lock on a file we are abandoning
            }
        }
    }

    /**
     * The length in bytes of a partial last line (the remains of a row cut by a killed run):
     * what follows the file's last newline.
     *
     * @param file a results file
     * @return 0 when the file ends with a newline (or is empty)
     * @throws IOException when it cannot be read
     */
    static long partialLastLineLength(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return ch.size() - lastNewlineEnd(ch);
        }
    }

    /** The position just after the last newline of the channel's file (0 if it has none). */
    private static long lastNewlineEnd(FileChannel ch) throws IOException {
        long pos = ch.size();
        java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
        while (pos > 0) {
            one.clear();
            ch.read(one, pos - 1);
            if (one.get(0) == '\n') {
                break;
            }
            pos--;
        }
        return pos;
    }

    /**
     * Refuses when a run holds the lock of {@code file}, without creating or changing anything
     * beside it (so that a read-only archive can be read, and no lock file is left behind).
     *
     * @param file a results file
     * @throws IllegalStateException when another run holds its lock
     */
    static void requireNotLocked(Path file) {
        Path lockFile = lockFile(file);
        if (!Files.exists(lockFile)) {
            return; // a run creates the lock file before it locks it
        }
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.READ)) {
            // A shared lock needs only read access and fails while a run holds its exclusive one.
            if (ch.tryLock(0, Long.MAX_VALUE, true) != null) {
                return;
            }
        } catch (java.nio.channels.OverlappingFileLockException e) {
            // held by this very process
        } catch (IOException e) {
            return; // unreadable lock file: no run of this user can hold it either
        }
        throw new IllegalStateException(file + " is being written by another run (lock " + lockFile
                + "); wait for it to finish or stop it, then rerun to resume");
    }

    /** Truncates the file after its last newline: the remains of a row cut by a killed run. */
    static void dropPartialLastLine(Path file) throws IOException {
        org.prefixmoe.io.AtomicFiles.dropCutLastLine(file);
    }

    /**
     * Reads every complete row of a results file (a partial last line is ignored), validated by
     * {@link ResultsReader#read(Path)}.
     *
     * @param file the results file
     * @return its rows, in file order
     * @throws IllegalArgumentException naming the file, line and column of a bad value, or the
     *     file when it is missing or not a results file
     */
    public static List<ResultRow> read(Path file) {
        return ResultsReader.read(file).rows();
    }

    /** The header of an existing file, checked. */
    private static List<String> header(Path file) throws IOException {
        String first;
        try (java.io.BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            first = r.readLine();
        }
        if (first != null && first.startsWith("\uFEFF")) {
            first = first.substring(1); // a byte-order mark
        }
        try (CSVParser p = CSVParser.parse(first == null ? "" : first + "\n", READ)) {
            List<String> header = List.copyOf(p.getHeaderNames());
            ResultsReader.checkLayout(file, header);
            return header;
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(file.toString())) {
                throw e;
            }
            throw new IllegalArgumentException(file + ": line 1: not a results file (" + e.getMessage() + ")");
        }
    }

    /** A row's values in the file's own columns. */
    private Object[] inFileLayout(ResultRow row) {
        return columns.stream().map(row::get).toArray();
    }

    /**
     * Writes rows as a complete results file, atomically (a reader never sees half of it).
     *
     * @param file the results file
     * @param rows its rows, in order
     */
    public static void writeAll(Path file, List<ResultRow> rows) {
        org.prefixmoe.io.AtomicFiles.write(file, o -> {
            Writer w = new java.io.OutputStreamWriter(o, StandardCharsets.UTF_8);
            w.write(WRITE.format(ResultRow.COLUMNS.toArray()) + "\n");
            for (ResultRow row : rows) {
                w.write(WRITE.format((Object[]) row.values()) + "\n");
            }
            w.flush();
        });
    }

    /**
     * Whether a task's row is already in the file.
     *
     * @param task the task
     * @return true when a row with its key was read or appended
     */
    public boolean has(Task task) {
        return done.contains(task.key());
    }

    /** {@return the number of rows found when the file was opened} */
    public int existingRows() {
        return kept;
    }

    /** {@return the file} */
    public Path file() {
        return file;
    }

    /**
     * Appends one row as a single line and flushes it; a second row of the same task is ignored.
     *
     * @param row the row
     */
    public synchronized void append(ResultRow row) {
        if (!done.add(row.key())) {
            return; // never duplicate a task's row
        }
        try {
            out.write(WRITE.format(inFileLayout(row)) + "\n");
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + file + ": " + e.getMessage(), e);
        }
    }

    /** Appends the row, as {@link #append}. */
    @Override
    public void accept(ResultRow row) {
        append(row);
    }

    @Override
    public synchronized void close() {
        if (!lock.isOpen()) {
            return; // closed before: the lock file may be another run's by now
        }
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file + ": " + e.getMessage(), e);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(removeLockOnExit);
            } catch (IllegalStateException e) {
                // already shutting down: the hook deletes the file
            }
            deleteLockFile(file);
            closeQuietly(lock); // releases the run's lock
        }
    }
}
