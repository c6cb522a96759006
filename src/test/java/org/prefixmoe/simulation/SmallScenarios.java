package org.prefixmoe.simulation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small scenarios written to a temporary folder, for fast engine tests. */
final class SmallScenarios {
    private SmallScenarios() {
    }

    /** Rows by task key, without their timings: what must agree between two runs. */
    static java.util.Map<String, java.util.List<String>> byKey(java.util.List<ResultRow> rows) {
        return rows.stream().collect(java.util.stream.Collectors.toMap(ResultRow::key, ResultRow::deterministicValues));
    }

    static Path models() {
        return Path.of("simulations/models").toAbsolutePath();
    }

    /** Two studies (over-specified shared-linear, exact non-shared), 2 sizes x 3 replicates. */
    static Scenario small(Path dir) throws IOException {
        Path f = dir.resolve("small.yaml");
        Files.writeString(f, String.join("\n",
                "name: small",
                "seed: 7",
                "studies:",
                "  - {name: shared-linear, truth: " + models().resolve("default-shared-linear.yaml") + ", L: 3}",
                "  - {name: non-shared, truth: " + models().resolve("default-non-shared.yaml") + ", L: 2}",
                "sizes: [150, 300]",
                "replicates: 3",
                "solver: {max_iterations: 60}",
                ""));
        return ScenarioFiles.read(f);
    }
}
