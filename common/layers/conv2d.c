// conv2d.c: convolution as im2col + GEMM, one sample per thread (see conv2d.h for the formula).
//
// Why split the batch and not the GEMM: the channel counts of this course are small (1 to 64), so each sample's
// GEMM is small too (OC rows, C*KH*KW deep) and im2col/col2im move as many bytes as the GEMM does arithmetic.
// Giving each thread whole samples keeps its col slice hot in its own cache, and needs no synchronisation until
// the parameter gradients are summed at the end.
//
// Each thread's slice of the workspace:
//
//   work: [ col (K, P) | dw part (OC, K) | db part (OC) ]  [ same for thread 1 ]  ...      K = C*KH*KW, P = OH*OW
#include "conv2d.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "im2col.h"

// Floats in one thread's slice of the workspace.
static size_t slice_floats(int C, int OC, int KH, int KW, int OH, int OW) {
    size_t K = (size_t)C * KH * KW;
    return K * OH * OW + (size_t)OC * K + OC;
}

size_t conv2d_work_floats(int C, int OC, int KH, int KW, int OH, int OW) {
    return (size_t)conv_threads() * slice_floats(C, OC, KH, KW, OH, OW);
}

// A 1x1 kernel with stride 1 and no padding reads each pixel once: col_n would be a copy of in_n, so use in_n.
static int is_pointwise(int KH, int KW, int stride, int pad_top, int pad_left) {
    return KH == 1 && KW == 1 && stride == 1 && pad_top == 0 && pad_left == 0;
}

void conv2d_forward(float *out, const float *in, const float *w, const float *b, float *work,
                    int N, int C, int H, int W, int OC, int KH, int KW, int stride, int pad_top, int pad_left,
                    int OH, int OW) {
    const int K = C * KH * KW, P = OH * OW;
    const size_t slice = slice_floats(C, OC, KH, KW, OH, OW);
    const int pointwise = is_pointwise(KH, KW, stride, pad_top, pad_left);
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) {
        const float *in_n = in + (size_t)n * C * H * W;             // (C, H, W)
        float *out_n = out + (size_t)n * OC * P;                    // (OC, OH*OW)
        float *col = work + (size_t)conv_thread_id() * slice;      // (K, P)
        if (pointwise) col = (float *)in_n;                         // read only, below
        else im2col(col, in_n, C, H, W, KH, KW, stride, pad_top, pad_left, OH, OW);
        for (int oc = 0; oc < OC; oc++)                             // out_n = b, broadcast over pixels ...
            for (int p = 0; p < P; p++) out_n[(size_t)oc * P + p] = b[oc];
        gemm(false, false, OC, P, K, 1.0f, w, K, col, P, 1.0f, out_n, P);   // ... += w @ col_n
    }
}

void conv2d_backward(float *din, float *dw, float *db, const float *dout, const float *in, const float *w,
                     float *work, int N, int C, int H, int W, int OC, int KH, int KW, int stride, int pad_top,
                     int pad_left, int OH, int OW) {
    const int K = C * KH * KW, P = OH * OW;
    const size_t slice = slice_floats(C, OC, KH, KW, OH, OW);
    const int pointwise = is_pointwise(KH, KW, stride, pad_top, pad_left);
    const int threads = conv_threads();
    for (int t = 0; t < threads; t++)                               // every thread's partial sums start at 0
        memset(work + (size_t)t * slice + (size_t)K * P, 0, ((size_t)OC * K + OC) * sizeof(float));

#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) {
        const float *in_n = in + (size_t)n * C * H * W;             // (C, H, W)
        const float *dout_n = dout + (size_t)n * OC * P;            // (OC, OH*OW)
        float *col = work + (size_t)conv_thread_id() * slice;      // (K, P)
        float *dw_part = col + (size_t)K * P;                       // (OC, K)
        float *db_part = dw_part + (size_t)OC * K;                  // (OC)
        // forward: out_n = w @ col_n + b
        const float *col_in = in_n;
        if (!pointwise) { im2col(col, in_n, C, H, W, KH, KW, stride, pad_top, pad_left, OH, OW); col_in = col; }
        gemm(false, true, OC, K, P, 1.0f, dout_n, P, col_in, P, 1.0f, dw_part, K);  // => dw += dout_n @ col_n^T
        for (int oc = 0; oc < OC; oc++) {                                            // => db += sum_p dout_n
            float sum = 0.0f;
            for (int p = 0; p < P; p++) sum += dout_n[(size_t)oc * P + p];
            db_part[oc] += sum;
        }
        if (!din) continue;
        float *din_n = din + (size_t)n * C * H * W;                 // (C, H, W)
        if (pointwise) {                                            // => din_n = w^T @ dout_n, directly
            gemm(true, false, K, P, OC, 1.0f, w, K, dout_n, P, 0.0f, din_n, P);
        } else {                                                    // => dcol_n = w^T @ dout_n (reusing col),
            gemm(true, false, K, P, OC, 1.0f, w, K, dout_n, P, 0.0f, col, P);
            col2im(din_n, col, C, H, W, KH, KW, stride, pad_top, pad_left, OH, OW);  //  din_n = col2im(dcol_n)
        }
    }

    for (int t = 0; t < threads; t++) {                             // add the partial sums in thread order
        const float *dw_part = work + (size_t)t * slice + (size_t)K * P;
        const float *db_part = dw_part + (size_t)OC * K;
        for (size_t i = 0; i < (size_t)OC * K; i++) dw[i] += dw_part[i];
        for (int oc = 0; oc < OC; oc++) db[oc] += db_part[oc];
    }
}

// ---- the layer ----------------------------------------------------------------------------------------------------

typedef struct {
    Layer base;
    int filters, kernel, stride;
    Padding pad;
    int pad_top, pad_left;      // set by build from the input size
    float *work;                // kernels' scratch, work_cap floats, grown on demand
    size_t work_cap;
} Conv2D;

static float *workspace(Conv2D *cv) {
    const Layer *l = &cv->base;
    size_t need = conv2d_work_floats(l->in_c, l->out_c, cv->kernel, cv->kernel, l->out_h, l->out_w);
    if (need > cv->work_cap) {
        free(cv->work);
        cv->work = xmalloc(need * sizeof(float));
        cv->work_cap = need;
    }
    return cv->work;
}

static void build(Layer *l, Rng *rng) {
    Conv2D *cv = (Conv2D *)l;
    int k = cv->kernel, same = cv->pad == PAD_SAME;
    conv_out_size(l->in_h, k, cv->stride, same, &l->out_h, &cv->pad_top);
    conv_out_size(l->in_w, k, cv->stride, same, &l->out_w, &cv->pad_left);
    l->out_c = cv->filters;
    layer_add_param(l, "kernel", 4, cv->filters, l->in_c, k, k);
    layer_add_param(l, "bias", 1, cv->filters, 1, 1, 1);
    init_glorot_uniform(l->params[0].value, l->params[0].size, l->in_c * k * k, cv->filters * k * k, rng);
}

static void forward(Layer *l, Tensor *out, const Tensor *in, bool training) {
    Conv2D *cv = (Conv2D *)l;
    conv2d_forward(out->data, in->data, l->params[0].value, l->params[1].value, workspace(cv),
                   in->n, l->in_c, l->in_h, l->in_w, l->out_c, cv->kernel, cv->kernel, cv->stride,
                   cv->pad_top, cv->pad_left, l->out_h, l->out_w);
}

static void backward(Layer *l, Tensor *din, const Tensor *dout) {
    Conv2D *cv = (Conv2D *)l;
    conv2d_backward(din ? din->data : NULL, l->params[0].grad, l->params[1].grad, dout->data, l->in->data,
                    l->params[0].value, workspace(cv), dout->n, l->in_c, l->in_h, l->in_w, l->out_c,
                    cv->kernel, cv->kernel, cv->stride, cv->pad_top, cv->pad_left, l->out_h, l->out_w);
}

static void destroy(Layer *l) {
    free(((Conv2D *)l)->work);
}

static const LayerOps CONV2D_OPS = {"Conv2D", build, forward, backward, destroy};

Layer *conv2d_new(int filters, int kernel, int stride, Padding pad) {
    assert(filters >= 1 && kernel >= 1 && stride >= 1);
    Conv2D *cv = (Conv2D *)layer_alloc(sizeof(Conv2D), &CONV2D_OPS);
    cv->filters = filters;
    cv->kernel = kernel;
    cv->stride = stride;
    cv->pad = pad;
    return &cv->base;
}
