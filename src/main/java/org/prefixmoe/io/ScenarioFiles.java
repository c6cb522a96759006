package org.prefixmoe.io;

import org.prefixmoe.model.TruthModel;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.prefixmoe.estimation.Estimators;
import org.prefixmoe.estimation.LeastSquaresEstimator;
import org.prefixmoe.estimation.NearTruthInitializer;
import org.prefixmoe.estimation.RandomInitializer;
import org.prefixmoe.sampling.Samplers;
import org.prefixmoe.simulation.Scenario;

/**
 * Reads scenario files (YAML or JSON, documented field by field in the README). Every error names
 * the file, the field and the reason. Model files named by a scenario are resolved relative to
 * the scenario file.
 */
public final class ScenarioFiles {
    private static final Set<String> FIELDS = Set.of("name", "description", "seed", "studies", "L", "sizes",
            "replicates", "estimator", "solver", "init", "sampler", "eval_size", "r", "losses", "quick", "figures");
    /** Fields that do not change a task's row: left out of the fingerprint. */
    private static final Set<String> NOT_FINGERPRINTED = Set.of("description", "sizes", "replicates", "quick",
            "figures", "studies");

    private ScenarioFiles() {
    }

    /** Reads and validates a scenario file. */
    public static Scenario read(Path file) {
        return read(Tree.read(file));
    }

    /**
     * Parses and validates the text of a scenario file without reading it: what a worker of a
     * distributed run calls to rebuild the driver's scenario (same fingerprint, same rows).
     *
     * @param text the file's text (YAML, or JSON when {@code file} ends in {@code .json})
     * @param file the path the text came from: it names the scenario when the text has no
     *     {@code name}, model files are resolved relative to it, and errors name it
     * @return the scenario
     * @throws InputFileException if the text is not a valid scenario
     */
    public static Scenario parse(String text, Path file) {
        return read(Tree.parse(text, file));
    }

    private static Scenario read(Tree t) {
        Path file = t.file;
        t.allowOnly(FIELDS);
        String name = t.string("name", baseName(file));
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw t.error("name", "use letters, digits, '.', '_' and '-' only (it names a folder), got '" + name + "'");
        }
        long seed = t.integer("seed");
        int replicates = positiveInt(t, "replicates");
        int[] sizes = sizes(t, "sizes");

        String estimator = t.string("estimator", LeastSquaresEstimator.NAME);
        if (!Estimators.names().contains(estimator)) {
            throw t.error("estimator", "unknown estimator '" + estimator + "' (known: "
                    + String.join(", ", Estimators.names()) + ")");
        }
        // The estimator's own settings (see Estimators): unknown names and bad values name the field.
        Map<String, Double> given = new LinkedHashMap<>();
        if (t.has("solver")) {
            Tree s = t.object("solver");
            s.node.fieldNames().forEachRemaining(k -> given.put(k, s.number(k)));
        }
        Map<String, Double> solver = t.check(() -> {
            Map<String, Double> all = Estimators.settings(estimator, given);
            Estimators.create(estimator, all);
            return all;
        });
        Scenario.Init init = init(t);
        String sampler = t.string("sampler", "regression");
        if (!Samplers.names().contains(sampler)) {
            throw t.error("sampler", "unknown sampler '" + sampler + "' (known: "
                    + String.join(", ", Samplers.names()) + ")");
        }
        int evalSize = t.has("eval_size") ? positiveInt(t, "eval_size") : 10_000;
        if (evalSize < 10_000) {
            throw t.error("eval_size", "the regression error needs at least 10000 fresh inputs (SPEC §4), got "
                    + evalSize);
        }
        double r = t.number("r", 2);
        if (!(r > 0)) {
            throw t.error("r", "must be positive, got " + r);
        }
        List<String> losses = t.has("losses") ? t.strings("losses") : Scenario.KNOWN_LOSSES;
        for (int i = 0; i < losses.size(); i++) {
            if (!Scenario.KNOWN_LOSSES.contains(losses.get(i))) {
                throw t.error("losses[" + i + "]", "unknown loss '" + losses.get(i) + "' (known: "
                        + String.join(", ", Scenario.KNOWN_LOSSES) + ")");
            }
        }
        int[] quickSizes = sizes;
        int quickReplicates = Math.min(replicates, 5);
        if (t.has("quick")) {
            Tree q = t.object("quick");
            q.allowOnly(Set.of("sizes", "replicates"));
            quickSizes = q.has("sizes") ? sizes(q, "sizes") : sizes;
            quickReplicates = q.has("replicates") ? positiveInt(q, "replicates") : quickReplicates;
        }

        Integer defaultL = t.has("L") ? positiveInt(t, "L") : null;
        List<Scenario.Study> studies = new ArrayList<>();
        List<Object> studyPrints = new ArrayList<>();
        JsonNode list = t.require("studies");
        if (!list.isArray() || list.isEmpty()) {
            throw t.error("studies", "expected a non-empty list of studies, found " + Tree.describe(list));
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String field = "studies[" + i + "]";
            if (!list.get(i).isObject()) {
                throw t.error(field, "expected a mapping with truth, L and (optionally) name and fitted, found "
                        + Tree.describe(list.get(i)));
            }
            Tree s = new Tree(file, (ObjectNode) list.get(i), field + ".");
            s.allowOnly(Set.of("name", "truth", "fitted", "L"));
            Path truthFile = resolve(file, s.string("truth"));
            TruthModel truth = readModel(s, "truth", truthFile);
            TruthModel fitted = s.has("fitted") ? readModel(s, "fitted", resolve(file, s.string("fitted"))) : truth;
            if (!fitted.model().parameterization().name().equals(truth.model().parameterization().name())
                    || fitted.model().atomDimension() != truth.model().atomDimension()) {
                throw s.error("fitted", "fits " + fitted.model().parameterization().name() + " atoms of dimension "
                        + fitted.model().atomDimension() + " but the truth is " + truth.model().parameterization().name()
                        + " of dimension " + truth.model().atomDimension()
                        + "; the Voronoi losses need the fitted parameterization to be the truth's");
            }
            int l;
            if (s.has("L")) {
                l = positiveInt(s, "L");
            } else if (defaultL != null) {
                l = defaultL;
            } else {
                throw s.error("L", "missing (give L per study or once at the top level)");
            }
            if (l < truth.trueAtoms()) {
                throw s.error("L", "L = " + l + " is fewer than the truth's L* = " + truth.trueAtoms()
                        + "; under-specified fits are not supported (use L >= L*)");
            }
            String sname = s.string("name", truth.name());
            if (!sname.matches("[A-Za-z0-9._ +-]+") || !names.add(sname)) {
                throw s.error("name", "'" + sname + "' is " + (names.contains(sname) ? "used by another study"
                        : "not a valid name (letters, digits, space, '.', '_', '+', '-')"));
            }
            studies.add(new Scenario.Study(sname, truth, fitted, l));
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("name", sname);
            p.put("L", l);
            p.put("truth", ModelFiles.toMap(truth));
            p.put("fitted", ModelFiles.toMap(fitted));
            studyPrints.add(p);
        }

        List<Scenario.Figure> figures = new ArrayList<>();
        if (t.has("figures")) {
            JsonNode fl = t.require("figures");
            if (!fl.isArray()) {
                throw t.error("figures", "expected a list of figures, found " + Tree.describe(fl));
            }
            for (int i = 0; i < fl.size(); i++) {
                String field = "figures[" + i + "]";
                if (!fl.get(i).isObject()) {
                    throw t.error(field, "expected a mapping with name, title and losses");
                }
                Tree f = new Tree(file, (ObjectNode) fl.get(i), field + ".");
                f.allowOnly(Set.of("name", "title", "losses"));
                String fname = f.string("name");
                if (!fname.matches("[A-Za-z0-9._-]+")) {
                    throw f.error("name", "use letters, digits, '.', '_' and '-' only, got '" + fname + "'");
                }
                List<String> fl2 = f.strings("losses");
                for (int k = 0; k < fl2.size(); k++) {
                    if (!org.prefixmoe.simulation.Summary.METRICS.contains(fl2.get(k))) {
                        throw f.error("losses[" + k + "]", "unknown loss '" + fl2.get(k) + "' (known: "
                                + String.join(", ", org.prefixmoe.simulation.Summary.METRICS) + ")");
                    }
                }
                figures.add(new Scenario.Figure(fname, f.string("title", fname), List.copyOf(fl2)));
            }
        }

        ObjectNode settings = t.node.deepCopy();
        NOT_FINGERPRINTED.forEach(settings::remove);
        Map<String, Object> print = new LinkedHashMap<>();
        print.put("settings", settings);
        print.put("solver", solver.toString());
        print.put("init", init.toString());
        print.put("studies", studyPrints);
        return new Scenario(file, name, t.string("description", ""), seed, List.copyOf(studies), sizes, replicates,
                estimator, solver, init, sampler, evalSize, r, List.copyOf(losses), quickSizes, quickReplicates,
                List.copyOf(figures), fingerprint(print));
    }

    private static TruthModel readModel(Tree s, String field, Path modelFile) {
        try {
            return ModelFiles.read(modelFile);
        } catch (InputFileException e) {
            throw s.error(field, "model file " + modelFile + " is invalid: " + e.getMessage());
        }
    }

    private static Path resolve(Path scenario, String relative) {
        Path p = Path.of(relative);
        return p.isAbsolute() ? p : scenario.toAbsolutePath().getParent().resolve(p).normalize();
    }

    private static Scenario.Init init(Tree t) {
        if (!t.has("init")) {
            return new Scenario.Init(NearTruthInitializer.NAME, 0.5, 0.1, 1);
        }
        JsonNode n = t.require("init");
        if (n.isTextual()) {
            String s = n.asText();
            checkStrategy(t, "init", s);
            return new Scenario.Init(s, 0.5, 0.1, s.equals(RandomInitializer.NAME) ? 5 : 1);
        }
        Tree i = t.object("init");
        i.allowOnly(Set.of("strategy", "scale", "decay", "restarts"));
        String s = i.string("strategy");
        checkStrategy(i, "strategy", s);
        double scale = nonNegative(i, "scale", 0.5);
        double decay = nonNegative(i, "decay", 0.1);
        int restarts = i.has("restarts") ? positiveInt(i, "restarts") : (s.equals(RandomInitializer.NAME) ? 5 : 1);
        return new Scenario.Init(s, scale, decay, restarts);
    }

    private static void checkStrategy(Tree t, String field, String s) {
        if (!s.equals(NearTruthInitializer.NAME) && !s.equals(RandomInitializer.NAME)) {
            throw t.error(field, "unknown initialization '" + s + "' (known: near-truth, random)");
        }
    }

    /** A list of sizes, or a log-spaced grid {@code {from, to, count}}. */
    private static int[] sizes(Tree t, String field) {
        JsonNode n = t.require(field);
        int[] out;
        if (n.isArray()) {
            if (n.isEmpty()) {
                throw t.error(field, "expected at least one sample size");
            }
            out = new int[n.size()];
            for (int i = 0; i < out.length; i++) {
                JsonNode e = n.get(i);
                if (!e.isIntegralNumber()) {
                    throw t.error(field + "[" + i + "]", "expected a whole number, found " + Tree.describe(e));
                }
                if (e.asLong() < 1 || e.asLong() > Integer.MAX_VALUE) {
                    throw t.error(field + "[" + i + "]", "a sample size must be a positive whole number, got "
                            + e.asLong());
                }
                out[i] = (int) e.asLong();
            }
        } else if (n.isObject()) {
            Tree g = t.object(field);
            g.allowOnly(Set.of("from", "to", "count"));
            long from = g.integer("from");
            long to = g.integer("to");
            long count = g.integer("count");
            if (from < 1) {
                throw g.error("from", "a sample size must be a positive whole number, got " + from);
            }
            if (to < from || to > Integer.MAX_VALUE) {
                throw g.error("to", "must be at least from = " + from + ", got " + to);
            }
            if (count < 1 || (count == 1 && to != from)) {
                throw g.error("count", "must be >= 2 for a grid (1 only when from = to), got " + count);
            }
            out = new int[(int) count];
            for (int i = 0; i < count; i++) {
                double e = count == 1 ? 0 : (double) i / (count - 1);
                out[i] = (int) Math.round(Math.exp(Math.log(from) + e * (Math.log(to) - Math.log(from))));
            }
        } else {
            throw t.error(field, "expected a list of sample sizes or {from, to, count}, found " + Tree.describe(n));
        }
        for (int i = 1; i < out.length; i++) {
            if (out[i] <= out[i - 1]) {
                throw t.error(field, "sample sizes must be strictly increasing (" + out[i - 1] + " then " + out[i] + ")");
            }
        }
        return out;
    }

    private static int positiveInt(Tree t, String field) {
        long v = t.integer(field);
        if (v < 1 || v > Integer.MAX_VALUE) {
            throw t.error(field, "must be a positive whole number, got " + v);
        }
        return (int) v;
    }

    private static double nonNegative(Tree t, String field, double fallback) {
        double v = t.number(field, fallback);
        if (v < 0) {
            throw t.error(field, "must be >= 0, got " + v);
        }
        return v;
    }

    private static String baseName(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    private static String fingerprint(Object o) {
        try {
            byte[] json = Tree.JSON.writeValueAsString(o).getBytes(StandardCharsets.UTF_8);
            byte[] h = MessageDigest.getInstance("SHA-256").digest(json);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 6; i++) {
                sb.append(String.format("%02x", h[i]));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
