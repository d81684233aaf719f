// Inverted dropout with the CPU's counter-based generator, so both devices draw the same masks.
// Draw number c of a generator with key K is splitmix64(K + c * GAMMA) (io.bsth.tensor.Rng): a pure
// function of (key, counter), so thread i computes draw base + i on its own, in any order.

#define GAMMA 0x9E3779B97F4A7C15ull

__device__ __forceinline__ unsigned long long mix64(unsigned long long z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// mask[i] = scale if the top 24 bits of draw (base + i) are >= threshold, else 0;
// threshold = ceil(p * 2^24), scale = 1 / (1 - p) (computed on the host exactly as the CPU does).
extern "C" __global__ void dropout_mask(float* mask, long long n, unsigned long long key,
                                        unsigned long long base, int threshold, float scale) {
    long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x;
    if (i < n) {
        int bits = (int) (mix64(key + (base + (unsigned long long) i) * GAMMA) >> 40);
        mask[i] = bits >= threshold ? scale : 0.f;
    }
}
