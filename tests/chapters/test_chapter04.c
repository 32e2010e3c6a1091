// test_chapter04.c: chapter 04 runs end to end with --quick, prints its RESULT lines and writes its figures; bad
// flags and missing data give a clear message and the documented exit status.
#include <math.h>

#include "chapter_run.h"
#include "check_main.h"

START_TEST(quick_run) {
    char *dir = chapter_tmpdir();
    ck_assert_ptr_nonnull(dir);
    char args[512];
    snprintf(args, sizeof args, "--quick --out %s", dir);
    ChapterRun r;
    chapter_run(&r, "chapter04", args);
    if (r.status != 0) fprintf(stderr, "%s\n%s\n", r.out, r.err);
    ck_assert_int_eq(r.status, 0);

    static const char *const KEYS[] = {"val_loss_dense", "val_recon_dense", "val_kl_dense", "val_loss_conv",
                                       "val_recon_conv", "val_kl_conv", "val_mse_plain_ae2d", "seconds",
                                       "val_kl_beta_0.1", "val_kl_beta_4"};
    double v[10];
    for (int i = 0; i < 10; i++) {
        ck_assert_msg(chapter_result(&r, KEYS[i], &v[i]), "RESULT %s missing", KEYS[i]);
        ck_assert_msg(isfinite(v[i]), "RESULT %s is not finite", KEYS[i]);
    }
    double loss_d = v[0], recon_d = v[1], kl_d = v[2], loss_c = v[3], recon_c = v[4], kl_c = v[5], mse_ae = v[6];
    // The total is the sum of its two terms, and a KL divergence is never negative.
    ck_assert_double_eq_tol(loss_d, recon_d + kl_d, 0.01 * loss_d);
    ck_assert_double_eq_tol(loss_c, recon_c + kl_c, 0.01 * loss_c);
    ck_assert_double_gt(kl_d, 0.0);
    ck_assert_double_gt(kl_c, 0.0);
    // One epoch on 256 images (128 for the conv VAE) in batches of 32: far from the full run (~28), but each
    // decoder must already beat one that draws 0.5 at every pixel, which scores 784 * MSE = 133 on Fashion-MNIST
    // (pixel MSE 0.169), and 784 * BCE = 784 ln 2 = 543.4 exactly, whatever the image. (The mean image scores 67.)
    ck_assert_double_lt(recon_d, 125.0);
    ck_assert_double_gt(recon_d, 5.0);
    ck_assert_double_lt(recon_c, 543.0);
    ck_assert_double_gt(mse_ae, 0.0);
    ck_assert_double_lt(mse_ae, 0.15);
    // beta weighs the KL term: the more weight, the smaller the KL the model settles for.
    ck_assert_double_gt(v[8], kl_d);
    ck_assert_double_lt(v[9], kl_d);

    ck_assert_ptr_nonnull(strstr(r.out, "Total params of the VAE: 807,700"));        // the notebook's count
    ck_assert_ptr_nonnull(strstr(r.out, "Total params of the conv VAE: 134,165"));   // the Keras example's
    static const char *const FILES[] = {
        "curves_dense.gp", "curves_dense.dat", "latent_dense.dat", "manifold_dense_4_tiles.png",
        "manifold_dense_4.gp", "manifold_dense_1_tiles.png", "samples_dense.png", "walk_dense.png",
        "curves_conv.gp", "latent_conv.dat", "manifold_conv_4_tiles.png", "manifold_conv_1.gp", "samples_conv.png",
        "walk_conv.png", "dense_vs_conv.png", "latent_ae2d.dat", "samples_ae2d.png", "latent_beta.dat",
        "latent_beta.gp"};
    for (size_t i = 0; i < sizeof FILES / sizeof FILES[0]; i++)
        ck_assert_msg(chapter_file_exists(dir, FILES[i]), "%s/%s was not written", dir, FILES[i]);
    chapter_run_free(&r);
    free(dir);
}
END_TEST

START_TEST(bad_input) {
    chapter_expect_shared_errors("chapter04");
    chapter_expect("chapter04", "--beta 2", 2, "unknown option '--beta'", NULL);
    chapter_expect("chapter04", "--help", 0, NULL, "variational autoencoder");
}
END_TEST

static Suite *chapter04_suite(void) {
    Suite *s = suite_create("chapter04");
    TCase *tc = tcase_create("run");
    tcase_set_timeout(tc, 600);    // a hang detector: a sanitizer build on a busy machine needs minutes
    tcase_add_test(tc, quick_run);
    tcase_add_test(tc, bad_input);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(chapter04_suite)
