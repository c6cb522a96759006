package org.prefixmoe.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A test's own main class run in a child JVM with a system property (and the vector module where this JVM has it). */
final class ChildJvm {
    private ChildJvm() {
    }

    /**
     * Runs {@code main} in a child JVM and returns its output lines, the incubator module's warning left out.
     *
     * @param main the class whose {@code main} the child runs
     * @param property a {@code -Dkey=value} option
     * @return the lines it printed; asserts it ended within two minutes with status 0
     */
    static List<String> run(Class<?> main, String property) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(java.toString()));
        if (Evaluator.vectorKernelAvailable()) {
            cmd.add("--add-modules");
            cmd.add("jdk.incubator.vector");
        }
        cmd.addAll(List.of(property, "-cp", System.getProperty("java.class.path"), main.getName()));
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(proc.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
        assertEquals(0, proc.exitValue(), out);
        return new ArrayList<>(out.lines().filter(l -> !l.contains("incubator")).toList());
    }
}
