// test_pca.c: PCA on data whose principal axes we chose ourselves.
//
// The synthetic data: x = mu + sum_i s_i g_i r_i, with g_i ~ N(0, 1) and r_i the rows of a random orthogonal
// matrix R (D, D). The principal axes are then the r_i, with variances s_i^2, in the order of decreasing s_i.
// D = 48 is larger than K + 16 iteration vectors for K < 32, so the subspace iteration really iterates.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "metrics.h"
#include "pca.h"

#define D 48
#define N 20000

// s_i, decreasing: eight well separated axes, then a tail decaying by 5% per axis.
static double STD[D];
static const double HEAD[8] = {8.0, 6.0, 4.0, 3.0, 2.0, 1.5, 1.0, 0.5};
static void set_std(void) {
    for (int i = 0; i < D; i++) STD[i] = i < 8 ? HEAD[i] : 0.4 * pow(0.95, i - 8);
}

// A random orthogonal (d, d) matrix: Gram-Schmidt on Gaussian rows, in double.
static void random_orthogonal(double *r, int d, Rng *rng) {
    for (int i = 0; i < d; i++) {
        double *ri = r + i * d;
        for (int j = 0; j < d; j++) ri[j] = rng_normal(rng);
        for (int pass = 0; pass < 2; pass++)
            for (int p = 0; p < i; p++) {
                double dot = 0.0;
                for (int j = 0; j < d; j++) dot += ri[j] * r[p * d + j];
                for (int j = 0; j < d; j++) ri[j] -= dot * r[p * d + j];
            }
        double norm = 0.0;
        for (int j = 0; j < d; j++) norm += ri[j] * ri[j];
        for (int j = 0; j < d; j++) ri[j] /= sqrt(norm);
    }
}

// x (n, D) drawn as described at the top; r (D, D) gets the axes, mu (D) the mean.
static float *make_data(double *r, double *mu, int n, Rng *rng) {
    set_std();
    random_orthogonal(r, D, rng);
    for (int j = 0; j < D; j++) mu[j] = rng_range(rng, -3.0f, 3.0f);
    float *x = malloc((size_t)n * D * sizeof(float));
    for (int s = 0; s < n; s++) {
        double g[D];
        for (int i = 0; i < D; i++) g[i] = STD[i] * rng_normal(rng);
        for (int j = 0; j < D; j++) {
            double v = mu[j];
            for (int i = 0; i < D; i++) v += g[i] * r[i * D + j];
            x[s * D + j] = (float)v;
        }
    }
    return x;
}

START_TEST(test_recovers_known_axes) {
    Rng rng;
    rng_seed(&rng, 7);
    double r[D * D], mu[D];
    float *x = make_data(r, mu, N, &rng);
    Pca p;
    pca_fit(&p, x, N, D, 4, &rng);
    ck_assert_int_eq(p.k, 4);
    ck_assert_msg(p.residual < 1e-4, "did not converge: residual %g after %d iterations", p.residual, p.iterations);
    for (int j = 0; j < D; j++) ck_assert_double_eq_tol(p.mean[j], mu[j], 0.1);
    // With N = 20,000 the sample axes differ from the true ones by about sqrt(s_i^2 s_j^2 / N) / (s_i^2 - s_j^2)
    // radians, under 0.02 here: we ask |cos(angle)| >= 0.999 (2.6 degrees), whatever the sign.
    for (int i = 0; i < 4; i++) {
        double dot = 0.0;
        for (int j = 0; j < D; j++) dot += p.components[i * D + j] * r[i * D + j];
        ck_assert_msg(fabs(dot) >= 0.999, "component %d: |cos| = %.5f with the true axis", i, fabs(dot));
        // Variance along the axis: s_i^2 within 5% (its sampling error is about sqrt(2/N) = 1%).
        ck_assert_msg(fabs(p.explained_variance[i] / (STD[i] * STD[i]) - 1.0) < 0.05, "variance %d: %g vs %g", i,
                      p.explained_variance[i], STD[i] * STD[i]);
    }
    // Total variance is the sum of all s_i^2; the ratios divide by it.
    double total = 0.0;
    for (int i = 0; i < D; i++) total += STD[i] * STD[i];
    ck_assert_double_eq_tol(p.total_variance / total, 1.0, 0.05);
    ck_assert_double_eq_tol(p.explained_variance_ratio[0], p.explained_variance[0] / p.total_variance, 1e-6);
    pca_free(&p);
    pca_free(&p);                                              // safe twice
    free(x);
}
END_TEST

START_TEST(test_components_orthonormal_and_signs_fixed) {
    Rng rng;
    rng_seed(&rng, 8);
    double r[D * D], mu[D];
    float *x = make_data(r, mu, 2000, &rng);
    Pca p;
    pca_fit(&p, x, 2000, D, 6, &rng);
    for (int a = 0; a < 6; a++) {
        for (int b = 0; b < 6; b++) {
            double dot = 0.0;
            for (int j = 0; j < D; j++) dot += (double)p.components[a * D + j] * p.components[b * D + j];
            ck_assert_double_eq_tol(dot, a == b ? 1.0 : 0.0, 1e-5);
        }
        int big = 0;                                           // the largest-magnitude entry is positive
        for (int j = 1; j < D; j++)
            if (fabsf(p.components[a * D + j]) > fabsf(p.components[a * D + big])) big = j;
        ck_assert_float_gt(p.components[a * D + big], 0.0f);
        if (a > 0) ck_assert_float_le(p.explained_variance[a], p.explained_variance[a - 1]);
    }
    // The mean encodes to 0.
    float code[6];
    pca_transform(&p, code, p.mean, 1);
    for (int c = 0; c < 6; c++) ck_assert_float_eq_tol(code[c], 0.0f, 1e-4f);
    pca_free(&p);
    free(x);
}
END_TEST

// With k = D nothing is thrown away: decode(encode(x)) = x up to float rounding.
START_TEST(test_full_rank_reconstruction_is_exact) {
    Rng rng;
    rng_seed(&rng, 9);
    double r[D * D], mu[D];
    const int n = 1000;
    float *x = make_data(r, mu, n, &rng);
    Pca p;
    pca_fit(&p, x, n, D, D, &rng);
    float *codes = malloc((size_t)n * D * sizeof(float)), *x_hat = malloc((size_t)n * D * sizeof(float));
    pca_transform(&p, codes, x, n);
    pca_inverse_transform(&p, x_hat, codes, n);
    float worst = 0.0f;
    for (int i = 0; i < n * D; i++) worst = fmaxf(worst, fabsf(x_hat[i] - x[i]));
    // x is of size ~10; float epsilon is 1.2e-7, and a few dozen roundings separate x_hat from x.
    ck_assert_msg(worst < 1e-4f, "k = D reconstruction error %g", worst);
    double ratio_sum = 0.0;
    for (int i = 0; i < D; i++) ratio_sum += p.explained_variance_ratio[i];
    ck_assert_double_eq_tol(ratio_sum, 1.0, 1e-4);
    pca_free(&p);
    free(codes);
    free(x_hat);
    free(x);
}
END_TEST

// Each extra component lowers the training reconstruction error, by exactly the variance it explains:
//   MSE(k) = (N-1)/N * (sum over i > k of lambda_i) / D.
START_TEST(test_error_decreases_with_k) {
    Rng rng;
    rng_seed(&rng, 10);
    double r[D * D], mu[D];
    const int n = 3000;
    float *x = make_data(r, mu, n, &rng);
    float *codes = malloc((size_t)n * D * sizeof(float)), *x_hat = malloc((size_t)n * D * sizeof(float));
    Pca full;
    pca_fit(&full, x, n, D, D, &rng);
    double previous = INFINITY;
    for (int k = 1; k <= D; k++) {
        Pca p;
        pca_fit(&p, x, n, D, k, &rng);
        pca_transform(&p, codes, x, n);
        pca_inverse_transform(&p, x_hat, codes, n);
        double mse = metrics_mse(x, x_hat, (size_t)n * D);
        ck_assert_msg(mse < previous, "k = %d: MSE %g did not go down from %g", k, mse, previous);
        double rest = 0.0;
        for (int i = k; i < D; i++) rest += full.explained_variance[i];
        double predicted = (double)(n - 1) / n * rest / D;
        ck_assert_msg(fabs(mse - predicted) <= 1e-4 * (1.0 + predicted), "k = %d: MSE %g, eigenvalues say %g", k, mse,
                      predicted);
        previous = mse;
        pca_free(&p);
    }
    pca_free(&full);
    free(codes);
    free(x_hat);
    free(x);
}
END_TEST

// Fewer samples than dimensions: only n - 1 directions have variance; the rest are still orthonormal, variance 0.
START_TEST(test_rank_deficient_data) {
    Rng rng;
    rng_seed(&rng, 11);
    const int n = 4, d = 10, k = 7;
    float x[4 * 10];
    for (int i = 0; i < n * d; i++) x[i] = rng_normal(&rng);
    Pca p;
    pca_fit(&p, x, n, d, k, &rng);
    for (int a = 0; a < k; a++) {
        for (int b = 0; b < k; b++) {
            double dot = 0.0;
            for (int j = 0; j < d; j++) dot += (double)p.components[a * d + j] * p.components[b * d + j];
            ck_assert_double_eq_tol(dot, a == b ? 1.0 : 0.0, 1e-5);
        }
        if (a < n - 1) ck_assert_float_gt(p.explained_variance[a], 1e-3f);
        else ck_assert_float_lt(p.explained_variance[a], 1e-5f);
    }
    // The n points lie in the span of the first n - 1 components: their reconstruction is exact.
    float codes[4 * 7], x_hat[4 * 10];
    pca_transform(&p, codes, x, n);
    pca_inverse_transform(&p, x_hat, codes, n);
    for (int i = 0; i < n * d; i++) ck_assert_float_eq_tol(x_hat[i], x[i], 1e-4f);
    pca_free(&p);
}
END_TEST

static Suite *pca_suite(void) {
    Suite *s = suite_create("pca");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_recovers_known_axes);
    tcase_add_test(tc, test_components_orthonormal_and_signs_fixed);
    tcase_add_test(tc, test_full_rank_reconstruction_is_exact);
    tcase_add_test(tc, test_error_decreases_with_k);
    tcase_add_test(tc, test_rank_deficient_data);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(pca_suite)
