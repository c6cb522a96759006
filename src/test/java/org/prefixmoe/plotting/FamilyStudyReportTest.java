package org.prefixmoe.plotting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report page of a family study folder: the summary's Markdown tables become HTML tables,
 * the figures are inline, the scenario's text is escaped, and the page has one title.
 */
class FamilyStudyReportTest {
    @TempDir
    Path dir;

    @Test
    void summaryTablesFiguresAndScenarioOnOnePage() throws IOException {
        Files.copy(Path.of("paper-figures/sgame/sgame-exact/sgame-exact-loss.png"), dir.resolve("a-loss.png"));
        String md = "# a-study\n\nSlopes <by n>:\n\n| study | slope |\n|---|---|\n| k2 | -0.48 |\n| k3 | -0.51 |\n";
        String scenario = "name: a-study\ndescription: x < y & z\n";
        String html = StudyReport.familyHtml("a-study", "fp123", md, Path.of("simulations/moe/a-study.yaml"),
                scenario, dir, "bin/prefixmoe simulate simulations/moe/a-study.yaml -o out",
                new StudyReport.Versions("test", "17", ""));
        assertEquals(1, html.split("<h1", -1).length - 1, "one h1");
        assertTrue(html.contains("<th>study</th>") && html.contains("<td>-0.51</td>"), "the Markdown table rendered");
        assertTrue(html.contains("Slopes &lt;by n&gt;:"), "Markdown text escaped");
        assertTrue(html.contains("description: x &lt; y &amp; z"), "scenario text escaped");
        assertTrue(html.contains("src=\"data:image/png;base64,"), "figure inline");
        assertTrue(html.contains("a-loss.png") && html.contains("fp123"));
        assertFalse(html.contains("src=\"http"), "nothing loaded from outside");
    }
}
