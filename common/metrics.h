// metrics.h: how good is a classifier, and how close is a reconstruction.
//
// Letters: N samples, K classes. Labels are ints in [0, K); scores are row-major (N, K), one row per sample.
//
// The confusion matrix is where every classification number comes from:
//
//                    predicted
//                 0    1    2
//   true   0   [ 50    3    2 ]      cm[t*K + p] = how many samples of true class t were predicted as p
//          1   [  4   40    6 ]      a row sums to the class's support (its number of true samples)
//          2   [  0    5   45 ]      the diagonal holds the correct predictions
//
//   precision_c = cm[c][c] / (column c sum)    of the samples called c, the fraction that really are c
//   recall_c    = cm[c][c] / (row c sum)       of the samples that are c, the fraction found
//   f1_c        = 2 P R / (P + R)              harmonic mean: high only when both are high
//   support_c   = row c sum
//
// A class never predicted has an empty column: its precision would be 0/0. We define it as 0, as scikit-learn does
// with zero_division=0 (its default prints a warning and also uses 0); the same for recall of a class with no true
// samples, and for F1 when P + R = 0. Averages over classes, as scikit-learn's classification_report:
//   macro    = plain mean over the K classes (every class counts the same, however rare)
//   weighted = mean weighted by support (frequent classes count more)
//
// Ownership: a MetricsReport owns its per-class arrays; metrics_report_init allocates, metrics_report_free releases.
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>
#include <stdio.h>

// pred (N) = index of the largest of the K scores in each row (the first one on ties, like numpy's argmax).
void metrics_argmax(int *pred, const float *scores, int n, int k);

// Fraction of the n samples with y_pred == y_true, in [0, 1]. n = 0 gives 0.
double metrics_accuracy(const int *y_true, const int *y_pred, int n);

// cm (K, K) = counts: cm[t*K + p] = number of samples with true label t and predicted label p (overwritten).
// Every label must lie in [0, K) (asserted: labels come from the data loader or metrics_argmax).
void metrics_confusion(int *cm, const int *y_true, const int *y_pred, int n, int k);

// Per-class and averaged scores, as in scikit-learn's classification_report.
typedef struct {
    int k;                      // K classes
    int total;                  // N samples (sum of support)
    double *precision;          // (K)
    double *recall;             // (K)
    double *f1;                 // (K)
    int *support;               // (K) true samples of each class
    double accuracy;            // trace(cm) / N
    double macro_precision, macro_recall, macro_f1;
    double weighted_precision, weighted_recall, weighted_f1;
} MetricsReport;

// Fill r from a confusion matrix cm (K, K) (see the picture above). Allocates r's arrays: free with
// metrics_report_free. The formulas and the zero-division rule are at the top of this file.
void metrics_report_init(MetricsReport *r, const int *cm, int k);
// Release r's arrays (safe to call twice).
void metrics_report_free(MetricsReport *r);

// Intersection over union of each class, from a confusion matrix (in semantic segmentation it counts pixels):
//
//   IoU_c = cm[c][c] / (row c sum + column c sum - cm[c][c])
//
// the pixels both "truly c" and "called c", over the pixels that are either. iou (K) receives it, 0 for a class that
// is neither present nor predicted (an empty union); the return value is the mean over the classes whose union is
// not empty, as Keras's MeanIoU computes it.
double metrics_iou(double *iou, const int *cm, int k);

// Print r as scikit-learn's classification_report does (same columns and layout), e.g. with digits = 2:
//
//                 precision    recall  f1-score   support
//
//       T-shirt       0.50      1.00      0.67         1
//       Trouser       0.00      0.00      0.00         1
//      Pullover       1.00      0.67      0.80         3
//
//      accuracy                           0.60         5
//     macro avg       0.50      0.56      0.49         5
//  weighted avg       0.70      0.60      0.61         5
//
// names[c] labels row c; names may be NULL, then rows are labelled "0", "1", ...
void metrics_print_report(FILE *f, const MetricsReport *r, const char *const *names, int digits);

// Print the confusion matrix cm (K, K) with true classes down and predicted classes across. names as above
// (only their first 8 characters are used for the column headers).
void metrics_print_confusion(FILE *f, const int *cm, int k, const char *const *names);

// Macro-averaged F1 of predictions against labels, in [0, 1]: the mean over the K classes of f1_c (see above).
double metrics_macro_f1(const int *y_true, const int *y_pred, int n, int k);

// Mean squared error (1/n) sum_i (a_i - b_i)^2 between two arrays of n floats, summed in double. n = 0 gives 0.
double metrics_mse(const float *a, const float *b, size_t n);

#endif
