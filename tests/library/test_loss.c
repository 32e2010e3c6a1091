// test_loss.c: every loss against worked values and against central differences of itself.
//
// Tolerance of the gradient checks: gradcheck_defaults() (atol 1e-3, rtol 1e-2): the losses are computed in float32
// per element and summed in double, so a central difference with eps 1e-3 is good to ~1e-4.
#include <math.h>
#include <stdio.h>

#include "check_main.h"
#include "gradcheck.h"
#include "loss.h"

typedef enum { MSE, BCE, SOFTMAX_CE, KL_MU, KL_LOGVAR, L1 } Which;

typedef struct {
    Which which;
    Tensor *pred, *target, *other;   // other: logvar for KL_MU, mu for KL_LOGVAR
    const int *labels;
} LossCase;

static double eval_loss(void *ctx) {
    LossCase *c = ctx;
    Tensor *p = c->pred;
    switch (c->which) {
    case MSE: return loss_mse(NULL, p, c->target);
    case BCE: return loss_bce_logits(NULL, p, c->target);
    case SOFTMAX_CE: return loss_softmax_cross_entropy(NULL, p, c->labels, NULL);
    case KL_MU: return loss_kl_normal(NULL, NULL, p->data, c->other->data, p->n, p->c);
    case KL_LOGVAR: return loss_kl_normal(NULL, NULL, c->other->data, p->data, p->n, p->c);
    case L1: return loss_l1_activity(NULL, p, 0.3f);
    }
    return 0;
}

static void fill(Tensor *t, int n, int c, float lo, float hi, Rng *rng) {
    tensor_init(t, n, c, 1, 1);
    for (size_t i = 0; i < tensor_size(t); i++) t->data[i] = rng_range(rng, lo, hi);
}

static double check(Which which, const int *labels) {
    Rng rng; rng_seed(&rng, 7 + which);
    Tensor pred, target, other, grad = {0}, grad2 = {0};
    fill(&pred, 4, 5, -2, 2, &rng);
    fill(&target, 4, 5, 0, 1, &rng);
    fill(&other, 4, 5, -1, 1, &rng);
    LossCase c = {which, &pred, &target, &other, labels};
    tensor_init(&grad, 4, 5, 1, 1);
    tensor_init(&grad2, 4, 5, 1, 1);
    switch (which) {
    case MSE: loss_mse(&grad, &pred, &target); break;
    case BCE: loss_bce_logits(&grad, &pred, &target); break;
    case SOFTMAX_CE: loss_softmax_cross_entropy(&grad, &pred, labels, NULL); break;
    case KL_MU: loss_kl_normal(grad.data, grad2.data, pred.data, other.data, 4, 5); break;
    case KL_LOGVAR: loss_kl_normal(grad2.data, grad.data, other.data, pred.data, 4, 5); break;
    case L1: loss_l1_activity(&grad, &pred, 0.3f); break;
    }
    GradCheckOptions opt = gradcheck_defaults();
    opt.verbose = true;
    double worst = gradcheck_array(eval_loss, &c, pred.data, grad.data, tensor_size(&pred), "loss", &opt, &rng);
    tensor_free(&pred); tensor_free(&target); tensor_free(&other); tensor_free(&grad); tensor_free(&grad2);
    return worst;
}

START_TEST(gradients) {
    int labels[4] = {0, 3, 4, 1}, masked[4] = {2, -1, 0, -1};
    ck_assert_double_le(check(MSE, NULL), 1.0);
    ck_assert_double_le(check(BCE, NULL), 1.0);
    ck_assert_double_le(check(SOFTMAX_CE, labels), 1.0);
    ck_assert_double_le(check(SOFTMAX_CE, masked), 1.0);
    ck_assert_double_le(check(KL_MU, NULL), 1.0);
    ck_assert_double_le(check(KL_LOGVAR, NULL), 1.0);
    ck_assert_double_le(check(L1, NULL), 1.0);
}
END_TEST

START_TEST(worked_values) {
    Tensor p, t;
    tensor_init(&p, 2, 2, 1, 1);
    tensor_init(&t, 2, 2, 1, 1);
    float pv[4] = {1, 2, 3, 4}, tv[4] = {1, 0, 3, 2};
    for (int i = 0; i < 4; i++) { p.data[i] = pv[i]; t.data[i] = tv[i]; }
    ck_assert_float_eq_tol(loss_mse(NULL, &p, &t), (0 + 4 + 0 + 4) / 4.0f, 1e-6f);

    // BCE at logit 0 is log 2 whatever the target; a confident right answer costs ~0, a wrong one ~|z|.
    float zv[4] = {0, 0, 30, -30}, yv[4] = {1, 0, 1, 1};
    for (int i = 0; i < 4; i++) { p.data[i] = zv[i]; t.data[i] = yv[i]; }
    ck_assert_float_eq_tol(loss_bce_logits(NULL, &p, &t), (2 * logf(2.0f) + 0 + 30) / 4.0f, 1e-5f);
    float huge[4] = {-1000, 1000, -1000, 1000};                        // stable: finite, no NaN
    for (int i = 0; i < 4; i++) p.data[i] = huge[i];
    ck_assert(isfinite(loss_bce_logits(NULL, &p, &t)));

    // Softmax CE of uniform logits over K = 2 is log 2; masked rows do not count, all-masked gives 0.
    int labels[2] = {1, -1}, none[2] = {-1, -1}, labelled;
    for (int i = 0; i < 4; i++) p.data[i] = 0;
    ck_assert_float_eq_tol(loss_softmax_cross_entropy(NULL, &p, labels, &labelled), logf(2.0f), 1e-6f);
    ck_assert_int_eq(labelled, 1);
    Tensor g = {0};
    ck_assert_float_eq(loss_softmax_cross_entropy(&g, &p, none, &labelled), 0.0f);
    for (int i = 0; i < 4; i++) ck_assert_float_eq(g.data[i], 0.0f);

    // KL: 0 at mu = 0, logvar = 0; for mu = 1, logvar = 0 it is 1/2 per unit; never negative.
    float mu[2] = {0, 1}, lv[2] = {0, 0};
    ck_assert_float_eq_tol(loss_kl_normal(NULL, NULL, mu, lv, 1, 1), 0.0f, 1e-7f);
    ck_assert_float_eq_tol(loss_kl_normal(NULL, NULL, mu, lv, 1, 2), 0.5f, 1e-7f);
    Rng rng; rng_seed(&rng, 1);
    for (int i = 0; i < 100; i++) {
        float m = rng_range(&rng, -3, 3), v = rng_range(&rng, -5, 5);
        ck_assert_float_ge(loss_kl_normal(NULL, NULL, &m, &v, 1, 1), -1e-6f);
    }
    tensor_free(&p); tensor_free(&t); tensor_free(&g);
}
END_TEST

// The per-pixel softmax CE on a (N, K, H, W) map is the row softmax CE on the (N H W, K) matrix whose rows are the
// pixels: the same arithmetic in the same order per pixel, so values and gradients agree to float rounding of the
// final division (tolerance 1e-6 relative). Then central differences of itself, with a third of the pixels unlabelled.
typedef struct {
    Tensor *z;
    const int *labels;
} PixelCase;

static double eval_pixel(void *ctx) {
    PixelCase *c = ctx;
    return loss_pixel_softmax_cross_entropy(NULL, c->z, c->labels, NULL);
}

START_TEST(pixel_softmax_ce) {
    enum { N = 2, K = 4, H = 3, W = 5, HW = H * W };
    Rng rng; rng_seed(&rng, 31);
    Tensor z, rows, g = {0}, grow = {0};
    tensor_init(&z, N, K, H, W);
    tensor_init(&rows, N * HW, K, 1, 1);
    int labels[N * HW];
    for (size_t i = 0; i < tensor_size(&z); i++) z.data[i] = rng_range(&rng, -3, 3);
    for (int i = 0; i < N * HW; i++) labels[i] = i % 3 == 1 ? -1 : (int)rng_below(&rng, K);
    for (int n = 0; n < N; n++)                                 // rows[n HW + p][k] = z[n][k][p]
        for (int k = 0; k < K; k++)
            for (int p = 0; p < HW; p++) rows.data[((size_t)n * HW + p) * K + k] = z.data[((size_t)n * K + k) * HW + p];
    long m = 0;
    int m_rows = 0;
    float l_pix = loss_pixel_softmax_cross_entropy(&g, &z, labels, &m);
    float l_row = loss_softmax_cross_entropy(&grow, &rows, labels, &m_rows);
    ck_assert_int_eq(m, N * HW - N * HW / 3);
    ck_assert_int_eq(m, m_rows);
    ck_assert_float_eq_tol(l_pix, l_row, 1e-6f * l_row);
    for (int n = 0; n < N; n++)
        for (int k = 0; k < K; k++)
            for (int p = 0; p < HW; p++) {
                float a = g.data[((size_t)n * K + k) * HW + p], b = grow.data[((size_t)n * HW + p) * K + k];
                ck_assert_float_eq_tol(a, b, 1e-6f * fabsf(b) + 1e-9f);
                if (labels[n * HW + p] < 0) ck_assert_float_eq(a, 0.0f);     // unlabelled: no gradient
            }

    PixelCase c = {&z, labels};
    GradCheckOptions opt = gradcheck_defaults();
    opt.verbose = true;
    ck_assert_double_le(gradcheck_array(eval_pixel, &c, z.data, g.data, tensor_size(&z), "pixel CE", &opt, &rng), 1.0);

    int none[N * HW];                                           // nothing labelled: 0, a zero gradient, no NaN
    for (int i = 0; i < N * HW; i++) none[i] = -1;
    ck_assert_float_eq(loss_pixel_softmax_cross_entropy(&g, &z, none, &m), 0.0f);
    ck_assert_int_eq(m, 0);
    for (size_t i = 0; i < tensor_size(&g); i++) ck_assert_float_eq(g.data[i], 0.0f);

    for (size_t i = 0; i < tensor_size(&z); i++) z.data[i] = 0.0f;   // uniform logits: log K per pixel
    ck_assert_float_eq_tol(loss_pixel_softmax_cross_entropy(NULL, &z, labels, NULL), logf((float)K), 1e-6f);
    tensor_free(&z); tensor_free(&rows); tensor_free(&g); tensor_free(&grow);
}
END_TEST

START_TEST(l1_accumulates) {
    // The activity penalty adds to a gradient already flowing: dact += lambda sign(a) / N.
    Tensor a, d;
    tensor_init(&a, 2, 2, 1, 1);
    tensor_init(&d, 2, 2, 1, 1);
    float av[4] = {1, -2, 0, 3};
    for (int i = 0; i < 4; i++) { a.data[i] = av[i]; d.data[i] = 1.0f; }
    ck_assert_float_eq_tol(loss_l1_activity(&d, &a, 0.5f), 0.5f * 6 / 2, 1e-6f);
    ck_assert_float_eq_tol(d.data[0], 1.25f, 1e-6f);
    ck_assert_float_eq_tol(d.data[1], 0.75f, 1e-6f);
    ck_assert_float_eq_tol(d.data[2], 1.0f, 1e-6f);
    tensor_free(&a); tensor_free(&d);
}
END_TEST

// A NaN loss stops the program with status 3 (and a message naming model, epoch and batch).
START_TEST(nan_loss_stops_training) {
    loss_check_finite(1.0f, "model", 1, 1);          // finite: returns
    loss_check_finite(NAN, "model", 2, 17);          // exits(3)
}
END_TEST

static Suite *loss_suite(void) {
    Suite *s = suite_create("loss");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, gradients);
    tcase_add_test(tc, worked_values);
    tcase_add_test(tc, l1_accumulates);
    tcase_add_test(tc, pixel_softmax_ce);
    tcase_add_exit_test(tc, nan_loss_stops_training, 3);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(loss_suite)
