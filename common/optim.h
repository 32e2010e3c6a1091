// optim.h: the three optimisers of the course, with Keras's defaults and update rules. g = dL/dw of a step.
//
//   SGD (momentum m)   v = m v - lr g;                  w += v                            (Keras: lr 0.01, m 0)
//   RMSprop            s = rho s + (1 - rho) g^2;       w -= lr g / (sqrt(s) + eps)       (lr 1e-3, rho 0.9)
//   Adam               m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;                   (lr 1e-3, b1 0.9,
//                      lr_t = lr sqrt(1 - b2^t) / (1 - b1^t);  w -= lr_t m / (sqrt(v) + eps)   b2 0.999, eps 1e-7)
//
// An optimiser holds a ParamList (net.h) and one or two state arrays per parameter. optim_step does not zero the
// gradients: call params_zero_grad / net_zero_grad before the next backward.
#ifndef OPTIM_H
#define OPTIM_H

#include "net.h"

typedef enum { OPTIM_SGD, OPTIM_RMSPROP, OPTIM_ADAM } OptimKind;

typedef struct {
    OptimKind kind;
    float lr;
    float momentum;         // SGD
    float rho;              // RMSprop
    float beta1, beta2;     // Adam
    float eps;              // RMSprop, Adam
    long t;                 // steps taken (Adam's bias correction)
    ParamList params;       // owned list (the parameters themselves belong to their layers)
    float **m, **v;         // per parameter: SGD velocity in m; RMSprop mean square in v; Adam first/second moment
} Optimizer;

// Each constructor takes ownership of `params` (the list, not the parameters). Free with optim_free.
Optimizer *optim_sgd_new(ParamList params, float lr, float momentum);
Optimizer *optim_rmsprop_new(ParamList params, float lr);
Optimizer *optim_adam_new(ParamList params, float lr);
// Shortcut: Adam with lr over every parameter of a net.
Optimizer *optim_adam_for(const Net *net, float lr);
// One update of every parameter from its gradient.
void optim_step(Optimizer *opt);
void optim_free(Optimizer *opt);

#endif
