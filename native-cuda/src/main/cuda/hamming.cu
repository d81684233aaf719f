// Exact Hamming top-k: for every query, the k nearest database codes ordered by (distance, index),
// the same order as the CPU search. Codes are rows of `words` 64-bit words (bit j of a code is bit
// j % 64 of word j / 64, unused high bits clear), so the distance is the popcount of the XOR.
//
// One block per query, blockDim.x = 32 * warps. Warp w owns the contiguous database slice
// [w * seg, (w + 1) * seg) and walks it in index order, 32 codes per step, in two passes:
//   1. histogram: hist[w][d] = how many codes of the slice lie at distance d;
//   2. the threshold t is the smallest distance with at least k codes at distance <= t; a counting
//      sort over (distance, warp) turns hist[w][d] into the output position of warp w's first code at
//      distance d; the second pass writes every code at distance <= t to its position (lanes with the
//      same distance are ranked by lane, i.e. by index), keeping only positions < k (that cuts the
//      codes at distance t to the first ones in index order).
// Shared memory: warps * (nbit + 1) ints (dynamic) plus the query.

#define FULL 0xffffffffu
#define MAX_WORDS 16

__device__ __forceinline__ int distance(const unsigned long long* q, const unsigned long long* code, int words) {
    int d = 0;
    for (int w = 0; w < words; w++) d += __popcll(q[w] ^ code[w]);
    return d;
}

extern "C" __global__ void hamming_topk(const unsigned long long* queries, const unsigned long long* db,
                                        int n, int words, int nbit, int k, int* outIdx, int* outDist) {
    extern __shared__ int hist[];                  // hist[warp * bins + d]
    __shared__ unsigned long long q[MAX_WORDS];
    __shared__ int thrShared;
    int bins = nbit + 1;
    int warps = blockDim.x >> 5, warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    long long query = blockIdx.x;
    for (int t = threadIdx.x; t < warps * bins; t += blockDim.x) hist[t] = 0;
    if (threadIdx.x < words) q[threadIdx.x] = queries[query * words + threadIdx.x];
    __syncthreads();

    int seg = (n + warps - 1) / warps;
    int lo = min(n, warp * seg), hi = min(n, lo + seg);
    int* h = hist + warp * bins;
    unsigned below = (1u << lane) - 1;             // lanes before this one

    // Pass 1: per-warp histogram; lanes with equal distances add once through their leader.
    for (int base = lo; base < hi; base += 32) {
        int i = base + lane;
        int d = i < hi ? distance(q, db + (long long) i * words, words) : -1;
        unsigned peers = __match_any_sync(FULL, d);
        if (d >= 0 && (peers & below) == 0) h[d] += __popc(peers);
    }
    __syncthreads();

    // Threshold and output positions (one thread; bins * warps steps).
    if (threadIdx.x == 0) {
        int cum = 0, t = 0;
        for (; t < bins; t++) {
            int c = 0;
            for (int w = 0; w < warps; w++) c += hist[w * bins + t];
            if (cum + c >= k) break;
            cum += c;
        }
        thrShared = t;
        int off = 0;
        for (int d = 0; d <= t && d < bins; d++) {
            for (int w = 0; w < warps; w++) {
                int c = hist[w * bins + d];
                hist[w * bins + d] = off;
                off += c;
            }
        }
    }
    __syncthreads();
    int thr = thrShared;

    // Pass 2: write codes at distance <= thr to their positions, in index order within each distance.
    int* outI = outIdx + query * k;
    int* outD = outDist + query * k;
    for (int base = lo; base < hi; base += 32) {
        int i = base + lane;
        int d = i < hi ? distance(q, db + (long long) i * words, words) : -1;
        bool keep = d >= 0 && d <= thr;
        if (__ballot_sync(FULL, keep) == 0) continue;
        unsigned peers = __match_any_sync(FULL, keep ? d : -1);
        if (keep) {
            int pos = h[d] + __popc(peers & below);
            if (pos < k) {
                outI[pos] = i;
                outD[pos] = d;
            }
        }
        __syncwarp();
        if (keep && (peers & below) == 0) h[d] += __popc(peers);
        __syncwarp();
    }
}
