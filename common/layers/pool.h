// pool.h: max pooling (Keras MaxPooling2D): keep the largest value of each pool x pool window.
//
//   out[n][c][oh][ow] = max over the window cells (ih, iw) inside the image of in[n][c][ih][iw],
//   the window being rows oh*stride - pad_top ... + pool - 1 and columns ow*stride - pad_left ... + pool - 1
//
//   in (N, C, H, W), out (N, C, OH, OW), argmax (N, C, OH, OW)
//
// The gradient of a max flows only to the cell that won; the others did not affect the output:
//
//   forward (pool 2)          backward
//     1 2 | 5 3                 0 0 | g 0        g = dL/d(5), routed back to where 5 was
//     4 0 | 1 2      4 5        f 0 | 0 0        f = dL/d(4)
//     ----+----  ->             ----+----
//     7 8 | 3 9      8 9        0 h | 0 k
//     6 5 | 4 1                 0 0 | 0 0
//
// So forward records the winner of each window (argmax, its index h*W + w within the channel plane), and backward
// sends each output gradient there. On a tie the first cell in row-major order wins.
//
// Sizes follow Keras (stride = pool unless said otherwise): VALID drops the rows and columns that do not fill a
// window, OH = (H - pool)/stride + 1; SAME keeps them, OH = ceil(H / stride), padding at the bottom/right (the top
// and left get total/2, see conv_out_size in im2col.h). Padded cells never win: a window that hangs over the edge
// takes the max of its cells inside the image (so an all-negative window gives a negative max, not 0).
#ifndef POOL_H
#define POOL_H

#include "layer.h"

// Forward kernel: out (N, C, OH, OW) = window maxima of in (N, C, H, W); argmax (N, C, OH, OW) = each winner's
// index h*W + w within its (H, W) plane.
void maxpool2d_forward(float *out, int *argmax, const float *in, int N, int C, int H, int W, int pool, int stride,
                       int pad_top, int pad_left, int OH, int OW);

// Backward kernel: din (N, C, H, W) = 0 everywhere except din[argmax] += dout (written, not added to).
void maxpool2d_backward(float *din, const float *dout, const int *argmax, int N, int C, int H, int W, int OH, int OW);

// A MaxPooling2D layer with a pool x pool window and stride pool (Keras's default). No parameters.
Layer *maxpool2d_new(int pool, Padding pad);

#endif
