package io.bsth.tensor.kernels;

import io.bsth.tensor.Parallel;
import io.bsth.tensor.Rng;
import io.bsth.tensor.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Normalisations and their gradients, on dense row-major arrays:
 * <ul>
 *   <li>LayerNorm over the last dim of x (rows, C), caching per-row mean and rstd = 1/sqrt(var + eps)
 *       (biased variance, two passes);</li>
 *   <li>BatchNorm over the rows of x (N, C): per-column batch statistics (two passes, double
 *       partials), the affine map, and the backward for batch or fixed (running) statistics;</li>
 *   <li>row L2 normalisation y = x / max(||x||, eps), as torch.nn.functional.normalize.</li>
 * </ul>
 * Backward functions accumulate (+=) into every non-null gradient. Rows are split over
 * {@link Parallel}; row bodies have a SIMD path and a scalar reference ({@code *Reference}).
 */
public final class Norm {
    private Norm() {}

    /**
     * Number of row blocks with their own partial sums in the reductions over rows: a function of the
     * shape only (at most 64), so sums come out the same for any thread count.
     */
    private static int partials(int rows, int C) {
        return Math.max(1, Math.min(64, rows / Parallel.rowGrain(C)));
    }

    // ---- small row helpers (SIMD with scalar tails) ----------------------------------------------

    /** Sum of a[o .. o+C). */
    static float rowSum(float[] a, int o, int C) {
        if (!Simd.ENABLED) return rowSumReference(a, o, C);
        return Vec.rowSum(a, o, C);
    }

    public static float rowSumReference(float[] a, int o, int C) {
        float s = 0f;
        for (int j = 0; j < C; j++) s += a[o + j];
        return s;
    }

    /** Sum of (a[o+j] - m)^2. */
    static float rowSqDev(float[] a, int o, int C, float m) {
        if (!Simd.ENABLED) return rowSqDevReference(a, o, C, m);
        return Vec.rowSqDev(a, o, C, m);
    }

    public static float rowSqDevReference(float[] a, int o, int C, float m) {
        float s = 0f;
        for (int j = 0; j < C; j++) {
            float d = a[o + j] - m;
            s += d * d;
        }
        return s;
    }

    /** Sum of a[oa+j] * b[ob+j]. */
    static float rowDot(float[] a, int oa, float[] b, int ob, int C) {
        if (!Simd.ENABLED) return rowDotReference(a, oa, b, ob, C);
        return Vec.rowDot(a, oa, b, ob, C);
    }

    public static float rowDotReference(float[] a, int oa, float[] b, int ob, int C) {
        float s = 0f;
        for (int j = 0; j < C; j++) s += a[oa + j] * b[ob + j];
        return s;
    }

    // ---- LayerNorm ------------------------------------------------------------------------------

    /**
     * x (rows, C), w, b (C) or null -> y (rows, C); mean, rstd (rows) cached for backward.
     */
    public static void layerNormForward(float[] x, float[] w, float[] b, float[] y, float[] mean, float[] rstd,
                                        int rows, int C, float eps) {
        Parallel.forRange(rows, Parallel.rowGrain(C), (s, e) -> {
            for (int r = s; r < e; r++) {
                int o = r * C;
                float m = rowSum(x, o, C) / C;
                float var = rowSqDev(x, o, C, m) / C;
                float rs = (float) (1 / Math.sqrt(var + eps));
                mean[r] = m;
                rstd[r] = rs;
                normalizeRow(x, o, w, b, y, o, C, m, rs);
            }
        });
    }

    /** The plain reference of {@link #layerNormForward} (one thread, scalar sums). */
    public static void layerNormForwardReference(float[] x, float[] w, float[] b, float[] y, float[] mean, float[] rstd,
                                              int rows, int C, float eps) {
        for (int r = 0; r < rows; r++) {
            int o = r * C;
            float m = rowSumReference(x, o, C) / C;
            float var = rowSqDevReference(x, o, C, m) / C;
            float rs = (float) (1 / Math.sqrt(var + eps));
            mean[r] = m;
            rstd[r] = rs;
            normalizeRow(x, o, w, b, y, o, C, m, rs);
        }
    }

    /**
     * dy, x (rows, C); w (C) or null; mean, rstd (rows) from forward. Accumulates
     * dx += rstd * (dxh - mean(dxh) - xhat * mean(dxh * xhat)) with dxh = dy * w, dw += sum dy * xhat,
     * db += sum dy (any of dx, dw, db may be null).
     */
    public static void layerNormBackward(float[] dy, float[] x, float[] w, float[] mean, float[] rstd,
                                         float[] dx, float[] dw, float[] db, int rows, int C) {
        int chunks = partials(rows, C);
        float[][] pw = dw == null ? null : new float[chunks][C];
        float[][] pb = db == null ? null : new float[chunks][C];
        Parallel.forEach(chunks, c -> {
            int s = (int) ((long) rows * c / chunks), e = (int) ((long) rows * (c + 1) / chunks);
            float[] xhat = new float[C], dxh = new float[C];
            for (int r = s; r < e; r++) {
                layerNormBackwardRow(dy, x, w, mean[r], rstd[r], dx, pw == null ? null : pw[c], pb == null ? null : pb[c],
                        r * C, C, xhat, dxh);
            }
        });
        if (dw != null) for (float[] p : pw) for (int j = 0; j < C; j++) dw[j] += p[j];
        if (db != null) for (float[] p : pb) for (int j = 0; j < C; j++) db[j] += p[j];
    }

    /** One row of the LayerNorm backward; xhat, dxh are scratch (C). */
    public static void layerNormBackwardRow(float[] dy, float[] x, float[] w, float m, float rs,
                                            float[] dx, float[] dw, float[] db, int o, int C, float[] xhat, float[] dxh) {
        for (int j = 0; j < C; j++) {
            float xh = (x[o + j] - m) * rs;
            float g = dy[o + j];
            xhat[j] = xh;
            dxh[j] = w == null ? g : g * w[j];
            if (dw != null) dw[j] += g * xh;
            if (db != null) db[j] += g;
        }
        if (dx == null) return;
        float a = rowSum(dxh, 0, C) / C;
        float bb = rowDot(dxh, 0, xhat, 0, C) / C;
        for (int j = 0; j < C; j++) dx[o + j] += rs * (dxh[j] - a - xhat[j] * bb);
    }

    // ---- LayerNorm of a residual sum ------------------------------------------------------------

    /**
     * LayerNorm of the residual sum s = x + a * mask, as {@link #layerNormForward} of s, without storing
     * s: x, a (rows, C); {@code draws} the rows*C dropout draws of p for a ({@link Rng#maskOf}), or null
     * for s = x + a; w, b (C) or null -> y (rows, C); mean, rstd (rows) cached for backward. Same bits
     * as the separate dropout, add and LayerNorm kernels. With {@code sumOut} (rows, C) non-null, s is
     * written there too (it may be a itself: each row of a is read before its sum is written).
     */
    public static void residualLayerNormForward(float[] x, float[] a, Rng.Block draws, float p, float[] w, float[] b,
                                                float[] y, float[] mean, float[] rstd, int rows, int C, float eps,
                                                float[] sumOut) {
        Parallel.forRange(rows, Parallel.rowGrain(C), (s, e) -> {
            float[] sum = new float[C], mask = draws == null ? null : new float[C];
            for (int r = s; r < e; r++) {
                int o = r * C;
                residualRow(x, a, draws, p, o, C, mask, sum);
                float m = rowSum(sum, 0, C) / C;
                float var = rowSqDev(sum, 0, C, m) / C;
                float rs = (float) (1 / Math.sqrt(var + eps));
                mean[r] = m;
                rstd[r] = rs;
                normalizeRow(sum, 0, w, b, y, o, C, m, rs);
                if (sumOut != null) System.arraycopy(sum, 0, sumOut, o, C);
            }
        });
    }

    /**
     * The LayerNorm output again from the residual sums s (rows, C) that forward stored and the mean and
     * rstd it cached: w, b (C) or null -> y (rows, C), the values {@link #residualLayerNormForward} wrote,
     * bit for bit.
     */
    public static void layerNormFromStats(float[] s, float[] mean, float[] rstd, float[] w, float[] b, float[] y, int rows, int C) {
        Parallel.forRange(rows, Parallel.rowGrain(C), (lo, hi) -> {
            for (int r = lo; r < hi; r++) normalizeRow(s, r * C, w, b, y, r * C, C, mean[r], rstd[r]);
        });
    }

    /**
     * y[o..o+C) = (x[xo..xo+C) - m) * rs, then * w and + b where given: one row of a LayerNorm output
     * (of a plain LayerNorm's input, or of a residual sum).
     */
    private static void normalizeRow(float[] x, int xo, float[] w, float[] b, float[] y, int o, int C, float m, float rs) {
        if (w != null && b != null) {
            // the common case without branches in the loop, so the JIT vectorises it (same operations)
            for (int j = 0; j < C; j++) y[o + j] = (x[xo + j] - m) * rs * w[j] + b[j];
            return;
        }
        for (int j = 0; j < C; j++) {
            float v = (x[xo + j] - m) * rs;
            if (w != null) v = v * w[j];
            if (b != null) v += b[j];
            y[o + j] = v;
        }
    }

    /** sum (C) = x[o..o+C) + a[o..o+C) * mask, the mask (C) drawn for draws o..o+C (or none). */
    private static void residualRow(float[] x, float[] a, Rng.Block draws, float p, int o, int C, float[] mask, float[] sum) {
        if (draws == null) {
            for (int j = 0; j < C; j++) sum[j] = x[o + j] + a[o + j];
            return;
        }
        Rng.maskOf(draws, p, o, C, mask, 0);
        for (int j = 0; j < C; j++) sum[j] = x[o + j] + a[o + j] * mask[j];
    }

    /**
     * Backward of {@link #residualLayerNormForward}: s recomputed row by row from x, a and the mask drawn
     * again (or, with {@code aIsSum}, read from a, which then holds s as forward's sumOut; x is not read);
     * with gs the LayerNorm gradient of s, accumulates dx += gs, da += gs * mask (gs without
     * dropout), dw += sum dy * xhat, db += sum dy (any of dx, da, dw, db may be null). Same bits as the
     * LayerNorm, add and dropout backward kernels in turn.
     */
    public static void residualLayerNormBackward(float[] dy, float[] x, float[] a, boolean aIsSum, Rng.Block draws, float p,
                                                 float[] w, float[] mean, float[] rstd, float[] dx, float[] da, float[] dw,
                                                 float[] db, int rows, int C) {
        int chunks = partials(rows, C);
        float[][] pw = dw == null ? null : new float[chunks][C];
        float[][] pb = db == null ? null : new float[chunks][C];
        boolean fused = Simd.ENABLED;
        Parallel.forEach(chunks, c -> {
            int s = (int) ((long) rows * c / chunks), e = (int) ((long) rows * (c + 1) / chunks);
            float[] xhat = new float[C], dxh = new float[C], sum = new float[C], mask = draws == null ? null : new float[C];
            float[] cw = pw == null ? null : pw[c], cb = pb == null ? null : pb[c];
            for (int r = s; r < e; r++) {
                int o = r * C;
                float m = mean[r], rs = rstd[r];
                if (!aIsSum) {
                    residualRow(x, a, draws, p, o, C, mask, sum);
                } else {
                    System.arraycopy(a, o, sum, 0, C);
                    if (mask != null) Rng.maskOf(draws, p, o, C, mask, 0);
                }
                if (w != null && cw != null && cb != null) {
                    // the training case without branches in the loop, so the JIT vectorises it (same operations)
                    for (int j = 0; j < C; j++) {
                        float xh = (sum[j] - m) * rs;
                        float g = dy[o + j];
                        xhat[j] = xh;
                        dxh[j] = g * w[j];
                        cw[j] += g * xh;
                        cb[j] += g;
                    }
                } else {
                    for (int j = 0; j < C; j++) {
                        float xh = (sum[j] - m) * rs;
                        float g = dy[o + j];
                        xhat[j] = xh;
                        dxh[j] = w == null ? g : g * w[j];
                        if (cw != null) cw[j] += g * xh;
                        if (cb != null) cb[j] += g;
                    }
                }
                if (dx == null && da == null) continue;
                float mg = rowSum(dxh, 0, C) / C;
                float bb = rowDot(dxh, 0, xhat, 0, C) / C;
                if (dx != null && da != null && mask != null && fused) {
                    for (int j = 0; j < C; j++) {
                        float gs = 0f + rs * (dxh[j] - mg - xhat[j] * bb);
                        dx[o + j] += gs;
                        da[o + j] = Math.fma(gs, mask[j], da[o + j]);
                    }
                    continue;
                }
                for (int j = 0; j < C; j++) {
                    // 0 + : the gradient of s lands in a zeroed buffer in the separate kernels
                    float gs = 0f + rs * (dxh[j] - mg - xhat[j] * bb);
                    if (dx != null) dx[o + j] += gs;
                    if (da != null) {
                        // as the dropout backward: fused multiply-add in its SIMD kernel, product then sum in its reference
                        da[o + j] = mask == null ? da[o + j] + gs : fused ? Math.fma(gs, mask[j], da[o + j]) : da[o + j] + gs * mask[j];
                    }
                }
            }
        });
        if (dw != null) for (float[] q : pw) for (int j = 0; j < C; j++) dw[j] += q[j];
        if (db != null) for (float[] q : pb) for (int j = 0; j < C; j++) db[j] += q[j];
    }

    // ---- BatchNorm ------------------------------------------------------------------------------

    /** Per-column mean and biased variance of x (N, C) -> mean, var (C). Two passes, double partials. */
    public static void batchStats(float[] x, int N, int C, float[] mean, float[] var) {
        int chunks = partials(N, C);
        double[][] part = new double[chunks][C];
        Parallel.forEach(chunks, c -> {
            int s = (int) ((long) N * c / chunks), e = (int) ((long) N * (c + 1) / chunks);
            double[] p = part[c];
            for (int r = s; r < e; r++) for (int j = 0, o = r * C; j < C; j++) p[j] += x[o + j];
        });
        double[] m = new double[C];
        for (double[] p : part) for (int j = 0; j < C; j++) m[j] += p[j];
        for (int j = 0; j < C; j++) m[j] /= N;
        Parallel.forEach(chunks, c -> {
            int s = (int) ((long) N * c / chunks), e = (int) ((long) N * (c + 1) / chunks);
            double[] p = part[c];
            java.util.Arrays.fill(p, 0);
            for (int r = s; r < e; r++) {
                for (int j = 0, o = r * C; j < C; j++) {
                    double d = x[o + j] - m[j];
                    p[j] += d * d;
                }
            }
        });
        double[] v = new double[C];
        for (double[] p : part) for (int j = 0; j < C; j++) v[j] += p[j];
        for (int j = 0; j < C; j++) {
            mean[j] = (float) m[j];
            var[j] = (float) (v[j] / N);
        }
    }

    /** y = (x - mean) * rstd * w + b per column; x, y (N, C); mean, rstd, w, b (C) (w, b may be null). */
    public static void batchNormForward(float[] x, float[] mean, float[] rstd, float[] w, float[] b, float[] y, int N, int C) {
        Parallel.forRange(N, Parallel.rowGrain(C), (s, e) -> {
            for (int r = s; r < e; r++) {
                for (int j = 0, o = r * C; j < C; j++) {
                    float v = (x[o + j] - mean[j]) * rstd[j];
                    if (w != null) v *= w[j];
                    if (b != null) v += b[j];
                    y[o + j] = v;
                }
            }
        });
    }

    /**
     * BatchNorm backward. With {@code batchStats} (training) the statistics depend on x:
     * dx += w * rstd / N * (N dy - sum dy - xhat * sum(dy xhat)); otherwise (eval) dx += dy * w * rstd.
     * dw += sum dy * xhat, db += sum dy. Any of dx, dw, db may be null.
     */
    public static void batchNormBackward(float[] dy, float[] x, float[] mean, float[] rstd, float[] w,
                                         float[] dx, float[] dw, float[] db, int N, int C, boolean batchStats) {
        int chunks = partials(N, C);
        double[][] sg = new double[chunks][C], sgx = new double[chunks][C];
        Parallel.forEach(chunks, c -> {
            int s = (int) ((long) N * c / chunks), e = (int) ((long) N * (c + 1) / chunks);
            double[] a = sg[c], bq = sgx[c];
            for (int r = s; r < e; r++) {
                for (int j = 0, o = r * C; j < C; j++) {
                    float g = dy[o + j];
                    a[j] += g;
                    bq[j] += g * ((x[o + j] - mean[j]) * rstd[j]);
                }
            }
        });
        float[] sumG = new float[C], sumGX = new float[C];
        for (int c = 0; c < chunks; c++) {
            for (int j = 0; j < C; j++) {
                sumG[j] += (float) sg[c][j];
                sumGX[j] += (float) sgx[c][j];
            }
        }
        if (dw != null) for (int j = 0; j < C; j++) dw[j] += sumGX[j];
        if (db != null) for (int j = 0; j < C; j++) db[j] += sumG[j];
        if (dx == null) return;
        Parallel.forRange(N, Parallel.rowGrain(C), (s, e) -> {
            for (int r = s; r < e; r++) {
                for (int j = 0, o = r * C; j < C; j++) {
                    float k = (w == null ? 1f : w[j]) * rstd[j];
                    if (batchStats) {
                        float xh = (x[o + j] - mean[j]) * rstd[j];
                        dx[o + j] += k * (dy[o + j] - sumG[j] / N - xh * sumGX[j] / N);
                    } else {
                        dx[o + j] += k * dy[o + j];
                    }
                }
            }
        });
    }

    // ---- row L2 normalisation -------------------------------------------------------------------

    /** y = x / max(||x_r||, eps) per row; x, y (rows, C); norm (rows) the unclamped norms. */
    public static void l2NormalizeForward(float[] x, float[] y, float[] norm, int rows, int C, float eps) {
        Parallel.forRange(rows, Parallel.rowGrain(C), (s, e) -> {
            for (int r = s; r < e; r++) {
                int o = r * C;
                float n = (float) Math.sqrt(rowDot(x, o, x, o, C));
                norm[r] = n;
                float inv = 1f / Math.max(n, eps);
                for (int j = 0; j < C; j++) y[o + j] = x[o + j] * inv;
            }
        });
    }

    /** dx += (dy - y <dy, y>) / norm where norm > eps, else dy / eps (the clamp has no gradient). */
    public static void l2NormalizeBackward(float[] y, float[] norm, float[] dy, float[] dx, int rows, int C, float eps) {
        Parallel.forRange(rows, Parallel.rowGrain(C), (s, e) -> {
            for (int r = s; r < e; r++) {
                int o = r * C;
                if (norm[r] > eps) {
                    float inv = 1f / norm[r];
                    float dot = rowDot(dy, o, y, o, C);
                    for (int j = 0; j < C; j++) dx[o + j] += (dy[o + j] - y[o + j] * dot) * inv;
                } else {
                    float inv = 1f / eps;
                    for (int j = 0; j < C; j++) dx[o + j] += dy[o + j] * inv;
                }
            }
        });
    }

    /**
     * The Vector API code of this class: loaded (and verified) only when {@link Simd#ENABLED}, so the class
     * above runs its scalar references on a JVM without {@code jdk.incubator.vector}.
     */
    static final class Vec {
        private Vec() {}

        private static final VectorSpecies<Float> S = Simd.FLOAT;

        static float rowSum(float[] a, int o, int C) {
            int L = S.length(), bound = S.loopBound(C), j = 0;
            FloatVector acc0 = FloatVector.zero(S), acc1 = FloatVector.zero(S);
            for (; j + L < bound; j += 2 * L) {
                acc0 = acc0.add(FloatVector.fromArray(S, a, o + j));
                acc1 = acc1.add(FloatVector.fromArray(S, a, o + j + L));
            }
            for (; j < bound; j += L) acc0 = acc0.add(FloatVector.fromArray(S, a, o + j));
            float s = LaneSum.sum(acc0.add(acc1));
            for (; j < C; j++) s += a[o + j];
            return s;
        }

        static float rowSqDev(float[] a, int o, int C, float m) {
            int L = S.length(), bound = S.loopBound(C), j = 0;
            FloatVector acc = FloatVector.zero(S);
            for (; j < bound; j += L) {
                FloatVector d = FloatVector.fromArray(S, a, o + j).sub(m);
                acc = d.fma(d, acc);
            }
            float s = LaneSum.sum(acc);
            for (; j < C; j++) {
                float d = a[o + j] - m;
                s += d * d;
            }
            return s;
        }

        static float rowDot(float[] a, int oa, float[] b, int ob, int C) {
            int L = S.length(), bound = S.loopBound(C), j = 0;
            FloatVector acc = FloatVector.zero(S);
            for (; j < bound; j += L) acc = FloatVector.fromArray(S, a, oa + j).fma(FloatVector.fromArray(S, b, ob + j), acc);
            float s = LaneSum.sum(acc);
            for (; j < C; j++) s += a[oa + j] * b[ob + j];
            return s;
        }
    }
}
