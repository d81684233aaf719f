package io.bsth.autograd;

import io.bsth.tensor.Parallel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Float arrays reused from one training step to the next. A training loop repeats the same graph
 * with the same shapes every batch, so the arrays one step's ops allocate (values, saved tensors,
 * gradients of intermediate nodes) can serve the next step's ops of the same sizes instead of being
 * allocated, zeroed and collected again:
 * <pre>{@code
 * StepBuffers buffers = new StepBuffers();
 * for (...) {
 *     try (var step = buffers.step()) {          // this thread's ops draw from the pool until close
 *         Var loss = ...forward...;
 *         loss.backward();
 *         adam.step();
 *         double v = loss.item();                // read what you keep before the step closes
 *     }
 * }
 * }</pre>
 *
 * <p>Contract: every array handed out inside a step belongs to the pool again when the step closes,
 * so no {@link Var} made inside the step may be read after it (copy what must outlive it).
 * Gradients of intermediate nodes go back to the pool as soon as backward has consumed them, so
 * later gradients of the same size reuse them within the same step. Leaves (parameters) never
 * draw from the pool. Arrays that a step did not use are dropped when it closes, so the pool holds
 * at most what one step needed: when a step asks for a size the pool lacks (a last, smaller batch),
 * the arrays the previous step left and this one has not taken are dropped at once, so the two sets
 * never coexist.
 *
 * <p>Without gradients ({@link Grad#noGrad}) no graph holds an op's inputs, so the arrays a forward
 * pass takes can go back to the pool as soon as the code that made them is done with them: a module
 * opens a {@link #scope()} around its forward and {@linkplain Scope#keep keeps} what it returns; at
 * close every other array taken inside goes back, and later ops of the same pass reuse them. A pool
 * used that way for inference ({@code CodeEncoder}) holds the peak of the live arrays, not every
 * output of the pass. With gradients enabled, or outside a step, scopes do nothing.
 *
 * <p>Only the thread that opened the step draws from it (the kernels' worker threads never
 * allocate through it); outside a step, and for arrays shorter than {@link #MIN_LENGTH}, ops
 * allocate as usual.
 */
public final class StepBuffers {
    /** Shorter arrays are allocated as usual (bookkeeping would cost more than the allocation). */
    public static final int MIN_LENGTH = 1 << 12;

    private static final ThreadLocal<StepBuffers> CURRENT = new ThreadLocal<>();

    /** Free arrays by length. */
    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
    /** Every array of the pool -> the number of the last step that took it. */
    private final IdentityHashMap<float[], Integer> lastStep = new IdentityHashMap<>();
    /** Arrays handed out in the open step and not yet released. */
    private final IdentityHashMap<float[], Boolean> out = new IdentityHashMap<>();
    /** While a scope is open: arrays handed out in the open step, in order (some may be back already). */
    private final ArrayList<float[]> order = new ArrayList<>();
    private int scopes;
    private int step;
    private long allocated;

    /** Opens a step on the calling thread: until it closes, this thread's ops draw their arrays from this pool. */
    public Step step() {
        if (CURRENT.get() != null) throw new IllegalStateException("StepBuffers: a step is already open on this thread");
        CURRENT.set(this);
        step++;
        return new Step();
    }

    /** An open step; closing it returns every array it handed out to the pool. */
    public final class Step implements AutoCloseable {
        private boolean open = true;

        private Step() {}

        @Override
        public void close() {
            if (!open) return;
            open = false;
            CURRENT.remove();
            order.clear();
            scopes = 0;
            for (float[] a : out.keySet()) free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
            out.clear();
            dropStale();
        }
    }

    /** Does nothing: the scope outside a step, or with gradients enabled. */
    private static final Scope INACTIVE = new Scope(null, 0);

    /**
     * Opens a scope on the calling thread's open step, when gradients are disabled: at close, the
     * arrays taken inside it go back to the pool, except those of the {@link Scope#keep kept} results.
     * Otherwise (no open step, or gradients enabled) a scope that does nothing.
     */
    public static Scope scope() {
        StepBuffers s = CURRENT.get();
        if (s == null || Grad.isEnabled()) return INACTIVE;
        s.scopes++;
        return new Scope(s, s.order.size());
    }

    /** A region of a gradient-free forward pass whose arrays go back at close, but for the kept ones. */
    public static final class Scope implements AutoCloseable {
        private final StepBuffers pool;
        private final int start;
        private final ArrayList<float[]> kept = new ArrayList<>(1);
        private boolean open = true;

        private Scope(StepBuffers pool, int start) {
            this.pool = pool;
            this.start = start;
        }

        /** Keeps {@code v}'s array out of this scope's release (it outlives the scope); returns v. */
        public Var keep(Var v) {
            if (pool != null && v != null) kept.add(v.data());
            return v;
        }

        @Override
        public void close() {
            if (pool == null || !open) return;
            open = false;
            if (CURRENT.get() != pool || pool.scopes == 0) return;   // the step closed first
            ArrayList<float[]> order = pool.order;
            ArrayList<float[]> survivors = new ArrayList<>(kept.size());
            for (int i = start; i < order.size(); i++) {
                float[] a = order.get(i);
                if (!pool.out.containsKey(a)) continue;
                boolean keep = false;
                for (float[] k : kept) keep |= k == a;
                if (keep) {
                    if (!survivors.contains(a)) survivors.add(a);
                } else {
                    release(a);
                }
            }
            order.subList(start, order.size()).clear();
            order.addAll(survivors);
            pool.scopes--;
        }
    }

    /** Drops the free arrays that the open (or just closed) step did not take. */
    private void dropStale() {
        for (Iterator<ArrayDeque<float[]>> lists = free.values().iterator(); lists.hasNext(); ) {
            ArrayDeque<float[]> list = lists.next();
            list.removeIf(a -> {
                boolean stale = lastStep.get(a) != step;
                if (stale) lastStep.remove(a);
                return stale;
            });
            if (list.isEmpty()) lists.remove();
        }
    }

    /** Whether a step is open on the calling thread (its ops draw from a pool). */
    public static boolean stepOpen() {
        return CURRENT.get() != null;
    }

    /** Floats the pool holds now (free and handed out). */
    public long heldFloats() {
        long n = 0;
        for (float[] a : lastStep.keySet()) n += a.length;
        return n;
    }

    /** Floats newly allocated by the pool since it was made (a step that reuses everything adds nothing). */
    public long allocatedFloats() {
        return allocated;
    }

    /** An array of n floats with unspecified contents: from the open step's pool, else new. */
    static float[] take(int n) {
        StepBuffers s = CURRENT.get();
        return s == null || n < MIN_LENGTH ? new float[n] : s.get(n, false);
    }

    /** An array of n zeros: from the open step's pool (cleared), else new. */
    static float[] takeZeroed(int n) {
        StepBuffers s = CURRENT.get();
        return s == null || n < MIN_LENGTH ? new float[n] : s.get(n, true);
    }

    /** Gives an array taken in the open step back before the step ends (no-op for any other array). */
    static void release(float[] a) {
        StepBuffers s = CURRENT.get();
        if (s != null && a != null && s.out.remove(a) != null) s.free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
    }

    private float[] get(int n, boolean zero) {
        ArrayDeque<float[]> list = free.get(n);
        float[] a = list == null ? null : list.poll();
        if (a == null) {
            // a miss after the first step means the shapes changed (a last, smaller batch): what the
            // previous step left is dropped now rather than at close, so the two sets never coexist
            dropStale();
            a = new float[n];
            allocated += n;
        } else if (zero) {
            float[] z = a;
            Parallel.forRange(n, Parallel.GRAIN, (s, e) -> Arrays.fill(z, s, e, 0f));
        }
        lastStep.put(a, step);
        out.put(a, Boolean.TRUE);
        if (scopes > 0) order.add(a);
        return a;
    }
}
