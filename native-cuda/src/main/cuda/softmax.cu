// Row softmax (max-subtracted) and its gradient; x, y, dy, dx (rows, C) dense.
// One block per row; the threads of the block stride over the row's C values.
#include "common.cuh"

// y[r] = exp(x[r] - max x[r]) / sum_j exp(x[r][j] - max x[r])
extern "C" __global__ void softmax_forward(const float* x, float* y, int rows, int C) {
    __shared__ float scratch[32];
    long long o = (long long) blockIdx.x * C;
    float m = -INFINITY;
    for (int j = threadIdx.x; j < C; j += blockDim.x) m = fmaxf(m, x[o + j]);
    m = block_max(m, scratch);
    float s = 0.f;
    for (int j = threadIdx.x; j < C; j += blockDim.x) {
        float e = expf(x[o + j] - m);
        y[o + j] = e;
        s += e;
    }
    float inv = 1.f / block_sum(s, scratch);
    for (int j = threadIdx.x; j < C; j += blockDim.x) y[o + j] *= inv;
}

// dx[r] += y[r] * (dy[r] - <dy[r], y[r]>), with y the forward output.
extern "C" __global__ void softmax_backward(const float* y, const float* dy, float* dx, int rows, int C) {
    __shared__ float scratch[32];
    long long o = (long long) blockIdx.x * C;
    float d = 0.f;
    for (int j = threadIdx.x; j < C; j += blockDim.x) d += dy[o + j] * y[o + j];
    d = block_sum(d, scratch);
    for (int j = threadIdx.x; j < C; j += blockDim.x) dx[o + j] += y[o + j] * (dy[o + j] - d);
}
