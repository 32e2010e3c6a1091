// conv2d.c: convolution as im2col + GEMM, the batch split across threads (see conv2d.h for the formula).
//
// Why split the batch and not the GEMM: the channel counts of this course are small (1 to 64), so each sample's
// GEMM is small too (OC rows, C*KH*KW deep) and im2col/col2im move as many bytes as the GEMM does arithmetic.
// Giving each thread whole samples keeps its col hot in its own cache, and needs no synchronisation until the
// parameter gradients are summed at the end.
//
// Two ways to the input gradient. The forward line out_n = w @ col_n gives dcol_n = w^T @ dout_n, and col2im adds
// each entry of dcol_n back onto the pixel it was copied from: the textbook way, and the one for strides above 1.
// But dcol_n is as big as col_n, (C*KH*KW, OH*OW): 144 x 784 floats per sample for the last layer of the
// convolutional autoencoder (16 channels in, 1 out), all written by the GEMM and read back by col2im.
// For stride 1 there is a shortcut. Each input pixel's gradient collects dout at every output pixel it fed:
//
//   din[c][ih][iw] = sum over oc, kh, kw of w[oc][c][kh][kw] * dout[oc][ih + pad_top - kh][iw + pad_left - kw]
//
// and that is itself a convolution: of dout, with the kernel flipped (kh -> KH-1-kh, kw -> KW-1-kw), its channel
// axes swapped (OC in, C out) and padding KH-1-pad_top on top (a "full" convolution). So it is one im2col and one
// GEMM too, on a column matrix of (OC*KH*KW, H*W): OC/C times the size of dcol_n. backward takes this way when
// the stride is 1 and that matrix is the smaller of the two.
//
// Sums over the batch (dw, db) are cut into CONV_BATCH_CHUNKS fixed pieces of consecutive samples, each summed
// into its own partial, and the partials are added in order at the end. Threads take pieces as they come free,
// but which samples are summed together, and in what order, never depends on the threads: the gradients come out
// the same, bit for bit, with 1, 2 or 16 threads, or without OpenMP.
//
// The workspace: the flipped kernel, one col per thread, one partial sum per piece of the batch:
//
//   work: [ wflip (C, OC, KH, KW) ][ col ][ col ] ... (threads) [ dw (OC, K) | db (OC) ][ ... ] ... (pieces)
//
//   K = C*KH*KW, P = OH*OW; col holds the larger of the input's column matrix (K, P) and dout's (OC*KH*KW, H*W).
#include "conv2d.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "im2col.h"

// Floats in one thread's col, in one piece's partial sums, and in the whole workspace.
static size_t col_floats(int C, int H, int W, int OC, int KH, int KW, int OH, int OW) {
    size_t rows_in = (size_t)C * OH * OW, rows_out = (size_t)OC * H * W;
    return (rows_in > rows_out ? rows_in : rows_out) * KH * KW;
}

static size_t part_floats(int C, int OC, int KH, int KW) {
    return (size_t)OC * C * KH * KW + OC;
}

size_t conv2d_work_floats(int C, int H, int W, int OC, int KH, int KW, int OH, int OW) {
    return (size_t)OC * C * KH * KW + (size_t)conv_threads() * col_floats(C, H, W, OC, KH, KW, OH, OW) +
           (size_t)CONV_BATCH_CHUNKS * part_floats(C, OC, KH, KW);
}

// A 1x1 kernel with stride 1 and no padding reads each pixel once: col_n would be a copy of in_n, so use in_n.
static int is_pointwise(int KH, int KW, int stride, int pad_top, int pad_left) {
    return KH == 1 && KW == 1 && stride == 1 && pad_top == 0 && pad_left == 0;
}

// The input gradient as a full convolution of dout (see the top of the file): stride 1, and its column matrix
// (OC*KH*KW, H*W) no larger than dcol_n (C*KH*KW, OH*OW).
static int din_by_full_conv(int C, int H, int W, int OC, int stride, int OH, int OW) {
    return stride == 1 && (size_t)OC * H * W <= (size_t)C * OH * OW;
}

void conv2d_forward(float *out, const float *in, const float *w, const float *b, float *work,
                    int N, int C, int H, int W, int OC, int KH, int KW, int stride, int pad_top, int pad_left,
                    int OH, int OW) {
    const int K = C * KH * KW, P = OH * OW;
    const size_t col_size = col_floats(C, H, W, OC, KH, KW, OH, OW);
    const int pointwise = is_pointwise(KH, KW, stride, pad_top, pad_left);
    float *cols = work + (size_t)OC * K;                            // after the (here unused) flipped kernel
    // No sums across samples here, so any split of the batch gives the same result: the cheapest, static.
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if ((size_t)N * OC * P * K >= CONV_PARALLEL_MIN_WORK)
#endif
    for (int n = 0; n < N; n++) {
        const float *in_n = in + (size_t)n * C * H * W;             // (C, H, W)
        float *out_n = out + (size_t)n * OC * P;                    // (OC, OH*OW)
        float *col = cols + (size_t)conv_thread_id() * col_size;   // (K, P)
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
    const int K = C * KH * KW, P = OH * OW, KK = KH * KW;
    const size_t col_size = col_floats(C, H, W, OC, KH, KW, OH, OW), part_size = part_floats(C, OC, KH, KW);
    const int pointwise = is_pointwise(KH, KW, stride, pad_top, pad_left);
    const int full_conv = !pointwise && din_by_full_conv(C, H, W, OC, stride, OH, OW);
    const int pieces = N < CONV_BATCH_CHUNKS ? N : CONV_BATCH_CHUNKS;
    float *wflip = work;                                            // (C, OC, KH, KW)
    float *cols = wflip + (size_t)OC * K;                           // one (K, P) per thread
    float *parts = cols + (size_t)conv_threads() * col_size;       // one dw, db per piece
    if (din && full_conv)                                           // wflip[c][oc][kh][kw] =
        for (int oc = 0; oc < OC; oc++)                             //   w[oc][c][KH-1-kh][KW-1-kw]
            for (int c = 0; c < C; c++)                             // (k = kh*KW + kw runs backwards)
                for (int k = 0; k < KK; k++)
                    wflip[((size_t)c * OC + oc) * KK + k] = w[((size_t)oc * C + c) * KK + KK - 1 - k];

#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) if ((size_t)N * OC * P * K >= CONV_PARALLEL_MIN_WORK)
#endif
    for (int piece = 0; piece < pieces; piece++) {
        float *col = cols + (size_t)conv_thread_id() * col_size;   // (K, P), this thread's
        float *dw_part = parts + (size_t)piece * part_size;         // (OC, K), this piece's
        float *db_part = dw_part + (size_t)OC * K;                  // (OC)
        memset(dw_part, 0, part_size * sizeof(float));
        for (int n = piece * N / pieces; n < (piece + 1) * N / pieces; n++) {
            const float *in_n = in + (size_t)n * C * H * W;         // (C, H, W)
            const float *dout_n = dout + (size_t)n * OC * P;        // (OC, OH*OW)
            // forward: out_n = w @ col_n + b
            const float *col_in = in_n;
            if (!pointwise) { im2col(col, in_n, C, H, W, KH, KW, stride, pad_top, pad_left, OH, OW); col_in = col; }
            gemm(false, true, OC, K, P, 1.0f, dout_n, P, col_in, P, 1.0f, dw_part, K);  // => dw += dout_n @ col_n^T
            for (int oc = 0; oc < OC; oc++) db_part[oc] += conv_sum(dout_n + (size_t)oc * P, P);  // => db += sum dout_n
            if (!din) continue;
            float *din_n = din + (size_t)n * C * H * W;             // (C, H, W)
            if (pointwise) {                                        // => din_n = w^T @ dout_n, directly
                gemm(true, false, K, P, OC, 1.0f, w, K, dout_n, P, 0.0f, din_n, P);
            } else if (full_conv) {                                 // => din_n = wflip @ im2col(dout_n, full pad)
                im2col(col, dout_n, OC, OH, OW, KH, KW, 1, KH - 1 - pad_top, KW - 1 - pad_left, H, W);
                gemm(false, false, C, H * W, OC * KK, 1.0f, wflip, OC * KK, col, H * W, 0.0f, din_n, H * W);
            } else {                                                // => dcol_n = w^T @ dout_n (reusing col),
                gemm(true, false, K, P, OC, 1.0f, w, K, dout_n, P, 0.0f, col, P);
                col2im(din_n, col, C, H, W, KH, KW, stride, pad_top, pad_left, OH, OW);  // din_n = col2im(dcol_n)
            }
        }
    }

    for (int piece = 0; piece < pieces; piece++) {                  // add the partial sums in order
        const float *dw_part = parts + (size_t)piece * part_size;
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
    size_t need = conv2d_work_floats(l->in_c, l->in_h, l->in_w, l->out_c, cv->kernel, cv->kernel, l->out_h, l->out_w);
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
