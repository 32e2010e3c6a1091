// pca.h: principal component analysis, the linear autoencoder every other encoder is compared with.
//
// Letters: N samples, D features (784 pixels), K components (the "bottleneck").
//
//   mean  mu = (1/N) sum_n x_n                                  (D)
//   covariance  C = Xc^T Xc / (N - 1),  Xc = X - mu (each row)   (D, D)
//   components  W = the K eigenvectors of C with the largest eigenvalues, as rows     (K, D), W W^T = I
//   encode      z = W (x - mu)                                  (K)    pca_transform
//   decode      x_hat = W^T z + mu                              (D)    pca_inverse_transform
//
// Among all K-dimensional linear encoders with a linear decoder, this pair has the smallest mean squared
// reconstruction error; a dense autoencoder with no nonlinearity and K hidden units learns the same subspace
// (not the same basis). The eigenvalue lambda_i is the variance of the data along component i ("explained
// variance"); lambda_i / trace(C) is the fraction of all the variance it explains.
//
// How the components are found (pca.c says more):
//   1. C is formed once with GEMM, in blocks of rows: for Fashion-MNIST (60,000 x 784) that is N D^2 = 37 G
//      multiply-adds, the bulk of the work.
//   2. Subspace (block power) iteration on C with B = K + oversampling vectors:  Q <- orth(Q C), rows orthonormal.
//      Each step multiplies the part of Q along eigenvector i by lambda_i, so the top eigenvectors take over; the
//      component K converges like (lambda_{B+1} / lambda_K)^iterations, which is why B is larger than K.
//   3. Every few steps a Rayleigh-Ritz step (the small B x B eigenproblem Q C Q^T, solved by Jacobi rotations)
//      rotates Q onto the best approximations of the eigenvectors, and the residuals |C w - lambda w| tell when
//      they have converged.
// The sign of an eigenvector is arbitrary; we make each component's largest-magnitude entry positive, so that a
// run is reproducible (scikit-learn fixes signs with a similar rule, so signs may differ from it).
//
// Ownership: a Pca owns mean, components and the variance arrays. pca_fit allocates them; pca_free releases them.
#ifndef PCA_H
#define PCA_H

#include "rng.h"

typedef struct {
    int d, k;                           // D features, K components
    float *mean;                        // (D)
    float *components;                  // (K, D) orthonormal rows, by decreasing variance
    float *explained_variance;          // (K) eigenvalues of C: variance along each component
    float *explained_variance_ratio;    // (K) explained_variance / total_variance
    double total_variance;              // trace(C): the variance of the data, summed over the D features
    int iterations;                     // subspace iterations pca_fit needed
    double residual;                    // max_i |C w_i - lambda_i w_i| / lambda_1 at the end (small: converged)
} Pca;

// Fit p to x (N, D): the mean and the top k principal directions (1 <= k <= D, N >= 2). The starting subspace is
// drawn from rng. Allocates p's arrays (free with pca_free). With N - 1 < k the data span fewer than k directions:
// the extra components are orthonormal but have variance 0.
void pca_fit(Pca *p, const float *x, int n, int d, int k, Rng *rng);

// codes (N, K) = (x - mean) W^T for the N rows of x (N, D).
void pca_transform(const Pca *p, float *codes, const float *x, int n);

// x_hat (N, D) = codes W + mean: the reconstruction of N codes (N, K).
void pca_inverse_transform(const Pca *p, float *x_hat, const float *codes, int n);

// Release p's arrays (safe to call twice).
void pca_free(Pca *p);

#endif
