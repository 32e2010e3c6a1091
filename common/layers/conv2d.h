// conv2d.h: the 2-d convolution layer (Keras Conv2D), without activation (add one as its own layer).
//
//   out[n][oc][oh][ow] = b[oc] + sum over c, kh, kw of
//                        w[oc][c][kh][kw] * in[n][c][oh*stride + kh - pad_top][ow*stride + kw - pad_left]
//
//   in (N, C, H, W), w (OC, C, KH, KW), b (OC), out (N, OC, OH, OW); input pixels outside the image read as 0.
//
// (Like every deep-learning library, this is a cross-correlation: the kernel is not flipped.) The kernel stored as
// (OC, C, KH, KW) is an (OC, C*KH*KW) matrix, so with im2col (im2col.h) each sample's convolution is one GEMM:
//
//   out_n (OC, OH*OW) = w (OC, C*KH*KW) @ col_n (C*KH*KW, OH*OW) + b
//
// Sizes and padding follow Keras: VALID gives OH = (H - KH)/stride + 1; SAME gives OH = ceil(H / stride) with
// padding max((OH-1)*stride + KH - H, 0) split as pad_top = total/2 and the rest at the bottom (likewise for W).
// conv_out_size() in im2col.h computes both.
//
// Keras stores the kernel as (KH, KW, C, OC); the parameter count is the same: KH*KW*C*OC + OC.
#ifndef CONV2D_H
#define CONV2D_H

#include <stddef.h>

#include "layer.h"

// Floats of workspace the two kernels below need (sizes in the kernels' order): a flipped copy of the kernel, one
// sample's column matrix per thread (conv_threads()) and CONV_BATCH_CHUNKS partial sums of dw and db. conv2d.c
// draws the layout.
size_t conv2d_work_floats(int C, int H, int W, int OC, int KH, int KW, int OH, int OW);

// Forward kernel: out (N, OC, OH, OW) = conv(in (N, C, H, W), w (OC, C, KH, KW)) + b (OC), as above.
// work: conv2d_work_floats(...) floats of scratch. The batch is split across OpenMP threads.
void conv2d_forward(float *out, const float *in, const float *w, const float *b, float *work,
                    int N, int C, int H, int W, int OC, int KH, int KW, int stride, int pad_top, int pad_left,
                    int OH, int OW);

// Backward kernel, given dout (N, OC, OH, OW) = dL/dout:
//   dw (OC, C, KH, KW) += sum over n of dout_n @ col_n^T;   db (OC) += sum over n, oh, ow of dout;
//   din (N, C, H, W)    = col2im(w^T @ dout_n)              (written, not added; skipped when din is NULL;
//                                                            for stride 1 often computed as a full convolution)
// The sums over the batch are formed in fixed pieces of it (im2col.h, CONV_BATCH_CHUNKS) and added in order, so
// the result does not depend on the number of threads.
void conv2d_backward(float *din, float *dw, float *db, const float *dout, const float *in, const float *w,
                     float *work, int N, int C, int H, int W, int OC, int KH, int KW, int stride, int pad_top,
                     int pad_left, int OH, int OW);

// A Conv2D layer with `filters` output channels and a square `kernel` x `kernel` window moved `stride` pixels at a
// time. Params: kernel (filters, in_c, kernel, kernel) Glorot-uniform with Keras's fans (fan_in = in_c*k*k,
// fan_out = filters*k*k), bias (filters) zeros.
Layer *conv2d_new(int filters, int kernel, int stride, Padding pad);

#endif
