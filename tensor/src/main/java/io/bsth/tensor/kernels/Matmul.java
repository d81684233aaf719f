package io.bsth.tensor.kernels;

/**
 * Single-precision GEMM on row-major storage, BLAS conventions:
 * {@code C (M,N) = alpha * op(A) (M,K) @ op(B) (K,N) + beta * C}.
 *
 * <p>{@code op(A)} is A stored (M,K) with leading dimension lda, or, when {@code transA}, A stored
 * (K,M) read transposed (no copy); likewise for B. {@code beta == 0} overwrites C (NaN in C is not
 * propagated), as BLAS does.
 */
public final class Matmul {
    private Matmul() {}

    /** A (M,K)|(K,M), B (K,N)|(N,K), C (M,N). */
    public static void sgemm(boolean transA, boolean transB, int M, int N, int K, float alpha,
                             float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                             float beta, float[] C, int cOff, int ldc) {
        sgemmScalar(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
    }

    /**
     * {@code batch} independent GEMMs; matrix b of each operand starts at {@code off + b * stride}.
     * A (batch,M,K), B (batch,K,N), C (batch,M,N) in the same conventions as {@link #sgemm}.
     */
    public static void sgemmBatched(int batch, boolean transA, boolean transB, int M, int N, int K, float alpha,
                                    float[] A, int aOff, int lda, long strideA,
                                    float[] B, int bOff, int ldb, long strideB,
                                    float beta, float[] C, int cOff, int ldc, long strideC) {
        for (int b = 0; b < batch; b++) {
            sgemmScalar(transA, transB, M, N, K, alpha, A, (int) (aOff + b * strideA), lda,
                    B, (int) (bOff + b * strideB), ldb, beta, C, (int) (cOff + b * strideC), ldc);
        }
    }

    /** The scalar reference: a plain triple loop, float accumulation in k order. */
    public static void sgemmScalar(boolean transA, boolean transB, int M, int N, int K, float alpha,
                                   float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                                   float beta, float[] C, int cOff, int ldc) {
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                float acc = 0f;
                for (int k = 0; k < K; k++) {
                    float a = transA ? A[aOff + k * lda + i] : A[aOff + i * lda + k];
                    float b = transB ? B[bOff + j * ldb + k] : B[bOff + k * ldb + j];
                    acc += a * b;
                }
                int c = cOff + i * ldc + j;
                C[c] = beta == 0f ? alpha * acc : alpha * acc + beta * C[c];
            }
        }
    }
}
