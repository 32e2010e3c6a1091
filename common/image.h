// image.h: PNG files (through libpng) and the image grids every chapter draws its pictures with.
//
// Pixels on our side are floats in [0, 1], planar like the tensors: a grey image is (H, W), a colour one (3, H, W)
// (all of red, then all of green, then all of blue). In a PNG they become bytes: v -> round(255 * clip(v, 0, 1)).
//
// Every file is written to "PATH.tmp" first and renamed to PATH only when complete, so a run that crashes or is
// interrupted never leaves a half-written PNG behind; on an error the temporary file is removed.
//
// ---- Image grids ----
//
// Figures of reconstructions, samples and masks are tiles laid out rows x cols, each tile scaled up by an integer
// factor (a 28x28 image is tiny on screen), with a light gap between tiles and an optional coloured frame:
//
//     gap  frame  tile*scale  frame  gap  frame  tile*scale  frame  gap
//   +-----------------------------------------------------------------+
//   |                                                                 |  <- gap (white)
//   |   +=============+         +=============+                       |
//   |   ||  tile 0,0 ||         ||  tile 0,1 ||   ...                 |  <- frame: a class colour, or gap colour
//   |   +=============+         +=============+                       |
//   |                                                                 |
//   |   ... row 1 ...                                                 |
//   |                                                                 |  <- group_gap: extra space every
//   |   ... row 2 ...                                                 |     group_rows rows (optional)
//   +-----------------------------------------------------------------+
//
//   ImageGrid g;
//   image_grid_init(&g, 2, 10, 28, 28, 3);          // 2 rows x 10 columns of 28x28 tiles, each pixel 3x3
//   for (int i = 0; i < 10; i++) {
//       image_grid_put_gray(&g, 0, i, tensor_sample(&x, i));        // originals on top
//       image_grid_put_gray(&g, 1, i, tensor_sample(&xhat, i));     // reconstructions below
//       image_grid_frame(&g, 0, i, y[i]);                           // frame coloured by class
//   }
//   if (image_grid_write(&g, "figures/chapter01/reconstructions.png", err, sizeof err) != 0) ...
//   image_grid_free(&g);
//
// Tiles are stored as given and only laid out when the grid is written, so the look (gap, frame, group_rows) may be
// changed at any time before image_grid_write. A tile never put stays blank (the gap colour).
#ifndef IMAGE_H
#define IMAGE_H

#include <stddef.h>

// Ten colours told apart easily, one per class (the "tab10" palette of matplotlib), as 0..255 RGB. The gnuplot
// figures of plot.h use the same colours, so class 3 is the same red in a scatter plot and in an image grid.
extern const unsigned char CLASS_COLORS[10][3];

// ================================================ PNG files =========================================================

// Write a grey image pix (h, w), values in [0, 1] (clipped), as an 8-bit grey PNG at path.
// Returns 0, or -1 with a one-line message in err (directory missing, disk full, ...).
int png_write_gray(const char *path, const float *pix, int h, int w, char *err, size_t errlen);
// Write an RGB image rgb (h, w, 3) bytes, interleaved as in the file, as an 8-bit RGB PNG (or grey, one channel,
// when every pixel is grey: the same picture, smaller). Returns 0 or -1 as above.
int png_write_rgb(const char *path, const unsigned char *rgb, int h, int w, char *err, size_t errlen);

// Pixels read back from a PNG.
typedef struct {
    unsigned char *pix;     // (h, w, channels) bytes, interleaved; owned, freed by png_pixels_free
    int h, w;
    int channels;           // 1 (grey) or 3 (RGB)
} PngPixels;

// Read the PNG at path into *out, converted to `channels` = 1 (grey) or 3 (RGB) whatever the file holds.
// Returns 0, or -1 with a message in err (and *out left empty). Free with png_pixels_free.
int png_read(const char *path, int channels, PngPixels *out, char *err, size_t errlen);
// Release img's pixels (safe to call twice).
void png_pixels_free(PngPixels *img);

// ================================================ Image grids =======================================================

typedef struct {
    int rows, cols;             // tiles
    int tile_h, tile_w;         // size of one tile in image pixels (28 x 28)
    int scale;                  // each image pixel becomes scale x scale output pixels
    int gap;                    // output pixels between tiles and around the grid (default 2 + 2 * frame)
    int frame;                  // width of a tile's coloured frame, drawn inside the gap (default max(2, scale))
    int group_rows;             // > 0: leave group_gap extra pixels after every group_rows rows (default 0: none)
    int group_gap;              // default 4 * gap
    unsigned char background[3];// the gap colour (default white)
    unsigned char *tiles;       // (rows, cols, tile_h, tile_w, 3) bytes: the tiles as put; owned
    unsigned char *has_tile;    // (rows, cols): 1 once a tile was put; owned
    int *frame_class;           // (rows, cols): class of the tile's frame, -1 for none; owned
} ImageGrid;

// Prepare an empty grid of rows x cols tiles of (tile_h, tile_w) image pixels, each shown scale x scale.
// Free with image_grid_free.
void image_grid_init(ImageGrid *g, int rows, int cols, int tile_h, int tile_w, int scale);
// Release the grid's storage (safe to call twice).
void image_grid_free(ImageGrid *g);
// Put a grey tile pix (tile_h, tile_w), values in [0, 1], at row r, column c.
void image_grid_put_gray(ImageGrid *g, int r, int c, const float *pix);
// Put a colour tile pix (3, tile_h, tile_w) planar, values in [0, 1], at row r, column c.
void image_grid_put_rgb(ImageGrid *g, int r, int c, const float *pix);
// Put a tile of `channels` = 1 or 3 (the two functions above in one, for a tensor sample of C channels).
void image_grid_put(ImageGrid *g, int r, int c, const float *pix, int channels);
// Frame tile (r, c) in CLASS_COLORS[cls % 10]; cls = -1 removes the frame.
void image_grid_frame(ImageGrid *g, int r, int c, int cls);
// Size in output pixels of the whole grid as it would be written now.
void image_grid_size(const ImageGrid *g, int *height, int *width);
// Output pixel of the top-left corner of tile (r, c)'s image (inside its frame) as it would be written now.
void image_grid_tile_origin(const ImageGrid *g, int r, int c, int *y, int *x);
// Lay the grid out and write it as an RGB PNG at path. Returns 0, or -1 with a message in err.
int image_grid_write(const ImageGrid *g, const char *path, char *err, size_t errlen);

// Colour a label map: rgb (3, h, w) planar floats gets CLASS_COLORS[labels[i] % 10] / 255 at each pixel;
// a negative label gives black. For segmentation masks, ready for image_grid_put_rgb.
void image_labels_to_rgb(float *rgb, const int *labels, int h, int w);

#endif
