package io.bsth.cli;

import io.bsth.model.BsthNetwork;
import io.bsth.model.EncoderWarmUp;
import io.bsth.model.ModelFile;
import io.bsth.retrieval.CodeIndex;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bsth serve}: the HTTP service over one index (see {@link HttpService}); stops gracefully on SIGTERM or Ctrl-C. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Serve /encode, /search, /health, /metrics (and /items with --writable) over HTTP, JSON in and out.")
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "M", description = "A model (.safetensors) for /encode and search or add by features.")
    Path model;

    @Option(names = "--index", required = true, paramLabel = "PATH", description = "The index file (opened read-only unless --writable).")
    Path index;

    @Option(names = "--port", required = true, paramLabel = "P", description = "TCP port (0: any free port; the chosen one is printed).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST", description = "Address to bind (default: ${DEFAULT-VALUE}, loopback only).")
    String host;

    @Option(names = "--writable", description = "Enable POST /items and DELETE /items/ID.")
    boolean writable;

    @Option(names = "--max-body", defaultValue = "16777216", paramLabel = "BYTES", description = "Largest request body; larger gets 413 (default: ${DEFAULT-VALUE}).")
    int maxBody;

    @Option(names = "--max-k", defaultValue = "10000", paramLabel = "K", description = "Largest k a search may ask for (default: ${DEFAULT-VALUE}).")
    int maxK;

    @Option(names = "--warm-up", defaultValue = "30", paramLabel = "SECONDS",
            description = "With --model: encode random items for at most this long before announcing the service, so that the first"
                    + " requests do not wait for the JIT (0: off; default: ${DEFAULT-VALUE}).")
    int warmUpSeconds;

    @Option(names = "--nhead", defaultValue = "1", description = "Heads, for a model file without metadata (default: ${DEFAULT-VALUE}).")
    int nhead;

    @Mixin
    ThreadsOption threads;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--port: expected 0 to 65535, got " + port);
        if (maxBody < 1) throw new IllegalArgumentException("--max-body: expected a positive number of bytes, got " + maxBody);
        if (maxK < 1) throw new IllegalArgumentException("--max-k: expected a positive integer, got " + maxK);
        if (warmUpSeconds < 0) throw new IllegalArgumentException("--warm-up: expected a non-negative number of seconds, got " + warmUpSeconds);
        BsthNetwork net = model == null ? null : ModelFile.load(model, nhead);
        CodeIndex x = writable ? CodeIndex.open(index) : CodeIndex.openReadOnly(index);
        HttpService s;
        try {
            s = new HttpService(x, net, writable, host, port, maxBody, maxK);
        } catch (java.net.BindException e) {
            x.close();
            throw new IllegalArgumentException("--port " + port + ": cannot bind " + host + ":" + port + " (" + e.getMessage() + ")");
        } catch (Exception e) {
            x.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                s.stop(10);
            } catch (Exception e) {
                System.err.println("bsth serve: while stopping: " + e.getMessage());
            }
            System.out.println("bsth serve: stopped");
            System.out.flush();
            stopped.countDown();
        }));
        if (net != null && warmUpSeconds > 0) {
            // requests that arrive meanwhile wait for the network as they wait for each other (Features.encode)
            synchronized (net) {
                EncoderWarmUp.run(net, warmUpSeconds * 1000L);
            }
        }
        System.out.println("bsth serve: listening on http://" + host + ":" + s.port() + " (" + x.size() + " items, " + x.nbit() + " bits"
                + (writable ? ", writable" : ", read-only") + (net == null ? ", no model" : "") + ")");
        System.out.flush();
        stopped.await();
        return 0;
    }
}
