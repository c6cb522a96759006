package org.prefixmoe.io;

import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.prefixmoe.model.Prediction;

/**
 * Writes predictions as CSV, one row per input: the input columns (and response columns, when
 * given) under their own names, then {@code f1..fq} ({@code f_Ĝ(x)}), {@code gate_pretrained_1..N}
 * and {@code gate_prompt_1..L} (the gate weights, summing to 1), and, when responsibilities are
 * given, {@code resp_pretrained_1..N} and {@code resp_prompt_1..L}. For a member of the
 * mixture-of-experts family the experts are {@code component_1..K} then {@code frozen_1..J}; for the
 * shared + routed model {@code shared_1..K_1} (the weights ω, summing to 1) then
 * {@code routed_1..K_2} (the router's g_j(x), summing to 1), the responsibilities over all of them
 * summing to 1.
 */
public final class PredictionCsv {
    private PredictionCsv() {
    }

    /**
     * The header of a prediction file.
     *
     * @param inputs the inputs' and responses' column names, in order
     * @param q the output dimension
     * @param pretrained the number N of pretrained experts
     * @param prompts the number L of prompts
     * @param responsibilities whether responsibility columns follow
     * @return the column names
     */
    public static List<String> header(List<String> inputs, int q, int pretrained, int prompts,
                                      boolean responsibilities) {
        return header(inputs, q, labels(pretrained, prompts), responsibilities);
    }

    private static List<String> labels(int pretrained, int prompts) {
        return numbered("pretrained_", pretrained, "prompt_", prompts);
    }

    /**
     * The expert labels of a mixture-of-experts family member: {@code component_1..K}, then
     * {@code frozen_1..J}.
     *
     * @param components the number K of free components
     * @param frozen the number J of frozen components
     * @return the labels
     */
    public static List<String> familyLabels(int components, int frozen) {
        return numbered("component_", components, "frozen_", frozen);
    }

    /**
     * The expert labels of the shared + routed model: {@code shared_1..K_1}, then {@code routed_1..K_2}.
     *
     * @param shared the number K_1 of shared components
     * @param routed the number K_2 of routed components
     * @return the labels
     */
    public static List<String> sharedRoutedLabels(int shared, int routed) {
        return numbered("shared_", shared, "routed_", routed);
    }

    private static List<String> numbered(String first, int firstCount, String second, int secondCount) {
        List<String> e = new ArrayList<>();
        for (int k = 1; k <= firstCount; k++) {
            e.add(first + k);
        }
        for (int j = 1; j <= secondCount; j++) {
            e.add(second + j);
        }
        return e;
    }

    private static List<String> header(List<String> inputs, int q, List<String> experts, boolean responsibilities) {
        List<String> h = new ArrayList<>(inputs);
        for (int a = 1; a <= q; a++) {
            h.add("f" + a);
        }
        for (String kind : responsibilities ? new String[] {"gate", "resp"} : new String[] {"gate"}) {
            for (String e : experts) {
                h.add(kind + "_" + e);
            }
        }
        return h;
    }

    /**
     * Writes a prediction file atomically (a temporary file, then a rename).
     *
     * @param file the CSV file
     * @param table the inputs (and responses) predicted at; its column names head the file
     * @param prediction the prediction at the table's inputs
     * @param pretrained the number N of pretrained experts (the first N gate columns)
     * @param responsibilities n × (N + L) responsibilities, or null
     */
    public static void write(Path file, DatasetCsv.Table table, Prediction prediction, int pretrained,
                             double[] responsibilities) {
        write(file, table, prediction, labels(pretrained, prediction.experts() - pretrained), responsibilities);
    }

    /**
     * Writes a prediction file atomically with the given expert labels (columns {@code gate_LABEL},
     * then {@code resp_LABEL} when responsibilities are given), e.g. {@link #familyLabels}.
     *
     * @param file the CSV file
     * @param table the inputs (and responses) predicted at; its column names head the file
     * @param prediction the prediction at the table's inputs
     * @param experts one label per expert, in the prediction's order
     * @param responsibilities n × experts responsibilities, or null
     */
    public static void write(Path file, DatasetCsv.Table table, Prediction prediction, List<String> experts,
                             double[] responsibilities) {
        if (experts.size() != prediction.experts()) {
            throw new IllegalArgumentException("experts: " + experts.size() + " labels for " + prediction.experts()
                    + " experts");
        }
        int n = table.size();
        int d = table.inputDimension();
        int q0 = table.outputDimension();
        int q = prediction.outputDimension();
        int k = prediction.experts();
        if (prediction.size() != n || (responsibilities != null && responsibilities.length != (long) n * k)) {
            throw new IllegalArgumentException("prediction: does not match the table's " + n + " rows");
        }
        List<String> names = new ArrayList<>(table.xNames());
        names.addAll(table.yNames());
        List<String> header = header(names, q, experts, responsibilities != null);
        AtomicFiles.write(file, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(header.toArray(new String[0])).get());
            Object[] row = new Object[header.size()];
            for (int i = 0; i < n; i++) {
                int c = 0;
                for (int u = 0; u < d; u++) {
                    row[c++] = table.x()[i * d + u];
                }
                for (int a = 0; a < q0; a++) {
                    row[c++] = table.y()[i * q0 + a];
                }
                for (int a = 0; a < q; a++) {
                    row[c++] = prediction.regression()[i * q + a];
                }
                for (int a = 0; a < k; a++) {
                    row[c++] = prediction.gates()[i * k + a];
                }
                if (responsibilities != null) {
                    for (int a = 0; a < k; a++) {
                        row[c++] = responsibilities[i * k + a];
                    }
                }
                p.printRecord(row);
            }
            p.flush();
        });
    }
}
