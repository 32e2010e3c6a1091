// upsample.c: nearest-neighbour upsampling and its block-sum backward (see upsample.h).
#include "upsample.h"

#include <assert.h>

#include "im2col.h"      // CONV_PARALLEL_MIN_WORK

// One channel plane each. `static inline` so that the calls below with the constant factor 2 get their own copies,
// in which the compiler knows the block size and turns the inner loops into vector shuffles.
static inline void upsample_plane(float *restrict y, const float *restrict x, int H, int W, int factor) {
    const int OW = W * factor;
    for (int h = 0; h < H; h++) {
        float *row = y + (size_t)h * factor * OW;                   // first of the factor equal output rows
        for (int w = 0; w < W; w++)
            for (int j = 0; j < factor; j++) row[w * factor + j] = x[h * W + w];
        for (int i = 1; i < factor; i++)
            for (int ow = 0; ow < OW; ow++) row[(size_t)i * OW + ow] = row[ow];
    }
}

static inline void upsample_plane_backward(float *restrict dx, const float *restrict dy, int H, int W, int factor) {
    const int OW = W * factor;
    // forward: y[h*f + i][w*f + j] = x[h][w]  =>  dx[h][w] = sum over i, j of dy[h*f + i][w*f + j]
    for (int h = 0; h < H; h++) {
        float *dx_row = dx + (size_t)h * W;
        for (int w = 0; w < W; w++) dx_row[w] = 0.0f;
        for (int i = 0; i < factor; i++) {                          // add the factor rows of the block ...
            const float *dy_row = dy + (size_t)(h * factor + i) * OW;
            for (int w = 0; w < W; w++)                             // ... each a sum of factor columns
                for (int j = 0; j < factor; j++) dx_row[w] += dy_row[w * factor + j];
        }
    }
}

void upsample2d_forward(float *out, const float *in, int N, int C, int H, int W, int factor) {
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if ((size_t)N * C * H * W >= CONV_PARALLEL_MIN_WORK)
#endif
    for (int plane = 0; plane < N * C; plane++) {
        const float *x = in + (size_t)plane * H * W;                // (H, W)
        float *y = out + (size_t)plane * H * W * factor * factor;   // (H*factor, W*factor)
        if (factor == 2) upsample_plane(y, x, H, W, 2);             // the usual case, specialised
        else upsample_plane(y, x, H, W, factor);
    }
}

void upsample2d_backward(float *din, const float *dout, int N, int C, int H, int W, int factor) {
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if ((size_t)N * C * H * W >= CONV_PARALLEL_MIN_WORK)
#endif
    for (int plane = 0; plane < N * C; plane++) {
        float *dx = din + (size_t)plane * H * W;                    // (H, W)
        const float *dy = dout + (size_t)plane * H * W * factor * factor;   // (H*factor, W*factor)
        if (factor == 2) upsample_plane_backward(dx, dy, H, W, 2);
        else upsample_plane_backward(dx, dy, H, W, factor);
    }
}

// ---- the layer ----------------------------------------------------------------------------------------------------

typedef struct {
    Layer base;
    int factor;
} UpSample2D;

static void build(Layer *l, Rng *rng) {
    UpSample2D *up = (UpSample2D *)l;
    l->out_c = l->in_c;
    l->out_h = l->in_h * up->factor;
    l->out_w = l->in_w * up->factor;
}

static void forward(Layer *l, Tensor *out, const Tensor *in, bool training) {
    upsample2d_forward(out->data, in->data, in->n, l->in_c, l->in_h, l->in_w, ((UpSample2D *)l)->factor);
}

static void backward(Layer *l, Tensor *din, const Tensor *dout) {
    if (!din) return;                                               // no parameters: nothing else to compute
    upsample2d_backward(din->data, dout->data, dout->n, l->in_c, l->in_h, l->in_w, ((UpSample2D *)l)->factor);
}

static const LayerOps UPSAMPLE2D_OPS = {"UpSampling2D", build, forward, backward, NULL};

Layer *upsample2d_new(int factor) {
    assert(factor >= 1);
    UpSample2D *up = (UpSample2D *)layer_alloc(sizeof(UpSample2D), &UPSAMPLE2D_OPS);
    up->factor = factor;
    return &up->base;
}
