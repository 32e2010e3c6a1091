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

// The same for the window of pool 2 whose top-left cell is x[at], all four cells inside the image: the course's
// every MaxPooling2D. Which cell wins is a coin toss for the CPU's branch predictor, so the winner's index is
// kept with arithmetic on the comparison's 0 or 1 (i += gt * (cell - i)), not with an if.
static inline float max_of_4(const float *x, int W, int at, int *best) {
    const int cell[3] = {at + 1, at + W, at + W + 1};
    const float v[3] = {x[at + 1], x[at + W], x[at + W + 1]};
    float max = x[at];
    int i = at;
    for (int k = 0; k < 3; k++) {
        const int gt = v[k] > max;                                  // strict > : on a tie the first cell wins
        i += gt * (cell[k] - i);
        max = gt ? v[k] : max;
    }
    *best = i;
    return max;
}

// Output columns [from, to) of the output row whose windows start at input row h0, each by window_max.
static void pool_row(float *y, int *arg, const float *x, int H, int W, int h0, int pool, int stride, int pad_left,
                     int from, int to) {
    for (int ow = from; ow < to; ow++) {
        const int w0 = ow * stride - pad_left;                      // the window's left column
        y[ow] = window_max(x, H, W, h0, h0 + pool, w0, w0 + pool, &arg[ow]);
    }
}

void maxpool2d_forward(float *out, int *argmax, const float *in, int N, int C, int H, int W, int pool, int stride,
                       int pad_top, int pad_left, int OH, int OW) {
    // Pool 2, stride 2: output columns [lo, hi) have their window wholly inside the image (2 ow - pad_left >= 0
    // and 2 ow - pad_left + 1 <= W - 1), and so does every row whose top row h0 has h0 + 1 inside too. Those take
    // max_of_4; the edges of a SAME layer, and every other pool size, take window_max.
    const int two = pool == 2 && stride == 2;
    const int lo = (pad_left + 1) / 2;
    int hi = W >= 2 ? (W - 2 + pad_left) / 2 + 1 : lo;
    if (hi > OW) hi = OW;
    if (hi < lo) hi = lo;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if ((size_t)N * C * H * W >= CONV_PARALLEL_MIN_WORK)
#endif
    for (int plane = 0; plane < N * C; plane++) {
        const float *x = in + (size_t)plane * H * W;                // (H, W)
        for (int oh = 0; oh < OH; oh++) {
            float *y = out + ((size_t)plane * OH + oh) * OW;        // output row oh (OW)
            int *arg = argmax + ((size_t)plane * OH + oh) * OW;     // (OW)
            const int h0 = oh * stride - pad_top;                   // the windows' top row
            if (!(two && h0 >= 0 && h0 + 1 < H)) {
                pool_row(y, arg, x, H, W, h0, pool, stride, pad_left, 0, OW);
                continue;
            }
            pool_row(y, arg, x, H, W, h0, pool, stride, pad_left, 0, lo);
            for (int ow = lo; ow < hi; ow++) y[ow] = max_of_4(x, W, h0 * W + 2 * ow - pad_left, &arg[ow]);
            pool_row(y, arg, x, H, W, h0, pool, stride, pad_left, hi, OW);
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
