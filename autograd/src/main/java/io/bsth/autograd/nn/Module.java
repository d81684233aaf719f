package io.bsth.autograd.nn;

import io.bsth.autograd.Var;
import io.bsth.autograd.state.SafeTensors;
import io.bsth.tensor.Rng;
import io.bsth.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A layer or model: named parameters, named buffers and named child modules, in registration order,
 * giving PyTorch's dotted state names ({@code layers.0.self_attn.in_proj_weight}). Subclasses register
 * in their constructors and define their own {@code forward}.
 *
 * <p>State: {@link #stateDict()} is the flat name -> tensor map (parameters and buffers, views of the
 * live storage); {@link #loadStateDict} copies values in, checking names and shapes;
 * {@link #save}/{@link #load} go through .safetensors. Buffers registered as int64 (BatchNorm's
 * {@code num_batches_tracked}) are written as I64.
 */
public abstract class Module {
    private final Map<String, Var> params = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Set<String> int64Buffers = new LinkedHashSet<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;
    /** Bound by {@link #inEvalMode}: every module reads as eval mode on that thread, for that call. */
    private static final ScopedValue<Boolean> EVAL_SCOPE = ScopedValue.newInstance();

    /** Registers a parameter (requires a gradient) over {@code init}'s storage. */
    protected Var registerParameter(String name, Tensor init) {
        checkName(name);
        Var p = Var.param(init);
        params.put(name, p);
        return p;
    }

    /** Registers a buffer (state without gradient); {@code int64} marks integer buffers. */
    protected Tensor registerBuffer(String name, Tensor value, boolean int64) {
        checkName(name);
        Tensor t = value.contiguous();
        if (t.offset() != 0 || t.data().length != t.numel()) t = t.copy();
        buffers.put(name, t);
        if (int64) int64Buffers.add(name);
        return t;
    }

    /** Registers a child module under {@code name}. */
    protected <M extends Module> M registerModule(String name, M child) {
        checkName(name);
        children.put(name, child);
        return child;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.indexOf('.') >= 0) {
            throw new IllegalArgumentException("bad state name '" + name + "'");
        }
        if (params.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("state name '" + name + "' registered twice");
        }
    }

    // ---- traversal ------------------------------------------------------------------------------

    /** Direct children in registration order. */
    public Map<String, Module> children() {
        return java.util.Collections.unmodifiableMap(children);
    }

    /** Every parameter under its dotted name, depth-first in registration order (parameters before children). */
    public Map<String, Var> namedParameters() {
        Map<String, Var> out = new LinkedHashMap<>();
        collectParams("", out);
        return out;
    }

    private void collectParams(String prefix, Map<String, Var> out) {
        for (var e : params.entrySet()) out.put(prefix + e.getKey(), e.getValue());
        for (var e : children.entrySet()) e.getValue().collectParams(prefix + e.getKey() + ".", out);
    }

    public List<Var> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /**
     * Parameters and buffers under their dotted names, in PyTorch's state_dict order (per module:
     * parameters, then buffers, then children). Values are views of the live storage.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectState("", out, null);
        return out;
    }

    /** Names in {@link #stateDict()} that hold integers (written as I64). */
    public Set<String> int64StateNames() {
        Set<String> out = new LinkedHashSet<>();
        collectState("", new LinkedHashMap<>(), out);
        return out;
    }

    private void collectState(String prefix, Map<String, Tensor> out, Set<String> ints) {
        for (var e : params.entrySet()) out.put(prefix + e.getKey(), e.getValue().tensor());
        for (var e : buffers.entrySet()) {
            out.put(prefix + e.getKey(), e.getValue());
            if (ints != null && int64Buffers.contains(e.getKey())) ints.add(prefix + e.getKey());
        }
        for (var e : children.entrySet()) e.getValue().collectState(prefix + e.getKey() + ".", out, ints);
    }

    /**
     * Copies every tensor of {@code state} into the parameter or buffer of the same name (shapes must
     * match). With {@code strict}, a missing or unexpected name is an error, as load_state_dict(strict=True).
     */
    public void loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> mine = stateDict();
        if (strict) {
            List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>();
            for (String k : mine.keySet()) if (!state.containsKey(k)) missing.add(k);
            for (String k : state.keySet()) if (!mine.containsKey(k)) unexpected.add(k);
            if (!missing.isEmpty() || !unexpected.isEmpty()) {
                throw new IllegalArgumentException("state does not match the module: missing " + missing
                        + ", unexpected " + unexpected);
            }
        }
        for (var e : state.entrySet()) {
            Tensor dst = mine.get(e.getKey());
            if (dst == null) continue;
            Tensor src = e.getValue();
            if (!dst.sameShape(src)) {
                throw new IllegalArgumentException("state tensor '" + e.getKey() + "': shape " + Arrays.toString(src.shape())
                        + ", the module expects " + Arrays.toString(dst.shape()));
            }
            src.copyInto(dst.data(), dst.offset());
        }
    }

    /** Writes {@link #stateDict()} to a .safetensors file (atomically) with the given metadata. */
    public void save(Path file, Map<String, String> metadata) throws IOException {
        SafeTensors.write(file, stateDict(), int64StateNames(), metadata);
    }

    /** Reads a .safetensors file into this module ({@link #loadStateDict}); returns the file's metadata. */
    public Map<String, String> load(Path file, boolean strict) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file);
        try {
            loadStateDict(c.tensors(), strict);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        return c.metadata();
    }

    // ---- modes ----------------------------------------------------------------------------------

    /** Sets training mode here and in every descendant (dropout active, batch norm on batch statistics). */
    public Module train(boolean on) {
        training = on;
        for (Module m : children.values()) m.train(on);
        return this;
    }

    /** {@code train(false)}. */
    public Module eval() {
        return train(false);
    }

    /** Training mode: the module's flag, unless the current call runs inside {@link #inEvalMode}. */
    public boolean isTraining() {
        return training && !EVAL_SCOPE.isBound();
    }

    /**
     * Runs {@code op} with every module in eval mode (dropout off, batch norm on running statistics)
     * for the current thread only, without changing any module's flag: many threads may run eval-mode
     * forwards of one shared network at once, while the flag others see is untouched.
     */
    public static <T, X extends Throwable> T inEvalMode(ScopedValue.CallableOp<? extends T, X> op) throws X {
        return ScopedValue.where(EVAL_SCOPE, Boolean.TRUE).call(op);
    }

    /** Zeroes every parameter's gradient. */
    public void zeroGrad() {
        for (Var p : namedParameters().values()) p.zeroGrad();
    }

    /**
     * Gives every dropout-using module in the tree its own generator split off {@code rng}, in
     * registration order, so a run's dropout masks follow from one seed.
     */
    public void seedDropout(Rng rng) {
        onSeed(rng);
        for (Module m : children.values()) m.seedDropout(rng);
    }

    /** Hook for modules that draw dropout masks: take {@code rng.split()}. */
    protected void onSeed(Rng rng) {}

    /** Total number of parameter elements. */
    public long parameterCount() {
        long n = 0;
        for (Var p : namedParameters().values()) n += p.numel();
        return n;
    }
}
