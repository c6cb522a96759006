package org.prefixmoe.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.prefixmoe.io.ModelFiles;
import org.prefixmoe.simulation.ScenarioFiles;
import org.prefixmoe.simulation.Scenario;

/**
 * A scenario file's text made self-contained, for executors that do not see the driver's files:
 * each study's truth (and fitted model) is written out as a model file of its own
 * ({@link ModelFiles#toMap}, exact doubles) and the study points to it. An executor writes these
 * files into a temporary folder and rebuilds the scenario from the text
 * ({@link ScenarioFiles#parse}); the rebuilt scenario must have the driver's fingerprint (the
 * fingerprint covers every setting that changes a row), so its rows are the driver's.
 *
 * @param fileName the scenario file's name (names the scenario when the text has no name)
 * @param text the scenario text, studies pointing to {@code models}
 * @param models model file name → text
 * @param quick whether the run is on the {@code --quick} grid
 * @param fingerprint the driver's fingerprint of the scenario
 */
record PortableScenario(String fileName, String text, Map<String, String> models, boolean quick,
                        String fingerprint) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The portable form of the scenario read from {@code file} (as {@code s}). */
    static PortableScenario of(Path file, Scenario s, boolean quick) {
        String name = file.getFileName().toString();
        ObjectMapper mapper = name.endsWith(".json") ? new ObjectMapper() : new YAMLMapper();
        ObjectMapper yaml = new YAMLMapper();
        try {
            JsonNode root = mapper.readTree(Files.readString(file, StandardCharsets.UTF_8));
            JsonNode studies = root.get("studies");
            Map<String, String> models = new LinkedHashMap<>();
            for (int i = 0; i < s.studies().size(); i++) {
                ObjectNode st = (ObjectNode) studies.get(i);
                Scenario.Study study = s.studies().get(i);
                st.put("name", study.name()); // the default name was the truth file's
                String truth = "study-" + i + "-truth.yaml";
                models.put(truth, yaml.writeValueAsString(ModelFiles.toMap(study.truth())));
                st.put("truth", truth);
                if (st.has("fitted")) {
                    String fitted = "study-" + i + "-fitted.yaml";
                    models.put(fitted, yaml.writeValueAsString(ModelFiles.toMap(study.fitted())));
                    st.put("fitted", fitted);
                }
            }
            return new PortableScenario(name, mapper.writeValueAsString(root), Map.copyOf(models), quick,
                    s.fingerprint());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Rebuilds the scenario (on an executor, or on the driver to check it), on its run's grid. */
    Scenario scenario() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("prefixmoe-scenario");
            for (Map.Entry<String, String> m : models.entrySet()) {
                Files.writeString(dir.resolve(m.getKey()), m.getValue(), StandardCharsets.UTF_8);
            }
            Scenario s = ScenarioFiles.parse(text, dir.resolve(fileName));
            if (!s.fingerprint().equals(fingerprint)) {
                throw new IllegalStateException("the scenario rebuilt from its text has fingerprint " + s.fingerprint()
                        + ", not the driver's " + fingerprint + " (" + fileName + ")");
            }
            return quick ? s.quick() : s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the scenario's model files: " + e.getMessage(), e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder: the OS cleans it up
        }
    }
}
