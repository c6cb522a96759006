package org.prefixmoe.estimation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.prefixmoe.estimation.em.EmEstimator;

/**
 * The estimators known by name to scenarios and the command line, each with its named numeric
 * settings (the {@code solver:} mapping of a scenario) and their defaults.
 */
public final class Estimators {

    /**
     * How to build one estimator from its settings. {@code optional} settings (added after results
     * were committed) have defaults too, but appear in {@link #settings} only when stated, so that
     * the fingerprint of a scenario that does not state them stays what it was.
     */
    private record Entry(Map<String, Double> defaults, Map<String, Double> optional,
                         Function<Map<String, Double>, Estimator> create) {
        Entry(Map<String, Double> defaults, Function<Map<String, Double>, Estimator> create) {
            this(defaults, Map.of(), create);
        }
    }

    private static final Map<String, Entry> KNOWN = new TreeMap<>();

    static {
        LeastSquaresEstimator.Options ls = LeastSquaresEstimator.Options.DEFAULT;
        KNOWN.put(LeastSquaresEstimator.NAME, new Entry(ordered(
                "max_iterations", (double) ls.maxIterations(),
                "objective_tolerance", ls.objectiveTolerance(),
                "step_tolerance", ls.stepTolerance(),
                "gradient_tolerance", ls.gradientTolerance(),
                "method", (double) ls.method().code()),
                Map.of("initial_damping", ls.initialDamping()),
                s -> new LeastSquaresEstimator(new LeastSquaresEstimator.Options(whole(s, "max_iterations"),
                        s.get("objective_tolerance"), s.get("step_tolerance"), s.get("gradient_tolerance"),
                        LeastSquaresEstimator.Method.byCode(s.getOrDefault("method",
                                (double) ls.method().code())),
                        s.getOrDefault("initial_damping", ls.initialDamping())))));
        EmEstimator.Options em = EmEstimator.Options.DEFAULT;
        KNOWN.put(EmEstimator.NAME, new Entry(ordered(
                "max_iterations", (double) em.maxIterations(),
                "objective_tolerance", em.objectiveTolerance(),
                "newton_steps", (double) em.newtonSteps(),
                "variance_floor", em.varianceFloor(),
                "squarem", 1.0),
                s -> new EmEstimator(new EmEstimator.Options(whole(s, "max_iterations"), s.get("objective_tolerance"),
                        whole(s, "newton_steps"), s.get("variance_floor")), flag(s, "squarem"))));
    }

    private Estimators() {
    }

    private static boolean flag(Map<String, Double> s, String key) {
        double v = s.get(key);
        if (v != 0 && v != 1) {
            throw new IllegalArgumentException(key + ": must be 1 (on) or 0 (off), got " + v);
        }
        return v == 1;
    }

    /**
     * The default-configured estimator of that name.
     *
     * @param name {@code least-squares} or {@code em}
     * @return the estimator
     * @throws IllegalArgumentException for an unknown name
     */
    public static Estimator byName(String name) {
        return create(name, Map.of());
    }

    /**
     * The estimator of that name with some settings changed from their defaults.
     *
     * @throws IllegalArgumentException for an unknown estimator (field {@code estimator}), an
     *     unknown setting or an invalid value (field {@code solver.NAME})
     * @param name {@code least-squares} or {@code em}
     * @param settings setting name to value, e.g. {@code max_iterations}; not modified
     * @return the estimator
     */
    public static Estimator create(String name, Map<String, Double> settings) {
        Map<String, Double> all = settings(name, settings);
        try {
            return entry(name).create.apply(all);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("solver: " + e.getMessage(), e);
        }
    }

    /**
     * The full settings of that estimator: its defaults overridden by {@code settings}. Least squares'
     * {@code method} (its code, e.g. 0 = lm, 30 = trf-pair-w, 33 = trf-pair-m, the default) is always
     * included, so that a change of the default method changes every fingerprint; a setting added after results were
     * committed ({@code initial_damping}) is included only when {@code settings} states it.
     *
     * @param name {@code least-squares} or {@code em}
     * @param settings the settings to override; not modified
     * @return every setting with its value (unmodifiable)
     */
    public static Map<String, Double> settings(String name, Map<String, Double> settings) {
        Entry e = entry(name);
        Map<String, Double> all = new LinkedHashMap<>(e.defaults);
        for (Map.Entry<String, Double> s : settings.entrySet()) {
            if (!all.containsKey(s.getKey()) && !e.optional.containsKey(s.getKey())) {
                List<String> known = new ArrayList<>(e.defaults.keySet());
                known.addAll(e.optional.keySet());
                throw new IllegalArgumentException("solver." + s.getKey() + ": not a setting of the " + name
                        + " estimator (its settings: " + String.join(", ", known) + ")");
            }
            all.put(s.getKey(), s.getValue());
        }
        return Collections.unmodifiableMap(all);
    }

    /** {@return the known estimator names} */
    public static Set<String> names() {
        return Collections.unmodifiableSet(KNOWN.keySet());
    }

    private static Entry entry(String name) {
        Entry e = KNOWN.get(name);
        if (e == null) {
            throw new IllegalArgumentException("estimator: unknown estimator '" + name + "' (known: "
                    + String.join(", ", KNOWN.keySet()) + ")");
        }
        return e;
    }

    private static int whole(Map<String, Double> s, String key) {
        double v = s.get(key);
        if (v != Math.rint(v) || v < 1 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(key + ": must be a whole number >= 1, got " + v);
        }
        return (int) v;
    }

    private static Map<String, Double> ordered(Object... kv) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int k = 0; k < kv.length; k += 2) {
            m.put((String) kv[k], (Double) kv[k + 1]);
        }
        return Collections.unmodifiableMap(m);
    }
}
