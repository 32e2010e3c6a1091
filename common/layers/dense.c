// dense.c: y = x W + b, with the three products of its backward pass all done by gemm().
#include "dense.h"

#include "gemm.h"

void dense_forward(float *out, const float *in, const float *w, const float *b, int N, int D, int U) {
    for (int n = 0; n < N; n++)                     // out = b, broadcast over the batch ...
        for (int u = 0; u < U; u++) out[(size_t)n * U + u] = b[u];
    gemm(false, false, N, U, D, 1.0f, in, D, w, U, 1.0f, out, U);   // ... += x @ W
}

void dense_backward(float *din, float *dw, float *db, const float *dout, const float *in, const float *w,
                    int N, int D, int U) {
    // forward: y = x @ W + b
    gemm(true, false, D, U, N, 1.0f, in, D, dout, U, 1.0f, dw, U);  // => dW += x^T @ dy
    for (int n = 0; n < N; n++)                                     // => db += sum_n dy[n]
        for (int u = 0; u < U; u++) db[u] += dout[(size_t)n * U + u];
    if (din) gemm(false, true, N, D, U, 1.0f, dout, U, w, U, 0.0f, din, D);  // => dx = dy @ W^T
}

typedef struct {
    Layer base;
    int units;
} Dense;

static void build(Layer *l, Rng *rng) {
    Dense *d = (Dense *)l;
    int D = l->in_c * l->in_h * l->in_w;
    l->out_c = d->units; l->out_h = 1; l->out_w = 1;
    layer_add_param(l, "kernel", 2, D, d->units, 1, 1);
    layer_add_param(l, "bias", 1, d->units, 1, 1, 1);
    init_glorot_uniform(l->params[0].value, l->params[0].size, D, d->units, rng);
}

static void forward(Layer *l, Tensor *out, const Tensor *in, bool training) {
    dense_forward(out->data, in->data, l->params[0].value, l->params[1].value, in->n, (int)tensor_sample_size(in),
                  l->out_c);
}

static void backward(Layer *l, Tensor *din, const Tensor *dout) {
    const Tensor *in = l->in;
    dense_backward(din ? din->data : NULL, l->params[0].grad, l->params[1].grad, dout->data, in->data,
                   l->params[0].value, in->n, (int)tensor_sample_size(in), l->out_c);
}

static const LayerOps DENSE_OPS = {"Dense", build, forward, backward, NULL};

Layer *dense_new(int units) {
    Dense *d = (Dense *)layer_alloc(sizeof(Dense), &DENSE_OPS);
    d->units = units;
    return &d->base;
}
