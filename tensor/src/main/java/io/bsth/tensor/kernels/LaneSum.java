package io.bsth.tensor.kernels;

import io.bsth.tensor.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The sum of a vector's lanes in a fixed order, for any width: a butterfly that adds lane i ^ h to
 * lane i for h = L/2, ..., 2, 1, then reads lane 0. {@code reduceLanes(ADD)} leaves the order to the
 * JIT, and the interpreter, C1 and C2 do add in different orders, so a reduction written with it can
 * round differently after a recompilation. The butterfly rounds the same in every tier, at 2, 4, 8
 * and 16 lanes, which keeps every sum built on it ({@link Reduce}, {@link Norm}, the dot-product
 * tiles of {@link Matmul}) reproducible run to run.
 */
final class LaneSum {
    private LaneSum() {}

    /** The butterfly for {@link Simd#FLOAT}. */
    private static final Butterfly FLOAT = new Butterfly(Simd.FLOAT);

    /** Lanes of v (species {@link Simd#FLOAT}) summed in the fixed butterfly order. */
    static float sum(FloatVector v) {
        return FLOAT.sum(v);
    }

    /**
     * The lane permutations i ^ 8, i ^ 4, i ^ 2, i ^ 1 of one species (those wider than the vector
     * are unused). A record, so C2 treats its fields as constants when the instance is a constant.
     */
    record Butterfly(int lanes, VectorShuffle<Float> x8, VectorShuffle<Float> x4,
                     VectorShuffle<Float> x2, VectorShuffle<Float> x1) {
        Butterfly(VectorSpecies<Float> s) {
            this(s.length(), xor(s, 8), xor(s, 4), xor(s, 2), xor(s, 1));
        }

        private static VectorShuffle<Float> xor(VectorSpecies<Float> s, int h) {
            int lanes = s.length();
            return VectorShuffle.fromOp(s, i -> (i ^ h) % lanes);
        }

        /** Lanes of v (this record's species) summed in the fixed order. */
        float sum(FloatVector v) {
            if (lanes >= 16) v = v.add(v.rearrange(x8));
            if (lanes >= 8) v = v.add(v.rearrange(x4));
            if (lanes >= 4) v = v.add(v.rearrange(x2));
            if (lanes >= 2) v = v.add(v.rearrange(x1));
            return v.lane(0);
        }
    }

    /** The scalar reference: the same butterfly on an array of lanes (a power of two, at most 16). */
    static float sumReference(float[] lanes) {
        float[] t = lanes.clone();
        for (int h = t.length / 2; h >= 1; h /= 2) {
            float[] u = new float[t.length];
            for (int i = 0; i < t.length; i++) u[i] = t[i] + t[i ^ h];
            t = u;
        }
        return t[0];
    }
}
