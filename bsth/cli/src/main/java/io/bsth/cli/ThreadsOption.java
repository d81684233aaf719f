package io.bsth.cli;

import io.bsth.tensor.Parallel;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The {@code --threads} flag shared by every command: threads in total for the run. */
public final class ThreadsOption {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--threads", paramLabel = "T",
            description = "Worker threads in total (default: available processors).")
    void setThreads(int t) {
        // a ParameterException passes through picocli as it is; any other exception from a setter would be
        // wrapped as "Could not invoke ... setThreads(int)"
        if (t < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--threads: expected a positive integer, got " + t);
        Parallel.setThreads(t);
    }
}
