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

    /**
     * @param cfg settings
     * @param device device to compute on
     * @param out progress output
     */
    public Study(StudyConfig cfg, Device device, PrintStream out) {
        this.cfg = cfg;
        this.device = device;
        this.out = out;
    }

    /**
     * The learning rate chosen for one (method, size).
     *
     * @param method method
     * @param perClass images per class
     * @param lr chosen rate, or null if the selection is incomplete
     * @param scores mean validation accuracy per rate tried (increasing rate)
     * @param extensions how many times the grid was extended
     * @param atEdge whether the chosen rate still sits at an edge of the final grid
     */
    public record Choice(Method method, int perClass, Float lr, Map<Float, Double> scores, int extensions,
                         boolean atEdge) {}

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
                    runs.putIfAbsent(key(r.method(), r.perClass(), r.seed(), r.lr()), r);
                }
            }
            Map<String, RunStore.SelectionRun> sel = new LinkedHashMap<>();
            for (Path f : new Path[] {outSel, ckSel}) {
                for (RunStore.SelectionRun s : RunStore.readSelection(f, config)) {
                    sel.putIfAbsent(key(s.method(), s.perClass(), s.seed(), s.lr()), s);
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

            // 2. Test runs, seed by seed.
            int total = cfg.seeds().size() * cfg.sizes().size() * cfg.methods().size();
            int done = 0;
            int fresh = 0;
            double freshSeconds = 0;
            for (long seed : cfg.seeds()) {
                for (int k : cfg.sizes()) {
                    ImageSet train = null;
                    for (Method m : cfg.methods()) {
                        done++;
                        Choice c = choices.get(m.label() + "|" + k);
                        if (c.lr() == null || runs.containsKey(key(m, k, seed, c.lr())) || reportOnly) {
                            continue;
                        }
                        if (train == null) {
                            train = pool.subset(AdaptationSplits.training(pool, k, seed, valIdx));
                        }
                        Adaptation.Result r = Adaptation.run(m, backbone, train, test, 5, seed,
                                cfg.settings(c.lr()), null, cfg.checkpointDir().resolve("adapted"));
                        RunStore.TestRun tr = new RunStore.TestRun(k, c.lr(), r);
                        runs.put(key(m, k, seed, c.lr()), tr);
                        RunStore.append(ckRuns, RunStore.RUNS_HEADER, RunStore.row(config, tr, cfg.steps()));
                        RunStore.writeRuns(outRuns, config, studyRuns(runs, choices), cfg.steps());
                        fresh++;
                        freshSeconds += r.trainSeconds() + r.evalSeconds();
                        int left = total - done;
                        out.printf(Locale.ROOT, "[%d/%d] %s, %d per class, seed %d, lr %s: test accuracy %.4f%s, "
                                        + "%.1f ms/step (CPU %.1f), %.1fs; at most %d runs left (~%.0f min at this pace)%n", done,
                                total, m.label(), k, seed, Report.lr(c.lr()), r.accuracy(),
                                Double.isNaN(r.foldedAccuracy()) ? ""
                                        : String.format(Locale.ROOT, " (folded %.4f)", r.foldedAccuracy()),
                                1000 * r.secondsPerStep(), 1000 * r.cpuSecondsPerStep(),
                                r.trainSeconds() + r.evalSeconds(), left,
                                left * freshSeconds / fresh / 60);
                    }
                }
                if (!reportOnly && fresh > 0) {
                    // A consistent report after every seed, so an interrupted study still leaves one.
                    report(runs, choices, sel, config, tag, pre, t0, fresh);
                }
            }
            List<RunStore.TestRun> mine = studyRuns(runs, choices);
            RunStore.writeRuns(outRuns, config, mine, cfg.steps());
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
                .thenComparingLong(RunStore.SelectionRun::seed));
        return mine;
    }

    /** The test runs of this study: requested methods, sizes and seeds, each at its (method, size)'s chosen rate. */
    private List<RunStore.TestRun> studyRuns(Map<String, RunStore.TestRun> runs, Map<String, Choice> choices) {
        List<RunStore.TestRun> mine = new ArrayList<>();
        for (RunStore.TestRun r : runs.values()) {
            Choice c = choices.get(r.method().label() + "|" + r.perClass());
            if (c != null && c.lr() != null && c.lr().equals(r.lr()) && cfg.seeds().contains(r.seed())) {
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
        TreeSet<Integer> rungs = new TreeSet<>();
        for (float lr : cfg.grids().get(m)) {
            rungs.add(LrLadder.rung(lr));
        }
        int extensions = 0;
        while (true) {
            Map<Float, Double> scores = new LinkedHashMap<>();
            for (int rung : rungs) {
                float lr = LrLadder.rate(rung);
                double sum = 0;
                for (long s : cfg.selectionSeeds()) {
                    RunStore.SelectionRun r = sel.get(key(m, k, s, lr));
                    if (r == null) {
                        if (reportOnly) {
                            return new Choice(m, k, null, scores, extensions, false);
                        }
                        ImageSet train = pool.subset(AdaptationSplits.training(pool, k, s, valIdx));
                        Adaptation.Result a = Adaptation.run(m, backbone, train, validation, 5, s, cfg.settings(lr),
                                null, null);
                        r = new RunStore.SelectionRun(m, k, s, lr, a.accuracy(), a.finalLoss(), a.trainSeconds(),
                                a.evalSeconds());
                        sel.put(key(m, k, s, lr), r);
                        RunStore.append(ckSel, RunStore.SELECTION_HEADER, RunStore.row(config, r));
                        RunStore.writeSelection(outSel, config, studySelection(sel));
                        out.printf(Locale.ROOT, "[select] %s, %d per class, lr %s, selection seed %d: validation "
                                        + "accuracy %.4f, final loss %.4f, %.1f ms/step (CPU %.1f)%n", m.label(), k,
                                Report.lr(lr), s, a.accuracy(), a.finalLoss(), 1000 * a.secondsPerStep(),
                                1000 * a.cpuSecondsPerStep());
                    }
                    sum += r.validationAccuracy();
                }
                scores.put(lr, sum / cfg.selectionSeeds().size());
            }
            // Ties go to the smaller rate (the first in increasing order), as in the paper's tuning script.
            float best = Float.NaN;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (Map.Entry<Float, Double> e : scores.entrySet()) {
                if (e.getValue() > bestScore) {
                    best = e.getKey();
                    bestScore = e.getValue();
                }
            }
            int bestRung = LrLadder.rung(best);
            boolean low = bestRung == rungs.first();
            boolean high = bestRung == rungs.last();
            if ((low || high) && extensions < cfg.maxExtensions()) {
                rungs.add(low ? rungs.first() - 1 : rungs.last() + 1);
                extensions++;
                continue;
            }
            return new Choice(m, k, best, scores, extensions, low || high);
        }
    }

    static String describe(Choice c) {
        if (c.lr() == null) {
            return "selection incomplete";
        }
        List<String> parts = new ArrayList<>();
        for (Map.Entry<Float, Double> e : c.scores().entrySet()) {
            parts.add(String.format(Locale.ROOT, "%s %.2f%%", Report.lr(e.getKey()), 100 * e.getValue()));
        }
        return "lr " + Report.lr(c.lr()) + " (" + String.join(", ", parts) + ")" + (c.extensions() > 0
                ? ", grid extended " + c.extensions() + "x" : "") + (c.atEdge() ? ", STILL AT A GRID EDGE" : "");
    }

    private static String key(Method m, int k, long seed, float lr) {
        return m.label() + "|" + k + "|" + seed + "|" + Report.lr(lr);
    }

    /**
     * A short hash of a text (first 8 hex digits of its SHA-256).
     *
     * @param text text
     * @return 8 hex digits
     */
    static String sha8(String text) {
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
        Path file = cfg.outDir().resolve("pretrained-" + cfg.pretrainTag() + ".params");
        Path meta = cfg.outDir().resolve("pretrained-" + cfg.pretrainTag() + ".properties");
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
