// gradcheck.h: finite-difference gradient checks, the test every layer and loss must pass.
//
// The idea: backward() claims dL/dx. Nudge one entry of x by +eps and -eps, recompute L, and the slope
//     (L(x + eps e_i) - L(x - eps e_i)) / (2 eps)
// must agree with the claimed dL/dx_i up to O(eps^2) plus float32 rounding.
//
// An entry passes when |analytic - numeric| <= atol + rtol * max(|analytic|, |numeric|). Each check returns the
// worst ratio |analytic - numeric| / (atol + rtol * max(...)) over the entries it tried: <= 1 means all passed.
#ifndef GRADCHECK_H
#define GRADCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "layer.h"

typedef struct {
    float eps;          // step for the central difference (default 1e-3)
    float atol, rtol;   // tolerances, see above (defaults 1e-3 and 1e-2, fitting float32 forward passes)
    int max_checks;     // entries tried per array, chosen at random (default 64; 0 = all)
    bool verbose;       // print each failing entry
} GradCheckOptions;

GradCheckOptions gradcheck_defaults(void);

// A scalar function of whatever `ctx` holds; it reads the array being checked through ctx.
typedef double (*ScalarFn)(void *ctx);

// Compare grad[0..n) with central differences of f with respect to x[0..n) (x is nudged and restored).
// `what` names the array in messages. Returns the worst ratio (<= 1 passes).
double gradcheck_array(ScalarFn f, void *ctx, float *x, const float *grad, size_t n, const char *what,
                       const GradCheckOptions *opt, Rng *rng);

// Check a layer on input x: L = sum(r .* layer(x)) with a fixed random r, so dL/dout = r. Checks dL/dx and the
// gradient of every parameter. `training` is passed to forward. Returns the worst ratio over all arrays and, when
// report is not NULL, writes one line per array ("input: worst 0.03") into it.
double gradcheck_layer(Layer *l, Tensor *x, bool training, const GradCheckOptions *opt, Rng *rng,
                       char *report, size_t report_len);

#endif
