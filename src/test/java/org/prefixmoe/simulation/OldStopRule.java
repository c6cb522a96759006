package org.prefixmoe.simulation;

import java.util.Set;

/**
 * Fingerprints of committed least-squares results computed with the stop rule before issue 8
 * (objective test on any accepted step). The new rule adds {@code gradient_tolerance} to the
 * solver settings and so changes the fingerprint on purpose: those rows must not be resumed into a
 * run with the new rule. Once the figures are regenerated, the committed results carry the current
 * fingerprint again and these entries match nothing. */
final class OldStopRule {
    static final Set<String> FINGERPRINTS = Set.of("da5f1d1e5345", "8c89504b7ce2");

    private OldStopRule() {
    }
}
