// The bit-wise hash head's last layer and the sign packing of its output.
// Bit g of item r has its own hidden vector a[r][g*H .. g*H+H) and weight row w[g*H .. g*H+H):
//   h[r][g] = tanh(b[g] + sum_i a[r][g*H + i] * w[g*H + i])          a (n, G*H), w (G*H), b (G), h (n, G)
// (the first layer, G grouped Linear maps, runs as a batched sgemm_tiled).

// One warp per (r, g): lanes split the H products, then a warp sum.
extern "C" __global__ void hash_head_forward(const float* a, const float* w, const float* b, float* h,
                                             int n, int G, int H) {
    long long warp = (blockIdx.x * (long long) blockDim.x + threadIdx.x) >> 5;
    int lane = threadIdx.x & 31;
    if (warp >= (long long) n * G) return;
    int r = (int) (warp / G), g = (int) (warp % G);
    const float* ar = a + (long long) r * G * H + (long long) g * H;
    const float* wg = w + (long long) g * H;
    float s = 0.f;
    for (int i = lane; i < H; i += 32) s += ar[i] * wg[i];
    for (int o = 16; o > 0; o >>= 1) s += __shfl_xor_sync(0xffffffffu, s, o);
    if (lane == 0) h[warp] = tanhf(s + b[g]);
}

// Gradient through tanh and the dot product, with z = dh * (1 - h^2):
// da[r][g*H+i] += z[r][g] * w[g*H+i]: one thread per element of a.
extern "C" __global__ void hash_head_backward_input(const float* dh, const float* h, const float* w,
                                                    float* da, int n, int G, int H) {
    long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x;
    long long total = (long long) n * G * H;
    if (i >= total) return;
    long long rg = i / H;                       // r * G + g
    int c = (int) (i % ((long long) G * H));    // g * H + i within the row
    float hv = h[rg];
    da[i] += dh[rg] * (1.f - hv * hv) * w[c];
}

// dw[g*H+i] += sum_r z[r][g] * a[r][g*H+i]; db[g] += sum_r z[r][g] (the thread with i == 0):
// one thread per weight, rows in order (deterministic). dw or db may be null.
extern "C" __global__ void hash_head_backward_params(const float* dh, const float* h, const float* a,
                                                     float* dw, float* db, int n, int G, int H) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= G * H) return;
    int g = c / H;
    float sw = 0.f, sb = 0.f;
    for (int r = 0; r < n; r++) {
        long long rg = (long long) r * G + g;
        float hv = h[rg];
        float z = dh[rg] * (1.f - hv * hv);
        sw += z * a[(long long) r * G * H + c];
        sb += z;
    }
    if (dw) dw[c] += sw;
    if (db && c % H == 0) db[g] += sb;
}

// Packs h (n, nbit) into codes (n, words) of 64-bit words: bit j of item r is h[r][j] > 0, stored as
// bit j % 64 of word j / 64 (unused high bits clear). One thread per word.
extern "C" __global__ void sign_pack(const float* h, int n, int nbit, unsigned long long* codes) {
    int words = (nbit + 63) >> 6;
    long long t = blockIdx.x * (long long) blockDim.x + threadIdx.x;
    if (t >= (long long) n * words) return;
    int r = (int) (t / words), wd = (int) (t % words);
    unsigned long long bits = 0;
    int j0 = wd * 64, j1 = min(nbit, j0 + 64);
    for (int j = j0; j < j1; j++) if (h[(long long) r * nbit + j] > 0.f) bits |= 1ull << (j - j0);
    codes[t] = bits;
}
