package org.prefixmoe.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code prefixmoe} command line: a thin layer over the library. Each subcommand is its own
 * class; bad input ends with a one-line message naming the file and field and exit status 2.
 */
@Command(name = "prefixmoe", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Statistics of prefix-tuning: sample, fit and compare prefix mixture-of-experts models.",
        subcommands = {SampleCommand.class, FitCommand.class, LossCommand.class, BenchCommand.class,
            SimulateCommand.class, SummarizeCommand.class, PlotCommand.class, MergeCommand.class, FiguresCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit status for bad input (malformed files, wrong dimensions, ...). */
    public static final int BAD_INPUT = 2;

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
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            PrintWriter err = cmd.getErr();
            if (ex instanceof IllegalArgumentException || ex instanceof UncheckedIOException) {
                err.println("error: " + ex.getMessage());
                err.flush();
                return BAD_INPUT;
            }
            if (ex instanceof IllegalStateException) { // e.g. a results file held by another run
                err.println("error: " + ex.getMessage());
                err.flush();
                return 1;
            }
            throw ex;
        });
        return cl;
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
