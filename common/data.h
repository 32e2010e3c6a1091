// data.h: getting images into tensors: the IDX file format, Fashion-MNIST, mini-batches and augmentation.
//
// ---- The IDX format (the one MNIST and Fashion-MNIST ship in) ----
//
//   offset  bytes        meaning
//   0       00 00        always zero
//   2       08           element type: 0x08 = unsigned byte (the only type this reader accepts)
//   3       nd           number of dimensions, 1..4 (images: 3 = N x H x W, labels: 1 = N)
//   4       4 * nd       each dimension as a big-endian 32-bit unsigned integer
//   4+4nd   prod(dims)   the elements, row-major, one byte each
//
// The files usually come gzip'd (train-images-idx3-ubyte.gz). The reader goes through zlib's gzopen/gzread, which
// read a plain, uncompressed file just as well, so both kinds work without the caller knowing which it has.
//
// A reader of files from the outside trusts nothing: the header is checked (magic, type, 1..4 dimensions, at most
// IDX_MAX_ELEMENTS elements) before anything is allocated, the data is read in chunks into a buffer that grows only
// as bytes really arrive, and a file shorter or longer than its header claims is an error, not a crash.
//
// ---- Datasets ----
//
// A Dataset is the images as one float tensor, scaled from bytes 0..255 to [0, 1], and one int label per image:
//
//   x  (N, 1, 28, 28)    x[n] = pixels of image n / 255
//   y  (N)               y[n] = class of image n, 0..K-1
//
// ---- Mini-batches, one epoch ----
//
//   Batcher b; batcher_init(&b, train.count, 64, true);        // 64 per batch, shuffled
//   for (int epoch = 0; epoch < epochs; epoch++) {
//       batcher_start_epoch(&b, &rng);                          // a new order every epoch
//       const int *idx; int count;
//       while ((count = batcher_next(&b, &idx)) > 0) {          // the last batch may be smaller
//           dataset_gather(&xb, yb, &train, idx, count);        // xb (count, 1, 28, 28), yb (count)
//           ...
//       }
//   }
//   batcher_free(&b);
//
// Argument order: functions that read a file take the path first, then what they fill, then (err, errlen); the
// others put outputs first, inputs next, sizes last, like the kernels.
#ifndef DATA_H
#define DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rng.h"
#include "tensor.h"

// ================================================ IDX files =========================================================

// The most elements an IDX header may claim (all of Fashion-MNIST's training images are 47 million). A header that
// claims more is treated as corrupt, so that a damaged file never makes us allocate gigabytes.
#define IDX_MAX_ELEMENTS 100000000ull

typedef struct {
    unsigned char *data;    // prod(dims) bytes, row-major; owned, freed by idx_free
    int ndim;               // 1..4
    int dims[4];            // dims[0] = items actually read (see idx_read's max_items), then the rest as in the file
    int file_items;         // dims[0] as the file's header states it (>= dims[0])
} IdxArray;

// Read the IDX file at `path` (gzip'd or plain) into *out. max_items > 0 reads only the first max_items items along
// the first dimension (the first images of a file, for a quick run); 0 reads them all, and then the file must end
// exactly where its header says. Returns 0, or -1 with a one-line message in err (bad magic, unsupported type,
// absurd dimensions, truncated or overlong file, missing file); on error *out is left empty. Free with idx_free.
int idx_read(const char *path, int max_items, IdxArray *out, char *err, size_t errlen);
// Release a's data and reset it (safe to call twice, and on an array that idx_read failed to fill).
void idx_free(IdxArray *a);

// ================================================ Datasets ==========================================================

typedef struct {
    Tensor x;           // (N, C, H, W) floats in [0, 1]; owned
    int *y;             // (N) labels in 0..num_classes-1; owned
    int count;          // N
    int c, h, w;        // shape of one image (1, 28, 28 for Fashion-MNIST)
    int num_classes;    // K (10 for Fashion-MNIST; for other files: largest label + 1)
} Dataset;

// Allocate an empty (zeroed) dataset of n images of shape (c, h, w) and K classes. Free with dataset_free.
void dataset_init(Dataset *d, int n, int c, int h, int w, int num_classes);
// Release d's images and labels and reset it (safe to call twice).
void dataset_free(Dataset *d);

// Load an image file (IDX, N x H x W bytes) and its label file (IDX, N bytes) into *out, keeping the first
// max_items pairs (0 = all). The two files must state the same N. Returns 0, or -1 with a message in err (and *out
// left empty). Free with dataset_free.
int dataset_load_idx(const char *images_path, const char *labels_path, int max_items, Dataset *out,
                     char *err, size_t errlen);

// Where fashion_mnist_load looks when neither its dir argument nor FASHION_MNIST_DIR is set: the Debian package
// dataset-fashion-mnist installs the four files here.
#define FASHION_MNIST_DEFAULT_DIR "/usr/share/datasets/fashion-mnist"

// The ten Fashion-MNIST classes, by label: "T-shirt/top", "Trouser", ..., "Ankle boot".
extern const char *const FASHION_MNIST_CLASSES[10];

// Load Fashion-MNIST (60,000 training and 10,000 test images of 28x28, labels 0..9) from the directory
//   dir, if not NULL (a chapter passes its --data DIR), else $FASHION_MNIST_DIR, else FASHION_MNIST_DEFAULT_DIR,
// which holds train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte,
// each gzip'd (.gz) or not. MNIST's files have the same names and format, so a MNIST directory works too.
// max_train / max_test > 0 keep only the first that many images (--quick); 0 keeps all. train or test may be NULL
// to skip that split. Returns 0, or -1 with a message in err naming the paths tried and how to get the data;
// on error nothing is left allocated. Free each split with dataset_free.
int fashion_mnist_load(const char *dir, int max_train, int max_test, Dataset *train, Dataset *test,
                       char *err, size_t errlen);

// Copy samples idx[0..count) of d into xb (resized to (count, C, H, W)) and their labels into yb (count ints,
// caller's array; yb may be NULL when labels are not needed). Every idx[i] must be in 0..d->count-1.
void dataset_gather(Tensor *xb, int *yb, const Dataset *d, const int *idx, int count);
// Copy the first n_a samples of d into a and the rest into b (both new datasets, freed by the caller with
// dataset_free; b may be NULL to drop the rest). n_a is clamped to 0..d->count.
void dataset_split(Dataset *a, Dataset *b, const Dataset *d, int n_a);
// Copy samples idx[0..count) of d, in that order, into a new dataset out (freed by the caller with dataset_free).
void dataset_subset(Dataset *out, const Dataset *d, const int *idx, int count);

// ================================================ Mini-batches ======================================================

typedef struct {
    int *order;         // (n) the sample indices in this epoch's order; owned
    int n;              // number of samples
    int batch_size;     // B; the last batch of an epoch holds n mod B when that is not 0
    int pos;            // position in `order` of the next batch
    bool shuffle;       // false: 0, 1, ..., n-1 every epoch (evaluation)
} Batcher;

// Prepare batches of batch_size over n samples (n >= 0, batch_size >= 1). Call batcher_start_epoch before the first
// batch. Free with batcher_free.
void batcher_init(Batcher *b, int n, int batch_size, bool shuffle);
// Release b's order array (safe to call twice).
void batcher_free(Batcher *b);
// Begin an epoch: rewind and, when shuffling, draw a new order from rng (a fresh permutation of 0..n-1, so the same
// rng state always gives the same order). rng may be NULL when b does not shuffle.
void batcher_start_epoch(Batcher *b, Rng *rng);
// The next batch of the epoch: points *idx at its sample indices (inside b, valid until the next epoch starts) and
// returns how many there are; 0 once the epoch is over. Each index 0..n-1 comes exactly once per epoch.
int batcher_next(Batcher *b, const int **idx);
// Batches per epoch: ceil(n / batch_size).
int batcher_num_batches(const Batcher *b);

// ================================================ Augmentation ======================================================
//
// Random changes to one image that keep what it shows: the "views" that siamese and self-supervised training
// (SimSiam, Barlow Twins) compare. Each works in place on one image img of shape (C, H, W), floats in [0, 1], draws
// what it needs from rng, and leaves every value in [0, 1] and the shape unchanged.

// Mirror left-right: img[c][y][x] <-> img[c][y][W-1-x]. Doing it twice gives the image back exactly.
void augment_flip_horizontal(float *img, int c, int h, int w);
// With probability p, mirror left-right.
void augment_random_flip(float *img, int c, int h, int w, float p, Rng *rng);
// Shift by (dy, dx), each drawn uniformly from -max_shift..max_shift pixels; what comes in at the edge is 0.
void augment_translate(float *img, int c, int h, int w, int max_shift, Rng *rng);
// Random resized crop (the crop of Inception and SimCLR): choose a rectangle covering a fraction s of the area,
// s ~ U(scale_min, scale_max), aspect ratio r ~ log-uniform(3/4, 4/3), at a random place, and stretch it back to
// H x W with bilinear interpolation. scale_max <= 1. (Allocates one temporary copy of the image.)
void augment_random_resized_crop(float *img, int c, int h, int w, float scale_min, float scale_max, Rng *rng);
// x <- clip(x + sigma * N(0, 1), 0, 1), independently per value.
void augment_gaussian_noise(float *img, int c, int h, int w, float sigma, Rng *rng);
// Colour jitter for grey images: x <- clip((x - mean) * a + mean + b, 0, 1), with a ~ U(1 - contrast, 1 + contrast)
// and b ~ U(-brightness, brightness), mean the image's mean value (per channel).
void augment_brightness_contrast(float *img, int c, int h, int w, float brightness, float contrast, Rng *rng);
// Random erasing (cutout): with probability p, set a rectangle covering a fraction ~ U(area_min, area_max) of the
// image (aspect ratio log-uniform in 0.3..3.3, clipped at the edges) to 0, in every channel.
void augment_random_erasing(float *img, int c, int h, int w, float p, float area_min, float area_max, Rng *rng);

// A whole view pipeline, applied in this order: crop, flip, translate, brightness/contrast, noise, erasing.
// A step whose strength is 0 (or probability 0) is skipped.
typedef struct {
    float crop_scale_min, crop_scale_max;   // random resized crop; crop_scale_min = 0 skips it
    float flip_p;                           // probability of a horizontal flip
    int max_shift;                          // translation, pixels
    float brightness, contrast;             // jitter strengths
    float noise_sigma;                      // Gaussian noise
    float erase_p, erase_min, erase_max;    // random erasing
} AugmentOptions;

// Defaults that suit 28x28 clothing images: crop 0.5..1.0, flip 0.5, no shift, brightness 0.2, contrast 0.2,
// noise 0.05, erasing with p = 0.25 over 2..15% of the image.
AugmentOptions augment_defaults(void);
// Apply the pipeline of opt to one image (C, H, W) in place.
void augment_view(float *img, int c, int h, int w, const AugmentOptions *opt, Rng *rng);

#endif
