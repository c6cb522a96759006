package org.prefixmoe.simulation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.prefixmoe.estimation.Estimators;
import org.prefixmoe.estimation.FitProblem;
import org.prefixmoe.estimation.LeastSquaresEstimator;
import org.prefixmoe.estimation.NearTruthInitializer;
import org.prefixmoe.estimation.RandomInitializer;
import org.prefixmoe.io.ModelFiles;
import org.prefixmoe.model.TruthModel;
import org.prefixmoe.sampling.Samplers;

/**
 * A Monte Carlo study (docs/theory.md §6): one or more studies (a truth and a fitted model with L atoms
 * each) run on a grid of sample sizes with a number of replicates, from one master seed. Built and
 * validated by {@link #builder()}; a scenario file is read by
 * {@link ScenarioFiles#read}, which translates the file into builder calls, so
 * both paths apply the same checks with the same messages. Immutable.
 *
 * <pre>{@code
 * Scenario s = Scenario.builder()
 *         .name("demo").seed(2025)
 *         .study("shared-linear", DefaultTruths.sharedLinear(), 3)  // L = 3 atoms fitted
 *         .logSizes(1000, 30000, 5).replicates(20)
 *         .build();
 * }</pre>
 *
 * <p>The {@link #fingerprint()} hashes every setting that changes a task's row (all but the grid,
 * the replicate count, the description and the figures). It is stored in each row, so that a
 * resumed run never mixes configurations. It covers the settings <em>as stated</em> (in the file,
 * or through the builder) besides the resolved solver, initialization and studies: stating a
 * default explicitly gives another fingerprint than leaving it out, as it always has, so that
 * results of earlier releases still resume. Stated settings enter in one fixed order (that of the
 * shipped files: name, seed, L, estimator, solver in the estimator's order, sampler, init,
 * eval_size, r, losses, store_estimates), so the order of builder calls does not matter; a file
 * written in another order had, before this builder, another fingerprint (its old results folder
 * is refused with a message saying so, never mixed).
 */
public final class Scenario {
    /** The losses a scenario can record; {@code cells} stands for the per-cell atom errors. */
    public static final List<String> KNOWN_LOSSES = List.of("d1", "d2", "regression", "cells");
    /** The most tasks (studies × sizes × replicates) a scenario may have: 10^6. */
    public static final long MAX_TASKS = 1_000_000;
    /** The initialization strategies. */
    public static final List<String> INIT_STRATEGIES = List.of(NearTruthInitializer.NAME, RandomInitializer.NAME);
    /** The fewest fresh inputs of the regression error (docs/theory.md §4), and its default. */
    public static final int MIN_EVAL_SIZE = 10_000;

    /** Fitted atoms and biases are stored in each row by default when L · dim θ is at most this. */
    public static final int STORED_ESTIMATE_LIMIT = 64;

    /** The order of stated settings in the fingerprint (the order of the shipped scenario files). */
    private static final List<String> STATED_ORDER = List.of("name", "seed", "L", "estimator", "solver", "sampler",
            "init", "eval_size", "r", "losses", "store_estimates", "plan");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path source;
    private final String name;
    private final String description;
    private final long seed;
    private final List<Study> studies;
    private final List<Integer> sizes;
    private final int replicates;
    private final String estimator;
    private final Map<String, Double> solver;
    private final Init init;
    private final String sampler;
    private final int evalSize;
    private final double r;
    private final List<String> losses;
    private final List<Integer> quickSizes;
    private final int quickReplicates;
    private final List<Figure> figures;
    private final Boolean storeEstimates;
    private final String baseline;
    private final double d1Threshold;
    private final double margin;
    private final Path planFile;
    private final String planSha256;
    private final String fingerprint;

    private Scenario(Builder b, List<Study> studies, Map<String, Double> solver, Init init, List<Integer> sizes,
                     int replicates, String fingerprint) {
        this.source = b.source;
        this.name = b.name;
        this.description = b.description;
        this.seed = b.seed;
        this.studies = studies;
        this.sizes = sizes;
        this.replicates = replicates;
        this.estimator = b.estimator;
        this.solver = solver;
        this.init = init;
        this.sampler = b.sampler;
        this.evalSize = b.evalSize;
        this.r = b.r;
        this.losses = b.losses;
        this.quickSizes = b.quickSizes == null ? b.sizes : b.quickSizes;
        this.quickReplicates = b.quickReplicates == null ? Math.min(b.replicates, 5) : b.quickReplicates;
        this.figures = List.copyOf(b.figures);
        this.storeEstimates = b.storeEstimates;
        this.baseline = b.baseline == null ? studies.get(0).name() : b.baseline;
        this.d1Threshold = b.d1Threshold;
        this.margin = b.margin;
        this.planFile = b.planFile;
        this.planSha256 = b.planSha256;
        this.fingerprint = fingerprint;
    }

    /** A copy on another grid (same settings, same fingerprint). */
    private Scenario(Scenario s, List<Integer> sizes, int replicates) {
        this.source = s.source;
        this.name = s.name;
        this.description = s.description;
        this.seed = s.seed;
        this.studies = s.studies;
        this.sizes = sizes;
        this.replicates = replicates;
        this.estimator = s.estimator;
        this.solver = s.solver;
        this.init = s.init;
        this.sampler = s.sampler;
        this.evalSize = s.evalSize;
        this.r = s.r;
        this.losses = s.losses;
        this.quickSizes = s.quickSizes;
        this.quickReplicates = s.quickReplicates;
        this.figures = s.figures;
        this.storeEstimates = s.storeEstimates;
        this.baseline = s.baseline;
        this.d1Threshold = s.d1Threshold;
        this.margin = s.margin;
        this.planFile = s.planFile;
        this.planSha256 = s.planSha256;
        this.fingerprint = s.fingerprint;
    }

    /**
     * A builder of a validated scenario.
     *
     * @return an empty builder (seed, studies, sizes and replicates are required)
     */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the file the scenario was read from, if it was read from one (metadata, not a setting)} */
    public Optional<Path> source() {
        return Optional.ofNullable(source);
    }

    /** {@return short name (results go to a folder of that name)} */
    public String name() {
        return name;
    }

    /** {@return free text} */
    public String description() {
        return description;
    }

    /** {@return the master seed from which every task's random streams derive} */
    public long seed() {
        return seed;
    }

    /** {@return the studies (one series each in a plot), unmodifiable} */
    public List<Study> studies() {
        return studies;
    }

    /** {@return sample sizes n, strictly increasing, unmodifiable} */
    public List<Integer> sizes() {
        return sizes;
    }

    /** {@return replicates per (study, n)} */
    public int replicates() {
        return replicates;
    }

    /** {@return estimator name (see {@link Estimators})} */
    public String estimator() {
        return estimator;
    }

    /** {@return the estimator's settings, all of them (defaults filled in; see {@link Estimators}), unmodifiable} */
    public Map<String, Double> solver() {
        return solver;
    }

    /**
     * The estimator's settings as a reader wants them: whole numbers without a decimal point and least squares'
     * method by its label, e.g. {@code max_iterations 1000, …, method trf-pair-m}.
     *
     * @return the settings, comma-separated, in their order
     */
    public String solverText() {
        return solver.entrySet().stream().map(e -> e.getKey() + " " + (estimator.equals(LeastSquaresEstimator.NAME)
                        && e.getKey().equals("method") ? LeastSquaresEstimator.Method.byCode(e.getValue()).label()
                        : e.getValue() == Math.rint(e.getValue()) && Math.abs(e.getValue()) < 1e9
                        ? Long.toString(e.getValue().longValue()) : e.getValue().toString()))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** {@return initialization} */
    public Init init() {
        return init;
    }

    /** {@return data-generating sampler name (see {@link Samplers})} */
    public String sampler() {
        return sampler;
    }

    /** {@return number of fresh inputs for the regression error} */
    public int evalSize() {
        return evalSize;
    }

    /** {@return exponent r of D_{2,r}} */
    public double r() {
        return r;
    }

    /** {@return the losses recorded, unmodifiable} */
    public List<String> losses() {
        return losses;
    }

    /** {@return the reduced grid of {@code --quick} runs, unmodifiable} */
    public List<Integer> quickSizes() {
        return quickSizes;
    }

    /** {@return replicates of {@code --quick} runs} */
    public int quickReplicates() {
        return quickReplicates;
    }

    /** {@return the figures drawn from this scenario's results by {@code figures}, unmodifiable} */
    public List<Figure> figures() {
        return figures;
    }

    /**
     * {@return the study whose mean loss divides the others' in the summary's ratios (the first
     * study unless the scenario names one; a summary setting, not in the fingerprint)}
     */
    public String baseline() {
        return baseline;
    }

    /**
     * {@return the {@code D_1} value above which the summary counts a fit as far from the truth
     * (default {@value Summary.Options#DEFAULT_D1_THRESHOLD}; a summary setting, not in the fingerprint)}
     */
    public double d1Threshold() {
        return d1Threshold;
    }

    /**
     * {@return the equivalence margin of the verdicts (docs/theory.md §6): "agrees" needs the
     * deciding bootstrap interval inside theory ± margin (default {@value Verdict#DEFAULT_MARGIN};
     * a summary setting, not in the fingerprint)}
     */
    public double margin() {
        return margin;
    }

    /**
     * {@return the pre-registered analysis plan file (docs/theory.md §6), if the scenario names one;
     * its SHA-256 is in the fingerprint, so every row records the plan it was run under}
     */
    public Optional<Path> planFile() {
        return Optional.ofNullable(planFile);
    }

    /** {@return the SHA-256 (hex) of the analysis plan, or null without a plan} */
    public String planSha256() {
        return planSha256;
    }

    /**
     * {@return a hash of every setting that changes a task's row (all but the grid and the replicate
     * count), stored in each row so that a resumed run never mixes configurations}
     */
    public String fingerprint() {
        return fingerprint;
    }

    /** {@return the same scenario on its reduced {@code --quick} grid} */
    public Scenario quick() {
        return new Scenario(this, quickSizes, quickReplicates);
    }

    /**
     * Whether the rows of a study store the fitted atoms and biases (column {@code estimate}): as
     * set by {@link Builder#storeEstimates}, by default when L · dim θ is at most
     * {@link #STORED_ESTIMATE_LIMIT}.
     *
     * @param study a study of this scenario
     * @return whether its rows store the estimate
     */
    public boolean storesEstimates(Study study) {
        return storeEstimates != null ? storeEstimates
                : (long) study.atoms() * study.fitted().model().atomDimension() <= STORED_ESTIMATE_LIMIT;
    }

    /** {@return number of tasks: studies × sizes × replicates} */
    public long taskCount() {
        return (long) studies.size() * sizes.size() * replicates;
    }

    /**
     * Whether a loss is recorded.
     *
     * @param loss one of {@link #KNOWN_LOSSES}
     * @return whether the scenario records it
     */
    public boolean records(String loss) {
        return losses.contains(loss);
    }

    @Override
    public String toString() {
        return "Scenario[" + name + ", fingerprint " + fingerprint + ", " + studies.size() + " studies x "
                + sizes.size() + " sizes x " + replicates + " replicates]";
    }

    /**
     * One study: a truth and the model fitted to its data.
     *
     * @param name series name, unique in the scenario
     * @param truth the data-generating model and G*
     * @param fitted the fitted model (same parameterization as the truth)
     * @param atoms number L of fitted atoms (at least L*)
     */
    public record Study(String name, TruthModel truth, TruthModel fitted, int atoms) {
        /** {@return whether the fit is over-specified (L > L*)} */
        public boolean overSpecified() {
            return atoms > truth.trueAtoms();
        }
    }

    /**
     * Initialization.
     *
     * @param strategy {@code near-truth} or {@code random}
     * @param scale near-truth perturbation scale at n = 1
     * @param decay near-truth perturbation decay exponent in n
     * @param restarts number of starts, the best objective kept
     */
    public record Init(String strategy, double scale, double decay, int restarts) {
        /** Default near-truth perturbation scale. */
        public static final double DEFAULT_SCALE = 0.5;
        /** Default near-truth perturbation decay exponent. */
        public static final double DEFAULT_DECAY = 0.1;

        /**
         * Validates: a known strategy, finite non-negative scale and decay, at least one start.
         *
         * @param strategy {@code near-truth} or {@code random}
         * @param scale near-truth perturbation scale at n = 1, at least 0
         * @param decay near-truth perturbation decay exponent in n, at least 0
         * @param restarts number of starts, at least 1
         */
        public Init {
            checkStrategy("init.strategy", strategy);
            nonNegative("init.scale", scale);
            nonNegative("init.decay", decay);
            positive("init.restarts", restarts);
        }

        /**
         * A strategy with the default scale, decay and starts.
         *
         * @param strategy {@code near-truth} or {@code random}
         * @return the initialization
         */
        public static Init of(String strategy) {
            checkStrategy("init", strategy);
            return new Init(strategy, DEFAULT_SCALE, DEFAULT_DECAY, defaultRestarts(strategy));
        }

        /**
         * The default number of starts: 5 random starts, one near-truth start.
         *
         * @param strategy the strategy
         * @return the default number of starts
         */
        public static int defaultRestarts(String strategy) {
            return RandomInitializer.NAME.equals(strategy) ? 5 : 1;
        }

        private static void checkStrategy(String field, String s) {
            if (!INIT_STRATEGIES.contains(s)) {
                throw new IllegalArgumentException(field + ": unknown initialization '" + s + "' (known: "
                        + String.join(", ", INIT_STRATEGIES) + ")");
            }
        }
    }

    /**
     * A figure drawn from the results.
     *
     * @param name file base name, unique among all figures
     * @param title chart title
     * @param losses the summary columns plotted (e.g. {@code d1}, or {@code single} and
     *     {@code multi_weighted}); one series per study and loss
     */
    public record Figure(String name, String title, List<String> losses) {
    }

    /**
     * Builds a validated {@link Scenario}, in the shape of Hipparchus' {@code LeastSquaresBuilder}.
     * Each setter checks its value at once and {@link #build()} checks what depends on several
     * settings; both throw {@link IllegalArgumentException} with a message {@code "field: reason"}
     * naming the field as a scenario file spells it ({@code eval_size}, {@code studies[1].L},
     * {@code solver.max_iterations}) and the offending value. A null where a value is required
     * (sizes, estimator, sampler, init, solver settings, losses and their elements, figure losses)
     * is a {@link NullPointerException} whose message names the field the same way; a null study
     * truth or name is an {@link IllegalArgumentException} as in a file. Setters return this
     * builder; a setting given twice keeps the last value. Not thread-safe.
     */
    public static final class Builder {
        private Path source;
        private String name;
        private String description = "";
        private Long seed;
        private final List<StudySpec> studies = new ArrayList<>();
        private Integer defaultAtoms;
        private List<Integer> sizes;
        private Integer replicates;
        private String estimator = LeastSquaresEstimator.NAME;
        private final Map<String, Double> solver = new LinkedHashMap<>();
        private Init init = Init.of(NearTruthInitializer.NAME);
        private String sampler = "regression";
        private int evalSize = MIN_EVAL_SIZE;
        private double r = 2;
        private List<String> losses = KNOWN_LOSSES;
        private List<Integer> quickSizes;
        private Integer quickReplicates;
        private final List<Figure> figures = new ArrayList<>();
        private Boolean storeEstimates;
        private String baseline;
        private double d1Threshold = Summary.Options.DEFAULT_D1_THRESHOLD;
        private double margin = Verdict.DEFAULT_MARGIN;
        private Path planFile;
        private String planSha256;
        /** The settings as stated, for the fingerprint. */
        private final Map<String, Object> stated = new LinkedHashMap<>();

        private record StudySpec(String name, TruthModel truth, TruthModel fitted, Integer atoms) {
        }

        private Builder() {
        }

        /**
         * The file the scenario was read from (metadata for reports; not a setting). Without a
         * {@link #name}, its base name names the scenario.
         *
         * @param file the file, or null
         * @return this builder
         */
        public Builder source(Path file) {
            this.source = file;
            return this;
        }

        /**
         * The short name; it names the results folder (required unless a {@link #source} names it).
         *
         * @param name letters, digits, '.', '_' and '-'
         * @return this builder
         */
        public Builder name(String name) {
            checkName(name);
            this.name = name;
            stated.put("name", name);
            return this;
        }

        /**
         * Free text describing the study (not fingerprinted).
         *
         * @param description the text
         * @return this builder
         */
        public Builder description(String description) {
            this.description = description == null ? "" : description;
            return this;
        }

        /**
         * The master seed (required).
         *
         * @param seed any value
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            stated.put("seed", seed);
            return this;
        }

        /**
         * Adds a study fitting its own truth with the default number of atoms ({@link #atoms}); its
         * name is the truth's.
         *
         * @param truth the data-generating model and G*
         * @return this builder
         */
        public Builder study(TruthModel truth) {
            return addStudy(null, truth, null, null);
        }

        /**
         * Adds a study fitting its own truth with L atoms.
         *
         * @param name series name (letters, digits, space, '.', '_', '+', '-'), or null for the truth's name
         * @param truth the data-generating model and G*
         * @param atoms number L of fitted atoms, at least L*
         * @return this builder
         */
        public Builder study(String name, TruthModel truth, int atoms) {
            return addStudy(name, truth, null, atoms);
        }

        /**
         * Adds a study fitting another model (same parameterization and atom dimension) to the
         * truth's data.
         *
         * @param name series name, or null for the truth's name
         * @param truth the data-generating model and G*
         * @param fitted the fitted model, or null for the truth's
         * @param atoms number L of fitted atoms, at least L*, or null for the default ({@link #atoms})
         * @return this builder
         */
        public Builder study(String name, TruthModel truth, TruthModel fitted, Integer atoms) {
            return addStudy(name, truth, fitted, atoms);
        }

        private Builder addStudy(String name, TruthModel truth, TruthModel fitted, Integer atoms) {
            String field = "studies[" + studies.size() + "]";
            if (truth == null) {
                throw new IllegalArgumentException(field + ".truth: missing");
            }
            if (atoms != null) {
                positive(field + ".L", atoms);
            }
            studies.add(new StudySpec(name, truth, fitted, atoms));
            return this;
        }

        /**
         * The number L of fitted atoms of studies added without one (the file's top-level {@code L}).
         *
         * @param atoms at least 1
         * @return this builder
         */
        public Builder atoms(int atoms) {
            positive("L", atoms);
            this.defaultAtoms = atoms;
            stated.put("L", atoms);
            return this;
        }

        /**
         * The sample sizes (required).
         *
         * @param sizes positive, strictly increasing
         * @return this builder
         */
        public Builder sizes(int... sizes) {
            this.sizes = checkSizes("sizes", Arrays.stream(Objects.requireNonNull(sizes, "sizes")).boxed().toList());
            return this;
        }

        /**
         * The sample sizes (required).
         *
         * @param sizes positive, strictly increasing; not modified
         * @return this builder
         */
        public Builder sizes(List<Integer> sizes) {
            this.sizes = checkSizes("sizes", Objects.requireNonNull(sizes, "sizes"));
            return this;
        }

        /**
         * Log-spaced sample sizes: {@code count} sizes from {@code from} to {@code to}, rounded.
         *
         * @param from smallest size, at least 1
         * @param to largest size, at least {@code from}
         * @param count number of sizes, at least 2 (1 only when from = to)
         * @return this builder
         */
        public Builder logSizes(long from, long to, long count) {
            this.sizes = checkSizes("sizes", logGrid("sizes", from, to, count));
            return this;
        }

        /**
         * Replicates per (study, n) (required).
         *
         * @param replicates at least 1
         * @return this builder
         */
        public Builder replicates(int replicates) {
            positive("replicates", replicates);
            this.replicates = replicates;
            return this;
        }

        /**
         * The estimator, by name (default least-squares).
         *
         * @param estimator one of {@link Estimators#names()}
         * @return this builder
         */
        public Builder estimator(String estimator) {
            Objects.requireNonNull(estimator, "estimator");
            if (!Estimators.names().contains(estimator)) {
                throw new IllegalArgumentException("estimator: unknown estimator '" + estimator + "' (known: "
                        + String.join(", ", Estimators.names()) + ")");
            }
            this.estimator = estimator;
            stated.put("estimator", estimator);
            return this;
        }

        /**
         * One setting of the estimator (see {@link Estimators}); the others keep their defaults.
         * Checked against the estimator in {@link #build()}.
         *
         * @param setting e.g. {@code max_iterations}
         * @param value a finite number
         * @return this builder
         */
        public Builder solver(String setting, double value) {
            Objects.requireNonNull(setting, "solver: setting name");
            finite("solver." + setting, value);
            solver.put(setting, value);
            return this;
        }

        /**
         * Several settings of the estimator, as by {@link #solver(String, double)}.
         *
         * @param settings setting names and values; not modified
         * @return this builder
         */
        public Builder solver(Map<String, Double> settings) {
            Objects.requireNonNull(settings, "solver");
            settings.forEach((k, v) -> solver(k, Objects.requireNonNull(v, "solver." + k)));
            return this;
        }

        /**
         * The initialization strategy with its default scale, decay and starts (default near-truth).
         *
         * @param strategy {@code near-truth} or {@code random}
         * @return this builder
         */
        public Builder init(String strategy) {
            this.init = Init.of(Objects.requireNonNull(strategy, "init"));
            stated.put("init", strategy);
            return this;
        }

        /**
         * The initialization with all its settings.
         *
         * @param init the initialization (validated when built)
         * @return this builder
         */
        public Builder init(Init init) {
            this.init = Objects.requireNonNull(init, "init");
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("strategy", init.strategy());
            m.put("scale", number(init.scale()));
            m.put("decay", number(init.decay()));
            m.put("restarts", init.restarts());
            stated.put("init", m);
            return this;
        }

        /**
         * The data-generating sampler, by name (default {@code regression}).
         *
         * @param sampler one of {@link Samplers#names()}
         * @return this builder
         */
        public Builder sampler(String sampler) {
            Objects.requireNonNull(sampler, "sampler");
            if (!Samplers.names().contains(sampler)) {
                throw new IllegalArgumentException("sampler: unknown sampler '" + sampler + "' (known: "
                        + String.join(", ", Samplers.names()) + ")");
            }
            this.sampler = sampler;
            stated.put("sampler", sampler);
            return this;
        }

        /**
         * Number of fresh inputs of the regression error (default and minimum 10000, docs/theory.md §4).
         *
         * @param evalSize at least 10000
         * @return this builder
         */
        public Builder evalSize(int evalSize) {
            positive("eval_size", evalSize);
            if (evalSize < MIN_EVAL_SIZE) {
                throw new IllegalArgumentException("eval_size: the regression error needs at least " + MIN_EVAL_SIZE
                        + " fresh inputs (docs/theory.md §4), got " + evalSize);
            }
            this.evalSize = evalSize;
            stated.put("eval_size", evalSize);
            return this;
        }

        /**
         * The exponent r of D_{2,r} (default 2).
         *
         * @param r positive and finite
         * @return this builder
         */
        public Builder r(double r) {
            finite("r", r);
            if (!(r > 0)) {
                throw new IllegalArgumentException("r: must be positive, got " + r);
            }
            this.r = r;
            stated.put("r", number(r));
            return this;
        }

        /**
         * The losses recorded (default all of {@link #KNOWN_LOSSES}).
         *
         * @param losses names from {@link #KNOWN_LOSSES}
         * @return this builder
         */
        public Builder losses(String... losses) {
            return losses(Arrays.asList(Objects.requireNonNull(losses, "losses")));
        }

        /**
         * The losses recorded (default all of {@link #KNOWN_LOSSES}).
         *
         * @param losses names from {@link #KNOWN_LOSSES}; not modified
         * @return this builder
         */
        public Builder losses(List<String> losses) {
            Objects.requireNonNull(losses, "losses");
            if (losses.isEmpty()) {
                throw new IllegalArgumentException("losses: expected at least one loss (known: "
                        + String.join(", ", KNOWN_LOSSES) + "); leave the field out to record all");
            }
            for (int i = 0; i < losses.size(); i++) {
                if (!KNOWN_LOSSES.contains(Objects.requireNonNull(losses.get(i), "losses[" + i + "]"))) {
                    throw new IllegalArgumentException("losses[" + i + "]: unknown loss '" + losses.get(i)
                            + "' (known: " + String.join(", ", KNOWN_LOSSES) + ")");
                }
            }
            this.losses = List.copyOf(losses);
            stated.put("losses", this.losses);
            return this;
        }

        /**
         * Whether each row stores the fitted atoms and biases (column {@code estimate}, see
         * {@link ResultRow#estimate()}), so that other losses can be computed later without
         * refitting. By default a study's rows store them when L · dim θ is at most
         * {@link #STORED_ESTIMATE_LIMIT}.
         *
         * @param store true to store them for every study, false for none
         * @return this builder
         */
        public Builder storeEstimates(boolean store) {
            this.storeEstimates = store;
            stated.put("store_estimates", store);
            return this;
        }

        /**
         * The reduced grid of {@code --quick} runs (default: the full grid).
         *
         * @param sizes positive, strictly increasing
         * @return this builder
         */
        public Builder quickSizes(int... sizes) {
            this.quickSizes = checkSizes("quick.sizes", Arrays.stream(Objects.requireNonNull(sizes, "quick.sizes"))
                    .boxed().toList());
            return this;
        }

        /**
         * The reduced grid of {@code --quick} runs (default: the full grid).
         *
         * @param sizes positive, strictly increasing; not modified
         * @return this builder
         */
        public Builder quickSizes(List<Integer> sizes) {
            this.quickSizes = checkSizes("quick.sizes", Objects.requireNonNull(sizes, "quick.sizes"));
            return this;
        }

        /**
         * A log-spaced reduced grid of {@code --quick} runs, as {@link #logSizes}.
         *
         * @param from smallest size
         * @param to largest size
         * @param count number of sizes
         * @return this builder
         */
        public Builder quickLogSizes(long from, long to, long count) {
            this.quickSizes = checkSizes("quick.sizes", logGrid("quick.sizes", from, to, count));
            return this;
        }

        /**
         * Replicates of {@code --quick} runs (default: the smaller of 5 and the replicates).
         *
         * @param replicates at least 1
         * @return this builder
         */
        public Builder quickReplicates(int replicates) {
            positive("quick.replicates", replicates);
            this.quickReplicates = replicates;
            return this;
        }

        /**
         * Adds a figure drawn by {@code figures}.
         *
         * @param name file base name (letters, digits, '.', '_', '-')
         * @param title chart title, or null for the name
         * @param losses summary columns plotted, from {@link Summary#METRICS}; not modified
         * @return this builder
         */
        public Builder figure(String name, String title, List<String> losses) {
            String field = "figures[" + figures.size() + "]";
            if (name == null || !name.matches("[A-Za-z0-9_-][A-Za-z0-9._-]*")) {
                throw new IllegalArgumentException(field + ".name: use letters, digits, '.', '_' and '-' only (not"
                        + " first '.'), got '" + name + "'");
            }
            if (figures.stream().anyMatch(f -> f.name().equals(name))) {
                throw new IllegalArgumentException(field + ".name: '" + name + "' is used by another figure; figures"
                        + " write NAME.png and NAME.svg, so names must differ");
            }
            Objects.requireNonNull(losses, field + ".losses");
            for (int k = 0; k < losses.size(); k++) {
                if (!Summary.METRICS.contains(Objects.requireNonNull(losses.get(k), field + ".losses[" + k + "]"))) {
                    throw new IllegalArgumentException(field + ".losses[" + k + "]: unknown loss '" + losses.get(k)
                            + "' (known: " + String.join(", ", Summary.METRICS) + ")");
                }
            }
            figures.add(new Figure(name, title == null ? name : title, List.copyOf(losses)));
            return this;
        }

        /**
         * The baseline study of the summary's ratios of mean losses (default: the first study).
         * Changes no task's row, so it is not in the fingerprint.
         *
         * @param study a study's name (checked by {@link #build()})
         * @return this builder
         */
        public Builder baseline(String study) {
            this.baseline = study;
            return this;
        }

        /**
         * The {@code D_1} threshold of the summary's outcome fractions (default
         * {@value Summary.Options#DEFAULT_D1_THRESHOLD}). Changes no task's row, so it is not in the
         * fingerprint.
         *
         * @param threshold finite and {@code >= 0}
         * @return this builder
         */
        public Builder d1Threshold(double threshold) {
            if (!(threshold >= 0) || !Double.isFinite(threshold)) {
                throw new IllegalArgumentException("d1_threshold: must be finite and >= 0, got " + threshold);
            }
            this.d1Threshold = threshold;
            return this;
        }

        /**
         * The equivalence margin of the verdicts (default {@value Verdict#DEFAULT_MARGIN}). Changes
         * no task's row, so it is not in the fingerprint.
         *
         * @param value positive and finite
         * @return this builder
         */
        public Builder margin(double value) {
            if (!(value > 0) || !Double.isFinite(value)) {
                throw new IllegalArgumentException("analysis.margin: must be positive and finite, got " + value);
            }
            this.margin = value;
            return this;
        }

        /**
         * A pre-registered analysis plan: the file and its SHA-256, checked against each other. The
         * hash enters the fingerprint (every row carries it), so rows run under another plan, or
         * under none, are never mixed with these.
         *
         * @param file the plan file (its bytes are hashed)
         * @param sha256 the hash the scenario states (hex, 64 digits)
         * @return this builder
         * @throws IllegalArgumentException if the file cannot be read or its hash differs
         */
        public Builder plan(Path file, String sha256) {
            String actual = sha256Of(file);
            if (sha256 == null || !actual.equalsIgnoreCase(sha256.strip())) {
                throw new IllegalArgumentException("analysis.plan_sha256: the plan " + file + " has SHA-256 "
                        + actual + ", the scenario states " + (sha256 == null ? "none" : sha256)
                        + " (a plan may not change after its hash was recorded; write a new plan instead)");
            }
            this.planFile = file;
            this.planSha256 = actual;
            stated.put("plan", actual);
            return this;
        }

        /**
         * Checks what depends on several settings and builds the scenario.
         *
         * @return the scenario, with its fingerprint
         * @throws IllegalArgumentException naming the field: a required setting missing, a solver
         *     setting the estimator does not have, a study with L below L*, a fitted model of
         *     another parameterization, a repeated study name
         */
        public Scenario build() {
            if (seed == null) {
                throw new IllegalArgumentException("seed: missing");
            }
            if (replicates == null) {
                throw new IllegalArgumentException("replicates: missing");
            }
            if (sizes == null) {
                throw new IllegalArgumentException("sizes: missing");
            }
            if (name == null && source != null) {
                String file = source.getFileName().toString();
                int dot = file.lastIndexOf('.');
                String base = dot > 0 ? file.substring(0, dot) : file;
                checkName(base);
                name = base; // a default, not stated: it stays out of the fingerprint, as it always has
            }
            if (name == null) {
                throw new IllegalArgumentException("name: missing");
            }
            Map<String, Double> settings = Estimators.settings(estimator, solver);
            Estimators.create(estimator, settings);
            if (studies.isEmpty()) {
                throw new IllegalArgumentException("studies: expected at least one study");
            }
            long tasks = (long) studies.size() * sizes.size() * replicates;
            if (tasks > MAX_TASKS) { // refused up front: the task list and results file could not fit
                throw new IllegalArgumentException("replicates: " + studies.size() + " studies x " + sizes.size()
                        + " sizes x " + replicates + " replicates = " + tasks + " tasks, more than the " + MAX_TASKS
                        + " a scenario may have (split it into several scenarios)");
            }
            List<Study> out = new ArrayList<>();
            List<Object> studyPrints = new ArrayList<>();
            Set<String> names = new HashSet<>();
            for (int i = 0; i < studies.size(); i++) {
                String field = "studies[" + i + "]";
                StudySpec sp = studies.get(i);
                TruthModel truth = sp.truth();
                TruthModel fitted = sp.fitted() == null ? truth : sp.fitted();
                if (!fitted.model().parameterization().name().equals(truth.model().parameterization().name())
                        || fitted.model().atomDimension() != truth.model().atomDimension()) {
                    throw new IllegalArgumentException(field + ".fitted: fits "
                            + fitted.model().parameterization().name() + " atoms of dimension "
                            + fitted.model().atomDimension() + " but the truth is "
                            + truth.model().parameterization().name() + " of dimension "
                            + truth.model().atomDimension()
                            + "; the Voronoi losses need the fitted parameterization to be the truth's");
                }
                Integer l = sp.atoms() != null ? sp.atoms() : defaultAtoms;
                if (l == null) {
                    throw new IllegalArgumentException(field + ".L: missing (give L per study or once at the top"
                            + " level)");
                }
                if (l < truth.trueAtoms()) {
                    throw new IllegalArgumentException(field + ".L: L = " + l + " is fewer than the truth's L* = "
                            + truth.trueAtoms() + "; under-specified fits are not supported (use L >= L*)");
                }
                if (l > FitProblem.MAX_ATOMS) {
                    throw new IllegalArgumentException(field + ".L: L = " + l + " is above the limit of "
                            + FitProblem.MAX_ATOMS + " fitted atoms");
                }
                int largest = Math.max(sizes.get(sizes.size() - 1),
                        quickSizes == null ? 0 : quickSizes.get(quickSizes.size() - 1));
                Samplers.checkArrays("sizes", largest, truth.model());
                Samplers.checkArrays("eval_size", evalSize, truth.model());
                String sname = sp.name() == null ? truth.name() : sp.name();
                if (sname == null || !sname.matches("[A-Za-z0-9._ +-]+") || !names.add(sname)) {
                    throw new IllegalArgumentException(field + ".name: '" + sname + "' is "
                            + (names.contains(sname) ? "used by another study"
                            : "not a valid name (letters, digits, space, '.', '_', '+', '-')"));
                }
                out.add(new Study(sname, truth, fitted, l));
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("name", sname);
                p.put("L", l);
                p.put("truth", ModelFiles.toMap(truth));
                p.put("fitted", ModelFiles.toMap(fitted));
                studyPrints.add(p);
            }
            if (baseline != null && !names.contains(baseline)) {
                throw new IllegalArgumentException("baseline: no study named '" + baseline + "' (studies: "
                        + String.join(", ", out.stream().map(Study::name).toList()) + ")");
            }
            Map<String, Object> print = new LinkedHashMap<>();
            print.put("settings", statedSettings(settings));
            print.put("solver", settings.toString());
            print.put("init", init.toString());
            print.put("studies", studyPrints);
            return new Scenario(this, List.copyOf(out), settings, init, sizes, replicates, fingerprint(print));
        }

        /** The stated settings in the fingerprint's order, the solver's in the estimator's order. */
        private Map<String, Object> statedSettings(Map<String, Double> settings) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (String key : STATED_ORDER) {
                if (key.equals("solver")) {
                    if (!solver.isEmpty()) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        for (String k : settings.keySet()) {
                            if (solver.containsKey(k)) {
                                m.put(k, number(solver.get(k)));
                            }
                        }
                        out.put("solver", m);
                    }
                } else if (stated.containsKey(key)) {
                    out.put(key, stated.get(key));
                }
            }
            return out;
        }
    }

    /** A whole number as an integer, as a file would write it; other numbers as they are. */
    private static Object number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? (Object) (long) v : (Object) v;
    }

    /**
     * The SHA-256 of a file's bytes.
     *
     * @param file the file
     * @return 64 lower-case hex digits
     * @throws IllegalArgumentException if it cannot be read
     */
    public static String sha256Of(Path file) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(java.nio.file.Files.readAllBytes(file));
            StringBuilder sb = new StringBuilder();
            for (byte x : h) {
                sb.append(String.format("%02x", x));
            }
            return sb.toString();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("analysis.plan: cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String fingerprint(Object print) {
        try {
            byte[] json = JSON.writeValueAsString(print).getBytes(StandardCharsets.UTF_8);
            byte[] h = MessageDigest.getInstance("SHA-256").digest(json);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 6; i++) {
                sb.append(String.format("%02x", h[i]));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException | JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void checkName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("name: use letters, digits, '.', '_' and '-' only (it names a folder),"
                    + " got '" + name + "'");
        }
    }

    private static List<Integer> logGrid(String field, long from, long to, long count) {
        if (from < 1) {
            throw new IllegalArgumentException(field + ".from: a sample size must be a positive whole number, got "
                    + from);
        }
        if (to < from || to > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(field + ".to: must be at least from = " + from + ", got " + to);
        }
        if (count < 1 || (count == 1 && to != from) || count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(field + ".count: must be >= 2 for a grid (1 only when from = to), got "
                    + count);
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            double e = count == 1 ? 0 : (double) i / (count - 1);
            out.add((int) Math.round(Math.exp(Math.log(from) + e * (Math.log(to) - Math.log(from)))));
        }
        return out;
    }

    private static List<Integer> checkSizes(String field, List<Integer> sizes) {
        if (sizes.isEmpty()) {
            throw new IllegalArgumentException(field + ": expected at least one sample size");
        }
        for (int i = 0; i < sizes.size(); i++) {
            Integer n = sizes.get(i);
            if (n == null || n < 1) {
                throw new IllegalArgumentException(field + "[" + i + "]: a sample size must be a positive whole"
                        + " number, got " + n);
            }
        }
        for (int i = 1; i < sizes.size(); i++) {
            if (sizes.get(i) <= sizes.get(i - 1)) {
                throw new IllegalArgumentException(field + ": sample sizes must be strictly increasing ("
                        + sizes.get(i - 1) + " then " + sizes.get(i) + ")");
            }
        }
        return List.copyOf(sizes);
    }

    private static void positive(String field, long v) {
        if (v < 1) {
            throw new IllegalArgumentException(field + ": must be a positive whole number, got " + v);
        }
    }

    private static void finite(String field, double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(field + ": not a finite number (" + v + ")");
        }
    }

    private static void nonNegative(String field, double v) {
        finite(field, v);
        if (v < 0) {
            throw new IllegalArgumentException(field + ": must be >= 0, got " + v);
        }
    }
}
