package org.prefixmoe.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.prefixmoe.model.TruthModel;

class DefaultTruthsTest {
    @TempDir
    Path dir;

    private static String text(TruthModel t) throws Exception {
        return Tree.YAML.writeValueAsString(ModelFiles.toMap(t));
    }

    @Test
    void eachAccessorReadsTheFileOfSimulationsModels() throws Exception {
        Map<String, Supplier<TruthModel>> truths = Map.of("default-shared-linear", DefaultTruths::sharedLinear,
                "default-shared-nonlinear", DefaultTruths::sharedNonlinear, "default-non-shared", DefaultTruths::nonShared,
                "default-prompt-tuning", DefaultTruths::promptTuning, "default-shared-mlp", DefaultTruths::sharedMlp);
        for (var e : truths.entrySet()) {
            TruthModel file = ModelFiles.read(Path.of("simulations/models", e.getKey() + ".yaml"));
            assertEquals(text(file), text(e.getValue().get()), e.getKey());
        }
    }

    @Test
    void readsInsideAJarFollowingExtends() throws Exception {
        // the resources as the installed jar holds them; extends: default-experts.yaml resolves inside the jar
        Path jar = dir.resolve("truths.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String f : new String[] {"default-experts.yaml", "default-shared-linear.yaml"}) {
                out.putNextEntry(new JarEntry("org/prefixmoe/models/" + f));
                out.write(Files.readAllBytes(Path.of("simulations/models", f)));
                out.closeEntry();
            }
        }
        URL url = new URL("jar:" + jar.toUri() + "!/org/prefixmoe/models/default-shared-linear.yaml");
        Path inJar = ModelFiles.resourcePath(url);
        assertEquals("jar", inJar.toUri().getScheme());
        assertEquals(text(DefaultTruths.sharedLinear()), text(ModelFiles.read(inJar)));
        assertEquals("shared-linear", ModelFiles.read(ModelFiles.resourcePath(url)).name()); // second open reuses it
    }

    @Test
    void unknownResourceIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelFiles.readResource("default-nothing.yaml"));
        assertTrue(e.getMessage().contains("default-nothing.yaml"), e.getMessage());
    }
}
