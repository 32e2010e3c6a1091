// rotate.c: rotated Fashion-MNIST (see rotate.h for the picture).
#include "rotate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exercises.h"

void rotate_canvas_size(int *ch, int *cw, int h, int w, float degrees) {
    double t = degrees * 3.14159265358979323846 / 180.0, c = fabs(cos(t)), s = fabs(sin(t));
    // The turned image's bounding box, rounded as scipy.ndimage.rotate rounds it: (extent + 0.5) cut to an int.
    *ch = (int)(h * c + w * s + 0.5);
    *cw = (int)(w * c + h * s + 0.5);
}

int rotate_canvas_floats(int h, int w) {
    int side = (int)ceil(sqrt((double)h * h + (double)w * w)) + 1;     // the box never exceeds the diagonal
    return side * side;
}

void rotate_resize(float *out, const float *in, int h, int w, int oh, int ow) {
    double sy_scale = (double)h / oh, sx_scale = (double)w / ow;
    for (int y = 0; y < oh; y++) {
        // Centre of output pixel y, in input pixel coordinates: (y + 1/2) h/oh - 1/2, clamped into the image.
        double sy = fmin(fmax((y + 0.5) * sy_scale - 0.5, 0.0), h - 1);
        int y0 = (int)sy, y1 = y0 + 1 < h ? y0 + 1 : y0;
        double fy = sy - y0;
        for (int x = 0; x < ow; x++) {
            double sx = fmin(fmax((x + 0.5) * sx_scale - 0.5, 0.0), w - 1);
            int x0 = (int)sx, x1 = x0 + 1 < w ? x0 + 1 : x0;
            double fx = sx - x0;
            out[y * ow + x] = (float)((1 - fy) * ((1 - fx) * in[y0 * w + x0] + fx * in[y0 * w + x1]) +
                                      fy * ((1 - fx) * in[y1 * w + x0] + fx * in[y1 * w + x1]));
        }
    }
}

void rotate_item(float *out, const float *in, int h, int w, float degrees, float *canvas) {
    int ch, cw;
    rotate_canvas_size(&ch, &cw, h, w, degrees);
    ex_rotate(canvas, in, h, w, ch, cw, degrees);          // exercise 2.2: turn into the grown canvas (ch, cw)
    rotate_resize(out, canvas, ch, cw, h, w);               // and shrink it back to (h, w)
}

void rotate_dataset(Dataset *out, float *angles, const Dataset *d, Rng *rng) {
    dataset_init(out, d->count, d->c, d->h, d->w, d->num_classes);
    memcpy(out->y, d->y, (size_t)d->count * sizeof(int));
    float *canvas = xmalloc((size_t)rotate_canvas_floats(d->h, d->w) * sizeof(float));
    int plane = d->h * d->w;
    for (int i = 0; i < d->count; i++) {
        // A whole angle in [-45, 44], as the notebook's np.random.randint(-45, 45).
        angles[i] = (float)((int)rng_below(rng, 2 * ROTATE_MAX_DEGREES) - ROTATE_MAX_DEGREES);
        for (int c = 0; c < d->c; c++)
            rotate_item(tensor_sample(&out->x, i) + c * plane, tensor_sample(&d->x, i) + c * plane, d->h, d->w,
                        angles[i], canvas);
    }
    free(canvas);
}

// ---- number tiles ----

// 3x5 pixel glyphs, one row per 3 bits (top row in the high bits): the digits, a minus sign and a degree sign.
static const unsigned short GLYPHS[12] = {
    075557, 026227, 071747, 071717, 055711, 074717, 074757, 071111, 075757, 075717,   // 0..9
    000700,                                                                          // -
    075700,                                                                          // degree sign (top rows)
};

static int draw_glyph(float *tile, int h, int w, int glyph, int x, int y, int scale) {
    for (int r = 0; r < 5; r++)
        for (int c = 0; c < 3; c++) {
            if (!((GLYPHS[glyph] >> ((4 - r) * 3 + (2 - c))) & 1)) continue;
            for (int dy = 0; dy < scale; dy++)
                for (int dx = 0; dx < scale; dx++) {
                    int yy = y + r * scale + dy, xx = x + c * scale + dx;
                    if (yy >= 0 && yy < h && xx >= 0 && xx < w) tile[yy * w + xx] = 0.15f;
                }
        }
    return x + 3 * scale + (scale > 1 ? scale / 2 : 1);     // where the next glyph starts
}

void rotate_label_tile(float *tile, int h, int w, int value, bool degree_sign, int scale) {
    for (int i = 0; i < h * w; i++) tile[i] = 1.0f;          // white, like the grid's gaps
    int glyphs[16], n = 0;
    if (value < 0) glyphs[n++] = 10;
    char digits[12];
    int nd = snprintf(digits, sizeof digits, "%d", abs(value));
    for (int i = 0; i < nd; i++) glyphs[n++] = digits[i] - '0';
    if (degree_sign) glyphs[n++] = 11;
    int advance = 3 * scale + (scale > 1 ? scale / 2 : 1), width = n * advance - (advance - 3 * scale);
    int x = (w - width) / 2, y = (h - 5 * scale) / 2;
    for (int i = 0; i < n; i++) x = draw_glyph(tile, h, w, glyphs[i], x, y, scale);
}
