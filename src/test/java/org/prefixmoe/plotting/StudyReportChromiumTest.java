package org.prefixmoe.plotting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.prefixmoe.simulation.ResultsReader;
import org.prefixmoe.simulation.Scenario;
import org.prefixmoe.simulation.ScenarioFiles;
import org.prefixmoe.simulation.Summary;

/**
 * The study report of a committed folder (exact-specified), written into a temporary folder with
 * one of its figures, then checked as text and, where Debian's {@code chromium} is installed
 * (.ci/run installs it), in headless Chromium: the DOM it renders has the verdicts, the figure
 * as a data URI and the settings, and a screenshot is written to
 * {@code target/report-screenshot.png}. Without Chromium the browser test is skipped.
 */
class StudyReportChromiumTest {
    @TempDir
    static Path dir;
    static String html;

    @BeforeAll
    static void write() throws IOException {
        Scenario s = ScenarioFiles.read(Path.of("simulations/exact-specified.yaml"));
        Summary sum = Summary.of(ResultsReader.read(Path.of("paper-figures/exact-specified/results.csv"), s).rows(),
                new Summary.Options(s.r(), s.baseline(), s.d1Threshold(), s.margin()));
        Files.copy(Path.of("paper-figures/exact-specified/exact-specified-d1.png"), dir.resolve("exact-specified-d1.png"));
        html = StudyReport.html(s, sum, dir, "bin/prefixmoe figures --only exact-specified --fresh",
                new StudyReport.Versions("test", System.getProperty("java.version"), "vector"));
        Files.writeString(dir.resolve("report.html"), html);
    }

    @Test
    void thePageIsSelfContainedAndComplete() {
        assertTrue(html.contains("src=\"data:image/png;base64,"), "figure inline");
        assertFalse(html.contains("src=\"http"), "nothing loaded from outside");
        assertFalse(html.contains("href=\"http"), "nothing loaded from outside");
        for (String part : List.of("id=\"verdicts\"", "shared-linear", "non-shared", "margin 0.1", "id=\"settings\"",
                "master seed", "20250302", "max_iterations", "id=\"cap-hits\"", "id=\"versions\"",
                "bin/prefixmoe figures --only exact-specified --fresh", "slope on n/log n", "lack of fit",
                "<th>not certified</th>", "<td>0/40</td>", "not certified by their Gauss–Newton model",
                "): 0 of 1200.")) {
            assertTrue(html.contains(part), part);
        }
    }

    private static String chromium() {
        for (String c : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String p : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                if (Files.isExecutable(Path.of(p, c))) {
                    return Path.of(p, c).toString();
                }
            }
        }
        return null;
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium finished");
        assertEquals(0, p.exitValue(), String.join(" ", cmd));
        return new String(out, StandardCharsets.UTF_8);
    }

    @Test
    void headlessChromiumRendersThePage() throws IOException, InterruptedException {
        String chromium = chromium();
        Assumptions.assumeTrue(chromium != null, "no chromium on PATH (apt-get install chromium)");
        Path profile = Files.createDirectories(dir.resolve("profile"));
        String url = dir.resolve("report.html").toUri().toString();
        List<String> base = List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile);
        String dom = run(concat(base, List.of("--dump-dom", url)));
        assertTrue(dom.contains("<h1 id=\"title\">exact-specified</h1>"), dom.substring(0, Math.min(400, dom.length())));
        assertTrue(dom.contains("id=\"verdicts\"") && dom.contains("shared-linear") && dom.contains("agrees"));
        assertTrue(dom.contains("data:image/png;base64,"));
        Path shot = Path.of("target", "report-screenshot.png").toAbsolutePath();
        Files.createDirectories(shot.getParent());
        Files.deleteIfExists(shot);
        run(concat(base, List.of("--screenshot=" + shot, "--window-size=1200,2400", "--hide-scrollbars", url)));
        assertTrue(Files.isRegularFile(shot) && Files.size(shot) > 10_000, "screenshot " + shot);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
