// layers.h: every layer in one include, for chapters. (Library code includes the one header it needs.)
//
//   Keras                        here
//   Dense(u)                     dense_new(u)
//   Conv2D(f, k, strides=s,      conv2d_new(f, k, s, PAD_SAME)
//          padding='same')
//   Conv2DTranspose(f, k, s)     conv2d_transpose_new(f, k, s, PAD_SAME)
//   MaxPooling2D(p)              maxpool2d_new(p, PAD_VALID)
//   UpSampling2D(f)              upsample2d_new(f)
//   Activation('relu') ...       relu_new(), leaky_relu_new(a), sigmoid_new(), tanh_new(), softmax_new()
//   BatchNormalization()         batchnorm_new()
//   Dropout(r)                   dropout_new(r)
//   Flatten(), Reshape(s)        flatten_new(), reshape_new(c, h, w)
//   Concatenate(axis=channels)   concat_channels_forward / _backward (two inputs: not a Layer)
#ifndef LAYERS_H
#define LAYERS_H

#include "layers/activations.h"
#include "layers/conv2d.h"
#include "layers/conv2d_transpose.h"
#include "layers/dense.h"
#include "layers/pool.h"
#include "layers/regularize.h"
#include "layers/shape.h"
#include "layers/upsample.h"
#include "net.h"

#endif
