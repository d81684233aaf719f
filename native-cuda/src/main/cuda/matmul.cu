// Tiled single-precision matrix products, BLAS conventions on row-major storage:
//   C (M,N) = alpha * op(A) (M,K) @ op(B) (K,N) + beta * C
// op(A) is A stored (M,K) with leading dimension lda, or with transA the matrix stored (K,M) and read
// transposed (A^T.B, no copy); likewise transB (A.B^T). beta == 0 overwrites C (NaN in C is dropped).
// Batched: blockIdx.z selects matrix b, which starts at A + b*strideA (and so on); a stride of 0 reuses
// one matrix for every b. The plain product is the batch of one.
//
// How it works: each block of 16x16 threads computes a 64x64 tile of C. It walks K in steps of 16:
// the 64x16 slice of op(A) and the 16x64 slice of op(B) are copied into shared memory (each thread
// copies 4 + 4 values, transposition resolved while copying), then every thread multiplies its 4x4
// sub-tile out of shared memory (16 multiply-adds per value loaded from shared memory into registers).

#define TILE_M 64
#define TILE_N 64
#define TILE_K 16

// Element (r, c) of op(X): X stored row-major with leading dimension ld, read transposed when t.
__device__ __forceinline__ float op_at(const float* X, int ld, bool t, int r, int c) {
    return t ? X[(long long) c * ld + r] : X[(long long) r * ld + c];
}

extern "C" __global__ void sgemm_tiled(int transA, int transB, int M, int N, int K, float alpha,
                                       const float* A, int lda, long long strideA,
                                       const float* B, int ldb, long long strideB,
                                       float beta, float* C, int ldc, long long strideC) {
    __shared__ float As[TILE_K][TILE_M + 1];   // As[k][m] = op(A)[row0 + m][k0 + k]; +1 avoids bank conflicts
    __shared__ float Bs[TILE_K][TILE_N + 1];   // Bs[k][n] = op(B)[k0 + k][col0 + n]
    A += blockIdx.z * strideA;
    B += blockIdx.z * strideB;
    C += blockIdx.z * strideC;
    int tx = threadIdx.x, ty = threadIdx.y;    // 16 x 16 threads
    int tid = ty * 16 + tx;
    int row0 = blockIdx.y * TILE_M, col0 = blockIdx.x * TILE_N;
    float acc[4][4] = {};
    for (int k0 = 0; k0 < K; k0 += TILE_K) {
        // 256 threads copy 64x16 values of each operand: 4 per thread.
        for (int l = 0; l < 4; l++) {
            int e = tid + l * 256;
            int m = e / TILE_K, k = e % TILE_K;  // A slice: 64 rows x 16 columns
            int r = row0 + m, c = k0 + k;
            As[k][m] = (r < M && c < K) ? op_at(A, lda, transA, r, c) : 0.f;
            int kk = e / TILE_N, n = e % TILE_N; // B slice: 16 rows x 64 columns
            int rb = k0 + kk, cb = col0 + n;
            Bs[kk][n] = (rb < K && cb < N) ? op_at(B, ldb, transB, rb, cb) : 0.f;
        }
        __syncthreads();
        for (int k = 0; k < TILE_K; k++) {
            float a[4], b[4];
            for (int i = 0; i < 4; i++) a[i] = As[k][ty + 16 * i];
            for (int j = 0; j < 4; j++) b[j] = Bs[k][tx + 16 * j];
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++) acc[i][j] += a[i] * b[j];
        }
        __syncthreads();
    }
    // Thread (tx, ty) owns rows ty, ty+16, ty+32, ty+48 and columns tx, tx+16, ... of the tile, so
    // neighbouring threads write neighbouring columns (coalesced stores).
    for (int i = 0; i < 4; i++) {
        int r = row0 + ty + 16 * i;
        if (r >= M) continue;
        for (int j = 0; j < 4; j++) {
            int c = col0 + tx + 16 * j;
            if (c >= N) continue;
            float* out = C + (long long) r * ldc + c;
            *out = beta == 0.f ? alpha * acc[i][j] : alpha * acc[i][j] + beta * *out;
        }
    }
}
