package io.bsth.tensor.backend;

/**
 * How a backend outside this module makes itself known: a {@link java.util.ServiceLoader} service
 * ({@code META-INF/services/io.bsth.tensor.backend.BackendProvider}), so the tensor module and the
 * code that selects a device never link against the backend's libraries.
 */
public interface BackendProvider {
    /** The device name users pass ({@code --device NAME}). */
    String name();

    /**
     * Opens the backend. Throws {@link BackendUnavailableException} with one line saying what is
     * missing (no driver, no device, no kernels) when it cannot run on this machine.
     */
    Backend open();
}
