package org.prefixmoe.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.prefixmoe.simulation.ScenarioFiles;
import org.prefixmoe.simulation.Scenario;
import org.prefixmoe.simulation.Task;
import org.prefixmoe.simulation.Tasks;

/** The scenario text an executor rebuilds needs none of the driver's files and gives the driver's rows. */
class PortableScenarioTest {
    @TempDir
    Path dir;

    @Test
    void theRebuiltScenarioNeedsNoModelFileAndComputesTheSameRows() throws IOException {
        // A scenario with relative model paths (files that extend a base file), an unnamed study and a fitted model.
        Path models = dir.resolve("models");
        Files.createDirectories(models);
        try (Stream<Path> s = Files.list(Path.of("simulations/models"))) {
            for (Path p : s.toList()) {
                Files.copy(p, models.resolve(p.getFileName()));
            }
        }
        Path f = dir.resolve("study.yaml");
        Files.writeString(f, String.join("\n",
                "seed: 11",
                "studies:",
                "  - {truth: models/default-shared-linear.yaml, L: 3}",
                "  - {name: ns, truth: models/default-non-shared.yaml, fitted: models/default-non-shared.yaml, L: 2}",
                "sizes: [200]",
                "replicates: 2",
                "solver: {max_iterations: 40, objective_tolerance: 1.0e-9}",
                ""));
        Scenario original = ScenarioFiles.read(f);
        PortableScenario portable = PortableScenario.of(f, original, false);
        assertFalse(portable.text().contains("models/"), portable.text());

        // The executor's view: the driver's files are gone.
        try (Stream<Path> s = Files.walk(models)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        Files.delete(f);
        Scenario rebuilt = portable.scenario();
        assertEquals(original.fingerprint(), rebuilt.fingerprint());
        assertEquals(original.name(), rebuilt.name());
        assertEquals(Tasks.all(original), Tasks.all(rebuilt));
        for (Task t : Tasks.all(original)) {
            assertEquals(Tasks.run(original, t).deterministicValues(), Tasks.run(rebuilt, t).deterministicValues());
        }

        // A text that would rebuild other settings than the driver's is refused, never run.
        PortableScenario other = new PortableScenario(portable.fileName(), portable.text(), portable.models(), false,
                "000000000000");
        IllegalStateException e = assertThrows(IllegalStateException.class, other::scenario);
        assertTrue(e.getMessage().contains("not the driver's 000000000000"), e.getMessage());
    }
}
