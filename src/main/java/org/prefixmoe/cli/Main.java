package org.prefixmoe.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.prefixmoe.io.InputFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code prefixmoe} command line: a thin layer over the library. Each subcommand is its own
 * class. Exit status: 0 success; 1 the run could not proceed ({@link #RUN_ERROR}: a results file
 * held by another run, an interruption); 2 bad input ({@link #BAD_INPUT}: a one-line message
 * naming the file and field, nothing written); 3 a fit failed or did not converge
 * ({@link #FIT_FAILED}: the estimate file says so).
 */
@Command(name = "prefixmoe", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Statistics of prefix-tuning: sample, fit and compare prefix mixture-of-experts models.",
        subcommands = {SampleCommand.class, FitCommand.class, SelectCommand.class, CoverageCommand.class, SelectStudyCommand.class, PredictCommand.class, ReplayCommand.class, CertifyCommand.class, LossCommand.class, BenchCommand.class,
            SimulateCommand.class, SummarizeCommand.class, PlotCommand.class, MergeCommand.class, FiguresCommand.class, ReportCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit status when the run could not proceed (results file locked by another run, interrupted). */
    public static final int RUN_ERROR = 1;
    /** Exit status for bad input (malformed files, wrong dimensions, sizes too large, unwritable output, ...). */
    public static final int BAD_INPUT = 2;
    /** Exit status of {@code fit} when the fit failed or stopped without converging. */
    public static final int FIT_FAILED = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    /**
     * The project's version, from {@code org/prefixmoe/version.properties}, which Maven fills in from
     * the pom when it copies the resources (so it is right for exec:java, bin/prefixmoe and the jars).
     *
     * @return the version, e.g. {@code 0.1.0-SNAPSHOT}
     */
    public static String version() {
        try (InputStream in = Main.class.getResourceAsStream("/org/prefixmoe/version.properties")) {
            if (in == null) {
                throw new IllegalStateException("org/prefixmoe/version.properties is missing from the classpath");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Supplies {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"prefixmoe " + version()};
        }
    }

    /**
     * Builds the configured command line (used by {@link #main} and by tests).
     *
     * @return the command line, ready to {@code execute}
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        // Each command starts with no recorded inputs, so that Outputs compares against its own.
        cl.setExecutionStrategy(parseResult -> {
            InputFiles.track();
            return new CommandLine.RunLast().execute(parseResult);
        });
        // A bad option is one line too: the converter's or setter's own message, not Java's exception text.
        cl.setParameterExceptionHandler((ex, args) -> {
            String msg = ex.getMessage();
            for (Throwable c = ex.getCause(); c != null; c = c.getCause()) {
                if (c instanceof IllegalArgumentException && c.getMessage() != null) {
                    msg = c.getMessage();
                }
            }
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("error: " + oneLine(msg) + " (see: prefixmoe " + (ex.getCommandLine().getParent() == null
                    ? "" : ex.getCommandLine().getCommandName() + " ") + "--help)");
            err.flush();
            return BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            PrintWriter err = cmd.getErr();
            if (ex instanceof IllegalArgumentException || ex instanceof UncheckedIOException) {
                err.println("error: " + oneLine(ex.getMessage()));
                err.flush();
                return BAD_INPUT;
            }
            if (ex instanceof IllegalStateException) { // e.g. a results file held by another run
                err.println("error: " + oneLine(ex.getMessage()));
                err.flush();
                return RUN_ERROR;
            }
            throw ex;
        });
        return cl;
    }

    /** Messages of parsers (SnakeYAML's) can span lines; an error is one line. */
    private static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*[\\r\\n]+\\s*", "; ");
    }

    /**
     * Runs the command line and exits with its status.
     *
     * @param args the command and its options
     */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
