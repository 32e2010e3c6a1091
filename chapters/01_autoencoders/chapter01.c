// Chapter 01: Autoencoders: dense, sparse and convolutional, against PCA; the bottleneck as features.
//
// What this chapter teaches
//   An autoencoder is two nets trained as one: an encoder that squeezes an image into a short code, and a decoder
//   that rebuilds the image from the code alone. The target is the input itself, so no labels are needed; the code
//   is small, so the pair must learn what matters about the images to get them back. This program mirrors the
//   lecture notebook "Encoders and Decoders, Example 1: AutoEncoders" on Fashion-MNIST:
//
//     Keras                                              here
//     encoded = Dense(64, activation='relu')(...)        net_add(encoder, dense_new(64)); net_add(..., relu_new())
//     autoencoder = Model(input_img, decoded)            Autoencoder ae = {encoder, decoder}   (models.h)
//     autoencoder.compile('adam', 'mse')                 loss_mse + Adam(1e-3) over both nets' parameters
//     autoencoder.fit(x, x, epochs=100, batch_size=256)  train_autoencoder(): the loop of step 3, written out
//     activity_regularizer=regularizers.l1(10e-5)        an ActivityRegularization layer after the code
//
//   and adds what the notebook only says in words: numbers. The linear baseline (PCA with as many components as
//   the code has numbers), how sparse the "sparse" codes really are, a t-SNE map of a code, and which images each
//   model finds hardest (anomaly scores). The exercises (exercises.c) build a deeper autoencoder (1.1), re-use its
//   encoder to classify with 1% of the labels (1.2, pre-training), and train encoder, decoder and classifier
//   together (1.3, semi-supervised); steps 7 to 9 run them once they are written.
//
// How to run
//   make chapter01 && ./chapter01          about 3 minutes on 2 cores: every model, fewer epochs than the notebook
//   ./chapter01 --full                     the notebook's schedule (100 epochs for A and B, 25 for C, D, E): ~45 min
//   ./chapter01 --quick                    seconds, on 1,000 training images (what the tests run)
//   ./chapter01 --help                     every flag
//   Figures go to figures/chapter01/ (docs/chapter01.md shows those of a --full run).
//
// What it leaves out on purpose
//   Denoising and variational autoencoders (chapter 04 is the VAE), convolution transposes in the decoders (the
//   notebook upsamples and convolves), and any tuning beyond the notebook's: same layers, loss, optimiser, batch
//   sizes. The test set doubles as validation set, as in the notebook.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "data.h"
#include "exercise.h"
#include "exercises.h"
#include "image.h"
#include "loss.h"
#include "metrics.h"
#include "models.h"
#include "optim.h"
#include "pca.h"
#include "plot.h"
#include "progress.h"
#include "tsne.h"

#define K 10                    // classes
#define D (28 * 28)             // pixels per image
#define PCA_COMPONENTS 64       // the size of A's, B's, C's and D's codes
#define SHOW 10                 // images per row in the figures
#define LABELLED_FRACTION 0.01  // steps 8 and 9: the fraction of training labels kept

// ================================ training and evaluating one autoencoder ==========================================

// One autoencoder's run: its schedule, its curves and what step 4-6 need from the test set.
typedef struct {
    Autoencoder ae;
    int epochs, batch;
    float *train_loss;          // (epochs) mean training loss per epoch: MSE + activity penalty, as Keras reports it
    float *val_loss;            // (epochs) the same on the test set (the notebook's val_loss)
    double test_mse;            // reconstruction MSE on the test set, penalty excluded: comparable across models
    double test_penalty;        // the activity penalty on the test set (0 for models without one)
    float *per_image;           // (N_test) each test image's MSE: its anomaly score
    float *codes;               // (N_test, Z) the code of every test image
    double seconds;             // training time
    bool trained;
} Run;

// Run all of d through the autoencoder in evaluation mode, in batches. Returns the mean MSE over d; fills, when
// not NULL, per_image (d->count) with each image's MSE, codes (d->count, Z) with the codes, and *penalty with the
// mean activity penalty (0 without an ActivityRegularization layer).
static double evaluate_autoencoder(Autoencoder *ae, const Dataset *d, int batch, float *per_image, float *codes,
                                   double *penalty) {
    Tensor xb = {0};
    int *idx = xmalloc((size_t)batch * sizeof(int));
    int z = ae_code_size(ae);
    double sq_sum = 0.0, penalty_sum = 0.0;
    for (int first = 0; first < d->count; first += batch) {
        int count = d->count - first < batch ? d->count - first : batch;
        for (int i = 0; i < count; i++) idx[i] = first + i;
        dataset_gather(&xb, NULL, d, idx, count);                       // (count, 1, 28, 28)
        const Tensor *code = net_forward(ae->encoder, &xb, false);      // (count, Z...)
        const Tensor *xhat = net_forward(ae->decoder, code, false);     // (count, 1, 28, 28)
        if (codes) memcpy(codes + (size_t)first * z, code->data, (size_t)count * z * sizeof(float));
        for (int i = 0; i < count; i++) {
            double e = metrics_mse(tensor_sample(xhat, i), tensor_sample(&xb, i), D);   // mean over its pixels
            if (per_image) per_image[first + i] = (float)e;
            sq_sum += e;
        }
        if (ae->activity) penalty_sum += (double)activity_l1_penalty(ae->activity) * count;   // lambda/n sum|a|
    }
    if (penalty) *penalty = penalty_sum / d->count;
    tensor_free(&xb);
    free(idx);
    return sq_sum / d->count;
}

// Train r->ae for r->epochs passes over `train` (Adam, lr 1e-3, shuffled batches of r->batch), evaluating on `test`
// after each epoch. The loop is the notebook's autoencoder.fit(x, x, ...) written out; its one twist is that the
// model is two nets, so the gradient is handed from the decoder to the encoder by hand.
static void train_autoencoder(Run *r, const Dataset *train, const Dataset *test, Rng *rng) {
    Autoencoder *ae = &r->ae;
    ParamList params = {0};
    params_add_net(&params, ae->encoder);                   // one optimiser over both nets: they learn together
    params_add_net(&params, ae->decoder);
    Optimizer *adam = optim_adam_new(params, 1e-3f);
    Batcher batcher;
    batcher_init(&batcher, train->count, r->batch, true);
    Tensor xb = {0}, dxhat = {0};
    r->train_loss = xcalloc((size_t)r->epochs, sizeof(float));
    r->val_loss = xcalloc((size_t)r->epochs, sizeof(float));
    double t0 = clock_seconds();
    for (int epoch = 0; epoch < r->epochs; epoch++) {
        char label[48];
        snprintf(label, sizeof label, "%s %d/%d", ae->title, epoch + 1, r->epochs);
        Progress bar;
        progress_begin(&bar, label, train->count);
        batcher_start_epoch(&batcher, rng);
        const int *idx;
        int count;
        for (int b = 0; (count = batcher_next(&batcher, &idx)) > 0; b++) {
            dataset_gather(&xb, NULL, train, idx, count);                       // x (count, 1, 28, 28)
            const Tensor *code = net_forward(ae->encoder, &xb, true);           // code = encoder(x)
            const Tensor *xhat = net_forward(ae->decoder, code, true);          // x_hat = decoder(code)
            float loss = loss_mse(&dxhat, xhat, &xb);                           // L = mean (x_hat - x)^2: target = input
            if (ae->activity) loss += activity_l1_penalty(ae->activity);        //   + lambda/N sum |code|
            loss_check_finite(loss, ae->title, epoch + 1, b + 1);
            net_zero_grad(ae->encoder);
            net_zero_grad(ae->decoder);
            const Tensor *dcode = net_backward(ae->decoder, &dxhat);            // dL/dcode, from the decoder...
            net_backward(ae->encoder, dcode);                                   // ...on into the encoder (the
            optim_step(adam);                                                   // penalty's gradient joins there)
            progress_update(&bar, count, loss);
        }
        double penalty;
        double mse = evaluate_autoencoder(ae, test, 256, NULL, NULL, &penalty);
        r->val_loss[epoch] = (float)(mse + penalty);
        char extra[96];
        snprintf(extra, sizeof extra, "val_loss %.5f  (val MSE %.5f)", mse + penalty, mse);
        r->train_loss[epoch] = (float)progress_end(&bar, extra);
    }
    r->seconds = clock_seconds() - t0;
    r->trained = true;
    batcher_free(&batcher);
    optim_free(adam);
    tensor_free(&xb);
    tensor_free(&dxhat);
}

// Reconstruct the first n test images: out (n, 1, 28, 28).
static void reconstruct_first(Tensor *out, Autoencoder *ae, const Dataset *test, int n) {
    Tensor xb = {0};
    tensor_slice(&xb, &test->x, 0, n);
    const Tensor *code = net_forward(ae->encoder, &xb, false);
    tensor_copy(out, net_forward(ae->decoder, code, false));
    tensor_free(&xb);
}

// ================================ figures ===========================================================================

// Write a grid of `rows` rows of SHOW images each: rows[r] points at SHOW images (28 x 28) one after another.
// frame_labels (may be NULL) frames the tiles of row 0 in their class colours.
static void write_rows(const char *dir, const char *name, const float *const *rows, int nrows, int group_rows,
                       const int *frame_labels) {
    ImageGrid g;
    image_grid_init(&g, nrows, SHOW, 28, 28, 2);
    g.group_rows = group_rows;
    for (int r = 0; r < nrows; r++)
        for (int c = 0; c < SHOW; c++) {
            image_grid_put_gray(&g, r, c, rows[r] + (size_t)c * D);
            if (frame_labels && (group_rows ? r % group_rows == 0 : r == 0))
                image_grid_frame(&g, r, c, frame_labels[(group_rows ? r / group_rows : 0) * SHOW + c]);
        }
    char path[1024], err[512];
    snprintf(path, sizeof path, "%s/%s.png", dir, name);
    if (image_grid_write(&g, path, err, sizeof err) != 0) fprintf(stderr, "warning: %s\n", err);
    image_grid_free(&g);
}

// The notebook's figure: the first 10 test images on top, their reconstructions below.
static void write_reconstructions(const char *dir, const char *name, const Dataset *test, const float *recon) {
    const float *rows[2] = {test->x.data, recon};
    write_rows(dir, name, rows, 2, 0, test->y);
}

// Training and validation loss per epoch.
static void write_curves(const char *dir, const Run *r) {
    char name[64], title[128], err[512];
    snprintf(name, sizeof name, "loss_%s", r->ae.key);
    snprintf(title, sizeof title, "%s autoencoder: loss per epoch%s", r->ae.title,
             r->ae.activity ? " (MSE + L1 activity penalty)" : " (MSE)");
    PlotSeries s[2] = {{.name = "train", .y = r->train_loss, .n = r->epochs},
                       {.name = "validation (test set)", .y = r->val_loss, .n = r->epochs}};
    if (plot_lines(dir, name, title, "epoch", "loss", s, 2, err, sizeof err) != 0) fprintf(stderr, "warning: %s\n", err);
}

// A code drawn as a small picture in a T x T tile, the way the notebook shows encoded images:
//
//   code (4, 4, 4) = 4 channel maps of 4 x 4       code (64, 1, 1) = 64 numbers
//     +----+ +----+                                  drawn as one 8 x 8 map
//     | c0 | | c1 |     each map scaled up,
//     +----+ +----+     a grey gap between maps
//     | c2 | | c3 |
//     +----+ +----+
//
// Values are mapped linearly from [lo, hi] to [0, 1] (black = lo); the background is mid grey.
#define CODE_TILE 32
static void code_tile(float *tile, const float *code, int c, int h, int w, float lo, float hi) {
    if (h == 1 && w == 1) {                                 // a vector code: one square map of sqrt(Z) x sqrt(Z)
        int side = (int)ceil(sqrt((double)c));
        h = w = side;
        c = 1;
    }
    int cols = (int)ceil(sqrt((double)c)), rows = (c + cols - 1) / cols, gap = c > 1 ? 2 : 0;
    int scale_w = (CODE_TILE - (cols - 1) * gap) / (cols * w), scale_h = (CODE_TILE - (rows - 1) * gap) / (rows * h);
    int s = scale_w < scale_h ? scale_w : scale_h;
    if (s < 1) s = 1;
    int used_w = cols * w * s + (cols - 1) * gap, used_h = rows * h * s + (rows - 1) * gap;
    int x0 = (CODE_TILE - used_w) / 2, y0 = (CODE_TILE - used_h) / 2;
    for (int i = 0; i < CODE_TILE * CODE_TILE; i++) tile[i] = 0.5f;
    int values = c * h * w;
    for (int ch = 0; ch < c; ch++)
        for (int y = 0; y < h * s; y++)
            for (int x = 0; x < w * s; x++) {
                int ty = y0 + (ch / cols) * (h * s + gap) + y, tx = x0 + (ch % cols) * (w * s + gap) + x;
                int vi = ch * h * w + (y / s) * w + x / s;
                float v = vi < values ? (code[vi] - lo) / (hi - lo > 1e-12f ? hi - lo : 1.0f) : 0.5f;
                if (ty < CODE_TILE && tx < CODE_TILE) tile[ty * CODE_TILE + tx] = v < 0 ? 0 : (v > 1 ? 1 : v);
            }
}

// Put two PNGs side by side into one (for the t-SNE maps). Returns 0, or -1 when either is missing (no gnuplot).
static int png_side_by_side(const char *out, const char *left, const char *right) {
    PngPixels a = {0}, b = {0};
    char err[512];
    if (png_read(left, 3, &a, err, sizeof err) != 0 || png_read(right, 3, &b, err, sizeof err) != 0) {
        png_pixels_free(&a);
        return -1;
    }
    int h = a.h > b.h ? a.h : b.h, w = a.w + b.w;
    unsigned char *rgb = xmalloc((size_t)h * w * 3);
    memset(rgb, 255, (size_t)h * w * 3);                                // white where one is shorter
    for (int y = 0; y < a.h; y++) memcpy(rgb + ((size_t)y * w) * 3, a.pix + (size_t)y * a.w * 3, (size_t)a.w * 3);
    for (int y = 0; y < b.h; y++)
        memcpy(rgb + ((size_t)y * w + a.w) * 3, b.pix + (size_t)y * b.w * 3, (size_t)b.w * 3);
    int rc = png_write_rgb(out, rgb, h, w, err, sizeof err);
    if (rc != 0) fprintf(stderr, "warning: %s\n", err);
    free(rgb);
    png_pixels_free(&a);
    png_pixels_free(&b);
    return rc;
}

// Indices of the `n` largest values of v (count values), largest first.
static void top_indices(int *top, const float *v, int count, int n) {
    for (int j = 0; j < n; j++) top[j] = -1;
    for (int i = 0; i < count; i++) {
        int j = n;
        while (j > 0 && (top[j - 1] < 0 || v[i] > v[top[j - 1]])) j--;     // insertion into the sorted top list
        if (j == n) continue;
        memmove(top + j + 1, top + j, (size_t)(n - 1 - j) * sizeof(int));
        top[j] = i;
    }
}

// ================================ classifiers for steps 8 and 9 ====================================================

// Test accuracy of head(encoder(x)) over all of d.
static double classifier_accuracy(Net *encoder, Net *head, const Dataset *d) {
    Tensor xb = {0};
    int batch = 256, *idx = xmalloc((size_t)batch * sizeof(int)), *pred = xmalloc((size_t)d->count * sizeof(int));
    for (int first = 0; first < d->count; first += batch) {
        int count = d->count - first < batch ? d->count - first : batch;
        for (int i = 0; i < count; i++) idx[i] = first + i;
        dataset_gather(&xb, NULL, d, idx, count);
        const Tensor *logits = net_forward(head, net_forward(encoder, &xb, false), false);     // (count, K)
        metrics_argmax(pred + first, logits->data, count, K);
    }
    double accuracy = metrics_accuracy(d->y, pred, d->count);
    tensor_free(&xb);
    free(idx);
    free(pred);
    return accuracy;
}

// Train head(encoder(x)) on the labelled set with exercise 1.2's step, `epochs` passes in batches of 32.
static void finetune(Net *encoder, Net *head, const Dataset *labelled, int epochs, const char *what, Rng *rng) {
    ParamList params = {0};
    params_add_net(&params, encoder);
    params_add_net(&params, head);
    Optimizer *adam = optim_adam_new(params, 1e-3f);
    Batcher batcher;
    batcher_init(&batcher, labelled->count, 32, true);
    Tensor xb = {0}, dlogits = {0};
    int *yb = xmalloc(32 * sizeof(int));
    Progress bar;
    progress_begin(&bar, what, (long)labelled->count * epochs);
    for (int epoch = 0; epoch < epochs; epoch++) {
        batcher_start_epoch(&batcher, rng);
        const int *idx;
        int count;
        for (int b = 0; (count = batcher_next(&batcher, &idx)) > 0; b++) {
            dataset_gather(&xb, yb, labelled, idx, count);
            float loss = ex_finetune_step(encoder, head, adam, &xb, yb, &dlogits);
            loss_check_finite(loss, what, epoch + 1, b + 1);
            progress_update(&bar, count, loss);
        }
    }
    progress_end(&bar, NULL);
    batcher_free(&batcher);
    optim_free(adam);
    tensor_free(&xb);
    tensor_free(&dlogits);
    free(yb);
}

// ================================ the program =======================================================================

// How long each model trains: the notebook's schedule with --full, a short one by default, one epoch with --quick.
// --epochs and --batch, when given, override every model's.
static void choose_schedule(Run *r, const Options *o) {
    static const int DEFAULT_EPOCHS[AE_COUNT] = {[AE_DENSE] = 10, [AE_SPARSE_DENSE] = 10, [AE_CONV] = 2,
                                                 [AE_SPARSE_CONV] = 2, [AE_BIG_CONV] = 1};
    r->batch = o->quick ? 16 : r->ae.full_batch;
    r->epochs = o->full ? r->ae.full_epochs : (o->quick ? 1 : DEFAULT_EPOCHS[r->ae.kind]);
    if (o->epochs_set) r->epochs = o->epochs;
    if (o->batch_set) r->batch = o->batch;
}

int main(int argc, char **argv) {
    Options opt = {.epochs = 1, .batch = 128, .seed = 42, .out_dir = "figures/chapter01"};
    double tsne_points = 2000;
    const CliExtra extras[] = {
        {.name = "tsne", .arg = "N", .help = "test images in the t-SNE maps of step 5 (default 2000)",
         .number = &tsne_points, .min = 50, .max = 10000},
    };
    const CliSpec spec = {
        .program = "chapter01",
        .title = "Autoencoders: dense, sparse and convolutional, against PCA; the bottleneck as features",
        .about = "Trains the lecture notebook's five autoencoders on Fashion-MNIST (A dense, B sparse dense, C conv,\n"
                 "D sparse conv, E bigger conv), compares them with PCA-64, looks inside their codes (sparsity,\n"
                 "t-SNE), scores anomalies by reconstruction error, and runs the exercises: a deeper conv\n"
                 "autoencoder, pre-training a classifier, semi-supervised training with 1% of the labels.\n"
                 "Default: all 60,000 images, fewer epochs than the notebook (A and B 10, C and D 2, E 1), about\n"
                 "3 minutes on 2 cores; --full: the notebook's 100 / 100 / 25 / 25 / 25 epochs, about 45 minutes.\n"
                 "--epochs and --batch, when given, apply to every autoencoder.",
        .extras = extras,
        .nextras = (int)(sizeof extras / sizeof extras[0]),
    };
    cli_parse(&opt, &spec, argc, argv);
    double t_start = clock_seconds();
    char err[512];
    if (cli_mkdir_p(opt.out_dir, err, sizeof err) != 0) { fprintf(stderr, "chapter01: %s\n", err); return 1; }
    Rng rng;
    rng_seed(&rng, opt.seed);

    // ---- Step 1: data ----
    cli_step(&opt, 1, "load Fashion-MNIST",
             "70,000 grey 28x28 images of clothing in 10 classes, pixels / 255. An autoencoder needs no labels: the\n"
             "image is both input and target. The labels only colour the figures (and come back in steps 8-9).");
    Dataset train, test;
    if (fashion_mnist_load(opt.data_dir, opt.quick ? 1000 : 0, opt.quick ? 300 : 0, &train, &test, err,
                           sizeof err) != 0) {
        fprintf(stderr, "chapter01: %s\n", err);
        return 1;
    }
    printf("train x %s, test x (%d, 1, 28, 28)\n", tensor_shape_str(&train.x, err), test.count);
    {
        ImageGrid g;                                        // the first 10 training images of each class
        image_grid_init(&g, K, SHOW, 28, 28, 2);
        int filled[K] = {0};
        for (int i = 0; i < train.count; i++) {
            int y = train.y[i];
            if (filled[y] == SHOW) continue;
            image_grid_put_gray(&g, y, filled[y], tensor_sample(&train.x, i));
            image_grid_frame(&g, y, filled[y]++, y);
        }
        char path[1024];
        snprintf(path, sizeof path, "%s/examples.png", opt.out_dir);
        if (image_grid_write(&g, path, err, sizeof err) != 0) fprintf(stderr, "warning: %s\n", err);
        else printf("wrote %s: one row per class, top to bottom: ", path);
        for (int k = 0; k < K; k++) printf("%s%s", FASHION_MNIST_CLASSES[k], k < K - 1 ? ", " : "\n");
        image_grid_free(&g);
    }

    // A yardstick for every reconstruction error below (PCA, in step 2, is the other). The worst sensible
    // "autoencoder" ignores its input and always answers the mean training image: its MSE is the test set's
    // variance around that mean, the scale of "learned nothing".
    float *mean_image = xcalloc(D, sizeof(float));
    for (int n = 0; n < train.count; n++)
        for (int i = 0; i < D; i++) mean_image[i] += tensor_sample(&train.x, n)[i] / train.count;
    double mse_mean_image = 0.0;
    for (int n = 0; n < test.count; n++) mse_mean_image += metrics_mse(tensor_sample(&test.x, n), mean_image, D);
    mse_mean_image /= test.count;

    // ---- Step 2: PCA ----
    cli_step(&opt, 2, "the linear baseline: PCA with 64 components",
             "PCA keeps the 64 directions along which the training images vary most: encode z = W (x - mean),\n"
             "decode x_hat = W^T z + mean. Of all LINEAR encoders with a linear decoder and a 64-number code, it has\n"
             "the smallest squared error, so an autoencoder with a 64-number code must beat it to justify its\n"
             "nonlinearities. (The notebook compares the two in words; here in numbers.)");
    double t_pca = clock_seconds();
    Pca pca;
    pca_fit(&pca, train.x.data, train.count, D, PCA_COMPONENTS, &rng);
    float *pca_codes = xmalloc((size_t)test.count * PCA_COMPONENTS * sizeof(float));
    float *pca_recon = xmalloc((size_t)test.count * D * sizeof(float));
    pca_transform(&pca, pca_codes, test.x.data, test.count);           // (N_test, 64)
    pca_inverse_transform(&pca, pca_recon, pca_codes, test.count);     // (N_test, 784)
    float *pca_per_image = xmalloc((size_t)test.count * sizeof(float));
    double mse_pca = 0.0;
    for (int n = 0; n < test.count; n++) {
        pca_per_image[n] = (float)metrics_mse(pca_recon + (size_t)n * D, tensor_sample(&test.x, n), D);
        mse_pca += pca_per_image[n];
    }
    mse_pca /= test.count;
    double pca_seconds = clock_seconds() - t_pca;
    double explained = 0.0;
    for (int i = 0; i < PCA_COMPONENTS; i++) explained += pca.explained_variance_ratio[i];
    printf("PCA-64: %d subspace iterations, %.1f s; the 64 components explain %.1f%% of the variance\n",
           pca.iterations, pca_seconds, 100.0 * explained);
    printf("test MSE: PCA-64 %.5f   (always answering the mean image: %.5f)\n", mse_pca, mse_mean_image);
    write_reconstructions(opt.out_dir, "reconstructions_pca64", &test, pca_recon);
    {
        float *cumulative = xmalloc(PCA_COMPONENTS * sizeof(float));
        double sum = 0.0;
        for (int i = 0; i < PCA_COMPONENTS; i++) cumulative[i] = (float)(sum += pca.explained_variance_ratio[i]);
        PlotSeries s = {.name = "cumulative explained variance", .y = cumulative, .n = PCA_COMPONENTS};
        if (plot_lines(opt.out_dir, "pca_variance", "PCA on Fashion-MNIST: variance kept by the first components",
                       "components", "fraction of the variance", &s, 1, err, sizeof err) != 0)
            fprintf(stderr, "warning: %s\n", err);
        free(cumulative);
    }

    // ---- Step 3: the five autoencoders ----
    cli_step(&opt, 3, "train the notebook's five autoencoders",
             "Each is trained to output its input (MSE loss, Adam with lr 1e-3). A and B are dense; C, D and E are\n"
             "convolutional with a few thousand weights. B and D add an L1 penalty on their code's activity,\n"
             "which pushes most code values to zero. After every epoch the test set is the validation set.");
    Run runs[AE_COUNT];
    memset(runs, 0, sizeof runs);
    for (int m = 0; m < AE_COUNT; m++) {
        Run *r = &runs[m];
        ae_build(&r->ae, (AeKind)m, &rng);
        choose_schedule(r, &opt);
        printf("\n%s autoencoder: %d epoch%s, batch %d (the notebook: %d epochs, batch %d)\n", r->ae.title, r->epochs,
               r->epochs == 1 ? "" : "s", r->batch, r->ae.full_epochs, r->ae.full_batch);
        ae_summary(&r->ae, stdout);
        train_autoencoder(r, &train, &test, &rng);
        r->per_image = xmalloc((size_t)test.count * sizeof(float));
        // Keep every test image's code and error: steps 4 to 6 look at them without running the nets again.
        r->codes = xmalloc((size_t)test.count * ae_code_size(&r->ae) * sizeof(float));       // (N_test, Z)
        r->test_mse = evaluate_autoencoder(&r->ae, &test, 256, r->per_image, r->codes, &r->test_penalty);
        printf("%s: test MSE %.5f%s (PCA-64: %.5f), %.1f s\n", r->ae.title, r->test_mse,
               r->ae.activity ? " + penalty" : "", mse_pca, r->seconds);
        // Keras's val_loss includes the activity penalty; the MSE alone is what compares across models.
        if (r->ae.activity) printf("  with the L1 penalty %.5f: loss %.5f (the notebook's val_loss: %.4f)\n",
                                   r->test_penalty, r->test_mse + r->test_penalty, r->ae.notebook_val_mse);
        Tensor recon = {0};
        reconstruct_first(&recon, &r->ae, &test, SHOW);
        char name[64];
        snprintf(name, sizeof name, "reconstructions_%s", r->ae.key);
        write_reconstructions(opt.out_dir, name, &test, recon.data);
        tensor_free(&recon);
        write_curves(opt.out_dir, r);
    }
    {
        // All models on the same ten images, one row each: the comparison the table of step 10 puts in numbers.
        Tensor recon[AE_COUNT] = {{0}};
        const float *rows[AE_COUNT + 2] = {test.x.data, pca_recon};
        for (int m = 0; m < AE_COUNT; m++) {
            reconstruct_first(&recon[m], &runs[m].ae, &test, SHOW);
            rows[m + 2] = recon[m].data;
        }
        write_rows(opt.out_dir, "reconstructions", rows, AE_COUNT + 2, 0, test.y);
        printf("\nwrote %s/reconstructions.png: rows top to bottom: the test images, PCA-64, ", opt.out_dir);
        for (int m = 0; m < AE_COUNT; m++) printf("%s%s", runs[m].ae.title, m < AE_COUNT - 1 ? ", " : "\n");
        for (int m = 0; m < AE_COUNT; m++) tensor_free(&recon[m]);
    }

    // ---- Step 4: inside the bottleneck ----
    cli_step(&opt, 4, "look inside the bottleneck",
             "The codes of the first ten test images, drawn as small pictures (black = 0). The L1 penalty of B and D\n"
             "should leave most code values at zero: the table counts how many really are.");
    {
        ImageGrid g;
        image_grid_init(&g, AE_COUNT + 1, SHOW, CODE_TILE, CODE_TILE, 3);
        float tile[CODE_TILE * CODE_TILE];
        for (int c = 0; c < SHOW; c++) {                   // row 0: the images, centred in the bigger tiles
            for (int i = 0; i < CODE_TILE * CODE_TILE; i++) tile[i] = 0.0f;
            for (int y = 0; y < 28; y++)
                memcpy(tile + (y + 2) * CODE_TILE + 2, tensor_sample(&test.x, c) + y * 28, 28 * sizeof(float));
            image_grid_put_gray(&g, 0, c, tile);
            image_grid_frame(&g, 0, c, test.y[c]);
        }
        printf("%-16s %-12s %10s %12s %14s %12s\n", "model", "code", "mean |a|", "exactly 0", "< 1% of max", "dead units");
        float *sparsity = xcalloc(AE_COUNT, sizeof(float));
        const char *names[AE_COUNT];
        for (int m = 0; m < AE_COUNT; m++) {
            Run *r = &runs[m];
            int z = ae_code_size(&r->ae);
            size_t total = (size_t)test.count * z;
            float lo = 0.0f, hi = 0.0f, max_abs = 0.0f;
            for (size_t i = 0; i < (size_t)SHOW * z; i++) {                    // the range of the codes shown
                lo = fminf(lo, r->codes[i]);
                hi = fmaxf(hi, r->codes[i]);
            }
            for (size_t i = 0; i < total; i++) max_abs = fmaxf(max_abs, fabsf(r->codes[i]));
            for (int c = 0; c < SHOW; c++) {
                code_tile(tile, r->codes + (size_t)c * z, r->ae.code_c, r->ae.code_h, r->ae.code_w, lo, hi);
                image_grid_put_gray(&g, m + 1, c, tile);
            }
            // How sparse: values exactly 0 (a ReLU that is off), values below 1% of the largest, and units that
            // are never above that on the whole test set ("dead": the code could do without them).
            size_t zeros = 0, small = 0;
            double abs_sum = 0.0;
            int dead = 0;
            for (size_t i = 0; i < total; i++) {
                zeros += r->codes[i] == 0.0f;
                small += fabsf(r->codes[i]) < 0.01f * max_abs;
                abs_sum += fabsf(r->codes[i]);
            }
            for (int u = 0; u < z; u++) {
                bool active = false;
                for (int n = 0; n < test.count && !active; n++) active = fabsf(r->codes[(size_t)n * z + u]) >= 0.01f * max_abs;
                dead += !active;
            }
            char shape[32];
            snprintf(shape, sizeof shape, r->ae.code_h == 1 ? "(%d)" : "(%d,%d,%d)", r->ae.code_c, r->ae.code_h,
                     r->ae.code_w);
            printf("%-16s %-12s %10.4f %11.1f%% %13.1f%% %7d of %d\n", r->ae.title, shape, abs_sum / total,
                   100.0 * zeros / total, 100.0 * small / total, dead, z);
            sparsity[m] = (float)((double)small / total);
            names[m] = r->ae.title;
        }
        char path[1024];
        snprintf(path, sizeof path, "%s/codes.png", opt.out_dir);
        if (image_grid_write(&g, path, err, sizeof err) != 0) fprintf(stderr, "warning: %s\n", err);
        else printf("wrote %s: rows: the images, then the codes of A, B, C, D, E (each row scaled to its own "
                    "range)\n", path);
        image_grid_free(&g);
        if (plot_bars(opt.out_dir, "sparsity", "Code values below 1% of the largest (test set)", "fraction",
                      names, sparsity, AE_COUNT, err, sizeof err) != 0)
            fprintf(stderr, "warning: %s\n", err);
        free(sparsity);
    }

    // ---- Step 5: t-SNE ----
    int n_tsne = (int)tsne_points < test.count ? (int)tsne_points : test.count;
    char step5[160];
    snprintf(step5, sizeof step5, "t-SNE of %d test images: raw pixels against B's 64-number codes", n_tsne);
    cli_step(&opt, 5, step5,
             "t-SNE draws high-dimensional points in 2-d keeping near neighbours near. Nobody told the autoencoder\n"
             "the classes, yet if its code groups the images by kind, the classes show as clusters.");
    {
        float *map_pixels = xmalloc((size_t)n_tsne * 2 * sizeof(float));
        float *map_codes = xmalloc((size_t)n_tsne * 2 * sizeof(float));
        TsneOptions to = tsne_defaults();
        to.perplexity = n_tsne > 200 ? 30.0 : n_tsne / 4.0;
        Rng tsne_rng = rng_split(&rng);
        double t0 = clock_seconds();
        int bad = tsne_run(map_pixels, test.x.data, n_tsne, D, &to, &tsne_rng, err, sizeof err) != 0 ||
                  tsne_run(map_codes, runs[AE_SPARSE_DENSE].codes, n_tsne, ae_code_size(&runs[AE_SPARSE_DENSE].ae),
                           &to, &tsne_rng, err, sizeof err) != 0;
        if (bad) fprintf(stderr, "warning: t-SNE: %s\n", err);
        else {
            printf("two t-SNE maps in %.1f s\n", clock_seconds() - t0);
            char title[128];
            snprintf(title, sizeof title, "t-SNE of %d test images: pixels (784 numbers each)", n_tsne);
            if (plot_scatter_classes(opt.out_dir, "tsne_pixels", title, map_pixels, test.y, n_tsne,
                                     FASHION_MNIST_CLASSES, K, err, sizeof err) != 0)
                fprintf(stderr, "warning: %s\n", err);
            snprintf(title, sizeof title, "t-SNE of the same images: B's sparse codes (64 numbers each)");
            if (plot_scatter_classes(opt.out_dir, "tsne_sparse_dense_codes", title, map_codes, test.y, n_tsne,
                                     FASHION_MNIST_CLASSES, K, err, sizeof err) != 0)
                fprintf(stderr, "warning: %s\n", err);
            char out[1024], left[1024], right[1024];
            snprintf(out, sizeof out, "%s/tsne.png", opt.out_dir);
            snprintf(left, sizeof left, "%s/tsne_pixels.png", opt.out_dir);
            snprintf(right, sizeof right, "%s/tsne_sparse_dense_codes.png", opt.out_dir);
            if (png_side_by_side(out, left, right) == 0) printf("wrote %s: pixels left, codes right\n", out);
        }
        free(map_pixels);
        free(map_codes);
    }

    // ---- Step 6: anomalies ----
    cli_step(&opt, 6, "anomaly scores: the images each model reconstructs worst",
             "An autoencoder reconstructs well what looks like its training data. The reconstruction error of an\n"
             "image is therefore an anomaly score: high for unusual images (odd shapes, prints, unusual poses).");
    {
        // For PCA and each model: its 10 worst test images (top row of the pair) and its attempt (below).
        int nrows = 2 * (AE_COUNT + 1);
        const float **rows = xmalloc((size_t)nrows * sizeof(float *));
        float *images = xmalloc((size_t)nrows * SHOW * D * sizeof(float));
        int *labels = xmalloc((size_t)(AE_COUNT + 1) * SHOW * sizeof(int));
        int top[SHOW];
        Tensor xb = {0};
        printf("%-16s %-10s  classes of its 10 worst test images\n", "model", "worst MSE");
        for (int m = -1; m < AE_COUNT; m++) {
            const float *scores = m < 0 ? pca_per_image : runs[m].per_image;
            int row = 2 * (m + 1);
            float *orig = images + (size_t)row * SHOW * D, *recon = orig + (size_t)SHOW * D;
            top_indices(top, scores, test.count, SHOW);
            dataset_gather(&xb, labels + (m + 1) * SHOW, &test, top, SHOW);
            memcpy(orig, xb.data, (size_t)SHOW * D * sizeof(float));
            if (m < 0) {
                for (int i = 0; i < SHOW; i++) memcpy(recon + (size_t)i * D, pca_recon + (size_t)top[i] * D, D * sizeof(float));
            } else {
                const Tensor *code = net_forward(runs[m].ae.encoder, &xb, false);
                memcpy(recon, net_forward(runs[m].ae.decoder, code, false)->data, (size_t)SHOW * D * sizeof(float));
            }
            rows[row] = orig;
            rows[row + 1] = recon;
            printf("%-16s %-10.4f ", m < 0 ? "PCA-64" : runs[m].ae.title, scores[top[0]]);
            for (int i = 0; i < SHOW; i++) printf(" %s%s", FASHION_MNIST_CLASSES[labels[(m + 1) * SHOW + i]], i < SHOW - 1 ? "," : "\n");
        }
        write_rows(opt.out_dir, "anomalies", rows, nrows, 2, labels);
        printf("wrote %s/anomalies.png: pairs of rows (worst images, reconstructions) for PCA-64, A, B, C, D, E\n",
               opt.out_dir);
        // Which kinds of clothing are hard, for the best model of the run: its errors by class.
        int best = 0;
        for (int m = 1; m < AE_COUNT; m++) if (runs[m].test_mse < runs[best].test_mse) best = m;
        char title[128];
        snprintf(title, sizeof title, "%s autoencoder: reconstruction error of each test image, by class",
                 runs[best].ae.title);
        if (plot_boxes(opt.out_dir, "errors_by_class", title, "MSE", runs[best].per_image, test.y, test.count,
                       FASHION_MNIST_CLASSES, K, err, sizeof err) != 0)
            fprintf(stderr, "warning: %s\n", err);
        tensor_free(&xb);
        free(rows);
        free(images);
        free(labels);
    }

    // ---- Step 7: exercise 1.1 ----
    cli_step(&opt, 7, "exercise 1.1: a conventional convolutional autoencoder (filters grow with depth)",
             "Model C narrows from 16 to 8 to 4 filters. The usual design widens as the image shrinks. Your version\n"
             "from exercises.c, trained like C.");
    Run deep = {0};
    {
        Net *encoder = NULL, *decoder = NULL;
        ex_conv_autoencoder(&encoder, &decoder, &rng);
        if (!exercise_skip_if_pending("1.1", "training the deeper autoencoder") && encoder && decoder) {
            // Wrap the student's two nets as an Autoencoder, so that the training and evaluation of step 3 serve
            // unchanged. It has no activity penalty (activity = NULL). One epoch by default, 25 with --full.
            deep.ae = (Autoencoder){.kind = AE_CONV, .key = "deep_conv", .title = "1.1 deep conv",
                                    .encoder = encoder, .decoder = decoder, .full_epochs = 25, .full_batch = 128};
            net_out_shape(encoder, &deep.ae.code_c, &deep.ae.code_h, &deep.ae.code_w);
            decoder->input_grad = true;
            deep.epochs = opt.epochs_set ? opt.epochs : (opt.full ? deep.ae.full_epochs : 1);
            deep.batch = opt.batch_set ? opt.batch : (opt.quick ? 16 : deep.ae.full_batch);
            ae_summary(&deep.ae, stdout);
            train_autoencoder(&deep, &train, &test, &rng);
            deep.test_mse = evaluate_autoencoder(&deep.ae, &test, 256, NULL, NULL, NULL);
            printf("%s: test MSE %.5f with a %d-number code (C: %.5f with 64), %.1f s\n", deep.ae.title,
                   deep.test_mse, ae_code_size(&deep.ae), runs[AE_CONV].test_mse, deep.seconds);
            Tensor recon = {0};
            reconstruct_first(&recon, &deep.ae, &test, SHOW);
            write_reconstructions(opt.out_dir, "reconstructions_deep_conv", &test, recon.data);
            tensor_free(&recon);
            write_curves(opt.out_dir, &deep);
        } else {
            net_free(encoder);
            net_free(decoder);
        }
    }

    // ---- Step 8: exercise 1.2 ----
    // The labelled subset of steps 8 and 9: 1% of the training images, drawn without replacement.
    int n_labelled = (int)(LABELLED_FRACTION * train.count + 0.5);
    int *order = xmalloc((size_t)train.count * sizeof(int));
    for (int i = 0; i < train.count; i++) order[i] = i;
    rng_shuffle(&rng, order, train.count);
    Dataset labelled;
    dataset_subset(&labelled, &train, order, n_labelled);
    // 600 images make an epoch of 19 batches: many passes are cheap, and both contenders get the same number.
    int finetune_epochs = opt.quick ? 20 : (opt.full ? 100 : 30);
    char step8[160];
    snprintf(step8, sizeof step8, "exercise 1.2: pre-training, with %d labels (1%%)", n_labelled);
    cli_step(&opt, 8, step8,
             "Keep 1.1's trained encoder, drop its decoder, put a classification head on the code and fine-tune\n"
             "both on the few labelled images. Against it: the same network trained from scratch on them.");
    double acc_pretrained = NAN, acc_scratch = NAN;
    if (!deep.trained) {
        exercise_skip_if_pending("1.1", "pre-training");
    } else {
        // Pre-trained: 1.1's encoder as step 7 left it (its decoder is no longer needed for classifying).
        Net *head = ex_classifier_head(deep.ae.encoder, K, &rng);
        if (!exercise_skip_if_pending("1.2", "pre-training") && head) {
            net_summary(head, stdout);
            finetune(deep.ae.encoder, head, &labelled, finetune_epochs, "pre-trained", &rng);
            acc_pretrained = classifier_accuracy(deep.ae.encoder, head, &test);
            net_free(head);

            Net *encoder = NULL, *decoder = NULL;               // the same network, from fresh random weights
            ex_conv_autoencoder(&encoder, &decoder, &rng);
            net_free(decoder);
            head = ex_classifier_head(encoder, K, &rng);
            finetune(encoder, head, &labelled, finetune_epochs, "from scratch", &rng);
            acc_scratch = classifier_accuracy(encoder, head, &test);
            net_free(encoder);
            net_free(head);
            printf("test accuracy with %d labels, %d epochs: pre-trained encoder %.4f, from scratch %.4f\n",
                   n_labelled, finetune_epochs, acc_pretrained, acc_scratch);
        } else {
            net_free(head);
        }
    }

    // ---- Step 9: exercise 1.3 ----
    cli_step(&opt, 9, "exercise 1.3: semi-supervised: one encoder, a decoder and a classifier trained together",
             "All images train the encoder through the reconstruction; the labelled ones also through the\n"
             "classifier. Every batch carries 16 of the labelled images (label -1 on all others), so the few\n"
             "labels are seen often; the masked cross-entropy ignores the rows without one.");
    double acc_semi = NAN;
    {
        // The same encoder, decoder and head as steps 7 and 8, all from fresh weights: no pre-training here, the
        // reconstruction shapes the encoder while the classifier learns. Weight w = 1: L = MSE + CE.
        TwoHeads model = {.class_weight = 1.0f};
        ex_conv_autoencoder(&model.encoder, &model.decoder, &rng);
        if (model.encoder) model.head = ex_classifier_head(model.encoder, K, &rng);
        // Is 1.3 written? One call on two unlabelled images tells (an unfinished exercise announces itself); it
        // only fills gradients, which every training step clears anyway.
        Tensor probe_x = {0};
        int probe_y[2] = {-1, -1};
        if (model.encoder && model.head) {
            tensor_slice(&probe_x, &train.x, 0, 2);
            ex_two_heads_backward(&model, &probe_x, probe_y);
        }
        if (!exercise_skip_if_pending("1.1", "the semi-supervised model") &&
            !exercise_skip_if_pending("1.2", "the semi-supervised model") &&
            !exercise_skip_if_pending("1.3", "the semi-supervised model") && model.encoder && model.head) {
            ParamList params = {0};                              // one optimiser for the three nets
            params_add_net(&params, model.encoder);
            params_add_net(&params, model.decoder);
            params_add_net(&params, model.head);
            Optimizer *adam = optim_adam_new(params, 1e-3f);
            // Two batchers: one walks through all the training images (an epoch), the other cycles through the
            // labelled ones, 16 per batch, starting over whenever it runs out (about 14 passes per epoch).
            int unlabelled_batch = opt.quick ? 16 : 112, labelled_batch = 16, batch = unlabelled_batch + labelled_batch;
            int epochs = opt.epochs_set ? opt.epochs : (opt.full ? 10 : 1);
            Batcher unl, lab;
            batcher_init(&unl, train.count, unlabelled_batch, true);
            batcher_init(&lab, labelled.count, labelled_batch, true);
            int *idx = xmalloc((size_t)batch * sizeof(int)), *yb = xmalloc((size_t)batch * sizeof(int));
            Tensor xb = {0};
            double t0 = clock_seconds();
            batcher_start_epoch(&lab, &rng);
            for (int epoch = 0; epoch < epochs; epoch++) {
                char label[48];
                snprintf(label, sizeof label, "semi-supervised %d/%d", epoch + 1, epochs);
                Progress bar;
                progress_begin(&bar, label, train.count);
                batcher_start_epoch(&unl, &rng);
                const int *ui, *li;
                int nu;
                double ce_sum = 0.0;
                int steps = 0;
                while ((nu = batcher_next(&unl, &ui)) > 0) {
                    int nl = batcher_next(&lab, &li);
                    if (nl == 0) { batcher_start_epoch(&lab, &rng); nl = batcher_next(&lab, &li); }
                    // x = [nu images of the whole training set | nl labelled images]; labels -1 | the labels
                    memcpy(idx, ui, (size_t)nu * sizeof(int));
                    for (int i = 0; i < nl; i++) idx[nu + i] = order[li[i]];    // labelled.x[j] = train.x[order[j]]
                    dataset_gather(&xb, yb, &train, idx, nu + nl);
                    for (int i = 0; i < nu; i++) yb[i] = -1;                    // hide the labels of the first nu
                    params_zero_grad(&adam->params);                            // then exercise 1.3 adds dL/dw
                    float loss = ex_two_heads_backward(&model, &xb, yb);        // L = MSE + w CE (masked)
                    loss_check_finite(loss, "semi-supervised", epoch + 1, steps + 1);
                    optim_step(adam);
                    ce_sum += model.ce;
                    steps++;
                    progress_update(&bar, nu, loss);
                }
                char extra[64];
                snprintf(extra, sizeof extra, "mean CE on the labelled rows %.4f", ce_sum / steps);
                progress_end(&bar, extra);
            }
            acc_semi = classifier_accuracy(model.encoder, model.head, &test);
            // The encoder and decoder of the two-headed model are an autoencoder too: how well do they reconstruct?
            Autoencoder as_ae = {.encoder = model.encoder, .decoder = model.decoder};
            double mse = evaluate_autoencoder(&as_ae, &test, 256, NULL, NULL, NULL);
            printf("semi-supervised, %d labels, %d epoch%s (%.1f s): test accuracy %.4f, test MSE %.5f\n", n_labelled,
                   epochs, epochs == 1 ? "" : "s", clock_seconds() - t0, acc_semi, mse);
            batcher_free(&unl);
            batcher_free(&lab);
            optim_free(adam);
            tensor_free(&xb);
            free(idx);
            free(yb);
        }
        tensor_free(&probe_x);
        two_heads_free(&model);
    }

    // ---- Step 10: results ----
    cli_step(&opt, 10, "results",
             "Test MSE of every reconstruction (lower is better), beside the notebook's final validation loss\n"
             "(which for B, D and E includes the L1 penalty) and against PCA with the same 64-number code.");
    printf("%-18s %9s %6s %10s %11s %12s %8s\n", "model", "params", "code", "test MSE", "vs PCA-64", "notebook",
           "seconds");
    printf("%-18s %9s %6d %10.5f %11s %12s %8s\n", "mean image", "-", 0, mse_mean_image, "-", "-", "-");
    printf("%-18s %9d %6d %10.5f %11s %12s %8.1f\n", "PCA-64", PCA_COMPONENTS * D + D, PCA_COMPONENTS, mse_pca,
           "1.00x", "-", pca_seconds);
    for (int m = 0; m < AE_COUNT + 1; m++) {
        Run *r = m < AE_COUNT ? &runs[m] : &deep;
        if (!r->trained) continue;
        char notebook[32] = "-";
        if (m < AE_COUNT) snprintf(notebook, sizeof notebook, "%.4f%s", r->ae.notebook_val_mse, r->ae.activity ? "*" : "");
        printf("%-18s %9zu %6d %10.5f %10.2fx %12s %8.1f\n", r->ae.title, ae_param_count(&r->ae), ae_code_size(&r->ae),
               r->test_mse, r->test_mse / mse_pca, notebook, r->seconds);
    }
    printf("(* includes the L1 penalty; \"vs PCA-64\" below 1 means better than PCA. Epochs here: ");
    for (int m = 0; m < AE_COUNT; m++) printf("%s %d%s", runs[m].ae.title, runs[m].epochs, m < AE_COUNT - 1 ? ", " : ")\n");
    if (!isnan(acc_pretrained) || !isnan(acc_semi)) {
        printf("\nclassification with %d labels (1%%): ", n_labelled);
        if (!isnan(acc_pretrained)) printf("pre-trained %.4f, from scratch %.4f", acc_pretrained, acc_scratch);
        if (!isnan(acc_semi)) printf("%ssemi-supervised %.4f", isnan(acc_pretrained) ? "" : ", ", acc_semi);
        printf("\n");
    }
    cli_result("test_mse_mean_image", mse_mean_image);
    cli_result("test_mse_pca64", mse_pca);
    for (int m = 0; m < AE_COUNT; m++) {
        char key[64];
        snprintf(key, sizeof key, "test_mse_%s", runs[m].ae.key);
        cli_result(key, runs[m].test_mse);
    }
    if (deep.trained) cli_result("test_mse_deep_conv", deep.test_mse);
    if (!isnan(acc_pretrained)) {
        cli_result("accuracy_pretrained_1pct", acc_pretrained);
        cli_result("accuracy_scratch_1pct", acc_scratch);
    }
    if (!isnan(acc_semi)) cli_result("accuracy_semisupervised_1pct", acc_semi);
    cli_result("seconds", clock_seconds() - t_start);

    for (int m = 0; m < AE_COUNT; m++) {
        ae_free(&runs[m].ae);
        free(runs[m].train_loss); free(runs[m].val_loss); free(runs[m].per_image); free(runs[m].codes);
    }
    ae_free(&deep.ae);
    free(deep.train_loss); free(deep.val_loss);
    pca_free(&pca);
    free(pca_codes); free(pca_recon); free(pca_per_image); free(mean_image); free(order);
    dataset_free(&labelled);
    dataset_free(&train);
    dataset_free(&test);
    return 0;
}
