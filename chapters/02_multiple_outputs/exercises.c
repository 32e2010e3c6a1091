// exercises.c: the exercises of chapter 02 (see exercises.h for the contracts, docs/GRADING.md for how they are
// graded). Replace each STUB with your code; `make grade` tells you which pass, `./chapter02 --quick` shows them at
// work.
#include "exercises.h"

#include <math.h>
#include <stddef.h>

#include "exercise.h"

// TODO(2.1): the weighted multi-task loss and its backward pass through the heads and the shared trunk.
//   Forward was:   feat = trunk(x)      (N, 288)
//                  out_i = head_i(feat) (N, D_i)            for i = 0 .. nheads-1
//                  L = sum_i weight[i] * L_i                 (return this)
//   Backward, by the chain rule:
//     1. dL/dout_i = weight[i] * dL_i/dout_i: scale every value of dout[i] in place by weight[i];
//     2. dL/dfeat through head i = net_backward(heads[i], dout[i]) (heads have input_grad set, so it returns it);
//     3. feat was used by every head, so its gradient is the SUM over heads: dfeat = sum_i (step 2 of head i).
//        Resize dfeat like the first head's input gradient (tensor_copy does it), then add the others;
//     4. net_backward(trunk, dfeat) sends the sum down the shared trunk.
//   Hint: net_backward returns a tensor owned by the head, overwritten by its next backward: copy or add it into
//   dfeat before going on. Parameter gradients accumulate (+=) on their own; do not zero anything here.
// STUB: exercise_todo("2.1"); return 0.0f;
float ex_multitask_backward(Tensor *dfeat, Tensor *const *dout, Net *trunk, Net *const *heads, const float *loss,
                            const float *weight, int nheads) {
    /* BEGIN SOLUTION 2.1 */
    double total = 0.0;
    for (int i = 0; i < nheads; i++) {
        total += (double)weight[i] * loss[i];                           // L = sum_i w_i L_i
        size_t n = tensor_size(dout[i]);
        for (size_t j = 0; j < n; j++) dout[i]->data[j] *= weight[i];   // dL/dout_i = w_i dL_i/dout_i
        const Tensor *dfeat_i = net_backward(heads[i], dout[i]);         // out_i = head_i(feat) => dL/dfeat, part i
        if (i == 0) {
            tensor_copy(dfeat, dfeat_i);
        } else {
            size_t m = tensor_size(dfeat);                               // feat feeds every head: the parts add
            for (size_t j = 0; j < m; j++) dfeat->data[j] += dfeat_i->data[j];
        }
    }
    net_backward(trunk, dfeat);                                          // feat = trunk(x) => trunk's gradients
    return (float)total;
    /* END SOLUTION */
}

// TODO(2.2): rotate an image about its centre, with bilinear interpolation.
//   in (h, w), out (oh, ow), both row-major; degrees > 0 turns the picture counter-clockwise on screen.
//   Work backwards from each output pixel (y, x), so that every output pixel gets exactly one value:
//     offset from the output centre:   dy = y - (oh-1)/2,   dx = x - (ow-1)/2
//     undo the rotation (t = degrees in radians; y grows downwards, hence the signs):
//                                      sx = (w-1)/2 + cos(t) dx - sin(t) dy
//                                      sy = (h-1)/2 + sin(t) dx + cos(t) dy
//     bilinear at the (fractional) source point: with y0 = floor(sy), x0 = floor(sx), fy = sy - y0, fx = sx - x0,
//       out[y][x] = (1-fy)(1-fx) in[y0][x0] + (1-fy) fx in[y0][x0+1] + fy (1-fx) in[y0+1][x0] + fy fx in[y0+1][x0+1]
//     where a neighbour outside 0..h-1 x 0..w-1 counts as 0.
//   Check yourself: 90 degrees on a square image is an exact transpose-and-flip, out[y][x] = in[x][w-1-y].
//   Hint: compute in double, and floor() rather than a cast: (int)-0.5 is 0, floor(-0.5) is -1.
// STUB: exercise_todo("2.2"); return;
void ex_rotate(float *out, const float *in, int h, int w, int oh, int ow, float degrees) {
    /* BEGIN SOLUTION 2.2 */
    const double radians = degrees * 3.14159265358979323846 / 180.0;
    const double c = cos(radians), s = sin(radians);
    const double cy = (h - 1) / 2.0, cx = (w - 1) / 2.0, ocy = (oh - 1) / 2.0, ocx = (ow - 1) / 2.0;
    for (int y = 0; y < oh; y++)
        for (int x = 0; x < ow; x++) {
            double dy = y - ocy, dx = x - ocx;                           // offset from the output's centre
            double sx = cx + c * dx - s * dy;                            // the inverse rotation: where it came from
            double sy = cy + s * dx + c * dy;
            double y0 = floor(sy), x0 = floor(sx), fy = sy - y0, fx = sx - x0;
            double v = 0.0;
            for (int a = 0; a < 2; a++)                                  // the four neighbours, weights summing to 1
                for (int b = 0; b < 2; b++) {
                    int yy = (int)y0 + a, xx = (int)x0 + b;
                    if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;            // outside: black
                    v += (a ? fy : 1.0 - fy) * (b ? fx : 1.0 - fx) * in[yy * w + xx];
                }
            out[y * ow + x] = (float)v;
        }
    /* END SOLUTION */
}

// TODO(2.3): learn the loss weights instead of picking them (uncertainty weighting, Kendall, Gal and Cipolla 2018).
//   Each task i gets a trainable log-variance s_i = log sigma_i^2. The loss
//       L = sum_i ( exp(-s_i) L_i + s_i )
//   weighs a task by its precision exp(-s_i) = 1/sigma_i^2; the + s_i term stops every sigma from growing forever.
//   For each of the ntasks tasks:
//       weight[i]    = exp(-s_i)                     (= dL/dL_i: what 2.1 multiplies head i's gradient by)
//       dlog_var[i] += 1 - exp(-s_i) L_i             (= dL/ds_i; ADD, it is a parameter gradient)
//   and return L. log_var, loss, weight, dlog_var: (ntasks).
//   Hint: at the optimum dL/ds_i = 0, so exp(-s_i) = 1/L_i: each task ends up weighted by one over its own loss.
// STUB: exercise_todo("2.3"); return 0.0f;
float ex_uncertainty_loss(float *weight, float *dlog_var, const float *log_var, const float *loss, int ntasks) {
    /* BEGIN SOLUTION 2.3 */
    double total = 0.0;
    for (int i = 0; i < ntasks; i++) {
        float precision = expf(-log_var[i]);                             // 1 / sigma_i^2
        weight[i] = precision;
        total += (double)precision * loss[i] + log_var[i];              // L = sum_i exp(-s_i) L_i + s_i
        dlog_var[i] += 1.0f - precision * loss[i];                       // => dL/ds_i = 1 - exp(-s_i) L_i
    }
    return (float)total;
    /* END SOLUTION */
}
