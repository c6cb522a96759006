package org.prefixmoe.simulation;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of a run: done/total, fits per second and time left (tasks weighted by their sample
 * size, since a fit costs about O(n)). On a terminal a one-line bar redrawn in place; on a
 * redirected stream (a log file, a batch job) a plain line at every tenth of the tasks or every
 * minute, so logs get a dozen lines instead of hundreds of carriage returns. A redrawn bar is padded
 * with spaces to the length of the one before, so a shorter line leaves no stale characters. The
 * time left is shown once {@value #ESTIMATE_AFTER_TASKS} tasks are done and
 * {@value #ESTIMATE_AFTER_SECONDS} s have passed ({@code --:--} before): the first tasks finish
 * while the JIT compiler warms up and while every thread's first task is still running, and an
 * estimate from them was several times too long. The plain lines also
 * go to the run log ({@code runs.log}) as the run goes, and on Ctrl-C (or any JVM shutdown before
 * the end) a last line says how many rows are safe in the results file and how to resume.
 */
public final class Progress implements AutoCloseable {
    /** How progress is shown. */
    public enum Mode {
        /** {@link #BAR} when the JVM has a console (an interactive terminal), else {@link #LINES}. */
        AUTO,
        /** A bar redrawn in place with carriage returns. */
        BAR,
        /** A plain line every tenth of the tasks or every minute. */
        LINES;

        /**
         * This mode with {@link #AUTO} resolved for the running JVM.
         *
         * @return {@link #BAR} or {@link #LINES}
         */
        public Mode resolve() {
            return this != AUTO ? this : System.console() != null ? BAR : LINES;
        }
    }

    private static final long BAR_EVERY_NANOS = 250_000_000L;
    private static final long LINE_EVERY_NANOS = 60_000_000_000L;
    /** Tasks done before the time left is estimated. */
    static final int ESTIMATE_AFTER_TASKS = 4;
    /** Seconds since the start before the time left is estimated. */
    static final int ESTIMATE_AFTER_SECONDS = 5;

    private final PrintStream out;
    private final Mode mode;
    private final long total;
    private final double totalWork;
    private final long before;
    private final Path results;
    private final Path log;
    private final LongSupplier clock;
    private final long start;
    private final boolean enabled;
    private final Thread hook;
    private long done;
    private long failed;
    private double work;
    private long lastPrint;
    private long lastLine;
    private int lastTenth;
    private boolean closed;
    private int lastBarLength;

    /**
     * A bar or lines chosen by {@link Mode#AUTO}, with no run log and no Ctrl-C line.
     *
     * @param out where to print (stderr), or null for silence
     * @param total number of tasks to run
     * @param totalWork sum of their sample sizes
     */
    public Progress(PrintStream out, long total, double totalWork) {
        this(out, Mode.AUTO, total, totalWork, 0, null, null);
    }

    /**
     * Progress of a run that appends to {@code results}. Registers a shutdown hook (removed by
     * {@link #close}) that reports the rows that are safe when the run is interrupted.
     *
     * @param out where to print (stderr), or null for silence
     * @param mode bar, lines, or auto
     * @param total number of tasks to run
     * @param totalWork sum of their sample sizes
     * @param before rows already in the results file (a resumed run)
     * @param results the results file, or null
     * @param log the run log to append the plain lines to ({@code runs.log}), or null
     */
    public Progress(PrintStream out, Mode mode, long total, double totalWork, long before, Path results, Path log) {
        this(out, mode, total, totalWork, before, results, log, System::nanoTime);
    }

    /** As the public constructor, with the clock (nanoseconds) given: for tests. */
    Progress(PrintStream out, Mode mode, long total, double totalWork, long before, Path results, Path log,
             LongSupplier clock) {
        this.clock = clock;
        this.start = clock.getAsLong();
        this.out = out;
        this.mode = mode.resolve();
        this.total = total;
        this.totalWork = totalWork;
        this.before = before;
        this.results = results;
        this.log = log;
        this.enabled = out != null && total > 0;
        this.lastLine = start;
        if (total > 0 && results != null && (out != null || log != null)) {
            hook = new Thread(this::interrupted, "prefixmoe-progress-interrupted");
            Runtime.getRuntime().addShutdownHook(hook);
            log(String.format(Locale.ROOT, "start: %d tasks to compute, %d rows already in %s", total, before,
                    results));
        } else {
            hook = null;
        }
    }

    /**
     * Records one finished task whose row is already written.
     *
     * @param n its sample size
     * @param ok whether the fit succeeded
     */
    public synchronized void step(int n, boolean ok) {
        done++;
        work += n;
        if (!ok) {
            failed++;
        }
        long now = clock.getAsLong();
        int tenth = (int) (10 * done / Math.max(total, 1));
        boolean line = tenth > lastTenth || now - lastLine >= LINE_EVERY_NANOS || done == total;
        if (line) {
            lastTenth = tenth;
            lastLine = now;
            log(status(now));
        }
        if (!enabled) {
            return;
        }
        if (mode == Mode.BAR && (now - lastPrint > BAR_EVERY_NANOS || done == total)) {
            lastPrint = now;
            String bar = bar(now);
            // pad over the longer line drawn before, so that none of its characters is left behind
            out.print("\r" + bar + " ".repeat(Math.max(0, lastBarLength - bar.length())));
            lastBarLength = bar.length();
            if (done == total) {
                out.println();
            }
            out.flush();
        } else if (mode == Mode.LINES && line) {
            out.println(status(now));
            out.flush();
        }
    }

    private String bar(long now) {
        int width = 30;
        int filled = (int) Math.round(width * (double) done / total);
        return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + counts(now);
    }

    private String status(long now) {
        return String.format(Locale.ROOT, "progress: %d%% ", Math.round(100.0 * done / total)) + counts(now);
    }

    private String counts(long now) {
        double secs = (now - start) / 1e9;
        double rate = done / Math.max(secs, 1e-9);
        boolean estimate = done == total || done >= ESTIMATE_AFTER_TASKS && secs >= ESTIMATE_AFTER_SECONDS;
        double left = !estimate || work <= 0 ? Double.NaN : secs * (totalWork - work) / work;
        return String.format(Locale.ROOT, "%d/%d fits  %.1f fits/s  elapsed %s  left %s%s", done, total, rate,
                clock(secs), clock(left), failed > 0 ? "  failed " + failed : "");
    }

    /**
     * The line printed when the run is cut short.
     *
     * @return how many rows are safe and how to resume
     */
    public synchronized String interruptedLine() {
        return String.format(Locale.ROOT, "interrupted after %s: %d rows are safe in %s (%d computed now, %d before);"
                        + " rerun the same command to resume (only the %d missing tasks are computed)",
                clock(elapsed()), before + done, results, done, before, total - done);
    }

    private synchronized void interrupted() {
        if (closed) {
            return;
        }
        closed = true;
        String line = interruptedLine();
        if (out != null) {
            out.println(mode == Mode.BAR ? "\n" + line : line);
            out.flush();
        }
        log(line);
    }

    /** Appends a timestamped line to the run log; a log that cannot be written never stops the run. */
    private void log(String line) {
        if (log == null) {
            return;
        }
        try {
            Files.writeString(log, Instant.now().truncatedTo(ChronoUnit.SECONDS) + "  " + line + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the results file, not the log, is what a resume needs
        }
    }

    /** Ends the run's progress: removes the Ctrl-C hook. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down
            }
        }
    }

    static String clock(double secs) {
        if (!Double.isFinite(secs)) {
            return "--:--";
        }
        long s = Math.round(secs);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /**
     * Seconds since the start.
     *
     * @return wall time so far
     */
    public double elapsed() {
        return (clock.getAsLong() - start) / 1e9;
    }
}
