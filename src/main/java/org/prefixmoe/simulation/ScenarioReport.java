package org.prefixmoe.simulation;

import java.util.Locale;
import java.util.stream.Collectors;
import org.prefixmoe.model.Box;
import org.prefixmoe.model.Parameterization;
import org.prefixmoe.model.TruthModel;

/** A Markdown record of the settings a results folder was produced with (docs/theory.md §6: every figure records them). */
public final class ScenarioReport {
    private ScenarioReport() {
    }

    /**
     * The settings of {@code s}, the command that regenerates the folder and, if given, the timing
     * of the last run.
     *
     * @param s the scenario
     * @param command the command that regenerates the folder
     * @param report the last run's report, or null
     * @param threads the threads the run used
     * @return the Markdown text
     */
    public static String markdown(Scenario s, String command, Engine.Report report, int threads) {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(s.name()).append("\n\n");
        if (!s.description().isBlank()) {
            sb.append(s.description().strip()).append("\n\n");
        }
        sb.append("Regenerate with:\n\n    ").append(command).append("\n\n");
        sb.append("| setting | value |\n|---|---|\n");
        sb.append("| scenario file | ").append(s.source().map(f -> "`" + f + "`").orElse("(built in code)")).append(" |\n");
        sb.append("| fingerprint of the settings | `").append(s.fingerprint()).append("` |\n");
        sb.append("| master seed | ").append(s.seed()).append(" |\n");
        sb.append("| sample sizes | ").append(s.sizes().stream().map(n -> Integer.toString(n))
                .collect(Collectors.joining(", "))).append(" |\n");
        sb.append("| replicates | ").append(s.replicates()).append(" |\n");
        sb.append("| estimator | ").append(s.estimator()).append(" |\n");
        sb.append("| solver | ").append(s.solverText()).append(" |\n");
        sb.append(String.format(Locale.ROOT, "| initialization | %s (scale %.3g, decay %.3g), %d start(s) |%n",
                s.init().strategy(), s.init().scale(), s.init().decay(), s.init().restarts()));
        sb.append("| sampler | ").append(s.sampler()).append(" |\n");
        sb.append("| regression error | ").append(s.evalSize()).append(" fresh inputs, one set per scenario |\n");
        sb.append("| losses | ").append(String.join(", ", s.losses())).append(" (r = ").append(s.r()).append(") |\n");
        sb.append("| summary | mean-loss ratios to ").append(s.baseline()).append(", outcome fractions with D_1 > ")
                .append(java.math.BigDecimal.valueOf(s.d1Threshold()).stripTrailingZeros().toPlainString())
                .append(" |\n");
        sb.append("\n| study | truth | parameterization | L* | fitted L | sigma | atom box | bias box |\n")
                .append("|---|---|---|---|---|---|---|---|\n");
        for (Scenario.Study st : s.studies()) {
            Box b = st.fitted().box();
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %d | %.3g | [%s, %s] | [%s, %s] |%n", st.name(),
                    st.truth().name(), st.fitted().model().parameterization().name(), st.truth().trueAtoms(),
                    st.atoms(), st.truth().sigma(), b.atomLower(), b.atomUpper(), b.biasLower(), b.biasUpper()));
        }
        sb.append("\nIdentifiability (docs/theory.md §2): smallest singular value of the key map's Jacobian at each true atom"
                + " (the default shared-linear truth has 0.94; near 0, a shared model behaves like a non-shared one).\n\n")
                .append("| study | smallest singular value of the key Jacobian, per true atom |\n|---|---|\n");
        for (Scenario.Study st : s.studies()) {
            sb.append("| ").append(st.name()).append(" | ").append(keyConditioning(st.truth())).append(" |\n");
        }
        sb.append("\nTimings of every run that computed tasks are in `runs.log`.\n");
        if (report != null && report.ran() > 0) {
            sb.append(String.format(Locale.ROOT, "%nLast run: %d tasks, %d computed (%d already present), %d failed,"
                    + " %d at the iteration cap, %.1f s wall time on %d thread(s) (%d cores available),"
                    + " %.1f fits/s.%n", report.tasks(), report.ran(), report.skipped(), report.failed(),
                    report.capped(), report.seconds(), threads, Runtime.getRuntime().availableProcessors(),
                    report.fitsPerSecond()));
        }
        return sb.toString();
    }

    /** The smallest key singular value at each true atom, or why it does not apply. */
    static String keyConditioning(TruthModel truth) {
        Parameterization map = truth.model().parameterization();
        if (!map.shared()) {
            return "n/a (non-shared: key and value are free coordinates)";
        }
        double[][] atoms = truth.truth().atoms();
        StringBuilder sb = new StringBuilder();
        for (int l = 0; l < atoms.length; l++) {
            double[] sv = map.keySingularValues(atoms[l]);
            sb.append(l == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3g", sv[sv.length - 1]));
        }
        return sb.toString();
    }
}
