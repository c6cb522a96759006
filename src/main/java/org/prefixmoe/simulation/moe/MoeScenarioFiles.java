package org.prefixmoe.simulation.moe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.prefixmoe.estimation.moe.NearTruthStart;
import org.prefixmoe.io.InputFileException;
import org.prefixmoe.io.Tree;
import org.prefixmoe.loss.BlockVoronoiLoss;
import org.prefixmoe.loss.ExponentRule;
import org.prefixmoe.model.InputDistribution;
import org.prefixmoe.model.moe.Activation;
import org.prefixmoe.model.moe.Block;
import org.prefixmoe.model.moe.Components;
import org.prefixmoe.model.moe.ConstantExpert;
import org.prefixmoe.model.moe.ConstantGate;
import org.prefixmoe.model.moe.Expert;
import org.prefixmoe.model.moe.FfnExpert;
import org.prefixmoe.model.moe.FrozenExpert;
import org.prefixmoe.model.moe.IndexExpert;
import org.prefixmoe.model.moe.Gate;
import org.prefixmoe.model.moe.GaussianGate;
import org.prefixmoe.model.moe.LinearExpert;
import org.prefixmoe.model.moe.LinearScoreGate;
import org.prefixmoe.model.moe.MixtureOfExperts;
import org.prefixmoe.model.moe.NormalizedSigmoidGate;
import org.prefixmoe.model.moe.Observation;
import org.prefixmoe.model.moe.PolynomialExpert;
import org.prefixmoe.model.moe.SigmoidGate;
import org.prefixmoe.model.moe.SoftmaxGate;
import org.prefixmoe.model.moe.TopKSoftmaxGate;
import org.prefixmoe.sampling.MixtureSampler;

/**
 * Reads scenario files of the mixture-of-experts family (YAML or JSON; the README's section "Other
 * mixtures of experts" documents every field). A file is recognised by its {@code model.gate}
 * field. Every error names the file, the field and the reason; a new member needs no Java.
 */
public final class MoeScenarioFiles {
    private static final Set<String> FIELDS = Set.of("name", "description", "seed", "model", "truth", "design",
            "studies", "sizes", "replicates", "estimator", "init", "loss", "theory");
    /** Files larger than this are refused before they are parsed. */
    static final long MAX_BYTES = 1 << 20;

    private MoeScenarioFiles() {
    }

    /**
     * Whether a parsed scenario file describes a member of the family (it has {@code model.gate}).
     *
     * @param file the file
     * @return true for a family scenario
     */
    public static boolean isFamilyScenario(Path file) {
        try {
            if (Files.size(file) > MAX_BYTES) {
                return false;
            }
            Tree t = Tree.read(file);
            return t.has("model") && t.isMapping("model") && t.object("model").has("gate");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Reads and validates a family scenario file.
     *
     * @param file the file
     * @return the scenario
     * @throws InputFileException naming the file, the field and the reason
     */
    public static MoeScenario read(Path file) {
        return parse(readText(file), file);
    }

    /** The text of a scenario file, refused by size before it is read (a hostile file cannot exhaust memory). */
    static String readText(Path file) {
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new InputFileException(file, "", "larger than " + MAX_BYTES + " bytes: not a scenario file");
            }
            return Files.readString(file);
        } catch (IOException e) {
            throw new InputFileException(file, "", "cannot read: " + e.getMessage());
        }
    }

    /**
     * Parses and validates the text of a family scenario file.
     *
     * @param text the text (YAML, or JSON for a {@code .json} path)
     * @param file the path errors name, and whose base name names a scenario without {@code name}
     * @return the scenario
     */
    public static MoeScenario parse(String text, Path file) {
        Tree t = Tree.parse(text, file);
        t.allowOnly(FIELDS);
        String name = t.string("name", file.getFileName().toString().replaceFirst("\\.(ya?ml|json)$", ""));
        long seed = t.integer("seed");
        MixtureOfExperts model = model(t.object("model"), t);
        List<MoeScenario.ScaledCoordinate> scaling = new ArrayList<>();
        Components truth = truth(t, model, scaling);
        MixtureSampler.Design design = null;
        if (!model.gate().modelsInput()) {
            String d = t.string("design");
            design = t.check(() -> design(d, model.inputDimension()));
        } else if (t.has("design")) {
            throw t.error("design", "the " + model.gate().name() + " gate draws the inputs itself; leave design out");
        }
        List<MoeScenario.Study> studies = new ArrayList<>();
        for (Tree s : t.mappings("studies", true, "studies", "name and K")) {
            s.allowOnly(Set.of("name", "K", "max-iterations", "start-noise"));
            String sn = s.string("name");
            int k = (int) s.integer("K");
            long cap = s.integer("max-iterations", 0);
            if (s.has("max-iterations") && (cap < 1 || cap > 1_000_000)) {
                throw s.error("max-iterations", "must be in 1..10^6, got " + cap);
            }
            String noise = s.string("start-noise", "scenario");
            if (!noise.equals("scenario") && !noise.equals("fixed")) {
                throw s.error("start-noise", "expected scenario (the init's n-exponents) or fixed (exponents 0), got '"
                        + noise + "'");
            }
            studies.add(s.check(() -> new MoeScenario.Study(sn, k, (int) cap, noise.equals("fixed"))));
        }
        List<Integer> sizes = sizes(t);
        long replicates = t.integer("replicates");
        if (replicates < 1 || replicates > 1_000_000) {
            throw t.error("replicates", "must be in 1..1000000, got " + replicates);
        }
        MoeScenario.Fitting fitting = fitting(t);
        NearTruthStart init = init(t.object("init"), model);
        BlockVoronoiLoss loss = loss(t.object("loss"), model, truth);
        double slope = Double.NaN;
        String theoryText = "none";
        if (t.has("theory")) {
            Tree th = t.object("theory");
            th.allowOnly(Set.of("slope", "text"));
            slope = th.number("slope");
            theoryText = th.string("text", String.format(java.util.Locale.ROOT, "%g", slope));
        }
        MixtureSampler.Design fd = design;
        double fs = slope;
        String ft = theoryText;
        return t.check(() -> new MoeScenario(name, t.string("description", ""), seed, model, truth, fd, studies, sizes,
                (int) replicates, fitting, init, loss, fs, ft, text, scaling));
    }

    static MixtureOfExperts model(Tree m, Tree root) {
        m.allowOnly(Set.of("gate", "reference", "expert", "observation", "d", "q", "K", "frozen"));
        int d = (int) m.integer("d");
        int q = (int) m.integer("q", 1);
        if (d < 1 || d > 1000) {
            throw m.error("d", "must be in 1..1000, got " + d);
        }
        if (q < 1 || q > 1000) {
            throw m.error("q", "must be in 1..1000, got " + q);
        }
        int k = root.mappings("truth", true, "true components", "the named blocks").size();
        if (m.has("K") && m.integer("K") != k) {
            throw m.error("K", "says " + m.integer("K") + " but truth lists " + k + " components");
        }
        Gate gate = gate(m, d, k);
        Expert expert = expert(m, d, q);
        String obs = m.string("observation", "gaussian-mixture");
        Observation observation = m.check(() -> Observation.of(obs));
        if (observation != Observation.GAUSSIAN_MIXTURE) {
            throw m.error("observation", "family studies fit the gaussian-mixture observation by EM (regression"
                    + " members are fitted by least squares through the prefix scenarios)");
        }
        FrozenExpert frozen = m.has("frozen") ? frozen(m, d) : null;
        return m.check(() -> MixtureOfExperts.builder().gate(gate).expert(expert).observation(observation).frozen(frozen)
                .build());
    }

    /**
     * {@code frozen: {family: gaussian | laplace, activation: A, weights: [w], bias: c, variance: ν_0}}: the
     * frozen expert {@code f_0} of the contaminated model, of mean {@code A(wᵀx + c)}.
     */
    private static FrozenExpert frozen(Tree m, int d) {
        Tree f = m.object("frozen");
        f.allowOnly(Set.of("family", "activation", "weights", "bias", "variance"));
        String family = f.string("family");
        FrozenExpert.Family fam = m.check(() -> FrozenExpert.Family.of(family));
        String act = f.string("activation", "identity");
        Activation activation = f.check(() -> Activation.of("activation", act));
        double[] w = f.vector("weights");
        if (w.length != d) {
            throw f.error("weights", "has " + w.length + " numbers, the model has d = " + d);
        }
        double bias = f.number("bias", 0);
        double variance = f.number("variance");
        return m.check(() -> new FrozenExpert(fam, w, bias, activation, variance));
    }

    /** The settings a gate name takes in the mapping form {@code gate: {name: ..., ...}}. */
    private static final Map<String, Set<String>> GATE_SETTINGS = Map.of(
            "softmax", Set.of("name", "temperature", "activation"),
            "top-k-softmax", Set.of("name", "top-k"),
            "sigmoid", Set.of("name"),
            "normalized-sigmoid", Set.of("name"),
            "gaussian", Set.of("name"),
            "constant", Set.of("name"));

    /** The settings an expert name takes in the mapping form {@code expert: {name: ..., ...}}. */
    private static final Map<String, Set<String>> EXPERT_SETTINGS = Map.of(
            "linear", Set.of("name"),
            "constant", Set.of("name"),
            "ffn", Set.of("name", "activation"),
            "polynomial", Set.of("name", "degree"),
            "index", Set.of("name", "activation"));

    /**
     * {@code gate: NAME} or {@code gate: {name: NAME, SETTING: VALUE, ...}}: softmax (temperature,
     * activation), top-k-softmax (top-k), sigmoid, normalized-sigmoid, gaussian, constant;
     * {@code model.reference} (last or none) for the softmax gates.
     */
    private static Gate gate(Tree m, int d, int k) {
        Tree g = m.isMapping("gate") ? m.object("gate") : null;
        String name = g != null ? g.string("name") : m.string("gate");
        Set<String> settings = GATE_SETTINGS.get(name);
        if (settings == null) {
            String reason = "unknown '" + name + "' (known: " + String.join(", ", new TreeSet<>(GATE_SETTINGS.keySet()))
                    + ")";
            throw g != null ? g.error("name", reason) : m.error("gate", reason);
        }
        if (g != null) {
            g.allowOnly(settings);
        }
        boolean scores = name.equals("softmax") || name.equals("top-k-softmax");
        if (!scores && m.has("reference")) {
            throw m.error("reference", "only the softmax and top-k-softmax gates have a reference component");
        }
        String ref = m.string("reference", "last");
        if (!ref.equals("last") && !ref.equals("none")) {
            throw m.error("reference", "expected last or none, got '" + ref + "'");
        }
        int reference = ref.equals("last") ? k - 1 : -1;
        return switch (name) {
            case "softmax" -> {
                double tau = g == null ? 1 : g.number("temperature", 1);
                String act = g == null ? "identity" : g.string("activation", "identity");
                yield g == null ? new SoftmaxGate(d, k, reference)
                        : g.check(() -> new SoftmaxGate(d, k, reference, tau, Activation.of("activation", act)));
            }
            case "top-k-softmax" -> {
                if (g == null) {
                    throw m.error("gate", "top-k-softmax needs its top-k: write gate: {name: top-k-softmax, top-k: K}");
                }
                long top = g.integer("top-k");
                if (top < 1 || top > k) {
                    throw g.error("top-k", "must be in 1..K* = " + k + " (the truth's component count), got " + top);
                }
                yield new TopKSoftmaxGate(d, k, (int) top, reference);
            }
            case "sigmoid" -> new SigmoidGate(d, k);
            case "normalized-sigmoid" -> new NormalizedSigmoidGate(d, k);
            case "gaussian" -> new GaussianGate(d, k);
            case "constant" -> new ConstantGate(d, k);
            default -> throw new IllegalStateException(name);
        };
    }

    /**
     * {@code expert: NAME} or {@code expert: {name: NAME, ...}}: linear, constant, ffn (activation),
     * polynomial (degree), index (activation: {@code act(ηᵀx)}).
     */
    private static Expert expert(Tree m, int d, int q) {
        Tree e = m.isMapping("expert") ? m.object("expert") : null;
        String name = e != null ? e.string("name") : m.string("expert");
        Set<String> settings = EXPERT_SETTINGS.get(name);
        if (settings == null) {
            String reason = "unknown '" + name + "' (known: " + String.join(", ", new TreeSet<>(EXPERT_SETTINGS.keySet()))
                    + ")";
            throw e != null ? e.error("name", reason) : m.error("expert", reason);
        }
        if (e != null) {
            e.allowOnly(settings);
        }
        return switch (name) {
            case "linear" -> new LinearExpert(d, q);
            case "constant" -> new ConstantExpert(d, q);
            case "ffn" -> {
                if (e == null || !e.has("activation")) {
                    throw (e == null ? m : e).error(e == null ? "expert" : "activation",
                            "the ffn expert needs its activation: write expert: {name: ffn, activation: relu | gelu |"
                            + " sigmoid | tanh}");
                }
                String act = e.string("activation");
                yield e.check(() -> new FfnExpert(d, q, Activation.of("activation", act)));
            }
            case "index" -> {
                if (e == null || !e.has("activation")) {
                    throw (e == null ? m : e).error(e == null ? "expert" : "activation",
                            "the index expert needs its activation: write expert: {name: index, activation: tanh}");
                }
                String act = e.string("activation");
                yield e.check(() -> new IndexExpert(d, Activation.of("activation", act)));
            }
            case "polynomial" -> {
                if (e == null || !e.has("degree")) {
                    throw (e == null ? m : e).error(e == null ? "expert" : "degree",
                            "the polynomial expert needs its degree: write expert: {name: polynomial, degree: P}");
                }
                long degree = e.integer("degree");
                if (degree < 1 || degree > 20) {
                    throw e.error("degree", "must be in 1..20, got " + degree);
                }
                yield new PolynomialExpert(d, q, (int) degree);
            }
            default -> throw new IllegalStateException(name);
        };
    }

    static Components truth(Tree t, MixtureOfExperts model, List<MoeScenario.ScaledCoordinate> scaling) {
        List<Tree> comps = t.mappings("truth", true, "true components", "the named blocks");
        List<Block> blocks = model.blocks();
        Set<String> names = new java.util.LinkedHashSet<>();
        blocks.forEach(b -> names.add(b.name()));
        int gateSize = model.gate().parameterCount();
        int expertSize = model.expert().parameterCount();
        double[][] gate = new double[comps.size()][];
        double[][] expert = new double[comps.size()][];
        double[] nu = new double[comps.size()];
        int reference = model.gate() instanceof LinearScoreGate s ? s.reference() : -1;
        for (int c = 0; c < comps.size(); c++) {
            Tree ct = comps.get(c);
            ct.allowOnly(names);
            double[] atom = new double[gateSize + expertSize + 1];
            int offset = 0;
            for (Block b : blocks) {
                double[] v;
                if (c == reference && offset < gateSize && !ct.has(b.name())) {
                    v = new double[b.size()];
                } else if (ct.isMapping(b.name())) {
                    // {value: V, times: "1 + n^-1/8"}: the block moves with n
                    Tree bt = ct.object(b.name());
                    bt.allowOnly(Set.of("value", "times"));
                    v = block(bt, new Block("value", b.size()));
                    String times = bt.isText("times") ? bt.string("times") : Double.toString(bt.number("times"));
                    SizeFactor f = bt.check(() -> SizeFactor.parse("times", times));
                    for (int a = 0; a < b.size(); a++) {
                        scaling.add(new MoeScenario.ScaledCoordinate(c, offset + a, b.name(), f));
                    }
                } else {
                    v = block(ct, b);
                }
                if (c == reference && offset < gateSize) {
                    for (double x : v) {
                        if (x != 0) {
                            throw ct.error(b.name(), "the reference component's gate is fixed at 0 (model.reference:"
                                    + " last); give 0 or leave it out");
                        }
                    }
                }
                System.arraycopy(v, 0, atom, offset, b.size());
                offset += b.size();
            }
            gate[c] = java.util.Arrays.copyOfRange(atom, 0, gateSize);
            expert[c] = java.util.Arrays.copyOfRange(atom, gateSize, gateSize + expertSize);
            nu[c] = atom[gateSize + expertSize];
        }
        Components truth = new Components(gate, expert, nu);
        t.check(() -> {
            model.check("truth", truth);
            return null;
        });
        return truth;
    }

    /** A block's values: a number (size 1), a list, or a list of rows (a matrix, row-major). */
    private static double[] block(Tree ct, Block b) {
        if (!ct.has(b.name())) {
            throw ct.error(b.name(), "missing (each true component needs every block: " + b.name() + " of size "
                    + b.size() + ")");
        }
        double[] v;
        if (!ct.isList(b.name())) {
            v = new double[] {ct.number(b.name())};
        } else {
            double[] flat;
            try {
                flat = ct.vector(b.name());
            } catch (InputFileException e) {
                double[][] m = ct.matrix(b.name());
                flat = java.util.Arrays.stream(m).flatMapToDouble(java.util.Arrays::stream).toArray();
            }
            v = flat;
        }
        if (v.length != b.size()) {
            throw ct.error(b.name(), "has " + v.length + " numbers, the block needs " + b.size());
        }
        return v;
    }

    static MixtureSampler.Design design(String text, int d) {
        java.util.regex.Matcher g = java.util.regex.Pattern.compile("grid\\[\\s*([^,\\]]+)\\s*,\\s*([^\\]]+)\\]")
                .matcher(text.trim());
        if (g.matches()) {
            double lo;
            double hi;
            try {
                lo = Double.parseDouble(g.group(1));
                hi = Double.parseDouble(g.group(2));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("design: grid bounds must be numbers, got '" + text + "'");
            }
            return new MixtureSampler.Grid(lo, hi);
        }
        try {
            return new MixtureSampler.Random(InputDistribution.of(text.trim()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("design: cannot read '" + text + "' (expected grid[LO, HI],"
                    + " uniform[LOW,HIGH]^D or gaussian(MEAN,SD)^D)");
        }
    }

    /**
     * Sizes: a list of whole numbers, or {@code {linspace: [[from, to, count], ...]}} segments
     * ({@code numpy.linspace}, each point truncated to a whole number as the published scripts do),
     * or {@code {logspace: [from, to, count]}}; duplicates are dropped, the rest sorted.
     */
    static List<Integer> sizes(Tree t) {
        TreeSet<Integer> out = new TreeSet<>();
        if (t.isList("sizes")) {
            for (long n : t.wholeNumbers("sizes")) {
                if (n < 2 || n > 100_000_000) {
                    throw t.error("sizes", "each size must be in 2..10^8, got " + n);
                }
                out.add((int) n);
            }
            return List.copyOf(out);
        }
        Tree s = t.object("sizes");
        s.allowOnly(Set.of("linspace", "logspace"));
        if (s.has("linspace")) {
            for (double[] seg : s.matrix("linspace")) {
                if (seg.length != 3 || seg[2] < 1 || seg[2] != Math.rint(seg[2]) || seg[0] < 2 || seg[1] < seg[0]
                        || seg[1] > 1e8) {
                    throw s.error("linspace", "each segment is [from, to, count] with 2 <= from <= to <= 10^8, count >= 1");
                }
                int count = (int) seg[2];
                for (int i = 0; i < count; i++) {
                    double v = count == 1 ? seg[0] : seg[0] + (seg[1] - seg[0]) * i / (count - 1);
                    out.add((int) v);
                }
            }
        }
        if (s.has("logspace")) {
            double[] seg = s.vector("logspace");
            if (seg.length != 3 || seg[2] < 2 || seg[0] < 2 || seg[1] <= seg[0] || seg[1] > 1e8) {
                throw s.error("logspace", "expected [from, to, count] with 2 <= from < to <= 10^8, count >= 2");
            }
            int count = (int) seg[2];
            for (int i = 0; i < count; i++) {
                out.add((int) Math.round(Math.exp(Math.log(seg[0]) + (Math.log(seg[1]) - Math.log(seg[0])) * i
                        / (count - 1))));
            }
        }
        if (out.isEmpty()) {
            throw t.error("sizes", "expected a list of sizes, {linspace: [[from, to, count], ...]} or {logspace: [from, to,"
                    + " count]}");
        }
        return List.copyOf(out);
    }

    static MoeScenario.Fitting fitting(Tree t) {
        if (!t.has("estimator")) {
            return new MoeScenario.Fitting(1e-6, 2000, 1);
        }
        Tree e = t.object("estimator");
        e.allowOnly(Set.of("name", "tolerance", "max-iterations", "tries", "stop"));
        String name = e.string("name", "em");
        if (!name.equals("em")) {
            throw e.error("name", "unknown estimator '" + name + "' for a family scenario (known: em)");
        }
        double tol = e.number("tolerance", 1e-6);
        long cap = e.integer("max-iterations", 2000);
        long tries = e.integer("tries", 1);
        if (cap > 1_000_000) {
            throw e.error("max-iterations", "at most 10^6, got " + cap);
        }
        String stop = e.string("stop", "relative");
        org.prefixmoe.estimation.moe.MixtureEm.Stop rule = switch (stop) {
            case "relative" -> org.prefixmoe.estimation.moe.MixtureEm.Stop.RELATIVE;
            case "progress" -> org.prefixmoe.estimation.moe.MixtureEm.Stop.PROGRESS;
            default -> throw e.error("stop", "unknown '" + stop + "' (known: relative, progress)");
        };
        return e.check(() -> new MoeScenario.Fitting(tol, (int) cap, (int) tries, rule));
    }

    static NearTruthStart init(Tree i, MixtureOfExperts model) {
        i.allowOnly(Set.of("strategy", "assignment", "weight-split", "noise"));
        String strategy = i.string("strategy", "near-truth");
        if (!strategy.equals("near-truth")) {
            throw i.error("strategy", "family studies start near the truth (near-truth), got '" + strategy + "'");
        }
        String a = i.string("assignment", "surjection");
        NearTruthStart.Assignment assignment = switch (a) {
            case "surjection" -> NearTruthStart.Assignment.SURJECTION;
            case "surjection-reference-last" -> NearTruthStart.Assignment.SURJECTION_REFERENCE_LAST;
            default -> throw i.error("assignment", "unknown '" + a + "' (known: surjection, surjection-reference-last)");
        };
        if (assignment == NearTruthStart.Assignment.SURJECTION_REFERENCE_LAST
                && !(model.gate() instanceof LinearScoreGate s && s.reference() >= 0)) {
            throw i.error("assignment", "surjection-reference-last needs a gate with a reference component");
        }
        String w = i.string("weight-split", "none");
        NearTruthStart.WeightSplit split = switch (w) {
            case "none" -> NearTruthStart.WeightSplit.NONE;
            case "log" -> NearTruthStart.WeightSplit.LOG;
            case "divide" -> NearTruthStart.WeightSplit.DIVIDE;
            default -> throw i.error("weight-split", "unknown '" + w + "' (known: none, log, divide)");
        };
        Map<String, NearTruthStart.BlockNoise> noise = new LinkedHashMap<>();
        if (i.has("noise")) {
            Tree n = i.object("noise");
            Set<String> names = new java.util.HashSet<>();
            model.blocks().forEach(b -> names.add(b.name()));
            n.allowOnly(names);
            for (String b : n.fields()) {
                Tree bt = n.object(b);
                bt.allowOnly(Set.of("scale", "exponent", "kind"));
                double scale = bt.number("scale");
                double exponent = bt.number("exponent", 0);
                String kind = bt.string("kind", "gaussian");
                noise.put(b, bt.check(() -> new NearTruthStart.BlockNoise(scale, exponent, NearTruthStart.Noise.of(kind))));
            }
        }
        return new NearTruthStart(noise, assignment, split);
    }

    static BlockVoronoiLoss loss(Tree l, MixtureOfExperts model, Components truth) {
        l.allowOnly(Set.of("distance", "blocks"));
        String d = l.string("distance", "sum-of-block-norms");
        BlockVoronoiLoss.CellDistance distance = switch (d) {
            case "sum-of-block-norms" -> BlockVoronoiLoss.CellDistance.SUM_OF_BLOCK_NORMS;
            case "euclidean" -> BlockVoronoiLoss.CellDistance.EUCLIDEAN;
            default -> throw l.error("distance", "unknown '" + d + "' (known: sum-of-block-norms, euclidean)");
        };
        Tree b = l.object("blocks");
        Map<String, int[]> where = new LinkedHashMap<>();
        int offset = 0;
        for (Block x : model.blocks()) {
            where.put(x.name(), new int[] {offset, x.size()});
            offset += x.size();
        }
        b.allowOnly(where.keySet());
        List<BlockVoronoiLoss.Term> terms = new ArrayList<>();
        for (String name : b.fields()) {
            int[] pos = where.get(name);
            ExponentRule rule;
            if (b.isMapping(name)) {
                // {exponent: 2, zero: c, then: rbar/2}: another rule in cells whose true block `zero` is 0
                Tree r = b.object(name);
                r.allowOnly(Set.of("exponent", "zero", "then"));
                ExponentRule base = r.check(() -> ExponentRule.parse("exponent", text(r, "exponent")));
                String zero = r.string("zero");
                int[] zpos = where.get(zero);
                if (zpos == null) {
                    throw r.error("zero", "the model has no block " + zero + " (blocks: " + where.keySet() + ")");
                }
                ExponentRule then = r.check(() -> ExponentRule.parse("then", text(r, "then")));
                boolean[] zeroAt = new boolean[truth.size()];
                for (int j = 0; j < truth.size(); j++) {
                    double[] atom = model.atom(truth, j);
                    zeroAt[j] = true;
                    for (int c = zpos[0]; c < zpos[0] + zpos[1]; c++) {
                        zeroAt[j] &= atom[c] == 0;
                    }
                }
                rule = ExponentRule.byTruth(zeroAt, then, base);
            } else {
                String text = text(b, name);
                rule = b.check(() -> ExponentRule.parse(name, text));
            }
            terms.add(new BlockVoronoiLoss.Term(name, pos[0], pos[1], rule));
        }
        return l.check(() -> new BlockVoronoiLoss(terms, distance));
    }

    /** A rule given as text or as a bare number. */
    private static String text(Tree t, String field) {
        return t.isText(field) ? t.string(field) : Double.toString(t.number(field));
    }
}
