package io.bsth.autograd.nn;

import java.util.ArrayList;
import java.util.List;

/** Children named 0, 1, 2, ... (PyTorch's ModuleList / the indices of Sequential). */
public final class ModuleList<M extends Module> extends Module {
    private final List<M> items = new ArrayList<>();

    public M add(M m) {
        registerModule(Integer.toString(items.size()), m);
        items.add(m);
        return m;
    }

    /** Registers {@code m} under the name {@code index} (for Sequential-style gaps such as {@code hash.0, hash.1, hash.3}); not listed in {@link #items()}. */
    public <N extends Module> N put(int index, N m) {
        return registerModule(Integer.toString(index), m);
    }

    public M get(int i) {
        return items.get(i);
    }

    public int size() {
        return items.size();
    }

    public List<M> items() {
        return java.util.Collections.unmodifiableList(items);
    }
}
