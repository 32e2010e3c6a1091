// data.c: IDX files, Fashion-MNIST, datasets, mini-batches and augmentation (see data.h).
#include "data.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

const char *const FASHION_MNIST_CLASSES[10] = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
};

// ================================================ IDX files =========================================================

// Read up to `want` bytes from gz into buf. Returns the number read (less than want only at end of file), or -1 on
// a read or decompression error, with zlib's message in *zmsg.
static long long gz_read_fully(gzFile gz, unsigned char *buf, size_t want, const char **zmsg) {
    size_t got = 0;
    while (got < want) {
        size_t chunk = want - got;
        if (chunk > (1u << 20)) chunk = 1u << 20;      // gzread takes an unsigned int: read 1 MiB at a time
        int n = gzread(gz, buf + got, (unsigned)chunk);
        if (n < 0) {
            int errnum;
            *zmsg = gzerror(gz, &errnum);
            return -1;
        }
        if (n == 0) break;
        got += (size_t)n;
    }
    return (long long)got;
}

void idx_free(IdxArray *a) {
    free(a->data);
    memset(a, 0, sizeof *a);
}

int idx_read(const char *path, int max_items, IdxArray *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    errno = 0;
    gzFile gz = gzopen(path, "rb");
    if (!gz) {
        snprintf(err, errlen, "%s: cannot open (%s)", path, errno ? strerror(errno) : "out of memory");
        return -1;
    }
    gzbuffer(gz, 1u << 17);     // 128 KiB of compressed input per read: fewer system calls than the 8 KiB default
    const char *zmsg = "";

    // ---- the header: 00 00 type ndim, then ndim big-endian uint32 ----
    unsigned char head[4];
    long long n = gz_read_fully(gz, head, 4, &zmsg);
    if (n < 0) { snprintf(err, errlen, "%s: cannot read (%s)", path, zmsg); goto fail; }
    if (n < 4) {
        snprintf(err, errlen, "%s: only %lld bytes, too short for an IDX header (4 bytes + 4 per dimension)", path, n);
        goto fail;
    }
    if (head[0] != 0 || head[1] != 0) {
        snprintf(err, errlen, "%s: not an IDX file (starts %02x %02x %02x %02x, expected 00 00 08 0n)",
                 path, head[0], head[1], head[2], head[3]);
        goto fail;
    }
    if (head[2] != 0x08) {
        snprintf(err, errlen, "%s: IDX element type 0x%02x not supported (only 0x08, unsigned bytes)", path, head[2]);
        goto fail;
    }
    int ndim = head[3];
    if (ndim < 1 || ndim > 4) {
        snprintf(err, errlen, "%s: IDX header claims %d dimensions (expected 1..4): corrupt file?", path, ndim);
        goto fail;
    }
    unsigned char dimbytes[16];
    n = gz_read_fully(gz, dimbytes, 4 * (size_t)ndim, &zmsg);
    if (n < 0) { snprintf(err, errlen, "%s: cannot read (%s)", path, zmsg); goto fail; }
    if (n < 4 * ndim) { snprintf(err, errlen, "%s: file ends inside the IDX header (truncated?)", path); goto fail; }

    uint64_t total = 1;          // elements the header claims, checked against IDX_MAX_ELEMENTS as it grows
    uint32_t dims[4];
    for (int i = 0; i < ndim; i++) {
        const unsigned char *p = dimbytes + 4 * i;
        dims[i] = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
        if (dims[i] == 0) {
            snprintf(err, errlen, "%s: IDX dimension %d is 0: empty or corrupt file", path, i);
            goto fail;
        }
        total *= dims[i];                      // cannot overflow: both factors are below 2^32 and total <= the cap
        if (total > IDX_MAX_ELEMENTS) {
            snprintf(err, errlen, "%s: IDX header claims more than %llu elements (dimension %d is %u): corrupt file?",
                     path, IDX_MAX_ELEMENTS, i, dims[i]);
            goto fail;
        }
    }

    // ---- how much to read: all items, or the first max_items ----
    uint64_t item_bytes = total / dims[0];
    uint64_t items = dims[0];
    if (max_items > 0 && (uint64_t)max_items < items) items = (uint64_t)max_items;
    size_t want = (size_t)(items * item_bytes);

    // ---- the data: grow the buffer as bytes arrive, so a lying header costs no more memory than the file holds ----
    size_t cap = want < (1u << 20) ? want : (1u << 20), got = 0;
    unsigned char *buf = xmalloc(cap);
    while (got < want) {
        if (got == cap) {
            cap = cap * 2 < want ? cap * 2 : want;
            buf = xrealloc(buf, cap);
        }
        n = gz_read_fully(gz, buf + got, cap - got, &zmsg);
        if (n < 0) {
            snprintf(err, errlen, "%s: cannot read the data (%s): damaged download? reinstall the file", path, zmsg);
            free(buf);
            goto fail;
        }
        got += (size_t)n;
        if (got < cap) break;                  // end of file
    }
    if (got < want) {
        snprintf(err, errlen, "%s: file ends after %zu of the %zu data bytes its header promises (truncated?)",
                 path, got, want);
        free(buf);
        goto fail;
    }
    if (items == dims[0]) {                    // read everything: nothing may follow
        unsigned char extra;
        n = gz_read_fully(gz, &extra, 1, &zmsg);
        if (n != 0) {
            snprintf(err, errlen, "%s: %s after the %zu data bytes its header promises: not a valid IDX file",
                     path, n > 0 ? "more data" : "a read error", want);
            free(buf);
            goto fail;
        }
    }
    gzclose(gz);

    out->data = buf;
    out->ndim = ndim;
    for (int i = 0; i < ndim; i++) out->dims[i] = (int)dims[i];   // each <= IDX_MAX_ELEMENTS, so fits an int
    out->dims[0] = (int)items;
    out->file_items = (int)dims[0];
    return 0;

fail:
    gzclose(gz);
    return -1;
}

// ================================================ Datasets ==========================================================

void dataset_init(Dataset *d, int n, int c, int h, int w, int num_classes) {
    tensor_init(&d->x, n, c, h, w);
    d->y = xcalloc((size_t)n, sizeof(int));
    d->count = n;
    d->c = c; d->h = h; d->w = w;
    d->num_classes = num_classes;
}

void dataset_free(Dataset *d) {
    tensor_free(&d->x);
    free(d->y);
    memset(d, 0, sizeof *d);
}

int dataset_load_idx(const char *images_path, const char *labels_path, int max_items, Dataset *out,
                     char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    IdxArray img, lab;
    if (idx_read(images_path, max_items, &img, err, errlen) != 0) return -1;
    if (idx_read(labels_path, max_items, &lab, err, errlen) != 0) { idx_free(&img); return -1; }

    int rc = -1;
    if (img.ndim != 3) {
        snprintf(err, errlen, "%s: expected images of 3 dimensions (N, H, W), the file has %d", images_path, img.ndim);
    } else if (lab.ndim != 1) {
        snprintf(err, errlen, "%s: expected labels of 1 dimension (N), the file has %d", labels_path, lab.ndim);
    } else if (img.file_items != lab.file_items) {
        snprintf(err, errlen, "%s has %d images but %s has %d labels: files from two different sets?",
                 images_path, img.file_items, labels_path, lab.file_items);
    } else {
        int n = img.dims[0], h = img.dims[1], w = img.dims[2], max_label = 0;
        for (int i = 0; i < n; i++) if (lab.data[i] > max_label) max_label = lab.data[i];
        dataset_init(out, n, 1, h, w, max_label + 1);
        // bytes -> floats through a table of the 256 possible values: x = b / 255, so 0 -> 0.0 and 255 -> 1.0
        float table[256];
        for (int b = 0; b < 256; b++) table[b] = (float)b / 255.0f;
        size_t total = (size_t)n * h * w;
        for (size_t i = 0; i < total; i++) out->x.data[i] = table[img.data[i]];
        for (int i = 0; i < n; i++) out->y[i] = lab.data[i];
        rc = 0;
    }
    idx_free(&img);
    idx_free(&lab);
    return rc;
}

// Find DIR/name.gz or DIR/name: write the one that exists into path and return 0; else -1, naming both in err.
static int find_idx_file(char *path, size_t pathlen, const char *dir, const char *name, const char *dir_source,
                         char *err, size_t errlen) {
    struct stat st;
    snprintf(path, pathlen, "%s/%s.gz", dir, name);
    if (stat(path, &st) == 0) return 0;
    snprintf(path, pathlen, "%s/%s", dir, name);
    if (stat(path, &st) == 0) return 0;
    snprintf(err, errlen, "Fashion-MNIST not found: tried %s/%s.gz and %s/%s (directory %s); "
             "install the Debian package dataset-fashion-mnist or pass --data DIR",
             dir, name, dir, name, dir_source);
    return -1;
}

// Load one split (images + labels) and check its labels are 0..9.
static int load_split(const char *dir, const char *dir_source, const char *prefix, int max_items, Dataset *out,
                      char *err, size_t errlen) {
    char images[4096], labels[4096], name[64];
    snprintf(name, sizeof name, "%s-images-idx3-ubyte", prefix);
    if (find_idx_file(images, sizeof images, dir, name, dir_source, err, errlen) != 0) return -1;
    snprintf(name, sizeof name, "%s-labels-idx1-ubyte", prefix);
    if (find_idx_file(labels, sizeof labels, dir, name, dir_source, err, errlen) != 0) return -1;
    if (dataset_load_idx(images, labels, max_items, out, err, errlen) != 0) return -1;
    if (out->num_classes > 10) {
        snprintf(err, errlen, "%s: a label is %d, outside Fashion-MNIST's 0..9: not a Fashion-MNIST label file?",
                 labels, out->num_classes - 1);
        dataset_free(out);
        return -1;
    }
    out->num_classes = 10;       // even a small prefix that happens to miss class 9 has ten classes
    return 0;
}

int fashion_mnist_load(const char *dir, int max_train, int max_test, Dataset *train, Dataset *test,
                       char *err, size_t errlen) {
    if (train) memset(train, 0, sizeof *train);     // so that on any error both splits are empty, never garbage
    if (test) memset(test, 0, sizeof *test);
    const char *source = "given by --data";
    if (!dir || !*dir) {
        dir = getenv("FASHION_MNIST_DIR");
        source = "from $FASHION_MNIST_DIR";
        if (!dir || !*dir) { dir = FASHION_MNIST_DEFAULT_DIR; source = "the default"; }
    }
    if (train && load_split(dir, source, "train", max_train, train, err, errlen) != 0) return -1;
    if (test && load_split(dir, source, "t10k", max_test, test, err, errlen) != 0) {
        if (train) dataset_free(train);
        return -1;
    }
    return 0;
}

void dataset_gather(Tensor *xb, int *yb, const Dataset *d, const int *idx, int count) {
    tensor_resize(xb, count, d->c, d->h, d->w);
    size_t per = tensor_sample_size(&d->x);
    for (int i = 0; i < count; i++) {
        assert(idx[i] >= 0 && idx[i] < d->count);
        memcpy(tensor_sample(xb, i), tensor_sample(&d->x, idx[i]), per * sizeof(float));
        if (yb) yb[i] = d->y[idx[i]];
    }
}

void dataset_subset(Dataset *out, const Dataset *d, const int *idx, int count) {
    dataset_init(out, count, d->c, d->h, d->w, d->num_classes);
    dataset_gather(&out->x, out->y, d, idx, count);
}

// Copy the contiguous samples [first, first + count) of d into a new dataset.
static void dataset_range(Dataset *out, const Dataset *d, int first, int count) {
    dataset_init(out, count, d->c, d->h, d->w, d->num_classes);
    size_t per = tensor_sample_size(&d->x);
    memcpy(out->x.data, tensor_sample(&d->x, first), (size_t)count * per * sizeof(float));
    memcpy(out->y, d->y + first, (size_t)count * sizeof(int));
}

void dataset_split(Dataset *a, Dataset *b, const Dataset *d, int n_a) {
    if (n_a < 0) n_a = 0;
    if (n_a > d->count) n_a = d->count;
    dataset_range(a, d, 0, n_a);
    if (b) dataset_range(b, d, n_a, d->count - n_a);
}

// ================================================ Mini-batches ======================================================

void batcher_init(Batcher *b, int n, int batch_size, bool shuffle) {
    assert(n >= 0 && batch_size >= 1);
    b->order = xmalloc((size_t)(n > 0 ? n : 1) * sizeof(int));
    b->n = n;
    b->batch_size = batch_size;
    b->shuffle = shuffle;
    b->pos = n;                        // no epoch started yet: batcher_next returns 0
}

void batcher_free(Batcher *b) {
    free(b->order);
    b->order = NULL;
    b->n = b->pos = 0;
}

void batcher_start_epoch(Batcher *b, Rng *rng) {
    for (int i = 0; i < b->n; i++) b->order[i] = i;
    if (b->shuffle) {
        assert(rng != NULL);
        rng_shuffle(rng, b->order, b->n);
    }
    b->pos = 0;
}

int batcher_next(Batcher *b, const int **idx) {
    int count = b->n - b->pos;
    if (count > b->batch_size) count = b->batch_size;
    if (count <= 0) return 0;
    *idx = b->order + b->pos;
    b->pos += count;
    return count;
}

int batcher_num_batches(const Batcher *b) { return (b->n + b->batch_size - 1) / b->batch_size; }

// ================================================ Augmentation ======================================================

static inline float clip01(float v) { return v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v); }

void augment_flip_horizontal(float *img, int c, int h, int w) {
    for (int row = 0; row < c * h; row++) {          // each row of each channel, reversed in place
        float *r = img + (size_t)row * w;
        for (int x = 0; x < w / 2; x++) {
            float t = r[x]; r[x] = r[w - 1 - x]; r[w - 1 - x] = t;
        }
    }
}

void augment_random_flip(float *img, int c, int h, int w, float p, Rng *rng) {
    if (rng_uniform(rng) < p) augment_flip_horizontal(img, c, h, w);
}

void augment_translate(float *img, int c, int h, int w, int max_shift, Rng *rng) {
    if (max_shift <= 0) return;
    int dy = (int)rng_below(rng, 2u * max_shift + 1) - max_shift;
    int dx = (int)rng_below(rng, 2u * max_shift + 1) - max_shift;
    // out[y][x] = in[y - dy][x - dx]. Working in place, walk so that each source pixel is read before it is
    // overwritten: downwards when the image moves up (dy < 0), upwards when it moves down; the same for columns.
    for (int ch = 0; ch < c; ch++) {
        float *p = img + (size_t)ch * h * w;
        for (int i = 0; i < h; i++) {
            int y = dy > 0 ? h - 1 - i : i;
            for (int j = 0; j < w; j++) {
                int x = dx > 0 ? w - 1 - j : j;
                int sy = y - dy, sx = x - dx;
                p[y * w + x] = (sy >= 0 && sy < h && sx >= 0 && sx < w) ? p[sy * w + sx] : 0.0f;
            }
        }
    }
}

// Bilinear sample of one channel plane (h, w) at the real-valued position (fy, fx), clamped to the image.
static float bilinear(const float *plane, int h, int w, float fy, float fx) {
    if (fy < 0) fy = 0;
    if (fx < 0) fx = 0;
    if (fy > h - 1) fy = (float)(h - 1);
    if (fx > w - 1) fx = (float)(w - 1);
    int y0 = (int)fy, x0 = (int)fx;
    int y1 = y0 + 1 < h ? y0 + 1 : y0, x1 = x0 + 1 < w ? x0 + 1 : x0;
    float ty = fy - y0, tx = fx - x0;
    float top = plane[y0 * w + x0] * (1 - tx) + plane[y0 * w + x1] * tx;
    float bot = plane[y1 * w + x0] * (1 - tx) + plane[y1 * w + x1] * tx;
    return top * (1 - ty) + bot * ty;
}

// A random rectangle of area fraction ~ U(area_min, area_max) and aspect ratio (width / height) log-uniform in
// [ratio_min, ratio_max], clipped to the image: writes its top-left corner and size.
static void random_rect(int *top, int *left, int *rh, int *rw, int h, int w, float area_min, float area_max,
                        float ratio_min, float ratio_max, Rng *rng) {
    float area = rng_range(rng, area_min, area_max) * h * w;
    float ratio = expf(rng_range(rng, logf(ratio_min), logf(ratio_max)));
    int rect_w = (int)lroundf(sqrtf(area * ratio)), rect_h = (int)lroundf(sqrtf(area / ratio));
    if (rect_w < 1) rect_w = 1;
    if (rect_h < 1) rect_h = 1;
    if (rect_w > w) rect_w = w;
    if (rect_h > h) rect_h = h;
    *top = (int)rng_below(rng, (uint32_t)(h - rect_h + 1));
    *left = (int)rng_below(rng, (uint32_t)(w - rect_w + 1));
    *rh = rect_h;
    *rw = rect_w;
}

void augment_random_resized_crop(float *img, int c, int h, int w, float scale_min, float scale_max, Rng *rng) {
    assert(0 < scale_min && scale_min <= scale_max && scale_max <= 1);
    int top, left, ch_, cw;
    random_rect(&top, &left, &ch_, &cw, h, w, scale_min, scale_max, 3.0f / 4.0f, 4.0f / 3.0f, rng);
    size_t n = (size_t)c * h * w;
    float *src = xmalloc(n * sizeof(float));
    memcpy(src, img, n * sizeof(float));
    // Output pixel (y, x) looks at the crop's point at the same relative position, pixel centres aligned:
    //   fy = top + (y + 0.5) * ch / H - 0.5
    float sy = (float)ch_ / h, sx = (float)cw / w;
    for (int k = 0; k < c; k++) {
        const float *plane = src + (size_t)k * h * w;
        float *o = img + (size_t)k * h * w;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                float fy = top + (y + 0.5f) * sy - 0.5f, fx = left + (x + 0.5f) * sx - 0.5f;
                o[y * w + x] = clip01(bilinear(plane, h, w, fy, fx));
            }
    }
    free(src);
}

void augment_gaussian_noise(float *img, int c, int h, int w, float sigma, Rng *rng) {
    size_t n = (size_t)c * h * w;
    for (size_t i = 0; i < n; i++) img[i] = clip01(img[i] + sigma * rng_normal(rng));
}

void augment_brightness_contrast(float *img, int c, int h, int w, float brightness, float contrast, Rng *rng) {
    float a = rng_range(rng, 1.0f - contrast, 1.0f + contrast);
    float b = rng_range(rng, -brightness, brightness);
    size_t hw = (size_t)h * w;
    for (int k = 0; k < c; k++) {
        float *p = img + k * hw;
        double sum = 0;
        for (size_t i = 0; i < hw; i++) sum += p[i];
        float mean = (float)(sum / hw);
        for (size_t i = 0; i < hw; i++) p[i] = clip01((p[i] - mean) * a + mean + b);
    }
}

void augment_random_erasing(float *img, int c, int h, int w, float p, float area_min, float area_max, Rng *rng) {
    if (rng_uniform(rng) >= p) return;
    int top, left, rh, rw;
    random_rect(&top, &left, &rh, &rw, h, w, area_min, area_max, 0.3f, 3.3f, rng);
    for (int k = 0; k < c; k++)
        for (int y = top; y < top + rh; y++)
            memset(img + ((size_t)k * h + y) * w + left, 0, (size_t)rw * sizeof(float));
}

AugmentOptions augment_defaults(void) {
    return (AugmentOptions){
        .crop_scale_min = 0.5f, .crop_scale_max = 1.0f,
        .flip_p = 0.5f,
        .max_shift = 0,
        .brightness = 0.2f, .contrast = 0.2f,
        .noise_sigma = 0.05f,
        .erase_p = 0.25f, .erase_min = 0.02f, .erase_max = 0.15f,
    };
}

void augment_view(float *img, int c, int h, int w, const AugmentOptions *opt, Rng *rng) {
    if (opt->crop_scale_min > 0)
        augment_random_resized_crop(img, c, h, w, opt->crop_scale_min, opt->crop_scale_max, rng);
    if (opt->flip_p > 0) augment_random_flip(img, c, h, w, opt->flip_p, rng);
    if (opt->max_shift > 0) augment_translate(img, c, h, w, opt->max_shift, rng);
    if (opt->brightness > 0 || opt->contrast > 0)
        augment_brightness_contrast(img, c, h, w, opt->brightness, opt->contrast, rng);
    if (opt->noise_sigma > 0) augment_gaussian_noise(img, c, h, w, opt->noise_sigma, rng);
    if (opt->erase_p > 0) augment_random_erasing(img, c, h, w, opt->erase_p, opt->erase_min, opt->erase_max, rng);
}
