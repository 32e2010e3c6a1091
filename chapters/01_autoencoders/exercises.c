// exercises.c: the three exercises of chapter 01. The comment above each function says what to write; fill in its
// body, then `make grade` (tests/exercises/test_ex01.c) and `make chapter01 && ./chapter01` (steps 7-9).
//
// What you need from the library (see the headers for the details):
//   net_new, net_add, net_forward, net_backward, net_zero_grad, net_out_shape        net.h
//   conv2d_new, maxpool2d_new, upsample2d_new, dense_new, flatten_new, relu_new, ... layers.h
//   loss_mse, loss_softmax_cross_entropy                                             loss.h
//   optim_step                                                                       optim.h
#include "exercises.h"

#include <math.h>
#include <string.h>

#include "exercise.h"
#include "loss.h"

// TODO(1.1): a conventional convolutional autoencoder.
//   The notebook's conv autoencoder (model C) narrows as it goes deeper: 16, then 8, then 4 filters. The usual
//   design does the opposite: each pooling halves the image, so the encoder doubles the filters to keep room for
//   what it finds, e.g. 8 -> 16 -> 32 (or the lecture's 16 -> 32 -> 64). The decoder mirrors the encoder.
//   Build (3x3 kernels, 'same' padding and relu unless said; shapes per sample):
//     encoder, input (1, 28, 28):  Conv8  - MaxPool(2, same)      -> (8, 14, 14)
//                                  Conv16 - MaxPool(2, same)      -> (16, 7, 7)
//                                  Conv32 - MaxPool(2, same)      -> (32, 4, 4): the code, 512 numbers
//     decoder, input (32, 4, 4):   Conv32 - UpSampling2D(2)       -> (32, 8, 8)
//                                  Conv16 - UpSampling2D(2)       -> (16, 16, 16)
//                                  Conv8 'valid' - UpSampling2D(2) -> (8, 28, 28)   (16 - 2 = 14, then 28)
//                                  Conv1 with a sigmoid            -> (1, 28, 28), pixels in (0, 1)
//   Hints: models.c builds model C the same way; net_out_shape(encoder, &c, &h, &w) gives the decoder's input
//   shape. Name the nets "deep_conv_encoder" and "deep_conv_decoder".
// STUB: exercise_todo("1.1"); *encoder = NULL; *decoder = NULL;
void ex_conv_autoencoder(Net **encoder, Net **decoder, Rng *rng) {
    /* BEGIN SOLUTION 1.1 */
    Net *e = net_new("deep_conv_encoder", 1, 28, 28, rng);
    net_add(e, conv2d_new(8, 3, 1, PAD_SAME));  net_add(e, relu_new());     // (8, 28, 28)
    net_add(e, maxpool2d_new(2, PAD_SAME));                                 // (8, 14, 14)
    net_add(e, conv2d_new(16, 3, 1, PAD_SAME)); net_add(e, relu_new());     // (16, 14, 14)
    net_add(e, maxpool2d_new(2, PAD_SAME));                                 // (16, 7, 7)
    net_add(e, conv2d_new(32, 3, 1, PAD_SAME)); net_add(e, relu_new());     // (32, 7, 7)
    net_add(e, maxpool2d_new(2, PAD_SAME));                                 // (32, 4, 4): the code

    int c, h, w;
    net_out_shape(e, &c, &h, &w);
    Net *d = net_new("deep_conv_decoder", c, h, w, rng);
    net_add(d, conv2d_new(32, 3, 1, PAD_SAME));  net_add(d, relu_new());    // (32, 4, 4)
    net_add(d, upsample2d_new(2));                                          // (32, 8, 8)
    net_add(d, conv2d_new(16, 3, 1, PAD_SAME));  net_add(d, relu_new());    // (16, 8, 8)
    net_add(d, upsample2d_new(2));                                          // (16, 16, 16)
    net_add(d, conv2d_new(8, 3, 1, PAD_VALID));  net_add(d, relu_new());    // (8, 14, 14)
    net_add(d, upsample2d_new(2));                                          // (8, 28, 28)
    net_add(d, conv2d_new(1, 3, 1, PAD_SAME));   net_add(d, sigmoid_new()); // (1, 28, 28)
    *encoder = e;
    *decoder = d;
    /* END SOLUTION */
}

// TODO(1.2): pre-training, part 1: a classification head on the encoder's code.
//   Keep the trained encoder, drop the decoder, and put on the code a small classifier:
//     Flatten -> Dense(64) -> ReLU -> Dense(K)        (N, C, H, W) -> (N, C*H*W) -> (N, 64) -> (N, K) logits
//   No softmax at the end: loss_softmax_cross_entropy applies it (more stably).
//   Shapes: the head's input is the encoder's output shape (net_out_shape). Leave the encoder as it is: its trained
//   weights are the whole point. Set head->input_grad = true, so that the head's backward returns dL/dcode for
//   the encoder to continue from. Name the net "head".
// STUB: exercise_todo("1.2"); return NULL;
Net *ex_classifier_head(const Net *encoder, int k, Rng *rng) {
    /* BEGIN SOLUTION 1.2 */
    int c, h, w;
    net_out_shape(encoder, &c, &h, &w);
    Net *head = net_new("head", c, h, w, rng);
    net_add(head, flatten_new());                       // (C*H*W)
    net_add(head, dense_new(64)); net_add(head, relu_new());   // (64)
    net_add(head, dense_new(k));                        // (K) logits
    head->input_grad = true;                            // backward returns dL/dcode for the encoder
    return head;
    /* END SOLUTION */
}

// TODO(1.2): pre-training, part 2: one fine-tuning step of head(encoder(x)).
//   1. clear the parameter gradients of both nets (they accumulate: net_zero_grad)
//   2. code = encoder(x)  (N, C, H, W);  logits = head(code)  (N, K)       (net_forward, training = true)
//   3. L = softmax cross-entropy of logits against labels; dlogits = dL/dlogits     (loss_softmax_cross_entropy)
//   4. dcode = head's backward from dlogits (the head must have input_grad set); then the encoder's backward from
//      dcode: this is what makes it fine-tuning and not just training a head on frozen features
//   5. optim_step(opt): opt holds the parameters of both nets
//   Return L. Hint: the head's input gradient is owned by the head; pass it straight to net_backward(encoder, ...).
// STUB: exercise_todo("1.2"); return 0.0f;
float ex_finetune_step(Net *encoder, Net *head, Optimizer *opt, const Tensor *x, const int *labels,
                       Tensor *dlogits) {
    /* BEGIN SOLUTION 1.2 */
    net_zero_grad(encoder);
    net_zero_grad(head);
    const Tensor *code = net_forward(encoder, x, true);                 // (N, C, H, W)
    const Tensor *logits = net_forward(head, code, true);               // (N, K)
    float loss = loss_softmax_cross_entropy(dlogits, logits, labels, NULL);
    const Tensor *dcode = net_backward(head, dlogits);                  // dL/dcode (N, C, H, W)
    net_backward(encoder, dcode);                                       // on into the pre-trained weights
    optim_step(opt);
    return loss;
    /* END SOLUTION */
}

// TODO(1.3): semi-supervised, part 1: the masked softmax cross-entropy.
//   logits (N, K) row-major, labels (N): a class 0..K-1, or -1 where the label is hidden. With M labelled rows,
//     p_n = softmax(z_n)                    (subtract the row's max before exp: same p, no overflow)
//     L = 1/M sum over labelled n of -log p_n[y_n]
//     dL/dz_n[k] = (p_n[k] - [k == y_n]) / M   for labelled rows,   0 for masked rows
//   M = 0 (all masked) must give L = 0 and all-zero gradients, with no 0/0. dlogits may be NULL (loss only).
//   Hint: -log p_n[y] = log sum_k exp(z_k - max) - (z_y - max); sum in double.
// STUB: exercise_todo("1.3"); return 0.0f;
float ex_masked_cross_entropy(float *dlogits, const float *logits, const int *labels, int n, int k) {
    /* BEGIN SOLUTION 1.3 */
    int m = 0;
    for (int i = 0; i < n; i++) m += labels[i] >= 0;
    if (dlogits) memset(dlogits, 0, (size_t)n * k * sizeof(float));     // masked rows keep a zero gradient
    if (m == 0) return 0.0f;
    double total = 0.0;
    for (int i = 0; i < n; i++) {
        if (labels[i] < 0) continue;
        const float *z = logits + (size_t)i * k;
        float zmax = z[0];
        for (int j = 1; j < k; j++) zmax = fmaxf(zmax, z[j]);
        double denom = 0.0;
        for (int j = 0; j < k; j++) denom += exp((double)z[j] - zmax);
        double log_denom = log(denom);
        total += log_denom - ((double)z[labels[i]] - zmax);            // -log p[y]
        if (dlogits)
            for (int j = 0; j < k; j++) {
                double p = exp((double)z[j] - zmax - log_denom);
                dlogits[(size_t)i * k + j] = (float)((p - (j == labels[i])) / m);
            }
    }
    return (float)(total / m);
    /* END SOLUTION */
}

// TODO(1.3): semi-supervised, part 2: forward and backward through one encoder and two heads.
//   1. code = encoder(x); x_hat = decoder(code); logits = head(code)             (net_forward, training = true)
//   2. mse = MSE(x_hat, x) with dxhat = dMSE/dx_hat                              (loss_mse into m->dxhat)
//      ce = ex_masked_cross_entropy(...) with dlogits = dCE/dlogits (into m->dlogits, sized like logits:
//      tensor_resize(&m->dlogits, logits->n, logits->c, 1, 1))
//      L = mse + w ce, with w = m->class_weight; so dL/dlogits = w dCE/dlogits (scale m->dlogits by w)
//   3. Both heads read the same code, so dL/dcode is the SUM of what each sends back:
//        dcode = decoder's backward(dxhat) + head's backward(dlogits)
//      (set input_grad on both first, so that net_backward returns dL/dcode; copy the first into m->dcode
//      before running the second, since each net owns the tensor it returns)
//   4. encoder's backward from m->dcode.
//   Store m->mse and m->ce; return L. Do not zero gradients or take an optimiser step here: the caller does.
// STUB: exercise_todo("1.3"); return 0.0f;
float ex_two_heads_backward(TwoHeads *m, const Tensor *x, const int *labels) {
    /* BEGIN SOLUTION 1.3 */
    m->decoder->input_grad = true;
    m->head->input_grad = true;
    const Tensor *code = net_forward(m->encoder, x, true);              // (N, C, H, W)
    const Tensor *xhat = net_forward(m->decoder, code, true);           // (N, 1, 28, 28)
    const Tensor *logits = net_forward(m->head, code, true);            // (N, K)
    m->mse = loss_mse(&m->dxhat, xhat, x);                              // dMSE/dx_hat
    int k = (int)tensor_sample_size(logits);
    tensor_resize(&m->dlogits, logits->n, k, 1, 1);
    m->ce = ex_masked_cross_entropy(m->dlogits.data, logits->data, labels, logits->n, k);
    for (size_t i = 0; i < tensor_size(&m->dlogits); i++) m->dlogits.data[i] *= m->class_weight;   // L = mse + w ce
    tensor_copy(&m->dcode, net_backward(m->decoder, &m->dxhat));        // dcode  = decoder's dL/dcode
    const Tensor *dcode_head = net_backward(m->head, &m->dlogits);
    for (size_t i = 0; i < tensor_size(&m->dcode); i++) m->dcode.data[i] += dcode_head->data[i];   // + head's
    net_backward(m->encoder, &m->dcode);
    return m->mse + m->class_weight * m->ce;
    /* END SOLUTION */
}

void two_heads_free(TwoHeads *m) {
    net_free(m->encoder);
    net_free(m->decoder);
    net_free(m->head);
    tensor_free(&m->dxhat);
    tensor_free(&m->dlogits);
    tensor_free(&m->dcode);
    *m = (TwoHeads){0};
}
