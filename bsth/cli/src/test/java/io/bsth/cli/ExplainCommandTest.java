package io.bsth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExplainCommandTest {
    static final String DATA = "synthetic:train=40,db=64,query=6,image=16,text=48,classes=6,scenes=3";

    @TempDir
    Path tmp;

    @Test
    void trainsBrieflyThenPrintsEveryStep() {
        CliRun r = CliRun.run("explain", "--data", DATA, "--nbit", "8", "--concept-dim", "16", "--epochs", "1", "--epochs-pre", "3",
                "--items", "2", "--bit", "3", "--threads", "2");
        assertEquals(0, r.status(), r.err());
        String out = r.out();
        for (String tag : new String[] {"Stage 1", "class tokens", "prototypes", "target codes", "Stage 2", "Eq. 1", "Eq. 2", "PE",
            "Eq. 3", "a_3 =", "Eq. 4", "Eq. 6", "Eq. 7", "Eq. 8", "items 0 and 1"}) {
            assertTrue(out.contains(tag), "missing '" + tag + "' in:\n" + out);
        }
        assertTrue(out.contains("[2, 8, 16]"), "concept tokens (items, k, d_c)");
        assertTrue(out.contains("[6, 8]"), "prototypes (C, k)");
    }

    @Test
    void explainsASavedModelAndRejectsBadFlagsInOneLine() {
        Path model = tmp.resolve("m.safetensors");
        CliRun t = CliRun.run("train", "--data", DATA, "--nbit", "8", "--concept-dim", "16", "--epochs", "1", "--epochs-pre", "2",
                "--batch", "16", "--save", model.toString());
        assertEquals(0, t.status(), t.err());
        CliRun r = CliRun.run("explain", "--model", model.toString(), "--data", DATA, "--items", "1");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("Eq. 6") && r.out().contains("Eq. 7"), r.out());
        assertFalse(r.out().contains("Stage 1"), "a model file holds no stage-1 network");
        CliRun bad = CliRun.run("explain", "--model", model.toString(), "--data", DATA, "--bit", "8");
        assertEquals(Main.BAD_INPUT, bad.status());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
        assertTrue(bad.err().contains("--bit"), bad.err());
    }
}
