package org.prefixmoe.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.prefixmoe.estimation.moe.MixtureFit;
import org.prefixmoe.model.moe.Block;
import org.prefixmoe.model.moe.Components;
import org.prefixmoe.model.moe.MixtureOfExperts;

/**
 * Estimates of a mixture-of-experts family member as JSON: one mapping of named blocks per
 * component ({@code {"beta1": [..], "beta0": [..], "a": [..], "b": [..], "nu": [..]}}), and the fit's
 * report. Written atomically.
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
        List<Map<String, Object>> comps = new ArrayList<>();
        for (int k = 0; k < fit.estimate().size(); k++) {
            double[] atom = model.atom(fit.estimate(), k);
            Map<String, Object> c = new LinkedHashMap<>();
            int offset = 0;
            for (Block b : model.blocks()) {
                c.put(b.name(), java.util.Arrays.copyOfRange(atom, offset, offset + b.size()));
                offset += b.size();
            }
            comps.add(c);
        }
        m.put("components", comps);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("logLikelihood", fit.logLikelihood());
        report.put("iterations", fit.iterations());
        report.put("converged", fit.converged());
        report.put("stopReason", fit.stopReason().label());
        m.put("fit", report);
        AtomicFiles.write(file, out -> Tree.JSON.writerWithDefaultPrettyPrinter().writeValue(out, m));
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
        List<Tree> comps = t.mappings("components", true, "components", "the named blocks");
        List<Block> blocks = model.blocks();
        int gateSize = model.gate().parameterCount();
        int expertSize = model.expert().parameterCount();
        double[][] gate = new double[comps.size()][];
        double[][] expert = new double[comps.size()][];
        boolean variance = blocks.stream().anyMatch(b -> b.name().equals("nu"));
        double[] nu = variance ? new double[comps.size()] : null;
        Set<String> names = new java.util.HashSet<>();
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
            gate[k] = java.util.Arrays.copyOfRange(atom, 0, gateSize);
            expert[k] = java.util.Arrays.copyOfRange(atom, gateSize, gateSize + expertSize);
            if (variance) {
                nu[k] = atom[gateSize + expertSize];
            }
        }
        Components out = new Components(gate, expert, nu);
        MixtureOfExperts sized = model.withComponents(comps.size());
        t.check(() -> {
            sized.check("components", out);
            return null;
        });
        return out;
    }
}
