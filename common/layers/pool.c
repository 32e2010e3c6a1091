// pool.c: max pooling with the winners remembered for backward (see pool.h).
//
// Both kernels work on whole (H, W) channel planes, one plane per loop iteration, so the N*C planes of a batch are
// split across OpenMP threads with no two threads touching the same memory.
#include "pool.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "im2col.h"

// The max of the plane x (H, W) over the window rows [h0, h1), columns [w0, w1), clipped to the image (padded
// cells never take part); *at = the winner's index h*W + w. The first cell is the starting guess, not -infinity,
// so that a winner always exists.
static float window_max(const float *x, int H, int W, int h0, int h1, int w0, int w1, int *at) {
    if (h0 < 0) h0 = 0;
    if (h1 > H) h1 = H;
    if (w0 < 0) w0 = 0;
    if (w1 > W) w1 = W;
    int best = h0 * W + w0;
    float max = x[best];
    for (int h = h0; h < h1; h++)
        for (int w = w0; w < w1; w++)
            if (x[h * W + w] > max) { max = x[h * W + w]; best = h * W + w; }
    *at = best;
    return max;
}

void maxpool2d_forward(float *out, int *argmax, const float *in, int N, int C, int H, int W, int pool, int stride,
                       int pad_top, int pad_left, int OH, int OW) {
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if ((size_t)N * C * H * W >= CONV_PARALLEL_MIN_WORK)
#endif
    for (int plane = 0; plane < N * C; plane++) {
        const float *x = in + (size_t)plane * H * W;                // (H, W)
        float *y = out + (size_t)plane * OH * OW;                   // (OH, OW)
        int *arg = argmax + (size_t)plane * OH * OW;                // (OH, OW)
        for (int oh = 0; oh < OH; oh++)
            for (int ow = 0; ow < OW; ow++) {
                int h0 = oh * stride - pad_top, w0 = ow * stride - pad_left;     // the window's top-left cell
                y[oh * OW + ow] = window_max(x, H, W, h0, h0 + pool, w0, w0 + pool, &arg[oh * OW + ow]);
            }
    }
}

void maxpool2d_backward(float *din, const float *dout, const int *argmax, int N, int C, int H, int W, int OH,
                        int OW) {
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if ((size_t)N * C * H * W >= CONV_PARALLEL_MIN_WORK)
#endif
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
