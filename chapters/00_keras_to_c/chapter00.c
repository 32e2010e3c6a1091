// Chapter 00: From Keras to C, the building blocks.
//
// What this chapter teaches
//   Before the course's encoder-decoder networks, the pieces they are made of, in C: a tensor, a layer with a
//   forward and a backward pass, a check that the backward pass is right, a sequential net with a Keras-like
//   summary, a loss, an optimiser and a training loop. It ends with a small CNN classifier on Fashion-MNIST, the
//   model of the course's CNN weeks:
//
//     Keras                                          here
//     model = Sequential([                           Net *net = net_new("cnn", 1, 28, 28, &rng);
//       Conv2D(32, 3, padding='same',                net_add(net, conv2d_new(32, 3, 1, PAD_SAME));
//              activation='relu'),                   net_add(net, relu_new());
//       MaxPooling2D(2),                             net_add(net, maxpool2d_new(2, PAD_VALID));
//       Conv2D(64, 3, padding='same', ...),          ...
//       Flatten(), Dense(128, activation='relu'),
//       Dense(10, activation='softmax')])            net_add(net, dense_new(10));   (softmax fused in the loss)
//     model.compile('adam', 'sparse_categorical_crossentropy')
//     model.fit(x, y, epochs=5, batch_size=128)      the loop of step 4, written out
//
// Every other chapter copies this file's shape: parse flags, load data, numbered steps, figures, RESULT lines.
//
// How to run
//   make chapter00 && ./chapter00            about 2 minutes on 2 cores; figures in figures/chapter00/
//   ./chapter00 --quick                      a few seconds, on 2,000 training images (what the tests run)
//   ./chapter00 --help                       every flag
//
// What it leaves out on purpose
//   Data augmentation, learning-rate schedules and regularisation (dropout, batch-norm): the CNN reaches ~91% test
//   accuracy without them, and the later chapters use them where the lecture does.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "data.h"
#include "gradcheck.h"
#include "image.h"
#include "layers.h"
#include "loss.h"
#include "metrics.h"
#include "optim.h"
#include "plot.h"
#include "progress.h"

#define K 10    // classes

// The CNN of the course's CNN weeks: two conv blocks, then a dense classifier. Its last layer gives logits (N, K);
// the softmax is part of the loss (loss_softmax_cross_entropy) because that is numerically stabler.
static Net *build_cnn(Rng *rng) {
    Net *net = net_new("cnn", 1, 28, 28, rng);
    net_add(net, conv2d_new(32, 3, 1, PAD_SAME));    // (N, 32, 28, 28)
    net_add(net, relu_new());
    net_add(net, maxpool2d_new(2, PAD_VALID));       // (N, 32, 14, 14)
    net_add(net, conv2d_new(64, 3, 1, PAD_SAME));    // (N, 64, 14, 14)
    net_add(net, relu_new());
    net_add(net, maxpool2d_new(2, PAD_VALID));       // (N, 64, 7, 7)
    net_add(net, flatten_new());                     // (N, 3136)
    net_add(net, dense_new(128));                    // (N, 128)
    net_add(net, relu_new());
    net_add(net, dense_new(K));                      // (N, 10) logits
    return net;
}

// Forward the whole of `d` in batches (evaluation mode). Writes the predicted class of every sample into pred
// (may be NULL) and returns the mean cross-entropy.
static double evaluate(Net *net, const Dataset *d, int batch, int *pred) {
    Tensor xb = {0};
    int *yb = xmalloc((size_t)batch * sizeof(int));
    int *idx = xmalloc((size_t)batch * sizeof(int));
    double loss_sum = 0.0;
    for (int first = 0; first < d->count; first += batch) {
        int count = d->count - first < batch ? d->count - first : batch;
        for (int i = 0; i < count; i++) idx[i] = first + i;
        dataset_gather(&xb, yb, d, idx, count);
        const Tensor *logits = net_forward(net, &xb, false);        // (count, K)
        loss_sum += (double)loss_softmax_cross_entropy(NULL, logits, yb, NULL) * count;
        if (pred) metrics_argmax(pred + first, logits->data, count, K);
    }
    tensor_free(&xb);
    free(yb);
    free(idx);
    return loss_sum / d->count;
}

// Finite-difference check of one layer on a small random input; prints and returns the worst ratio (<= 1 passes).
static double check_one(Layer *l, int c, int h, int w, Rng *rng) {
    Tensor x;
    tensor_init(&x, 2, c, h, w);
    for (size_t i = 0; i < tensor_size(&x); i++) x.data[i] = rng_range(rng, -1.0f, 1.0f);
    layer_build(l, c, h, w, rng);
    GradCheckOptions opt = gradcheck_defaults();
    double worst = gradcheck_layer(l, &x, true, &opt, rng, NULL, 0);
    printf("  %-20s on (2, %d, %d, %d): worst |analytic - numeric| / tolerance = %.3f  %s\n", l->ops->kind, c, h,
           w, worst, worst <= 1.0 ? "ok" : "WRONG");
    layer_free(l);
    tensor_free(&x);
    return worst;
}

int main(int argc, char **argv) {
    Options opt = {.epochs = 5, .batch = 128, .seed = 42, .out_dir = "figures/chapter00"};
    const CliSpec spec = {
        .program = "chapter00",
        .title = "From Keras to C: layers, backward passes, a gradient check and a CNN on Fashion-MNIST",
        .about = "Builds a small CNN (Conv32-pool-Conv64-pool-Dense128-Dense10), checks every layer's backward pass\n"
                 "against finite differences, trains it with Adam and draws its curves, confusion matrix and\n"
                 "predictions. Default: 5 epochs on all 60,000 images, about 2 minutes on 2 cores.",
    };
    cli_parse(&opt, &spec, argc, argv);
    if (opt.quick && !opt.epochs_set) opt.epochs = 1;
    if (opt.full && !opt.epochs_set) opt.epochs = 15;
    double t_start = clock_seconds();
    char err[512];
    if (cli_mkdir_p(opt.out_dir, err, sizeof err) != 0) { fprintf(stderr, "chapter00: %s\n", err); return 1; }
    Rng rng;
    rng_seed(&rng, opt.seed);

    // ---- Step 1: data ----
    cli_step(&opt, 1, "load Fashion-MNIST",
             "70,000 grey 28x28 images of clothing in 10 classes; pixels scaled to [0, 1]. The test set doubles as\n"
             "validation, as in the course's notebooks.");
    Dataset train, test;
    if (fashion_mnist_load(opt.data_dir, opt.quick ? 2000 : 0, opt.quick ? 500 : 0, &train, &test, err,
                           sizeof err) != 0) {
        fprintf(stderr, "chapter00: %s\n", err);
        return 1;
    }
    printf("train x %s, test x (%d, 1, 28, 28)\n", tensor_shape_str(&train.x, err), test.count);
    {
        // The first 10 training images of each class, one class per row, framed in its colour.
        ImageGrid g;
        image_grid_init(&g, K, 10, 28, 28, 2);
        int filled[K] = {0};
        for (int i = 0; i < train.count; i++) {
            int y = train.y[i];
            if (filled[y] == 10) continue;
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

    // ---- Step 2: one layer, by hand ----
    cli_step(&opt, 2, "a layer is a forward and a backward pass",
             "A Dense layer computes y = x W + b. Backward gets dL/dy and returns dL/dx = dL/dy W^T, while adding\n"
             "dL/dW = x^T dL/dy and dL/db = sum of dL/dy to the parameters' gradients.");
    {
        float x[2] = {1.0f, 2.0f}, w[6] = {0.1f, 0.2f, 0.3f, -0.1f, 0.0f, 0.5f}, b[3] = {0.0f, 0.1f, -0.2f};
        float y[3], dy[3] = {1.0f, 0.0f, -1.0f}, dx[2], dw[6] = {0}, db[3] = {0};
        dense_forward(y, x, w, b, 1, 2, 3);                           // y = x W + b
        dense_backward(dx, dw, db, dy, x, w, 1, 2, 3);                // with dL/dy = dy
        printf("x = [1 2], W = [[.1 .2 .3] [-.1 0 .5]], b = [0 .1 -.2]\n");
        printf("y = x W + b          = [%.2f %.2f %.2f]\n", y[0], y[1], y[2]);
        printf("dL/dy                = [%.0f %.0f %.0f]\n", dy[0], dy[1], dy[2]);
        printf("dL/dx = dL/dy W^T    = [%.2f %.2f]\n", dx[0], dx[1]);
        printf("dL/dW = x^T dL/dy    = [[%.0f %.0f %.0f] [%.0f %.0f %.0f]]\n", dw[0], dw[1], dw[2], dw[3], dw[4],
               dw[5]);
    }

    // ---- Step 3: check every backward pass ----
    cli_step(&opt, 3, "gradient check: backward against finite differences",
             "For L = sum(r * layer(x)) with random r, nudge each input and weight by +-1e-3 and compare the slope\n"
             "(L(x+e) - L(x-e)) / 2e with what backward claims. Every layer of the CNN must pass before we train.");
    {
        double worst = 0.0;
        worst = fmax(worst, check_one(conv2d_new(4, 3, 1, PAD_SAME), 3, 6, 6, &rng));
        worst = fmax(worst, check_one(maxpool2d_new(2, PAD_VALID), 3, 6, 6, &rng));
        worst = fmax(worst, check_one(relu_new(), 3, 6, 6, &rng));
        worst = fmax(worst, check_one(flatten_new(), 3, 2, 2, &rng));
        worst = fmax(worst, check_one(dense_new(5), 12, 1, 1, &rng));
        if (worst > 1.0) {
            fprintf(stderr, "chapter00: a backward pass disagrees with finite differences; not training\n");
            return 1;
        }
    }

    // ---- Step 4: build and train the CNN ----
    cli_step(&opt, 4, "train a CNN classifier",
             "Adam (lr 1e-3, Keras's defaults), softmax cross-entropy, shuffled mini-batches. After each epoch the\n"
             "test set is run in evaluation mode for the validation curves.");
    Net *net = build_cnn(&rng);
    net_summary(net, stdout);
    Optimizer *adam = optim_adam_for(net, 1e-3f);
    Batcher batcher;
    batcher_init(&batcher, train.count, opt.batch, true);
    Tensor xb = {0}, dlogits = {0};
    int *yb = xmalloc((size_t)opt.batch * sizeof(int));
    float *train_loss = xcalloc((size_t)opt.epochs, sizeof(float)), *val_loss = xcalloc((size_t)opt.epochs, sizeof(float));
    float *train_acc = xcalloc((size_t)opt.epochs, sizeof(float)), *val_acc = xcalloc((size_t)opt.epochs, sizeof(float));
    int *pred = xmalloc((size_t)test.count * sizeof(int));
    double t_train = clock_seconds();
    for (int epoch = 0; epoch < opt.epochs; epoch++) {
        char label[48];
        snprintf(label, sizeof label, "Epoch %d/%d", epoch + 1, opt.epochs);
        Progress bar;
        progress_begin(&bar, label, train.count);
        batcher_start_epoch(&batcher, &rng);
        const int *idx;
        int count, right = 0;
        for (int b = 0; (count = batcher_next(&batcher, &idx)) > 0; b++) {
            dataset_gather(&xb, yb, &train, idx, count);                  // xb (count, 1, 28, 28), yb (count)
            const Tensor *logits = net_forward(net, &xb, true);           // (count, 10)
            float loss = loss_softmax_cross_entropy(&dlogits, logits, yb, NULL);
            loss_check_finite(loss, "cnn", epoch + 1, b + 1);
            for (int i = 0; i < count; i++) {                             // training accuracy, for the curves
                int best = 0;
                for (int k = 1; k < K; k++) if (logits->data[i * K + k] > logits->data[i * K + best]) best = k;
                right += best == yb[i];
            }
            net_zero_grad(net);                                           // gradients accumulate: clear them,
            net_backward(net, &dlogits);                                  // backpropagate dL/dlogits,
            optim_step(adam);                                             // and move every weight
            progress_update(&bar, count, loss);
        }
        val_loss[epoch] = (float)evaluate(net, &test, 256, pred);
        val_acc[epoch] = (float)metrics_accuracy(test.y, pred, test.count);
        train_acc[epoch] = (float)right / train.count;
        char extra[96];
        snprintf(extra, sizeof extra, "acc %.4f  val_loss %.4f  val_acc %.4f", train_acc[epoch], val_loss[epoch],
                 val_acc[epoch]);
        train_loss[epoch] = (float)progress_end(&bar, extra);
    }
    double train_seconds = clock_seconds() - t_train;

    // ---- Step 5: evaluate ----
    cli_step(&opt, 5, "evaluate on the test set",
             "Accuracy alone hides which classes are confused: the confusion matrix and the per-class report show\n"
             "that shirts, T-shirts, pullovers and coats are the hard ones.");
    evaluate(net, &test, 256, pred);
    double accuracy = metrics_accuracy(test.y, pred, test.count);
    int cm[K * K];
    metrics_confusion(cm, test.y, pred, test.count, K);
    MetricsReport report;
    metrics_report_init(&report, cm, K);
    metrics_print_report(stdout, &report, FASHION_MNIST_CLASSES, 4);
    metrics_report_free(&report);
    printf("test accuracy %.4f after %d epochs (%.1f s of training)\n", accuracy, opt.epochs, train_seconds);

    // ---- Step 6: figures ----
    cli_step(&opt, 6, "figures", NULL);
    {
        PlotSeries loss_series[2] = {{.name = "train", .y = train_loss, .n = opt.epochs},
                                     {.name = "validation (test set)", .y = val_loss, .n = opt.epochs}};
        PlotSeries acc_series[2] = {{.name = "train", .y = train_acc, .n = opt.epochs},
                                    {.name = "validation (test set)", .y = val_acc, .n = opt.epochs}};
        PlotPanel panels[2] = {{"loss", "cross-entropy", loss_series, 2}, {"accuracy", "accuracy", acc_series, 2}};
        if (plot_panels(opt.out_dir, "curves", "CNN on Fashion-MNIST", "epoch", panels, 2, err, sizeof err) != 0)
            fprintf(stderr, "warning: %s\n", err);
        if (plot_confusion(opt.out_dir, "confusion", "CNN: test-set confusion matrix", cm, FASHION_MNIST_CLASSES, K,
                           err, sizeof err) != 0)
            fprintf(stderr, "warning: %s\n", err);

        // 30 test images: the first 20 it got right (green frame), then the first 10 it got wrong (red frame).
        ImageGrid g;
        image_grid_init(&g, 3, 10, 28, 28, 3);
        int right = 0, wrong = 0;
        printf("predictions.png, bottom row (mistakes), true -> predicted:\n");
        for (int i = 0; i < test.count && (right < 20 || wrong < 10); i++) {
            bool ok = pred[i] == test.y[i];
            if (ok && right < 20) {
                image_grid_put_gray(&g, right / 10, right % 10, tensor_sample(&test.x, i));
                image_grid_frame(&g, right / 10, right % 10, 2);          // CLASS_COLORS[2] is green
                right++;
            } else if (!ok && wrong < 10) {
                image_grid_put_gray(&g, 2, wrong, tensor_sample(&test.x, i));
                image_grid_frame(&g, 2, wrong, 3);                        // CLASS_COLORS[3] is red
                printf("  %d: %s -> %s\n", wrong + 1, FASHION_MNIST_CLASSES[test.y[i]], FASHION_MNIST_CLASSES[pred[i]]);
                wrong++;
            }
        }
        char path[1024];
        snprintf(path, sizeof path, "%s/predictions.png", opt.out_dir);
        if (image_grid_write(&g, path, err, sizeof err) != 0) fprintf(stderr, "warning: %s\n", err);
        image_grid_free(&g);
        printf("wrote %s/{examples,predictions}.png and curves, confusion (.gp, .dat, .png)\n", opt.out_dir);
    }

    // ---- Step 7: results ----
    cli_step(&opt, 7, "results", NULL);
    cli_result("test_accuracy", accuracy);
    cli_result("train_seconds", train_seconds);
    cli_result("seconds", clock_seconds() - t_start);

    batcher_free(&batcher);
    optim_free(adam);
    net_free(net);
    tensor_free(&xb);
    tensor_free(&dlogits);
    free(yb); free(pred);
    free(train_loss); free(val_loss); free(train_acc); free(val_acc);
    dataset_free(&train);
    dataset_free(&test);
    return 0;
}
