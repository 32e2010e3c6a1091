// im2col.c: patches to columns and back (see im2col.h for the picture).
#include "im2col.h"

#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

// For one kernel column offset kw, the output columns ow whose input column iw = ow*stride + kw - pad_left lies
// inside [0, W): they form one range [lo, hi). Outside it the window reads padding. Computing the range once per
// row of col keeps the bounds test out of the inner loop, which then vectorises (for stride 1 it is a plain copy).
static void valid_range(int W, int kw, int stride, int pad_left, int OW, int *lo, int *hi) {
    int first = pad_left - kw;                                      // ow*stride >= first
    int last = W - 1 + pad_left - kw;                               // ow*stride <= last
    *lo = first > 0 ? (first + stride - 1) / stride : 0;
    *hi = last >= 0 ? last / stride + 1 : 0;
    if (*hi > OW) *hi = OW;
    if (*lo > *hi) *lo = *hi;
}

// Fast path for stride 1 when output lines are as wide as input lines (SAME padding): the values of one tap row
// then sit a fixed distance from where they land (dh lines and `shift` columns), so one long copy moves them all.
// Where the window hangs over the left or right edge, that copy drags in a value from the neighbouring line; those
// few entries, columns outside [lo, hi), are set back to 0 afterwards.
static void tap_row_shifted(float *restrict row, const float *restrict plane, int H, int W, int dh, int shift,
                            int lo, int hi, int OH) {
    int oh_lo = dh < 0 ? -dh : 0;                                   // output lines whose input line oh + dh
    int oh_hi = H - dh < OH ? H - dh : OH;                          // lies inside [0, H)
    if (oh_hi < oh_lo || hi <= lo) oh_hi = oh_lo;                   // (nothing valid: all zeros)
    if (oh_lo > 0) memset(row, 0, (size_t)oh_lo * W * sizeof(float));           // lines above the image
    if (oh_hi < OH) memset(row + (size_t)oh_hi * W, 0, (size_t)(OH - oh_hi) * W * sizeof(float));   // below
    if (oh_hi == oh_lo) return;
    size_t first = (size_t)oh_lo * W + lo, last = (size_t)(oh_hi - 1) * W + hi;
    memcpy(row + first, plane + (ptrdiff_t)first + (ptrdiff_t)dh * W + shift, (last - first) * sizeof(float));
    for (int oh = oh_lo; oh < oh_hi; oh++) {
        float *line = row + (size_t)oh * W;
        for (int ow = 0; ow < lo; ow++) line[ow] = 0.0f;
        for (int ow = hi; ow < W; ow++) line[ow] = 0.0f;
    }
}

void im2col(float *restrict col, const float *restrict img, int C, int H, int W, int KH, int KW, int stride,
            int pad_top, int pad_left, int OH, int OW) {
    for (int c = 0; c < C; c++)
        for (int kh = 0; kh < KH; kh++)
            for (int kw = 0; kw < KW; kw++) {
                int lo, hi;
                valid_range(W, kw, stride, pad_left, OW, &lo, &hi);
                int shift = kw - pad_left;                          // iw = ow*stride + shift
                if (stride == 1 && OW == W) {
                    tap_row_shifted(col, img + (size_t)c * H * W, H, W, kh - pad_top, shift, lo, hi, OH);
                    col += (size_t)OH * OW;
                    continue;
                }
                for (int oh = 0; oh < OH; oh++) {
                    float *dst = col; col += OW;                    // row (c, kh, kw), columns oh*OW ...
                    int ih = oh * stride + kh - pad_top;
                    if (ih < 0 || ih >= H) { memset(dst, 0, (size_t)OW * sizeof(float)); continue; }
                    const float *src = img + ((size_t)c * H + ih) * W;
                    for (int ow = 0; ow < lo; ow++) dst[ow] = 0.0f;
                    if (stride == 1)
                        for (int ow = lo; ow < hi; ow++) dst[ow] = src[ow + shift];
                    else
                        for (int ow = lo; ow < hi; ow++) dst[ow] = src[ow * stride + shift];
                    for (int ow = hi; ow < OW; ow++) dst[ow] = 0.0f;
                }
            }
}

void col2im(float *restrict img, const float *restrict col, int C, int H, int W, int KH, int KW, int stride,
            int pad_top, int pad_left, int OH, int OW) {
    memset(img, 0, (size_t)C * H * W * sizeof(float));
    // The adjoint of im2col: where im2col read img into col, add col back into img. Entries that im2col set to 0
    // (padding) have no pixel to go back to and are dropped.
    for (int c = 0; c < C; c++)
        for (int kh = 0; kh < KH; kh++)
            for (int kw = 0; kw < KW; kw++) {
                int lo, hi;
                valid_range(W, kw, stride, pad_left, OW, &lo, &hi);
                int shift = kw - pad_left;
                for (int oh = 0; oh < OH; oh++) {
                    const float *src = col; col += OW;
                    int ih = oh * stride + kh - pad_top;
                    if (ih < 0 || ih >= H) continue;
                    float *dst = img + ((size_t)c * H + ih) * W;
                    if (stride == 1)
                        for (int ow = lo; ow < hi; ow++) dst[ow + shift] += src[ow];
                    else
                        for (int ow = lo; ow < hi; ow++) dst[ow * stride + shift] += src[ow];
                }
            }
}

// ---- helpers the convolution and pooling layers share ------------------------------------------------------------

int conv_threads(void) {
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

int conv_thread_id(void) {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

float conv_sum(const float *x, int n) {
    enum { LANES = 16 };
    float part[LANES] = {0};
    int i = 0;
    for (; i + LANES <= n; i += LANES)
        for (int j = 0; j < LANES; j++) part[j] += x[i + j];
    float sum = 0.0f;
    for (int j = 0; j < LANES; j++) sum += part[j];
    for (; i < n; i++) sum += x[i];
    return sum;
}

void conv_out_size(int in, int k, int stride, int same, int *out, int *pad_before) {
    if (same) {
        *out = (in + stride - 1) / stride;                          // ceil(in / stride)
        int total = (*out - 1) * stride + k - in;
        *pad_before = total > 0 ? total / 2 : 0;
    } else {
        *out = in >= k ? (in - k) / stride + 1 : 0;
        *pad_before = 0;
    }
}
