package org.prefixmoe.io;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.prefixmoe.sampling.Dataset;

/** Reads and writes data sets as CSV with a header {@code x1..xD,y1..yq}. */
public final class DatasetCsv {
    private DatasetCsv() {
    }

    /** Writes the data set atomically. */
    public static void write(Dataset data, Path file) {
        int d = data.inputDimension();
        int q = data.outputDimension();
        String[] header = new String[d + q];
        for (int k = 0; k < d; k++) {
            header[k] = "x" + (k + 1);
        }
        for (int a = 0; a < q; a++) {
            header[d + a] = "y" + (a + 1);
        }
        AtomicFiles.write(file, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(header).get());
            Object[] row = new Object[d + q];
            for (int i = 0; i < data.size(); i++) {
                for (int k = 0; k < d; k++) {
                    row[k] = data.x()[i * d + k];
                }
                for (int a = 0; a < q; a++) {
                    row[d + a] = data.y()[i * q + a];
                }
                p.printRecord(row);
            }
            p.flush();
        });
    }

    /**
     * Reads a data set; the header must be {@code x1..xD} followed by {@code y1..yq}.
     *
     * @throws InputFileException naming the file, row and column of any problem
     */
    public static Dataset read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InputFileException(file, "", "no such file");
        }
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser parser = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            List<String> names = parser.getHeaderNames();
            int d = 0;
            while (d < names.size() && names.get(d).equals("x" + (d + 1))) {
                d++;
            }
            int q = names.size() - d;
            for (int a = 0; a < q; a++) {
                if (!names.get(d + a).equals("y" + (a + 1))) {
                    throw new InputFileException(file, "header", "expected columns x1..xD then y1..yq, found "
                            + names);
                }
            }
            if (d == 0 || q == 0) {
                throw new InputFileException(file, "header", "expected columns x1..xD then y1..yq, found " + names);
            }
            java.util.ArrayList<double[]> rows = new java.util.ArrayList<>();
            for (CSVRecord rec : parser) {
                if (rec.size() != d + q) {
                    throw new InputFileException(file, "row " + rec.getRecordNumber(), "has " + rec.size()
                            + " columns, the header has " + (d + q));
                }
                double[] row = new double[d + q];
                for (int k = 0; k < d + q; k++) {
                    String s = rec.get(k).trim();
                    try {
                        row[k] = Double.parseDouble(s);
                    } catch (NumberFormatException e) {
                        throw new InputFileException(file, names.get(k) + " (row " + rec.getRecordNumber() + ")",
                                "not a number: '" + s + "'");
                    }
                    if (!Double.isFinite(row[k])) {
                        throw new InputFileException(file, names.get(k) + " (row " + rec.getRecordNumber() + ")",
                                "not a finite number: '" + s + "'");
                    }
                }
                rows.add(row);
            }
            if (rows.isEmpty()) {
                throw new InputFileException(file, "", "no data rows");
            }
            double[] x = new double[rows.size() * d];
            double[] y = new double[rows.size() * q];
            for (int i = 0; i < rows.size(); i++) {
                System.arraycopy(rows.get(i), 0, x, i * d, d);
                System.arraycopy(rows.get(i), d, y, i * q, q);
            }
            return new Dataset(x, y, d, q);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            if (e instanceof InputFileException) {
                throw e;
            }
            throw new InputFileException(file, "", e.getMessage());
        }
    }
}
