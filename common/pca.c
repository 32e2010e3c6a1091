// pca.c: covariance by GEMM, then subspace iteration with Rayleigh-Ritz (the plan is in pca.h).
//
// Why form C at all? The alternative never builds the D x D matrix and iterates Q <- orth((Xc Q^T)^T Xc), which
// costs 2 N D B multiply-adds per step instead of D^2 B. For Fashion-MNIST (N = 60,000, D = 784, B = 96) one such
// step costs as much as 1/4 of forming C, and the iteration needs tens of steps; forming C once is far cheaper.
// (For D much larger than N the trade flips; this project's data are images of at most a few thousand pixels.)
#include "pca.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "tensor.h"

#define PCA_CHUNK_ROWS 2048     // rows of X centred and multiplied at a time (8 MB of floats for D = 784)
#define PCA_OVERSAMPLE 16       // extra iteration vectors beyond K (at least this many, or K/2 if larger)
#define PCA_MAX_ITERS 500
#define PCA_RITZ_EVERY 5        // a Rayleigh-Ritz step (and convergence check) every this many iterations
#define PCA_TOL 1e-5            // converged when every |C w_i - lambda_i w_i| <= PCA_TOL * lambda_1

// ---- the small dense eigenproblem ---------------------------------------------------------------------------------

// Eigen-decomposition of the symmetric (n, n) matrix a by cyclic Jacobi rotations (a is destroyed). On return
// w (n) holds the eigenvalues in decreasing order and column i of v (n, n) the unit eigenvector of w[i].
//
// Each rotation J in the (p, q) plane is chosen so that (J^T A J)[p][q] = 0; a sweep visits every pair once, and
// the off-diagonal mass shrinks quadratically once it is small. Slow for big n (n^3 per sweep), simple and accurate
// for the B x B problems here.
static void jacobi_eigen(double *a, double *v, double *w, int n) {
    for (int i = 0; i < n * n; i++) v[i] = 0.0;
    for (int i = 0; i < n; i++) v[i * n + i] = 1.0;
    for (int sweep = 0; sweep < 60; sweep++) {
        double off = 0.0, diag = 0.0;
        for (int i = 0; i < n; i++) {
            diag += a[i * n + i] * a[i * n + i];
            for (int j = i + 1; j < n; j++) off += a[i * n + j] * a[i * n + j];
        }
        if (off <= 1e-30 * diag || off == 0.0) break;
        for (int p = 0; p < n; p++)
            for (int q = p + 1; q < n; q++) {
                double apq = a[p * n + q];
                if (apq == 0.0) continue;
                // tan of the rotation angle, the smaller root of t^2 + 2 theta t - 1 = 0 (Numerical Recipes 11.1)
                double theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                double t = (theta >= 0.0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1.0));
                double c = 1.0 / sqrt(t * t + 1.0), s = t * c;
                for (int k = 0; k < n; k++) {            // A <- A J   (columns p and q)
                    double akp = a[k * n + p], akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for (int k = 0; k < n; k++) {            // A <- J^T A (rows p and q)
                    double apk = a[p * n + k], aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for (int k = 0; k < n; k++) {            // V <- V J: the product of all rotations
                    double vkp = v[k * n + p], vkq = v[k * n + q];
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
    }
    for (int i = 0; i < n; i++) w[i] = a[i * n + i];
    // Selection sort, largest first, moving eigenvector columns along with their eigenvalues.
    for (int i = 0; i < n; i++) {
        int best = i;
        for (int j = i + 1; j < n; j++)
            if (w[j] > w[best]) best = j;
        if (best == i) continue;
        double tmp = w[i]; w[i] = w[best]; w[best] = tmp;
        for (int k = 0; k < n; k++) {
            tmp = v[k * n + i]; v[k * n + i] = v[k * n + best]; v[k * n + best] = tmp;
        }
    }
}

// ---- the iteration ------------------------------------------------------------------------------------------------

// Make the b rows of q (b, D) orthonormal, in order: modified Gram-Schmidt, each row projected out twice ("twice
// is enough", Kahan) so that rows stay orthogonal to float precision even when q is badly conditioned. A row that
// lies in the span of the rows before it (rank-deficient data) is replaced by a random one and tried again.
static void orthonormalize_rows(float *q, int b, int d, double *row, Rng *rng) {
    for (int i = 0; i < b; i++) {
        for (int attempt = 0;; attempt++) {
            double before = 0.0, after = 0.0;
            for (int j = 0; j < d; j++) { row[j] = q[(size_t)i * d + j]; before += row[j] * row[j]; }
            for (int pass = 0; pass < 2; pass++)
                for (int prev = 0; prev < i; prev++) {
                    const float *u = q + (size_t)prev * d;
                    double dot = 0.0;
                    for (int j = 0; j < d; j++) dot += row[j] * u[j];
                    for (int j = 0; j < d; j++) row[j] -= dot * u[j];
                }
            for (int j = 0; j < d; j++) after += row[j] * row[j];
            if (after > 1e-12 * before && after > 0.0) {
                double scale = 1.0 / sqrt(after);
                for (int j = 0; j < d; j++) q[(size_t)i * d + j] = (float)(row[j] * scale);
                break;
            }
            assert(attempt < 20 && "cannot extend the basis: is D < the number of iteration vectors?");
            for (int j = 0; j < d; j++) q[(size_t)i * d + j] = rng_normal(rng);
        }
    }
}

// Rayleigh-Ritz: given orthonormal rows q (b, D) and z = q C, rotate both by the eigenvectors V of the small matrix
// H = q C q^T (b, b), so that the rows of q become the best approximations of eigenvectors of C within span(q)
// (and z = q C still holds). theta (b) gets H's eigenvalues, largest first. tmp is (b, D) scratch.
static void rayleigh_ritz(float *q, float *z, double *theta, int b, int d, float *tmp, float *hf, double *h,
                          double *v) {
    gemm(false, true, b, b, d, 1.0f, z, d, q, d, 0.0f, hf, b);                 // H = z q^T  (b, b)
    for (int i = 0; i < b; i++)
        for (int j = 0; j < b; j++) h[i * b + j] = 0.5 * ((double)hf[i * b + j] + hf[j * b + i]);
    jacobi_eigen(h, v, theta, b);
    for (int i = 0; i < b * b; i++) hf[i] = (float)v[i];
    gemm(true, false, b, d, b, 1.0f, hf, b, q, d, 0.0f, tmp, d);               // q <- V^T q
    memcpy(q, tmp, (size_t)b * d * sizeof(float));
    gemm(true, false, b, d, b, 1.0f, hf, b, z, d, 0.0f, tmp, d);               // z <- V^T z
    memcpy(z, tmp, (size_t)b * d * sizeof(float));
}

void pca_fit(Pca *p, const float *x, int n, int d, int k, Rng *rng) {
    assert(n >= 2 && d >= 1 && k >= 1 && k <= d);
    p->d = d;
    p->k = k;

    // ---- 1. mean and covariance ----
    // The mean in double: 60,000 float additions would lose digits. C = Xc^T Xc / (N - 1), one GEMM per block of
    // rows; each block's float product is added into a double accumulator, so rounding does not grow with N.
    double *mean = xcalloc((size_t)d, sizeof(double));
    for (int i = 0; i < n; i++)
        for (int j = 0; j < d; j++) mean[j] += x[(size_t)i * d + j];
    p->mean = xmalloc((size_t)d * sizeof(float));
    for (int j = 0; j < d; j++) p->mean[j] = (float)(mean[j] /= n);

    double *cov_sum = xcalloc((size_t)d * d, sizeof(double));
    float *cov = xmalloc((size_t)d * d * sizeof(float));                       // (D, D)
    int chunk_rows = n < PCA_CHUNK_ROWS ? n : PCA_CHUNK_ROWS;
    float *chunk = xmalloc((size_t)chunk_rows * d * sizeof(float));            // (rows, D) centred
    for (int first = 0; first < n; first += chunk_rows) {
        int rows = n - first < chunk_rows ? n - first : chunk_rows;
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < d; j++)
                chunk[(size_t)i * d + j] = (float)(x[(size_t)(first + i) * d + j] - mean[j]);
        gemm(true, false, d, d, rows, 1.0f, chunk, d, chunk, d, 0.0f, cov, d);  // chunk^T chunk  (D, D)
        for (size_t i = 0; i < (size_t)d * d; i++) cov_sum[i] += cov[i];
    }
    p->total_variance = 0.0;
    for (size_t i = 0; i < (size_t)d * d; i++) cov[i] = (float)(cov_sum[i] / (n - 1));
    for (int j = 0; j < d; j++) p->total_variance += cov_sum[(size_t)j * d + j] / (n - 1);
    free(chunk);
    free(cov_sum);
    free(mean);

    // ---- 2. subspace iteration:  Q <- orth(Q C), Rayleigh-Ritz every few steps ----
    int oversample = k / 2 > PCA_OVERSAMPLE ? k / 2 : PCA_OVERSAMPLE;
    int b = k + oversample < d ? k + oversample : d;                           // B iteration vectors
    float *q = xmalloc((size_t)b * d * sizeof(float));                         // (B, D) orthonormal rows
    float *z = xmalloc((size_t)b * d * sizeof(float));                         // (B, D) = Q C
    float *tmp = xmalloc((size_t)b * d * sizeof(float));
    float *hf = xmalloc((size_t)b * b * sizeof(float));
    double *h = xmalloc((size_t)b * b * sizeof(double));
    double *v = xmalloc((size_t)b * b * sizeof(double));
    double *theta = xmalloc((size_t)b * sizeof(double));
    double *row = xmalloc((size_t)d * sizeof(double));

    for (size_t i = 0; i < (size_t)b * d; i++) q[i] = rng_normal(rng);
    orthonormalize_rows(q, b, d, row, rng);
    int it;
    double residual = INFINITY;
    for (it = 1;; it++) {
        gemm(false, false, b, d, d, 1.0f, q, d, cov, d, 0.0f, z, d);           // Z = Q C  (B, D)
        if (it % PCA_RITZ_EVERY == 0 || it == PCA_MAX_ITERS) {
            rayleigh_ritz(q, z, theta, b, d, tmp, hf, h, v);
            // Residual of each wanted Ritz pair: |C w_i - theta_i w_i| = |z_i - theta_i q_i| (z = Q C already).
            residual = 0.0;
            for (int i = 0; i < k; i++) {
                double r2 = 0.0;
                for (int j = 0; j < d; j++) {
                    double e = z[(size_t)i * d + j] - theta[i] * q[(size_t)i * d + j];
                    r2 += e * e;
                }
                residual = fmax(residual, sqrt(r2));
            }
            residual = theta[0] > 0.0 ? residual / theta[0] : 0.0;
            if (residual <= PCA_TOL || it == PCA_MAX_ITERS) break;
        }
        memcpy(q, z, (size_t)b * d * sizeof(float));
        orthonormalize_rows(q, b, d, row, rng);
    }
    p->iterations = it;
    p->residual = residual;

    // ---- 3. the first K Ritz vectors are the components ----
    p->components = xmalloc((size_t)k * d * sizeof(float));
    p->explained_variance = xmalloc((size_t)k * sizeof(float));
    p->explained_variance_ratio = xmalloc((size_t)k * sizeof(float));
    for (int i = 0; i < k; i++) {
        float *w = p->components + (size_t)i * d;
        memcpy(w, q + (size_t)i * d, (size_t)d * sizeof(float));
        int big = 0;                                 // sign rule: the largest-magnitude entry is positive
        for (int j = 1; j < d; j++)
            if (fabsf(w[j]) > fabsf(w[big])) big = j;
        if (w[big] < 0.0f)
            for (int j = 0; j < d; j++) w[j] = -w[j];
        double lambda = theta[i] > 0.0 ? theta[i] : 0.0;                      // rounding can give -1e-9
        p->explained_variance[i] = (float)lambda;
        p->explained_variance_ratio[i] = p->total_variance > 0.0 ? (float)(lambda / p->total_variance) : 0.0f;
    }
    free(row); free(theta); free(v); free(h); free(hf); free(tmp); free(z); free(q); free(cov);
}

void pca_transform(const Pca *p, float *codes, const float *x, int n) {
    // codes = (x - mu) W^T = x W^T - mu W^T: one GEMM on x as it is, then subtract the mean's code from each row.
    int d = p->d, k = p->k;
    float *mean_code = xmalloc((size_t)k * sizeof(float));
    gemm(false, true, 1, k, d, 1.0f, p->mean, d, p->components, d, 0.0f, mean_code, k);   // mu W^T  (1, K)
    gemm(false, true, n, k, d, 1.0f, x, d, p->components, d, 0.0f, codes, k);             // x W^T   (N, K)
    for (int i = 0; i < n; i++)
        for (int c = 0; c < k; c++) codes[(size_t)i * k + c] -= mean_code[c];
    free(mean_code);
}

void pca_inverse_transform(const Pca *p, float *x_hat, const float *codes, int n) {
    int d = p->d, k = p->k;
    gemm(false, false, n, d, k, 1.0f, codes, k, p->components, d, 0.0f, x_hat, d);       // z W  (N, D)
    for (int i = 0; i < n; i++)
        for (int j = 0; j < d; j++) x_hat[(size_t)i * d + j] += p->mean[j];
}

void pca_free(Pca *p) {
    free(p->mean); free(p->components); free(p->explained_variance); free(p->explained_variance_ratio);
    p->mean = p->components = p->explained_variance = p->explained_variance_ratio = NULL;
    p->d = p->k = 0;
}
