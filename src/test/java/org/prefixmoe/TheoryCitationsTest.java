package org.prefixmoe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README, the javadoc and the shipped scenario and model files cite the project's own theory
 * page, {@code docs/theory.md §N}, never a specification or a shared folder outside the
 * repository (which a clone does not have), and every section they cite exists.
 */
class TheoryCitationsTest {
    private static final Pattern FOREIGN = Pattern.compile("\\bSPEC(\\.md|'s|\\s*§)|\\.\\./shared|shared/default-truth");
    private static final Pattern CITED = Pattern.compile("docs/theory\\.md,? §(\\d+)");

    private static List<Path> files() throws IOException {
        List<Path> out = new ArrayList<>(List.of(Path.of("README.md"), Path.of("docs/theory.md")));
        for (String root : List.of("src/main/java", "simulations")) {
            try (Stream<Path> s = Files.walk(Path.of(root))) {
                s.filter(p -> p.toString().matches(".*\\.(java|yaml|yml|json)$")).sorted().forEach(out::add);
            }
        }
        return out;
    }

    @Test
    void onlyTheProjectsOwnTheoryPageIsCited() throws IOException {
        List<String> foreign = new ArrayList<>();
        TreeSet<Integer> cited = new TreeSet<>();
        for (Path f : files()) {
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                if (FOREIGN.matcher(lines.get(i)).find()) {
                    foreign.add(f + ":" + (i + 1) + ": " + lines.get(i).strip());
                }
                Matcher m = CITED.matcher(lines.get(i));
                while (m.find()) {
                    cited.add(Integer.parseInt(m.group(1)));
                }
            }
        }
        assertEquals(List.of(), foreign, "cite docs/theory.md §N instead");
        String theory = Files.readString(Path.of("docs/theory.md"), StandardCharsets.UTF_8);
        for (int section : cited) {
            assertTrue(theory.contains("\n## §" + section + " "), "docs/theory.md has no §" + section);
        }
        assertTrue(cited.containsAll(List.of(2, 3, 4, 5, 6)), "sections cited: " + cited);
    }
}
