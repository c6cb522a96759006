package org.prefixmoe.djl.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;

import org.prefixmoe.djl.data.DataMissingException;
import org.prefixmoe.djl.data.FashionMnist;
import org.prefixmoe.djl.experiment.LrLadder;
import org.prefixmoe.djl.experiment.Study;
import org.prefixmoe.djl.experiment.StudyConfig;
import org.prefixmoe.djl.model.ViTConfig;
import org.prefixmoe.djl.train.Method;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Command-line entry point: {@code study} runs the sample-efficiency study, {@code info} shows the
 * engine and devices.
 */
@Command(name = "prefixmoe-djl", mixinStandardHelpOptions = true, version = "prefixmoe-djl 0.1.0",
        description = "Prefix-tuning (no-share / simple-share / deep-share / tanh-share) of a small ViT with DJL + PyTorch.",
        subcommands = {Main.StudyCommand.class, Main.InfoCommand.class, Main.BenchCommand.class})
public final class Main implements Runnable {

    /** Default number of paired test seeds of the study (sized for about 2 hours on 2 idle cores; see README). */
    static final int DEFAULT_SEEDS = 20;
    /** Default fewest optimizer steps per adaptation run. */
    static final int DEFAULT_MIN_STEPS = 300;
    /** Default passes over the training set per adaptation run (when that is more than the minimum steps). */
    static final int DEFAULT_EPOCHS = 30;
    /**
     * Initial grids of the adapted parameters' learning rate (SGD, momentum 0.9): prefix, reparameterization network
     * or backbone. Centred on the rates the single-rate study (which shared one rate between head and prefix) chose
     * most often for each method; the study extends an axis whose winner is at an edge. The linear probe has no
     * adapted parameters (its rate is the head's).
     */
    static final Map<Method, List<Float>> DEFAULT_GRIDS = Map.of(
            Method.NO_SHARE, List.of(0.1f, 0.3f, 1f),
            Method.SIMPLE_SHARE, List.of(0.03f, 0.1f, 0.3f),
            Method.DEEP_SHARE, List.of(0.01f, 0.03f, 0.1f),
            Method.TANH_SHARE, List.of(0.03f, 0.1f, 0.3f),
            Method.FULL_FINETUNE, List.of(0.003f, 0.01f, 0.03f));
    /**
     * Initial grids of the head's learning rate: centred on the linear probe's choices in the single-rate study
     * (0.01-0.03), the same for every method.
     */
    static final Map<Method, List<Float>> DEFAULT_HEAD_GRIDS = Map.of(
            Method.LINEAR_PROBE, List.of(0.003f, 0.01f, 0.03f),
            Method.NO_SHARE, List.of(0.003f, 0.01f, 0.03f),
            Method.SIMPLE_SHARE, List.of(0.003f, 0.01f, 0.03f),
            Method.DEEP_SHARE, List.of(0.003f, 0.01f, 0.03f),
            Method.TANH_SHARE, List.of(0.003f, 0.01f, 0.03f),
            Method.FULL_FINETUNE, List.of(0.003f, 0.01f, 0.03f));

    /** Repository root: the parent of the module directory when launched through Maven, else the working directory. */
    static Path repoRoot() {
        String base = System.getProperty("prefixmoe.djl.basedir");
        if (base != null && !base.isBlank()) {
            Path p = Paths.get(base).toAbsolutePath().getParent();
            if (p != null) {
                return p;
            }
        }
        return Paths.get("").toAbsolutePath();
    }

    /**
     * Picks the device: {@code auto} takes the first GPU if PyTorch sees one, else the CPU.
     *
     * @param spec {@code auto}, {@code cpu}, {@code gpu} or {@code gpu:N}
     * @return the device
     */
    static Device device(String spec) {
        String s = spec.trim().toLowerCase();
        if (s.equals("auto")) {
            return Engine.getEngine("PyTorch").getGpuCount() > 0 ? Device.gpu() : Device.cpu();
        }
        if (s.startsWith("gpu") && Engine.getEngine("PyTorch").getGpuCount() == 0) {
            throw new CommandLine.ParameterException(new CommandLine(new Main()),
                    "--device " + spec + ": PyTorch sees no GPU (is the CUDA native library on the classpath? "
                            + "build with -Pcuda)");
        }
        if (s.equals("gpu")) {
            return Device.gpu();
        }
        return Device.fromName(s);
    }

    static void threads(Integer n) {
        if (n != null && n > 0) {
            // Read by DJL's PyTorch engine when it starts. One thread by default: PyTorch's OpenMP workers
            // busy-wait, and when other processes compete for the cores a 2-thread run was measured 12-26x
            // slower than a 1-thread run on the 2-core development machine.
            System.setProperty("ai.djl.pytorch.num_threads", n.toString());
            if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
                System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
            }
        }
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** {@code study}: the sample-efficiency study (pretrain or reuse, select rates, test runs, report). */
    @Command(name = "study", aliases = "experiment", mixinStandardHelpOptions = true,
            description = "Sample-efficiency study: pretrain on Fashion-MNIST 0-4 (or reuse the saved backbone), "
                    + "choose each (method, size)'s learning rate on a validation hold-out with dedicated selection "
                    + "seeds, adapt to 5-9 from k images per class with every method over paired seeds, and write "
                    + "runs.csv, accuracy/paired/matching/selection tables, results.md and two figures. Resumable: "
                    + "rerun the same command.")
    static final class StudyCommand implements Callable<Integer> {
        @Option(names = "--data", description = "Fashion-MNIST IDX directory (default: ${DEFAULT-VALUE})")
        Path data = FashionMnist.DEFAULT_DIR;
        @Option(names = "--out", description = "output directory (default: <repo>/paper-figures/djl)")
        Path out;
        @Option(names = "--checkpoints", description = "checkpoint directory (default: <repo>/djl/checkpoints)")
        Path checkpoints;
        @Option(names = "--device", description = "auto, cpu, gpu or gpu:N (default: ${DEFAULT-VALUE})")
        String device = "auto";
        @Option(names = "--threads", description = "PyTorch intra-op threads (default: ${DEFAULT-VALUE}; see README: "
                + "more threads only help on an otherwise idle machine)")
        Integer threads = 1;
        @Option(names = "--sizes", split = ",", description = "training images per class, increasing "
                + "(default: 10,25,50,200)")
        List<Integer> sizes;
        @Option(names = "--seeds", description = "number of paired test seeds, 1..N (default: ${DEFAULT-VALUE})")
        int seeds = DEFAULT_SEEDS;
        @Option(names = "--selection-seeds", description = "number of learning-rate selection seeds, numbered from "
                + "--first-selection-seed so that they never coincide with test seeds (default: ${DEFAULT-VALUE})")
        int selectionSeeds = 2;
        @Option(names = "--first-seed", description = "number of the first paired test seed, for a follow-up on "
                + "fresh seeds (default: ${DEFAULT-VALUE})")
        long firstSeed = 1;
        @Option(names = "--first-selection-seed", description = "number of the first selection seed (default: "
                + "${DEFAULT-VALUE})")
        long firstSelectionSeed = 1001;
        @Option(names = "--backbone-dir", description = "directory of the pretrained backbone to reuse, e.g. the main "
                + "study's paper-figures/djl for a follow-up written elsewhere (default: the output directory)")
        Path backboneDir;
        @Option(names = "--methods", split = ",", converter = MethodConverter.class,
                description = "comma-separated subset of linear-probe, no-share, simple-share, deep-share, "
                        + "tanh-share, full-finetune (default: all)")
        List<Method> methods;
        @Option(names = "--min-steps", description = "fewest optimizer steps per run (default: ${DEFAULT-VALUE})")
        int minSteps = DEFAULT_MIN_STEPS;
        @Option(names = "--epochs", description = "passes over the training set per run, when that is more than "
                + "--min-steps steps; the same rule for every method (default: ${DEFAULT-VALUE})")
        int epochs = DEFAULT_EPOCHS;
        @Option(names = "--batch-size", description = "adaptation batch size (default: ${DEFAULT-VALUE})")
        int batchSize = 25;
        @Option(names = "--warmup-fraction", description = "fraction of a run's steps in linear warm-up (default: "
                + "${DEFAULT-VALUE}, as the paper's 10 of 100 epochs)")
        float warmupFraction = 0.1f;
        @Option(names = "--batch-jobs", description = "runs of one method and size trained together in one "
                + "forward/backward pass (seeds, or selection points); 1 = one at a time. Same results up to float "
                + "rounding; helps most on a GPU (default: ${DEFAULT-VALUE})")
        int batchJobs = 1;
        @Option(names = "--weight-decay", description = "SGD weight decay (default: ${DEFAULT-VALUE})")
        float weightDecay = 1e-4f;
        @Option(names = "--prefix-dropout", description = "prefix dropout (default: ${DEFAULT-VALUE})")
        float prefixDropout = 0.1f;
        @Option(names = "--val-per-class", description = "validation images per class held out of the training "
                + "images of classes 5-9 (default: ${DEFAULT-VALUE})")
        int valPerClass = 200;
        @Option(names = "--test-size", description = "test images of classes 5-9 to score on, 0 = all 5000 "
                + "(default: ${DEFAULT-VALUE})")
        int testSize = 0;
        @Option(names = "--grid", split = ";", description = "initial grid of a method's adapted-parameter learning "
                + "rate on the 1-3-10 ladder, e.g. --grid no-share=0.1,0.3,1 (repeatable; defaults: no-share 0.1,0.3,1; "
                + "simple-share and tanh-share 0.03,0.1,0.3; deep-share 0.01,0.03,0.1; full-finetune 0.003,0.01,0.03)")
        List<String> grid;
        @Option(names = "--head-grid", split = ";", description = "initial grid of a method's head learning rate, "
                + "e.g. --head-grid no-share=0.003,0.01,0.03 (repeatable; default 0.003,0.01,0.03 for every method)")
        List<String> headGrid;
        @Option(names = "--max-extensions", description = "times a grid is extended when its winner is at an edge "
                + "(default: ${DEFAULT-VALUE})")
        int maxExtensions = 3;
        @Option(names = "--prefix-length", description = "prefix length L (default: ${DEFAULT-VALUE})")
        int prefixLength = 8;
        @Option(names = "--deep-hidden", description = "hidden width of deep-share (default: ${DEFAULT-VALUE})")
        int deepHidden = 48;
        @Option(names = "--pretrain-epochs", description = "pretraining epochs (default: ${DEFAULT-VALUE})")
        int pretrainEpochs = 10;
        @Option(names = "--pretrain-size", description = "pretraining images, 0 = all of classes 0-4 (default: ${DEFAULT-VALUE})")
        int pretrainSize = 0;
        @Option(names = "--pretrain-batch", description = "pretraining batch size (default: ${DEFAULT-VALUE})")
        int pretrainBatch = 128;
        @Option(names = "--pretrain-lr", description = "pretraining Adam lr (default: ${DEFAULT-VALUE})")
        float pretrainLr = 1e-3f;
        @Option(names = "--dim", description = "embedding dimension d (default: ${DEFAULT-VALUE})")
        int dim = 64;
        @Option(names = "--depth", description = "transformer blocks (default: ${DEFAULT-VALUE})")
        int depth = 6;
        @Option(names = "--heads", description = "attention heads (default: ${DEFAULT-VALUE})")
        int heads = 4;
        @Option(names = "--patch", description = "patch side (default: ${DEFAULT-VALUE})")
        int patch = 7;
        @Option(names = "--mlp-ratio", description = "MLP width / d (default: ${DEFAULT-VALUE})")
        int mlpRatio = 2;
        @Option(names = "--report-only", description = "train nothing: rebuild the tables and figures from the runs "
                + "already logged for this configuration")
        boolean reportOnly;
        @Option(names = "--quick", description = "smoke-test sizes (unless set explicitly): 1 pretraining epoch on "
                + "3000 images, sizes 5,20, 2 seeds, 1 selection seed, 2 passes and at least 40 steps, 20 validation "
                + "images per class, 1000 test images, grids of two rates per axis, one extension per axis")
        boolean quick;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        /** The default grids, quick-trimmed to their upper two rates, with the user's overrides. */
        private Map<Method, List<Float>> grids(Map<Method, List<Float>> defaults, List<String> specs, String option) {
            Map<Method, List<Float>> grids = new EnumMap<>(Method.class);
            defaults.forEach((m, g) -> grids.put(m, quick ? g.subList(1, 3) : g));
            if (specs != null) {
                for (String spec1 : specs) {
                    String[] kv = spec1.split("=", 2);
                    if (kv.length != 2) {
                        throw new CommandLine.ParameterException(spec.commandLine(),
                                option + " " + spec1 + ": expected METHOD=rate,rate,...");
                    }
                    List<Float> rates = new ArrayList<>();
                    for (String r : kv[1].split(",")) {
                        try {
                            float f = Float.parseFloat(r.trim());
                            LrLadder.rung(f);
                            rates.add(f);
                        } catch (IllegalArgumentException e) {
                            throw new CommandLine.ParameterException(spec.commandLine(), option + ": " + e.getMessage());
                        }
                    }
                    try {
                        grids.put(Method.parse(kv[0]), rates);
                    } catch (IllegalArgumentException e) {
                        throw new CommandLine.ParameterException(spec.commandLine(), option + ": " + e.getMessage());
                    }
                }
            }
            return grids;
        }

        @Override
        public Integer call() throws Exception {
            threads(threads);
            var pr = spec.commandLine().getParseResult();
            if (quick) {
                // Only sizes the user did not set explicitly.
                pretrainEpochs = pr.hasMatchedOption("--pretrain-epochs") ? pretrainEpochs : 1;
                pretrainSize = pr.hasMatchedOption("--pretrain-size") ? pretrainSize : 3000;
                seeds = pr.hasMatchedOption("--seeds") ? seeds : 2;
                selectionSeeds = pr.hasMatchedOption("--selection-seeds") ? selectionSeeds : 1;
                minSteps = pr.hasMatchedOption("--min-steps") ? minSteps : 40;
                epochs = pr.hasMatchedOption("--epochs") ? epochs : 2;
                valPerClass = pr.hasMatchedOption("--val-per-class") ? valPerClass : 20;
                maxExtensions = pr.hasMatchedOption("--max-extensions") ? maxExtensions : 1;
                testSize = pr.hasMatchedOption("--test-size") ? testSize : 1000;
                if (sizes == null) {
                    sizes = List.of(5, 20);
                }
            }
            List<Method> ms = new ArrayList<>();
            if (methods == null || methods.isEmpty()) {
                ms.addAll(Arrays.asList(Method.values()));
            } else {
                ms.addAll(methods);
            }
            Map<Method, List<Float>> grids = grids(DEFAULT_GRIDS, grid, "--grid");
            Map<Method, List<Float>> headGrids = grids(DEFAULT_HEAD_GRIDS, headGrid, "--head-grid");
            List<Long> seedList = new ArrayList<>();
            if (firstSeed < 1 || firstSelectionSeed < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--first-seed and --first-selection-seed must be at least 1");
            }
            for (long s = 0; s < seeds; s++) {
                seedList.add(firstSeed + s);
            }
            List<Long> selList = new ArrayList<>();
            for (long s = 0; s < selectionSeeds; s++) {
                selList.add(firstSelectionSeed + s);
            }
            Path root = repoRoot();
            String command = "mvn -f djl/pom.xml -q compile exec:java -Dexec.args=\""
                    + String.join(" ", pr.originalArgs()) + "\"";
            Device dev = device(device);
            StudyConfig cfg;
            try {
                cfg = new StudyConfig(data, out != null ? out : root.resolve("paper-figures/djl"),
                        checkpoints != null ? checkpoints : root.resolve("djl/checkpoints"),
                        new ViTConfig(28, patch, dim, depth, heads, mlpRatio), pretrainEpochs, pretrainSize,
                        pretrainBatch, pretrainLr, sizes != null ? sizes : List.of(10, 25, 50, 200), seedList, selList,
                        ms, prefixLength, deepHidden, minSteps, epochs, batchSize, warmupFraction, weightDecay,
                        prefixDropout, valPerClass, testSize, grids, headGrids, maxExtensions, dev.getDeviceType(),
                        batchJobs, command);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            try {
                new Study(cfg, dev, System.out, backboneDir).run(reportOnly);
            } catch (DataMissingException e) {
                System.err.println(e.getMessage());
                return 2;
            } catch (java.io.IOException e) {
                System.err.println("error: " + e.getMessage());
                return 1;
            }
            return 0;
        }
    }

    /** Parses method names for picocli, so that a typo is reported as a usage error. */
    static final class MethodConverter implements CommandLine.ITypeConverter<Method> {
        @Override
        public Method convert(String value) {
            try {
                return Method.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /**
     * {@code bench}: the cost of training runs one at a time against several in one batched forward/backward pass,
     * on the study's committed backbone and data (CPU time of the training thread per run and step).
     */
    @Command(name = "bench", mixinStandardHelpOptions = true, description = "Time J runs one at a time against J runs "
            + "batched in one forward/backward pass (the committed backbone, Fashion-MNIST): CPU and wall ms per run "
            + "and step.")
    static final class BenchCommand implements Callable<Integer> {
        @Option(names = "--data", description = "Fashion-MNIST IDX directory (default: ${DEFAULT-VALUE})")
        Path data = FashionMnist.DEFAULT_DIR;
        @Option(names = "--backbone", description = "pretrained backbone .params (default: the study's committed one)")
        Path backbone;
        @Option(names = "--method", converter = MethodConverter.class, description = "method (default: no-share)")
        Method method = Method.NO_SHARE;
        @Option(names = "--per-class", description = "images per class (default: ${DEFAULT-VALUE})")
        int perClass = 10;
        @Option(names = "--jobs", split = ",", description = "batch sizes in runs to time (default: 1,2,4)")
        List<Integer> jobs = List.of(1, 2, 4);
        @Option(names = "--steps", description = "steps per run (default: ${DEFAULT-VALUE})")
        int steps = 40;
        @Option(names = "--device", description = "auto, cpu, gpu or gpu:N (default: ${DEFAULT-VALUE})")
        String device = "auto";
        @Option(names = "--threads", description = "PyTorch intra-op threads (default: ${DEFAULT-VALUE})")
        Integer threads = 1;

        @Override
        public Integer call() throws Exception {
            threads(threads);
            Device dev = device(device);
            FashionMnist.Splits d = FashionMnist.load(data);
            org.prefixmoe.djl.data.ImageSet pool = d.train().classes(5, 9);
            org.prefixmoe.djl.data.ImageSet eval = d.test().classes(5, 9).sample(100, 99);
            Path file = backbone != null ? backbone : repoRoot().resolve(
                    "paper-figures/djl/pretrained-vit-s28-p7-d64-L6-h4-m2-e10-n0-b128-lr0.001.params");
            var mx = java.lang.management.ManagementFactory.getThreadMXBean();
            try (ai.djl.ndarray.NDManager root = ai.djl.ndarray.NDManager.newBaseManager(dev)) {
                var vit = org.prefixmoe.djl.model.VisionTransformer.of(new ViTConfig(28, 7, 64, 6, 4, 2),
                        org.prefixmoe.djl.model.Params.load(file, root));
                vit.params().setTrainable(false);
                int[] val = org.prefixmoe.djl.experiment.AdaptationSplits.validation(pool, 200);
                var settings = new org.prefixmoe.djl.experiment.Adaptation.Settings(8, 48,
                        org.prefixmoe.djl.train.TrainConfig.sgd(steps, 25, 0.1f, 0.01f, 1e-4f, steps / 10, 0.1f, 0));
                int max = jobs.stream().mapToInt(Integer::intValue).max().orElse(1);
                List<org.prefixmoe.djl.experiment.Adaptation.Job> all = new ArrayList<>();
                for (int j = 0; j < max; j++) {
                    all.add(new org.prefixmoe.djl.experiment.Adaptation.Job(j + 1, pool.subset(
                            org.prefixmoe.djl.experiment.AdaptationSplits.training(pool, perClass, j + 1, val)), settings));
                }
                // Warm-up run (JIT, allocator).
                org.prefixmoe.djl.experiment.Adaptation.runBatched(method, vit, all.subList(0, 1), eval, 5);
                System.out.printf(java.util.Locale.ROOT, "%s, %d per class, %d steps, batch 25, device %s%n",
                        method.label(), perClass, steps, dev);
                for (int j : jobs) {
                    long w0 = System.nanoTime();
                    long c0 = mx.getCurrentThreadCpuTime();
                    if (j == 1) {
                        for (int i = 0; i < max; i++) {
                            var job = all.get(i);
                            org.prefixmoe.djl.experiment.Adaptation.run(method, vit, job.train(), eval, 5, job.seed(),
                                    job.settings(), null);
                        }
                    } else {
                        for (int i = 0; i < max; i += j) {
                            org.prefixmoe.djl.experiment.Adaptation.runBatched(method, vit,
                                    all.subList(i, Math.min(max, i + j)), eval, 5);
                        }
                    }
                    double runSteps = (double) max * steps;
                    System.out.printf(java.util.Locale.ROOT, "jobs per pass %d: %.1f ms CPU, %.1f ms wall per run and "
                                    + "step (incl. evaluation on 100 images)%n", j,
                            (mx.getCurrentThreadCpuTime() - c0) / 1e6 / runSteps, (System.nanoTime() - w0) / 1e6 / runSteps);
                }
            }
            return 0;
        }
    }

    /** {@code info}: engine version and devices. */
    @Command(name = "info", mixinStandardHelpOptions = true, description = "Show DJL engine, version and devices.")
    static final class InfoCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            threads(1);
            Engine e = Engine.getEngine("PyTorch");
            System.out.println("DJL " + Engine.getDjlVersion() + ", engine " + e.getEngineName() + " " + e.getVersion());
            System.out.println("GPUs visible to PyTorch: " + e.getGpuCount());
            System.out.println("default device (--device auto): " + device("auto"));
            return 0;
        }
    }

    /**
     * @param args command line
     */
    public static void main(String[] args) {
        // The chart is rendered off-screen; never try to open a display.
        System.setProperty("java.awt.headless", "true");
        int rc = new CommandLine(new Main()).execute(args);
        if (rc != 0) {
            System.exit(rc);
        }
    }
}
