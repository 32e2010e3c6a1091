// upsample.c: nearest-neighbour upsampling and its block-sum backward (see upsample.h).
#include "upsample.h"

#include <assert.h>

void upsample2d_forward(float *out, const float *in, int N, int C, int H, int W, int factor) {
    const int OW = W * factor;
#pragma omp parallel for schedule(static)
    for (int plane = 0; plane < N * C; plane++) {
        const float *x = in + (size_t)plane * H * W;                // (H, W)
        float *y = out + (size_t)plane * H * factor * OW;           // (H*factor, W*factor)
        for (int h = 0; h < H; h++) {
            float *row = y + (size_t)h * factor * OW;               // first of the factor equal output rows
            for (int w = 0; w < W; w++)
                for (int j = 0; j < factor; j++) row[w * factor + j] = x[h * W + w];
            for (int i = 1; i < factor; i++)
                for (int ow = 0; ow < OW; ow++) row[(size_t)i * OW + ow] = row[ow];
        }
    }
}

void upsample2d_backward(float *din, const float *dout, int N, int C, int H, int W, int factor) {
    const int OW = W * factor;
#pragma omp parallel for schedule(static)
    for (int plane = 0; plane < N * C; plane++) {
        float *dx = din + (size_t)plane * H * W;                    // (H, W)
        const float *dy = dout + (size_t)plane * H * factor * OW;   // (H*factor, W*factor)
        // forward: y[h*f + i][w*f + j] = x[h][w]  =>  dx[h][w] = sum over i, j of dy[h*f + i][w*f + j]
        for (int h = 0; h < H; h++)
            for (int w = 0; w < W; w++) {
                float sum = 0.0f;
                for (int i = 0; i < factor; i++)
                    for (int j = 0; j < factor; j++) sum += dy[(size_t)(h * factor + i) * OW + w * factor + j];
                dx[h * W + w] = sum;
            }
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
