// conv2d_transpose.c: the transposed convolution as GEMM + col2im, the batch split across threads (see the header).
//
// Forward and backward are conv2d's backward and forward with the roles of input and output swapped:
//
//   conv2d            forward: im2col, GEMM          backward: GEMM, col2im
//   conv2d_transpose  forward: GEMM, col2im          backward: im2col, GEMM
//
// The batch sums of backward are formed in CONV_BATCH_CHUNKS fixed pieces, as in conv2d.c, so that they do not
// depend on the number of threads. The workspace: one col per thread, one partial sum per piece of the batch:
//
//   work: [ col (K, P) ][ col ] ... (threads) [ dw (C, K) | db (OC) ][ ... ] ... (pieces)   K = OC*KH*KW, P = H*W
#include "conv2d_transpose.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "im2col.h"

void conv2d_transpose_out_size(int in, int k, int stride, int same, int *out, int *pad_before) {
    if (same) {
        *out = in * stride;
        int total = k - stride;                                     // (in-1)*stride + k - out
        *pad_before = total > 0 ? total / 2 : 0;
    } else {
        *out = in * stride + (k > stride ? k - stride : 0);
        *pad_before = 0;
    }
}

// Floats in one thread's col and in one piece's partial sums.
static size_t col_floats(int OC, int KH, int KW, int H, int W) {
    return (size_t)OC * KH * KW * H * W;
}

static size_t part_floats(int C, int OC, int KH, int KW) {
    return (size_t)C * OC * KH * KW + OC;
}

size_t conv2d_transpose_work_floats(int C, int OC, int KH, int KW, int H, int W) {
    return (size_t)conv_threads() * col_floats(OC, KH, KW, H, W) +
           (size_t)CONV_BATCH_CHUNKS * part_floats(C, OC, KH, KW);
}

void conv2d_transpose_forward(float *out, const float *in, const float *w, const float *b, float *work,
                              int N, int C, int H, int W, int OC, int KH, int KW, int stride, int pad_top,
                              int pad_left, int OH, int OW) {
    const int K = OC * KH * KW, P = H * W;
    const size_t col_size = col_floats(OC, KH, KW, H, W);
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if ((size_t)N * C * P * K >= CONV_PARALLEL_MIN_WORK)
#endif
    for (int n = 0; n < N; n++) {
        const float *in_n = in + (size_t)n * C * P;                 // (C, H*W)
        float *out_n = out + (size_t)n * OC * OH * OW;              // (OC, OH, OW)
        float *col = work + (size_t)conv_thread_id() * col_size;   // (K, P)
        gemm(true, false, K, P, C, 1.0f, w, K, in_n, P, 0.0f, col, P);               // col_n = w^T @ in_n
        col2im(out_n, col, OC, OH, OW, KH, KW, stride, pad_top, pad_left, H, W);     // out_n = col2im(col_n)
        for (int oc = 0; oc < OC; oc++)                                              //        + b
            for (int p = 0; p < OH * OW; p++) out_n[(size_t)oc * OH * OW + p] += b[oc];
    }
}

void conv2d_transpose_backward(float *din, float *dw, float *db, const float *dout, const float *in, const float *w,
                               float *work, int N, int C, int H, int W, int OC, int KH, int KW, int stride,
                               int pad_top, int pad_left, int OH, int OW) {
    const int K = OC * KH * KW, P = H * W, OP = OH * OW;
    const size_t col_size = col_floats(OC, KH, KW, H, W), part_size = part_floats(C, OC, KH, KW);
    const int pieces = N < CONV_BATCH_CHUNKS ? N : CONV_BATCH_CHUNKS;
    float *parts = work + (size_t)conv_threads() * col_size;       // one dw, db per piece

#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) if ((size_t)N * C * P * K >= CONV_PARALLEL_MIN_WORK)
#endif
    for (int piece = 0; piece < pieces; piece++) {
        float *col = work + (size_t)conv_thread_id() * col_size;   // (K, P), this thread's
        float *dw_part = parts + (size_t)piece * part_size;         // (C, K), this piece's
        float *db_part = dw_part + (size_t)C * K;                   // (OC)
        memset(dw_part, 0, part_size * sizeof(float));
        for (int n = piece * N / pieces; n < (piece + 1) * N / pieces; n++) {
            const float *in_n = in + (size_t)n * C * P;             // (C, H*W)
            const float *dout_n = dout + (size_t)n * OC * OP;       // (OC, OH, OW)
            // forward: out_n = col2im(col_n) + b, col_n = w^T @ in_n
            im2col(col, dout_n, OC, OH, OW, KH, KW, stride, pad_top, pad_left, H, W);   // => dcol_n = im2col(dout_n)
            gemm(false, true, C, K, P, 1.0f, in_n, P, col, P, 1.0f, dw_part, K);        // => dw += in_n @ dcol_n^T
            for (int oc = 0; oc < OC; oc++) db_part[oc] += conv_sum(dout_n + (size_t)oc * OP, OP);  // => db += sum
            if (din)                                                                     // => din_n = w @ dcol_n
                gemm(false, false, C, P, K, 1.0f, w, K, col, P, 0.0f, din + (size_t)n * C * P, P);
        }
    }

    for (int piece = 0; piece < pieces; piece++) {                  // add the partial sums in order
        const float *dw_part = parts + (size_t)piece * part_size;
        const float *db_part = dw_part + (size_t)C * K;
        for (size_t i = 0; i < (size_t)C * K; i++) dw[i] += dw_part[i];
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
} Conv2DTranspose;

static float *workspace(Conv2DTranspose *ct) {
    const Layer *l = &ct->base;
    size_t need = conv2d_transpose_work_floats(l->in_c, l->out_c, ct->kernel, ct->kernel, l->in_h, l->in_w);
    if (need > ct->work_cap) {
        free(ct->work);
        ct->work = xmalloc(need * sizeof(float));
        ct->work_cap = need;
    }
    return ct->work;
}

static void build(Layer *l, Rng *rng) {
    Conv2DTranspose *ct = (Conv2DTranspose *)l;
    int k = ct->kernel, same = ct->pad == PAD_SAME;
    conv2d_transpose_out_size(l->in_h, k, ct->stride, same, &l->out_h, &ct->pad_top);
    conv2d_transpose_out_size(l->in_w, k, ct->stride, same, &l->out_w, &ct->pad_left);
    l->out_c = ct->filters;
    layer_add_param(l, "kernel", 4, l->in_c, ct->filters, k, k);
    layer_add_param(l, "bias", 1, ct->filters, 1, 1, 1);
    // Keras reads the fans off its (KH, KW, OC, C) kernel: fan_in = OC*k*k, fan_out = C*k*k.
    init_glorot_uniform(l->params[0].value, l->params[0].size, ct->filters * k * k, l->in_c * k * k, rng);
}

static void forward(Layer *l, Tensor *out, const Tensor *in, bool training) {
    Conv2DTranspose *ct = (Conv2DTranspose *)l;
    conv2d_transpose_forward(out->data, in->data, l->params[0].value, l->params[1].value, workspace(ct),
                             in->n, l->in_c, l->in_h, l->in_w, l->out_c, ct->kernel, ct->kernel, ct->stride,
                             ct->pad_top, ct->pad_left, l->out_h, l->out_w);
}

static void backward(Layer *l, Tensor *din, const Tensor *dout) {
    Conv2DTranspose *ct = (Conv2DTranspose *)l;
    conv2d_transpose_backward(din ? din->data : NULL, l->params[0].grad, l->params[1].grad, dout->data,
                              l->in->data, l->params[0].value, workspace(ct), dout->n, l->in_c, l->in_h, l->in_w,
                              l->out_c, ct->kernel, ct->kernel, ct->stride, ct->pad_top, ct->pad_left,
                              l->out_h, l->out_w);
}

static void destroy(Layer *l) {
    free(((Conv2DTranspose *)l)->work);
}

static const LayerOps CONV2D_TRANSPOSE_OPS = {"Conv2DTranspose", build, forward, backward, destroy};

Layer *conv2d_transpose_new(int filters, int kernel, int stride, Padding pad) {
    assert(filters >= 1 && kernel >= 1 && stride >= 1);
    Conv2DTranspose *ct = (Conv2DTranspose *)layer_alloc(sizeof(Conv2DTranspose), &CONV2D_TRANSPOSE_OPS);
    ct->filters = filters;
    ct->kernel = kernel;
    ct->stride = stride;
    ct->pad = pad;
    return &ct->base;
}
