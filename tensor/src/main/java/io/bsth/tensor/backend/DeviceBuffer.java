package io.bsth.tensor.backend;

/**
 * A block of memory owned by a {@link Backend}: heap arrays on the CPU, device memory on a GPU. It
 * holds {@link #length()} elements of one {@link Kind}; its contents move to and from the heap only
 * through the backend's upload and download calls (which a training loop makes at batch boundaries).
 * {@link #close()} frees it; a closed buffer must not be used again.
 */
public interface DeviceBuffer extends AutoCloseable {
    /** Element type of a buffer. */
    enum Kind {
        FLOAT(4), INT(4), LONG(8);

        public final int bytes;

        Kind(int bytes) {
            this.bytes = bytes;
        }
    }

    Kind kind();

    /** Number of elements. */
    long length();

    @Override
    void close();
}
