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
    tcase_add_exit_test(tc, nan_loss_stops_training, 3);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(loss_suite)
