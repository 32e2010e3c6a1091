// pool.c: max pooling with the winners remembered for backward (see pool.h).
//
// Both kernels work on whole (H, W) channel planes, one plane per loop iteration, so the N*C planes of a batch are
// split across OpenMP threads with no two threads touching the same memory.
#include "pool.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "im2col.h"

void maxpool2d_forward(float *out, int *argmax, const float *in, int N, int C, int H, int W, int pool, int stride,
                       int pad_top, int pad_left, int OH, int OW) {
#pragma omp parallel for schedule(static)
    for (int plane = 0; plane < N * C; plane++) {
        const float *x = in + (size_t)plane * H * W;                // (H, W)
        float *y = out + (size_t)plane * OH * OW;                   // (OH, OW)
        int *arg = argmax + (size_t)plane * OH * OW;                // (OH, OW)
        for (int oh = 0; oh < OH; oh++) {
            int h0 = oh * stride - pad_top, h1 = h0 + pool;         // window rows [h0, h1), clipped to the image:
            if (h0 < 0) h0 = 0;                                     // padded cells never take part
            if (h1 > H) h1 = H;
            for (int ow = 0; ow < OW; ow++) {
                int w0 = ow * stride - pad_left, w1 = w0 + pool;
                if (w0 < 0) w0 = 0;
                if (w1 > W) w1 = W;
                int best = h0 * W + w0;                             // start from the first cell, not from -inf,
                for (int h = h0; h < h1; h++)                       // so that a winner always exists
                    for (int w = w0; w < w1; w++)
                        if (x[h * W + w] > x[best]) best = h * W + w;
                y[oh * OW + ow] = x[best];
                arg[oh * OW + ow] = best;
            }
        }
    }
}

void maxpool2d_backward(float *din, const float *dout, const int *argmax, int N, int C, int H, int W, int OH,
                        int OW) {
#pragma omp parallel for schedule(static)
    for (int plane = 0; plane < N * C; plane++) {
        float *dx = din + (size_t)plane * H * W;                    // (H, W)
        const float *dy = dout + (size_t)plane * OH * OW;           // (OH, OW)
        const int *arg = argmax + (size_t)plane * OH * OW;          // (OH, OW)
        memset(dx, 0, (size_t)H * W * sizeof(float));
        // forward: y = x[argmax]  =>  dx[argmax] += dy   (+= so that overlapping windows, stride < pool, add up)
        for (int i = 0; i < OH * OW; i++) dx[arg[i]] += dy[i];
    }
}

// ---- the layer ----------------------------------------------------------------------------------------------------

typedef struct {
    Layer base;
    int pool, stride;
    Padding pad;
    int pad_top, pad_left;      // set by build from the input size
    int *argmax;                // (N, C, OH, OW) winners of the last forward, argmax_cap ints, grown on demand
    size_t argmax_cap;
} MaxPool2D;

static void build(Layer *l, Rng *rng) {
    MaxPool2D *mp = (MaxPool2D *)l;
    int same = mp->pad == PAD_SAME;
    conv_out_size(l->in_h, mp->pool, mp->stride, same, &l->out_h, &mp->pad_top);
    conv_out_size(l->in_w, mp->pool, mp->stride, same, &l->out_w, &mp->pad_left);
    l->out_c = l->in_c;
}

static void forward(Layer *l, Tensor *out, const Tensor *in, bool training) {
    MaxPool2D *mp = (MaxPool2D *)l;
    size_t need = tensor_size(out);
    if (need > mp->argmax_cap) {
        free(mp->argmax);
        mp->argmax = xmalloc(need * sizeof(int));
        mp->argmax_cap = need;
    }
    maxpool2d_forward(out->data, mp->argmax, in->data, in->n, l->in_c, l->in_h, l->in_w, mp->pool, mp->stride,
                      mp->pad_top, mp->pad_left, l->out_h, l->out_w);
}

static void backward(Layer *l, Tensor *din, const Tensor *dout) {
    MaxPool2D *mp = (MaxPool2D *)l;
    if (!din) return;                                               // no parameters: nothing else to compute
    maxpool2d_backward(din->data, dout->data, mp->argmax, dout->n, l->in_c, l->in_h, l->in_w, l->out_h, l->out_w);
}

static void destroy(Layer *l) {
    free(((MaxPool2D *)l)->argmax);
}

static const LayerOps MAXPOOL2D_OPS = {"MaxPooling2D", build, forward, backward, destroy};

Layer *maxpool2d_new(int pool, Padding pad) {
    assert(pool >= 1);
    MaxPool2D *mp = (MaxPool2D *)layer_alloc(sizeof(MaxPool2D), &MAXPOOL2D_OPS);
    mp->pool = pool;
    mp->stride = pool;
    mp->pad = pad;
    return &mp->base;
}
