package org.prefixmoe.simulation.moe;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.commons.rng.UniformRandomProvider;
import org.prefixmoe.estimation.moe.MixtureEm;
import org.prefixmoe.estimation.moe.NearTruthStart;
import org.prefixmoe.estimation.moe.SharedRoutedFit;
import org.prefixmoe.loss.BlockVoronoiLoss;
import org.prefixmoe.model.moe.Components;
import org.prefixmoe.model.moe.MixtureOfExperts;
import org.prefixmoe.model.moe.SharedRoutedMixture;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.sampling.MixtureSampler;
import org.prefixmoe.sampling.RandomStreams;
import org.prefixmoe.sampling.SharedRoutedSampler;

/**
 * A Monte Carlo study of the shared + routed model ({@link SharedRoutedMixture}): per block its true
 * model and components, near-truth starts and generic Voronoi loss; the design, studies (fitted
 * K_1 and K_2), sizes, replicates and EM settings shared by both. The loss of a fit is the sum of the
 * two blocks' losses (each block's fitted atoms are assigned to that block's true atoms only); its
 * columns carry the block names prefixed {@code shared-} and {@code routed-}. Tasks draw as
 * {@link MoeRunner}'s do: the data of (n, replicate) from {@code stream(seed, n, replicate, 0)}, the
 * starts of study s from {@code stream(seed, n, replicate, 1 + s)}, shared block first. Immutable;
 * {@link SharedRoutedScenarioFiles} reads one from a file.
 *
 * @param name the scenario's name (the results folder)
 * @param description free text
 * @param seed the master seed
 * @param model the true model (K_1*, K_2* components)
 * @param truth the true parameters
 * @param design the inputs' design
 * @param blockStudies one per fitted (K_1, K_2)
 * @param sizes the sample sizes, increasing
 * @param replicates replicates per size
 * @param fitting EM's settings
 * @param sharedInit the shared block's starts
 * @param routedInit the routed block's starts
 * @param sharedLoss the shared block's loss, over its blocks
 * @param routedLoss the routed block's loss, over its blocks
 * @param theorySlope the predicted slope of the loss against n (NaN for none)
 * @param theoryText how to print the prediction
 * @param text the file's text (its hash is the fingerprint)
 */
public record SharedRoutedScenario(String name, String description, long seed, SharedRoutedMixture model,
                                   SharedRoutedMixture.Parameters truth, MixtureSampler.Design design,
                                   List<Study> blockStudies, List<Integer> sizes, int replicates,
                                   MoeScenario.Fitting fitting, NearTruthStart sharedInit, NearTruthStart routedInit,
                                   BlockVoronoiLoss sharedLoss, BlockVoronoiLoss routedLoss, double theorySlope,
                                   String theoryText, String text) implements FamilyStudy {

    /** Prefix of the shared block's loss columns. */
    public static final String SHARED = "shared-";
    /** Prefix of the routed block's loss columns. */
    public static final String ROUTED = "routed-";

    /**
     * One fitted model.
     *
     * @param name the study's name in results files
     * @param sharedComponents K_1
     * @param routedComponents K_2
     * @param fixedStarts whether the start noise keeps its scale at every n (all n-exponents 0)
     */
    public record Study(String name, int sharedComponents, int routedComponents, boolean fixedStarts) {
        /**
         * Validates the components.
         *
         * @param name the study's name in results files
         * @param sharedComponents K_1
         * @param routedComponents K_2
         * @param fixedStarts whether the start noise keeps its scale at every n
         * @throws IllegalArgumentException naming the field
         */
        public Study {
            if (name == null || !name.matches("[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException("name: letters, digits, '_', '.', '-' only, got " + name);
            }
            if (sharedComponents < 1 || routedComponents < 1
                    || sharedComponents + routedComponents > org.prefixmoe.estimation.FitProblem.MAX_ATOMS) {
                throw new IllegalArgumentException("K-shared, K-routed: each >= 1, together at most "
                        + org.prefixmoe.estimation.FitProblem.MAX_ATOMS + ", got " + sharedComponents + ", "
                        + routedComponents);
            }
        }
    }

    /**
     * Checks the parts fit together.
     *
     * @param name the scenario's name (the results folder)
     * @param description free text
     * @param seed the master seed
     * @param model the true model
     * @param truth the true parameters
     * @param design the inputs' design
     * @param blockStudies one per fitted (K_1, K_2)
     * @param sizes the sample sizes, increasing
     * @param replicates replicates per size
     * @param fitting EM's settings
     * @param sharedInit the shared block's starts
     * @param routedInit the routed block's starts
     * @param sharedLoss the shared block's loss
     * @param routedLoss the routed block's loss
     * @param theorySlope the predicted slope (NaN for none)
     * @param theoryText how to print the prediction
     * @param text the file's text
     */
    public SharedRoutedScenario {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(model, "model");
        model.check("truth", truth);
        Objects.requireNonNull(design, "design");
        blockStudies = List.copyOf(blockStudies);
        sizes = List.copyOf(sizes);
        if (blockStudies.isEmpty()) {
            throw new IllegalArgumentException("studies: at least one study (a fitted K-shared, K-routed) is needed");
        }
        for (Study s : blockStudies) {
            if (s.sharedComponents() < model.shared().components() || s.routedComponents() < model.routed().components()) {
                throw new IllegalArgumentException("studies." + s.name() + ": K-shared, K-routed = " + s.sharedComponents()
                        + ", " + s.routedComponents() + " below the truth's " + model.shared().components() + ", "
                        + model.routed().components());
            }
            model.withComponents(s.sharedComponents(), s.routedComponents());
        }
        if (blockStudies.stream().map(Study::name).distinct().count() != blockStudies.size()) {
            throw new IllegalArgumentException("studies: two studies have the same name");
        }
        if (sizes.isEmpty()) {
            throw new IllegalArgumentException("sizes: at least one sample size is needed");
        }
        for (int i = 0; i < sizes.size(); i++) {
            if (sizes.get(i) < 2 || (i > 0 && sizes.get(i) <= sizes.get(i - 1))) {
                throw new IllegalArgumentException("sizes: must be increasing and >= 2, got " + sizes);
            }
        }
        if (replicates < 1) {
            throw new IllegalArgumentException("replicates: must be >= 1, got " + replicates);
        }
        Objects.requireNonNull(fitting, "estimator");
        Objects.requireNonNull(sharedInit, "shared.init");
        Objects.requireNonNull(routedInit, "routed.init");
        Objects.requireNonNull(sharedLoss, "shared.loss");
        Objects.requireNonNull(routedLoss, "routed.loss");
        Objects.requireNonNull(text, "text");
    }

    @Override
    public List<MoeScenario.Study> studies() {
        return blockStudies.stream().map(s -> new MoeScenario.Study(s.name(), s.sharedComponents() + s.routedComponents(), 0,
                s.fixedStarts())).toList();
    }

    @Override
    public String fingerprint() {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public List<String> lossTerms() {
        List<String> out = new ArrayList<>();
        sharedLoss.terms().forEach(t -> out.add(SHARED + t.name()));
        routedLoss.terms().forEach(t -> out.add(ROUTED + t.name()));
        return out;
    }

    @Override
    public MoeSummary.Header header() {
        return new MoeSummary.Header(name, description, seed, studies(), lossTerms(), model.components(), theorySlope,
                theoryText, true);
    }

    /**
     * The fitted model of a study.
     *
     * @param study the study
     * @return the model with K_1 and K_2 components
     */
    public SharedRoutedMixture fitted(Study study) {
        return model.withComponents(study.sharedComponents(), study.routedComponents());
    }

    /**
     * The data set of (n, replicate): the same for every study.
     *
     * @param n the size
     * @param replicate the replicate
     * @return the data
     */
    public Dataset data(int n, int replicate) {
        return new SharedRoutedSampler(model, truth, design).sample(n, RandomStreams.stream(seed, n, replicate, 0));
    }

    /**
     * The loss of an estimate: the shared block's loss plus the routed block's, with the gates' weights
     * and with each block's weights normalized to sum 1.
     *
     * @param fitted the fitted model
     * @param estimate the estimate
     * @return both readings, each the sum over the blocks, block columns prefixed
     */
    public MoeRunner.Losses losses(SharedRoutedMixture fitted, SharedRoutedMixture.Parameters estimate) {
        BlockVoronoiLoss.Result s = sharedLoss.evaluate(fitted.shared(), estimate.shared(), model.shared(), truth.shared());
        BlockVoronoiLoss.Result r = routedLoss.evaluate(fitted.routed(), estimate.routed(), model.routed(), truth.routed());
        BlockVoronoiLoss.Result sn = sharedLoss.evaluateNormalized(fitted.shared(), estimate.shared(), model.shared(),
                truth.shared());
        BlockVoronoiLoss.Result rn = routedLoss.evaluateNormalized(fitted.routed(), estimate.routed(), model.routed(),
                truth.routed());
        return new MoeRunner.Losses(sum(s, r), sum(sn, rn));
    }

    private static BlockVoronoiLoss.Result sum(BlockVoronoiLoss.Result s, BlockVoronoiLoss.Result r) {
        Map<String, Double> c = new LinkedHashMap<>();
        Map<String, Double> e = new LinkedHashMap<>();
        s.contributions().forEach((k, v) -> c.put(SHARED + k, v));
        r.contributions().forEach((k, v) -> c.put(ROUTED + k, v));
        s.errors().forEach((k, v) -> e.put(SHARED + k, v));
        r.errors().forEach((k, v) -> e.put(ROUTED + k, v));
        int[] cellOf = new int[s.cellOf().length + r.cellOf().length];
        System.arraycopy(s.cellOf(), 0, cellOf, 0, s.cellOf().length);
        for (int i = 0; i < r.cellOf().length; i++) {
            cellOf[s.cellOf().length + i] = s.cellSizes().length + r.cellOf()[i];
        }
        int[] sizes = new int[s.cellSizes().length + r.cellSizes().length];
        System.arraycopy(s.cellSizes(), 0, sizes, 0, s.cellSizes().length);
        System.arraycopy(r.cellSizes(), 0, sizes, s.cellSizes().length, r.cellSizes().length);
        return new BlockVoronoiLoss.Result(s.loss() + r.loss(), s.weightTerm() + r.weightTerm(), c, e, cellOf, sizes);
    }

    @Override
    public MoeRow runTask(MoeRunner.Task t) {
        return replay(t).row();
    }

    /**
     * What one task computes: its row, and its data set and best fit (both null when it failed before them).
     *
     * @param row the results row
     * @param data the task's data set, or null
     * @param fit the best of the task's fits, or null
     */
    public record Replay(MoeRow row, Dataset data, SharedRoutedFit fit) {
    }

    /**
     * Runs one task and keeps its data set and fit: what {@code replay} writes out. Its row is
     * {@link #runTask}'s, bit for bit.
     *
     * @param t the task
     * @return its row, data set and fit
     */
    public Replay replay(MoeRunner.Task t) {
        long t0 = System.nanoTime();
        Study study = blockStudies.get(t.study());
        int kStar = model.components();
        int k = study.sharedComponents() + study.routedComponents();
        Dataset data = null;
        SharedRoutedFit best = null;
        try {
            data = data(t.n(), t.replicate());
            SharedRoutedMixture fitted = fitted(study);
            UniformRandomProvider rng = RandomStreams.stream(seed, t.n(), t.replicate(), 1 + t.study());
            best = fit(fitted, data, fitting.tries(), em(), study.fixedStarts(), rng);
            MoeRunner.Losses l = losses(fitted, best.estimate());
            return new Replay(new MoeRow(study.name(), k, kStar, t.n(), t.replicate(), "ok", best.stopReason().label(),
                    best.converged(), best.iterations(), best.logLikelihood(), l.raw().loss(), l.normalized().loss(),
                    l.raw().weightTerm(), cells(l.raw().cellSizes(), model.shared().components()), l.raw().contributions(),
                    l.raw().errors(), "", (System.nanoTime() - t0) / 1e9, estimate(best.estimate())), data, best);
        } catch (RuntimeException e) {
            String msg = String.valueOf(e.getMessage());
            return new Replay(new MoeRow(study.name(), k, kStar, t.n(), t.replicate(), "failed", "", false, 0, Double.NaN,
                    Double.NaN, Double.NaN, Double.NaN, "", Map.of(), Map.of(),
                    e.getClass().getSimpleName() + ": " + (msg.length() > 200 ? msg.substring(0, 200) : msg),
                    (System.nanoTime() - t0) / 1e9, ""), data, best);
        }
    }

    /** {@return EM with the scenario's tolerance, stop rule and iteration cap} */
    public MixtureEm em() {
        return MixtureEm.defaults().withTolerance(fitting.tolerance()).withMaxIterations(fitting.maxIterations())
                .withStop(fitting.stop());
    }

    /**
     * The best (highest log-likelihood) of {@code tries} EM fits from the scenario's near-truth
     * starts, each drawn shared block first, then the routed block, from {@code rng}; the starts'
     * noise shrinks with the data's size unless {@code fixedStarts}.
     *
     * @param fitted the fitted model (K_1, K_2 at least the truth's)
     * @param data the data
     * @param tries the number of starts, at least 1
     * @param em the EM settings
     * @param fixedStarts whether the start noise keeps its n = 1 scale
     * @param rng the starts' stream
     * @return the best fit
     */
    public SharedRoutedFit fit(SharedRoutedMixture fitted, Dataset data, int tries, MixtureEm em, boolean fixedStarts,
                               UniformRandomProvider rng) {
        if (tries < 1) {
            throw new IllegalArgumentException("tries: must be >= 1, got " + tries);
        }
        NearTruthStart si = fixedStarts ? sharedInit.withoutShrinking() : sharedInit;
        NearTruthStart ri = fixedStarts ? routedInit.withoutShrinking() : routedInit;
        SharedRoutedFit best = null;
        for (int a = 0; a < tries; a++) {
            Components s = si.draw(fitted.shared(), truth.shared(), data.size(), rng);
            Components r = ri.draw(fitted.routed(), truth.routed(), data.size(), rng);
            SharedRoutedFit f = em.fit(fitted, data.x(), data.y(), new SharedRoutedMixture.Parameters(s, r));
            if (best == null || f.logLikelihood() > best.logLikelihood()) {
                best = f;
            }
        }
        return best;
    }

    /**
     * The text of an estimate, as the results' {@code estimate} column holds it: the shared block's
     * components, {@code " || "}, the routed block's ({@link MoeRunner#estimate}).
     *
     * @param p the estimate
     * @return the text
     */
    public static String estimate(SharedRoutedMixture.Parameters p) {
        return MoeRunner.estimate(p.shared()) + " || " + MoeRunner.estimate(p.routed());
    }

    /**
     * The cells of a loss's cell sizes as the results' {@code cells} column writes them.
     *
     * @param sizes the cell sizes, the shared block's true atoms first
     * @return e.g. {@code 2/1|2}
     */
    public String cells(int[] sizes) {
        return cells(sizes, model.shared().components());
    }

    /** {@code shared cells / routed cells}, e.g. {@code 2/1|2}. */
    private static String cells(int[] sizes, int sharedTrue) {
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < sizes.length; j++) {
            sb.append(j == 0 ? "" : j == sharedTrue ? "/" : "|").append(sizes[j]);
        }
        return sb.toString();
    }
}
