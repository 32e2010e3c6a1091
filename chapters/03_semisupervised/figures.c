// figures.c: chapter 03's side-by-side and log-axis figures (see figures.h). The scripts follow common/plot.c's
// conventions, so they look like the other figures and run the same way (`gnuplot figures/chapter03/NAME.gp`).
#include "figures.h"

#include <math.h>
#include <stdio.h>

// NAME.dat and NAME.gp are written atomically and drawn by plot_pair_open / plot_pair_finish (plot.h).

// The opening lines of every script: plot_script_begin (plot.h), naming the .dat file it reads.
static void gp_prologue(FILE *fp, const char *name, const char *what, int width, int height) {
    char about[256];
    snprintf(about, sizeof about, "%s, drawn from %s.dat", what, name);
    plot_script_begin(fp, name, about, "chapters/03_semisupervised/figures.c", "pngcairo", width, height);
}

// ---- two confusion matrices ----

// One panel of the pair: data block `block` of the .dat file, its own colour range.
static void confusion_panel(FILE *dat, FILE *gp, const char *name, int block, const ConfusionPanel *p) {
    int max = 1;
    if (block > 0) fputs("\n\n", dat);
    fprintf(dat, "# block %d: %s (predicted true count)\n", block, p->title);
    for (int t = 0; t < p->k; t++)
        for (int c = 0; c < p->k; c++) {
            int v = p->counts[t * p->k + c];
            if (v > max) max = v;
            fprintf(dat, "%d %d %d\n", c, t, v);
        }
    fputs("\nset title ", gp);
    plot_gp_string(gp, p->title);
    fputc('\n', gp);
    plot_gp_name_tics(gp, "x", p->names, p->k);
    fputs(" rotate by 40 right scale 0\n", gp);
    plot_gp_name_tics(gp, "y", p->names, p->k);
    fputs(" scale 0\n", gp);
    fprintf(gp, "set xrange [-0.5:%g]\nset yrange [%g:-0.5]\nset cbrange [0:%d]\n", p->k - 0.5, p->k - 0.5, max);
    // counts in white on dark cells, black on light ones
    fprintf(gp, "plot '%s.dat' index %d using 1:2:3 with image notitle, \\\n"
                "     '' index %d using 1:2:(sprintf(\"%%d\", $3)):($3 > %g ? 0xffffff : 0x000000) "
                "with labels tc rgb variable notitle\n", name, block, block, 0.55 * max);
}

int fig_confusion_pair(const char *dir, const char *name, const char *title, const ConfusionPanel *left,
                       const ConfusionPanel *right, char *err, size_t errlen) {
    PlotFile dat, gp;
    if (plot_pair_open(&dat, &gp, dir, name, err, errlen) != 0) return -1;
    gp_prologue(gp.fp, name, "two confusion matrices side by side", 1400, 680);
    fputs("set multiplot layout 1,2 title ", gp.fp);
    plot_gp_string(gp.fp, title);
    fputs("\nset xlabel \"predicted\"\nset ylabel \"true\"\nset size ratio -1\nset cblabel \"count\"\n", gp.fp);
    fputs("set palette defined (0 '#f7fbff', 0.25 '#c6dbef', 0.5 '#6baed6', 0.75 '#2171b5', 1 '#08306b')\n", gp.fp);
    confusion_panel(dat.fp, gp.fp, name, 0, left);
    confusion_panel(dat.fp, gp.fp, name, 1, right);
    fputs("unset multiplot\n", gp.fp);
    return plot_pair_finish(&dat, &gp, dir, name, err, errlen);
}

// ---- two scatters of the same points ----

// One panel: one data block per class that has points (an empty block would confuse `index`).
static void scatter_panel(FILE *dat, FILE *gp, const char *name, int *block, const float *xy, int n,
                          const ScatterPanel *p) {
    fputs("\nset title ", gp);
    plot_gp_string(gp, p->title);
    fputs("\nplot ", gp);
    int drawn = 0;
    for (int c = 0; c < p->k; c++) {
        int count = 0;
        for (int i = 0; i < n; i++) count += p->labels[i] == c;
        if (count == 0) continue;
        if (*block > 0) fputs("\n\n", dat);
        fprintf(dat, "# block %d: %s, class %d \"%s\" (x y)\n", *block, p->title, c, p->names[c]);
        for (int i = 0; i < n; i++)
            if (p->labels[i] == c) fprintf(dat, "%.5g %.5g\n", xy[2 * i], xy[2 * i + 1]);
        fprintf(gp, "%s'%s.dat' index %d using 1:2 with points lt %d ps %.1f title ", drawn ? ", \\\n     " : "",
                name, *block, c % 10 + 1, n > 3000 ? 0.3 : (n > 500 ? 0.5 : 0.8));
        plot_gp_string(gp, p->names[c]);
        (*block)++;
        drawn++;
    }
    if (drawn == 0) fputs("NaN notitle", gp);          // no point in this panel: an empty plot, not an error
    fputc('\n', gp);
}

int fig_scatter_pair(const char *dir, const char *name, const char *title, const float *xy, int n,
                     const ScatterPanel *left, const ScatterPanel *right, char *err, size_t errlen) {
    PlotFile dat, gp;
    if (plot_pair_open(&dat, &gp, dir, name, err, errlen) != 0) return -1;
    gp_prologue(gp.fp, name, "one 2-d map coloured two ways, side by side", 1500, 680);
    fputs("set multiplot layout 1,2 title ", gp.fp);
    plot_gp_string(gp.fp, title);
    // the legend below each map, the maps square so that distances look like distances
    // Fixed margins, so that both maps get the same size whatever their legends need.
    fputs("\nset key below horizontal maxrows 4 spacing 1.1\nset grid\nset size ratio 1\n", gp.fp);
    fputs("set lmargin 4\nset rmargin 4\nset tmargin 3\nset bmargin 7\n", gp.fp);
    fputs("set format x \"\"\nset format y \"\"\n", gp.fp);       // t-SNE's axes carry no units
    fputs("set offsets graph 0.03, graph 0.03, graph 0.03, graph 0.03\n", gp.fp);   // no point on the frame
    int block = 0;
    scatter_panel(dat.fp, gp.fp, name, &block, xy, n, left);
    scatter_panel(dat.fp, gp.fp, name, &block, xy, n, right);
    fputs("unset multiplot\n", gp.fp);
    return plot_pair_finish(&dat, &gp, dir, name, err, errlen);
}

// ---- curves against a log x axis ----

int fig_lines_logx(const char *dir, const char *name, const char *title, const char *xlabel, const char *ylabel,
                   const float *x, const char *const *xtic_labels, int nx, const PlotSeries *series, int nseries,
                   char *err, size_t errlen) {
    if (nx <= 0 || nseries <= 0) {
        snprintf(err, errlen, "figure %s: nothing to draw", name);
        return -1;
    }
    PlotFile dat, gp;
    if (plot_pair_open(&dat, &gp, dir, name, err, errlen) != 0) return -1;
    for (int s = 0; s < nseries; s++) {
        fprintf(dat.fp, "%s# block %d: \"%s\" (x y)\n", s ? "\n\n" : "", s, series[s].name);
        for (int i = 0; i < nx; i++) {
            if (isfinite(series[s].y[i])) fprintf(dat.fp, "%g %.6g\n", x[i], series[s].y[i]);
            else fprintf(dat.fp, "%g NaN\n", x[i]);
        }
    }
    gp_prologue(gp.fp, name, "curves against a logarithmic x axis", 860, 560);
    fputs("set title ", gp.fp); plot_gp_string(gp.fp, title);
    fputs("\nset xlabel ", gp.fp); plot_gp_string(gp.fp, xlabel);
    fputs("\nset ylabel ", gp.fp); plot_gp_string(gp.fp, ylabel);
    fprintf(gp.fp, "\nset logscale x\nset xrange [%g:%g]\n", x[0] / 1.4, x[nx - 1] * 1.4);
    fputs("set xtics (", gp.fp);
    for (int i = 0; i < nx; i++) {
        if (i) fputs(", ", gp.fp);
        // a tic label is a format string to gnuplot: "5%" must be written "5%%"
        char label[64];
        size_t j = 0;
        for (const char *c = xtic_labels[i]; *c && j + 2 < sizeof label; c++) {
            if (*c == '%') label[j++] = '%';
            label[j++] = *c;
        }
        label[j] = '\0';
        plot_gp_string(gp.fp, label);
        fprintf(gp.fp, " %g", x[i]);
    }
    fputs(")\nset grid\nset key below horizontal height 1\n", gp.fp);
    fputs("plot ", gp.fp);
    for (int s = 0; s < nseries; s++) {
        fprintf(gp.fp, "%s'%s.dat' index %d using 1:2 with linespoints lt %d ps 1.2 title ", s ? ", \\\n     " : "",
                name, s, s % 10 + 1);
        plot_gp_string(gp.fp, series[s].name);
    }
    fputc('\n', gp.fp);
    return plot_pair_finish(&dat, &gp, dir, name, err, errlen);
}
