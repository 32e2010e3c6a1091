// latent_figures.c: the manifold mosaic on labelled z axes, and scatters side by side (see latent_figures.h).
//
// The scripts follow the conventions of common/plot.c, so that they behave like every other figure of the project:
// each one starts by changing into its own directory (gnuplot tells a script its path in ARG0), takes the output
// name from the variable `out` when it is given (`gnuplot -e "out='x.png'" NAME.gp`; plot_render uses that to
// write a temporary file first), and draws in the class colours of image.h: plot_script_begin writes those lines.
#include "latent_figures.h"

#include <math.h>
#include <stdio.h>

#include "image.h"
#include "plot.h"

// ---- the manifold ----

int latent_manifold_figure(const char *dir, const char *name, const char *title, const float *imgs, int n, int h,
                           int w, float zmax, char *err, size_t errlen) {
    // 1. The bare mosaic: no gaps, no frames, one image pixel per PNG pixel, so that the picture is a continuous
    //    map of the z plane and every tile is exactly w x h pixels.
    ImageGrid g;
    image_grid_init(&g, n, n, h, w, 1);
    g.gap = 0;
    g.frame = 0;
    for (int r = 0; r < n; r++)
        for (int c = 0; c < n; c++) image_grid_put_gray(&g, r, c, imgs + (size_t)(r * n + c) * h * w);
    char tiles[4200];
    snprintf(tiles, sizeof tiles, "%s/%s_tiles.png", dir, name);
    int rc = image_grid_write(&g, tiles, err, errlen);
    image_grid_free(&g);
    if (rc != 0) return -1;

    // 2. Where the mosaic goes on the z axes. Tile centres are `step` apart in z and w pixels apart in the PNG, so
    //    one pixel is step / w wide. gnuplot puts PNG pixel (0, 0) (bottom-left, it flips rows) at `origin`; pick
    //    the origin so that the centre of tile column c, at pixel c*w + (w-1)/2, lands on z[0] = -zmax + c*step.
    double step = n > 1 ? 2.0 * zmax / (n - 1) : 1.0;
    double px = step / w, py = step / h;
    double x0 = -zmax - 0.5 * (w - 1) * px, y0 = -zmax - 0.5 * (h - 1) * py;
    double lo = -zmax - 0.5 * step, hi = zmax + 0.5 * step;
    double tic = zmax >= 2.0f ? 1.0 : (zmax >= 1.0f ? 0.5 : 0.1);

    PlotFile gp;
    if (plot_file_open(&gp, dir, name, "gp", err, errlen) != 0) return -1;
    plot_script_begin(gp.fp, name, "decoded images over the z plane, on axes in z units",
                      "chapters/04_vae/latent_figures.c", "png", 1000, 1000);
    fputs("set title ", gp.fp); plot_gp_string(gp.fp, title);
    fputs("\nset xlabel \"z[0]\"\nset ylabel \"z[1]\"\nset size ratio -1\nset tics out nomirror\n", gp.fp);
    fprintf(gp.fp, "set xrange [%.6g:%.6g]\nset yrange [%.6g:%.6g]\n", lo, hi, lo, hi);
    // labelled major tics every `tic` in z, and a minor tic at the centre of every tile, so that a tile can be
    // traced to its z on either axis (a minor tic where a major one is would erase the major one's label)
    fputs("set xtics ()\nset ytics ()\n", gp.fp);
    int nmajor = (int)floor(zmax / tic + 1e-6);
    for (int i = -nmajor; i <= nmajor; i++)
        fprintf(gp.fp, "set xtics add (\"%g\" %.6g 0)\nset ytics add (\"%g\" %.6g 0)\n", i * tic, i * tic,
                i * tic, i * tic);
    for (int c = 0; c < n; c++) {
        double z = -zmax + c * step;
        if (fabs(z / tic - round(z / tic)) < 1e-4) continue;
        fprintf(gp.fp, "set xtics add (\"\" %.6g 1)\nset ytics add (\"\" %.6g 1)\n", z, z);
    }
    fprintf(gp.fp, "plot '%s_tiles.png' binary filetype=png dx=%.9g dy=%.9g origin=(%.9g,%.9g) "
                   "with rgbimage notitle\n", name, px, py, x0, y0);
    return plot_pair_finish(NULL, &gp, dir, name, err, errlen);
}

// ---- scatters side by side ----

int latent_scatter_panels(const char *dir, const char *name, const char *title, const ScatterPanel *panels,
                          int npanels, const char *const *class_names, int k, char *err, size_t errlen) {
    if (npanels < 1 || npanels > 4) {
        snprintf(err, errlen, "latent_scatter_panels: %d panels (1 to 4 fit in one figure)", npanels);
        return -1;
    }
    // NAME.dat: one block per panel, "x y class" per point (blocks are separated by two blank lines, `index p`)
    PlotFile dat, gp;
    if (plot_pair_open(&dat, &gp, dir, name, err, errlen) != 0) return -1;
    for (int p = 0; p < npanels; p++) {
        fprintf(dat.fp, "%s# block %d: %s (z[0] z[1] class)\n", p ? "\n\n" : "", p, panels[p].title);
        for (int i = 0; i < panels[p].n; i++) {
            int c = panels[p].labels[i];
            float x = panels[p].xy[2 * i], y = panels[p].xy[2 * i + 1];
            if (c < 0 || c >= k || !isfinite(x) || !isfinite(y)) continue;
            fprintf(dat.fp, "%.6g %.6g %d\n", x, y, c);
        }
    }

    // NAME.gp: a multiplot row of square panels; the legend at the right edge of the figure
    plot_script_begin(gp.fp, name, "latent scatters side by side, coloured by class",
                      "chapters/04_vae/latent_figures.c", "pngcairo", 480 * npanels + 200, 560);
    fputs("set multiplot layout 1,", gp.fp);
    fprintf(gp.fp, "%d margins 0.05,%.3f,0.12,0.86 spacing 0.06,0.1 title ", npanels,
            1.0 - 180.0 / (480 * npanels + 200));
    plot_gp_string(gp.fp, title);
    fputs("\nset size square\nset grid\nset xlabel \"z[0]\"\nset ylabel \"z[1]\"\n", gp.fp);
    for (int p = 0; p < npanels; p++) {
        fprintf(gp.fp, "\n# panel %d\nset title ", p + 1);
        plot_gp_string(gp.fp, panels[p].title);
        fputc('\n', gp.fp);
        int ps10 = panels[p].n > 3000 ? 3 : 5;                      // point size x 10: smaller when crowded
        if (p < npanels - 1) {
            fputs("unset key\n", gp.fp);
            fprintf(gp.fp, "plot '%s.dat' index %d using 1:2:($3 + 1) with points pt 7 ps %.1f lc variable "
                           "notitle\n", name, p, ps10 / 10.0);
        } else {                                                     // the last panel carries the legend
            fputs("set key at screen 0.995, 0.5 right center spacing 1.2\n", gp.fp);
            fprintf(gp.fp, "plot '%s.dat' index %d using 1:2:($3 + 1) with points pt 7 ps %.1f lc variable "
                           "notitle", name, p, ps10 / 10.0);
            for (int c = 0; c < k; c++) {
                fprintf(gp.fp, ", \\\n     keyentry with points lt %d pt 7 ps 1.5 title ", c % 10 + 1);
                if (class_names) plot_gp_string(gp.fp, class_names[c]);
                else fprintf(gp.fp, "\"%d\"", c);
            }
            fputc('\n', gp.fp);
        }
    }
    fputs("unset multiplot\n", gp.fp);
    return plot_pair_finish(&dat, &gp, dir, name, err, errlen);
}
