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
 * given, {@code resp_pretrained_1..N} and {@code resp_prompt_1..L}.
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
        List<String> h = new ArrayList<>(inputs);
        for (int a = 1; a <= q; a++) {
            h.add("f" + a);
        }
        for (String kind : responsibilities ? new String[] {"gate", "resp"} : new String[] {"gate"}) {
            for (int j = 1; j <= pretrained; j++) {
                h.add(kind + "_pretrained_" + j);
            }
            for (int l = 1; l <= prompts; l++) {
                h.add(kind + "_prompt_" + l);
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
        List<String> header = header(names, q, pretrained, k - pretrained, responsibilities != null);
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
