// plot.h: the chapters' charts (loss curves, latent scatters, confusion matrices, box plots, bar charts) as gnuplot
// figures.
//
// Each plot_* call writes two small text files into `dir` (which must exist, e.g. figures/chapter01):
//
//   NAME.dat   the numbers, with a comment line above each block saying what it is (readable, diff-able)
//   NAME.gp    a gnuplot script that draws NAME.dat into NAME.png (pngcairo, about 800 x 500, default font)
//
// and then renders NAME.png by running `gnuplot NAME.gp` when gnuplot is on the PATH. When it is not, the first
// plot of the process prints one notice ("gnuplot not found: plots are written as scripts only (...); after
// installing gnuplot-nox, `gnuplot NAME.gp` draws one") and the scripts are kept for later. A render that fails is a warning on stderr,
// never an error: a missing figure must not stop a training run.
//
// The scripts run from anywhere: `gnuplot figures/chapter01/loss.gp` from the repository root works as well as
// `gnuplot loss.gp` from inside figures/chapter01. Each script starts by changing into its own directory, which
// gnuplot tells it through ARG0 (the script's path as it was given), so NAME.dat and NAME.png are always the ones
// beside the script. `gnuplot -e "out='other.png'" NAME.gp` writes elsewhere.
//
// Every file (.dat, .gp and the PNG) is written under a temporary name and renamed when complete.
//
// Colours: series i and class i are drawn in CLASS_COLORS[i % 10] (image.h), so the figures of one chapter agree.
//
//   float train[20], val[20];                             // one value per epoch
//   PlotSeries s[] = {{.name = "train", .y = train, .n = epochs}, {.name = "validation", .y = val, .n = epochs}};
//   plot_lines("figures/chapter01", "loss", "Autoencoder loss", "epoch", "MSE", s, 2, err, sizeof err);
//
// Every plot_* returns 0 once NAME.dat and NAME.gp are written (whether or not the PNG could be rendered), or -1
// with a message in err when they could not be (directory missing or not writable, a bad NAME, no data).
// NAME may contain only letters, digits, '_', '-' and '.', so that it is safe inside file names and scripts.
#ifndef PLOT_H
#define PLOT_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>

// One named curve.
typedef struct {
    const char *name;       // legend entry: "train", "validation"
    const float *x;         // (n) x values, or NULL for 1, 2, ..., n (epochs)
    const float *y;         // (n) y values; a NaN or Inf is left out as a gap
    int n;
} PlotSeries;

// One panel of a plot_panels figure: its own title, y label and curves.
typedef struct {
    const char *title;      // "overall", "head 1: classes", ...
    const char *ylabel;
    const PlotSeries *series;
    int nseries;
} PlotPanel;

// true when an executable `gnuplot` is on the PATH (looked up at each call, so a changed PATH counts).
bool plot_have_gnuplot(void);

// (a) Curves over epochs (or over the series' x): one line per series, legend below the plot.
int plot_lines(const char *dir, const char *name, const char *title, const char *xlabel, const char *ylabel,
               const PlotSeries *series, int nseries, char *err, size_t errlen);

// (a') Several line plots side by side in one figure (Keras notebooks' loss panels: overall, head 1, head 2).
// All panels share the x label; the figure gets a main title.
int plot_panels(const char *dir, const char *name, const char *title, const char *xlabel,
                const PlotPanel *panels, int npanels, char *err, size_t errlen);

// (b) Scatter of n 2-d points xy (n, 2), point i coloured by its class labels[i] in 0..k-1, with a legend of the
// class names (t-SNE of bottleneck features, a VAE's latent means). Points with a label outside 0..k-1 are skipped.
int plot_scatter_classes(const char *dir, const char *name, const char *title, const float *xy, const int *labels,
                         int n, const char *const *class_names, int k, char *err, size_t errlen);

// (c) Confusion matrix counts (k, k) as a heat map: counts[t * k + p] = how many samples of true class t were
// predicted as p. True classes down the side, predicted along the bottom, each cell's count written in it.
int plot_confusion(const char *dir, const char *name, const char *title, const int *counts,
                   const char *const *class_names, int k, char *err, size_t errlen);

// (d) One box plot per group: values[i] belongs to group groups[i] in 0..k-1 (e.g. the angle error of each test
// image, grouped by class). Box = quartiles, line = median, whiskers to 1.5 IQR, points beyond them.
int plot_boxes(const char *dir, const char *name, const char *title, const char *ylabel, const float *values,
               const int *groups, int n, const char *const *group_names, int k, char *err, size_t errlen);

// (e) A bar chart: one bar per label with its value written above it (accuracy per method).
int plot_bars(const char *dir, const char *name, const char *title, const char *ylabel,
              const char *const *labels, const float *values, int n, char *err, size_t errlen);

// Render dir/NAME.gp (written earlier) to dir/NAME.png now, if gnuplot is there. Returns 0 when the PNG was
// written, -1 when not (no gnuplot: the notice is printed once; a failed run: a warning with gnuplot's message).
// The plot_* functions call it themselves.
int plot_render(const char *dir, const char *name);

// ---- For chapters that write a figure of their own (chapter 03's pairs, chapter 04's manifolds) ----
// A file written as PATH.tmp and renamed to PATH by plot_file_commit, so that nobody ever sees half of it.
typedef struct {
    FILE *fp;
    char path[4096];
    char tmp[4104];
} PlotFile;
// Open dir/name.ext for writing (really dir/name.ext.tmp). Returns 0, or -1 with a message in err.
int plot_file_open(PlotFile *f, const char *dir, const char *name, const char *ext, char *err, size_t errlen);
// Close f and rename it into place. Returns 0, or -1 with a message in err (the temporary file is removed).
int plot_file_commit(PlotFile *f, char *err, size_t errlen);
// Give up on f: close and remove the temporary file.
void plot_file_abandon(PlotFile *f);
// Open NAME.dat and NAME.gp together, after checking that NAME holds only letters, digits, '_', '-', '.'.
// Returns 0, or -1 with a message in err and nothing left open.
int plot_pair_open(PlotFile *dat, PlotFile *gp, const char *dir, const char *name, char *err, size_t errlen);
// Commit both (dat may be NULL), then draw NAME.png with plot_render (a failed render is only a warning).
// Returns 0, or -1 with a message in err.
int plot_pair_finish(PlotFile *dat, PlotFile *gp, const char *dir, const char *name, char *err, size_t errlen);
// `set xtics ("name0" 0, "name1" 1, ...)` for axis "x" or "y", without a newline; names NULL: "0", "1", ...
void plot_gp_name_tics(FILE *fp, const char *axis, const char *const *names, int k);

// The opening lines every script of the project shares: a comment saying what it draws and which source file
// wrote it, the cd into the script's own directory (so `gnuplot path/to/NAME.gp` works from anywhere), the output
// name (`gnuplot -e "out='x.png'"` overrides it; plot_render relies on that), the terminal, and the ten class
// colours as line types 1..10. terminal: "pngcairo" (smooth lines and points), or "png" for pictures made of grey
// images (libgd writes a 256-colour palette: the same look in half the bytes).
void plot_script_begin(FILE *fp, const char *name, const char *what, const char *writer, const char *terminal,
                       int width, int height);
// s as a gnuplot double-quoted string: "..." with \ and " escaped (NULL writes "").
void plot_gp_string(FILE *fp, const char *s);

#endif
