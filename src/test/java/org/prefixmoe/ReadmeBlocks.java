package org.prefixmoe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The README's Java blocks are test code: a block is its imports, an empty line, then the lines a
 * test runs between two marker comments. {@link #assertReadmeShows} checks the code line for line
 * and the imports against the test's own (which compile): every import the README shows is one of
 * the test's and is used by the code, and every class of the test's imports that the code uses is
 * imported in the README, so a reader can paste the block into a file and compile it.
 */
public final class ReadmeBlocks {
    private ReadmeBlocks() {
    }

    /**
     * Checks that the {@code index}-th Java block after the README heading {@code heading} shows
     * exactly the code of {@code testSource} between the lines {@code begin} and {@code end}
     * (indentation of 8 removed), preceded by the imports it needs.
     *
     * @param heading the README heading line, e.g. {@code "### A study from Java"}
     * @param index which Java block after the heading, from 0
     * @param testSource the test's source file, relative to the repository root
     * @param begin the marker comment before the code
     * @param end the marker comment after it
     */
    public static void assertReadmeShows(String heading, int index, String testSource, String begin, String end) {
        List<String> test = lines(Path.of(testSource));
        List<String> code = test.subList(indexOf(test, begin, 0) + 1, indexOf(test, end, 0)).stream()
                .map(l -> l.length() >= 8 ? l.substring(8) : l.strip()).toList();
        List<String> readme = lines(Path.of("README.md"));
        int from = indexOf(readme, heading, 0);
        for (int i = 0; i <= index; i++) {
            from = indexOf(readme, "```java", from) + 1;
        }
        List<String> block = readme.subList(from, indexOf(readme, "```", from));
        int blank = block.indexOf("");
        assertTrue(blank > 0 && block.subList(0, blank).stream().allMatch(l -> l.startsWith("import ")),
                "the README block after '" + heading + "' starts with its imports and an empty line: " + block);
        List<String> shown = block.subList(0, blank);
        assertEquals(code, block.subList(blank + 1, block.size()), "the README block after '" + heading
                + "' is the code of " + testSource);
        String body = String.join("\n", code);
        List<String> needed = new ArrayList<>();
        for (String line : test) {
            if (line.startsWith("import ") && !line.startsWith("import static ") && uses(body, line)) {
                needed.add(line);
            }
        }
        for (String line : shown) {
            assertTrue(test.contains(line), "README import '" + line + "' is not one the test compiles with");
            assertTrue(uses(body, line), "README import '" + line + "' is not used by the block");
        }
        assertEquals(needed.stream().sorted().toList(), shown.stream().sorted().toList(),
                "the imports the block after '" + heading + "' needs");
    }

    private static boolean uses(String body, String importLine) {
        String name = importLine.substring(importLine.lastIndexOf('.') + 1, importLine.length() - 1);
        return Pattern.compile("\\b" + Pattern.quote(name) + "\\b").matcher(body).find();
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int indexOf(List<String> lines, String marker, int from) {
        for (int i = from; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(marker)) {
                return i;
            }
        }
        throw new AssertionError("no line '" + marker + "' after line " + from);
    }
}
