package org.prefixmoe.djl.experiment;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import org.prefixmoe.djl.data.FashionMnist;
import org.prefixmoe.djl.data.ImageSet;
import org.prefixmoe.djl.model.Classifier;
import org.prefixmoe.djl.model.Params;
import org.prefixmoe.djl.model.VisionTransformer;
import org.prefixmoe.djl.train.Method;
import org.prefixmoe.djl.train.TrainConfig;
import org.prefixmoe.djl.train.TrainResult;
import org.prefixmoe.djl.train.Trainer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

/**
 * The sample-efficiency study: pretrain the ViT on Fashion-MNIST classes 0-4 (or reuse the saved backbone), freeze
 * it, and adapt it to classes 5-9 from {@code k} images per class for every size {@code k}, with every method, over
 * paired test seeds (a seed fixes the nested training subsets, so all methods of a seed see the same images).
 *
 * <ol>
 *   <li>Learning rate per (method, size), chosen on a fixed class-balanced validation set held out of the training
 *       images, with dedicated selection seeds (their subsets and initializations are never used by test runs):
 *       each rate of the grid is trained on every selection seed's subset and scored by its mean validation
 *       accuracy; ties go to the smaller rate; a grid whose winner sits at an edge is extended by one rung of the
 *       1-3-10 ladder and rerun, up to {@code maxExtensions} times.</li>
 *   <li>Test runs, seed by seed (so an interrupted study has every size for its first seeds), each method at its
 *       chosen rate, scored on all test images of classes 5-9.</li>
 *   <li>Tables and figures ({@link Report}).</li>
 * </ol>
 * Every finished run is appended to a log in the checkpoint directory and the output directory's
 * {@code runs.csv}/{@code selection-runs.csv} are rewritten with the study's rows; rerunning the same command
 * reuses every run of the same configuration found in either place, so the study resumes where it stopped, also
 * from a fresh clone that has the committed output directory (which holds the pretrained backbone).
 */
public final class Study {

    private final StudyConfig cfg;
    private final Device device;
    private final PrintStream out;
    private final Path backboneDir;

    /**
     * @param cfg settings
     * @param device device to compute on
     * @param out progress output
     */
    public Study(StudyConfig cfg, Device device, PrintStream out) {
        this(cfg, device, out, null);
    }

    /**
     * A study that takes its pretrained backbone from another directory (a follow-up with its own output
     * directory reuses the main study's backbone instead of pretraining again).
     *
     * @param cfg the settings
     * @param device where to compute
     * @param out progress and summary lines
     * @param backboneDir directory holding {@code pretrained-TAG.params} and {@code .properties}; null: the
     *     output directory (pretrained there if missing)
     */
    public Study(StudyConfig cfg, Device device, PrintStream out, Path backboneDir) {
        this.cfg = cfg;
        this.device = device;
        this.out = out;
        this.backboneDir = backboneDir;
    }

    /**
     * The mean validation accuracy of one grid point of the selection.
     *
     * @param lr adapted parameters' rate (the head's for the linear probe)
     * @param headLr head's rate
     * @param accuracy mean validation accuracy over the selection seeds
     * @param diverged selection seeds on which the run diverged
     * @param seeds selection seeds
     */
    public record Score(float lr, float headLr, double accuracy, int diverged, int seeds) {

        /** Whether selection may choose this point: no selection seed diverged. */
        public boolean admissible() {
            return diverged == 0;
        }
    }

    /**
     * The learning rates chosen for one (method, size).
     *
     * @param method method
     * @param perClass images per class
     * @param lr chosen rate of the adapted parameters (the head's for the linear probe), or null if the selection is
     *     incomplete or every point diverged
     * @param headLr chosen rate of the head, or null
     * @param scores every grid point tried (increasing adapted rate, then head rate)
     * @param extensions how many times the adapted rate's axis was extended
     * @param headExtensions how many times the head rate's axis was extended
     * @param atEdge whether the chosen point still sits at an edge of the final grid
     * @param nearDivergence whether a grid neighbour of the chosen point (one rung on either axis) diverged on a
     *     selection seed: the chosen rates are next to divergence
     */
    public record Choice(Method method, int perClass, Float lr, Float headLr, List<Score> scores, int extensions,
                         int headExtensions, boolean atEdge, boolean nearDivergence) {}

    /**
     * Runs (or, with {@code reportOnly}, only reports) the study.
     *
     * @param reportOnly if true, train nothing: build the tables and figures from the logged runs
     * @return the number of test runs found or made
     * @throws IOException if data are missing or files cannot be written
     */
    public int run(boolean reportOnly) throws IOException {
        long t0 = System.nanoTime();
        FashionMnist.Splits data = FashionMnist.load(cfg.dataDir());
        out.printf(Locale.ROOT, "PyTorch %s via DJL on %s, %d cores%n", Engine.getEngine("PyTorch").getVersion(),
                device, Runtime.getRuntime().availableProcessors());
        ImageSet preTrain = data.train().classes(0, 4).sample(cfg.pretrainSize() <= 0 ? Integer.MAX_VALUE
                : cfg.pretrainSize(), 12345);
        ImageSet preTest = data.test().classes(0, 4);
        ImageSet pool = data.train().classes(5, 9);
        ImageSet test = cfg.testSize() > 0 ? data.test().classes(5, 9).sample(cfg.testSize(), 99)
                : data.test().classes(5, 9);
        Files.createDirectories(cfg.checkpointDir());
        Files.createDirectories(cfg.outDir());

        try (NDManager root = NDManager.newBaseManager(device)) {
            Pretrained pre = pretrain(root, preTrain, preTest, reportOnly);
            VisionTransformer backbone = pre.backbone();
            backbone.params().setTrainable(false);
            String tag = cfg.settingsTag(fingerprint(backbone.params()));
            String config = sha8(tag);
            out.printf(Locale.ROOT, "settings %s%nconfig %s%n", tag, config);

            int[] valIdx = AdaptationSplits.validation(pool, cfg.validationPerClass());
            ImageSet validation = pool.subset(valIdx);

            Path ckRuns = cfg.checkpointDir().resolve("study-runs.csv");
            Path ckSel = cfg.checkpointDir().resolve("study-selection-runs.csv");
            Path outRuns = cfg.outDir().resolve("runs.csv");
            Path outSel = cfg.outDir().resolve("selection-runs.csv");
            Map<String, RunStore.TestRun> runs = new LinkedHashMap<>();
            for (Path f : new Path[] {outRuns, ckRuns}) {
                for (RunStore.TestRun r : RunStore.readRuns(f, config)) {
                    runs.putIfAbsent(key(r.method(), r.perClass(), r.seed(), r.lr(), r.headLr()), r);
                }
            }
            Map<String, RunStore.SelectionRun> sel = new LinkedHashMap<>();
            for (Path f : new Path[] {outSel, ckSel}) {
                for (RunStore.SelectionRun s : RunStore.readSelection(f, config)) {
                    sel.putIfAbsent(key(s.method(), s.perClass(), s.seed(), s.lr(), s.headLr()), s);
                }
            }
            out.printf(Locale.ROOT, "resuming with %d test runs and %d selection runs of this configuration%n",
                    runs.size(), sel.size());

            // 1. Learning rates.
            Map<String, Choice> choices = new LinkedHashMap<>();
            for (int k : cfg.sizes()) {
                for (Method m : cfg.methods()) {
                    Choice c = select(m, k, backbone, pool, valIdx, validation, sel, reportOnly, config, ckSel, outSel);
                    choices.put(m.label() + "|" + k, c);
                    out.printf(Locale.ROOT, "[select] %s, %d per class: %s%n", m.label(), k, describe(c));
                }
            }

            // 2. Test runs, seed by seed (batchJobs seeds at a time when batching).
            int total = cfg.seeds().size() * cfg.sizes().size() * cfg.methods().size();
            int done = 0;
            int fresh = 0;
            double freshSeconds = 0;
            List<Long> seeds = cfg.seeds();
            for (int g = 0; g < seeds.size(); g += cfg.batchJobs()) {
                List<Long> group = seeds.subList(g, Math.min(seeds.size(), g + cfg.batchJobs()));
                for (int k : cfg.sizes()) {
                    for (Method m : cfg.methods()) {
                        done += group.size();
                        Choice c = choices.get(m.label() + "|" + k);
                        if (c.lr() == null || reportOnly) {
                            continue;
                        }
                        List<Adaptation.Job> jobs = new ArrayList<>();
                        for (long seed : group) {
                            if (!runs.containsKey(key(m, k, seed, c.lr(), c.headLr()))) {
                                jobs.add(new Adaptation.Job(seed, pool.subset(AdaptationSplits.training(pool, k, seed,
                                        valIdx)), cfg.settings(c.lr(), c.headLr(), k)));
                            }
                        }
                        if (jobs.isEmpty()) {
                            continue;
                        }
                        List<Adaptation.Result> rs = jobs.size() == 1
                                ? List.of(Adaptation.run(m, backbone, jobs.get(0).train(), test, StudyConfig.CLASSES,
                                jobs.get(0).seed(), jobs.get(0).settings(), null, cfg.checkpointDir().resolve("adapted")))
                                : Adaptation.runBatched(m, backbone, jobs, test, StudyConfig.CLASSES);
                        for (Adaptation.Result r : rs) {
                            RunStore.TestRun tr = new RunStore.TestRun(k, c.lr(), c.headLr(), r);
                            runs.put(key(m, k, r.seed(), c.lr(), c.headLr()), tr);
                            RunStore.append(ckRuns, RunStore.RUNS_HEADER, RunStore.row(config, tr));
                            fresh++;
                            freshSeconds += r.trainSeconds() + r.evalSeconds();
                            int left = total - done;
                            out.printf(Locale.ROOT, "[%d/%d] %s, %d per class, seed %d, lr %s, head lr %s, %d steps: "
                                            + "test accuracy %.4f%s, final loss %.4f%s, %.1f ms/step (CPU %.1f), %.1fs; "
                                            + "at most %d runs left (~%.0f min at this pace)%n", done, total, m.label(), k,
                                    r.seed(), Report.lr(c.lr()), Report.lr(c.headLr()), r.steps(), r.accuracy(),
                                    Double.isNaN(r.foldedAccuracy()) ? ""
                                            : String.format(Locale.ROOT, " (folded %.4f)", r.foldedAccuracy()),
                                    r.finalLoss(), r.diverged() ? " DIVERGED" : "",
                                    1000 * r.secondsPerStep(), 1000 * r.cpuSecondsPerStep(),
                                    r.trainSeconds() + r.evalSeconds(), left, left * freshSeconds / fresh / 60);
                        }
                        RunStore.writeRuns(outRuns, config, studyRuns(runs, choices));
                    }
                }
                if (!reportOnly && fresh > 0) {
                    // A consistent report after every seed group, so an interrupted study still leaves one.
                    report(runs, choices, sel, config, tag, pre, t0, fresh);
                }
            }
            List<RunStore.TestRun> mine = studyRuns(runs, choices);
            RunStore.writeRuns(outRuns, config, mine);
            report(runs, choices, sel, config, tag, pre, t0, fresh);
            out.printf(Locale.ROOT, "%d test runs (%d trained now); wall time %.1fs; results in %s%n", mine.size(),
                    fresh, (System.nanoTime() - t0) / 1e9, cfg.outDir());
            return mine.size();
        }
    }

    private void report(Map<String, RunStore.TestRun> runs, Map<String, Choice> choices,
                        Map<String, RunStore.SelectionRun> sel, String config, String tag, Pretrained pre, long t0,
                        int fresh) throws IOException {
        List<RunStore.SelectionRun> selMine = studySelection(sel);
        RunStore.writeSelection(cfg.outDir().resolve("selection-runs.csv"), config, selMine);
        Report.write(cfg, new ArrayList<>(choices.values()), studyRuns(runs, choices), selMine, config, tag,
                String.format(Locale.ROOT, "backbone: %s, %,d parameters, test accuracy on classes 0-4 %.2f%%%s",
                        cfg.pretrainTag(), pre.backbone().params().count(), 100 * pre.testAccuracy(),
                        pre.reused() ? " (saved backbone reused)" : " (pretrained in this invocation)"),
                String.format(Locale.ROOT, "%.0f s of wall time in the last invocation, %d test runs trained in it",
                        (System.nanoTime() - t0) / 1e9, fresh));
    }

    /** The selection runs of this study: requested methods and sizes, selection seeds. */
    private List<RunStore.SelectionRun> studySelection(Map<String, RunStore.SelectionRun> sel) {
        List<RunStore.SelectionRun> mine = new ArrayList<>();
        for (RunStore.SelectionRun s : sel.values()) {
            if (cfg.methods().contains(s.method()) && cfg.sizes().contains(s.perClass())
                    && cfg.selectionSeeds().contains(s.seed())) {
                mine.add(s);
            }
        }
        mine.sort(Comparator.comparingInt(RunStore.SelectionRun::perClass)
                .thenComparing(s -> cfg.methods().indexOf(s.method())).thenComparing(RunStore.SelectionRun::lr)
                .thenComparing(RunStore.SelectionRun::headLr).thenComparingLong(RunStore.SelectionRun::seed));
        return mine;
    }

    /** The test runs of this study: requested methods, sizes and seeds, each at its (method, size)'s chosen rate. */
    private List<RunStore.TestRun> studyRuns(Map<String, RunStore.TestRun> runs, Map<String, Choice> choices) {
        List<RunStore.TestRun> mine = new ArrayList<>();
        for (RunStore.TestRun r : runs.values()) {
            Choice c = choices.get(r.method().label() + "|" + r.perClass());
            if (c != null && c.lr() != null && c.lr().equals(r.lr()) && c.headLr().equals(r.headLr())
                    && cfg.seeds().contains(r.seed())) {
                mine.add(r);
            }
        }
        mine.sort(Comparator.comparingInt(RunStore.TestRun::perClass)
                .thenComparing(r -> cfg.methods().indexOf(r.method())).thenComparingLong(RunStore.TestRun::seed));
        return mine;
    }

    private Choice select(Method m, int k, VisionTransformer backbone, ImageSet pool, int[] valIdx,
                          ImageSet validation, Map<String, RunStore.SelectionRun> sel, boolean reportOnly,
                          String config, Path ckSel, Path outSel) throws IOException {
        boolean probe = m == Method.LINEAR_PROBE;
        TreeSet<Integer> heads = new TreeSet<>();
        for (float lr : cfg.headGrids().get(m)) {
            heads.add(LrLadder.rung(lr));
        }
        // The linear probe has one rate (its head's): its adapted axis is the head axis.
        TreeSet<Integer> rungs = new TreeSet<>();
        if (!probe) {
            for (float lr : cfg.grids().get(m)) {
                rungs.add(LrLadder.rung(lr));
            }
        }
        int extensions = 0;
        int headExtensions = 0;
        while (true) {
            List<int[]> points = new ArrayList<>();
            for (int a : probe ? heads : rungs) {
                for (int h : probe ? List.of(a) : heads) {
                    points.add(new int[] {a, h});
                }
            }
            // Run every missing (point, selection seed), batched when asked.
            List<Adaptation.Job> jobs = new ArrayList<>();
            List<float[]> jobRates = new ArrayList<>();
            for (int[] pt : points) {
                float lr = LrLadder.rate(pt[0]);
                float hl = LrLadder.rate(pt[1]);
                for (long s : cfg.selectionSeeds()) {
                    if (!sel.containsKey(key(m, k, s, lr, hl))) {
                        if (reportOnly) {
                            return new Choice(m, k, null, null, List.of(), extensions, headExtensions, false, false);
                        }
                        jobs.add(new Adaptation.Job(s, pool.subset(AdaptationSplits.training(pool, k, s, valIdx)),
                                cfg.settings(lr, hl, k)));
                        jobRates.add(new float[] {lr, hl});
                    }
                }
            }
            for (int i = 0; i < jobs.size(); i += cfg.batchJobs()) {
                List<Adaptation.Job> chunk = jobs.subList(i, Math.min(jobs.size(), i + cfg.batchJobs()));
                List<Adaptation.Result> rs = chunk.size() == 1
                        ? List.of(Adaptation.run(m, backbone, chunk.get(0).train(), validation, StudyConfig.CLASSES,
                        chunk.get(0).seed(), chunk.get(0).settings(), null, null))
                        : Adaptation.runBatched(m, backbone, chunk, validation, StudyConfig.CLASSES);
                for (int j = 0; j < rs.size(); j++) {
                    Adaptation.Result a = rs.get(j);
                    float lr = jobRates.get(i + j)[0];
                    float hl = jobRates.get(i + j)[1];
                    RunStore.SelectionRun r = new RunStore.SelectionRun(m, k, a.seed(), lr, hl, a.accuracy(),
                            a.finalLoss(), a.initialLoss(), a.diverged(), a.steps(), a.trainSeconds(), a.evalSeconds());
                    sel.put(key(m, k, a.seed(), lr, hl), r);
                    RunStore.append(ckSel, RunStore.SELECTION_HEADER, RunStore.row(config, r));
                    out.printf(Locale.ROOT, "[select] %s, %d per class, lr %s, head lr %s, selection seed %d: "
                                    + "validation accuracy %.4f, final loss %.4f%s, %d steps, %.1f ms/step (CPU %.1f)%n",
                            m.label(), k, Report.lr(lr), Report.lr(hl), a.seed(), a.accuracy(), a.finalLoss(),
                            a.diverged() ? " DIVERGED" : "", a.steps(), 1000 * a.secondsPerStep(),
                            1000 * a.cpuSecondsPerStep());
                }
                RunStore.writeSelection(outSel, config, studySelection(sel));
            }
            List<Score> scores = new ArrayList<>();
            for (int[] pt : points) {
                float lr = LrLadder.rate(pt[0]);
                float hl = LrLadder.rate(pt[1]);
                double sum = 0;
                int div = 0;
                for (long s : cfg.selectionSeeds()) {
                    RunStore.SelectionRun r = sel.get(key(m, k, s, lr, hl));
                    sum += r.validationAccuracy();
                    div += r.diverged() ? 1 : 0;
                }
                scores.add(new Score(lr, hl, sum / cfg.selectionSeeds().size(), div, cfg.selectionSeeds().size()));
            }
            Choice c = choose(m, k, scores, probe ? heads : rungs, heads, extensions, headExtensions);
            if (c.lr() == null) {
                // Every point diverged on some selection seed: try one rung lower on both axes, if allowed.
                if (extensions < cfg.maxExtensions()) {
                    (probe ? heads : rungs).add((probe ? heads : rungs).first() - 1);
                    extensions++;
                    if (!probe) {
                        heads.add(heads.first() - 1);
                        headExtensions++;
                    }
                    continue;
                }
                return c;
            }
            int a = LrLadder.rung(c.lr());
            int h = LrLadder.rung(c.headLr());
            TreeSet<Integer> axis = probe ? heads : rungs;
            boolean extended = false;
            if ((a == axis.first() || a == axis.last()) && extensions < cfg.maxExtensions()) {
                axis.add(a == axis.first() ? axis.first() - 1 : axis.last() + 1);
                extensions++;
                extended = true;
            }
            if (!probe && (h == heads.first() || h == heads.last()) && headExtensions < cfg.maxExtensions()) {
                heads.add(h == heads.first() ? heads.first() - 1 : heads.last() + 1);
                headExtensions++;
                extended = true;
            }
            if (!extended) {
                return c;
            }
        }
    }

    /**
     * The selection rule: among the grid points that diverged on no selection seed, the best mean validation
     * accuracy; ties go to the smaller adapted rate, then the smaller head rate (as the paper's tuning script prefers
     * the smaller rate).
     *
     * @param m method
     * @param k images per class
     * @param scores every grid point
     * @param rungs the adapted axis (the head axis for the probe)
     * @param heads the head axis
     * @param extensions extensions of the adapted axis so far
     * @param headExtensions extensions of the head axis so far
     * @return the choice ({@code lr} null if every point diverged)
     */
    public static Choice choose(Method m, int k, List<Score> scores, java.util.SortedSet<Integer> rungs,
                         java.util.SortedSet<Integer> heads, int extensions, int headExtensions) {
        List<Score> sorted = new ArrayList<>(scores);
        sorted.sort(Comparator.comparingDouble(Score::lr).thenComparingDouble(Score::headLr));
        Score best = null;
        for (Score sc : sorted) {
            if (sc.admissible() && (best == null || sc.accuracy() > best.accuracy())) {
                best = sc;
            }
        }
        if (best == null) {
            return new Choice(m, k, null, null, sorted, extensions, headExtensions, false, false);
        }
        boolean probe = m == Method.LINEAR_PROBE;
        int a = LrLadder.rung(best.lr());
        int h = LrLadder.rung(best.headLr());
        boolean atEdge = a == rungs.first() || a == rungs.last()
                || (!probe && (h == heads.first() || h == heads.last()));
        boolean near = false;
        for (Score sc : sorted) {
            int da = Math.abs(LrLadder.rung(sc.lr()) - a);
            int dh = Math.abs(LrLadder.rung(sc.headLr()) - h);
            near |= !sc.admissible() && da + dh == 1;
        }
        return new Choice(m, k, best.lr(), best.headLr(), sorted, extensions, headExtensions, atEdge, near);
    }

    static String describe(Choice c) {
        if (c.lr() == null) {
            return c.scores().isEmpty() ? "selection incomplete" : "EVERY RATE DIVERGED";
        }
        List<String> parts = new ArrayList<>();
        for (Score sc : c.scores()) {
            parts.add(String.format(Locale.ROOT, "%s/%s %.2f%%%s", Report.lr(sc.lr()), Report.lr(sc.headLr()),
                    100 * sc.accuracy(), sc.admissible() ? "" : " (diverged)"));
        }
        return "lr " + Report.lr(c.lr()) + ", head lr " + Report.lr(c.headLr()) + " (" + String.join(", ", parts)
                + ")" + (c.extensions() + c.headExtensions() > 0 ? ", grid extended " + c.extensions() + "+"
                + c.headExtensions() + "x" : "") + (c.atEdge() ? ", STILL AT A GRID EDGE" : "")
                + (c.nearDivergence() ? ", NEXT TO A DIVERGING RATE" : "");
    }

    private static String key(Method m, int k, long seed, float lr, float headLr) {
        return m.label() + "|" + k + "|" + seed + "|" + Report.lr(lr) + "|" + Report.lr(headLr);
    }

    /**
     * A short hash of a text (first 8 hex digits of its SHA-256).
     *
     * @param text text
     * @return 8 hex digits
     */
    public static String sha8(String text) {
        return HexFormat.of().formatHex(sha256().digest(text.getBytes(StandardCharsets.UTF_8))).substring(0, 8);
    }

    /**
     * A fingerprint of parameter values (first 8 hex digits of the SHA-256 of names and float values in order), so
     * that logged runs are never reused with a different backbone.
     *
     * @param p parameters
     * @return 8 hex digits
     */
    static String fingerprint(Params p) {
        MessageDigest md = sha256();
        for (Map.Entry<String, NDArray> e : p.all().entrySet()) {
            md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            float[] v = e.getValue().toFloatArray();
            ByteBuffer b = ByteBuffer.allocate(4 * v.length);
            b.asFloatBuffer().put(v);
            md.update(b.array());
        }
        return HexFormat.of().formatHex(md.digest()).substring(0, 8);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The pretrained backbone.
     *
     * @param backbone the network
     * @param testAccuracy accuracy on the test images of classes 0-4 after pretraining
     * @param reused whether it was loaded from the saved file
     */
    record Pretrained(VisionTransformer backbone, double testAccuracy, boolean reused) {}

    private Pretrained pretrain(NDManager root, ImageSet train, ImageSet test, boolean reportOnly)
            throws IOException {
        // The backbone lives in the output directory (committed with the results) so that a study can resume
        // on another machine with bit-identical pretrained weights.
        Path dir = backboneDir != null ? backboneDir : cfg.outDir();
        Path file = dir.resolve("pretrained-" + cfg.pretrainTag() + ".params");
        Path meta = dir.resolve("pretrained-" + cfg.pretrainTag() + ".properties");
        if (backboneDir != null && !(Files.isRegularFile(file) && Files.isRegularFile(meta))) {
            throw new IOException("--backbone-dir: no pretrained backbone " + file + " (and " + meta + ")");
        }
        if (Files.isRegularFile(file) && Files.isRegularFile(meta)) {
            Properties p = new Properties();
            try (var in = Files.newInputStream(meta)) {
                p.load(in);
            }
            out.println("pretrained backbone: reusing " + file);
            VisionTransformer vit = VisionTransformer.of(cfg.vit(), Params.load(file, root));
            return new Pretrained(vit, Double.parseDouble(p.getProperty("test_accuracy", "NaN")), true);
        }
        if (reportOnly) {
            throw new IOException("--report-only: no pretrained backbone " + file + " (and " + meta
                    + "); run the study first");
        }
        out.printf(Locale.ROOT, "pretraining %s on %d images of classes 0-4 for %d epochs%n", cfg.vit().tag(),
                train.size(), cfg.pretrainEpochs());
        VisionTransformer vit = VisionTransformer.create(cfg.vit(), root, 2024);
        Params head = Classifier.newHead(root, cfg.vit().dim(), 5, 2025);
        Classifier model = new Classifier(vit, null, head);
        int stepsPerEpoch = (train.size() + cfg.pretrainBatch() - 1) / cfg.pretrainBatch();
        TrainResult r = Trainer.train(model, List.of(vit.params(), head), train, test,
                new TrainConfig(TrainConfig.Optimizer.ADAM, cfg.pretrainEpochs() * stepsPerEpoch, cfg.pretrainBatch(),
                        cfg.pretrainLr(), 0f, 0f, 0, 0f, 2026, stepsPerEpoch),
                p -> out.printf(Locale.ROOT, "[pretrain] step %d/%d loss %.4f train-acc %.3f %.1f ms/step, left %.0fs%n",
                        p.step(), p.steps(), p.loss(), p.trainAccuracy(), 1000 * p.secondsPerStep(), p.secondsLeft()));
        out.printf(Locale.ROOT, "[pretrain] test accuracy on classes 0-4: %.4f; saving %s%n", r.evalAccuracy(), file);
        vit.params().save(file);
        Properties p = new Properties();
        p.setProperty("test_accuracy", Double.toString(r.evalAccuracy()));
        p.setProperty("seconds_per_step", Double.toString(r.secondsPerStep()));
        p.setProperty("train_seconds", Double.toString(r.trainSeconds()));
        p.setProperty("created", Instant.now().toString());
        try (var o = Files.newOutputStream(meta)) {
            p.store(o, "pretrained backbone " + cfg.pretrainTag());
        }
        head.close();
        return new Pretrained(vit, r.evalAccuracy(), false);
    }
}
