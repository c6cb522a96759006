package org.prefixmoe.simulation.moe;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.rng.UniformRandomProvider;
import org.prefixmoe.estimation.moe.MixtureEm;
import org.prefixmoe.estimation.moe.MixtureFit;
import org.prefixmoe.estimation.moe.NearTruthStart;
import org.prefixmoe.loss.BlockVoronoiLoss;
import org.prefixmoe.model.moe.Components;
import org.prefixmoe.model.moe.MixtureOfExperts;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.MixtureSampler;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.simulation.Progress;

/**
 * Runs the tasks of a {@link MoeScenario} on a fixed thread pool. Each task's row is a pure
 * function of the scenario and the task's coordinates: the data of (n, replicate) come from
 * {@code RandomStreams.stream(seed, n, replicate, 0)}, the same for every study (the fitted K's are
 * compared on the same data sets, as the published scripts do), and the starts of study s from
 * {@code stream(seed, n, replicate, 1 + s)}. A truth that moves with n is taken at the task's n
 * ({@link MoeScenario#truthAt}) for the data, the starts and the loss. So rows are identical (all but {@code seconds}) for any
 * number of threads, and a resumed run computes exactly the rows an uninterrupted one would. Rows go
 * to {@code results.csv} as tasks finish (flushed per row; a cut last line is dropped on resume; the
 * file is locked while a run writes). A fit that throws is a {@code failed} row, never a crash.
 */
public final class MoeRunner {
    private static final CSVFormat WRITE = CSVFormat.DEFAULT.builder().setRecordSeparator("\n").get();

    private final int threads;
    private final PrintStream progress;
    private final Progress.Mode mode;

    /**
     * @param threads worker threads (at least 1)
     * @param progress where progress goes, or null
     * @param mode bar, lines or auto
     */
    public MoeRunner(int threads, PrintStream progress, Progress.Mode mode) {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads: must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.progress = progress;
        this.mode = mode;
    }

    /**
     * A task.
     *
     * @param study index into the scenario's studies
     * @param n the sample size
     * @param replicate from 1
     */
    public record Task(int study, int n, int replicate) {
    }

    /**
     * What a run did.
     *
     * @param tasks tasks in the scenario
     * @param skipped already in the file
     * @param ran computed now
     * @param failed failed fits among those
     * @param capped fits at the iteration cap among those
     * @param seconds wall time
     */
    public record Report(long tasks, long skipped, long ran, long failed, long capped, double seconds) {
    }

    /**
     * {@return every task, in canonical order (study, n, replicate)}
     *
     * @param s the scenario
     */
    public static List<Task> tasks(FamilyStudy s) {
        List<Task> out = new ArrayList<>();
        for (int st = 0; st < s.studies().size(); st++) {
            for (int n : s.sizes()) {
                for (int r = 1; r <= s.replicates(); r++) {
                    out.add(new Task(st, n, r));
                }
            }
        }
        return out;
    }

    /**
     * The data set of (n, replicate): the same for every study.
     *
     * @param s the scenario
     * @param n the size
     * @param replicate the replicate
     * @return the data
     */
    public static Dataset data(MoeScenario s, int n, int replicate) {
        return new MixtureSampler(s.model(), s.truthAt(n), s.design(), 0).sample(n,
                RandomStreams.stream(s.seed(), n, replicate, 0));
    }

    /**
     * Runs one task.
     *
     * @param s the scenario
     * @param t the task
     * @return its row
     */
    public static MoeRow run(MoeScenario s, Task t) {
        return replay(s, t).row();
    }

    /**
     * What one task computes: its row, and its data set and best fit (both null when it failed before them).
     *
     * @param row the results row
     * @param data the task's data set, or null
     * @param fit the best of the task's fits, or null
     */
    public record Replay(MoeRow row, Dataset data, MixtureFit fit) {
    }

    /**
     * Runs one task and keeps its data set and fit: what {@code replay} writes out.
     *
     * @param s the scenario
     * @param t the task
     * @return its row, data set and fit
     */
    public static Replay replay(MoeScenario s, Task t) {
        long t0 = System.nanoTime();
        MoeScenario.Study study = s.studies().get(t.study());
        int kStar = s.model().components();
        Dataset data = null;
        MixtureFit best = null;
        try {
            data = data(s, t.n(), t.replicate());
            MixtureOfExperts fitted = s.fitted(study);
            UniformRandomProvider rng = RandomStreams.stream(s.seed(), t.n(), t.replicate(), 1 + t.study());
            MixtureEm em = MixtureEm.defaults().withTolerance(s.fitting().tolerance())
                    .withMaxIterations(study.maxIterations() > 0 ? study.maxIterations() : s.fitting().maxIterations())
                    .withStop(s.fitting().stop());
            NearTruthStart init = study.fixedStarts() ? s.init().withoutShrinking() : s.init();
            for (int k = 0; k < s.fitting().tries(); k++) {
                Components start = init.draw(fitted, s.truthAt(t.n()), t.n(), rng);
                MixtureFit f = em.fit(fitted, data.x(), data.y(), start);
                if (best == null || f.logLikelihood() > best.logLikelihood()) {
                    best = f;
                }
            }
            Losses l = losses(s, t.n(), fitted, best.estimate());
            return new Replay(new MoeRow(study.name(), study.components(), kStar, t.n(), t.replicate(), "ok",
                    best.stopReason().label(), best.converged(), best.iterations(), best.logLikelihood(), l.raw().loss(),
                    l.normalized().loss(), l.raw().weightTerm(), cells(l.raw().cellSizes()), l.raw().contributions(),
                    l.raw().errors(), "", (System.nanoTime() - t0) / 1e9, estimate(best.estimate())), data, best);
        } catch (RuntimeException e) {
            String msg = String.valueOf(e.getMessage());
            return new Replay(new MoeRow(study.name(), study.components(), kStar, t.n(), t.replicate(), "failed", "",
                    false, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, "", Map.of(), Map.of(),
                    e.getClass().getSimpleName() + ": " + (msg.length() > 200 ? msg.substring(0, 200) : msg),
                    (System.nanoTime() - t0) / 1e9, ""), data, best);
        }
    }

    /**
     * The loss with the gate's weights, and with fitted and true weights normalized to sum 1.
     *
     * @param raw the published codes' loss
     * @param normalized the shift-invariant one
     */
    public record Losses(BlockVoronoiLoss.Result raw, BlockVoronoiLoss.Result normalized) {
    }

    /**
     * The loss of an estimate against the scenario's truth as written ({@link MoeScenario#truth()}).
     *
     * @param s the scenario
     * @param fitted the fitted model
     * @param estimate the estimate
     * @return both readings of the loss
     */
    public static Losses losses(MoeScenario s, MixtureOfExperts fitted, Components estimate) {
        return losses(s.loss(), s.model(), s.truth(), fitted, estimate);
    }

    /**
     * The loss of an estimate against the scenario's truth at a sample size ({@link MoeScenario#truthAt}).
     *
     * @param s the scenario
     * @param n the sample size of the data the estimate was fitted to
     * @param fitted the fitted model
     * @param estimate the estimate
     * @return both readings of the loss
     */
    public static Losses losses(MoeScenario s, int n, MixtureOfExperts fitted, Components estimate) {
        return losses(s.loss(), s.model(), s.truthAt(n), fitted, estimate);
    }

    private static Losses losses(BlockVoronoiLoss loss, MixtureOfExperts model, Components truth,
                                 MixtureOfExperts fitted, Components estimate) {
        return new Losses(loss.evaluate(fitted, estimate, model, truth), loss.evaluateNormalized(fitted, estimate, model,
                truth));
    }

    private static String cells(int[] sizes) {
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < sizes.length; j++) {
            sb.append(j == 0 ? "" : "|").append(sizes[j]);
        }
        return sb.toString();
    }

    /**
     * The text of an estimate: per component {@code gate;expert;nu} (numbers joined by spaces),
     * components joined by {@code |}.
     *
     * @param c the estimate
     * @return the text
     */
    public static String estimate(Components c) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < c.size(); k++) {
            sb.append(k == 0 ? "" : "|").append(join(c.gate(k))).append(';').append(join(c.expert(k))).append(';')
                    .append(c.hasVariance() ? Double.toString(c.variance(k)) : "");
        }
        return sb.toString();
    }

    private static String join(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : " ").append(v[i]);
        }
        return sb.toString();
    }

    /**
     * Runs the tasks missing from {@code results} (every task with {@code fresh}).
     *
     * @param s the scenario
     * @param results the results file, created if absent
     * @param fresh whether to delete existing rows first
     * @return what the run did
     */
    public Report run(FamilyStudy s, Path results, boolean fresh) {
        long t0 = System.nanoTime();
        List<String> blocks = s.lossTerms();
        List<String> header = MoeRow.header(blocks);
        try {
            Files.createDirectories(results.toAbsolutePath().getParent());
            Path lockFile = results.resolveSibling(results.getFileName() + ".lock");
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = ch.tryLock()) {
                if (lock == null) {
                    throw new IllegalStateException(results + ": another run is writing this file (" + lockFile + ")");
                }
                if (fresh) {
                    Files.deleteIfExists(results);
                }
                Set<String> done = new HashSet<>();
                for (MoeRow r : read(results, s)) {
                    done.add(r.key());
                }
                List<Task> all = tasks(s);
                List<Task> todo = new ArrayList<>();
                for (Task t : all) {
                    if (!done.contains(s.studies().get(t.study()).name() + "/" + t.n() + "/" + t.replicate())) {
                        todo.add(t);
                    }
                }
                boolean newFile = !Files.exists(results) || Files.size(results) == 0;
                try (BufferedWriter w = Files.newBufferedWriter(results, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
                     CSVPrinter out = new CSVPrinter(w, WRITE)) {
                    if (newFile) {
                        out.printRecord(header);
                        out.flush();
                    }
                    Report r = execute(s, todo, out, blocks, results);
                    return new Report(all.size(), all.size() - todo.size(), r.ran(), r.failed(), r.capped(),
                            (System.nanoTime() - t0) / 1e9);
                }
            } finally {
                Files.deleteIfExists(lockFile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(results + ": " + e.getMessage(), e);
        }
    }

    private Report execute(FamilyStudy s, List<Task> todo, CSVPrinter out, List<String> blocks, Path results)
            throws IOException {
        // largest n first: long fits start early and the pool drains evenly
        List<Task> order = new ArrayList<>(todo);
        order.sort(Comparator.comparingInt(Task::n).reversed().thenComparingInt(Task::study)
                .thenComparingInt(Task::replicate));
        double work = order.stream().mapToDouble(Task::n).sum();
        long failed = 0;
        long capped = 0;
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread th = new Thread(r, "prefixmoe-moe-task");
            th.setDaemon(true);
            return th;
        });
        try (Progress bar = new Progress(progress, mode, order.size(), work, 0, results, null)) {
            ExecutorCompletionService<MoeRow> cs = new ExecutorCompletionService<>(pool);
            for (Task t : order) {
                cs.submit(() -> s.runTask(t));
            }
            for (int i = 0; i < order.size(); i++) {
                Future<MoeRow> f = cs.take();
                MoeRow row = f.get();
                out.printRecord(row.values(s.name(), s.fingerprint(), blocks));
                out.flush();
                failed += row.ok() ? 0 : 1;
                capped += row.stopReason().equals("max-iterations") ? 1 : 0;
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
        return new Report(order.size(), 0, order.size(), failed, capped, 0);
    }

    private static Reader open(Path file, boolean gzip) throws IOException {
        return gzip ? new java.io.InputStreamReader(new java.util.zip.GZIPInputStream(Files.newInputStream(file)),
                StandardCharsets.UTF_8) : Files.newBufferedReader(file, StandardCharsets.UTF_8);
    }

    /**
     * Reads a scenario's results file: its rows, after checking the header and that every row has
     * this scenario's name and fingerprint. A cut last line (no final newline) is dropped from the
     * file first, once the header has been checked. A file named {@code *.gz} (the committed paper
     * figures' {@code results.csv.gz}) is read through gzip and left as it is.
     *
     * @param results the file (absent: no rows)
     * @param s the scenario
     * @return the rows
     * @throws IllegalArgumentException naming the file when it is not this scenario's results file
     */
    public static List<MoeRow> read(Path results, FamilyStudy s) {
        List<String> blocks = s.lossTerms();
        List<String> header = MoeRow.header(blocks);
        List<MoeRow> rows = new ArrayList<>();
        try {
            if (!Files.exists(results) || Files.size(results) == 0) {
                return rows;
            }
            boolean gzip = results.getFileName().toString().endsWith(".gz");
            String first;
            try (var r = new java.io.BufferedReader(open(results, gzip))) {
                first = r.readLine();
            }
            if (first == null || !first.equals(String.join(",", header))) {
                throw new IllegalArgumentException(results + ": not a results file of this scenario (header "
                        + (first == null ? "missing" : "'" + (first.length() > 200 ? first.substring(0, 200) + "…" : first)
                        + "'") + ", expected '" + String.join(",", header) + "')");
            }
            if (!gzip) {
                org.prefixmoe.io.AtomicFiles.dropCutLastLine(results);
            }
            try (Reader in = open(results, gzip)) {
                for (CSVRecord rec : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(in)) {
                    if (!rec.get("scenario").equals(s.name()) || !rec.get("fingerprint").equals(s.fingerprint())) {
                        throw new IllegalArgumentException(results + ": line " + (rec.getRecordNumber() + 1)
                                + " belongs to scenario " + rec.get("scenario") + " (fingerprint " + rec.get("fingerprint")
                                + "), not to " + s.name() + " (" + s.fingerprint() + "): the scenario file changed;"
                                + " rerun with --fresh or another -o folder");
                    }
                    rows.add(MoeRow.parse(rec::get, blocks));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(results + ": " + e.getMessage(), e);
        }
        return rows;
    }
}
