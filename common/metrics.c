// metrics.c: argmax, accuracy, confusion matrix, per-class report, MSE (formulas in metrics.h).
#include "metrics.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "tensor.h"

void metrics_argmax(int *pred, const float *scores, int n, int k) {
    assert(k > 0);
    for (int i = 0; i < n; i++) {
        const float *row = scores + (size_t)i * k;
        int best = 0;
        for (int c = 1; c < k; c++)
            if (row[c] > row[best]) best = c;     // strict >: the first maximum wins ties
        pred[i] = best;
    }
}

double metrics_accuracy(const int *y_true, const int *y_pred, int n) {
    if (n <= 0) return 0.0;
    int correct = 0;
    for (int i = 0; i < n; i++) correct += y_true[i] == y_pred[i];
    return (double)correct / n;
}

void metrics_confusion(int *cm, const int *y_true, const int *y_pred, int n, int k) {
    memset(cm, 0, (size_t)k * k * sizeof(int));
    for (int i = 0; i < n; i++) {
        assert(y_true[i] >= 0 && y_true[i] < k && "true label out of range [0, K)");
        assert(y_pred[i] >= 0 && y_pred[i] < k && "predicted label out of range [0, K)");
        cm[y_true[i] * k + y_pred[i]]++;
    }
}

// a / b, or 0 when b = 0 (scikit-learn's zero_division=0).
static double safe_div(double a, double b) { return b == 0.0 ? 0.0 : a / b; }

double metrics_iou(double *iou, const int *cm, int k) {
    double sum = 0.0;
    int counted = 0;
    for (int c = 0; c < k; c++) {
        long row = 0, col = 0;                                      // truly c; called c
        for (int j = 0; j < k; j++) {
            row += cm[c * k + j];
            col += cm[j * k + c];
        }
        long uni = row + col - cm[c * k + c];                       // |truly c  OR  called c|
        iou[c] = safe_div(cm[c * k + c], (double)uni);              // |truly c AND called c| / union
        if (uni > 0) { sum += iou[c]; counted++; }
    }
    return safe_div(sum, counted);
}

void metrics_report_init(MetricsReport *r, const int *cm, int k) {
    assert(k > 0);
    r->k = k;
    r->precision = xcalloc((size_t)k, sizeof(double));
    r->recall = xcalloc((size_t)k, sizeof(double));
    r->f1 = xcalloc((size_t)k, sizeof(double));
    r->support = xcalloc((size_t)k, sizeof(int));
    r->total = 0;
    int correct = 0;
    for (int c = 0; c < k; c++) {
        int tp = cm[c * k + c];
        int row = 0, col = 0;                       // row: true c (support); col: predicted c
        for (int j = 0; j < k; j++) { row += cm[c * k + j]; col += cm[j * k + c]; }
        r->precision[c] = safe_div(tp, col);
        r->recall[c] = safe_div(tp, row);
        r->f1[c] = safe_div(2.0 * r->precision[c] * r->recall[c], r->precision[c] + r->recall[c]);
        r->support[c] = row;
        r->total += row;
        correct += tp;
    }
    r->accuracy = safe_div(correct, r->total);

    r->macro_precision = r->macro_recall = r->macro_f1 = 0.0;
    r->weighted_precision = r->weighted_recall = r->weighted_f1 = 0.0;
    for (int c = 0; c < k; c++) {
        r->macro_precision += r->precision[c] / k;
        r->macro_recall += r->recall[c] / k;
        r->macro_f1 += r->f1[c] / k;
        double w = safe_div(r->support[c], r->total);
        r->weighted_precision += w * r->precision[c];
        r->weighted_recall += w * r->recall[c];
        r->weighted_f1 += w * r->f1[c];
    }
}

void metrics_report_free(MetricsReport *r) {
    free(r->precision); free(r->recall); free(r->f1); free(r->support);
    r->precision = r->recall = r->f1 = NULL;
    r->support = NULL;
    r->k = 0;
}

void metrics_print_report(FILE *f, const MetricsReport *r, const char *const *names, int digits) {
    // scikit-learn's layout: a name column as wide as the longest label (at least "weighted avg"), then four
    // columns of width 9 each preceded by a space.
    char label[32];
    int width = (int)strlen("weighted avg");
    for (int c = 0; c < r->k && names; c++)
        if ((int)strlen(names[c]) > width) width = (int)strlen(names[c]);

    fprintf(f, "%*s  %9s %9s %9s %9s\n\n", width, "", "precision", "recall", "f1-score", "support");
    for (int c = 0; c < r->k; c++) {
        if (names) snprintf(label, sizeof label, "%s", names[c]);
        else snprintf(label, sizeof label, "%d", c);
        fprintf(f, "%*s  %9.*f %9.*f %9.*f %9d\n", width, label, digits, r->precision[c], digits, r->recall[c],
                digits, r->f1[c], r->support[c]);
    }
    fprintf(f, "\n%*s  %9s %9s %9.*f %9d\n", width, "accuracy", "", "", digits, r->accuracy, r->total);
    fprintf(f, "%*s  %9.*f %9.*f %9.*f %9d\n", width, "macro avg", digits, r->macro_precision, digits,
            r->macro_recall, digits, r->macro_f1, r->total);
    fprintf(f, "%*s  %9.*f %9.*f %9.*f %9d\n", width, "weighted avg", digits, r->weighted_precision, digits,
            r->weighted_recall, digits, r->weighted_f1, r->total);
}

void metrics_print_confusion(FILE *f, const int *cm, int k, const char *const *names) {
    int width = 4;
    for (int c = 0; c < k && names; c++)
        if ((int)strlen(names[c]) > width) width = (int)strlen(names[c]);
    fprintf(f, "%*s  predicted ->\n%*s", width, "true", width, "");
    for (int p = 0; p < k; p++) {
        if (names) fprintf(f, " %8.8s", names[p]);
        else fprintf(f, " %8d", p);
    }
    fprintf(f, "\n");
    for (int t = 0; t < k; t++) {
        if (names) fprintf(f, "%*s", width, names[t]);
        else fprintf(f, "%*d", width, t);
        for (int p = 0; p < k; p++) fprintf(f, " %8d", cm[t * k + p]);
        fprintf(f, "\n");
    }
}

double metrics_macro_f1(const int *y_true, const int *y_pred, int n, int k) {
    int *cm = xmalloc((size_t)k * k * sizeof(int));
    metrics_confusion(cm, y_true, y_pred, n, k);
    MetricsReport r;
    metrics_report_init(&r, cm, k);
    double macro_f1 = r.macro_f1;
    metrics_report_free(&r);
    free(cm);
    return macro_f1;
}

double metrics_mse(const float *a, const float *b, size_t n) {
    if (n == 0) return 0.0;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double diff = (double)a[i] - (double)b[i];
        sum += diff * diff;
    }
    return sum / (double)n;
}
