// exercises.c: the exercises of chapter 04 (see exercises.h). Each function below has a TODO block that says what
// to write; `make grade` runs tests/exercises/test_ex04.c on them, and ./chapter04 uses them to train its VAEs.
//
// Until 4.1 and 4.2 are done, ./chapter04 cannot train a VAE: it says so, skips those steps and still trains the
// plain autoencoder of step 6. Until 4.3 is done it skips the beta-VAE figure of step 7.
#include "exercises.h"

#include <math.h>
#include <stddef.h>

#include "exercise.h"

// TODO(4.1): the sampling step, forward. A VAE's encoder does not give a code z; it gives, per image and per
//   latent dimension, the mean mu and the log-variance logvar = log sigma^2 of a Gaussian, and z is drawn from it.
//   Drawing "z ~ N(mu, sigma^2)" directly would leave nothing to differentiate, so draw eps ~ N(0, 1) first (the
//   caller does that and passes eps in) and move it: the reparameterisation trick,
//       sigma = exp(logvar / 2)        (the square root of exp(logvar))
//       z     = mu + sigma * eps
//   z, mu, logvar, eps: (N, Z), element i = n * Z + j; there are N * Z elements in all.
//   Hint: one loop over the N * Z elements; expf from <math.h>.
// STUB: exercise_todo("4.1"); return;
void ex_sample_forward(float *z, const float *mu, const float *logvar, const float *eps, int N, int Z) {
    /* BEGIN SOLUTION 4.1 */
    for (size_t i = 0; i < (size_t)N * Z; i++) {
        float sigma = expf(0.5f * logvar[i]);          // sigma = exp(logvar / 2)
        z[i] = mu[i] + sigma * eps[i];                 // z = mu + sigma * eps
    }
    /* END SOLUTION */
}

// TODO(4.1): the sampling step, backward. With eps held fixed, z = mu + exp(logvar / 2) * eps is a smooth function
//   of mu and logvar, so the chain rule takes dz = dL/dz (what the decoder's backward pass returned) to
//       dL/dmu     = dz                                         (dz/dmu = 1)
//       dL/dlogvar = dz * eps * exp(logvar / 2) / 2             (d exp(logvar/2) / dlogvar = exp(logvar/2) / 2)
//   WRITE (=, not +=) both into dmu and dlogvar: the KL term's gradient is added to them afterwards (4.2).
//   dmu, dlogvar, dz, logvar, eps: (N, Z).
//   Hint: the 1/2 comes from the exponent logvar / 2; sigma * eps is also z - mu, but z is not passed in.
// STUB: exercise_todo("4.1"); return;
void ex_sample_backward(float *dmu, float *dlogvar, const float *dz, const float *logvar, const float *eps, int N,
                        int Z) {
    /* BEGIN SOLUTION 4.1 */
    for (size_t i = 0; i < (size_t)N * Z; i++) {
        float sigma = expf(0.5f * logvar[i]);
        dmu[i] = dz[i];                                // forward: z = mu + ...       =>  dmu = dz
        dlogvar[i] = dz[i] * eps[i] * 0.5f * sigma;    // forward: ... + exp(logvar/2) eps  =>  dz eps sigma / 2
    }
    /* END SOLUTION */
}

// TODO(4.2): the KL term and its gradient. The KL divergence of the encoder's Gaussian q = N(mu, s^2) from the
//   prior p = N(0, 1), for one latent dimension of one image, has a closed form. Step by step:
//       log q(z) = -1/2 log(2 pi) - log s - (z - mu)^2 / (2 s^2)
//       log p(z) = -1/2 log(2 pi)         - z^2 / 2
//       kl = E_q[log q(z) - log p(z)]                           (the mean over z ~ q)
//          = -log s - 1/2 + (s^2 + mu^2) / 2                    (E_q[(z - mu)^2] = s^2, E_q[z^2] = s^2 + mu^2)
//          = -1/2 (1 + logvar - mu^2 - exp(logvar))             (log s = logvar / 2, s^2 = exp(logvar))
//   It is 0 exactly when mu = 0 and logvar = 0 (s = 1), and positive otherwise. The loss sums it over the Z
//   dimensions of an image and averages over the N images of the batch:
//       KL = 1/N sum_n sum_j kl(n, j)
//   Return KL. Its gradient, per element:
//       dKL/dmu     = mu / N
//       dKL/dlogvar = (exp(logvar) - 1) / (2 N)
//   ADD (+=) these into dmu and dlogvar, which already hold the reconstruction's gradient (4.1); skip either when it
//   is NULL (evaluation wants the value only). mu, logvar, dmu, dlogvar: (N, Z).
//   Hint: sum in a double; divide by N (images), not by N * Z. The KL is never negative: if yours is, check that
//   you use exp(logvar) as the variance, not logvar itself.
// STUB: exercise_todo("4.2"); return 0.0f;
float ex_kl_term(float *dmu, float *dlogvar, const float *mu, const float *logvar, int N, int Z) {
    /* BEGIN SOLUTION 4.2 */
    double sum = 0.0;
    for (size_t i = 0; i < (size_t)N * Z; i++) {
        float var = expf(logvar[i]);                                       // sigma^2 = exp(logvar)
        sum += -0.5 * (1.0 + logvar[i] - (double)mu[i] * mu[i] - var);     // -1/2 (1 + log s^2 - mu^2 - s^2)
        if (dmu) dmu[i] += mu[i] / (float)N;                               // d/dmu:     -1/2 (-2 mu)     / N
        if (dlogvar) dlogvar[i] += 0.5f * (var - 1.0f) / (float)N;         // d/dlogvar: -1/2 (1 - s^2)   / N
    }
    return (float)(sum / N);
    /* END SOLUTION */
}

// TODO(4.3): the beta-VAE's KL term. Higgins et al. (2017) weight the KL term of the loss by a number beta:
//       loss = reconstruction + beta * KL
//   beta < 1 lets each image's code move away from the prior (sharper reconstructions, a less regular latent map);
//   beta > 1 pulls the codes together (blurrier images, a smoother map). Return beta * KL, with KL as in 4.2, and
//   ADD beta times the gradients of 4.2 into dmu and dlogvar (either may be NULL). beta = 0 adds nothing.
//   mu, logvar, dmu, dlogvar: (N, Z).
//   Hint: the gradient of beta * KL is beta times the gradient of KL. Calling ex_kl_term is fine, but it
//   adds its gradient itself, unscaled: give it zeroed scratch arrays of N * Z floats, or write the loop again.
// STUB: exercise_todo("4.3"); return 0.0f;
float ex_beta_kl(float *dmu, float *dlogvar, const float *mu, const float *logvar, int N, int Z, float beta) {
    /* BEGIN SOLUTION 4.3 */
    double sum = 0.0;
    for (size_t i = 0; i < (size_t)N * Z; i++) {
        float var = expf(logvar[i]);
        sum += -0.5 * (1.0 + logvar[i] - (double)mu[i] * mu[i] - var);     // the KL of 4.2, unweighted
        if (dmu) dmu[i] += beta * mu[i] / (float)N;                        // beta * dKL/dmu
        if (dlogvar) dlogvar[i] += beta * 0.5f * (var - 1.0f) / (float)N;  // beta * dKL/dlogvar
    }
    return (float)(beta * sum / N);
    /* END SOLUTION */
}
