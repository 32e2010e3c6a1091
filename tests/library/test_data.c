// test_data.c: the IDX reader on good and broken files, Fashion-MNIST loading from a small fake directory,
// mini-batches and augmentation.
//
// Every file these tests read is one they write themselves into a fresh directory under /tmp, so the suite runs on
// a machine without the dataset.
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "check_main.h"
#include "data.h"

// ---- helpers: a scratch directory and IDX files written by hand ----

// Make a new empty directory under /tmp and write its path into dir (64 bytes).
static void make_scratch_dir(char *dir) {
    strcpy(dir, "/tmp/test_data_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

// Remove every file in dir, then dir itself (the scratch directories hold no subdirectories).
static void remove_scratch_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char path[512];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        remove(path);
    }
    closedir(d);
    rmdir(dir);
}

// Write `len` bytes to path, gzip'd when gz is true.
static void write_bytes(const char *path, const unsigned char *bytes, size_t len, int gz) {
    if (gz) {
        gzFile f = gzopen(path, "wb");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(gzwrite(f, bytes, (unsigned)len), (int)len);
        gzclose(f);
    } else {
        FILE *f = fopen(path, "wb");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(bytes, 1, len, f), len);
        fclose(f);
    }
}

// Build an IDX byte image in buf: header for dims[0..ndim) then `ndata` data bytes from data (which may be fewer or
// more than the header claims, to make broken files). Returns the total length.
static size_t build_idx(unsigned char *buf, int ndim, const unsigned *dims, const unsigned char *data, size_t ndata) {
    size_t len = 0;
    buf[len++] = 0; buf[len++] = 0; buf[len++] = 0x08; buf[len++] = (unsigned char)ndim;
    for (int i = 0; i < ndim; i++) {
        buf[len++] = (unsigned char)(dims[i] >> 24); buf[len++] = (unsigned char)(dims[i] >> 16);
        buf[len++] = (unsigned char)(dims[i] >> 8);  buf[len++] = (unsigned char)dims[i];
    }
    if (ndata > 0) memcpy(buf + len, data, ndata);
    return len + ndata;
}

// Write a valid IDX file of n images (h, w) where pixel j of image i is (i * 7 + j) % 256, and its label file with
// label i % 10, under dir with the given base names (".gz" appended when gz).
static void write_fake_split(const char *dir, const char *prefix, int n, int h, int w, int gz) {
    size_t ndata = (size_t)n * h * w;
    unsigned char *data = malloc(ndata), *buf = malloc(ndata + 32);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < h * w; j++) data[(size_t)i * h * w + j] = (unsigned char)((i * 7 + j) % 256);
    char path[512];
    unsigned dims[3] = {(unsigned)n, (unsigned)h, (unsigned)w};
    snprintf(path, sizeof path, "%s/%s-images-idx3-ubyte%s", dir, prefix, gz ? ".gz" : "");
    write_bytes(path, buf, build_idx(buf, 3, dims, data, ndata), gz);
    for (int i = 0; i < n; i++) data[i] = (unsigned char)(i % 10);
    snprintf(path, sizeof path, "%s/%s-labels-idx1-ubyte%s", dir, prefix, gz ? ".gz" : "");
    write_bytes(path, buf, build_idx(buf, 1, dims, data, (size_t)n), gz);
    free(data);
    free(buf);
}

// ---- the IDX reader ----

static void check_roundtrip(int gz) {
    char dir[64], path[256], err[512];
    make_scratch_dir(dir);
    snprintf(path, sizeof path, "%s/x.idx", dir);
    unsigned char data[3 * 2 * 4], buf[128];
    for (int i = 0; i < 24; i++) data[i] = (unsigned char)(i * 10);
    unsigned dims[3] = {3, 2, 4};
    write_bytes(path, buf, build_idx(buf, 3, dims, data, 24), gz);

    IdxArray a;
    ck_assert_int_eq(idx_read(path, 0, &a, err, sizeof err), 0);
    ck_assert_int_eq(a.ndim, 3);
    ck_assert_int_eq(a.dims[0], 3); ck_assert_int_eq(a.dims[1], 2); ck_assert_int_eq(a.dims[2], 4);
    ck_assert_int_eq(a.file_items, 3);
    ck_assert_mem_eq(a.data, data, 24);
    idx_free(&a);

    // max_items: only the first item, but the file's count is still known
    ck_assert_int_eq(idx_read(path, 1, &a, err, sizeof err), 0);
    ck_assert_int_eq(a.dims[0], 1);
    ck_assert_int_eq(a.file_items, 3);
    ck_assert_mem_eq(a.data, data, 8);
    idx_free(&a);
    idx_free(&a);                    // twice is allowed
    remove_scratch_dir(dir);
}

START_TEST(test_idx_roundtrip_raw) { check_roundtrip(0); }
END_TEST

START_TEST(test_idx_roundtrip_gz) { check_roundtrip(1); }
END_TEST

// Write `bytes` to a file (raw), read it, expect -1 with a message containing `expect`.
static void expect_idx_error(const unsigned char *bytes, size_t len, int gz, const char *expect) {
    char dir[64], path[256], err[512] = "";
    make_scratch_dir(dir);
    snprintf(path, sizeof path, "%s/bad.idx", dir);
    write_bytes(path, bytes, len, gz);
    IdxArray a;
    ck_assert_int_eq(idx_read(path, 0, &a, err, sizeof err), -1);
    ck_assert_ptr_null(a.data);
    ck_assert_msg(strstr(err, expect) != NULL, "message \"%s\" lacks \"%s\"", err, expect);
    ck_assert_msg(strstr(err, path) != NULL, "message \"%s\" does not name the file", err);
    idx_free(&a);
    remove_scratch_dir(dir);
}

START_TEST(test_idx_wrong_magic) {
    const unsigned char zip[] = {'P', 'K', 3, 4, 0, 0, 0, 1, 5};
    expect_idx_error(zip, sizeof zip, 0, "not an IDX file");
    const unsigned char floats[] = {0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0};
    expect_idx_error(floats, sizeof floats, 1, "type 0x0d not supported");
    const unsigned char ndim9[] = {0, 0, 0x08, 9, 0, 0, 0, 1};
    expect_idx_error(ndim9, sizeof ndim9, 0, "9 dimensions");
    const unsigned char tiny[] = {0, 0};
    expect_idx_error(tiny, sizeof tiny, 0, "too short");
}
END_TEST

START_TEST(test_idx_truncated) {
    unsigned char buf[256], data[100] = {0};
    unsigned dims[3] = {10, 28, 28};       // promises 7840 bytes, holds 100
    size_t len = build_idx(buf, 3, dims, data, sizeof data);
    expect_idx_error(buf, len, 0, "truncated");
    expect_idx_error(buf, len, 1, "truncated");
    expect_idx_error(buf, 10, 0, "inside the IDX header");
}
END_TEST

START_TEST(test_idx_truncated_gzip_stream) {
    // A good file, gzip'd, then cut in the middle of its compressed stream (an interrupted download).
    char dir[64], path[256], err[512];
    make_scratch_dir(dir);
    snprintf(path, sizeof path, "%s/cut.gz", dir);
    size_t n = 20000;
    unsigned char *data = malloc(n), *buf = malloc(n + 32);
    Rng rng;
    rng_seed(&rng, 5);
    for (size_t i = 0; i < n; i++) data[i] = (unsigned char)(rng_u64(&rng) >> 56);   // random: barely compresses
    unsigned dims[1] = {(unsigned)n};
    write_bytes(path, buf, build_idx(buf, 1, dims, data, n), 1);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(truncate(path, st.st_size / 2), 0);
    IdxArray a;
    ck_assert_int_eq(idx_read(path, 0, &a, err, sizeof err), -1);
    ck_assert_ptr_null(a.data);
    ck_assert_msg(strstr(err, path) != NULL, "message \"%s\" does not name the file", err);
    free(data);
    free(buf);
    remove_scratch_dir(dir);
}
END_TEST

START_TEST(test_idx_absurd_header) {
    // 4 x 4G dimensions: the reader must refuse before allocating anything of that size.
    unsigned char buf[128];
    unsigned dims[4] = {0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu};
    expect_idx_error(buf, build_idx(buf, 4, dims, NULL, 0), 0, "more than");
    unsigned big[3] = {60000, 2800, 28};   // 4.7 billion bytes: over the cap
    expect_idx_error(buf, build_idx(buf, 3, big, NULL, 0), 1, "corrupt");
    unsigned zero[2] = {5, 0};
    expect_idx_error(buf, build_idx(buf, 2, zero, NULL, 0), 0, "is 0");
    // under the cap but far more than the file holds: an error, and no 90 MB allocation up front
    unsigned lie[3] = {100000, 30, 30};
    unsigned char data[50] = {0};
    expect_idx_error(buf, build_idx(buf, 3, lie, data, sizeof data), 1, "truncated");
}
END_TEST

START_TEST(test_idx_overlong) {
    unsigned char buf[64], data[10] = {0};
    unsigned dims[1] = {8};                // promises 8 bytes, holds 10
    expect_idx_error(buf, build_idx(buf, 1, dims, data, sizeof data), 0, "more data");
}
END_TEST

START_TEST(test_idx_missing_file) {
    char err[512];
    IdxArray a;
    ck_assert_int_eq(idx_read("/nonexistent/dir/x-idx1-ubyte.gz", 0, &a, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/dir/x-idx1-ubyte.gz"));
    ck_assert_ptr_nonnull(strstr(err, "cannot open"));
}
END_TEST

// ---- datasets and Fashion-MNIST ----

START_TEST(test_fashion_mnist_fake_dir) {
    char dir[64], err[512];
    make_scratch_dir(dir);
    write_fake_split(dir, "train", 20, 28, 28, 1);      // gzip'd
    write_fake_split(dir, "t10k", 8, 28, 28, 0);        // plain: both kinds are accepted
    Dataset train, test;
    ck_assert_msg(fashion_mnist_load(dir, 0, 0, &train, &test, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(train.count, 20);
    ck_assert_int_eq(test.count, 8);
    ck_assert_int_eq(train.x.n, 20); ck_assert_int_eq(train.x.c, 1);
    ck_assert_int_eq(train.x.h, 28); ck_assert_int_eq(train.x.w, 28);
    ck_assert_int_eq(train.num_classes, 10);
    // pixel j of image i was (i * 7 + j) % 256, stored as that / 255
    ck_assert_float_eq_tol(tensor_sample(&train.x, 3)[5], (float)((3 * 7 + 5) % 256) / 255.0f, 1e-7);
    ck_assert_float_eq_tol(tensor_sample(&train.x, 19)[783], (float)((19 * 7 + 783) % 256) / 255.0f, 1e-7);
    ck_assert_int_eq(train.y[13], 3);
    ck_assert_int_eq(test.y[7], 7);
    dataset_free(&train);
    dataset_free(&test);
    dataset_free(&test);                                // twice is allowed

    // --quick: the first few only; test may be skipped with NULL; the directory may come from the environment
    setenv("FASHION_MNIST_DIR", dir, 1);
    ck_assert_int_eq(fashion_mnist_load(NULL, 5, 0, &train, NULL, err, sizeof err), 0);
    ck_assert_int_eq(train.count, 5);
    ck_assert_int_eq(train.y[4], 4);
    dataset_free(&train);
    remove_scratch_dir(dir);
}
END_TEST

START_TEST(test_fashion_mnist_missing_dir) {
    char err[512];
    Dataset train, test;
    ck_assert_int_eq(fashion_mnist_load("/nonexistent/fmnist", 0, 0, &train, &test, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/fmnist/train-images-idx3-ubyte.gz"));
    ck_assert_ptr_nonnull(strstr(err, "dataset-fashion-mnist"));
    ck_assert_ptr_nonnull(strstr(err, "--data DIR"));
    ck_assert_ptr_null(train.x.data);
}
END_TEST

START_TEST(test_fashion_mnist_mismatch) {
    char dir[64], err[512], path[256];
    make_scratch_dir(dir);
    write_fake_split(dir, "train", 6, 28, 28, 1);
    // replace the labels by a file of 5 labels
    unsigned char buf[64], labels[5] = {0, 1, 2, 3, 4};
    unsigned dims[1] = {5};
    snprintf(path, sizeof path, "%s/train-labels-idx1-ubyte.gz", dir);
    write_bytes(path, buf, build_idx(buf, 1, dims, labels, 5), 1);
    Dataset train;
    ck_assert_int_eq(fashion_mnist_load(dir, 0, 0, &train, NULL, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "6 images but") != NULL, "%s", err);

    // labels beyond 0..9
    unsigned char bad[6] = {0, 1, 2, 3, 4, 12};
    dims[0] = 6;
    write_bytes(path, buf, build_idx(buf, 1, dims, bad, 6), 1);
    ck_assert_int_eq(fashion_mnist_load(dir, 0, 0, &train, NULL, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "outside") != NULL, "%s", err);

    // the test split is missing: the message names it, and train is not left allocated
    write_fake_split(dir, "train", 6, 28, 28, 1);
    Dataset test;
    ck_assert_int_eq(fashion_mnist_load(dir, 0, 0, &train, &test, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "t10k-images-idx3-ubyte") != NULL, "%s", err);
    ck_assert_ptr_null(train.x.data);
    remove_scratch_dir(dir);
}
END_TEST

START_TEST(test_split_subset_gather) {
    Dataset d;
    dataset_init(&d, 7, 1, 2, 2, 10);
    for (int i = 0; i < 7; i++) {
        d.y[i] = i;
        for (int j = 0; j < 4; j++) tensor_sample(&d.x, i)[j] = i + j * 0.1f;
    }
    Dataset a, b;
    dataset_split(&a, &b, &d, 5);
    ck_assert_int_eq(a.count, 5); ck_assert_int_eq(b.count, 2);
    ck_assert_int_eq(b.y[0], 5);
    ck_assert_float_eq(tensor_sample(&b.x, 1)[3], d.x.data[6 * 4 + 3]);
    dataset_free(&a); dataset_free(&b);
    dataset_split(&a, NULL, &d, 99);                       // clamped: everything into a
    ck_assert_int_eq(a.count, 7);
    dataset_free(&a);

    int idx[3] = {6, 0, 3};
    Dataset s;
    dataset_subset(&s, &d, idx, 3);
    ck_assert_int_eq(s.count, 3);
    ck_assert_int_eq(s.y[0], 6); ck_assert_int_eq(s.y[2], 3);
    ck_assert_float_eq(tensor_sample(&s.x, 1)[2], d.x.data[0 * 4 + 2]);
    dataset_free(&s);

    Tensor xb = {0};
    int yb[3];
    dataset_gather(&xb, yb, &d, idx, 3);
    ck_assert_int_eq(xb.n, 3); ck_assert_int_eq(xb.h, 2);
    ck_assert_int_eq(yb[1], 0);
    ck_assert_float_eq(tensor_sample(&xb, 0)[1], d.x.data[6 * 4 + 1]);
    tensor_free(&xb);
    dataset_free(&d);
}
END_TEST

// ---- mini-batches ----

// Run one epoch; check every index 0..n-1 comes exactly once and batch sizes are right; write the order into out.
static void run_epoch(Batcher *b, Rng *rng, int *out) {
    int n = b->n, seen_total = 0, batches = 0;
    int *seen = calloc((size_t)n, sizeof(int));
    batcher_start_epoch(b, rng);
    const int *idx;
    int count;
    while ((count = batcher_next(b, &idx)) > 0) {
        int expect = n - seen_total < b->batch_size ? n - seen_total : b->batch_size;
        ck_assert_int_eq(count, expect);
        for (int i = 0; i < count; i++) {
            ck_assert(idx[i] >= 0 && idx[i] < n);
            seen[idx[i]]++;
            out[seen_total + i] = idx[i];
        }
        seen_total += count;
        batches++;
    }
    ck_assert_int_eq(seen_total, n);
    ck_assert_int_eq(batches, batcher_num_batches(b));
    for (int i = 0; i < n; i++) ck_assert_int_eq(seen[i], 1);
    ck_assert_int_eq(batcher_next(b, &idx), 0);            // stays over
    free(seen);
}

START_TEST(test_batcher) {
    enum { N = 103 };
    int e1[N], e2[N], again[N];
    Batcher b;
    batcher_init(&b, N, 10, true);
    ck_assert_int_eq(batcher_num_batches(&b), 11);
    Rng rng;
    rng_seed(&rng, 7);
    run_epoch(&b, &rng, e1);
    run_epoch(&b, &rng, e2);
    ck_assert_msg(memcmp(e1, e2, sizeof e1) != 0, "two epochs in the same order");
    rng_seed(&rng, 7);                                      // same seed, same orders
    run_epoch(&b, &rng, again);
    ck_assert_mem_eq(again, e1, sizeof e1);
    batcher_free(&b);

    batcher_init(&b, N, 32, false);                        // sequential: 0, 1, 2, ... without an rng
    run_epoch(&b, NULL, e1);
    for (int i = 0; i < N; i++) ck_assert_int_eq(e1[i], i);
    batcher_free(&b);
    batcher_free(&b);
}
END_TEST

// ---- augmentation ----

static void check_range(const float *img, int n, const char *what) {
    for (int i = 0; i < n; i++)
        ck_assert_msg(img[i] >= 0.0f && img[i] <= 1.0f, "%s: value %d is %g", what, i, img[i]);
}

START_TEST(test_augment) {
    enum { C = 2, H = 28, W = 28, N = C * H * W };
    float img[N], orig[N];
    Rng rng;
    rng_seed(&rng, 3);
    for (int i = 0; i < N; i++) orig[i] = rng_uniform(&rng);

    memcpy(img, orig, sizeof img);
    augment_flip_horizontal(img, C, H, W);
    ck_assert_float_eq(img[5 * W + 0], orig[5 * W + W - 1]);
    augment_flip_horizontal(img, C, H, W);
    ck_assert_mem_eq(img, orig, sizeof img);

    AugmentOptions opt = augment_defaults();
    opt.max_shift = 3;
    opt.erase_p = 1.0f;
    for (int trial = 0; trial < 50; trial++) {
        memcpy(img, orig, sizeof img);
        augment_random_flip(img, C, H, W, 0.5f, &rng);               check_range(img, N, "random_flip");
        augment_translate(img, C, H, W, 4, &rng);                    check_range(img, N, "translate");
        augment_random_resized_crop(img, C, H, W, 0.2f, 1.0f, &rng); check_range(img, N, "crop");
        augment_gaussian_noise(img, C, H, W, 0.3f, &rng);            check_range(img, N, "noise");
        augment_brightness_contrast(img, C, H, W, 0.5f, 0.5f, &rng); check_range(img, N, "brightness_contrast");
        augment_random_erasing(img, C, H, W, 1.0f, 0.1f, 0.3f, &rng); check_range(img, N, "erasing");
        memcpy(img, orig, sizeof img);
        augment_view(img, C, H, W, &opt, &rng);                      check_range(img, N, "view");
    }
}
END_TEST

START_TEST(test_augment_translate_moves_pixels) {
    // One bright pixel in the middle of a dark image: after a shift it is still there, exactly once, within reach.
    enum { H = 9, W = 9 };
    Rng rng;
    rng_seed(&rng, 11);
    for (int trial = 0; trial < 40; trial++) {
        float img[H * W] = {0};
        img[4 * W + 4] = 1.0f;
        augment_translate(img, 1, H, W, 3, &rng);
        int found = -1, ones = 0;
        for (int i = 0; i < H * W; i++) if (img[i] == 1.0f) { found = i; ones++; }
        ck_assert_int_eq(ones, 1);
        ck_assert(abs(found / W - 4) <= 3 && abs(found % W - 4) <= 3);
    }
    // no shift allowed: unchanged
    float img[H * W], orig[H * W];
    for (int i = 0; i < H * W; i++) orig[i] = img[i] = (float)i / (H * W);
    augment_translate(img, 1, H, W, 0, &rng);
    ck_assert_mem_eq(img, orig, sizeof img);
    // any crop of a constant image, stretched back with bilinear interpolation, is the same constant image
    for (int i = 0; i < H * W; i++) img[i] = 0.25f;
    augment_random_resized_crop(img, 1, H, W, 0.5f, 1.0f, &rng);
    for (int i = 0; i < H * W; i++) ck_assert_float_eq_tol(img[i], 0.25f, 1e-6);
}
END_TEST

static Suite *data_suite(void) {
    Suite *s = suite_create("data");
    TCase *idx = tcase_create("idx");
    tcase_add_test(idx, test_idx_roundtrip_raw);
    tcase_add_test(idx, test_idx_roundtrip_gz);
    tcase_add_test(idx, test_idx_wrong_magic);
    tcase_add_test(idx, test_idx_truncated);
    tcase_add_test(idx, test_idx_truncated_gzip_stream);
    tcase_add_test(idx, test_idx_absurd_header);
    tcase_add_test(idx, test_idx_overlong);
    tcase_add_test(idx, test_idx_missing_file);
    suite_add_tcase(s, idx);
    TCase *ds = tcase_create("dataset");
    tcase_add_test(ds, test_fashion_mnist_fake_dir);
    tcase_add_test(ds, test_fashion_mnist_missing_dir);
    tcase_add_test(ds, test_fashion_mnist_mismatch);
    tcase_add_test(ds, test_split_subset_gather);
    suite_add_tcase(s, ds);
    TCase *batch = tcase_create("batcher");
    tcase_add_test(batch, test_batcher);
    suite_add_tcase(s, batch);
    TCase *aug = tcase_create("augment");
    tcase_add_test(aug, test_augment);
    tcase_add_test(aug, test_augment_translate_moves_pixels);
    suite_add_tcase(s, aug);
    return s;
}

CHECK_MAIN(data_suite)
