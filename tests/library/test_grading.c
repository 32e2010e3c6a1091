// test_grading.c: the grading runner keeps exercises apart: a crashing one and an endless one each fail alone,
// and the others still pass.
#include <stdlib.h>

#include "check_main.h"
#include "grading.h"

START_TEST(fine) { ck_assert_int_eq(1 + 1, 2); }
END_TEST

START_TEST(crashes) {
    abort();                            // a student's crash (abort rather than a real segfault, so that the
}                                       // sanitizer build does not print a crash report for a planned crash)
END_TEST

START_TEST(loops) {
    for (volatile unsigned long i = 0;; i++) {}
}
END_TEST

START_TEST(wrong) { ck_assert_msg(0, "your KL term is negative"); }
END_TEST

START_TEST(runner_isolates_exercises) {
    static const Exercise ex[] = {
        {"9.1", "passes", 1, "-", TEST(fine)},
        {"9.2", "crashes", 2, "-", TEST(crashes)},
        {"9.3", "passes too", 1, "-", TEST(fine)},
        {"9.4", "loops forever", 3, "-", TEST(loops)},
        {"9.5", "fails an assertion", 2, "-", TEST(wrong)},
    };
    ExerciseResult r[5];
    grade_run_exercises(ex, 5, 1, r);   // 1 s time limit
    ck_assert(r[0].passed);
    ck_assert(!r[1].passed);
    ck_assert(r[2].passed);
    ck_assert(!r[3].passed);
    ck_assert_ptr_nonnull(strstr(r[3].message, "timeout"));
    ck_assert(!r[4].passed);
    ck_assert_ptr_nonnull(strstr(r[4].message, "your KL term is negative"));
}
END_TEST

static Suite *grading_suite(void) {
    Suite *s = suite_create("grading");
    TCase *tc = tcase_create("runner");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, runner_isolates_exercises);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(grading_suite)
