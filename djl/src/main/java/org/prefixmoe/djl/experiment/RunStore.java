package org.prefixmoe.djl.experiment;

import org.prefixmoe.djl.train.Method;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * CSV files of finished runs. Each row carries the short hash of the study's settings ({@code config}), so a
 * study resumes from any file holding rows of its own configuration and ignores the others. The append-only logs
 * in the checkpoint directory may hold several configurations; the files written to the output directory hold
 * the current study's rows only ({@link #writeRuns}, {@link #writeSelection}).
 */
public final class RunStore {

    /** Header of the test-run files. */
    public static final String RUNS_HEADER = "config,method,images_per_class,train_size,seed,lr,head_lr,"
            + "test_accuracy,folded_accuracy,final_loss,initial_loss,diverged,trainable_params,stored_params,steps,"
            + "train_seconds,eval_seconds,seconds_per_step,train_cpu_seconds";
    /** Header of the selection-run files. */
    public static final String SELECTION_HEADER = "config,method,images_per_class,selection_seed,lr,head_lr,"
            + "validation_accuracy,final_loss,initial_loss,diverged,steps,train_seconds,eval_seconds";

    private RunStore() {}

    /**
     * One finished test run: a method trained on one seed's subset of one size, scored on the test images.
     *
     * @param perClass training images per class
     * @param lr peak learning rate of the adapted parameters (the head's for the linear probe)
     * @param headLr peak learning rate of the head
     * @param result the run's outcome
     */
    public record TestRun(int perClass, float lr, float headLr, Adaptation.Result result) {

        /** The method. */
        public Method method() {
            return result.method();
        }

        /** The seed. */
        public long seed() {
            return result.seed();
        }
    }

    /**
     * One finished selection run: a method at one rate on a selection seed's subset, scored on validation.
     *
     * @param method method
     * @param perClass training images per class
     * @param seed selection seed
     * @param lr adapted parameters' rate tried (the head's for the linear probe)
     * @param headLr head's rate tried
     * @param validationAccuracy accuracy on the validation set
     * @param finalLoss final training loss
     * @param initialLoss training loss of the first step, before any update
     * @param diverged whether the run diverged
     * @param steps optimizer steps taken
     * @param trainSeconds training time
     * @param evalSeconds evaluation time
     */
    public record SelectionRun(Method method, int perClass, long seed, float lr, float headLr,
                               double validationAccuracy, double finalLoss, double initialLoss, boolean diverged,
                               int steps, double trainSeconds, double evalSeconds) {}

    /**
     * Reads the test runs of one configuration from a file (absent file: none).
     *
     * @param file CSV with {@link #RUNS_HEADER}
     * @param config configuration hash to keep
     * @return the runs
     * @throws IOException on read failure or a malformed row (the message names the file and line)
     */
    public static List<TestRun> readRuns(Path file, String config) throws IOException {
        List<TestRun> out = new ArrayList<>();
        for (String[] f : rows(file, config, 19)) {
            Method m = Method.parse(f[1]);
            out.add(new TestRun(Integer.parseInt(f[2]), Float.parseFloat(f[5]), Float.parseFloat(f[6]),
                    new Adaptation.Result(m, Long.parseLong(f[4]), Double.parseDouble(f[7]), Long.parseLong(f[12]),
                            Long.parseLong(f[13]), Double.parseDouble(f[15]), Double.parseDouble(f[17]),
                            Double.parseDouble(f[16]), Double.parseDouble(f[9]), Double.parseDouble(f[8]),
                            Double.parseDouble(f[18]), Integer.parseInt(f[14]), Double.parseDouble(f[10]),
                            f[11].equals("1"))));
        }
        return out;
    }

    /**
     * Reads the selection runs of one configuration from a file (absent file: none).
     *
     * @param file CSV with {@link #SELECTION_HEADER}
     * @param config configuration hash to keep
     * @return the runs
     * @throws IOException on read failure or a malformed row
     */
    public static List<SelectionRun> readSelection(Path file, String config) throws IOException {
        List<SelectionRun> out = new ArrayList<>();
        for (String[] f : rows(file, config, 13)) {
            out.add(new SelectionRun(Method.parse(f[1]), Integer.parseInt(f[2]), Long.parseLong(f[3]),
                    Float.parseFloat(f[4]), Float.parseFloat(f[5]), Double.parseDouble(f[6]), Double.parseDouble(f[7]),
                    Double.parseDouble(f[8]), f[9].equals("1"), Integer.parseInt(f[10]), Double.parseDouble(f[11]),
                    Double.parseDouble(f[12])));
        }
        return out;
    }

    private static List<String[]> rows(Path file, String config, int fields) throws IOException {
        List<String[]> out = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        List<String> lines = Files.readAllLines(file);
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",", -1);
            if (!f[0].equals(config)) {
                continue;
            }
            if (f.length != fields) {
                throw new IOException(file + " line " + (i + 1) + ": expected " + fields + " fields, found " + f.length);
            }
            try {
                Method.parse(f[1]);
                for (int k = 2; k < fields; k++) {
                    Double.parseDouble(f[k]);
                }
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " line " + (i + 1) + ": " + e.getMessage());
            }
            out.add(f);
        }
        return out;
    }

    /**
     * Formats one test run as a CSV row.
     *
     * @param config configuration hash
     * @param r the run
     * @return the row (no newline)
     */
    public static String row(String config, TestRun r) {
        Adaptation.Result x = r.result();
        return String.format(Locale.ROOT, "%s,%s,%d,%d,%d,%s,%s,%.5f,%.5f,%.5f,%.5f,%d,%d,%d,%d,%.2f,%.2f,%.5f,%.2f",
                config, x.method().label(), r.perClass(), 5 * r.perClass(), x.seed(), Report.lr(r.lr()),
                Report.lr(r.headLr()), x.accuracy(), x.foldedAccuracy(), x.finalLoss(), x.initialLoss(),
                x.diverged() ? 1 : 0, x.trainableParameters(), x.deployedParameters(), x.steps(), x.trainSeconds(),
                x.evalSeconds(), x.secondsPerStep(), x.trainCpuSeconds());
    }

    /**
     * Formats one selection run as a CSV row.
     *
     * @param config configuration hash
     * @param s the run
     * @return the row (no newline)
     */
    public static String row(String config, SelectionRun s) {
        return String.format(Locale.ROOT, "%s,%s,%d,%d,%s,%s,%.5f,%.5f,%.5f,%d,%d,%.2f,%.2f", config,
                s.method().label(), s.perClass(), s.seed(), Report.lr(s.lr()), Report.lr(s.headLr()),
                s.validationAccuracy(), s.finalLoss(), s.initialLoss(), s.diverged() ? 1 : 0, s.steps(),
                s.trainSeconds(), s.evalSeconds());
    }

    /**
     * Appends one row to an append-only log, writing the header first if the file is new.
     *
     * @param file the log
     * @param header its header
     * @param row the row
     * @throws IOException on write failure
     */
    public static void append(Path file, String header, String row) throws IOException {
        if (!Files.isRegularFile(file)) {
            Files.writeString(file, header + "\n");
        }
        Files.writeString(file, row + "\n", StandardOpenOption.APPEND);
    }

    /**
     * Writes the study's test runs (and nothing else) to a file, atomically.
     *
     * @param file target
     * @param config configuration hash
     * @param runs the runs
     * @throws IOException on write failure
     */
    public static void writeRuns(Path file, String config, Collection<TestRun> runs) throws IOException {
        StringBuilder sb = new StringBuilder(RUNS_HEADER).append('\n');
        for (TestRun r : runs) {
            sb.append(row(config, r)).append('\n');
        }
        writeAtomically(file, sb.toString());
    }

    /**
     * Writes the study's selection runs (and nothing else) to a file, atomically.
     *
     * @param file target
     * @param config configuration hash
     * @param runs the runs
     * @throws IOException on write failure
     */
    public static void writeSelection(Path file, String config, Collection<SelectionRun> runs) throws IOException {
        StringBuilder sb = new StringBuilder(SELECTION_HEADER).append('\n');
        for (SelectionRun r : runs) {
            sb.append(row(config, r)).append('\n');
        }
        writeAtomically(file, sb.toString());
    }

    /**
     * Writes a text file through a temporary sibling and a rename, so a reader never sees half a file.
     *
     * @param file target
     * @param text content
     * @throws IOException on write failure
     */
    public static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
