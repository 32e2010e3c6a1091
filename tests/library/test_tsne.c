// test_tsne.c: t-SNE keeps clusters apart, is reproducible, and its two gradients agree with each other and with
// finite differences of the KL divergence.
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "check_main.h"
#include "tsne.h"

// x (n, d): `clusters` Gaussian blobs (unit variance) around centres drawn with spread `spread`; labels (n).
static float *make_clusters(int *labels, int n, int d, int clusters, float spread, Rng *rng) {
    float *centres = malloc((size_t)clusters * d * sizeof(float));
    for (int i = 0; i < clusters * d; i++) centres[i] = spread * rng_normal(rng);
    float *x = malloc((size_t)n * d * sizeof(float));
    for (int i = 0; i < n; i++) {
        labels[i] = i % clusters;
        for (int j = 0; j < d; j++) x[i * d + j] = centres[labels[i] * d + j] + rng_normal(rng);
    }
    free(centres);
    return x;
}

// Over every point's k nearest neighbours in the map y (n, 2): the fraction that carry the point's own label.
static double knn_accuracy(const float *y, const int *labels, int n, int k) {
    int same = 0;
    double *best = malloc((size_t)k * sizeof(double));
    int *best_j = malloc((size_t)k * sizeof(int));
    for (int i = 0; i < n; i++) {
        for (int m = 0; m < k; m++) { best[m] = INFINITY; best_j[m] = -1; }
        for (int j = 0; j < n; j++) {
            if (j == i) continue;
            double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1], dd = dx * dx + dy * dy;
            int m = k - 1;
            if (dd >= best[m]) continue;
            while (m > 0 && best[m - 1] > dd) { best[m] = best[m - 1]; best_j[m] = best_j[m - 1]; m--; }
            best[m] = dd;
            best_j[m] = j;
        }
        for (int m = 0; m < k; m++) same += labels[best_j[m]] == labels[i];
    }
    free(best);
    free(best_j);
    return (double)same / ((double)n * k);
}

// Three well separated clusters in 20-d: in the map, a point's 10 nearest neighbours come from its own cluster.
START_TEST(test_three_clusters_stay_apart) {
    enum { N = 240, D = 20 };
    Rng rng;
    rng_seed(&rng, 1);
    int labels[N];
    float *x = make_clusters(labels, N, D, 3, 4.0f, &rng);    // centres ~ 4 sqrt(2 D) = 25 apart, blobs ~ 6 wide
    float y[2 * N];
    char err[256];
    TsneOptions opt = tsne_defaults();
    opt.perplexity = 20;
    ck_assert_msg(tsne_run(y, x, N, D, &opt, &rng, err, sizeof err) == 0, "%s", err);
    double acc = knn_accuracy(y, labels, N, 10);
    ck_assert_msg(acc > 0.95, "10-NN accuracy in the map %.3f", acc);
    for (int i = 0; i < 2 * N; i++) ck_assert(isfinite(y[i]));
    free(x);
}
END_TEST

// The same seed gives the same map, bit for bit, and so does a different number of threads.
START_TEST(test_fixed_seed_is_reproducible) {
    enum { N = 200, D = 10 };
    Rng rng;
    rng_seed(&rng, 2);
    int labels[N];
    float *x = make_clusters(labels, N, D, 4, 3.0f, &rng);
    float y1[2 * N], y2[2 * N];
    TsneOptions opt = tsne_defaults();
    opt.perplexity = 15;
    opt.iterations = 300;
    for (int run = 0; run < 2; run++) {
#ifdef _OPENMP
        omp_set_num_threads(run == 0 ? 1 : 2);
#endif
        rng_seed(&rng, 99);
        opt.init = TSNE_INIT_RANDOM;
        ck_assert_int_eq(tsne_run(run == 0 ? y1 : y2, x, N, D, &opt, &rng, NULL, 0), 0);
    }
    ck_assert_msg(memcmp(y1, y2, sizeof y1) == 0, "two runs with seed 99 differ");
    free(x);
}
END_TEST

// P is symmetric, sums to 1, has no diagonal, and its rows are sorted by column.
START_TEST(test_affinities_are_a_joint_distribution) {
    enum { N = 120, D = 5 };
    Rng rng;
    rng_seed(&rng, 3);
    int labels[N];
    float *x = make_clusters(labels, N, D, 2, 2.0f, &rng);
    TsneAffinities p;
    ck_assert_int_eq(tsne_affinities(&p, x, N, D, 10.0, NULL, 0), 0);
    double sum = 0.0;
    for (int i = 0; i < N; i++) {
        // every point has at least its floor(3 * 10 + 1) = 31 neighbours
        ck_assert_int_ge(p.row_start[i + 1] - p.row_start[i], 31);
        for (int e = p.row_start[i]; e < p.row_start[i + 1]; e++) {
            int j = p.col[e];
            ck_assert_int_ne(j, i);
            if (e > p.row_start[i]) ck_assert_int_gt(j, p.col[e - 1]);
            ck_assert_float_gt(p.val[e], 0.0f);
            sum += p.val[e];
            float back = -1.0f;                               // p_ji, found in row j
            for (int f = p.row_start[j]; f < p.row_start[j + 1]; f++)
                if (p.col[f] == i) back = p.val[f];
            ck_assert_float_eq(back, p.val[e]);
        }
    }
    ck_assert_double_eq_tol(sum, 1.0, 1e-5);
    tsne_affinities_free(&p);
    tsne_affinities_free(&p);                                 // safe twice
    free(x);
}
END_TEST

// KL of the current map, for the finite differences below.
static double kl_at(const float *y, const TsneAffinities *p, float *scratch) {
    double kl;
    tsne_gradient(scratch, y, p, 1.0, 0.0, &kl);
    return kl;
}

// The exact gradient is the derivative of the KL divergence it reports: central differences agree.
START_TEST(test_exact_gradient_matches_finite_differences) {
    enum { N = 40, D = 6 };
    Rng rng;
    rng_seed(&rng, 4);
    int labels[N];
    float *x = make_clusters(labels, N, D, 2, 2.0f, &rng);
    TsneAffinities p;
    ck_assert_int_eq(tsne_affinities(&p, x, N, D, 5.0, NULL, 0), 0);
    float y[2 * N], grad[2 * N], scratch[2 * N];
    for (int c = 0; c < 2 * N; c++) y[c] = 2.0f * rng_normal(&rng);
    tsne_gradient(grad, y, &p, 1.0, 0.0, NULL);
    const float eps = 1e-2f;
    for (int c = 0; c < 2 * N; c++) {
        float saved = y[c];
        y[c] = saved + eps;
        double plus = kl_at(y, &p, scratch);
        y[c] = saved - eps;
        double minus = kl_at(y, &p, scratch);
        y[c] = saved;
        double step = (double)(saved + eps) - (double)(saved - eps);
        double numeric = (plus - minus) / step;
        ck_assert_msg(fabs(numeric - grad[c]) <= 1e-4 + 1e-2 * fabs(numeric), "dKL/dy[%d]: analytic %g numeric %g",
                      c, grad[c], numeric);
    }
    tsne_affinities_free(&p);
    free(x);
}
END_TEST

// ||a - b|| / ||b|| over n floats.
static double relative_error(const float *a, const float *b, int n) {
    double diff = 0.0, norm = 0.0;
    for (int i = 0; i < n; i++) {
        diff += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
        norm += (double)b[i] * b[i];
    }
    return sqrt(diff / norm);
}

// Barnes-Hut approximates the exact gradient; the error shrinks with theta.
START_TEST(test_barnes_hut_matches_exact_gradient) {
    enum { N = 400, D = 8 };
    Rng rng;
    rng_seed(&rng, 5);
    int labels[N];
    float *x = make_clusters(labels, N, D, 5, 3.0f, &rng);
    TsneAffinities p;
    ck_assert_int_eq(tsne_affinities(&p, x, N, D, 30.0, NULL, 0), 0);
    // A map like one in mid-optimisation: five blobs of radius ~1 spread over ~20 units.
    float y[2 * N], exact[2 * N], approx[2 * N];
    float cx[5], cy[5];
    for (int c = 0; c < 5; c++) { cx[c] = 8.0f * rng_normal(&rng); cy[c] = 8.0f * rng_normal(&rng); }
    for (int i = 0; i < N; i++) {
        y[2 * i] = cx[labels[i]] + rng_normal(&rng);
        y[2 * i + 1] = cy[labels[i]] + rng_normal(&rng);
    }
    double kl_exact, kl_approx;
    tsne_gradient(exact, y, &p, 1.0, 0.0, &kl_exact);
    tsne_gradient(approx, y, &p, 1.0, 0.5, &kl_approx);
    double err_half = relative_error(approx, exact, 2 * N);
    // Typically 1-2% at theta 0.5 (1.3% here); the KL divergence, a sum over all pairs, is closer still.
    ck_assert_msg(err_half < 0.03, "theta 0.5: gradient off by %.4f", err_half);
    ck_assert_double_eq_tol(kl_approx, kl_exact, 0.01 * kl_exact);
    tsne_gradient(approx, y, &p, 1.0, 0.1, NULL);
    double err_tenth = relative_error(approx, exact, 2 * N);
    ck_assert_msg(err_tenth < 0.2 * err_half && err_tenth < 1e-3, "theta 0.1: gradient off by %.5f (0.5: %.5f)",
                  err_tenth, err_half);
    tsne_affinities_free(&p);
    free(x);
}
END_TEST

typedef struct {
    int calls;
    int last_iteration;
    double first_kl, last_kl;
} Progress;

static void on_progress(int iteration, double kl, const float *y, int n, void *ctx) {
    Progress *pr = ctx;
    if (pr->calls == 0) pr->first_kl = kl;
    pr->calls++;
    pr->last_iteration = iteration;
    pr->last_kl = kl;
    ck_assert(y != NULL && n > 0);
}

// The callback comes every report_every iterations and after the last one; KL goes down.
START_TEST(test_progress_callback) {
    enum { N = 100, D = 4 };
    Rng rng;
    rng_seed(&rng, 6);
    int labels[N];
    float *x = make_clusters(labels, N, D, 2, 3.0f, &rng);
    float y[2 * N];
    Progress pr = {0};
    TsneOptions opt = tsne_defaults();
    opt.perplexity = 10;
    opt.iterations = 450;
    opt.report_every = 100;
    opt.progress = on_progress;
    opt.progress_ctx = &pr;
    ck_assert_int_eq(tsne_run(y, x, N, D, &opt, &rng, NULL, 0), 0);
    ck_assert_int_eq(pr.calls, 5);                            // 100, 200, 300, 400, 450
    ck_assert_int_eq(pr.last_iteration, 450);
    ck_assert_double_lt(pr.last_kl, pr.first_kl);
    free(x);
}
END_TEST

START_TEST(test_bad_options_are_refused) {
    enum { N = 20, D = 3 };
    Rng rng;
    rng_seed(&rng, 7);
    int labels[N];
    float *x = make_clusters(labels, N, D, 2, 3.0f, &rng);
    float y[2 * N];
    for (int i = 0; i < 2 * N; i++) y[i] = 123.0f;
    char err[256] = "";
    TsneOptions opt = tsne_defaults();                        // perplexity 30 with 20 points: too large
    ck_assert_int_eq(tsne_run(y, x, N, D, &opt, &rng, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "perplexity 30") && strstr(err, "20 points"), "message: %s", err);
    opt.perplexity = 5;
    opt.theta = -1;
    ck_assert_int_eq(tsne_run(y, x, N, D, &opt, &rng, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "theta"));
    for (int i = 0; i < 2 * N; i++) ck_assert_float_eq(y[i], 123.0f);   // untouched
    free(x);
}
END_TEST

static Suite *tsne_suite(void) {
    Suite *s = suite_create("tsne");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_three_clusters_stay_apart);
    tcase_add_test(tc, test_fixed_seed_is_reproducible);
    tcase_add_test(tc, test_affinities_are_a_joint_distribution);
    tcase_add_test(tc, test_exact_gradient_matches_finite_differences);
    tcase_add_test(tc, test_barnes_hut_matches_exact_gradient);
    tcase_add_test(tc, test_progress_callback);
    tcase_add_test(tc, test_bad_options_are_refused);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(tsne_suite)
