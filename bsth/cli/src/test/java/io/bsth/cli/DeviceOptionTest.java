package io.bsth.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bsth.tensor.backend.BackendUnavailableException;
import io.bsth.tensor.backend.Backends;
import io.bsth.tensor.io.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --device}: cpu is the default; cuda is found through the native-cuda service. Without a
 * usable GPU, cuda fails with one line and no output; with one, search on cuda writes exactly what
 * search on cpu writes (this is part of the GPU check).
 */
class DeviceOptionTest {
    @TempDir
    Path dir;

    static String cudaUnavailable() {
        try {
            Backends.open("cuda").close();
            return null;
        } catch (BackendUnavailableException e) {
            return e.getMessage();
        }
    }

    private String[] search(String device, String out, int nbit) throws Exception {
        Random rnd = new Random(9);
        Npy.writeBytes(dir.resolve("db.npy"), RetrievalCommandsTest.signs(rnd, 3000, nbit), 3000, nbit);
        Npy.writeBytes(dir.resolve("q.npy"), RetrievalCommandsTest.signs(rnd, 40, nbit), 40, nbit);
        return new String[] {"search", "--device", device, "--db-codes", dir.resolve("db.npy").toString(),
            "--queries", dir.resolve("q.npy").toString(), "--k", "50", "--out", dir.resolve(out).toString(),
            "--distances", dir.resolve("d-" + out).toString()};
    }

    @Test
    void anUnknownDeviceIsOneLine() throws Exception {
        CliRun r = CliRun.run(search("tpu", "idx.npy", 16));
        assertEquals(2, r.status(), r.err());
        String line = r.err().strip();
        assertFalse(line.contains("\n"), line);
        assertTrue(line.startsWith("bsth search: --device tpu: no 'tpu' backend on the class path (available: cpu, cuda)"), line);
        assertFalse(Files.exists(dir.resolve("idx.npy")));
    }

    @Test
    void cudaSearchEqualsCpuSearchOrFailsWithOneLine() throws Exception {
        String reason = cudaUnavailable();
        for (int nbit : new int[] {16, 64, 100}) {
            CliRun cuda = CliRun.run(search("cuda", "cuda.npy", nbit));
            if (reason != null) {
                assertEquals(2, cuda.status(), cuda.err());
                String line = cuda.err().strip();
                assertFalse(line.contains("\n"), line);
                assertTrue(line.startsWith("bsth search: --device cuda: ") && line.contains("CUDA"), line);
                assertFalse(Files.exists(dir.resolve("cuda.npy")), "no output after a refused device");
                continue;
            }
            assertEquals(0, cuda.status(), cuda.err());
            assertTrue(cuda.err().contains("device cuda ("), cuda.err());
            CliRun cpu = CliRun.run(search("cpu", "cpu.npy", nbit));
            assertEquals(0, cpu.status(), cpu.err());
            assertArrayEquals(Files.readAllBytes(dir.resolve("cpu.npy")), Files.readAllBytes(dir.resolve("cuda.npy")), nbit + " bits: indices");
            assertArrayEquals(Files.readAllBytes(dir.resolve("d-cpu.npy")), Files.readAllBytes(dir.resolve("d-cuda.npy")), nbit + " bits: distances");
        }
    }

    @Test
    void trainEvalAndEncodeRefuseCudaWithOneLine() {
        String reason = cudaUnavailable();
        String model = dir.resolve("m.safetensors").toString();
        String[][] cases = {
            {"train", "--device", "cuda", "--nbit", "16", "--epochs", "1", "--epochs-pre", "1", "--save", model},
            {"eval", "--device", "cuda", "--model", model},
            {"encode", "--device", "cuda", "--model", model, "--image", "i.npy", "--text", "t.npy", "--out", dir.resolve("c.npy").toString()},
        };
        for (String[] c : cases) {
            CliRun r = CliRun.run(c);
            assertEquals(2, r.status(), r.err());
            String line = r.err().strip();
            assertFalse(line.contains("\n"), line);
            assertTrue(line.startsWith("bsth " + c[0] + ": --device cuda: "), line);
            assertTrue(reason != null ? line.contains("CUDA") : line.contains("runs on the CPU only"), line);
        }
        assertFalse(Files.exists(dir.resolve("m.safetensors")));
    }
}
