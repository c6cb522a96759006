package org.prefixmoe.djl.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;

import org.prefixmoe.djl.data.DataMissingException;
import org.prefixmoe.djl.data.FashionMnist;
import org.prefixmoe.djl.experiment.Experiment;
import org.prefixmoe.djl.experiment.ExperimentConfig;
import org.prefixmoe.djl.model.ViTConfig;
import org.prefixmoe.djl.train.Method;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Command-line entry point: {@code experiment} runs the companion experiment, {@code info} shows the
 * engine and devices.
 */
@Command(name = "prefixmoe-djl", mixinStandardHelpOptions = true, version = "prefixmoe-djl 0.1.0",
        description = "Prefix-tuning (no-share / simple-share / deep-share) of a small ViT with DJL + PyTorch.",
        subcommands = {Main.ExperimentCommand.class, Main.InfoCommand.class})
public final class Main implements Runnable {

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

    /** {@code experiment}: pretrain, adapt with every method and seed, write table and chart. */
    @Command(name = "experiment", mixinStandardHelpOptions = true,
            description = "Pretrain on Fashion-MNIST 0-4 (or reuse the checkpoint), choose each method's learning rate "
                    + "on a validation hold-out, adapt to 5-9 from 1000 images with each method over several seeds, "
                    + "write results.{csv,md}, selection.csv, runs.csv and accuracy.png.")
    static final class ExperimentCommand implements Callable<Integer> {
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
        @Option(names = "--seeds", description = "number of seeds, 1..N (default: ${DEFAULT-VALUE})")
        int seeds = 5;
        @Option(names = "--methods", split = ",", converter = MethodConverter.class,
                description = "comma-separated subset of linear-probe, no-share, simple-share, deep-share, "
                        + "full-finetune (default: all)")
        List<Method> methods;
        @Option(names = "--train-size", description = "adaptation images of classes 5-9 (default: ${DEFAULT-VALUE})")
        int trainSize = 1000;
        @Option(names = "--epochs", description = "adaptation epochs (default: ${DEFAULT-VALUE})")
        int epochs = 40;
        @Option(names = "--batch-size", description = "adaptation batch size (default: ${DEFAULT-VALUE})")
        int batchSize = 50;
        @Option(names = "--lr", description = "Adam lr of linear probe and prefixes, with --no-select "
                + "(default: ${DEFAULT-VALUE})")
        float lr = 5e-3f;
        @Option(names = "--lr-full", description = "Adam lr of full fine-tuning, with --no-select "
                + "(default: ${DEFAULT-VALUE})")
        float lrFull = 1e-3f;
        @Option(names = "--val-size", description = "validation images held out of the training images of classes "
                + "5-9, disjoint from every seed's training subset (default: ${DEFAULT-VALUE})")
        int valSize = 1000;
        @Option(names = "--no-select", description = "skip the learning-rate selection on the validation set and use "
                + "--lr / --lr-full")
        boolean noSelect;
        @Option(names = "--lr-grid", split = ",", description = "learning rates tried for linear probe and prefixes "
                + "(default: 1e-3,3e-3,1e-2)")
        List<Float> lrGrid;
        @Option(names = "--lr-grid-full", split = ",", description = "learning rates tried for full fine-tuning "
                + "(default: 3e-4,1e-3,3e-3)")
        List<Float> lrGridFull;
        @Option(names = "--select-epochs", description = "epochs of each selection run (default: --epochs)")
        Integer selectEpochs;
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
        @Option(names = "--quick", description = "smoke-test sizes (unless set explicitly): 1 pretraining epoch on "
                + "3000 images, 2 seeds, 3 epochs, 300 adaptation and 300 validation images")
        boolean quick;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            threads(threads);
            if (quick) {
                // Only sizes the user did not set explicitly.
                var pr = spec.commandLine().getParseResult();
                pretrainEpochs = pr.hasMatchedOption("--pretrain-epochs") ? pretrainEpochs : 1;
                pretrainSize = pr.hasMatchedOption("--pretrain-size") ? pretrainSize : 3000;
                seeds = pr.hasMatchedOption("--seeds") ? seeds : 2;
                epochs = pr.hasMatchedOption("--epochs") ? epochs : 3;
                trainSize = pr.hasMatchedOption("--train-size") ? trainSize : 300;
                valSize = pr.hasMatchedOption("--val-size") ? valSize : 300;
            }
            List<Method> ms = new ArrayList<>();
            if (methods == null || methods.isEmpty()) {
                ms.addAll(Arrays.asList(Method.values()));
            } else {
                ms.addAll(methods);
            }
            List<Long> seedList = new ArrayList<>();
            for (long s = 1; s <= seeds; s++) {
                seedList.add(s);
            }
            Path root = repoRoot();
            String command = "mvn -f djl/pom.xml -q exec:java -Dexec.args=\""
                    + String.join(" ", spec.commandLine().getParseResult().originalArgs()) + "\"";
            ExperimentConfig cfg = new ExperimentConfig(data, out != null ? out : root.resolve("paper-figures/djl"),
                    checkpoints != null ? checkpoints : root.resolve("djl/checkpoints"),
                    new ViTConfig(28, patch, dim, depth, heads, mlpRatio), pretrainEpochs, pretrainSize, pretrainBatch,
                    pretrainLr, trainSize, seedList, ms, prefixLength, deepHidden, epochs, batchSize, lr, lrFull,
                    valSize, !noSelect, lrGrid != null && !lrGrid.isEmpty() ? lrGrid : List.of(1e-3f, 3e-3f, 1e-2f),
                    lrGridFull != null && !lrGridFull.isEmpty() ? lrGridFull : List.of(3e-4f, 1e-3f, 3e-3f),
                    selectEpochs != null ? selectEpochs : epochs, command);
            try {
                new Experiment(cfg, device(device), System.out).run();
            } catch (DataMissingException e) {
                System.err.println(e.getMessage());
                return 2;
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
