// Chapter 02: Multiple outputs, one network that learns two tasks (and an autoencoder as the helper task).
//
// What this chapter teaches
//   Mirrors the lecture notebook "Encoders and Decoders, Example 2: Multiple Outputs". Each clothing image is turned
//   by a random angle, and one network answers two questions about it: which class is it, and by how much was it
//   turned? The two answers share everything up to the last feature vector:
//
//                               +--> angle head: Dense64 relu - Dense1            --> degrees     MSE
//     x (N,1,28,28) --> trunk --+
//     Conv8-pool-Conv16-pool-   +--> class head: Dense64 relu - Dense10 (logits)  --> class       cross-entropy
//     Conv32-Flatten (N, 288)
//
//   Keras writes this with the functional API (Model(inputs=x, outputs=[angle, cls]), compile(loss=['mse',
//   'sparse_categorical_crossentropy'], loss_weights=[1, 100])) and hides the one new idea in backward: the trunk's
//   output feeds two heads, so its gradient is the SUM of what comes back from each head, each head's part scaled
//   by its loss weight. Here the trunk and the heads are three separate Nets and that glue is written out
//   (exercise 2.1, in train_batch below). Then: how to weigh the losses (by hand, [1, 1] against [1, 100]; or
//   learned, exercise 2.3), whether one task helps the other (single-task baselines), and a task that needs no
//   labels at all, reconstructing the input, as a regulariser when labels are few.
//
// How to run
//   make chapter02 && ./chapter02        about 2 minutes of one core (5 on a busy machine): 3 epochs for each of
//                                        the five models on all 60,000 images, then 80 epochs of the small-set
//                                        comparison; figures in figures/chapter02/
//   ./chapter02 --full                   the notebook's 20 epochs, 150 for the small set (about 15 minutes of one
//                                        core; the committed figures and docs/chapter02.md come from this run)
//   ./chapter02 --quick                  seconds: 800 training and 250 test images, one epoch in batches of 16
//                                        (what the tests run)
//   ./chapter02 --help                   every flag
//
// What it leaves out on purpose
//   Pixels are scaled to [0, 1] (the notebook fed 0..255; docs/chapter02.md says what that changes). No data
//   augmentation beyond the rotation itself, no learning-rate schedule: the notebook has none. The rotation is made
//   once before training, as in the notebook, not redrawn every epoch.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "data.h"
#include "exercise.h"
#include "exercises.h"
#include "image.h"
#include "layers.h"
#include "loss.h"
#include "metrics.h"
#include "optim.h"
#include "plot.h"
#include "progress.h"
#include "rotate.h"

#define K 10            // classes
#define FEAT 288        // the trunk's output per image: 32 channels x 3 x 3, flattened

// The tasks a head can learn. Every model below has a trunk and some of these heads.
typedef enum { TASK_ANGLE, TASK_CLASS, TASK_RECON, NTASKS } Task;
static const char *const TASK_NAMES[NTASKS] = {"angle", "class", "reconstruction"};

// ================================================ the networks ======================================================

// The shared trunk: x (N, 1, 28, 28) -> feat (N, 288). Valid convolutions shrink the image by 2 each, pools halve.
static Net *build_trunk(Rng *rng) {
    Net *net = net_new("trunk", 1, 28, 28, rng);
    net_add(net, conv2d_new(8, 3, 1, PAD_VALID));    // (N, 8, 26, 26)
    net_add(net, relu_new());
    net_add(net, maxpool2d_new(2, PAD_VALID));       // (N, 8, 13, 13)
    net_add(net, conv2d_new(16, 3, 1, PAD_VALID));   // (N, 16, 11, 11)
    net_add(net, relu_new());
    net_add(net, maxpool2d_new(2, PAD_VALID));       // (N, 16, 5, 5)
    net_add(net, conv2d_new(32, 3, 1, PAD_VALID));   // (N, 32, 3, 3)
    net_add(net, relu_new());
    net_add(net, flatten_new());                     // (N, 288)
    return net;
}

// A head: feat (N, 288) -> out (N, units) through one hidden Dense64 relu layer. The angle head has 1 linear output
// (degrees), the class head 10 logits (the softmax is in the loss). input_grad = true: backward must hand dL/dfeat
// back to the trunk, which a first layer of a plain Sequential model never needs.
static Net *build_head(const char *name, int units, Rng *rng) {
    Net *net = net_new(name, FEAT, 1, 1, rng);
    net->input_grad = true;
    net_add(net, dense_new(64));                     // (N, 64)
    net_add(net, relu_new());
    net_add(net, dense_new(units));                  // (N, units)
    return net;
}

// The decoder of step 5: feat (N, 288) -> logits of the reconstructed image (N, 1, 28, 28) (sigmoid in the loss).
// The trunk is the encoder, so trunk + decoder is an autoencoder whose bottleneck is the trunk's 288 features.
static Net *build_decoder(Rng *rng) {
    Net *net = net_new("decoder", FEAT, 1, 1, rng);
    net->input_grad = true;
    net_add(net, dense_new(8 * 7 * 7));                       // (N, 392)
    net_add(net, relu_new());
    net_add(net, reshape_new(8, 7, 7));                       // (N, 8, 7, 7)
    net_add(net, conv2d_transpose_new(16, 3, 2, PAD_SAME));  // (N, 16, 14, 14)
    net_add(net, relu_new());
    net_add(net, conv2d_transpose_new(1, 3, 2, PAD_SAME));   // (N, 1, 28, 28) logits
    return net;
}

// ================================================ a multi-task model ================================================

// Per epoch, what Keras's History would hold.
typedef struct {
    int epochs;
    float *loss[2][NTASKS + 1];     // [0 train, 1 validation][task t, or NTASKS = the weighted total] (epochs)
    float *acc[2];                  // class accuracy [0 train, 1 validation] (epochs)
} History;

typedef struct {
    char name[32];                  // used in file names: "w1" -> figures/chapter02/curves_w1.png
    char title[64];                 // used in tables and figure titles
    Rng rng[NTASKS + 2];            // one stream per net (trunk, heads) and one for the batch order, so that two
                                    // models with the same seed start from the same trunk and see the same batches
    Net *trunk;                     // x (N, 1, 28, 28) -> feat (N, 288)
    Net *head[NTASKS];              // feat -> out_t; NULL when the model does not have task t
    float weight[NTASKS];           // the loss weight w_t: picked by hand, or exp(-s_t) when learned
    bool learned;                   // learn the weights (uncertainty weighting, exercise 2.3)
    Param log_var;                  // s (heads): one log-variance per head, in task order, when learned
    Optimizer *opt;                 // RMSprop over the trunk, the heads (and s)
    Tensor dout[NTASKS];            // dL/dout_t of the last batch (N, D_t)
    Tensor dfeat;                   // dL/dfeat of the last batch (N, 288): the sum over heads
    Tensor target;                  // the angle targets of a batch (N, 1)
    History hist;
    float *trace_x, *trace_w[NTASKS];   // learned weights over training (epoch fractions), for a figure
    int ntrace;
    double seconds;                 // training time
    bool trained;                   // false when a step was skipped (an exercise not done yet)
} Model;

// A model with the heads of `tasks` (a bit per Task) and loss weights w (NTASKS, ignored when learned). Every net is
// drawn from its own stream of `seed`. Free with model_free.
static Model *model_new(const char *name, const char *title, unsigned tasks, const float *w, bool learned,
                        uint64_t seed) {
    Model *m = xcalloc(1, sizeof(Model));
    snprintf(m->name, sizeof m->name, "%s", name);
    snprintf(m->title, sizeof m->title, "%s", title);
    for (int i = 0; i < NTASKS + 2; i++) rng_seed(&m->rng[i], seed + 1000u * (uint64_t)i);
    m->trunk = build_trunk(&m->rng[0]);
    if (tasks & (1u << TASK_ANGLE)) m->head[TASK_ANGLE] = build_head("angle_head", 1, &m->rng[1]);
    if (tasks & (1u << TASK_CLASS)) m->head[TASK_CLASS] = build_head("class_head", K, &m->rng[2]);
    if (tasks & (1u << TASK_RECON)) m->head[TASK_RECON] = build_decoder(&m->rng[3]);
    int nheads = 0;
    for (int t = 0; t < NTASKS; t++) {
        m->weight[t] = m->head[t] ? (learned ? 1.0f : w[t]) : 0.0f;
        nheads += m->head[t] != NULL;
    }
    // One optimiser over every trainable float of the model: RMSprop, Keras's defaults (lr 1e-3, rho 0.9).
    ParamList pl = {0};
    params_add_net(&pl, m->trunk);
    for (int t = 0; t < NTASKS; t++) if (m->head[t]) params_add_net(&pl, m->head[t]);
    m->learned = learned;
    if (learned) {
        // s starts at 0 (every weight exp(-0) = 1, model 1's choice) and is trained like any weight.
        m->log_var = (Param){.name = "log_var", .size = (size_t)nheads, .ndim = 1, .shape = {nheads}};
        m->log_var.value = xcalloc((size_t)nheads, sizeof(float));
        m->log_var.grad = xcalloc((size_t)nheads, sizeof(float));
        pl.items = xrealloc(pl.items, (size_t)(pl.count + 1) * sizeof(Param *));
        pl.cap = pl.count + 1;
        pl.items[pl.count++] = &m->log_var;
    }
    m->opt = optim_rmsprop_new(pl, 1e-3f);
    return m;
}

// Zeroed arrays for `epochs` epochs; history_free releases them (and accepts a History never initialised).
static void history_init(History *h, int epochs) {
    h->epochs = epochs;
    for (int s = 0; s < 2; s++) {
        for (int t = 0; t <= NTASKS; t++) h->loss[s][t] = xcalloc((size_t)epochs, sizeof(float));
        h->acc[s] = xcalloc((size_t)epochs, sizeof(float));
    }
}

static void history_free(History *h) {
    for (int s = 0; s < 2; s++) {
        for (int t = 0; t <= NTASKS; t++) free(h->loss[s][t]);
        free(h->acc[s]);
    }
}

// Free the model, its nets, optimiser, buffers and history.
static void model_free(Model *m) {
    net_free(m->trunk);
    for (int t = 0; t < NTASKS; t++) { net_free(m->head[t]); tensor_free(&m->dout[t]); free(m->trace_w[t]); }
    optim_free(m->opt);
    free(m->log_var.value);
    free(m->log_var.grad);
    tensor_free(&m->dfeat);
    tensor_free(&m->target);
    history_free(&m->hist);
    free(m->trace_x);
    free(m);
}

// Trainable floats of the trunk and every head (the learned log-variances, 2 floats, not counted: Keras would not
// count them in the model either).
static size_t model_param_count(const Model *m) {
    size_t count = net_param_count(m->trunk);
    for (int t = 0; t < NTASKS; t++) if (m->head[t]) count += net_param_count(m->head[t]);
    return count;
}

// The loss of task t on a batch, unweighted, with its gradient written into dout when not NULL:
//   angle           L = 1/N sum (pred - angle)^2              (degrees squared)
//   class           L = 1/N sum -log softmax(logits)_label
//   reconstruction  L = 1/(N 784) sum BCE(sigmoid(logits), x)  (the input is its own target)
static float task_loss(Tensor *dout, Model *m, Task t, const Tensor *out, const Tensor *xb, const int *yb,
                       const float *ab) {
    switch (t) {
    case TASK_ANGLE:                                                      // targets (N, 1), like the output
        tensor_resize(&m->target, out->n, 1, 1, 1);
        memcpy(m->target.data, ab, (size_t)out->n * sizeof(float));
        return loss_mse(dout, out, &m->target);
    case TASK_CLASS: return loss_softmax_cross_entropy(dout, out, yb, NULL);
    default: return loss_bce_logits(dout, out, xb);
    }
}

// How many rows of logits (N, K) have their largest value at the true label y[n].
static int count_right(const Tensor *logits, const int *y) {
    int pred[1024], right = 0;
    for (int first = 0; first < logits->n; first += 1024) {
        int n = logits->n - first < 1024 ? logits->n - first : 1024;
        metrics_argmax(pred, logits->data + (size_t)first * K, n, K);
        for (int i = 0; i < n; i++) right += pred[i] == y[first + i];
    }
    return right;
}

// One training step on a batch: forward through the trunk and every head, the losses, then backward and one
// RMSprop update. loss[t] receives each task's (unweighted) loss, *right the number of correct classes. Returns
// the total loss that was minimised. This is the glue Keras's Model(outputs=[...]) hides:
//
//   forward                                      backward (the chain rule, read bottom-up)
//   feat  = trunk(x)           (N, 288)          dL/dfeat  = sum_t dL/dfeat through head t  -> trunk backward
//   out_t = head_t(feat)       (N, D_t)          dL/dout_t = w_t dL_t/dout_t                -> head_t backward
//   L     = sum_t w_t L_t(out_t)                 dL/dL_t   = w_t
//
// feat is used by every head, so a small change of feat changes L through all of them at once: its gradient is
// the sum of the heads' input gradients. That sum is the only new line of code a multi-output model needs.
static float train_batch(Model *m, const Tensor *xb, const int *yb, const float *ab, float *loss, int *right) {
    // Forward. The trunk runs once; every head reads the same features.
    const Tensor *feat = net_forward(m->trunk, xb, true);                 // feat (N, 288)
    Net *heads[NTASKS];
    Tensor *douts[NTASKS];
    float head_loss[NTASKS], w[NTASKS];
    int nheads = 0;
    params_zero_grad(&m->opt->params);                                    // gradients accumulate: clear them first
    for (int t = 0; t < NTASKS; t++) {
        if (!m->head[t]) continue;
        const Tensor *out = net_forward(m->head[t], feat, true);          // out_t = head_t(feat), (N, D_t)
        loss[t] = task_loss(&m->dout[t], m, (Task)t, out, xb, yb, ab);    // L_t and dL_t/dout_t
        if (t == TASK_CLASS) *right = count_right(out, yb);
        heads[nheads] = m->head[t];
        douts[nheads] = &m->dout[t];
        head_loss[nheads] = loss[t];
        w[nheads++] = m->weight[t];
    }
    float total = 0.0f;
    if (m->learned) {
        // Exercise 2.3: L = sum_t exp(-s_t) L_t + s_t. It gives the weights w_t = exp(-s_t) for this step and adds
        // dL/ds_t to s's gradient, so that the optimiser moves s with everything else.
        total = ex_uncertainty_loss(w, m->log_var.grad, m->log_var.value, head_loss, nheads);
        for (int t = 0, i = 0; t < NTASKS; t++) if (m->head[t]) m->weight[t] = w[i++];
    }
    // Backward, exercise 2.1: every head's gradient is scaled by its weight, each head runs backward, the trunk
    // gets the SUM of the heads' input gradients, dL/dfeat = sum_t w_t dL_t/dfeat, and runs backward from it.
    float weighted = ex_multitask_backward(&m->dfeat, douts, m->trunk, heads, head_loss, w, nheads);
    if (!m->learned) total = weighted;
    optim_step(m->opt);                                                   // move every weight (and s)
    return total;
}

// Scores of a model on the first `count` images of d (evaluation mode, no gradients).
typedef struct {
    double loss[NTASKS];            // mean unweighted loss of each task the model has
    double total;                   // the weighted total, as training minimises it
    double accuracy;                // class accuracy
    double rmse;                    // angle error, root mean square, degrees
} Scores;

// Forward the first `count` images of d in batches and score every head. pred (count) receives the predicted
// classes and pred_angle (count) the predicted angles, each when not NULL and the model has that head.
static Scores evaluate(Model *m, const Dataset *d, const float *angles, int count, int *pred, float *pred_angle) {
    const int batch = 250;
    Scores s = {0};
    Tensor xb = {0};
    int *yb = xmalloc((size_t)batch * sizeof(int)), *idx = xmalloc((size_t)batch * sizeof(int));
    int right = 0;
    double sq = 0.0;
    for (int first = 0; first < count; first += batch) {
        int n = count - first < batch ? count - first : batch;
        for (int i = 0; i < n; i++) idx[i] = first + i;
        dataset_gather(&xb, yb, d, idx, n);
        const Tensor *feat = net_forward(m->trunk, &xb, false);
        for (int t = 0; t < NTASKS; t++) {
            if (!m->head[t]) continue;
            const Tensor *out = net_forward(m->head[t], feat, false);
            s.loss[t] += (double)task_loss(NULL, m, (Task)t, out, &xb, yb, angles ? angles + first : NULL) * n;
            if (t == TASK_CLASS) {
                right += count_right(out, yb);
                if (pred) metrics_argmax(pred + first, out->data, n, K);
            }
            if (t == TASK_ANGLE) {
                for (int i = 0; i < n; i++) {
                    double e = out->data[i] - angles[first + i];
                    sq += e * e;
                    if (pred_angle) pred_angle[first + i] = out->data[i];
                }
            }
        }
    }
    int i = 0;                                                            // index of head t among the model's heads
    for (int t = 0; t < NTASKS; t++) {
        if (!m->head[t]) continue;
        s.loss[t] /= count;
        s.total += m->weight[t] * s.loss[t];                             // the total as training sees it:
        if (m->learned) s.total += m->log_var.value[i];                  // sum_t w_t L_t (+ s_t when learned)
        i++;
    }
    s.accuracy = (double)right / count;
    s.rmse = sqrt(sq / count);
    tensor_free(&xb);
    free(yb);
    free(idx);
    return s;
}

// Train m for `epochs` on (train, train_angles), scoring the first val_count images of (val, val_angles) after
// every epoch into m->hist. Returns false (after one batch, which tells) when an exercise the training needs is
// not done yet; the model is then marked untrained and every later step skips it.
static bool model_train(Model *m, const Dataset *train, const float *train_angles, const Dataset *val,
                        const float *val_angles, int val_count, int epochs, int batch) {
    history_init(&m->hist, epochs);
    Batcher batcher;
    batcher_init(&batcher, train->count, batch, true);
    int nb = batcher_num_batches(&batcher), trace_every = nb / 10 > 0 ? nb / 10 : 1;
    if (m->learned) {
        int cap = epochs * (nb / trace_every + 1) + 1;
        m->trace_x = xcalloc((size_t)cap, sizeof(float));
        for (int t = 0; t < NTASKS; t++) {
            if (!m->head[t]) continue;
            m->trace_w[t] = xcalloc((size_t)cap, sizeof(float));
            m->trace_w[t][0] = m->weight[t];                               // where they start: exp(-0) = 1
        }
        m->ntrace = 1;
    }
    Tensor xb = {0};
    int *yb = xmalloc((size_t)batch * sizeof(int));
    float *ab = xmalloc((size_t)batch * sizeof(float));
    double t0 = clock_seconds();
    bool ok = true;
    for (int epoch = 0; epoch < epochs && ok; epoch++) {
        char label[80];
        snprintf(label, sizeof label, "%s %d/%d", m->name, epoch + 1, epochs);
        Progress bar;
        progress_begin(&bar, label, train->count);
        batcher_start_epoch(&batcher, &m->rng[NTASKS + 1]);
        double sum[NTASKS] = {0};
        long right = 0;
        const int *idx;
        int count;
        for (int b = 0; (count = batcher_next(&batcher, &idx)) > 0; b++) {
            dataset_gather(&xb, yb, train, idx, count);                     // xb (count, 1, 28, 28), yb (count)
            if (train_angles) for (int i = 0; i < count; i++) ab[i] = train_angles[idx[i]];
            float loss[NTASKS] = {0};
            int r = 0;
            float total = train_batch(m, &xb, yb, ab, loss, &r);
            // The glue is exercise 2.1 (and the learned weights 2.3): without them there is nothing to train.
            if (exercise_pending("2.1") || (m->learned && exercise_pending("2.3"))) { ok = false; break; }
            loss_check_finite(total, m->name, epoch + 1, b + 1);
            for (int t = 0; t < NTASKS; t++) sum[t] += (double)loss[t] * count;
            right += r;
            progress_update(&bar, count, total);
            if (m->learned && (b + 1) % trace_every == 0) {
                m->trace_x[m->ntrace] = epoch + (float)(b + 1) / nb;
                for (int t = 0; t < NTASKS; t++) if (m->head[t]) m->trace_w[t][m->ntrace] = m->weight[t];
                m->ntrace++;
            }
        }
        if (!ok) break;                                                   // (no bar was drawn yet: nothing to close)
        // Training numbers are means over the epoch's batches (as Keras reports them); validation is one pass.
        Scores v = evaluate(m, val, val_angles, val_count, NULL, NULL);
        History *h = &m->hist;
        char extra[256];
        int len = 0;
        for (int t = 0; t < NTASKS; t++) {
            if (!m->head[t]) continue;
            h->loss[0][t][epoch] = (float)(sum[t] / train->count);
            h->loss[1][t][epoch] = (float)v.loss[t];
            len += snprintf(extra + len, sizeof extra - len, "%s %.4g/%.4g  ", TASK_NAMES[t],
                            h->loss[0][t][epoch], h->loss[1][t][epoch]);
        }
        h->loss[1][NTASKS][epoch] = (float)v.total;
        h->acc[0][epoch] = (float)right / train->count;
        h->acc[1][epoch] = (float)v.accuracy;
        if (m->head[TASK_CLASS])
            len += snprintf(extra + len, sizeof extra - len, "acc %.4f/%.4f  ", h->acc[0][epoch], h->acc[1][epoch]);
        if (m->head[TASK_ANGLE]) snprintf(extra + len, sizeof extra - len, "rmse %.2f deg", v.rmse);
        h->loss[0][NTASKS][epoch] = (float)progress_end(&bar, extra);
    }
    m->seconds = clock_seconds() - t0;
    m->trained = ok;
    batcher_free(&batcher);
    tensor_free(&xb);
    free(yb);
    free(ab);
    return ok;
}

// ================================================ figures ===========================================================

static void warn_if(int status, const char *err) {
    if (status != 0) fprintf(stderr, "warning: %s\n", err);
}

// The notebook's loss panels for model m: overall, then one per head; train and validation in each.
static void plot_model_curves(const Model *m, const char *dir) {
    static const char *const ylabels[NTASKS + 1] = {"MSE (degrees^2)", "cross-entropy", "binary cross-entropy",
                                                    "weighted total"};
    PlotSeries series[NTASKS + 1][2];
    PlotPanel panels[NTASKS + 1];
    int np = 0;
    for (int p = -1; p < NTASKS; p++) {                                  // overall first, then each head's own
        int which = p < 0 ? NTASKS : p;
        if (p >= 0 && !m->head[p]) continue;
        series[np][0] = (PlotSeries){.name = "train", .y = m->hist.loss[0][which], .n = m->hist.epochs};
        series[np][1] = (PlotSeries){.name = "validation (test set)", .y = m->hist.loss[1][which], .n = m->hist.epochs};
        panels[np] = (PlotPanel){p < 0 ? "overall" : TASK_NAMES[p], ylabels[which], series[np], 2};
        np++;
    }
    char name[64], title[128], err[512];
    snprintf(name, sizeof name, "curves_%s", m->name);
    snprintf(title, sizeof title, "%s: losses per epoch", m->title);
    warn_if(plot_panels(dir, name, title, "epoch", panels, np, err, sizeof err), err);
}

// Confusion matrix and per-class box plot of angle errors on the test set, for a two-headed model.
static void plot_model_test(const Model *m, const char *dir, const int *labels, const int *pred,
                            const float *angles, const float *pred_angle, int n) {
    char name[64], title[128], err[512];
    int cm[K * K];
    metrics_confusion(cm, labels, pred, n, K);
    snprintf(name, sizeof name, "confusion_%s", m->name);
    snprintf(title, sizeof title, "%s: test-set confusion matrix", m->title);
    warn_if(plot_confusion(dir, name, title, cm, FASHION_MNIST_CLASSES, K, err, sizeof err), err);
    float *e = xmalloc((size_t)n * sizeof(float));
    for (int i = 0; i < n; i++) e[i] = pred_angle[i] - angles[i];       // signed error, degrees
    snprintf(name, sizeof name, "angle_error_%s", m->name);
    snprintf(title, sizeof title, "%s: angle error per class (test set)", m->title);
    warn_if(plot_boxes(dir, name, title, "predicted - true angle (degrees)", e, labels, n, FASHION_MNIST_CLASSES, K,
                       err, sizeof err), err);
    free(e);
}

// The closing table: one row per model, "-" where it has no such head, no row when its training was skipped.
static void print_table_head(void) {
    printf("\n%-28s %15s %17s %9s\n", "model (rotated test set)", "class accuracy", "angle RMSE (deg)", "seconds");
}

static void print_row(const Model *m, const Scores *s) {
    if (!m->trained) return;
    char acc[16] = "-", rmse[16] = "-";
    if (m->head[TASK_CLASS]) snprintf(acc, sizeof acc, "%.4f", s->accuracy);
    if (m->head[TASK_ANGLE]) snprintf(rmse, sizeof rmse, "%.2f", s->rmse);
    printf("%-28s %15s %17s %9.0f\n", m->title, acc, rmse, m->seconds);
}

// ================================================ the program =======================================================

int main(int argc, char **argv) {
    Options opt = {.epochs = 3, .batch = 64, .seed = 42, .out_dir = "figures/chapter02"};
    double labelled = 0, small_epochs = 0;
    const CliExtra extras[] = {
        {"labelled", "N", "labelled images for step 5's small-set comparison (default 2000; --quick 200)", NULL,
         &labelled, 100, 60000},
        {"small-epochs", "N", "epochs of step 5 (default 80; --quick 2; --full 150)", NULL, &small_epochs, 1, 10000},
    };
    const CliSpec spec = {
        .program = "chapter02",
        .title = "Multiple outputs: one trunk, a class head and an angle head on rotated Fashion-MNIST",
        .about = "Rotates every image by a random angle in [-45, 44] degrees and trains one network to predict class\n"
                 "and angle: loss weights [1, 1] and [1, 100], then learned ones; compares with single-task nets; then\n"
                 "uses reconstruction as a helper task on a small labelled set. Default: 3 epochs per model on all\n"
                 "60,000 images, about 2 minutes (5 on a busy machine); --full: the notebook's 20 epochs.",
        .extras = extras,
        .nextras = 2,
    };
    cli_parse(&opt, &spec, argc, argv);
    if (opt.quick && !opt.epochs_set) opt.epochs = 1;
    if (opt.quick && !opt.batch_set) opt.batch = 16;          // a small set: smaller batches give more steps
    if (opt.full && !opt.epochs_set) opt.epochs = 20;
    if (labelled == 0) labelled = opt.quick ? 200 : 2000;
    if (small_epochs == 0) small_epochs = opt.quick ? 2 : opt.full ? 150 : 80;
    double t_start = clock_seconds();
    char err[512], path[1024];
    if (cli_mkdir_p(opt.out_dir, err, sizeof err) != 0) { fprintf(stderr, "chapter02: %s\n", err); return 1; }
    Rng rng;
    rng_seed(&rng, opt.seed);

    // ---- Step 1: data ----
    cli_step(&opt, 1, "rotated Fashion-MNIST",
             "Every image is turned by a random whole angle in [-45, 44] degrees about its centre (bilinear, the\n"
             "canvas grown to hold the corners, then shrunk back to 28x28: exercise 2.2). The network must say both\n"
             "what the item is and how far it was turned. The angles are drawn once, before training.");
    Dataset train, test;
    if (fashion_mnist_load(opt.data_dir, opt.quick ? 800 : 0, opt.quick ? 250 : 0, &train, &test, err,
                           sizeof err) != 0) {
        fprintf(stderr, "chapter02: %s\n", err);
        return 1;
    }
    if (labelled > train.count) labelled = train.count;
    Dataset rtrain = {0}, rtest = {0};
    float *train_angles = xmalloc((size_t)train.count * sizeof(float));
    float *test_angles = xmalloc((size_t)test.count * sizeof(float));
    {
        // Try the rotation on one image first: without exercise 2.2 there is no rotated data set.
        float probe[28 * 28], canvas[64 * 64];
        rotate_item(probe, tensor_sample(&train.x, 0), 28, 28, 30.0f, canvas);
    }
    bool rotated = !exercise_skip_if_pending("2.2", "rotating the images (and so steps 1 to 4)");
    double guess_rmse = 0.0;    // the angle RMSE of a model that learned nothing and always answers the mean angle
    if (rotated) {
        rotate_dataset(&rtrain, train_angles, &train, &rng);
        rotate_dataset(&rtest, test_angles, &test, &rng);
        printf("train x (%d, 1, 28, 28) with %d angles, test x (%d, 1, 28, 28)\n", rtrain.count, rtrain.count,
               rtest.count);
        double mean = 0.0, sq = 0.0;
        for (int i = 0; i < rtrain.count; i++) mean += train_angles[i] / rtrain.count;
        for (int i = 0; i < rtest.count; i++) sq += (test_angles[i] - mean) * (test_angles[i] - mean);
        guess_rmse = sqrt(sq / rtest.count);
        printf("always answering the mean training angle (%.2f) would give a test RMSE of %.2f degrees: the bar\n"
               "every angle head must clear (about 26, the spread of whole angles in [-45, 44])\n", mean, guess_rmse);
        // 40 training items in 4 rows of 10, framed in their class colour, each tile (40, 28) holding the rotated
        // image (28, 28) above its angle written on white (12, 28).
        ImageGrid g;
        image_grid_init(&g, 4, 10, 40, 28, 3);
        float tile[40 * 28];
        for (int i = 0; i < 40; i++) {
            memcpy(tile, tensor_sample(&rtrain.x, i), 28 * 28 * sizeof(float));
            rotate_label_tile(tile + 28 * 28, 12, 28, (int)train_angles[i], true, 2);
            image_grid_put_gray(&g, i / 10, i % 10, tile);
            image_grid_frame(&g, i / 10, i % 10, rtrain.y[i]);
        }
        snprintf(path, sizeof path, "%s/rotated_examples.png", opt.out_dir);
        if (image_grid_write(&g, path, err, sizeof err) != 0) fprintf(stderr, "warning: %s\n", err);
        else printf("wrote %s: 40 rotated training items, each above its angle, framed in its class colour\n", path);
        image_grid_free(&g);
    }

    // ---- Step 2: two heads, two ways of weighing them ----
    cli_step(&opt, 2, "train model 1 (loss weights [1, 1]) and model 2 ([1, 100]), then learned weights",
             "Total loss L = w_angle L_angle + w_class L_class. The angle loss is in degrees squared (~700 at the\n"
             "start, ~10-20 at the end), the cross-entropy below 1: with [1, 1] the angle dominates what the trunk\n"
             "learns; [1, 100] evens them out. Model 3 learns the weights (exercise 2.3). RMSprop, batch 64.\n"
             "Each epoch line: train/validation loss of each head, class accuracy and test angle RMSE.");
    const float w1[NTASKS] = {1.0f, 1.0f, 0.0f}, w100[NTASKS] = {1.0f, 100.0f, 0.0f};
    const unsigned both = (1u << TASK_ANGLE) | (1u << TASK_CLASS);
    Model *two[3] = {model_new("w1", "model 1, weights [1, 1]", both, w1, false, opt.seed),
                     model_new("w100", "model 2, weights [1, 100]", both, w100, false, opt.seed),
                     model_new("learned", "model 3, learned weights", both, w1, true, opt.seed)};
    net_summary(two[0]->trunk, stdout);
    net_summary(two[0]->head[TASK_ANGLE], stdout);
    net_summary(two[0]->head[TASK_CLASS], stdout);
    size_t nparams = model_param_count(two[0]);
    printf("Total params of trunk + both heads: %zu,%03zu (the notebook's model: 43,595)\n", nparams / 1000,
           nparams % 1000);
    if (!rotated) exercise_skip_if_pending("2.2", "training on rotated images");
    // The test set doubles as validation, as in the notebook.
    for (int i = 0; i < 3 && rotated; i++) {
        printf("\n%s\n", two[i]->title);
        if (!model_train(two[i], &rtrain, train_angles, &rtest, test_angles, rtest.count, opt.epochs, opt.batch)) {
            exercise_skip_if_pending("2.1", "training a two-headed model");
            if (i == 2) exercise_skip_if_pending("2.3", "learning the loss weights");
            if (exercise_pending("2.1")) break;
        }
    }
    if (two[2]->trained) {
        printf("learned weights after training: w_angle = exp(-s_angle) = %.4g, w_class = exp(-s_class) = %.4g, "
               "ratio class/angle %.1f (model 2 uses 100)\n", two[2]->weight[TASK_ANGLE], two[2]->weight[TASK_CLASS],
               two[2]->weight[TASK_CLASS] / two[2]->weight[TASK_ANGLE]);
    }

    // ---- Step 3: what each model learned ----
    cli_step(&opt, 3, "evaluate models 1, 2 and 3 on the test set",
             "For each: a confusion matrix (which classes it mixes up), the angle error per class as box plots\n"
             "(which classes are hard to orient: symmetric ones like bags and trousers), and the loss panels.");
    Scores score2[3];
    memset(score2, 0, sizeof score2);
    int *pred = xmalloc((size_t)test.count * sizeof(int));
    float *pred_angle = xmalloc((size_t)test.count * sizeof(float));
    if (!two[0]->trained && !two[1]->trained && !two[2]->trained) printf("(skipped: step 2 trained no model)\n");
    for (int i = 0; i < 3; i++) {
        Model *m = two[i];
        if (!m->trained) continue;
        score2[i] = evaluate(m, &rtest, test_angles, rtest.count, pred, pred_angle);
        printf("\n%s: class accuracy %.4f, angle RMSE %.2f degrees\n", m->title, score2[i].accuracy, score2[i].rmse);
        int cm[K * K];
        metrics_confusion(cm, rtest.y, pred, rtest.count, K);
        metrics_print_confusion(stdout, cm, K, FASHION_MNIST_CLASSES);
        plot_model_test(m, opt.out_dir, rtest.y, pred, test_angles, pred_angle, rtest.count);
        plot_model_curves(m, opt.out_dir);
    }
    if (two[2]->trained && two[2]->ntrace > 0) {
        // How the learned weights moved: each w_t = exp(-s_t), and their ratio w_class / w_angle = exp(s_angle -
        // s_class), the number model 1 sets to 1 and model 2 to 100 by hand.
        const Model *m = two[2];
        float *ratio = xmalloc((size_t)m->ntrace * sizeof(float));
        for (int i = 0; i < m->ntrace; i++) ratio[i] = m->trace_w[TASK_CLASS][i] / m->trace_w[TASK_ANGLE][i];
        PlotSeries ws[2] = {{.name = "w_angle = exp(-s_angle)", .x = m->trace_x, .y = m->trace_w[TASK_ANGLE],
                             .n = m->ntrace},
                            {.name = "w_class = exp(-s_class)", .x = m->trace_x, .y = m->trace_w[TASK_CLASS],
                             .n = m->ntrace}};
        PlotSeries rs[1] = {{.name = "learned ratio", .x = m->trace_x, .y = ratio, .n = m->ntrace}};
        PlotPanel panels[2] = {{"the learned weights", "loss weight", ws, 2},
                               {"w_class / w_angle (model 1: 1, model 2: 100)", "ratio", rs, 1}};
        warn_if(plot_panels(opt.out_dir, "learned_weights", "Uncertainty weighting (model 3): the loss weights it "
                            "learned", "epoch", panels, 2, err, sizeof err), err);
        printf("wrote %s/learned_weights (.gp, .dat, .png)\n", opt.out_dir);
        free(ratio);
    }
    if (two[0]->trained) printf("wrote %s/{confusion,angle_error,curves}_{w1,w100,learned} (.gp, .dat, .png)\n",
                                opt.out_dir);

    // ---- Step 4: does one task help the other? ----
    cli_step(&opt, 4, "single-task baselines with the same trunk and budget",
             "The same trunk with only the class head, and with only the angle head, trained for the same epochs.\n"
             "If sharing helps, the two-headed models beat them at their own task; if the tasks compete for the\n"
             "trunk's 288 features, the single-task nets win.");
    const float w_one[NTASKS] = {1.0f, 1.0f, 1.0f};
    Model *single[2] = {model_new("class_only", "class head only", 1u << TASK_CLASS, w_one, false, opt.seed),
                        model_new("angle_only", "angle head only", 1u << TASK_ANGLE, w_one, false, opt.seed)};
    if (!rotated) exercise_skip_if_pending("2.2", "training on rotated images");
    Scores score1[2];
    memset(score1, 0, sizeof score1);
    for (int i = 0; i < 2 && rotated; i++) {
        printf("\n%s\n", single[i]->title);
        if (!model_train(single[i], &rtrain, train_angles, &rtest, test_angles, rtest.count, opt.epochs,
                         opt.batch)) {
            exercise_skip_if_pending("2.1", "training the single-task nets");
            break;
        }
        score1[i] = evaluate(single[i], &rtest, test_angles, rtest.count, NULL, NULL);
    }
    if (single[0]->trained && single[1]->trained && two[0]->trained) {
        print_table_head();
        for (int i = 0; i < 3; i++) print_row(two[i], &score2[i]);
        for (int i = 0; i < 2; i++) print_row(single[i], &score1[i]);
        printf("%-28s %15s %17.2f\n", "always the mean angle", "-", guess_rmse);
        // Two bar charts: every model that has a class head, every model that has an angle head.
        const char *acc_labels[4], *rmse_labels[4];
        float acc[4], rmse[4];
        int na = 0, nr = 0;
        const char *short_names[3] = {"[1, 1]", "[1, 100]", "learned"};
        for (int i = 0; i < 3; i++) {
            if (!two[i]->trained) continue;
            acc_labels[na] = short_names[i];
            acc[na++] = (float)score2[i].accuracy;
            rmse_labels[nr] = short_names[i];
            rmse[nr++] = (float)score2[i].rmse;
        }
        acc_labels[na] = "class only";
        acc[na++] = (float)score1[0].accuracy;
        rmse_labels[nr] = "angle only";
        rmse[nr++] = (float)score1[1].rmse;
        warn_if(plot_bars(opt.out_dir, "compare_accuracy", "Class accuracy on the rotated test set", "accuracy",
                          acc_labels, acc, na, err, sizeof err), err);
        warn_if(plot_bars(opt.out_dir, "compare_rmse", "Angle error on the rotated test set", "RMSE (degrees)",
                          rmse_labels, rmse, nr, err, sizeof err), err);
        printf("wrote %s/compare_{accuracy,rmse} (.gp, .dat, .png)\n", opt.out_dir);
    }

    // ---- Step 5: a task that needs no labels ----
    cli_step(&opt, 5, "reconstruction as a helper task on a small labelled set",
             "A helper task can simply be an autoencoder: a decoder head rebuilds the input from the trunk's\n"
             "features, so the trunk must keep what describes the whole image, not only what separates the\n"
             "labels it has seen. Plain (unrotated) images; only the first few thousand have labels. Both nets\n"
             "train on the same small set; the gap between train and validation accuracy measures overfitting.");
    // L = L_class + 10 L_reconstruction. The reconstruction loss is a mean over 784 pixels that settles near 0.3
    // while the cross-entropy keeps falling towards 0: with weight 1 the decoder hardly moves the trunk (the two
    // models' curves nearly coincide); with 10 the trunk has to serve both heads.
    const float w_ae[NTASKS] = {0.0f, 1.0f, 10.0f};
    Model *small[2] = {model_new("small_class", "class only", 1u << TASK_CLASS, w_ae, false, opt.seed),
                       model_new("small_ae", "class + reconstruction", (1u << TASK_CLASS) | (1u << TASK_RECON), w_ae,
                                 false, opt.seed)};
    Dataset few;
    dataset_split(&few, NULL, &train, (int)labelled);
    // Per-epoch validation curves on the first 2,000 test images (cheaper); the final numbers on the whole test set.
    int val_count = test.count < 2000 ? test.count : 2000;
    Scores score_small[2];
    memset(score_small, 0, sizeof score_small);
    printf("labelled set: %d images; validation curves on the first %d test images\n", few.count, val_count);
    for (int i = 0; i < 2; i++) {
        printf("\n%s\n", small[i]->title);
        if (!model_train(small[i], &few, NULL, &test, NULL, val_count, (int)small_epochs, opt.batch)) {
            exercise_skip_if_pending("2.1", "training on the small set");
            break;
        }
        score_small[i] = evaluate(small[i], &test, NULL, test.count, NULL, NULL);
    }
    if (small[0]->trained && small[1]->trained) {
        int ne = small[0]->hist.epochs;
        float *gap[2];
        PlotSeries acc_s[2][2], gap_s[2], loss_s[2];
        for (int i = 0; i < 2; i++) {
            gap[i] = xmalloc((size_t)ne * sizeof(float));
            for (int e = 0; e < ne; e++) gap[i][e] = small[i]->hist.acc[0][e] - small[i]->hist.acc[1][e];
            acc_s[i][0] = (PlotSeries){.name = "train", .y = small[i]->hist.acc[0], .n = ne};
            acc_s[i][1] = (PlotSeries){.name = "validation (test set)", .y = small[i]->hist.acc[1], .n = ne};
            gap_s[i] = (PlotSeries){.name = small[i]->title, .y = gap[i], .n = ne};
            loss_s[i] = (PlotSeries){.name = small[i]->title, .y = small[i]->hist.loss[1][TASK_CLASS], .n = ne};
        }
        // Overfitting shows as a growing gap between train and validation accuracy, and as a validation
        // cross-entropy that turns upwards while the training one keeps falling.
        PlotPanel panels[4] = {{"class only: accuracy", "accuracy", acc_s[0], 2},
                               {"class + reconstruction: accuracy", "accuracy", acc_s[1], 2},
                               {"train - validation accuracy", "accuracy gap", gap_s, 2},
                               {"validation cross-entropy", "cross-entropy", loss_s, 2}};
        char title[128];
        snprintf(title, sizeof title, "%d labelled images: class only vs class + reconstruction", few.count);
        warn_if(plot_panels(opt.out_dir, "small_set_curves", title, "epoch", panels, 4, err, sizeof err), err);
        free(gap[0]);
        free(gap[1]);
        for (int i = 0; i < 2; i++)
            printf("%-24s train accuracy %.4f  test accuracy %.4f  gap %.4f\n", small[i]->title,
                   small[i]->hist.acc[0][ne - 1], score_small[i].accuracy,
                   small[i]->hist.acc[0][ne - 1] - score_small[i].accuracy);

        // What the decoder head makes of 10 test images: originals on top, reconstructions below.
        Tensor xb = {0};
        int idx[10], yb[10];
        for (int i = 0; i < 10; i++) idx[i] = i;
        dataset_gather(&xb, yb, &test, idx, 10);
        const Tensor *feat = net_forward(small[1]->trunk, &xb, false);
        const Tensor *logits = net_forward(small[1]->head[TASK_RECON], feat, false);    // (10, 1, 28, 28)
        float img[28 * 28];
        ImageGrid g;
        image_grid_init(&g, 2, 10, 28, 28, 3);
        for (int i = 0; i < 10; i++) {
            for (int p = 0; p < 28 * 28; p++) img[p] = sigmoidf(tensor_sample(logits, i)[p]);
            image_grid_put_gray(&g, 0, i, tensor_sample(&xb, i));
            image_grid_put_gray(&g, 1, i, img);
            image_grid_frame(&g, 0, i, yb[i]);
        }
        snprintf(path, sizeof path, "%s/small_set_reconstructions.png", opt.out_dir);
        if (image_grid_write(&g, path, err, sizeof err) != 0) fprintf(stderr, "warning: %s\n", err);
        image_grid_free(&g);
        tensor_free(&xb);
        printf("wrote %s/small_set_curves (.gp, .dat, .png) and small_set_reconstructions.png\n", opt.out_dir);
    }

    // ---- Step 6: results ----
    cli_step(&opt, 6, "results",
             "Accuracies are fractions of the (rotated) test set, angle errors root mean squares in degrees.");
    print_table_head();
    for (int i = 0; i < 3; i++) print_row(two[i], &score2[i]);
    for (int i = 0; i < 2; i++) print_row(single[i], &score1[i]);
    if (rotated) printf("%-28s %15s %17.2f\n", "always the mean angle", "-", guess_rmse);
    if (small[0]->trained) {
        printf("\n%-28s %15s %17s %9s\n", "small set (plain images)", "train accuracy", "test accuracy", "gap");
        for (int i = 0; i < 2; i++) {
            if (!small[i]->trained) continue;
            float train_acc = small[i]->hist.acc[0][small[i]->hist.epochs - 1];
            printf("%-28s %15.4f %17.4f %9.4f\n", small[i]->title, train_acc, score_small[i].accuracy,
                   train_acc - score_small[i].accuracy);
        }
    }
    printf("\n");
    const struct { const char *key; bool have; double value; } results[] = {
        {"class_accuracy_w1", two[0]->trained, score2[0].accuracy},
        {"angle_rmse_w1", two[0]->trained, score2[0].rmse},
        {"class_accuracy_w100", two[1]->trained, score2[1].accuracy},
        {"angle_rmse_w100", two[1]->trained, score2[1].rmse},
        {"class_accuracy_learned", two[2]->trained, score2[2].accuracy},
        {"angle_rmse_learned", two[2]->trained, score2[2].rmse},
        {"class_accuracy_class_only", single[0]->trained, score1[0].accuracy},
        {"angle_rmse_angle_only", single[1]->trained, score1[1].rmse},
        {"val_accuracy_small_with_ae", small[1]->trained, score_small[1].accuracy},
        {"val_accuracy_small_class_only", small[0]->trained, score_small[0].accuracy},
        {"angle_rmse_guess_mean", rotated, guess_rmse},
    };
    for (size_t i = 0; i < sizeof results / sizeof results[0]; i++) {
        if (results[i].have) cli_result(results[i].key, results[i].value);
        else printf("(no %s: its step was skipped)\n", results[i].key);
    }
    cli_result("seconds", clock_seconds() - t_start);

    for (int i = 0; i < 3; i++) model_free(two[i]);
    for (int i = 0; i < 2; i++) { model_free(single[i]); model_free(small[i]); }
    free(pred);
    free(pred_angle);
    free(train_angles);
    free(test_angles);
    dataset_free(&few);
    dataset_free(&rtrain);
    dataset_free(&rtest);
    dataset_free(&train);
    dataset_free(&test);
    return 0;
}
