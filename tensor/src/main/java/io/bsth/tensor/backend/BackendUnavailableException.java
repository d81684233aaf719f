package io.bsth.tensor.backend;

/** A backend that cannot run here: the message is one line naming what is missing. */
public final class BackendUnavailableException extends RuntimeException {
    public BackendUnavailableException(String message) {
        super(message);
    }

    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
