// rotate.h: the rotated Fashion-MNIST of chapter 02, made the way the lecture notebook makes its rotated digits.
//
// One item, turned by t degrees (counter-clockwise on screen):
//
//   in (28, 28)  --ex_rotate-->  canvas (S, S)  --resize-->  out (28, 28)
//                                S = round(28 (|cos t| + |sin t|))
//
//     +------+         /\            +------+
//     | item |  ->   /    \    ->    |  /\  |     the canvas grows to hold the turned corners (S = 40 at 45
//     |      |       \    /          |  \/  |     degrees), then is shrunk back to 28 x 28: a turned item is
//     +------+         \/            +------+     also a little smaller, by up to 28/40 = 0.7 at 45 degrees.
//
// (scipy.ndimage.rotate(img, t, reshape=True) followed by a resize to 28 x 28 does the same.)
#ifndef CHAPTER02_ROTATE_H
#define CHAPTER02_ROTATE_H

#include <stdbool.h>

#include "data.h"
#include "rng.h"

// Angles are whole degrees drawn uniformly from [-ROTATE_MAX_DEGREES, ROTATE_MAX_DEGREES - 1], as the notebook's.
#define ROTATE_MAX_DEGREES 45

// Side of the grown canvas that holds an h x w image turned by `degrees` (for a square image: S above).
void rotate_canvas_size(int *ch, int *cw, int h, int w, float degrees);

// Bilinear resize of in (h, w) to out (oh, ow), pixel centres aligned (as OpenCV's INTER_LINEAR); edges clamped.
void rotate_resize(float *out, const float *in, int h, int w, int oh, int ow);

// Turn one grey image in (h, w) by `degrees` the notebook's way (picture above) into out (h, w).
// canvas: scratch of at least rotate_canvas_floats(h, w) floats.
void rotate_item(float *out, const float *in, int h, int w, float degrees, float *canvas);
int rotate_canvas_floats(int h, int w);

// A rotated copy of d: out gets every image of d turned by a random whole angle (drawn from rng, in order) and the
// same labels; angles (d->count floats, the caller's array) gets each image's angle in degrees. Free out with
// dataset_free.
void rotate_dataset(Dataset *out, float *angles, const Dataset *d, Rng *rng);

// A tile (h, w) showing a whole number (e.g. an angle, "-45" with a degree sign) in dark 3x5-pixel digits on white,
// drawn at `scale` (2 fits "-45" and a degree sign into 12 x 28), centred. For image grids that put a number
// under a picture.
void rotate_label_tile(float *tile, int h, int w, int value, bool degree_sign, int scale);

#endif
