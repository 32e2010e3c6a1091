// layer.h: what every layer has in common, so that layers stack into a Net (net.h).
//
// A layer is built in two steps, the way Keras does it:
//   1. a constructor in common/layers/*.h makes it with its hyper-parameters only:  conv2d(16, 3, 1, PAD_SAME)
//   2. layer_build() gives it its input shape (per sample, C x H x W); the layer then works out its output shape and
//      allocates and initialises its parameters (Glorot-uniform kernels, zero biases, as Keras).
// net_add() does step 2 for you. Batch size N is not part of the build: any N works at run time.
//
// Forward and backward, for a batch:
//   forward(l, out, in, training)  out = f(in). `out` is already sized (N, out_c, out_h, out_w) by the caller.
//                                  The layer may keep `in` (and its own caches) for backward: the caller keeps `in`
//                                  alive and unchanged until backward has run.
//   backward(l, din, dout)         given dL/dout, ADD dL/dparams into each Param's grad (+=) and WRITE dL/din into
//                                  din (sized like in). din may be NULL: the caller does not need it (first layer).
//
// Each layer file defines its own small struct whose first member is a Layer, so a Layer* can be cast to it.
#ifndef LAYER_H
#define LAYER_H

#include <stdbool.h>
#include <stddef.h>

#include "rng.h"
#include "tensor.h"

#define LAYER_MAX_PARAMS 4

// Padding of convolutions and pooling, as Keras: VALID keeps only windows that fit (out = (in - k) / s + 1);
// SAME pads so that out = ceil(in / s), with the extra row/column of padding at the bottom/right when it is odd.
typedef enum { PAD_VALID, PAD_SAME } Padding;

// One trainable array and its gradient, both owned by the layer.
typedef struct {
    const char *name;   // "kernel", "bias", "gamma", "beta" (Keras's names)
    float *value;       // `size` floats
    float *grad;        // `size` floats: dL/dvalue, accumulated by backward, zeroed by *_zero_grad
    size_t size;
    int shape[4];       // e.g. a Conv2D kernel is (filters, in_c, kh, kw), a Dense kernel (in, out)
    int ndim;
} Param;

// Non-trainable arrays that still belong in a checkpoint (batch-norm's moving mean and variance).
typedef struct {
    const char *name;
    float *value;
    size_t size;
} Buffer;

typedef struct Layer Layer;

typedef struct {
    const char *kind;                                                      // Keras class name: "Conv2D"
    void (*build)(Layer *l, Rng *rng);                                     // in_* set: set out_*, make params
    void (*forward)(Layer *l, Tensor *out, const Tensor *in, bool training);
    void (*backward)(Layer *l, Tensor *din, const Tensor *dout);
    void (*destroy)(Layer *l);                                             // free what the layer allocated
} LayerOps;

struct Layer {
    const LayerOps *ops;
    char name[32];                  // unique within a net, as Keras names them: "conv2d_1"
    int in_c, in_h, in_w;           // input shape per sample (set before build)
    int out_c, out_h, out_w;        // output shape per sample (set by build)
    Param params[LAYER_MAX_PARAMS];
    int nparams;
    Buffer buffers[2];
    int nbuffers;
    const Tensor *in;               // the input of the last forward, kept for backward
};

// Give l its input shape and build it (parameters drawn from rng). Returns l.
Layer *layer_build(Layer *l, int in_c, int in_h, int in_w, Rng *rng);
// Run forward: size `out` for this batch, then call the layer's forward.
void layer_forward(Layer *l, Tensor *out, const Tensor *in, bool training);
// Run backward: size `din` like the last input (when din is not NULL), then call the layer's backward.
void layer_backward(Layer *l, Tensor *din, const Tensor *dout);
// Free the layer, its parameters and its caches.
void layer_free(Layer *l);
// Number of trainable floats in the layer.
size_t layer_param_count(const Layer *l);
// Set every parameter gradient of the layer to 0.
void layer_zero_grad(Layer *l);

// For layer implementations: allocate a Param (value and grad zeroed) with the given shape (ndim <= 4).
void layer_add_param(Layer *l, const char *name, int ndim, int d0, int d1, int d2, int d3);
// For layer implementations: allocate a zeroed Buffer.
void layer_add_buffer(Layer *l, const char *name, size_t size);
// For layer implementations: allocate the zeroed base of a layer struct of `bytes` bytes (first member a Layer).
Layer *layer_alloc(size_t bytes, const LayerOps *ops);

// ---- initialisers (as Keras) ----
// Glorot (Xavier) uniform: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)). Keras's default kernel init.
void init_glorot_uniform(float *w, size_t size, int fan_in, int fan_out, Rng *rng);
// He normal, Keras flavour: truncated normal with stddev sqrt(2 / fan_in) (redrawn beyond 2 stddev).
void init_he_normal(float *w, size_t size, int fan_in, Rng *rng);
// He uniform: U(-limit, limit), limit = sqrt(6 / fan_in).
void init_he_uniform(float *w, size_t size, int fan_in, Rng *rng);

#endif
