// regularize.h: the two layers that behave differently in training and in evaluation.
//
// BatchNormalization (Keras defaults: momentum 0.99, epsilon 1e-3), per channel c over the N*H*W values of a batch:
//   training:  mu = mean(x),  var = mean((x - mu)^2),  xhat = (x - mu) / sqrt(var + eps),  y = gamma * xhat + beta
//              moving_mean = m * moving_mean + (1 - m) * mu   (and likewise moving_variance with var)
//   eval:      y = gamma * (x - moving_mean) / sqrt(moving_variance + eps) + beta
//   backward (training), with M = N*H*W values per channel:
//              dgamma = sum(dy * xhat),  dbeta = sum(dy)
//              dx = gamma / sqrt(var + eps) * (dy - dbeta / M - xhat * dgamma / M)
//
// Dropout(rate) (inverted dropout, as Keras):
//   training:  keep each value with probability 1 - rate, and scale kept values by 1 / (1 - rate)
//   eval:      y = x
#ifndef REGULARIZE_H
#define REGULARIZE_H

#include "layer.h"

Layer *batchnorm_new(void);                       // gamma = 1, beta = 0, moving mean 0, moving variance 1
Layer *batchnorm_new_with(float momentum, float eps);
Layer *dropout_new(float rate);                   // 0 <= rate < 1; its mask stream is split from the net's Rng

#endif
