// tensor.h: the one data type every module passes around: a float32 array with a 4-d shape.
//
// Layout is NCHW, row-major: element (n, c, h, w) sits at data[((n*C + c)*H + h)*W + w].
// A batch of feature vectors (N, D) is stored as (N, D, 1, 1), so Dense layers and Conv2D layers share one type.
//
//        sample 0                      sample 1
//   [ c0: HxW | c1: HxW | ... ] [ c0: HxW | c1: HxW | ... ] ...
//
// Ownership: a Tensor owns `data`. tensor_init allocates (zeroed), tensor_free releases; a Tensor copied by value
// still points at the same data, so only one copy may be freed. tensor_resize keeps the allocation when the new
// shape fits in it (the last batch of an epoch is smaller than the others, and that should not reallocate).
#ifndef TENSOR_H
#define TENSOR_H

#include <stddef.h>

typedef struct {
    float *data;        // n*c*h*w floats
    int n, c, h, w;     // shape (N, C, H, W)
    size_t cap;         // floats allocated (>= n*c*h*w)
} Tensor;

// Allocate a zeroed tensor of shape (n, c, h, w). Aborts with a message if memory runs out.
void tensor_init(Tensor *t, int n, int c, int h, int w);
// Release t's data and reset it to an empty tensor (safe to call twice).
void tensor_free(Tensor *t);
// Give t the shape (n, c, h, w), growing the allocation only if needed. Contents are unspecified afterwards.
void tensor_resize(Tensor *t, int n, int c, int h, int w);
// Number of elements n*c*h*w.
static inline size_t tensor_size(const Tensor *t) { return (size_t)t->n * t->c * t->h * t->w; }
// Elements per sample c*h*w.
static inline size_t tensor_sample_size(const Tensor *t) { return (size_t)t->c * t->h * t->w; }
// Pointer to the first element of sample i.
static inline float *tensor_sample(const Tensor *t, int i) { return t->data + (size_t)i * tensor_sample_size(t); }
// Set every element to 0.
void tensor_zero(Tensor *t);
// Resize dst to src's shape and copy src's elements.
void tensor_copy(Tensor *dst, const Tensor *src);
// Resize dst to (count, C, H, W) and copy samples [first, first+count) of src. Handy for splits and batches.
void tensor_slice(Tensor *dst, const Tensor *src, int first, int count);
// Write "(N, C, H, W)" into buf (at least 64 bytes) and return buf.
const char *tensor_shape_str(const Tensor *t, char *buf);
// 1 if every element is finite (no NaN or Inf), else 0.
int tensor_all_finite(const Tensor *t);

// Allocation helpers that never return NULL: on failure they print what was asked for and exit(1).
void *xmalloc(size_t bytes);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t bytes);

#endif
