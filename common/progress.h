// progress.h: a Keras-like progress bar for training loops, on stderr.
//
//   Epoch 3/10 [=============>                ] 45%  27136/60000  loss 0.3012  8412 img/s  ETA 4s
//
// On a terminal the line redraws in place (at most 10 times a second); when stderr is a file or a pipe (a log, a
// test), nothing is drawn during the epoch and one line is printed at its end, so logs stay readable.
#ifndef PROGRESS_H
#define PROGRESS_H

#include <stdbool.h>

typedef struct {
    char label[48];         // "Epoch 3/10" or a model name
    long total, done;       // samples in the epoch, samples seen so far
    double loss_sum;        // running sum of batch losses weighted by batch size
    double t_start, t_drawn;
    bool tty;
} Progress;

// Seconds from a monotonic clock (only differences mean anything).
double clock_seconds(void);
// Start an epoch of `total` samples; label is printed at the start of the line.
void progress_begin(Progress *p, const char *label, long total);
// Record a batch of `count` samples whose mean loss was `loss`.
void progress_update(Progress *p, long count, float loss);
// End the epoch: print the final line with the mean loss, the time, and `extra` (e.g. "val_loss 0.0123"; may be
// NULL). Returns the mean training loss of the epoch.
double progress_end(Progress *p, const char *extra);

#endif
