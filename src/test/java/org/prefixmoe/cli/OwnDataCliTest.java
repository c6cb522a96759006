package org.prefixmoe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.prefixmoe.cli.HostileInputTest.Run;

/** Issue 18 on the command line: fitting one's own data with a model without a truth. */
class OwnDataCliTest {
    static final String EXPERTS = Path.of("simulations/models/default-experts.yaml").toAbsolutePath().toString();
    static final String TRUTH = Path.of("simulations/models/default-shared-linear.yaml").toAbsolutePath().toString();

    @TempDir
    static Path shared;
    @TempDir
    Path dir;

    /** Data from the default truth, with the columns renamed and reordered as a user's file might have them. */
    static Path own;
    static Path plain;

    @BeforeAll
    static void data() throws IOException {
        plain = shared.resolve("plain.csv");
        Run r = HostileInputTest.run(shared, "sample", TRUTH, "-n", "400", "--seed", "5", "-o", plain.toString());
        assertEquals(0, r.status(), r.err());
        List<String> lines = Files.readAllLines(plain);
        StringBuilder sb = new StringBuilder("id,resp_b,feat_1,feat_2,feat_3,feat_4,resp_a\n");
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",");
            sb.append("row").append(i).append(',').append(f[5]).append(',').append(f[0]).append(',').append(f[1])
                    .append(',').append(f[2]).append(',').append(f[3]).append(',').append(f[4]).append('\n');
        }
        own = shared.resolve("own.csv");
        Files.writeString(own, sb);
    }

    static Run run(Path dir, String... args) {
        return HostileInputTest.run(dir, args);
    }

    @Test
    void fitWithoutATruthNeedsNoTruthAnywhere() throws IOException {
        Path est = dir.resolve("est.json");
        Run r = run(dir, "fit", own.toString(), "-m", EXPERTS, "-L", "3", "--x", "feat_*", "--y", "resp_a,resp_b",
                "--restarts", "2", "--threads", "1", "-o", est.toString());
        assertTrue(r.status() == 0 || r.status() == Main.FIT_FAILED, r.err());
        assertTrue(r.out().contains("fit of 3 atoms (shared-linear) to 400 samples"), r.out());
        assertTrue(Files.readString(est).contains("\"parameterization\" : \"shared-linear\""));
        // the same columns by position give the same fit as the plain file
        Path byPosition = dir.resolve("pos.json");
        Path fromPlain = dir.resolve("plain.json");
        assertEquals(r.status(), run(dir, "fit", own.toString(), "-m", EXPERTS, "-L", "3", "--x", "3-6", "--y", "7,2",
                "--restarts", "2", "--threads", "1", "-o", byPosition.toString()).status());
        assertEquals(r.status(), run(dir, "fit", plain.toString(), "-m", EXPERTS, "-L", "3", "--restarts", "2",
                "--threads", "1", "-o", fromPlain.toString()).status());
        assertEquals(Files.readString(est), Files.readString(byPosition));
        assertEquals(Files.readString(est), Files.readString(fromPlain));
        // L = 1 < the old placeholder's L* = 2 is allowed: there is no truth to compare with
        Run one = run(dir, "fit", plain.toString(), "-m", EXPERTS, "-L", "1", "--restarts", "1", "--threads", "1");
        assertTrue(one.status() == 0 || one.status() == Main.FIT_FAILED, one.err());
    }

    @Test
    void whatNeedsATruthSaysSoInOneLineNamingTheFile() {
        for (String[] args : new String[][] {
            {"sample", EXPERTS, "-n", "10", "-o", dir.resolve("s.csv").toString()},
            {"loss", dir.resolve("e.json").toString(), "-m", EXPERTS},
        }) {
            Run r = run(dir, args);
            assertEquals(2, r.status(), args[0] + ": " + r.err());
            assertTrue(r.err().startsWith("error: " + EXPERTS + ": field 'atoms'") && r.err().contains(
                    "a model without a truth") && r.err().strip().lines().count() == 1, r.err());
        }
        Run r = run(dir, "fit", plain.toString(), "-m", EXPERTS, "-L", "3", "--init", "near-truth");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--init near-truth") && r.err().contains(EXPERTS)
                && r.err().contains("model without a truth"), r.err());
        r = run(dir, "fit", plain.toString(), "-m", EXPERTS);
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("error: -L: required") && r.err().contains(EXPERTS), r.err());
    }

    @Test
    void badColumnsAreRefusedNamingTheColumnAndTheFile() {
        Run r = run(dir, "fit", own.toString(), "-m", EXPERTS, "-L", "3", "--x", "feat_*", "--y", "resp_c");
        assertEquals(2, r.status());
        assertTrue(r.err().contains(own.toString()) && r.err().contains("--y: no column named 'resp_c'"), r.err());
        // wrong dimension: three inputs for a model of D = 4
        r = run(dir, "fit", own.toString(), "-m", EXPERTS, "-L", "3", "--x", "feat_1,feat_2,feat_3", "--y",
                "resp_a,resp_b");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("dimension 3") && r.err().contains("D is 4") && r.err().contains(own.toString()),
                r.err());
        // the default columns x1.. are not in this file
        r = run(dir, "fit", own.toString(), "-m", EXPERTS, "-L", "3", "--y", "resp_a,resp_b");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("none is named x1") && r.err().contains("--x"), r.err());
        assertFalse(Files.exists(dir.resolve("est.json")));
    }

    // --- predict

    private Path fitEstimate() {
        Path est = dir.resolve("est.json");
        Run r = run(dir, "fit", own.toString(), "-m", EXPERTS, "-L", "3", "--x", "feat_*", "--y", "resp_a,resp_b",
                "--restarts", "1", "--threads", "1", "-o", est.toString());
        assertTrue(r.status() == 0 || r.status() == Main.FIT_FAILED, r.err());
        return est;
    }

    @Test
    void predictWritesFGatesAndResponsibilities() throws IOException {
        Path est = fitEstimate();
        Path out = dir.resolve("pred.csv");
        Run r = run(dir, "predict", est.toString(), "-m", EXPERTS, "--at", own.toString(), "--x", "feat_*", "--y",
                "resp_a,resp_b", "--em", "-o", out.toString());
        assertEquals(0, r.status(), r.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals(401, lines.size());
        assertEquals("feat_1,feat_2,feat_3,feat_4,resp_a,resp_b,f1,f2,gate_pretrained_1,gate_pretrained_2,"
                + "gate_prompt_1,gate_prompt_2,gate_prompt_3,resp_pretrained_1,resp_pretrained_2,resp_prompt_1,"
                + "resp_prompt_2,resp_prompt_3", lines.get(0));
        String[] row = lines.get(1).split(",");
        double gates = 0;
        double resp = 0;
        for (int c = 8; c < 13; c++) {
            gates += Double.parseDouble(row[c]);
            resp += Double.parseDouble(row[c + 5]);
        }
        assertEquals(1, gates, 1e-12);
        assertEquals(1, resp, 1e-12);
        // inputs alone (x1..x4 of the plain file with its y columns dropped): f and gates, the same values
        StringBuilder xs = new StringBuilder("x1,x2,x3,x4\n");
        List<String> plainLines = Files.readAllLines(plain);
        for (int i = 1; i < plainLines.size(); i++) {
            String[] f = plainLines.get(i).split(",");
            xs.append(f[0]).append(',').append(f[1]).append(',').append(f[2]).append(',').append(f[3]).append('\n');
        }
        Path inputs = dir.resolve("inputs.csv");
        Files.writeString(inputs, xs);
        Path out2 = dir.resolve("pred2.csv");
        r = run(dir, "predict", est.toString(), "-m", EXPERTS, "--at", inputs.toString(), "-o", out2.toString());
        assertEquals(0, r.status(), r.err());
        String[] row2 = Files.readAllLines(out2).get(1).split(",");
        assertEquals(4 + 2 + 5, row2.length);
        for (int c = 0; c < 4 + 2 + 5; c++) {
            assertEquals(row[c < 4 ? c : c + 2], row2[c], "column " + c);
        }
    }

    @Test
    void predictRefusesHostileInputs() throws IOException {
        Path est = fitEstimate();
        Path out = dir.resolve("pred.csv");
        // an estimate of another parameterization
        Path nonShared = dir.resolve("ns.json");
        Files.writeString(nonShared, "{\"parameterization\": \"non-shared\", \"atoms\": [[1, 2, 3, 4]], \"biases\": [0]}");
        Run r = run(dir, "predict", nonShared.toString(), "-m", EXPERTS, "--at", plain.toString(), "-o", out.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains(nonShared.toString()) && r.err().contains("field 'parameterization'")
                && r.err().contains("the estimate is non-shared but the model is shared-linear"), r.err());
        // atoms of the wrong dimension
        Path wrong = dir.resolve("wrong.json");
        Files.writeString(wrong, "{\"atoms\": [[1, 2, 3]], \"biases\": [0]}");
        r = run(dir, "predict", wrong.toString(), "-m", EXPERTS, "--at", plain.toString(), "-o", out.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("3 coordinates") && r.err().contains("needs 2"), r.err());
        // NaN among the inputs
        Path nan = dir.resolve("nan.csv");
        Files.writeString(nan, "x1,x2,x3,x4\n0.1,0.2,0.3,0.4\n0.1,NaN,0.3,0.4\n");
        r = run(dir, "predict", est.toString(), "-m", EXPERTS, "--at", nan.toString(), "-o", out.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains(nan.toString()) && r.err().contains("x2 (row 2)")
                && r.err().contains("not a finite number"), r.err());
        // wrong number of inputs, a missing column, --em without responses
        r = run(dir, "predict", est.toString(), "-m", EXPERTS, "--at", own.toString(), "--x", "feat_1,feat_2", "-o",
                out.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("2 input columns") && r.err().contains("D is 4"), r.err());
        r = run(dir, "predict", est.toString(), "-m", EXPERTS, "--at", own.toString(), "--x", "feat_*", "--y", "nope",
                "-o", out.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains(own.toString()) && r.err().contains("--y: no column named 'nope'"), r.err());
        Path inputs = dir.resolve("inputs.csv");
        Files.writeString(inputs, "x1,x2,x3,x4\n0.1,0.2,0.3,0.4\n");
        r = run(dir, "predict", est.toString(), "-m", EXPERTS, "--at", inputs.toString(), "--em", "-o", out.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("no responses columns"), r.err());
        // an estimate without sigma2 cannot give responsibilities
        Path bare = dir.resolve("bare.json");
        Files.writeString(bare, "{\"atoms\": [[1, 0.5]], \"biases\": [0]}");
        r = run(dir, "predict", bare.toString(), "-m", EXPERTS, "--at", plain.toString(), "--em", "-o", out.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--em") && r.err().contains("sigma2"), r.err());
        assertFalse(Files.exists(out), "nothing written on bad input");
        // the output may not be an input
        r = run(dir, "predict", est.toString(), "-m", EXPERTS, "--at", inputs.toString(), "-o", inputs.toString());
        assertEquals(2, r.status());
    }

    // --- replay

    @Test
    void replayRecomputesARowBitForBitAndSaysWhenItDiffers() throws IOException {
        Path scenario = TinyCli.scenario(dir);
        Run r = run(dir, "simulate", scenario.toString(), "-q", "--no-plot", "--threads", "1", "-o",
                dir.resolve("sim").toString());
        assertEquals(0, r.status(), r.err());
        Path results = dir.resolve("sim/tiny/results.csv");
        Path data = dir.resolve("replica.csv");
        Path est = dir.resolve("replica.json");
        r = run(dir, "replay", scenario.toString(), "--study", "shared-linear", "-n", "200", "--replicate", "1",
                "--results", results.toString(), "--data", data.toString(), "--estimate", est.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("identical: every deterministic column matches"), r.out());
        assertTrue(r.out().contains("n = 200") && r.out().contains("replicate = 1"), r.out());
        assertEquals(201, Files.readAllLines(data).size());
        assertTrue(Files.readString(est).contains("\"atoms\""));
        // a changed value in the file is found and named
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(results));
        List<String> header = List.of(lines.get(0).split(",", -1));
        int obj = header.indexOf("objective");
        for (int k = 1; k < lines.size(); k++) {
            String[] v = lines.get(k).split(",", -1);
            if (v[header.indexOf("n")].equals("200") && v[header.indexOf("replicate")].equals("1")) {
                v[obj] = "0.5";
                lines.set(k, String.join(",", v));
            }
        }
        Path tampered = dir.resolve("tampered.csv");
        Files.write(tampered, lines);
        r = run(dir, "replay", scenario.toString(), "--study", "shared-linear", "-n", "200", "--replicate", "1",
                "--results", tampered.toString());
        assertEquals(ReplayCommand.DIFFERS, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("differs") && r.out().contains("objective (0.5 in the file"), r.out());
        // bad coordinates are named
        r = run(dir, "replay", scenario.toString(), "--study", "nope", "-n", "200", "--replicate", "1");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("no study 'nope'") && r.err().contains("shared-linear"), r.err());
        r = run(dir, "replay", scenario.toString(), "--study", "shared-linear", "-n", "300", "--replicate", "1");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("n = 300 is not a sample size"), r.err());
        r = run(dir, "replay", scenario.toString(), "--study", "shared-linear", "-n", "200", "--replicate", "9");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("replicate 9"), r.err());
    }

    /** replay --quick recomputes a row of the quick grid (OUT/NAME-quick/) and reads quick coordinates. */
    @Test
    void replayQuickUsesTheQuickGrid() throws IOException {
        Path scenario = dir.resolve("tiny.yaml");
        Files.writeString(scenario, "name: tiny\nseed: 1\nstudies:\n  - {truth: "
                + Path.of("simulations/models/default-shared-linear.yaml").toAbsolutePath() + ", L: 2}\n"
                + "sizes: [100, 200, 400]\nreplicates: 3\nquick:\n  sizes: [150, 250]\n  replicates: 1\n");
        Run r = run(dir, "simulate", scenario.toString(), "--quick", "-q", "--no-plot", "--threads", "1", "-o",
                dir.resolve("sim").toString());
        assertEquals(0, r.status(), r.out() + r.err());
        Path results = dir.resolve("sim/tiny-quick/results.csv");
        assertEquals(1 + 2, Files.readAllLines(results).size());
        r = run(dir, "replay", scenario.toString(), "--quick", "--study", "shared-linear", "-n", "250", "--replicate", "0",
                "--results", results.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("identical: every deterministic column matches"), r.out());
        // n = 250 is a size of the quick grid only
        r = run(dir, "replay", scenario.toString(), "--study", "shared-linear", "-n", "250", "--replicate", "0");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("n = 250 is not a sample size"), r.err());
        // and the full grid's n = 400 is not in the quick one
        r = run(dir, "replay", scenario.toString(), "--quick", "--study", "shared-linear", "-n", "400", "--replicate", "0");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("n = 400 is not a sample size"), r.err());
    }

    @Test
    void replayThroughTheApiGivesTheStudyRow() {
        org.prefixmoe.simulation.Scenario s;
        try {
            s = org.prefixmoe.simulation.ScenarioFiles.read(TinyCli.scenario(dir));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        org.prefixmoe.simulation.Task t = org.prefixmoe.simulation.Tasks.all(s).get(3);
        org.prefixmoe.simulation.Tasks.Replay replay = org.prefixmoe.simulation.Tasks.replay(s, t);
        assertEquals(org.prefixmoe.simulation.Tasks.run(s, t).deterministicValues(), replay.row().deterministicValues());
        assertEquals(t.n(), replay.data().size());
        assertEquals(replay.row().objective(), replay.fit().objective());
    }
}
