// grading.h: the graded exercise suites (tests/exercises/test_exNN.c) share this runner.
//
// Each exercise is one Check test case, named by its id, with points, a title and a hint for when it fails:
//
//   START_TEST(l1_penalty) { ...assertions on ex_l1_penalty... } END_TEST
//   static const Exercise EXERCISES[] = {
//       {"1.1", "L1 activity penalty", 2, "the penalty is a mean over the batch: divide by N", TEST(l1_penalty)},
//   };
//   GRADE_MAIN("chapter01", EXERCISES)
//
// Every exercise runs in its own forked process with a time limit (GRADE_TIMEOUT seconds, default 20), so a crash
// or an endless loop in a student's code fails that exercise alone. The program prints one line per exercise:
//
//   chapter01  1.1  L1 activity penalty                     2/2  pass
//   chapter01  1.2  ...                                     0/3  FAIL  hint: ...
//
// With GRADE_REPORT=FILE it also appends one tab-separated line per exercise (chapter, id, points, earned, title,
// hint, message) for `make grade` to gather into grade.json and grade.tap. It exits 1 when an exercise fails (so
// `make check` fails in the reference tree) unless GRADE_MODE=1 (`make grade`: a failed exercise is a result).
#ifndef GRADING_H
#define GRADING_H

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The Check test defined by START_TEST(name), usable in a static table. (START_TEST also defines a pointer `name`
// that a static table cannot use, since it is not a constant; silence the warning that it goes unused.)
#define TEST(name) (&name##_ttest)
#pragma GCC diagnostic ignored "-Wunused-variable"

typedef struct {
    const char *id;         // "1.1"
    const char *title;      // what the exercise is
    int points;
    const char *hint;       // printed when it fails
    const TTest *test;      // the Check test: TEST(name) for START_TEST(name)
} Exercise;

typedef struct {
    bool passed;
    char message[256];      // Check's message of the first failure ("Assertion ... failed", "Test timeout expired")
} ExerciseResult;

// Run every exercise in fork mode with the time limit; results[i] gets exercise i's outcome.
static inline void grade_run_exercises(const Exercise *ex, int n, int timeout, ExerciseResult *results) {
    Suite *suite = suite_create("exercises");
    for (int i = 0; i < n; i++) {
        TCase *tc = tcase_create(ex[i].id);
        tcase_set_timeout(tc, timeout);
        tcase_add_test(tc, ex[i].test);
        suite_add_tcase(suite, tc);
        results[i].passed = true;
        results[i].message[0] = '\0';
    }
    SRunner *runner = srunner_create(suite);
    srunner_set_fork_status(runner, CK_FORK);    // always fork: a crash must not take the others down
    srunner_run_all(runner, CK_SILENT);
    TestResult **tr = srunner_results(runner);
    int ntr = srunner_ntests_run(runner);
    for (int r = 0; r < ntr; r++) {
        for (int i = 0; i < n; i++) {
            if (strcmp(tr_tcname(tr[r]), ex[i].id) != 0 || tr_rtype(tr[r]) == CK_PASS) continue;
            if (results[i].passed) snprintf(results[i].message, sizeof results[i].message, "%s", tr_msg(tr[r]));
            results[i].passed = false;
        }
    }
    free(tr);
    srunner_free(runner);
}

// Replace tabs and newlines so a field fits on one line of the report.
static inline void grade_flatten(char *s) {
    for (; *s; s++) if (*s == '\t' || *s == '\n' || *s == '\r') *s = ' ';
}

static inline int grade_main(const char *chapter, const Exercise *ex, int n) {
    const char *t = getenv("GRADE_TIMEOUT");
    int timeout = t && atoi(t) > 0 ? atoi(t) : 20;
    ExerciseResult *results = calloc((size_t)n, sizeof(ExerciseResult));
    grade_run_exercises(ex, n, timeout, results);
    const char *report_path = getenv("GRADE_REPORT");
    FILE *report = report_path ? fopen(report_path, "a") : NULL;
    int failed = 0;
    for (int i = 0; i < n; i++) {
        int earned = results[i].passed ? ex[i].points : 0;
        printf("%-10s %-5s %-44s %2d/%-2d  %s\n", chapter, ex[i].id, ex[i].title, earned, ex[i].points,
               results[i].passed ? "pass" : "FAIL");
        if (!results[i].passed) {
            printf("%-16s hint: %s\n%-16s (%s)\n", "", ex[i].hint, "", results[i].message);
            failed++;
        }
        if (report) {
            char title[256], hint[512];
            snprintf(title, sizeof title, "%s", ex[i].title);
            snprintf(hint, sizeof hint, "%s", ex[i].hint);
            grade_flatten(title);
            grade_flatten(hint);
            grade_flatten(results[i].message);
            fprintf(report, "%s\t%s\t%d\t%d\t%s\t%s\t%s\n", chapter, ex[i].id, ex[i].points, earned, title, hint,
                    results[i].passed ? "" : results[i].message);
        }
    }
    if (report) fclose(report);
    free(results);
    const char *mode = getenv("GRADE_MODE");
    if (mode && strcmp(mode, "1") == 0) return 0;
    return failed ? 1 : 0;
}

#define GRADE_MAIN(chapter, table) \
    int main(void) { return grade_main((chapter), (table), (int)(sizeof(table) / sizeof((table)[0]))); }

#endif
