// shape.h: layers that only change how the numbers are viewed, not the numbers.
//
//   Flatten   (N, C, H, W) -> (N, C*H*W)        Keras flattens in (H, W, C) order; here the order is (C, H, W),
//                                               which changes nothing as long as weights are not imported.
//   Reshape   (N, D) -> (N, C, H, W)           with C*H*W = D, e.g. a decoder's Dense(7*7*64) -> (64, 7, 7)
//
// Both copy their input (so every layer owns its output); backward copies the gradient back.
#ifndef SHAPE_H
#define SHAPE_H

#include "layer.h"

Layer *flatten_new(void);
Layer *reshape_new(int c, int h, int w);

// Channel concatenation, for skip connections (U-Net): out (N, Ca+Cb, H, W) = [a (N, Ca, H, W) | b (N, Cb, H, W)].
// Not a Layer (it has two inputs): chapters call the kernels between nets.
void concat_channels_forward(Tensor *out, const Tensor *a, const Tensor *b);
// Backward of the concatenation: split dout into da (N, Ca, H, W) and db (N, Cb, H, W); either may be NULL.
void concat_channels_backward(Tensor *da, Tensor *db, const Tensor *dout, int ca);

#endif
