// progress.c: the progress bar (see progress.h).
#define _POSIX_C_SOURCE 200809L
#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double clock_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void progress_begin(Progress *p, const char *label, long total) {
    memset(p, 0, sizeof *p);
    snprintf(p->label, sizeof p->label, "%s", label);
    p->total = total;
    p->t_start = clock_seconds();
    p->tty = isatty(STDERR_FILENO);
}

static void draw(const Progress *p, double now) {
    const int width = 30;
    double frac = p->total ? (double)p->done / (double)p->total : 1.0;
    double elapsed = now - p->t_start;
    double rate = elapsed > 0 ? (double)p->done / elapsed : 0.0;
    double eta = rate > 0 ? (double)(p->total - p->done) / rate : 0.0;
    char bar[64];
    int filled = (int)(frac * width);
    for (int i = 0; i < width; i++) bar[i] = i < filled ? '=' : (i == filled ? '>' : ' ');
    bar[width] = '\0';
    fprintf(stderr, "\r%s [%s] %3d%%  %ld/%ld  loss %.4f  %.0f img/s  ETA %.0fs  ", p->label, bar, (int)(100 * frac),
            p->done, p->total, p->done ? p->loss_sum / (double)p->done : 0.0, rate, eta);
    fflush(stderr);
}

void progress_update(Progress *p, long count, float loss) {
    p->done += count;
    p->loss_sum += (double)loss * (double)count;
    if (!p->tty) return;
    double now = clock_seconds();
    if (now - p->t_drawn >= 0.1 || p->done == p->total) {
        draw(p, now);
        p->t_drawn = now;
    }
}

double progress_end(Progress *p, const char *extra) {
    double elapsed = clock_seconds() - p->t_start;
    double mean = p->done ? p->loss_sum / (double)p->done : 0.0;
    if (p->tty) fprintf(stderr, "\r\033[K");      // clear the bar, then print the epoch's summary line
    fprintf(stderr, "%s  %ld samples  %.1fs  %.0f img/s  loss %.4f%s%s\n", p->label, p->done, elapsed,
            elapsed > 0 ? (double)p->done / elapsed : 0.0, mean, extra ? "  " : "", extra ? extra : "");
    fflush(stderr);
    return mean;
}
