package org.prefixmoe.simulation.moe;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.prefixmoe.estimation.moe.NearTruthStart;
import org.prefixmoe.loss.BlockVoronoiLoss;
import org.prefixmoe.model.moe.Components;
import org.prefixmoe.model.moe.MixtureOfExperts;
import org.prefixmoe.sampling.MixtureSampler;

/**
 * A Monte Carlo study of one member of the mixture-of-experts family: the true model and
 * components, the inputs' design, one study per fitted K, the sample sizes and replicates, the
 * estimator (EM with a tolerance, a cap and the best of some tries), near-truth starts, and the
 * generic Voronoi loss. Immutable; {@link MoeScenarioFiles} reads one from a file.
 *
 * @param name the scenario's name (the results folder)
 * @param description free text
 * @param seed the master seed: task (study, n, replicate) draws from {@code RandomStreams.stream(seed, study, n, replicate)}
 * @param model the true model (K* components)
 * @param truth the true components
 * @param design the inputs' design (null for a gate that models the input)
 * @param studies one per fitted K
 * @param sizes the sample sizes, distinct, increasing
 * @param replicates replicates per size
 * @param fitting the estimator's settings
 * @param init the starts
 * @param loss the loss, over the model's blocks
 * @param theorySlope the predicted slope of the loss against n (NaN for none)
 * @param theoryText how to print the prediction
 * @param text the file's text (its hash is the fingerprint), or a canonical description for a built scenario
 * @param truthScaling coordinates of the truth that move with n (empty: the truth is {@code truth} at every n);
 *     the data, the starts and the loss of a task at n use {@link #truthAt(int)}
 */
public record MoeScenario(String name, String description, long seed, MixtureOfExperts model, Components truth,
                          MixtureSampler.Design design, List<Study> studies, List<Integer> sizes, int replicates,
                          Fitting fitting, NearTruthStart init, BlockVoronoiLoss loss, double theorySlope,
                          String theoryText, String text, List<ScaledCoordinate> truthScaling) implements FamilyStudy {

    /**
     * One coordinate of the truth that is its written value times a factor of n:
     * {@code θ*_{c,a}(n) = θ*_{c,a} · factor(n)}.
     *
     * @param component the true component
     * @param coordinate the coordinate in the component's atom ({@link MixtureOfExperts#atom}: gate, expert, ν)
     * @param block the block's name (for messages)
     * @param factor the factor
     */
    public record ScaledCoordinate(int component, int coordinate, String block, SizeFactor factor) {
        /**
         * Validates the components.
         *
         * @param component the true component
         * @param coordinate the coordinate in the component's atom
         * @param block the block's name (for messages)
         * @param factor the factor
         * @throws IllegalArgumentException naming the field
         */
        public ScaledCoordinate {
            if (component < 0 || coordinate < 0) {
                throw new IllegalArgumentException("truth: a scaled coordinate needs a component and a coordinate >= 0");
            }
            Objects.requireNonNull(factor, "truth[" + component + "]." + block + ".times");
        }
    }

    /**
     * A scenario whose truth does not move with n.
     *
     * @param name the scenario's name (the results folder)
     * @param description free text
     * @param seed the master seed
     * @param model the true model (K* components)
     * @param truth the true components
     * @param design the inputs' design (null for a gate that models the input)
     * @param studies one per fitted K
     * @param sizes the sample sizes, distinct, increasing
     * @param replicates replicates per size
     * @param fitting the estimator's settings
     * @param init the starts
     * @param loss the loss, over the model's blocks
     * @param theorySlope the predicted slope of the loss against n (NaN for none)
     * @param theoryText how to print the prediction
     * @param text the file's text, or a canonical description for a built scenario
     */
    public MoeScenario(String name, String description, long seed, MixtureOfExperts model, Components truth,
                       MixtureSampler.Design design, List<Study> studies, List<Integer> sizes, int replicates,
                       Fitting fitting, NearTruthStart init, BlockVoronoiLoss loss, double theorySlope,
                       String theoryText, String text) {
        this(name, description, seed, model, truth, design, studies, sizes, replicates, fitting, init, loss, theorySlope,
                theoryText, text, List.of());
    }

    /**
     * One fitted K, with optional overrides of the scenario's estimator and starts.
     *
     * @param name the study's name in results files
     * @param components K
     * @param maxIterations EM's cap for this study, or 0 for the scenario's (1: the one-step fits of
     *     the Gaussian-gated MoE's published code)
     * @param fixedStarts whether the start noise keeps its scale at every n (all n-exponents 0), so
     *     that a loss cannot fall with n through the starts
     */
    public record Study(String name, int components, int maxIterations, boolean fixedStarts) {
        /**
         * A study with the scenario's estimator and starts.
         *
         * @param name the study's name
         * @param components K
         */
        public Study(String name, int components) {
            this(name, components, 0, false);
        }

        /**

         * Validates the components.

         *

         * @param name the study's name in results files

         * @param components K

         * @param maxIterations EM's cap for this study, or 0 for the scenario's (1: the one-step fits of the Gaussian-gated MoE's published code)

         * @param fixedStarts whether the start noise keeps its scale at every n (all n-exponents 0), so that a loss cannot fall with n through the starts

         * @throws IllegalArgumentException naming the field

         */

        public Study {
            if (maxIterations < 0) {
                throw new IllegalArgumentException("max-iterations: must be >= 1, got " + maxIterations);
            }
            if (name == null || !name.matches("[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException("name: letters, digits, '_', '.', '-' only, got " + name);
            }
            if (components < 1 || components > org.prefixmoe.estimation.FitProblem.MAX_ATOMS) {
                throw new IllegalArgumentException("K: must be in 1.."
                        + org.prefixmoe.estimation.FitProblem.MAX_ATOMS + ", got " + components);
            }
        }
    }

    /**
     * EM's settings.
     *
     * @param tolerance relative change of the log-likelihood at which EM stops
     * @param maxIterations iteration cap (1: one EM step, as the Gaussian-gated MoE's published code does)
     * @param tries the best log-likelihood of this many starts is kept
     * @param stop the stop rule: {@code relative} (meteorits) or {@code progress} (the Gaussian-gated MoE's code)
     */
    public record Fitting(double tolerance, int maxIterations, int tries, org.prefixmoe.estimation.moe.MixtureEm.Stop stop) {
        /**
         * Settings with meteorits' relative stop rule.
         *
         * @param tolerance relative change of the log-likelihood
         * @param maxIterations iteration cap
         * @param tries starts per fit
         */
        public Fitting(double tolerance, int maxIterations, int tries) {
            this(tolerance, maxIterations, tries, org.prefixmoe.estimation.moe.MixtureEm.Stop.RELATIVE);
        }

        /**

         * Validates the components.

         *

         * @param tolerance relative change of the log-likelihood at which EM stops

         * @param maxIterations iteration cap (1: one EM step, as the Gaussian-gated MoE's published code does)

         * @param tries the best log-likelihood of this many starts is kept

         * @param stop the stop rule: {@code relative} (meteorits) or {@code progress} (the Gaussian-gated MoE's code)

         * @throws IllegalArgumentException naming the field

         */

        public Fitting {
            if (!(tolerance >= 0) || !Double.isFinite(tolerance)) {
                throw new IllegalArgumentException("tolerance: must be a finite number >= 0, got " + tolerance);
            }
            if (maxIterations < 1) {
                throw new IllegalArgumentException("max-iterations: must be >= 1, got " + maxIterations);
            }
            if (tries < 1 || tries > 1000) {
                throw new IllegalArgumentException("tries: must be in 1..1000, got " + tries);
            }
            Objects.requireNonNull(stop, "stop");
        }
    }

    /**

     * Checks the parts fit together.

     *

     * @param name the scenario's name (the results folder)

     * @param description free text

     * @param seed the master seed: task (study, n, replicate) draws from {@code RandomStreams.stream(seed, study, n, replicate)}

     * @param model the true model (K components)

     * @param truth the true components

     * @param design the inputs' design (null for a gate that models the input)

     * @param studies one per fitted K

     * @param sizes the sample sizes, distinct, increasing

     * @param replicates replicates per size

     * @param fitting the estimator's settings

     * @param init the starts

     * @param loss the loss, over the model's blocks

     * @param theorySlope the predicted slope of the loss against n (NaN for none)

     * @param theoryText how to print the prediction

     * @param text the file's text (its hash is the fingerprint), or a canonical description for a built scenario

     * @param truthScaling coordinates of the truth that move with n

     */

    public MoeScenario {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(model, "model");
        model.check("truth", truth);
        studies = List.copyOf(studies);
        sizes = List.copyOf(sizes);
        if (studies.isEmpty()) {
            throw new IllegalArgumentException("studies: at least one study (a fitted K) is needed");
        }
        for (Study s : studies) {
            if (s.components() < model.components()) {
                throw new IllegalArgumentException("studies." + s.name() + ".K: " + s.components()
                        + " is smaller than the truth's K* = " + model.components());
            }
            try {
                model.withComponents(s.components());
            } catch (IllegalArgumentException e) {
                String msg = e.getMessage();
                throw new IllegalArgumentException("studies." + s.name() + ".K: "
                        + msg.substring(msg.indexOf(':') + 1).trim(), e);
            }
        }
        if (studies.stream().map(Study::name).distinct().count() != studies.size()) {
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
        if ((long) studies.size() * sizes.size() * replicates > 10_000_000L) {
            throw new IllegalArgumentException("replicates: " + studies.size() + " studies × " + sizes.size()
                    + " sizes × " + replicates + " replicates is more than 10^7 tasks");
        }
        Objects.requireNonNull(fitting, "estimator");
        Objects.requireNonNull(init, "init");
        Objects.requireNonNull(loss, "loss");
        if (!model.gate().modelsInput()) {
            Objects.requireNonNull(design, "design");
        }
        truthScaling = List.copyOf(Objects.requireNonNull(truthScaling, "truthScaling"));
        int atomLength = model.atom(truth, 0).length;
        for (ScaledCoordinate sc : truthScaling) {
            if (sc.component() >= truth.size() || sc.coordinate() >= atomLength) {
                throw new IllegalArgumentException("truth[" + sc.component() + "]." + sc.block()
                        + ": no such coordinate in the truth");
            }
        }
        for (int n : sizes) {
            model.check("truth (at n = " + n + ")", scaled(model, truth, truthScaling, n));
        }
    }

    /**
     * The truth at a sample size: {@code truth} with each scaled coordinate times its factor at n.
     *
     * @param n the sample size
     * @return the true components of a task at n
     */
    public Components truthAt(int n) {
        return scaled(model, truth, truthScaling, n);
    }

    private static Components scaled(MixtureOfExperts model, Components truth, List<ScaledCoordinate> scaling, int n) {
        if (scaling.isEmpty()) {
            return truth;
        }
        double[][] gate = truth.gate();
        double[][] expert = truth.expert();
        double[] nu = truth.variances();
        int gs = model.gate().parameterCount();
        int es = model.expert().parameterCount();
        for (ScaledCoordinate sc : scaling) {
            double f = sc.factor().at(n);
            int a = sc.coordinate();
            if (a < gs) {
                gate[sc.component()][a] *= f;
            } else if (a < gs + es) {
                expert[sc.component()][a - gs] *= f;
            } else {
                nu[sc.component()] *= f;
            }
        }
        return new Components(gate, expert, nu);
    }

    /** {@return the number of tasks} */
    public long taskCount() {
        return (long) studies.size() * sizes.size() * replicates;
    }

    /** {@return the first 12 hex digits of the SHA-256 of the scenario's text: rows of another text are refused} */
    public String fingerprint() {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The fitted model of a study.
     *
     * @param study the study
     * @return the model with K components
     */
    public MixtureOfExperts fitted(Study study) {
        return model.withComponents(study.components());
    }

    @Override
    public List<String> lossTerms() {
        return loss.terms().stream().map(BlockVoronoiLoss.Term::name).toList();
    }

    @Override
    public org.prefixmoe.simulation.moe.MoeSummary.Header header() {
        return MoeSummary.Header.of(this);
    }

    @Override
    public MoeRow runTask(MoeRunner.Task task) {
        return MoeRunner.run(this, task);
    }
}
