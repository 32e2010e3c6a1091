// activations.h: element-wise activation layers (and softmax), each its own layer as in Keras's Activation.
//
//   ReLU        y = max(x, 0)                      dy/dx = 1 if x > 0 else 0
//   LeakyReLU   y = x if x > 0 else alpha * x      dy/dx = 1 or alpha
//   Sigmoid     y = 1 / (1 + exp(-x))              dy/dx = y (1 - y)
//   Tanh        y = tanh(x)                        dy/dx = 1 - y^2
//   Softmax     y_k = exp(x_k) / sum_j exp(x_j)    over the C values of each sample (for (N, K) inputs: over K)
//               dx_k = y_k (dy_k - sum_j dy_j y_j)
//
// For training a classifier, prefer a linear last layer and loss_softmax_cross_entropy (loss.h), which fuses the
// two for numerical stability; the Softmax layer is for showing probabilities.
#ifndef ACTIVATIONS_H
#define ACTIVATIONS_H

#include "layer.h"

// Kernels: `n` elements (softmax: `rows` rows of `k` values). Backward writes dx.
void relu_forward(float *y, const float *x, size_t n);
void relu_backward(float *dx, const float *dy, const float *x, size_t n);
void leaky_relu_forward(float *y, const float *x, float alpha, size_t n);
void leaky_relu_backward(float *dx, const float *dy, const float *x, float alpha, size_t n);
void sigmoid_forward(float *y, const float *x, size_t n);
void sigmoid_backward(float *dx, const float *dy, const float *y, size_t n);
void tanh_forward(float *y, const float *x, size_t n);
void tanh_backward(float *dx, const float *dy, const float *y, size_t n);
void softmax_forward(float *y, const float *x, int rows, int k);
void softmax_backward(float *dx, const float *dy, const float *y, int rows, int k);

// Numerically stable sigmoid for one value (never calls exp of a large positive number).
float sigmoidf(float x);

Layer *relu_new(void);
Layer *leaky_relu_new(float alpha);       // Keras's LeakyReLU default alpha is 0.3; GAN code often uses 0.2
Layer *sigmoid_new(void);
Layer *tanh_new(void);
Layer *softmax_new(void);                 // over channels: each sample's C*H*W values must be one distribution

#endif
