// conv2d_transpose.h: the transposed convolution (Keras Conv2DTranspose), the learnt upsampling of decoders.
//
// A Conv2D with stride 2 maps a big image to a small one; its transpose maps small to big. Each input pixel
// scatters a copy of the kernel, scaled by its value, onto the output, and overlapping copies add up:
//
//   out[n][oc][ih*stride + kh - pad_top][iw*stride + kw - pad_left] += in[n][c][ih][iw] * w[c][oc][kh][kw]
//   then out[n][oc][.][.] += b[oc]                   (contributions falling outside the output are dropped)
//
//   in (N, C, H, W), w (C, OC, KH, KW), b (OC), out (N, OC, OH, OW)
//
//   input 2x2, kernel 3x3, stride 2, VALID:      output 5x5 = (2-1)*2 + 3
//        a b          a-kernel lands at rows 0..2, cols 0..2; b-kernel at rows 0..2, cols 2..4
//        c d          (column 2 gets both); c and d two rows further down
//
// It is exactly the backward pass (input gradient) of a Conv2D that maps (OC, OH, OW) to (C, H, W) with the same
// kernel array, which is why it is also called a "deconvolution" (it is not one) and why it reuses col2im:
//
//   col_n (OC*KH*KW, H*W) = w^T @ in_n,   w seen as a (C, OC*KH*KW) matrix;   out_n = col2im(col_n) + b
//
// Sizes follow Keras: VALID gives OH = H*stride + max(KH - stride, 0), which is (H-1)*stride + KH whenever the
// kernel is at least as large as the stride; SAME gives OH = H*stride (stride 2 doubles the image). The padding is
// that of the matching Conv2D from (OH, OW) back to (H, W): SAME removes max(KH - stride, 0) rows in all,
// total/2 at the top and the rest at the bottom (likewise for columns).
//
// Kernel layout: stored (C, OC, KH, KW), input channels first, as PyTorch's ConvTranspose2d does, so that it is one
// row-major (C, OC*KH*KW) matrix for the GEMM. Keras stores it (KH, KW, OC, C); the parameter count is the same:
// KH*KW*C*OC + OC.
#ifndef CONV2D_TRANSPOSE_H
#define CONV2D_TRANSPOSE_H

#include <stddef.h>

#include "layer.h"

// Keras's output size and leading padding of one spatial dimension: in -> out, see above. `same` selects SAME.
void conv2d_transpose_out_size(int in, int k, int stride, int same, int *out, int *pad_before);

// Floats of workspace the two kernels below need: one sample's col (OC*KH*KW, H*W) per thread (conv_threads())
// and CONV_BATCH_CHUNKS partial sums of dw (C, OC*KH*KW) and db (OC).
size_t conv2d_transpose_work_floats(int C, int OC, int KH, int KW, int H, int W);

// Forward kernel: out (N, OC, OH, OW) = the scatter above of in (N, C, H, W) with w (C, OC, KH, KW), + b (OC).
// work: conv2d_transpose_work_floats(...) floats of scratch. The batch is split across OpenMP threads.
void conv2d_transpose_forward(float *out, const float *in, const float *w, const float *b, float *work,
                              int N, int C, int H, int W, int OC, int KH, int KW, int stride, int pad_top,
                              int pad_left, int OH, int OW);

// Backward kernel, given dout (N, OC, OH, OW), with dcol_n = im2col(dout_n) (OC*KH*KW, H*W):
//   dw (C, OC*KH*KW) += sum over n of in_n @ dcol_n^T;   db (OC) += sum over n, oh, ow of dout;
//   din (N, C, H, W)  = w @ dcol_n                       (written, not added; skipped when din is NULL).
// The batch sums are formed in fixed pieces and added in order, as in conv2d_backward: the result does not depend
// on the number of threads.
void conv2d_transpose_backward(float *din, float *dw, float *db, const float *dout, const float *in, const float *w,
                               float *work, int N, int C, int H, int W, int OC, int KH, int KW, int stride,
                               int pad_top, int pad_left, int OH, int OW);

// A Conv2DTranspose layer with `filters` output channels and a square `kernel` x `kernel` window; `stride` is the
// upsampling factor. Params: kernel (in_c, filters, kernel, kernel) Glorot-uniform (fans in_c*k*k and filters*k*k,
// whose sum is all Glorot uses), bias (filters) zeros.
Layer *conv2d_transpose_new(int filters, int kernel, int stride, Padding pad);

#endif
