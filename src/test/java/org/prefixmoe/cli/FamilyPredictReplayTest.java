package org.prefixmoe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.prefixmoe.cli.HostileInputTest.Run;
import org.prefixmoe.io.ComponentsFiles;
import org.prefixmoe.io.DatasetCsv;
import org.prefixmoe.model.moe.Components;
import org.prefixmoe.model.moe.MixtureOfExperts;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.simulation.moe.MoeScenario;
import org.prefixmoe.simulation.moe.MoeScenarioFiles;

/** predict and replay for family scenario files and family fits. */
class FamilyPredictReplayTest {
    @TempDir
    Path dir;

    private static final String CONTAMINATED = "simulations/moe/contaminated-a.yaml";
    private static final String SGAME = "simulations/moe/sgame-exact.yaml";

    private Run run(String... args) {
        return HostileInputTest.run(dir, args);
    }

    private static List<CSVRecord> rows(Path csv) throws IOException {
        try (Reader in = Files.newBufferedReader(csv)) {
            return CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(in).getRecords();
        }
    }

    /** A family fit (one free component and a frozen one): f(x), gates and responsibilities, as the Java API gives. */
    @Test
    void predictWithAFamilyFit() throws IOException {
        Path data = dir.resolve("data.csv");
        Path est = dir.resolve("est.json");
        Path out = dir.resolve("pred.csv");
        assertEquals(0, run("sample", CONTAMINATED, "-n", "300", "--seed", "5", "-o", data.toString()).status());
        Run r = run("fit", data.toString(), "-m", CONTAMINATED, "--restarts", "1", "-o", est.toString());
        assertTrue(r.status() == 0 || r.status() == 3, r.out() + r.err());
        r = run("predict", est.toString(), "-m", CONTAMINATED, "--at", data.toString(), "--em", "-o", out.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("at 300 inputs (1 components, 1 frozen, responsibilities)"), r.out());
        List<CSVRecord> rec = rows(out);
        assertEquals(300, rec.size());
        List<String> header = rec.get(0).getParser().getHeaderNames();
        assertEquals(List.of("f1", "gate_component_1", "gate_frozen_1", "resp_component_1", "resp_frozen_1"),
                header.subList(9, header.size()));
        MoeScenario s = MoeScenarioFiles.read(Path.of(CONTAMINATED));
        Components c = ComponentsFiles.read(est, s.model());
        MixtureOfExperts m = s.model().withComponents(c.size());
        Dataset d = DatasetCsv.read(data);
        double[] f = m.regression(c, d.x());
        double[] g = m.gateProbabilities(c, d.x());
        double[] tau = m.responsibilities(c, d.x(), d.y());
        for (int i = 0; i < 300; i++) {
            CSVRecord row = rec.get(i);
            assertEquals(d.y()[i], Double.parseDouble(row.get("y1")), 0.0);
            assertEquals(f[i], Double.parseDouble(row.get("f1")), 0.0);
            assertEquals(g[2 * i], Double.parseDouble(row.get("gate_component_1")), 0.0);
            assertEquals(1.0, Double.parseDouble(row.get("gate_component_1")) + Double.parseDouble(row.get("gate_frozen_1")),
                    1e-12);
            assertEquals(tau[2 * i + 1], Double.parseDouble(row.get("resp_frozen_1")), 0.0);
            assertEquals(1.0, Double.parseDouble(row.get("resp_component_1")) + Double.parseDouble(row.get("resp_frozen_1")),
                    1e-12);
        }
        // inputs alone: no responsibility columns; --em needs the responses
        Path inputs = dir.resolve("inputs.csv");
        List<String> lines = Files.readAllLines(data);
        List<String> xs = new ArrayList<>();
        for (String line : lines) {
            xs.add(line.substring(0, line.lastIndexOf(',')));
        }
        Files.write(inputs, xs);
        r = run("predict", est.toString(), "-m", CONTAMINATED, "--at", inputs.toString(), "-o", out.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(!Files.readAllLines(out).get(0).contains("resp_"));
        r = run("predict", est.toString(), "-m", CONTAMINATED, "--at", inputs.toString(), "--em", "-o", out.toString());
        assertEquals(2, r.status(), r.out());
        // an estimate of another family member is refused with the file named
        r = run("predict", est.toString(), "-m", SGAME, "--at", inputs.toString(), "-o", out.toString());
        assertEquals(2, r.status(), r.out());
        assertTrue(r.err().contains(est.toString()) || r.err().contains("--at"), r.err());
    }

    /** The committed SGaME scenario renamed and cut to the given sizes and replicates, written to NAME.yaml. */
    private Path tinySgame(String name, String sizes, int replicates) throws IOException {
        String text = Files.readString(Path.of(SGAME)).replaceAll("(?m)^sizes:.*$", "sizes: [" + sizes + "]")
                .replaceAll("(?m)^replicates:.*$", "replicates: " + replicates)
                .replace("name: sgame-exact", "name: " + name);
        Path scenario = dir.resolve(name + ".yaml");
        Files.writeString(scenario, text);
        return scenario;
    }

    /** replay of a family task: the row of a small simulate run, bit for bit; a changed value is named. */
    @Test
    void replayRecomputesAFamilyRow() throws IOException {
        Path scenario = tinySgame("tiny-sgame", "200, 400", 2);
        Run r = run("simulate", scenario.toString(), "-o", dir.resolve("out").toString(), "-q", "--no-plot");
        assertEquals(0, r.status(), r.out() + r.err());
        Path results = dir.resolve("out/tiny-sgame/results.csv");
        String study = rows(results).get(0).get("study");
        Path data = dir.resolve("replica.csv");
        Path est = dir.resolve("replica.json");
        r = run("replay", scenario.toString(), "--study", study, "-n", "400", "--replicate", "2", "--results",
                results.toString(), "--data", data.toString(), "--estimate", est.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("identical: every deterministic column matches"), r.out());
        assertTrue(r.out().contains("n = 400") && r.out().contains("replicate = 2"), r.out());
        assertEquals(401, Files.readAllLines(data).size());
        MoeScenario s = MoeScenarioFiles.read(scenario);
        assertTrue(ComponentsFiles.read(est, s.model()).size() >= s.model().components());
        // a changed loss is found and named
        List<String> lines = new ArrayList<>(Files.readAllLines(results));
        List<String> header = List.of(lines.get(0).split(",", -1));
        int loss = header.indexOf("loss");
        for (int k = 1; k < lines.size(); k++) {
            String[] v = lines.get(k).split(",", -1);
            if (v[header.indexOf("study")].equals(study) && v[header.indexOf("n")].equals("400")
                    && v[header.indexOf("replicate")].equals("2")) {
                v[loss] = "0.5";
                lines.set(k, String.join(",", v));
            }
        }
        Path tampered = dir.resolve("tampered.csv");
        Files.write(tampered, lines);
        r = run("replay", scenario.toString(), "--study", study, "-n", "400", "--replicate", "2", "--results",
                tampered.toString());
        assertEquals(ReplayCommand.DIFFERS, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("loss (0.5 in the file"), r.out());
        // bad coordinates and options are named
        r = run("replay", scenario.toString(), "--study", "nope", "-n", "400", "--replicate", "1");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("no study 'nope'"), r.err());
        r = run("replay", scenario.toString(), "--study", study, "-n", "400", "--replicate", "0");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("from 1"), r.err());
    }

    /**
     * {@code simulate --quick} of a family scenario: at most 5 replicates into NAME-quick/, every row
     * equal to the full grid's row of the same study, n and replicate (seconds aside); {@code replay
     * --quick} checks a quick row and refuses a replicate beyond the quick grid.
     */
    @Test
    void quickGridIsASubsetOfTheFullGrid() throws IOException {
        Path scenario = tinySgame("tiny-quick", "200, 300", 6);
        Path out = dir.resolve("out");
        Run r = run("simulate", scenario.toString(), "-o", out.toString(), "-q", "--no-plot", "--quick");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("x 5 replicates"), r.out());
        r = run("simulate", scenario.toString(), "-o", out.toString(), "-q", "--no-plot");
        assertEquals(0, r.status(), r.out() + r.err());
        List<Map<String, String>> quick = rows(out.resolve("tiny-quick-quick/results.csv")).stream()
                .map(CSVRecord::toMap).toList();
        List<Map<String, String>> full = rows(out.resolve("tiny-quick/results.csv")).stream()
                .map(CSVRecord::toMap).toList();
        int studies = MoeScenarioFiles.read(scenario).studies().size();
        assertEquals(studies * 2 * 5, quick.size());
        assertEquals(studies * 2 * 6, full.size());
        for (Map<String, String> q : quick) {
            Map<String, String> f = full.stream().filter(x -> x.get("study").equals(q.get("study"))
                    && x.get("n").equals(q.get("n")) && x.get("replicate").equals(q.get("replicate"))).findFirst()
                    .orElseThrow();
            for (String col : q.keySet()) {
                if (!col.equals("seconds")) {
                    assertEquals(f.get(col), q.get(col), col + " of " + q);
                }
            }
        }
        String study = quick.get(0).get("study");
        r = run("replay", scenario.toString(), "--study", study, "-n", "300", "--replicate", "5", "--quick",
                "--results", out.resolve("tiny-quick-quick/results.csv").toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("identical: every deterministic column matches"), r.out());
        r = run("replay", scenario.toString(), "--study", study, "-n", "300", "--replicate", "6", "--quick");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("beyond the 5 replicates of the quick grid"), r.err());
    }
}
