package io.bsth.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the example in fresh JVMs on the installed jars: as a named module on the module path (where
 * bsth-tensor's {@code requires jdk.incubator.vector} resolves the Vector API without a flag), on the
 * class path with {@code --add-modules jdk.incubator.vector}, and on the class path without it (scalar
 * kernels, one warning). All three print the same codes and search results.
 */
class LaunchModesTest {
    static final String WARNING = "jdk.incubator.vector is not resolved";
    static Path work;
    static String path;

    record Run(String out, String err) {
        /** stdout without the last line (which names the launch mode and the SIMD state). */
        String results() {
            return out.substring(0, out.stripTrailing().lastIndexOf('\n') + 1);
        }
    }

    @BeforeAll
    static void demoModel() throws Exception {
        work = Path.of(System.getProperty("example.work"));
        Files.createDirectories(work);
        path = System.getProperty("example.classes") + File.pathSeparator
                + Files.readString(Path.of(System.getProperty("example.runtimePath"))).strip();
        Files.deleteIfExists(work.resolve("model.safetensors"));
        launch(List.of("-cp", path, "io.bsth.example.DemoModel", work.resolve("model.safetensors").toString()));
    }

    static Run launch(List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(args);
        Path out = Files.createTempFile(work, "out", ".txt"), err = Files.createTempFile(work, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + cmd);
        Run r = new Run(Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        assertEquals(0, p.exitValue(), cmd + "\nstdout:\n" + r.out + "\nstderr:\n" + r.err);
        return r;
    }

    static Run example(String name, List<String> jvm, List<String> main) throws Exception {
        Path index = work.resolve(name + ".codes");
        Files.deleteIfExists(index);
        List<String> args = new ArrayList<>(jvm);
        args.addAll(main);
        args.add(work.resolve("model.safetensors").toString());
        args.add(index.toString());
        return launch(args);
    }

    @Test
    void sameResultsOnModulePathAndClassPathWithAndWithoutVectorApi() throws Exception {
        Run module = example("module", List.of("--module-path", path), List.of("-m", "io.bsth.example/io.bsth.example.Example"));
        Run vector = example("vector", List.of("--add-modules", "jdk.incubator.vector", "-cp", path), List.of("io.bsth.example.Example"));
        Run plain = example("plain", List.of("-cp", path), List.of("io.bsth.example.Example"));

        assertTrue(module.out.contains("module named, SIMD "), module.out);
        assertTrue(vector.out.contains("module unnamed, SIMD "), vector.out);
        assertTrue(plain.out.contains("module unnamed, SIMD off"), plain.out);
        assertTrue(module.out.contains("ids [1000, "), "the first item finds itself first:\n" + module.out);
        assertTrue(!module.out.contains("1003"), "deleted id 1003 is never returned:\n" + module.out);

        assertEquals(module.results(), vector.results());
        assertEquals(module.results(), plain.results());

        assertTrue(!module.err.contains(WARNING) && !vector.err.contains(WARNING), module.err + vector.err);
        assertEquals(1, plain.err.split(WARNING, -1).length - 1, "one warning without the Vector API:\n" + plain.err);
    }
}
