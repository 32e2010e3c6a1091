// gradcheck.c: central differences against backward() (see gradcheck.h).
#include "gradcheck.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

GradCheckOptions gradcheck_defaults(void) {
    return (GradCheckOptions){.eps = 1e-3f, .atol = 1e-3f, .rtol = 1e-2f, .max_checks = 64, .verbose = false};
}

double gradcheck_array(ScalarFn f, void *ctx, float *x, const float *grad, size_t n, const char *what,
                       const GradCheckOptions *opt, Rng *rng) {
    size_t checks = (opt->max_checks <= 0 || (size_t)opt->max_checks >= n) ? n : (size_t)opt->max_checks;
    double worst = 0.0;
    for (size_t k = 0; k < checks; k++) {
        size_t i = checks == n ? k : (size_t)rng_below(rng, (uint32_t)n);
        float saved = x[i];
        x[i] = saved + opt->eps;
        double plus = f(ctx);
        x[i] = saved - opt->eps;
        double minus = f(ctx);
        x[i] = saved;
        // The step actually taken in float32 is (saved+eps) - (saved-eps), not exactly 2 eps.
        double step = (double)(saved + opt->eps) - (double)(saved - opt->eps);
        double numeric = (plus - minus) / step;
        double analytic = grad[i];
        double diff = fabs(analytic - numeric);
        double ratio = diff / (opt->atol + opt->rtol * fmax(fabs(analytic), fabs(numeric)));
        if (ratio > 1.0 && opt->verbose)
            fprintf(stderr, "  gradcheck %s[%zu]: analytic %.6g numeric %.6g\n", what, i, analytic, numeric);
        if (ratio > worst || isnan(ratio)) worst = isnan(ratio) ? INFINITY : ratio;
    }
    return worst;
}

// L(x) = sum_i r_i * layer(x)_i, computed in double.
typedef struct {
    Layer *layer;
    Tensor *x;
    Tensor out;
    const Tensor *r;
    bool training;
} LayerLoss;

static double layer_loss(void *ctx) {
    LayerLoss *ll = ctx;
    layer_forward(ll->layer, &ll->out, ll->x, ll->training);
    double sum = 0.0;
    for (size_t i = 0; i < tensor_size(&ll->out); i++) sum += (double)ll->r->data[i] * ll->out.data[i];
    return sum;
}

double gradcheck_layer(Layer *l, Tensor *x, bool training, const GradCheckOptions *opt, Rng *rng,
                       char *report, size_t report_len) {
    LayerLoss ll = {.layer = l, .x = x, .training = training};
    Tensor r = {0}, dx = {0};

    // Analytic gradients: forward once, dL/dout = r, backward into zeroed parameter gradients.
    layer_forward(l, &ll.out, x, training);
    tensor_init(&r, ll.out.n, ll.out.c, ll.out.h, ll.out.w);
    for (size_t i = 0; i < tensor_size(&r); i++) r.data[i] = rng_range(rng, -1.0f, 1.0f);
    ll.r = &r;
    layer_zero_grad(l);
    layer_backward(l, &dx, &r);

    size_t used = 0;
    if (report && report_len) report[0] = '\0';
    double worst = gradcheck_array(layer_loss, &ll, x->data, dx.data, tensor_size(x), "input", opt, rng);
    if (report && used < report_len)
        used += (size_t)snprintf(report + used, report_len - used, "%s input: worst %.3g\n", l->name, worst);
    for (int p = 0; p < l->nparams; p++) {
        Param *param = &l->params[p];
        double w = gradcheck_array(layer_loss, &ll, param->value, param->grad, param->size, param->name, opt, rng);
        if (report && used < report_len)
            used += (size_t)snprintf(report + used, report_len - used, "%s %s: worst %.3g\n", l->name, param->name, w);
        if (w > worst) worst = w;
    }
    tensor_free(&r);
    tensor_free(&dx);
    tensor_free(&ll.out);
    return worst;
}
