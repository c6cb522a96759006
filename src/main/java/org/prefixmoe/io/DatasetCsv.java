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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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

    /** A column that is neither an input nor a response. */
    private static final int SKIP = -1;

    /** Bytes per segment of the file that one thread parses. */
    static final int SEGMENT = 8 << 20;

    /**
     * Reads a data set; the header must be {@code x1..xD} followed by {@code y1..yq}.
     *
     * <p>The file is read in segments of whole lines (8 MiB), parsed on all cores straight into
     * primitive arrays (no per-row objects; at most one segment per core and one more are held at
     * a time, never the whole file), each number by the Eisel–Lemire parser of FastDoubleParser
     * (correctly rounded, the syntax of {@link Double#parseDouble}), and joined in file order.
     * Blank lines are skipped, CRLF line ends and a UTF-8 byte-order mark accepted, fields may be
     * padded with spaces or quoted.
     *
     * @param file the CSV file
     * @return the data set
     * @throws InputFileException naming the file, row and column of any problem (the first in the file)
     */
    public static Dataset read(Path file) {
        return read(file, SEGMENT, Runtime.getRuntime().availableProcessors());
    }

    /**
     * Which columns of a CSV file are the inputs and which the responses: each a comma-separated
     * list of entries, in order, each a column name, a glob ({@code *} any characters, {@code ?}
     * one; matches in file order), a 1-based position ({@code 3}) or a range of positions
     * ({@code 2-5}). A null list means the columns named {@code x1, x2, ...} (for inputs) or
     * {@code y1, y2, ...} (for responses), in file order. Columns selected by neither are skipped
     * unread (they may hold text); a column selected twice is refused.
     *
     * @param x the input columns, or null for {@code x1, x2, ...}
     * @param y the response columns, or null for {@code y1, y2, ...}
     */
    public record Columns(String x, String y) {
        /** The columns named {@code x1, x2, ...} and {@code y1, y2, ...}, in file order. */
        public static final Columns NAMED = new Columns(null, null);

        /**
         * Checks the lists.
         *
         * @param x the input columns, or null
         * @param y the response columns, or null
         * @throws IllegalArgumentException naming an empty list or entry
         */
        public Columns {
            for (String[] v : new String[][] {{"x", x}, {"y", y}}) {
                if (v[1] != null) {
                    if (v[1].isBlank()) {
                        throw new IllegalArgumentException(v[0] + " columns: an empty list");
                    }
                    for (String e : v[1].split(",", -1)) {
                        if (e.isBlank()) {
                            throw new IllegalArgumentException(v[0] + " columns: an empty entry in '" + v[1] + "'");
                        }
                    }
                }
            }
        }
    }

    /**
     * A table read by {@link #readColumns}: inputs and (possibly no) responses, with the header
     * names of the columns they came from.
     *
     * @param x inputs, n × D row-major
     * @param inputDimension D
     * @param y responses, n × q row-major (empty when q = 0)
     * @param outputDimension q (0 when the file has no response columns and none were asked for)
     * @param xNames the input columns' names
     * @param yNames the response columns' names
     */
    public record Table(double[] x, int inputDimension, double[] y, int outputDimension, List<String> xNames,
                        List<String> yNames) {
        /** {@return the number of rows} */
        public int size() {
            return x.length / inputDimension;
        }

        /**
         * The table as a data set.
         *
         * @return the data set
         * @throws IllegalArgumentException when the table has no responses
         */
        public Dataset dataset() {
            if (outputDimension == 0) {
                throw new IllegalArgumentException("data: no response columns");
            }
            return new Dataset(x, y, inputDimension, outputDimension);
        }
    }

    /**
     * Reads a data set whose inputs and responses are the given columns (others are skipped);
     * otherwise as {@link #read(Path)}.
     *
     * @param file the CSV file
     * @param columns which columns are X and which Y
     * @return the data set
     * @throws InputFileException naming the file and the column or entry that is missing, or the
     *     row and column of a bad number
     */
    public static Dataset read(Path file, Columns columns) {
        return readColumns(file, columns, true).dataset();
    }

    /**
     * Reads inputs and, when the file has them, responses: as {@link #read(Path, Columns)}, except
     * that responses are optional when {@code columns.y()} is null and {@code requireY} is false
     * (a file of inputs alone, e.g. to predict at).
     *
     * @param file the CSV file
     * @param columns which columns are X and which Y
     * @param requireY whether response columns must be present
     * @return the table
     * @throws InputFileException as {@link #read(Path, Columns)}
     */
    public static Table readColumns(Path file, Columns columns, boolean requireY) {
        java.util.Objects.requireNonNull(columns, "columns");
        return read(file, SEGMENT, Runtime.getRuntime().availableProcessors(), columns, requireY);
    }

    /** {@link #read(Path)} with a segment size and thread count (tests use small segments). */
    static Dataset read(Path file, int segmentBytes, int threads) {
        return read(file, segmentBytes, threads, null, true).dataset();
    }

    /** The reader; {@code columns} null: the strict header {@code x1..xD,y1..yq}. */
    static Table read(Path file, int segmentBytes, int threads, Columns columns, boolean requireY) {
        if (!Files.isRegularFile(file)) {
            throw new InputFileException(file, "", "no such file");
        }
        InputFiles.record(file);
        ExecutorService pool = threads > 1 ? Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "prefixmoe-csv");
            t.setDaemon(true);
            return t;
        }) : null;
        try (InputStream in = Files.newInputStream(file)) {
            return new Reader(file, in, segmentBytes, pool, threads, columns, requireY).read();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    /** Splits the stream into segments of whole lines and joins their parsed rows in order. */
    private static final class Reader {
        private final Path file;
        private final InputStream in;
        private final int segmentBytes;
        private final ExecutorService pool;
        private final int threads;
        private final Columns columns;
        private final boolean requireY;
        private boolean eof;

        Reader(Path file, InputStream in, int segmentBytes, ExecutorService pool, int threads, Columns columns,
               boolean requireY) {
            this.columns = columns;
            this.requireY = requireY;
            this.file = file;
            this.in = in;
            this.segmentBytes = segmentBytes;
            this.pool = pool;
            this.threads = threads;
        }

        /** Fills buf from lim on; returns the new limit (eof set when the stream ends). */
        private int fill(byte[] buf, int lim) throws IOException {
            while (lim < buf.length && !eof) {
                int k = in.read(buf, lim, buf.length - lim);
                if (k < 0) {
                    eof = true;
                } else {
                    lim += k;
                }
            }
            return lim;
        }

        Table read() throws IOException {
            byte[] buf = new byte[segmentBytes];
            int lim = fill(buf, 0);
            int nl = indexOf(buf, 0, lim);
            while (nl < 0 && !eof) {
                buf = Arrays.copyOf(buf, buf.length * 2);
                lim = fill(buf, lim);
                nl = indexOf(buf, 0, lim);
            }
            if (lim == 0) {
                throw new InputFileException(file, "header", "the file is empty; expected columns x1..xD then y1..yq");
            }
            int end = nl < 0 ? lim : nl;
            int hs = 0;
            if (end >= 3 && (buf[0] & 0xff) == 0xEF && (buf[1] & 0xff) == 0xBB && (buf[2] & 0xff) == 0xBF) {
                hs = 3; // UTF-8 byte-order mark
            }
            int he = end > hs && buf[end - 1] == '\r' ? end - 1 : end;
            List<String> names = new ArrayList<>();
            for (String h : new String(buf, hs, he - hs, StandardCharsets.UTF_8).split(",", -1)) {
                names.add(unquote(h.strip()));
            }
            int[] target = new int[names.size()];
            List<Integer> xs;
            List<Integer> ys;
            if (columns == null) {
                int d = 0;
                while (d < names.size() && names.get(d).equals("x" + (d + 1))) {
                    d++;
                }
                int q = names.size() - d;
                for (int a = 0; a < q; a++) {
                    if (!names.get(d + a).equals("y" + (a + 1))) {
                        throw new InputFileException(file, "header", "expected columns x1..xD then y1..yq, found "
                                + shown(names));
                    }
                }
                if (d == 0 || q == 0) {
                    throw new InputFileException(file, "header", "expected columns x1..xD then y1..yq, found "
                            + shown(names));
                }
                xs = new ArrayList<>();
                ys = new ArrayList<>();
                for (int k = 0; k < names.size(); k++) {
                    (k < d ? xs : ys).add(k);
                }
            } else {
                xs = select(names, columns.x(), "x", "inputs", true);
                ys = select(names, columns.y(), "y", "responses", requireY || columns.y() != null);
                for (int k : xs) {
                    if (ys.contains(k)) {
                        throw new InputFileException(file, "header", "column " + (k + 1) + " ('" + names.get(k)
                                + "') is selected both as an input and as a response");
                    }
                }
            }
            Arrays.fill(target, SKIP);
            for (int k = 0; k < xs.size(); k++) {
                target[xs.get(k)] = k;
            }
            for (int a = 0; a < ys.size(); a++) {
                target[ys.get(a)] = -2 - a;
            }
            int d = xs.size();
            int q = ys.size();
            String[] columns = names.toArray(new String[0]);
            List<Future<Segment>> parts = new ArrayList<>();
            int from = Math.min(end + 1, lim);
            int inFlight = 0;
            while (true) {
                int last = lastIndexOf(buf, from, lim);
                if (eof || last >= from) {
                    // Parse [from, cut): every whole line (all of them at the end of the file).
                    int cut = eof ? lim : last + 1;
                    Segment seg = new Segment(file, columns, target, d, q, buf, from, cut);
                    if (pool == null) {
                        seg.run();
                        parts.add(java.util.concurrent.CompletableFuture.completedFuture(seg));
                    } else {
                        // Bound the memory: at most `threads` segments parsing and this one being read.
                        if (inFlight >= threads) {
                            await(parts.get(parts.size() - inFlight));
                            inFlight--;
                        }
                        parts.add(pool.submit(seg, seg));
                        inFlight++;
                    }
                    if (eof) {
                        break;
                    }
                    byte[] next = new byte[Math.max(segmentBytes, 2 * (lim - cut))];
                    System.arraycopy(buf, cut, next, 0, lim - cut);
                    lim -= cut;
                    buf = next;
                    from = 0;
                } else {
                    // A line longer than the buffer: grow it.
                    buf = Arrays.copyOf(buf, buf.length * 2);
                }
                lim = fill(buf, lim);
            }
            int rows = 0;
            int lines = 0;
            List<Segment> done = new ArrayList<>(parts.size());
            for (Future<Segment> f : parts) {
                Segment seg = await(f);
                if (seg.failure != null) {
                    throw seg.failure.apply(lines + seg.lines);
                }
                lines += seg.lines;
                rows += seg.rows;
                done.add(seg);
            }
            if (rows == 0) {
                throw new InputFileException(file, "", "no data rows");
            }
            double[] x = new double[rows * d];
            double[] y = new double[rows * q];
            int at = 0;
            for (Segment seg : done) {
                System.arraycopy(seg.x, 0, x, at * d, seg.rows * d);
                System.arraycopy(seg.y, 0, y, at * q, seg.rows * q);
                at += seg.rows;
            }
            List<String> xNames = new ArrayList<>();
            xs.forEach(k -> xNames.add(names.get(k)));
            List<String> yNames = new ArrayList<>();
            ys.forEach(k -> yNames.add(names.get(k)));
            return new Table(x, d, y, q, List.copyOf(xNames), List.copyOf(yNames));
        }

        /**
         * The header positions a column list selects, in order; a null list selects the columns
         * named {@code prefix} followed by digits. Refuses an entry that selects nothing (when
         * {@code required}), a position outside the header, a name that is in the header twice,
         * and a column selected twice.
         */
        private List<Integer> select(List<String> names, String spec, String prefix, String what, boolean required) {
            List<Integer> out = new ArrayList<>();
            String option = "--" + prefix;
            if (spec == null) {
                for (int k = 0; k < names.size(); k++) {
                    if (names.get(k).matches(java.util.regex.Pattern.quote(prefix) + "[0-9]+")) {
                        out.add(k);
                    }
                }
                if (out.isEmpty() && required) {
                    throw new InputFileException(file, "header", "no " + what + " columns: none is named " + prefix
                            + "1, " + prefix + "2, ... (name them with " + option + "); the columns are " + shown(names));
                }
                return out;
            }
            for (String raw : spec.split(",")) {
                String e = raw.strip();
                List<Integer> hit = new ArrayList<>();
                java.util.regex.Matcher range = java.util.regex.Pattern.compile("([0-9]+)(?:-([0-9]+))?").matcher(e);
                if (range.matches()) {
                    long lo = Long.parseLong(range.group(1).length() > 9 ? "0" : range.group(1));
                    long hi = range.group(2) == null ? lo : Long.parseLong(range.group(2).length() > 9 ? "0"
                            : range.group(2));
                    if (lo < 1 || hi < lo || hi > names.size()) {
                        throw new InputFileException(file, "header", option + " '" + e + "': positions run from 1 to "
                                + names.size() + " (the columns are " + shown(names) + ")");
                    }
                    for (long k = lo; k <= hi; k++) {
                        hit.add((int) k - 1);
                    }
                } else if (e.contains("*") || e.contains("?")) {
                    StringBuilder re = new StringBuilder();
                    for (char ch : e.toCharArray()) {
                        re.append(ch == '*' ? ".*" : ch == '?' ? "." : java.util.regex.Pattern.quote(String.valueOf(ch)));
                    }
                    for (int k = 0; k < names.size(); k++) {
                        if (names.get(k).matches(re.toString())) {
                            hit.add(k);
                        }
                    }
                } else {
                    int k = names.indexOf(e);
                    if (k >= 0 && names.lastIndexOf(e) != k) {
                        throw new InputFileException(file, "header", option + " '" + e + "': the header has "
                                + "two columns of that name (columns " + (k + 1) + " and " + (names.lastIndexOf(e) + 1)
                                + "); select them by position");
                    }
                    if (k >= 0) {
                        hit.add(k);
                    }
                }
                if (hit.isEmpty()) {
                    throw new InputFileException(file, "header", option + ": no column " + (e.contains("*")
                            || e.contains("?") ? "matches '" + e + "'" : "named '" + e + "'") + "; the columns are "
                            + shown(names));
                }
                for (int k : hit) {
                    if (out.contains(k)) {
                        throw new InputFileException(file, "header", option + ": column " + (k + 1) + " ('"
                                + names.get(k) + "') is selected twice");
                    }
                    out.add(k);
                }
            }
            return out;
        }

        private Segment await(Future<Segment> f) {
            try {
                return f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading " + file, e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            }
        }

        /** The header's names as an error shows them: at most 200 characters (a binary file has no line ends). */
        private static String shown(List<String> names) {
            String all = names.toString();
            return all.length() <= 200 ? all : all.substring(0, 200) + "… (" + names.size() + " columns)";
        }

        private static int indexOf(byte[] buf, int from, int to) {
            for (int i = from; i < to; i++) {
                if (buf[i] == '\n') {
                    return i;
                }
            }
            return -1;
        }

        private static int lastIndexOf(byte[] buf, int from, int to) {
            for (int i = to - 1; i >= from; i--) {
                if (buf[i] == '\n') {
                    return i;
                }
            }
            return -1;
        }

        private static String unquote(String s) {
            return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
        }
    }

    /**
     * The rows of a run of whole lines, parsed into primitive arrays. A bad line stops the
     * parse and leaves {@link #failure}, which makes the exception once the line's number in the
     * file is known (the lines of the segments before it).
     */
    private static final class Segment implements Runnable {
        private final Path file;
        private final String[] names;
        private final int[] target;
        private final int d;
        private final int q;
        private byte[] buf;   // released once parsed
        private final int from;
        private final int to;
        double[] x;
        double[] y;
        int rows;
        int lines;       // lines seen, blank ones included (the failing one included)
        java.util.function.IntFunction<InputFileException> failure;

        Segment(Path file, String[] names, int[] target, int d, int q, byte[] buf, int from, int to) {
            this.file = file;
            this.names = names;
            this.target = target;
            this.d = d;
            this.q = q;
            this.buf = buf;
            this.from = from;
            this.to = to;
        }

        @Override
        public void run() {
            try {
                parse();
            } finally {
                buf = null;
            }
        }

        private void parse() {
            int width = names.length;
            // About 14 bytes per field in files this toolkit writes; grown if there are more rows.
            int cap = Math.max(16, (to - from) / (width * 14));
            x = new double[cap * d];
            y = new double[cap * q];
            int pos = from;
            while (pos < to) {
                int end = pos;
                while (end < to && buf[end] != '\n') {
                    end++;
                }
                lines++;
                int le = end > pos && buf[end - 1] == '\r' ? end - 1 : end;
                int ls = pos;
                pos = end + 1;
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
                        fail(columns(k + 1, width));
                        return;
                    }
                    int t = target[k];
                    if (t != SKIP) {
                        double v = number(fs, fe, names[k]);
                        if (failure != null) {
                            return;
                        }
                        if (t >= 0) {
                            x[rows * d + t] = v;
                        } else {
                            y[rows * q - 2 - t] = v;
                        }
                    }
                    fs = fe + 1;
                }
                if (fs <= le) {
                    int count = width;
                    for (int i = fs - 1; i < le; i++) {
                        count += buf[i] == ',' ? 1 : 0;
                    }
                    fail(columns(count, width));
                    return;
                }
                rows++;
            }
        }

        private void fail(java.util.function.IntFunction<InputFileException> f) {
            failure = f;
        }

        private java.util.function.IntFunction<InputFileException> columns(int found, int width) {
            return row -> new InputFileException(file, "row " + row, "has " + found + " columns, the header has " + width);
        }

        private double number(int fs, int fe, String name) {
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
                String text = shown(buf, fs, fe);
                fail(row -> new InputFileException(file, name + " (row " + row + ")", "not a number: '" + text + "'"));
                return 0;
            }
            if (!Double.isFinite(v)) {
                String text = shown(buf, fs, fe);
                fail(row -> new InputFileException(file, name + " (row " + row + ")",
                        "not a finite number: '" + text + "'"));
            }
            return v;
        }

        /** A field as an error shows it: at most 40 characters (a corrupt file can have megabyte fields). */
        private static String shown(byte[] buf, int fs, int fe) {
            String text = new String(buf, fs, Math.min(fe - fs, 160), StandardCharsets.UTF_8);
            return text.length() > 40 || fe - fs > 160 ? text.substring(0, Math.min(text.length(), 40)) + "… ("
                    + (fe - fs) + " bytes)" : text;
        }

        private boolean blank(int ls, int le) {
            for (int i = ls; i < le; i++) {
                if (buf[i] != ' ' && buf[i] != '\t') {
                    return false;
                }
            }
            return true;
        }
    }
}
