// test_train.c: the optimisers and the Net together: quadratics go down, an MLP learns XOR, a seed fixes a run,
// and the summary counts parameters as Keras does.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "layers/activations.h"
#include "layers/dense.h"
#include "loss.h"
#include "net.h"
#include "optim.h"

// f(w) = sum_i c_i (w_i - 3)^2 with curvatures c = 1..4: minimum at w = 3. Run `steps` steps, return f.
static float minimise_quadratic(OptimKind kind, float lr, int steps) {
    float w[4] = {0, 0, 0, 0}, g[4];
    Param p = {.name = "w", .value = w, .grad = g, .size = 4};
    ParamList pl = {0};
    pl.items = malloc(sizeof(Param *));
    pl.items[0] = &p;
    pl.count = pl.cap = 1;
    Optimizer *opt = kind == OPTIM_ADAM ? optim_adam_new(pl, lr)
                   : kind == OPTIM_RMSPROP ? optim_rmsprop_new(pl, lr) : optim_sgd_new(pl, lr, 0.9f);
    float f = 0;
    for (int s = 0; s < steps; s++) {
        for (int i = 0; i < 4; i++) g[i] = 2.0f * (i + 1) * (w[i] - 3.0f);
        optim_step(opt);
    }
    for (int i = 0; i < 4; i++) f += (i + 1) * (w[i] - 3.0f) * (w[i] - 3.0f);
    optim_free(opt);
    return f;
}

START_TEST(optimisers_reduce_a_quadratic) {
    // f starts at 9 * (1+2+3+4) = 90.
    ck_assert_float_lt(minimise_quadratic(OPTIM_SGD, 0.01f, 300), 1e-3f);
    ck_assert_float_lt(minimise_quadratic(OPTIM_ADAM, 0.1f, 500), 1e-2f);
    ck_assert_float_lt(minimise_quadratic(OPTIM_RMSPROP, 0.01f, 1000), 1e-2f);
}
END_TEST

START_TEST(adam_first_step_is_lr) {
    // With bias correction, Adam's first step moves each weight by lr * sign(g) (up to eps), whatever |g|.
    float w[2] = {1, 1}, g[2] = {0.1f, -50.0f};
    Param p = {.name = "w", .value = w, .grad = g, .size = 2};
    ParamList pl = {0};
    pl.items = malloc(sizeof(Param *));
    pl.items[0] = &p;
    pl.count = pl.cap = 1;
    Optimizer *opt = optim_adam_new(pl, 0.01f);
    optim_step(opt);
    ck_assert_float_eq_tol(w[0], 0.99f, 1e-5f);
    ck_assert_float_eq_tol(w[1], 1.01f, 1e-5f);
    optim_free(opt);
}
END_TEST

// Train a 2-8-1 tanh MLP on XOR with BCE for `epochs` full-batch steps; losses[e] receives each epoch's loss.
static float train_xor(uint64_t seed, int epochs, float *losses, float *accuracy) {
    Rng rng; rng_seed(&rng, seed);
    Net *net = net_new("xor", 2, 1, 1, &rng);
    net_add(net, dense_new(8));
    net_add(net, tanh_new());
    net_add(net, dense_new(1));
    Optimizer *opt = optim_adam_for(net, 0.05f);
    Tensor x, y, dy = {0};
    tensor_init(&x, 4, 2, 1, 1);
    tensor_init(&y, 4, 1, 1, 1);
    float xs[8] = {0, 0, 0, 1, 1, 0, 1, 1}, ys[4] = {0, 1, 1, 0};
    memcpy(x.data, xs, sizeof xs);
    memcpy(y.data, ys, sizeof ys);
    float loss = 0;
    for (int e = 0; e < epochs; e++) {
        const Tensor *z = net_forward(net, &x, true);
        loss = loss_bce_logits(&dy, z, &y);
        if (losses) losses[e] = loss;
        net_zero_grad(net);
        net_backward(net, &dy);
        optim_step(opt);
    }
    const Tensor *z = net_forward(net, &x, false);
    int right = 0;
    for (int i = 0; i < 4; i++) right += (z->data[i] > 0) == (ys[i] > 0.5f);
    *accuracy = right / 4.0f;
    optim_free(opt);
    net_free(net);
    tensor_free(&x); tensor_free(&y); tensor_free(&dy);
    return loss;
}

START_TEST(mlp_learns_xor) {
    float accuracy;
    float loss = train_xor(1, 500, NULL, &accuracy);
    ck_assert_float_lt(loss, 0.05f);
    ck_assert_float_eq(accuracy, 1.0f);
}
END_TEST

START_TEST(seed_fixes_the_run) {
    float a[50], b[50], c[50], acc;
    train_xor(42, 50, a, &acc);
    train_xor(42, 50, b, &acc);
    train_xor(43, 50, c, &acc);
    ck_assert_mem_eq(a, b, sizeof a);                  // bit for bit
    ck_assert(memcmp(a, c, sizeof a) != 0);            // and another seed is another run
}
END_TEST

START_TEST(summary_counts_like_keras) {
    // The course's dense autoencoder 784-256-128-64-128-256-784 has 484,944 parameters.
    Rng rng; rng_seed(&rng, 1);
    Net *net = net_new("dense_autoencoder", 784, 1, 1, &rng);
    int units[6] = {256, 128, 64, 128, 256, 784};
    for (int i = 0; i < 6; i++) {
        net_add(net, dense_new(units[i]));
        net_add(net, i == 5 ? sigmoid_new() : relu_new());
    }
    ck_assert_uint_eq(net_param_count(net), 484944);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    net_summary(net, f);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(text, "Total params: 484,944"));
    ck_assert_ptr_nonnull(strstr(text, "dense_5 (Dense)"));         // Keras-style names
    ck_assert_ptr_nonnull(strstr(text, "re_lu_4 (ReLU)"));
    ck_assert_ptr_nonnull(strstr(text, "(None, 784)"));
    free(text);
    net_free(net);
}
END_TEST

static Suite *train_suite(void) {
    Suite *s = suite_create("train");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, optimisers_reduce_a_quadratic);
    tcase_add_test(tc, adam_first_step_is_lr);
    tcase_add_test(tc, mlp_learns_xor);
    tcase_add_test(tc, seed_fixes_the_run);
    tcase_add_test(tc, summary_counts_like_keras);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(train_suite)
