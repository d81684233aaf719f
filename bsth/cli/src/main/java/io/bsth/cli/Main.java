package io.bsth.cli;

import io.bsth.tensor.Workers;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code bsth COMMAND [FLAGS]}: the command-line tool (docs/CLI.md). Bad input (a missing file, a
 * malformed array, a wrong flag) ends with one line naming what was wrong and exit status 2; an
 * unexpected failure with one line and status 1 ({@code BSTH_DEBUG=1} adds the stack trace).
 */
@Command(name = "bsth", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Bit-aware Semantic Transformer Hashing: train, encode, search and evaluate multi-modal hash codes.",
        subcommands = {VersionCommand.class, TrainCommand.class, ExplainCommand.class, EvalCommand.class, EncodeCommand.class, MetricsCommand.class,
            SearchCommand.class, IndexCommand.class, ServeCommand.class, ExportCommand.class, ExportDataCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit status for bad input: flags, files, keys. */
    public static final int BAD_INPUT = 2;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (try 'bsth --help')");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the tool and returns its exit status (tests call this directly). */
    public static int run(String... args) {
        CommandLine cl = commandLine();
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            System.err.println(outOfMemory(Runtime.getRuntime().maxMemory(), args.length > 0 && args[0].equals("train")));
            return 1;
        }
    }

    /**
     * The one line for a run that ran out of heap: the limit it had and how to raise it (for train also the
     * smaller batch and the checkpoint). Checkpoints and
     * other outputs are written through a temporary file and a rename, so the last finished epoch's
     * checkpoint is intact.
     */
    static String outOfMemory(long maxHeapBytes, boolean train) {
        double gib = maxHeapBytes / (1024.0 * 1024 * 1024);
        return String.format(java.util.Locale.ROOT, "bsth: out of memory: the Java heap is limited to %s; raise it with "
                        + "BSTH_JAVA_OPTS=-Xmx<size> (e.g. BSTH_JAVA_OPTS=-Xmx%dg bin/bsth ...)%s",
                gib < 1 ? (maxHeapBytes >> 20) + " MiB" : String.format(java.util.Locale.ROOT, "%.1f GiB", gib), Math.max(2, 2 * (long) Math.ceil(maxHeapBytes / (1024.0 * 1024 * 1024))),
                train ? ", or use a smaller --batch; a --checkpoint holds the last finished epoch (continue with --resume)" : "");
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionStrategy(Main::executeWithWorkers);
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println(prefix(ex.getCommandLine()) + ex.getMessage());
            err.flush();
            return BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            int status;
            if (isBadInput(ex)) {
                err.println(prefix(cmd) + message(ex));
                status = BAD_INPUT;
            } else {
                err.println(prefix(cmd) + "internal error: " + ex);
                status = 1;
            }
            if (System.getenv("BSTH_DEBUG") != null) ex.printStackTrace(err);
            err.flush();
            return status;
        });
        return cl;
    }

    /**
     * Runs the chosen command with its own {@link Workers} pool ({@code --threads}, default one per
     * processor) bound for the kernels it calls; the pool is closed when the command ends.
     */
    private static int executeWithWorkers(CommandLine.ParseResult parsed) {
        CommandLine.ParseResult last = parsed;
        while (last.hasSubcommand()) last = last.subcommand();
        int threads = Runtime.getRuntime().availableProcessors();
        for (CommandSpec mixin : last.commandSpec().mixins().values()) {
            if (mixin.userObject() instanceof ThreadsOption t) threads = t.threads();
        }
        try (Workers w = new Workers(threads)) {
            return w.call(() -> new CommandLine.RunLast().execute(parsed));
        }
    }

    private static String prefix(CommandLine cmd) {
        StringBuilder name = new StringBuilder();
        for (CommandLine c = cmd; c.getParent() != null; c = c.getParent()) name.insert(0, " " + c.getCommandName());
        return "bsth" + name + ": ";
    }

    private static boolean isBadInput(Throwable ex) {
        return ex instanceof IllegalArgumentException || ex instanceof IOException
                || ex instanceof UncheckedIOException || ex instanceof CommandLine.ParameterException;
    }

    private static String message(Throwable ex) {
        Throwable t = ex instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : ex;
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
