// models.c: the notebook's five autoencoders (see models.h for the table) and the ActivityRegularization layer.
#include "models.h"

#include <stdio.h>
#include <string.h>

#include "loss.h"

// ================================ ActivityRegularization: y = x, loss += lambda/N sum|x| ===========================

typedef struct {
    Layer base;
    float lambda;           // L1 strength (Keras: regularizers.l1(1e-4))
    float penalty;          // lambda/N sum |x| of the last forward
} ActivityL1;

static void activity_build(Layer *l, Rng *rng) {
    l->out_c = l->in_c; l->out_h = l->in_h; l->out_w = l->in_w;     // same shape in and out
}

static void activity_forward(Layer *l, Tensor *out, const Tensor *in, bool training) {
    ActivityL1 *a = (ActivityL1 *)l;
    memcpy(out->data, in->data, tensor_size(in) * sizeof(float));   // y = x
    a->penalty = loss_l1_activity(NULL, in, a->lambda);              // lambda/N sum |x|, N = in->n
}

static void activity_backward(Layer *l, Tensor *din, const Tensor *dout) {
    ActivityL1 *a = (ActivityL1 *)l;
    if (!din) return;
    memcpy(din->data, dout->data, tensor_size(dout) * sizeof(float));   // forward: y = x  =>  dx = dy
    loss_l1_activity(din, l->in, a->lambda);                            // forward: penalty => dx += lambda sign(x)/N
}

static const LayerOps ACTIVITY_L1_OPS = {"ActivityRegularization", activity_build, activity_forward,
                                         activity_backward, NULL};

Layer *activity_l1_new(float lambda) {
    ActivityL1 *a = (ActivityL1 *)layer_alloc(sizeof(ActivityL1), &ACTIVITY_L1_OPS);
    a->lambda = lambda;
    return &a->base;
}

float activity_l1_penalty(const Layer *l) { return ((const ActivityL1 *)l)->penalty; }

// ================================ the five autoencoders =============================================================
//
// Each builder writes the notebook's Keras model beside its C. Shapes in comments are per sample (C, H, W).

#define L1_STRENGTH 1e-4f       // the notebook's regularizers.l1(10e-5)

// A and B. Keras:
//   encoded = Dense(256, relu)(x); encoded = Dense(128, relu)(encoded)
//   encoded = Dense(64, relu [, activity_regularizer=l1(10e-5)])(encoded)
//   decoded = Dense(128, relu)(encoded); decoded = Dense(256, relu)(decoded); decoded = Dense(784, sigmoid)(decoded)
static void build_dense(Autoencoder *ae, bool sparse, Rng *rng) {
    Net *e = ae->encoder = net_new(sparse ? "sparse_dense_encoder" : "dense_encoder", 1, 28, 28, rng);
    net_add(e, flatten_new());                      // (784)
    net_add(e, dense_new(256)); net_add(e, relu_new());     // (256)
    net_add(e, dense_new(128)); net_add(e, relu_new());     // (128)
    net_add(e, dense_new(64));  net_add(e, relu_new());     // (64): the code
    if (sparse) ae->activity = net_add(e, activity_l1_new(L1_STRENGTH));

    Net *d = ae->decoder = net_new(sparse ? "sparse_dense_decoder" : "dense_decoder", 64, 1, 1, rng);
    net_add(d, dense_new(128)); net_add(d, relu_new());     // (128)
    net_add(d, dense_new(256)); net_add(d, relu_new());     // (256)
    net_add(d, dense_new(784)); net_add(d, sigmoid_new());  // (784) pixels in (0, 1)
    net_add(d, reshape_new(1, 28, 28));                     // (1, 28, 28), to compare with the input image
}

// C and D. Keras:
//   x = Conv2D(16, 3, relu, same)(img); x = MaxPooling2D(2, same)(x)            (16, 28, 28) -> (16, 14, 14)
//   x = Conv2D(8, 3, relu, same)(x);    x = MaxPooling2D(2, same)(x)            (8, 14, 14)  -> (8, 7, 7)
//   x = Conv2D(4, 3, relu, same [, activity_regularizer=l1(10e-5)])(x)          (4, 7, 7)
//   encoded = MaxPooling2D(2, same)(x)                                          (4, 4, 4): 7 -> ceil(7/2) = 4
//   x = Conv2D(8, 3, relu, same)(encoded); x = UpSampling2D(2)(x)               (8, 4, 4)   -> (8, 8, 8)
//   x = Conv2D(8, 3, relu, same)(x);       x = UpSampling2D(2)(x)               (8, 8, 8)   -> (8, 16, 16)
//   x = Conv2D(16, 3, relu)(x);            x = UpSampling2D(2)(x)               (16, 14, 14) -> (16, 28, 28)
//   decoded = Conv2D(1, 3, sigmoid, same)(x)                                    (1, 28, 28)
// The one 'valid' convolution takes 16x16 down to 14x14, so that two doublings from 4 end at 28 and not 32.
static void build_conv(Autoencoder *ae, bool sparse, Rng *rng) {
    Net *e = ae->encoder = net_new(sparse ? "sparse_conv_encoder" : "conv_encoder", 1, 28, 28, rng);
    net_add(e, conv2d_new(16, 3, 1, PAD_SAME)); net_add(e, relu_new());    // (16, 28, 28)
    net_add(e, maxpool2d_new(2, PAD_SAME));                                // (16, 14, 14)
    net_add(e, conv2d_new(8, 3, 1, PAD_SAME));  net_add(e, relu_new());    // (8, 14, 14)
    net_add(e, maxpool2d_new(2, PAD_SAME));                                // (8, 7, 7)
    net_add(e, conv2d_new(4, 3, 1, PAD_SAME));  net_add(e, relu_new());    // (4, 7, 7)
    if (sparse) ae->activity = net_add(e, activity_l1_new(L1_STRENGTH));   // penalty on Conv4's 196 outputs
    net_add(e, maxpool2d_new(2, PAD_SAME));                                // (4, 4, 4): the code

    Net *d = ae->decoder = net_new(sparse ? "sparse_conv_decoder" : "conv_decoder", 4, 4, 4, rng);
    net_add(d, conv2d_new(8, 3, 1, PAD_SAME));  net_add(d, relu_new());    // (8, 4, 4)
    net_add(d, upsample2d_new(2));                                         // (8, 8, 8)
    net_add(d, conv2d_new(8, 3, 1, PAD_SAME));  net_add(d, relu_new());    // (8, 8, 8)
    net_add(d, upsample2d_new(2));                                         // (8, 16, 16)
    net_add(d, conv2d_new(16, 3, 1, PAD_VALID)); net_add(d, relu_new());   // (16, 14, 14)
    net_add(d, upsample2d_new(2));                                         // (16, 28, 28)
    net_add(d, conv2d_new(1, 3, 1, PAD_SAME));  net_add(d, sigmoid_new()); // (1, 28, 28)
}

// E. Keras:
//   x = Conv2D(32, 3, relu, same)(img); x = MaxPooling2D(2, same)(x)            (32, 14, 14)
//   x = Conv2D(16, 3, relu, same)(x);   x = MaxPooling2D(2, same)(x)            (16, 7, 7)
//   encoded = Conv2D(4, 3, same, activity_regularizer=l1(10e-5))(x)             (4, 7, 7), linear
//   x = Conv2D(16, 3, relu, same)(encoded); x = UpSampling2D(2)(x)              (16, 14, 14)
//   x = Conv2D(32, 3, relu, same)(x);       x = UpSampling2D(2)(x)              (32, 28, 28)
//   decoded = Conv2D(1, 3, sigmoid, same)(x)                                    (1, 28, 28)
// Three times the code of C (196 numbers, no last pooling) and three times the parameters.
static void build_big_conv(Autoencoder *ae, Rng *rng) {
    Net *e = ae->encoder = net_new("big_conv_encoder", 1, 28, 28, rng);
    net_add(e, conv2d_new(32, 3, 1, PAD_SAME)); net_add(e, relu_new());    // (32, 28, 28)
    net_add(e, maxpool2d_new(2, PAD_SAME));                                // (32, 14, 14)
    net_add(e, conv2d_new(16, 3, 1, PAD_SAME)); net_add(e, relu_new());    // (16, 14, 14)
    net_add(e, maxpool2d_new(2, PAD_SAME));                                // (16, 7, 7)
    net_add(e, conv2d_new(4, 3, 1, PAD_SAME));                             // (4, 7, 7): the code, linear
    ae->activity = net_add(e, activity_l1_new(L1_STRENGTH));

    Net *d = ae->decoder = net_new("big_conv_decoder", 4, 7, 7, rng);
    net_add(d, conv2d_new(16, 3, 1, PAD_SAME)); net_add(d, relu_new());    // (16, 7, 7)
    net_add(d, upsample2d_new(2));                                         // (16, 14, 14)
    net_add(d, conv2d_new(32, 3, 1, PAD_SAME)); net_add(d, relu_new());    // (32, 14, 14)
    net_add(d, upsample2d_new(2));                                         // (32, 28, 28)
    net_add(d, conv2d_new(1, 3, 1, PAD_SAME));  net_add(d, sigmoid_new()); // (1, 28, 28)
}

void ae_build(Autoencoder *ae, AeKind kind, Rng *rng) {
    static const struct {
        const char *key, *title;
        int epochs, batch;
        float val_mse;
    } INFO[AE_COUNT] = {
        [AE_DENSE] = {"dense", "A dense", 100, 256, 0.0069f},
        [AE_SPARSE_DENSE] = {"sparse_dense", "B sparse dense", 100, 256, 0.0088f},
        [AE_CONV] = {"conv", "C conv", 25, 128, 0.0135f},
        [AE_SPARSE_CONV] = {"sparse_conv", "D sparse conv", 25, 128, 0.0153f},
        [AE_BIG_CONV] = {"big_conv", "E bigger conv", 25, 128, 0.0060f},
    };
    *ae = (Autoencoder){.kind = kind, .key = INFO[kind].key, .title = INFO[kind].title,
                        .full_epochs = INFO[kind].epochs, .full_batch = INFO[kind].batch,
                        .notebook_val_mse = INFO[kind].val_mse};
    switch (kind) {
    case AE_DENSE: build_dense(ae, false, rng); break;
    case AE_SPARSE_DENSE: build_dense(ae, true, rng); break;
    case AE_CONV: build_conv(ae, false, rng); break;
    case AE_SPARSE_CONV: build_conv(ae, true, rng); break;
    case AE_BIG_CONV: build_big_conv(ae, rng); break;
    case AE_COUNT: break;
    }
    net_out_shape(ae->encoder, &ae->code_c, &ae->code_h, &ae->code_w);
    ae->decoder->input_grad = true;     // the encoder trains on the gradient the decoder sends back
}

void ae_free(Autoencoder *ae) {
    net_free(ae->encoder);
    net_free(ae->decoder);
    ae->encoder = ae->decoder = NULL;
    ae->activity = NULL;
}

size_t ae_param_count(const Autoencoder *ae) {
    return net_param_count(ae->encoder) + net_param_count(ae->decoder);
}

int ae_code_size(const Autoencoder *ae) { return ae->code_c * ae->code_h * ae->code_w; }

void ae_summary(const Autoencoder *ae, FILE *f) {
    net_summary(ae->encoder, f);
    net_summary(ae->decoder, f);
    size_t n = ae_param_count(ae);
    char count[32];
    if (n >= 1000) snprintf(count, sizeof count, "%zu,%03zu", n / 1000, n % 1000);     // Keras's 484,944
    else snprintf(count, sizeof count, "%zu", n);
    fprintf(f, "Autoencoder \"%s\": total params (encoder + decoder): %s; code: %d numbers\n", ae->title, count,
            ae_code_size(ae));
}
