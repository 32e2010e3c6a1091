// net.h: a sequential stack of layers (Keras's Sequential), with forward, backward and a summary.
//
//   Rng rng; rng_seed(&rng, 42);
//   Net *net = net_new("cnn", 1, 28, 28, &rng);     // input (N, 1, 28, 28)
//   net_add(net, conv2d(32, 3, 1, PAD_SAME));         // each layer is built on the shape before it
//   net_add(net, relu());
//   ...
//   const Tensor *y = net_forward(net, x, true);      // y is owned by the net, valid until the next forward
//   net_zero_grad(net);
//   net_backward(net, dy);                            // dy = dL/dy; parameter gradients accumulate
//
// The net owns its layers and one activation tensor per layer:
//
//   x --layer 0--> act[0] --layer 1--> act[1] ... --layer L-1--> act[L-1] = output
//   dx <-- grad[0] <--            grad[1] <--    ...        <-- dy
//
// grad[i] holds dL/d(input of layer i). grad[0] = dL/dx is computed only when net->input_grad is true (a net that is
// trained through, like a GAN's discriminator feeding the generator, or the decoder of an encoder-decoder pair).
//
// Branching models (two heads on one trunk, skip connections, twins) are written in the chapters by composing nets.
#ifndef NET_H
#define NET_H

#include <stdbool.h>
#include <stdio.h>

#include "layer.h"

typedef struct {
    char name[32];
    int in_c, in_h, in_w;       // input shape per sample
    Layer **layers;             // nlayers layers, owned
    int nlayers, cap;
    Tensor *acts;               // acts[i]: output of layer i, shape (N, out_c, out_h, out_w) of layer i
    Tensor *grads;              // grads[i]: dL/d(input of layer i)
    const Tensor *input;        // the x of the last forward (not owned; must stay alive until backward)
    bool input_grad;            // compute grads[0] = dL/dx in backward (default false: saves one pass)
    Rng *rng;                   // parameters are drawn from it as layers are added (not owned)
} Net;

// A new empty net taking inputs of shape (N, c, h, w). Free with net_free.
Net *net_new(const char *name, int c, int h, int w, Rng *rng);
// Build `l` on the net's current output shape and append it; the net takes ownership. Returns l.
Layer *net_add(Net *net, Layer *l);
// Forward a batch. Returns the output (owned by the net, valid until the next net_forward).
// training = true selects training behaviour (dropout on, batch-norm on batch statistics).
const Tensor *net_forward(Net *net, const Tensor *x, bool training);
// Backward from dy = dL/d(output) (same shape as the last output). Parameter gradients accumulate (+=).
// Returns dL/dx (owned by the net) when net->input_grad is true, else NULL.
const Tensor *net_backward(Net *net, const Tensor *dy);
// Set every parameter gradient to 0.
void net_zero_grad(Net *net);
// Total number of trainable floats.
size_t net_param_count(const Net *net);
// Output shape per sample.
void net_out_shape(const Net *net, int *c, int *h, int *w);
// Print a table like Keras's model.summary(): layer (type), output shape, parameter count, and the totals.
void net_summary(const Net *net, FILE *f);
// Free the net, its layers and its activations.
void net_free(Net *net);

// A list of parameters gathered from several nets or layers, for an optimiser or a checkpoint.
typedef struct {
    Param **items;
    int count, cap;
} ParamList;

void params_add_net(ParamList *pl, const Net *net);
void params_add_layer(ParamList *pl, Layer *l);
void params_zero_grad(ParamList *pl);
size_t params_count(const ParamList *pl);      // total floats
void params_free(ParamList *pl);               // frees the list, not the parameters

#endif
