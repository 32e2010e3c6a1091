// latent_figures.h: two figures of chapter 04 that plot.h does not draw.
//
//   manifold   an n x n mosaic of decoded images, laid over the z plane they were decoded from, with the axes
//              labelled in z units, as the Keras example draws it with matplotlib's imshow and ticks:
//
//                z[1]  4 +----------------+          tile (r, c) is the decoder's image of
//                        |  tiles ...     |            z = (-zmax + c * 2 zmax / (n-1),  zmax - r * 2 zmax / (n-1))
//                        |                |          so the centre of each tile sits at its z on the axes
//                     -4 +----------------+
//                       -4               4  z[0]
//
//              Files: NAME_tiles.png (the bare mosaic, written with image.h), NAME.gp (a gnuplot script that shows
//              the mosaic on labelled axes with `plot 'NAME_tiles.png' binary filetype=png with rgbimage`) and
//              NAME.png (the script's output, when gnuplot is installed).
//
//   scatter panels   several latent scatters coloured by class, side by side in one figure with one legend
//              (the beta-VAE's codes for three values of beta). Files: NAME.dat, NAME.gp, NAME.png.
//
// Both write every file under a temporary name and rename it when complete, and render through plot_render
// (plot.h), which prints the "gnuplot not found" notice when gnuplot is missing and keeps the scripts.
#ifndef CHAPTER04_LATENT_FIGURES_H
#define CHAPTER04_LATENT_FIGURES_H

#include <stddef.h>

// imgs: (n * n, h, w) grey images in [0, 1], row-major over the grid: image r * n + c is tile (r, c), with row 0
// at the top (z[1] = +zmax) and column 0 at the left (z[0] = -zmax). Returns 0, or -1 with a message in err
// (the PNG or the script could not be written; a failed render is only a warning).
int latent_manifold_figure(const char *dir, const char *name, const char *title, const float *imgs, int n, int h,
                           int w, float zmax, char *err, size_t errlen);

// One panel of latent_scatter_panels: n points xy (n, 2) with class labels[n] in 0..k-1.
typedef struct {
    const char *title;
    const float *xy;
    const int *labels;
    int n;
} ScatterPanel;

// npanels scatters side by side (at most 4), points coloured by class in the colours of image.h, the class names
// in one legend at the right. Returns 0, or -1 with a message in err.
int latent_scatter_panels(const char *dir, const char *name, const char *title, const ScatterPanel *panels,
                          int npanels, const char *const *class_names, int k, char *err, size_t errlen);

#endif
