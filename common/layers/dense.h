// dense.h: the fully connected layer (Keras Dense), without activation (add one as its own layer).
//
//   y = x @ W + b        x (N, D), W (D, U), b (U), y (N, U)
//
// Any input (N, C, H, W) is read as (N, D) with D = C*H*W, as if flattened (put a Flatten first to say so).
#ifndef DENSE_H
#define DENSE_H

#include "layer.h"

// Forward kernel: out (N, U) = in (N, D) @ w (D, U) + b (U).
void dense_forward(float *out, const float *in, const float *w, const float *b, int N, int D, int U);
// Backward kernel, given dout (N, U):  dw (D, U) += in^T @ dout;  db (U) += sum over n of dout;
// din (N, D) = dout @ w^T  (skipped when din is NULL).
void dense_backward(float *din, float *dw, float *db, const float *dout, const float *in, const float *w,
                    int N, int D, int U);

// A Dense layer with `units` outputs: params kernel (D, U) Glorot-uniform, bias (U) zeros.
Layer *dense_new(int units);

#endif
