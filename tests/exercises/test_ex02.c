// test_ex02.c: the graded exercises of chapter 02 (chapters/02_multiple_outputs/exercises.c).
//
//   2.1  the weighted multi-task backward: a case worked out by hand, a head with weight 0, and a finite-difference
//        check of every parameter of a small two-headed net (conv trunk, a regression and a classification head)
//   2.2  the rotation: 0, 90, -90 and 180 degrees against exact index maps, one bright pixel moved by 90 and 45
//        degrees, a grown canvas, values kept in [0, 1]
//   2.3  uncertainty weighting: worked values, gradients added (not written), finite differences, the optimum
#include <math.h>

#include "../../chapters/02_multiple_outputs/exercises.h"
#include "gradcheck.h"
#include "grading.h"
#include "layers.h"
#include "loss.h"

// ================================================ 2.1 ===============================================================

// A net of one Dense layer (d_in -> d_out) whose kernel (d_in, d_out) and bias are set by hand.
static Net *dense_net(const char *name, int d_in, int d_out, const float *kernel, const float *bias, Rng *rng) {
    Net *net = net_new(name, d_in, 1, 1, rng);
    Layer *l = net_add(net, dense_new(d_out));
    for (int i = 0; i < d_in * d_out; i++) l->params[0].value[i] = kernel[i];
    for (int i = 0; i < d_out; i++) l->params[1].value[i] = bias[i];
    return net;
}

static void assert_close(const float *got, const float *want, int n, const char *what) {
    for (int i = 0; i < n; i++)
        ck_assert_msg(fabsf(got[i] - want[i]) <= 1e-4f + 1e-4f * fabsf(want[i]), "%s[%d] is %g, expected %g", what,
                      i, got[i], want[i]);
}

// The worked case:  x = [1 2];  trunk: feat = x I (identity Dense);  head A: out_A = feat [1 -1]^T;
// head B: out_B = feat [2 .5]^T.  dL_A/dout_A = 3, dL_B/dout_B = -2, L_A = 4, L_B = 1, weights [.5 2]:
//   L = .5*4 + 2*1 = 4;  dL/dout_A = 1.5, dL/dout_B = -4;
//   dL/dfeat = 1.5 [1 -1] + (-4) [2 .5] = [-6.5 -3.5];
//   head A: dW = feat^T 1.5 = [1.5 3], db = 1.5;  head B: dW = [-4 -8], db = -4;
//   trunk: dW = x^T dfeat = [[-6.5 -3.5] [-13 -7]], db = [-6.5 -3.5].
static void worked_case(const float weight[2], float *l_out, Tensor *dfeat, Net **nets, Tensor *dout) {
    static Rng rng;
    rng_seed(&rng, 1);
    const float eye[4] = {1, 0, 0, 1}, zero2[2] = {0, 0}, ka[2] = {1, -1}, kb[2] = {2, 0.5f}, zero1[1] = {0};
    nets[0] = dense_net("trunk", 2, 2, eye, zero2, &rng);
    nets[1] = dense_net("head_a", 2, 1, ka, zero1, &rng);
    nets[2] = dense_net("head_b", 2, 1, kb, zero1, &rng);
    nets[1]->input_grad = nets[2]->input_grad = true;
    Tensor x;
    tensor_init(&x, 1, 2, 1, 1);
    x.data[0] = 1;
    x.data[1] = 2;
    const Tensor *feat = net_forward(nets[0], &x, true);
    const Tensor *oa = net_forward(nets[1], feat, true), *ob = net_forward(nets[2], feat, true);
    ck_assert_msg(fabsf(oa->data[0] + 1) < 1e-6f && fabsf(ob->data[0] - 3) < 1e-6f, "test setup broken");
    tensor_init(&dout[0], 1, 1, 1, 1);
    tensor_init(&dout[1], 1, 1, 1, 1);
    dout[0].data[0] = 3;
    dout[1].data[0] = -2;
    // dfeat starts with stale values of the right shape: the exercise must overwrite them, not add to them.
    tensor_resize(dfeat, 1, 2, 1, 1);
    dfeat->data[0] = dfeat->data[1] = 100;
    for (int i = 0; i < 3; i++) net_zero_grad(nets[i]);
    Tensor *douts[2] = {&dout[0], &dout[1]};
    Net *heads[2] = {nets[1], nets[2]};
    const float losses[2] = {4, 1};
    *l_out = ex_multitask_backward(dfeat, douts, nets[0], heads, losses, weight, 2);
    tensor_free(&x);      // backward has run: the nets no longer need their input
}

static void check_worked_cases(void) {
    Net *nets[3];
    Tensor dfeat = {0}, dout[2] = {{0}};
    float total;

    // (a) the worked case above, value by value
    const float w[2] = {0.5f, 2.0f};
    worked_case(w, &total, &dfeat, nets, dout);
    ck_assert_msg(fabsf(total - 4.0f) < 1e-5f, "returned L = %g, expected 0.5*4 + 2*1 = 4", total);
    ck_assert_msg(fabsf(dout[0].data[0] - 1.5f) < 1e-5f && fabsf(dout[1].data[0] + 4.0f) < 1e-5f,
                  "dout after the call is [%g, %g], expected each head's gradient times its weight [1.5, -4]",
                  dout[0].data[0], dout[1].data[0]);
    ck_assert_msg(dfeat.n == 1 && tensor_sample_size(&dfeat) == 2, "dfeat should have the shape of feat (1, 2)");
    const float want_dfeat[2] = {-6.5f, -3.5f};
    assert_close(dfeat.data, want_dfeat, 2, "dL/dfeat (the sum over both heads)");
    const float want_ha_w[2] = {1.5f, 3.0f}, want_ha_b[1] = {1.5f}, want_hb_w[2] = {-4, -8}, want_hb_b[1] = {-4};
    assert_close(nets[1]->layers[0]->params[0].grad, want_ha_w, 2, "head A's kernel gradient");
    assert_close(nets[1]->layers[0]->params[1].grad, want_ha_b, 1, "head A's bias gradient");
    assert_close(nets[2]->layers[0]->params[0].grad, want_hb_w, 2, "head B's kernel gradient");
    assert_close(nets[2]->layers[0]->params[1].grad, want_hb_b, 1, "head B's bias gradient");
    const float want_t_w[4] = {-6.5f, -3.5f, -13, -7}, want_t_b[2] = {-6.5f, -3.5f};
    assert_close(nets[0]->layers[0]->params[0].grad, want_t_w, 4, "trunk's kernel gradient (did the trunk run "
                 "backward from the summed dL/dfeat?)");
    assert_close(nets[0]->layers[0]->params[1].grad, want_t_b, 2, "trunk's bias gradient");
    for (int i = 0; i < 3; i++) net_free(nets[i]);
    for (int i = 0; i < 2; i++) tensor_free(&dout[i]);

    // (b) weight 0 on head A: only head B reaches the trunk, and head A learns nothing
    const float w0[2] = {0.0f, 1.0f};
    worked_case(w0, &total, &dfeat, nets, dout);
    ck_assert_msg(fabsf(total - 1.0f) < 1e-5f, "with weights [0, 1] L should be L_B = 1, got %g", total);
    const float want_dfeat0[2] = {-4.0f, -1.0f}, zeros[2] = {0, 0};
    assert_close(dfeat.data, want_dfeat0, 2, "dL/dfeat with weights [0, 1]");
    assert_close(nets[1]->layers[0]->params[0].grad, zeros, 2, "head A's kernel gradient with weight 0");
    for (int i = 0; i < 3; i++) net_free(nets[i]);
    for (int i = 0; i < 2; i++) tensor_free(&dout[i]);
    tensor_free(&dfeat);
}

// A small two-headed net for the finite-difference check:
//   x (3, 1, 5, 5) -> Conv2D(2, 3x3 valid) tanh Flatten -> feat (3, 18)
//   head 0: Dense(4) tanh Dense(1)  -> MSE against t (3, 1)
//   head 1: Dense(3)                -> softmax cross-entropy against labels (3)
//   L = 0.7 L_0 + 1.9 L_1
typedef struct {
    Net *trunk, *heads[2];
    Tensor x, t, dout[2], dfeat;
    int labels[3];
    float w[2];
} TwoHeads;

static double two_heads_loss(void *ctx) {
    TwoHeads *m = ctx;
    const Tensor *feat = net_forward(m->trunk, &m->x, true);
    float l0 = loss_mse(NULL, net_forward(m->heads[0], feat, true), &m->t);
    float l1 = loss_softmax_cross_entropy(NULL, net_forward(m->heads[1], feat, true), m->labels, NULL);
    return (double)m->w[0] * l0 + (double)m->w[1] * l1;
}

static void check_finite_differences(void) {
    Rng rng;
    rng_seed(&rng, 7);
    TwoHeads m = {.w = {0.7f, 1.9f}, .labels = {2, 0, 1}};
    m.trunk = net_new("trunk", 1, 5, 5, &rng);
    net_add(m.trunk, conv2d_new(2, 3, 1, PAD_VALID));
    net_add(m.trunk, tanh_new());
    net_add(m.trunk, flatten_new());
    m.heads[0] = net_new("regression", 18, 1, 1, &rng);
    net_add(m.heads[0], dense_new(4));
    net_add(m.heads[0], tanh_new());
    net_add(m.heads[0], dense_new(1));
    m.heads[1] = net_new("classes", 18, 1, 1, &rng);
    net_add(m.heads[1], dense_new(3));
    m.heads[0]->input_grad = m.heads[1]->input_grad = true;
    tensor_init(&m.x, 3, 1, 5, 5);
    for (size_t i = 0; i < tensor_size(&m.x); i++) m.x.data[i] = rng_range(&rng, -1, 1);
    tensor_init(&m.t, 3, 1, 1, 1);
    for (int i = 0; i < 3; i++) m.t.data[i] = rng_range(&rng, -1, 1);

    // Analytic: forward, the two losses with their gradients, then the exercise.
    const Tensor *feat = net_forward(m.trunk, &m.x, true);
    float loss[2];
    loss[0] = loss_mse(&m.dout[0], net_forward(m.heads[0], feat, true), &m.t);
    loss[1] = loss_softmax_cross_entropy(&m.dout[1], net_forward(m.heads[1], feat, true), m.labels, NULL);
    net_zero_grad(m.trunk);
    net_zero_grad(m.heads[0]);
    net_zero_grad(m.heads[1]);
    Tensor *douts[2] = {&m.dout[0], &m.dout[1]};
    float total = ex_multitask_backward(&m.dfeat, douts, m.trunk, m.heads, loss, m.w, 2);
    double want = m.w[0] * loss[0] + m.w[1] * loss[1];
    ck_assert_msg(fabs(total - want) < 1e-5 * (1 + fabs(want)), "returned L = %g, expected w0 L0 + w1 L1 = %g",
                  total, want);

    // Numeric: nudge every parameter of every net (all of them: max_checks 0) and compare.
    GradCheckOptions opt = gradcheck_defaults();
    opt.max_checks = 0;
    Net *nets[3] = {m.trunk, m.heads[0], m.heads[1]};
    for (int k = 0; k < 3; k++)
        for (int li = 0; li < nets[k]->nlayers; li++) {
            Layer *l = nets[k]->layers[li];
            for (int p = 0; p < l->nparams; p++) {
                char what[96];
                snprintf(what, sizeof what, "%s/%s/%s", nets[k]->name, l->name, l->params[p].name);
                double worst = gradcheck_array(two_heads_loss, &m, l->params[p].value, l->params[p].grad,
                                               l->params[p].size, what, &opt, &rng);
                ck_assert_msg(worst <= 1.0, "%s: gradient disagrees with finite differences (worst ratio %g)%s",
                              what, worst, k == 0 ? "; the trunk needs the SUM of both heads' input gradients" : "");
            }
        }
    for (int k = 0; k < 3; k++) net_free(nets[k]);
    tensor_free(&m.x);
    tensor_free(&m.t);
    tensor_free(&m.dout[0]);
    tensor_free(&m.dout[1]);
    tensor_free(&m.dfeat);
}

START_TEST(multitask_backward) {
    check_worked_cases();
    check_finite_differences();
}
END_TEST

// ================================================ 2.2 ===============================================================

static void fill_random(float *a, int n, Rng *rng) {
    for (int i = 0; i < n; i++) a[i] = rng_uniform(rng);
}

static void fill_nan(float *a, int n) {
    for (int i = 0; i < n; i++) a[i] = NAN;
}

START_TEST(rotate_image) {
    Rng rng;
    rng_seed(&rng, 3);
    float in[9 * 9], out[13 * 13];

    // 0 degrees leaves any image, square or not, as it was.
    fill_random(in, 7 * 9, &rng);
    fill_nan(out, 7 * 9);
    ex_rotate(out, in, 7, 9, 7, 9, 0.0f);
    for (int i = 0; i < 7 * 9; i++)
        ck_assert_msg(fabsf(out[i] - in[i]) < 1e-5f, "0 degrees on a 7x9 image: pixel %d is %g, expected %g", i,
                      out[i], in[i]);

    // 90, -90 and 180 degrees on a square image are exact index maps (counter-clockwise for positive angles).
    const int n = 6;
    fill_random(in, n * n, &rng);
    const float angles[3] = {90.0f, -90.0f, 180.0f};
    for (int a = 0; a < 3; a++) {
        fill_nan(out, n * n);
        ex_rotate(out, in, n, n, n, n, angles[a]);
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++) {
                float want = a == 0 ? in[x * n + (n - 1 - y)]                  // np.rot90: top-right -> top-left
                           : a == 1 ? in[(n - 1 - x) * n + y]                  // clockwise
                                    : in[(n - 1 - y) * n + (n - 1 - x)];       // upside down
                ck_assert_msg(fabsf(out[y * n + x] - want) < 1e-4f,
                              "%g degrees on a 6x6 image: out[%d][%d] is %g, expected %g (positive angles turn "
                              "counter-clockwise: out[y][x] = in[x][w-1-y] at 90)", angles[a], y, x,
                              out[y * n + x], want);
            }
    }

    // One bright pixel, 3 right of and 3 above the centre of an 11x11 image (row 2, column 8).
    float dot[11 * 11] = {0}, turned[11 * 11];
    dot[2 * 11 + 8] = 1.0f;
    ex_rotate(turned, dot, 11, 11, 11, 11, 90.0f);                 // a quarter turn left: to row 2, column 2
    ck_assert_msg(fabsf(turned[2 * 11 + 2] - 1.0f) < 1e-4f, "90 degrees: the pixel at (2, 8) should land on "
                  "(2, 2), which holds %g", turned[2 * 11 + 2]);
    ex_rotate(turned, dot, 11, 11, 11, 11, 45.0f);                 // an eighth: straight above the centre,
    double sum = 0, cy = 0, cx = 0;                                // 3 sqrt(2) = 4.24 rows up: (0.76, 5)
    for (int y = 0; y < 11; y++)
        for (int x = 0; x < 11; x++) {
            float v = turned[y * 11 + x];
            ck_assert_msg(v >= -1e-6f && v <= 1.0f + 1e-6f, "45 degrees: out[%d][%d] = %g is outside [0, 1]", y, x, v);
            sum += v;
            cy += v * y;
            cx += v * x;
        }
    ck_assert_msg(sum > 0.5, "45 degrees: the bright pixel vanished (total brightness %g)", sum);
    cy /= sum;
    cx /= sum;
    ck_assert_msg(fabs(cy - (5 - 3 * sqrt(2.0))) < 0.25 && fabs(cx - 5) < 0.25,
                  "45 degrees: the bright pixel's centre of mass is at (%.2f, %.2f), expected (0.76, 5.00)", cy, cx);

    // A grown canvas: a 9x9 image into 13x13 keeps its centre on the centre, and what lies outside is black.
    float centre[9 * 9] = {0};
    centre[4 * 9 + 4] = 1.0f;
    fill_nan(out, 13 * 13);
    ex_rotate(out, centre, 9, 9, 13, 13, 0.0f);
    for (int i = 0; i < 13 * 13; i++)
        ck_assert_msg(fabsf(out[i] - (i == 6 * 13 + 6 ? 1.0f : 0.0f)) < 1e-5f, "9x9 into a 13x13 canvas at 0 "
                      "degrees: out[%d][%d] is %g (the centres (4, 4) and (6, 6) must coincide)", i / 13, i % 13,
                      out[i]);

    // Random images and angles: every value stays in [0, 1], and the picture does not go missing.
    for (int trial = 0; trial < 20; trial++) {
        fill_random(in, 9 * 9, &rng);
        fill_nan(out, 13 * 13);
        float deg = rng_range(&rng, -180, 180);
        ex_rotate(out, in, 9, 9, 13, 13, deg);
        double s_in = 0, s_out = 0;
        for (int i = 0; i < 9 * 9; i++) s_in += in[i];
        for (int i = 0; i < 13 * 13; i++) {
            ck_assert_msg(out[i] >= -1e-6f && out[i] <= 1.0f + 1e-6f, "%.1f degrees: out[%d] = %g is outside [0, 1] "
                          "(bilinear weights are >= 0 and sum to 1)", deg, i, out[i]);
            s_out += out[i];
        }
        ck_assert_msg(s_out > 0.8 * s_in && s_out < 1.2 * s_in, "%.1f degrees into a canvas that holds the whole "
                      "image: total brightness %g, the input's %g", deg, s_out, s_in);
    }
}
END_TEST

// ================================================ 2.3 ===============================================================

typedef struct {
    float s[3], loss[3];
} Uncertainty;

static double uncertainty_value(void *ctx) {
    Uncertainty *u = ctx;
    float w[3], ds[3] = {0};
    return ex_uncertainty_loss(w, ds, u->s, u->loss, 3);
}

START_TEST(uncertainty_loss) {
    // Worked values: s = [0, ln 2, -1], L_i = [3, 0.5, 0.2]
    //   L = (1*3 + 0) + (0.5*0.5 + ln 2) + (e*0.2 - 1) = 3.486803
    //   w = exp(-s) = [1, 0.5, e];  dL/ds = 1 - w L_i = [-2, 0.75, 0.456344]
    Uncertainty u = {.s = {0.0f, logf(2.0f), -1.0f}, .loss = {3.0f, 0.5f, 0.2f}};
    float w[3] = {0}, ds[3] = {0.5f, 0.5f, 0.5f};
    float total = ex_uncertainty_loss(w, ds, u.s, u.loss, 3);
    ck_assert_msg(fabsf(total - 3.486803f) < 1e-4f, "L = %g, expected sum_i exp(-s_i) L_i + s_i = 3.486803", total);
    const float want_w[3] = {1.0f, 0.5f, 2.718282f}, want_ds[3] = {-1.5f, 1.25f, 0.956344f};
    for (int i = 0; i < 3; i++) {
        ck_assert_msg(fabsf(w[i] - want_w[i]) < 1e-4f, "weight[%d] = %g, expected exp(-s) = %g", i, w[i], want_w[i]);
        ck_assert_msg(fabsf(ds[i] - want_ds[i]) < 1e-4f, "dlog_var[%d] = %g, expected 0.5 (already there) + "
                      "1 - exp(-s) L = %g: the gradient is ADDED", i, ds[i], want_ds[i]);
    }

    // Finite differences of L in s.
    for (int i = 0; i < 3; i++) ds[i] = 0.0f;
    ex_uncertainty_loss(w, ds, u.s, u.loss, 3);
    Rng rng;
    rng_seed(&rng, 5);
    GradCheckOptions opt = gradcheck_defaults();
    opt.max_checks = 0;
    double worst = gradcheck_array(uncertainty_value, &u, u.s, ds, 3, "log_var", &opt, &rng);
    ck_assert_msg(worst <= 1.0, "dL/ds disagrees with finite differences (worst ratio %g)", worst);

    // At s_i = ln L_i the gradient vanishes: each task ends up weighted by 1 / L_i.
    Uncertainty opt_u = {.s = {logf(3.0f), logf(0.5f), logf(0.2f)}, .loss = {3.0f, 0.5f, 0.2f}};
    for (int i = 0; i < 3; i++) ds[i] = 0.0f;
    ex_uncertainty_loss(w, ds, opt_u.s, opt_u.loss, 3);
    for (int i = 0; i < 3; i++)
        ck_assert_msg(fabsf(ds[i]) < 1e-5f, "at s = ln L the gradient should be 0, dlog_var[%d] = %g", i, ds[i]);
}
END_TEST

static const Exercise EXERCISES[] = {
    {"2.1", "weighted multi-task loss and its backward", 4,
     "scale each dout[i] by weight[i], run each head's backward, ADD the heads' input gradients into dfeat (copy "
     "the first, add the rest), then run the trunk's backward from that sum; return sum_i w_i L_i",
     TEST(multitask_backward)},
    {"2.2", "rotate an image about its centre (bilinear)", 3,
     "loop over OUTPUT pixels and map each back into the input; positive angles turn counter-clockwise, so 90 "
     "degrees sends the top-right corner to the top-left; use floor(), and count neighbours outside as 0",
     TEST(rotate_image)},
    {"2.3", "uncertainty weighting: learned log-variances", 3,
     "weight[i] = exp(-s_i); L = sum_i exp(-s_i) L_i + s_i; ADD 1 - exp(-s_i) L_i into dlog_var[i]",
     TEST(uncertainty_loss)},
};
GRADE_MAIN("chapter02", EXERCISES)
