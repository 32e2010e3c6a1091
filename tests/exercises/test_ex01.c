// test_ex01.c: the graded exercises of chapter 01 (chapters/01_autoencoders/exercises.c).
//
//   1.1  the conventional conv autoencoder: shapes, filters growing in the encoder and shrinking in the decoder,
//        outputs in [0, 1], and a short training run that lowers the loss
//   1.2  pre-training: the head's shapes, the encoder left as it was, one fine-tuning step checked against finite
//        differences of the classifier's loss (so the gradient must reach the encoder), and a short fine-tuning run
//        that beats chance on a small made-up 3-class problem
//   1.3  semi-supervised: the masked cross-entropy on hand-worked cases, an all-masked batch, huge logits and
//        finite differences; the two-headed backward, gradient-checked in every net (the encoder must get the sum
//        of both heads' gradients), with and without labels
//
// Everything runs on small made-up inputs, so the grading needs no data set and takes a few seconds.
#include <math.h>
#include <string.h>

#include "../../chapters/01_autoencoders/exercises.h"
#include "gradcheck.h"
#include "grading.h"
#include "loss.h"
#include "optim.h"

// ---- helpers ----

// n made-up images (n, 1, side, side) in [0, 1]: one soft blob each, at a random place (what an autoencoder can
// learn quickly).
static void blob_images(Tensor *x, int n, int side, Rng *rng) {
    tensor_init(x, n, 1, side, side);
    for (int i = 0; i < n; i++) {
        float cy = rng_range(rng, 0.3f * side, 0.7f * side), cx = rng_range(rng, 0.3f * side, 0.7f * side);
        float r = rng_range(rng, 0.12f * side, 0.25f * side);
        for (int y = 0; y < side; y++)
            for (int xx = 0; xx < side; xx++) {
                float d2 = ((y - cy) * (y - cy) + (xx - cx) * (xx - cx)) / (r * r);
                tensor_sample(x, i)[y * side + xx] = expf(-d2);
            }
    }
}

// A made-up 3-class problem on (1, 12, 12) images: a horizontal bar (class 0), a vertical bar (1), or a 3x3 square
// (2), at a random place, on noise.
static void bar_images(Tensor *x, int *labels, int n, Rng *rng) {
    tensor_init(x, n, 1, 12, 12);
    for (int i = 0; i < n; i++) {
        float *img = tensor_sample(x, i);
        for (int p = 0; p < 144; p++) img[p] = rng_range(rng, 0.0f, 0.2f);
        int cls = i % 3, a = 1 + (int)rng_below(rng, 8), b = 1 + (int)rng_below(rng, 4);
        labels[i] = cls;
        for (int t = 0; t < 6; t++) {
            if (cls == 0) img[a * 12 + b + t] = 1.0f;
            if (cls == 1) img[(b + t) * 12 + a] = 1.0f;
        }
        if (cls == 2)
            for (int y = 0; y < 3; y++)
                for (int xx = 0; xx < 3; xx++) img[(a + y) * 12 + b + xx] = 1.0f;
    }
}

static void fill_uniform(float *v, size_t n, float lo, float hi, Rng *rng) {
    for (size_t i = 0; i < n; i++) v[i] = rng_range(rng, lo, hi);
}

// The kinds of the layers of a net with filters (Conv2D, Conv2DTranspose): their output channels, in order.
static int conv_filters(const Net *net, int *filters, int max) {
    int n = 0;
    for (int i = 0; i < net->nlayers && n < max; i++) {
        const char *kind = net->layers[i]->ops->kind;
        if (strcmp(kind, "Conv2D") == 0 || strcmp(kind, "Conv2DTranspose") == 0) filters[n++] = net->layers[i]->out_c;
    }
    return n;
}

// Copy all parameter values of a net into one array (or back, when `back`); returns the count.
static size_t net_values(const Net *net, float *buf, bool back) {
    size_t used = 0;
    for (int i = 0; i < net->nlayers; i++)
        for (int p = 0; p < net->layers[i]->nparams; p++) {
            Param *pa = &net->layers[i]->params[p];
            if (back) memcpy(pa->value, buf + used, pa->size * sizeof(float));
            else memcpy(buf + used, pa->value, pa->size * sizeof(float));
            used += pa->size;
        }
    return used;
}

// ================================ 1.1 ===============================================================================

START_TEST(ex11_conv_autoencoder) {
    Rng rng;
    rng_seed(&rng, 11);
    Net *enc = NULL, *dec = NULL;
    ex_conv_autoencoder(&enc, &dec, &rng);
    ck_assert_msg(enc != NULL && dec != NULL, "ex_conv_autoencoder must set both *encoder and *decoder");
    ck_assert_msg(enc->in_c == 1 && enc->in_h == 28 && enc->in_w == 28, "the encoder's input must be (1, 28, 28)");
    int c, h, w;
    net_out_shape(enc, &c, &h, &w);
    ck_assert_msg(h < 28 && w < 28, "the code must be smaller than the image; the encoder gives (%d, %d, %d)", c, h, w);
    ck_assert_msg(dec->in_c == c && dec->in_h == h && dec->in_w == w,
                  "the decoder's input (%d, %d, %d) must be the encoder's output (%d, %d, %d)", dec->in_c, dec->in_h,
                  dec->in_w, c, h, w);
    int oc, oh, ow;
    net_out_shape(dec, &oc, &oh, &ow);
    ck_assert_msg(oc == 1 && oh == 28 && ow == 28, "the decoder must give (1, 28, 28), not (%d, %d, %d)", oc, oh, ow);

    // Filters grow with depth in the encoder, shrink back to 1 in the decoder.
    int ef[32], df[32];
    int ne = conv_filters(enc, ef, 32), nd = conv_filters(dec, df, 32);
    ck_assert_msg(ne >= 2, "the encoder needs at least two Conv2D layers, it has %d", ne);
    for (int i = 1; i < ne; i++)
        ck_assert_msg(ef[i] > ef[i - 1], "encoder filters must grow with depth: conv %d has %d, conv %d has %d", i + 1,
                      ef[i], i, ef[i - 1]);
    ck_assert_msg(nd >= 2, "the decoder needs at least two convolutions, it has %d", nd);
    for (int i = 1; i < nd; i++)
        ck_assert_msg(df[i] <= df[i - 1], "decoder filters must shrink towards the output (mirror the encoder): "
                      "conv %d has %d, conv %d has %d", i + 1, df[i], i, df[i - 1]);
    ck_assert_msg(df[nd - 1] == 1, "the decoder's last convolution must have 1 filter");

    // Outputs are pixels: in [0, 1] and finite, for any input in [0, 1].
    Tensor x;
    blob_images(&x, 8, 28, &rng);
    const Tensor *y = net_forward(dec, net_forward(enc, &x, false), false);
    for (size_t i = 0; i < tensor_size(y); i++)
        ck_assert_msg(isfinite(y->data[i]) && y->data[i] >= 0.0f && y->data[i] <= 1.0f,
                      "decoder output %zu is %g: end the decoder with a sigmoid", i, (double)y->data[i]);

    // A short training run on a few images (Adam, MSE, target = input) must lower the loss clearly.
    Tensor x4 = {0};
    tensor_slice(&x4, &x, 0, 4);
    dec->input_grad = true;
    ParamList params = {0};
    params_add_net(&params, enc);
    params_add_net(&params, dec);
    Optimizer *adam = optim_adam_new(params, 1e-2f);
    Tensor dy = {0};
    float first = 0.0f, last = 0.0f;
    for (int step = 0; step < 30; step++) {
        const Tensor *xhat = net_forward(dec, net_forward(enc, &x4, true), true);
        float loss = loss_mse(&dy, xhat, &x4);
        if (step == 0) first = loss;
        last = loss;
        net_zero_grad(enc);
        net_zero_grad(dec);
        net_backward(enc, net_backward(dec, &dy));
        optim_step(adam);
    }
    ck_assert_msg(isfinite(last) && last < 0.5f * first,
                  "30 Adam steps on 4 images took the MSE only from %g to %g (expected at least halved)",
                  (double)first, (double)last);
    optim_free(adam);
    tensor_free(&dy);
    tensor_free(&x);
    tensor_free(&x4);
    net_free(enc);
    net_free(dec);
}
END_TEST

// ================================ 1.2 ===============================================================================

// A small encoder for the 1.2 tests: (1, 12, 12) -> (4, 6, 6).
static Net *small_conv_encoder(Rng *rng) {
    Net *e = net_new("enc", 1, 12, 12, rng);
    net_add(e, conv2d_new(4, 3, 1, PAD_SAME));
    net_add(e, relu_new());
    net_add(e, maxpool2d_new(2, PAD_VALID));
    return e;
}

// The classifier's loss, computed here from the library: CE(head(encoder(x)), labels).
typedef struct {
    Net *enc, *head;
    const Tensor *x;
    const int *labels;
} ClassifierLoss;

static double classifier_loss(void *ctx) {
    ClassifierLoss *c = ctx;
    const Tensor *logits = net_forward(c->head, net_forward(c->enc, c->x, false), false);
    return loss_softmax_cross_entropy(NULL, logits, c->labels, NULL);
}

START_TEST(ex12_pretraining) {
    Rng rng;
    rng_seed(&rng, 12);

    // (a) The head: input = the encoder's output, output = K logits; the encoder untouched.
    Net *enc = small_conv_encoder(&rng);
    size_t nvalues = (size_t)net_param_count(enc);
    float *before = malloc(nvalues * sizeof(float)), *after = malloc(nvalues * sizeof(float));
    net_values(enc, before, false);
    int layers_before = enc->nlayers;
    Net *head = ex_classifier_head(enc, 3, &rng);
    ck_assert_msg(head != NULL, "ex_classifier_head returned NULL");
    ck_assert_msg(head->in_c == 4 && head->in_h == 6 && head->in_w == 6,
                  "the head's input must be the encoder's output (4, 6, 6), not (%d, %d, %d)", head->in_c, head->in_h,
                  head->in_w);
    int c, h, w;
    net_out_shape(head, &c, &h, &w);
    ck_assert_msg(c == 3 && h == 1 && w == 1, "the head must output K = 3 logits, not (%d, %d, %d)", c, h, w);
    ck_assert_msg(head->input_grad, "set head->input_grad: the encoder needs the head's dL/dcode");
    net_values(enc, after, false);
    ck_assert_msg(enc->nlayers == layers_before && memcmp(before, after, nvalues * sizeof(float)) == 0,
                  "ex_classifier_head must leave the (pre-trained) encoder as it was");
    net_free(head);
    Net *dense_enc = net_new("enc", 1, 12, 12, &rng);            // a vector code works the same way
    net_add(dense_enc, flatten_new());
    net_add(dense_enc, dense_new(7));
    head = ex_classifier_head(dense_enc, 10, &rng);
    ck_assert_msg(head != NULL, "ex_classifier_head returned NULL");
    net_out_shape(head, &c, &h, &w);
    ck_assert_msg(head->in_c == 7 && c == 10 && h == 1 && w == 1, "for a code (7) and K = 10 the head must map (7) "
                  "to (10), it maps (%d, %d, %d) to (%d, %d, %d)", head->in_c, head->in_h, head->in_w, c, h, w);
    net_free(head);
    net_free(dense_enc);

    // (b) One fine-tuning step with SGD (lr 1, no momentum) moves every weight by exactly -dL/dw, so the move must
    // match finite differences of the classifier's loss, for the head's weights and the encoder's alike. Stale
    // gradients are planted first: the step must clear them.
    Net *enc_b = net_new("enc", 1, 12, 12, &rng);            // smooth layers: accurate finite differences
    net_add(enc_b, conv2d_new(2, 3, 1, PAD_SAME));
    net_add(enc_b, tanh_new());
    Net *head2 = net_new("head", 2, 12, 12, &rng);
    net_add(head2, flatten_new());
    net_add(head2, dense_new(5));
    net_add(head2, tanh_new());
    net_add(head2, dense_new(3));
    head2->input_grad = true;
    Tensor x;
    int labels[6] = {0, 1, 2, 2, 1, 0};
    bar_images(&x, labels, 6, &rng);
    ClassifierLoss ctx = {enc_b, head2, &x, labels};
    double expected_loss = classifier_loss(&ctx);
    ParamList params = {0};
    params_add_net(&params, enc_b);
    params_add_net(&params, head2);
    for (int i = 0; i < params.count; i++) fill_uniform(params.items[i]->grad, params.items[i]->size, 5, 6, &rng);
    Optimizer *sgd = optim_sgd_new(params, 1.0f, 0.0f);
    size_t total = params_count(&sgd->params);
    float *w0 = malloc(total * sizeof(float)), *step = malloc(total * sizeof(float));
    size_t used = 0;
    for (int i = 0; i < sgd->params.count; i++) {
        memcpy(w0 + used, sgd->params.items[i]->value, sgd->params.items[i]->size * sizeof(float));
        used += sgd->params.items[i]->size;
    }
    Tensor dlogits = {0};
    float loss = ex_finetune_step(enc_b, head2, sgd, &x, labels, &dlogits);
    ck_assert_msg(fabs(loss - expected_loss) < 1e-4 * fmax(1.0, expected_loss),
                  "ex_finetune_step returned %g, the cross-entropy of the batch is %g", (double)loss, expected_loss);
    used = 0;
    for (int i = 0; i < sgd->params.count; i++) {         // the step taken: w0 - w1 = lr dL/dw; then back to w0
        Param *p = sgd->params.items[i];
        for (size_t j = 0; j < p->size; j++) step[used + j] = w0[used + j] - p->value[j];
        memcpy(p->value, w0 + used, p->size * sizeof(float));
        used += p->size;
    }
    bool moved_encoder = false;
    for (size_t j = 0; j < (size_t)net_param_count(enc_b); j++) moved_encoder |= step[j] != 0.0f;
    ck_assert_msg(moved_encoder, "the encoder's weights did not move: backpropagate the head's dL/dcode into the "
                  "encoder (fine-tuning), and include both nets in the step");
    GradCheckOptions opt = gradcheck_defaults();
    opt.atol = 1e-4f;
    opt.max_checks = 24;
    used = 0;
    for (int i = 0; i < sgd->params.count; i++) {
        Param *p = sgd->params.items[i];
        double worst = gradcheck_array(classifier_loss, &ctx, p->value, step + used, p->size, p->name, &opt, &rng);
        ck_assert_msg(worst <= 1.0, "parameter %d (%s) moved by %g x the finite-difference gradient: clear the "
                      "gradients first (net_zero_grad on both nets), then forward, loss, backward head and encoder, "
                      "and one optimiser step", i, p->name, worst);
        used += p->size;
    }
    optim_free(sgd);
    net_free(head2);
    net_free(enc_b);
    tensor_free(&x);

    // (c) Fine-tuning on 90 labelled images of 3 classes must beat chance (1/3) clearly on 60 new ones.
    Tensor xtrain, xtest;
    int ytrain[90], ytest[60];
    bar_images(&xtrain, ytrain, 90, &rng);
    bar_images(&xtest, ytest, 60, &rng);
    head = ex_classifier_head(enc, 3, &rng);
    ck_assert_msg(head != NULL, "ex_classifier_head returned NULL");
    ParamList both = {0};
    params_add_net(&both, enc);
    params_add_net(&both, head);
    Optimizer *adam = optim_adam_new(both, 3e-3f);
    Tensor xb = {0};
    for (int s = 0; s < 150; s++) {
        int first = (s * 30) % 90;
        tensor_slice(&xb, &xtrain, first, 30);
        ex_finetune_step(enc, head, adam, &xb, ytrain + first, &dlogits);
    }
    const Tensor *logits = net_forward(head, net_forward(enc, &xtest, false), false);
    int right = 0;
    for (int i = 0; i < 60; i++) {
        int best = 0;
        for (int k = 1; k < 3; k++) if (logits->data[i * 3 + k] > logits->data[i * 3 + best]) best = k;
        right += best == ytest[i];
    }
    ck_assert_msg(right >= 40, "after fine-tuning, %d of 60 test images right (chance: 20; expected at least 40)",
                  right);
    optim_free(adam);
    net_free(head);
    net_free(enc);
    tensor_free(&xtrain);
    tensor_free(&xtest);
    tensor_free(&xb);
    tensor_free(&dlogits);
    free(before);
    free(after);
    free(w0);
    free(step);
}
END_TEST

// ================================ 1.3 ===============================================================================

// The masked CE of the logits in ctx, for finite differences.
typedef struct {
    float *logits;
    const int *labels;
    int n, k;
} MaskedCe;

static double masked_ce_value(void *ctx) {
    MaskedCe *m = ctx;
    double sum = 0.0;                                  // computed here, independently: mean of -log softmax over M
    int count = 0;
    for (int i = 0; i < m->n; i++) {
        if (m->labels[i] < 0) continue;
        double denom = 0.0;
        for (int j = 0; j < m->k; j++) denom += exp((double)m->logits[i * m->k + j]);
        sum += log(denom) - m->logits[i * m->k + m->labels[i]];
        count++;
    }
    return count ? sum / count : 0.0;
}

// L = MSE(decoder(encoder(x)), x) + w CE(head(encoder(x)), labels), from the library's losses.
typedef struct {
    TwoHeads *m;
    const Tensor *x;
    const int *labels;
} TwoHeadLoss;

static double two_head_loss(void *ctx) {
    TwoHeadLoss *t = ctx;
    Tensor code = {0};
    tensor_copy(&code, net_forward(t->m->encoder, t->x, false));
    double mse = loss_mse(NULL, net_forward(t->m->decoder, &code, false), t->x);
    double ce = loss_softmax_cross_entropy(NULL, net_forward(t->m->head, &code, false), t->labels, NULL);
    tensor_free(&code);
    return mse + t->m->class_weight * ce;
}

// Check every parameter gradient of the three nets against finite differences of two_head_loss.
static void check_two_heads(TwoHeads *m, const Tensor *x, const int *labels, const char *when, Rng *rng) {
    TwoHeadLoss ctx = {m, x, labels};
    GradCheckOptions opt = gradcheck_defaults();
    opt.eps = 1e-2f;
    opt.atol = 2e-5f;
    opt.rtol = 2e-2f;
    opt.max_checks = 40;
    Net *nets[3] = {m->encoder, m->decoder, m->head};
    const char *names[3] = {"encoder", "decoder", "head"};
    for (int n = 0; n < 3; n++)
        for (int i = 0; i < nets[n]->nlayers; i++)
            for (int p = 0; p < nets[n]->layers[i]->nparams; p++) {
                Param *pa = &nets[n]->layers[i]->params[p];
                double worst = gradcheck_array(two_head_loss, &ctx, pa->value, pa->grad, pa->size, pa->name, &opt, rng);
                ck_assert_msg(worst <= 1.0, "%s: the %s's %s gradient is off by %.3g x the tolerance%s", when,
                              names[n], pa->name, worst,
                              n == 0 ? " (the encoder must get the SUM of the decoder's and the head's dL/dcode)"
                                     : (n == 2 ? " (scale dlogits by the class weight)" : ""));
            }
}

START_TEST(ex13_semisupervised) {
    // (a) The masked cross-entropy on a hand-worked case: rows 0 and 2 labelled, row 1 masked, M = 2.
    //   row 0: z = (1, 2, 3), y = 2: -log softmax = log(e + e^2 + e^3) - 3 = 0.4076059644
    //   row 2: z = (5, 1, -1), y = 0: -log softmax = 0.0205811389
    //   L = (0.4076059644 + 0.0205811389) / 2 = 0.2140935517
    float z[9] = {1, 2, 3, 0, 0, 0, 5, 1, -1}, dz[9];
    int y[3] = {2, -1, 0};
    for (int i = 0; i < 9; i++) dz[i] = NAN;               // the function must write every entry
    float L = ex_masked_cross_entropy(dz, z, y, 3, 3);
    ck_assert_msg(fabs(L - 0.2140935517) < 1e-5, "masked CE of the worked case: got %g, expected 0.2140936 (mean "
                  "over the M = 2 labelled rows only)", (double)L);
    const double expected[9] = {0.0450152866, 0.1223642355, -0.1673795221, 0, 0, 0,
                                -0.0101853964, 0.0089712674, 0.0012141290};   // (softmax - onehot) / M; 0 if masked
    for (int i = 0; i < 9; i++)
        ck_assert_msg(fabs(dz[i] - expected[i]) < 1e-5, "dlogits[%d] = %g, expected %g (row %d%s)", i, (double)dz[i],
                      expected[i], i / 3, i / 3 == 1 ? ": a masked row has a zero gradient" : "");
    ck_assert_msg(fabsf(ex_masked_cross_entropy(NULL, z, y, 3, 3) - L) < 1e-7f, "dlogits = NULL must be allowed");

    // All masked: 0, zero gradient, no NaN.
    int none[3] = {-1, -1, -1};
    for (int i = 0; i < 9; i++) dz[i] = NAN;
    L = ex_masked_cross_entropy(dz, z, none, 3, 3);
    ck_assert_msg(L == 0.0f, "an all-masked batch must give a loss of 0, not %g", (double)L);
    for (int i = 0; i < 9; i++) ck_assert_msg(dz[i] == 0.0f, "all masked: dlogits[%d] = %g, expected 0", i, (double)dz[i]);

    // Huge logits must not overflow: subtract the row's max before exp.
    float big[3] = {1000, 0, -1000};
    int y0[1] = {0}, y1[1] = {1};
    ck_assert_msg(fabsf(ex_masked_cross_entropy(dz, big, y0, 1, 3)) < 1e-4f, "logits (1000, 0, -1000), label 0: "
                  "the loss is ~0 (subtract the row's max before exp)");
    L = ex_masked_cross_entropy(dz, big, y1, 1, 3);
    ck_assert_msg(fabsf(L - 1000.0f) < 1e-2f && isfinite(dz[0]), "logits (1000, 0, -1000), label 1: the loss is "
                  "1000, got %g", (double)L);

    // Finite differences on random logits, 5 rows of which 3 are labelled.
    Rng rng;
    rng_seed(&rng, 13);
    float logits[20], grad[20];
    int labels[5] = {3, -1, 0, -1, 1};
    fill_uniform(logits, 20, -2, 2, &rng);
    ex_masked_cross_entropy(grad, logits, labels, 5, 4);
    MaskedCe mc = {logits, labels, 5, 4};
    GradCheckOptions gopt = gradcheck_defaults();
    gopt.max_checks = 0;
    gopt.atol = 1e-4f;
    ck_assert_msg(gradcheck_array(masked_ce_value, &mc, logits, grad, 20, "logits", &gopt, &rng) <= 1.0,
                  "the masked CE's gradient disagrees with finite differences of its value");

    // (b) The two-headed model on (1, 6, 6) images: encoder Flatten-Dense(5)-Tanh, decoder Dense(36)-Sigmoid-
    // Reshape, head Dense(3); smooth layers, so that finite differences are accurate.
    TwoHeads m = {.class_weight = 0.5f};
    m.encoder = net_new("encoder", 1, 6, 6, &rng);
    net_add(m.encoder, flatten_new());
    net_add(m.encoder, dense_new(5));
    net_add(m.encoder, tanh_new());
    m.decoder = net_new("decoder", 5, 1, 1, &rng);
    net_add(m.decoder, dense_new(36));
    net_add(m.decoder, sigmoid_new());
    net_add(m.decoder, reshape_new(1, 6, 6));
    m.head = net_new("head", 5, 1, 1, &rng);
    net_add(m.head, dense_new(3));
    Tensor x;
    tensor_init(&x, 4, 1, 6, 6);
    fill_uniform(x.data, tensor_size(&x), 0, 1, &rng);
    int semi[4] = {2, -1, 0, -1};
    TwoHeadLoss ctx = {&m, &x, semi};
    double expected_loss = two_head_loss(&ctx);
    net_zero_grad(m.encoder); net_zero_grad(m.decoder); net_zero_grad(m.head);
    L = ex_two_heads_backward(&m, &x, semi);
    ck_assert_msg(fabs(L - expected_loss) < 1e-5 * fmax(1.0, expected_loss),
                  "ex_two_heads_backward returned %g, expected MSE + w CE = %g", (double)L, expected_loss);
    ck_assert_msg(fabsf(m.mse + m.class_weight * m.ce - L) < 1e-5f, "store the two parts in m->mse and m->ce");
    check_two_heads(&m, &x, semi, "2 of 4 labelled", &rng);

    // No labels at all: the head gets nothing, the rest is a plain autoencoder; no NaN anywhere.
    net_zero_grad(m.encoder); net_zero_grad(m.decoder); net_zero_grad(m.head);
    int unl[4] = {-1, -1, -1, -1};
    L = ex_two_heads_backward(&m, &x, unl);
    ck_assert_msg(isfinite(L) && m.ce == 0.0f, "all masked: the CE part must be 0, got %g", (double)m.ce);
    for (int i = 0; i < m.head->nlayers; i++)
        for (int p = 0; p < m.head->layers[i]->nparams; p++)
            for (size_t j = 0; j < m.head->layers[i]->params[p].size; j++)
                ck_assert_msg(m.head->layers[i]->params[p].grad[j] == 0.0f, "all masked: the head's gradients must "
                              "stay 0");
    check_two_heads(&m, &x, unl, "all masked", &rng);
    tensor_free(&x);
    two_heads_free(&m);
}
END_TEST

static const Exercise EXERCISES[] = {
    {"1.1", "conventional conv autoencoder", 3,
     "encoder filters must grow with depth (e.g. 8-16-32), the decoder shrink back to 1 with a sigmoid; shapes "
     "(1,28,28) -> code -> (1,28,28)", TEST(ex11_conv_autoencoder)},
    {"1.2", "pre-training: head and fine-tuning step", 3,
     "the head maps the encoder's output shape to K logits with input_grad set; the step zeroes both nets' "
     "gradients, backpropagates the head's dL/dcode into the encoder and steps once", TEST(ex12_pretraining)},
    {"1.3", "semi-supervised: masked CE and two heads", 4,
     "mean over labelled rows only (0 when none); the encoder's gradient is the sum of the decoder's and the "
     "head's dL/dcode, with the head's scaled by the class weight", TEST(ex13_semisupervised)},
};

GRADE_MAIN("chapter01", EXERCISES)
