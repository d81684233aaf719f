package io.bsth.tensor.kernels;

import io.bsth.tensor.Parallel;
import io.bsth.tensor.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row softmax (max-subtracted) and its gradient: x, y, dy, dx (rows, C) dense. Rows are split over
 * {@link Parallel}; each row runs the SIMD body or the scalar reference ({@code *Reference}).
 */
public final class Softmax {
    private Softmax() {}

    /** y[r] = exp(x[r] - max x[r]) / sum; x, y (rows, C). */
    public static void forward(float[] x, float[] y, int rows, int C) {
        Parallel.forRange(rows, Parallel.rowGrain(C), (s, e) -> {
            for (int r = s; r < e; r++) {
                if (Simd.ENABLED) rowSimd(x, y, r * C, C);
                else rowReference(x, y, r * C, C);
            }
        });
    }

    /** dx[r] += y[r] * (dy[r] - <dy[r], y[r]>); y the forward output. */
    public static void backward(float[] y, float[] dy, float[] dx, int rows, int C) {
        Parallel.forRange(rows, Parallel.rowGrain(C), (s, e) -> {
            for (int r = s; r < e; r++) {
                if (Simd.ENABLED) rowBackwardSimd(y, dy, dx, r * C, C);
                else rowBackwardReference(y, dy, dx, r * C, C);
            }
        });
    }

    /** In place: d[r] = y[r] * (d[r] - <d[r], y[r]>), turning dy into dx (no extra buffer). */
    public static void backwardInPlace(float[] y, float[] d, int rows, int C) {
        Parallel.forRange(rows, Parallel.rowGrain(C), (s, e) -> {
            for (int r = s; r < e; r++) {
                int o = r * C;
                float dot = Simd.ENABLED ? Norm.rowDot(d, o, y, o, C) : Norm.rowDotReference(d, o, y, o, C);
                for (int j = 0; j < C; j++) d[o + j] = y[o + j] * (d[o + j] - dot);
            }
        });
    }

    /** One row of C elements from offset o. */
    public static void rowReference(float[] x, float[] y, int o, int C) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < C; j++) max = Math.max(max, x[o + j]);
        float sum = 0f;
        for (int j = 0; j < C; j++) {
            float e = (float) Math.exp(x[o + j] - max);
            y[o + j] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int j = 0; j < C; j++) y[o + j] *= inv;
    }

    public static void rowBackwardReference(float[] y, float[] dy, float[] dx, int o, int C) {
        float dot = 0f;
        for (int j = 0; j < C; j++) dot += dy[o + j] * y[o + j];
        for (int j = 0; j < C; j++) dx[o + j] += y[o + j] * (dy[o + j] - dot);
    }

    static void rowSimd(float[] x, float[] y, int o, int C) {
        Vec.rowSimd(x, y, o, C);
    }

    static void rowBackwardSimd(float[] y, float[] dy, float[] dx, int o, int C) {
        Vec.rowBackwardSimd(y, dy, dx, o, C);
    }

    /**
     * The Vector API code of this class: loaded (and verified) only when {@link Simd#ENABLED}, so the class
     * above runs its scalar references on a JVM without {@code jdk.incubator.vector}.
     */
    static final class Vec {
        private Vec() {}

        private static final VectorSpecies<Float> S = Simd.FLOAT;

        static void rowSimd(float[] x, float[] y, int o, int C) {
            int L = S.length(), bound = S.loopBound(C);
            float max = Float.NEGATIVE_INFINITY;
            int j = 0;
            if (bound > 0) {
                FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
                for (; j < bound; j += L) m = m.max(FloatVector.fromArray(S, x, o + j));
                max = m.reduceLanes(VectorOperators.MAX);
            }
            for (; j < C; j++) max = Math.max(max, x[o + j]);
            FloatVector acc = FloatVector.zero(S);
            j = 0;
            for (; j < bound; j += L) {
                FloatVector e = Activation.Vec.exp(FloatVector.fromArray(S, x, o + j).sub(max));
                e.intoArray(y, o + j);
                acc = acc.add(e);
            }
            float sum = LaneSum.sum(acc);
            for (; j < C; j++) {
                float e = (float) Math.exp(x[o + j] - max);
                y[o + j] = e;
                sum += e;
            }
            float inv = 1f / sum;
            j = 0;
            for (; j < bound; j += L) FloatVector.fromArray(S, y, o + j).mul(inv).intoArray(y, o + j);
            for (; j < C; j++) y[o + j] *= inv;
        }

        static void rowBackwardSimd(float[] y, float[] dy, float[] dx, int o, int C) {
            int L = S.length(), bound = S.loopBound(C);
            FloatVector acc = FloatVector.zero(S);
            int j = 0;
            for (; j < bound; j += L) acc = FloatVector.fromArray(S, dy, o + j).fma(FloatVector.fromArray(S, y, o + j), acc);
            float dot = LaneSum.sum(acc);
            for (; j < C; j++) dot += dy[o + j] * y[o + j];
            j = 0;
            for (; j < bound; j += L) {
                FloatVector yv = FloatVector.fromArray(S, y, o + j);
                FloatVector d = FloatVector.fromArray(S, dy, o + j).sub(dot).mul(yv);
                d.add(FloatVector.fromArray(S, dx, o + j)).intoArray(dx, o + j);
            }
            for (; j < C; j++) dx[o + j] += y[o + j] * (dy[o + j] - dot);
        }
    }
}
