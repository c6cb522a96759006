package org.prefixmoe.io;

import ch.randelshofer.fastdoubleparser.JavaDoubleParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.prefixmoe.sampling.Dataset;

/** Reads and writes data sets as CSV with a header {@code x1..xD,y1..yq}. */
public final class DatasetCsv {
    private DatasetCsv() {
    }

    /**
     * Writes a data set atomically, with the header {@code x1..xD,y1..yq}.
     *
     * @param data the data set
     * @param file the CSV file
     */
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
     * <p>The rows are parsed as a stream of bytes straight into primitive arrays (no per-row
     * objects; the file is never held whole in memory), each number by the Eisel–Lemire parser
     * of FastDoubleParser (correctly rounded, the syntax of {@link Double#parseDouble}). Blank
     * lines are skipped, CRLF line ends and a UTF-8 byte-order mark accepted, fields may be
     * padded with spaces or quoted.
     *
     * @param file the CSV file
     * @return the data set
     * @throws InputFileException naming the file, row and column of any problem
     */
    public static Dataset read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InputFileException(file, "", "no such file");
        }
        InputFiles.record(file);
        try (InputStream in = Files.newInputStream(file)) {
            return new RowParser(file, in).read();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The streaming parser behind {@link #read}: a byte buffer refilled line by line. */
    private static final class RowParser {
        private final Path file;
        private final InputStream in;
        private byte[] buf = new byte[1 << 20];
        private int pos;
        private int lim;
        private boolean eof;

        RowParser(Path file, InputStream in) {
            this.file = file;
            this.in = in;
        }

        /** End (exclusive, before any '\n') of the line at pos, with the whole line in the buffer; -1 at end of data. */
        private int lineEnd() throws IOException {
            int scanned = pos;
            while (true) {
                for (int i = scanned; i < lim; i++) {
                    if (buf[i] == '\n') {
                        return i;
                    }
                }
                if (eof) {
                    return pos < lim ? lim : -1;
                }
                // Move the partial line to the front, grow if it fills the buffer, read more.
                int len = lim - pos;
                if (len == buf.length) {
                    buf = Arrays.copyOf(buf, buf.length * 2);
                } else if (pos > 0) {
                    System.arraycopy(buf, pos, buf, 0, len);
                }
                pos = 0;
                lim = len;
                scanned = len;
                int k = in.read(buf, lim, buf.length - lim);
                if (k < 0) {
                    eof = true;
                } else {
                    lim += k;
                }
            }
        }

        Dataset read() throws IOException {
            int end = lineEnd();
            if (end < 0) {
                throw new InputFileException(file, "header", "the file is empty; expected columns x1..xD then y1..yq");
            }
            int hs = pos;
            if (end - hs >= 3 && (buf[hs] & 0xff) == 0xEF && (buf[hs + 1] & 0xff) == 0xBB && (buf[hs + 2] & 0xff) == 0xBF) {
                hs += 3; // UTF-8 byte-order mark
            }
            String headerLine = new String(buf, hs, stripCr(hs, end) - hs, StandardCharsets.UTF_8);
            pos = Math.min(end + 1, lim);
            List<String> names = new ArrayList<>();
            for (String h : headerLine.split(",", -1)) {
                names.add(unquote(h.strip()));
            }
            int d = 0;
            while (d < names.size() && names.get(d).equals("x" + (d + 1))) {
                d++;
            }
            int q = names.size() - d;
            for (int a = 0; a < q; a++) {
                if (!names.get(d + a).equals("y" + (a + 1))) {
                    throw new InputFileException(file, "header", "expected columns x1..xD then y1..yq, found " + names);
                }
            }
            if (d == 0 || q == 0) {
                throw new InputFileException(file, "header", "expected columns x1..xD then y1..yq, found " + names);
            }
            int width = d + q;
            double[] x = new double[1024 * d];
            double[] y = new double[1024 * q];
            int rows = 0;
            int row = 0;
            while ((end = lineEnd()) >= 0) {
                row++;
                int le = stripCr(pos, end);
                int ls = pos;
                pos = Math.min(end + 1, lim);
                if (blank(ls, le)) {
                    continue;
                }
                if ((rows + 1) * d > x.length) {
                    int grown = Math.max(rows + 1, rows + (rows >> 1));
                    x = Arrays.copyOf(x, grown * d);
                    y = Arrays.copyOf(y, grown * q);
                }
                int fs = ls;
                for (int k = 0; k < width; k++) {
                    int fe = fs;
                    while (fe < le && buf[fe] != ',') {
                        fe++;
                    }
                    if (fe == le && k < width - 1) {
                        throw columns(row, k + 1, width);
                    }
                    double v = number(fs, fe, names.get(k), row);
                    if (k < d) {
                        x[rows * d + k] = v;
                    } else {
                        y[rows * q + k - d] = v;
                    }
                    fs = fe + 1;
                }
                if (fs <= le) {
                    int count = width;
                    for (int i = fs - 1; i < le; i++) {
                        count += buf[i] == ',' ? 1 : 0;
                    }
                    throw columns(row, count, width);
                }
                rows++;
            }
            if (rows == 0) {
                throw new InputFileException(file, "", "no data rows");
            }
            return new Dataset(Arrays.copyOf(x, rows * d), Arrays.copyOf(y, rows * q), d, q);
        }

        private InputFileException columns(int row, int found, int width) {
            return new InputFileException(file, "row " + row, "has " + found + " columns, the header has " + width);
        }

        private double number(int fs, int fe, String name, int row) {
            while (fs < fe && (buf[fs] == ' ' || buf[fs] == '\t')) {
                fs++;
            }
            while (fe > fs && (buf[fe - 1] == ' ' || buf[fe - 1] == '\t')) {
                fe--;
            }
            if (fe - fs >= 2 && buf[fs] == '"' && buf[fe - 1] == '"') {
                fs++;
                fe--;
            }
            double v;
            try {
                v = JavaDoubleParser.parseDouble(buf, fs, fe - fs);
            } catch (NumberFormatException e) {
                throw new InputFileException(file, name + " (row " + row + ")",
                        "not a number: '" + new String(buf, fs, fe - fs, StandardCharsets.UTF_8) + "'");
            }
            if (!Double.isFinite(v)) {
                throw new InputFileException(file, name + " (row " + row + ")",
                        "not a finite number: '" + new String(buf, fs, fe - fs, StandardCharsets.UTF_8) + "'");
            }
            return v;
        }

        private int stripCr(int ls, int end) {
            return end > ls && buf[end - 1] == '\r' ? end - 1 : end;
        }

        private boolean blank(int ls, int le) {
            for (int i = ls; i < le; i++) {
                if (buf[i] != ' ' && buf[i] != '\t') {
                    return false;
                }
            }
            return true;
        }

        private static String unquote(String s) {
            return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
        }
    }
}
