// test_ex04.c: the graded exercises of chapter 04 (chapters/04_vae/exercises.c), run by `make grade`.
//
// Each exercise is checked on behaviour: worked values computed by hand, finite differences of the student's own
// forward function against the student's backward, and (for the KL terms) agreement with the library's
// loss_kl_normal. The messages of the assertions say what to look at.
#include <math.h>

#include "../../chapters/04_vae/exercises.h"
#include "exercise.h"
#include "gradcheck.h"
#include "grading.h"
#include "loss.h"

#define NZ 6        // N = 3 images, Z = 2 latent dimensions in the random checks

// Random mu, logvar in [-1.5, 1.5] and eps ~ N(0, 1), from a fixed seed.
static void random_latents(float *mu, float *logvar, float *eps, int n, uint64_t seed) {
    Rng rng;
    rng_seed(&rng, seed);
    for (int i = 0; i < n; i++) {
        mu[i] = rng_range(&rng, -1.5f, 1.5f);
        logvar[i] = rng_range(&rng, -1.5f, 1.5f);
        if (eps) eps[i] = rng_normal(&rng);
    }
}

// ---- 4.1 the sampling step ----

// L = sum_i r_i z_i with z = ex_sample_forward(mu, logvar, eps), so that dL/dz = r.
typedef struct {
    float *mu, *logvar, *eps, *r;
} SampleCtx;

static double sample_objective(void *p) {
    SampleCtx *c = p;
    float z[NZ];
    ex_sample_forward(z, c->mu, c->logvar, c->eps, 3, 2);
    double sum = 0.0;
    for (int i = 0; i < NZ; i++) sum += (double)c->r[i] * z[i];
    return sum;
}

START_TEST(sampling) {
    // Worked values, N = 2, Z = 2: sigma = exp(logvar / 2) is 1, 2, 1, 0.5.
    float mu[4] = {0.0f, 1.0f, -2.0f, 0.5f};
    float logvar[4] = {0.0f, logf(4.0f), 0.0f, logf(0.25f)};
    float eps[4] = {-1.0f, 0.5f, 0.0f, 2.0f};
    float z[4] = {NAN, NAN, NAN, NAN};
    const float want[4] = {-1.0f, 2.0f, -2.0f, 1.5f};
    ex_sample_forward(z, mu, logvar, eps, 2, 2);
    ck_assert_msg(!exercise_pending("4.1"), "exercise 4.1 is not done yet");
    ck_assert_msg(fabsf(z[1] - 3.0f) > 1e-3f,
                  "z = 3 for mu = 1, logvar = log 4, eps = 0.5: you used exp(logvar), the variance, as sigma; "
                  "sigma = exp(logvar / 2)");
    for (int i = 0; i < 4; i++)
        ck_assert_msg(fabsf(z[i] - want[i]) < 1e-5f, "forward: z[%d] = %g, expected %g (mu = %g, logvar = %g, "
                      "eps = %g): z = mu + exp(logvar / 2) * eps", i, z[i], want[i], mu[i], logvar[i], eps[i]);

    // Backward on random values: dmu and dlogvar must be written (=), whatever the arrays held before ...
    float m[NZ], lv[NZ], e[NZ], r[NZ], dmu[NZ], dlogvar[NZ];
    random_latents(m, lv, e, NZ, 11);
    random_latents(r, dmu, NULL, NZ, 12);                     // r = dL/dz, random
    for (int i = 0; i < NZ; i++) { dmu[i] = 7.0f; dlogvar[i] = 7.0f; }
    ex_sample_backward(dmu, dlogvar, r, lv, e, 3, 2);
    for (int i = 0; i < NZ; i++) {
        float want_dlv = r[i] * e[i] * 0.5f * expf(0.5f * lv[i]);
        ck_assert_msg(fabsf(dmu[i] - r[i]) < 1e-5f, "backward: dmu[%d] = %g, expected dz = %g (write dmu, do not "
                      "add to it)", i, dmu[i], r[i]);
        ck_assert_msg(fabsf(dlogvar[i] - want_dlv) < 1e-4f * (1.0f + fabsf(want_dlv)),
                      "backward: dlogvar[%d] = %g, expected dz * eps * exp(logvar/2) / 2 = %g (write, do not add; "
                      "mind the 1/2 from the exponent logvar / 2)", i, dlogvar[i], want_dlv);
    }
    // ... and agree with finite differences of the forward pass.
    SampleCtx ctx = {m, lv, e, r};
    GradCheckOptions opt = gradcheck_defaults();
    opt.max_checks = 0;
    Rng rng;
    rng_seed(&rng, 13);
    double worst_mu = gradcheck_array(sample_objective, &ctx, m, dmu, NZ, "mu", &opt, &rng);
    double worst_lv = gradcheck_array(sample_objective, &ctx, lv, dlogvar, NZ, "logvar", &opt, &rng);
    ck_assert_msg(worst_mu <= 1.0, "dmu disagrees with finite differences (worst ratio %.2f)", worst_mu);
    ck_assert_msg(worst_lv <= 1.0, "dlogvar disagrees with finite differences (worst ratio %.2f)", worst_lv);
}
END_TEST

// ---- 4.2 the KL term ----

typedef struct {
    float *mu, *logvar;
    int N, Z;
    float beta;             // 4.3: the weighted term; 0 for 4.2
} KlCtx;

static double kl_objective(void *p) {
    KlCtx *c = p;
    if (c->beta != 0.0f) return ex_beta_kl(NULL, NULL, c->mu, c->logvar, c->N, c->Z, c->beta);
    return ex_kl_term(NULL, NULL, c->mu, c->logvar, c->N, c->Z);
}

START_TEST(kl_term) {
    // 0 at the prior itself: mu = 0, logvar = 0 (sigma = 1), with zero gradient.
    float zero[4] = {0}, dmu[NZ] = {0}, dlogvar[NZ] = {0};
    float kl0 = ex_kl_term(dmu, dlogvar, zero, zero, 2, 2);
    ck_assert_msg(!exercise_pending("4.2"), "exercise 4.2 is not done yet");
    ck_assert_msg(kl0 > -1e-6f, "your KL term is negative (%g at mu = 0, logvar = 0): remember logvar is the "
                  "log-variance, so the variance is exp(logvar), not logvar", kl0);
    ck_assert_msg(fabsf(kl0) < 1e-6f, "KL(N(0, 1) || N(0, 1)) must be 0, got %g", kl0);
    for (int i = 0; i < 4; i++)
        ck_assert_msg(dmu[i] == 0.0f && dlogvar[i] == 0.0f, "at mu = 0, logvar = 0 the gradient must be 0");

    // Worked value, one image, Z = 2: mu = (1, 0), logvar = (0, log 2):
    //   -1/2 (1 + 0 - 1 - 1) = 0.5   and   -1/2 (1 + log 2 - 0 - 2) = (1 - log 2) / 2 = 0.1534264
    float mu1[4] = {1.0f, 0.0f, 1.0f, 0.0f}, lv1[4] = {0.0f, logf(2.0f), 0.0f, logf(2.0f)};
    const float want = 0.5f + 0.5f * (1.0f - logf(2.0f));
    float kl1 = ex_kl_term(NULL, NULL, mu1, lv1, 1, 2);
    ck_assert_msg(fabsf(kl1 - want / 2) > 1e-4f, "KL = %g is half of %g: sum over the Z dimensions of an image, "
                  "average over the N images only", kl1, want);
    ck_assert_msg(fabsf(kl1 - want) < 1e-5f, "KL(mu = (1, 0), logvar = (0, log 2)) = %g, expected %g", kl1, want);
    // The same image twice (N = 2): the mean over images is the same number.
    float kl2 = ex_kl_term(NULL, NULL, mu1, lv1, 2, 2);
    ck_assert_msg(fabsf(kl2 - want) < 1e-5f, "KL of two identical images = %g, expected %g: average over the N "
                  "images (divide by N)", kl2, want);

    // Never negative, anywhere.
    Rng rng;
    rng_seed(&rng, 21);
    for (int t = 0; t < 500; t++) {
        float m = rng_range(&rng, -3.0f, 3.0f), lv = rng_range(&rng, -4.0f, 4.0f);
        float kl = ex_kl_term(NULL, NULL, &m, &lv, 1, 1);
        ck_assert_msg(kl >= -1e-6f, "your KL term is negative (%g at mu = %g, logvar = %g): remember logvar is the "
                      "log-variance; the variance is exp(logvar)", kl, m, lv);
    }

    // Agreement with the library's loss_kl_normal, and gradients ADDED to what dmu, dlogvar held.
    float m[NZ], lv[NZ], ref_dmu[NZ], ref_dlv[NZ];
    random_latents(m, lv, NULL, NZ, 22);
    float ref = loss_kl_normal(ref_dmu, ref_dlv, m, lv, 3, 2);
    for (int i = 0; i < NZ; i++) { dmu[i] = 1.0f; dlogvar[i] = -1.0f; }
    float kl = ex_kl_term(dmu, dlogvar, m, lv, 3, 2);
    ck_assert_msg(fabsf(kl - ref) < 1e-4f * (1.0f + ref), "KL = %g on random values, expected %g", kl, ref);
    for (int i = 0; i < NZ; i++) {
        ck_assert_msg(fabsf(dmu[i] - (1.0f + ref_dmu[i])) < 1e-5f, "dmu[%d] = %g, expected %g + %g: ADD mu / N "
                      "into dmu (it already holds the reconstruction's gradient)", i, dmu[i], 1.0f, ref_dmu[i]);
        ck_assert_msg(fabsf(dlogvar[i] - (-1.0f + ref_dlv[i])) < 1e-5f, "dlogvar[%d] = %g, expected %g + %g: ADD "
                      "(exp(logvar) - 1) / (2N) into dlogvar", i, dlogvar[i], -1.0f, ref_dlv[i]);
    }

    // Finite differences of the student's own KL.
    for (int i = 0; i < NZ; i++) { dmu[i] = 0.0f; dlogvar[i] = 0.0f; }
    ex_kl_term(dmu, dlogvar, m, lv, 3, 2);
    KlCtx ctx = {m, lv, 3, 2, 0.0f};
    GradCheckOptions opt = gradcheck_defaults();
    opt.max_checks = 0;
    double worst_mu = gradcheck_array(kl_objective, &ctx, m, dmu, NZ, "mu", &opt, &rng);
    double worst_lv = gradcheck_array(kl_objective, &ctx, lv, dlogvar, NZ, "logvar", &opt, &rng);
    ck_assert_msg(worst_mu <= 1.0, "dKL/dmu disagrees with finite differences (worst ratio %.2f)", worst_mu);
    ck_assert_msg(worst_lv <= 1.0, "dKL/dlogvar disagrees with finite differences (worst ratio %.2f)", worst_lv);
}
END_TEST

// ---- 4.3 the beta-weighted KL term ----

START_TEST(beta_kl) {
    float m[NZ], lv[NZ], ref_dmu[NZ], ref_dlv[NZ], dmu[NZ], dlogvar[NZ];
    random_latents(m, lv, NULL, NZ, 31);
    float ref = loss_kl_normal(ref_dmu, ref_dlv, m, lv, 3, 2);
    const float betas[4] = {1.0f, 4.0f, 0.1f, 0.0f};
    for (int b = 0; b < 4; b++) {
        float beta = betas[b];
        for (int i = 0; i < NZ; i++) { dmu[i] = 0.5f; dlogvar[i] = -0.5f; }
        float v = ex_beta_kl(dmu, dlogvar, m, lv, 3, 2, beta);
        ck_assert_msg(!exercise_pending("4.3"), "exercise 4.3 is not done yet");
        ck_assert_msg(fabsf(v - beta * ref) < 1e-4f * (1.0f + beta * ref), "beta = %g: returned %g, expected "
                      "beta * KL = %g * %g = %g", beta, v, beta, ref, beta * ref);
        for (int i = 0; i < NZ; i++) {
            ck_assert_msg(fabsf(dmu[i] - (0.5f + beta * ref_dmu[i])) < 1e-5f, "beta = %g: dmu[%d] = %g, expected "
                          "%g + beta * %g: add beta times the KL gradient", beta, i, dmu[i], 0.5f, ref_dmu[i]);
            ck_assert_msg(fabsf(dlogvar[i] - (-0.5f + beta * ref_dlv[i])) < 1e-5f, "beta = %g: dlogvar[%d] = %g, "
                          "expected %g + beta * %g: add beta times the KL gradient", beta, i, dlogvar[i], -0.5f,
                          ref_dlv[i]);
        }
    }
    // NULL gradients: the value alone.
    float v = ex_beta_kl(NULL, NULL, m, lv, 3, 2, 2.0f);
    ck_assert_msg(fabsf(v - 2.0f * ref) < 1e-4f * (1.0f + ref), "with NULL gradients: returned %g, expected %g", v,
                  2.0f * ref);
    // Finite differences at beta = 2.5.
    for (int i = 0; i < NZ; i++) { dmu[i] = 0.0f; dlogvar[i] = 0.0f; }
    ex_beta_kl(dmu, dlogvar, m, lv, 3, 2, 2.5f);
    KlCtx ctx = {m, lv, 3, 2, 2.5f};
    GradCheckOptions opt = gradcheck_defaults();
    opt.max_checks = 0;
    Rng rng;
    rng_seed(&rng, 32);
    double worst_mu = gradcheck_array(kl_objective, &ctx, m, dmu, NZ, "mu", &opt, &rng);
    double worst_lv = gradcheck_array(kl_objective, &ctx, lv, dlogvar, NZ, "logvar", &opt, &rng);
    ck_assert_msg(worst_mu <= 1.0 && worst_lv <= 1.0, "the gradient of beta * KL disagrees with finite differences "
                  "(worst ratios %.2f, %.2f)", worst_mu, worst_lv);
}
END_TEST

static const Exercise EXERCISES[] = {
    {"4.1", "sampling step: forward and backward", 3,
     "z = mu + exp(logvar/2) * eps; backward writes dmu = dz and dlogvar = dz * eps * exp(logvar/2) / 2",
     TEST(sampling)},
    {"4.2", "KL term and its gradient", 3,
     "KL = 1/N sum -1/2 (1 + logvar - mu^2 - exp(logvar)) is never negative (logvar is the log-variance, "
     "exp(logvar) the variance); its gradients are added (+=)",
     TEST(kl_term)},
    {"4.3", "beta-VAE: the weighted KL term", 2,
     "return beta * KL and add beta times the gradient of 4.2; beta = 0 adds nothing", TEST(beta_kl)},
};

GRADE_MAIN("chapter04", EXERCISES)
