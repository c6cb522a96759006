package org.prefixmoe.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code prefixmoe} command line: a thin layer over the library. Each subcommand is its own
 * class; bad input ends with a one-line message naming the file and field and exit status 2.
 */
@Command(name = "prefixmoe", mixinStandardHelpOptions = true, version = "prefixmoe 0.1.0",
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

    /** Builds the configured command line (used by {@link #main} and by tests). */
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

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
