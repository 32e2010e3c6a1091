// optim.c: SGD, RMSprop and Adam (update rules in optim.h).
#include "optim.h"

#include <math.h>
#include <stdlib.h>
#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

// Subnormal floats (below 1.2e-38) are 10-100x slower on x86 cores. Training makes many of them: Adam's moments of
// a weight whose gradient is almost always 0 (a first-layer weight of a border pixel) shrink by 0.9 and 0.999 a
// step, and squared tiny gradients land there too. The dense VAE of chapter 04 spent half its time in optim_step
// and slowed from 4 s to 12 s an epoch. Flushing them to zero changes no result that matters: they are 1e-38.
// The mode is per thread, so every OpenMP thread sets it (threads created later inherit it).
static void flush_subnormals(void) {
#if defined(__x86_64__)
    // MXCSR bit 15 (FTZ): results that would be subnormal become 0; bit 6 (DAZ): subnormal inputs read as 0.
#pragma omp parallel
    _mm_setcsr(_mm_getcsr() | 0x8040);
#endif
}

static Optimizer *optim_new(OptimKind kind, ParamList params, float lr) {
    flush_subnormals();
    Optimizer *opt = xcalloc(1, sizeof(Optimizer));
    opt->kind = kind;
    opt->lr = lr;
    opt->rho = 0.9f;
    opt->beta1 = 0.9f;
    opt->beta2 = 0.999f;
    opt->eps = 1e-7f;
    opt->params = params;
    opt->m = xcalloc((size_t)params.count, sizeof(float *));
    opt->v = xcalloc((size_t)params.count, sizeof(float *));
    for (int i = 0; i < params.count; i++) {
        size_t size = params.items[i]->size;
        if (kind == OPTIM_SGD || kind == OPTIM_ADAM) opt->m[i] = xcalloc(size, sizeof(float));
        if (kind == OPTIM_RMSPROP || kind == OPTIM_ADAM) opt->v[i] = xcalloc(size, sizeof(float));
    }
    return opt;
}

Optimizer *optim_sgd_new(ParamList params, float lr, float momentum) {
    Optimizer *opt = optim_new(OPTIM_SGD, params, lr);
    opt->momentum = momentum;
    return opt;
}

Optimizer *optim_rmsprop_new(ParamList params, float lr) { return optim_new(OPTIM_RMSPROP, params, lr); }

Optimizer *optim_adam_new(ParamList params, float lr) { return optim_new(OPTIM_ADAM, params, lr); }

Optimizer *optim_adam_for(const Net *net, float lr) {
    ParamList pl = {0};
    params_add_net(&pl, net);
    return optim_adam_new(pl, lr);
}

// Each element is updated on its own, so big parameters (the dense VAE's 784 x 512 kernels) are split over the
// threads; the result is the same for any thread count.
void optim_step(Optimizer *opt) {
    opt->t++;
    // Adam's bias correction folded into the step size: lr_t = lr sqrt(1 - b2^t) / (1 - b1^t).
    float lr_t = opt->lr * sqrtf(1.0f - powf(opt->beta2, (float)opt->t)) / (1.0f - powf(opt->beta1, (float)opt->t));
    for (int p = 0; p < opt->params.count; p++) {
        Param *param = opt->params.items[p];
        float *w = param->value, *m = opt->m[p], *v = opt->v[p];
        const float *g = param->grad;
        size_t n = param->size;
        switch (opt->kind) {
        case OPTIM_SGD:
#pragma omp parallel for schedule(static) if (n >= 32768)
            for (size_t i = 0; i < n; i++) {
                m[i] = opt->momentum * m[i] - opt->lr * g[i];               // v = m v - lr g
                w[i] += m[i];                                               // w += v
            }
            break;
        case OPTIM_RMSPROP:
#pragma omp parallel for schedule(static) if (n >= 32768)
            for (size_t i = 0; i < n; i++) {
                v[i] = opt->rho * v[i] + (1.0f - opt->rho) * g[i] * g[i];   // s = rho s + (1 - rho) g^2
                w[i] -= opt->lr * g[i] / (sqrtf(v[i]) + opt->eps);          // w -= lr g / (sqrt(s) + eps)
            }
            break;
        case OPTIM_ADAM:
#pragma omp parallel for schedule(static) if (n >= 32768)
            for (size_t i = 0; i < n; i++) {
                m[i] = opt->beta1 * m[i] + (1.0f - opt->beta1) * g[i];      // m = b1 m + (1 - b1) g
                v[i] = opt->beta2 * v[i] + (1.0f - opt->beta2) * g[i] * g[i];   // v = b2 v + (1 - b2) g^2
                w[i] -= lr_t * m[i] / (sqrtf(v[i]) + opt->eps);             // w -= lr_t m / (sqrt(v) + eps)
            }
            break;
        }
    }
}

void optim_free(Optimizer *opt) {
    if (!opt) return;
    for (int i = 0; i < opt->params.count; i++) { free(opt->m[i]); free(opt->v[i]); }
    free(opt->m);
    free(opt->v);
    params_free(&opt->params);
    free(opt);
}
