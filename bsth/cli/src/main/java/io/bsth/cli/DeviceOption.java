package io.bsth.cli;

import io.bsth.tensor.backend.Backend;
import io.bsth.tensor.backend.BackendUnavailableException;
import io.bsth.tensor.backend.Backends;
import io.bsth.tensor.backend.CpuBackend;
import picocli.CommandLine.Option;

/**
 * The {@code --device cpu|cuda} flag of train, eval, encode and search. The backend is looked up by
 * name ({@link Backends}: the CUDA one is a service of the native-cuda module, so this module never
 * links against JCuda) and opened once per run; a device that cannot run here is bad input, one line.
 */
public final class DeviceOption {
    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = CpuBackend.NAME,
            description = "cpu (default) or cuda: an NVIDIA GPU through the native-cuda module (search only for now; see docs/GPU.md).")
    String device;

    boolean isCpu() {
        return CpuBackend.NAME.equals(device);
    }

    /** Opens the chosen backend; on failure one line naming the flag and what is missing. */
    Backend open() {
        try {
            return Backends.open(device);
        } catch (BackendUnavailableException e) {
            throw new IllegalArgumentException("--device " + device + ": " + e.getMessage(), e);
        }
    }

    /**
     * For the commands that run only on the CPU so far (train, eval, encode): a GPU device is still
     * opened first, so a machine without a driver says so, then refused with one line.
     */
    void requireCpu(String command) {
        if (isCpu()) return;
        open().close();
        throw new IllegalArgumentException("--device " + device + ": bsth " + command
                + " runs on the CPU only in this version (the CUDA backend runs search; see docs/GPU.md)");
    }
}
