package org.prefixmoe.io;

import org.prefixmoe.model.TruthModel;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.prefixmoe.model.Activation;
import org.prefixmoe.model.Box;
import org.prefixmoe.model.MixingMeasure;
import org.prefixmoe.model.ModelSpec;
import org.prefixmoe.model.NonShared;
import org.prefixmoe.model.Parameterization;
import org.prefixmoe.model.PrefixModel;
import org.prefixmoe.model.PretrainedExperts;
import org.prefixmoe.model.PromptTuning;
import org.prefixmoe.model.SharedLinear;
import org.prefixmoe.model.SharedMlp;
import org.prefixmoe.model.SharedNonlinear;
import org.prefixmoe.model.InputDistribution;

/**
 * Reads and writes model files (YAML or JSON; the format is documented in the README). A file may
 * name a base file with {@code extends: other.yaml} (relative to itself), whose top-level fields
 * it overrides, so that scenarios can share the pretrained part of one truth.
 */
public final class ModelFiles {
    /** The parameterization names accepted in files. */
    public static final Set<String> PARAMETERIZATIONS = Set.of(NonShared.NAME, SharedLinear.NAME,
            SharedNonlinear.NAME, SharedMlp.NAME, PromptTuning.NAME);

    private static final Set<String> FIELDS = Set.of("description", "extends", "name", "D", "q", "r", "m", "N",
            "L_star", "A", "c", "H", "e", "B", "parameterization", "R_K", "R_V", "activation", "W1", "b1", "W2",
            "b2", "W_K", "W_V", "bias", "atoms", "biases", "sigma", "input", "box");

    private ModelFiles() {
    }

    /** Where the default truths lie on the classpath (copied from simulations/models by the pom). */
    static final String RESOURCES = "/org/prefixmoe/models/";

    /**
     * Reads a model file, following {@code extends}.
     *
     * @param file a YAML or JSON model file
     * @return the truth it declares
     * @throws InputFileException naming the file and field when the file is malformed
     */
    public static TruthModel read(Path file) {
        ModelSpec spec = readSpec(file);
        return spec.truth().orElseThrow(() -> noTruth(file));
    }

    /**
     * Reads a model file that may declare no truth, following {@code extends}: a file without
     * {@code atoms} (after {@code extends}) is a model without a truth, enough to fit data with
     * random starts and any L, to predict and to replay; {@code sigma}, {@code input} and
     * {@code biases} are then optional (checked when given, unused).
     *
     * @param file a YAML or JSON model file
     * @return the model, its box and its truth if it declares one
     * @throws InputFileException naming the file and field when the file is malformed
     */
    public static ModelSpec readSpec(Path file) {
        Tree tree = merged(file, 0);
        return parse(tree, baseName(file));
    }

    /**
     * The error for a model without a truth where one is needed.
     *
     * @param file the model file
     * @return an exception naming the file and field {@code atoms}
     */
    public static InputFileException noTruth(Path file) {
        return new InputFileException(file, "atoms", "missing: a model without a truth (no true atoms, also not from"
                + " its base file); sampling, losses, studies and near-truth starts need one (fit it with random"
                + " starts: fit DATA -m " + file + " -L L)");
    }

    /**
     * Reads a model file shipped with the library (in the jar under {@code org/prefixmoe/models/}),
     * following {@code extends} there, so it works outside a checkout; {@link DefaultTruths} names them.
     *
     * @param name the file name, e.g. {@code default-shared-linear.yaml}
     * @return the truth it declares
     * @throws IllegalArgumentException when no such resource is on the classpath
     */
    public static TruthModel readResource(String name) {
        URL url = ModelFiles.class.getResource(RESOURCES + name);
        if (url == null) {
            throw new IllegalArgumentException("no model file '" + name + "' among the library's resources ("
                    + RESOURCES.substring(1) + ")");
        }
        return read(resourcePath(url));
    }

    /** A path for a classpath resource: the file itself, or the entry inside its (opened once) jar. */
    static synchronized Path resourcePath(URL url) {
        try {
            URI uri = url.toURI();
            if (!"jar".equals(uri.getScheme())) {
                return Path.of(uri);
            }
            try {
                FileSystems.getFileSystem(uri);
            } catch (FileSystemNotFoundException e) {
                FileSystems.newFileSystem(uri, Map.of()); // stays open: the resources are read-only and few
            }
            return Path.of(uri);
        } catch (URISyntaxException | IOException e) {
            throw new IllegalStateException("cannot open the library resource " + url + ": " + e.getMessage(), e);
        }
    }

    private static Tree merged(Path file, int depth) {
        Tree tree = Tree.read(file);
        if (!tree.has("extends")) {
            return tree;
        }
        if (depth > 8) {
            throw tree.error("extends", "chain of more than 8 files (a cycle?)");
        }
        Path base = file.toAbsolutePath().getParent().resolve(tree.string("extends"));
        Tree parent = merged(base, depth + 1);
        ObjectNode out = parent.node.deepCopy();
        out.remove("extends");
        // Errors in a field the base gave name the base file, not this one.
        Map<String, Path> origin = new LinkedHashMap<>();
        parent.node.fieldNames().forEachRemaining(f -> origin.put(f, parent.fileOf(f)));
        tree.node.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("extends")) {
                out.set(e.getKey(), e.getValue());
                origin.remove(e.getKey());
            }
        });
        return new Tree(file, out, "", origin);
    }

    private static String baseName(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    /** Parses an already-read tree into a model, with its truth when the tree has atoms. */
    static ModelSpec parse(Tree t, String defaultName) {
        t.allowOnly(FIELDS);
        double[][][] a = t.matrices("A");
        int n = a.length;
        if (t.has("N") && t.integer("N") != n) {
            throw t.error("N", "says " + t.integer("N") + " but A holds " + n + " matrices");
        }
        double[] c = t.has("c") ? t.vector("c") : new double[n];
        PretrainedExperts experts = t.check(() -> new PretrainedExperts(a, c, t.matrices("H"), t.matrix("e")));
        int d = experts.inputDimension();
        int q = experts.outputDimension();
        if (t.has("D") && t.integer("D") != d) {
            throw t.error("D", "says " + t.integer("D") + " but A is " + d + " x " + d);
        }
        if (t.has("q") && t.integer("q") != q) {
            throw t.error("q", "says " + t.integer("q") + " but H has " + q + " rows");
        }
        Parameterization map = parameterization(t, q);
        if (t.has("r") && t.integer("r") != map.keyDimension()) {
            throw t.error("r", "says " + t.integer("r") + " but the maps give keys of dimension " + map.keyDimension());
        }
        boolean bias = t.bool("bias", true);
        PrefixModel model = t.check(() -> new PrefixModel(experts, t.matrix("B"), map, bias));
        Box box = box(t);
        String name = t.string("name", defaultName);
        if (!t.has("atoms")) {
            // A model without a truth: check what is given, require nothing of the truth.
            for (String f : new String[] {"biases", "L_star"}) {
                if (t.has(f)) {
                    throw t.error(f, "given without atoms (a model without a truth has no true atoms)");
                }
            }
            t.check(() -> {
                map.checkIdentifiable(new double[0][]); // the maps' own conditions (e.g. R_K of full rank)
                return null;
            });
            if (t.has("sigma")) {
                sigma(t);
            }
            if (t.has("input")) {
                t.check(() -> InputDistribution.of(t.string("input")));
            }
            return ModelSpec.of(name, model, box);
        }
        double[][] atoms = t.matrix("atoms");
        if (atoms.length == 0) {
            throw t.error("atoms", "at least one true atom is required");
        }
        if (atoms[0].length != model.atomDimension()) {
            throw t.error("atoms", "atoms have dimension " + atoms[0].length + " but " + map.name() + " needs "
                    + model.atomDimension() + (map instanceof NonShared ? " (key and value stacked)" : ""));
        }
        double[] biases = null;
        if (bias) {
            biases = t.has("biases") ? t.vector("biases") : new double[atoms.length];
            if (biases.length != atoms.length) {
                throw t.error("biases", "has " + biases.length + " entries for " + atoms.length + " atoms");
            }
        } else if (t.has("biases")) {
            throw t.error("biases", "given although bias: false");
        }
        MixingMeasure truth = new MixingMeasure(atoms, biases);
        if (t.has("L_star") && t.integer("L_star") != atoms.length) {
            throw t.error("L_star", "says " + t.integer("L_star") + " but atoms holds " + atoms.length);
        }
        t.check(() -> {
            model.checkIdentifiable(truth);
            return null;
        });
        double sigma = sigma(t);
        InputDistribution input = t.check(() -> InputDistribution.of(t.string("input", "uniform[-1,1]")));
        if (!box.contains(truth)) {
            throw t.error("atoms", "the true measure lies outside the box " + describe(box));
        }
        return ModelSpec.of(new TruthModel(name, model, truth, sigma, input, box));
    }

    private static double sigma(Tree t) {
        double sigma = t.number("sigma");
        if (sigma < 0) {
            throw t.error("sigma", "must be >= 0, got " + sigma);
        }
        return sigma;
    }

    private static Box box(Tree t) {
        Box box = Box.DEFAULT;
        if (t.has("box")) {
            Tree b = t.object("box");
            b.allowOnly(Set.of("atom", "bias"));
            double[] atomBox = b.has("atom") ? b.vector("atom") : new double[] {Box.DEFAULT.atomLower(),
                Box.DEFAULT.atomUpper()};
            double[] biasBox = b.has("bias") ? b.vector("bias") : new double[] {Box.DEFAULT.biasLower(),
                Box.DEFAULT.biasUpper()};
            if (atomBox.length != 2) {
                throw b.error("atom", "expected [lower, upper]");
            }
            if (biasBox.length != 2) {
                throw b.error("bias", "expected [lower, upper]");
            }
            box = t.check(() -> new Box(atomBox[0], atomBox[1], biasBox[0], biasBox[1]));
        }
        return box;
    }

    private static String describe(Box b) {
        return "atom [" + b.atomLower() + ", " + b.atomUpper() + "], bias [" + b.biasLower() + ", " + b.biasUpper()
                + "]";
    }

    private static Parameterization parameterization(Tree t, int q) {
        String name = t.string("parameterization");
        if (t.has("activation") && !name.equals(SharedNonlinear.NAME)) {
            throw t.error("activation", "only a shared-nonlinear model has an activation; this one is " + name
                    + " (remove the field, or set parameterization: shared-nonlinear)");
        }
        return switch (name) {
            case NonShared.NAME -> {
                int r = t.has("r") ? (int) t.integer("r") : t.matrix("B")[0].length;
                yield t.check(() -> new NonShared(r, q));
            }
            case SharedLinear.NAME -> t.check(() -> new SharedLinear(t.matrix("R_K"), t.matrix("R_V")));
            case SharedNonlinear.NAME -> t.check(() -> new SharedNonlinear(t.matrix("R_K"), t.matrix("R_V"),
                    Activation.parse(t.string("activation", "tanh"))));
            case SharedMlp.NAME -> {
                double[][] w2 = t.matrix("W2");
                int r = w2.length - q;
                yield t.check(() -> new SharedMlp(t.matrix("W1"), t.vector("b1"), w2, t.vector("b2"), r));
            }
            case PromptTuning.NAME -> t.check(() -> new PromptTuning(t.matrix("W_K"), t.matrix("W_V")));
            default -> throw t.error("parameterization", "unknown parameterization '" + name + "' (known: "
                    + String.join(", ", new java.util.TreeSet<>(PARAMETERIZATIONS)) + ")");
        };
    }

    /**
     * The fields of a model in the file format, for writing.
     *
     * @param tm the truth
     * @return field name to value, in file order
     */
    public static Map<String, Object> toMap(TruthModel tm) {
        PrefixModel model = tm.model();
        PretrainedExperts ex = model.pretrained();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", tm.name());
        double[][][] a = new double[ex.count()][][];
        double[][][] h = new double[ex.count()][][];
        double[][] e = new double[ex.count()][];
        double[] c = new double[ex.count()];
        for (int j = 0; j < ex.count(); j++) {
            a[j] = ex.a(j);
            h[j] = ex.h(j);
            e[j] = ex.e(j);
            c[j] = ex.c(j);
        }
        m.put("A", a);
        m.put("c", c);
        m.put("H", h);
        m.put("e", e);
        m.put("B", model.gatingProjection());
        m.put("parameterization", model.parameterization().name());
        m.putAll(model.parameterization().fixedMaps());
        m.put("bias", model.hasBias());
        m.put("atoms", tm.truth().atoms());
        if (model.hasBias()) {
            m.put("biases", tm.truth().biases());
        }
        m.put("sigma", tm.sigma());
        m.put("input", tm.input().label());
        Map<String, Object> box = new LinkedHashMap<>();
        box.put("atom", new double[] {tm.box().atomLower(), tm.box().atomUpper()});
        box.put("bias", new double[] {tm.box().biasLower(), tm.box().biasUpper()});
        m.put("box", box);
        return m;
    }

    /**
     * Writes a model file (YAML, or JSON if the name ends in .json) atomically.
     *
     * @param tm the truth
     * @param file the file to write
     */
    public static void write(TruthModel tm, Path file) {
        Map<String, Object> map = toMap(tm);
        AtomicFiles.write(file, out -> (file.toString().endsWith(".json") ? Tree.JSON : Tree.YAML)
                .writerWithDefaultPrettyPrinter().writeValue(out, map));
    }

}
