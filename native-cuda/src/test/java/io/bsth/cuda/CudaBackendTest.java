package io.bsth.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bsth.tensor.backend.BackendUnavailableException;
import io.bsth.tensor.backend.Backends;
import io.bsth.tensor.backend.CpuBackend;
import io.bsth.tensor.backend.KernelCheck;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every CUDA kernel against the CPU backend ({@link KernelCheck}: the PyTorch fixtures' 1e-5 relative
 * tolerance, exact for search, sign packing and dropout). Skipped, with the reason, where no CUDA
 * driver or GPU is present; on such a machine the backend must refuse with one line instead.
 */
class CudaBackendTest {
    static String unavailable;

    @BeforeAll
    static void probe() {
        unavailable = CudaBackend.unavailableReason();
    }

    @Test
    void everyKernelMatchesTheCpuBackend() {
        assumeTrue(unavailable == null, "no usable CUDA GPU here (" + unavailable + "); kernels are checked on a GPU machine");
        List<KernelCheck.Result> results;
        try (CudaBackend cuda = CudaBackend.open()) {
            results = KernelCheck.run(CpuBackend.INSTANCE, cuda, 2026);
        }
        results.forEach(System.out::println);
        List<String> failed = results.stream().filter(r -> !r.ok()).map(KernelCheck.Result::toString).toList();
        assertTrue(results.size() > 40, "kernels compared: " + results.size());
        assertTrue(failed.isEmpty(), "kernels differing from the CPU backend:\n" + String.join("\n", failed));
    }

    @Test
    void withoutADriverTheBackendRefusesWithOneLine() {
        assumeTrue(unavailable != null, "a CUDA GPU is present");
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Backends.open("cuda"));
        assertEquals(-1, e.getMessage().indexOf('\n'), e.getMessage());
        assertTrue(e.getMessage().length() < 300, e.getMessage());
    }

    @Test
    void theServiceIsRegistered() {
        assertTrue(Backends.names().contains("cuda"), Backends.names().toString());
    }
}
