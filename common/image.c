// image.c: PNG read/write through libpng's "simplified" API, and image grids (see image.h).
//
// libpng 1.6's simplified API (png_image_*) reads and writes a whole image from one buffer and converts between
// grey, RGB and alpha formats itself; its errors come back as a message string instead of a longjmp.
#include "image.h"

#include <assert.h>
#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensor.h"   // xmalloc, xcalloc

const unsigned char CLASS_COLORS[10][3] = {
    {31, 119, 180},   // 0 blue
    {255, 127, 14},   // 1 orange
    {44, 160, 44},    // 2 green
    {214, 39, 40},    // 3 red
    {148, 103, 189},  // 4 purple
    {140, 86, 75},    // 5 brown
    {227, 119, 194},  // 6 pink
    {127, 127, 127},  // 7 grey
    {188, 189, 34},   // 8 olive
    {23, 190, 207},   // 9 cyan
};

// A PNG read claiming more pixels than this is refused before anything is allocated (a 10000 x 10000 figure).
#define PNG_MAX_PIXELS 100000000ull

// [0, 1] float -> 0..255 byte, rounding; values outside [0, 1] are clipped and NaN becomes 0.
static unsigned char to_byte(float v) {
    if (!(v > 0.0f)) return 0;
    if (v >= 1.0f) return 255;
    return (unsigned char)(v * 255.0f + 0.5f);
}

// ================================================ PNG files =========================================================

// Write an 8-bit image of `channels` (1 or 3) interleaved bytes to path, through path.tmp and rename().
static int png_write_bytes(const char *path, const unsigned char *bytes, int h, int w, int channels,
                           char *err, size_t errlen) {
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
        snprintf(err, errlen, "%.200s...: path too long", path);
        return -1;
    }
    FILE *fp = fopen(tmp, "wb");
    if (!fp) {
        snprintf(err, errlen, "cannot write %s (%s): does its directory exist and is it writable?", path,
                 strerror(errno));
        return -1;
    }
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = (png_uint_32)w;
    image.height = (png_uint_32)h;
    image.format = channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
    int ok = png_image_write_to_stdio(&image, fp, 0, bytes, 0, NULL);    // row stride 0: rows packed
    if (!ok) snprintf(err, errlen, "cannot write %s: %s", tmp, image.message);
    png_image_free(&image);
    if (fclose(fp) != 0 && ok) {                 // fclose flushes: a full disk shows up here
        snprintf(err, errlen, "cannot write %s (%s): disk full?", tmp, strerror(errno));
        ok = 0;
    }
    if (ok && rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot rename %s to %s (%s)", tmp, path, strerror(errno));
        ok = 0;
    }
    if (!ok) remove(tmp);
    return ok ? 0 : -1;
}

int png_write_gray(const char *path, const float *pix, int h, int w, char *err, size_t errlen) {
    size_t n = (size_t)h * w;
    unsigned char *bytes = xmalloc(n);
    for (size_t i = 0; i < n; i++) bytes[i] = to_byte(pix[i]);
    int rc = png_write_bytes(path, bytes, h, w, 1, err, errlen);
    free(bytes);
    return rc;
}

// An RGB image whose every pixel is grey (R = G = B: a grid of Fashion-MNIST images without coloured frames) is
// written as a one-channel grey PNG: the same picture in about a third of the bytes.
int png_write_rgb(const char *path, const unsigned char *rgb, int h, int w, char *err, size_t errlen) {
    size_t n = (size_t)h * w;
    size_t i = 0;
    while (i < n && rgb[3 * i] == rgb[3 * i + 1] && rgb[3 * i] == rgb[3 * i + 2]) i++;
    if (i < n) return png_write_bytes(path, rgb, h, w, 3, err, errlen);
    unsigned char *grey = xmalloc(n);
    for (i = 0; i < n; i++) grey[i] = rgb[3 * i];
    int rc = png_write_bytes(path, grey, h, w, 1, err, errlen);
    free(grey);
    return rc;
}

void png_pixels_free(PngPixels *img) {
    free(img->pix);
    memset(img, 0, sizeof *img);
}

int png_read(const char *path, int channels, PngPixels *out, char *err, size_t errlen) {
    assert(channels == 1 || channels == 3);
    memset(out, 0, sizeof *out);
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&image, path)) {
        // libpng's message says why: "No such file or directory", "Not a PNG file", ...
        snprintf(err, errlen, "%s: cannot read PNG (%s)", path, image.message);
        png_image_free(&image);
        return -1;
    }
    if ((unsigned long long)image.width * image.height > PNG_MAX_PIXELS) {
        snprintf(err, errlen, "%s: PNG claims %ux%u pixels, more than this reader accepts: corrupt file?",
                 path, (unsigned)image.width, (unsigned)image.height);
        png_image_free(&image);
        return -1;
    }
    image.format = channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;   // libpng converts to this
    // Zeroed: an image with transparency is composed onto the buffer, so transparent pixels read as black.
    unsigned char *pix = xcalloc(PNG_IMAGE_SIZE(image), 1);
    if (!png_image_finish_read(&image, NULL, pix, 0, NULL)) {
        snprintf(err, errlen, "%s: cannot decode PNG (%s): damaged file?", path, image.message);
        png_image_free(&image);
        free(pix);
        return -1;
    }
    out->pix = pix;
    out->h = (int)image.height;
    out->w = (int)image.width;
    out->channels = channels;
    png_image_free(&image);
    return 0;
}

// ================================================ Image grids =======================================================

void image_grid_init(ImageGrid *g, int rows, int cols, int tile_h, int tile_w, int scale) {
    assert(rows > 0 && cols > 0 && tile_h > 0 && tile_w > 0 && scale > 0);
    g->rows = rows; g->cols = cols;
    g->tile_h = tile_h; g->tile_w = tile_w;
    g->scale = scale;
    g->frame = scale > 2 ? scale : 2;
    g->gap = 2 + 2 * g->frame;
    g->group_rows = 0;
    g->group_gap = 4 * g->gap;
    memset(g->background, 255, 3);
    g->tiles = xcalloc((size_t)rows * cols * tile_h * tile_w * 3, 1);
    g->has_tile = xcalloc((size_t)rows * cols, 1);
    g->frame_class = xmalloc((size_t)rows * cols * sizeof(int));
    for (int i = 0; i < rows * cols; i++) g->frame_class[i] = -1;
}

void image_grid_free(ImageGrid *g) {
    free(g->tiles);
    free(g->has_tile);
    free(g->frame_class);
    g->tiles = g->has_tile = NULL;
    g->frame_class = NULL;
}

void image_grid_put(ImageGrid *g, int r, int c, const float *pix, int channels) {
    assert(r >= 0 && r < g->rows && c >= 0 && c < g->cols && (channels == 1 || channels == 3));
    size_t hw = (size_t)g->tile_h * g->tile_w;
    unsigned char *tile = g->tiles + ((size_t)r * g->cols + c) * hw * 3;
    // planar (C, H, W) floats -> interleaved (H, W, 3) bytes; a grey tile repeats its one channel three times
    for (size_t i = 0; i < hw; i++)
        for (int k = 0; k < 3; k++) tile[3 * i + k] = to_byte(pix[(channels == 3 ? k * hw : 0) + i]);
    g->has_tile[r * g->cols + c] = 1;
}

void image_grid_put_gray(ImageGrid *g, int r, int c, const float *pix) { image_grid_put(g, r, c, pix, 1); }
void image_grid_put_rgb(ImageGrid *g, int r, int c, const float *pix) { image_grid_put(g, r, c, pix, 3); }

void image_grid_frame(ImageGrid *g, int r, int c, int cls) {
    assert(r >= 0 && r < g->rows && c >= 0 && c < g->cols);
    g->frame_class[r * g->cols + c] = cls < 0 ? -1 : cls % 10;
}

// Extra vertical space above row r from the row groups.
static int group_offset(const ImageGrid *g, int r) {
    return g->group_rows > 0 ? (r / g->group_rows) * g->group_gap : 0;
}

void image_grid_size(const ImageGrid *g, int *height, int *width) {
    *height = g->gap + g->rows * (g->tile_h * g->scale + g->gap) + group_offset(g, g->rows - 1);
    *width = g->gap + g->cols * (g->tile_w * g->scale + g->gap);
}

void image_grid_tile_origin(const ImageGrid *g, int r, int c, int *y, int *x) {
    *y = g->gap + r * (g->tile_h * g->scale + g->gap) + group_offset(g, r);
    *x = g->gap + c * (g->tile_w * g->scale + g->gap);
}

int image_grid_write(const ImageGrid *g, const char *path, char *err, size_t errlen) {
    int height, width;
    image_grid_size(g, &height, &width);
    unsigned char *out = xmalloc((size_t)height * width * 3);
    for (size_t i = 0; i < (size_t)height * width; i++) memcpy(out + 3 * i, g->background, 3);

    int th = g->tile_h * g->scale, tw = g->tile_w * g->scale;
    for (int r = 0; r < g->rows; r++)
        for (int c = 0; c < g->cols; c++) {
            int y0, x0;
            image_grid_tile_origin(g, r, c, &y0, &x0);
            // the frame: a ring `frame` pixels wide around the tile, clipped to the picture
            int cls = g->frame_class[r * g->cols + c];
            if (cls >= 0)
                for (int y = y0 - g->frame; y < y0 + th + g->frame; y++)
                    for (int x = x0 - g->frame; x < x0 + tw + g->frame; x++)
                        if (y >= 0 && y < height && x >= 0 && x < width)
                            memcpy(out + ((size_t)y * width + x) * 3, CLASS_COLORS[cls], 3);
            if (!g->has_tile[r * g->cols + c]) {   // no tile: blank inside the frame
                for (int y = y0; y < y0 + th; y++)
                    for (int x = x0; x < x0 + tw; x++) memcpy(out + ((size_t)y * width + x) * 3, g->background, 3);
                continue;
            }
            // the tile: output pixel (y0 + y, x0 + x) shows tile pixel (y / scale, x / scale) (nearest neighbour)
            const unsigned char *tile = g->tiles + ((size_t)r * g->cols + c) * g->tile_h * g->tile_w * 3;
            for (int y = 0; y < th; y++)
                for (int x = 0; x < tw; x++)
                    memcpy(out + ((size_t)(y0 + y) * width + x0 + x) * 3,
                           tile + ((size_t)(y / g->scale) * g->tile_w + x / g->scale) * 3, 3);
        }
    int rc = png_write_rgb(path, out, height, width, err, errlen);
    free(out);
    return rc;
}

void image_labels_to_rgb(float *rgb, const int *labels, int h, int w) {
    size_t hw = (size_t)h * w;
    for (size_t i = 0; i < hw; i++)
        for (int k = 0; k < 3; k++)
            rgb[k * hw + i] = labels[i] < 0 ? 0.0f : CLASS_COLORS[labels[i] % 10][k] / 255.0f;
}
