// test_layers.c: finite-difference gradient checks of the non-spatial layers (dense, activations, batch-norm,
// dropout, flatten/reshape, concatenation) and their forward values on hand-worked cases.
//
// Tolerance: gradcheck_defaults() (atol 1e-3, rtol 1e-2, eps 1e-3). Forward passes run in float32, so the central
// difference carries a rounding error of about 1e-7 * |L| / eps ~ 1e-4 for these sizes; a wrong backward is off by
// O(1), far outside.
#include <math.h>
#include <stdio.h>

#include "check_main.h"
#include "gradcheck.h"
#include "layers/activations.h"
#include "layers/dense.h"
#include "layers/regularize.h"
#include "layers/shape.h"

static void random_tensor(Tensor *t, int n, int c, int h, int w, Rng *rng) {
    tensor_init(t, n, c, h, w);
    for (size_t i = 0; i < tensor_size(t); i++) t->data[i] = rng_range(rng, -1.0f, 1.0f);
}

// Build `l` for x's shape, run the gradient check, free everything. Returns the worst ratio.
static double check_layer(Layer *l, int n, int c, int h, int w, bool training, uint64_t seed) {
    Rng rng;
    rng_seed(&rng, seed);
    Tensor x;
    random_tensor(&x, n, c, h, w, &rng);
    // Keep inputs away from relu's kink at 0, where a central difference is not a derivative.
    for (size_t i = 0; i < tensor_size(&x); i++)
        if (fabsf(x.data[i]) < 0.05f) x.data[i] = x.data[i] < 0 ? -0.05f : 0.05f;
    layer_build(l, c, h, w, &rng);
    GradCheckOptions opt = gradcheck_defaults();
    opt.verbose = true;
    char report[1024];
    double worst = gradcheck_layer(l, &x, training, &opt, &rng, report, sizeof report);
    if (worst > 1.0) fprintf(stderr, "%s", report);
    layer_free(l);
    tensor_free(&x);
    return worst;
}

START_TEST(gradcheck_dense) {
    ck_assert_double_le(check_layer(dense_new(5), 3, 7, 1, 1, true, 1), 1.0);
    ck_assert_double_le(check_layer(dense_new(4), 2, 2, 3, 3, true, 2), 1.0);   // (N, C, H, W) read as (N, D)
}
END_TEST

START_TEST(gradcheck_activations) {
    ck_assert_double_le(check_layer(relu_new(), 2, 3, 4, 4, true, 3), 1.0);
    ck_assert_double_le(check_layer(leaky_relu_new(0.2f), 2, 3, 4, 4, true, 4), 1.0);
    ck_assert_double_le(check_layer(sigmoid_new(), 2, 3, 4, 4, true, 5), 1.0);
    ck_assert_double_le(check_layer(tanh_new(), 2, 3, 4, 4, true, 6), 1.0);
    ck_assert_double_le(check_layer(softmax_new(), 4, 6, 1, 1, true, 7), 1.0);
}
END_TEST

START_TEST(gradcheck_batchnorm) {
    ck_assert_double_le(check_layer(batchnorm_new(), 4, 3, 3, 3, true, 8), 1.0);   // batch statistics
    ck_assert_double_le(check_layer(batchnorm_new(), 5, 6, 1, 1, true, 9), 1.0);   // after a Dense: (N, D)
    ck_assert_double_le(check_layer(batchnorm_new(), 4, 3, 3, 3, false, 10), 1.0); // moving statistics
}
END_TEST

START_TEST(gradcheck_shape_layers) {
    ck_assert_double_le(check_layer(flatten_new(), 2, 3, 2, 2, true, 11), 1.0);
    ck_assert_double_le(check_layer(reshape_new(2, 3, 2), 2, 12, 1, 1, true, 12), 1.0);
}
END_TEST

START_TEST(activation_values) {
    float x[4] = {-2.0f, -0.5f, 0.0f, 3.0f}, y[4];
    relu_forward(y, x, 4);
    ck_assert_float_eq(y[0], 0.0f); ck_assert_float_eq(y[3], 3.0f);
    leaky_relu_forward(y, x, 0.1f, 4);
    ck_assert_float_eq_tol(y[0], -0.2f, 1e-7f);
    sigmoid_forward(y, x, 4);
    ck_assert_float_eq_tol(y[2], 0.5f, 1e-7f);
    ck_assert_float_eq_tol(y[3], 1.0f / (1.0f + expf(-3.0f)), 1e-7f);
    // A huge negative input must give 0, not NaN (exp(1000) overflows if computed naively).
    ck_assert_float_eq(sigmoidf(-1000.0f), 0.0f);
    ck_assert_float_eq(sigmoidf(1000.0f), 1.0f);
    float z[3] = {1000.0f, 1000.0f, 1000.0f}, p[3];
    softmax_forward(p, z, 1, 3);                                     // stable: no overflow, uniform
    for (int i = 0; i < 3; i++) ck_assert_float_eq_tol(p[i], 1.0f / 3.0f, 1e-6f);
}
END_TEST

START_TEST(dense_values) {
    // y = x W + b with x = [1 2], W = [[1 2 3], [4 5 6]], b = [0.5 0 -1]  =>  y = [9.5 12 14]
    float x[2] = {1, 2}, w[6] = {1, 2, 3, 4, 5, 6}, b[3] = {0.5f, 0, -1}, y[3];
    dense_forward(y, x, w, b, 1, 2, 3);
    ck_assert_float_eq(y[0], 9.5f); ck_assert_float_eq(y[1], 12.0f); ck_assert_float_eq(y[2], 14.0f);
    // Parameter count and Glorot limit: Dense(128) on 784 inputs has 784*128 + 128 = 100,480 params.
    Rng rng; rng_seed(&rng, 1);
    Layer *l = layer_build(dense_new(128), 784, 1, 1, &rng);
    ck_assert_uint_eq(layer_param_count(l), 100480);
    float limit = sqrtf(6.0f / (784 + 128)), max = 0;
    for (size_t i = 0; i < l->params[0].size; i++) max = fmaxf(max, fabsf(l->params[0].value[i]));
    ck_assert_float_le(max, limit);
    ck_assert_float_ge(max, 0.99f * limit);                          // 100,352 draws reach the edge
    layer_free(l);
}
END_TEST

START_TEST(batchnorm_statistics) {
    // In training mode each channel comes out with mean 0 and variance var/(var+eps); moving averages move by 1%.
    Rng rng; rng_seed(&rng, 2);
    Layer *l = layer_build(batchnorm_new(), 2, 4, 4, &rng);
    Tensor x, y = {0};
    tensor_init(&x, 8, 2, 4, 4);
    for (size_t i = 0; i < tensor_size(&x); i++) x.data[i] = 3.0f + 2.0f * rng_normal(&rng);
    layer_forward(l, &y, &x, true);
    for (int c = 0; c < 2; c++) {
        double sum = 0, sq = 0;
        for (int n = 0; n < 8; n++)
            for (int i = 0; i < 16; i++) { float v = y.data[(n * 2 + c) * 16 + i]; sum += v; sq += v * v; }
        ck_assert_double_eq_tol(sum / 128, 0.0, 1e-5);
        ck_assert_double_eq_tol(sq / 128, 1.0, 1e-2);
        ck_assert_float_eq_tol(l->buffers[0].value[c], 0.01f * 3.0f, 0.01f * 0.6f);   // 0.99*0 + 0.01*mean
    }
    ck_assert_uint_eq(layer_param_count(l), 4);                      // gamma, beta (+ 4 non-trainable buffers)
    layer_free(l);
    tensor_free(&x); tensor_free(&y);
}
END_TEST

START_TEST(dropout_behaviour) {
    Rng rng; rng_seed(&rng, 3);
    Layer *l = layer_build(dropout_new(0.25f), 1, 100, 100, &rng);
    Tensor x, y = {0}, dy, dx = {0};
    tensor_init(&x, 1, 1, 100, 100);
    tensor_init(&dy, 1, 1, 100, 100);
    for (size_t i = 0; i < tensor_size(&x); i++) { x.data[i] = 1.0f; dy.data[i] = 2.0f; }
    layer_forward(l, &y, &x, true);
    int dropped = 0;
    for (size_t i = 0; i < tensor_size(&y); i++) {
        ck_assert(y.data[i] == 0.0f || fabsf(y.data[i] - 1.0f / 0.75f) < 1e-6f);
        dropped += y.data[i] == 0.0f;
    }
    ck_assert_int_gt(dropped, 2300);                                // 25% of 10,000, give or take 5 sigma
    ck_assert_int_lt(dropped, 2700);
    layer_backward(l, &dx, &dy);                                     // the gradient flows where the value did
    for (size_t i = 0; i < tensor_size(&y); i++) ck_assert_float_eq_tol(dx.data[i], 2.0f * y.data[i], 1e-6f);
    layer_forward(l, &y, &x, false);                                 // evaluation: identity
    for (size_t i = 0; i < tensor_size(&y); i++) ck_assert_float_eq(y.data[i], 1.0f);
    layer_free(l);
    tensor_free(&x); tensor_free(&y); tensor_free(&dy); tensor_free(&dx);
}
END_TEST

START_TEST(concat_round_trip) {
    Rng rng; rng_seed(&rng, 4);
    Tensor a, b, out = {0}, da = {0}, db = {0};
    random_tensor(&a, 2, 3, 2, 2, &rng);
    random_tensor(&b, 2, 1, 2, 2, &rng);
    concat_channels_forward(&out, &a, &b);
    ck_assert_int_eq(out.c, 4);
    ck_assert_float_eq(out.data[4 * 4 + 3 * 4 + 1], b.data[1 * 4 + 1]);   // sample 1, channel 3 = b's channel 0
    concat_channels_backward(&da, &db, &out, 3);
    for (size_t i = 0; i < tensor_size(&a); i++) ck_assert_float_eq(da.data[i], a.data[i]);
    for (size_t i = 0; i < tensor_size(&b); i++) ck_assert_float_eq(db.data[i], b.data[i]);
    tensor_free(&a); tensor_free(&b); tensor_free(&out); tensor_free(&da); tensor_free(&db);
}
END_TEST

static Suite *layers_suite(void) {
    Suite *s = suite_create("layers");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, gradcheck_dense);
    tcase_add_test(tc, gradcheck_activations);
    tcase_add_test(tc, gradcheck_batchnorm);
    tcase_add_test(tc, gradcheck_shape_layers);
    tcase_add_test(tc, activation_values);
    tcase_add_test(tc, dense_values);
    tcase_add_test(tc, batchnorm_statistics);
    tcase_add_test(tc, dropout_behaviour);
    tcase_add_test(tc, concat_round_trip);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(layers_suite)
