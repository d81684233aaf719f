// Element-wise activations and their gradients over n values; one thread per value.
// Backward kernels accumulate: dx += dy * f'(x).

// GELU, exact form: y = x * Phi(x), Phi the standard normal CDF (normcdff).
extern "C" __global__ void gelu_forward(const float* x, float* y, long long n) {
    long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x;
    if (i < n) y[i] = x[i] * normcdff(x[i]);
}

// dx += dy * (Phi(x) + x * phi(x)), phi(x) = exp(-x^2/2) / sqrt(2 pi).
extern "C" __global__ void gelu_backward(const float* x, const float* dy, float* dx, long long n) {
    long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x;
    if (i < n) {
        float v = x[i];
        float pdf = expf(-0.5f * v * v) * 0.3989422804014327f;
        dx[i] += dy[i] * (normcdff(v) + v * pdf);
    }
}

extern "C" __global__ void tanh_forward(const float* x, float* y, long long n) {
    long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x;
    if (i < n) y[i] = tanhf(x[i]);
}

// From the output y = tanh(x): dx += dy * (1 - y^2).
extern "C" __global__ void tanh_backward(const float* y, const float* dy, float* dx, long long n) {
    long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x;
    if (i < n) dx[i] += dy[i] * (1.f - y[i] * y[i]);
}

extern "C" __global__ void sigmoid_forward(const float* x, float* y, long long n) {
    long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x;
    if (i < n) y[i] = 1.f / (1.f + expf(-x[i]));
}

// From the output y = sigmoid(x): dx += dy * y * (1 - y).
extern "C" __global__ void sigmoid_backward(const float* y, const float* dy, float* dx, long long n) {
    long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x;
    if (i < n) dx[i] += dy[i] * y[i] * (1.f - y[i]);
}
