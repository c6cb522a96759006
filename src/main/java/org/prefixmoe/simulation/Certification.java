package org.prefixmoe.simulation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.prefixmoe.estimation.GaussNewtonCertificate;

/**
 * Adds the {@code gauss_newton_decrement} column to a results file written before it existed, without refitting
 * (docs/solver-flat-sets.md): each least-squares row with a stored estimate gets the Gauss–Newton certificate of its
 * estimate on its own data set, drawn again from the task's random stream ({@link Tasks.Runner#certified}), the same
 * bits as a run that writes the column computes. Every other column is kept as written; the file is rewritten
 * atomically, in the current layout, under the folder's run lock. Rows that cannot be certified (EM, failed fits,
 * no stored estimate, tasks outside the scenario's grid) keep an empty column.
 */
public final class Certification {
    private Certification() {
    }

    /**
     * What {@link #certify} did.
     *
     * @param file the results file
     * @param rows its rows
     * @param computed rows whose decrement was computed now
     * @param present rows that already had one
     * @param converged converged rows with a decrement (after the run)
     * @param notCertified those whose decrement exceeds {@link GaussNewtonCertificate#TOLERANCE}
     */
    public record Report(Path file, int rows, int computed, int present, int converged, int notCertified) {
    }

    /**
     * Certifies the rows of a scenario's results file that lack a decrement.
     *
     * @param s the scenario the file's rows were computed under (its fingerprint)
     * @param file the results file
     * @param threads worker threads (rows are independent; the result does not depend on the count)
     * @return what was done
     * @throws IllegalArgumentException if the file is not a results file of {@code s} (naming file and line)
     */
    public static Report certify(Scenario s, Path file, int threads) {
        Objects.requireNonNull(s, "scenario");
        Objects.requireNonNull(file, "file");
        if (threads < 1) {
            throw new IllegalArgumentException("threads: must be >= 1, got " + threads);
        }
        try (FileChannel ignored = ResultsFile.lock(file)) {
            try {
                ResultsReader.Results read = ResultsReader.read(file, s);
                Set<String> inGrid = new HashSet<>();
                read.rows().forEach(r -> inGrid.add(r.key()));
                // Every row in the file's order (those outside the grid included, kept as they are).
                List<ResultRow> rows = ResultsFile.read(file);
                Tasks.Runner runner = Tasks.runner(s);
                List<ResultRow> out = new ArrayList<>(rows.size());
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                try {
                    List<Future<ResultRow>> futures = new ArrayList<>();
                    for (ResultRow r : rows) {
                        futures.add(pool.submit(() -> inGrid.contains(r.key()) ? runner.certified(r) : r));
                    }
                    for (Future<ResultRow> f : futures) {
                        out.add(f.get());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted: " + file + " left as it was", e);
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                } finally {
                    pool.shutdownNow();
                }
                int present = 0;
                int computed = 0;
                int converged = 0;
                int flagged = 0;
                for (int i = 0; i < rows.size(); i++) {
                    boolean before = !Double.isNaN(rows.get(i).gaussNewtonDecrement());
                    present += before ? 1 : 0;
                    computed += !before && !Double.isNaN(out.get(i).gaussNewtonDecrement()) ? 1 : 0;
                    converged += out.get(i).hasCertificate() ? 1 : 0;
                    flagged += out.get(i).notCertified() ? 1 : 0;
                }
                if (computed > 0) {
                    ResultsFile.writeAll(file, out);
                }
                return new Report(file, rows.size(), computed, present, converged, flagged);
            } finally {
                ResultsFile.deleteLockFile(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot certify " + file + ": " + e.getMessage(), e);
        }
    }
}
