package io.bsth.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code --threads} flag shared by every command: threads in total for the run. {@link Main} creates
 * a {@link io.bsth.tensor.Workers} pool of this size for the command and binds it while the command
 * runs; nothing JVM-global is changed.
 */
public final class ThreadsOption {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    private int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--threads", paramLabel = "T",
            description = "Worker threads in total (default: available processors).")
    void setThreads(int t) {
        // a ParameterException passes through picocli as it is; any other exception from a setter would be
        // wrapped as "Could not invoke ... setThreads(int)"
        if (t < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--threads: expected a positive integer, got " + t);
        threads = t;
    }

    /** Threads in total for this run. */
    int threads() {
        return threads;
    }
}
