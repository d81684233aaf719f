package io.bsth.tensor;

/**
 * A pool of worker threads that the caller creates, sizes and closes. Kernels split their work over
 * the pool bound to the current call:
 * <pre>{@code
 * try (Workers w = new Workers(4)) {                  // 3 daemon workers + the calling thread
 *     float[] h = w.call(() -> model.encodeBatch(images, texts, n));
 * }
 * }</pre>
 * Inside {@link #call} / {@link #run} every {@link Parallel#forEach} and {@link Parallel#forRange} of
 * the calling thread uses this pool (a {@link ScopedValue} binding: it ends with the call and is
 * invisible to other threads). Outside any binding the kernels use the process default pool (see
 * {@link Parallel}). The library itself never creates, resizes or binds a pool behind the caller's back.
 *
 * <p>Thread safety: a {@code Workers} may be bound by many threads at once. One call at a time gets
 * the workers; a call that finds them busy runs its tasks on its own thread instead of waiting
 * (results are the same: every kernel's result is independent of the thread count). A call made from
 * inside a task runs inline, so nested parallel calls never deadlock. {@code new Workers(1)} starts no
 * thread: everything runs on the caller.
 */
public final class Workers implements AutoCloseable {
    final Parallel.Pool pool;

    /** A pool of {@code threads} threads in total: {@code threads - 1} daemon workers plus the calling thread. */
    public Workers(int threads) {
        if (threads < 1) throw new IllegalArgumentException("Workers: expected a positive number of threads, got " + threads);
        pool = new Parallel.Pool(threads);
    }

    /**
     * The pool bound to the current call by {@link #call} / {@link #run}, or null when none is (kernels
     * then use the process default). For code that hands work to other threads (an HTTP server's
     * request threads, an executor): bind the returned pool there too, since bindings are per thread.
     */
    public static Workers current() {
        return Parallel.BOUND.isBound() ? Parallel.BOUND.get() : null;
    }

    /** Threads in total (workers + the calling thread). */
    public int threads() {
        return pool.threads;
    }

    /** Runs {@code op} with this pool bound for the kernels it calls; returns its result. */
    public <T, X extends Throwable> T call(ScopedValue.CallableOp<? extends T, X> op) throws X {
        return ScopedValue.where(Parallel.BOUND, this).call(op);
    }

    /** Runs {@code body} with this pool bound for the kernels it calls. */
    public void run(Runnable body) {
        ScopedValue.where(Parallel.BOUND, this).run(body);
    }

    /** Stops the workers (idempotent). Calls still bound to a closed pool run on their own thread. */
    @Override
    public void close() {
        pool.shutdown();
    }

    @Override
    public String toString() {
        return "Workers[" + pool.threads + " threads" + (pool.stopped ? ", closed]" : "]");
    }
}
