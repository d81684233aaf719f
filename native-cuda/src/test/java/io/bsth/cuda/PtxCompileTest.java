package io.bsth.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Every committed module compiles for sm_90 (H100/H200) with the nvPTXCompiler bundled in JCuda's
 * natives: a CPU-side compiler, so this runs on any Linux x86-64 machine, without a GPU or driver.
 */
class PtxCompileTest {
    @Test
    void everyModuleCompilesForSm90() {
        for (String module : Ptx.MODULES) {
            PtxCompiler.Result r = PtxCompiler.compile(Ptx.text(module), "sm_90");
            assertEquals(0, r.status(), module + ".ptx: " + r.log());
            assertTrue(r.cubinBytes() > 0, module + ".ptx produced an empty cubin");
        }
    }

    @Test
    void aBrokenModuleIsRejected() {
        String bad = Ptx.text("adam").replaceFirst("mul\\.rn\\.f32", "mul.rn.f33");
        assertNotEquals(Ptx.text("adam"), bad, "the mutation must change the text");
        PtxCompiler.Result r = PtxCompiler.compile(bad, "sm_90");
        assertNotEquals(0, r.status(), "a PTX with an unknown type compiled: " + r.log());
        String newer = Ptx.text("adam").replace(".version 8.0", ".version 8.5");
        assertNotEquals(0, PtxCompiler.compile(newer, "sm_90").status(), "the compiler took an ISA newer than 8.0");
        assertTrue(new String(bad.getBytes(StandardCharsets.US_ASCII), StandardCharsets.US_ASCII).contains("f33"));
    }
}
