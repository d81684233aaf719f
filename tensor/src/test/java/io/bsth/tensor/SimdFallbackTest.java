package io.bsth.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bsth.tensor.kernels.Activation;
import io.bsth.tensor.kernels.Elementwise;
import io.bsth.tensor.kernels.Matmul;
import io.bsth.tensor.kernels.Norm;
import io.bsth.tensor.kernels.Reduce;
import io.bsth.tensor.kernels.Softmax;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without {@code jdk.incubator.vector} (a class-path JVM started without {@code --add-modules}) every
 * kernel loads, runs its scalar path and matches its reference, and exactly one warning says how to
 * enable SIMD. The second surefire execution ({@code no-vector-api}) runs this class in such a JVM; the
 * default execution (with the module) checks the same by starting one.
 */
class SimdFallbackTest {
    static final String WARNING = "jdk.incubator.vector is not resolved";

    @Test
    void simdStateMatchesTheJvm() {
        boolean noVector = Boolean.getBoolean("bsth.test.noVectorApi");
        assertEquals(!noVector, Simd.AVAILABLE);
        if (noVector) {
            assertFalse(Simd.ENABLED);
            assertEquals(1, Simd.floatLanes());
            assertTrue(Simd.describe().contains("--add-modules jdk.incubator.vector"), Simd.describe());
        }
    }

    @Test
    void everyKernelRunsItsScalarPath() {
        assertEquals("ok", Kernels.run());
    }

    @Test
    void aJvmWithoutTheModuleRunsScalarAndWarnsOnce(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out.txt"), err = dir.resolve("err.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-cp", System.getProperty("java.class.path"), Kernels.class.getName());
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out");
        String o = Files.readString(out, StandardCharsets.UTF_8), e = Files.readString(err, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), o + e);
        assertTrue(o.startsWith("ok\nSIMD off (jdk.incubator.vector not resolved"), o);
        assertEquals(1, e.split(WARNING, -1).length - 1, "one warning:\n" + e);
        assertFalse(e.contains("Exception") || e.contains("Error"), e);
    }

    /** Runs each kernel family twice (the warning must not repeat) and compares it with its reference. */
    public static final class Kernels {
        public static void main(String[] args) {
            System.out.println(run());
            System.out.println(Simd.describe());
        }

        static String run() {
            for (int round = 0; round < 2; round++) {
                int rows = 37, C = 53, n = rows * C;
                float[] x = random(n, 1), y = random(n, 2), got = new float[n], want = new float[n];

                Elementwise.add(x, 0, y, 0, got, 0, n);
                Elementwise.addReference(x, 0, y, 0, want, 0, n);
                check("add", got, want, 0f);

                Activation.tanh(x, got, n);
                Activation.tanhReference(x, want, 0, n);
                check("tanh", got, want, 1e-6f);

                Softmax.forward(x, got, rows, C);
                for (int r = 0; r < rows; r++) Softmax.rowReference(x, want, r * C, C);
                check("softmax", got, want, 1e-6f);

                float[] mean = new float[rows], rstd = new float[rows], m2 = new float[rows], r2 = new float[rows];
                Norm.layerNormForward(x, null, null, got, mean, rstd, rows, C, 1e-5f);
                Norm.layerNormForwardReference(x, null, null, want, m2, r2, rows, C, 1e-5f);
                check("layerNorm", got, want, 1e-5f);

                double s = Reduce.sum(x, 0, n), sr = Reduce.sumReference(x, 0, n);
                if (Math.abs(s - sr) > 1e-3) throw new AssertionError("sum " + s + " vs " + sr);

                int M = 19, N = 23, K = 31;
                float[] A = random(M * K, 3), B = random(K * N, 4), c = new float[M * N], cr = new float[M * N];
                Matmul.sgemm(false, false, M, N, K, 1f, A, 0, K, B, 0, N, 0f, c, 0, N);
                Matmul.sgemmReference(false, false, M, N, K, 1f, A, 0, K, B, 0, N, 0f, cr, 0, N);
                check("sgemm", c, cr, 1e-4f);
            }
            return "ok";
        }

        static float[] random(int n, long seed) {
            float[] a = new float[n];
            new Rng(seed).fillNormal(a, 0, n, 0f, 1f);
            return a;
        }

        static void check(String what, float[] got, float[] want, float tol) {
            for (int i = 0; i < got.length; i++) {
                if (!(Math.abs(got[i] - want[i]) <= tol * Math.max(1f, Math.abs(want[i])))) {
                    throw new AssertionError(what + "[" + i + "]: " + got[i] + " vs reference " + want[i]);
                }
            }
        }

        private Kernels() {}
    }
}
