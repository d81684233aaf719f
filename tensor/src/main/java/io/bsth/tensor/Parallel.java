package io.bsth.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one parallel utility the kernels call: splits work over the {@link Workers} pool bound to the
 * current call ({@link Workers#call}), or, outside any binding, over the process default pool. A pool
 * of T threads is {@code T - 1} daemon workers plus the calling thread, so a run configured with
 * {@code --threads T} uses T threads in total. Work is split into tasks (rows, heads, blocks: never
 * single elements); each task index runs exactly once. One task, one thread, a call made from inside a
 * task, or a call that finds its pool busy with another caller's job runs inline on the caller (no
 * hand-off, no waiting, no deadlock).
 *
 * <p>The default pool is created on the first parallel call made outside any binding, with
 * {@code -Dbsth.threads} threads or one per available processor; only the application changes it
 * ({@link #setThreads}), the library never does. Services that want no shared pool bind their own
 * {@link Workers} (for instance {@code new Workers(1)}: everything on the request thread).
 *
 * <p>Hand-off: an idle worker spins for {@link #SPIN_NANOS} before it parks, so back-to-back calls
 * (an autograd step issues thousands) find it awake; the submitter notifies only parked workers.
 * While the caller waits for the last tasks it spins, yielding now and then so a worker that shares
 * its core on a busy machine can finish.
 */
public final class Parallel {
    /** A range body: processes task indices {@code [start, end)}. */
    @FunctionalInterface
    public interface Range {
        void run(int start, int end);
    }

    /** A task body: processes task index {@code i}. */
    @FunctionalInterface
    public interface Task {
        void run(int i);
    }

    // ---- grain sizes: how much work one task gets, chosen here for every kernel -------------------

    /** Elements per task for light element-wise loops (a few operations per element: memory-bound). */
    public static final int GRAIN = 1 << 15;

    /** Elements per task for heavier element-wise loops (exp, erf, sqrt, divides: tens of operations each). */
    public static final int GRAIN_HEAVY = 1 << 14;

    /**
     * Rows per task for row kernels that make a few passes over each row of {@code width} elements
     * (norms, softmax, adding a table row). Reductions over rows also use it to fix their number of
     * partial sums, so it must depend on the shape only, never on the thread count.
     */
    public static int rowGrain(int width) {
        return Math.max(1, (1 << 13) / Math.max(1, width));
    }

    /** How long an idle worker spins for the next job before it parks (ns; -Dbsth.parallel.spinNanos). */
    static final long SPIN_NANOS = Long.getLong("bsth.parallel.spinNanos", 10_000);

    /** The pool bound by {@link Workers#call} / {@link Workers#run} for the current call. */
    static final ScopedValue<Workers> BOUND = ScopedValue.newInstance();
    /** The process default pool; created on first use outside any binding. */
    private static volatile Pool defaultPool;
    private static final ThreadLocal<Boolean> IN_TASK = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private Parallel() {}

    private static int defaultThreads() {
        String p = System.getProperty("bsth.threads");
        if (p != null) {
            try {
                return Math.max(1, Integer.parseInt(p.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("system property bsth.threads: expected an integer, got '" + p + "'");
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /** The pool this thread's parallel calls use: its own pool on a worker, the bound one, else the default. */
    private static Pool pool() {
        if (Thread.currentThread() instanceof Worker w) return w.owner;
        if (BOUND.isBound()) return BOUND.get().pool;
        Pool p = defaultPool;
        return p != null ? p : createDefault();
    }

    private static synchronized Pool createDefault() {
        if (defaultPool == null) defaultPool = new Pool(defaultThreads());
        return defaultPool;
    }

    /** Threads in total (workers + caller) of the pool the current call uses. */
    public static int threads() {
        return pool().threads;
    }

    /**
     * Replaces the process default pool (used outside any {@link Workers} binding) by one of {@code n}
     * threads in total; idempotent for the current size. For applications, tests and benchmarks: the
     * library never calls it, and it does not affect calls bound to a {@link Workers}.
     */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads: expected a positive integer, got " + n);
        Pool old = defaultPool;
        if (old != null && old.threads == n) return;
        defaultPool = new Pool(n);
        if (old != null) old.shutdown();
    }

    /** Runs {@code task.run(i)} for every i in [0, n), dynamically scheduled over the pool. */
    public static void forEach(int n, Task task) {
        if (n <= 0) return;
        if (n == 1 || IN_TASK.get()) {
            for (int i = 0; i < n; i++) task.run(i);
            return;
        }
        Pool p = pool();
        if (p.threads == 1 || p.stopped) {
            for (int i = 0; i < n; i++) task.run(i);
            return;
        }
        p.run(n, task);
    }

    /**
     * Splits [0, n) into at most {@code threads} contiguous chunks of at least {@code grain} indices
     * and runs each chunk once.
     */
    public static void forRange(int n, int grain, Range body) {
        if (n <= 0) return;
        int chunks = Math.min(threads(), Math.max(1, n / Math.max(1, grain)));
        if (chunks == 1 || IN_TASK.get()) {
            body.run(0, n);
            return;
        }
        final int c = chunks;
        forEach(c, i -> body.run((int) ((long) n * i / c), (int) ((long) n * (i + 1) / c)));
    }

    private static final class Worker extends Thread {
        final Pool owner;
        final int slot;

        Worker(Pool owner, int slot, Runnable r) {
            super(r, "bsth-worker-" + slot);
            this.owner = owner;
            this.slot = slot;
            setDaemon(true);
        }
    }

    /** One batch of tasks: workers and the caller claim indices from {@code next}. */
    private static final class Job {
        final int n;
        final Task task;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable error;

        Job(int n, Task task) {
            this.n = n;
            this.task = task;
        }

        void work() {
            int i;
            IN_TASK.set(Boolean.TRUE);
            try {
                while ((i = next.getAndIncrement()) < n) {
                    try {
                        if (error == null) task.run(i);
                    } catch (Throwable t) {
                        error = t;
                    } finally {
                        done.incrementAndGet();
                    }
                }
            } finally {
                IN_TASK.set(Boolean.FALSE);
            }
        }
    }

    static final class Pool {
        final int threads;
        final Worker[] workers;
        volatile Job job;
        volatile boolean stopped;
        /** Bumped (under the pool's lock) for every job; read without the lock by spinning workers. */
        private volatile long generation;
        /** Workers parked in wait(); guarded by the pool's lock. */
        private int parked;
        /** Held by the caller whose job the workers run; a second caller runs its tasks inline. */
        private final ReentrantLock submit = new ReentrantLock();

        Pool(int threads) {
            this.threads = threads;
            this.workers = new Worker[threads - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(this, i + 1, this::loop);
                workers[i].start();
            }
        }

        private void loop() {
            long seen = 0;
            while (true) {
                long deadline = System.nanoTime() + SPIN_NANOS;
                while (generation == seen && !stopped && System.nanoTime() < deadline) Thread.onSpinWait();
                Job j;
                synchronized (this) {
                    while (!stopped && generation == seen) {
                        parked++;
                        try {
                            wait();
                        } catch (InterruptedException e) {
                            return;
                        } finally {
                            parked--;
                        }
                    }
                    if (stopped) return;
                    seen = generation;
                    j = job;
                }
                if (j != null) j.work();
            }
        }

        void run(int n, Task task) {
            if (!submit.tryLock()) {
                for (int i = 0; i < n; i++) task.run(i);
                return;
            }
            try {
                Job j = new Job(n, task);
                synchronized (this) {
                    job = j;
                    generation++;
                    if (parked > 0) notifyAll();
                }
                j.work();
                for (int spins = 1; j.done.get() < n; spins++) {
                    if ((spins & 1023) == 0) Thread.yield();
                    else Thread.onSpinWait();
                }
                synchronized (this) {
                    job = null;
                }
                Throwable e = j.error;
                if (e instanceof RuntimeException re) throw re;
                if (e instanceof Error er) throw er;
                if (e != null) throw new RuntimeException(e);
            } finally {
                submit.unlock();
            }
        }

        void shutdown() {
            synchronized (this) {
                stopped = true;
                notifyAll();
            }
        }
    }
}
