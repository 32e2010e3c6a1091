// exercises.h: the graded exercises of chapter 04, the variational autoencoder.
//
//   4.1  the sampling step (the reparameterisation trick): z = mu + exp(logvar / 2) * eps, and its backward pass
//   4.2  the KL term KL(N(mu, sigma^2) || N(0, I)) and its gradient
//   4.3  the beta-VAE's KL term: beta * KL and beta times its gradient
//
// Shapes: N images in a batch, Z latent dimensions. Every array is (N, Z), row-major: element (n, j) is at
// [n * Z + j]. logvar is log sigma^2, the log of the variance (not the variance, not the standard deviation).
//
// chapter04.c calls these in the training step of every VAE it trains; tests/exercises/test_ex04.c grades them
// (`make grade`).
#ifndef CHAPTER04_EXERCISES_H
#define CHAPTER04_EXERCISES_H

// 4.1 forward: z = mu + exp(logvar / 2) * eps, element by element. Writes z.
void ex_sample_forward(float *z, const float *mu, const float *logvar, const float *eps, int N, int Z);

// 4.1 backward, with eps held fixed: given dz = dL/dz, WRITES dmu = dL/dmu and dlogvar = dL/dlogvar.
void ex_sample_backward(float *dmu, float *dlogvar, const float *dz, const float *logvar, const float *eps, int N,
                        int Z);

// 4.2 the KL term of a batch, summed over the Z dimensions of each image and averaged over the N images:
//   KL = 1/N sum_n sum_j -1/2 (1 + logvar - mu^2 - exp(logvar))
// Returns KL; ADDS dKL/dmu into dmu and dKL/dlogvar into dlogvar (each may be NULL: no gradient wanted).
float ex_kl_term(float *dmu, float *dlogvar, const float *mu, const float *logvar, int N, int Z);

// 4.3 the beta-VAE's KL term: returns beta * KL (KL as in 4.2) and ADDS beta times its gradients (NULL allowed).
float ex_beta_kl(float *dmu, float *dlogvar, const float *mu, const float *logvar, int N, int Z, float beta);

#endif
