// im2col.h: turn a convolution into one matrix product, the trick every convolution layer here is built on.
//
// A convolution with a KH x KW kernel takes, for each output pixel (oh, ow), the KH*KW*C input values under the
// kernel and dots them with the kernel of each output channel. im2col copies those patches into the columns of a
// matrix, so that all the dot products become one GEMM:
//
//   image (C, H, W), here C = 1, H = W = 4,           col (C*KH*KW, OH*OW): one column per output pixel,
//   kernel 3x3, stride 1, padding 1 ("same"):          one row per kernel tap (c, kh, kw)
//
//        . . . . . .                                       (0,0) (0,1) (0,2) (0,3) (1,0) ...  <- output pixel
//        . a b c d .      the 3x3 window at          tap 0  .     .     .     .     .    ...
//        . e f g h .      output (0,0) covers        tap 1  .     .     .     .     a    ...
//        . i j k l .      . . . / . a b / . e f      tap 2  .     .     .     .     b    ...
//        . m n o p .                                 tap 3  .     a     b     c     .    ...
//        . . . . . .      (. = padding, reads 0)     tap 4  a     b     c     d     e    ...
//                                                    ...
//                                                    tap 8  f     g     h     .     j    ...
//
//   Then   out (OC, OH*OW) = kernel (OC, C*KH*KW) @ col (C*KH*KW, OH*OW)      (+ bias per row)
//
// Row r = (c*KH + kh)*KW + kw of col holds, for every output pixel, the input value that tap meets:
//   col[r][oh*OW + ow] = image[c][oh*stride + kh - pad_top][ow*stride + kw - pad_left]     (0 outside the image)
//
// col2im goes the other way: each column is a patch of gradient (or of output, for a transposed convolution) and
// col2im adds every entry back onto the image pixel it came from. Overlapping windows add up. It is the adjoint
// (transpose) of im2col, which is exactly what the backward pass of a convolution needs.
//
// The cost: col is KH*KW times larger than the image, so im2col and col2im are memory traffic, not arithmetic. With
// the small channel counts of this course they take as long as the GEMM itself; keep them simple and streaming.
#ifndef IM2COL_H
#define IM2COL_H

#include <stddef.h>

// col (C*KH*KW, OH*OW) = the patches of img (C, H, W), as pictured above. Writes every entry of col.
void im2col(float *col, const float *img, int C, int H, int W, int KH, int KW, int stride, int pad_top, int pad_left,
            int OH, int OW);

// img (C, H, W) = sum of the entries of col (C*KH*KW, OH*OW) over the pixels they were taken from; pixels no
// window covers become 0. Writes every entry of img (it does not add to what was there).
void col2im(float *img, const float *col, int C, int H, int W, int KH, int KW, int stride, int pad_top,
            int pad_left, int OH, int OW);

// ---- helpers the convolution and pooling layers share ----

// Keras's output size and leading padding for one spatial dimension of a convolution or pooling window:
//   VALID: out = (in - k) / stride + 1, no padding;
//   SAME:  out = ceil(in / stride), total padding max((out - 1)*stride + k - in, 0), of which total/2 goes before
//          (top/left) and the rest after (bottom/right).
// `same` selects SAME. An output size <= 0 means the window does not fit (the caller reports it).
void conv_out_size(int in, int k, int stride, int same, int *out, int *pad_before);

// How many threads a convolution splits its batch over (omp_get_max_threads(), or 1 without OpenMP): each thread
// gets its own slice of the workspace, so workspaces are sized with this number.
int conv_threads(void);
// Which of those threads is running (omp_get_thread_num(), or 0): the index of its workspace slice.
int conv_thread_id(void);

// Kernels split their work across threads only when a call has at least this much of it (multiply-adds, or
// floats moved): below that, waking the other threads costs more than they save (microseconds on an idle machine,
// a scheduler time slice or more on a busy one). Gradient checks, which call forward thousands of times on tiny
// inputs, stay serial.
#define CONV_PARALLEL_MIN_WORK ((size_t)1 << 16)

// Sums over a batch (a convolution's dw and db) are formed in this many fixed pieces of consecutive samples, one
// partial sum each, added in order at the end. Threads share out the pieces, but the grouping and order of the
// additions do not depend on them, so the sums come out the same with any number of threads. (8 pieces balance the
// load of up to 8 threads, and of 2 threads on a machine that is busy with something else.)
#define CONV_BATCH_CHUNKS 8

// The sum of x[0..n), as the bias gradient needs it (db = sum of dout over the pixels). Kept as 16 interleaved
// partial sums: one running sum is a chain of dependent additions, each waiting for the last, and C's rules forbid
// the compiler to reorder float additions (that is what -ffast-math would allow); 16 independent sums are one
// vector register of additions per step.
float conv_sum(const float *x, int n);

#endif
