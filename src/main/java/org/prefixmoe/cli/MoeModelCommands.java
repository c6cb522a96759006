package org.prefixmoe.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.rng.UniformRandomProvider;
import org.prefixmoe.estimation.moe.MixtureEm;
import org.prefixmoe.estimation.moe.MixtureFit;
import org.prefixmoe.io.ComponentsFiles;
import org.prefixmoe.io.DatasetCsv;
import org.prefixmoe.loss.BlockVoronoiLoss;
import org.prefixmoe.io.PredictionCsv;
import org.prefixmoe.model.Prediction;
import org.prefixmoe.model.moe.Components;
import org.prefixmoe.model.moe.MixtureOfExperts;
import org.prefixmoe.model.moe.Observation;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.MixtureSampler;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.simulation.moe.MoeRow;
import org.prefixmoe.simulation.moe.MoeRunner;
import org.prefixmoe.simulation.moe.MoeScenario;
import org.prefixmoe.simulation.moe.MoeScenarioFiles;

/**
 * {@code sample}, {@code fit} and {@code loss} for a member of the mixture-of-experts family: the
 * "model file" is its scenario file (model, truth, design, starts, loss).
 */
final class MoeModelCommands {
    private MoeModelCommands() {
    }

    /** {@return whether {@code -m FILE} names a family scenario} */
    static boolean isFamily(Path model) {
        return MoeScenarioFiles.isFamilyScenario(model);
    }

    static int sample(Path model, int n, long seed, Path output) {
        MoeScenario s = MoeScenarioFiles.read(model);
        if (n < 2) {
            throw new IllegalArgumentException("--size: must be >= 2, got " + n);
        }
        Outputs.file("--output", output);
        Dataset data = new MixtureSampler(s.model(), s.truthAt(n), s.design(), 0).sample(n, RandomStreams.stream(seed, 0));
        DatasetCsv.write(data, output);
        System.out.printf(Locale.ROOT, "wrote %d samples (d = %d, q = %d) of %s to %s%n", n, data.inputDimension(),
                data.outputDimension(), s.model(), output);
        return 0;
    }

    static int fit(Path dataFile, Path model, Integer components, int restarts, Integer maxIterations, long seed,
                   Path output) {
        MoeScenario s = MoeScenarioFiles.read(model);
        int k = components == null ? s.model().components() : components;
        if (k < s.model().components()) {
            throw new IllegalArgumentException("-L: " + k + " components, fewer than the truth's K* = "
                    + s.model().components() + " (model " + model + ")");
        }
        if (restarts < 1) {
            throw new IllegalArgumentException("--restarts: must be >= 1, got " + restarts);
        }
        if (output != null) {
            Outputs.file("--output", output);
        }
        Dataset d = DatasetCsv.read(dataFile);
        if (d.inputDimension() != s.model().inputDimension() || d.outputDimension() != s.model().outputDimension()) {
            throw new IllegalArgumentException(dataFile + ": " + d.inputDimension() + " inputs and "
                    + d.outputDimension() + " responses, the model (" + model + ") has d = "
                    + s.model().inputDimension() + ", q = " + s.model().outputDimension());
        }
        MixtureOfExperts fitted = s.model().withComponents(k);
        MixtureEm em = MixtureEm.defaults().withTolerance(s.fitting().tolerance()).withStop(s.fitting().stop())
                .withMaxIterations(maxIterations == null ? s.fitting().maxIterations() : maxIterations);
        UniformRandomProvider rng = RandomStreams.stream(seed, 1);
        MixtureFit best = null;
        for (int r = 0; r < restarts; r++) {
            Components start = s.init().draw(fitted, s.truthAt(d.size()), d.size(), rng);
            MixtureFit f = em.fit(fitted, d.x(), d.y(), start);
            if (best == null || f.logLikelihood() > best.logLikelihood()) {
                best = f;
            }
        }
        System.out.printf(Locale.ROOT, "%s: EM from %d near-truth start(s): log-likelihood %.6f, %d iterations, %s%s%n",
                fitted, restarts, best.logLikelihood(), best.iterations(), best.stopReason().label(),
                best.converged() ? "" : " (not converged)");
        System.out.println(MoeRunner.estimate(best.estimate()).replace("|", "\n"));
        if (output != null) {
            ComponentsFiles.write(output, fitted, best);
            System.out.println("wrote " + output);
        }
        return best.converged() ? 0 : 3;
    }

    static int predict(Path estimate, Path model, Path at, DatasetCsv.Columns columns, boolean em, Path output) {
        MoeScenario s = MoeScenarioFiles.read(model);
        Components c = ComponentsFiles.read(estimate, s.model());
        MixtureOfExperts fitted = s.model().withComponents(c.size());
        if (em && fitted.observation() != Observation.GAUSSIAN_MIXTURE) {
            throw new IllegalArgumentException("--em: the model of " + model + " has the regression observation, which"
                    + " has no density and so no responsibilities");
        }
        DatasetCsv.Table table = DatasetCsv.readColumns(at, columns, em);
        int d = fitted.inputDimension();
        int q = fitted.outputDimension();
        if (table.inputDimension() != d) {
            throw new IllegalArgumentException("--at: " + at + " has " + table.inputDimension() + " input columns "
                    + table.xNames() + " but the model's d is " + d + " (" + model + ")");
        }
        if (table.outputDimension() != 0 && table.outputDimension() != q) {
            throw new IllegalArgumentException("--at: " + at + " has " + table.outputDimension() + " response columns "
                    + table.yNames() + " but the model's q is " + q + " (" + model + ")");
        }
        Outputs.file("--output", output);
        int experts = fitted.components() + fitted.frozenCount();
        Prediction p = new Prediction(table.size(), q, experts, fitted.regression(c, table.x()),
                fitted.gateProbabilities(c, table.x()));
        double[] resp = em ? fitted.responsibilities(c, table.x(), table.y()) : null;
        PredictionCsv.write(output, table, p, PredictionCsv.familyLabels(fitted.components(), fitted.frozenCount()), resp);
        System.out.printf(Locale.ROOT, "wrote predictions of %s at %d inputs (%d components, %d frozen%s) to %s%n", fitted,
                p.size(), fitted.components(), fitted.frozenCount(), em ? ", responsibilities" : "", output);
        return 0;
    }

    /**
     * {@code replay} of one task of a family scenario: recompute its row, print it, compare every
     * deterministic column with the row in the results file, and optionally write the data and the estimate.
     */
    static int replay(Path scenarioFile, String study, int n, int replicate, Path results, Path dataOut,
                      Path estimateOut) {
        MoeScenario s = MoeScenarioFiles.read(scenarioFile);
        int index = -1;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < s.studies().size(); i++) {
            names.add(s.studies().get(i).name());
            if (s.studies().get(i).name().equals(study)) {
                index = i;
            }
        }
        if (index < 0) {
            throw new IllegalArgumentException("--study: no study '" + study + "' in " + scenarioFile + " (studies: "
                    + String.join(", ", names) + ")");
        }
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
        Path existing = results != null ? results : Path.of("plots", s.name(), "results.csv");
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
        MoeRunner.Replay replay = MoeRunner.replay(s, new MoeRunner.Task(index, n, replicate));
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
        if (estimateOut != null && replay.fit() != null) {
            ComponentsFiles.write(estimateOut, s.fitted(s.studies().get(index)), replay.fit());
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
        MoeScenario s = MoeScenarioFiles.read(model);
        Components c = ComponentsFiles.read(estimate, s.model());
        MixtureOfExperts fitted = s.model().withComponents(c.size());
        MoeRunner.Losses l = MoeRunner.losses(s, fitted, c);
        System.out.printf(Locale.ROOT, "loss             %.6g%n", l.raw().loss());
        System.out.printf(Locale.ROOT, "loss_normalized  %.6g%n", l.normalized().loss());
        System.out.printf(Locale.ROOT, "weight term      %.6g%n", l.raw().weightTerm());
        StringBuilder cells = new StringBuilder();
        for (int j = 0; j < l.raw().cellSizes().length; j++) {
            cells.append(j == 0 ? "" : "|").append(l.raw().cellSizes()[j]);
        }
        System.out.println("cells            " + cells);
        for (BlockVoronoiLoss.Term t : s.loss().terms()) {
            System.out.printf(Locale.ROOT, "block %-10s contribution %.6g, largest error %.6g%n", t.name(),
                    l.raw().contributions().get(t.name()), l.raw().errors().get(t.name()));
        }
        return 0;
    }
}
