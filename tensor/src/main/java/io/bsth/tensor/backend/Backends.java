package io.bsth.tensor.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Finds a backend by device name: {@code cpu} is built in, others come from {@link BackendProvider} services. */
public final class Backends {
    private Backends() {}

    /** Device names available on the class path ({@code cpu} first). */
    public static List<String> names() {
        List<String> out = new ArrayList<>(List.of(CpuBackend.NAME));
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) out.add(p.name());
        return out;
    }

    /**
     * Opens the backend for {@code device}. Throws {@link BackendUnavailableException} (one line) when
     * no provider has that name or the provider cannot run on this machine.
     */
    public static Backend open(String device) {
        if (CpuBackend.NAME.equals(device)) return CpuBackend.INSTANCE;
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (p.name().equals(device)) return p.open();
        }
        throw new BackendUnavailableException("no '" + device + "' backend on the class path (available: "
                + String.join(", ", names()) + ")");
    }
}
