// exercises.h: the graded exercises of chapter 01 (the lecture's "try the following"). Write them in exercises.c;
// `make grade` runs tests/exercises/test_ex01.c on them, and ./chapter01 uses them in its steps 7 to 9.
//
//   1.1  a conventional convolutional autoencoder: filters grow with depth, the decoder mirrors the encoder
//   1.2  pre-training: keep a trained encoder, put a classification head on its code, fine-tune both
//   1.3  semi-supervised: one encoder, two heads (decoder + classifier), reconstruction + masked cross-entropy
//
// Letters: N batch, K classes; a code is (N, C, H, W) (a vector code is (N, Z, 1, 1)).
#ifndef EXERCISES_H
#define EXERCISES_H

#include "layers.h"
#include "optim.h"

// ---- 1.1 ----
// Build a convolutional autoencoder whose encoder has more filters the deeper it goes (8 -> 16 -> 32, or the
// lecture's 16 -> 32 -> 64) and whose decoder mirrors it back to one channel. On return:
//   *encoder  input (N, 1, 28, 28) -> code (N, C, H, W) with H, W < 28
//   *decoder  input = the encoder's output shape -> (N, 1, 28, 28), values in [0, 1]
// Both nets draw their weights from rng (which must outlive them); the caller frees them with net_free.
void ex_conv_autoencoder(Net **encoder, Net **decoder, Rng *rng);

// ---- 1.2 ----
// A classification head for codes of `encoder`: a new net whose input is the encoder's output shape and whose
// output is (N, K) logits (no softmax: the loss applies it). It must not change the encoder, and it must hand
// dL/dcode back (input_grad) so that fine-tuning reaches the encoder. The caller frees it with net_free.
Net *ex_classifier_head(const Net *encoder, int k, Rng *rng);

// One fine-tuning step of the classifier head(encoder(x)) on a labelled batch x (N, 1, 28, 28), labels (N) in
// 0..K-1: clear the gradients of both nets, forward, softmax cross-entropy, backward through the head and on into
// the encoder, one optimiser step (opt holds the parameters of both nets). dlogits is scratch (resized as needed).
// Returns the batch's mean cross-entropy.
float ex_finetune_step(Net *encoder, Net *head, Optimizer *opt, const Tensor *x, const int *labels,
                       Tensor *dlogits);

// ---- 1.3 ----
// The masked softmax cross-entropy. logits (N, K); labels (N), each in 0..K-1 or -1 for "no label". Over the M
// labelled rows:  L = 1/M sum -log softmax(z_n)_{y_n},  dL/dz_n = (softmax(z_n) - onehot(y_n)) / M,
// and dL/dz_n = 0 for masked rows. M = 0 gives L = 0 and a zero gradient. dlogits (N, K) is written when not NULL.
float ex_masked_cross_entropy(float *dlogits, const float *logits, const int *labels, int n, int k);

// The semi-supervised model: one encoder, and on its code both a decoder (reconstruction) and a head (classes).
//
//                      +--decoder--> x_hat (N, 1, 28, 28)    MSE(x_hat, x)
//   x --encoder--> code
//                      +--head-----> logits (N, K)           w * masked CE(logits, labels)
typedef struct {
    Net *encoder;           // x (N, 1, 28, 28) -> code (N, C, H, W); owned
    Net *decoder;           // code -> x_hat (N, 1, 28, 28); owned
    Net *head;              // code -> logits (N, K); owned
    float class_weight;     // w in L = MSE + w * CE
    float mse, ce;          // the two parts of the loss at the last ex_two_heads_backward
    Tensor dxhat;           // (N, 1, 28, 28) dL/dx_hat          scratch of the step, owned
    Tensor dlogits;         // (N, K)         dL/dlogits
    Tensor dcode;           // (N, C, H, W)   dL/dcode, from both heads
} TwoHeads;

// Forward x (N, 1, 28, 28) through the three nets, compute L = MSE(x_hat, x) + w * masked CE(logits, labels),
// and backpropagate it: ADD dL/dparams into the gradients of all three nets (the caller zeroes them before and
// takes the optimiser step after). Stores m->mse and m->ce; returns L.
float ex_two_heads_backward(TwoHeads *m, const Tensor *x, const int *labels);
// Free the three nets and the scratch tensors (safe on a zeroed TwoHeads).
void two_heads_free(TwoHeads *m);

#endif
