// exercises.c: the exercises of chapter 03 (see exercises.h for the list, tests/exercises/test_ex03.c for the
// grading). Each exercise is a function with a comment block above it saying what to write: replace the stub
// lines in its body with your code, then run `make grade` (or `make build/tests/exercises/test_ex03 && build/tests/exercises/test_ex03`)
// and `make chapter03 && ./chapter03 --quick` to see it at work.
#include "exercises.h"

#include <math.h>
#include <stdlib.h>

#include "exercise.h"
#include "tensor.h"

const char *const COARSE_CLASSES[COARSE_K] = {"Tops", "Bottoms", "Other"};

// TODO(3.1): the masked categorical cross-entropy, value and gradient.
//   logits (n, k) are raw scores (no softmax yet), row i at logits + i*k; labels (n) hold a class 0..k-1, or -1
//   for a row whose label is hidden ("masked"). With M = the number of rows whose label is >= 0:
//       p_i = softmax(logits_i),   p_ij = exp(z_ij - max_j z_ij) / sum_j exp(z_ij - max_j z_ij)
//       L   = 1/M * sum over labelled rows i of -log p_i[labels[i]]              (return this)
//       dL/dz_ij = (p_ij - [j == labels[i]]) / M on a labelled row,   0 on a masked row
//   Write the gradient into dlogits (n, k) when dlogits is not NULL: every entry, masked rows included (the
//   caller's array may hold anything). A batch with no labelled row (M = 0) returns 0 with an all-zero gradient,
//   not 0/0 = NaN: with 1% of the labels, about half the batches of 64 have none.
//   Hint: subtract the row's maximum before exp (exp(1000) is inf in float); -log p_y = log(sum_j e^z_j) - z_y.
// STUB: exercise_todo("3.1"); return 0.0f;
float ex_masked_cross_entropy(float *dlogits, const float *logits, const int *labels, int n, int k) {
    /* BEGIN SOLUTION 3.1 */
    int m = 0;
    for (int i = 0; i < n; i++) m += labels[i] >= 0;
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        const float *z = logits + (size_t)i * k;
        float *dz = dlogits ? dlogits + (size_t)i * k : NULL;
        if (labels[i] < 0) {                                    // masked: no loss, no gradient
            if (dz) for (int j = 0; j < k; j++) dz[j] = 0.0f;
            continue;
        }
        float zmax = z[0];
        for (int j = 1; j < k; j++) zmax = fmaxf(zmax, z[j]);
        double denom = 0.0;
        for (int j = 0; j < k; j++) denom += exp((double)z[j] - zmax);
        double log_denom = log(denom);
        sum += log_denom - ((double)z[labels[i]] - zmax);       // -log p_y = log sum e^z - z_y
        if (dz)
            for (int j = 0; j < k; j++)                         // => (p_j - [j = y]) / M
                dz[j] = (float)((exp((double)z[j] - zmax - log_denom) - (j == labels[i])) / m);
    }
    return m > 0 ? (float)(sum / m) : 0.0f;
    /* END SOLUTION */
}

// TODO(3.2): choose which fine labels to keep: exactly a fraction of them, without replacement.
//   Write m = round(fraction * n) distinct indices from 0..n-1 into keep[0..m) and return m (0 <= fraction <= 1,
//   keep has room for n ints). Every subset of m indices must be equally likely, and all randomness must come
//   from rng (rng_below(rng, b) is uniform in 0..b-1), so that the same seed always keeps the same labels.
//   Drawing m times with rng_below(rng, n) is not it: some indices come twice and fewer than m labels survive
//   (the lecture notebook does that; ./chapter03 --with-replacement shows what it costs).
//   Hint: a partial Fisher-Yates shuffle. Fill keep with 0..n-1; for i = 0..m-1 swap keep[i] with keep[j],
//   j drawn uniformly from i..n-1. lround() from math.h rounds to the nearest integer.
// STUB: exercise_todo("3.2"); return 0;
int ex_choose_labelled(int *keep, int n, double fraction, Rng *rng) {
    /* BEGIN SOLUTION 3.2 */
    int m = (int)lround(fraction * n);
    if (m < 0) m = 0;
    if (m > n) m = n;
    for (int i = 0; i < n; i++) keep[i] = i;
    for (int i = 0; i < m; i++) {                               // keep[0..i) is the sample so far
        int j = i + (int)rng_below(rng, (uint32_t)(n - i));     // any of the n - i not chosen yet
        int t = keep[i];
        keep[i] = keep[j];
        keep[j] = t;
    }
    return m;
    /* END SOLUTION */
}

// TODO(3.3): part (a) of two (one exercise, graded together): the coarse task. Return the coarse class of a
//   Fashion-MNIST class:
//     0 Tops    = T-shirt/top (0), Pullover (2), Coat (4), Shirt (6)
//     1 Bottoms = Trouser (1), Dress (3)
//     2 Other   = Sandal (5), Sneaker (7), Bag (8), Ankle boot (9)
//   and -1 for any other value (a masked label stays masked).
// STUB: exercise_todo("3.3"); return -1;
int ex_coarse_label(int fine) {
    /* BEGIN SOLUTION 3.3 */
    static const int coarse_of[10] = {0, 1, 0, 1, 0, 2, 0, 2, 2, 2};
    return fine >= 0 && fine < 10 ? coarse_of[fine] : -1;
    /* END SOLUTION */
}

// TODO(3.3): part (b): a classification report, to judge both tasks by. Fill every field of r from the confusion
//   matrix cm (k, k), where cm[t*k + p] counts the samples of true class t predicted as p (r's arrays already
//   have room for k entries):
//     support_c   = sum of row c                  total = sum of all supports
//     precision_c = cm[c][c] / (sum of column c)  recall_c = cm[c][c] / support_c
//     f1_c        = 2 P R / (P + R)               accuracy = trace / total
//     macro_x     = mean of x_c over the k classes
//     weighted_x  = sum of x_c * support_c / total, for x = precision, recall, f1
//   Any 0/0 counts as 0 (a class never predicted has precision 0, as in scikit-learn).
//   Hint: metrics.h draws the matrix. Work the small example there by hand first: class 0 has precision
//   50/54 = 0.926 and recall 50/55 = 0.909.
// STUB: exercise_todo("3.3");
void ex_classification_report(MetricsReport *r, const int *cm, int k) {
    /* BEGIN SOLUTION 3.3 */
    r->k = k;
    r->total = 0;
    int trace = 0;
    for (int c = 0; c < k; c++) {
        int row = 0, col = 0;
        for (int j = 0; j < k; j++) {
            row += cm[c * k + j];
            col += cm[j * k + c];
        }
        int hit = cm[c * k + c];
        r->support[c] = row;
        r->precision[c] = col > 0 ? (double)hit / col : 0.0;
        r->recall[c] = row > 0 ? (double)hit / row : 0.0;
        double pr = r->precision[c] + r->recall[c];
        r->f1[c] = pr > 0.0 ? 2.0 * r->precision[c] * r->recall[c] / pr : 0.0;
        r->total += row;
        trace += hit;
    }
    r->accuracy = r->total > 0 ? (double)trace / r->total : 0.0;
    r->macro_precision = r->macro_recall = r->macro_f1 = 0.0;
    r->weighted_precision = r->weighted_recall = r->weighted_f1 = 0.0;
    for (int c = 0; c < k; c++) {
        r->macro_precision += r->precision[c] / k;
        r->macro_recall += r->recall[c] / k;
        r->macro_f1 += r->f1[c] / k;
        double w = r->total > 0 ? (double)r->support[c] / r->total : 0.0;
        r->weighted_precision += w * r->precision[c];
        r->weighted_recall += w * r->recall[c];
        r->weighted_f1 += w * r->f1[c];
    }
    /* END SOLUTION */
}

void ex_report_alloc(MetricsReport *r, int k) {
    *r = (MetricsReport){.k = k};
    r->precision = xcalloc((size_t)k, sizeof(double));
    r->recall = xcalloc((size_t)k, sizeof(double));
    r->f1 = xcalloc((size_t)k, sizeof(double));
    r->support = xcalloc((size_t)k, sizeof(int));
}
