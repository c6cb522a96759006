package org.prefixmoe.cli;

import java.nio.file.Path;
import java.util.Locale;
import org.apache.commons.rng.UniformRandomProvider;
import org.prefixmoe.estimation.moe.MixtureEm;
import org.prefixmoe.estimation.moe.MixtureFit;
import org.prefixmoe.io.ComponentsFiles;
import org.prefixmoe.io.DatasetCsv;
import org.prefixmoe.loss.BlockVoronoiLoss;
import org.prefixmoe.model.moe.Components;
import org.prefixmoe.model.moe.MixtureOfExperts;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.MixtureSampler;
import org.prefixmoe.sampling.RandomStreams;
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
