// Chapter 04: the variational autoencoder: sampling, the KL term, a latent map, and new images.
//
// What this chapter teaches
//   An autoencoder squeezes each image into a code and back, but nothing tells it where in code space to put the
//   codes: pick a random code and the decoder may well draw nothing you have seen. A variational autoencoder
//   (Kingma and Welling, "Auto-Encoding Variational Bayes", 2013) changes three things:
//     1. the encoder gives, per image, a Gaussian over codes instead of one code: a mean mu and a log-variance
//        logvar = log sigma^2 for each of the Z = 2 latent dimensions;
//     2. training decodes a code *sampled* from that Gaussian, written z = mu + exp(logvar/2) * eps with
//        eps ~ N(0, I) so that the gradient can flow back to mu and logvar (the reparameterisation trick);
//     3. the loss adds to the reconstruction error the KL divergence of each image's Gaussian from the prior
//        N(0, I), which packs all codes into the unit disc around the origin, with no gaps between them.
//   Then every z drawn from N(0, I) decodes to something like clothing, and the 2-d code plane can be drawn as a
//   map. The model is not a straight line of layers, so it is written here as two nets and the glue between them.
//
//   Keras (the lecture notebook, after the Keras VAE example)     here
//     inputs = Input(shape=(784,))                                  x (N, 1, 28, 28), Flatten inside the encoder
//     h = Dense(512, activation='relu')(inputs)                     encoder: Dense512 relu
//     z_mean = Dense(2)(h); z_log_var = Dense(2)(h)                   -> Dense(2Z): [mu | logvar], split in two
//     z = Lambda(sampling)([z_mean, z_log_var])                     ex_sample_forward (exercise 4.1)
//     decoder: Dense(512, 'relu') -> Dense(784, 'sigmoid')          decoder net
//     reconstruction_loss = mse(inputs, outputs) * 784              recon_loss(): 784 * MSE
//     kl_loss = -0.5 * K.sum(1 + z_log_var - K.square(z_mean)       ex_kl_term (exercise 4.2)
//                            - K.exp(z_log_var), axis=-1)
//     vae.compile(optimizer='adam'); vae.fit(x_train, epochs=50,    train_model(): the loop, written out
//             batch_size=128, validation_data=(x_test, None))
//   The notebook suggests trying Fashion-MNIST: that is the default here (MNIST's files work with --data DIR).
//   Step 5 trains the convolutional VAE of the Keras example as well, step 6 a plain autoencoder with the same
//   layers and no sampling or KL (what the KL term buys), step 7 the beta-VAE (how much KL: exercise 4.3).
//
// How to run
//   make chapter04 && ./chapter04      about 3 minutes on 2 cores; figures in figures/chapter04/
//   ./chapter04 --quick                a few seconds, on 256 training images (what the tests run)
//   ./chapter04 --full                 the notebook's 50 epochs (the conv VAE: the Keras example's 30); ~22 minutes
//   ./chapter04 --help                 every flag
//
// What it leaves out on purpose
//   More than one sampled z per image (the notebook draws one; more would lower the gradient's noise, not change
//   its mean), a learnt decoder variance (784 * MSE is the negative log-likelihood of a Gaussian decoder with fixed
//   variance 1/2, up to a constant), and importance-weighted bounds. The Keras example also trains on the test
//   images; here they stay out of training and serve as validation, as in the notebook.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "data.h"
#include "exercise.h"
#include "exercises.h"
#include "image.h"
#include "latent_figures.h"
#include "layers.h"
#include "loss.h"
#include "optim.h"
#include "plot.h"
#include "progress.h"

#define Z 2         // latent dimensions (the notebook's latent_dim = 2: a code space we can draw)
#define K 10        // classes, only for colouring the latent maps: a VAE never sees a label
#define EVAL_BATCH 250
// --quick: so few images that even a sanitizer build (whose GEMM is ~100x slower) gets through in under a minute;
// batches of 32 so that 256 images still make 8 steps. The conv VAE, ~8x costlier per image, gets the first 128.
#define QUICK_TRAIN 256
#define QUICK_TRAIN_CONV 128
#define QUICK_TEST 100
#define QUICK_BATCH 32

// ================================================ The model =========================================================
//
// Every model of this chapter is an encoder net, a latent step, and a decoder net:
//
//   x (N,1,28,28) --encoder--> h (N, 2Z) --split--> mu (N, Z)      logvar (N, Z)
//                                                      \            /
//                         eps ~ N(0, I) (N, Z) ---> z = mu + exp(logvar/2) * eps     (N, Z)   exercise 4.1
//                                                          |
//                          x_hat (N,1,28,28) <--decoder----+
//
//   loss = reconstruction(x_hat, x) + beta * KL(N(mu, sigma^2) || N(0, I))                    exercise 4.2 (4.3)
//
// The plain autoencoder of step 6 is the same picture without the middle: its encoder gives h (N, Z), which is z
// itself, and its loss is the reconstruction alone.

typedef enum {
    RECON_MSE,      // decoder ends in a sigmoid; recon = 784 * MSE (the notebook's dense VAE)
    RECON_BCE,      // decoder ends in logits; recon = 784 * binary cross-entropy (the Keras example's conv VAE)
} ReconKind;

typedef struct {
    char name[32];          // "dense VAE", for messages and the closing table
    Net *encoder;           // x (N, 1, 28, 28) -> h (N, 2Z) = [mu | logvar] per row; plain AE: h = z (N, Z)
    Net *decoder;           // z (N, Z) -> (N, 1, 28, 28): pixels (RECON_MSE) or logits (RECON_BCE)
    ReconKind recon;
    bool variational;       // false: the plain autoencoder (no sampling, no KL)
    float beta;             // weight of the KL term: 1 for a VAE, other values for the beta-VAEs of step 7
    Optimizer *adam;        // Adam over the parameters of both nets
    // the latent step's tensors for one batch, all (N, Z, 1, 1) except dh
    Tensor mu, logvar, eps, z;
    Tensor dmu, dlogvar;    // dL/dmu, dL/dlogvar
    Tensor dh;              // dL/dh (N, 2Z): what the encoder's backward pass starts from
    Tensor dout;            // dL/d(decoder output) (N, 1, 28, 28)
} Model;

// The loss of a batch (or a mean over a data set), term by term, per image. total = recon + beta * kl.
typedef struct {
    double total, recon, kl;
} LossTerms;

// The lecture notebook's dense VAE: 807,700 parameters. Its two Dense(2) heads, z_mean and z_log_var, are one
// Dense(2Z) here: the same numbers (its kernel's first Z columns are z_mean's, the last Z z_log_var's), and one
// layer less to glue. variational = false gives the plain autoencoder of step 6: a Dense(Z) code, no sampling.
static void build_dense(Model *m, const char *name, bool variational, float beta, Rng *rng) {
    memset(m, 0, sizeof *m);
    snprintf(m->name, sizeof m->name, "%s", name);
    m->recon = RECON_MSE;
    m->variational = variational;
    m->beta = beta;
    m->encoder = net_new("encoder", 1, 28, 28, rng);
    net_add(m->encoder, flatten_new());                          // (N, 784)
    net_add(m->encoder, dense_new(512));                         // (N, 512)
    net_add(m->encoder, relu_new());
    net_add(m->encoder, dense_new(variational ? 2 * Z : Z));     // (N, 2Z) = [z_mean | z_log_var], or (N, Z)
    m->decoder = net_new("decoder", Z, 1, 1, rng);               // z (N, Z)
    net_add(m->decoder, dense_new(512));                         // (N, 512)
    net_add(m->decoder, relu_new());
    net_add(m->decoder, dense_new(784));                         // (N, 784)
    net_add(m->decoder, sigmoid_new());                          // pixels in (0, 1)
    net_add(m->decoder, reshape_new(1, 28, 28));                 // (N, 1, 28, 28), shaped like x
    m->decoder->input_grad = true;                               // backward must give dL/dz: it goes on to mu
}

// The Keras example's convolutional VAE (69,076 + 65,089 parameters). Its decoder ends in logits: the sigmoid is
// part of the binary cross-entropy (loss_bce_logits), which is stabler than log(sigmoid(.)).
static void build_conv(Model *m, const char *name, Rng *rng) {
    memset(m, 0, sizeof *m);
    snprintf(m->name, sizeof m->name, "%s", name);
    m->recon = RECON_BCE;
    m->variational = true;
    m->beta = 1.0f;
    m->encoder = net_new("conv_encoder", 1, 28, 28, rng);
    net_add(m->encoder, conv2d_new(32, 3, 2, PAD_SAME));                 // (N, 32, 14, 14)
    net_add(m->encoder, relu_new());
    net_add(m->encoder, conv2d_new(64, 3, 2, PAD_SAME));                 // (N, 64, 7, 7)
    net_add(m->encoder, relu_new());
    net_add(m->encoder, flatten_new());                                  // (N, 3136)
    net_add(m->encoder, dense_new(16));                                  // (N, 16)
    net_add(m->encoder, relu_new());
    net_add(m->encoder, dense_new(2 * Z));                               // (N, 2Z) = [z_mean | z_log_var]
    m->decoder = net_new("conv_decoder", Z, 1, 1, rng);                  // z (N, Z)
    net_add(m->decoder, dense_new(7 * 7 * 64));                          // (N, 3136)
    net_add(m->decoder, relu_new());
    net_add(m->decoder, reshape_new(64, 7, 7));                          // (N, 64, 7, 7)
    net_add(m->decoder, conv2d_transpose_new(64, 3, 2, PAD_SAME));       // (N, 64, 14, 14)
    net_add(m->decoder, relu_new());
    net_add(m->decoder, conv2d_transpose_new(32, 3, 2, PAD_SAME));       // (N, 32, 28, 28)
    net_add(m->decoder, relu_new());
    net_add(m->decoder, conv2d_transpose_new(1, 3, 1, PAD_SAME));        // (N, 1, 28, 28) logits
    m->decoder->input_grad = true;
}

// Adam over both nets' parameters, Keras's defaults (lr 1e-3).
static void model_make_optimizer(Model *m) {
    ParamList pl = {0};
    params_add_net(&pl, m->encoder);
    params_add_net(&pl, m->decoder);
    m->adam = optim_adam_new(pl, 1e-3f);
}

static size_t model_params(const Model *m) { return net_param_count(m->encoder) + net_param_count(m->decoder); }

// n with thousands separated by commas, as Keras's summaries print counts: "807,700". buf: at least 32 bytes.
static const char *with_commas(char *buf, size_t n) {
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%zu", n), o = 0;
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0) buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

static void model_free(Model *m) {
    if (!m->encoder) return;
    net_free(m->encoder);
    net_free(m->decoder);
    if (m->adam) optim_free(m->adam);
    Tensor *ts[] = {&m->mu, &m->logvar, &m->eps, &m->z, &m->dmu, &m->dlogvar, &m->dh, &m->dout};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) tensor_free(ts[i]);
    memset(m, 0, sizeof *m);
}

// ---- the latent step ----

// h (N, 2Z) -> mu (N, Z), logvar (N, Z). Each row of h holds the mean first, then the log-variance:
//
//   h row n:   [ mu_0  mu_1 | logvar_0  logvar_1 ]
static void latent_split(Tensor *mu, Tensor *logvar, const Tensor *h) {
    int N = h->n;
    tensor_resize(mu, N, Z, 1, 1);
    tensor_resize(logvar, N, Z, 1, 1);
    for (int n = 0; n < N; n++)
        for (int j = 0; j < Z; j++) {
            mu->data[n * Z + j] = h->data[n * 2 * Z + j];
            logvar->data[n * Z + j] = h->data[n * 2 * Z + Z + j];
        }
}

// The backward pass of latent_split: the two gradients side by side again, dh (N, 2Z) = [dmu | dlogvar].
static void latent_merge(Tensor *dh, const Tensor *dmu, const Tensor *dlogvar) {
    int N = dmu->n;
    tensor_resize(dh, N, 2 * Z, 1, 1);
    for (int n = 0; n < N; n++)
        for (int j = 0; j < Z; j++) {
            dh->data[n * 2 * Z + j] = dmu->data[n * Z + j];
            dh->data[n * 2 * Z + Z + j] = dlogvar->data[n * Z + j];
        }
}

// From the encoder's output h to the code m->z (N, Z) the decoder reads. A VAE samples z = mu + sigma * eps with
// fresh eps ~ N(0, I) from rng, or takes z = mu when rng is NULL (the most likely code: for pictures and for the
// plain reconstruction error). The plain autoencoder's h is already z.
static void latent_forward(Model *m, const Tensor *h, Rng *rng) {
    int N = h->n;
    tensor_resize(&m->z, N, Z, 1, 1);
    if (!m->variational) {
        memcpy(m->z.data, h->data, (size_t)N * Z * sizeof(float));
        return;
    }
    latent_split(&m->mu, &m->logvar, h);                                     // mu, logvar (N, Z)
    tensor_resize(&m->eps, N, Z, 1, 1);
    for (size_t i = 0; i < (size_t)N * Z; i++) m->eps.data[i] = rng ? rng_normal(rng) : 0.0f;   // eps (N, Z)
    ex_sample_forward(m->z.data, m->mu.data, m->logvar.data, m->eps.data, N, Z);  // z = mu + exp(logvar/2) eps
}

// ---- the loss ----

// The reconstruction term, per image: summed over its 784 pixels (so that it weighs against the KL term, which is
// summed over the Z dimensions), then averaged over the batch, as the Keras examples write it:
//   RECON_MSE:  L = 1/N sum_n sum_d (x_hat - x)^2    = 784 * loss_mse          dL/dx_hat = 784 * dmse
//   RECON_BCE:  L = 1/N sum_n sum_d bce(x_hat, x)    = 784 * loss_bce_logits   dL/dlogit = 784 * dbce
// Writes dL/d(decoder output) into dout when it is not NULL.
static float recon_loss(Tensor *dout, const Tensor *out, const Tensor *x, ReconKind kind) {
    float D = (float)tensor_sample_size(x);                   // 784
    float mean = kind == RECON_MSE ? loss_mse(dout, out, x) : loss_bce_logits(dout, out, x);
    if (dout)
        for (size_t i = 0; i < tensor_size(dout); i++) dout->data[i] *= D;
    return D * mean;
}

// ---- one training step: the glue ----

// Forward, loss, backward and one Adam update on the batch xb (N, 1, 28, 28). Returns the batch's loss terms.
static LossTerms model_train_step(Model *m, const Tensor *xb, Rng *rng) {
    int N = xb->n;
    LossTerms t = {0};

    // -- forward: encoder, latent step, decoder --
    const Tensor *h = net_forward(m->encoder, xb, true);              // (N, 2Z): [mu | logvar] per row
    latent_forward(m, h, rng);                                        // z = mu + exp(logvar/2) eps   (N, Z)
    const Tensor *out = net_forward(m->decoder, &m->z, true);         // x_hat or its logits (N, 1, 28, 28)
    t.recon = recon_loss(&m->dout, out, xb, m->recon);                // and dL/dout into m->dout

    // -- backward, in the reverse order --
    net_zero_grad(m->encoder);
    net_zero_grad(m->decoder);
    // 1. Through the decoder. Its input was z, so with decoder->input_grad set it hands back dL/dz (N, Z): how the
    //    reconstruction error changes as each code moves.
    const Tensor *dz = net_backward(m->decoder, &m->dout);
    const Tensor *dh = dz;                                            // the plain autoencoder: h is z
    if (m->variational) {
        // 2. Through the sampling step (forward: z = mu + exp(logvar/2) * eps, eps held fixed):
        //      dL/dmu = dz,   dL/dlogvar = dz * eps * exp(logvar/2) / 2        written into dmu, dlogvar
        tensor_resize(&m->dmu, N, Z, 1, 1);
        tensor_resize(&m->dlogvar, N, Z, 1, 1);
        ex_sample_backward(m->dmu.data, m->dlogvar.data, dz->data, m->logvar.data, m->eps.data, N, Z);
        // 3. The KL term depends on mu and logvar directly, not through the decoder, so its gradient joins here:
        //      KL = 1/N sum -1/2 (1 + logvar - mu^2 - exp(logvar))
        //      dKL/dmu = mu / N,   dKL/dlogvar = (exp(logvar) - 1) / (2N)      added into dmu, dlogvar
        //    With beta != 1 the beta-VAE's term beta * KL is added instead (exercise 4.3).
        if (m->beta == 1.0f) {
            t.kl = ex_kl_term(m->dmu.data, m->dlogvar.data, m->mu.data, m->logvar.data, N, Z);
        } else {
            float weighted = ex_beta_kl(m->dmu.data, m->dlogvar.data, m->mu.data, m->logvar.data, N, Z, m->beta);
            t.kl = weighted / m->beta;                                // report KL itself, not beta * KL
        }
        // 4. Through the split (forward: mu, logvar = the two halves of h): the halves side by side again.
        latent_merge(&m->dh, &m->dmu, &m->dlogvar);
        dh = &m->dh;
    }
    // 5. Through the encoder, to its weights (dL/dx is not needed: encoder->input_grad stays false).
    net_backward(m->encoder, dh);
    optim_step(m->adam);

    t.total = t.recon + m->beta * t.kl;
    return t;
}

// ---- evaluation ----

// The loss on a whole data set as Keras's validation reports it: one z sampled per image. eps comes from a
// generator seeded with `seed` at every call, so that the epochs' validation losses are measured on the same noise.
static LossTerms model_evaluate(Model *m, const Dataset *d, uint64_t seed) {
    Rng rng;
    rng_seed(&rng, seed);
    Tensor xb = {0};
    LossTerms sum = {0};
    for (int first = 0; first < d->count; first += EVAL_BATCH) {
        int count = d->count - first < EVAL_BATCH ? d->count - first : EVAL_BATCH;
        tensor_slice(&xb, &d->x, first, count);                               // (count, 1, 28, 28)
        const Tensor *h = net_forward(m->encoder, &xb, false);
        latent_forward(m, h, &rng);
        const Tensor *out = net_forward(m->decoder, &m->z, false);
        sum.recon += (double)recon_loss(NULL, out, &xb, m->recon) * count;
        if (m->variational)
            sum.kl += (double)ex_kl_term(NULL, NULL, m->mu.data, m->logvar.data, count, Z) * count;
    }
    tensor_free(&xb);
    LossTerms mean = {.recon = sum.recon / d->count, .kl = sum.kl / d->count};
    mean.total = mean.recon + m->beta * mean.kl;
    return mean;
}

// The codes of every image of d into codes (count, Z): a VAE's mu, the most likely code of each image (the Keras
// example plots z_mean too); the plain autoencoder's z.
static void model_encode(Model *m, float *codes, const Dataset *d) {
    Tensor xb = {0};
    for (int first = 0; first < d->count; first += EVAL_BATCH) {
        int count = d->count - first < EVAL_BATCH ? d->count - first : EVAL_BATCH;
        tensor_slice(&xb, &d->x, first, count);
        const Tensor *h = net_forward(m->encoder, &xb, false);
        latent_forward(m, h, NULL);                                           // z = mu
        memcpy(codes + (size_t)first * Z, m->z.data, (size_t)count * Z * sizeof(float));
    }
    tensor_free(&xb);
}

// Decode count codes z (count, Z) into images img (count, 784) with pixels in [0, 1].
static void model_decode(Model *m, float *img, const float *z, int count) {
    Tensor zb = {0};
    for (int first = 0; first < count; first += EVAL_BATCH) {
        int n = count - first < EVAL_BATCH ? count - first : EVAL_BATCH;
        tensor_resize(&zb, n, Z, 1, 1);
        memcpy(zb.data, z + (size_t)first * Z, (size_t)n * Z * sizeof(float));
        const Tensor *out = net_forward(m->decoder, &zb, false);             // (n, 1, 28, 28)
        for (size_t i = 0; i < tensor_size(out); i++)
            img[(size_t)first * 784 + i] = m->recon == RECON_BCE ? sigmoidf(out->data[i]) : out->data[i];
    }
    tensor_free(&zb);
}

// Mean squared error per pixel of the reconstructions decode(mu) of d: the same yardstick for every model.
static double model_pixel_mse(Model *m, const Dataset *d) {
    float *codes = xmalloc((size_t)d->count * Z * sizeof(float));
    float *img = xmalloc((size_t)d->count * 784 * sizeof(float));
    model_encode(m, codes, d);
    model_decode(m, img, codes, d->count);
    double sum = 0.0;
    for (size_t i = 0; i < (size_t)d->count * 784; i++) {
        double e = img[i] - d->x.data[i];
        sum += e * e;
    }
    free(codes);
    free(img);
    return sum / ((double)d->count * 784);
}

// ================================================ Training ==========================================================

// Per-epoch curves of one training run, train and validation, term by term, for the loss figures.
typedef struct {
    int epochs;
    float *train[3], *val[3];       // [0] total, [1] reconstruction, [2] KL; (epochs) each
    LossTerms last_val;             // validation loss after the last epoch
    double seconds;                 // training time, evaluation included
} TrainLog;

static void trainlog_free(TrainLog *log) {
    for (int i = 0; i < 3; i++) { free(log->train[i]); free(log->val[i]); }
    memset(log, 0, sizeof *log);
}

// Train m for `epochs` passes over `train` with shuffled mini-batches, measuring the validation loss on `test`
// after each. The progress line shows both terms of the loss, as the notebook's Keras callback does. When
// snapshot_codes is not NULL, it receives the test set's codes (test->count, Z) as they are after epoch
// snapshot_epoch (counted from 1): step 7 compares models at equal training time that way.
static void train_model(Model *m, TrainLog *log, const Dataset *train, const Dataset *test, int epochs, int batch,
                        Rng *rng, uint64_t eval_seed, int snapshot_epoch, float *snapshot_codes) {
    memset(log, 0, sizeof *log);
    log->epochs = epochs;
    for (int i = 0; i < 3; i++) {
        log->train[i] = xcalloc((size_t)epochs, sizeof(float));
        log->val[i] = xcalloc((size_t)epochs, sizeof(float));
    }
    model_make_optimizer(m);
    Batcher batcher;
    batcher_init(&batcher, train->count, batch, true);
    Tensor xb = {0};
    double t0 = clock_seconds();
    for (int epoch = 0; epoch < epochs; epoch++) {
        char label[96];
        snprintf(label, sizeof label, "%s %d/%d", m->name, epoch + 1, epochs);
        Progress bar;
        progress_begin(&bar, label, train->count);
        batcher_start_epoch(&batcher, rng);
        LossTerms sum = {0};
        const int *idx;
        int count;
        for (int b = 0; (count = batcher_next(&batcher, &idx)) > 0; b++) {
            dataset_gather(&xb, NULL, train, idx, count);                       // xb (count, 1, 28, 28)
            LossTerms t = model_train_step(m, &xb, rng);
            loss_check_finite((float)t.total, m->name, epoch + 1, b + 1);
            sum.total += t.total * count;
            sum.recon += t.recon * count;
            sum.kl += t.kl * count;
            progress_update(&bar, count, (float)t.total);
        }
        LossTerms val = model_evaluate(m, test, eval_seed);
        char extra[160];
        if (m->variational)
            snprintf(extra, sizeof extra, " (recon %.2f + KL %.2f)  val_loss %.2f (recon %.2f + KL %.2f)",
                     sum.recon / train->count, sum.kl / train->count, val.total, val.recon, val.kl);
        else
            snprintf(extra, sizeof extra, "  val_loss %.2f", val.total);
        progress_end(&bar, extra);
        log->train[0][epoch] = (float)(sum.total / train->count);
        log->train[1][epoch] = (float)(sum.recon / train->count);
        log->train[2][epoch] = (float)(sum.kl / train->count);
        log->val[0][epoch] = (float)val.total;
        log->val[1][epoch] = (float)val.recon;
        log->val[2][epoch] = (float)val.kl;
        log->last_val = val;
        if (snapshot_codes && epoch + 1 == snapshot_epoch) model_encode(m, snapshot_codes, test);
    }
    log->seconds = clock_seconds() - t0;
    batcher_free(&batcher);
    tensor_free(&xb);
}

// ================================================ Figures ===========================================================

static void warn_if(int rc, const char *err) {
    if (rc != 0) fprintf(stderr, "warning: %s\n", err);
}

// The loss curves of a run in three panels: total, reconstruction, KL; train and validation in each.
static void draw_curves(const TrainLog *log, const Options *opt, const char *name, const char *title,
                        const char *recon_label) {
    char err[512];
    PlotSeries s[3][2];
    for (int i = 0; i < 3; i++) {
        s[i][0] = (PlotSeries){.name = "train", .y = log->train[i], .n = log->epochs};
        s[i][1] = (PlotSeries){.name = "validation (test set)", .y = log->val[i], .n = log->epochs};
    }
    char total_label[64];
    snprintf(total_label, sizeof total_label, "%s + KL", recon_label);
    PlotPanel panels[3] = {{"total loss", total_label, s[0], 2},
                           {"reconstruction", recon_label, s[1], 2},
                           {"KL divergence", "KL (nats per image)", s[2], 2}};
    warn_if(plot_panels(opt->out_dir, name, title, "epoch", panels, 3, err, sizeof err), err);
    printf("wrote %s/%s.png: loss curves, term by term\n", opt->out_dir, name);
}

// The latent map of a model: the test set's codes (mu) as a scatter coloured by class, and the mean code of each
// class. Fills codes (count, Z).
static void draw_latent_scatter(Model *m, float *codes, const Dataset *test, const Options *opt, const char *name,
                                const char *title) {
    char err[512];
    model_encode(m, codes, test);
    warn_if(plot_scatter_classes(opt->out_dir, name, title, codes, test->y, test->count, FASHION_MNIST_CLASSES, K,
                                 err, sizeof err), err);
    printf("wrote %s/%s.png: the test set's codes, coloured by class. Mean code per class:\n", opt->out_dir, name);
    for (int k = 0; k < K; k++) {
        double sx = 0, sy = 0;
        int n = 0;
        for (int i = 0; i < test->count; i++)
            if (test->y[i] == k) { sx += codes[2 * i]; sy += codes[2 * i + 1]; n++; }
        printf("  %-12s (%6.2f, %6.2f)%s", FASHION_MNIST_CLASSES[k], n ? sx / n : 0.0, n ? sy / n : 0.0,
               k % 2 ? "\n" : "   ");
    }
}

// The manifold: decode an n x n grid of codes spanning [-zmax, zmax]^2, as the Keras example's plot_latent_space.
// Row 0 is at the top (z[1] = +zmax), column 0 at the left (z[0] = -zmax).
static void draw_manifold(Model *m, const Options *opt, const char *name, const char *title, int n, float zmax) {
    char err[512];
    float *z = xmalloc((size_t)n * n * Z * sizeof(float));
    float *img = xmalloc((size_t)n * n * 784 * sizeof(float));
    float step = n > 1 ? 2.0f * zmax / (n - 1) : 0.0f;
    for (int r = 0; r < n; r++)
        for (int c = 0; c < n; c++) {
            z[(r * n + c) * Z + 0] = -zmax + c * step;        // z[0] grows to the right
            z[(r * n + c) * Z + 1] = zmax - r * step;         // z[1] grows upwards
        }
    model_decode(m, img, z, n * n);
    warn_if(latent_manifold_figure(opt->out_dir, name, title, img, n, 28, 28, zmax, err, sizeof err), err);
    printf("wrote %s/%s.png: %dx%d decoded codes over [-%g, %g]^2 on z axes (the bare tiles: %s_tiles.png, where\n"
           "  column c has z[0] = %g + c * %.4g and row r, from the top, z[1] = %g - r * %.4g)\n",
           opt->out_dir, name, n, n, zmax, zmax, name, -zmax, step, zmax, step);
    free(z);
    free(img);
}

// New images: the decoder's pictures of `count` codes (count, Z), 10 per row, with a gap after every group_rows
// rows (0: none). The codes drawn from the prior N(0, I) are the same for every model, so that their samples can
// be compared tile by tile.
static void draw_samples(Model *m, const float *codes, int count, int group_rows, const Options *opt,
                         const char *name, const char *what) {
    char err[512], path[1024];
    float *img = xmalloc((size_t)count * 784 * sizeof(float));
    model_decode(m, img, codes, count);
    ImageGrid g;
    image_grid_init(&g, (count + 9) / 10, 10, 28, 28, 2);
    g.group_rows = group_rows;
    for (int i = 0; i < count; i++) image_grid_put_gray(&g, i / 10, i % 10, img + (size_t)i * 784);
    snprintf(path, sizeof path, "%s/%s.png", opt->out_dir, name);
    warn_if(image_grid_write(&g, path, err, sizeof err), err);
    printf("wrote %s: %d images decoded from %s\n", path, count, what);
    image_grid_free(&g);
    free(img);
}

// The first test image of each class (the end points of the walks, and the originals of dense_vs_conv.png); image
// 0 for a class that a small subset (--quick) lacks.
static void first_of_each_class(int *first, const Dataset *test) {
    for (int k = 0; k < K; k++) first[k] = 0;
    for (int i = test->count - 1; i >= 0; i--)
        if (test->y[i] >= 0 && test->y[i] < K) first[test->y[i]] = i;
}

// A walk in latent space: from the code of one test image to another's in 10 equal steps,
//   z(t) = (1 - t) mu_a + t mu_b,   t = 0, 1/9, ..., 1
// one row per pair: the original a (framed in its class colour), the 10 decoded steps, the original b.
static void draw_walk(Model *m, const Dataset *test, const Options *opt, const char *name) {
    static const int PAIRS[][2] = {{0, 1}, {7, 9}, {2, 8}, {3, 5}, {4, 6}};   // T-shirt -> Trouser, Sneaker ->
    const int npairs = 5, steps = 10;                                          // Ankle boot, ... Coat -> Shirt
    char err[512], path[1024];
    int first[K];
    first_of_each_class(first, test);
    Dataset originals;                                      // (K, 1, 28, 28): test image first[k] of each class k
    dataset_subset(&originals, test, first, K);
    float codes[K * Z], z[5 * 10 * Z], img[5 * 10 * 784];
    model_encode(m, codes, &originals);               // their codes mu (K, Z)
    for (int p = 0; p < npairs; p++) {
        const float *a = codes + PAIRS[p][0] * Z, *b = codes + PAIRS[p][1] * Z;
        for (int s = 0; s < steps; s++) {
            float t = (float)s / (steps - 1);
            for (int j = 0; j < Z; j++) z[(p * steps + s) * Z + j] = (1.0f - t) * a[j] + t * b[j];
        }
    }
    model_decode(m, img, z, npairs * steps);
    ImageGrid g;
    image_grid_init(&g, npairs, steps + 2, 28, 28, 2);
    for (int p = 0; p < npairs; p++) {
        image_grid_put_gray(&g, p, 0, tensor_sample(&originals.x, PAIRS[p][0]));
        image_grid_frame(&g, p, 0, PAIRS[p][0]);
        for (int s = 0; s < steps; s++) image_grid_put_gray(&g, p, 1 + s, img + (size_t)(p * steps + s) * 784);
        image_grid_put_gray(&g, p, steps + 1, tensor_sample(&originals.x, PAIRS[p][1]));
        image_grid_frame(&g, p, steps + 1, PAIRS[p][1]);
    }
    snprintf(path, sizeof path, "%s/%s.png", opt->out_dir, name);
    warn_if(image_grid_write(&g, path, err, sizeof err), err);
    printf("wrote %s: walks from one test image's code to another's (originals framed at both ends):\n  ", path);
    for (int p = 0; p < npairs; p++)
        printf("%s -> %s%s", FASHION_MNIST_CLASSES[PAIRS[p][0]], FASHION_MNIST_CLASSES[PAIRS[p][1]],
               p < npairs - 1 ? ", " : "\n");
    image_grid_free(&g);
    dataset_free(&originals);
}

// Steps 3 and 4 for one model: the latent map (scatter and two manifolds) and new images (samples and a walk).
static void draw_latent_figures(Model *m, const char *tag, float *codes, const Dataset *test,
                                const float *prior_codes, int nsamples, int grid_n, const Options *opt) {
    char name[64], title[128];
    snprintf(name, sizeof name, "latent_%s", tag);
    snprintf(title, sizeof title, "%s: the test set's z_mean, by class", m->name);
    draw_latent_scatter(m, codes, test, opt, name, title);
    snprintf(name, sizeof name, "manifold_%s_4", tag);
    snprintf(title, sizeof title, "%s: decoded z over [-4, 4]^2", m->name);
    draw_manifold(m, opt, name, title, grid_n, 4.0f);
    snprintf(name, sizeof name, "manifold_%s_1", tag);
    snprintf(title, sizeof title, "%s: decoded z over [-1, 1]^2", m->name);
    draw_manifold(m, opt, name, title, grid_n, 1.0f);
    snprintf(name, sizeof name, "samples_%s", tag);
    draw_samples(m, prior_codes, nsamples, 0, opt, name, "codes z ~ N(0, I), the same codes as samples_dense.png");
    snprintf(name, sizeof name, "walk_%s", tag);
    draw_walk(m, test, opt, name);
}

// Two models side by side: the first test image of each class (row 0), each model's reconstruction decode(mu) of
// it (rows 1, 2), then the same 10 prior codes through each model's decoder (rows 3, 4).
static void draw_side_by_side(Model *a, Model *b, const Dataset *test, const float *prior_codes,
                              const Options *opt, const char *name) {
    char err[512], path[1024];
    int first[K];
    first_of_each_class(first, test);
    Dataset originals;
    dataset_subset(&originals, test, first, K);
    float codes[K * Z], img[K * 784];
    ImageGrid g;
    image_grid_init(&g, 5, K, 28, 28, 2);
    g.group_rows = 3;                                  // a gap between reconstructions and samples
    for (int k = 0; k < K; k++) {
        image_grid_put_gray(&g, 0, k, tensor_sample(&originals.x, k));
        image_grid_frame(&g, 0, k, k);
    }
    Model *models[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        model_encode(models[i], codes, &originals);
        model_decode(models[i], img, codes, K);
        for (int k = 0; k < K; k++) image_grid_put_gray(&g, 1 + i, k, img + (size_t)k * 784);
        model_decode(models[i], img, prior_codes, K);
        for (int k = 0; k < K; k++) image_grid_put_gray(&g, 3 + i, k, img + (size_t)k * 784);
    }
    snprintf(path, sizeof path, "%s/%s.png", opt->out_dir, name);
    warn_if(image_grid_write(&g, path, err, sizeof err), err);
    printf("wrote %s: test images; their reconstructions by the %s, then the %s; below, the same 10 codes\n"
           "  z ~ N(0, I) decoded by the %s, then the %s\n", path, a->name, b->name, a->name, b->name);
    image_grid_free(&g);
    dataset_free(&originals);
}

// Mean and standard deviation of each latent dimension over n codes (n, Z).
static void code_stats(double mean[Z], double sd[Z], const float *codes, int n) {
    for (int j = 0; j < Z; j++) {
        double s = 0, ss = 0;
        for (int i = 0; i < n; i++) { s += codes[i * Z + j]; ss += (double)codes[i * Z + j] * codes[i * Z + j]; }
        mean[j] = s / n;
        sd[j] = sqrt(fmax(ss / n - mean[j] * mean[j], 0.0));
    }
}

// ================================================ The program =======================================================

// One row of the closing table.
typedef struct {
    const char *model;
    size_t params;
    LossTerms val;
    double pixel_mse;
    double seconds;
    bool variational;
} TableRow;

// true (after saying so) when a VAE cannot be trained yet: it needs the sampling step (4.1) and the KL term (4.2).
static bool vae_skip(const char *what) {
    return exercise_skip_if_pending("4.1", what) || exercise_skip_if_pending("4.2", what);
}

// Call each exercise once on a tiny input, so that an unfinished one announces itself now (exercise.h) and the
// steps that need it can be skipped.
static void probe_exercises(void) {
    float mu[2] = {0.5f, -0.5f}, logvar[2] = {0.1f, -0.1f}, eps[2] = {1.0f, -1.0f}, z[2], dmu[2], dlogvar[2];
    ex_sample_forward(z, mu, logvar, eps, 1, 2);
    ex_sample_backward(dmu, dlogvar, z, logvar, eps, 1, 2);
    ex_kl_term(dmu, dlogvar, mu, logvar, 1, 2);
    ex_beta_kl(dmu, dlogvar, mu, logvar, 1, 2, 2.0f);
}

int main(int argc, char **argv) {
    Options opt = {.epochs = 10, .batch = 128, .seed = 42, .out_dir = "figures/chapter04"};
    const CliSpec spec = {
        .program = "chapter04",
        .title = "The variational autoencoder: sampling, the KL term, a latent map, and new images",
        .about = "Trains the lecture notebook's dense VAE (Dense512 - z in 2-d - Dense512, 784 MSE + KL) on\n"
                 "Fashion-MNIST and draws its latent map, decoded manifolds, samples from the prior and walks in\n"
                 "latent space; then the Keras example's convolutional VAE, a plain 2-d autoencoder for contrast,\n"
                 "and beta-VAEs with beta = 0.1 and 4. Default, on all 60,000 images: 10 epochs for the dense VAE\n"
                 "and the plain autoencoder, 5 for the beta-VAEs, 2 for the conv VAE; about 3 minutes on 2 cores.\n"
                 "--full: the notebook's 50 epochs (25 for the beta-VAEs, the Keras example's 30 for the conv VAE),\n"
                 "about half an hour. --epochs N gives every model N epochs.",
    };
    cli_parse(&opt, &spec, argc, argv);
    if (opt.quick && !opt.batch_set) opt.batch = QUICK_BATCH;
    // Epochs per model. The dense models are cheap (~1.6 MFLOP per image forward); the conv VAE's transposed
    // convolutions cost ~8 times as much per image, so by default it gets fewer passes. The beta-VAEs of step 7
    // are compared with the dense VAE as it was after the same number of epochs, half its schedule by default.
    int epochs_dense = opt.epochs, epochs_conv = 2, epochs_beta = (opt.epochs + 1) / 2;
    if (opt.full) { epochs_dense = 50; epochs_beta = 25; epochs_conv = 30; }
    if (opt.quick) { epochs_dense = epochs_conv = epochs_beta = 1; }
    if (opt.epochs_set) epochs_dense = epochs_conv = epochs_beta = opt.epochs;
    const int grid_n = opt.quick ? 6 : 30;             // manifold tiles per side (the Keras example's 30)
    const int nsamples = opt.quick ? 10 : 100;         // samples from the prior per model
    double t_start = clock_seconds();
    char err[512];
    if (cli_mkdir_p(opt.out_dir, err, sizeof err) != 0) { fprintf(stderr, "chapter04: %s\n", err); return 1; }
    // One generator per model, split off first, so that skipping a model (an unfinished exercise) leaves the
    // others' runs unchanged.
    Rng rng;
    rng_seed(&rng, opt.seed);
    Rng rng_dense = rng_split(&rng), rng_conv = rng_split(&rng), rng_ae = rng_split(&rng);
    Rng rng_beta[2] = {rng_split(&rng), rng_split(&rng)};
    const uint64_t eval_seed = opt.seed + 1;
    float *prior_codes = xmalloc(100 * Z * sizeof(float));        // (100, Z) codes z ~ N(0, I), shared by all models
    {
        Rng prior;
        rng_seed(&prior, opt.seed + 2);
        for (int i = 0; i < 100 * Z; i++) prior_codes[i] = rng_normal(&prior);
    }
    TableRow table[6];
    int nrows = 0;

    // ---- Step 1: data ----
    cli_step(&opt, 1, "load Fashion-MNIST",
             "70,000 grey 28x28 images of clothing; pixels scaled to [0, 1]. The VAE never sees the labels: they\n"
             "only colour the latent maps. The test set is the validation set, as in the notebook.");
    Dataset train, test;
    if (fashion_mnist_load(opt.data_dir, opt.quick ? QUICK_TRAIN : 0, opt.quick ? QUICK_TEST : 0, &train, &test, err,
                           sizeof err) != 0) {
        fprintf(stderr, "chapter04: %s\n", err);
        return 1;
    }
    printf("train x %s, test x (%d, 1, 28, 28)\n", tensor_shape_str(&train.x, err), test.count);
    float *codes = xmalloc((size_t)test.count * Z * sizeof(float));          // (test.count, Z), reused per model
    float *dense_codes_for_beta = xmalloc((size_t)test.count * Z * sizeof(float));  // after epochs_beta epochs

    probe_exercises();
    bool vae_ready = !exercise_pending("4.1") && !exercise_pending("4.2");
    bool beta_ready = vae_ready && !exercise_pending("4.3");

    // ---- Step 2: the dense VAE ----
    cli_step(&opt, 2, "the dense VAE: encoder, sampling, decoder",
             "Two nets and the glue between them (model_train_step): the encoder gives mu and log sigma^2 per\n"
             "image, z = mu + sigma * eps is sampled (exercise 4.1), the decoder draws z, and the loss is\n"
             "784 * MSE + KL (exercise 4.2). Both terms are shown as it trains.");
    Model dense = {0};
    TrainLog dense_log = {0};
    bool have_dense = false;
    if (!vae_skip("training a VAE (steps 2 to 5)")) {
        build_dense(&dense, "dense VAE", true, 1.0f, &rng_dense);
        net_summary(dense.encoder, stdout);
        net_summary(dense.decoder, stdout);
        printf("Total params of the VAE: %s (the notebook's summary: 807,700)\n",
               with_commas(err, model_params(&dense)));
        train_model(&dense, &dense_log, &train, &test, epochs_dense, opt.batch, &rng_dense, eval_seed, epochs_beta,
                    dense_codes_for_beta);
        draw_curves(&dense_log, &opt, "curves_dense", "Dense VAE on Fashion-MNIST", "784 MSE");
        table[nrows++] = (TableRow){"dense VAE", model_params(&dense), dense_log.last_val,
                                    model_pixel_mse(&dense, &test), dense_log.seconds, true};
        have_dense = true;
    }

    // ---- Step 3: the latent map ----
    cli_step(&opt, 3, "the latent map: codes by class, and the decoder's view of the plane",
             "With Z = 2 the codes can be drawn. The KL term keeps them near the origin, roughly N(0, I); similar\n"
             "clothes land near each other without any label. The manifold decodes a grid of codes: over\n"
             "[-4, 4]^2 it shows the whole map, over [-1, 1]^2 the crowded middle, where most codes are.");
    if (have_dense) {
        draw_latent_scatter(&dense, codes, &test, &opt, "latent_dense", "Dense VAE: the test set's z_mean, by class");
        draw_manifold(&dense, &opt, "manifold_dense_4", "Dense VAE: decoded z over [-4, 4]^2", grid_n, 4.0f);
        draw_manifold(&dense, &opt, "manifold_dense_1", "Dense VAE: decoded z over [-1, 1]^2", grid_n, 1.0f);
    } else {
        printf("(skipped: no VAE was trained)\n");
    }

    // ---- Step 4: new images ----
    cli_step(&opt, 4, "make up new images: samples from the prior, a walk in latent space",
             "Any z ~ N(0, I) is a code like the training images' codes, so the decoder turns it into a new image.\n"
             "Walking in a straight line from one image's code to another's morphs one garment into the other.");
    if (have_dense) {
        draw_samples(&dense, prior_codes, nsamples, 0, &opt, "samples_dense", "codes z ~ N(0, I), the prior");
        draw_walk(&dense, &test, &opt, "walk_dense");
    } else {
        printf("(skipped: no VAE was trained)\n");
    }

    // ---- Step 5: the convolutional VAE ----
    cli_step(&opt, 5, "the Keras example's convolutional VAE",
             "Conv32 s2 - Conv64 s2 - Dense16 -> z; Dense 7*7*64 - ConvT64 s2 - ConvT32 s2 - ConvT1, with\n"
             "784 * binary cross-entropy as its reconstruction term. The same glue, other nets; the same figures.");
    Model conv = {0};
    TrainLog conv_log = {0};
    bool have_conv = false;
    if (vae_ready) {
        build_conv(&conv, "conv VAE", &rng_conv);
        net_summary(conv.encoder, stdout);
        net_summary(conv.decoder, stdout);
        printf("Total params of the conv VAE: %s (the Keras example: 69,076 + 65,089 = 134,165)\n",
               with_commas(err, model_params(&conv)));
        Dataset conv_train;                                // all of train, or its first 128 images with --quick
        dataset_split(&conv_train, NULL, &train, opt.quick ? QUICK_TRAIN_CONV : train.count);
        train_model(&conv, &conv_log, &conv_train, &test, epochs_conv, opt.batch, &rng_conv, eval_seed, 0, NULL);
        dataset_free(&conv_train);
        draw_curves(&conv_log, &opt, "curves_conv", "Convolutional VAE on Fashion-MNIST", "784 BCE");
        draw_latent_figures(&conv, "conv", codes, &test, prior_codes, nsamples, grid_n, &opt);
        if (have_dense) draw_side_by_side(&dense, &conv, &test, prior_codes, &opt, "dense_vs_conv");
        table[nrows++] = (TableRow){"conv VAE", model_params(&conv), conv_log.last_val,
                                    model_pixel_mse(&conv, &test), conv_log.seconds, true};
        have_conv = true;
    } else {
        vae_skip("the conv VAE");
    }

    // ---- Step 6: a plain autoencoder with a 2-d code ----
    cli_step(&opt, 6, "for contrast: a plain autoencoder with a 2-d code",
             "The dense VAE's layers without sampling and without the KL term: the loss is 784 * MSE alone.\n"
             "It reconstructs a little better, but nothing keeps its codes near the origin or free of gaps,\n"
             "so random codes decode to blurs and hybrids: that is what the KL term buys.");
    Model ae = {0};
    TrainLog ae_log = {0};
    build_dense(&ae, "plain AE 2-d", false, 1.0f, &rng_ae);
    net_summary(ae.encoder, stdout);
    printf("Total params of the plain autoencoder: %s\n", with_commas(err, model_params(&ae)));
    train_model(&ae, &ae_log, &train, &test, epochs_dense, opt.batch, &rng_ae, eval_seed, 0, NULL);
    double ae_mse = model_pixel_mse(&ae, &test);
    table[nrows++] = (TableRow){"plain AE 2-d", model_params(&ae), ae_log.last_val, ae_mse, ae_log.seconds, false};
    {
        double mean[Z], sd[Z];
        if (have_dense) {                              // the VAE's codes, pulled towards N(0, I) by the KL term
            model_encode(&dense, codes, &test);
            code_stats(mean, sd, codes, test.count);
            printf("the dense VAE's codes: mean (%.2f, %.2f), standard deviation (%.2f, %.2f)\n", mean[0], mean[1],
                   sd[0], sd[1]);
        }
        draw_latent_scatter(&ae, codes, &test, &opt, "latent_ae2d",
                            "Plain autoencoder: the test set's codes, by class");
        code_stats(mean, sd, codes, test.count);
        printf("the plain autoencoder's codes: mean (%.2f, %.2f), standard deviation (%.2f, %.2f)\n", mean[0],
               mean[1], sd[0], sd[1]);
        // "Samples" from the plain autoencoder, half the rows each: (a) the VAEs' own prior codes z ~ N(0, I), (b)
        // codes from a Gaussian fitted to its test codes, the fairest guess at where its codes live.
        int half = nsamples >= 20 ? nsamples / 2 : 10;
        float ae_codes[100 * Z];
        for (int i = 0; i < half; i++)
            for (int j = 0; j < Z; j++) {
                ae_codes[i * Z + j] = prior_codes[i * Z + j];
                ae_codes[(half + i) * Z + j] = (float)(mean[j] + sd[j] * prior_codes[(half + i) * Z + j]);
            }
        char what[160];
        snprintf(what, sizeof what, "random codes: in the top %d row%s z ~ N(0, I)\n  (the first %d codes of "
                 "samples_dense.png), below them z ~ N(mean, sd^2) of its own codes", half / 10,
                 half > 10 ? "s" : "", half);
        draw_samples(&ae, ae_codes, 2 * half, half / 10, &opt, "samples_ae2d", what);
    }

    // ---- Step 7: beta-VAE ----
    cli_step(&opt, 7, "beta-VAE: how much KL?",
             "Weighting the KL term by beta trades reconstruction for a regular latent map (exercise 4.3):\n"
             "beta = 0.1 spreads the codes out and draws sharper images, beta = 4 packs them tightly and blurs.\n"
             "beta = 1 is the dense VAE of step 2, as it was after as many epochs as these two get.");
    Model betas[2];
    TrainLog beta_logs[2];
    memset(betas, 0, sizeof betas);
    memset(beta_logs, 0, sizeof beta_logs);
    const float beta_values[2] = {0.1f, 4.0f};
    double kl_beta[2] = {NAN, NAN};
    if (beta_ready && have_dense) {
        float *beta_codes[3] = {xmalloc((size_t)test.count * Z * sizeof(float)), dense_codes_for_beta,
                                xmalloc((size_t)test.count * Z * sizeof(float))};
        for (int i = 0; i < 2; i++) {
            char name[32];
            snprintf(name, sizeof name, "beta-VAE %g", beta_values[i]);
            build_dense(&betas[i], name, true, beta_values[i], &rng_beta[i]);
            train_model(&betas[i], &beta_logs[i], &train, &test, epochs_beta, opt.batch, &rng_beta[i], eval_seed, 0,
                        NULL);
            model_encode(&betas[i], beta_codes[i == 0 ? 0 : 2], &test);
            kl_beta[i] = beta_logs[i].last_val.kl;
            table[nrows++] = (TableRow){i == 0 ? "beta-VAE, beta 0.1" : "beta-VAE, beta 4", model_params(&betas[i]),
                                        beta_logs[i].last_val, model_pixel_mse(&betas[i], &test),
                                        beta_logs[i].seconds, true};
        }
        char title[96];
        snprintf(title, sizeof title, "beta-VAE: the test set's z_mean after %d epoch%s, for three betas", epochs_beta,
                 epochs_beta > 1 ? "s" : "");
        ScatterPanel panels[3] = {{"beta = 0.1", beta_codes[0], test.y, test.count},
                                  {"beta = 1 (the dense VAE)", beta_codes[1], test.y, test.count},
                                  {"beta = 4", beta_codes[2], test.y, test.count}};
        warn_if(latent_scatter_panels(opt.out_dir, "latent_beta", title, panels, 3, FASHION_MNIST_CLASSES, K, err,
                                      sizeof err), err);
        printf("wrote %s/latent_beta.png: the codes for beta = 0.1, 1, 4 side by side\n", opt.out_dir);
        printf("after %d epochs, validation reconstruction + KL per image:\n", epochs_beta);
        printf("  beta 0.1: %6.2f + %6.2f   beta 1: %6.2f + %6.2f   beta 4: %6.2f + %6.2f\n",
               beta_logs[0].last_val.recon, kl_beta[0], dense_log.val[1][epochs_beta - 1],
               dense_log.val[2][epochs_beta - 1], beta_logs[1].last_val.recon, kl_beta[1]);
        free(beta_codes[0]);
        free(beta_codes[2]);
    } else if (!vae_skip("training the beta-VAEs")) {
        exercise_skip_if_pending("4.3", "training the beta-VAEs");
    }

    // ---- Step 8: results ----
    cli_step(&opt, 8, "results",
             "Validation loss per image (one sampled z, as Keras reports it). The conv VAE's reconstruction term is\n"
             "a cross-entropy, not comparable with the others' 784 * MSE; the pixel MSE of decode(mu) is.");
    printf("%-20s %9s %15s %8s %9s %11s %8s\n", "model", "params", "reconstruction", "KL", "total", "pixel MSE",
           "seconds");
    for (int i = 0; i < nrows; i++) {
        if (table[i].variational)
            printf("%-20s %9zu %15.2f %8.2f %9.2f %11.5f %8.1f\n", table[i].model, table[i].params,
                   table[i].val.recon, table[i].val.kl, table[i].val.total, table[i].pixel_mse, table[i].seconds);
        else
            printf("%-20s %9zu %15.2f %8s %9.2f %11.5f %8.1f\n", table[i].model, table[i].params, table[i].val.recon,
                   "-", table[i].val.total, table[i].pixel_mse, table[i].seconds);
    }
    printf("for comparison: the notebook's dense VAE on MNIST, 50 epochs: val_loss ~37.5; the same network in\n"
           "PyTorch on Fashion-MNIST: ~29.5 after 10 epochs, ~27.7 (KL ~5.2) after 50\n");
    if (have_dense) {
        cli_result("val_loss_dense", dense_log.last_val.total);
        cli_result("val_recon_dense", dense_log.last_val.recon);
        cli_result("val_kl_dense", dense_log.last_val.kl);
    }
    if (have_conv) {
        cli_result("val_loss_conv", conv_log.last_val.total);
        cli_result("val_recon_conv", conv_log.last_val.recon);
        cli_result("val_kl_conv", conv_log.last_val.kl);
    }
    cli_result("val_mse_plain_ae2d", ae_mse);
    if (!isnan(kl_beta[0])) {
        cli_result("val_kl_beta_0.1", kl_beta[0]);
        cli_result("val_kl_beta_4", kl_beta[1]);
    }
    cli_result("seconds", clock_seconds() - t_start);

    model_free(&dense);
    model_free(&conv);
    model_free(&ae);
    for (int i = 0; i < 2; i++) { model_free(&betas[i]); trainlog_free(&beta_logs[i]); }
    trainlog_free(&dense_log);
    trainlog_free(&conv_log);
    trainlog_free(&ae_log);
    free(codes);
    free(dense_codes_for_beta);
    free(prior_codes);
    dataset_free(&train);
    dataset_free(&test);
    return 0;
}
