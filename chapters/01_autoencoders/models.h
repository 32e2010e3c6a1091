// models.h: the five autoencoders of the lecture notebook, each an encoder net and a decoder net, and the
// ActivityRegularization layer that makes two of them sparse.
//
//   x (N, 1, 28, 28) --encoder--> code (N, Z...) --decoder--> x_hat (N, 1, 28, 28), values in (0, 1)
//
// An autoencoder is trained to give back its input (target = input) through a code much smaller than the input,
// so the code must keep what matters about the image. Keeping encoder and decoder as two nets (and not one stack)
// is what lets the chapter take the code out: to draw it, to measure how sparse it is, to run t-SNE on it, and to
// reuse the encoder for a classifier.
//
//   model           code        encoder (3x3 kernels, relu unless said)             params   notebook schedule
//   A dense         64          Dense256-Dense128-Dense64                           484,944  100 epochs, batch 256
//   B sparse dense  64          A + L1 activity penalty 1e-4 on the 64 units        484,944  100, 256
//   C conv          4x4x4 = 64  Conv16-Pool-Conv8-Pool-Conv4-Pool(same)               3,805  25, 128
//   D sparse conv   4x4x4 = 64  C + L1 penalty on Conv4's output (before its pool)    3,805  25, 128
//   E bigger conv   7x7x4 = 196 Conv32-Pool-Conv16-Pool-Conv4 (linear) + L1          11,045  25, 128
//
// Each decoder mirrors its encoder (Dense128-Dense256-Dense784 for A and B; Conv + UpSampling for C, D, E) and
// ends in a sigmoid, because pixels lie in [0, 1].
#ifndef MODELS_H
#define MODELS_H

#include "layers.h"

// ---- ActivityRegularization (Keras: activity_regularizer=regularizers.l1(lambda) on a layer) ----
//
// A regulariser on activations, written as a layer of its own placed right after the layer it watches:
//
//   forward    y = x                        (nothing changes on the way up...)
//              penalty = lambda/N sum |x|   (...but the layer records the penalty, for the loss)
//   backward   dx = dy + lambda sign(x) / N (the penalty's gradient joins the one coming down)
//
// so that the total loss the optimiser sees is MSE + penalty, exactly as Keras adds activity penalties to the
// loss. No parameters: it adds 0 to the summary's counts.
Layer *activity_l1_new(float lambda);
// The penalty lambda/N sum |x| of the last forward pass of layer l (an activity_l1_new layer).
float activity_l1_penalty(const Layer *l);

// ---- the autoencoders ----

typedef enum { AE_DENSE, AE_SPARSE_DENSE, AE_CONV, AE_SPARSE_CONV, AE_BIG_CONV, AE_COUNT } AeKind;

typedef struct {
    AeKind kind;
    const char *key;            // "dense", "sparse_dense", ...: the chapter's RESULT key is test_mse_<key>
    const char *title;          // "A dense", ...
    Net *encoder;               // x (N, 1, 28, 28) -> code (N, Z) or (N, C, H, W); owned
    Net *decoder;               // code -> x_hat (N, 1, 28, 28); input_grad is set: backward returns dL/dcode
    Layer *activity;            // the encoder's ActivityRegularization layer, or NULL (A, C); owned by the encoder
    int code_c, code_h, code_w; // shape of one code: (64, 1, 1) for A and B, (4, 4, 4) for C and D, (4, 7, 7) E
    int full_epochs;            // the notebook's schedule
    int full_batch;
    float notebook_val_mse;     // the notebook's final validation loss (with the penalty for B and D)
} Autoencoder;

// Build model `kind` with fresh weights drawn from rng (which must outlive the nets). Free with ae_free.
void ae_build(Autoencoder *ae, AeKind kind, Rng *rng);
// Free both nets (safe on a zeroed Autoencoder).
void ae_free(Autoencoder *ae);
// Trainable floats in encoder + decoder (the number Keras's summary prints for the whole autoencoder).
size_t ae_param_count(const Autoencoder *ae);
// Floats in one code: code_c * code_h * code_w.
int ae_code_size(const Autoencoder *ae);
// Print both summaries (encoder, then decoder) and the total, as Keras prints the whole model's.
void ae_summary(const Autoencoder *ae, FILE *f);

#endif
