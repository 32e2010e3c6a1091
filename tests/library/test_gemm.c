// test_gemm.c: gemm() against the textbook triple loop gemm_naive(), on every path gemm() can take.
//
// What is covered: sizes 1, 7, 63, 129 for each of M, N, K (edges of the 8 x 16 register tile, a product smaller
// than one tile, and products larger than two), all four transpose combinations, the per-sample shapes of the
// course's convolutions (few rows, shallow K, a transposed B), products that cross the cache-block boundaries (K past
// KC = 256, M past MC = 192, N past NC = 4096), alpha and beta (beta = 0 over NaN garbage, beta = 1, beta = 0.5,
// alpha = 0), leading dimensions wider than the matrices (with NaN in the gap, which must never be read into a
// result, and a sentinel in C's gap, which must never be written), calls from inside an OpenMP parallel region, and
// one thread against all of them.
//
// Tolerance. gemm_naive sums in double and rounds once, so it is exact to float precision. gemm() sums in float, in
// an order that depends on the blocking (K is cut into blocks of KC, dot products are split into lanes, a fused
// multiply-add rounds once where a*b + c rounds twice). Whatever the order, a sum of K float products has an error of
// at most about K * u * sum_k |a_ik b_kj| (u = 2^-24, the unit roundoff: Higham, "Accuracy and Stability of
// Numerical Algorithms", section 3.1), and the scalings by alpha and beta add a rounding or two. So each entry must
// satisfy
//
//   |C - C_ref| <= (K + 4) * FLT_EPSILON * (|alpha| * sum_k |a_ik| |b_kj| + |beta| * |C_before|)
//
// (FLT_EPSILON = 2u: a factor 2 of headroom.) This bound cannot fail by bad luck, yet it is tight enough for its
// purpose: an index mistake (a wrong element, a missed or doubled term, a stale C) is off by the size of a whole
// term, about 1/K of the magnitude sum or more, while the bound is K * 1.2e-7 of it: ~1e-5 relative at K = 129.
// (The typical error is far smaller, ~sqrt(K) * u, because rounding errors cancel; a tolerance built on that would
// be the kind that fails once in a thousand runs.)
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "check_main.h"
#include "gemm.h"
#include "rng.h"
#include "tensor.h"

// C's padding (the columns between N and ldc) holds this, and must still hold it afterwards.
static const float SENTINEL = 12345.0f;

// One product to test: C = alpha op(A) op(B) + beta C, with `pad` extra floats per row in A, B and C.
typedef struct {
    bool trans_a, trans_b;
    int M, N, K;
    float alpha, beta;
    int pad;
} Case;

// Run gemm() and gemm_naive() on random matrices of the case's shape (seeded by `seed`) and compare every entry of
// C against the bound above, and every padding entry of C against the sentinel. Returns the number of bad entries
// (and prints the first few) so that a caller inside a parallel region can add them up.
static int check_case(Case t, uint64_t seed) {
    Rng rng;
    rng_seed(&rng, seed);
    // Stored shapes: A is (M, K), or (K, M) when transposed; B is (K, N), or (N, K); C is (M, N).
    const int a_rows = t.trans_a ? t.K : t.M, a_cols = t.trans_a ? t.M : t.K;
    const int b_rows = t.trans_b ? t.N : t.K, b_cols = t.trans_b ? t.K : t.N;
    const int lda = a_cols + t.pad, ldb = b_cols + t.pad, ldc = t.N + t.pad;
    // (A 0-row matrix still gets one float so that the pointers are valid.)
    float *A = xmalloc(((size_t)a_rows * lda + 1) * sizeof(float));
    float *B = xmalloc(((size_t)b_rows * ldb + 1) * sizeof(float));
    float *C = xmalloc(((size_t)t.M * ldc + 1) * sizeof(float));
    float *C0 = xmalloc(((size_t)t.M * ldc + 1) * sizeof(float));
    float *C_ref = xmalloc(((size_t)t.M * ldc + 1) * sizeof(float));

    for (int r = 0; r < a_rows; r++)
        for (int c = 0; c < lda; c++) A[(size_t)r * lda + c] = c < a_cols ? rng_range(&rng, -1, 1) : NAN;
    for (int r = 0; r < b_rows; r++)
        for (int c = 0; c < ldb; c++) B[(size_t)r * ldb + c] = c < b_cols ? rng_range(&rng, -1, 1) : NAN;
    for (int r = 0; r < t.M; r++)
        for (int c = 0; c < ldc; c++)   // beta = 0: C is garbage, and NaN garbage must not leak into the result
            C0[(size_t)r * ldc + c] = c >= t.N ? SENTINEL : t.beta == 0.0f ? NAN : rng_range(&rng, -1, 1);
    for (size_t i = 0; i < (size_t)t.M * ldc; i++) C[i] = C_ref[i] = C0[i];

    gemm(t.trans_a, t.trans_b, t.M, t.N, t.K, t.alpha, A, lda, B, ldb, t.beta, C, ldc);
    gemm_naive(t.trans_a, t.trans_b, t.M, t.N, t.K, t.alpha, A, lda, B, ldb, t.beta, C_ref, ldc);

    int bad = 0;
    for (int i = 0; i < t.M; i++)
        for (int j = 0; j < ldc; j++) {
            const size_t at = (size_t)i * ldc + j;
            bool ok;
            double err = 0, bound = 0;
            if (j >= t.N) {
                ok = C[at] == SENTINEL;
            } else {
                double magnitude = 0;           // sum_k |a_ik| |b_kj|
                for (int k = 0; k < t.K; k++) {
                    float a = t.trans_a ? A[(size_t)k * lda + i] : A[(size_t)i * lda + k];
                    float b = t.trans_b ? B[(size_t)j * ldb + k] : B[(size_t)k * ldb + j];
                    magnitude += fabs((double)a * b);
                }
                if (t.beta != 0.0f) magnitude = fabs(t.alpha) * magnitude + fabs(t.beta) * fabs(C0[at]);
                else magnitude = fabs(t.alpha) * magnitude;
                err = fabs((double)C[at] - C_ref[at]);
                bound = (t.K + 4) * (double)FLT_EPSILON * magnitude;
                ok = err <= bound;              // false for NaN, as it should be
            }
            if (!ok && bad++ < 3)
                fprintf(stderr, "gemm(%c%c, M=%d N=%d K=%d, alpha=%g beta=%g, pad=%d): C[%d][%d] = %.9g, "
                        "reference %.9g (error %.3g, bound %.3g)%s\n",
                        t.trans_a ? 'T' : 'N', t.trans_b ? 'T' : 'N', t.M, t.N, t.K, t.alpha, t.beta, t.pad, i, j,
                        C[at], C_ref[at], err, bound, j >= t.N ? " (padding overwritten)" : "");
        }
    free(A), free(B), free(C), free(C0), free(C_ref);
    return bad;
}

static const int edge_sizes[] = {1, 7, 63, 129};
enum { EDGE_SIZES = sizeof edge_sizes / sizeof edge_sizes[0] };

// All 4 x 4 x 4 shapes from edge_sizes, for one transpose combination (one test each, so a failure names it).
static void check_edge_shapes(bool trans_a, bool trans_b) {
    int bad = 0;
    for (int m = 0; m < EDGE_SIZES; m++)
        for (int n = 0; n < EDGE_SIZES; n++)
            for (int k = 0; k < EDGE_SIZES; k++) {
                Case t = {trans_a, trans_b, edge_sizes[m], edge_sizes[n], edge_sizes[k], 1.0f, 0.0f, 0};
                bad += check_case(t, 100 + m * 16 + n * 4 + k);
            }
    ck_assert_msg(bad == 0, "%d entries out of tolerance (the first are printed above)", bad);
}

START_TEST(edge_shapes_nn) { check_edge_shapes(false, false); }
END_TEST
START_TEST(edge_shapes_nt) { check_edge_shapes(false, true); }
END_TEST
START_TEST(edge_shapes_tn) { check_edge_shapes(true, false); }
END_TEST
START_TEST(edge_shapes_tt) { check_edge_shapes(true, true); }
END_TEST

// The per-sample GEMMs of the course's convolutions and dense layers, and shapes that cross the block sizes.
START_TEST(mixed_shapes) {
    static const int shapes[][3] = {
        {1, 300, 9},    {300, 1, 9},    {1, 1, 300},    {16, 784, 9},   {4, 49, 72},   {1, 784, 144},
        {1, 144, 784},  {16, 9, 784},   {36, 16, 8},    {8, 36, 16},    {64, 288, 196}, {128, 10, 128},
        {9, 5, 3},      {3, 20, 700},   {200, 40, 300}, {193, 17, 257}, {8, 4100, 5},  {5, 4099, 20},
    };
    int bad = 0;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int tr = 0; tr < 4; tr++) {
            Case t = {tr & 1, tr & 2, shapes[s][0], shapes[s][1], shapes[s][2], 1.0f, 1.0f, 0};
            bad += check_case(t, 1000 + s * 4 + tr);
        }
    ck_assert_msg(bad == 0, "%d entries out of tolerance (the first are printed above)", bad);
}
END_TEST

// alpha and beta on a small product (one thread, blocked path), a few-rows product, and a parallel one.
START_TEST(alpha_beta) {
    static const float alphas[] = {1.0f, -1.5f, 0.0f};
    static const float betas[] = {0.0f, 1.0f, 0.5f};
    static const int shapes[][3] = {{63, 65, 70}, {3, 129, 300}, {5, 70, 9}, {200, 180, 270}};
    int bad = 0;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++)
                for (int tr = 0; tr < 4; tr++) {
                    Case t = {tr & 1, tr & 2, shapes[s][0], shapes[s][1], shapes[s][2], alphas[a], betas[b], 0};
                    bad += check_case(t, 2000 + s * 64 + a * 16 + b * 4 + tr);
                }
    ck_assert_msg(bad == 0, "%d entries out of tolerance (the first are printed above)", bad);
}
END_TEST

// K = 0: nothing to multiply, C = beta C. M = 0 or N = 0: nothing to do (and no access to anything).
START_TEST(empty_products) {
    int bad = 0;
    for (int tr = 0; tr < 4; tr++) {
        bad += check_case((Case){tr & 1, tr & 2, 5, 6, 0, 1.0f, 0.0f, 2}, 3000 + tr);
        bad += check_case((Case){tr & 1, tr & 2, 5, 6, 0, 1.0f, 0.5f, 2}, 3010 + tr);
    }
    float untouched = 7.0f;
    gemm(false, false, 0, 5, 5, 1.0f, NULL, 5, NULL, 5, 0.0f, &untouched, 5);
    gemm(false, false, 5, 0, 5, 1.0f, NULL, 5, NULL, 5, 0.0f, &untouched, 1);
    ck_assert_float_eq(untouched, 7.0f);
    ck_assert_msg(bad == 0, "%d entries out of tolerance (the first are printed above)", bad);
}
END_TEST

// Leading dimensions wider than the matrices: the gap holds NaN in A and B (never to be read into a result) and a
// sentinel in C (never to be written).
START_TEST(leading_dimensions) {
    static const int shapes[][3] = {{7, 63, 129}, {129, 7, 63}, {63, 129, 7},
                                    {1, 300, 9},  {3, 40, 50},  {150, 140, 130}};
    static const int pads[] = {1, 5, 17};
    int bad = 0;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int p = 0; p < 3; p++)
            for (int tr = 0; tr < 4; tr++) {
                Case t = {tr & 1, tr & 2, shapes[s][0], shapes[s][1], shapes[s][2], 1.0f, tr == 3 ? 0.0f : 1.0f,
                          pads[p]};
                bad += check_case(t, 4000 + s * 16 + p * 4 + tr);
            }
    ck_assert_msg(bad == 0, "%d entries out of tolerance (the first are printed above)", bad);
}
END_TEST

// gemm() called by every thread of a parallel region at once (as the convolutions do, one sample per thread): each
// call must run on its own thread with its own packing buffers, and give the right answer.
START_TEST(inside_parallel_region) {
    int bad = 0;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic) reduction(+ : bad)
#endif
    for (int job = 0; job < 24; job++) {
        static const int shapes[][3] = {{16, 784, 9}, {1, 144, 784}, {129, 129, 129}, {200, 64, 300}};
        const int *s = shapes[job % 4];
        Case t = {job & 1, (job >> 1) & 1, s[0], s[1], s[2], 1.0f, job % 3 == 0 ? 0.0f : 1.0f, job % 5 == 0 ? 3 : 0};
        bad += check_case(t, 5000 + job);
    }
    ck_assert_msg(bad == 0, "%d entries out of tolerance (the first are printed above)", bad);
}
END_TEST

#ifdef _OPENMP
// One thread and several must agree to the tolerance (cutting C into slabs may change which path the rows of the
// last slab take, not the arithmetic of the others). At least two threads, even on a one-core machine.
START_TEST(one_thread_and_all_agree) {
    const int M = 300, N = 260, K = 270;
    Rng rng;
    rng_seed(&rng, 6000);
    float *A = xmalloc((size_t)M * K * sizeof(float)), *B = xmalloc((size_t)K * N * sizeof(float));
    float *C1 = xmalloc((size_t)M * N * sizeof(float)), *Cn = xmalloc((size_t)M * N * sizeof(float));
    for (int i = 0; i < M * K; i++) A[i] = rng_range(&rng, -1, 1);
    for (int i = 0; i < K * N; i++) B[i] = rng_range(&rng, -1, 1);
    const int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    gemm(false, false, M, N, K, 1.0f, A, K, B, N, 0.0f, C1, N);
    omp_set_num_threads(saved > 1 ? saved : 2);
    gemm(false, false, M, N, K, 1.0f, A, K, B, N, 0.0f, Cn, N);
    omp_set_num_threads(saved);
    double worst = 0;       // |difference| / (K * FLT_EPSILON * sum |a||b|), the same measure as check_case
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double magnitude = 0;
            for (int k = 0; k < K; k++) magnitude += fabs((double)A[i * K + k] * B[k * N + j]);
            worst = fmax(worst, fabs((double)C1[i * N + j] - Cn[i * N + j]) / ((K + 4) * FLT_EPSILON * magnitude));
        }
    free(A), free(B), free(C1), free(Cn);
    ck_assert_msg(worst <= 1.0, "one thread and %d threads differ by %.2f times the tolerance", saved, worst);
}
END_TEST
#endif

static Suite *gemm_suite(void) {
    Suite *s = suite_create("gemm");
    TCase *tc = tcase_create("gemm");
    tcase_set_timeout(tc, 120);             // SANITIZE=1 builds run the naive reference ~10x slower
    tcase_add_test(tc, edge_shapes_nn);
    tcase_add_test(tc, edge_shapes_nt);
    tcase_add_test(tc, edge_shapes_tn);
    tcase_add_test(tc, edge_shapes_tt);
    tcase_add_test(tc, mixed_shapes);
    tcase_add_test(tc, alpha_beta);
    tcase_add_test(tc, empty_products);
    tcase_add_test(tc, leading_dimensions);
    tcase_add_test(tc, inside_parallel_region);
#ifdef _OPENMP
    tcase_add_test(tc, one_thread_and_all_agree);
#endif
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(gemm_suite)
