package org.prefixmoe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.prefixmoe.io.ComponentsFiles;
import org.prefixmoe.model.moe.Components;
import org.prefixmoe.simulation.moe.MoeScenario;
import org.prefixmoe.simulation.moe.MoeScenarioFiles;
import picocli.CommandLine;

/** sample, fit, loss and simulate for members of the mixture-of-experts family, from files alone. */
class MoeCliTest {
    @TempDir
    Path dir;

    private static final String SGAME = "simulations/moe/sgame-exact.yaml";
    private static final String GMOE = "simulations/moe/gmoe-truth3-em.yaml";

    private static int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(new StringWriter()));
        cl.setOut(new PrintWriter(new StringWriter()));
        return cl.execute(args);
    }

    @Test
    void sampleFitLossForBothFamilies() {
        for (String model : new String[] {SGAME, GMOE}) {
            MoeScenario s = MoeScenarioFiles.read(Path.of(model));
            Path data = dir.resolve("data.csv");
            Path est = dir.resolve("estimate.json");
            assertEquals(0, run("sample", model, "-n", "4000", "--seed", "3", "-o", data.toString()), model);
            int k = s.model().components() + 1;
            int status = run("fit", data.toString(), "-m", model, "-L", Integer.toString(k), "--restarts", "2", "-o",
                    est.toString());
            assertTrue(status == 0 || status == 3, model + ": " + status);
            Components c = ComponentsFiles.read(est, s.model());
            assertEquals(k, c.size());
            assertEquals(0, run("loss", est.toString(), "-m", model), model);
        }
    }

    @Test
    void simulateRunsAFamilyScenarioIntoItsFolder() throws IOException {
        String text = Files.readString(Path.of(SGAME)).replaceAll("(?m)^sizes:.*$", "sizes: [200, 400, 800, 1600]")
                .replaceAll("(?m)^replicates:.*$", "replicates: 3").replace("name: sgame-exact", "name: tiny-sgame");
        Path scenario = dir.resolve("tiny.yaml");
        Files.writeString(scenario, text);
        Path out = dir.resolve("out");
        assertEquals(0, run("simulate", scenario.toString(), "-o", out.toString(), "-q"));
        Path folder = out.resolve("tiny-sgame");
        for (String f : new String[] {"results.csv", "summary.md", "summary.csv", "rates.csv", "tiny-sgame-loss.png",
            "tiny-sgame-loss-normalized.svg", "report.html"}) {
            assertTrue(Files.exists(folder.resolve(f)), f);
        }
        assertEquals(1 + 2 * 4 * 3, Files.readAllLines(folder.resolve("results.csv")).size());
        // report DIR --scenario FILE redraws the page from the folder alone
        Files.delete(folder.resolve("report.html"));
        assertEquals(0, run("report", folder.toString(), "--scenario", scenario.toString()));
        assertTrue(Files.readString(folder.resolve("report.html")).contains("<table>"), "summary tables rendered");
    }
}
