// shape.c: Flatten, Reshape and channel concatenation.
#include "shape.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    Layer base;
    int c, h, w;            // target shape per sample (Reshape); Flatten uses (C*H*W, 1, 1)
} ShapeLayer;

static void build_flatten(Layer *l, Rng *rng) {
    l->out_c = l->in_c * l->in_h * l->in_w; l->out_h = 1; l->out_w = 1;
}

static void build_reshape(Layer *l, Rng *rng) {
    ShapeLayer *s = (ShapeLayer *)l;
    if (s->c * s->h * s->w != l->in_c * l->in_h * l->in_w) {
        fprintf(stderr, "error: Reshape to (%d, %d, %d) needs %d values per sample, the input has %d\n", s->c, s->h,
                s->w, s->c * s->h * s->w, l->in_c * l->in_h * l->in_w);
        exit(1);
    }
    l->out_c = s->c; l->out_h = s->h; l->out_w = s->w;
}

static void copy_forward(Layer *l, Tensor *out, const Tensor *in, bool training) {
    memcpy(out->data, in->data, tensor_size(in) * sizeof(float));
}

static void copy_backward(Layer *l, Tensor *din, const Tensor *dout) {
    if (din) memcpy(din->data, dout->data, tensor_size(dout) * sizeof(float));
}

static const LayerOps FLATTEN_OPS = {"Flatten", build_flatten, copy_forward, copy_backward, NULL};
static const LayerOps RESHAPE_OPS = {"Reshape", build_reshape, copy_forward, copy_backward, NULL};

Layer *flatten_new(void) { return layer_alloc(sizeof(ShapeLayer), &FLATTEN_OPS); }

Layer *reshape_new(int c, int h, int w) {
    ShapeLayer *s = (ShapeLayer *)layer_alloc(sizeof(ShapeLayer), &RESHAPE_OPS);
    s->c = c; s->h = h; s->w = w;
    return &s->base;
}

void concat_channels_forward(Tensor *out, const Tensor *a, const Tensor *b) {
    if (a->n != b->n || a->h != b->h || a->w != b->w) {
        fprintf(stderr, "error: concat_channels: shapes (%d, %d, %d, %d) and (%d, %d, %d, %d) differ outside "
                "the channel axis\n", a->n, a->c, a->h, a->w, b->n, b->c, b->h, b->w);
        exit(1);
    }
    tensor_resize(out, a->n, a->c + b->c, a->h, a->w);
    size_t sa = tensor_sample_size(a), sb = tensor_sample_size(b);
    for (int n = 0; n < a->n; n++) {                 // per sample: [a's channels | b's channels]
        memcpy(tensor_sample(out, n), tensor_sample(a, n), sa * sizeof(float));
        memcpy(tensor_sample(out, n) + sa, tensor_sample(b, n), sb * sizeof(float));
    }
}

void concat_channels_backward(Tensor *da, Tensor *db, const Tensor *dout, int ca) {
    int cb = dout->c - ca;
    size_t sa = (size_t)ca * dout->h * dout->w, sb = (size_t)cb * dout->h * dout->w;
    if (da) tensor_resize(da, dout->n, ca, dout->h, dout->w);
    if (db) tensor_resize(db, dout->n, cb, dout->h, dout->w);
    for (int n = 0; n < dout->n; n++) {              // forward copied a, then b: the gradient splits the same way
        if (da) memcpy(tensor_sample(da, n), tensor_sample(dout, n), sa * sizeof(float));
        if (db) memcpy(tensor_sample(db, n), tensor_sample(dout, n) + sa, sb * sizeof(float));
    }
}
