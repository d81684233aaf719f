package io.bsth.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed PTX matches the CUDA C sources: one module per .cu file, every source file that went
 * into a module (the .cu and its #includes) has the SHA-256 recorded in the PTX header, the kernels
 * the PTX defines are exactly the extern "C" __global__ functions of the source, and the PTX declares
 * ISA 8.0 or lower. (Byte-identical regeneration needs nvcc: {@code native-cuda/regen-ptx.sh --check}.)
 */
class PtxSyncTest {
    static final Path SOURCES = Path.of("src/main/cuda");
    static final Pattern SOURCE_LINE = Pattern.compile("^// source (\\S+) sha256 ([0-9a-f]{64})$", Pattern.MULTILINE);
    static final Pattern INCLUDE = Pattern.compile("^#include \"([^\"]+)\"", Pattern.MULTILINE);
    static final Pattern KERNEL = Pattern.compile("extern \"C\" __global__ void (\\w+)\\(");
    static final Pattern VERSION = Pattern.compile("^\\.version (\\d+)\\.(\\d+)$", Pattern.MULTILINE);

    @Test
    void oneModulePerSourceFile() throws IOException {
        TreeSet<String> sources = new TreeSet<>();
        try (Stream<Path> s = Files.list(SOURCES)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cu")).forEach(n -> sources.add(n.substring(0, n.length() - 3)));
        }
        assertEquals(sources, new TreeSet<>(Ptx.MODULES), "Ptx.MODULES against " + SOURCES + "/*.cu");
        TreeSet<String> ptx = new TreeSet<>();
        try (Stream<Path> s = Files.list(Path.of("src/main/resources/io/bsth/cuda/ptx"))) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".ptx")).forEach(n -> ptx.add(n.substring(0, n.length() - 4)));
        }
        assertEquals(sources, ptx, "committed .ptx files against the .cu files");
    }

    @Test
    void headersRecordTheHashOfEverySourceThatWentIn() throws IOException {
        List<String> stale = new ArrayList<>();
        for (String module : Ptx.MODULES) {
            String ptx = Ptx.text(module);
            TreeMap<String, String> recorded = new TreeMap<>();
            Matcher m = SOURCE_LINE.matcher(ptx);
            while (m.find()) recorded.put(m.group(1), m.group(2));
            String cu = Files.readString(SOURCES.resolve(module + ".cu"));
            TreeSet<String> inputs = new TreeSet<>(List.of(module + ".cu"));
            Matcher inc = INCLUDE.matcher(cu);
            while (inc.find()) inputs.add(inc.group(1));
            assertEquals(inputs, recorded.navigableKeySet(), module + ".ptx: the sources named in its header");
            for (var e : recorded.entrySet()) {
                String actual = sha256(SOURCES.resolve(e.getKey()));
                if (!actual.equals(e.getValue())) stale.add(module + ".ptx (" + e.getKey() + " changed)");
            }
        }
        assertTrue(stale.isEmpty(), "PTX older than its sources, run native-cuda/regen-ptx.sh: " + stale);
    }

    @Test
    void kernelsAreTheSourcesExternCGlobals() throws IOException {
        for (String module : Ptx.MODULES) {
            String cu = Files.readString(SOURCES.resolve(module + ".cu"));
            TreeSet<String> declared = new TreeSet<>();
            Matcher m = KERNEL.matcher(cu);
            while (m.find()) declared.add(m.group(1));
            assertFalse(declared.isEmpty(), module + ".cu declares no kernel");
            assertEquals(declared, new TreeSet<>(Ptx.entries(Ptx.text(module))), module + ": kernels in source vs PTX");
        }
    }

    @Test
    void ptxIsaIsAtMost80() {
        for (String module : Ptx.MODULES) {
            Matcher m = VERSION.matcher(Ptx.text(module));
            assertTrue(m.find(), module + ".ptx has no .version line");
            int major = Integer.parseInt(m.group(1)), minor = Integer.parseInt(m.group(2));
            assertTrue(major < 8 || major == 8 && minor == 0, module + ".ptx declares .version " + major + "." + minor);
        }
    }

    static String sha256(Path p) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
