// Element-wise arithmetic and reductions over dense float arrays; one thread per value unless noted.
#include "common.cuh"

#define INDEX long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; if (i >= n) return

extern "C" __global__ void ew_add(const float* a, const float* b, float* y, long long n) { INDEX; y[i] = a[i] + b[i]; }
extern "C" __global__ void ew_sub(const float* a, const float* b, float* y, long long n) { INDEX; y[i] = a[i] - b[i]; }
extern "C" __global__ void ew_mul(const float* a, const float* b, float* y, long long n) { INDEX; y[i] = a[i] * b[i]; }

// y += a * b (the accumulate form the backward passes use).
extern "C" __global__ void ew_mul_acc(const float* a, const float* b, float* y, long long n) { INDEX; y[i] += a[i] * b[i]; }

// y += alpha * x
extern "C" __global__ void ew_axpy(float alpha, const float* x, float* y, long long n) { INDEX; y[i] += alpha * x[i]; }

// y = alpha * x
extern "C" __global__ void ew_scale(float alpha, const float* x, float* y, long long n) { INDEX; y[i] = alpha * x[i]; }

extern "C" __global__ void ew_fill(float v, float* y, long long n) { INDEX; y[i] = v; }

// y (rows, cols) += v (cols) on every row: the bias add.
extern "C" __global__ void ew_add_row_vector(float* y, const float* v, int rows, int cols) {
    long long n = (long long) rows * cols;
    INDEX;
    y[i] += v[i % cols];
}

// out[c] (+)= sum_r x[r][c], x (rows, cols): one thread per column, rows in order (deterministic).
extern "C" __global__ void reduce_col_sum(const float* x, int rows, int cols, float* out, int accumulate) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= cols) return;
    float s = 0.f;
    for (int r = 0; r < rows; r++) s += x[(long long) r * cols + c];
    out[c] = accumulate ? out[c] + s : s;
}

// out[r] (+)= sum_c x[r][c], x (rows, cols): one block per row.
extern "C" __global__ void reduce_row_sum(const float* x, int rows, int cols, float* out, int accumulate) {
    __shared__ float scratch[32];
    long long o = (long long) blockIdx.x * cols;
    float s = 0.f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) s += x[o + c];
    s = block_sum(s, scratch);
    if (threadIdx.x == 0) out[blockIdx.x] = accumulate ? out[blockIdx.x] + s : s;
}

// Sum of x (n) in two launches without atomics (so the result does not depend on scheduling):
// reduce_sum_partial with gridDim.x blocks writes one partial sum per block, then reduce_sum_partial
// with one block sums the partials.
extern "C" __global__ void reduce_sum_partial(const float* x, long long n, float* partial) {
    __shared__ float scratch[32];
    float s = 0.f;
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) s += x[i];
    s = block_sum(s, scratch);
    if (threadIdx.x == 0) partial[blockIdx.x] = s;
}
