package io.bsth.cli;

import picocli.CommandLine.Option;

/**
 * The {@code --threads} flag shared by every command: threads in total for the run. {@link Main} creates
 * a {@link io.bsth.tensor.Workers} pool of this size for the command and binds it while the command
 * runs; nothing JVM-global is changed.
 */
public final class ThreadsOption {
    private int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--threads", paramLabel = "T",
            description = "Worker threads in total (default: available processors).")
    void setThreads(int t) {
        if (t < 1) throw new IllegalArgumentException("--threads: expected a positive integer, got " + t);
        threads = t;
    }

    /** Threads in total for this run. */
    int threads() {
        return threads;
    }
}
