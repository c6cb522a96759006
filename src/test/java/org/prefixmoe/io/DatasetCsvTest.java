package org.prefixmoe.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.prefixmoe.sampling.Dataset;

/** The streaming CSV reader: exact numbers, the edge cases of the syntax, and clear refusals. */
class DatasetCsvTest {
    @TempDir
    Path dir;

    private Path file(String text) throws IOException {
        Path f = dir.resolve("data.csv");
        Files.write(f, text.getBytes(StandardCharsets.UTF_8));
        return f;
    }

    @Test
    void writeThenReadIsExact() {
        Random rnd = new Random(1);
        int n = 5000;
        double[] x = new double[n * 3];
        double[] y = new double[n * 2];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextGaussian() * Math.pow(10, rnd.nextInt(40) - 20);
        }
        for (int i = 0; i < y.length; i++) {
            y[i] = Double.longBitsToDouble(rnd.nextLong() & 0x7fefffffffffffffL) * (rnd.nextBoolean() ? 1 : -1);
        }
        x[0] = -0.0;
        x[1] = Double.MIN_VALUE;
        x[2] = Double.MAX_VALUE;
        Path f = dir.resolve("round.csv");
        DatasetCsv.write(new Dataset(x, y, 3, 2), f);
        Dataset back = DatasetCsv.read(f);
        assertEquals(n, back.size());
        assertArrayEquals(x, back.x(), 0.0);
        assertArrayEquals(y, back.y(), 0.0);
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(back.x()[0]), "-0 keeps its sign");
    }

    @Test
    void readsTheSyntaxOfParseDouble() throws IOException {
        String[] numbers = {"1e5", "-2.5E-3", "+7", ".5", "5.", "-0", "0x1p3", "1d", "  3.25 ", "\"4\"",
            "123456789012345678901234567890", "4.9e-324", "1.7976931348623157e308", "2.2250738585072011e-308"};
        StringBuilder text = new StringBuilder("\uFEFFx1,y1\r\n");
        for (String s : numbers) {
            text.append(s).append(",1\r\n");
        }
        text.append("\r\n   \n"); // blank lines are skipped
        Dataset d = DatasetCsv.read(file(text.toString()));
        assertEquals(numbers.length, d.size());
        for (int i = 0; i < numbers.length; i++) {
            String s = numbers[i].strip().replace("\"", "");
            assertEquals(Double.parseDouble(s), d.x()[i], 0.0, s);
            assertEquals(1.0, d.y()[i]);
        }
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(d.x()[5]));
    }

    @Test
    void lastLineWithoutNewlineAndLongLines() throws IOException {
        StringBuilder text = new StringBuilder("x1,x2,y1\n");
        String pad = "0".repeat(3_000_000); // a line longer than the read buffer
        text.append("1,").append(pad).append("2,3\n4,5,6");
        Dataset d = DatasetCsv.read(file(text.toString()));
        assertArrayEquals(new double[] {1, 2, 4, 5}, d.x(), 0.0);
        assertArrayEquals(new double[] {3, 6}, d.y(), 0.0);
    }

    @Test
    void refusesBadRowsWithFileRowAndColumn() throws IOException {
        assertMessage("x1,y1\n1,2\nNaN,3\n", "field 'x1 (row 2)': not a finite number: 'NaN'");
        assertMessage("x1,y1\n1,Infinity\n", "field 'y1 (row 1)': not a finite number: 'Infinity'");
        assertMessage("x1,y1\n1,abc\n", "field 'y1 (row 1)': not a number: 'abc'");
        assertMessage("x1,y1\n1,\n", "field 'y1 (row 1)': not a number: ''");
        assertMessage("x1,x2,y1\n1,2,3\n4,5\n", "field 'row 2': has 2 columns, the header has 3");
        assertMessage("x1,y1\r\n1,2,3\r\n", "field 'row 1': has 3 columns, the header has 2");
        assertMessage("x1,y2\n1,2\n", "field 'header': expected columns x1..xD then y1..yq");
        assertMessage("", "field 'header': the file is empty");
        assertMessage("x1,y1\n", "no data rows");
        // A corrupt field of a megabyte is shown in part, with its length.
        assertMessage("x1,y1\n1," + "9".repeat(1 << 20) + "x\n", "not a number: '" + "9".repeat(40) + "… (1048577 bytes)'");
    }

    @Test
    void segmentsOnSeveralThreadsGiveTheSameRowsAndTheFirstErrorInTheFile() throws IOException {
        StringBuilder text = new StringBuilder("x1,x2,y1\r\n");
        Random rnd = new Random(3);
        for (int i = 0; i < 2000; i++) {
            text.append(rnd.nextGaussian()).append(',').append(i).append(",\"").append(-i).append("\"\r\n");
            if (i % 97 == 0) {
                text.append("   \n");   // blank lines count as rows of the file, not of the data
            }
        }
        Path f = file(text.toString());
        Dataset one = DatasetCsv.read(f, 1 << 20, 1);
        for (int segment : new int[] {7, 64, 1000}) {
            Dataset many = DatasetCsv.read(f, segment, 3);
            assertEquals(2000, many.size(), "segments of " + segment + " bytes");
            assertArrayEquals(one.x(), many.x(), 0.0);
            assertArrayEquals(one.y(), many.y(), 0.0);
        }
        // Two bad rows far apart: the first one in the file is reported, with its row in the file.
        String[] lines = text.toString().split("\n", -1);
        lines[1300] = "oops,1,2\r";
        lines[1800] = "1,2\r";
        Path g = file(String.join("\n", lines));
        for (int segment : new int[] {64, 1 << 20}) {
            InputFileException e = assertThrows(InputFileException.class, () -> DatasetCsv.read(g, segment, 2));
            assertTrue(e.getMessage().contains("x1 (row 1300)"), segment + ": " + e.getMessage());
        }
        lines[1300] = "1,1,2\r";
        Path h = file(String.join("\n", lines));
        InputFileException e = assertThrows(InputFileException.class, () -> DatasetCsv.read(h, 64, 2));
        assertTrue(e.getMessage().contains("row 1800': has 2 columns"), e.getMessage());
    }

    private void assertMessage(String text, String expected) throws IOException {
        Path f = file(text);
        InputFileException e = assertThrows(InputFileException.class, () -> DatasetCsv.read(f));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    }

    // --- issue 18: choosing the columns of one's own data

    @Test
    void columnsByNameGlobAndPositionInTheirOrder() throws IOException {
        Path f = file("id,b,a1,a2,out,note\n7,0.5,1,2,3.5,first\n8,0.25,4,5,6.5,second\n");
        DatasetCsv.Table t = DatasetCsv.readColumns(f, new DatasetCsv.Columns("a*,b", "out"), true);
        assertEquals(java.util.List.of("a1", "a2", "b"), t.xNames());
        assertEquals(java.util.List.of("out"), t.yNames());
        assertArrayEquals(new double[] {1, 2, 0.5, 4, 5, 0.25}, t.x());
        assertArrayEquals(new double[] {3.5, 6.5}, t.y());
        Dataset byPosition = DatasetCsv.read(f, new DatasetCsv.Columns("3-4,2", "5"));
        assertArrayEquals(t.x(), byPosition.x());
        assertArrayEquals(t.y(), byPosition.y());
    }

    @Test
    void defaultColumnsAreTheNumberedOnesAndResponsesMayBeAbsent() throws IOException {
        Path f = file("row,x1,x2,y1\nr1,1,2,3\n");
        Dataset d = DatasetCsv.read(f, DatasetCsv.Columns.NAMED);
        assertArrayEquals(new double[] {1, 2}, d.x());
        Path inputs = dir.resolve("inputs.csv");
        Files.writeString(inputs, "x1,x2\n1,2\n3,4\n");
        DatasetCsv.Table t = DatasetCsv.readColumns(inputs, DatasetCsv.Columns.NAMED, false);
        assertEquals(0, t.outputDimension());
        assertEquals(2, t.size());
        InputFileException e = assertThrows(InputFileException.class,
                () -> DatasetCsv.read(inputs, DatasetCsv.Columns.NAMED));
        assertTrue(e.getMessage().startsWith(inputs.toString()) && e.getMessage().contains("no responses columns"),
                e.getMessage());
    }

    @Test
    void missingOrDoublySelectedColumnsAreNamed() throws IOException {
        Path f = file("u,v,w\n1,2,3\n");
        InputFileException e = assertThrows(InputFileException.class,
                () -> DatasetCsv.read(f, new DatasetCsv.Columns("u,v", "y2")));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains("--y: no column named 'y2'")
                && e.getMessage().contains("[u, v, w]"), e.getMessage());
        e = assertThrows(InputFileException.class, () -> DatasetCsv.read(f, new DatasetCsv.Columns("z*", "w")));
        assertTrue(e.getMessage().contains("--x: no column matches 'z*'"), e.getMessage());
        e = assertThrows(InputFileException.class, () -> DatasetCsv.read(f, new DatasetCsv.Columns("u,v", "v")));
        assertTrue(e.getMessage().contains("both as an input and as a response"), e.getMessage());
        e = assertThrows(InputFileException.class, () -> DatasetCsv.read(f, new DatasetCsv.Columns("u,1", "w")));
        assertTrue(e.getMessage().contains("selected twice"), e.getMessage());
        e = assertThrows(InputFileException.class, () -> DatasetCsv.read(f, new DatasetCsv.Columns("1-4", "w")));
        assertTrue(e.getMessage().contains("positions run from 1 to 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DatasetCsv.Columns("u,,v", "w"));
    }

    @Test
    void aNaNInASelectedColumnIsRefusedAndASkippedColumnIsNotRead() throws IOException {
        Path f = file("a,b,label\n1,2,x\n3,NaN,y\n");
        InputFileException e = assertThrows(InputFileException.class,
                () -> DatasetCsv.read(f, new DatasetCsv.Columns("a", "b")));
        assertEquals("b (row 2)", e.field());
        assertTrue(e.getMessage().contains("not a finite number"), e.getMessage());
        Path g = file("a,b,label\n1,2,x\n3,4,y\n");
        assertArrayEquals(new double[] {2, 4}, DatasetCsv.read(g, new DatasetCsv.Columns("a", "b")).y());
    }
}
