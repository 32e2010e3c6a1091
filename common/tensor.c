// tensor.c: allocation and copying of NCHW float tensors (see tensor.h for the layout).
#include "tensor.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *xmalloc(size_t bytes) {
    void *p = malloc(bytes ? bytes : 1);
    if (!p) { fprintf(stderr, "error: out of memory allocating %zu bytes\n", bytes); exit(1); }
    return p;
}

void *xcalloc(size_t count, size_t size) {
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) { fprintf(stderr, "error: out of memory allocating %zu x %zu bytes\n", count, size); exit(1); }
    return p;
}

void *xrealloc(void *p, size_t bytes) {
    void *q = realloc(p, bytes ? bytes : 1);
    if (!q) { fprintf(stderr, "error: out of memory reallocating %zu bytes\n", bytes); exit(1); }
    return q;
}

void tensor_init(Tensor *t, int n, int c, int h, int w) {
    t->n = n; t->c = c; t->h = h; t->w = w;
    t->cap = tensor_size(t);
    t->data = xcalloc(t->cap, sizeof(float));
}

void tensor_free(Tensor *t) {
    free(t->data);
    t->data = NULL;
    t->n = t->c = t->h = t->w = 0;
    t->cap = 0;
}

void tensor_resize(Tensor *t, int n, int c, int h, int w) {
    size_t need = (size_t)n * c * h * w;
    if (need > t->cap) {
        free(t->data);
        t->data = xcalloc(need, sizeof(float));
        t->cap = need;
    }
    t->n = n; t->c = c; t->h = h; t->w = w;
}

void tensor_zero(Tensor *t) {
    if (t->data) memset(t->data, 0, tensor_size(t) * sizeof(float));
}

void tensor_copy(Tensor *dst, const Tensor *src) {
    tensor_resize(dst, src->n, src->c, src->h, src->w);
    memcpy(dst->data, src->data, tensor_size(src) * sizeof(float));
}

void tensor_slice(Tensor *dst, const Tensor *src, int first, int count) {
    tensor_resize(dst, count, src->c, src->h, src->w);
    memcpy(dst->data, tensor_sample(src, first), (size_t)count * tensor_sample_size(src) * sizeof(float));
}

const char *tensor_shape_str(const Tensor *t, char *buf) {
    snprintf(buf, 64, "(%d, %d, %d, %d)", t->n, t->c, t->h, t->w);
    return buf;
}

int tensor_all_finite(const Tensor *t) {
    size_t size = tensor_size(t);
    for (size_t i = 0; i < size; i++)
        if (!isfinite(t->data[i])) return 0;
    return 1;
}
