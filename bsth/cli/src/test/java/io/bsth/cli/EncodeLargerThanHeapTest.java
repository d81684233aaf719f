package io.bsth.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bsth.model.BsthNetwork;
import io.bsth.model.ModelConfig;
import io.bsth.model.ModelFile;
import io.bsth.tensor.Rng;
import io.bsth.tensor.io.Npy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bsth encode} streams: a child JVM whose heap is less than half the size of its input files
 * encodes them, and its codes equal those of the same command run in this JVM (a large heap, larger chunks).
 */
class EncodeLargerThanHeapTest {
    static final int IMAGE = 512, TEXT = 256, ROWS = 28_000, CHILD_HEAP_MB = 40;

    @TempDir
    Path dir;

    @Test
    void encodesFilesLargerThanTheHeapToTheSameCodes() throws Exception {
        Path model = dir.resolve("m.safetensors"), image = dir.resolve("I.npy"), text = dir.resolve("T.npy");
        ModelFile.save(model, new BsthNetwork(new ModelConfig(IMAGE, TEXT, 5, 8, 1, 1, 0.5f, 8), new Rng(11)));
        Rng r = new Rng(12);
        float[] f = new float[ROWS * IMAGE];
        for (int i = 0; i < f.length; i++) f[i] = r.nextFloat() * 2 - 1;
        Npy.writeFloats(image, f, ROWS, IMAGE);
        f = new float[ROWS * TEXT];
        for (int i = 0; i < f.length; i++) f[i] = r.nextFloat() * 2 - 1;
        Npy.writeFloats(text, f, ROWS, TEXT);
        f = null;
        long inputBytes = Files.size(image) + Files.size(text);
        assertTrue(inputBytes > 2L * CHILD_HEAP_MB << 20, "input " + inputBytes + " bytes, at least twice the child's heap");

        Path small = dir.resolve("small-heap.npy"), large = dir.resolve("large-heap.npy");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-Xmx" + CHILD_HEAP_MB + "m", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "encode", "--model", model.toString(), "--image", image.toString(),
                "--text", text.toString(), "--out", small.toString(), "--threads", "2").redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("wrote " + ROWS + " codes of 8 bits"), out);

        CliRun big = CliRun.run("encode", "--model", model.toString(), "--image", image.toString(), "--text", text.toString(), "--out", large.toString());
        assertEquals(0, big.status(), big.err());
        assertArrayEquals(Files.readAllBytes(large), Files.readAllBytes(small), "the same codes with a heap of " + CHILD_HEAP_MB + " MiB");
        ModelConfig c = ModelFile.load(model, 1).config;
        assertTrue(EncodeCommand.chunkRows(c, CHILD_HEAP_MB << 20) < Math.min(1024, EncodeCommand.chunkRows(c, Runtime.getRuntime().maxMemory())),
                "the two runs cut the rows into different chunks and batches");
    }
}
