package org.prefixmoe.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.prefixmoe.estimation.FitProblem;
import org.prefixmoe.estimation.GaussNewtonCertificate;
import org.prefixmoe.simulation.ResultRow;
import org.prefixmoe.simulation.ResultsFile;
import org.prefixmoe.simulation.Scenario;
import org.prefixmoe.simulation.ScenarioFiles;
import org.prefixmoe.simulation.Task;
import org.prefixmoe.simulation.Tasks;

/**
 * Are a run's converged but not certified least-squares ends early stops? For every such row of {@code RESULTS}
 * (converged, Gauss–Newton decrement above {@link GaussNewtonCertificate#TOLERANCE}), the task is replayed from
 * {@code SCENARIO} (the same data and fit) and continued for {@link GaussNewtonCertificate#CONFIRM_ITERATIONS}
 * iterations at tolerance 1e-15, as {@code fit} does before it warns; prints the promise and the relative decrease
 * found, and how many exceed the tolerance (issue 23, docs/solver-flat-sets.md).
 *
 * <pre>java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes:$(cat target/cp.txt) \
 *     org.prefixmoe.bench.NotCertifiedContinuation SCENARIO RESULTS</pre>
 */
public final class NotCertifiedContinuation {
    private NotCertifiedContinuation() {
    }

    /**
     * Runs the check.
     *
     * @param args the scenario file and the results file it wrote
     * @throws IOException if a file cannot be read
     */
    public static void main(String[] args) throws IOException {
        Scenario s = ScenarioFiles.read(Path.of(args[0]));
        int flagged = 0;
        int confirmed = 0;
        double largest = 0;
        for (ResultRow row : ResultsFile.read(Path.of(args[1]))) {
            if (!row.converged() || !(row.gaussNewtonDecrement() > GaussNewtonCertificate.TOLERANCE)) {
                continue;
            }
            Task t = Tasks.task(s, row.study(), row.n(), row.replicate());
            Tasks.Replay replay = Tasks.replay(s, t);
            Scenario.Study st = s.studies().get(t.study());
            FitProblem problem = new FitProblem(st.fitted().model(), replay.data(), st.atoms(), st.fitted().box());
            double gain = GaussNewtonCertificate.continuationGain(problem, replay.fit().estimate(),
                    GaussNewtonCertificate.CONFIRM_ITERATIONS);
            flagged++;
            confirmed += gain > GaussNewtonCertificate.TOLERANCE ? 1 : 0;
            largest = Math.max(largest, gain);
            System.out.printf(Locale.ROOT, "%s n=%d replicate=%d promise %.3g continuation %.3g%n", row.study(),
                    row.n(), row.replicate(), row.gaussNewtonDecrement(), gain);
        }
        System.out.printf(Locale.ROOT, "%d converged ends not certified; %d lower by more than %.0e after %d more"
                + " iterations at tolerance 1e-15 (largest %.3g)%n", flagged, confirmed,
                GaussNewtonCertificate.TOLERANCE, GaussNewtonCertificate.CONFIRM_ITERATIONS, largest);
    }
}
