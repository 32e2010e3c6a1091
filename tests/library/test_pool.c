// test_pool.c: MaxPooling2D and UpSampling2D on hand-worked cases, against a direct formulation, and by finite
// differences.
//
// Tolerances: hand cases are exact (a max and a copy do no arithmetic; the upsample backward sums small integers).
// Gradient checks use gradcheck_defaults() (atol 1e-3, rtol 1e-2). Max pooling is piecewise linear, so its inputs
// are spread at least 0.05 apart, ten times the 2*eps = 2e-3 a central difference spans: no nudge changes a
// window's winner. Upsampling is linear and is checked with eps 1e-2, where float32 rounding is smaller still.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check_main.h"
#include "gradcheck.h"
#include "layers/pool.h"
#include "layers/upsample.h"

static void set(Tensor *t, const float *values) {
    for (size_t i = 0; i < tensor_size(t); i++) t->data[i] = values[i];
}

static void assert_equal(const Tensor *t, const float *want, const char *what) {
    for (size_t i = 0; i < tensor_size(t); i++)
        ck_assert_msg(t->data[i] == want[i], "%s[%zu]: got %g, want %g", what, i, (double)t->data[i],
                      (double)want[i]);
}

// ---- max pooling by hand ---------------------------------------------------------------------------------------

START_TEST(maxpool_4x4_by_hand) {
    Rng rng;
    rng_seed(&rng, 1);
    Layer *l = layer_build(maxpool2d_new(2, PAD_VALID), 1, 4, 4, &rng);
    ck_assert_str_eq(l->ops->kind, "MaxPooling2D");
    ck_assert_uint_eq(layer_param_count(l), 0);
    ck_assert_int_eq(l->out_h, 2);
    ck_assert_int_eq(l->out_w, 2);
    Tensor x, y = {0}, dy, dx = {0};
    tensor_init(&x, 1, 1, 4, 4);
    set(&x, (float[]){1, 2, 5, 3,
                      4, 0, 1, 2,
                      7, 8, 3, 9,
                      6, 5, 4, 1});
    layer_forward(l, &y, &x, true);
    assert_equal(&y, (float[]){4, 5,
                               8, 9}, "maxpool 4x4 out");
    tensor_init(&dy, 1, 1, 2, 2);
    set(&dy, (float[]){10, 20,
                       30, 40});
    layer_backward(l, &dx, &dy);
    assert_equal(&dx, (float[]){0,  0, 20,  0,                 // each gradient goes to its window's max only
                                10, 0,  0,  0,
                                0, 30,  0, 40,
                                0,  0,  0,  0}, "maxpool 4x4 din");
    tensor_free(&x); tensor_free(&y); tensor_free(&dy); tensor_free(&dx);
    layer_free(l);
}
END_TEST

static const float X5[25] = { 1,  3,  2,  0, -1,
                              5,  4, -2,  7, -3,
                              0,  9,  8,  1, -4,
                              2,  6,  3, -5, -6,
                             -7, -8, -9, -2, -1};

START_TEST(maxpool_5x5_same_by_hand) {
    // SAME: out = ceil(5/2) = 3, total padding (3-1)*2 + 2 - 5 = 1, all of it at the bottom/right. The last row and
    // column of windows hold one real row/column each, all negative: a padded 0 must not win.
    Rng rng;
    rng_seed(&rng, 2);
    Layer *l = layer_build(maxpool2d_new(2, PAD_SAME), 1, 5, 5, &rng);
    ck_assert_int_eq(l->out_h, 3);
    ck_assert_int_eq(l->out_w, 3);
    Tensor x, y = {0}, dy, dx = {0};
    tensor_init(&x, 1, 1, 5, 5);
    set(&x, X5);
    layer_forward(l, &y, &x, true);
    assert_equal(&y, (float[]){ 5,  7, -1,
                                9,  8, -4,
                               -7, -2, -1}, "maxpool 5x5 same out");
    tensor_init(&dy, 1, 1, 3, 3);
    set(&dy, (float[]){1, 2, 3,
                       4, 5, 6,
                       7, 8, 9});
    layer_backward(l, &dx, &dy);
    assert_equal(&dx, (float[]){0, 0, 0, 0, 3,
                                1, 0, 0, 2, 0,
                                0, 4, 5, 0, 6,
                                0, 0, 0, 0, 0,
                                7, 0, 0, 8, 9}, "maxpool 5x5 same din");
    tensor_free(&x); tensor_free(&y); tensor_free(&dy); tensor_free(&dx);
    layer_free(l);
}
END_TEST

START_TEST(maxpool_5x5_valid_by_hand) {
    // VALID drops the last row and column: they get no gradient.
    Rng rng;
    rng_seed(&rng, 3);
    Layer *l = layer_build(maxpool2d_new(2, PAD_VALID), 1, 5, 5, &rng);
    ck_assert_int_eq(l->out_h, 2);
    Tensor x, y = {0}, dy, dx = {0};
    tensor_init(&x, 1, 1, 5, 5);
    set(&x, X5);
    layer_forward(l, &y, &x, true);
    assert_equal(&y, (float[]){5, 7,
                               9, 8}, "maxpool 5x5 valid out");
    tensor_init(&dy, 1, 1, 2, 2);
    set(&dy, (float[]){1, 2, 3, 4});
    layer_backward(l, &dx, &dy);
    assert_equal(&dx, (float[]){0, 0, 0, 0, 0,
                                1, 0, 0, 2, 0,
                                0, 3, 4, 0, 0,
                                0, 0, 0, 0, 0,
                                0, 0, 0, 0, 0}, "maxpool 5x5 valid din");
    tensor_free(&x); tensor_free(&y); tensor_free(&dy); tensor_free(&dx);
    layer_free(l);
}
END_TEST

START_TEST(maxpool_tie_goes_to_first) {
    Rng rng;
    rng_seed(&rng, 4);
    Layer *l = layer_build(maxpool2d_new(2, PAD_VALID), 1, 2, 2, &rng);
    Tensor x, y = {0}, dy, dx = {0};
    tensor_init(&x, 1, 1, 2, 2);
    set(&x, (float[]){3, 3, 3, 3});
    layer_forward(l, &y, &x, true);
    tensor_init(&dy, 1, 1, 1, 1);
    dy.data[0] = 1;
    layer_backward(l, &dx, &dy);
    assert_equal(&dx, (float[]){1, 0, 0, 0}, "maxpool tie din");   // one winner: the gradient is not duplicated
    tensor_free(&x); tensor_free(&y); tensor_free(&dy); tensor_free(&dx);
    layer_free(l);
}
END_TEST

// Max pooling against its definition on several samples and channels, forward and backward. The inputs take only
// four values, so most windows hold ties: the gradient must go to the first maximal cell in row-major order.
static void check_maxpool_direct(int P, Padding pad, int N, int C, int H, int W, uint64_t seed) {
    Rng rng;
    rng_seed(&rng, seed);
    Layer *l = layer_build(maxpool2d_new(P, pad), C, H, W, &rng);
    int OH = l->out_h, OW = l->out_w, pad_top = 0, pad_left = 0;
    if (pad == PAD_SAME) {
        ck_assert_int_eq(OH, (H + P - 1) / P);
        ck_assert_int_eq(OW, (W + P - 1) / P);
        pad_top = ((OH - 1) * P + P - H) / 2;
        pad_left = ((OW - 1) * P + P - W) / 2;
    } else {
        ck_assert_int_eq(OH, (H - P) / P + 1);
        ck_assert_int_eq(OW, (W - P) / P + 1);
    }
    Tensor x, y = {0}, dy, dx = {0};
    tensor_init(&x, N, C, H, W);
    for (size_t i = 0; i < tensor_size(&x); i++) x.data[i] = (float)rng_below(&rng, 4) - 2.0f;
    tensor_init(&dy, N, C, OH, OW);
    for (size_t i = 0; i < tensor_size(&dy); i++) dy.data[i] = rng_range(&rng, -1.0f, 1.0f);
    layer_forward(l, &y, &x, true);
    layer_backward(l, &dx, &dy);
    float *want_dx = calloc(tensor_size(&x), sizeof(float));
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++)
            for (int oh = 0; oh < OH; oh++)
                for (int ow = 0; ow < OW; ow++) {
                    float best = -INFINITY;
                    size_t at = 0;
                    for (int i = 0; i < P; i++)
                        for (int j = 0; j < P; j++) {
                            int h = oh * P + i - pad_top, w = ow * P + j - pad_left;
                            size_t k = ((size_t)(n * C + c) * H + h) * W + w;
                            if (h >= 0 && h < H && w >= 0 && w < W && x.data[k] > best) { best = x.data[k]; at = k; }
                        }
                    size_t o = ((size_t)(n * C + c) * OH + oh) * OW + ow;
                    ck_assert_float_eq(y.data[o], best);
                    want_dx[at] += dy.data[o];
                }
    assert_equal(&dx, want_dx, "maxpool din");
    free(want_dx);
    tensor_free(&x); tensor_free(&y); tensor_free(&dy); tensor_free(&dx);
    layer_free(l);
}

START_TEST(maxpool_matches_direct) {
    check_maxpool_direct(2, PAD_VALID, 2, 3, 6, 8, 21);
    check_maxpool_direct(2, PAD_VALID, 2, 3, 7, 5, 22);            // drops the last row and column
    check_maxpool_direct(2, PAD_SAME, 2, 3, 7, 5, 23);             // keeps them as 1-wide windows
    check_maxpool_direct(3, PAD_SAME, 2, 3, 7, 5, 24);             // padding 1 on top (total 2), 0 left (total 1)
    check_maxpool_direct(3, PAD_VALID, 1, 2, 8, 9, 25);
}
END_TEST

// ---- upsampling by hand ----------------------------------------------------------------------------------------

START_TEST(upsample_by_hand) {
    Rng rng;
    rng_seed(&rng, 6);
    Layer *l = layer_build(upsample2d_new(2), 1, 2, 2, &rng);
    ck_assert_str_eq(l->ops->kind, "UpSampling2D");
    ck_assert_uint_eq(layer_param_count(l), 0);
    Tensor x, y = {0}, dy, dx = {0};
    tensor_init(&x, 1, 1, 2, 2);
    set(&x, (float[]){1, 2,
                      3, 4});
    layer_forward(l, &y, &x, true);
    assert_equal(&y, (float[]){1, 1, 2, 2,
                               1, 1, 2, 2,
                               3, 3, 4, 4,
                               3, 3, 4, 4}, "upsample x2 out");
    tensor_init(&dy, 1, 1, 4, 4);
    set(&dy, (float[]){ 1,  2,  3,  4,
                        5,  6,  7,  8,
                        9, 10, 11, 12,
                       13, 14, 15, 16});
    layer_backward(l, &dx, &dy);
    assert_equal(&dx, (float[]){1 + 2 + 5 + 6,     3 + 4 + 7 + 8,    // each input sums its 2x2 block
                                9 + 10 + 13 + 14, 11 + 12 + 15 + 16}, "upsample x2 din");
    tensor_free(&x); tensor_free(&y); tensor_free(&dy); tensor_free(&dx);
    layer_free(l);

    // Factor 3 on a 1x2 image with two channels.
    l = layer_build(upsample2d_new(3), 2, 1, 2, &rng);
    ck_assert_int_eq(l->out_h, 3);
    ck_assert_int_eq(l->out_w, 6);
    tensor_init(&x, 1, 2, 1, 2);
    set(&x, (float[]){1, 2, -1, -2});
    layer_forward(l, &y, &x, true);
    float want[36];
    for (int c = 0; c < 2; c++)
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 6; j++) want[(c * 3 + i) * 6 + j] = x.data[c * 2 + j / 3];
    assert_equal(&y, want, "upsample x3 out");
    tensor_init(&dy, 1, 2, 3, 6);
    for (int i = 0; i < 36; i++) dy.data[i] = 1;
    layer_backward(l, &dx, &dy);
    assert_equal(&dx, (float[]){9, 9, 9, 9}, "upsample x3 din");   // nine ones per block
    tensor_free(&x); tensor_free(&y); tensor_free(&dy); tensor_free(&dx);
    layer_free(l);
}
END_TEST

// ---- gradient checks -------------------------------------------------------------------------------------------

// Fill x with distinct values at least 0.05 apart, in random order (see the top of this file).
static void spread_tensor(Tensor *t, int n, int c, int h, int w, Rng *rng) {
    tensor_init(t, n, c, h, w);
    int size = (int)tensor_size(t);
    int *order = malloc((size_t)size * sizeof(int));
    for (int i = 0; i < size; i++) order[i] = i;
    rng_shuffle(rng, order, size);
    for (int i = 0; i < size; i++) t->data[order[i]] = -1.0f + 0.05f * (float)i;
    free(order);
}

static double check_layer(Layer *l, int n, int c, int h, int w, float eps, uint64_t seed) {
    Rng rng;
    rng_seed(&rng, seed);
    Tensor x;
    spread_tensor(&x, n, c, h, w, &rng);
    layer_build(l, c, h, w, &rng);
    GradCheckOptions opt = gradcheck_defaults();
    opt.eps = eps;
    opt.max_checks = 0;                                             // every input entry
    opt.verbose = true;
    char report[512];
    double worst = gradcheck_layer(l, &x, true, &opt, &rng, report, sizeof report);
    if (worst > 1.0) fprintf(stderr, "%s", report);
    layer_free(l);
    tensor_free(&x);
    return worst;
}

START_TEST(gradcheck_maxpool) {
    ck_assert_double_le(check_layer(maxpool2d_new(2, PAD_VALID), 2, 3, 4, 6, 1e-3f, 11), 1.0);
    ck_assert_double_le(check_layer(maxpool2d_new(2, PAD_SAME), 2, 3, 5, 7, 1e-3f, 12), 1.0);
    ck_assert_double_le(check_layer(maxpool2d_new(3, PAD_SAME), 1, 2, 7, 5, 1e-3f, 13), 1.0);
}
END_TEST

START_TEST(gradcheck_upsample) {
    ck_assert_double_le(check_layer(upsample2d_new(2), 2, 3, 3, 4, 1e-2f, 14), 1.0);
    ck_assert_double_le(check_layer(upsample2d_new(3), 1, 2, 2, 3, 1e-2f, 15), 1.0);
}
END_TEST

static Suite *pool_suite(void) {
    Suite *s = suite_create("pool");
    TCase *tc = tcase_create("pool");
    tcase_add_test(tc, maxpool_4x4_by_hand);
    tcase_add_test(tc, maxpool_5x5_same_by_hand);
    tcase_add_test(tc, maxpool_5x5_valid_by_hand);
    tcase_add_test(tc, maxpool_tie_goes_to_first);
    tcase_add_test(tc, maxpool_matches_direct);
    tcase_add_test(tc, upsample_by_hand);
    tcase_add_test(tc, gradcheck_maxpool);
    tcase_add_test(tc, gradcheck_upsample);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(pool_suite)
