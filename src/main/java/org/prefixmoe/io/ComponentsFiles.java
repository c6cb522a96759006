package org.prefixmoe.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.prefixmoe.estimation.StopReason;
import org.prefixmoe.estimation.moe.MixtureFit;
import org.prefixmoe.estimation.moe.SharedRoutedFit;
import org.prefixmoe.model.moe.Block;
import org.prefixmoe.model.moe.Components;
import org.prefixmoe.model.moe.MixtureOfExperts;
import org.prefixmoe.model.moe.SharedRoutedMixture;

/**
 * Estimates of a mixture-of-experts family member as JSON: one mapping of named blocks per
 * component ({@code {"beta1": [..], "beta0": [..], "a": [..], "b": [..], "nu": [..]}}), and the fit's
 * report. An estimate of the shared + routed model holds two such lists, {@code shared} and
 * {@code routed}, in place of {@code components}. Written atomically; read back with every error
 * naming the file and the field ({@code routed[1].nu}).
 */
public final class ComponentsFiles {
    private ComponentsFiles() {
    }

    /**
     * Writes an estimate.
     *
     * @param file the JSON file
     * @param model the fitted model
     * @param fit the fit
     */
    public static void write(Path file, MixtureOfExperts model, MixtureFit fit) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model.toString());
        m.put("components", encode(model, fit.estimate()));
        m.put("fit", report(fit.logLikelihood(), fit.iterations(), fit.converged(), fit.stopReason()));
        AtomicFiles.write(file, out -> Tree.JSON.writerWithDefaultPrettyPrinter().writeValue(out, m));
    }

    /**
     * Writes an estimate of the shared + routed model: {@code model} (its description), {@code shared}
     * and {@code routed} (each block's components, as {@link #write(Path, MixtureOfExperts, MixtureFit)}
     * writes a family member's) and the fit's report.
     *
     * @param file the JSON file
     * @param model the fitted model
     * @param fit the fit
     */
    public static void write(Path file, SharedRoutedMixture model, SharedRoutedFit fit) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model.toString());
        m.put("shared", encode(model.shared(), fit.estimate().shared()));
        m.put("routed", encode(model.routed(), fit.estimate().routed()));
        m.put("fit", report(fit.logLikelihood(), fit.iterations(), fit.converged(), fit.stopReason()));
        AtomicFiles.write(file, out -> Tree.JSON.writerWithDefaultPrettyPrinter().writeValue(out, m));
    }

    private static List<Map<String, Object>> encode(MixtureOfExperts model, Components estimate) {
        List<Map<String, Object>> comps = new ArrayList<>();
        for (int k = 0; k < estimate.size(); k++) {
            double[] atom = model.atom(estimate, k);
            Map<String, Object> c = new LinkedHashMap<>();
            int offset = 0;
            for (Block b : model.blocks()) {
                c.put(b.name(), Arrays.copyOfRange(atom, offset, offset + b.size()));
                offset += b.size();
            }
            comps.add(c);
        }
        return comps;
    }

    private static Map<String, Object> report(double logLikelihood, int iterations, boolean converged,
                                              StopReason stopReason) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("logLikelihood", logLikelihood);
        report.put("iterations", iterations);
        report.put("converged", converged);
        report.put("stopReason", stopReason.label());
        return report;
    }

    /**
     * Reads an estimate of {@code model}'s family with any number of components.
     *
     * @param file a JSON or YAML file with {@code components}
     * @param model the family member (its K is ignored: the file's count is used)
     * @return the components, in the model's block order
     * @throws InputFileException naming the file and field
     */
    public static Components read(Path file, MixtureOfExperts model) {
        Tree t = Tree.read(file);
        t.allowOnly(Set.of("model", "components", "fit"));
        return decode(t, "components", model);
    }

    /**
     * Reads an estimate of the shared + routed model with any numbers of components K_1, K_2 (the
     * lengths of its {@code shared} and {@code routed} lists).
     *
     * @param file a JSON or YAML file with {@code shared} and {@code routed}
     * @param model the model (its K_1, K_2 are ignored: the file's counts are used)
     * @return both blocks' components
     * @throws InputFileException naming the file and field
     */
    public static SharedRoutedMixture.Parameters read(Path file, SharedRoutedMixture model) {
        Tree t = Tree.read(file);
        t.allowOnly(Set.of("model", "shared", "routed", "fit"));
        return new SharedRoutedMixture.Parameters(decode(t, "shared", model.shared()), decode(t, "routed", model.routed()));
    }

    /** The components in a list field, checked against {@code model} with the list's length as K. */
    private static Components decode(Tree t, String field, MixtureOfExperts model) {
        List<Tree> comps = t.mappings(field, true, "components", "the named blocks");
        List<Block> blocks = model.blocks();
        int gateSize = model.gate().parameterCount();
        int expertSize = model.expert().parameterCount();
        double[][] gate = new double[comps.size()][];
        double[][] expert = new double[comps.size()][];
        boolean variance = blocks.stream().anyMatch(b -> b.name().equals("nu"));
        double[] nu = variance ? new double[comps.size()] : null;
        Set<String> names = new HashSet<>();
        blocks.forEach(b -> names.add(b.name()));
        for (int k = 0; k < comps.size(); k++) {
            Tree c = comps.get(k);
            c.allowOnly(names);
            double[] atom = new double[gateSize + expertSize + (variance ? 1 : 0)];
            int offset = 0;
            for (Block b : blocks) {
                double[] v = c.isList(b.name()) ? c.vector(b.name()) : new double[] {c.number(b.name())};
                if (v.length != b.size()) {
                    throw c.error(b.name(), "has " + v.length + " numbers, the block needs " + b.size());
                }
                System.arraycopy(v, 0, atom, offset, b.size());
                offset += b.size();
            }
            gate[k] = Arrays.copyOfRange(atom, 0, gateSize);
            expert[k] = Arrays.copyOfRange(atom, gateSize, gateSize + expertSize);
            if (variance) {
                nu[k] = atom[gateSize + expertSize];
            }
        }
        Components out = new Components(gate, expert, nu);
        MixtureOfExperts sized = model.withComponents(comps.size());
        t.check(() -> {
            sized.check(field, out);
            return null;
        });
        return out;
    }
}
