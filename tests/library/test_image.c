// test_image.c: PNG write -> read round trips, image-grid layout, and clean failures.
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "image.h"

// ---- helpers: a scratch directory ----

static void make_scratch_dir(char *dir) {
    strcpy(dir, "/tmp/test_image_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

// Number of files in dir whose name ends with suffix.
static int count_files(const char *dir, const char *suffix) {
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name), m = strlen(suffix);
        if (e->d_name[0] != '.' && n >= m && strcmp(e->d_name + n - m, suffix) == 0) count++;
    }
    closedir(d);
    return count;
}

static void remove_scratch_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char path[512];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        remove(path);
    }
    closedir(d);
    rmdir(dir);
}

// ---- PNG files ----

START_TEST(test_png_gray_roundtrip) {
    enum { H = 5, W = 7 };
    char dir[64], path[256], err[512];
    make_scratch_dir(dir);
    snprintf(path, sizeof path, "%s/gray.png", dir);
    float pix[H * W];
    for (int i = 0; i < H * W; i++) pix[i] = (float)(i * 7) / 255.0f;   // exact byte values 0, 7, 14, ...
    pix[0] = -0.5f;        // clipped to 0
    pix[1] = 1.5f;         // clipped to 255
    pix[2] = NAN;          // shown as 0
    ck_assert_msg(png_write_gray(path, pix, H, W, err, sizeof err) == 0, "%s", err);

    PngPixels img;
    ck_assert_msg(png_read(path, 1, &img, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(img.h, H);
    ck_assert_int_eq(img.w, W);
    ck_assert_int_eq(img.channels, 1);
    ck_assert_int_eq(img.pix[0], 0);
    ck_assert_int_eq(img.pix[1], 255);
    ck_assert_int_eq(img.pix[2], 0);
    for (int i = 3; i < H * W; i++) ck_assert_int_eq(img.pix[i], i * 7);
    png_pixels_free(&img);

    // the same file read as RGB: grey repeated in the three channels
    ck_assert_int_eq(png_read(path, 3, &img, err, sizeof err), 0);
    ck_assert_int_eq(img.channels, 3);
    ck_assert_int_eq(img.pix[3 * 10 + 0], 70);
    ck_assert_int_eq(img.pix[3 * 10 + 2], 70);
    png_pixels_free(&img);
    png_pixels_free(&img);

    ck_assert_int_eq(count_files(dir, ".tmp"), 0);
    ck_assert_int_eq(count_files(dir, ".png"), 1);
    remove_scratch_dir(dir);
}
END_TEST

START_TEST(test_png_rgb_roundtrip) {
    enum { H = 3, W = 4 };
    char dir[64], path[256], err[512];
    make_scratch_dir(dir);
    snprintf(path, sizeof path, "%s/rgb.png", dir);
    unsigned char rgb[H * W * 3];
    for (int i = 0; i < H * W * 3; i++) rgb[i] = (unsigned char)(i * 19 + 3);
    ck_assert_msg(png_write_rgb(path, rgb, H, W, err, sizeof err) == 0, "%s", err);
    PngPixels img;
    ck_assert_msg(png_read(path, 3, &img, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(img.h, H);
    ck_assert_int_eq(img.w, W);
    ck_assert_mem_eq(img.pix, rgb, sizeof rgb);
    png_pixels_free(&img);
    ck_assert_int_eq(count_files(dir, ".tmp"), 0);
    remove_scratch_dir(dir);
}
END_TEST

START_TEST(test_png_errors) {
    char err[512] = "";
    float pix[4] = {0};
    ck_assert_int_eq(png_write_gray("/nonexistent/dir/x.png", pix, 2, 2, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "/nonexistent/dir/x.png") && strstr(err, "directory"), "%s", err);

    PngPixels img;
    ck_assert_int_eq(png_read("/nonexistent/dir/x.png", 1, &img, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "/nonexistent/dir/x.png") != NULL, "%s", err);
    ck_assert_ptr_null(img.pix);

    // a file that is not a PNG
    char dir[64], path[256];
    make_scratch_dir(dir);
    snprintf(path, sizeof path, "%s/fake.png", dir);
    FILE *f = fopen(path, "wb");
    fputs("this is not a PNG file at all, just some text", f);
    fclose(f);
    ck_assert_int_eq(png_read(path, 3, &img, err, sizeof err), -1);
    ck_assert_msg(strstr(err, path) != NULL, "%s", err);
    ck_assert_ptr_null(img.pix);
    remove_scratch_dir(dir);
}
END_TEST

// ---- image grids ----

START_TEST(test_grid_layout) {
    enum { TH = 4, TW = 5, SCALE = 2, ROWS = 2, COLS = 3 };
    char dir[64], path[256], err[512];
    make_scratch_dir(dir);
    snprintf(path, sizeof path, "%s/grid.png", dir);

    ImageGrid g;
    image_grid_init(&g, ROWS, COLS, TH, TW, SCALE);
    // tile (r, c) is the constant grey (10 + 40 * (r * COLS + c)) / 255, except (1, 2) which is never put
    float tile[TH * TW];
    for (int r = 0; r < ROWS; r++)
        for (int c = 0; c < COLS; c++) {
            if (r == 1 && c == 2) continue;
            for (int i = 0; i < TH * TW; i++) tile[i] = (10 + 40 * (r * COLS + c)) / 255.0f;
            image_grid_put_gray(&g, r, c, tile);
        }
    // one colour tile: red channel 1, the rest 0, in (1, 1)
    float rgb[3 * TH * TW] = {0};
    for (int i = 0; i < TH * TW; i++) rgb[i] = 1.0f;
    image_grid_put_rgb(&g, 1, 1, rgb);
    image_grid_frame(&g, 0, 1, 3);
    ck_assert_msg(image_grid_write(&g, path, err, sizeof err) == 0, "%s", err);

    PngPixels img;
    ck_assert_msg(png_read(path, 3, &img, err, sizeof err) == 0, "%s", err);
    int height, width;
    image_grid_size(&g, &height, &width);
    ck_assert_int_eq(img.h, height);
    ck_assert_int_eq(img.w, width);
    ck_assert_int_eq(width, g.gap + COLS * (TW * SCALE + g.gap));
#define PIX(y, x, k) img.pix[((size_t)(y) * img.w + (x)) * 3 + (k)]
    for (int r = 0; r < ROWS; r++)
        for (int c = 0; c < COLS; c++) {
            int y, x;
            image_grid_tile_origin(&g, r, c, &y, &x);
            ck_assert_int_eq(x, g.gap + c * (TW * SCALE + g.gap));
            int v = 10 + 40 * (r * COLS + c);
            if (r == 1 && c == 2) v = 255;                          // blank: the white background
            if (r == 1 && c == 1) {
                ck_assert_int_eq(PIX(y, x, 0), 255);
                ck_assert_int_eq(PIX(y, x, 1), 0);
                continue;
            }
            // the tile's first and last output pixels, and one just outside it
            ck_assert_int_eq(PIX(y, x, 1), v);
            ck_assert_int_eq(PIX(y + TH * SCALE - 1, x + TW * SCALE - 1, 2), v);
            if (!(r == 0 && c == 1)) ck_assert_int_eq(PIX(y - 1, x, 0), 255);
        }
    // the frame of (0, 1): the pixel just above-left of the tile is class 3's colour
    int y, x;
    image_grid_tile_origin(&g, 0, 1, &y, &x);
    for (int k = 0; k < 3; k++) ck_assert_int_eq(PIX(y - 1, x - 1, k), CLASS_COLORS[3][k]);
    png_pixels_free(&img);
#undef PIX

    // row groups push later rows down
    int y_before, y_after;
    image_grid_tile_origin(&g, 1, 0, &y_before, &x);
    g.group_rows = 1;
    image_grid_tile_origin(&g, 1, 0, &y_after, &x);
    ck_assert_int_eq(y_after, y_before + g.group_gap);
    image_grid_size(&g, &height, &width);
    ck_assert_int_eq(height, y_after + TH * SCALE + g.gap);

    ck_assert_int_eq(count_files(dir, ".tmp"), 0);
    // writing into a missing directory fails cleanly
    ck_assert_int_eq(image_grid_write(&g, "/nonexistent/dir/grid.png", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "/nonexistent/dir/grid.png") != NULL, "%s", err);
    image_grid_free(&g);
    image_grid_free(&g);
    remove_scratch_dir(dir);
}
END_TEST

START_TEST(test_labels_to_rgb) {
    int labels[3] = {0, 13, -1};
    float rgb[3 * 3];
    image_labels_to_rgb(rgb, labels, 1, 3);
    ck_assert_float_eq_tol(rgb[0 * 3 + 0], CLASS_COLORS[0][0] / 255.0f, 1e-6);     // red of pixel 0
    ck_assert_float_eq_tol(rgb[1 * 3 + 1], CLASS_COLORS[3][1] / 255.0f, 1e-6);     // green of pixel 1 (13 % 10)
    ck_assert_float_eq(rgb[2 * 3 + 2], 0.0f);                                       // blue of pixel 2: black
}
END_TEST

static Suite *image_suite(void) {
    Suite *s = suite_create("image");
    TCase *png = tcase_create("png");
    tcase_add_test(png, test_png_gray_roundtrip);
    tcase_add_test(png, test_png_rgb_roundtrip);
    tcase_add_test(png, test_png_errors);
    suite_add_tcase(s, png);
    TCase *grid = tcase_create("grid");
    tcase_add_test(grid, test_grid_layout);
    tcase_add_test(grid, test_labels_to_rgb);
    suite_add_tcase(s, grid);
    return s;
}

CHECK_MAIN(image_suite)
