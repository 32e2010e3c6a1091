// net.c: the sequential stack (see net.h for the picture of activations and gradients).
#include "net.h"

#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

Net *net_new(const char *name, int c, int h, int w, Rng *rng) {
    Net *net = xcalloc(1, sizeof(Net));
    snprintf(net->name, sizeof net->name, "%s", name);
    net->in_c = c; net->in_h = h; net->in_w = w;
    net->rng = rng;
    return net;
}

// Keras names layers by kind in snake case, numbering repeats: conv2d, conv2d_1, conv2d_2, ...
static void name_layer(Net *net, Layer *l) {
    char base[28];
    size_t j = 0;
    for (const char *s = l->ops->kind; *s && j + 2 < sizeof base; s++) {
        // An underscore before a capital that follows a lower-case letter (ReLU -> re_lu) or that starts a word
        // after a run of capitals or digits (Conv2DTranspose -> conv2d_transpose), as Keras does.
        bool boundary = isupper((unsigned char)*s) && s != l->ops->kind &&
                        (islower((unsigned char)s[-1]) || islower((unsigned char)s[1]));
        if (boundary) base[j++] = '_';
        base[j++] = (char)tolower((unsigned char)*s);
    }
    base[j] = '\0';
    int same = 0;
    for (int i = 0; i < net->nlayers; i++)
        if (net->layers[i]->ops == l->ops) same++;
    if (same == 0) snprintf(l->name, sizeof l->name, "%s", base);
    else snprintf(l->name, sizeof l->name, "%s_%d", base, same);
}

Layer *net_add(Net *net, Layer *l) {
    int c, h, w;
    net_out_shape(net, &c, &h, &w);
    layer_build(l, c, h, w, net->rng);
    if (l->out_c <= 0 || l->out_h <= 0 || l->out_w <= 0) {
        fprintf(stderr, "error: %s: layer %s on input (%d, %d, %d) gives an empty output (%d, %d, %d)\n",
                net->name, l->ops->kind, c, h, w, l->out_c, l->out_h, l->out_w);
        exit(1);
    }
    name_layer(net, l);
    if (net->nlayers == net->cap) {
        net->cap = net->cap ? 2 * net->cap : 8;
        net->layers = xrealloc(net->layers, (size_t)net->cap * sizeof(Layer *));
        net->acts = xrealloc(net->acts, (size_t)net->cap * sizeof(Tensor));
        net->grads = xrealloc(net->grads, (size_t)net->cap * sizeof(Tensor));
    }
    net->layers[net->nlayers] = l;
    net->acts[net->nlayers] = (Tensor){0};
    net->grads[net->nlayers] = (Tensor){0};
    net->nlayers++;
    return l;
}

void net_out_shape(const Net *net, int *c, int *h, int *w) {
    if (net->nlayers == 0) { *c = net->in_c; *h = net->in_h; *w = net->in_w; return; }
    const Layer *last = net->layers[net->nlayers - 1];
    *c = last->out_c; *h = last->out_h; *w = last->out_w;
}

const Tensor *net_forward(Net *net, const Tensor *x, bool training) {
    if (x->c != net->in_c || x->h != net->in_h || x->w != net->in_w) {
        char buf[64];
        fprintf(stderr, "error: %s expects input (N, %d, %d, %d), got %s\n", net->name, net->in_c, net->in_h,
                net->in_w, tensor_shape_str(x, buf));
        exit(1);
    }
    net->input = x;
    const Tensor *h = x;
    for (int i = 0; i < net->nlayers; i++) {
        layer_forward(net->layers[i], &net->acts[i], h, training);    // act[i] = layer_i(act[i-1])
        h = &net->acts[i];
    }
    return h;
}

const Tensor *net_backward(Net *net, const Tensor *dy) {
    assert(net->input && "net_backward before net_forward");
    const Tensor *g = dy;                                             // g = dL/d(output of layer i)
    for (int i = net->nlayers - 1; i >= 0; i--) {
        bool need_din = i > 0 || net->input_grad;
        layer_backward(net->layers[i], need_din ? &net->grads[i] : NULL, g);
        g = &net->grads[i];                                           // dL/d(input of layer i)
    }
    return net->input_grad ? (net->nlayers ? &net->grads[0] : dy) : NULL;
}

void net_zero_grad(Net *net) {
    for (int i = 0; i < net->nlayers; i++) layer_zero_grad(net->layers[i]);
}

size_t net_param_count(const Net *net) {
    size_t count = 0;
    for (int i = 0; i < net->nlayers; i++) count += layer_param_count(net->layers[i]);
    return count;
}

// Thousands separators, as Keras prints parameter counts: 484944 -> "484,944".
static const char *with_commas(size_t v, char *buf) {
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%zu", v), j = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0) buf[j++] = ',';
        buf[j++] = digits[i];
    }
    buf[j] = '\0';
    return buf;
}

void net_summary(const Net *net, FILE *f) {
    char shape[64], name[80], count[32], line[160];
    // The first column is as wide as the longest "name (Kind)", so long names such as BatchNormalization fit.
    int width = 28;
    for (int i = 0; i < net->nlayers; i++) {
        int len = snprintf(name, sizeof name, "%s (%s)", net->layers[i]->name, net->layers[i]->ops->kind);
        if (len + 1 > width) width = len + 1;
    }
    int total = 1 + width + 1 + 24 + 1 + 10;
    memset(line, '_', (size_t)total); line[total] = '\0';
    fprintf(f, "Model: \"%s\"\n%s\n", net->name, line);
    fprintf(f, " %-*s %-24s %10s\n", width, "Layer (type)", "Output Shape", "Param #");
    memset(line, '=', (size_t)total);
    fprintf(f, "%s\n", line);
    snprintf(shape, sizeof shape, "(None, %d, %d, %d)", net->in_c, net->in_h, net->in_w);
    fprintf(f, " %-*s %-24s %10s\n", width, "input (Input)", shape, "0");
    size_t trainable = 0, fixed = 0;
    for (int i = 0; i < net->nlayers; i++) {
        const Layer *l = net->layers[i];
        // Shapes print as (None, C, H, W), with the batch as None like Keras; vectors as (None, D).
        if (l->out_h == 1 && l->out_w == 1) snprintf(shape, sizeof shape, "(None, %d)", l->out_c);
        else snprintf(shape, sizeof shape, "(None, %d, %d, %d)", l->out_c, l->out_h, l->out_w);
        snprintf(name, sizeof name, "%s (%s)", l->name, l->ops->kind);
        size_t p = layer_param_count(l), b = 0;
        for (int k = 0; k < l->nbuffers; k++) b += l->buffers[k].size;
        fprintf(f, " %-*s %-24s %10s\n", width, name, shape, with_commas(p + b, count));
        trainable += p;
        fixed += b;
    }
    fprintf(f, "%s\n", line);
    fprintf(f, "Total params: %s\n", with_commas(trainable + fixed, count));
    fprintf(f, "Trainable params: %s\n", with_commas(trainable, count));
    memset(line, '_', (size_t)total);
    fprintf(f, "Non-trainable params: %s\n%s\n", with_commas(fixed, count), line);
}

void net_free(Net *net) {
    if (!net) return;
    for (int i = 0; i < net->nlayers; i++) {
        layer_free(net->layers[i]);
        tensor_free(&net->acts[i]);
        tensor_free(&net->grads[i]);
    }
    free(net->layers);
    free(net->acts);
    free(net->grads);
    free(net);
}

// ---- parameter lists ----

void params_add_layer(ParamList *pl, Layer *l) {
    for (int i = 0; i < l->nparams; i++) {
        if (pl->count == pl->cap) {
            pl->cap = pl->cap ? 2 * pl->cap : 16;
            pl->items = xrealloc(pl->items, (size_t)pl->cap * sizeof(Param *));
        }
        pl->items[pl->count++] = &l->params[i];
    }
}

void params_add_net(ParamList *pl, const Net *net) {
    for (int i = 0; i < net->nlayers; i++) params_add_layer(pl, net->layers[i]);
}

void params_zero_grad(ParamList *pl) {
    for (int i = 0; i < pl->count; i++) memset(pl->items[i]->grad, 0, pl->items[i]->size * sizeof(float));
}

size_t params_count(const ParamList *pl) {
    size_t count = 0;
    for (int i = 0; i < pl->count; i++) count += pl->items[i]->size;
    return count;
}

void params_free(ParamList *pl) {
    free(pl->items);
    *pl = (ParamList){0};
}
