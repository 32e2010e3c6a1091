// regularize.c: batch normalisation and dropout (formulas in regularize.h).
#include "regularize.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    Layer base;
    float momentum, eps;
    float *mean, *inv_std;      // (C) batch statistics of the last training forward, for backward
    float *xhat;                // (N, C, H, W) normalised input of the last training forward
    size_t xhat_cap;
    bool trained;               // the last forward was in training mode (backward needs batch statistics)
} BatchNorm;

static void bn_build(Layer *l, Rng *rng) {
    BatchNorm *bn = (BatchNorm *)l;
    l->out_c = l->in_c; l->out_h = l->in_h; l->out_w = l->in_w;
    int C = l->in_c;
    layer_add_param(l, "gamma", 1, C, 1, 1, 1);
    layer_add_param(l, "beta", 1, C, 1, 1, 1);
    for (int c = 0; c < C; c++) l->params[0].value[c] = 1.0f;
    layer_add_buffer(l, "moving_mean", (size_t)C);
    layer_add_buffer(l, "moving_variance", (size_t)C);
    for (int c = 0; c < C; c++) l->buffers[1].value[c] = 1.0f;
    bn->mean = calloc((size_t)C, sizeof(float));
    bn->inv_std = calloc((size_t)C, sizeof(float));
}

static void bn_forward(Layer *l, Tensor *out, const Tensor *in, bool training) {
    BatchNorm *bn = (BatchNorm *)l;
    int N = in->n, C = in->c, HW = in->h * in->w;
    const float *gamma = l->params[0].value, *beta = l->params[1].value;
    float *moving_mean = l->buffers[0].value, *moving_var = l->buffers[1].value;
    bn->trained = training;
    if (training && tensor_size(in) > bn->xhat_cap) {
        free(bn->xhat);
        bn->xhat_cap = tensor_size(in);
        bn->xhat = xmalloc(bn->xhat_cap * sizeof(float));
    }
    for (int c = 0; c < C; c++) {
        float mean, var;
        if (training) {
            double sum = 0.0, sq = 0.0;                         // mu = mean(x), var = mean((x - mu)^2)
            for (int n = 0; n < N; n++) {
                const float *x = in->data + ((size_t)n * C + c) * HW;
                for (int i = 0; i < HW; i++) sum += x[i];
            }
            mean = (float)(sum / ((double)N * HW));
            for (int n = 0; n < N; n++) {
                const float *x = in->data + ((size_t)n * C + c) * HW;
                for (int i = 0; i < HW; i++) sq += (double)(x[i] - mean) * (x[i] - mean);
            }
            var = (float)(sq / ((double)N * HW));
            moving_mean[c] = bn->momentum * moving_mean[c] + (1.0f - bn->momentum) * mean;
            moving_var[c] = bn->momentum * moving_var[c] + (1.0f - bn->momentum) * var;
        } else {
            mean = moving_mean[c];
            var = moving_var[c];
        }
        float inv_std = 1.0f / sqrtf(var + bn->eps);
        bn->mean[c] = mean;
        bn->inv_std[c] = inv_std;
        for (int n = 0; n < N; n++) {
            size_t off = ((size_t)n * C + c) * HW;
            for (int i = 0; i < HW; i++) {
                float xhat = (in->data[off + i] - mean) * inv_std;    // xhat = (x - mu) / sqrt(var + eps)
                if (training) bn->xhat[off + i] = xhat;
                out->data[off + i] = gamma[c] * xhat + beta[c];      // y = gamma xhat + beta
            }
        }
    }
}

static void bn_backward(Layer *l, Tensor *din, const Tensor *dout) {
    BatchNorm *bn = (BatchNorm *)l;
    int N = dout->n, C = dout->c, HW = dout->h * dout->w;
    const float *gamma = l->params[0].value;
    float *dgamma = l->params[0].grad, *dbeta = l->params[1].grad;
    double M = (double)N * HW;
    for (int c = 0; c < C; c++) {
        double sum_dy = 0.0, sum_dy_xhat = 0.0;
        for (int n = 0; n < N; n++) {
            size_t off = ((size_t)n * C + c) * HW;
            for (int i = 0; i < HW; i++) {
                float xhat = bn->trained ? bn->xhat[off + i] : (l->in->data[off + i] - bn->mean[c]) * bn->inv_std[c];
                sum_dy += dout->data[off + i];
                sum_dy_xhat += (double)dout->data[off + i] * xhat;
            }
        }
        dgamma[c] += (float)sum_dy_xhat;                            // forward: y = gamma xhat + beta
        dbeta[c] += (float)sum_dy;
        if (!din) continue;
        float scale = gamma[c] * bn->inv_std[c];
        for (int n = 0; n < N; n++) {
            size_t off = ((size_t)n * C + c) * HW;
            for (int i = 0; i < HW; i++) {
                if (bn->trained) {
                    // forward: xhat = (x - mu(x)) / sqrt(var(x) + eps), mu and var depend on every x of the channel
                    float xhat = bn->xhat[off + i];
                    din->data[off + i] = scale * (float)(dout->data[off + i] - sum_dy / M - xhat * sum_dy_xhat / M);
                } else {
                    din->data[off + i] = scale * dout->data[off + i];   // eval: mu and var are constants
                }
            }
        }
    }
}

static void bn_destroy(Layer *l) {
    BatchNorm *bn = (BatchNorm *)l;
    free(bn->mean);
    free(bn->inv_std);
    free(bn->xhat);
}

static const LayerOps BATCHNORM_OPS = {"BatchNormalization", bn_build, bn_forward, bn_backward, bn_destroy};

Layer *batchnorm_new_with(float momentum, float eps) {
    BatchNorm *bn = (BatchNorm *)layer_alloc(sizeof(BatchNorm), &BATCHNORM_OPS);
    bn->momentum = momentum;
    bn->eps = eps;
    return &bn->base;
}

Layer *batchnorm_new(void) { return batchnorm_new_with(0.99f, 1e-3f); }

// ---- dropout ----

typedef struct {
    Layer base;
    float rate;
    Rng rng;                    // the mask stream, split from the net's generator at build time
    float *mask;                // (N, C, H, W): 0 or 1 / (1 - rate), from the last training forward
    size_t mask_cap;
    bool trained;
} Dropout;

static void dropout_build(Layer *l, Rng *rng) {
    Dropout *d = (Dropout *)l;
    l->out_c = l->in_c; l->out_h = l->in_h; l->out_w = l->in_w;
    d->rng = rng_split(rng);
}

static void dropout_forward(Layer *l, Tensor *out, const Tensor *in, bool training) {
    Dropout *d = (Dropout *)l;
    size_t n = tensor_size(in);
    d->trained = training && d->rate > 0.0f;
    if (!d->trained) { memcpy(out->data, in->data, n * sizeof(float)); return; }
    if (n > d->mask_cap) {
        free(d->mask);
        d->mask_cap = n;
        d->mask = xmalloc(n * sizeof(float));
    }
    float keep_scale = 1.0f / (1.0f - d->rate);
    for (size_t i = 0; i < n; i++) {
        d->mask[i] = rng_uniform(&d->rng) >= d->rate ? keep_scale : 0.0f;   // kept with probability 1 - rate
        out->data[i] = in->data[i] * d->mask[i];
    }
}

static void dropout_backward(Layer *l, Tensor *din, const Tensor *dout) {
    Dropout *d = (Dropout *)l;
    if (!din) return;
    size_t n = tensor_size(dout);
    if (!d->trained) { memcpy(din->data, dout->data, n * sizeof(float)); return; }
    for (size_t i = 0; i < n; i++) din->data[i] = dout->data[i] * d->mask[i];   // forward: y = x * mask
}

static void dropout_destroy(Layer *l) { free(((Dropout *)l)->mask); }

static const LayerOps DROPOUT_OPS = {"Dropout", dropout_build, dropout_forward, dropout_backward, dropout_destroy};

Layer *dropout_new(float rate) {
    assert(rate >= 0.0f && rate < 1.0f);
    Dropout *d = (Dropout *)layer_alloc(sizeof(Dropout), &DROPOUT_OPS);
    d->rate = rate;
    return &d->base;
}
