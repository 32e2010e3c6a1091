// test_plot.c: gnuplot figures. Scripts and data must be written whether or not gnuplot is installed (the tests hide
// it by pointing PATH at an empty directory), hold the expected rows, and render to a PNG when gnuplot is there.
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "image.h"
#include "plot.h"

static const char *const NAMES3[3] = {"T-shirt/top", "Trouser", "Ankle boot"};

// ---- helpers ----

static void make_scratch_dir(char *dir) {
    strcpy(dir, "/tmp/test_plot_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
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

static int file_exists(const char *dir, const char *name) {
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 && st.st_size > 0;
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

// The whole of dir/name as a string (caller frees).
static char *slurp(const char *dir, const char *name) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s was not written", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

// Assert that dir/name contains text.
static void assert_contains(const char *dir, const char *name, const char *text) {
    char *s = slurp(dir, name);
    ck_assert_msg(strstr(s, text) != NULL, "%s/%s lacks \"%s\"", dir, name, text);
    free(s);
}

// Point PATH at a new empty directory (written into hidden, 64 bytes), so that no gnuplot can be found.
static void hide_gnuplot(char *hidden) {
    make_scratch_dir(hidden);
    setenv("PATH", hidden, 1);
    ck_assert(!plot_have_gnuplot());
}

// ---- without gnuplot: scripts and data only ----

START_TEST(test_lines_without_gnuplot) {
    char dir[64], hidden[64], err[512];
    make_scratch_dir(dir);
    hide_gnuplot(hidden);

    // capture stderr to count the "gnuplot not found" notices
    char log[128];
    snprintf(log, sizeof log, "%s/stderr.log", dir);
    fflush(stderr);
    int saved = dup(STDERR_FILENO), fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, STDERR_FILENO);

    float train[3] = {0.5f, 0.25f, 0.125f}, val[3] = {0.75f, 0.5f, 0.375f}, x[3] = {10, 20, 40};
    PlotSeries s[2] = {{.name = "train", .y = train, .n = 3}, {.name = "validation \"held out\"", .y = val, .n = 3}};
    int rc1 = plot_lines(dir, "loss", "Loss", "epoch", "MSE", s, 2, err, sizeof err);
    PlotSeries sx[1] = {{.name = "accuracy", .x = x, .y = val, .n = 3}};
    PlotPanel p[2] = {{.title = "overall", .ylabel = "loss", .series = s, .nseries = 2},
                      {.title = "head 1", .ylabel = "acc", .series = sx, .nseries = 1}};
    int rc2 = plot_panels(dir, "panels", "Two heads", "epoch", p, 2, err, sizeof err);

    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(fd);
    ck_assert_msg(rc1 == 0 && rc2 == 0, "%s", err);

    ck_assert(file_exists(dir, "loss.dat") && file_exists(dir, "loss.gp"));
    ck_assert(!file_exists(dir, "loss.png"));
    assert_contains(dir, "loss.dat", "1 0.5\n2 0.25\n3 0.125\n");
    assert_contains(dir, "loss.dat", "1 0.75\n2 0.5\n3 0.375\n");
    assert_contains(dir, "loss.gp", "'loss.dat' index 1 using 1:2");
    assert_contains(dir, "loss.gp", "\"validation \\\"held out\\\"\"");       // quotes escaped in the script
    assert_contains(dir, "loss.gp", "set terminal pngcairo");
    assert_contains(dir, "loss.gp", "cd here");
    assert_contains(dir, "panels.dat", "10 0.75\n20 0.5\n40 0.375\n");       // the panel with its own x
    assert_contains(dir, "panels.gp", "set multiplot layout 1,2");
    assert_contains(dir, "panels.gp", "'panels.dat' index 2 using 1:2");

    char *notice = slurp(dir, "stderr.log");
    char *first = strstr(notice, "gnuplot not found");
    ck_assert_msg(first != NULL, "no notice: \"%s\"", notice);
    ck_assert_msg(strstr(first + 1, "gnuplot not found") == NULL, "notice printed twice: \"%s\"", notice);
    ck_assert_ptr_nonnull(strstr(notice, "gnuplot-nox"));
    free(notice);
    ck_assert_int_eq(count_files(dir, ".tmp"), 0);
    remove_scratch_dir(dir);
    remove_scratch_dir(hidden);
}
END_TEST

START_TEST(test_other_kinds_without_gnuplot) {
    char dir[64], hidden[64], err[512];
    make_scratch_dir(dir);
    hide_gnuplot(hidden);

    float xy[4 * 2] = {0, 0, 1, 1, 2, 2, 3, 3};
    int labels[4] = {0, 2, 2, 7};          // 7 is outside 0..2: left out
    ck_assert_msg(plot_scatter_classes(dir, "latent", "Latent", xy, labels, 4, NAMES3, 3, err, sizeof err) == 0,
                  "%s", err);
    assert_contains(dir, "latent.dat", "\"T-shirt/top\" (x y)\n0 0\n");
    assert_contains(dir, "latent.dat", "\"Ankle boot\" (x y)\n1 1\n2 2\n");
    assert_contains(dir, "latent.gp", "title \"Ankle boot\"");
    char *s = slurp(dir, "latent.dat");
    ck_assert_ptr_null(strstr(s, "3 3"));
    free(s);

    int counts[9] = {5, 1, 0, 2, 7, 1, 0, 0, 9};
    ck_assert_int_eq(plot_confusion(dir, "confusion", "Confusion", counts, NAMES3, 3, err, sizeof err), 0);
    assert_contains(dir, "confusion.dat", "0 0 5\n1 0 1\n2 0 0\n0 1 2\n1 1 7\n");
    assert_contains(dir, "confusion.gp", "set xtics (\"T-shirt/top\" 0, \"Trouser\" 1, \"Ankle boot\" 2)");
    assert_contains(dir, "confusion.gp", "with labels");

    float values[5] = {1.5f, 2.5f, 3.5f, 10, 20};
    int groups[5] = {0, 0, 0, 2, 2};
    ck_assert_int_eq(plot_boxes(dir, "angles", "Angle error", "degrees", values, groups, 5, NAMES3, 3, err,
                                sizeof err), 0);
    assert_contains(dir, "angles.dat", "1.5\n2.5\n3.5\n");
    assert_contains(dir, "angles.dat", "10\n20\n");
    assert_contains(dir, "angles.gp", "using (2):1 with boxplot");

    const char *methods[2] = {"pixels", "autoencoder features"};
    float acc[2] = {0.842f, 0.861f};
    ck_assert_int_eq(plot_bars(dir, "methods", "Accuracy", "accuracy", methods, acc, 2, err, sizeof err), 0);
    assert_contains(dir, "methods.dat", "0 \"pixels\" 0.842\n1 \"autoencoder features\" 0.861\n");
    assert_contains(dir, "methods.gp", "with boxes");

    ck_assert_int_eq(count_files(dir, ".png"), 0);
    ck_assert_int_eq(count_files(dir, ".tmp"), 0);
    remove_scratch_dir(dir);
    remove_scratch_dir(hidden);
}
END_TEST

START_TEST(test_bad_arguments) {
    char dir[64], err[512] = "";
    make_scratch_dir(dir);
    float y[2] = {1, 2};
    PlotSeries s[1] = {{.name = "a", .y = y, .n = 2}};
    ck_assert_int_eq(plot_lines("/nonexistent/figures", "loss", "t", "x", "y", s, 1, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "/nonexistent/figures") != NULL, "%s", err);
    ck_assert_int_eq(plot_lines(dir, "../escape", "t", "x", "y", s, 1, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "figure name") != NULL, "%s", err);
    ck_assert_int_eq(plot_lines(dir, "loss", "t", "x", "y", s, 0, err, sizeof err), -1);
    int labels[2] = {5, 6};
    float xy[4] = {0};
    ck_assert_int_eq(plot_scatter_classes(dir, "sc", "t", xy, labels, 2, NULL, 3, err, sizeof err), -1);
    ck_assert_int_eq(count_files(dir, ""), 0);             // nothing half-written left behind
    remove_scratch_dir(dir);
}
END_TEST

// ---- with gnuplot: PNGs ----

// Read back dir/name and check its size.
static void assert_png(const char *dir, const char *name, int w, int h) {
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    PngPixels img;
    ck_assert_msg(png_read(path, 3, &img, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(img.w, w);
    ck_assert_int_eq(img.h, h);
    png_pixels_free(&img);
}

START_TEST(test_render_with_gnuplot) {
    if (!plot_have_gnuplot()) {
        fprintf(stderr, "test_render_with_gnuplot: gnuplot not on PATH, nothing to render (install gnuplot-nox)\n");
        return;
    }
    char dir[64], err[512];
    make_scratch_dir(dir);
    float train[4] = {0.5f, 0.3f, 0.2f, 0.15f};
    PlotSeries s[1] = {{.name = "train", .y = train, .n = 4}};
    ck_assert_msg(plot_lines(dir, "loss", "Loss", "epoch", "MSE", s, 1, err, sizeof err) == 0, "%s", err);
    assert_png(dir, "loss.png", 800, 500);
    int counts[9] = {5, 1, 0, 2, 7, 1, 0, 0, 9};
    ck_assert_int_eq(plot_confusion(dir, "confusion", "Confusion", counts, NAMES3, 3, err, sizeof err), 0);
    ck_assert(file_exists(dir, "confusion.png"));

    // the script runs from anywhere: from its own directory, and from / with an absolute path
    char cwd[4096], path[512];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    snprintf(path, sizeof path, "%s/loss.png", dir);
    remove(path);
    ck_assert_int_eq(chdir(dir), 0);
    ck_assert_int_eq(plot_render(".", "loss"), 0);
    ck_assert_int_eq(chdir("/"), 0);
    ck_assert_int_eq(plot_render(dir, "confusion"), 0);
    ck_assert_int_eq(chdir(cwd), 0);
    assert_png(dir, "loss.png", 800, 500);

    // a broken script: a warning, no PNG, no temporary file
    snprintf(path, sizeof path, "%s/broken.gp", dir);
    FILE *f = fopen(path, "w");
    fputs("set terminal pngcairo\nset output 'broken.png.tmp'\nplot this_is_not_a_function(x)\n", f);
    fclose(f);
    ck_assert_int_eq(plot_render(dir, "broken"), -1);
    ck_assert(!file_exists(dir, "broken.png"));
    ck_assert_int_eq(count_files(dir, ".tmp"), 0);
    remove_scratch_dir(dir);
}
END_TEST

static Suite *plot_suite(void) {
    Suite *s = suite_create("plot");
    TCase *files = tcase_create("files");
    tcase_add_test(files, test_lines_without_gnuplot);
    tcase_add_test(files, test_other_kinds_without_gnuplot);
    tcase_add_test(files, test_bad_arguments);
    suite_add_tcase(s, files);
    TCase *render = tcase_create("render");
    tcase_set_timeout(render, 30);                  // a few gnuplot runs; slow under the sanitizers
    tcase_add_test(render, test_render_with_gnuplot);
    suite_add_tcase(s, render);
    return s;
}

CHECK_MAIN(plot_suite)
