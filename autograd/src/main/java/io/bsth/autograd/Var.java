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

    private final float[] data;
    private final int[] shape;
    private final boolean requiresGrad;
    private float[] grad;
    private Var[] parents;
    private Backward backward;
    private boolean consumed;
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
        boolean req = false;
        if (Grad.isEnabled()) {
            for (Var p : parents) if (p != null && p.requiresGrad) { req = true; break; }
        }
        return req ? new Var(data, shape, true, parents.clone(), backward, op)
                   : new Var(data, shape, false, null, null, op);
    }

    // ---- accessors -----------------------------------------------------------------------------

    /** The value's storage (row-major, dense). */
    public float[] data() { return data; }
    public int[] shape() { return shape.clone(); }
    public int dim() { return shape.length; }
    public int size(int d) { return shape[d < 0 ? d + shape.length : d]; }
    public int numel() { return data.length; }
    public boolean requiresGrad() { return requiresGrad; }
    public boolean isLeaf() { return backward == null; }
    public String op() { return op; }

    /** The value as a tensor view (shares storage). */
    public Tensor tensor() { return Tensor.of(data, shape); }

    /** The single value of a one-element node. */
    public float item() {
        if (data.length != 1) throw new IllegalStateException("item() of a node with " + data.length + " elements");
        return data[0];
    }

    /** The gradient, or null when none has been accumulated. */
    public float[] grad() { return grad; }

    /**
     * The gradient buffer, zero-filled on first use; ops' backward functions accumulate into it. An op
     * result's buffer comes from the open {@link StepBuffers} step, if any, and goes back to it once
     * backward has consumed the node; a leaf's is its own.
     */
    public float[] gradBuf() {
        if (grad == null) grad = backward != null ? StepBuffers.takeZeroed(data.length) : new float[data.length];
        return grad;
    }

    /**
     * Takes {@code g}, the gradient of the node whose backward is running (which needs it no more), as
     * this node's gradient when this is an op result without one yet; returns whether it did. The ops
     * that pass a gradient through unchanged (reshape, add) use it instead of adding g to a zeroed
     * array: the same values bit for bit, since a gradient accumulated from zeros never holds -0, so
     * 0 + g is g; and one array less.
     */
    boolean adoptGrad(float[] g) {
        if (grad != null || backward == null || g.length != data.length) return false;
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
        if (data.length != 1) {
            throw new IllegalStateException("backward() needs a one-element loss, got shape " + Arrays.toString(shape));
        }
        backward(new float[] {1f});
    }

    /** Back-propagates {@code seed} (this node's gradient, same element count) through the graph. */
    public void backward(float[] seed) {
        if (!requiresGrad) throw new IllegalStateException("backward() on a node that does not require a gradient");
        if (seed.length != data.length) throw new IllegalArgumentException("seed has " + seed.length + " elements, node " + data.length);
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
