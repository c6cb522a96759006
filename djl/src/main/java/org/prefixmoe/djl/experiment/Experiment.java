package org.prefixmoe.djl.experiment;

import ai.djl.Device;
import ai.djl.engine.Engine;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * The companion experiment: pretrain the ViT on Fashion-MNIST classes 0-4 (or reuse the saved
 * checkpoint), freeze it, hold out a validation set of training images of classes 5-9, choose each
 * method's learning rate on it (trained on the first seed's subset), adapt to classes 5-9 from 1000
 * training images with every method and seed at its chosen rate, evaluate on all test images of
 * classes 5-9, and write the tables and chart. Test images are used only for the reported accuracies.
 *
 * <p>Every finished adaptation run is appended to {@code runs.csv} (selection runs to
 * {@code selection-runs.csv}) in the checkpoint directory, so an interrupted experiment resumes where it
 * stopped (runs are reused only if every setting matches, including the rate and the validation hold-out).
 */
public final class Experiment {

    private final ExperimentConfig cfg;
    private final Device device;
    private final PrintStream out;

    /**
     * @param cfg settings
     * @param device device to compute on
     * @param out progress output
     */
    public Experiment(ExperimentConfig cfg, Device device, PrintStream out) {
        this.cfg = cfg;
        this.device = device;
        this.out = out;
    }

    /**
     * Runs everything and writes {@code results.csv}, {@code results.md}, {@code runs.csv} and
     * {@code accuracy.png} to the output directory.
     *
     * @return the per-method summary
     * @throws IOException if data are missing or files cannot be written
     */
    public List<Report.Row> run() throws IOException {
        long t0 = System.nanoTime();
        // Data first: a missing data folder should fail before anything else happens.
        FashionMnist.Splits data = FashionMnist.load(cfg.dataDir());
        out.printf(Locale.ROOT, "PyTorch %s via DJL on %s, %d cores%n", Engine.getEngine("PyTorch").getVersion(),
                device, Runtime.getRuntime().availableProcessors());
        ImageSet preTrain = data.train().classes(0, 4).sample(cfg.pretrainSize() <= 0 ? Integer.MAX_VALUE
                : cfg.pretrainSize(), 12345);
        ImageSet preTest = data.test().classes(0, 4);
        ImageSet newTrainAll = data.train().classes(5, 9);
        ImageSet newTest = data.test().classes(5, 9);
        out.printf(Locale.ROOT, "data: pretrain %d images (classes 0-4), adaptation pool %d, test %d (classes 5-9)%n",
                preTrain.size(), newTrainAll.size(), newTest.size());
        Files.createDirectories(cfg.checkpointDir());
        Files.createDirectories(cfg.outDir());

        try (NDManager root = NDManager.newBaseManager(device)) {
            long tp = System.nanoTime();
            Pretrained pre = pretrain(root, preTrain, preTest);
            double pretrainSeconds = (System.nanoTime() - tp) / 1e9;
            VisionTransformer backbone = pre.backbone;
            backbone.params().setTrainable(false);

            // Validation hold-out: fixed images of the adaptation pool, never in any seed's training subset.
            AdaptationSplits splits = AdaptationSplits.draw(newTrainAll, cfg.validationSize(), cfg.trainSize(),
                    cfg.seeds());
            ImageSet validation = newTrainAll.subset(splits.validation());
            out.printf(Locale.ROOT, "validation: %d images of the adaptation pool (seed %d), disjoint from the %d-image "
                    + "training subset of every seed%n", validation.size(), AdaptationSplits.VALIDATION_SEED,
                    cfg.trainSize());

            // 1. Learning rate per method, chosen on the validation set (first seed's training subset).
            Map<Method, Float> lrs = new LinkedHashMap<>();
            List<Selection> selection = new ArrayList<>();
            double selectSeconds = 0;
            int selectRuns = 0;
            if (cfg.select()) {
                if (validation.size() == 0) {
                    throw new IllegalArgumentException("learning-rate selection needs --val-size > 0 (or --no-select)");
                }
                long selSeed = cfg.seeds().get(0);
                ImageSet selTrain = newTrainAll.subset(splits.train().get(selSeed));
                Path selLog = cfg.checkpointDir().resolve("selection-runs.csv");
                int totalSel = cfg.methods().stream().mapToInt(m -> cfg.grid(m).size()).sum();
                int doneSel = 0;
                for (Method m : cfg.methods()) {
                    Selection best = null;
                    for (float lr : cfg.grid(m)) {
                        doneSel++;
                        String tag = String.format(Locale.ROOT, "[select %d/%d] %s lr %s", doneSel, totalSel, m.label(),
                                Report.lr(lr));
                        Adaptation.Result r = RunLog.read(selLog, cfg.selectTag(lr)).stream()
                                .filter(x -> x.method() == m && x.seed() == selSeed).findFirst().orElse(null);
                        if (r != null) {
                            out.printf(Locale.ROOT, "%s: reused from %s (validation accuracy %.4f)%n", tag, selLog,
                                    r.accuracy());
                        } else {
                            r = Adaptation.run(m, backbone, selTrain, validation, 5, selSeed,
                                    settings(cfg.selectEpochs(), lr), progress(tag, 0, Double.NaN, "val-acc"), null);
                            selectSeconds += r.trainSeconds() + r.evalSeconds();
                            selectRuns++;
                            out.printf(Locale.ROOT, "%s done: validation accuracy %.4f, %.1fs%n", tag, r.accuracy(),
                                    r.trainSeconds());
                            RunLog.append(selLog, cfg.selectTag(lr), r);
                        }
                        Selection sel = new Selection(m, lr, r.accuracy(), r.trainSeconds() + r.evalSeconds());
                        selection.add(sel);
                        // Ties go to the rate listed first in the grid.
                        if (best == null || sel.validationAccuracy() > best.validationAccuracy()) {
                            best = sel;
                        }
                    }
                    lrs.put(m, best.lr());
                    out.printf(Locale.ROOT, "[select] %s: lr %s (validation accuracy %.4f)%n", m.label(), Report.lr(best.lr()),
                            best.validationAccuracy());
                }
            } else {
                for (Method m : cfg.methods()) {
                    lrs.put(m, m == Method.FULL_FINETUNE ? cfg.lrFull() : cfg.lr());
                }
            }

            // 2. Every method and seed with its rate, evaluated on the test images.
            Path runLog = cfg.checkpointDir().resolve("runs.csv");
            // Reuse logged runs with identical settings (incl. the method's rate), only those asked for.
            List<Adaptation.Result> results = new ArrayList<>();
            for (Method m : cfg.methods()) {
                results.addAll(RunLog.read(runLog, cfg.adaptTag(lrs.get(m))).stream()
                        .filter(r -> r.method() == m && cfg.seeds().contains(r.seed())).toList());
            }
            int total = cfg.methods().size() * cfg.seeds().size();
            int done = 0;
            double adaptSeconds = 0;
            int adaptRuns = 0;
            for (long seed : cfg.seeds()) {
                ImageSet train = newTrainAll.subset(splits.train().get(seed));
                for (Method m : cfg.methods()) {
                    done++;
                    if (results.stream().anyMatch(r -> r.method() == m && r.seed() == seed)) {
                        out.printf(Locale.ROOT, "[%d/%d] %s seed %d: reused from %s%n", done, total, m.label(), seed,
                                runLog);
                        continue;
                    }
                    String tag = String.format(Locale.ROOT, "[%d/%d] %s seed %d lr %s", done, total, m.label(), seed,
                            Report.lr(lrs.get(m)));
                    Adaptation.Result r = Adaptation.run(m, backbone, train, newTest, 5, seed,
                            settings(cfg.epochs(), lrs.get(m)),
                            progress(tag, total - done, adaptRuns == 0 ? Double.NaN : adaptSeconds / adaptRuns,
                                    "test-acc"),
                            cfg.checkpointDir().resolve("adapted"));
                    adaptSeconds += r.trainSeconds() + r.evalSeconds();
                    adaptRuns++;
                    out.printf(Locale.ROOT, "%s done: test accuracy %.4f%s, %d trainable params, %.1fs%n", tag,
                            r.accuracy(), Double.isNaN(r.foldedAccuracy()) ? ""
                                    : String.format(Locale.ROOT, " (folded prefix: %.4f)", r.foldedAccuracy()),
                            r.trainableParameters(), r.trainSeconds());
                    RunLog.append(runLog, cfg.adaptTag(lrs.get(m)), r);
                    results.add(r);
                }
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            List<Report.Row> rows = Report.summarize(cfg.methods(), results);
            Report.writeCsv(cfg.outDir().resolve("results.csv"), rows, lrs);
            writeSelectionCsv(selection, lrs);
            Files.copy(runLog, cfg.outDir().resolve("runs.csv"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Report.writeChart(cfg.outDir().resolve("accuracy.png"), rows, String.format(Locale.ROOT,
                    "Fashion-MNIST 0-4 -> 5-9, %d training images, %d seeds", cfg.trainSize(), cfg.seeds().size()));
            writeMarkdown(rows, pre, pretrainSeconds, wall, adaptRuns, lrs, selection, selectSeconds, selectRuns,
                    validation.size());
            out.println();
            out.print(selectionTable(selection, lrs));
            out.println();
            out.print(Report.markdownTable(rows));
            out.printf(Locale.ROOT, "wall time %.1fs (pretraining %.1fs%s); results in %s%n", wall, pretrainSeconds,
                    pre.reused ? ", checkpoint reused" : "", cfg.outDir());
            return rows;
        }
    }

    /**
     * One learning-rate selection run.
     *
     * @param method method
     * @param lr rate tried
     * @param validationAccuracy accuracy on the validation hold-out
     * @param seconds training + evaluation wall time
     */
    public record Selection(Method method, float lr, double validationAccuracy, double seconds) {}

    private Adaptation.Settings settings(int epochs, float lr) {
        TrainConfig tc = new TrainConfig(epochs, cfg.batchSize(), lr, 0f, 0, 0);
        return new Adaptation.Settings(cfg.prefixLength(), cfg.deepHidden(), tc, tc);
    }

    private Consumer<Trainer.Progress> progress(String tag, int remaining, double avgRun, String evalName) {
        return p -> out.printf(Locale.ROOT,
                "%s epoch %d/%d loss %.4f train-acc %.3f%s %.2fs/epoch, run left %.0fs%s%n", tag,
                p.epoch(), p.epochs(), p.loss(), p.trainAccuracy(),
                p.evalAccuracy() == null ? "" : String.format(Locale.ROOT, " %s %.3f", evalName, p.evalAccuracy()),
                p.secondsPerEpoch(), p.secondsLeft(),
                Double.isNaN(avgRun) ? "" : String.format(Locale.ROOT, ", experiment left ~%.0fs",
                        p.secondsLeft() + remaining * avgRun));
    }

    private void writeSelectionCsv(List<Selection> selection, Map<Method, Float> lrs) throws IOException {
        StringBuilder sb = new StringBuilder("method,lr,validation_accuracy,seconds,selected\n");
        for (Selection s : selection) {
            sb.append(String.format(Locale.ROOT, "%s,%s,%.4f,%.1f,%b%n", s.method().label(), Report.lr(s.lr()),
                    s.validationAccuracy(), s.seconds(), lrs.get(s.method()) == s.lr()));
        }
        Path file = cfg.outDir().resolve("selection.csv");
        if (selection.isEmpty()) {
            Files.deleteIfExists(file);
        } else {
            Files.writeString(file, sb.toString());
        }
    }

    /**
     * The selection as a Markdown table: one row per method, validation accuracy per rate, chosen rate in bold.
     *
     * @param selection selection runs
     * @param lrs chosen rates
     * @return Markdown, empty without selection
     */
    static String selectionTable(List<Selection> selection, Map<Method, Float> lrs) {
        if (selection.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("| method | validation accuracy per learning rate | selected lr |\n|---|---|---|\n");
        for (Method m : lrs.keySet()) {
            List<String> cells = new ArrayList<>();
            for (Selection s : selection) {
                if (s.method() == m) {
                    String c = String.format(Locale.ROOT, "%s: %.2f%%", Report.lr(s.lr()), 100 * s.validationAccuracy());
                    cells.add(s.lr() == lrs.get(m) ? "**" + c + "**" : c);
                }
            }
            sb.append("| ").append(m.label()).append(" | ").append(String.join(", ", cells)).append(" | ")
                    .append(Report.lr(lrs.get(m))).append(" |\n");
        }
        return sb.toString();
    }

    private record Pretrained(VisionTransformer backbone, double testAccuracy, double secondsPerEpoch, boolean reused) {}

    private Pretrained pretrain(NDManager root, ImageSet train, ImageSet test) throws IOException {
        Path file = cfg.checkpointDir().resolve("pretrained-" + cfg.pretrainTag() + ".params");
        Path meta = cfg.checkpointDir().resolve("pretrained-" + cfg.pretrainTag() + ".properties");
        if (Files.isRegularFile(file) && Files.isRegularFile(meta)) {
            Properties p = new Properties();
            try (var in = Files.newInputStream(meta)) {
                p.load(in);
            }
            out.println("pretrained backbone: reusing checkpoint " + file);
            VisionTransformer vit = VisionTransformer.of(cfg.vit(), Params.load(file, root));
            return new Pretrained(vit, Double.parseDouble(p.getProperty("test_accuracy", "NaN")),
                    Double.parseDouble(p.getProperty("seconds_per_epoch", "NaN")), true);
        }
        out.printf(Locale.ROOT, "pretraining %s on %d images of classes 0-4 for %d epochs%n", cfg.vit().tag(),
                train.size(), cfg.pretrainEpochs());
        VisionTransformer vit = VisionTransformer.create(cfg.vit(), root, 2024);
        Params head = Classifier.newHead(root, cfg.vit().dim(), 5, 2025);
        Classifier model = new Classifier(vit, null, head);
        TrainResult r = Trainer.train(model, List.of(vit.params(), head), train, test,
                new TrainConfig(cfg.pretrainEpochs(), cfg.pretrainBatch(), cfg.pretrainLr(), 0f, 2026, 1),
                p -> out.printf(Locale.ROOT, "[pretrain] epoch %d/%d loss %.4f train-acc %.3f%s %.1fs/epoch, left %.0fs%n",
                        p.epoch(), p.epochs(), p.loss(), p.trainAccuracy(),
                        p.evalAccuracy() == null ? "" : String.format(Locale.ROOT, " test-acc(0-4) %.3f", p.evalAccuracy()),
                        p.secondsPerEpoch(), p.secondsLeft()));
        out.printf(Locale.ROOT, "[pretrain] test accuracy on classes 0-4: %.4f; saving %s%n", r.evalAccuracy(), file);
        vit.params().save(file);
        Properties p = new Properties();
        p.setProperty("test_accuracy", Double.toString(r.evalAccuracy()));
        p.setProperty("seconds_per_epoch", Double.toString(r.secondsPerEpoch()));
        p.setProperty("train_seconds", Double.toString(r.trainSeconds()));
        p.setProperty("created", Instant.now().toString());
        try (var o = Files.newOutputStream(meta)) {
            p.store(o, "pretrained backbone " + cfg.pretrainTag());
        }
        head.close();
        return new Pretrained(vit, r.evalAccuracy(), r.secondsPerEpoch(), false);
    }

    private void writeMarkdown(List<Report.Row> rows, Pretrained pre, double pretrainSeconds, double wall,
                               int freshRuns, Map<Method, Float> lrs, List<Selection> selection, double selectSeconds,
                               int selectRuns, int validationSize) throws IOException {
        var v = cfg.vit();
        StringBuilder sb = new StringBuilder();
        sb.append("# Prefix-tuning a frozen ViT: Fashion-MNIST classes 0-4 -> 5-9\n\n");
        sb.append("Generated by `org.prefixmoe.djl` (DJL ").append(ai.djl.engine.Engine.getDjlVersion())
                .append(", PyTorch ").append(Engine.getEngine("PyTorch").getVersion()).append(") on ").append(device)
                .append(", ").append(Runtime.getRuntime().availableProcessors()).append(" cores, at ")
                .append(Instant.now()).append(".\n\n");
        sb.append("Command:\n\n```\n").append(cfg.command()).append("\n```\n\n");
        sb.append(Report.markdownTable(rows)).append('\n');
        if (!selection.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "Learning rates, chosen per method on a validation set of %d training "
                    + "images of classes 5-9 (drawn once, seed %d, disjoint from every seed's training subset): "
                    + "each rate trained on seed %d's subset for %d epochs; the rate with the best validation accuracy "
                    + "was used for all seeds (ties: the rate listed first). The test images played no part in the "
                    + "choice.%n%n", validationSize, AdaptationSplits.VALIDATION_SEED, cfg.seeds().get(0),
                    cfg.selectEpochs()));
            sb.append(selectionTable(selection, lrs)).append('\n');
        } else {
            sb.append("Learning rates given on the command line (no selection): ").append(lrs).append(".\n\n");
        }
        sb.append(String.format(Locale.ROOT,
                "- Backbone: ViT, %dx%d input, patch %d (%d tokens + class token), d=%d, depth %d, %d heads, MLP ratio %d; "
                        + "%,d parameters.%n", v.imageSide(), v.imageSide(), v.patch(), v.numPatches(), v.dim(),
                v.depth(), v.heads(), v.mlpRatio(), pre.backbone().params().count()));
        sb.append(String.format(Locale.ROOT,
                "- Pretraining: classes 0-4, %s images, %d epochs, batch %d, Adam lr %s; test accuracy on classes 0-4: "
                        + "%.2f%%; %.1fs per epoch%s.%n", cfg.pretrainSize() <= 0 ? "all" : String.valueOf(cfg.pretrainSize()),
                cfg.pretrainEpochs(), cfg.pretrainBatch(), cfg.pretrainLr(), 100 * pre.testAccuracy(),
                pre.secondsPerEpoch(), pre.reused() ? " (checkpoint reused in this invocation)" : ""));
        sb.append(String.format(Locale.ROOT,
                "- Adaptation: classes 5-9 relabelled 0-4, %d training images per seed (a fresh random subset per seed, "
                        + "drawn from the pool minus the %d validation images), "
                        + "%d epochs, batch %d, Adam with the learning rate above, "
                        + "fresh Linear(d, 5) head; seeds %s.%n", cfg.trainSize(), validationSize, cfg.epochs(),
                cfg.batchSize(), cfg.seeds()));
        sb.append(String.format(Locale.ROOT,
                "- Prefixes: L=%d keys and values per layer in all %d layers; deep-share hidden width %d. "
                        + "Trainable parameters include the head (%d).%n", cfg.prefixLength(), v.depth(),
                cfg.deepHidden(), v.dim() * 5 + 5));
        sb.append("- Evaluation: all test images of classes 5-9 (5000). sd is the sample standard deviation over seeds. "
                + "The paired difference compares each method with no-share on the same seed (same 1K subset, same "
                + "batch order).\n");
        sb.append(String.format(Locale.ROOT,
                "- Wall time of this invocation: %.1fs (%.1f min), of which pretraining %.1fs%s; %d adaptation runs "
                        + "trained in this invocation (others reused from the run log). Adaptation time recorded in the "
                        + "run log (training + evaluation, all runs): %.1fs. Learning-rate selection: %d runs trained "
                        + "in this invocation, %.1fs.%n", wall, wall / 60,
                pretrainSeconds, pre.reused() ? " (checkpoint reused)" : "", freshRuns,
                rows.stream().mapToDouble(Report.Row::totalSeconds).sum(), selectRuns, selectSeconds));
        Files.writeString(cfg.outDir().resolve("results.md"), sb.toString(), StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }
}
