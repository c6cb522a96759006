package org.prefixmoe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.prefixmoe.cli.HostileInputTest.Run;
import org.prefixmoe.io.ComponentsFiles;
import org.prefixmoe.io.DatasetCsv;
import org.prefixmoe.model.moe.SharedRoutedMixture;
import org.prefixmoe.sampling.Dataset;
import org.prefixmoe.simulation.moe.SharedRoutedScenario;
import org.prefixmoe.simulation.moe.SharedRoutedScenarioFiles;

/**
 * {@code replay}, {@code predict}, {@code sample}, {@code fit} and {@code loss} with a shared + routed
 * scenario file: committed rows of paper-figures/shared-routed replayed bit for bit, predictions as
 * the Java API gives them, an exact-specified fit near the truth, and bad input named.
 */
class SharedRoutedCliTest {
    @TempDir
    Path dir;

    private static final String TH2 = "simulations/moe/shared-routed-th2.yaml";

    private Run run(String... args) {
        return HostileInputTest.run(dir, args);
    }

    private static List<CSVRecord> rows(Reader in) throws IOException {
        return CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(in).getRecords();
    }

    private static List<CSVRecord> rows(Path csv) throws IOException {
        try (Reader in = csv.getFileName().toString().endsWith(".gz")
                ? new InputStreamReader(new GZIPInputStream(Files.newInputStream(csv)), StandardCharsets.UTF_8)
                : Files.newBufferedReader(csv)) {
            return rows(in);
        }
    }

    private static Path committed(int theorem) {
        return Path.of("paper-figures", "shared-routed", "shared-routed-th" + theorem, "results.csv.gz");
    }

    /** Committed rows at n = 100 (those with the fewest EM iterations): identical, data and estimate written. */
    @ParameterizedTest
    @CsvSource({"1, k2-k3, 8", "2, k2-k3, 2", "3, k2-k3, 2", "4, k2-k3-fixed-starts, 2"})
    void replayRecomputesCommittedRowsBitForBit(int theorem, String study, int replicate) throws IOException {
        Path scenario = Path.of("simulations", "moe", "shared-routed-th" + theorem + ".yaml");
        Path data = dir.resolve("data.csv");
        Path est = dir.resolve("est.json");
        Run r = run("replay", scenario.toString(), "--study", study, "-n", "100", "--replicate",
                Integer.toString(replicate), "--results", committed(theorem).toString(), "--data", data.toString(),
                "--estimate", est.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("identical: every deterministic column matches the row in " + committed(theorem)),
                r.out());
        assertTrue(r.out().contains("study = " + study) && r.out().contains("replicate = " + replicate), r.out());
        assertEquals(101, Files.readAllLines(data).size());
        // the estimate file holds the row's estimate, bit for bit
        SharedRoutedScenario s = SharedRoutedScenarioFiles.read(scenario);
        CSVRecord row = rows(committed(theorem)).stream().filter(c -> c.get("study").equals(study)
                && c.get("n").equals("100") && c.get("replicate").equals(Integer.toString(replicate))).findFirst()
                .orElseThrow();
        assertEquals(row.get("estimate"), SharedRoutedScenario.estimate(ComponentsFiles.read(est, s.model())));
    }

    /** A changed column is found and named (exit 4); bad coordinates are named. */
    @Test
    void replayNamesADifference() throws IOException {
        List<String> lines = new ArrayList<>();
        try (var in = new java.io.BufferedReader(new InputStreamReader(new GZIPInputStream(
                Files.newInputStream(committed(3))), StandardCharsets.UTF_8))) {
            in.lines().forEach(lines::add);
        }
        List<String> header = List.of(lines.get(0).split(",", -1));
        int iterations = header.indexOf("iterations");
        boolean changed = false;
        for (int k = 1; k < lines.size(); k++) {
            String[] v = lines.get(k).split(",", -1);
            if (v[header.indexOf("study")].equals("k2-k3") && v[header.indexOf("n")].equals("100")
                    && v[header.indexOf("replicate")].equals("2")) {
                v[iterations] = "35";
                lines.set(k, String.join(",", v));
                changed = true;
            }
        }
        assertTrue(changed);
        Path tampered = dir.resolve("results.csv");
        Files.write(tampered, lines);
        String scenario = "simulations/moe/shared-routed-th3.yaml";
        Run r = run("replay", scenario, "--study", "k2-k3", "-n", "100", "--replicate", "2", "--results",
                tampered.toString());
        assertEquals(ReplayCommand.DIFFERS, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("iterations (35 in the file, 36 now)"), r.out());
        r = run("replay", scenario, "--study", "k9", "-n", "100", "--replicate", "2");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("no study 'k9' in " + scenario + " (studies: k2-k3, k2-k3-fixed-starts)"), r.err());
        r = run("replay", scenario, "--study", "k2-k3", "-n", "100", "--replicate", "0");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("from 1"), r.err());
        r = run("replay", scenario, "--study", "k2-k3", "-n", "100", "--replicate", "1", "--results",
                dir.resolve("none.csv").toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--results: " + dir.resolve("none.csv") + ": no such file"), r.err());
    }

    /** predict from a replayed estimate: f(x), both blocks' gates and the responsibilities, as the Java API gives. */
    @Test
    void predictGivesWhatTheJavaApiGives() throws IOException {
        String scenario = "simulations/moe/shared-routed-th1.yaml";
        Path data = dir.resolve("data.csv");
        Path est = dir.resolve("est.json");
        Path out = dir.resolve("pred.csv");
        Run r = run("replay", scenario, "--study", "k2-k3", "-n", "100", "--replicate", "8", "--data", data.toString(),
                "--estimate", est.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        r = run("predict", est.toString(), "-m", scenario, "--at", data.toString(), "--em", "-o", out.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("at 100 inputs (2 shared, 3 routed components, responsibilities)"), r.out());
        List<CSVRecord> rec = rows(out);
        assertEquals(100, rec.size());
        assertEquals(List.of("x1", "y1", "f1", "gate_shared_1", "gate_shared_2", "gate_routed_1", "gate_routed_2",
                "gate_routed_3", "resp_shared_1", "resp_shared_2", "resp_routed_1", "resp_routed_2", "resp_routed_3"),
                rec.get(0).getParser().getHeaderNames());
        SharedRoutedScenario s = SharedRoutedScenarioFiles.read(Path.of(scenario));
        SharedRoutedMixture.Parameters p = ComponentsFiles.read(est, s.model());
        SharedRoutedMixture m = s.model().withComponents(2, 3);
        Dataset d = DatasetCsv.read(data);
        double[] f = m.regression(p, d.x());
        double[] g = m.gateWeights(p, d.x());
        double[] tau = m.responsibilities(p, d.x(), d.y());
        String[] gates = {"gate_shared_1", "gate_shared_2", "gate_routed_1", "gate_routed_2", "gate_routed_3"};
        for (int i = 0; i < 100; i++) {
            CSVRecord row = rec.get(i);
            assertEquals(f[i], Double.parseDouble(row.get("f1")), 0.0);
            double shared = 0;
            double routed = 0;
            double resp = 0;
            for (int k = 0; k < 5; k++) {
                double gk = Double.parseDouble(row.get(gates[k]));
                assertEquals(g[5 * i + k], gk, 0.0);
                assertEquals(tau[5 * i + k], Double.parseDouble(row.get(gates[k].replace("gate", "resp"))), 0.0);
                shared += k < 2 ? gk : 0;
                routed += k < 2 ? 0 : gk;
                resp += tau[5 * i + k];
            }
            assertEquals(1.0, shared, 1e-12);
            assertEquals(1.0, routed, 1e-12);
            assertEquals(1.0, resp, 1e-12);
        }
        // inputs alone: no responsibility columns
        Path inputs = dir.resolve("inputs.csv");
        List<String> xs = new ArrayList<>();
        for (String line : Files.readAllLines(data)) {
            xs.add(line.substring(0, line.indexOf(',')));
        }
        Files.write(inputs, xs);
        r = run("predict", est.toString(), "-m", scenario, "--at", inputs.toString(), "-o", out.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(!Files.readAllLines(out).get(0).contains("resp_"));
    }

    /** Wrong dimension, missing column, NaN, an estimate of another model: each refused, naming field and file. */
    @Test
    void predictRefusesBadInput() throws IOException {
        String scenario = "simulations/moe/shared-routed-th1.yaml";
        Path est = dir.resolve("est.json");
        Path out = dir.resolve("pred.csv");
        Run r = run("replay", scenario, "--study", "k2-k3", "-n", "100", "--replicate", "8", "--estimate",
                est.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        Path two = dir.resolve("two.csv");
        Files.writeString(two, "x1,x2,y1\n0.1,0.2,1\n");
        r = run("predict", est.toString(), "-m", scenario, "--at", two.toString(), "-o", out.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--at: " + two + " has 2 input columns [x1, x2] but the model's d is 1 ("
                + scenario + ")"), r.err());
        Path noY = dir.resolve("noy.csv");
        Files.writeString(noY, "x1\n0.1\n");
        r = run("predict", est.toString(), "-m", scenario, "--at", noY.toString(), "--em", "-o", out.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains(noY.toString()) && r.err().contains("y"), r.err());
        Path one = dir.resolve("one.csv");
        Files.writeString(one, "x1,y1\n0.1,1\n");
        r = run("predict", est.toString(), "-m", scenario, "--at", one.toString(), "--y", "y2", "-o", out.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains(one.toString()) && r.err().contains("y2"), r.err());
        Path nan = dir.resolve("nan.csv");
        Files.writeString(nan, "x1,y1\n0.1,1\nNaN,2\n");
        r = run("predict", est.toString(), "-m", scenario, "--at", nan.toString(), "-o", out.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains(nan.toString()) && r.err().contains("not a finite number"), r.err());
        Path badNu = dir.resolve("bad.json");
        Files.writeString(badNu, Files.readString(est).replaceFirst("\"nu\" : \\[ [0-9.eE-]+ \\]", "\"nu\" : [ 0.0 ]"));
        r = run("predict", badNu.toString(), "-m", scenario, "--at", one.toString(), "-o", out.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains(badNu + ": field 'shared[0].nu': must be a positive number"), r.err());
        // the estimate of a single mixture is not one of this model
        Path family = dir.resolve("family.json");
        Files.writeString(family, "{\"components\": [{\"a\": [1], \"b\": [0], \"nu\": [1]}]}");
        r = run("predict", family.toString(), "-m", scenario, "--at", one.toString(), "-o", out.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains(family + ": field 'components': unknown field"), r.err());
        assertTrue(!Files.exists(out), "nothing written");
    }

    /** fit --study: a family study's K (with -L refused beside it); a prefix model file has no studies. */
    @Test
    void fitTakesAStudyOfAFamilyScenario() throws IOException {
        String sgame = "simulations/moe/sgame-exact.yaml";
        Path data = dir.resolve("data.csv");
        Path est = dir.resolve("est.json");
        assertEquals(0, run("sample", sgame, "-n", "500", "--seed", "3", "-o", data.toString()).status());
        Run r = run("fit", data.toString(), "-m", sgame, "--study", "k2-fixed-starts", "--restarts", "1", "-o",
                est.toString());
        assertTrue(r.status() == 0 || r.status() == 3, r.out() + r.err());
        assertTrue(r.out().contains("K = 2") && Files.exists(est), r.out());
        r = run("fit", data.toString(), "-m", sgame, "--study", "k2", "-L", "3");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("-L, --study: give one of them"), r.err());
        r = run("fit", data.toString(), "-m", "simulations/models/default-shared-linear.yaml", "--study", "k2");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--study: for family and shared + routed scenario files"), r.err());
    }

    /** sample, fit (exact-specified, n = 4000) and loss: the fit lands near the truth of setting th2. */
    @Test
    void anExactFitRecoversTheTruth() throws IOException {
        Path data = dir.resolve("data.csv");
        Path est = dir.resolve("est.json");
        Run r = run("sample", TH2, "-n", "4000", "--seed", "11", "-o", data.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals(4001, Files.readAllLines(data).size());
        r = run("fit", data.toString(), "-m", TH2, "--restarts", "2", "-o", est.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        SharedRoutedScenario s = SharedRoutedScenarioFiles.read(Path.of(TH2));
        SharedRoutedMixture.Parameters p = ComponentsFiles.read(est, s.model());
        assertEquals(1, p.shared().size());
        assertEquals(2, p.routed().size());
        // truth: shared h = 2x + 0, nu 0.2; routed h = 8x + 2 and -6x + 1, nu 0.4; router beta1 = 0, beta0 = -1
        double[][] expert = {p.shared().expert(0), p.routed().expert(0), p.routed().expert(1)};
        double[][] truth = {{2, 0}, {8, 2}, {-6, 1}};
        for (int k = 0; k < 3; k++) {
            for (int a = 0; a < 2; a++) {
                assertEquals(truth[k][a], expert[k][a], 0.15, "expert " + k + " coordinate " + a);
            }
        }
        assertEquals(0.2, p.shared().variance(0), 0.05);
        assertEquals(-1, p.routed().gate(0)[1], 0.3);
        r = run("loss", est.toString(), "-m", TH2);
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("cells            1/1|1"), r.out());
        // the printed losses are the library's (SharedRoutedScenario.losses), block columns prefixed
        org.prefixmoe.simulation.moe.MoeRunner.Losses l = s.losses(s.model(), p);
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "loss             %.6g%n", l.raw().loss()))
                && r.out().contains(String.format(java.util.Locale.ROOT, "loss_normalized  %.6g%n",
                        l.normalized().loss())), r.out());
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT,
                "block %-10s contribution %.6g, largest error %.6g", "routed-a", l.raw().contributions().get("routed-a"),
                l.raw().errors().get("routed-a"))), r.out());
        // the truth's K_1*, K_2* or a study's; -L is one number and is refused
        r = run("fit", data.toString(), "-m", TH2, "-L", "3");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("-L: the shared + routed model of " + TH2 + " has two numbers of components"),
                r.err());
        r = run("fit", data.toString(), "-m", TH2, "--study", "k9");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--study: no study 'k9' in " + TH2), r.err());
        Path wide = dir.resolve("wide.csv");
        Files.writeString(wide, "x1,x2,y1\n0.1,0.2,1\n0.3,0.4,2\n");
        r = run("fit", wide.toString(), "-m", TH2);
        assertEquals(2, r.status());
        assertTrue(r.err().contains(wide + ": 2 inputs and 1 responses, the model (" + TH2 + ") has d = 1, q = 1"),
                r.err());
    }
}
