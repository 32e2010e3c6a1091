// upsample.h: nearest-neighbour upsampling (Keras UpSampling2D): repeat each pixel factor x factor times.
//
//   out[n][c][h][w] = in[n][c][h / factor][w / factor]          in (N, C, H, W), out (N, C, H*f, W*f)
//
//   forward (factor 2)              backward
//     a b        a a b b             dout   p q r s       din   p+q+t+u  r+s+v+w
//     c d   ->   a a b b                    t u v w    ->
//                c c d d                    ...                 ...
//                c c d d
//
// Each input pixel feeds a factor x factor block of the output, so its gradient is the sum of that block's.
// No parameters: a decoder pairs it with a Conv2D to learn what to do with the bigger image.
#ifndef UPSAMPLE_H
#define UPSAMPLE_H

#include "layer.h"

// Forward kernel: out (N, C, H*factor, W*factor) = in (N, C, H, W) with every pixel repeated into a block.
void upsample2d_forward(float *out, const float *in, int N, int C, int H, int W, int factor);

// Backward kernel: din (N, C, H, W) = sum of dout (N, C, H*factor, W*factor) over each block (written, not added).
void upsample2d_backward(float *din, const float *dout, int N, int C, int H, int W, int factor);

// An UpSampling2D layer repeating pixels `factor` times along rows and columns. No parameters.
Layer *upsample2d_new(int factor);

#endif
