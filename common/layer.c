// layer.c: the parts of a layer that do not depend on its kind (see layer.h).
#include "layer.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Layer *layer_alloc(size_t bytes, const LayerOps *ops) {
    assert(bytes >= sizeof(Layer));
    Layer *l = xcalloc(1, bytes);
    l->ops = ops;
    snprintf(l->name, sizeof l->name, "%s", ops->kind);
    return l;
}

Layer *layer_build(Layer *l, int in_c, int in_h, int in_w, Rng *rng) {
    l->in_c = in_c; l->in_h = in_h; l->in_w = in_w;
    l->ops->build(l, rng);
    return l;
}

void layer_forward(Layer *l, Tensor *out, const Tensor *in, bool training) {
    assert(in->c == l->in_c && in->h == l->in_h && in->w == l->in_w);
    tensor_resize(out, in->n, l->out_c, l->out_h, l->out_w);
    l->in = in;
    l->ops->forward(l, out, in, training);
}

void layer_backward(Layer *l, Tensor *din, const Tensor *dout) {
    assert(l->in && "layer_backward before layer_forward");
    assert(dout->n == l->in->n && dout->c == l->out_c && dout->h == l->out_h && dout->w == l->out_w);
    if (din) tensor_resize(din, l->in->n, l->in_c, l->in_h, l->in_w);
    l->ops->backward(l, din, dout);
}

void layer_free(Layer *l) {
    if (!l) return;
    if (l->ops->destroy) l->ops->destroy(l);
    for (int i = 0; i < l->nparams; i++) { free(l->params[i].value); free(l->params[i].grad); }
    for (int i = 0; i < l->nbuffers; i++) free(l->buffers[i].value);
    free(l);
}

size_t layer_param_count(const Layer *l) {
    size_t count = 0;
    for (int i = 0; i < l->nparams; i++) count += l->params[i].size;
    return count;
}

void layer_zero_grad(Layer *l) {
    for (int i = 0; i < l->nparams; i++) memset(l->params[i].grad, 0, l->params[i].size * sizeof(float));
}

void layer_add_param(Layer *l, const char *name, int ndim, int d0, int d1, int d2, int d3) {
    assert(l->nparams < LAYER_MAX_PARAMS && ndim >= 1 && ndim <= 4);
    Param *p = &l->params[l->nparams++];
    int dims[4] = {d0, d1, d2, d3};
    p->name = name;
    p->ndim = ndim;
    p->size = 1;
    for (int i = 0; i < 4; i++) {
        p->shape[i] = i < ndim ? dims[i] : 1;
        p->size *= (size_t)p->shape[i];
    }
    p->value = xcalloc(p->size, sizeof(float));
    p->grad = xcalloc(p->size, sizeof(float));
}

void layer_add_buffer(Layer *l, const char *name, size_t size) {
    assert(l->nbuffers < 2);
    Buffer *b = &l->buffers[l->nbuffers++];
    b->name = name;
    b->size = size;
    b->value = xcalloc(size, sizeof(float));
}

void init_glorot_uniform(float *w, size_t size, int fan_in, int fan_out, Rng *rng) {
    float limit = sqrtf(6.0f / (float)(fan_in + fan_out));
    for (size_t i = 0; i < size; i++) w[i] = rng_range(rng, -limit, limit);
}

void init_he_normal(float *w, size_t size, int fan_in, Rng *rng) {
    // Keras's he_normal is a truncated normal; 0.8796... is the stddev of N(0,1) truncated to [-2, 2].
    float stddev = sqrtf(2.0f / (float)fan_in) / 0.87962566f;
    for (size_t i = 0; i < size; i++) {
        float z;
        do z = rng_normal(rng); while (fabsf(z) > 2.0f);
        w[i] = stddev * z;
    }
}

void init_he_uniform(float *w, size_t size, int fan_in, Rng *rng) {
    float limit = sqrtf(6.0f / (float)fan_in);
    for (size_t i = 0; i < size; i++) w[i] = rng_range(rng, -limit, limit);
}
