// figures.h: the three figures of chapter 03 that plot.h has no single call for: two confusion matrices side by
// side, two t-SNE scatters side by side, and curves against a logarithmic x axis (accuracy against labelled
// fraction). Each writes NAME.dat and NAME.gp into dir the way plot.h does (atomically, a script that cds into its
// own directory) and renders NAME.png with plot_render; a missing gnuplot leaves the script for `make figures`.
// Each returns 0 once the .dat and .gp are written, or -1 with a message in err.
#ifndef FIGURES03_H
#define FIGURES03_H

#include <stddef.h>

#include "plot.h"

// One confusion matrix panel: counts (k, k), counts[t*k + p] = true t predicted p.
typedef struct {
    const char *title;
    const int *counts;
    const char *const *names;   // k class names
    int k;
} ConfusionPanel;

int fig_confusion_pair(const char *dir, const char *name, const char *title, const ConfusionPanel *left,
                       const ConfusionPanel *right, char *err, size_t errlen);

// One scatter panel: point i of the shared xy (n, 2) drawn in the colour of labels[i] (0..k-1).
typedef struct {
    const char *title;
    const int *labels;          // (n)
    const char *const *names;   // k class names, for the legend
    int k;
} ScatterPanel;

int fig_scatter_pair(const char *dir, const char *name, const char *title, const float *xy, int n,
                     const ScatterPanel *left, const ScatterPanel *right, char *err, size_t errlen);

// Curves with a logarithmic x axis, one tic at each of the nx values of x, labelled xtic_labels[i]. Every series
// shares x: series[s].y has nx values (series[s].x is ignored); a NaN is left out.
int fig_lines_logx(const char *dir, const char *name, const char *title, const char *xlabel, const char *ylabel,
                   const float *x, const char *const *xtic_labels, int nx, const PlotSeries *series, int nseries,
                   char *err, size_t errlen);

#endif
