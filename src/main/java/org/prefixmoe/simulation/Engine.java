package org.prefixmoe.simulation;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.prefixmoe.estimation.StopReason;

/**
 * The Monte Carlo engine (SPEC §6): runs every (study, n, replicate) task of a scenario on a
 * fixed thread pool and appends one row per task to a {@link ResultsFile} as tasks finish.
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

    /**
     * @param threads worker threads (at least 1)
     * @param progress where the progress bar goes (stderr), or null for none
     */
    public Engine(int threads, PrintStream progress) {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads: must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.progress = progress;
    }

    /**
     * What a run did.
     *
     * @param results the results file
     * @param tasks tasks in the scenario
     * @param skipped tasks already in the file (resumed)
     * @param ran tasks computed now
     * @param failed failed fits among those
     * @param capped fits that stopped at the iteration cap among those
     * @param seconds wall time
     */
    public record Report(Path results, long tasks, long skipped, long ran, long failed, long capped, double seconds) {
        /** Fits per second of wall time in this run. */
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
        return run(s, resultsFile, Tasks.all(s));
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
        long t0 = System.nanoTime();
        Tasks.Runner runner = Tasks.runner(s);
        try (ResultsFile out = ResultsFile.open(resultsFile, s.fingerprint())) {
            List<Task> todo = new ArrayList<>();
            List<Task> all = tasks;
            for (Task t : all) {
                if (!out.has(t)) {
                    todo.add(t);
                }
            }
            // Largest n first: the long fits start early, so the pool drains evenly at the end.
            todo.sort(Comparator.comparingInt(Task::n).reversed().thenComparingInt(Task::study)
                    .thenComparingInt(Task::replicate));
            double work = todo.stream().mapToDouble(Task::n).sum();
            Progress bar = new Progress(progress, todo.size(), work);
            long failed = 0;
            long capped = 0;
            ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread th = new Thread(r, "prefixmoe-task");
                th.setDaemon(true);
                return th;
            });
            try {
                ExecutorCompletionService<ResultRow> cs = new ExecutorCompletionService<>(pool);
                for (Task t : todo) {
                    cs.submit(() -> runner.run(t));
                }
                for (int i = 0; i < todo.size(); i++) {
                    Future<ResultRow> f = cs.take();
                    ResultRow row = f.get();
                    out.append(row);
                    failed += row.ok() ? 0 : 1;
                    capped += row.get("stop_reason").equals(StopReason.MAX_ITERATIONS.label()) ? 1 : 0;
                    bar.step(Integer.parseInt(row.get("n")), row.ok());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("task crashed: " + e.getCause(), e.getCause());
            } finally {
                pool.shutdownNow();
            }
            return new Report(resultsFile, all.size(), all.size() - todo.size(), todo.size(), failed, capped,
                    (System.nanoTime() - t0) / 1e9);
        }
    }
}
