// test_chapter03.c: chapter 03 runs end to end with --quick (256 training images, one epoch per run), prints every
// RESULT line, draws its figures, and its numbers are those of a model that learnt something; bad flags and
// missing data fail clearly.
#include <math.h>

#include "chapter_run.h"
#include "check_main.h"
#include "plot.h"

static const char *const RESULT_KEYS[] = {
    "fine_accuracy_full", "coarse_accuracy_full", "fine_accuracy_25", "fine_accuracy_5",
    "fine_accuracy_5_weighted", "fine_only_accuracy_5", "fine_accuracy_1", "fine_only_accuracy_1",
    "pseudo_label_accuracy_1", "pseudo_label_accuracy_5", "seconds",
};

static const char *const FIGURES[] = {
    "confusion_all", "confusion_25", "confusion_5", "confusion_5_weighted",
    "losses_all", "losses_25", "losses_5", "losses_5_weighted", "sweep", "tsne",
};

// The four counts on the "total" line of step 1's table of kept labels (100%, 25%, 5%, 1% columns).
static bool kept_totals(const char *out, int kept[4]) {
    const char *line = strstr(out, "\n  total ");
    return line && sscanf(line, " total %d %d %d %d", &kept[0], &kept[1], &kept[2], &kept[3]) == 4;
}

START_TEST(quick_run) {
    // A shared test machine may have more busy threads than cores; OpenMP threads that spin while waiting for
    // each other then slow a run down many times over. Waiting passively costs nothing when the cores are free.
    setenv("OMP_WAIT_POLICY", "passive", 0);
    char *dir = chapter_tmpdir();
    ck_assert_ptr_nonnull(dir);
    char args[512];
    snprintf(args, sizeof args, "--quick --out %s", dir);
    ChapterRun r;
    chapter_run(&r, "chapter03", args);
    if (r.status != 0) fprintf(stderr, "%s\n%s\n", r.out, r.err);
    ck_assert_int_eq(r.status, 0);

    double v[sizeof RESULT_KEYS / sizeof RESULT_KEYS[0]];
    for (size_t i = 0; i < sizeof RESULT_KEYS / sizeof RESULT_KEYS[0]; i++) {
        ck_assert_msg(chapter_result(&r, RESULT_KEYS[i], &v[i]), "no RESULT %s", RESULT_KEYS[i]);
        ck_assert_msg(isfinite(v[i]), "RESULT %s is %g", RESULT_KEYS[i], v[i]);
        if (i + 1 < sizeof v / sizeof v[0])
            ck_assert_msg(v[i] >= 0.0 && v[i] <= 1.0, "RESULT %s = %g is not an accuracy", RESULT_KEYS[i], v[i]);
    }
    // One epoch of 4 batches: far from the full run's 90% / 98%, but above chance (10%, and 40% for always
    // answering Tops) if the two heads and the trunk between them learn.
    ck_assert_msg(v[0] > 0.2, "fine accuracy with all labels %g <= 0.2", v[0]);
    ck_assert_msg(v[1] > 0.5, "coarse accuracy with all labels %g <= 0.5", v[1]);
    // The fine-only baseline fits its 13 labelled images (5%) for 20 passes: better than chance.
    ck_assert_msg(v[5] > 0.15, "fine-only accuracy with 5%% of the labels %g <= 0.15", v[5]);
    ck_assert_msg(v[10] > 0.0, "seconds %g", v[10]);

    ck_assert_ptr_nonnull(strstr(r.out, "106,733"));                      // the notebook's parameter count
    ck_assert_ptr_nonnull(strstr(r.out, "exercise 3.1 gives 0.3283"));   // the worked masked loss
    int kept[4];
    ck_assert(kept_totals(r.out, kept));                 // exactly round(p N) of the 256 labels kept
    ck_assert_msg(kept[0] == 256 && kept[1] == 64 && kept[2] == 13 && kept[3] == 3,
                  "labels kept %d %d %d %d, expected 256 64 13 3", kept[0], kept[1], kept[2], kept[3]);
    ck_assert_ptr_nonnull(strstr(r.out, "precision    recall  f1-score   support"));  // the reports of 3.3
    ck_assert_ptr_null(strstr(r.err, "not done yet"));                   // no exercise left open in this tree

    bool png = plot_have_gnuplot();
    for (size_t i = 0; i < sizeof FIGURES / sizeof FIGURES[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s.gp", FIGURES[i]);
        ck_assert_msg(chapter_file_exists(dir, name), "%s not written", name);
        snprintf(name, sizeof name, "%s.dat", FIGURES[i]);
        ck_assert_msg(chapter_file_exists(dir, name), "%s not written", name);
        snprintf(name, sizeof name, "%s.png", FIGURES[i]);
        ck_assert_msg(!png || chapter_file_exists(dir, name), "%s not rendered", name);
    }
    ck_assert_ptr_null(strstr(r.err, "warning"));
    chapter_run_free(&r);
    free(dir);
}
END_TEST

START_TEST(bad_input) {
    chapter_expect_shared_errors("chapter03");
    chapter_expect("chapter03", "--sweep-epochs 0", 2, "out of range", NULL);
    chapter_expect("chapter03", "--sweep-epochs many", 2, "needs a number", NULL);
    chapter_expect("chapter03", "--help", 0, NULL, "--with-replacement");
}
END_TEST

static Suite *chapter03_suite(void) {
    Suite *s = suite_create("chapter03");
    TCase *tc = tcase_create("run");
    tcase_set_timeout(tc, 300);     // seconds here; a sanitizer build on a busy machine needs minutes
    tcase_add_test(tc, quick_run);
    tcase_add_test(tc, bad_input);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(chapter03_suite)
