package io.bsth.retrieval;

/**
 * A set of longs by open addressing (linear probing, backward-shift deletion): the live ids of a
 * {@link CodeIndex}, about 16-24 bytes per id instead of a boxed {@code HashSet}'s ~50. Not thread-safe.
 */
final class LongSet {
    private long[] keys;
    private boolean[] used;
    private int size;
    private int mask;

    LongSet(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[cap];
        used = new boolean[cap];
        mask = cap - 1;
    }

    int size() {
        return size;
    }

    private static int hash(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    private int find(long k) {
        int i = hash(k) & mask;
        while (used[i]) {
            if (keys[i] == k) return i;
            i = (i + 1) & mask;
        }
        return -1 - i;
    }

    boolean contains(long k) {
        return find(k) >= 0;
    }

    /** Adds {@code k}; false when it was already present. */
    boolean add(long k) {
        int i = find(k);
        if (i >= 0) return false;
        if ((size + 1) * 2 > keys.length) {
            grow();
            i = find(k);
        }
        i = -1 - i;
        used[i] = true;
        keys[i] = k;
        size++;
        return true;
    }

    /** Removes {@code k}; false when it was absent. */
    boolean remove(long k) {
        int i = find(k);
        if (i < 0) return false;
        // backward shift: move later members of the probe run into the hole
        int hole = i;
        int j = (i + 1) & mask;
        while (used[j]) {
            int home = hash(keys[j]) & mask;
            // j's entry may move into the hole when its home is not in (hole, j] cyclically
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                hole = j;
            }
            j = (j + 1) & mask;
        }
        used[hole] = false;
        size--;
        return true;
    }

    private void grow() {
        long[] ok = keys;
        boolean[] ou = used;
        keys = new long[ok.length * 2];
        used = new boolean[ok.length * 2];
        mask = keys.length - 1;
        size = 0;
        for (int i = 0; i < ok.length; i++) if (ou[i]) add(ok[i]);
    }
}
