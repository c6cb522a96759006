package org.prefixmoe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.prefixmoe.model.PrefixModel;

/**
 * The library packages reach a downstream project without the command line's and the plots'
 * dependencies (picocli, XChart and pdfbox are optional in the pom) and without AWT. Checked on
 * the compiled classes, whose constant pools name every class they use, imported or written out.
 */
class ArchitectureTest {
    private static final List<String> LIBRARY = List.of("model", "sampling", "estimation", "loss", "simulation", "io");
    private static final List<String> FORBIDDEN = List.of("picocli/", "org/knowm/", "org/commonmark/", "org/apache/pdfbox/",
            "de/erichseifert/", "java/awt/", "javax/swing/", "javax/imageio/", "org/prefixmoe/cli/",
            "org/prefixmoe/plotting/");

    @Test
    void libraryPackagesUseNeitherCliNorPlottingNorAwt() throws IOException, URISyntaxException {
        Path classes = Path.of(PrefixModel.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> violations = new ArrayList<>();
        int checked = 0;
        for (String pkg : LIBRARY) {
            Path dir = classes.resolve("org/prefixmoe").resolve(pkg);
            assertTrue(Files.isDirectory(dir), "no compiled package " + dir);
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                    checked++;
                    // class names in the constant pool are ASCII in modified UTF-8, so a byte-wise search finds them
                    String pool = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                    for (String name : FORBIDDEN) {
                        if (pool.contains(name)) {
                            violations.add(classes.relativize(f) + " uses " + name);
                        }
                    }
                }
            }
        }
        assertTrue(checked > 50, "only " + checked + " classes found under " + classes);
        assertEquals(List.of(), violations);
    }

    /**
     * Every reference points down the layers cli → bench, plotting → simulation → io → estimation
     * → sampling, loss → model: no class names a package above its own, and the
     * two siblings sampling and loss do not name each other.
     */
    @Test
    void everyReferencePointsDownTheLayers() throws IOException, URISyntaxException {
        java.util.Map<String, Integer> level = java.util.Map.of("cli", 7, "bench", 6, "plotting", 6,
                "simulation", 5, "io", 4, "estimation", 3, "sampling", 2, "loss", 2, "model", 1);
        Path root = Path.of(PrefixModel.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("org/prefixmoe");
        List<String> violations = new ArrayList<>();
        int checked = 0;
        for (var from : level.entrySet()) {
            try (Stream<Path> files = Files.walk(root.resolve(from.getKey()))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                    checked++;
                    String pool = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                    for (var to : level.entrySet()) {
                        boolean up = to.getValue() > from.getValue()
                                || (to.getValue().equals(from.getValue()) && !to.getKey().equals(from.getKey())
                                    && from.getValue() == 2);
                        if (up && pool.contains("org/prefixmoe/" + to.getKey() + "/")) {
                            violations.add(root.relativize(f) + " uses " + to.getKey());
                        }
                    }
                }
            }
        }
        assertTrue(checked > 100, "only " + checked + " classes checked");
        assertEquals(List.of(), violations);
    }

    @Test
    void everyPackageHasAPackageInfo() throws IOException {
        List<String> missing = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            files.filter(p -> p.toString().endsWith(".java")).map(Path::getParent).distinct()
                    .filter(dir -> !Files.exists(dir.resolve("package-info.java")))
                    .forEach(dir -> missing.add(dir.toString()));
        }
        assertEquals(List.of(), missing, "packages without package-info.java");
    }

    @Test
    void theCheckSeesAForbiddenReference() throws IOException, URISyntaxException {
        // the plotting package does use XChart and AWT: the same search must find them there
        Path dir = Path.of(PrefixModel.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("org/prefixmoe/plotting/RatePlot.class");
        String pool = new String(Files.readAllBytes(dir), StandardCharsets.ISO_8859_1);
        assertTrue(pool.contains("org/knowm/") && pool.contains("java/awt/"));
        // and references between the toolkit's own packages (the layering test) are seen too
        String cli = new String(Files.readAllBytes(dir.resolveSibling("../cli/SimulateCommand.class").normalize()),
                StandardCharsets.ISO_8859_1);
        assertTrue(cli.contains("org/prefixmoe/simulation/") && cli.contains("org/prefixmoe/io/"));
    }
}
