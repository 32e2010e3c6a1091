// loss.c: the losses of loss.h, summed in double so that a batch of 60,000 values does not lose precision.
#include "loss.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "layers/activations.h"

float loss_mse(Tensor *dpred, const Tensor *pred, const Tensor *target) {
    size_t n = tensor_size(pred);
    if (dpred) tensor_resize(dpred, pred->n, pred->c, pred->h, pred->w);
    double sum = 0.0;
    float scale = 2.0f / (float)n;
    for (size_t i = 0; i < n; i++) {
        float diff = pred->data[i] - target->data[i];
        sum += (double)diff * diff;                        // L = mean((p - t)^2)
        if (dpred) dpred->data[i] = scale * diff;          // => dL/dp = 2 (p - t) / (N D)
    }
    return (float)(sum / (double)n);
}

float loss_bce_logits(Tensor *dlogits, const Tensor *logits, const Tensor *target) {
    size_t n = tensor_size(logits);
    if (dlogits) tensor_resize(dlogits, logits->n, logits->c, logits->h, logits->w);
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        float z = logits->data[i], t = target->data[i];
        sum += fmaxf(z, 0.0f) - z * t + log1pf(expf(-fabsf(z)));   // stable -t log p - (1-t) log(1-p)
        if (dlogits) dlogits->data[i] = (sigmoidf(z) - t) / (float)n;  // => dL/dz = (p - t) / (N D)
    }
    return (float)(sum / (double)n);
}

float loss_softmax_cross_entropy(Tensor *dlogits, const Tensor *logits, const int *labels, int *labelled) {
    int N = logits->n, K = (int)tensor_sample_size(logits), M = 0;
    for (int n = 0; n < N; n++) M += labels[n] >= 0;
    if (labelled) *labelled = M;
    if (dlogits) { tensor_resize(dlogits, logits->n, logits->c, logits->h, logits->w); tensor_zero(dlogits); }
    if (M == 0) return 0.0f;                              // an all-masked batch adds nothing
    double sum = 0.0;
    for (int n = 0; n < N; n++) {
        if (labels[n] < 0) continue;                      // masked row: no loss, no gradient
        const float *z = logits->data + (size_t)n * K;
        float max = z[0];
        for (int k = 1; k < K; k++) max = fmaxf(max, z[k]);
        double denom = 0.0;
        for (int k = 0; k < K; k++) denom += exp((double)(z[k] - max));
        double log_denom = log(denom);
        sum += log_denom - (z[labels[n]] - max);          // -log softmax(z)_y = log sum e^z - z_y
        if (dlogits)
            for (int k = 0; k < K; k++) {                 // => dL/dz_k = (softmax_k - [k = y]) / M
                double p = exp((double)(z[k] - max) - log_denom);
                dlogits->data[(size_t)n * K + k] = (float)((p - (k == labels[n])) / M);
            }
    }
    return (float)(sum / M);
}

// Per pixel, the softmax cross-entropy above, with the class axis strided: in (N, K, H, W) the K logits of pixel p of
// sample n sit HW floats apart, z_k = logits[(n K + k) HW + p]. Samples run in parallel, each summing into its own
// partial, and the partials are added in order: the same bits with any number of threads.
float loss_pixel_softmax_cross_entropy(Tensor *dlogits, const Tensor *logits, const int *labels, long *labelled) {
    const int N = logits->n, K = logits->c, HW = logits->h * logits->w;
    long M = 0;
    for (size_t i = 0; i < (size_t)N * HW; i++) M += labels[i] >= 0;
    if (labelled) *labelled = M;
    if (dlogits) { tensor_resize(dlogits, logits->n, logits->c, logits->h, logits->w); tensor_zero(dlogits); }
    if (M == 0) return 0.0f;                                  // no labelled pixel: nothing to learn from
    double *partial = xmalloc((size_t)N * sizeof(double));
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if ((size_t)N * K * HW >= ((size_t)1 << 16))
#endif
    for (int n = 0; n < N; n++) {
        const float *z = logits->data + (size_t)n * K * HW;    // (K, HW): z[k HW + p]
        const int *y = labels + (size_t)n * HW;                 // (HW)
        double sum = 0.0;
        for (int p = 0; p < HW; p++) {
            if (y[p] < 0) continue;                             // unlabelled pixel: no loss, no gradient
            float max = z[p];
            for (int k = 1; k < K; k++) max = fmaxf(max, z[(size_t)k * HW + p]);
            double denom = 0.0;
            for (int k = 0; k < K; k++) denom += exp((double)(z[(size_t)k * HW + p] - max));
            double log_denom = log(denom);
            sum += log_denom - (z[(size_t)y[p] * HW + p] - max);   // -log softmax(z)_y = log sum e^z - z_y
            if (!dlogits) continue;
            float *dz = dlogits->data + (size_t)n * K * HW;
            for (int k = 0; k < K; k++) {                       // => dL/dz_k = (softmax_k - [k = y]) / M
                double prob = exp((double)(z[(size_t)k * HW + p] - max) - log_denom);
                dz[(size_t)k * HW + p] = (float)((prob - (k == y[p])) / M);
            }
        }
        partial[n] = sum;
    }
    double sum = 0.0;
    for (int n = 0; n < N; n++) sum += partial[n];
    free(partial);
    return (float)(sum / M);
}

float loss_kl_normal(float *dmu, float *dlogvar, const float *mu, const float *logvar, int N, int Z) {
    double sum = 0.0;
    for (size_t i = 0; i < (size_t)N * Z; i++) {
        float var = expf(logvar[i]);
        sum += -0.5 * (1.0 + logvar[i] - (double)mu[i] * mu[i] - var);   // -1/2 (1 + log s^2 - mu^2 - s^2)
        if (dmu) dmu[i] = mu[i] / (float)N;                                 // => mu / N
        if (dlogvar) dlogvar[i] = 0.5f * (var - 1.0f) / (float)N;          // => (s^2 - 1) / 2N
    }
    return (float)(sum / N);
}

float loss_l1_activity(Tensor *dact, const Tensor *act, float lambda) {
    size_t n = tensor_size(act);
    float scale = lambda / (float)act->n;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        float a = act->data[i];
        sum += fabsf(a);                                                     // L = lambda/N sum |a|
        if (dact) dact->data[i] += a > 0.0f ? scale : (a < 0.0f ? -scale : 0.0f);   // => += lambda sign(a) / N
    }
    return (float)(scale * sum);
}

void loss_check_finite(float loss, const char *model, int epoch, int batch) {
    if (isfinite(loss)) return;
    fprintf(stderr, "error: the loss of %s became %s in epoch %d, batch %d: training stopped "
            "(try a smaller learning rate, or check the inputs are scaled to [0, 1])\n",
            model, isnan(loss) ? "NaN" : "infinite", epoch, batch);
    exit(3);
}
