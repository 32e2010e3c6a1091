// test_chapter00.c: chapter 00 runs end to end with --quick, prints its RESULT lines and writes its figures; bad
// flags and missing data give a clear message and the documented exit status.
#include "chapter_run.h"
#include "check_main.h"

START_TEST(quick_run) {
    char *dir = chapter_tmpdir();
    ck_assert_ptr_nonnull(dir);
    char args[512];
    snprintf(args, sizeof args, "--quick --out %s", dir);
    ChapterRun r;
    chapter_run(&r, "chapter00", args);
    if (r.status != 0) fprintf(stderr, "%s\n%s\n", r.out, r.err);
    ck_assert_int_eq(r.status, 0);
    double accuracy, seconds;
    ck_assert(chapter_result(&r, "test_accuracy", &accuracy));
    ck_assert(chapter_result(&r, "train_seconds", &seconds));
    // One epoch on 2,000 images: far from the full run's ~91%, but well above chance (10%) if training works.
    ck_assert_double_gt(accuracy, 0.5);
    ck_assert_double_le(accuracy, 1.0);
    ck_assert_ptr_nonnull(strstr(r.out, "Total params: 421,642"));      // the Keras model's count
    ck_assert_ptr_nonnull(strstr(r.out, "ok"));                          // the live gradient check passed
    ck_assert_ptr_null(strstr(r.out, "WRONG"));
    ck_assert(chapter_file_exists(dir, "examples.png"));
    ck_assert(chapter_file_exists(dir, "predictions.png"));
    ck_assert(chapter_file_exists(dir, "curves.gp"));
    ck_assert(chapter_file_exists(dir, "confusion.dat"));
    chapter_run_free(&r);
    free(dir);
}
END_TEST

START_TEST(bad_input) {
    chapter_expect_shared_errors("chapter00");
}
END_TEST

static Suite *chapter00_suite(void) {
    Suite *s = suite_create("chapter00");
    TCase *tc = tcase_create("run");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, quick_run);
    tcase_add_test(tc, bad_input);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(chapter00_suite)
