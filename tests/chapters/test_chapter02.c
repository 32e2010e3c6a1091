// test_chapter02.c: chapter 02 runs end to end with --quick, prints every RESULT line the docs list and writes its
// figures; bad flags and missing data give a clear message and the documented exit status.
#include <math.h>

#include "chapter_run.h"
#include "check_main.h"

START_TEST(quick_run) {
    char *dir = chapter_tmpdir();
    ck_assert_ptr_nonnull(dir);
    char args[512];
    // One thread: this test is about the chapter, not the library's threading (tests/library covers that), and on a
    // shared machine a single thread is both faster and steadier (about 30 s of CPU in a sanitizer build).
    snprintf(args, sizeof args, "--quick --threads 1 --out %s", dir);
    ChapterRun r;
    chapter_run(&r, "chapter02", args);
    if (r.status != 0) fprintf(stderr, "%s\n%s\n", r.out, r.err);
    ck_assert_int_eq(r.status, 0);

    // One epoch on 800 rotated images is far from the full run (~80% and ~4 degrees), but every class head must
    // beat chance (10%) clearly, and every angle head must beat, by a degree or more, a net that learned nothing
    // and always answers the mean angle (RMSE ~26 degrees, the spread of whole angles in [-45, 44]).
    static const char *const accuracies[] = {"class_accuracy_w1", "class_accuracy_w100", "class_accuracy_learned",
                                             "class_accuracy_class_only", "val_accuracy_small_with_ae",
                                             "val_accuracy_small_class_only"};
    static const char *const rmses[] = {"angle_rmse_w1", "angle_rmse_w100", "angle_rmse_learned",
                                        "angle_rmse_angle_only"};
    for (size_t i = 0; i < sizeof accuracies / sizeof accuracies[0]; i++) {
        double v;
        ck_assert_msg(chapter_result(&r, accuracies[i], &v), "RESULT %s missing", accuracies[i]);
        ck_assert_msg(v > 0.25 && v <= 1.0, "%s = %g: no better than guessing", accuracies[i], v);
    }
    double guess;
    ck_assert(chapter_result(&r, "angle_rmse_guess_mean", &guess));
    ck_assert_msg(guess > 24.0 && guess < 28.0, "the RMSE of guessing the mean angle is %g, expected ~26", guess);
    for (size_t i = 0; i < sizeof rmses / sizeof rmses[0]; i++) {
        double v;
        ck_assert_msg(chapter_result(&r, rmses[i], &v), "RESULT %s missing", rmses[i]);
        ck_assert_msg(v > 0.0 && v < guess - 1.0, "%s = %g degrees: no better than always guessing the mean angle "
                      "(%g)", rmses[i], v, guess);
    }
    double seconds;
    ck_assert(chapter_result(&r, "seconds", &seconds));
    ck_assert_ptr_nonnull(strstr(r.out, "43,595"));                      // the notebook's parameter count
    ck_assert_ptr_null(strstr(r.out, "skipped"));                         // every exercise is there: nothing skipped
    static const char *const files[] = {
        "rotated_examples.png",  "curves_w1.gp",          "curves_w100.dat",         "curves_learned.dat",
        "confusion_w1.dat",      "confusion_w100.gp",     "angle_error_w1.dat",      "angle_error_w100.dat",
        "learned_weights.dat",   "compare_accuracy.dat",  "compare_rmse.dat",        "small_set_curves.dat",
        "small_set_reconstructions.png",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        ck_assert_msg(chapter_file_exists(dir, files[i]), "%s/%s was not written", dir, files[i]);
    chapter_run_free(&r);
    free(dir);
}
END_TEST

START_TEST(bad_input) {
    chapter_expect_shared_errors("chapter02");
    chapter_expect("chapter02", "--labelled 5", 2, "out of range", NULL);
    chapter_expect("chapter02", "--help", 0, NULL, "--labelled N");
    chapter_expect("chapter02", "--help", 0, NULL, "--small-epochs N");
}
END_TEST

static Suite *chapter02_suite(void) {
    Suite *s = suite_create("chapter02");
    TCase *tc = tcase_create("run");
    tcase_set_timeout(tc, 120);     // make SANITIZE=1 check multiplies it by 5 (CK_TIMEOUT_MULTIPLIER)
    tcase_add_test(tc, quick_run);
    tcase_add_test(tc, bad_input);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(chapter02_suite)
