package org.prefixmoe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's table of contents and its other in-page links lead to headings (GitHub's anchors). */
class ReadmeLinksTest {
    /** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
    static String anchor(String heading) {
        return heading.strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }

    @Test
    void everyInPageLinkLeadsToAHeading() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("README.md"), StandardCharsets.UTF_8);
        Set<String> anchors = new HashSet<>();
        boolean code = false;
        for (String line : lines) {
            if (line.startsWith("```")) {
                code = !code;
            } else if (!code && line.startsWith("#")) {
                anchors.add(anchor(line.replaceFirst("^#+", "")));
            }
        }
        List<String> broken = new ArrayList<>();
        int links = 0;
        Matcher m = Pattern.compile("\\]\\(#([^)]+)\\)").matcher(String.join("\n", lines));
        while (m.find()) {
            links++;
            if (!anchors.contains(m.group(1))) {
                broken.add(m.group(1));
            }
        }
        assertEquals(List.of(), broken, "links without a heading");
        assertTrue(links >= 15, "the table of contents links every section: " + links + " links");
    }

    @Test
    void anchorsAreGitHubs() {
        assertEquals("from-java-sample--fit--loss", anchor(" From Java: sample → fit → loss"));
        assertEquals("em-for-the-gaussian-mixture-of-experts-reading-estimator-em-sampler-density",
                anchor("EM for the Gaussian mixture-of-experts reading (`estimator: em`, `sampler: density`)"));
    }
}
