// rng.c: splitmix64, the whole generator in three lines (see rng.h).
#include "rng.h"

#include <math.h>

void rng_seed(Rng *rng, uint64_t seed) { rng->state = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull; }

uint64_t rng_u64(Rng *rng) {
    // splitmix64: add a Weyl constant, then mix the bits.
    uint64_t z = (rng->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

Rng rng_split(Rng *rng) {
    Rng child;
    rng_seed(&child, rng_u64(rng));
    return child;
}

uint32_t rng_below(Rng *rng, uint32_t n) {
    // Multiply-shift (Lemire) with rejection of the biased low zone.
    uint64_t m = (uint64_t)(uint32_t)rng_u64(rng) * n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        uint32_t threshold = (uint32_t)(-n) % n;
        while (low < threshold) {
            m = (uint64_t)(uint32_t)rng_u64(rng) * n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

// 24 random bits -> a float in [0, 1) with every value exactly representable.
float rng_uniform(Rng *rng) { return (float)(rng_u64(rng) >> 40) * (1.0f / 16777216.0f); }

float rng_range(Rng *rng, float lo, float hi) { return lo + (hi - lo) * rng_uniform(rng); }

float rng_normal(Rng *rng) {
    // Box-Muller: z = sqrt(-2 ln u1) cos(2 pi u2), with u1 in (0, 1] so the log is finite.
    double u1 = ((rng_u64(rng) >> 11) + 1.0) * (1.0 / 9007199254740992.0);
    double u2 = (rng_u64(rng) >> 11) * (1.0 / 9007199254740992.0);
    return (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
}

void rng_shuffle(Rng *rng, int *idx, int n) {
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rng_below(rng, (uint32_t)i + 1);
        int tmp = idx[i]; idx[i] = idx[j]; idx[j] = tmp;
    }
}
