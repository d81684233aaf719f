package io.bsth.cuda;

import static jcuda.nvptxcompiler.JNvPTXCompiler.nvPTXCompilerCompile;
import static jcuda.nvptxcompiler.JNvPTXCompiler.nvPTXCompilerCreate;
import static jcuda.nvptxcompiler.JNvPTXCompiler.nvPTXCompilerDestroy;
import static jcuda.nvptxcompiler.JNvPTXCompiler.nvPTXCompilerGetCompiledProgramSize;
import static jcuda.nvptxcompiler.JNvPTXCompiler.nvPTXCompilerGetErrorLog;
import static jcuda.nvptxcompiler.JNvPTXCompiler.nvPTXCompilerGetErrorLogSize;

import java.nio.charset.StandardCharsets;
import jcuda.nvptxcompiler.JNvPTXCompiler;
import jcuda.nvptxcompiler.nvPTXCompilerHandle;

/**
 * PTX to cubin with the nvPTXCompiler library statically linked into JCuda's natives (no driver, no
 * GPU, no CUDA toolkit needed). It reads PTX ISA up to 8.0. Used to check the committed kernels.
 */
public final class PtxCompiler {
    private PtxCompiler() {}

    /** The compiler's status (0 = success), its error log, and the size of the cubin it produced. */
    public record Result(int status, String log, long cubinBytes) {}

    public static synchronized Result compile(String ptx, String gpu) {
        JNvPTXCompiler.setExceptionsEnabled(false);
        nvPTXCompilerHandle h = new nvPTXCompilerHandle();
        byte[] src = (ptx + "\0").getBytes(StandardCharsets.US_ASCII);
        int status = nvPTXCompilerCreate(h, src.length, src);
        if (status != 0) return new Result(status, "nvPTXCompilerCreate failed", 0);
        try {
            status = nvPTXCompilerCompile(h, 1, new String[] {"--gpu-name=" + gpu});
            long[] size = new long[1];
            nvPTXCompilerGetErrorLogSize(h, size);
            byte[] log = new byte[(int) size[0] + 1];
            nvPTXCompilerGetErrorLog(h, log);
            long cubin = 0;
            if (status == 0) {
                nvPTXCompilerGetCompiledProgramSize(h, size);
                cubin = size[0];
            }
            int n = 0;
            while (n < log.length && log[n] != 0) n++;
            return new Result(status, new String(log, 0, n, StandardCharsets.US_ASCII).trim(), cubin);
        } finally {
            nvPTXCompilerDestroy(h);
        }
    }
}
