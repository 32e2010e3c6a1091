// gemm.h: general matrix multiply, the one hot loop of the whole project.
//
//   C = alpha * op(A) @ op(B) + beta * C        op(X) = X or X^T
//
//   op(A) is (M, K), op(B) is (K, N), C is (M, N). All matrices are row-major with a leading dimension (the distance
//   in floats between the starts of two rows): A is stored (M, lda) when not transposed, (K, lda) when transposed.
//
// Dense layers call it once per batch; Conv2D calls it on im2col'd patches. beta = 0 overwrites C (C may then hold
// garbage, even NaN); beta = 1 accumulates, which is how backward passes add to gradients.
//
// Threads: gemm() uses all OpenMP threads when called from serial code and runs on one thread when called from
// inside a parallel region (a convolution that already splits its batch across threads). Products under about
// 2 MFLOP stay on the calling thread: waking the others would cost more than it saves.
#ifndef GEMM_H
#define GEMM_H

#include <stdbool.h>

void gemm(bool trans_a, bool trans_b, int M, int N, int K,
          float alpha, const float *A, int lda, const float *B, int ldb,
          float beta, float *C, int ldc);

// The textbook triple loop, same contract as gemm(). Slow; the reference the tests compare gemm() against.
void gemm_naive(bool trans_a, bool trans_b, int M, int N, int K,
                float alpha, const float *A, int lda, const float *B, int ldb,
                float beta, float *C, int ldc);

#endif
