// test_checkpoint.c: save and load round trips, and every way a load must refuse a file (leaving the nets alone).
//
// The model is two nets, as the chapters' encoder-decoder pairs: an "encoder" Dense -> BatchNormalization (so that
// buffers are saved too) and a "decoder" Dense. Files go to a fresh directory under /tmp, removed at the end.
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "checkpoint.h"
#include "layers/dense.h"
#include "layers/regularize.h"

typedef struct {
    Rng rng;
    Net *nets[2];
} Model;

// encoder: (N, 6) -> Dense(hidden) -> BatchNorm;  decoder: (N, hidden) -> Dense(out). Weights drawn from seed.
static void model_init(Model *m, uint64_t seed, int hidden, int out) {
    rng_seed(&m->rng, seed);
    m->nets[0] = net_new("encoder", 6, 1, 1, &m->rng);
    net_add(m->nets[0], dense_new(hidden));
    net_add(m->nets[0], batchnorm_new());
    m->nets[1] = net_new("decoder", hidden, 1, 1, &m->rng);
    net_add(m->nets[1], dense_new(out));
    // Give the buffers (moving statistics) values of their own too, not just their initial 0 and 1.
    for (int n = 0; n < 2; n++)
        for (int i = 0; i < m->nets[n]->nlayers; i++) {
            Layer *l = m->nets[n]->layers[i];
            for (int b = 0; b < l->nbuffers; b++)
                for (size_t j = 0; j < l->buffers[b].size; j++) l->buffers[b].value[j] = rng_normal(&m->rng);
        }
}

static void model_free(Model *m) {
    net_free(m->nets[0]);
    net_free(m->nets[1]);
}

// Every float of every param and buffer, in checkpoint order, into a malloc'd array (caller frees).
static float *snapshot(const Model *m, size_t *count) {
    size_t n = 0;
    float *all = NULL;
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < m->nets[k]->nlayers; i++) {
            Layer *l = m->nets[k]->layers[i];
            for (int p = 0; p < l->nparams + l->nbuffers; p++) {
                float *v = p < l->nparams ? l->params[p].value : l->buffers[p - l->nparams].value;
                size_t size = p < l->nparams ? l->params[p].size : l->buffers[p - l->nparams].size;
                all = realloc(all, (n + size) * sizeof(float));
                memcpy(all + n, v, size * sizeof(float));
                n += size;
            }
        }
    *count = n;
    return all;
}

static void perturb(Model *m) {
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < m->nets[k]->nlayers; i++) {
            Layer *l = m->nets[k]->layers[i];
            for (int p = 0; p < l->nparams; p++)
                for (size_t j = 0; j < l->params[p].size; j++) l->params[p].value[j] += 1.0f;
            for (int b = 0; b < l->nbuffers; b++)
                for (size_t j = 0; j < l->buffers[b].size; j++) l->buffers[b].value[j] -= 1.0f;
        }
}

static char dir[64];
static char path[128];

static void make_dir(void) {
    snprintf(dir, sizeof dir, "/tmp/test_checkpoint_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/model.ckpt", dir);
}

// Removes the directory; fails the test if anything but model.ckpt was in it (a leftover .tmp).
static void remove_dir(void) {
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    char name[384];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        ck_assert_msg(strcmp(e->d_name, "model.ckpt") == 0, "unexpected file left behind: %s", e->d_name);
        snprintf(name, sizeof name, "%s/%s", dir, e->d_name);
        unlink(name);
    }
    closedir(d);
    rmdir(dir);
}

static long file_size(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

// A load that must fail: -1, a message containing `expect`, and the model untouched.
static void expect_rejected(Model *m, const char *expect) {
    size_t n_before, n_after;
    float *before = snapshot(m, &n_before);
    char err[512] = "";
    ck_assert_int_eq(checkpoint_load(path, m->nets, 2, err, sizeof err), -1);
    ck_assert_msg(strstr(err, expect) != NULL, "message \"%s\" does not say \"%s\"", err, expect);
    float *after = snapshot(m, &n_after);
    ck_assert_uint_eq(n_before, n_after);
    ck_assert_msg(memcmp(before, after, n_before * sizeof(float)) == 0, "a rejected load changed the nets");
    free(before);
    free(after);
}

START_TEST(test_round_trip_is_bitwise) {
    make_dir();
    Model m;
    model_init(&m, 1, 4, 3);
    char err[512];
    ck_assert_msg(checkpoint_save(path, m.nets, 2, err, sizeof err) == 0, "%s", err);
    size_t n_saved, n_loaded;
    float *saved = snapshot(&m, &n_saved);
    // 6*4+4 dense, 4+4 gamma/beta, 4+4 moving stats, 4*3+3 dense
    ck_assert_uint_eq(n_saved, 28 + 8 + 8 + 15);
    perturb(&m);
    ck_assert_msg(checkpoint_load(path, m.nets, 2, err, sizeof err) == 0, "%s", err);
    float *loaded = snapshot(&m, &n_loaded);
    ck_assert_uint_eq(n_saved, n_loaded);
    ck_assert_msg(memcmp(saved, loaded, n_saved * sizeof(float)) == 0, "round trip changed some bits");

    // Saving again over an existing checkpoint replaces it (and leaves no .tmp: remove_dir checks).
    perturb(&m);
    ck_assert_int_eq(checkpoint_save(path, m.nets, 2, err, sizeof err), 0);
    model_free(&m);
    free(saved);
    free(loaded);
    remove_dir();
}
END_TEST

// The file's size is exactly header + payload + CRC, as the layout in checkpoint.h adds up.
START_TEST(test_file_layout) {
    make_dir();
    Model m;
    model_init(&m, 2, 4, 3);
    ck_assert_int_eq(checkpoint_save(path, m.nets, 2, NULL, 0), 0);
    // arrays: encoder/dense {kernel (6,4), bias (4,)}, encoder/batch_normalization {gamma, beta, moving_mean,
    // moving_variance, each (4,)}, decoder/dense {kernel (4,3), bias (3,)}
    long payload = 4;
    payload += 2 + 13 + 2 + 6 + 4 + 8 + 4 * 24;       // "encoder/dense" "kernel" ndim 2
    payload += 2 + 13 + 2 + 4 + 4 + 4 + 4 * 4;        // "encoder/dense" "bias"
    long bn = (long)strlen("encoder/") + (long)strlen(m.nets[0]->layers[1]->name);
    const char *bn_arrays[4] = {"gamma", "beta", "moving_mean", "moving_variance"};
    for (int i = 0; i < 4; i++) payload += 2 + bn + 2 + (long)strlen(bn_arrays[i]) + 4 + 4 + 4 * 4;
    payload += 2 + 13 + 2 + 6 + 4 + 8 + 4 * 12;       // "decoder/dense" "kernel"
    payload += 2 + 13 + 2 + 4 + 4 + 4 + 4 * 3;        // "decoder/dense" "bias"
    ck_assert_int_eq(file_size(path), 16 + payload + 4);
    FILE *f = fopen(path, "rb");
    unsigned char head[8];
    ck_assert_uint_eq(fread(head, 1, 8, f), 8);
    fclose(f);
    ck_assert_int_eq(memcmp(head, "EDCKPT\x01\x00", 8), 0);
    model_free(&m);
    remove_dir();
}
END_TEST

START_TEST(test_truncated_file_is_rejected) {
    make_dir();
    Model m;
    model_init(&m, 3, 4, 3);
    ck_assert_int_eq(checkpoint_save(path, m.nets, 2, NULL, 0), 0);
    long full = file_size(path);
    perturb(&m);                                      // so that a wrong "success" would show as a change
    const long lengths[5] = {full - 1, full - 4, full / 2, 10, 0};
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(truncate(path, lengths[i]), 0);
        expect_rejected(&m, "truncated");
    }
    model_free(&m);
    remove_dir();
}
END_TEST

START_TEST(test_flipped_byte_is_rejected) {
    make_dir();
    Model m;
    model_init(&m, 4, 4, 3);
    ck_assert_int_eq(checkpoint_save(path, m.nets, 2, NULL, 0), 0);
    long full = file_size(path);
    perturb(&m);
    // One bit in the middle of the float data, one in a name, one in the stored CRC: all "corrupted".
    const long offsets[3] = {full / 2, 16 + 4 + 2 + 1, full - 2};
    for (int i = 0; i < 3; i++) {
        FILE *f = fopen(path, "r+b");
        fseek(f, offsets[i], SEEK_SET);
        int byte = fgetc(f);
        fseek(f, offsets[i], SEEK_SET);
        fputc(byte ^ 0x10, f);
        fclose(f);
        expect_rejected(&m, "corrupted");
        f = fopen(path, "r+b");                       // flip it back for the next case
        fseek(f, offsets[i], SEEK_SET);
        fputc(byte, f);
        fclose(f);
    }
    // The header is outside the checksum but has its own checks.
    FILE *f = fopen(path, "r+b");
    fputc('X', f);
    fclose(f);
    expect_rejected(&m, "not a checkpoint");
    f = fopen(path, "r+b");
    fputc('E', f);
    fseek(f, 6, SEEK_SET);
    fputc(9, f);                                      // version 9
    fclose(f);
    expect_rejected(&m, "version 9");
    model_free(&m);
    remove_dir();
}
END_TEST

START_TEST(test_wrong_shape_is_rejected) {
    make_dir();
    Model m, other;
    model_init(&m, 5, 4, 3);
    ck_assert_int_eq(checkpoint_save(path, m.nets, 2, NULL, 0), 0);
    model_init(&other, 6, 5, 3);                      // hidden 5 instead of 4: the first kernel is (6, 5)
    expect_rejected(&other, "array 0 (encoder/dense kernel) has shape (6, 4) in the file but (6, 5)");
    model_free(&other);
    model_init(&other, 7, 4, 2);                      // decoder with 2 outputs instead of 3
    expect_rejected(&other, "(4, 3) in the file but (4, 2)");
    model_free(&other);

    // One layer more: the count differs.
    model_init(&other, 8, 4, 3);
    net_add(other.nets[1], dense_new(2));
    expect_rejected(&other, "holds 8 arrays but the nets have 10");
    model_free(&other);
    model_free(&m);
    remove_dir();
}
END_TEST

START_TEST(test_missing_file_and_directory) {
    Model m;
    model_init(&m, 9, 4, 3);
    char err[512] = "";
    ck_assert_int_eq(checkpoint_load("/nonexistent/model.ckpt", m.nets, 2, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "cannot open checkpoint /nonexistent/model.ckpt"));
    ck_assert_int_eq(checkpoint_save("/nonexistent/model.ckpt", m.nets, 2, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/model.ckpt.tmp"));
    ck_assert_int_eq(checkpoint_load("/nonexistent/model.ckpt", m.nets, 2, NULL, 0), -1);   // err may be NULL
    model_free(&m);
}
END_TEST

// A save that fails after the .tmp file was written (here: the rename, because the target is a directory)
// removes the .tmp file and leaves what was at the target alone.
START_TEST(test_failed_save_leaves_no_tmp) {
    make_dir();
    Model m;
    model_init(&m, 10, 4, 3);
    char err[512] = "", tmp[160];
    ck_assert_int_eq(checkpoint_save(dir, m.nets, 2, err, sizeof err), -1);    // path = an existing directory
    ck_assert_msg(strstr(err, "cannot write checkpoint") != NULL, "message: %s", err);
    snprintf(tmp, sizeof tmp, "%s.tmp", dir);
    ck_assert_int_eq(access(tmp, F_OK), -1);
    struct stat st;
    ck_assert_int_eq(stat(dir, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    model_free(&m);
    remove_dir();
}
END_TEST

static Suite *checkpoint_suite(void) {
    Suite *s = suite_create("checkpoint");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_round_trip_is_bitwise);
    tcase_add_test(tc, test_file_layout);
    tcase_add_test(tc, test_truncated_file_is_rejected);
    tcase_add_test(tc, test_flipped_byte_is_rejected);
    tcase_add_test(tc, test_wrong_shape_is_rejected);
    tcase_add_test(tc, test_missing_file_and_directory);
    tcase_add_test(tc, test_failed_save_leaves_no_tmp);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(checkpoint_suite)
