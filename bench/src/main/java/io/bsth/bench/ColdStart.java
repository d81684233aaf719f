package io.bsth.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * The retrieval calls of {@link ColdRetrievalBenchmark} in a fresh JVM without JMH: builds the data,
 * then times CALLS successive calls, printing each call's wall time and the CPU time the whole process
 * spent meanwhile (every thread: the workers and the JIT compilers). On a shared machine the CPU time
 * of the first call is the steadier measure of what a cold start costs; the later calls show the
 * compiled speed.
 * Usage: {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar io.bsth.bench.ColdStart map|topk NBIT CALLS [THREADS]}
 */
public final class ColdStart {
    private ColdStart() {}

    public static void main(String[] args) {
        if (args.length < 3 || !(args[0].equals("map") || args[0].equals("topk"))) {
            System.err.println("usage: ColdStart map|topk NBIT CALLS [THREADS]");
            System.exit(2);
        }
        ColdRetrievalBenchmark b = new ColdRetrievalBenchmark();
        b.nbit = Integer.parseInt(args[1]);
        b.threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        b.setup();
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int r = 0; r < Integer.parseInt(args[2]); r++) {
            long up = ManagementFactory.getRuntimeMXBean().getUptime();
            long t0 = System.nanoTime(), c0 = os.getProcessCpuTime();
            Object out = args[0].equals("map") ? b.mapAll() : b.topK();
            long t1 = System.nanoTime(), c1 = os.getProcessCpuTime();
            System.out.printf(Locale.ROOT, "%s nbit %d call %d (from %d ms after JVM start): wall %.1f ms, process cpu %.0f ms%s%n", args[0], b.nbit, r, up,
                    (t1 - t0) / 1e6, (c1 - c0) / 1e6, out == null ? " (null)" : "");
        }
    }
}
