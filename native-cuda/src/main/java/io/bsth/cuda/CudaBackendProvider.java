package io.bsth.cuda;

import io.bsth.tensor.backend.Backend;
import io.bsth.tensor.backend.BackendProvider;

/** Registers {@code --device cuda} (see META-INF/services). */
public final class CudaBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return CudaBackend.NAME;
    }

    @Override
    public Backend open() {
        return CudaBackend.open();
    }
}
