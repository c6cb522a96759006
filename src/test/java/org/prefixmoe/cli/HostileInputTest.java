package org.prefixmoe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.prefixmoe.simulation.ResultRow;
import org.prefixmoe.simulation.ResultsFile;
import picocli.CommandLine;

/**
 * The hostile-input suite: one row per probe, run in-process through {@link Main#commandLine}.
 * Each probe writes its input files into a fresh folder, runs one command line, and checks the
 * exit status, that stderr is one line holding the expected words, that its input files are
 * byte-for-byte unchanged and (for refused input) that no file was written. The probes cover
 * every item of issue 10 and the bad inputs handled before it, so that they stay handled.
 * Placeholders: {@code {dir}} the probe's folder, {@code {models}} simulations/models.
 */
class HostileInputTest {
    @TempDir
    static Path shared;

    private static final String MODELS = Path.of("simulations/models").toAbsolutePath().toString();
    private static final String MODEL = MODELS + "/default-shared-linear.yaml";
    private static String data;
    private static String results;
    private static String estimate;
    private static int passed;
    private static int total;

    /** One probe: files, a command line, and what must come out. */
    static final class Probe {
        final String name;
        final String[] args;
        final Map<String, String> files = new LinkedHashMap<>();
        final Map<String, Path> copies = new LinkedHashMap<>();
        final Map<String, java.util.function.UnaryOperator<String>> edits = new LinkedHashMap<>();
        int status;
        List<String> words = new ArrayList<>();
        boolean stdoutEmpty;
        boolean nothingWritten;
        List<String> written = new ArrayList<>();
        List<String> notContaining = new ArrayList<>();
        ThrowingFunction setup;

        Probe(String name, int status, String words, String... args) {
            this.name = name;
            this.status = status;
            this.args = args;
            this.words = words.isEmpty() ? List.of() : List.of(words.split("\\|"));
            this.nothingWritten = status == Main.BAD_INPUT;
        }

        Probe file(String rel, String content) {
            files.put(rel, content);
            return this;
        }

        Probe copy(String rel, String from) {
            copies.put(rel, Path.of(from));
            return this;
        }

        /** A copy whose text is edited first (e.g. a results file with one value changed). */
        Probe copy(String rel, String from, java.util.function.UnaryOperator<String> edit) {
            edits.put(rel, edit);
            return copy(rel, from);
        }

        boolean warningsFirst;

        /** Lines starting "warning: " may come before the one error line. */
        Probe warningsFirst() {
            warningsFirst = true;
            return this;
        }

        /** Words stderr must not contain (e.g. Java exception text). */
        Probe notContaining(String... words) {
            notContaining.addAll(List.of(words));
            return this;
        }

        Probe quietStdout() {
            stdoutEmpty = true;
            return this;
        }

        /** Files expected to exist afterwards (relative), e.g. a marked estimate. */
        Probe writes(String rel, String mustContain) {
            written.add(rel + "\u0000" + mustContain);
            nothingWritten = false;
            return this;
        }

        Probe allowWrites() {
            nothingWritten = false;
            return this;
        }

        Probe setup(ThrowingFunction f) {
            setup = f;
            return this;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    @FunctionalInterface
    interface ThrowingFunction {
        AutoCloseable open(Path dir) throws Exception;
    }

    private static Probe p(String name, int status, String words, String... args) {
        return new Probe(name, status, words, args);
    }

    private static final String BASE = "extends: " + MODELS + "/default-experts.yaml\n";
    /** BASE with the default shared-linear truth's atoms (the base file has none since issue 18). */
    private static final String TRUTH = BASE + "atoms: [[1.0, 0.6], [-0.7, 0.9]]\n";
    private static final String TINY = "name: tiny\nseed: 1\nstudies:\n  - {truth: " + MODEL + ", L: 2}\n"
            + "sizes: [60, 120]\nreplicates: 2\nsolver: {max_iterations: 30}\n";

    @BeforeAll
    static void inputs() throws IOException {
        data = shared.resolve("data.csv").toString();
        Run r = run(shared, "sample", MODEL, "-n", "199", "--seed", "3", "-o", data);
        assertEquals(0, r.status, r.err);
        Files.writeString(shared.resolve("tiny.yaml"), TINY);
        r = run(shared, "simulate", shared.resolve("tiny.yaml").toString(), "-q", "--no-plot", "--threads", "1", "-o",
                shared.resolve("sim").toString());
        assertEquals(0, r.status, r.err);
        results = shared.resolve("sim/tiny/results.csv").toString();
        for (String sh : new String[] {"1/2", "2/2"}) {
            r = run(shared, "simulate", shared.resolve("tiny.yaml").toString(), "-q", "--threads", "1", "--shard", sh,
                    "-o", shared.resolve("shards").toString());
            assertEquals(0, r.status, r.err);
        }
        estimate = shared.resolve("est.json").toString();
        r = run(shared, "fit", data, "-m", MODEL, "--init", "near-truth", "--restarts", "1", "-o", estimate);
        assertEquals(0, r.status, r.err);
    }

    static List<Probe> probes() {
        List<Probe> t = new ArrayList<>();
        // --- model files (issue 10: duplicated key, alias, near-equal atoms, base-file errors; and the old ones)
        t.add(p("model: unknown field", 2, "m.yaml|field 'colour'|unknown field", "sample", "{dir}/m.yaml", "-n", "10",
                "-o", "{dir}/out.csv").file("m.yaml", BASE + "colour: red\n"));
        t.add(p("model: wrong type", 2, "m.yaml|field 'sigma'|expected a number", "sample", "{dir}/m.yaml", "-n", "10",
                "-o", "{dir}/out.csv").file("m.yaml", BASE + "sigma: abc\n"));
        t.add(p("model: wrong dimension of B", 2, "m.yaml|field 'B'", "sample", "{dir}/m.yaml", "-n", "10", "-o",
                "{dir}/out.csv").file("m.yaml", BASE + "B: [[1, 0], [0, 1]]\n"));
        t.add(p("model: NaN", 2, "m.yaml|field 'sigma'|not a finite number", "sample", "{dir}/m.yaml", "-n", "10", "-o",
                "{dir}/out.csv").file("m.yaml", BASE + "sigma: .nan\n"));
        t.add(p("model: infinite entry", 2, "m.yaml|field 'atoms'|not a finite number", "sample",
                "{dir}/m.yaml", "-n", "10", "-o", "{dir}/out.csv").file("m.yaml", BASE + "atoms: [[1, .inf], [0, 1]]\n"));
        t.add(p("model: unknown parameterization", 2, "field 'parameterization'|unknown parameterization 'magic'",
                "sample", "{dir}/m.yaml", "-n", "10", "-o", "{dir}/out.csv").file("m.yaml", BASE
                + "parameterization: magic\n"));
        t.add(p("model: unknown activation", 2, "field 'activation'", "sample", "{dir}/m.yaml", "-n", "10", "-o",
                "{dir}/out.csv").file("m.yaml", BASE + "parameterization: shared-nonlinear\nactivation: relu6\n"));
        t.add(p("model: rank-deficient B", 2, "field 'B'|rank", "sample", "{dir}/m.yaml", "-n", "10", "-o",
                "{dir}/out.csv").file("m.yaml", BASE + "B: [[1, 2], [2, 4], [0, 0], [1, 2]]\n"));
        t.add(p("model: rank-deficient R_K", 2, "field 'R_K'", "sample", "{dir}/m.yaml", "-n", "10", "-o",
                "{dir}/out.csv").file("m.yaml", BASE + "R_K: [[1, 2], [2, 4]]\n"));
        t.add(p("model: equal atoms", 2, "field 'atoms[1]'|equals atoms[0]", "sample", "{dir}/m.yaml", "-n", "10",
                "-o", "{dir}/out.csv").file("m.yaml", BASE + "atoms: [[1.0, 0.6], [1.0, 0.6]]\n"));
        t.add(p("model: atoms 1e-12 apart", 2, "field 'atoms[1]'|within 1.0E-8", "sample", "{dir}/m.yaml", "-n",
                "10", "-o", "{dir}/out.csv").file("m.yaml", BASE + "atoms: [[1.0, 0.6], [1.000000000001, 0.6]]\n"));
        t.add(p("model: zero true value", 2, "field 'atoms[0]'|zero", "sample", "{dir}/m.yaml", "-n", "10", "-o",
                "{dir}/out.csv").file("m.yaml", BASE + "atoms: [[0, 0], [-0.7, 0.9]]\n"));
        t.add(p("model: truth outside its box", 2, "field 'atoms'|outside the box", "sample", "{dir}/m.yaml", "-n",
                "10", "-o", "{dir}/out.csv").file("m.yaml", BASE + "atoms: [[5.0, 0.6], [-0.7, 0.9]]\n"));
        t.add(p("model: duplicated key", 2, "m.yaml|field 'sigma'|given twice", "sample", "{dir}/m.yaml", "-n",
                "10", "-o", "{dir}/out.csv").file("m.yaml", BASE + "sigma: 0.1\nsigma: 5\n"));
        t.add(p("model: duplicated key in JSON", 2, "m.json|field 'sigma'|given twice", "sample", "{dir}/m.json",
                "-n", "10", "-o", "{dir}/out.csv").file("m.json", "{\"extends\": \"" + MODELS
                + "/default-experts.yaml\", \"sigma\": 0.1, \"sigma\": 5}"));
        t.add(p("model: YAML alias", 2, "m.yaml|aliases", "sample", "{dir}/m.yaml", "-n", "10", "-o",
                "{dir}/out.csv").file("m.yaml", BASE + "atoms: [&a0 [1.0, 0.6], [-0.7, 0.9]]\nbiases: [0, 0]\n"
                + "extra: *a0\n"));
        t.add(p("model: error in a base file named by the base", 2, "field 'sigma': in base file|base.yaml|must be >= 0", "sample",
                "{dir}/child.yaml", "-n", "10", "-o", "{dir}/out.csv").file("base.yaml", BASE + "sigma: -1\n")
                .file("child.yaml", "extends: base.yaml\nname: child\n"));
        t.add(p("model: unknown field in a base file", 2, "field 'colour': in base file|base.yaml", "sample", "{dir}/child.yaml",
                "-n", "10", "-o", "{dir}/out.csv").file("base.yaml", BASE + "colour: red\n")
                .file("child.yaml", "extends: base.yaml\nname: child\n"));
        t.add(p("model: missing file", 2, "nope.yaml|no such file", "sample", "{dir}/nope.yaml", "-n", "10", "-o",
                "{dir}/out.csv"));
        t.add(p("model: not YAML", 2, "m.yaml|not valid YAML", "sample", "{dir}/m.yaml", "-n", "10", "-o",
                "{dir}/out.csv").file("m.yaml", "a: [1, 2\n"));
        // --- sizes checked before allocating
        t.add(p("sample -n 2000000000", 2, "--size|Java limit", "sample", MODEL, "-n", "2000000000", "-o",
                "{dir}/out.csv"));
        t.add(p("sample -n 500000000 (memory)", 2, "--size|GiB", "sample", MODEL, "-n", "500000000", "-o",
                "{dir}/out.csv"));
        t.add(p("sample -n 0", 2, "--size|must be positive", "sample", MODEL, "-n", "0", "-o", "{dir}/out.csv"));
        t.add(p("loss --eval-size 2000000000", 2, "--eval-size|Java limit", "loss", "{dir}/est.json", "-m", MODEL,
                "--eval-size", "2000000000").copy("est.json", "ESTIMATE").quietStdout());
        t.add(p("bench --replicates 0", 2, "--replicates|at least 1", "bench", "--replicates", "0").quietStdout());
        t.add(p("bench -L 0", 2, "-L|between 1 and 64", "bench", "-L", "0").quietStdout());
        // --- outputs: never an input, writable before work, names stay inside -o
        t.add(p("sample M -o M", 2, "--output|is an input", "sample", "{dir}/m.yaml", "-n", "10", "-o",
                "{dir}/m.yaml").file("m.yaml", TRUTH + "name: m\n"));
        t.add(p("sample over its base file", 2, "--output|is an input|base.yaml", "sample", "{dir}/child.yaml", "-n",
                "10", "-o", "{dir}/base.yaml").file("base.yaml", TRUTH + "name: b\n")
                .file("child.yaml", "extends: base.yaml\nname: child\n"));
        t.add(p("fit d.csv -o d.csv", 2, "--output|is an input", "fit", "{dir}/d.csv", "-m", MODEL, "-o",
                "{dir}/d.csv").copy("d.csv", "DATA").quietStdout());
        t.add(p("fit -o a symlink to the data", 2, "--output|is an input", "fit", "{dir}/d.csv", "-m", MODEL, "-o",
                "{dir}/link.csv").copy("d.csv", "DATA").quietStdout().setup(dir -> {
                    Files.createSymbolicLink(dir.resolve("link.csv"), dir.resolve("d.csv"));
                    return () -> { };
                }));
        t.add(p("fit -o the data by a path with ..", 2, "--output|is an input", "fit", "{dir}/d.csv", "-m", MODEL,
                "-o", "{dir}/sub/../d.csv").copy("d.csv", "DATA").quietStdout());
        t.add(p("summarize over its own input", 2, "--output|is an input", "summarize", "{dir}/summary.csv")
                .copy("summary.csv", "RESULTS").quietStdout());
        t.add(p("plot over its own input", 2, "--output|is an input", "plot", "{dir}/p.svg", "--name", "p", "-o",
                "{dir}").copy("p.svg", "RESULTS").quietStdout());
        t.add(p("plot --name ../../x", 2, "--name|letters, digits", "plot", "{dir}/results.csv", "--name", "../../x",
                "-o", "{dir}/p").copy("results.csv", "RESULTS").quietStdout());
        t.add(p("plot --name .hidden", 2, "--name", "plot", "{dir}/results.csv", "--name", ".hidden", "-o",
                "{dir}/p").copy("results.csv", "RESULTS").quietStdout());
        t.add(p("plot unknown loss", 2, "--loss|unknown loss 'd9'", "plot", "{dir}/results.csv", "--loss", "d9",
                "-o", "{dir}/p").copy("results.csv", "RESULTS").quietStdout());
        t.add(p("unwritable -o (under a file)", 2, "not writable", "sample", MODEL, "-n", "10", "-o",
                "{dir}/blocker/out.csv").file("blocker", "a file"));
        t.add(p("-o is a folder", 2, "--output|is a folder", "sample", MODEL, "-n", "10", "-o", "{dir}/sub")
                .setup(dir -> {
                    Files.createDirectories(dir.resolve("sub"));
                    return () -> { };
                }));
        t.add(p("fit: unwritable -o found before the fit", 2, "not writable", "fit", "{dir}/d.csv", "-m", MODEL,
                "-L", "3", "--restarts", "20", "-o", "{dir}/blocker/e.json").copy("d.csv", "DATA")
                .file("blocker", "x").quietStdout());
        t.add(p("summarize: unwritable -o", 2, "not writable", "summarize", "{dir}/results.csv", "-o",
                "{dir}/blocker/s").copy("results.csv", "RESULTS").file("blocker", "x").quietStdout());
        t.add(p("simulate: unwritable -o", 2, "not writable", "simulate", "{dir}/tiny.yaml", "-q", "-o",
                "{dir}/blocker/out").file("tiny.yaml", TINY).file("blocker", "x"));
        t.add(p("simulate: -o holds the scenario as README.md", 2, "--output|is an input", "simulate",
                "{dir}/tiny/README.md", "-q", "-o", "{dir}").file("tiny/README.md", TINY));
        // --- destructive options take the lock first
        t.add(p("figures --fresh while another run holds the lock", 1, "being written by another run", "figures",
                "--scenarios", "{dir}/sc", "--fresh", "-q", "--threads", "1", "-o", "{dir}/out")
                .file("sc/tiny.yaml", TINY + "figures: [{name: f, losses: [d1]}]\n")
                .copy("out/tiny/results.csv", "RESULTS").setup(HostileInputTest::holdLock).allowWrites());
        t.add(p("simulate --fresh while another run holds the lock", 1, "being written by another run", "simulate",
                "{dir}/tiny.yaml", "--fresh", "-q", "--threads", "1", "-o", "{dir}/out").file("tiny.yaml", TINY)
                .copy("out/tiny/results.csv", "RESULTS").setup(HostileInputTest::holdLock).allowWrites());
        // --- scenarios
        t.add(p("scenario: seed beyond long", 2, "s.yaml|field 'seed'|out of range", "simulate", "{dir}/s.yaml",
                "-o", "{dir}/out").file("s.yaml", TINY.replace("seed: 1", "seed: 99999999999999999999")));
        t.add(p("scenario: losses []", 2, "field 'losses'|at least one loss", "simulate", "{dir}/s.yaml", "-o",
                "{dir}/out").file("s.yaml", TINY + "losses: []\n"));
        t.add(p("scenario: two figures with one name", 2, "field 'figures[1].name'|used by another figure",
                "simulate", "{dir}/s.yaml", "-o", "{dir}/out").file("s.yaml", TINY
                + "figures: [{name: f, losses: [d1]}, {name: f, losses: [regression]}]\n"));
        t.add(p("scenario: figure name with a path", 2, "field 'figures[0].name'", "simulate", "{dir}/s.yaml", "-o",
                "{dir}/out").file("s.yaml", TINY + "figures: [{name: ../f, losses: [d1]}]\n"));
        t.add(p("scenario: duplicated key", 2, "s.yaml|field 'replicates'|given twice", "simulate", "{dir}/s.yaml",
                "-o", "{dir}/out").file("s.yaml", TINY + "replicates: 3\n"));
        t.add(p("scenario: L < L*", 2, "field 'studies[0].L'|fewer than the truth's L*", "simulate", "{dir}/s.yaml",
                "-o", "{dir}/out").file("s.yaml", TINY.replace("L: 2", "L: 1")));
        t.add(p("scenario: L above the limit", 2, "field 'studies[0].L'|limit of 64", "simulate", "{dir}/s.yaml",
                "-o", "{dir}/out").file("s.yaml", TINY.replace("L: 2", "L: 65")));
        t.add(p("scenario: unknown field", 2, "field 'replicate'|unknown field", "simulate", "{dir}/s.yaml", "-o",
                "{dir}/out").file("s.yaml", TINY + "replicate: 3\n"));
        t.add(p("scenario: no studies", 2, "field 'studies'", "simulate", "{dir}/s.yaml", "-o", "{dir}/out")
                .file("s.yaml", "seed: 1\nstudies: []\nsizes: [10]\nreplicates: 1\n"));
        t.add(p("scenario: invalid model file", 2, "field 'studies[0].truth'|m.yaml|field 'sigma'", "simulate",
                "{dir}/s.yaml", "-o", "{dir}/out").file("m.yaml", BASE + "sigma: -2\n")
                .file("s.yaml", TINY.replace(MODEL, "m.yaml")));
        t.add(p("scenario: zero replicates", 2, "field 'replicates'|positive", "simulate", "{dir}/s.yaml", "-o",
                "{dir}/out").file("s.yaml", TINY.replace("replicates: 2", "replicates: 0")));
        t.add(p("scenario: a size beyond Java's arrays", 2, "s.yaml|field 'sizes'|Java limit", "simulate",
                "{dir}/s.yaml", "-o", "{dir}/out").file("s.yaml", TINY.replace("[60, 120]", "[60, 2000000000]")));
        t.add(p("scenario: eval_size beyond Java's arrays", 2, "s.yaml|field 'eval_size'|Java limit", "simulate",
                "{dir}/s.yaml", "-o", "{dir}/out").file("s.yaml", TINY + "eval_size: 2000000000\n"));
        t.add(p("scenario: YAML anchor", 2, "s.yaml|aliases", "simulate", "{dir}/s.yaml", "-o", "{dir}/out")
                .file("s.yaml", TINY.replace("sizes: [60, 120]", "sizes: &s [60, 120]\nquick: {sizes: *s}")));
        // --- data and fits
        t.add(p("fit: non-UTF-8 CSV", 2, "d.csv|y2 (row 2)|not a number", "fit", "{dir}/d.csv", "-m", MODEL).file("d.csv",
                "x1,x2,x3,x4,y1,y2\n0.1,0.2,0.3,0.4,1,2\n0.1,0.2,0.3,0.4,1,\u00ff\u00fe\n").quietStdout());
        t.add(p("fit: wrong data dimension", 2, "inputs have dimension 3 but the model's D is 4", "fit",
                "{dir}/d.csv", "-m", MODEL).file("d.csv", "x1,x2,x3,y1,y2\n0.1,0.2,0.3,1,2\n").quietStdout());
        t.add(p("fit: NaN in the data", 2, "d.csv|x2 (row 2)|not a finite number", "fit", "{dir}/d.csv", "-m", MODEL)
                .file("d.csv", "x1,x2,x3,x4,y1,y2\n0.1,0.2,0.3,0.4,1,2\n0.1,NaN,0.3,0.4,1,2\n").quietStdout());
        t.add(p("fit: text in the data", 2, "d.csv|y1 (row 1)|not a number", "fit", "{dir}/d.csv", "-m", MODEL)
                .file("d.csv", "x1,x2,x3,x4,y1,y2\n0.1,0.2,0.3,0.4,abc,2\n").quietStdout());
        t.add(p("fit: L < L*", 2, "-L|fewer than the truth's L* = 2", "fit", "{dir}/d.csv", "-m", MODEL, "-L", "1")
                .copy("d.csv", "DATA").quietStdout());
        t.add(p("fit -L 1000 on 199 rows fails fast", 2, "-L|limit of 64", "fit", "{dir}/d.csv", "-m", MODEL, "-L",
                "1000").copy("d.csv", "DATA").quietStdout());
        t.add(p("fit: fewer samples than parameters", 2, "data|2 samples for 6 parameters", "fit", "{dir}/d.csv",
                "-m", MODEL).file("d.csv", "x1,x2,x3,x4,y1,y2\n0.1,0.2,0.3,0.4,1,2\n0.2,0.1,0.3,0.5,0,1\n")
                .quietStdout());
        t.add(p("fit: --restarts 0", 2, "--restarts|at least 1", "fit", "{dir}/d.csv", "-m", MODEL, "--restarts",
                "0").copy("d.csv", "DATA").quietStdout());
        t.add(p("fit: unknown init", 2, "--init|unknown initialization 'lucky'", "fit", "{dir}/d.csv", "-m", MODEL,
                "--init", "lucky").copy("d.csv", "DATA").quietStdout());
        t.add(p("fit: unknown estimator", 2, "estimator: unknown estimator 'magic'", "fit", "{dir}/d.csv", "-m",
                MODEL, "--estimator", "magic").copy("d.csv", "DATA").quietStdout());
        t.add(p("fit stopped at the iteration cap: exit 3, estimate marked", 3, "did not converge|max-iterations",
                "fit", "{dir}/d.csv", "-m", MODEL, "--max-iterations", "1", "--restarts", "1", "-o", "{dir}/e.json")
                .copy("d.csv", "DATA").writes("e.json", "\"converged\" : false"));
        t.add(p("fit that fails numerically: exit 3", 3, "the fit failed|failed", "fit", "{dir}/d.csv", "-m", MODEL,
                "--restarts", "1", "-o", "{dir}/e.json").file("d.csv", hugeResponses()).warningsFirst()
                .writes("e.json", "\"stopReason\" : \"failed\""));
        t.add(p("loss on a non-converged estimate: works, warns", 0, "warning|did not converge", "loss",
                "{dir}/e.json", "-m", MODEL).file("e.json", "{\"parameterization\": \"shared-linear\", \"atoms\":"
                + " [[1.0, 0.6], [-0.7, 0.9]], \"biases\": [0, 0], \"fit\": {\"converged\": false, \"stopReason\":"
                + " \"max-iterations\"}}"));
        t.add(p("loss -r 0 prints nothing first", 2, "-r|positive", "loss", "{dir}/e.json", "-m", MODEL, "-r", "0")
                .copy("e.json", "ESTIMATE").quietStdout());
        t.add(p("loss: estimate of another parameterization", 2, "field 'parameterization'", "loss", "{dir}/e.json",
                "-m", MODEL).file("e.json", "{\"parameterization\": \"non-shared\", \"atoms\": [[1,2,3,4]],"
                + " \"biases\": [0]}").quietStdout());
        t.add(p("loss: estimate with a NaN atom", 2, "e.json|not a finite number", "loss", "{dir}/e.json", "-m",
                MODEL).file("e.json", "{\"atoms\": [[NaN, 1], [0, 1]], \"biases\": [0, 0]}").quietStdout());
        t.add(p("loss: estimate with a duplicated key", 2, "e.json|field 'atoms'|given twice", "loss",
                "{dir}/e.json", "-m", MODEL).file("e.json", "{\"atoms\": [[1, 1]], \"atoms\": [[0, 1]]}")
                .quietStdout());
        // --- results files: one validating reader for resume, summarize, plot and merge
        t.add(p("results: a duplicated row", 2, "results.csv|line 6|already has a row on line 2", "summarize",
                "{dir}/results.csv", "-o", "{dir}/s").copy("results.csv", "RESULTS", r -> r + line(r, 1))
                .quietStdout());
        t.add(p("results: a duplicated row stops the resume", 2, "results.csv|already has a row", "simulate",
                "{dir}/tiny.yaml", "-q", "-o", "{dir}/out").file("tiny.yaml", TINY)
                .copy("out/tiny/results.csv", "RESULTS", r -> r + line(r, 2)));
        t.add(p("results: NaN is not dropped silently", 2, "line 3, column 'd1'|not a finite number", "summarize",
                "{dir}/results.csv", "-o", "{dir}/s").copy("results.csv", "RESULTS", r -> setValue(r, 2, "d1", "NaN"))
                .quietStdout());
        t.add(p("results: text in a loss", 2, "line 2, column 'regression'|not a number: 'abc'", "summarize",
                "{dir}/results.csv", "-o", "{dir}/s").copy("results.csv", "RESULTS",
                        r -> setValue(r, 1, "regression", "abc")).quietStdout());
        t.add(p("results: text in a loss stops the resume before any work", 2, "line 4, column 'd2'|abc",
                "simulate", "{dir}/tiny.yaml", "-q", "-o", "{dir}/out").file("tiny.yaml", TINY).copy(
                        "out/tiny/results.csv", "RESULTS", r -> setValue(r, 3, "d2", "abc")));
        t.add(p("results: text in n", 2, "line 2, column 'n'|not a whole number", "plot", "{dir}/results.csv", "-o",
                "{dir}/p").copy("results.csv", "RESULTS", r -> setValue(r, 1, "n", "x")).quietStdout());
        t.add(p("results: unknown status", 2, "line 5, column 'status'|'maybe'", "summarize", "{dir}/results.csv",
                "-o", "{dir}/s").copy("results.csv", "RESULTS", r -> setValue(r, 4, "status", "maybe")).quietStdout());
        t.add(p("results: unknown stop reason", 2, "column 'stop_reason'", "summarize", "{dir}/results.csv", "-o",
                "{dir}/s").copy("results.csv", "RESULTS", r -> setValue(r, 1, "stop_reason", "bored")).quietStdout());
        t.add(p("results: a negative replicate", 2, "column 'replicate'", "summarize", "{dir}/results.csv", "-o",
                "{dir}/s").copy("results.csv", "RESULTS", r -> setValue(r, 1, "replicate", "-1")).quietStdout());
        t.add(p("results: converged neither true nor false", 2, "column 'converged'", "summarize",
                "{dir}/results.csv", "-o", "{dir}/s").copy("results.csv", "RESULTS",
                        r -> setValue(r, 1, "converged", "yes")).quietStdout());
        t.add(p("results: TRUE/FALSE booleans are read", 0, "", "summarize", "{dir}/results.csv", "-o", "{dir}/s")
                .copy("results.csv", "RESULTS", r -> r.replace(",true,", ",TRUE,").replace(",false,", ",FALSE,"))
                .allowWrites());
        t.add(p("results: a missing value (line number right)", 2, "line 3 has "
                + (ResultRow.COLUMNS.size() - 1) + " values, expected " + ResultRow.COLUMNS.size(), "summarize",
                "{dir}/results.csv", "-o", "{dir}/s").copy("results.csv", "RESULTS",
                        r -> replaceLine(r, 2, line(r, 2).substring(0, line(r, 2).lastIndexOf(',')) + "\n"))
                .quietStdout());
        t.add(p("results: two fingerprints in one file", 2, "line 3, column 'fingerprint'|mixes scenario settings",
                "summarize", "{dir}/results.csv", "-o", "{dir}/s").copy("results.csv", "RESULTS",
                        r -> setValue(r, 2, "fingerprint", "0123456789ab")).quietStdout());
        t.add(p("results: rows of other settings refused on resume", 2, "column 'fingerprint'|scenario's",
                "simulate", "{dir}/tiny.yaml", "-q", "-o", "{dir}/out").file("tiny.yaml", TINY.replace("seed: 1",
                        "seed: 2")).copy("out/tiny/results.csv", "RESULTS"));
        t.add(p("results: not a results file", 2, "line 1|not a results file", "summarize", "{dir}/results.csv",
                "-o", "{dir}/s").file("results.csv", "x1,y1\n1,2\n").quietStdout());
        t.add(p("results: missing file", 2, "no such results file", "summarize", "{dir}/nope.csv", "-o", "{dir}/s")
                .quietStdout());
        t.add(p("results: merge refuses a bad row", 2, "line 2, column 'd1'", "merge", "{dir}/a", "-o", "{dir}/m")
                .copy("a/results.csv", "RESULTS", r -> setValue(r, 1, "d1", "-3")).quietStdout());
        t.add(p("results: rows outside the grid reported, left out (summarize --scenario)", 0,
                "2 row(s) outside the scenario's grid", "summarize", "{dir}/results.csv", "--scenario",
                "{dir}/tiny.yaml", "-o", "{dir}/s").file("tiny.yaml", TINY.replace("replicates: 2", "replicates: 1"))
                .copy("results.csv", "RESULTS").allowWrites());
        t.add(p("results: rows outside the grid after lowering replicates (simulate)", 0,
                "2 row(s) outside the scenario's grid", "simulate", "{dir}/tiny.yaml", "-q", "-o", "{dir}/out")
                .file("tiny.yaml", TINY.replace("replicates: 2", "replicates: 1"))
                .copy("out/tiny/results.csv", "RESULTS").allowWrites());
        t.add(p("results: a malformed stored estimate", 2, "line 2, column 'estimate'", "summarize",
                "{dir}/results.csv", "-o", "{dir}/s").copy("results.csv", "RESULTS",
                        r -> setValue(r, 1, "estimate", "1;2|x")).quietStdout());
        // --- issue 20: data loss
        t.add(p("fit --start S -o S: the start is an input", 2, "--output|is an input|s.json", "fit", "{dir}/d.csv",
                "-m", MODEL, "--start", "{dir}/s.json", "-o", "{dir}/s.json").copy("d.csv", "DATA")
                .copy("s.json", "ESTIMATE").quietStdout());
        t.add(p("simulate over a data CSV without a final newline as results.csv: refused untouched", 2,
                "results.csv|not a results file", "simulate", "{dir}/tiny.yaml", "-q", "-o", "{dir}/out")
                .file("tiny.yaml", TINY).file("out/tiny/results.csv", "x1,y1\n1,2\n3,4"));
        t.add(p("simulate over a symlink to a data CSV as results.csv: refused untouched", 2,
                "results.csv|not a results file", "simulate", "{dir}/tiny.yaml", "-q", "-o", "{dir}/out")
                .file("tiny.yaml", TINY).file("d.csv", "x1,y1\n1,2\n3,4").setup(dir -> {
                    Files.createDirectories(dir.resolve("out/tiny"));
                    Files.createSymbolicLink(dir.resolve("out/tiny/results.csv"), dir.resolve("d.csv"));
                    return () -> { };
                }));
        // --- issue 20: false convergence
        t.add(p("fit em on responses scaled by 10^6: no-progress, exit 3, scale warning", 3,
                "warning|responses y|rescale|did not converge (stopped: no-progress)", "fit", "{dir}/d.csv", "-m",
                MODEL, "-L", "3", "--estimator", "em", "--restarts", "1").copy("d.csv", "DATA",
                        r -> scaleColumns(r, 4, 1e6)).warningsFirst().allowWrites());
        t.add(p("fit em on inputs scaled by 10^6: no-progress, exit 3, scale warning", 3,
                "warning|inputs x|did not converge (stopped: no-progress)", "fit", "{dir}/d.csv", "-m",
                MODEL, "-L", "3", "--estimator", "em", "--restarts", "1").copy("d.csv", "DATA",
                        r -> scaleColumns(r, 0, 1e6)).warningsFirst().allowWrites());
        t.add(p("simulate: estimator em on regression-sampler data warns", 0,
                "warning|estimator em on data from the regression sampler|sampler: density", "simulate",
                "{dir}/tiny.yaml", "-q", "--no-plot", "--threads", "1", "-o", "{dir}/out")
                .file("tiny.yaml", TINY + "estimator: em\n").allowWrites());
        // --- issue 20: merge completeness (the shards' manifests say i/k and their tasks)
        t.add(p("merge: shard 1 of 2 alone is refused", 2, "shard(s) 2/2|not given|--partial|nothing written",
                "merge", "{dir}/shards/tiny-shard-1-of-2", "-o", "{dir}/m").setup(HostileInputTest::copyShards)
                .quietStdout());
        t.add(p("merge --partial: shard 1 of 2 alone merges, saying what is missing", 0,
                "warning|shard(s) 2/2|not given", "merge", "--partial", "{dir}/shards/tiny-shard-1-of-2", "-o",
                "{dir}/m").setup(HostileInputTest::copyShards).writes("m/runs.log", "partial"));
        t.add(p("merge: a cut last row is refused", 2, "tiny-shard-2-of-2/results.csv|last line is cut", "merge",
                "{dir}/shards", "-o", "{dir}/m").setup(dir -> {
                    copyShards(dir);
                    Files.writeString(dir.resolve("shards/tiny-shard-2-of-2/results.csv"), "tiny,abc",
                            java.nio.file.StandardOpenOption.APPEND);
                    return () -> { };
                }).quietStdout());
        t.add(p("merge: a shard killed mid-run (a task without a row) is refused", 2,
                "shard 1/2 has 1 of its 2 tasks' rows|killed", "merge", "{dir}/shards", "-o", "{dir}/m")
                .setup(dir -> {
                    copyShards(dir);
                    Path f = dir.resolve("shards/tiny-shard-1-of-2/results.csv");
                    String text = Files.readString(f);
                    Files.writeString(f, text.substring(0, text.lastIndexOf('\n', text.length() - 2) + 1));
                    return () -> { };
                }).quietStdout());
        t.add(p("merge: the -o folder of simulate --shard stands for its shard folders", 0, "", "merge",
                "{dir}/shards", "-o", "{dir}/m").setup(HostileInputTest::copyShards)
                .writes("m/results.csv", "tiny,"));
        t.add(p("merge: into a folder with another results file, advice that works", 2, "choose a new or empty -o",
                "merge", "{dir}/shards", "-o", "{dir}/m").setup(HostileInputTest::copyShards)
                .copy("m/results.csv", "RESULTS").quietStdout());
        // --- issue 20: rows that are not valid
        t.add(p("results: a control byte in parameterization", 2, "line 2, column 'parameterization'|control"
                + " character U+0007", "summarize", "{dir}/results.csv", "-o", "{dir}/s").copy("results.csv",
                        "RESULTS", r -> setValue(r, 1, "parameterization", "shared-\u0007linear")).quietStdout());
        t.add(p("results: a 2 MB message on an ok row", 2, "line 3, column 'message'|at most 1000", "summarize",
                "{dir}/results.csv", "-o", "{dir}/s").copy("results.csv", "RESULTS",
                        r -> setValue(r, 2, "message", "x".repeat(2_000_000))).quietStdout());
        t.add(p("results: a row of another scenario name with the same fingerprint", 2,
                "line 3, column 'scenario'|'other' differs from line 2's 'tiny'", "summarize", "{dir}/results.csv",
                "-o", "{dir}/s").copy("results.csv", "RESULTS", r -> setValue(r, 2, "scenario", "other"))
                .quietStdout());
        t.add(p("results: resume refuses a row of another scenario name", 2,
                "line 2, column 'scenario'|scenario's name", "simulate", "{dir}/tiny.yaml", "-q", "-o", "{dir}/out")
                .file("tiny.yaml", TINY).copy("out/tiny/results.csv", "RESULTS",
                        r -> setValue(r, 1, "scenario", "other")));
        t.add(p("results: resume checks each row against the scenario's study, not only the fingerprint", 2,
                "line 2, column 'estimator'|'em' but the scenario's study", "simulate", "{dir}/tiny.yaml", "-q", "-o",
                "{dir}/out").file("tiny.yaml", TINY).copy("out/tiny/results.csv", "RESULTS",
                        r -> setValue(r, 1, "estimator", "em")));
        t.add(p("results: summarize of a 0-byte file", 2, "results.csv|not a results file|no complete header",
                "summarize", "{dir}/results.csv", "-o", "{dir}/s").file("results.csv", "").quietStdout());
        t.add(p("results: a header-less file names the file", 2, "results.csv|line 1|not a results file",
                "summarize", "{dir}/results.csv", "-o", "{dir}/s").copy("results.csv", "RESULTS",
                        r -> r.substring(r.indexOf('\n') + 1)).quietStdout());
        t.add(p("results: a byte-order mark is read", 0, "", "summarize", "{dir}/results.csv", "-o", "{dir}/s")
                .copy("results.csv", "RESULTS", r -> "\uFEFF" + r).allowWrites());
        t.add(p("results: a header differing invisibly is shown", 2, "column 1 is 'scenario\\u00A0'", "summarize",
                "{dir}/results.csv", "-o", "{dir}/s").copy("results.csv", "RESULTS",
                        r -> r.replaceFirst("scenario", "scenario\u00a0")).quietStdout());
        t.add(p("loss: a bias outside the box", 2, "e.json|outside the model's box", "loss", "{dir}/e.json", "-m",
                MODEL).file("e.json", "{\"atoms\": [[1.0, 0.6], [-0.7, 0.9]], \"biases\": [0, 1000]}")
                .quietStdout());
        t.add(p("model: activation on a shared-linear model", 2, "m.yaml|field 'activation'|only a shared-nonlinear",
                "sample", "{dir}/m.yaml", "-n", "10", "-o", "{dir}/out.csv").file("m.yaml", BASE
                + "activation: sigmoid\n"));
        // --- issue 20: denial of service
        t.add(p("scenario: 3 MB is refused by its size, before parsing", 2, "s.yaml|bytes, more than the 1048576",
                "simulate", "{dir}/s.yaml", "-o", "{dir}/out").file("s.yaml", TINY + "description: \""
                + "a".repeat(3_000_000) + "\"\n"));
        t.add(p("scenario: 30 MB is refused by its size, before parsing", 2, "s.yaml|bytes, more than the 1048576",
                "simulate", "{dir}/s.yaml", "-o", "{dir}/out").file("s.yaml", TINY + "description: \""
                + "a".repeat(30_000_000) + "\"\n"));
        t.add(p("scenario: replicates 2147483647 refused up front", 2, "field 'replicates'|tasks, more than the"
                + " 1000000", "simulate", "{dir}/s.yaml", "-o", "{dir}/out").file("s.yaml",
                        TINY.replace("replicates: 2", "replicates: 2147483647")));
        // --- issue 20: messages
        t.add(p("simulate --shard 0/3: one line, no Java text", 2, "--shard|expected i/k with 1 <= i <= k, got 0/3",
                "simulate", "{dir}/tiny.yaml", "--shard", "0/3", "-o", "{dir}/out").file("tiny.yaml", TINY)
                .notContaining("java.lang", "Usage"));
        t.add(p("simulate --progress foo: one line, no Java text", 2, "--progress: expected auto, bar or lines",
                "simulate", "{dir}/tiny.yaml", "--progress", "foo", "-o", "{dir}/out").file("tiny.yaml", TINY)
                .notContaining("java.lang", "Could not invoke", "Usage"));
        t.add(p("simulate -o a file: says it is a file", 2, "afile is a file, not a folder", "simulate",
                "{dir}/tiny.yaml", "-q", "-o", "{dir}/afile").file("tiny.yaml", TINY).file("afile", "x")
                .notContaining("Not a directory"));
        t.add(p("plot the same file twice", 2, "RESULTS|given twice", "plot", "{dir}/results.csv",
                "{dir}/results.csv", "-o", "{dir}/p").copy("results.csv", "RESULTS").quietStdout()
                .notContaining("already used"));
        t.add(p("plot two files in folders of one name", 0, "", "plot", "{dir}/a/x/results.csv",
                "{dir}/b/x/results.csv", "-o", "{dir}/p").copy("a/x/results.csv", "RESULTS")
                .copy("b/x/results.csv", "RESULTS").allowWrites());
        t.add(p("summarize without --scenario says which baseline it took", 0, "note: baseline study 'shared-linear'"
                + "|--scenario", "summarize", "{dir}/results.csv", "-o", "{dir}/s").copy("results.csv", "RESULTS")
                .allowWrites());
        t.add(p("model: non-UTF-8 YAML", 2, "m.yaml|line 2|not UTF-8", "sample", "{dir}/m.yaml", "-n", "10", "-o",
                "{dir}/out.csv").file("m.yaml", BASE + "name: caf\u00e9\n"));
        return t;
    }

    /** A data CSV with the columns from {@code first} on of every row (4 columns in all) multiplied by {@code f}. */
    static String scaleColumns(String text, int first, double f) {
        String[] lines = text.split("(?<=\n)");
        for (int i = 1; i < lines.length; i++) {
            String[] v = lines[i].strip().split(",", -1);
            for (int c = first; c < first + 4 && c < v.length; c++) {
                v[c] = Double.toString(Double.parseDouble(v[c]) * f);
            }
            lines[i] = String.join(",", v) + "\n";
        }
        return String.join("", lines);
    }

    /** Line {@code i} of a text (0 = the header), with its newline. */
    static String line(String text, int i) {
        return text.split("(?<=\n)")[i];
    }

    private static String replaceLine(String text, int i, String with) {
        String[] lines = text.split("(?<=\n)");
        lines[i] = with;
        return String.join("", lines);
    }

    /** Sets one value of data row {@code i} (1 = first row) of a results file. */
    static String setValue(String text, int i, String column, String value) {
        String[] lines = text.split("(?<=\n)");
        String[] v = lines[i].strip().split(",", -1);
        v[ResultRow.COLUMNS.indexOf(column)] = value;
        lines[i] = String.join(",", v) + "\n";
        return String.join("", lines);
    }

    /** Copies the two shard folders made in {@link #inputs} into {@code dir/shards}. */
    private static AutoCloseable copyShards(Path dir) throws IOException {
        for (String sh : new String[] {"tiny-shard-1-of-2", "tiny-shard-2-of-2"}) {
            Path to = dir.resolve("shards").resolve(sh);
            Files.createDirectories(to);
            try (Stream<Path> files = Files.list(shared.resolve("shards").resolve(sh))) {
                for (Path f : files.toList()) {
                    Files.copy(f, to.resolve(f.getFileName()));
                }
            }
        }
        return () -> { };
    }

    /** Another run holding the results lock of {@code out/tiny}. */
    private static AutoCloseable holdLock(Path dir) {
        Path f = dir.resolve("out/tiny/results.csv");
        return ResultsFile.open(f, ResultsFile.read(f).get(0).get("fingerprint"));
    }

    /** Data whose responses overflow the sum of squares: the fit fails numerically. */
    private static String hugeResponses() {
        StringBuilder sb = new StringBuilder("x1,x2,x3,x4,y1,y2\n");
        for (int i = 0; i < 30; i++) {
            sb.append(0.01 * i).append(",0.2,-0.3,0.4,").append(i == 7 ? "1e308" : "0.5").append(",1\n");
        }
        return sb.toString();
    }

    @TestFactory
    Stream<DynamicTest> everyProbe() {
        return probes().stream().map(pr -> DynamicTest.dynamicTest(pr.name, () -> {
            total++;
            check(pr);
            passed++;
        }));
    }

    @AfterAll
    static void report() {
        System.out.println("hostile-input probes: " + passed + " of " + total + " passed");
    }

    private static void check(Probe pr) throws Exception {
        Path dir = Files.createTempDirectory(shared, "probe");
        for (var f : pr.files.entrySet()) {
            Path p = dir.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue().replace("{dir}", dir.toString()), StandardCharsets.ISO_8859_1);
        }
        for (var c : pr.copies.entrySet()) {
            Path p = dir.resolve(c.getKey());
            Files.createDirectories(p.getParent());
            String from = switch (c.getValue().toString()) {
                case "DATA" -> data;
                case "RESULTS" -> results;
                case "ESTIMATE" -> estimate;
                default -> c.getValue().toString();
            };
            Files.copy(Path.of(from), p);
            if (pr.edits.containsKey(c.getKey())) {
                Files.writeString(p, pr.edits.get(c.getKey()).apply(Files.readString(p)));
            }
        }
        try (AutoCloseable held = pr.setup == null ? () -> { } : pr.setup.open(dir)) {
            Map<String, String> before = hashes(dir);
            String[] args = new String[pr.args.length];
            for (int i = 0; i < args.length; i++) {
                args[i] = pr.args[i].replace("{dir}", dir.toString());
            }
            Run r = run(dir, args);
            String msg = pr.name + ": status " + r.status + ", stderr [" + r.err + "], stdout [" + r.out + "]";
            assertEquals(pr.status, r.status, msg);
            for (String w : pr.words) {
                assertTrue(r.err.contains(w), "missing '" + w + "' in " + msg);
            }
            for (String w : pr.notContaining) {
                assertFalse(r.err.contains(w), "'" + w + "' in " + msg);
            }
            if (pr.status != 0) {
                String[] lines = r.err.strip().split("\n");
                assertTrue(pr.warningsFirst || lines.length == 1, "one line: " + msg);
                for (int i = 0; i < lines.length - 1; i++) {
                    assertTrue(lines[i].startsWith("warning: "), "warnings, then one error line: " + msg);
                }
                assertTrue(lines[lines.length - 1].startsWith("error: "), msg);
                assertFalse(r.err.contains("\tat "), "no stack trace: " + msg);
            }
            if (pr.stdoutEmpty) {
                assertEquals("", r.out, "nothing on stdout: " + msg);
            }
            Map<String, String> after = hashes(dir);
            for (var e : before.entrySet()) {
                assertEquals(e.getValue(), after.get(e.getKey()), e.getKey() + " changed: " + msg);
            }
            if (pr.nothingWritten) {
                assertEquals(before.keySet(), after.keySet(), "no file written: " + msg);
            }
            for (String w : pr.written) {
                String[] parts = w.split("\u0000");
                Path f = dir.resolve(parts[0]);
                assertTrue(Files.exists(f), parts[0] + " written: " + msg);
                assertTrue(Files.readString(f).contains(parts[1]), parts[0] + " holds " + parts[1] + ": "
                        + Files.readString(f));
            }
        }
    }

    private static Map<String, String> hashes(Path dir) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                if (p.getFileName().toString().endsWith(".lock")) {
                    continue; // lock files are the lock's, not output
                }
                byte[] h = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
                out.put(dir.relativize(p).toString(), java.util.HexFormat.of().formatHex(h));
            }
        }
        return out;
    }

    record Run(int status, String out, String err) {
    }

    /** Runs a command line in-process, capturing stdout (System.out) and stderr (picocli's and System.err). */
    static Run run(Path dir, String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream sysErr = new ByteArrayOutputStream();
        int status;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(sysErr, true, StandardCharsets.UTF_8));
            status = cl.execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Run(status, out.toString(StandardCharsets.UTF_8), err + sysErr.toString(StandardCharsets.UTF_8));
    }
}
