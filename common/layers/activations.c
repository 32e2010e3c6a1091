// activations.c: element-wise nonlinearities. The layers keep their output (sigmoid, tanh, softmax) or their input
// (relu, leaky relu), whichever their derivative is cheapest to write in.
#include "activations.h"

#include <math.h>

// The element-wise loops below run over a whole batch (128 x 32 x 28 x 28 = 3.2 million floats after chapter 00's
// first convolution). Each element is independent, so the threads can split them any way without changing a bit
// of the result; below ELEMENTWISE_PARALLEL_MIN elements waking the threads costs more than it saves.
enum { ELEMENTWISE_PARALLEL_MIN = 1 << 16 };
#ifdef _OPENMP
#define EACH_ELEMENT _Pragma("omp parallel for schedule(static) if (n >= ELEMENTWISE_PARALLEL_MIN)")
#else
#define EACH_ELEMENT
#endif

void relu_forward(float *y, const float *x, size_t n) {
    EACH_ELEMENT
    for (size_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}
void relu_backward(float *dx, const float *dy, const float *x, size_t n) {
    EACH_ELEMENT
    for (size_t i = 0; i < n; i++) dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;         // forward: y = max(x, 0)
}

void leaky_relu_forward(float *y, const float *x, float alpha, size_t n) {
    EACH_ELEMENT
    for (size_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : alpha * x[i];
}
void leaky_relu_backward(float *dx, const float *dy, const float *x, float alpha, size_t n) {
    EACH_ELEMENT
    for (size_t i = 0; i < n; i++) dx[i] = x[i] > 0.0f ? dy[i] : alpha * dy[i]; // forward: y = x or alpha x
}

float sigmoidf(float x) {
    // For x < 0 use exp(x) / (1 + exp(x)): same value, and exp never overflows.
    if (x >= 0.0f) return 1.0f / (1.0f + expf(-x));
    float e = expf(x);
    return e / (1.0f + e);
}
void sigmoid_forward(float *y, const float *x, size_t n) {
    EACH_ELEMENT
    for (size_t i = 0; i < n; i++) y[i] = sigmoidf(x[i]);
}
void sigmoid_backward(float *dx, const float *dy, const float *y, size_t n) {
    EACH_ELEMENT
    for (size_t i = 0; i < n; i++) dx[i] = dy[i] * y[i] * (1.0f - y[i]);        // forward: y = 1/(1+e^-x)
}

void tanh_forward(float *y, const float *x, size_t n) {
    EACH_ELEMENT
    for (size_t i = 0; i < n; i++) y[i] = tanhf(x[i]);
}
void tanh_backward(float *dx, const float *dy, const float *y, size_t n) {
    EACH_ELEMENT
    for (size_t i = 0; i < n; i++) dx[i] = dy[i] * (1.0f - y[i] * y[i]);        // forward: y = tanh(x)
}

void softmax_forward(float *y, const float *x, int rows, int k) {
    for (int r = 0; r < rows; r++) {
        const float *xr = x + (size_t)r * k;
        float *yr = y + (size_t)r * k;
        float max = xr[0];                         // subtract the max: same result, exp cannot overflow
        for (int j = 1; j < k; j++) max = fmaxf(max, xr[j]);
        double sum = 0.0;
        for (int j = 0; j < k; j++) { yr[j] = expf(xr[j] - max); sum += yr[j]; }
        for (int j = 0; j < k; j++) yr[j] = (float)(yr[j] / sum);
    }
}
void softmax_backward(float *dx, const float *dy, const float *y, int rows, int k) {
    for (int r = 0; r < rows; r++) {
        const float *yr = y + (size_t)r * k, *dyr = dy + (size_t)r * k;
        float *dxr = dx + (size_t)r * k;
        double dot = 0.0;                          // forward: y_k = exp(x_k) / sum_j exp(x_j)
        for (int j = 0; j < k; j++) dot += (double)dyr[j] * yr[j];
        for (int j = 0; j < k; j++) dxr[j] = yr[j] * (dyr[j] - (float)dot);   // => dx_k = y_k (dy_k - dy.y)
    }
}

// ---- the layers ----

typedef struct {
    Layer base;
    float alpha;            // LeakyReLU slope for x < 0
    const Tensor *out;      // output of the last forward (sigmoid, tanh, softmax differentiate through it)
} Activation;

static void build_same_shape(Layer *l, Rng *rng) {
    l->out_c = l->in_c; l->out_h = l->in_h; l->out_w = l->in_w;
}

#define ACTIVATION_OPS(NAME, KIND, FWD, BWD)                                                         \
    static void NAME##_fwd(Layer *l, Tensor *out, const Tensor *in, bool training) {                 \
        Activation *a = (Activation *)l; (void)a;                                                    \
        FWD;                                                                                         \
        a->out = out;                                                                                \
    }                                                                                                \
    static void NAME##_bwd(Layer *l, Tensor *din, const Tensor *dout) {                              \
        if (!din) return;                                                                            \
        Activation *a = (Activation *)l; (void)a;                                                    \
        const Tensor *in = l->in; (void)in;                                                          \
        BWD;                                                                                         \
    }                                                                                                \
    static const LayerOps NAME##_OPS = {KIND, build_same_shape, NAME##_fwd, NAME##_bwd, NULL};

ACTIVATION_OPS(relu, "ReLU",
               relu_forward(out->data, in->data, tensor_size(in)),
               relu_backward(din->data, dout->data, in->data, tensor_size(in)))
ACTIVATION_OPS(leaky, "LeakyReLU",
               leaky_relu_forward(out->data, in->data, a->alpha, tensor_size(in)),
               leaky_relu_backward(din->data, dout->data, in->data, a->alpha, tensor_size(in)))
ACTIVATION_OPS(sigmoid, "Sigmoid",
               sigmoid_forward(out->data, in->data, tensor_size(in)),
               sigmoid_backward(din->data, dout->data, a->out->data, tensor_size(in)))
ACTIVATION_OPS(tanh, "Tanh",
               tanh_forward(out->data, in->data, tensor_size(in)),
               tanh_backward(din->data, dout->data, a->out->data, tensor_size(in)))
ACTIVATION_OPS(softmax, "Softmax",
               softmax_forward(out->data, in->data, in->n, (int)tensor_sample_size(in)),
               softmax_backward(din->data, dout->data, a->out->data, in->n, (int)tensor_sample_size(in)))

Layer *relu_new(void) { return layer_alloc(sizeof(Activation), &relu_OPS); }
Layer *sigmoid_new(void) { return layer_alloc(sizeof(Activation), &sigmoid_OPS); }
Layer *tanh_new(void) { return layer_alloc(sizeof(Activation), &tanh_OPS); }
Layer *softmax_new(void) { return layer_alloc(sizeof(Activation), &softmax_OPS); }
Layer *leaky_relu_new(float alpha) {
    Activation *a = (Activation *)layer_alloc(sizeof(Activation), &leaky_OPS);
    a->alpha = alpha;
    return &a->base;
}
