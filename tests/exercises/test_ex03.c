// test_ex03.c: the graded exercises of chapter 03 (chapters/03_semisupervised/exercises.c).
//
//   3.1  masked cross-entropy: worked values, masked rows, an all-masked batch, stability, finite differences
//   3.2  choosing labels: the count, no duplicates, in range, reproducible from the seed, and uniform
//   3.3  coarse mapping and classification report: all ten classes, and confusion matrices worked by hand
#include <math.h>

#include "../../chapters/03_semisupervised/exercises.h"
#include "gradcheck.h"
#include "grading.h"
#include "loss.h"
#include "tensor.h"

// ================================================ 3.1 ===============================================================

// |a - b| <= tol, with both values in the message.
#define ASSERT_NEAR(a, b, tol, what) \
    ck_assert_msg(fabs((double)(a) - (double)(b)) <= (tol), "%s: got %.6g, expected %.6g", (what), (double)(a), \
                  (double)(b))

// For the finite differences: the loss as a function of the logits it points at.
typedef struct {
    const float *logits;
    const int *labels;
    int n, k;
} CeCtx;

static double ce_of_logits(void *ctx) {
    CeCtx *c = ctx;
    return ex_masked_cross_entropy(NULL, c->logits, c->labels, c->n, c->k);
}

START_TEST(masked_cross_entropy) {
    // One row, uniform logits: p = 1/3 everywhere, L = log 3, dL/dz = p - onehot.
    {
        float z[3] = {0, 0, 0}, dz[3];
        int y[1] = {0};
        float loss = ex_masked_cross_entropy(dz, z, y, 1, 3);
        ASSERT_NEAR(loss, log(3.0), 1e-5, "L for logits (0, 0, 0), label 0 (should be log 3)");
        ASSERT_NEAR(dz[0], 1.0 / 3 - 1, 1e-5, "dL/dz_0 for logits (0, 0, 0), label 0 (p - 1)");
        ASSERT_NEAR(dz[1], 1.0 / 3, 1e-5, "dL/dz_1 for logits (0, 0, 0), label 0 (p)");
    }
    // The worked case of ./chapter03's step 2: the middle row is masked, M = 2.
    {
        float z[9] = {2.0f, 1.0f, 0.1f, 0.5f, 2.5f, 0.3f, 1.0f, 1.0f, 3.0f}, dz[9];
        for (int i = 0; i < 9; i++) dz[i] = NAN;                    // the caller's array may hold anything
        int y[3] = {0, -1, 2};
        float loss = ex_masked_cross_entropy(dz, z, y, 3, 3);
        double l0 = log(exp(2.0) + exp(1.0) + exp(0.1)) - 2.0, l2 = log(2 * exp(1.0) + exp(3.0)) - 3.0;
        ASSERT_NEAR(loss, (l0 + l2) / 2, 1e-5, "L with rows (label 0, masked, label 2): mean over 2 rows");
        for (int j = 3; j < 6; j++) ck_assert_msg(dz[j] == 0.0f, "masked row: dz[%d] = %g, expected exactly 0", j, dz[j]);
        double p00 = exp(2.0) / (exp(2.0) + exp(1.0) + exp(0.1));
        ASSERT_NEAR(dz[0], (p00 - 1) / 2, 1e-5, "dL/dz[0][0]: (p - 1) / M with M = 2 labelled rows");
        double p22 = exp(3.0) / (2 * exp(1.0) + exp(3.0));
        ASSERT_NEAR(dz[8], (p22 - 1) / 2, 1e-5, "dL/dz[2][2]: (p - 1) / M with M = 2 labelled rows");
        // Each labelled row's gradient sums to 0 (the probabilities sum to 1, the one-hot to 1).
        ASSERT_NEAR(dz[0] + dz[1] + dz[2], 0.0, 1e-5, "sum of a labelled row's gradient");
    }
    // All rows masked: L = 0 and a zero gradient, no NaN from 0/0.
    {
        float z[6] = {1, 2, 3, 4, 5, 6}, dz[6];
        for (int i = 0; i < 6; i++) dz[i] = NAN;
        int y[2] = {-1, -1};
        float loss = ex_masked_cross_entropy(dz, z, y, 2, 3);
        ck_assert_msg(loss == 0.0f, "an all-masked batch must give L = 0, got %g", loss);
        for (int i = 0; i < 6; i++) ck_assert_msg(dz[i] == 0.0f, "all-masked batch: dz[%d] = %g, expected 0", i, dz[i]);
    }
    // Large logits: no overflow.
    {
        float z[4] = {1000.0f, 0.0f, 0.0f, 1000.0f}, dz[4];
        int y[2] = {1, 1};
        float loss = ex_masked_cross_entropy(dz, z, y, 2, 2);
        ck_assert_msg(isfinite(loss), "logits of 1000 give L = %g: subtract the row maximum before exp", loss);
        ASSERT_NEAR(loss, 500.0, 1e-2, "L for rows (1000, 0) label 1 and (0, 1000) label 1");
        for (int i = 0; i < 4; i++) ck_assert_msg(isfinite(dz[i]), "dz[%d] = %g with large logits", i, dz[i]);
    }
    // dlogits may be NULL (evaluation): the value alone.
    {
        float z[3] = {0.3f, -0.2f, 0.9f};
        int y[1] = {2};
        float loss = ex_masked_cross_entropy(NULL, z, y, 1, 3);
        ASSERT_NEAR(loss, log(exp(0.3) + exp(-0.2) + exp(0.9)) - 0.9, 1e-5, "L with dlogits = NULL");
    }
    // Finite differences on a random batch with masked rows, and agreement with the library's loss.
    {
        Rng rng;
        rng_seed(&rng, 3);
        enum { N = 7, KK = 5 };
        float z[N * KK], dz[N * KK];
        int y[N] = {3, -1, 0, 4, -1, -1, 1};
        for (int i = 0; i < N * KK; i++) z[i] = rng_range(&rng, -3.0f, 3.0f);
        float loss = ex_masked_cross_entropy(dz, z, y, N, KK);
        Tensor t, dt = {0};
        tensor_init(&t, N, KK, 1, 1);
        for (int i = 0; i < N * KK; i++) t.data[i] = z[i];
        float ref = loss_softmax_cross_entropy(&dt, &t, y, NULL);
        ASSERT_NEAR(loss, ref, 1e-5, "L on a random batch of 7 rows (3 masked)");
        CeCtx ctx = {z, y, N, KK};
        GradCheckOptions o = gradcheck_defaults();
        o.max_checks = 0;                                           // every entry
        double worst = gradcheck_array(ce_of_logits, &ctx, z, dz, N * KK, "dlogits", &o, &rng);
        ck_assert_msg(worst <= 1.0, "dL/dlogits disagrees with finite differences (worst ratio %.3g > 1)", worst);
        tensor_free(&t);
        tensor_free(&dt);
    }
}
END_TEST

// ================================================ 3.2 ===============================================================

// true when keep[0..m) are distinct values in 0..n-1 (the message says what is wrong otherwise).
static bool distinct_in_range(const int *keep, int m, int n, char *why, size_t len) {
    char *seen = calloc((size_t)n, 1);
    bool ok = true;
    for (int i = 0; i < m && ok; i++) {
        if (keep[i] < 0 || keep[i] >= n) { snprintf(why, len, "keep[%d] = %d is not in 0..%d", i, keep[i], n - 1); ok = false; }
        else if (seen[keep[i]]) { snprintf(why, len, "index %d is chosen twice (keep[%d])", keep[i], i); ok = false; }
        else seen[keep[i]] = 1;
    }
    free(seen);
    return ok;
}

START_TEST(choose_labelled) {
    enum { N = 60000 };
    int *keep = malloc(N * sizeof(int)), *again = malloc(N * sizeof(int));
    char why[128];
    const double fractions[4] = {0.01, 0.05, 0.25, 1.0};
    const int expected[4] = {600, 3000, 15000, 60000};
    for (int f = 0; f < 4; f++) {
        Rng rng;
        rng_seed(&rng, 42);
        int m = ex_choose_labelled(keep, N, fractions[f], &rng);
        ck_assert_msg(m == expected[f], "fraction %g of %d: returned %d, expected exactly %d", fractions[f], N, m,
                      expected[f]);
        ck_assert_msg(distinct_in_range(keep, m, N, why, sizeof why), "fraction %g: %s", fractions[f], why);
    }
    {   // the count rounds to the nearest integer; fraction 0 keeps nothing
        Rng rng;
        rng_seed(&rng, 1);
        int m = ex_choose_labelled(keep, 10, 0.26, &rng);
        ck_assert_msg(m == 3, "fraction 0.26 of 10: returned %d, expected round(2.6) = 3", m);
        m = ex_choose_labelled(keep, 7, 0.0, &rng);
        ck_assert_msg(m == 0, "fraction 0 of 7: returned %d, expected 0", m);
    }
    {   // the same seed gives the same choice; another seed another one
        Rng a, b, c;
        rng_seed(&a, 7);
        rng_seed(&b, 7);
        rng_seed(&c, 8);
        int m1 = ex_choose_labelled(keep, 1000, 0.05, &a);
        int m2 = ex_choose_labelled(again, 1000, 0.05, &b);
        ck_assert_int_eq(m1, m2);
        for (int i = 0; i < m1; i++)
            ck_assert_msg(keep[i] == again[i], "seed 7 twice: keep[%d] = %d then %d (use only rng for randomness)", i,
                          keep[i], again[i]);
        ex_choose_labelled(again, 1000, 0.05, &c);
        int same = 0;
        for (int i = 0; i < m1; i++) same += keep[i] == again[i];
        ck_assert_msg(same < m1, "seeds 7 and 8 chose the same 50 indices: is rng used?");
    }
    {   // uniform: over 3000 draws of 3 out of 10, every index is chosen about 900 times (sd ~ 25)
        int count[10] = {0};
        Rng rng;
        rng_seed(&rng, 5);
        for (int t = 0; t < 3000; t++) {
            int m = ex_choose_labelled(keep, 10, 0.3, &rng);
            ck_assert_msg(distinct_in_range(keep, m, 10, why, sizeof why), "3 of 10: %s", why);
            for (int i = 0; i < m; i++) count[keep[i]]++;
        }
        for (int i = 0; i < 10; i++)
            ck_assert_msg(count[i] > 780 && count[i] < 1020,
                          "choosing 3 of 10, 3000 times: index %d came %d times, expected about 900 (not uniform)", i,
                          count[i]);
    }
    free(keep);
    free(again);
}
END_TEST

// ================================================ 3.3 ===============================================================

START_TEST(coarse_and_report) {
    // (a) the mapping: Tops 0, Bottoms 1, Other 2
    const int expected[10] = {0, 1, 0, 1, 0, 2, 0, 2, 2, 2};
    const char *names[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                             "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
    for (int c = 0; c < 10; c++)
        ck_assert_msg(ex_coarse_label(c) == expected[c], "coarse class of %s (%d): got %d, expected %d (%s)", names[c],
                      c, ex_coarse_label(c), expected[c], COARSE_CLASSES[expected[c]]);
    ck_assert_msg(ex_coarse_label(-1) == -1, "a masked label (-1) must stay -1, got %d", ex_coarse_label(-1));
    ck_assert_msg(ex_coarse_label(10) == -1, "label 10 is no class: expected -1, got %d", ex_coarse_label(10));

    // (b) the report. The matrix of metrics.h, by hand:
    //   columns 54 48 53, rows 55 50 50, total 155, trace 135
    //   P = 50/54 40/48 45/53   R = 50/55 40/50 45/50
    {
        const int cm[9] = {50, 3, 2, 4, 40, 6, 0, 5, 45};
        MetricsReport r;
        ex_report_alloc(&r, 3);
        ex_classification_report(&r, cm, 3);
        const double P[3] = {50.0 / 54, 40.0 / 48, 45.0 / 53}, R[3] = {50.0 / 55, 40.0 / 50, 45.0 / 50};
        const int S[3] = {55, 50, 50};
        double macro_f1 = 0, weighted_f1 = 0, weighted_p = 0;
        for (int c = 0; c < 3; c++) {
            double f1 = 2 * P[c] * R[c] / (P[c] + R[c]);
            ASSERT_NEAR(r.precision[c], P[c], 1e-9, "precision (3x3 matrix of metrics.h)");
            ASSERT_NEAR(r.recall[c], R[c], 1e-9, "recall (3x3 matrix of metrics.h)");
            ASSERT_NEAR(r.f1[c], f1, 1e-9, "F1 (3x3 matrix of metrics.h)");
            ck_assert_msg(r.support[c] == S[c], "support of class %d: got %d, expected %d (its row sum)", c,
                          r.support[c], S[c]);
            macro_f1 += f1 / 3;
            weighted_f1 += f1 * S[c] / 155;
            weighted_p += P[c] * S[c] / 155;
        }
        ck_assert_msg(r.k == 3 && r.total == 155, "k = %d, total = %d: expected 3 and 155", r.k, r.total);
        ASSERT_NEAR(r.accuracy, 135.0 / 155, 1e-9, "accuracy (trace / total)");
        ASSERT_NEAR(r.macro_precision, (P[0] + P[1] + P[2]) / 3, 1e-9, "macro precision");
        ASSERT_NEAR(r.macro_recall, (R[0] + R[1] + R[2]) / 3, 1e-9, "macro recall");
        ASSERT_NEAR(r.macro_f1, macro_f1, 1e-9, "macro F1 (the mean of the F1s, not the F1 of the means)");
        ASSERT_NEAR(r.weighted_precision, weighted_p, 1e-9, "weighted precision");
        ASSERT_NEAR(r.weighted_recall, 135.0 / 155, 1e-9, "weighted recall (it equals the accuracy)");
        ASSERT_NEAR(r.weighted_f1, weighted_f1, 1e-9, "weighted F1");
        metrics_report_free(&r);
    }
    // A class never predicted (column 1 empty): precision 0/0 = 0 and F1 0, no NaN.
    //   true 0: 3 right, 1 called 2;  true 1: 2 called 0, 0 called 1;  true 2: 4 right
    {
        const int cm[9] = {3, 0, 1, 2, 0, 0, 0, 0, 4};
        MetricsReport r;
        ex_report_alloc(&r, 3);
        ex_classification_report(&r, cm, 3);
        ASSERT_NEAR(r.precision[1], 0.0, 0, "precision of a class never predicted (0/0 counts as 0)");
        ASSERT_NEAR(r.f1[1], 0.0, 0, "F1 of a class with P = R = 0");
        ASSERT_NEAR(r.precision[0], 3.0 / 5, 1e-9, "precision of class 0 (3 of the 5 called 0)");
        ASSERT_NEAR(r.recall[2], 1.0, 1e-9, "recall of class 2");
        ASSERT_NEAR(r.precision[2], 4.0 / 5, 1e-9, "precision of class 2");
        ASSERT_NEAR(r.macro_f1, (2 * 0.6 * 0.75 / 1.35 + 0 + 2 * 0.8 / 1.8) / 3, 1e-9, "macro F1 with an empty class");
        ASSERT_NEAR(r.accuracy, 7.0 / 10, 1e-9, "accuracy");
        metrics_report_free(&r);
    }
    // A 2x2 case and a class with no samples at all (row and column 2 empty): its recall is 0, not NaN.
    {
        const int cm[9] = {8, 2, 0, 1, 9, 0, 0, 0, 0};
        MetricsReport r;
        ex_report_alloc(&r, 3);
        ex_classification_report(&r, cm, 3);
        ASSERT_NEAR(r.recall[2], 0.0, 0, "recall of a class with no samples (0/0 counts as 0)");
        ck_assert_msg(r.support[2] == 0, "support of an empty class: %d", r.support[2]);
        ASSERT_NEAR(r.f1[0], 2 * (8.0 / 9) * 0.8 / (8.0 / 9 + 0.8), 1e-9, "F1 of class 0");
        ASSERT_NEAR(r.weighted_recall, 17.0 / 20, 1e-9, "weighted recall (an empty class weighs 0)");
        ck_assert_msg(isfinite(r.macro_precision) && isfinite(r.weighted_f1), "NaN in the averages");
        metrics_report_free(&r);
    }
}
END_TEST

static const Exercise EXERCISES[] = {
    {"3.1", "masked cross-entropy: value and gradient", 4,
     "mean over the labelled rows only (M of them); masked rows get a zero gradient; M = 0 gives 0, not NaN",
     TEST(masked_cross_entropy)},
    {"3.2", "keep exactly a fraction p of the labels", 3,
     "m = round(p n) distinct indices: a partial Fisher-Yates shuffle, drawing only from rng",
     TEST(choose_labelled)},
    {"3.3", "coarse mapping and classification report", 3,
     "Tops = 0 2 4 6, Bottoms = 1 3, Other = 5 7 8 9; precision divides by the column sum, recall by the row sum; "
     "0/0 is 0",
     TEST(coarse_and_report)},
};
GRADE_MAIN("chapter03", EXERCISES)
