package org.prefixmoe.djl.experiment;

import ai.djl.ndarray.NDManager;

import org.prefixmoe.djl.data.ImageSet;
import org.prefixmoe.djl.model.Classifier;
import org.prefixmoe.djl.model.Params;
import org.prefixmoe.djl.model.VisionTransformer;
import org.prefixmoe.djl.prefix.NoSharePrefix;
import org.prefixmoe.djl.prefix.PrefixModule;
import org.prefixmoe.djl.prefix.ProjectedPrefix;
import org.prefixmoe.djl.prefix.SharedPrefix;
import org.prefixmoe.djl.train.Method;
import org.prefixmoe.djl.train.TrainConfig;
import org.prefixmoe.djl.train.TrainResult;
import org.prefixmoe.djl.train.Trainer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Adapts a pretrained, frozen backbone to a new task with one method. */
public final class Adaptation {

    private Adaptation() {}

    /**
     * Settings of one run.
     *
     * @param prefixLength prefix length L
     * @param deepHidden hidden width h of deep-share
     * @param training optimization (the seed is replaced by one derived from the run's seed)
     */
    public record Settings(int prefixLength, int deepHidden, TrainConfig training) {}

    /**
     * One adaptation run's outcome.
     *
     * @param method the method
     * @param seed the seed
     * @param accuracy accuracy on the evaluation set
     * @param trainableParameters number of trained scalars (prefix network + head, or all)
     * @param deployedParameters scalars stored after training (shared prefixes folded to plain keys/values)
     * @param trainSeconds training wall time
     * @param secondsPerStep mean wall time of one optimizer step
     * @param evalSeconds final evaluation wall time
     * @param finalLoss mean training loss over the last pass worth of steps (with dropout)
     * @param foldedAccuracy accuracy after folding the shared prefix (equals accuracy up to float rounding), or NaN
     * @param trainCpuSeconds CPU time of training (see {@link TrainResult#trainCpuSeconds()})
     * @param steps optimizer steps taken
     * @param initialLoss training loss of the first step, before any update
     * @param diverged whether the run diverged ({@link org.prefixmoe.djl.train.Divergence})
     */
    public record Result(Method method, long seed, double accuracy, long trainableParameters, long deployedParameters,
                         double trainSeconds, double secondsPerStep, double evalSeconds, double finalLoss,
                         double foldedAccuracy, double trainCpuSeconds, int steps, double initialLoss,
                         boolean diverged) {

        /** CPU time of one optimizer step. */
        public double cpuSecondsPerStep() {
            return trainSeconds == 0 || secondsPerStep == 0 ? 0 : trainCpuSeconds * secondsPerStep / trainSeconds;
        }
    }

    /**
     * Runs one method from a fresh head (and fresh prefixes) on top of {@code backbone}.
     * The backbone is never modified: prefix methods and the probe keep it frozen; full fine-tuning
     * trains a copy.
     *
     * @param method method
     * @param backbone pretrained backbone (left bit-identical)
     * @param train adaptation training images (labels 0..classes-1)
     * @param eval evaluation images
     * @param classes number of new classes
     * @param seed seed of head/prefix initialization and batch order
     * @param s settings
     * @param progress progress lines (may be null)
     * @return the outcome
     */
    public static Result run(Method method, VisionTransformer backbone, ImageSet train, ImageSet eval, int classes,
                             long seed, Settings s, Consumer<Trainer.Progress> progress) {
        return run(method, backbone, train, eval, classes, seed, s, progress, null);
    }

    /**
     * As {@link #run(Method, VisionTransformer, ImageSet, ImageSet, int, long, Settings, Consumer)}, and saves the
     * trained parameters (folded prefix + head, or the whole fine-tuned model) under {@code checkpointDir} if not null.
     *
     * @param method method
     * @param backbone pretrained backbone (left bit-identical)
     * @param train adaptation training images
     * @param eval evaluation images
     * @param classes number of new classes
     * @param seed seed
     * @param s settings
     * @param progress progress lines (may be null)
     * @param checkpointDir where to save the adapted parameters, or null
     * @return the outcome
     */
    public static Result run(Method method, VisionTransformer backbone, ImageSet train, ImageSet eval, int classes,
                             long seed, Settings s, Consumer<Trainer.Progress> progress, Path checkpointDir) {
        try (NDManager run = backbone.params().manager().newSubManager()) {
            Prepared p = prepare(method, backbone, classes, seed, s, run);
            TrainResult r = Trainer.train(p.model(), p.trainable(), train, eval, p.config(), progress);
            return finish(method, seed, p, r, eval, run, checkpointDir);
        }
    }

    /**
     * One job of {@link #runBatched}: a seed's training images and the settings (rates) to train them with.
     *
     * @param seed seed
     * @param train training images
     * @param settings settings
     */
    public record Job(long seed, ImageSet train, Settings settings) {}

    /**
     * Several runs of one method trained together ({@link Trainer#trainBatched}: one forward/backward pass per step
     * over all jobs' mini-batches), each with its own seed, images and rates; the results equal those of
     * {@link #run} job by job up to float rounding. Full fine-tuning trains its own backbone copy and cannot be
     * batched: it runs job by job.
     *
     * @param method method
     * @param backbone pretrained backbone (left bit-identical)
     * @param jobs the runs (equal training-set sizes and steps)
     * @param eval evaluation images
     * @param classes number of new classes
     * @return one outcome per job, in order
     */
    public static List<Result> runBatched(Method method, VisionTransformer backbone, List<Job> jobs, ImageSet eval,
                                          int classes) {
        List<Result> out = new ArrayList<>();
        if (method == Method.FULL_FINETUNE) {
            for (Job j : jobs) {
                out.add(run(method, backbone, j.train(), eval, classes, j.seed(), j.settings(), null));
            }
            return out;
        }
        List<NDManager> managers = new ArrayList<>();
        try {
            List<Prepared> ps = new ArrayList<>();
            List<Trainer.Member> members = new ArrayList<>();
            for (Job j : jobs) {
                NDManager m = backbone.params().manager().newSubManager();
                managers.add(m);
                Prepared p = prepare(method, backbone, classes, j.seed(), j.settings(), m);
                ps.add(p);
                members.add(new Trainer.Member(p.model(), p.trainable(), j.train(), eval, p.config()));
            }
            List<TrainResult> rs = Trainer.trainBatched(members);
            for (int i = 0; i < jobs.size(); i++) {
                out.add(finish(method, jobs.get(i).seed(), ps.get(i), rs.get(i), eval, managers.get(i), null));
            }
            return out;
        } finally {
            for (NDManager m : managers) {
                m.close();
            }
        }
    }

    /** A run's model, what it trains, and its settings with the run's seed. */
    private record Prepared(Classifier model, List<Params> trainable, PrefixModule prefix, Params head,
                            VisionTransformer net, long count, TrainConfig config) {}

    private static Prepared prepare(Method method, VisionTransformer backbone, int classes, long seed, Settings s,
                                    NDManager run) {
        var cfg = backbone.config();
        // Distinct, reproducible streams for head, prefix and batch order.
        Params head = Classifier.newHead(run, cfg.dim(), classes, 1_000_003L * seed + 1);
        long prefixSeed = 1_000_003L * seed + 2;
        double bound = NoSharePrefix.initBound(cfg.patch(), cfg.dim());
        PrefixModule prefix = switch (method) {
            case NO_SHARE -> NoSharePrefix.create(run, cfg.depth(), s.prefixLength(), cfg.dim(), bound, prefixSeed);
            case SIMPLE_SHARE -> ProjectedPrefix.create(run, backbone, s.prefixLength(), bound, prefixSeed);
            case DEEP_SHARE -> SharedPrefix.create(run, SharedPrefix.Kind.DEEP, cfg.depth(), s.prefixLength(),
                    cfg.dim(), s.deepHidden(), bound, prefixSeed);
            case TANH_SHARE -> SharedPrefix.create(run, SharedPrefix.Kind.TANH, cfg.depth(), s.prefixLength(),
                    cfg.dim(), s.deepHidden(), bound, prefixSeed);
            default -> null;
        };
        VisionTransformer net = backbone;
        List<Params> trainable = new ArrayList<>();
        if (method == Method.FULL_FINETUNE) {
            net = VisionTransformer.of(cfg, backbone.params().copy(run));
            trainable.add(net.params());
        }
        if (prefix != null) {
            trainable.add(prefix.params());
        }
        trainable.add(head);
        long count = 0;
        for (Params p : trainable) {
            count += p.count();
        }
        TrainConfig tc = s.training().withSeed(1_000_003L * seed + 3);
        return new Prepared(new Classifier(net, prefix, head), trainable, prefix, head, net, count, tc);
    }

    private static Result finish(Method method, long seed, Prepared p, TrainResult r, ImageSet eval, NDManager run,
                                 Path checkpointDir) {
        long deployed = p.count();
        double foldedAcc = Double.NaN;
        PrefixModule saved = p.prefix();
        if (p.prefix() != null && method.isShared()) {
            NoSharePrefix folded = p.prefix().fold(run);
            deployed = folded.params().count() + p.head().count();
            foldedAcc = Trainer.accuracy(new Classifier(p.net(), folded, p.head()), eval, 500);
            saved = folded;
        }
        if (checkpointDir != null) {
            save(checkpointDir.resolve(method.label() + "-seed" + seed + ".params"), run, saved, p.head(),
                    method == Method.FULL_FINETUNE ? p.net().params() : null);
        }
        return new Result(method, seed, r.evalAccuracy(), p.count(), deployed, r.trainSeconds(), r.secondsPerStep(),
                r.evalSeconds(), r.finalLoss(), foldedAcc, r.trainCpuSeconds(), r.steps(), r.initialLoss(),
                r.diverged());
    }

    private static void save(Path file, NDManager run, PrefixModule prefix, Params head, Params backbone) {
        try (Params all = new Params(run)) {
            for (Params p : new Params[] {prefix == null ? null : prefix.params(), head, backbone}) {
                if (p != null) {
                    p.all().forEach((k, v) -> all.put(k, v.duplicate()));
                }
            }
            all.save(file);
        } catch (IOException e) {
            System.err.println("warning: could not save " + file + ": " + e.getMessage());
        }
    }
}
