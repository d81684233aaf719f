package io.bsth.autograd;

import io.bsth.tensor.Tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * A node of the autograd graph: a dense row-major float32 value, its gradient (allocated on first
 * use), and, for results of differentiable ops, the parents and the backward function that pushes
 * this node's gradient into theirs (accumulating with +=).
 *
 * <p>Leaves made by {@link #param} require gradients and keep them across {@link #backward()} calls
 * (they accumulate, as PyTorch's {@code .grad}) until {@link #zeroGrad()}. Intermediate nodes drop
 * their gradient and their saved tensors once backward has passed them (PyTorch's
 * {@code retain_graph=False}); inside a {@link StepBuffers} step their values then go back to the
 * pool as well, so the gradients of the nodes below reuse them.
 */
public final class Var {
    /** Pushes {@code gOut} (this node's gradient) into the parents' gradients. */
    @FunctionalInterface
    public interface Backward {
        void run(float[] gOut);
    }

    /** Computes a dropped value again ({@link #dropValue}) into {@code y}, as the op's forward did, bit for bit. */
    @FunctionalInterface
    public interface Recompute {
        void into(float[] y);
    }

    /** The value; null while dropped ({@link #dropValue}) until something reads it again. */
    private float[] data;
    private final int numel;
    private final int[] shape;
    private final boolean requiresGrad;
    private float[] grad;
    private Var[] parents;
    private Backward backward;
    private boolean consumed;
    private Recompute recompute;
    /** A later op's result shares this node's array (a view, or an op written over it): never dropped. */
    private boolean pinned;
    private final String op;

    private Var(float[] data, int[] shape, boolean requiresGrad, Var[] parents, Backward backward, String op) {
        int n = 1;
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException("negative size in " + Arrays.toString(shape));
            n = Math.multiplyExact(n, s);
        }
        if (n != data.length) {
            throw new IllegalArgumentException(op + ": data has " + data.length + " elements, shape "
                    + Arrays.toString(shape) + " needs " + n);
        }
        this.data = data;
        this.numel = n;
        this.shape = shape.clone();
        this.requiresGrad = requiresGrad;
        this.parents = parents;
        this.backward = backward;
        this.op = op;
    }

    /** A constant (no gradient) over a row-major copy of {@code t} (no copy when t is contiguous from 0 and dense). */
    public static Var of(Tensor t) {
        return new Var(dense(t), t.shape(), false, null, null, "const");
    }

    /** A constant over {@code data} (not copied). */
    public static Var of(float[] data, int... shape) {
        return new Var(data, shape, false, null, null, "const");
    }

    /** A leaf that requires a gradient (a parameter or a checked input), over {@code data} (not copied). */
    public static Var param(float[] data, int... shape) {
        return new Var(data, shape, true, null, null, "leaf");
    }

    /** A leaf that requires a gradient over a dense copy of {@code t} (shares storage when already dense from 0). */
    public static Var param(Tensor t) {
        return new Var(dense(t), t.shape(), true, null, null, "leaf");
    }

    private static float[] dense(Tensor t) {
        if (t.isContiguous() && t.offset() == 0 && t.data().length == t.numel()) return t.data();
        return t.toArray();
    }

    /**
     * The result of an op: records {@code backward} when gradients are enabled ({@link Grad}) and any
     * parent requires one; otherwise a constant. Custom ops use this to join the graph.
     */
    public static Var result(String op, float[] data, int[] shape, Backward backward, Var... parents) {
        boolean req = recorded(parents);
        for (Var p : parents) if (p != null && p.data == data) p.pinned = true;
        return req ? new Var(data, shape, true, parents.clone(), backward, op)
                   : new Var(data, shape, false, null, null, op);
    }

    /** Whether an op result over {@code parents} joins the graph: gradients enabled and a parent requires one. */
    static boolean recorded(Var... parents) {
        if (!Grad.isEnabled()) return false;
        for (Var p : parents) if (p != null && p.requiresGrad) return true;
        return false;
    }

    /**
     * Lets {@link #dropValue} drop this op result's value: {@code r} computes it again from what the op's
     * backward reads (so it stays valid until this node's own backward has run).
     */
    void recomputeWith(Recompute r) {
        if (backward != null) recompute = r;
    }

    /** Keeps this node's value from being dropped ({@link #dropValue}): an op stores something else in its array. */
    void pin() {
        pinned = true;
    }

    /**
     * Gives this op result's value back (to the open {@link StepBuffers} step, if any) until something
     * reads it through {@link #data()} again, which computes it anew; returns whether it did. For a value
     * that no op reads any more in the forward pass and that backward reads only through {@code data()}
     * (as {@link F#linear} and {@link F#layerNorm} do): activation checkpointing for one op, so a graph
     * holds the value only while its consumers' backward needs it. Does nothing for a value without a
     * way to compute it again ({@link F#residualLayerNorm} with its sum stored has one), outside a
     * recorded graph, after backward has passed the node, or when a later result shares its array.
     */
    public boolean dropValue() {
        if (recompute == null || pinned || consumed || data == null) return false;
        StepBuffers.release(data);
        data = null;
        return true;
    }

    // ---- accessors -----------------------------------------------------------------------------

    /** The value's storage (row-major, dense); a dropped value is computed again first ({@link #dropValue}). */
    public float[] data() {
        if (data == null) {
            float[] y = StepBuffers.take(numel);
            recompute.into(y);
            data = y;
        }
        return data;
    }
    public int[] shape() { return shape.clone(); }
    public int dim() { return shape.length; }
    public int size(int d) { return shape[d < 0 ? d + shape.length : d]; }
    public int numel() { return numel; }
    public boolean requiresGrad() { return requiresGrad; }
    public boolean isLeaf() { return backward == null; }
    public String op() { return op; }

    /** The value as a tensor view (shares storage). */
    public Tensor tensor() { return Tensor.of(data(), shape); }

    /** The single value of a one-element node. */
    public float item() {
        if (numel != 1) throw new IllegalStateException("item() of a node with " + numel + " elements");
        return data()[0];
    }

    /** The gradient, or null when none has been accumulated. */
    public float[] grad() { return grad; }

    /**
     * The gradient buffer, zero-filled on first use; ops' backward functions accumulate into it. An op
     * result's buffer comes from the open {@link StepBuffers} step, if any, and goes back to it once
     * backward has consumed the node; a leaf's is its own.
     */
    public float[] gradBuf() {
        if (grad == null) grad = backward != null ? StepBuffers.takeZeroed(numel) : new float[numel];
        return grad;
    }

    /**
     * Takes {@code g}, the gradient of the node whose backward is running (which needs it no more), as
     * this node's gradient when this is an op result without one yet; returns whether it did. The ops
     * that pass a gradient through unchanged (reshape, add) use it instead of adding g to a zeroed
     * array: the same values bit for bit, since a gradient accumulated from zeros never holds -0, so
     * 0 + g is g; and one array less. An op that writes this node's gradient over this node's own
     * value, which nothing reads any more, passes that value ({@link F#selfAttentionLinear}).
     */
    boolean adoptGrad(float[] g) {
        if (grad != null || backward == null || g.length != numel) return false;
        grad = g;
        return true;
    }

    /** Whether backward should push into this node. */
    public boolean needsGrad() { return requiresGrad; }

    public void zeroGrad() {
        if (grad != null) Arrays.fill(grad, 0f);
    }

    /** Drops the gradient buffer (the next accumulation starts from zero). */
    public void clearGrad() { grad = null; }

    /** Same shape as {@code o}. */
    public boolean sameShape(Var o) { return Arrays.equals(shape, o.shape); }

    // ---- backward ------------------------------------------------------------------------------

    /** Back-propagates from this one-element node (d this / d this = 1). */
    public void backward() {
        if (numel != 1) {
            throw new IllegalStateException("backward() needs a one-element loss, got shape " + Arrays.toString(shape));
        }
        backward(new float[] {1f});
    }

    /** Back-propagates {@code seed} (this node's gradient, same element count) through the graph. */
    public void backward(float[] seed) {
        if (!requiresGrad) throw new IllegalStateException("backward() on a node that does not require a gradient");
        if (seed.length != numel) throw new IllegalArgumentException("seed has " + seed.length + " elements, node " + numel);
        if (consumed) {
            throw new IllegalStateException("backward() through a graph that was already back-propagated (its saved tensors are freed)");
        }
        List<Var> order = topoOrder();
        float[] g = gradBuf();
        for (int i = 0; i < g.length; i++) g[i] += seed[i];
        for (int i = order.size() - 1; i >= 0; i--) {
            Var v = order.get(i);
            if (v.backward == null) continue;
            if (v.grad != null) v.backward.run(v.grad);
            // the value is dead now: the consumers' backward ran before this one, and a view's storage
            // is its parent's (released with the parent)
            boolean view = sharesStorage(v.parents, v.data);
            boolean handedOver = v.grad != null && holdsGrad(v.parents, v.grad);
            v.backward = null;
            v.parents = null;
            v.recompute = null;
            if (!handedOver) StepBuffers.release(v.grad);
            v.grad = null;
            if (!view) StepBuffers.release(v.data);
            v.consumed = true;
        }
    }

    /** Whether one of {@code parents} took {@code g} as its gradient ({@link #adoptGrad}). */
    private static boolean holdsGrad(Var[] parents, float[] g) {
        for (Var p : parents) if (p != null && p.grad == g) return true;
        return false;
    }

    /** Whether one of {@code parents} holds {@code data} as its value (the node is a view of it). */
    private static boolean sharesStorage(Var[] parents, float[] data) {
        for (Var p : parents) if (p != null && p.data == data) return true;
        return false;
    }

    /** Nodes reachable from this one through parents that require gradients, parents before children. */
    private List<Var> topoOrder() {
        List<Var> order = new ArrayList<>();
        IdentityHashMap<Var, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Var> stack = new ArrayDeque<>();
        ArrayDeque<Integer> next = new ArrayDeque<>();
        stack.push(this);
        next.push(0);
        seen.put(this, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Var v = stack.peek();
            int i = next.pop();
            Var[] ps = v.parents;
            if (ps != null && i < ps.length) {
                next.push(i + 1);
                Var p = ps[i];
                if (p != null && p.requiresGrad && seen.put(p, Boolean.TRUE) == null) {
                    stack.push(p);
                    next.push(0);
                }
            } else {
                stack.pop();
                order.add(v);
            }
        }
        return order;
    }

    @Override
    public String toString() {
        return "Var(" + op + ")" + tensor();
    }
}
