package example;

import java.util.List;
import org.prefixmoe.io.DefaultTruths;
import org.prefixmoe.simulation.Engine;
import org.prefixmoe.simulation.ResultRow;
import org.prefixmoe.simulation.Scenario;
import org.prefixmoe.simulation.Summary;
import org.prefixmoe.simulation.Task;
import org.prefixmoe.simulation.Tasks;

/**
 * A small Monte Carlo study built in code and run through the library jar's public API: the
 * scenario builder, the engine into memory, one task recomputed by the public task runner (same
 * row), and the summary's slopes; exits with status 1 if anything disagrees.
 */
public final class StudyInCode {
    public static void main(String[] args) {
        Scenario study = Scenario.builder()
                .name("downstream").seed(2025)
                .study("shared-linear", DefaultTruths.sharedLinear(), 3)
                .sizes(200, 400, 800).replicates(3)
                .solver("max_iterations", 100)
                .build();
        List<ResultRow> rows = new Engine(2, null).run(study);
        Task last = Tasks.all(study).get(rows.size() - 1);
        boolean same = Tasks.run(study, last).deterministicValues().equals(rows.get(rows.size() - 1)
                .deterministicValues());
        Summary.Rate d1 = Summary.of(rows).rate("shared-linear", "d1").orElseThrow();
        System.out.printf("downstream study: %d rows (fingerprint %s), D1 slope %.2f, task rerun identical: %s%n",
                rows.size(), study.fingerprint(), d1.fit().slope(), same);
        if (rows.size() != 9 || !same || rows.stream().anyMatch(r -> r.estimate().isEmpty())) {
            System.exit(1);
        }
    }
}
