package org.prefixmoe.simulation;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The Monte Carlo engine (docs/theory.md §6): runs the (study, n, replicate) tasks of a scenario on a fixed
 * thread pool and delivers one row per task as tasks finish: to the resumable {@link ResultsFile}
 * ({@link #run(Scenario, Path)}), to any {@link ResultSink} ({@link #run(Scenario, List, ResultSink)}),
 * or into memory ({@link #run(Scenario)}).
 *
 * <p>Each task's row is computed by {@link Tasks.Runner#run}, a pure function of the scenario and
 * the task's coordinates (see {@link Tasks} for the random streams), so rows are bit-identical (all
 * but the timing column) for any number of threads, and a resumed run computes exactly the rows
 * an uninterrupted one would. A fit that throws is recorded as a row with status {@code failed}
 * and its message; it never stops the run.
 */
public final class Engine {
    private final int threads;
    private final PrintStream progress;
    private final Progress.Mode mode;
    private final boolean runLog;

    /**
     * An engine that shows progress as {@link Progress.Mode#AUTO} chooses and keeps no run log.
     *
     * @param threads worker threads (at least 1)
     * @param progress where the progress bar goes (stderr), or null for none
     */
    public Engine(int threads, PrintStream progress) {
        this(threads, progress, Progress.Mode.AUTO, false);
    }

    /**
     * @param threads worker threads (at least 1)
     * @param progress where progress goes (stderr), or null for none
     * @param mode a live bar, plain lines, or auto (bar on a terminal)
     * @param runLog whether a run into a {@link ResultsFile} appends progress lines, and the Ctrl-C
     *     line, to {@code runs.log} beside it
     */
    public Engine(int threads, PrintStream progress, Progress.Mode mode, boolean runLog) {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads: must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.progress = progress;
        this.mode = mode;
        this.runLog = runLog;
    }

    /**
     * What a run did.
     *
     * @param results the results file, or null for a run into another sink
     * @param tasks tasks in the scenario
     * @param skipped tasks already in the file (resumed)
     * @param ran tasks computed now
     * @param failed failed fits among those
     * @param capped fits that stopped at the iteration cap among those
     * @param seconds wall time
     */
    public record Report(Path results, long tasks, long skipped, long ran, long failed, long capped, double seconds) {
        /** {@return fits per second of wall time in this run} */
        public double fitsPerSecond() {
            return ran / Math.max(seconds, 1e-9);
        }
    }

    /**
     * Runs the tasks of {@code s} missing from {@code resultsFile}.
     *
     * @param s the scenario
     * @param resultsFile the resumable results file, created if absent
     * @return what the run did
     */
    public Report run(Scenario s, Path resultsFile) {
        Objects.requireNonNull(s, "scenario");
        return run(s, resultsFile, Tasks.all(s), false);
    }

    /**
     * Runs the tasks of {@code s} missing from {@code resultsFile}; with {@code fresh}, every task
     * (the file's rows are deleted once the run holds its lock).
     *
     * @param s the scenario
     * @param resultsFile its results file
     * @param fresh whether to delete the file's rows first
     * @return what the run did
     */
    public Report run(Scenario s, Path resultsFile, boolean fresh) {
        Objects.requireNonNull(s, "scenario");
        return run(s, resultsFile, Tasks.all(s), fresh);
    }

    /**
     * Runs those of {@code tasks} (a subset of {@code Tasks.all(s)}, e.g. one of {@link Shards}) that
     * are missing from {@code resultsFile}.
     *
     * @param s the scenario
     * @param resultsFile the resumable results file, created if absent
     * @param tasks the tasks to run; not modified
     * @return what the run did
     */
    public Report run(Scenario s, Path resultsFile, List<Task> tasks) {
        return run(s, resultsFile, tasks, false);
    }

    /**
     * Runs those of {@code tasks} missing from {@code resultsFile}; with {@code fresh}, every one
     * of them (the file's rows are deleted once the run holds its lock).
     *
     * @param s the scenario
     * @param resultsFile its results file
     * @param tasks a subset of {@code Tasks.all(s)}
     * @param fresh whether to delete the file's rows first
     * @return what the run did
     */
    public Report run(Scenario s, Path resultsFile, List<Task> tasks, boolean fresh) {
        Objects.requireNonNull(resultsFile, "resultsFile");
        checkTasks(s, tasks);
        long t0 = System.nanoTime();
        try (ResultsFile out = ResultsFile.open(resultsFile, s, fresh)) {
            List<Task> todo = tasks.stream().filter(t -> !out.has(t)).toList();
            Report r = execute(s, todo, out, t0);
            return new Report(resultsFile, tasks.size(), tasks.size() - todo.size(), r.ran(), r.failed(), r.capped(),
                    r.seconds());
        }
    }

    /**
     * Runs {@code tasks} of {@code s} into a sink of the caller's choice (which it does not close).
     *
     * @param s the scenario
     * @param tasks tasks of {@code s}, e.g. {@link Tasks#all} or {@link Tasks#missing}; not modified
     * @param sink receives one row per task as tasks finish
     * @return what the run did ({@code results} is the file when the sink is a {@link ResultsFile}, else null)
     */
    public Report run(Scenario s, List<Task> tasks, ResultSink sink) {
        checkTasks(s, tasks);
        Objects.requireNonNull(sink, "sink");
        Report r = execute(s, tasks, sink, System.nanoTime());
        return new Report(sink instanceof ResultsFile f ? f.file() : null, tasks.size(), 0, r.ran(), r.failed(),
                r.capped(), r.seconds());
    }

    /**
     * Runs every task of {@code s} in memory.
     *
     * @param s the scenario
     * @return its rows, in the canonical task order of {@link Tasks#all}
     */
    public List<ResultRow> run(Scenario s) {
        Objects.requireNonNull(s, "scenario");
        ResultSink.Memory memory = ResultSink.memory();
        run(s, Tasks.all(s), memory);
        java.util.Map<String, Integer> order = new java.util.HashMap<>();
        List<Task> all = Tasks.all(s);
        for (int i = 0; i < all.size(); i++) {
            order.put(all.get(i).key(), i);
        }
        List<ResultRow> rows = new ArrayList<>(memory.rows());
        rows.sort(Comparator.comparingInt(r -> order.get(r.key())));
        return List.copyOf(rows);
    }

    /** Tasks of {@code s}, each once: a task twice would give two rows of one task in any sink. */
    private static void checkTasks(Scenario s, List<Task> tasks) {
        Objects.requireNonNull(s, "scenario");
        Objects.requireNonNull(tasks, "tasks");
        java.util.Set<Task> all = new java.util.HashSet<>(Tasks.all(s));
        java.util.Set<Task> seen = new java.util.HashSet<>();
        for (int i = 0; i < tasks.size(); i++) {
            Task t = Objects.requireNonNull(tasks.get(i), "tasks[" + i + "]");
            if (!all.contains(t)) {
                throw new IllegalArgumentException("tasks[" + i + "]: " + t + " is not a task of scenario '" + s.name()
                        + "' (see Tasks.all)");
            }
            if (!seen.add(t)) {
                throw new IllegalArgumentException("tasks[" + i + "]: task " + t.key() + " is listed twice; a task"
                        + " has one row");
            }
        }
    }

    private Report execute(Scenario s, List<Task> tasks, ResultSink out, long t0) {
        Tasks.Runner runner = Tasks.runner(s);
        List<Task> todo = new ArrayList<>(tasks);
        // Largest n first: the long fits start early, so the pool drains evenly at the end.
        todo.sort(Comparator.comparingInt(Task::n).reversed().thenComparingInt(Task::study)
                .thenComparingInt(Task::replicate));
        double work = todo.stream().mapToDouble(Task::n).sum();
        long failed = 0;
        long capped = 0;
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread th = new Thread(r, "prefixmoe-task");
            th.setDaemon(true);
            return th;
        });
        ResultsFile file = out instanceof ResultsFile f ? f : null;
        try (Progress bar = new Progress(progress, mode, todo.size(), work, file == null ? 0 : file.existingRows(),
                file == null ? null : file.file(), runLog && file != null ? file.file().resolveSibling("runs.log") : null)) {
            ExecutorCompletionService<ResultRow> cs = new ExecutorCompletionService<>(pool);
            for (Task t : todo) {
                cs.submit(() -> runner.run(t));
            }
            for (int i = 0; i < todo.size(); i++) {
                Future<ResultRow> f = cs.take();
                ResultRow row = f.get();
                out.accept(row);
                failed += row.ok() ? 0 : 1;
                capped += row.capped() ? 1 : 0;
                bar.step(row.n(), row.ok());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("task crashed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return new Report(null, todo.size(), 0, todo.size(), failed, capped, (System.nanoTime() - t0) / 1e9);
    }
}
