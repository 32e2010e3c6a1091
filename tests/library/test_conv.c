// test_conv.c: Conv2D and Conv2DTranspose against direct loop formulations, their sizes and parameter counts as
// Keras has them, finite-difference gradient checks, and the same results with one thread and with several.
//
// Tolerances:
//   - forward against the direct loops: |a - b| <= 1e-5 + 1e-5 |b| (the GEMM adds in another order than the loops,
//     in float; the references accumulate in double);
//   - gradient checks: gradcheck_defaults() (atol 1e-3, rtol 1e-2) with eps 1e-2. A convolution is linear in its
//     input and in its kernel, so the central difference has no truncation error and a larger step only shrinks
//     the float32 rounding error (about 1e-7 * |L| / eps); a wrong backward is off by O(1), far outside;
//   - one thread against two, and a repeat: exactly equal (the batch sums do not depend on the threads).
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check_main.h"
#include "gradcheck.h"
#include "im2col.h"
#include "layers/conv2d.h"
#include "layers/conv2d_transpose.h"
#include "layers/pool.h"
#include "layers/upsample.h"

#ifdef _OPENMP
#include <omp.h>
#endif

static void random_tensor(Tensor *t, int n, int c, int h, int w, Rng *rng) {
    tensor_init(t, n, c, h, w);
    for (size_t i = 0; i < tensor_size(t); i++) t->data[i] = rng_range(rng, -1.0f, 1.0f);
}

static void randomize(float *x, size_t n, Rng *rng) {
    for (size_t i = 0; i < n; i++) x[i] = rng_range(rng, -1.0f, 1.0f);
}

static void assert_close(const float *got, const double *want, size_t n, double tol, const char *what) {
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(fabs(got[i] - want[i]) <= tol + tol * fabs(want[i]), "%s[%zu]: got %.7g, want %.7g", what, i,
                      (double)got[i], want[i]);
}

// ---- Conv2D forward against the seven nested loops of its definition ---------------------------------------------

// out (N, OC, OH, OW) from in (N, C, H, W), w (OC, C, K, K), b (OC), accumulating in double.
static void conv2d_direct(double *out, const float *in, const float *w, const float *b, int N, int C, int H, int W,
                          int OC, int K, int stride, int pad_top, int pad_left, int OH, int OW) {
    for (int n = 0; n < N; n++)
        for (int oc = 0; oc < OC; oc++)
            for (int oh = 0; oh < OH; oh++)
                for (int ow = 0; ow < OW; ow++) {
                    double sum = b[oc];
                    for (int c = 0; c < C; c++)
                        for (int kh = 0; kh < K; kh++)
                            for (int kw = 0; kw < K; kw++) {
                                int ih = oh * stride + kh - pad_top, iw = ow * stride + kw - pad_left;
                                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                                sum += (double)w[((oc * C + c) * K + kh) * K + kw] *
                                       in[((n * C + c) * H + ih) * W + iw];
                            }
                    out[((n * OC + oc) * OH + oh) * OW + ow] = sum;
                }
}

// Keras's SAME/VALID sizes, written out independently of conv_out_size().
static void keras_conv_size(int in, int k, int stride, Padding pad, int *out, int *pad_before) {
    if (pad == PAD_VALID) { *out = (in - k) / stride + 1; *pad_before = 0; return; }
    *out = (in + stride - 1) / stride;
    int total = (*out - 1) * stride + k - in;
    *pad_before = total > 0 ? total / 2 : 0;
}

static void check_conv2d_forward(int K, int stride, Padding pad, int N, int C, int H, int W, int OC) {
    Rng rng;
    rng_seed(&rng, 100 + K * 10 + stride * 3 + pad);
    Layer *l = layer_build(conv2d_new(OC, K, stride, pad), C, H, W, &rng);
    int OH, OW, pt, pl;
    keras_conv_size(H, K, stride, pad, &OH, &pt);
    keras_conv_size(W, K, stride, pad, &OW, &pl);
    ck_assert_int_eq(l->out_c, OC);
    ck_assert_int_eq(l->out_h, OH);
    ck_assert_int_eq(l->out_w, OW);
    randomize(l->params[1].value, l->params[1].size, &rng);        // a nonzero bias, to see it added
    Tensor x, y = {0};
    random_tensor(&x, N, C, H, W, &rng);
    layer_forward(l, &y, &x, true);
    double *want = malloc(tensor_size(&y) * sizeof(double));
    conv2d_direct(want, x.data, l->params[0].value, l->params[1].value, N, C, H, W, OC, K, stride, pt, pl, OH, OW);
    char what[64];
    snprintf(what, sizeof what, "conv2d k%d s%d %s", K, stride, pad == PAD_SAME ? "same" : "valid");
    assert_close(y.data, want, tensor_size(&y), 1e-5, what);
    free(want);
    tensor_free(&x);
    tensor_free(&y);
    layer_free(l);
}

START_TEST(conv2d_forward_matches_direct) {
    // 5x7 inputs so that rows and columns, top and bottom padding, all differ.
    for (int K = 3; K <= 5; K += 2)
        for (int stride = 1; stride <= 2; stride++) {
            check_conv2d_forward(K, stride, PAD_SAME, 2, 3, 5, 7, 4);
            check_conv2d_forward(K, stride, PAD_VALID, 2, 3, 5, 7, 4);
        }
    check_conv2d_forward(1, 1, PAD_SAME, 2, 3, 5, 7, 4);           // the 1x1 path that skips im2col
    check_conv2d_forward(2, 2, PAD_SAME, 2, 3, 5, 7, 4);           // even kernel: SAME pads only bottom/right
    check_conv2d_forward(3, 3, PAD_SAME, 3, 2, 8, 6, 5);           // stride 3
}
END_TEST

START_TEST(conv_sizes_as_keras) {
    int out, pad;
    conv_out_size(28, 3, 1, 1, &out, &pad); ck_assert_int_eq(out, 28); ck_assert_int_eq(pad, 1);
    conv_out_size(28, 3, 2, 1, &out, &pad); ck_assert_int_eq(out, 14); ck_assert_int_eq(pad, 0);  // total 1: bottom
    conv_out_size(7, 2, 2, 1, &out, &pad);  ck_assert_int_eq(out, 4);  ck_assert_int_eq(pad, 0);
    conv_out_size(16, 3, 1, 0, &out, &pad); ck_assert_int_eq(out, 14); ck_assert_int_eq(pad, 0);
    conv_out_size(5, 5, 2, 1, &out, &pad);  ck_assert_int_eq(out, 3);  ck_assert_int_eq(pad, 2);  // total 4
    conv_out_size(2, 3, 1, 0, &out, &pad);  ck_assert_int_le(out, 0);                             // does not fit
}
END_TEST

// ---- Conv2DTranspose against the scatter of its definition ------------------------------------------------------

// out (N, OC, OH, OW): every input pixel adds in * w[c][oc] at its kernel's place, then the bias.
static void conv2d_transpose_direct(double *out, const float *in, const float *w, const float *b, int N, int C,
                                    int H, int W, int OC, int K, int stride, int pad_top, int pad_left, int OH,
                                    int OW) {
    for (int n = 0; n < N; n++)
        for (int oc = 0; oc < OC; oc++)
            for (int i = 0; i < OH * OW; i++) out[(size_t)(n * OC + oc) * OH * OW + i] = b[oc];
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++)
            for (int ih = 0; ih < H; ih++)
                for (int iw = 0; iw < W; iw++)
                    for (int oc = 0; oc < OC; oc++)
                        for (int kh = 0; kh < K; kh++)
                            for (int kw = 0; kw < K; kw++) {
                                int oh = ih * stride + kh - pad_top, ow = iw * stride + kw - pad_left;
                                if (oh < 0 || oh >= OH || ow < 0 || ow >= OW) continue;
                                out[((n * OC + oc) * OH + oh) * OW + ow] +=
                                    (double)in[((n * C + c) * H + ih) * W + iw] * w[((c * OC + oc) * K + kh) * K + kw];
                            }
}

static void check_conv2d_transpose_forward(int K, int stride, Padding pad, int N, int C, int H, int W, int OC,
                                           int want_oh, int want_ow) {
    Rng rng;
    rng_seed(&rng, 200 + K * 10 + stride * 3 + pad);
    Layer *l = layer_build(conv2d_transpose_new(OC, K, stride, pad), C, H, W, &rng);
    ck_assert_int_eq(l->out_c, OC);
    ck_assert_int_eq(l->out_h, want_oh);
    ck_assert_int_eq(l->out_w, want_ow);
    // Keras's padding: that of the Conv2D mapping (OH, OW) back to (H, W); SAME removes max(K - stride, 0) in all.
    int pt = 0, pl = 0;
    if (pad == PAD_SAME) pt = pl = (K > stride ? K - stride : 0) / 2;
    randomize(l->params[1].value, l->params[1].size, &rng);
    Tensor x, y = {0};
    random_tensor(&x, N, C, H, W, &rng);
    layer_forward(l, &y, &x, true);
    double *want = malloc(tensor_size(&y) * sizeof(double));
    conv2d_transpose_direct(want, x.data, l->params[0].value, l->params[1].value, N, C, H, W, OC, K, stride, pt, pl,
                            want_oh, want_ow);
    char what[64];
    snprintf(what, sizeof what, "conv2d_transpose k%d s%d %s", K, stride, pad == PAD_SAME ? "same" : "valid");
    assert_close(y.data, want, tensor_size(&y), 1e-5, what);
    free(want);
    tensor_free(&x);
    tensor_free(&y);
    layer_free(l);
}

START_TEST(conv2d_transpose_forward_matches_direct) {
    // Stride 2 with SAME doubles the image; VALID gives (in - 1)*stride + kernel.
    check_conv2d_transpose_forward(3, 2, PAD_SAME, 2, 3, 4, 5, 4, 8, 10);
    check_conv2d_transpose_forward(3, 2, PAD_VALID, 2, 3, 4, 5, 4, 9, 11);
    check_conv2d_transpose_forward(4, 2, PAD_SAME, 2, 3, 4, 5, 4, 8, 10);      // even kernel: pad 1 on each side
    check_conv2d_transpose_forward(5, 2, PAD_VALID, 2, 3, 3, 4, 4, 9, 11);
    check_conv2d_transpose_forward(3, 1, PAD_SAME, 2, 3, 5, 7, 4, 5, 7);
    check_conv2d_transpose_forward(3, 1, PAD_VALID, 2, 3, 5, 7, 4, 7, 9);
    check_conv2d_transpose_forward(1, 2, PAD_VALID, 2, 3, 3, 4, 2, 6, 8);      // Keras: in*stride when k < stride
    check_conv2d_transpose_forward(5, 3, PAD_SAME, 1, 2, 3, 3, 3, 9, 9);
}
END_TEST

// ---- gradient checks ---------------------------------------------------------------------------------------------

// Build `l` for an (n, c, h, w) input, give it a nonzero bias, check every gradient. Returns the worst ratio.
static double check_layer(Layer *l, int n, int c, int h, int w, uint64_t seed) {
    Rng rng;
    rng_seed(&rng, seed);
    Tensor x;
    random_tensor(&x, n, c, h, w, &rng);
    layer_build(l, c, h, w, &rng);
    if (l->nparams > 1) randomize(l->params[1].value, l->params[1].size, &rng);
    GradCheckOptions opt = gradcheck_defaults();
    opt.eps = 1e-2f;                                                // see the top of this file
    opt.max_checks = 0;                                             // every entry: the arrays are small
    opt.verbose = true;
    char report[1024];
    double worst = gradcheck_layer(l, &x, true, &opt, &rng, report, sizeof report);
    if (worst > 1.0) fprintf(stderr, "%s", report);
    layer_free(l);
    tensor_free(&x);
    return worst;
}

START_TEST(gradcheck_conv2d) {
    ck_assert_double_le(check_layer(conv2d_new(4, 3, 1, PAD_SAME), 2, 3, 5, 7, 1), 1.0);
    ck_assert_double_le(check_layer(conv2d_new(4, 3, 2, PAD_SAME), 2, 3, 5, 7, 2), 1.0);
    ck_assert_double_le(check_layer(conv2d_new(4, 3, 1, PAD_VALID), 2, 3, 5, 7, 3), 1.0);
    ck_assert_double_le(check_layer(conv2d_new(4, 5, 2, PAD_VALID), 2, 3, 7, 9, 4), 1.0);
    ck_assert_double_le(check_layer(conv2d_new(3, 5, 2, PAD_SAME), 3, 2, 6, 5, 5), 1.0);
    ck_assert_double_le(check_layer(conv2d_new(5, 1, 1, PAD_SAME), 2, 3, 4, 4, 6), 1.0);   // 1x1
    ck_assert_double_le(check_layer(conv2d_new(2, 2, 2, PAD_SAME), 2, 3, 5, 5, 7), 1.0);   // even kernel
    // Stride 1 with fewer output than input channels: din as a full convolution of dout (see conv2d.c).
    ck_assert_double_le(check_layer(conv2d_new(2, 3, 1, PAD_SAME), 2, 3, 5, 7, 8), 1.0);
    ck_assert_double_le(check_layer(conv2d_new(1, 3, 1, PAD_VALID), 2, 4, 6, 7, 9), 1.0);
    ck_assert_double_le(check_layer(conv2d_new(2, 2, 1, PAD_SAME), 2, 3, 5, 6, 10), 1.0);
    ck_assert_double_le(check_layer(conv2d_new(3, 5, 1, PAD_SAME), 2, 4, 6, 5, 11), 1.0);
}
END_TEST

START_TEST(gradcheck_conv2d_transpose) {
    ck_assert_double_le(check_layer(conv2d_transpose_new(4, 3, 2, PAD_SAME), 2, 3, 4, 5, 11), 1.0);
    ck_assert_double_le(check_layer(conv2d_transpose_new(4, 3, 2, PAD_VALID), 2, 3, 4, 5, 12), 1.0);
    ck_assert_double_le(check_layer(conv2d_transpose_new(3, 3, 1, PAD_SAME), 2, 3, 5, 7, 13), 1.0);
    ck_assert_double_le(check_layer(conv2d_transpose_new(2, 4, 2, PAD_SAME), 2, 3, 3, 3, 14), 1.0);
    ck_assert_double_le(check_layer(conv2d_transpose_new(2, 1, 2, PAD_VALID), 2, 3, 3, 4, 15), 1.0);
}
END_TEST

// ---- backward details --------------------------------------------------------------------------------------------

// Backward adds to the parameter gradients (so that gradients of several losses or batches can be summed), and a
// NULL din changes nothing else.
START_TEST(conv2d_backward_accumulates_and_din_optional) {
    Rng rng;
    rng_seed(&rng, 31);
    Layer *l = layer_build(conv2d_new(4, 3, 1, PAD_SAME), 2, 6, 6, &rng);
    Tensor x, y = {0}, dy, dx = {0};
    random_tensor(&x, 3, 2, 6, 6, &rng);
    layer_forward(l, &y, &x, true);
    random_tensor(&dy, 3, 4, 6, 6, &rng);
    layer_zero_grad(l);
    layer_backward(l, &dx, &dy);
    size_t nw = l->params[0].size;
    float *once = malloc((nw + 4) * sizeof(float));
    for (size_t i = 0; i < nw; i++) once[i] = l->params[0].grad[i];
    for (int i = 0; i < 4; i++) once[nw + i] = l->params[1].grad[i];
    layer_backward(l, NULL, &dy);                                   // second call, without din
    for (size_t i = 0; i < nw; i++) ck_assert_float_eq_tol(l->params[0].grad[i], 2 * once[i], 1e-5f);
    for (int i = 0; i < 4; i++) ck_assert_float_eq_tol(l->params[1].grad[i], 2 * once[nw + i], 1e-5f);
    free(once);
    tensor_free(&x); tensor_free(&y); tensor_free(&dy); tensor_free(&dx);
    layer_free(l);
}
END_TEST

// With OpenMP the batch is split across threads, but the gradient sums are formed in fixed pieces of the batch
// (CONV_BATCH_CHUNKS) whatever the threads: one thread, two threads and a repeat must agree exactly.
START_TEST(conv_threads_agree) {
#ifdef _OPENMP
    Rng rng;
    rng_seed(&rng, 32);
    // Big enough to pass CONV_PARALLEL_MIN_WORK; both ways to din (col2im, full convolution) and the transpose.
    Layer *layers[3] = {layer_build(conv2d_new(5, 3, 1, PAD_SAME), 3, 12, 12, &rng),
                        layer_build(conv2d_new(2, 3, 1, PAD_SAME), 3, 12, 12, &rng),
                        layer_build(conv2d_transpose_new(5, 3, 2, PAD_SAME), 3, 12, 12, &rng)};
    for (int li = 0; li < 3; li++) {
        Layer *l = layers[li];
        Tensor x, y = {0}, dy, dx = {0};
        random_tensor(&x, 12, 3, 12, 12, &rng);
        random_tensor(&dy, 12, l->out_c, l->out_h, l->out_w, &rng);
        float *got[3][3];                                           // [run][y, dx, dw]
        int threads[3] = {1, 2, 2};
        int saved = omp_get_max_threads();
        for (int run = 0; run < 3; run++) {
            omp_set_num_threads(threads[run]);
            layer_forward(l, &y, &x, true);
            layer_zero_grad(l);
            layer_backward(l, &dx, &dy);
            size_t sizes[3] = {tensor_size(&y), tensor_size(&dx), l->params[0].size};
            const float *src[3] = {y.data, dx.data, l->params[0].grad};
            for (int k = 0; k < 3; k++) {
                got[run][k] = malloc(sizes[k] * sizeof(float));
                for (size_t i = 0; i < sizes[k]; i++) got[run][k][i] = src[k][i];
            }
        }
        omp_set_num_threads(saved);
        size_t sizes[3] = {tensor_size(&y), tensor_size(&dx), l->params[0].size};
        for (int k = 0; k < 3; k++)
            for (size_t i = 0; i < sizes[k]; i++) {
                ck_assert_float_eq(got[0][k][i], got[1][k][i]);
                ck_assert_float_eq(got[1][k][i], got[2][k][i]);
            }
        for (int run = 0; run < 3; run++)
            for (int k = 0; k < 3; k++) free(got[run][k]);
        tensor_free(&x); tensor_free(&y); tensor_free(&dy); tensor_free(&dx);
        layer_free(l);
    }
#endif
}
END_TEST

// ---- parameter counts and shapes as Keras reports them ------------------------------------------------------------

START_TEST(param_counts_as_keras) {
    Rng rng;
    rng_seed(&rng, 41);
    Layer *l = layer_build(conv2d_new(16, 3, 1, PAD_SAME), 1, 28, 28, &rng);
    ck_assert_uint_eq(layer_param_count(l), 160);                   // 3*3*1*16 + 16
    ck_assert_str_eq(l->ops->kind, "Conv2D");
    ck_assert_int_eq(l->params[0].shape[0], 16);                    // (filters, in_c, kh, kw)
    ck_assert_int_eq(l->params[0].shape[1], 1);
    layer_free(l);
    l = layer_build(conv2d_new(32, 3, 2, PAD_SAME), 16, 14, 14, &rng);
    ck_assert_uint_eq(layer_param_count(l), 4640);                  // 3*3*16*32 + 32
    layer_free(l);
    l = layer_build(conv2d_transpose_new(32, 3, 2, PAD_SAME), 64, 7, 7, &rng);
    ck_assert_uint_eq(layer_param_count(l), 18464);                 // 3*3*64*32 + 32
    ck_assert_str_eq(l->ops->kind, "Conv2DTranspose");
    ck_assert_int_eq(l->params[0].shape[0], 64);                    // (in_c, filters, kh, kw)
    ck_assert_int_eq(l->params[0].shape[1], 32);
    ck_assert_int_eq(l->out_h, 14);
    layer_free(l);

    // Glorot-uniform bound sqrt(6 / (fan_in + fan_out)) with fans in_c*k*k and filters*k*k.
    l = layer_build(conv2d_new(8, 3, 1, PAD_SAME), 16, 14, 14, &rng);
    float limit = sqrtf(6.0f / (16 * 9 + 8 * 9)), big = 0.0f;
    for (size_t i = 0; i < l->params[0].size; i++) big = fmaxf(big, fabsf(l->params[0].value[i]));
    ck_assert_float_le(big, limit);
    ck_assert_float_ge(big, 0.9f * limit);                          // 1152 draws: the largest is near the bound
    for (int i = 0; i < 8; i++) ck_assert_float_eq(l->params[1].value[i], 0.0f);
    layer_free(l);
}
END_TEST

// The course's convolutional autoencoder, layer by layer: output shapes and Keras's total of 3,805 parameters.
START_TEST(conv_autoencoder_shapes) {
    Rng rng;
    rng_seed(&rng, 42);
    Layer *net[] = {conv2d_new(16, 3, 1, PAD_SAME), maxpool2d_new(2, PAD_SAME), conv2d_new(8, 3, 1, PAD_SAME),
                    maxpool2d_new(2, PAD_SAME),     conv2d_new(4, 3, 1, PAD_SAME), maxpool2d_new(2, PAD_SAME),
                    conv2d_new(8, 3, 1, PAD_SAME),  upsample2d_new(2),             conv2d_new(8, 3, 1, PAD_SAME),
                    upsample2d_new(2),              conv2d_new(16, 3, 1, PAD_VALID), upsample2d_new(2),
                    conv2d_new(1, 3, 1, PAD_SAME)};
    int want_hw[] = {28, 14, 14, 7, 7, 4, 4, 8, 8, 16, 14, 28, 28};
    int c = 1, h = 28, w = 28;
    size_t total = 0;
    for (size_t i = 0; i < sizeof net / sizeof net[0]; i++) {
        layer_build(net[i], c, h, w, &rng);
        c = net[i]->out_c; h = net[i]->out_h; w = net[i]->out_w;
        ck_assert_int_eq(h, want_hw[i]);
        ck_assert_int_eq(w, want_hw[i]);
        total += layer_param_count(net[i]);
        layer_free(net[i]);
    }
    ck_assert_int_eq(c, 1);
    ck_assert_uint_eq(total, 3805);
}
END_TEST

static Suite *conv_suite(void) {
    Suite *s = suite_create("conv");
    TCase *tc = tcase_create("conv");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, conv2d_forward_matches_direct);
    tcase_add_test(tc, conv_sizes_as_keras);
    tcase_add_test(tc, conv2d_transpose_forward_matches_direct);
    tcase_add_test(tc, gradcheck_conv2d);
    tcase_add_test(tc, gradcheck_conv2d_transpose);
    tcase_add_test(tc, conv2d_backward_accumulates_and_din_optional);
    tcase_add_test(tc, conv_threads_agree);
    tcase_add_test(tc, param_counts_as_keras);
    tcase_add_test(tc, conv_autoencoder_shapes);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(conv_suite)
