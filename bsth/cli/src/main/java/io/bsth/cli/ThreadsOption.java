package io.bsth.cli;

import io.bsth.tensor.Parallel;
import picocli.CommandLine.Option;

/** The {@code --threads} flag shared by every command: threads in total for the run. */
public final class ThreadsOption {
    @Option(names = "--threads", paramLabel = "T",
            description = "Worker threads in total (default: available processors).")
    void setThreads(int t) {
        if (t < 1) throw new IllegalArgumentException("--threads: expected a positive integer, got " + t);
        Parallel.setThreads(t);
    }
}
