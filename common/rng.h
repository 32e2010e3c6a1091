// rng.h: a small seeded random number generator, so that one seed fixes a whole run.
//
// The generator is xoshiro128+-style state advanced by splitmix64 (Vigna): fast, good enough for shuffling, weight
// initialisation, dropout masks and sampling. There is no hidden global state: every function takes the Rng it draws
// from, and a chapter creates one from its --seed.
#ifndef RNG_H
#define RNG_H

#include <stdint.h>

typedef struct {
    uint64_t state;
} Rng;

// Start a generator from a seed. Equal seeds give equal sequences on every machine.
void rng_seed(Rng *rng, uint64_t seed);
// A generator seeded from this one (for a layer or a thread that needs its own stream).
Rng rng_split(Rng *rng);
// Uniform 64-bit integer.
uint64_t rng_u64(Rng *rng);
// Uniform integer in [0, n), n > 0, without modulo bias.
uint32_t rng_below(Rng *rng, uint32_t n);
// Uniform float in [0, 1).
float rng_uniform(Rng *rng);
// Uniform float in [lo, hi).
float rng_range(Rng *rng, float lo, float hi);
// Standard normal N(0, 1) (Box-Muller).
float rng_normal(Rng *rng);
// Shuffle idx[0..n) in place (Fisher-Yates).
void rng_shuffle(Rng *rng, int *idx, int n);

#endif
