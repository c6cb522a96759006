package org.prefixmoe.simulation.moe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.prefixmoe.estimation.moe.NearTruthStart;
import org.prefixmoe.io.InputFileException;
import org.prefixmoe.io.Tree;
import org.prefixmoe.loss.BlockVoronoiLoss;
import org.prefixmoe.model.moe.Components;
import org.prefixmoe.model.moe.MixtureOfExperts;
import org.prefixmoe.model.moe.SharedRoutedMixture;
import org.prefixmoe.sampling.MixtureSampler;

/**
 * Reads scenario files of the shared + routed model (YAML or JSON): top-level {@code name},
 * {@code description}, {@code seed}, {@code shared-weight} (default ½), {@code design},
 * {@code studies} ({@code {name, K-shared, K-routed, start-noise}}), {@code sizes},
 * {@code replicates}, {@code estimator}, {@code theory} as in a family scenario, and two blocks
 * {@code shared} and {@code routed}, each with the {@code model}, {@code truth}, {@code init} and
 * {@code loss} of a family scenario (docs/theory.md §8). A file is recognised by its {@code shared}
 * and {@code routed} fields. Every error names the file, the field and the reason.
 */
public final class SharedRoutedScenarioFiles {
    private static final Set<String> FIELDS = Set.of("name", "description", "seed", "shared-weight", "shared", "routed",
            "design", "studies", "sizes", "replicates", "estimator", "theory");
    private static final Set<String> BLOCK_FIELDS = Set.of("model", "truth", "init", "loss");

    private SharedRoutedScenarioFiles() {
    }

    /**
     * Whether a file describes a shared + routed study (it has {@code shared} and {@code routed} mappings).
     *
     * @param file the file
     * @return true for such a scenario
     */
    public static boolean isSharedRoutedScenario(Path file) {
        try {
            if (Files.size(file) > MoeScenarioFiles.MAX_BYTES) {
                return false;
            }
            Tree t = Tree.read(file);
            return t.has("shared") && t.isMapping("shared") && t.has("routed") && t.isMapping("routed");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Reads and validates a shared + routed scenario file.
     *
     * @param file the file
     * @return the scenario
     * @throws InputFileException naming the file, the field and the reason
     */
    public static SharedRoutedScenario read(Path file) {
        return parse(MoeScenarioFiles.readText(file), file);
    }

    /**
     * Parses and validates the text of a shared + routed scenario file.
     *
     * @param text the text (YAML, or JSON for a {@code .json} path)
     * @param file the path errors name, and whose base name names a scenario without {@code name}
     * @return the scenario
     */
    public static SharedRoutedScenario parse(String text, Path file) {
        Tree t = Tree.parse(text, file);
        t.allowOnly(FIELDS);
        String name = t.string("name", file.getFileName().toString().replaceFirst("\\.(ya?ml|json)$", ""));
        long seed = t.integer("seed");
        Tree st = t.object("shared");
        Tree rt = t.object("routed");
        st.allowOnly(BLOCK_FIELDS);
        rt.allowOnly(BLOCK_FIELDS);
        MixtureOfExperts shared = MoeScenarioFiles.model(st.object("model"), st);
        MixtureOfExperts routed = MoeScenarioFiles.model(rt.object("model"), rt);
        double w = t.number("shared-weight", 0.5);
        SharedRoutedMixture model = t.check(() -> new SharedRoutedMixture(shared, routed, w));
        List<MoeScenario.ScaledCoordinate> scaling = new ArrayList<>();
        Components sharedTruth = MoeScenarioFiles.truth(st, shared, scaling);
        Components routedTruth = MoeScenarioFiles.truth(rt, routed, scaling);
        if (!scaling.isEmpty()) {
            throw t.error("truth", "truths that move with n are not supported for the shared + routed model");
        }
        String d = t.string("design");
        MixtureSampler.Design design = t.check(() -> MoeScenarioFiles.design(d, model.inputDimension()));
        List<SharedRoutedScenario.Study> studies = new ArrayList<>();
        for (Tree s : t.mappings("studies", true, "studies", "name, K-shared and K-routed")) {
            s.allowOnly(Set.of("name", "K-shared", "K-routed", "start-noise"));
            String sn = s.string("name");
            int k1 = (int) s.integer("K-shared");
            int k2 = (int) s.integer("K-routed");
            String noise = s.string("start-noise", "scenario");
            if (!noise.equals("scenario") && !noise.equals("fixed")) {
                throw s.error("start-noise", "expected scenario (the init's n-exponents) or fixed (exponents 0), got '"
                        + noise + "'");
            }
            studies.add(s.check(() -> new SharedRoutedScenario.Study(sn, k1, k2, noise.equals("fixed"))));
        }
        List<Integer> sizes = MoeScenarioFiles.sizes(t);
        long replicates = t.integer("replicates");
        if (replicates < 1 || replicates > 1_000_000) {
            throw t.error("replicates", "must be in 1..1000000, got " + replicates);
        }
        MoeScenario.Fitting fitting = MoeScenarioFiles.fitting(t);
        NearTruthStart sharedInit = MoeScenarioFiles.init(st.object("init"), shared);
        NearTruthStart routedInit = MoeScenarioFiles.init(rt.object("init"), routed);
        BlockVoronoiLoss sharedLoss = MoeScenarioFiles.loss(st.object("loss"), shared, sharedTruth);
        BlockVoronoiLoss routedLoss = MoeScenarioFiles.loss(rt.object("loss"), routed, routedTruth);
        double slope = Double.NaN;
        String theoryText = "none";
        if (t.has("theory")) {
            Tree th = t.object("theory");
            th.allowOnly(Set.of("slope", "text"));
            slope = th.number("slope");
            theoryText = th.string("text", String.format(java.util.Locale.ROOT, "%g", slope));
        }
        double fs = slope;
        String ft = theoryText;
        return t.check(() -> new SharedRoutedScenario(name, t.string("description", ""), seed, model,
                new SharedRoutedMixture.Parameters(sharedTruth, routedTruth), design, studies, sizes, (int) replicates,
                fitting, sharedInit, routedInit, sharedLoss, routedLoss, fs, ft, text));
    }
}
