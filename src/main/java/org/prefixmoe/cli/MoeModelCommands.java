package org.prefixmoe.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.commons.rng.UniformRandomProvider;
import org.prefixmoe.estimation.StopReason;
import org.prefixmoe.estimation.moe.MixtureEm;
import org.prefixmoe.estimation.moe.MixtureFit;
import org.prefixmoe.estimation.moe.NearTruthStart;
import org.prefixmoe.estimation.moe.SharedRoutedFit;
import org.prefixmoe.io.ComponentsFiles;
import org.prefixmoe.io.DatasetCsv;
import org.prefixmoe.io.PredictionCsv;
import org.prefixmoe.model.Prediction;
import org.prefixmoe.model.moe.Components;
import org.prefixmoe.model.moe.MixtureOfExperts;
import org.prefixmoe.model.moe.Observation;
import org.prefixmoe.model.moe.SharedRoutedMixture;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.MixtureSampler;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.SharedRoutedSampler;
import org.prefixmoe.simulation.moe.FamilyStudy;
import org.prefixmoe.simulation.moe.MoeRow;
import org.prefixmoe.simulation.moe.MoeRunner;
import org.prefixmoe.simulation.moe.MoeScenario;
import org.prefixmoe.simulation.moe.MoeScenarioFiles;
import org.prefixmoe.simulation.moe.SharedRoutedScenario;
import org.prefixmoe.simulation.moe.SharedRoutedScenarioFiles;

/**
 * {@code sample}, {@code fit}, {@code predict}, {@code replay} and {@code loss} for a member of the
 * mixture-of-experts family and for the shared + routed model: the "model file" is the scenario file
 * (model, truth, design, starts, loss). The two paths share every step but the model's own calls.
 */
final class MoeModelCommands {
    private MoeModelCommands() {
    }

    /** {@return whether {@code -m FILE} names a family scenario or a shared + routed one} */
    static boolean isFamily(Path model) {
        return MoeScenarioFiles.isFamilyScenario(model) || isSharedRouted(model);
    }

    private static boolean isSharedRouted(Path model) {
        return SharedRoutedScenarioFiles.isSharedRoutedScenario(model);
    }

    static int sample(Path model, int n, long seed, Path output) {
        Dataset data;
        String what;
        if (isSharedRouted(model)) {
            SharedRoutedScenario s = SharedRoutedScenarioFiles.read(model);
            checkSample(n, output);
            data = new SharedRoutedSampler(s.model(), s.truth(), s.design()).sample(n, RandomStreams.stream(seed, 0));
            what = s.model().toString();
        } else {
            MoeScenario s = MoeScenarioFiles.read(model);
            checkSample(n, output);
            data = new MixtureSampler(s.model(), s.truthAt(n), s.design(), 0).sample(n, RandomStreams.stream(seed, 0));
            what = s.model().toString();
        }
        DatasetCsv.write(data, output);
        System.out.printf(Locale.ROOT, "wrote %d samples (d = %d, q = %d) of %s to %s%n", n, data.inputDimension(),
                data.outputDimension(), what, output);
        return 0;
    }

    private static void checkSample(int n, Path output) {
        if (n < 2) {
            throw new IllegalArgumentException("--size: must be >= 2, got " + n);
        }
        Outputs.file("--output", output);
    }

    static int fit(Path dataFile, Path model, Integer components, String study, int restarts, Integer maxIterations,
                   long seed, Path output) {
        if (components != null && study != null) {
            throw new IllegalArgumentException("-L, --study: give one of them (" + model + ")");
        }
        if (isSharedRouted(model)) {
            return fitSharedRouted(dataFile, model, components, study, restarts, maxIterations, seed, output);
        }
        MoeScenario s = MoeScenarioFiles.read(model);
        MoeScenario.Study st = study == null ? null : s.studies().get(studyIndex(s, study, model));
        int k = components != null ? components : st != null ? st.components() : s.model().components();
        if (k < s.model().components()) {
            throw new IllegalArgumentException("-L: " + k + " components, fewer than the truth's K* = "
                    + s.model().components() + " (model " + model + ")");
        }
        Dataset d = fitData(dataFile, model, restarts, output, s.model().inputDimension(), s.model().outputDimension());
        MixtureOfExperts fitted = s.model().withComponents(k);
        int cap = maxIterations != null ? maxIterations
                : st != null && st.maxIterations() > 0 ? st.maxIterations() : s.fitting().maxIterations();
        MixtureEm em = MixtureEm.defaults().withTolerance(s.fitting().tolerance()).withStop(s.fitting().stop())
                .withMaxIterations(cap);
        NearTruthStart init = st != null && st.fixedStarts() ? s.init().withoutShrinking() : s.init();
        UniformRandomProvider rng = RandomStreams.stream(seed, 1);
        MixtureFit best = null;
        for (int r = 0; r < restarts; r++) {
            Components start = init.draw(fitted, s.truthAt(d.size()), d.size(), rng);
            MixtureFit f = em.fit(fitted, d.x(), d.y(), start);
            if (best == null || f.logLikelihood() > best.logLikelihood()) {
                best = f;
            }
        }
        MixtureFit b = best;
        return fitted(fitted.toString(), restarts, best.logLikelihood(), best.iterations(), best.stopReason(),
                MoeRunner.estimate(best.estimate()).replace("|", "\n"), output,
                o -> ComponentsFiles.write(o, fitted, b));
    }

    private static int fitSharedRouted(Path dataFile, Path model, Integer components, String study, int restarts,
                                       Integer maxIterations, long seed, Path output) {
        SharedRoutedScenario s = SharedRoutedScenarioFiles.read(model);
        if (components != null) {
            throw new IllegalArgumentException("-L: the shared + routed model of " + model + " has two numbers of"
                    + " components; fit takes the truth's K_1*, K_2* = " + s.model().shared().components() + ", "
                    + s.model().routed().components() + " or a study's with --study NAME");
        }
        SharedRoutedScenario.Study st = study == null ? null : s.blockStudies().get(studyIndex(s, study, model));
        SharedRoutedMixture fitted = st == null ? s.model() : s.fitted(st);
        Dataset d = fitData(dataFile, model, restarts, output, fitted.inputDimension(), fitted.outputDimension());
        MixtureEm em = maxIterations == null ? s.em() : s.em().withMaxIterations(maxIterations);
        SharedRoutedFit best = s.fit(fitted, d, restarts, em, st != null && st.fixedStarts(),
                RandomStreams.stream(seed, 1));
        String text = "shared:\n" + MoeRunner.estimate(best.estimate().shared()).replace("|", "\n") + "\nrouted:\n"
                + MoeRunner.estimate(best.estimate().routed()).replace("|", "\n");
        return fitted(fitted.toString(), restarts, best.logLikelihood(), best.iterations(), best.stopReason(), text,
                output, o -> ComponentsFiles.write(o, fitted, best));
    }

    /** Checks fit's options and reads its data set, which must have the model's d and q. */
    private static Dataset fitData(Path dataFile, Path model, int restarts, Path output, int d, int q) {
        if (restarts < 1) {
            throw new IllegalArgumentException("--restarts: must be >= 1, got " + restarts);
        }
        if (output != null) {
            Outputs.file("--output", output);
        }
        Dataset data = DatasetCsv.read(dataFile);
        if (data.inputDimension() != d || data.outputDimension() != q) {
            throw new IllegalArgumentException(dataFile + ": " + data.inputDimension() + " inputs and "
                    + data.outputDimension() + " responses, the model (" + model + ") has d = " + d + ", q = " + q);
        }
        return data;
    }

    /** Prints a fit and writes its estimate; exit 3 when it did not converge. */
    private static int fitted(String model, int restarts, double logLikelihood, int iterations, StopReason stop,
                              String estimate, Path output, Consumer<Path> write) {
        System.out.printf(Locale.ROOT, "%s: EM from %d near-truth start(s): log-likelihood %.6f, %d iterations, %s%s%n",
                model, restarts, logLikelihood, iterations, stop.label(), stop.converged() ? "" : " (not converged)");
        System.out.println(estimate);
        if (output != null) {
            write.accept(output);
            System.out.println("wrote " + output);
        }
        return stop.converged() ? 0 : 3;
    }

    static int predict(Path estimate, Path model, Path at, DatasetCsv.Columns columns, boolean em, Path output) {
        if (isSharedRouted(model)) {
            SharedRoutedScenario s = SharedRoutedScenarioFiles.read(model);
            SharedRoutedMixture.Parameters p = ComponentsFiles.read(estimate, s.model());
            SharedRoutedMixture fitted = s.model().withComponents(p.shared().size(), p.routed().size());
            DatasetCsv.Table table = inputs(at, columns, em, fitted.inputDimension(), fitted.outputDimension(), model,
                    output);
            Prediction pr = fitted.predict(p, table.x());
            double[] resp = em ? fitted.responsibilities(p, table.x(), table.y()) : null;
            PredictionCsv.write(output, table, pr, PredictionCsv.sharedRoutedLabels(p.shared().size(), p.routed().size()),
                    resp);
            System.out.printf(Locale.ROOT, "wrote predictions of %s at %d inputs (%d shared, %d routed components%s) to"
                    + " %s%n", fitted, pr.size(), p.shared().size(), p.routed().size(), em ? ", responsibilities" : "",
                    output);
            return 0;
        }
        MoeScenario s = MoeScenarioFiles.read(model);
        Components c = ComponentsFiles.read(estimate, s.model());
        MixtureOfExperts fitted = s.model().withComponents(c.size());
        if (em && fitted.observation() != Observation.GAUSSIAN_MIXTURE) {
            throw new IllegalArgumentException("--em: the model of " + model + " has the regression observation, which"
                    + " has no density and so no responsibilities");
        }
        DatasetCsv.Table table = inputs(at, columns, em, fitted.inputDimension(), fitted.outputDimension(), model,
                output);
        int experts = fitted.components() + fitted.frozenCount();
        Prediction p = new Prediction(table.size(), fitted.outputDimension(), experts, fitted.regression(c, table.x()),
                fitted.gateProbabilities(c, table.x()));
        double[] resp = em ? fitted.responsibilities(c, table.x(), table.y()) : null;
        PredictionCsv.write(output, table, p, PredictionCsv.familyLabels(fitted.components(), fitted.frozenCount()), resp);
        System.out.printf(Locale.ROOT, "wrote predictions of %s at %d inputs (%d components, %d frozen%s) to %s%n", fitted,
                p.size(), fitted.components(), fitted.frozenCount(), em ? ", responsibilities" : "", output);
        return 0;
    }

    /** Reads predict's inputs (and responses, required with --em), which must have the model's d and q. */
    private static DatasetCsv.Table inputs(Path at, DatasetCsv.Columns columns, boolean em, int d, int q, Path model,
                                           Path output) {
        DatasetCsv.Table table = DatasetCsv.readColumns(at, columns, em);
        if (table.inputDimension() != d) {
            throw new IllegalArgumentException("--at: " + at + " has " + table.inputDimension() + " input columns "
                    + table.xNames() + " but the model's d is " + d + " (" + model + ")");
        }
        if (table.outputDimension() != 0 && table.outputDimension() != q) {
            throw new IllegalArgumentException("--at: " + at + " has " + table.outputDimension() + " response columns "
                    + table.yNames() + " but the model's q is " + q + " (" + model + ")");
        }
        Outputs.file("--output", output);
        return table;
    }

    /**
     * What replaying one task recomputed.
     *
     * @param row its row
     * @param data its data set, or null when it failed before drawing it
     * @param writeEstimate writes its estimate to a file, or null when it failed before a fit
     */
    private record Recomputed(MoeRow row, Dataset data, Consumer<Path> writeEstimate) {
    }

    /**
     * {@code replay} of one task of a family or shared + routed scenario: recompute its row, print it,
     * compare every deterministic column with the row in the results file, and optionally write the
     * data and the estimate.
     */
    static int replay(Path scenarioFile, String study, int n, int replicate, boolean quick, Path results,
                      Path dataOut, Path estimateOut) {
        if (isSharedRouted(scenarioFile)) {
            SharedRoutedScenario s = SharedRoutedScenarioFiles.read(scenarioFile);
            Function<MoeRunner.Task, Recomputed> compute = t -> {
                SharedRoutedScenario.Replay r = s.replay(t);
                SharedRoutedMixture fitted = s.fitted(s.blockStudies().get(t.study()));
                return new Recomputed(r.row(), r.data(), r.fit() == null ? null
                        : o -> ComponentsFiles.write(o, fitted, r.fit()));
            };
            return replay(quick ? s.quick() : s, quick, scenarioFile, study, n, replicate, results, dataOut,
                    estimateOut, compute);
        }
        MoeScenario s = MoeScenarioFiles.read(scenarioFile);
        Function<MoeRunner.Task, Recomputed> compute = t -> {
            MoeRunner.Replay r = MoeRunner.replay(s, t);
            MixtureOfExperts fitted = s.fitted(s.studies().get(t.study()));
            return new Recomputed(r.row(), r.data(), r.fit() == null ? null
                    : o -> ComponentsFiles.write(o, fitted, r.fit()));
        };
        return replay(quick ? s.quick() : s, quick, scenarioFile, study, n, replicate, results, dataOut, estimateOut,
                compute);
    }

    private static int studyIndex(FamilyStudy s, String study, Path scenarioFile) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < s.studies().size(); i++) {
            names.add(s.studies().get(i).name());
            if (s.studies().get(i).name().equals(study)) {
                return i;
            }
        }
        throw new IllegalArgumentException("--study: no study '" + study + "' in " + scenarioFile + " (studies: "
                + String.join(", ", names) + ")");
    }

    private static int replay(FamilyStudy s, boolean quick, Path scenarioFile, String study, int n, int replicate,
                              Path results, Path dataOut, Path estimateOut,
                              Function<MoeRunner.Task, Recomputed> compute) {
        int index = studyIndex(s, study, scenarioFile);
        if (n < 2) {
            throw new IllegalArgumentException("-n: must be >= 2, got " + n);
        }
        if (replicate < 1) {
            throw new IllegalArgumentException("--replicate: family scenarios number replicates from 1, got "
                    + replicate + " (" + scenarioFile + ")");
        }
        if (results != null && !Files.isRegularFile(results)) {
            throw new IllegalArgumentException("--results: " + results + ": no such file");
        }
        if (quick && replicate > s.replicates()) {
            throw new IllegalArgumentException("--replicate: " + replicate + " is beyond the " + s.replicates()
                    + " replicates of the quick grid of " + scenarioFile);
        }
        Path existing = results != null ? results
                : Path.of("plots", s.name() + (quick ? "-quick" : ""), "results.csv");
        MoeRow old = null;
        if (Files.isRegularFile(existing)) {
            for (MoeRow r : MoeRunner.read(existing, s)) {
                if (r.study().equals(study) && r.n() == n && r.replicate() == replicate) {
                    old = r;
                }
            }
        }
        if (dataOut != null) {
            Outputs.file("--data", dataOut);
        }
        if (estimateOut != null) {
            Outputs.file("--estimate", estimateOut);
        }
        Recomputed replay = compute.apply(new MoeRunner.Task(index, n, replicate));
        List<String> blocks = s.lossTerms();
        Map<String, String> now = replay.row().deterministicValues(blocks);
        now.forEach((col, v) -> {
            if (!v.isEmpty()) {
                System.out.println(col + " = " + v);
            }
        });
        if (dataOut != null && replay.data() != null) {
            DatasetCsv.write(replay.data(), dataOut);
            System.out.println("wrote the data set to " + dataOut);
        }
        if (estimateOut != null && replay.writeEstimate() != null) {
            replay.writeEstimate().accept(estimateOut);
            System.out.println("wrote the estimate to " + estimateOut);
        }
        String key = study + "/" + n + "/" + replicate;
        if (old == null) {
            System.out.println("no existing row of " + key + " in " + existing + " to compare with");
            return 0;
        }
        Map<String, String> was = old.deterministicValues(blocks);
        List<String> differ = new ArrayList<>();
        now.forEach((col, v) -> {
            if (!v.equals(was.get(col))) {
                differ.add(col + " (" + was.get(col) + " in the file, " + v + " now)");
            }
        });
        if (differ.isEmpty()) {
            System.out.println("identical: every deterministic column matches the row in " + existing);
            return 0;
        }
        System.out.println("differs from the row in " + existing + ": " + String.join("; ", differ));
        return ReplayCommand.DIFFERS;
    }

    static int loss(Path estimate, Path model) {
        if (isSharedRouted(model)) {
            SharedRoutedScenario s = SharedRoutedScenarioFiles.read(model);
            SharedRoutedMixture.Parameters p = ComponentsFiles.read(estimate, s.model());
            MoeRunner.Losses l = s.losses(s.model().withComponents(p.shared().size(), p.routed().size()), p);
            return printLosses(l, s.lossTerms(), s.cells(l.raw().cellSizes()));
        }
        MoeScenario s = MoeScenarioFiles.read(model);
        Components c = ComponentsFiles.read(estimate, s.model());
        MoeRunner.Losses l = MoeRunner.losses(s, s.model().withComponents(c.size()), c);
        StringBuilder cells = new StringBuilder();
        for (int j = 0; j < l.raw().cellSizes().length; j++) {
            cells.append(j == 0 ? "" : "|").append(l.raw().cellSizes()[j]);
        }
        return printLosses(l, s.lossTerms(), cells.toString());
    }

    private static int printLosses(MoeRunner.Losses l, List<String> terms, String cells) {
        System.out.printf(Locale.ROOT, "loss             %.6g%n", l.raw().loss());
        System.out.printf(Locale.ROOT, "loss_normalized  %.6g%n", l.normalized().loss());
        System.out.printf(Locale.ROOT, "weight term      %.6g%n", l.raw().weightTerm());
        System.out.println("cells            " + cells);
        for (String t : terms) {
            System.out.printf(Locale.ROOT, "block %-10s contribution %.6g, largest error %.6g%n", t,
                    l.raw().contributions().get(t), l.raw().errors().get(t));
        }
        return 0;
    }
}
