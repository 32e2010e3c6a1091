// loss.h: losses with their gradients. Each returns the loss (a mean over the batch, as Keras reports it) and, when
// the gradient pointer is not NULL, WRITES dL/d(prediction) into it (sized like the prediction), except the activity
// penalty, which ADDS into a gradient that backward is already carrying.
//
//   MSE                  L = 1/(N D) sum (p - t)^2                          dL/dp = 2 (p - t) / (N D)
//   binary CE (logits)   L = 1/(N D) sum [ max(z,0) - z t + log(1 + e^-|z|) ]  dL/dz = (sigmoid(z) - t) / (N D)
//                        (the same value as -t log p - (1-t) log(1-p) with p = sigmoid(z), without ever taking log 0)
//   softmax CE           L = 1/M sum over labelled rows of -log softmax(z)_y  dL/dz = (softmax(z) - onehot(y)) / M
//                        rows with label < 0 are masked: they add nothing, M counts the others (M = 0: L = 0)
//   per-pixel softmax CE the same for every pixel of a (N, K, H, W) map: the K channels of a pixel are its logits,
//                        labels are (N, H, W), M counts the labelled pixels (semantic segmentation; Keras's
//                        sparse categorical cross-entropy on (N, H, W, K) scores, whose mean is over all pixels)
//   KL(N(mu, s^2) || N(0, I))  L = 1/N sum -1/2 (1 + logvar - mu^2 - e^logvar)
//                        dL/dmu = mu / N,  dL/dlogvar = (e^logvar - 1) / (2 N)
//   L1 activity          L = lambda/N sum |a|                               dL/da += lambda sign(a) / N
//
// N is the batch size, D the values per sample.
#ifndef LOSS_H
#define LOSS_H

#include "tensor.h"

float loss_mse(Tensor *dpred, const Tensor *pred, const Tensor *target);
float loss_bce_logits(Tensor *dlogits, const Tensor *logits, const Tensor *target);
// logits (N, K); labels[N] in 0..K-1, or -1 for a masked row. *labelled (may be NULL) receives M.
float loss_softmax_cross_entropy(Tensor *dlogits, const Tensor *logits, const int *labels, int *labelled);
// logits (N, K, H, W): channel k of a pixel is its logit for class k; labels (N, H, W) in 0..K-1, or -1 for a pixel
// that does not count. *labelled (may be NULL) receives M, the labelled pixels.
float loss_pixel_softmax_cross_entropy(Tensor *dlogits, const Tensor *logits, const int *labels, long *labelled);
// mu, logvar, dmu, dlogvar: (N, Z) arrays. Gradients are written when not NULL.
float loss_kl_normal(float *dmu, float *dlogvar, const float *mu, const float *logvar, int N, int Z);
// Adds the penalty's gradient into dact (when not NULL); returns the penalty.
float loss_l1_activity(Tensor *dact, const Tensor *act, float lambda);

// Stop the program with a clear message if a loss is NaN or infinite: which model, epoch and batch, and a hint.
void loss_check_finite(float loss, const char *model, int epoch, int batch);

#endif
