package io.bsth.data;

import io.bsth.tensor.Tensor;

/**
 * Checks the nine arrays before anything trains on them: every array 2-D and non-empty, the three
 * views of a split with the same number of rows, each view with the same width in every split,
 * labels 0/1, no NaN or infinity. Each failure is one line naming the array ({@code where} tells
 * how: a file, a key of a .mat file, a generated set).
 */
public final class Validation {
    /** Names an array for error messages, given its key (e.g. "I_tr"). */
    public interface Namer {
        String name(String key);
    }

    private Validation() {}

    public static MultiModalData check(MultiModalData d, Namer namer) {
        Split[] s = d.splits();
        for (int i = 0; i < 3; i++) {
            String[] k = MultiModalData.KEYS[i];
            Tensor[] v = {s[i].image(), s[i].text(), s[i].labels()};
            for (int j = 0; j < 3; j++) {
                if (v[j].dim() != 2) {
                    throw new IllegalArgumentException(namer.name(k[j]) + ": expected a 2-D array, got "
                            + v[j].dim() + "-D");
                }
                if (v[j].size(0) == 0 || v[j].size(1) == 0) {
                    throw new IllegalArgumentException(namer.name(k[j]) + ": empty array ("
                            + v[j].size(0) + " x " + v[j].size(1) + ")");
                }
                finite(v[j], namer.name(k[j]));
            }
            binary(v[2], namer.name(k[2]));
            for (int j = 1; j < 3; j++) {
                if (v[j].size(0) != v[0].size(0)) {
                    throw new IllegalArgumentException(namer.name(k[j]) + ": " + v[j].size(0) + " rows, but "
                            + namer.name(k[0]) + " has " + v[0].size(0) + " (every view needs one row per item)");
                }
            }
            if (i > 0) {
                Tensor[] t0 = {s[0].image(), s[0].text(), s[0].labels()};
                for (int j = 0; j < 3; j++) {
                    if (v[j].size(1) != t0[j].size(1)) {
                        throw new IllegalArgumentException(namer.name(k[j]) + ": " + v[j].size(1) + " columns, but "
                                + namer.name(MultiModalData.KEYS[0][j]) + " has " + t0[j].size(1));
                    }
                }
            }
        }
        return d;
    }

    static void finite(Tensor t, String name) {
        float[] a = t.data();
        int n = t.numel(), off = t.offset(), cols = t.size(1);
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(a[off + i])) {
                throw new IllegalArgumentException(name + ": " + a[off + i] + " at row " + (i / cols)
                        + ", column " + (i % cols) + " (NaN or infinity not allowed)");
            }
        }
    }

    static void binary(Tensor t, String name) {
        float[] a = t.data();
        int n = t.numel(), off = t.offset(), cols = t.size(1);
        for (int i = 0; i < n; i++) {
            float v = a[off + i];
            if (v != 0f && v != 1f) {
                throw new IllegalArgumentException(name + ": label " + v + " at row " + (i / cols)
                        + ", column " + (i % cols) + " (labels must be 0 or 1)");
            }
        }
    }
}
