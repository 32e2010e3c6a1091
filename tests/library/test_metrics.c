// test_metrics.c: classification metrics and MSE on small cases worked out by hand.
//
// The main case is the example from scikit-learn's classification_report documentation:
//   y_true = [0, 1, 2, 2, 2], y_pred = [0, 0, 2, 2, 1]
// whose printed report we reproduce character for character.
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "metrics.h"

static const int SK_TRUE[5] = {0, 1, 2, 2, 2};
static const int SK_PRED[5] = {0, 0, 2, 2, 1};

START_TEST(test_argmax_first_max_wins) {
    const float scores[3 * 4] = {
        0.1f, 0.7f, 0.2f, 0.0f,     // -> 1
        -3.f, -2.f, -1.f, -5.f,     // -> 2 (all negative)
        0.5f, 0.2f, 0.5f, 0.5f,     // -> 0 (ties: the first maximum, like numpy)
    };
    int pred[3];
    metrics_argmax(pred, scores, 3, 4);
    ck_assert_int_eq(pred[0], 1);
    ck_assert_int_eq(pred[1], 2);
    ck_assert_int_eq(pred[2], 0);
}
END_TEST

START_TEST(test_accuracy) {
    ck_assert_double_eq_tol(metrics_accuracy(SK_TRUE, SK_PRED, 5), 0.6, 1e-12);
    ck_assert_double_eq_tol(metrics_accuracy(SK_TRUE, SK_TRUE, 5), 1.0, 1e-12);
    ck_assert_double_eq(metrics_accuracy(SK_TRUE, SK_PRED, 0), 0.0);
}
END_TEST

START_TEST(test_confusion_rows_true_cols_predicted) {
    int cm[9];
    metrics_confusion(cm, SK_TRUE, SK_PRED, 5, 3);
    //            pred 0  1  2
    const int want[9] = {1, 0, 0,     // true 0
                         1, 0, 0,     // true 1: predicted as 0
                         0, 1, 2};    // true 2: once as 1, twice right
    for (int i = 0; i < 9; i++) ck_assert_int_eq(cm[i], want[i]);
}
END_TEST

START_TEST(test_report_by_hand) {
    int cm[9];
    metrics_confusion(cm, SK_TRUE, SK_PRED, 5, 3);
    MetricsReport r;
    metrics_report_init(&r, cm, 3);
    // class 0: predicted twice, right once -> P = 1/2; found its 1 sample -> R = 1; F1 = 2(1/2)(1)/(3/2) = 2/3
    // class 1: predicted once, wrongly -> P = 0, R = 0, F1 = 0
    // class 2: predicted twice, right twice -> P = 1; found 2 of 3 -> R = 2/3; F1 = 2(2/3)/(5/3) = 4/5
    const double p[3] = {0.5, 0.0, 1.0}, rc[3] = {1.0, 0.0, 2.0 / 3}, f1[3] = {2.0 / 3, 0.0, 0.8};
    const int support[3] = {1, 1, 3};
    for (int c = 0; c < 3; c++) {
        ck_assert_double_eq_tol(r.precision[c], p[c], 1e-12);
        ck_assert_double_eq_tol(r.recall[c], rc[c], 1e-12);
        ck_assert_double_eq_tol(r.f1[c], f1[c], 1e-12);
        ck_assert_int_eq(r.support[c], support[c]);
    }
    ck_assert_int_eq(r.total, 5);
    ck_assert_double_eq_tol(r.accuracy, 0.6, 1e-12);
    ck_assert_double_eq_tol(r.macro_precision, 0.5, 1e-12);
    ck_assert_double_eq_tol(r.macro_recall, (1.0 + 0.0 + 2.0 / 3) / 3, 1e-12);
    ck_assert_double_eq_tol(r.macro_f1, (2.0 / 3 + 0.0 + 0.8) / 3, 1e-12);
    ck_assert_double_eq_tol(r.weighted_precision, (0.5 * 1 + 0.0 * 1 + 1.0 * 3) / 5, 1e-12);
    ck_assert_double_eq_tol(r.weighted_recall, 0.6, 1e-12);              // weighted recall = accuracy, always
    ck_assert_double_eq_tol(r.weighted_f1, (2.0 / 3 + 0.0 + 0.8 * 3) / 5, 1e-12);
    metrics_report_free(&r);
    metrics_report_free(&r);                                             // safe twice
}
END_TEST

// Class 2 is never predicted: its precision is 0/0, defined as 0 (scikit-learn's zero_division=0).
START_TEST(test_class_never_predicted_has_precision_zero) {
    const int y_true[6] = {0, 0, 1, 1, 2, 2};
    const int y_pred[6] = {0, 0, 0, 1, 1, 1};
    int cm[9];
    metrics_confusion(cm, y_true, y_pred, 6, 3);
    MetricsReport r;
    metrics_report_init(&r, cm, 3);
    // class 0: P = 2/3, R = 1, F1 = 0.8;  class 1: P = 1/3, R = 1/2, F1 = 0.4;  class 2: P = 0 (0/0), R = 0, F1 = 0
    ck_assert_double_eq_tol(r.precision[0], 2.0 / 3, 1e-12);
    ck_assert_double_eq_tol(r.f1[0], 0.8, 1e-12);
    ck_assert_double_eq_tol(r.precision[1], 1.0 / 3, 1e-12);
    ck_assert_double_eq_tol(r.f1[1], 0.4, 1e-12);
    ck_assert_double_eq(r.precision[2], 0.0);
    ck_assert_double_eq(r.recall[2], 0.0);
    ck_assert_double_eq(r.f1[2], 0.0);
    ck_assert_double_eq_tol(r.macro_f1, 0.4, 1e-12);
    metrics_report_free(&r);
    ck_assert_double_eq_tol(metrics_macro_f1(y_true, y_pred, 6, 3), 0.4, 1e-12);
}
END_TEST

// A class with no true samples and never predicted: recall 0/0 and precision 0/0, both 0, support 0.
START_TEST(test_absent_class) {
    const int y_true[4] = {0, 0, 1, 1};
    const int y_pred[4] = {0, 1, 1, 1};
    int cm[9];
    metrics_confusion(cm, y_true, y_pred, 4, 3);
    MetricsReport r;
    metrics_report_init(&r, cm, 3);
    ck_assert_int_eq(r.support[2], 0);
    ck_assert_double_eq(r.precision[2], 0.0);
    ck_assert_double_eq(r.recall[2], 0.0);
    ck_assert_double_eq(r.f1[2], 0.0);
    // The absent class drags the macro average down and weighs nothing in the weighted one.
    // class 0: P = 1, R = 1/2, F1 = 2/3;  class 1: P = 2/3, R = 1, F1 = 4/5
    ck_assert_double_eq_tol(r.macro_f1, (2.0 / 3 + 0.8) / 3, 1e-12);
    ck_assert_double_eq_tol(r.weighted_f1, (2.0 / 3 + 0.8) / 2, 1e-12);
    metrics_report_free(&r);
}
END_TEST

// The printed table is scikit-learn's, character for character:
//   print(classification_report([0,1,2,2,2], [0,0,2,2,1], target_names=["class 0","class 1","class 2"]))
START_TEST(test_print_report_matches_scikit_learn) {
    const char *want =
        "              precision    recall  f1-score   support\n"
        "\n"
        "     class 0       0.50      1.00      0.67         1\n"
        "     class 1       0.00      0.00      0.00         1\n"
        "     class 2       1.00      0.67      0.80         3\n"
        "\n"
        "    accuracy                           0.60         5\n"
        "   macro avg       0.50      0.56      0.49         5\n"
        "weighted avg       0.70      0.60      0.61         5\n";
    const char *names[3] = {"class 0", "class 1", "class 2"};
    int cm[9];
    metrics_confusion(cm, SK_TRUE, SK_PRED, 5, 3);
    MetricsReport r;
    metrics_report_init(&r, cm, 3);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    metrics_print_report(f, &r, names, 2);
    fclose(f);
    ck_assert_str_eq(text, want);
    free(text);

    // Without names the rows are labelled by number; a long name widens the first column.
    const char *long_names[3] = {"a rather long class name", "b", "c"};
    f = open_memstream(&text, &len);
    metrics_print_report(f, &r, long_names, 3);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(text, "a rather long class name      0.500     1.000     0.667         1\n"));
    free(text);
    f = open_memstream(&text, &len);
    metrics_print_report(f, &r, NULL, 2);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(text, "           2       1.00      0.67      0.80         3\n"));
    free(text);
    metrics_report_free(&r);
}
END_TEST

START_TEST(test_print_confusion) {
    int cm[9];
    metrics_confusion(cm, SK_TRUE, SK_PRED, 5, 3);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    metrics_print_confusion(f, cm, 3, NULL);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(text, "   2        0        1        2\n"));
    free(text);
}
END_TEST

START_TEST(test_mse) {
    const float a[4] = {1.0f, 2.0f, 3.0f, 4.0f};
    const float b[4] = {1.0f, 0.0f, 3.0f, 5.0f};
    ck_assert_double_eq_tol(metrics_mse(a, b, 4), (0.0 + 4.0 + 0.0 + 1.0) / 4, 1e-12);
    ck_assert_double_eq(metrics_mse(a, a, 4), 0.0);
    ck_assert_double_eq(metrics_mse(a, b, 0), 0.0);
}
END_TEST

// IoU by hand on the matrix at the top of metrics.h:
//   class 0: 50 / (55 + 54 - 50) = 50/59   class 1: 40 / (50 + 48 - 40) = 40/58   class 2: 45 / (50 + 53 - 45) = 45/58
START_TEST(test_iou_by_hand) {
    const int cm[9] = {50, 3, 2, 4, 40, 6, 0, 5, 45};
    double iou[3];
    double mean = metrics_iou(iou, cm, 3);
    ck_assert_double_eq_tol(iou[0], 50.0 / 59, 1e-12);
    ck_assert_double_eq_tol(iou[1], 40.0 / 58, 1e-12);
    ck_assert_double_eq_tol(iou[2], 45.0 / 58, 1e-12);
    ck_assert_double_eq_tol(mean, (50.0 / 59 + 40.0 / 58 + 45.0 / 58) / 3, 1e-12);
}
END_TEST

// A class that is neither present nor predicted has an empty union: IoU 0, and the mean leaves it out. A class that
// is predicted but never present has IoU 0 and does count.
START_TEST(test_iou_empty_and_false_classes) {
    const int cm[9] = {6, 2, 0,                 // class 0: 6 / (8 + 6 - 6) = 0.75
                       0, 0, 0,                 // class 1: never present; predicted twice: 0 / (0 + 2 - 0) = 0
                       0, 0, 4};                // class 2: 4 / (4 + 4 - 4) = 1
    double iou[3];
    ck_assert_double_eq_tol(metrics_iou(iou, cm, 3), (0.75 + 0.0 + 1.0) / 3, 1e-12);
    ck_assert_double_eq(iou[1], 0.0);
    const int cm2[9] = {6, 0, 2, 0, 0, 0, 0, 0, 4};          // class 1 nowhere: the mean is over classes 0 and 2
    ck_assert_double_eq_tol(metrics_iou(iou, cm2, 3), (6.0 / 8 + 4.0 / 6) / 2, 1e-12);
    ck_assert_double_eq(iou[1], 0.0);
    const int zero[4] = {0, 0, 0, 0};                         // nothing at all: 0, not NaN
    ck_assert_double_eq(metrics_iou(iou, zero, 2), 0.0);
}
END_TEST

static Suite *metrics_suite(void) {
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_argmax_first_max_wins);
    tcase_add_test(tc, test_accuracy);
    tcase_add_test(tc, test_confusion_rows_true_cols_predicted);
    tcase_add_test(tc, test_report_by_hand);
    tcase_add_test(tc, test_class_never_predicted_has_precision_zero);
    tcase_add_test(tc, test_absent_class);
    tcase_add_test(tc, test_print_report_matches_scikit_learn);
    tcase_add_test(tc, test_print_confusion);
    tcase_add_test(tc, test_mse);
    tcase_add_test(tc, test_iou_by_hand);
    tcase_add_test(tc, test_iou_empty_and_false_classes);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(metrics_suite)
