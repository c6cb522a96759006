package org.prefixmoe.estimation;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/** The estimators known by name to scenarios and the command line. */
public final class Estimators {
    private static final Map<String, Supplier<Estimator>> KNOWN = new TreeMap<>();

    static {
        KNOWN.put(LeastSquaresEstimator.NAME, LeastSquaresEstimator::new);
        KNOWN.put(org.prefixmoe.estimation.em.EmEstimator.NAME, org.prefixmoe.estimation.em.EmEstimator::new);
    }

    private Estimators() {
    }

    /** The default-configured estimator of that name. */
    public static Estimator byName(String name) {
        Supplier<Estimator> s = KNOWN.get(name);
        if (s == null) {
            throw new IllegalArgumentException("estimator: unknown estimator '" + name + "' (known: "
                    + String.join(", ", KNOWN.keySet()) + ")");
        }
        return s.get();
    }

    /** The known names. */
    public static java.util.Set<String> names() {
        return java.util.Collections.unmodifiableSet(KNOWN.keySet());
    }
}
