// Chapter 03: Semi-supervised learning: coarse labels for all, fine labels for a few.
//
// What this chapter teaches
//   Labels cost money. Sorting 60,000 photos of clothing into "top", "bottom" or "other" is quick; telling a
//   shirt from a T-shirt from a pullover is slow. The lecture asks: if every image has the cheap coarse label and
//   only a few have the expensive fine one, does learning the easy task help the hard one? One network, two heads:
//
//                                    +--> fine head   Dense32 relu - Dense10 -> 10 classes    (few labels)
//     x (N,1,28,28) --> trunk --> r -+
//                                    +--> coarse head Dense32 relu - Dense3  -> Tops/Bottoms/Other (all labels)
//
//     trunk: Conv8 relu - MaxPool(same) - Conv16 relu - MaxPool - Conv32 relu - Flatten: r is (N, 1568)
//
//   An image without a fine label carries -1 in its place, and the fine head's loss is a masked cross-entropy:
//   a mean over the M labelled rows of the batch only (exercise 3.1). In training it counts M/N of a batch of N,
//   so that every image weighs the same, labelled or not (step 4 shows why that matters). Both losses train the
//   trunk, so the gradient reaching r is the weighted sum of what the two heads send back. That sum is written out
//   in train_step below: it is the one thing a two-headed model adds to the sequential nets of earlier chapters.
//
//     Keras (the lecture notebook)                           here
//     r = Flatten()(Conv2D(32,...)(...(inp)))                Net *trunk (build_trunk)
//     fine = Dense(10, 'softmax')(Dense(32, 'relu')(r))      Net *fine, input_grad = true (build_head)
//     coarse = Dense(3, 'softmax')(Dense(32, 'relu')(r))     Net *coarse, input_grad = true
//     Model(inp, [fine, coarse]).compile('adam',             train_step: the two losses, the weights, and
//         loss=[masked_cce, 'categorical_crossentropy'],     dL/dr = w_f dL_f/dr + w_c dL_c/dr into the trunk
//         loss_weights=[10, 1])
//
//   It mirrors "Encoders and Decoders, Example 3: Semi-Supervised Learning": the same network (106,733
//   parameters), Adam 1e-3, batch 64, and its four runs: all fine labels, 25%, 5%, and 5% with the fine loss
//   weighted 10:1. Then it asks whether the coarse task really is what helps, with a sweep over labelled fractions
//   that compares it with training on the labelled images alone, with an added reconstruction head, and with
//   pseudo-labelling.
//
// How the labels are hidden (and how the notebook differs)
//   This chapter keeps exactly the stated fraction: 5% of 60,000 is 3,000 fine labels, drawn without
//   replacement (exercise 3.2). The notebook instead masks (1 - p) N indices drawn WITH replacement; repeats mask
//   nothing new, so its "25%" keeps about 47% of the labels and its "5%" about 39%. --with-replacement draws the
//   notebook's way and step 1 prints how many labels that really keeps.
//
// How to run
//   make chapter03 && ./chapter03        2 epochs per run: about 3 minutes on 2 cores; figures/chapter03/
//   ./chapter03 --full                   the notebook's 10 epochs per run (about 12 minutes on 2 cores)
//   ./chapter03 --quick                  seconds: 256 training images, the sweep at 1% and 5% only (the tests)
//   ./chapter03 --with-replacement       mask labels the notebook's way
//   ./chapter03 --fine-over-labelled     train on the fine loss at full weight in every batch (divided by M, not N)
//
// What it leaves out on purpose
//   Data augmentation and consistency losses (Mean Teacher, FixMatch): the simplest method that learns from the
//   unlabelled images themselves, pseudo-labelling, stands in for them in the sweep of step 4.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "data.h"
#include "exercise.h"
#include "exercises.h"
#include "figures.h"
#include "layers.h"
#include "loss.h"
#include "metrics.h"
#include "optim.h"
#include "plot.h"
#include "progress.h"
#include "tsne.h"

#define K 10                // fine classes
#define REPR_DIM 1568       // the representation r: 32 channels x 7 x 7, flattened
#define NFRAC 4             // labelled fractions: 100%, 25%, 5%, 1%
#define PSEUDO_THRESHOLD 0.95f
#define CURVE_POINTS 4      // points per epoch on the loss curves of step 3
#define CURVE_TEST 2000     // test images each curve point is measured on

static const double FRACTIONS[NFRAC] = {1.0, 0.25, 0.05, 0.01};
static const char *const FRACTION_NAMES[NFRAC] = {"100%", "25%", "5%", "1%"};

// ================================================ The model =========================================================

// The trunk: x (N, 1, 28, 28) -> r (N, 1568). Both heads read r, so r is what the coarse labels can improve.
static Net *build_trunk(Rng *rng) {
    Net *net = net_new("trunk", 1, 28, 28, rng);
    net_add(net, conv2d_new(8, 3, 1, PAD_SAME));     // (N, 8, 28, 28)
    net_add(net, relu_new());
    net_add(net, maxpool2d_new(2, PAD_SAME));        // (N, 8, 14, 14)
    net_add(net, conv2d_new(16, 3, 1, PAD_SAME));    // (N, 16, 14, 14)
    net_add(net, relu_new());
    net_add(net, maxpool2d_new(2, PAD_VALID));       // (N, 16, 7, 7)
    net_add(net, conv2d_new(32, 3, 1, PAD_SAME));    // (N, 32, 7, 7)
    net_add(net, relu_new());
    net_add(net, flatten_new());                     // (N, 1568) = r, the "representation"
    return net;
}

// A classification head: r (N, 1568) -> logits (N, classes). The softmax is inside the loss (exercise 3.1).
// input_grad = true: backward must return dL/dr, because the trunk below it learns from that gradient.
static Net *build_head(const char *name, int classes, Rng *rng) {
    Net *net = net_new(name, REPR_DIM, 1, 1, rng);
    net->input_grad = true;
    net_add(net, dense_new(32));                     // (N, 32)
    net_add(net, relu_new());
    net_add(net, dense_new(classes));                // (N, classes) logits
    return net;
}

// A reconstruction head (the earlier version of this lecture, step 4 only): r -> the image again, as pixel
// logits (N, 1, 28, 28) for a binary cross-entropy against x. It asks r to keep everything about the image, not
// only what the labels need: an autoencoder's task, which needs no labels at all. Two transposed convolutions
// undo the trunk's two poolings; kept this small, it adds about 15% to a training step.
static Net *build_decoder(Rng *rng) {
    Net *net = net_new("decoder", REPR_DIM, 1, 1, rng);
    net->input_grad = true;
    net_add(net, reshape_new(32, 7, 7));                         // (N, 32, 7, 7)
    net_add(net, conv2d_transpose_new(16, 3, 2, PAD_SAME));      // (N, 16, 14, 14)
    net_add(net, relu_new());
    net_add(net, conv2d_transpose_new(1, 3, 2, PAD_SAME));       // (N, 1, 28, 28) pixel logits
    return net;
}

// Which heads a model has and how its losses are weighted:  L = w_fine L_fine + w_coarse L_coarse + w_recon L_recon.
typedef struct {
    float w_fine, w_coarse, w_recon;    // w_coarse = 0: no coarse head; w_recon = 0: no decoder
    bool pseudo;                        // pseudo-labelling: confident predictions join the fine loss
    bool fine_over_labelled;            // --fine-over-labelled: L_fine at full weight, not M/N of it (step 4)
} LossSetup;

// The composed model: separate nets, glued together by train_step.
typedef struct {
    Net *trunk;         // x -> r (N, 1568)
    Net *fine;          // r -> (N, 10)
    Net *coarse;        // r -> (N, 3), or NULL
    Net *decoder;       // r -> (N, 1, 28, 28), or NULL
    Optimizer *adam;    // one Adam over the parameters of all of them
    LossSetup loss;
    Tensor dfine;       // (N, 10)  w_fine dL_fine/dz
    Tensor dcoarse;     // (N, 3)   w_coarse dL_coarse/dz
    Tensor drecon;      // (N, 1, 28, 28) w_recon dL_recon/dz
    Tensor dr;          // (N, 1568) dL/dr: the sum of what the heads send back
    int *targets;       // (batch) the fine labels a step trains on (pseudo-labels added)
} Model;

// A fresh model: every run draws its initial weights from the same seed, so runs differ only in their labels and
// losses, not in their luck.
static Model model_new(const LossSetup *loss, uint64_t seed, int batch, Rng *rng) {
    rng_seed(rng, seed);
    Model m = {.loss = *loss};
    m.trunk = build_trunk(rng);
    m.fine = build_head("fine", K, rng);
    if (loss->w_coarse > 0) m.coarse = build_head("coarse", COARSE_K, rng);
    if (loss->w_recon > 0) m.decoder = build_decoder(rng);
    ParamList params = {0};
    params_add_net(&params, m.trunk);
    params_add_net(&params, m.fine);
    if (m.coarse) params_add_net(&params, m.coarse);
    if (m.decoder) params_add_net(&params, m.decoder);
    m.adam = optim_adam_new(params, 1e-3f);
    m.targets = xmalloc((size_t)batch * sizeof(int));
    return m;
}

static size_t model_param_count(const Model *m) {
    return net_param_count(m->trunk) + net_param_count(m->fine) + (m->coarse ? net_param_count(m->coarse) : 0) +
           (m->decoder ? net_param_count(m->decoder) : 0);
}

static void model_free(Model *m) {
    net_free(m->trunk);
    net_free(m->fine);
    net_free(m->coarse);
    net_free(m->decoder);
    optim_free(m->adam);
    tensor_free(&m->dfine);
    tensor_free(&m->dcoarse);
    tensor_free(&m->drecon);
    tensor_free(&m->dr);
    free(m->targets);
    *m = (Model){0};
}

// ================================================ One training step =================================================

// What one step measured.
typedef struct {
    float total, fine, coarse, recon;   // the weighted total and each head's own loss
    int labelled;                       // rows of the batch the fine loss was taken over (true + pseudo labels)
    int pseudo, pseudo_right;           // of those, pseudo-labelled rows, and how many of them were right
} StepLosses;

// Scale a tensor in place: a loss weight w multiplies that loss's gradient too (d(w L) = w dL).
static void scale_in_place(Tensor *t, float w) {
    for (size_t i = 0; i < tensor_size(t); i++) t->data[i] *= w;
}

// dst += src, elementwise (same shapes).
static void add_in_place(Tensor *dst, const Tensor *src) {
    for (size_t i = 0; i < tensor_size(dst); i++) dst->data[i] += src->data[i];
}

// One step of training on a batch: xb (N, 1, 28, 28), fine labels yfine (N, -1 = masked), coarse labels ycoarse
// (N). ytrue (N) holds the real fine labels, used only to count how often a pseudo-label is right.
// use_pseudo: this step may turn confident predictions on unlabelled rows into labels.
//
// The whole model in one picture. Forward goes down the left, backward comes up the right:
//
//   forward                                        backward
//   r  = trunk(x)           (N, 1568)              trunk backward from dr   -> every trunk weight's dL/dw
//                                                  dr = dr_f + dr_c          (r feeds two heads: add)
//   zf = fine(r)            (N, 10)                dr_f = fine backward from dzf    (input_grad)
//   zc = coarse(r)          (N, 3)                 dr_c = coarse backward from dzc  (input_grad)
//   L  = w_f CE_masked(zf, yfine) + w_c CE(zc, ycoarse)
//                                                  dzf = w_f dCE_masked/dzf,  dzc = w_c dCE/dzc
static StepLosses train_step(Model *m, const Tensor *xb, const int *yfine, const int *ycoarse, const int *ytrue,
                             bool use_pseudo) {
    const int N = xb->n;
    StepLosses s = {0};

    // ---- forward: one trunk, then every head on the same r ----
    const Tensor *r = net_forward(m->trunk, xb, true);              // r (N, 1568)
    const Tensor *zf = net_forward(m->fine, r, true);               // zf (N, 10)

    // Pseudo-labelling: an unlabelled row whose predicted class has probability >= 0.95 is trained as if that
    // were its label. The label is a constant, not a function of the weights: no gradient flows through the
    // choice, only through the cross-entropy that then pulls the prediction further the same way.
    memcpy(m->targets, yfine, (size_t)N * sizeof(int));
    if (use_pseudo)
        for (int i = 0; i < N; i++) {
            if (yfine[i] >= 0) continue;
            const float *z = zf->data + (size_t)i * K;
            int best = 0;
            for (int k = 1; k < K; k++) if (z[k] > z[best]) best = k;
            double denom = 0.0;                                     // p_best = 1 / sum_k exp(z_k - z_best)
            for (int k = 0; k < K; k++) denom += exp((double)z[k] - z[best]);
            if (1.0 / denom >= PSEUDO_THRESHOLD) {
                m->targets[i] = best;
                s.pseudo++;
                s.pseudo_right += best == ytrue[i];
            }
        }

    // ---- the losses, each with its gradient, each gradient times its weight ----
    tensor_resize(&m->dfine, N, K, 1, 1);
    s.fine = ex_masked_cross_entropy(m->dfine.data, zf->data, m->targets, N, K);   // mean over labelled rows
    for (int i = 0; i < N; i++) s.labelled += m->targets[i] >= 0;
    // L_fine is a mean over the M labelled rows; the batch's loss takes M/N of it, which is the sum over the
    // labelled rows divided by N: every image of the batch counts 1/N, with or without a fine label. (It is what
    // Keras computes for a per-row loss that is 0 on masked rows.) --fine-over-labelled takes all of it instead,
    // so that one labelled image in a batch of 64 weighs as much as 64 of them.
    float w_fine = m->loss.w_fine * (m->loss.fine_over_labelled ? 1.0f : (float)s.labelled / N);
    scale_in_place(&m->dfine, w_fine);                                      // dL/dzf = w_f (M/N) dL_f/dzf
    s.total = w_fine * s.fine;
    if (m->coarse) {
        const Tensor *zc = net_forward(m->coarse, r, true);                       // zc (N, 3)
        tensor_resize(&m->dcoarse, N, COARSE_K, 1, 1);
        s.coarse = ex_masked_cross_entropy(m->dcoarse.data, zc->data, ycoarse, N, COARSE_K);
        scale_in_place(&m->dcoarse, m->loss.w_coarse);                            // dL/dzc = w_c dL_c/dzc
        s.total += m->loss.w_coarse * s.coarse;
    }
    if (m->decoder) {
        const Tensor *zx = net_forward(m->decoder, r, true);                      // zx (N, 1, 28, 28)
        s.recon = loss_bce_logits(&m->drecon, zx, xb);                            // the image is its own label
        scale_in_place(&m->drecon, m->loss.w_recon);                              // dL/dzx = w_r dL_r/dzx
        s.total += m->loss.w_recon * s.recon;
    }

    // ---- backward: each head gives back dL/dr; the trunk gets their sum ----
    // r feeds every head, so a small change in r changes L through each of them (the chain rule sums over paths):
    //     dL/dr = w_f dL_f/dr + w_c dL_c/dr (+ w_r dL_r/dr)
    // Each head's backward returns its term (net->input_grad), already weighted because its dL/dz was.
    net_zero_grad(m->trunk);
    net_zero_grad(m->fine);
    // forward: zf = fine(r)      =>  dr = w_f dL_f/dr, (N, 1568)
    tensor_copy(&m->dr, net_backward(m->fine, &m->dfine));
    if (m->coarse) {
        // forward: zc = coarse(r)  =>  dr += w_c dL_c/dr
        net_zero_grad(m->coarse);
        add_in_place(&m->dr, net_backward(m->coarse, &m->dcoarse));
    }
    if (m->decoder) {
        // forward: zx = decoder(r) =>  dr += w_r dL_r/dr
        net_zero_grad(m->decoder);
        add_in_place(&m->dr, net_backward(m->decoder, &m->drecon));
    }
    // forward: r = trunk(x)        =>  every trunk weight learns from both tasks at once
    net_backward(m->trunk, &m->dr);
    optim_step(m->adam);                                           // one Adam step for every net's parameters
    return s;
}

// ================================================ Evaluation ========================================================

// What a pass over the test set gives.
typedef struct {
    double loss_fine, loss_coarse, loss_total;  // mean cross-entropies (every test image has both labels)
    double fine_acc, coarse_acc;
} EvalResult;

// Forward the test set in evaluation mode. pred_fine (n) and pred_coarse (n, only with a coarse head) receive the
// predicted classes; with repr not NULL, the representation r of the first n_repr images is copied into it
// (n_repr, 1568).
static EvalResult evaluate(Model *m, const Dataset *test, const int *test_coarse, int *pred_fine, int *pred_coarse,
                           float *repr, int n_repr) {
    const int B = 500;
    Tensor xb = {0};
    int *idx = xmalloc((size_t)B * sizeof(int));
    double sum_fine = 0.0, sum_coarse = 0.0;
    for (int first = 0; first < test->count; first += B) {
        int count = test->count - first < B ? test->count - first : B;
        for (int i = 0; i < count; i++) idx[i] = first + i;
        dataset_gather(&xb, NULL, test, idx, count);
        const Tensor *r = net_forward(m->trunk, &xb, false);                         // (count, 1568)
        for (int i = 0; repr && i < count && first + i < n_repr; i++)
            memcpy(repr + (size_t)(first + i) * REPR_DIM, tensor_sample(r, i), REPR_DIM * sizeof(float));
        const Tensor *zf = net_forward(m->fine, r, false);                           // (count, 10)
        sum_fine += (double)ex_masked_cross_entropy(NULL, zf->data, test->y + first, count, K) * count;
        metrics_argmax(pred_fine + first, zf->data, count, K);
        if (m->coarse) {
            const Tensor *zc = net_forward(m->coarse, r, false);                     // (count, 3)
            sum_coarse += (double)ex_masked_cross_entropy(NULL, zc->data, test_coarse + first, count, COARSE_K) *
                          count;
            metrics_argmax(pred_coarse + first, zc->data, count, COARSE_K);
        }
    }
    EvalResult e = {0};
    e.loss_fine = sum_fine / test->count;
    e.loss_coarse = sum_coarse / test->count;
    e.loss_total = m->loss.w_fine * e.loss_fine + m->loss.w_coarse * e.loss_coarse;
    e.fine_acc = metrics_accuracy(test->y, pred_fine, test->count);
    e.coarse_acc = m->coarse ? metrics_accuracy(test_coarse, pred_coarse, test->count) : NAN;
    tensor_free(&xb);
    free(idx);
    return e;
}

// ================================================ A whole run =======================================================

// One training run: which labels, which heads, how long.
typedef struct {
    const char *name;       // "5% of the fine labels, weights 10:1"
    const char *tag;        // for file names: "5_weighted"
    int frac;               // which mask: index into FRACTIONS
    LossSetup loss;
    bool labelled_only;     // the fine-only baseline: trains on the labelled images alone, no coarse head
} RunSpec;

// What a run produced.
typedef struct {
    int epochs;                         // passes made (more for labelled_only: see train_run)
    int npoints;                        // points on the loss curves (main runs only; else 0)
    float *curve_x;                     // (npoints) epochs done at each point: 0.25, 0.5, ...
    float *curve[2][3];                 // (npoints) [train, validation][overall, fine, coarse] losses
    EvalResult test;                    // the trained model on the test set
    int cm_fine[K * K], cm_coarse[COARSE_K * COARSE_K];
    double seconds, images_per_second;
    long pseudo, pseudo_right, unlabelled;  // pseudo-labels in the last epoch, and how many were right
} RunResult;

static void run_result_free(RunResult *res) {
    free(res->curve_x);
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 3; b++) free(res->curve[a][b]);
}

// The labels and images a run trains on.
typedef struct {
    const Dataset *train, *test;
    const int *fine[NFRAC];             // (train N) masked fine labels for each fraction, -1 = hidden
    const int *coarse;                  // (train N) coarse labels, all present
    const int *test_coarse;             // (test N)
    const Dataset *curve_test;          // the first CURVE_TEST test images, for the loss curves
} Data;

// Running sums for mean losses over a stretch of training. The fine loss is a mean over labelled rows, so its
// mean over many batches weighs each batch by its labelled rows: a batch with no label adds nothing, as in the
// loss itself.
typedef struct {
    double fine, coarse;
    long seen, labelled;
} LossSums;

static void loss_sums_add(LossSums *sums, const StepLosses *s, int count) {
    sums->fine += (double)s->fine * s->labelled;
    sums->coarse += (double)s->coarse * count;
    sums->seen += count;
    sums->labelled += s->labelled;
}

static float mean_fine(const LossSums *sums) { return sums->labelled ? (float)(sums->fine / sums->labelled) : NAN; }

// Train one run from scratch and evaluate it. With per_epoch, each epoch prints its own progress line and the
// validation numbers, and the loss curves are kept (CURVE_POINTS a epoch: the training losses since the last
// point, and the losses on CURVE_TEST test images); otherwise one progress line covers the whole run.
// repr (n_repr, 1568), when not NULL, receives the trained trunk's representation of the first test images.
static void train_run(RunResult *res, const RunSpec *spec, const Data *d, int epochs, const Options *opt,
                      bool per_epoch, float *repr, int n_repr) {
    Rng rng, order_rng;
    Model m = model_new(&spec->loss, opt->seed, opt->batch, &rng);
    rng_seed(&order_rng, opt->seed + 1);                // the batch order: the same in every run

    // The fine-only baseline sees only the labelled images. It gets as many image passes as the other methods
    // (epochs x 60,000), which on 600 images is 100 passes per epoch: enough to fit them completely.
    const int *fine = d->fine[spec->frac];
    int n_train = d->train->count;
    int *rows = xmalloc((size_t)n_train * sizeof(int));     // (n) training row of each sample a batch can draw
    int n = 0;
    for (int i = 0; i < n_train; i++)
        if (!spec->labelled_only || fine[i] >= 0) rows[n++] = i;
    if (n == 0) {                                       // NOTE: only a tiny --quick subset can hide every label
        rows[0] = 0;
        n = 1;
    }
    int passes = spec->labelled_only ? (int)(((long)epochs * n_train + n - 1) / n) : epochs;

    *res = (RunResult){.epochs = passes};
    if (per_epoch) {
        res->curve_x = xcalloc((size_t)passes * CURVE_POINTS, sizeof(float));
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 3; b++) res->curve[a][b] = xcalloc((size_t)passes * CURVE_POINTS, sizeof(float));
    }

    Batcher batcher;
    batcher_init(&batcher, n, opt->batch, true);
    Tensor xb = {0};
    int *batch_rows = xmalloc((size_t)opt->batch * sizeof(int));
    int *yfine = xmalloc((size_t)opt->batch * sizeof(int)), *ycoarse = xmalloc((size_t)opt->batch * sizeof(int));
    int *ytrue = xmalloc((size_t)opt->batch * sizeof(int));
    int *pred_fine = xmalloc((size_t)d->test->count * sizeof(int));
    int *pred_coarse = xmalloc((size_t)d->test->count * sizeof(int));
    // Pseudo-labelling waits for the first third of the steps: an untrained head's confident guesses are noise.
    long total_steps = (long)passes * batcher_num_batches(&batcher), step = 0;
    Progress bar;
    if (!per_epoch) progress_begin(&bar, spec->name, (long)passes * n);
    double t0 = clock_seconds();

    for (int epoch = 0; epoch < passes; epoch++) {
        if (per_epoch) {
            char label[48];
            snprintf(label, sizeof label, "Epoch %d/%d", epoch + 1, passes);
            progress_begin(&bar, label, n);
        }
        LossSums epoch_sums = {0}, part_sums = {0};     // since the epoch began, since the last curve point
        EvalResult e = {0};                             // the latest curve point's validation losses
        int nb = batcher_num_batches(&batcher), next_point = 0;
        res->pseudo = res->pseudo_right = res->unlabelled = 0;
        batcher_start_epoch(&batcher, &order_rng);
        const int *idx;
        int count;
        for (int b = 0; (count = batcher_next(&batcher, &idx)) > 0; b++, step++) {
            for (int i = 0; i < count; i++) {
                int row = rows[idx[i]];
                batch_rows[i] = row;
                yfine[i] = fine[row];                    // -1 where the fine label is hidden
                ycoarse[i] = d->coarse[row];
                res->unlabelled += fine[row] < 0;
            }
            dataset_gather(&xb, ytrue, d->train, batch_rows, count);   // xb (count, 1, 28, 28)
            bool use_pseudo = spec->loss.pseudo && step >= total_steps / 3;
            StepLosses s = train_step(&m, &xb, yfine, ycoarse, ytrue, use_pseudo);
            loss_check_finite(s.total, spec->name, epoch + 1, b + 1);
            loss_sums_add(&epoch_sums, &s, count);
            loss_sums_add(&part_sums, &s, count);
            res->pseudo += s.pseudo;
            res->pseudo_right += s.pseudo_right;
            progress_update(&bar, count, s.total);

            // A point on the loss curves each time another 1/CURVE_POINTS of the epoch is done.
            if (!per_epoch || (long)(b + 1) * CURVE_POINTS < (long)(next_point + 1) * nb) continue;
            next_point = (int)((long)(b + 1) * CURVE_POINTS / nb);
            e = evaluate(&m, d->curve_test, d->test_coarse, pred_fine, pred_coarse, NULL, 0);
            int p = res->npoints++;
            res->curve_x[p] = epoch + (float)(b + 1) / nb;
            res->curve[0][1][p] = mean_fine(&part_sums);
            res->curve[0][2][p] = (float)(part_sums.coarse / part_sums.seen);
            // The overall curve adds the heads' mean losses, w_f L_fine + w_c L_coarse, as evaluate() does for the
            // test images (all of them labelled): the two curves then measure the same thing. (The objective
            // itself, with L_fine weighted by each batch's M/N, is the progress line's "loss".)
            res->curve[0][0][p] = spec->loss.w_fine * res->curve[0][1][p] + spec->loss.w_coarse * res->curve[0][2][p];
            res->curve[1][0][p] = (float)e.loss_total;
            res->curve[1][1][p] = (float)e.loss_fine;
            res->curve[1][2][p] = (float)e.loss_coarse;
            part_sums = (LossSums){0};
        }
        if (!per_epoch) continue;
        char extra[160];
        snprintf(extra, sizeof extra, "fine %.4f  coarse %.4f  val_fine_acc %.4f  val_coarse_acc %.4f",
                 mean_fine(&epoch_sums), epoch_sums.coarse / epoch_sums.seen, e.fine_acc, e.coarse_acc);
        progress_end(&bar, extra);
    }
    res->seconds = clock_seconds() - t0;
    res->images_per_second = (double)passes * n / res->seconds;
    if (!per_epoch) {
        char extra[64];
        snprintf(extra, sizeof extra, "%.0f img/s", res->images_per_second);
        progress_end(&bar, extra);
    }

    // The trained model on the whole test set: the run's result.
    res->test = evaluate(&m, d->test, d->test_coarse, pred_fine, pred_coarse, repr, n_repr);
    metrics_confusion(res->cm_fine, d->test->y, pred_fine, d->test->count, K);
    if (m.coarse) metrics_confusion(res->cm_coarse, d->test_coarse, pred_coarse, d->test->count, COARSE_K);

    batcher_free(&batcher);
    model_free(&m);
    tensor_free(&xb);
    free(rows); free(batch_rows); free(yfine); free(ycoarse); free(ytrue); free(pred_fine); free(pred_coarse);
}

// ================================================ Labels ============================================================

// The notebook's way of hiding labels (--with-replacement): draw (1 - p) N indices with replacement and mask
// them. Repeats mask nothing new, so more labels survive than p N: about e^-(1-p) of them, 47% for p = 0.25 and
// 39% for p = 0.05.
static void mask_like_notebook(int *labels, int n, double fraction, Rng *rng) {
    long draws = lround((1.0 - fraction) * n);
    for (long i = 0; i < draws; i++) labels[rng_below(rng, (uint32_t)n)] = -1;
}

// 3,000 -> "3,000"
static const char *with_commas(long v, char *buf) {
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%ld", v), j = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && digits[i - 1] != '-' && (n - i) % 3 == 0) buf[j++] = ',';
        buf[j++] = digits[i];
    }
    buf[j] = '\0';
    return buf;
}

// The report of exercise 3.3 for a confusion matrix cm (k, k), printed under a title; returns its macro F1.
static double report(const int *cm, int k, const char *const *names, const char *title) {
    MetricsReport r;
    ex_report_alloc(&r, k);
    ex_classification_report(&r, cm, k);
    if (!exercise_pending("3.3")) {
        printf("\n== %s\n", title);
        metrics_print_report(stdout, &r, names, 3);
    }
    double f1 = r.macro_f1;
    metrics_report_free(&r);
    return f1;
}

// ================================================ The program =======================================================

int main(int argc, char **argv) {
    Options opt = {.epochs = 2, .batch = 64, .seed = 42, .out_dir = "figures/chapter03"};
    bool with_replacement = false, fine_over_labelled = false;
    double sweep_epochs = 0;                        // 0: as many as --epochs
    const CliExtra extras[] = {
        {.name = "with-replacement", .help = "hide labels as the notebook does (draws with replacement: more survive)",
         .flag = &with_replacement},
        {.name = "sweep-epochs", .arg = "N", .help = "epochs of each run of step 4's sweep (default: --epochs)",
         .number = &sweep_epochs, .min = 1, .max = 100000},
        {.name = "fine-over-labelled", .help = "give the fine loss full weight in every batch (divided by its "
         "labelled rows, not by the batch size)", .flag = &fine_over_labelled},
    };
    const CliSpec spec = {
        .program = "chapter03",
        .title = "Semi-supervised learning: coarse labels for all, fine labels for a few",
        .about = "One trunk, two heads: a coarse head (Tops / Bottoms / Other) trained on every image, a fine head\n"
                 "(10 classes) on a few labelled ones, with a masked cross-entropy. The notebook's four runs (all,\n"
                 "25%, 5% and 5% weighted 10:1 fine labels), then a sweep over 1-100% labels against fine-only\n"
                 "training, a reconstruction head and pseudo-labelling, and a t-SNE map of the representation.\n"
                 "Default: 2 epochs per run, about 3 minutes on 2 cores; --full: the notebook's 10 epochs,\n"
                 "about 12 minutes.",
        .extras = extras,
        .nextras = 3,
    };
    cli_parse(&opt, &spec, argc, argv);
    if (opt.quick && !opt.epochs_set) opt.epochs = 1;
    if (opt.full && !opt.epochs_set) opt.epochs = 10;
    // The sweep trains 12 more models, as long as the four runs; their runs then stand in for its coarse + masked
    // runs at 5%, 25% and 100%. --sweep-epochs makes the sweep shorter (or longer), and then it trains those too.
    int sweep_ep = sweep_epochs > 0 ? (int)sweep_epochs : opt.epochs;
    double t_start = clock_seconds();
    char err[512], buf[4][32];
    if (cli_mkdir_p(opt.out_dir, err, sizeof err) != 0) { fprintf(stderr, "chapter03: %s\n", err); return 1; }

    // ---- Step 1: data, coarse labels, hidden fine labels ----
    cli_step(&opt, 1, "load Fashion-MNIST; coarse labels for all, fine labels for a few",
             "Every image gets a coarse label (exercise 3.3): Tops = T-shirt/top, Pullover, Coat, Shirt;\n"
             "Bottoms = Trouser, Dress; Other = Sandal, Sneaker, Bag, Ankle boot. Its fine label is kept for a\n"
             "fraction p of the images only, chosen without replacement (exercise 3.2); the others get -1.");
    Dataset train, test;
    if (fashion_mnist_load(opt.data_dir, opt.quick ? 256 : 0, opt.quick ? 200 : 0, &train, &test, err,
                           sizeof err) != 0) {
        fprintf(stderr, "chapter03: %s\n", err);
        return 1;
    }
    printf("train x %s, test x (%d, 1, 28, 28)\n", tensor_shape_str(&train.x, err), test.count);
    int *coarse = xmalloc((size_t)train.count * sizeof(int)), *test_coarse = xmalloc((size_t)test.count * sizeof(int));
    for (int i = 0; i < train.count; i++) coarse[i] = ex_coarse_label(train.y[i]);
    for (int i = 0; i < test.count; i++) test_coarse[i] = ex_coarse_label(test.y[i]);

    // One mask per fraction, each from its own generator seeded from --seed, so that a mask does not depend on
    // which others were drawn before it.
    int *fine[NFRAC], *keep = xmalloc((size_t)train.count * sizeof(int));
    long kept[NFRAC][K + 1] = {{0}};                 // labels kept per class; [K] is the total
    for (int f = 0; f < NFRAC; f++) {
        fine[f] = xmalloc((size_t)train.count * sizeof(int));
        Rng mask_rng;
        rng_seed(&mask_rng, opt.seed * 1000 + (uint64_t)f + 1);
        if (with_replacement) {
            memcpy(fine[f], train.y, (size_t)train.count * sizeof(int));
            mask_like_notebook(fine[f], train.count, FRACTIONS[f], &mask_rng);
        } else {
            for (int i = 0; i < train.count; i++) fine[f][i] = -1;
            int m = ex_choose_labelled(keep, train.count, FRACTIONS[f], &mask_rng);
            for (int j = 0; j < m; j++) fine[f][keep[j]] = train.y[keep[j]];
        }
        for (int i = 0; i < train.count; i++)
            if (fine[f][i] >= 0) { kept[f][fine[f][i]]++; kept[f][K]++; }
    }
    free(keep);
    printf("\nfine labels kept per class (%s):\n", with_replacement
               ? "the notebook's draw: (1 - p) N indices masked WITH replacement"
               : "exactly p N, drawn without replacement");
    printf("  %-12s %-8s", "class", "coarse");
    for (int f = 0; f < NFRAC; f++) printf(" %8s", FRACTION_NAMES[f]);
    printf("\n");
    for (int k = 0; k < K; k++) {
        int c = ex_coarse_label(k);
        printf("  %-12s %-8s", FASHION_MNIST_CLASSES[k], c >= 0 ? COARSE_CLASSES[c] : "?");
        for (int f = 0; f < NFRAC; f++) printf(" %8s", with_commas(kept[f][k], buf[0]));
        printf("\n");
    }
    printf("  %-21s", "total");
    for (int f = 0; f < NFRAC; f++) printf(" %8s", with_commas(kept[f][K], buf[0]));
    printf("\n  %-21s", "of all images");
    for (int f = 0; f < NFRAC; f++) printf(" %7.1f%%", 100.0 * kept[f][K] / train.count);
    printf("\n");
    bool labels_ready = !exercise_skip_if_pending("3.3", "building the coarse labels") &
                        !exercise_skip_if_pending("3.2", "choosing the fine labels to keep");

    // ---- Step 2: the two-headed model, the masked loss, the four runs ----
    cli_step(&opt, 2, "one trunk, two heads; train the notebook's four runs",
             "The heads are separate nets on the trunk's output r. Each step: r = trunk(x); each head's loss and\n"
             "its gradient dL/dz; each head's backward returns its dL/dr; the trunk backpropagates the weighted sum.\n"
             "Adam 1e-3, batch 64; every quarter epoch the first 2,000 test images give the validation numbers.\n"
             "The fine loss L_fine is the masked cross-entropy (exercise 3.1), a mean over the M labelled rows of\n"
             "the batch; the batch's loss takes M/N of it, so that every image counts 1/N. A worked case first:");
    {
        // Three rows, the middle one masked: its loss and gradient must be exactly 0, and the mean is over 2 rows.
        const float z[9] = {2.0f, 1.0f, 0.1f, 0.5f, 2.5f, 0.3f, 1.0f, 1.0f, 3.0f};
        const int y[3] = {0, -1, 2};
        float dz[9] = {0};
        float loss = ex_masked_cross_entropy(dz, z, y, 3, 3);
        if (!exercise_pending("3.1")) {
            printf("  logits z            label   dL/dz (row / M, M = 2 labelled rows)\n");
            for (int i = 0; i < 3; i++)
                printf("  [%4.1f %4.1f %4.1f]    %3d     [%7.4f %7.4f %7.4f]%s\n", z[3 * i], z[3 * i + 1],
                       z[3 * i + 2], y[i], dz[3 * i], dz[3 * i + 1], dz[3 * i + 2],
                       y[i] < 0 ? "   masked: no loss, no gradient" : "");
            printf("  L = (-log p_0[0] - log p_2[2]) / 2 should be (0.4170 + 0.2395) / 2 = 0.3283; exercise 3.1 "
                   "gives %.4f\n", loss);
        }
    }
    bool ready = labels_ready & !exercise_skip_if_pending("3.1", "training (steps 2 to 5)");

    const RunSpec runs[4] = {
        {"all fine labels", "all", 0, {1, 1, 0, false, fine_over_labelled}, false},
        {"25% of the fine labels", "25", 1, {1, 1, 0, false, fine_over_labelled}, false},
        {"5% of the fine labels", "5", 2, {1, 1, 0, false, fine_over_labelled}, false},
        {"5% of the fine labels, weights 10:1", "5_weighted", 2, {10, 1, 0, false, fine_over_labelled}, false},
    };
    const double notebook_fine[4] = {0.903, 0.891, 0.889, 0.890};
    RunResult main_res[4] = {{0}};
    int n_tsne = test.count < (opt.quick ? 100 : 2000) ? test.count : (opt.quick ? 100 : 2000);
    float *repr = xmalloc((size_t)n_tsne * REPR_DIM * sizeof(float));     // (n_tsne, 1568), from the 5% run
    Dataset curve_test;                             // the first 2,000 test images: the curves' validation set
                                                    // (100 with --quick)
    dataset_split(&curve_test, NULL, &test, opt.quick ? 100 : CURVE_TEST);
    Data data = {.train = &train, .test = &test, .coarse = coarse, .test_coarse = test_coarse,
                 .curve_test = &curve_test};
    for (int f = 0; f < NFRAC; f++) data.fine[f] = fine[f];
    if (ready) {
        Rng rng;
        Model shown = model_new(&runs[0].loss, opt.seed, opt.batch, &rng);
        net_summary(shown.trunk, stdout);
        net_summary(shown.fine, stdout);
        net_summary(shown.coarse, stdout);
        printf("Total params of the two-headed model: %s (trunk %s + fine head %s + coarse head %s)\n",
               with_commas((long)model_param_count(&shown), buf[0]), with_commas((long)net_param_count(shown.trunk), buf[1]),
               with_commas((long)net_param_count(shown.fine), buf[2]), with_commas((long)net_param_count(shown.coarse), buf[3]));
        model_free(&shown);
        for (int r = 0; r < 4; r++) {
            printf("\n[run %d/4] %s: %s fine labels, loss = %g %sL_fine + %g L_coarse\n", r + 1, runs[r].name,
                   with_commas(kept[runs[r].frac][K], buf[0]), runs[r].loss.w_fine,
                   fine_over_labelled ? "" : "(M/N) ", runs[r].loss.w_coarse);
            train_run(&main_res[r], &runs[r], &data, opt.epochs, &opt, true, r == 2 ? repr : NULL, n_tsne);
            printf("test: fine accuracy %.4f, coarse accuracy %.4f (%.0f s, %.0f img/s)\n", main_res[r].test.fine_acc,
                   main_res[r].test.coarse_acc, main_res[r].seconds, main_res[r].images_per_second);
        }
    }

    // ---- Step 3: each run, close up ----
    cli_step(&opt, 3, "confusion matrices, loss curves and reports of the four runs",
             "Fine and coarse confusion matrices side by side (macro F1 in the titles), the loss panels (overall,\n"
             "fine, coarse; training batches and 2,000 test images, every quarter epoch), and the classification\n"
             "report of each head (exercise 3.3).");
    double fine_f1[4] = {0}, coarse_f1[4] = {0};
    if (ready) {
        for (int r = 0; r < 4; r++) {
            RunResult *res = &main_res[r];
            char name[64], title[160], left_title[96], right_title[96];
            snprintf(title, sizeof title, "%s: fine head", runs[r].name);
            fine_f1[r] = report(res->cm_fine, K, FASHION_MNIST_CLASSES, title);
            snprintf(title, sizeof title, "%s: coarse head", runs[r].name);
            coarse_f1[r] = report(res->cm_coarse, COARSE_K, COARSE_CLASSES, title);

            snprintf(name, sizeof name, "confusion_%s", runs[r].tag);
            snprintf(title, sizeof title, "%s: test-set confusion matrices", runs[r].name);
            snprintf(left_title, sizeof left_title, "fine head: accuracy %.3f, macro F1 %.3f", res->test.fine_acc,
                     fine_f1[r]);
            snprintf(right_title, sizeof right_title, "coarse head: accuracy %.3f, macro F1 %.3f",
                     res->test.coarse_acc, coarse_f1[r]);
            ConfusionPanel left = {left_title, res->cm_fine, FASHION_MNIST_CLASSES, K};
            ConfusionPanel right = {right_title, res->cm_coarse, COARSE_CLASSES, COARSE_K};
            if (fig_confusion_pair(opt.out_dir, name, title, &left, &right, err, sizeof err) != 0)
                fprintf(stderr, "warning: %s\n", err);

            PlotSeries s[3][2];
            PlotPanel panels[3];
            char curve_name[64];
            snprintf(curve_name, sizeof curve_name, "validation (%s test images)",
                     with_commas(curve_test.count, buf[0]));
            const char *panel_titles[3] = {"overall: w_f L_fine + w_c L_coarse", "fine head (masked)", "coarse head"};
            for (int p = 0; p < 3; p++) {
                s[p][0] = (PlotSeries){.name = "train", .x = res->curve_x, .y = res->curve[0][p], .n = res->npoints};
                s[p][1] = (PlotSeries){.name = curve_name, .x = res->curve_x, .y = res->curve[1][p],
                                       .n = res->npoints};
                panels[p] = (PlotPanel){panel_titles[p], "cross-entropy", s[p], 2};
            }
            snprintf(name, sizeof name, "losses_%s", runs[r].tag);
            snprintf(title, sizeof title, "%s: losses", runs[r].name);
            if (plot_panels(opt.out_dir, name, title, "epoch", panels, 3, err, sizeof err) != 0)
                fprintf(stderr, "warning: %s\n", err);
        }
        exercise_skip_if_pending("3.3", "printing the classification reports");
        printf("wrote %s/confusion_{all,25,5,5_weighted} and losses_{...} (.gp, .dat, .png)\n", opt.out_dir);
    }

    // ---- Step 4: does the coarse task help? ----
    cli_step(&opt, 4, "does the coarse task help? a sweep over labelled fractions",
             "Four ways to use the same fine labels, at 1%, 5%, 25% and 100% of them:\n"
             "  fine-only        the fine head on the labelled images alone (as many image passes as the others)\n"
             "  coarse + masked  this chapter's model: every image trains the coarse head\n"
             "  + reconstruction the same plus a decoder rebuilding x from r (the earlier version of the lecture)\n"
             "  pseudo-labels    coarse + masked, and after the first third of training every unlabelled image\n"
             "                   whose prediction is >= 0.95 confident joins the fine loss with that label\n"
             "At 100% pseudo-labelling has nothing to label: it is the coarse + masked run.");
    enum { FINE_ONLY, COARSE_MASKED, RECON, PSEUDO, NMETHODS };
    const char *const method_names[NMETHODS] = {"fine-only", "coarse + masked fine", "+ reconstruction head",
                                                "pseudo-labels"};
    const char *const method_tags[NMETHODS] = {"fine-only", "coarse+masked", "+recon", "pseudo"};
    float sweep[NMETHODS][NFRAC];                       // test fine accuracy [method][fraction]
    for (int a = 0; a < NMETHODS; a++)
        for (int f = 0; f < NFRAC; f++) sweep[a][f] = NAN;
    if (ready) {
        // The step-2 run with the same labels and loss, when the sweep trains as long as step 2 did (none at 1%).
        const int reuse[NFRAC] = {0, 1, 2, -1};
        bool can_reuse = sweep_ep == opt.epochs;
        printf("each run: %d epoch%s%s\n", sweep_ep, sweep_ep == 1 ? "" : "s",
               can_reuse ? "; the step-2 runs stand in at 5%, 25% and 100%" : "");
        for (int f = 0; f < NFRAC && can_reuse; f++)
            if (reuse[f] >= 0) sweep[COARSE_MASKED][f] = (float)main_res[reuse[f]].test.fine_acc;
        int last_frac = opt.quick ? 2 : 0;                  // --quick: 1% and 5% only
        for (int f = NFRAC - 1; f >= last_frac; f--) {      // 1% first: the interesting end
            for (int a = 0; a < NMETHODS; a++) {
                RunSpec sp = {method_names[a], method_tags[a], f, {1, 1, 0, false, fine_over_labelled}, false};
                if (a == FINE_ONLY) {
                    sp.loss.w_coarse = 0;
                    sp.labelled_only = true;
                }
                if (a == RECON) sp.loss.w_recon = 1;
                if (a == PSEUDO) sp.loss.pseudo = true;
                if (a == COARSE_MASKED && !isnan(sweep[a][f])) continue;      // a step-2 run
                if (a == PSEUDO && f == 0) {                // no unlabelled image: the same run, step for step
                    sweep[a][f] = sweep[COARSE_MASKED][f];
                    continue;
                }
                char label[48];
                snprintf(label, sizeof label, "%-16s %4s", method_tags[a], FRACTION_NAMES[f]);
                sp.name = label;
                RunResult res;
                train_run(&res, &sp, &data, sweep_ep, &opt, false, NULL, 0);
                sweep[a][f] = (float)res.test.fine_acc;
                printf("  test fine accuracy %.4f\n", res.test.fine_acc);
                if (a == PSEUDO && res.unlabelled > 0)
                    printf("  pseudo-labels in the last epoch: %s of %s unlabelled images (%.0f%%), %.1f%% right\n",
                           with_commas(res.pseudo, buf[0]), with_commas(res.unlabelled, buf[1]),
                           100.0 * res.pseudo / res.unlabelled,
                           res.pseudo ? 100.0 * res.pseudo_right / res.pseudo : 0.0);
                if (a == FINE_ONLY)
                    printf("  (%d passes over its %s labelled images)\n", res.epochs,
                           with_commas(kept[f][K], buf[0]));
                run_result_free(&res);
            }
        }
        printf("\ntest fine accuracy      %8s %8s %8s %8s\n", "1%", "5%", "25%", "100%");
        for (int a = 0; a < NMETHODS; a++) {
            printf("  %-21s", method_names[a]);
            for (int f = NFRAC - 1; f >= 0; f--) isnan(sweep[a][f]) ? printf(" %8s", "-") : printf(" %8.4f", sweep[a][f]);
            printf("\n");
        }
        // The figure: x = labelled fraction in %, on a log axis (1 and 5 would crowd together on a linear one).
        float x[NFRAC], ys[NMETHODS][NFRAC];
        const char *xtics[NFRAC];
        for (int f = 0; f < NFRAC; f++) {
            x[f] = (float)(100.0 * FRACTIONS[NFRAC - 1 - f]);
            xtics[f] = FRACTION_NAMES[NFRAC - 1 - f];
            for (int a = 0; a < NMETHODS; a++) ys[a][f] = sweep[a][NFRAC - 1 - f];
        }
        PlotSeries series[NMETHODS];
        for (int a = 0; a < NMETHODS; a++) series[a] = (PlotSeries){.name = method_names[a], .y = ys[a], .n = NFRAC};
        char title[128], xlabel[96];
        snprintf(title, sizeof title, "Fine accuracy against labelled fraction (%d epoch%s%s%s)", sweep_ep,
                 sweep_ep == 1 ? "" : "s", with_replacement ? ", masks drawn with replacement" : "",
                 fine_over_labelled ? ", fine loss over labelled rows" : "");
        snprintf(xlabel, sizeof xlabel, "fine labels kept (of %s training images)", with_commas(train.count, buf[0]));
        if (fig_lines_logx(opt.out_dir, "sweep", title, xlabel, "test accuracy (10 classes)", x, xtics, NFRAC, series,
                           NMETHODS, err, sizeof err) != 0)
            fprintf(stderr, "warning: %s\n", err);
        else printf("wrote %s/sweep (.gp, .dat, .png)\n", opt.out_dir);
    }

    // ---- Step 5: what the trunk learnt ----
    cli_step(&opt, 5, "t-SNE of the representation r (the 5% run)",
             "The 1,568 numbers r of each test image, mapped to 2-d by t-SNE (neighbours stay neighbours), coloured\n"
             "by fine class and by coarse class. Look for what the coarse labels could teach the trunk (Other apart\n"
             "from Tops) and what they could not (shirts, T-shirts, pullovers and coats, all of them Tops).");
    if (ready) {
        float *xy = xmalloc((size_t)n_tsne * 2 * sizeof(float));
        TsneOptions to = tsne_defaults();
        if (opt.quick) { to.perplexity = 15; to.iterations = 250; to.exaggeration_iterations = 100; }
        Rng tsne_rng;
        rng_seed(&tsne_rng, opt.seed);
        double t0 = clock_seconds();
        if (tsne_run(xy, repr, n_tsne, REPR_DIM, &to, &tsne_rng, err, sizeof err) != 0) {
            fprintf(stderr, "warning: %s\n", err);
        } else {
            printf("t-SNE of %d test images: %.1f s\n", n_tsne, clock_seconds() - t0);
            ScatterPanel by_fine = {"coloured by fine class", test.y, FASHION_MNIST_CLASSES, K};
            ScatterPanel by_coarse = {"coloured by coarse class", test_coarse, COARSE_CLASSES, COARSE_K};
            char title[128];
            snprintf(title, sizeof title, "t-SNE of the trunk's representation r, %d test images (5%% fine labels)",
                     n_tsne);
            if (fig_scatter_pair(opt.out_dir, "tsne", title, xy, n_tsne, &by_fine, &by_coarse, err, sizeof err) != 0)
                fprintf(stderr, "warning: %s\n", err);
            else printf("wrote %s/tsne (.gp, .dat, .png)\n", opt.out_dir);
        }
        free(xy);
    }

    // ---- Step 6: results ----
    cli_step(&opt, 6, "results", NULL);
    if (ready) {
        printf("%-38s %12s %9s %9s %9s   %s\n", "run", "fine labels", "fine acc", "fine F1", "coarse", "notebook fine");
        for (int r = 0; r < 4; r++)
            printf("%-38s %12s %9.4f %9.4f %9.4f   %.3f\n", runs[r].name,
                   with_commas(kept[runs[r].frac][K], buf[0]), main_res[r].test.fine_acc, fine_f1[r],
                   main_res[r].test.coarse_acc, notebook_fine[r]);
        printf("(the notebook's coarse accuracy is about 0.98; its \"25%%\" and \"5%%\" keep about 47%% and 39%% of "
               "the labels)\n");
        cli_result("fine_accuracy_full", main_res[0].test.fine_acc);
        cli_result("coarse_accuracy_full", main_res[0].test.coarse_acc);
        cli_result("fine_accuracy_25", main_res[1].test.fine_acc);
        cli_result("fine_accuracy_5", main_res[2].test.fine_acc);
        cli_result("fine_accuracy_5_weighted", main_res[3].test.fine_acc);
        cli_result("fine_only_accuracy_5", sweep[FINE_ONLY][2]);
        cli_result("fine_accuracy_1", sweep[COARSE_MASKED][3]);
        cli_result("fine_only_accuracy_1", sweep[FINE_ONLY][3]);
        cli_result("pseudo_label_accuracy_1", sweep[PSEUDO][3]);
        cli_result("pseudo_label_accuracy_5", sweep[PSEUDO][2]);
    }
    cli_result("seconds", clock_seconds() - t_start);

    for (int r = 0; r < 4; r++) run_result_free(&main_res[r]);
    for (int f = 0; f < NFRAC; f++) free(fine[f]);
    free(repr); free(coarse); free(test_coarse);
    dataset_free(&train);
    dataset_free(&test);
    dataset_free(&curve_test);
    return 0;
}
