// BatchNorm over the rows of x (N, C): statistics per column (channel).

// mean[j], var[j] (biased) of column j: one thread per column, two passes in double (as the CPU).
extern "C" __global__ void batchnorm_stats(const float* x, int N, int C, float* mean, float* var) {
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= C) return;
    double s = 0;
    for (int r = 0; r < N; r++) s += x[(long long) r * C + j];
    double m = s / N;
    double q = 0;
    for (int r = 0; r < N; r++) {
        double d = x[(long long) r * C + j] - m;
        q += d * d;
    }
    mean[j] = (float) m;
    var[j] = (float) (q / N);
}

// y = (x - mean) * rstd * w + b per column; w, b may be null.
extern "C" __global__ void batchnorm_forward(const float* x, const float* mean, const float* rstd,
                                             const float* w, const float* b, float* y, int N, int C) {
    long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x;
    if (i >= (long long) N * C) return;
    int j = (int) (i % C);
    float v = (x[i] - mean[j]) * rstd[j];
    if (w) v *= w[j];
    if (b) v += b[j];
    y[i] = v;
}

// Per column: sumG[j] = sum_r dy, sumGX[j] = sum_r dy * xhat (double accumulators, rows in order);
// dw += sumGX, db += sumG (dw, db may be null).
extern "C" __global__ void batchnorm_backward_reduce(const float* dy, const float* x, const float* mean,
                                                     const float* rstd, float* sumG, float* sumGX,
                                                     float* dw, float* db, int N, int C) {
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= C) return;
    double a = 0, q = 0;
    for (int r = 0; r < N; r++) {
        long long o = (long long) r * C + j;
        float g = dy[o];
        a += g;
        q += g * ((x[o] - mean[j]) * rstd[j]);
    }
    sumG[j] = (float) a;
    sumGX[j] = (float) q;
    if (dw) dw[j] += (float) q;
    if (db) db[j] += (float) a;
}

// Training (batchStats != 0): dx += w rstd (dy - sumG/N - xhat sumGX/N); eval: dx += w rstd dy.
extern "C" __global__ void batchnorm_backward_input(const float* dy, const float* x, const float* mean,
                                                    const float* rstd, const float* w, const float* sumG,
                                                    const float* sumGX, float* dx, int N, int C, int batchStats) {
    long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x;
    if (i >= (long long) N * C) return;
    int j = (int) (i % C);
    float k = (w ? w[j] : 1.f) * rstd[j];
    if (batchStats) {
        float xh = (x[i] - mean[j]) * rstd[j];
        dx[i] += k * (dy[i] - sumG[j] / N - xh * sumGX[j] / N);
    } else {
        dx[i] += k * dy[i];
    }
}
