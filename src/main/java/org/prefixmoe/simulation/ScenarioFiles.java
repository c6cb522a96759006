package org.prefixmoe.simulation;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.prefixmoe.estimation.LeastSquaresEstimator;
import org.prefixmoe.io.InputFileException;
import org.prefixmoe.io.ModelFiles;
import org.prefixmoe.io.Tree;
import org.prefixmoe.model.TruthModel;

/**
 * Reads scenario files (YAML or JSON, documented field by field in the README). The reader parses
 * (types, unknown fields, model files) and translates the file into {@link Scenario.Builder} calls,
 * which check the values; every error names the file, the field and the reason. Model files named
 * by a scenario are resolved relative to the scenario file.
 */
public final class ScenarioFiles {
    private static final Set<String> FIELDS = Set.of("name", "description", "seed", "studies", "L", "sizes",
            "replicates", "estimator", "solver", "init", "sampler", "eval_size", "r", "losses", "quick", "figures",
            "store_estimates", "baseline", "d1_threshold", "analysis");

    private ScenarioFiles() {
    }

    /**
     * Reads and validates a scenario file.
     *
     * @param file a YAML or JSON scenario file
     * @return the scenario
     * @throws InputFileException naming the file, the field and the reason
     */
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
        java.util.Objects.requireNonNull(text, "text");
        java.util.Objects.requireNonNull(file, "file");
        return read(Tree.parse(text, file));
    }

    /** Translates the parsed file into builder calls; the builder's checks name the field, we add the file. */
    private static Scenario read(Tree t) {
        Path file = t.file();
        t.allowOnly(FIELDS);
        Scenario.Builder b = Scenario.builder().source(file);
        if (t.has("name")) {
            String name = t.string("name");
            t.check(() -> b.name(name));
        }
        t.check(() -> b.description(t.string("description", "")));
        long seed = t.integer("seed");
        b.seed(seed);
        int replicates = positiveInt(t, "replicates");
        t.check(() -> b.replicates(replicates));
        sizes(t, "sizes", b::sizes, b::logSizes);
        if (t.has("estimator")) {
            String estimator = t.string("estimator");
            t.check(() -> b.estimator(estimator));
        }
        if (t.has("solver")) {
            Tree s = t.object("solver");
            for (String k : s.fields()) {
                // The least-squares method may be named (lm, flat); it is stored as its code.
                double v = k.equals("method") && s.isText(k)
                        ? s.check(() -> LeastSquaresEstimator.Method.byLabel(s.string(k)).code())
                        : s.number(k);
                t.check(() -> b.solver(k, v));
            }
        }
        init(t, b);
        if (t.has("sampler")) {
            String sampler = t.string("sampler");
            t.check(() -> b.sampler(sampler));
        }
        if (t.has("eval_size")) {
            int evalSize = positiveInt(t, "eval_size");
            t.check(() -> b.evalSize(evalSize));
        }
        if (t.has("r")) {
            double r = t.number("r");
            t.check(() -> b.r(r));
        }
        if (t.has("losses")) {
            List<String> losses = t.strings("losses");
            t.check(() -> b.losses(losses));
        }
        if (t.has("store_estimates")) {
            boolean store = t.bool("store_estimates", true);
            t.check(() -> b.storeEstimates(store));
        }
        if (t.has("baseline")) {
            String baseline = t.string("baseline");
            t.check(() -> b.baseline(baseline));
        }
        if (t.has("d1_threshold")) {
            double threshold = t.number("d1_threshold");
            t.check(() -> b.d1Threshold(threshold));
        }
        if (t.has("analysis")) {
            Tree a = t.object("analysis");
            a.allowOnly(Set.of("margin", "plan", "plan_sha256"));
            if (a.has("margin")) {
                double margin = a.number("margin");
                t.check(() -> b.margin(margin));
            }
            if (a.has("plan")) {
                Path plan = resolve(file, a.string("plan"));
                String sha = a.has("plan_sha256") ? a.string("plan_sha256") : null;
                t.check(() -> b.plan(plan, sha));
            }
        }
        if (t.has("quick")) {
            Tree q = t.object("quick");
            q.allowOnly(Set.of("sizes", "replicates"));
            if (q.has("sizes")) {
                sizes(q, "sizes", b::quickSizes, b::quickLogSizes);
            }
            if (q.has("replicates")) {
                int quickReplicates = positiveInt(q, "replicates");
                t.check(() -> b.quickReplicates(quickReplicates));
            }
        }
        if (t.has("L")) {
            int l = positiveInt(t, "L");
            t.check(() -> b.atoms(l));
        }
        for (Tree s : t.mappings("studies", true, "studies", "truth, L and (optionally) name and fitted")) {
            s.allowOnly(Set.of("name", "truth", "fitted", "L"));
            TruthModel truth = readModel(s, "truth", resolve(file, s.string("truth")));
            TruthModel fitted = s.has("fitted") ? readModel(s, "fitted", resolve(file, s.string("fitted"))) : null;
            Integer l = s.has("L") ? positiveInt(s, "L") : null;
            String sname = s.has("name") ? s.string("name") : null;
            t.check(() -> b.study(sname, truth, fitted, l));
        }
        if (t.has("figures")) {
            for (Tree f : t.mappings("figures", false, "figures", "name, title and losses")) {
                f.allowOnly(Set.of("name", "title", "losses"));
                String fname = f.string("name");
                String title = f.string("title", fname);
                List<String> losses = f.strings("losses");
                t.check(() -> b.figure(fname, title, losses));
            }
        }
        return t.check(b::build);
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

    private static void init(Tree t, Scenario.Builder b) {
        if (!t.has("init")) {
            return;
        }
        if (t.isText("init")) {
            String strategy = t.string("init");
            t.check(() -> b.init(strategy));
            return;
        }
        Tree i = t.object("init");
        i.allowOnly(Set.of("strategy", "scale", "decay", "restarts"));
        String s = i.string("strategy");
        double scale = i.number("scale", Scenario.Init.DEFAULT_SCALE);
        double decay = i.number("decay", Scenario.Init.DEFAULT_DECAY);
        int restarts = i.has("restarts") ? positiveInt(i, "restarts") : Scenario.Init.defaultRestarts(s);
        t.check(() -> b.init(new Scenario.Init(s, scale, decay, restarts)));
    }

    /** A list of sizes, or a log-spaced grid {@code {from, to, count}}: parsed here, checked by the builder. */
    private static void sizes(Tree t, String field, java.util.function.Consumer<List<Integer>> list, Grid grid) {
        if (t.isList(field)) {
            long[] n = t.wholeNumbers(field);
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < n.length; i++) {
                if (n[i] < 1 || n[i] > Integer.MAX_VALUE) {
                    throw t.error(field + "[" + i + "]", "a sample size must be a positive whole number, got " + n[i]);
                }
                out.add((int) n[i]);
            }
            withPrefix(t, () -> list.accept(out));
        } else if (t.isMapping(field)) {
            Tree g = t.object(field);
            g.allowOnly(Set.of("from", "to", "count"));
            long from = g.integer("from");
            long to = g.integer("to");
            long count = g.integer("count");
            withPrefix(t, () -> grid.accept(from, to, count));
        } else {
            throw t.error(field, "expected a list of sample sizes or {from, to, count}, found " + t.describe(field));
        }
    }

    /** The builder's field names are full paths ({@code quick.sizes}); the tree adds the file only. */
    private static void withPrefix(Tree t, Runnable r) {
        t.unprefixed().check(() -> {
            r.run();
            return null;
        });
    }

    /** The builder's log-grid setter. */
    private interface Grid {
        void accept(long from, long to, long count);
    }

    private static int positiveInt(Tree t, String field) {
        long v = t.integer(field);
        if (v < 1 || v > Integer.MAX_VALUE) {
            throw t.error(field, "must be a positive whole number, got " + v);
        }
        return (int) v;
    }
}
