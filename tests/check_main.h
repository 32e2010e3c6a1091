// check_main.h: the main() every Check suite in tests/ shares.
//
//   static Suite *gemm_suite(void) { ... }
//   CHECK_MAIN(gemm_suite)
//
// Runs the suite with Check's default (fork) mode, prints Check's normal summary line and exits non-zero if any test
// failed, so that `make check` fails too.
#ifndef CHECK_MAIN_H
#define CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

#define CHECK_MAIN(suite_fn)                                         \
    int main(void) {                                                 \
        SRunner *runner = srunner_create(suite_fn());                \
        srunner_run_all(runner, CK_NORMAL);                          \
        int failed = srunner_ntests_failed(runner);                  \
        srunner_free(runner);                                        \
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;            \
    }

#endif
