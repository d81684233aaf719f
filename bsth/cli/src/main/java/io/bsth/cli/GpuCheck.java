package io.bsth.cli;

import io.bsth.retrieval.PackedCodes;
import io.bsth.retrieval.Search;
import io.bsth.tensor.Parallel;
import io.bsth.tensor.Rng;
import io.bsth.tensor.backend.Backend;
import io.bsth.tensor.backend.BackendUnavailableException;
import io.bsth.tensor.backend.Backends;
import io.bsth.tensor.backend.CpuBackend;
import io.bsth.tensor.backend.DeviceBuffer;
import io.bsth.tensor.backend.KernelCheck;
import io.bsth.tensor.io.Npy;
import io.bsth.tensor.kernels.Matmul;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The GPU check (run by {@code native-cuda/gpu-check.sh} on a machine with an NVIDIA GPU):
 * <ol>
 *   <li>every CUDA kernel against the CPU backend ({@link KernelCheck});</li>
 *   <li>{@code bsth search --device cuda} against {@code --device cpu} through the command line, same bytes out;</li>
 *   <li>Hamming top-k, DB codes x 64 bits for Q queries: the CUDA kernel against {@link Search#topK} on
 *       a fixed number of CPU threads, same results, times of each in the same run;</li>
 *   <li>a square sgemm: the tiled CUDA kernel against {@link Matmul#sgemm} on the same threads.</li>
 * </ol>
 * Usage: {@code java -cp bsth-cli-all.jar io.bsth.cli.GpuCheck [DB [Q [CPU_THREADS]]]} (defaults
 * 1000000, 1000, 2). Exit status 0 when every comparison agrees, 1 when one differs, 3 without a GPU.
 */
public final class GpuCheck {
    private GpuCheck() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int nq = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int cpuThreads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        Backend cuda;
        try {
            cuda = Backends.open("cuda");
        } catch (BackendUnavailableException e) {
            System.out.println("gpu-check: cuda unavailable: " + e.getMessage());
            System.exit(3);
            return;
        }
        int failures = 0;
        try (cuda) {
            System.out.println("gpu-check: " + cuda.describe());
            failures += kernels(cuda);
            failures += cliSearch();
            Parallel.setThreads(cpuThreads);
            failures += search(cuda, n, nq, 64, 100);
            sgemm(cuda, 2048);
        }
        System.out.println(failures == 0 ? "gpu-check: all comparisons agree" : "gpu-check: " + failures + " comparison(s) FAILED");
        System.exit(failures == 0 ? 0 : 1);
    }

    private static int kernels(Backend cuda) {
        long t0 = System.nanoTime();
        List<KernelCheck.Result> results = KernelCheck.run(CpuBackend.INSTANCE, cuda, 2026);
        int bad = 0;
        for (KernelCheck.Result r : results) {
            System.out.println("  kernel " + r);
            if (!r.ok()) bad++;
        }
        System.out.printf(Locale.ROOT, "[kernels] %d compared, %d differ (%.1f s)%n", results.size(), bad, (System.nanoTime() - t0) / 1e9);
        return bad;
    }

    private static int cliSearch() throws Exception {
        Path dir = Files.createTempDirectory("bsth-gpu-check");
        Rng rng = new Rng(7);
        int bad = 0;
        for (int nbit : new int[] {16, 64, 128}) {
            int n = 20_000, nq = 100;
            byte[] db = new byte[n * nbit], q = new byte[nq * nbit];
            for (int i = 0; i < db.length; i++) db[i] = (byte) (rng.nextInt(2) * 2 - 1);
            for (int i = 0; i < q.length; i++) q[i] = (byte) (rng.nextInt(2) * 2 - 1);
            Npy.writeBytes(dir.resolve("db.npy"), db, n, nbit);
            Npy.writeBytes(dir.resolve("q.npy"), q, nq, nbit);
            for (String device : new String[] {"cpu", "cuda"}) {
                int status = Main.run("search", "--device", device, "--db-codes", dir.resolve("db.npy").toString(),
                        "--queries", dir.resolve("q.npy").toString(), "--k", "100",
                        "--out", dir.resolve("idx-" + device + ".npy").toString(),
                        "--distances", dir.resolve("dist-" + device + ".npy").toString());
                if (status != 0) throw new IllegalStateException("bsth search --device " + device + " exited " + status);
            }
            boolean same = Arrays.equals(Files.readAllBytes(dir.resolve("idx-cpu.npy")), Files.readAllBytes(dir.resolve("idx-cuda.npy")))
                    && Arrays.equals(Files.readAllBytes(dir.resolve("dist-cpu.npy")), Files.readAllBytes(dir.resolve("dist-cuda.npy")));
            System.out.printf(Locale.ROOT, "[cli search] %d bits, 100 queries x 20000 codes: cuda output %s cpu output%n",
                    nbit, same ? "==" : "DIFFERS FROM");
            if (!same) bad++;
        }
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) Files.delete(p);
        }
        Files.delete(dir);
        return bad;
    }

    private static int search(Backend cuda, int n, int nq, int nbit, int k) {
        Rng rng = new Rng(11);
        long[] db = new long[n], q = new long[nq];
        for (int i = 0; i < n; i++) db[i] = rng.nextLong();
        for (int i = 0; i < nq; i++) q[i] = rng.nextLong();
        PackedCodes pdb = PackedCodes.wrap(db, n, nbit), pq = PackedCodes.wrap(q, nq, nbit);
        Search.topK(pq, pdb, k);
        long t0 = System.nanoTime();
        Search.TopK cpu = Search.topK(pq, pdb, k);
        double cpuSeconds = (System.nanoTime() - t0) / 1e9;

        int[] idx = new int[nq * k], dist = new int[nq * k];
        double upload, best = Double.MAX_VALUE;
        try (DeviceBuffer dq = cuda.allocate(DeviceBuffer.Kind.LONG, nq); DeviceBuffer dd = cuda.allocate(DeviceBuffer.Kind.LONG, n);
             DeviceBuffer di = cuda.allocate(DeviceBuffer.Kind.INT, (long) nq * k); DeviceBuffer ds = cuda.allocate(DeviceBuffer.Kind.INT, (long) nq * k)) {
            long u0 = System.nanoTime();
            cuda.upload(db, 0, n, dd);
            cuda.synchronize();
            upload = (System.nanoTime() - u0) / 1e9;
            for (int rep = 0; rep < 4; rep++) {
                long g0 = System.nanoTime();
                cuda.upload(q, 0, nq, dq);
                cuda.hammingTopK(dq, nq, dd, n, nbit, k, di, ds);
                cuda.download(di, idx, 0, idx.length);
                cuda.download(ds, dist, 0, dist.length);
                double s = (System.nanoTime() - g0) / 1e9;
                if (rep > 0) best = Math.min(best, s);
            }
        }
        boolean same = Arrays.equals(cpu.indices(), idx) && Arrays.equals(cpu.distances(), dist);
        System.out.printf(Locale.ROOT, "[search] %d queries x %d codes x %d bits, k %d: cpu (%d threads) %.3f s, cuda %.4f s "
                        + "(queries up + kernel + results down, best of 3; database upload %.3f s once): %.1fx; results %s%n",
                nq, n, nbit, k, Parallel.threads(), cpuSeconds, best, upload, cpuSeconds / best, same ? "identical" : "DIFFER");
        return same ? 0 : 1;
    }

    private static void sgemm(Backend cuda, int m) {
        Rng rng = new Rng(3);
        float[] a = new float[m * m], b = new float[m * m], c = new float[m * m];
        rng.fillUniform(a, 0, a.length, -1, 1);
        rng.fillUniform(b, 0, b.length, -1, 1);
        Matmul.sgemm(false, false, m, m, m, 1f, a, 0, m, b, 0, m, 0f, c, 0, m);
        long t0 = System.nanoTime();
        Matmul.sgemm(false, false, m, m, m, 1f, a, 0, m, b, 0, m, 0f, c, 0, m);
        double cpu = (System.nanoTime() - t0) / 1e9;
        double best = Double.MAX_VALUE;
        try (DeviceBuffer A = cuda.allocate(DeviceBuffer.Kind.FLOAT, (long) m * m); DeviceBuffer B = cuda.allocate(DeviceBuffer.Kind.FLOAT, (long) m * m);
             DeviceBuffer C = cuda.allocate(DeviceBuffer.Kind.FLOAT, (long) m * m)) {
            cuda.upload(a, 0, a.length, A);
            cuda.upload(b, 0, b.length, B);
            for (int rep = 0; rep < 6; rep++) {
                cuda.synchronize();
                long g0 = System.nanoTime();
                cuda.sgemmBatched(1, false, false, m, m, m, 1f, A, m, 0, B, m, 0, 0f, C, m, 0);
                cuda.synchronize();
                if (rep > 0) best = Math.min(best, (System.nanoTime() - g0) / 1e9);
            }
        }
        double flops = 2.0 * m * m * m;
        System.out.printf(Locale.ROOT, "[sgemm] %d^3: cpu (%d threads) %.3f s = %.1f GFLOP/s, cuda kernel %.5f s = %.0f GFLOP/s: %.1fx%n",
                m, Parallel.threads(), cpu, flops / cpu / 1e9, best, flops / best / 1e9, cpu / best);
    }
}
