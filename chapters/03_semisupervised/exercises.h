// exercises.h: the graded exercises of chapter 03, semi-supervised learning.
//
//   3.1  ex_masked_cross_entropy    softmax cross-entropy over the labelled rows only, and its gradient
//   3.2  ex_choose_labelled         which fine labels to keep: exactly a fraction p, without replacement
//   3.3  ex_coarse_label            the 10 clothing classes folded into 3 coarse ones (Tops, Bottoms, Other)
//        ex_classification_report   precision, recall, F1 per class, macro and weighted averages
//
// The comment above each function in exercises.c says what to write; tests/exercises/test_ex03.c grades it
// (`make grade`). Until an exercise is written, ./chapter03 says so and skips the steps that need it.
#ifndef EXERCISES03_H
#define EXERCISES03_H

#include "metrics.h"
#include "rng.h"

// The coarse task: 3 classes, each a group of Fashion-MNIST's 10.
#define COARSE_K 3
// "Tops", "Bottoms", "Other": coarse class c is named COARSE_CLASSES[c].
extern const char *const COARSE_CLASSES[COARSE_K];

// 3.1 L = 1/M sum over the M rows with labels[i] >= 0 of -log softmax(logits_i)[labels[i]]; 0 when M = 0.
// logits (n, k) row-major; labels (n), -1 = masked. dlogits (n, k), when not NULL, is WRITTEN with dL/dlogits.
float ex_masked_cross_entropy(float *dlogits, const float *logits, const int *labels, int n, int k);

// 3.2 Choose m = round(fraction * n) distinct indices of 0..n-1, uniformly at random from rng, into keep (room
// for n ints). Returns m.
int ex_choose_labelled(int *keep, int n, double fraction, Rng *rng);

// 3.3a The coarse class (0 Tops, 1 Bottoms, 2 Other) of Fashion-MNIST class `fine` (0..9); -1 for anything else.
int ex_coarse_label(int fine);

// 3.3b Fill r from the confusion matrix cm (k, k) (cm[t*k + p]: true t predicted p), as metrics.h describes.
// r's arrays must have room for k entries: ex_report_alloc makes them.
void ex_classification_report(MetricsReport *r, const int *cm, int k);

// Not an exercise: a MetricsReport with zeroed arrays for k classes, for ex_classification_report to fill.
// Free with metrics_report_free.
void ex_report_alloc(MetricsReport *r, int k);

#endif
