// One Adam step (torch.optim.Adam, amsgrad off, no weight decay) over n parameters:
//   m = beta1 m + (1 - beta1) g;   v = beta2 v + (1 - beta2) g^2
//   p -= stepSize * m / (sqrt(v) / bc2Sqrt + eps)
// with stepSize = lr / (1 - beta1^t) and bc2Sqrt = sqrt(1 - beta2^t) computed on the host in double
// (as the CPU optimiser does). The __f*_rn intrinsics stop the compiler fusing multiply-adds, so each
// value is rounded exactly as the CPU's separate float operations round it.
extern "C" __global__ void adam_step(float* p, const float* g, float* m, float* v, long long n,
                                     float b1, float b2, float a1, float a2, float stepSize,
                                     float bc2Sqrt, float eps) {
    long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x;
    if (i >= n) return;
    float gi = g[i];
    float mi = __fadd_rn(__fmul_rn(m[i], b1), __fmul_rn(a1, gi));
    float vi = __fadd_rn(__fmul_rn(v[i], b2), __fmul_rn(__fmul_rn(a2, gi), gi));
    m[i] = mi;
    v[i] = vi;
    float denom = __fadd_rn(__fdiv_rn(__fsqrt_rn(vi), bc2Sqrt), eps);
    p[i] = __fsub_rn(p[i], __fmul_rn(stepSize, __fdiv_rn(mi, denom)));
}
