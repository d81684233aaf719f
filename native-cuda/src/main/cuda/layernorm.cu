// LayerNorm over the last dimension: x (rows, C) -> y (rows, C), with per-row mean and rstd (rows)
// kept for the backward. w, b (C) may be null (pass 0): no affine part.
#include "common.cuh"

// One block per row: mean, biased variance (two passes), rstd = 1/sqrt(var + eps), then
// y = (x - mean) * rstd * w + b.
extern "C" __global__ void layernorm_forward(const float* x, const float* w, const float* b, float* y,
                                             float* mean, float* rstd, int rows, int C, float eps) {
    __shared__ float scratch[32];
    int r = blockIdx.x;
    long long o = (long long) r * C;
    float s = 0.f;
    for (int j = threadIdx.x; j < C; j += blockDim.x) s += x[o + j];
    float m = block_sum(s, scratch) / C;
    float q = 0.f;
    for (int j = threadIdx.x; j < C; j += blockDim.x) {
        float d = x[o + j] - m;
        q += d * d;
    }
    float var = block_sum(q, scratch) / C;
    float rs = 1.f / sqrtf(var + eps);
    if (threadIdx.x == 0) {
        mean[r] = m;
        rstd[r] = rs;
    }
    for (int j = threadIdx.x; j < C; j += blockDim.x) {
        float v = (x[o + j] - m) * rs;
        if (w) v *= w[j];
        if (b) v += b[j];
        y[o + j] = v;
    }
}

// dx += rstd * (dxh - mean(dxh) - xhat * mean(dxh * xhat)) with xhat = (x - mean) * rstd and
// dxh = dy * w: one block per row. dx may be null (nothing to do then).
extern "C" __global__ void layernorm_backward_input(const float* dy, const float* x, const float* w,
                                                    const float* mean, const float* rstd, float* dx,
                                                    int rows, int C) {
    __shared__ float scratch[32];
    int r = blockIdx.x;
    long long o = (long long) r * C;
    float m = mean[r], rs = rstd[r];
    float sa = 0.f, sb = 0.f;
    for (int j = threadIdx.x; j < C; j += blockDim.x) {
        float xh = (x[o + j] - m) * rs;
        float g = w ? dy[o + j] * w[j] : dy[o + j];
        sa += g;
        sb += g * xh;
    }
    float a = block_sum(sa, scratch) / C;
    float bb = block_sum(sb, scratch) / C;
    for (int j = threadIdx.x; j < C; j += blockDim.x) {
        float xh = (x[o + j] - m) * rs;
        float g = w ? dy[o + j] * w[j] : dy[o + j];
        dx[o + j] += rs * (g - a - xh * bb);
    }
}

// dw[j] += sum_r dy[r][j] * xhat[r][j], db[j] += sum_r dy[r][j]: one thread per column, rows in order
// (deterministic; neighbouring threads read neighbouring columns). dw or db may be null.
extern "C" __global__ void layernorm_backward_params(const float* dy, const float* x, const float* mean,
                                                     const float* rstd, float* dw, float* db, int rows, int C) {
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= C) return;
    float sw = 0.f, sb = 0.f;
    for (int r = 0; r < rows; r++) {
        long long o = (long long) r * C + j;
        float g = dy[o];
        sw += g * ((x[o] - mean[r]) * rstd[r]);
        sb += g;
    }
    if (dw) dw[j] += sw;
    if (db) db[j] += sb;
}
