// exercises.h: the graded exercises of chapter 02 (solutions in exercises.c, tests in tests/exercises/test_ex02.c).
//
//   2.1  ex_multitask_backward   the weighted multi-task loss and its backward through heads and shared trunk
//   2.2  ex_rotate               rotate an image about its centre, bilinear, into a canvas of any size
//   2.3  ex_uncertainty_loss     learned loss weights: one log-variance per task (Kendall, Gal and Cipolla 2018)
//
// The picture all three serve, a trunk shared by several heads:
//
//                        +--> head 0 (angle) --> out_0 (N, 1)   L_0 = MSE(out_0, angle)
//   x --> trunk --> feat +
//    (N,1,28,28)  (N,288)+--> head 1 (class) --> out_1 (N, 10)  L_1 = CE(out_1, label)
//
//   L = w_0 L_0 + w_1 L_1 (+ ...)
#ifndef CHAPTER02_EXERCISES_H
#define CHAPTER02_EXERCISES_H

#include "net.h"
#include "tensor.h"

// 2.1: one backward pass of a trunk with `nheads` heads, after the forward passes
//        feat = net_forward(trunk, x),  out_i = net_forward(heads[i], feat)
//      and the losses L_i with their gradients dout[i] = dL_i/dout_i (as the loss functions of loss.h write them).
//      Returns L = sum_i weight[i] * loss[i]. Afterwards:
//        dout[i] holds dL/dout_i = weight[i] * dL_i/dout_i            (scaled in place)
//        dfeat (resized like feat) holds dL/dfeat = sum_i dL/dfeat through head i
//        every parameter gradient of the heads and the trunk has had its share of dL added (+=)
//      Each head must have input_grad = true (so that net_backward returns dL/dfeat); the trunk need not.
float ex_multitask_backward(Tensor *dfeat, Tensor *const *dout, Net *trunk, Net *const *heads, const float *loss,
                            const float *weight, int nheads);

// 2.2: rotate the grey image in (h, w) by `degrees` about its centre into out (oh, ow), the two centres on top of
//      each other; positive degrees turn the picture counter-clockwise as it is displayed (row 0 at the top).
//      Bilinear interpolation; what falls outside `in` reads as 0 (black). out may be larger than in (a canvas grown
//      to hold the corners of the rotated image). out and in must not overlap.
void ex_rotate(float *out, const float *in, int h, int w, int oh, int ow, float degrees);

// 2.3: uncertainty weighting. With one learned log-variance s_i per task,
//        L = sum_i ( exp(-s_i) L_i + s_i )
//      Writes weight[i] = exp(-s_i) (= dL/dL_i, the weights to hand to 2.1), ADDS dL/ds_i = 1 - exp(-s_i) L_i into
//      dlog_var[i] (a parameter gradient, like every backward), and returns L.
float ex_uncertainty_loss(float *weight, float *dlog_var, const float *log_var, const float *loss, int ntasks);

#endif
