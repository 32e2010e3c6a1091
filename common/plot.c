// plot.c: gnuplot figures as NAME.dat + NAME.gp, rendered to NAME.png by a gnuplot subprocess (see plot.h).
//
// Each plot_* function has the same three steps:
//   1. write NAME.dat: blocks of numbers, separated by two blank lines, so that the script picks block i with
//      `index i` (gnuplot's word for "the i-th block of a data file")
//   2. write NAME.gp: the shared prologue (cd into its own directory, terminal, colours), then the plot commands
//   3. plot_render: run `gnuplot NAME.gp` in a child process
#include "plot.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image.h"    // CLASS_COLORS

// ================================================ Files written atomically ==========================================

int plot_file_open(PlotFile *f, const char *dir, const char *name, const char *ext, char *err, size_t errlen) {
    if ((size_t)snprintf(f->path, sizeof f->path, "%s/%s.%s", dir, name, ext) >= sizeof f->path) {
        snprintf(err, errlen, "plot: path %.200s/... too long", dir);
        return -1;
    }
    snprintf(f->tmp, sizeof f->tmp, "%s.tmp", f->path);
    f->fp = fopen(f->tmp, "w");
    if (!f->fp) {
        snprintf(err, errlen, "plot: cannot write %s (%s): does the directory %s exist?", f->path, strerror(errno),
                 dir);
        return -1;
    }
    return 0;
}

int plot_file_commit(PlotFile *f, char *err, size_t errlen) {
    int bad = ferror(f->fp);
    if (fclose(f->fp) != 0) bad = 1;           // fclose flushes: a full disk shows up here
    f->fp = NULL;
    if (bad) {
        snprintf(err, errlen, "plot: cannot write %s (%s): disk full?", f->tmp, strerror(errno));
        remove(f->tmp);
        return -1;
    }
    if (rename(f->tmp, f->path) != 0) {
        snprintf(err, errlen, "plot: cannot rename %s to %s (%s)", f->tmp, f->path, strerror(errno));
        remove(f->tmp);
        return -1;
    }
    return 0;
}

void plot_file_abandon(PlotFile *f) {
    if (f->fp) fclose(f->fp);
    f->fp = NULL;
    remove(f->tmp);
}

// ================================================ Script pieces =====================================================

// NAME must be safe both as a file name and inside a gnuplot string: letters, digits, '_', '-', '.'.
static int check_name(const char *name, char *err, size_t errlen) {
    if (!name || !*name) { snprintf(err, errlen, "plot: empty figure name"); return -1; }
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-' || *p == '.')) {
            snprintf(err, errlen, "plot: figure name \"%s\" may hold only letters, digits, '_', '-', '.'", name);
            return -1;
        }
    return 0;
}

void plot_gp_string(FILE *fp, const char *s) {
    fputc('"', fp);
    for (; s && *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', fp);
        if (*s != '\n') fputc(*s, fp);
    }
    fputc('"', fp);
}

// Write s as a quoted string in a data file (no escapes there: a " inside becomes ').
static void dat_string(FILE *fp, const char *s) {
    fputc('"', fp);
    for (; s && *s; s++) fputc(*s == '"' ? '\'' : (*s == '\n' ? ' ' : *s), fp);
    fputc('"', fp);
}

// A number for a data file; NaN and Inf become "NaN", which gnuplot skips.
static void dat_number(FILE *fp, double v) {
    if (isfinite(v)) fprintf(fp, "%.7g", v);
    else fputs("NaN", fp);
}

void plot_script_begin(FILE *fp, const char *name, const char *what, const char *writer, const char *terminal,
                       int width, int height) {
    fprintf(fp, "# %s.gp: %s (written by %s).\n", name, what, writer);
    fprintf(fp, "# Run from anywhere: gnuplot path/to/%s.gp  ->  %s.png beside this script.\n", name, name);
    fprintf(fp, "# gnuplot -e \"out='other.png'\" %s.gp writes the picture elsewhere.\n\n", name);
    fprintf(fp, "# Move into this script's directory: ARG0 is its path as given; cut after the last '/'.\n");
    fprintf(fp, "here = \"\"; rest = exists(\"ARG0\") ? ARG0 : \"\"\n");
    fprintf(fp, "while (strstrt(rest, \"/\") > 0) { i = strstrt(rest, \"/\"); here = here . rest[1:i]; "
                "rest = rest[i+1:] }\n");
    fprintf(fp, "if (strlen(here) > 0) { cd here }\n");
    fprintf(fp, "if (!exists(\"out\")) { out = \"%s.png\" }\n\n", name);
    // libgd's png terminal asks fontconfig for "arial": Liberation Sans on a machine that has it, DejaVu Sans on one
    // that does not, and the same script drew other pixels on two machines. Naming the font draws the same ones.
    const char *font = strcmp(terminal, "png") == 0 ? " font \"DejaVu Sans,12\"" : "";
    fprintf(fp, "set terminal %s size %d,%d noenhanced%s\n", terminal, width, height, font);
    fprintf(fp, "set output out\n");
    fprintf(fp, "# line types 1..10: the class colours of common/image.c (matplotlib's tab10)\n");
    for (int i = 0; i < 10; i++)
        fprintf(fp, "set linetype %d lc rgb '#%02x%02x%02x' lw 2 pt 7\n", i + 1, CLASS_COLORS[i][0],
                CLASS_COLORS[i][1], CLASS_COLORS[i][2]);
    fprintf(fp, "set linetype cycle 10\n\n");
}

// The start of the scripts written here: plot_script_begin, naming the .dat file the script reads.
static void gp_prologue(FILE *fp, const char *name, const char *what, int width, int height) {
    char about[256];
    snprintf(about, sizeof about, "%s, drawn from %s.dat", what, name);
    plot_script_begin(fp, name, about, "common/plot.c", "pngcairo", width, height);
}

// ================================================ Rendering =========================================================

bool plot_have_gnuplot(void) {
    const char *path = getenv("PATH");
    if (!path) return false;
    char candidate[4096];
    while (*path) {                                  // PATH is "dir1:dir2:...": try dir/gnuplot in each
        size_t len = strcspn(path, ":");
        if (len > 0 && len < sizeof candidate - 9) {
            snprintf(candidate, sizeof candidate, "%.*s/gnuplot", (int)len, path);
            if (access(candidate, X_OK) == 0) return true;
        }
        path += len;
        if (*path == ':') path++;
    }
    return false;
}

int plot_render(const char *dir, const char *name) {
    // NOTE: the only state shared across calls: the "gnuplot not found" notice is printed once per process.
    static bool notice_printed = false;
    char script[4096], png[4096], tmp_png[4200], out_arg[4300];
    snprintf(script, sizeof script, "%s/%s.gp", dir, name);
    snprintf(png, sizeof png, "%s/%s.png", dir, name);
    snprintf(tmp_png, sizeof tmp_png, "%s.tmp", png);
    if (!plot_have_gnuplot()) {
        if (!notice_printed)
            fprintf(stderr, "gnuplot not found: plots are written as scripts only (%s, ...); after installing "
                    "gnuplot-nox, `gnuplot NAME.gp` draws one\n", script);
        notice_printed = true;
        return -1;
    }
    // The script cds into its own directory, so the output name it gets is relative to that directory.
    snprintf(out_arg, sizeof out_arg, "out='%s.png.tmp'", name);

    // gnuplot's stderr comes back through a pipe, so that a failure can be reported in one line.
    int fds[2];
    if (pipe(fds) != 0) {
        fprintf(stderr, "warning: cannot render %s: pipe failed (%s)\n", script, strerror(errno));
        return -1;
    }
    fflush(NULL);                                   // nothing buffered may be written twice by the child
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "warning: cannot render %s: fork failed (%s)\n", script, strerror(errno));
        close(fds[0]); close(fds[1]);
        return -1;
    }
    if (pid == 0) {                                 // the child: stdout to /dev/null, stderr to the pipe, exec
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) dup2(devnull, STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]); close(fds[1]);
        execlp("gnuplot", "gnuplot", "-e", out_arg, script, (char *)NULL);
        fprintf(stderr, "cannot run gnuplot (%s)\n", strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    char msg[1024];
    size_t len = 0;
    for (;;) {                                      // keep the first 1 KiB of what gnuplot says, drain the rest
        char chunk[512];
        ssize_t n = read(fds[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        size_t take = (size_t)n < sizeof msg - 1 - len ? (size_t)n : sizeof msg - 1 - len;
        memcpy(msg + len, chunk, take);
        len += take;
    }
    msg[len] = '\0';
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}

    struct stat st;
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && stat(tmp_png, &st) == 0 && st.st_size > 0;
    if (ok && rename(tmp_png, png) != 0) ok = false;
    if (!ok) {
        remove(tmp_png);
        // gnuplot's messages span lines ("line 12: ..."): squeeze them into one
        for (char *p = msg; *p; p++) if (*p == '\n' || *p == '\r') *p = ' ';
        while (len > 0 && msg[len - 1] == ' ') msg[--len] = '\0';
        fprintf(stderr, "warning: gnuplot could not render %s (%s); the script is kept\n", script,
                len ? msg : "no message");
        return -1;
    }
    return 0;
}

int plot_pair_finish(PlotFile *dat, PlotFile *gp, const char *dir, const char *name, char *err, size_t errlen) {
    if (dat && plot_file_commit(dat, err, errlen) != 0) { plot_file_abandon(gp); return -1; }
    if (plot_file_commit(gp, err, errlen) != 0) return -1;
    plot_render(dir, name);
    return 0;
}

int plot_pair_open(PlotFile *dat, PlotFile *gp, const char *dir, const char *name, char *err, size_t errlen) {
    if (check_name(name, err, errlen) != 0) return -1;
    if (plot_file_open(dat, dir, name, "dat", err, errlen) != 0) return -1;
    if (plot_file_open(gp, dir, name, "gp", err, errlen) != 0) { plot_file_abandon(dat); return -1; }
    return 0;
}

// ================================================ (a) lines and panels ==============================================

// Write each series as one block "x y" of dat; *block counts blocks across calls (panels share one file).
static void write_series_blocks(FILE *fp, const PlotSeries *s, int ns, int *block) {
    for (int i = 0; i < ns; i++) {
        if (*block > 0) fputs("\n\n", fp);
        fprintf(fp, "# block %d: ", *block);
        dat_string(fp, s[i].name);
        fputs(" (x y)\n", fp);
        for (int j = 0; j < s[i].n; j++) {
            dat_number(fp, s[i].x ? s[i].x[j] : j + 1);
            fputc(' ', fp);
            dat_number(fp, s[i].y[j]);
            fputc('\n', fp);
        }
        (*block)++;
    }
}

// The plot command of one panel: series i is block first_block + i, drawn in colour i.
static void write_lines_plot(FILE *fp, const char *name, const PlotSeries *s, int ns, int first_block) {
    int maxn = 0;
    bool epochs = true;                             // x is 1..n: integer tics when there are few
    for (int i = 0; i < ns; i++) {
        if (s[i].n > maxn) maxn = s[i].n;
        if (s[i].x) epochs = false;
    }
    if (epochs && maxn <= 12) fputs("set xtics 1\n", fp);
    else fputs("set xtics autofreq\n", fp);
    fputs("plot ", fp);
    for (int i = 0; i < ns; i++) {
        fprintf(fp, "%s'%s.dat' index %d using 1:2 with %s lt %d title ", i ? ", \\\n     " : "", name,
                first_block + i, s[i].n <= 30 ? "linespoints ps 0.8" : "lines", i % 10 + 1);
        plot_gp_string(fp, s[i].name);
    }
    fputc('\n', fp);
}

static int check_series(const PlotSeries *s, int ns, char *err, size_t errlen) {
    if (ns <= 0) { snprintf(err, errlen, "plot: no series to draw"); return -1; }
    for (int i = 0; i < ns; i++)
        if (s[i].n <= 0 || !s[i].y) {
            snprintf(err, errlen, "plot: series %d (%s) has no values", i, s[i].name ? s[i].name : "unnamed");
            return -1;
        }
    return 0;
}

int plot_lines(const char *dir, const char *name, const char *title, const char *xlabel, const char *ylabel,
               const PlotSeries *series, int nseries, char *err, size_t errlen) {
    if (check_series(series, nseries, err, errlen) != 0) return -1;
    PlotFile dat, gp;
    if (plot_pair_open(&dat, &gp, dir, name, err, errlen) != 0) return -1;
    int block = 0;
    write_series_blocks(dat.fp, series, nseries, &block);

    gp_prologue(gp.fp, name, "line plot", 800, 500);
    fputs("set title ", gp.fp); plot_gp_string(gp.fp, title);
    fputs("\nset xlabel ", gp.fp); plot_gp_string(gp.fp, xlabel);
    fputs("\nset ylabel ", gp.fp); plot_gp_string(gp.fp, ylabel);
    fputs("\nset grid\nset key below horizontal height 1\n", gp.fp);     // below the axes: never on top of a curve
    write_lines_plot(gp.fp, name, series, nseries, 0);
    return plot_pair_finish(&dat, &gp, dir, name, err, errlen);
}

int plot_panels(const char *dir, const char *name, const char *title, const char *xlabel,
                const PlotPanel *panels, int npanels, char *err, size_t errlen) {
    if (npanels <= 0) { snprintf(err, errlen, "plot: no panels to draw"); return -1; }
    for (int p = 0; p < npanels; p++)
        if (check_series(panels[p].series, panels[p].nseries, err, errlen) != 0) return -1;
    PlotFile dat, gp;
    if (plot_pair_open(&dat, &gp, dir, name, err, errlen) != 0) return -1;
    int block = 0;
    for (int p = 0; p < npanels; p++) write_series_blocks(dat.fp, panels[p].series, panels[p].nseries, &block);

    gp_prologue(gp.fp, name, "line plots side by side", npanels * 420 > 800 ? npanels * 420 : 800, 480);
    fprintf(gp.fp, "set multiplot layout 1,%d title ", npanels);
    plot_gp_string(gp.fp, title);
    fputs("\nset xlabel ", gp.fp); plot_gp_string(gp.fp, xlabel);
    fputs("\nset grid\nset key below horizontal height 1\n", gp.fp);
    block = 0;
    for (int p = 0; p < npanels; p++) {
        fprintf(gp.fp, "\n# panel %d\nset title ", p + 1); plot_gp_string(gp.fp, panels[p].title);
        fputs("\nset ylabel ", gp.fp); plot_gp_string(gp.fp, panels[p].ylabel);
        fputc('\n', gp.fp);
        write_lines_plot(gp.fp, name, panels[p].series, panels[p].nseries, block);
        block += panels[p].nseries;
    }
    fputs("unset multiplot\n", gp.fp);
    return plot_pair_finish(&dat, &gp, dir, name, err, errlen);
}

// ================================================ (b) scatter by class ==============================================

int plot_scatter_classes(const char *dir, const char *name, const char *title, const float *xy, const int *labels,
                         int n, const char *const *class_names, int k, char *err, size_t errlen) {
    if (n <= 0 || k <= 0) { snprintf(err, errlen, "plot: scatter %s needs points (n = %d) and classes (k = %d)",
                                     name ? name : "", n, k); return -1; }
    PlotFile dat, gp;
    if (plot_pair_open(&dat, &gp, dir, name, err, errlen) != 0) return -1;
    gp_prologue(gp.fp, name, "scatter coloured by class", 800, 560);
    fputs("set title ", gp.fp); plot_gp_string(gp.fp, title);
    // the legend on the right, outside the axes; the axes kept square-ish so distances look like distances
    fputs("\nset key outside right center spacing 1.2\nset grid\nset size square\n", gp.fp);
    fputs("plot ", gp.fp);
    // one block per class that has points (an empty block would confuse `index`)
    int block = 0;
    for (int c = 0; c < k; c++) {
        int count = 0;
        for (int i = 0; i < n; i++) count += labels[i] == c;
        if (count == 0) continue;
        if (block > 0) fputs("\n\n", dat.fp);
        fprintf(dat.fp, "# block %d: class %d ", block, c);
        dat_string(dat.fp, class_names ? class_names[c] : "");
        fputs(" (x y)\n", dat.fp);
        for (int i = 0; i < n; i++)
            if (labels[i] == c) {
                dat_number(dat.fp, xy[2 * i]); fputc(' ', dat.fp);
                dat_number(dat.fp, xy[2 * i + 1]); fputc('\n', dat.fp);
            }
        // the points small (thousands of them), and a `keyentry` with a bigger point for the legend
        fprintf(gp.fp, "%s'%s.dat' index %d using 1:2 with points lt %d ps %.1f notitle, \\\n"
                       "     keyentry with points lt %d ps 1.5 title ", block ? ", \\\n     " : "",
                name, block, c % 10 + 1, n > 3000 ? 0.3 : (n > 500 ? 0.5 : 0.8), c % 10 + 1);
        if (class_names) plot_gp_string(gp.fp, class_names[c]);
        else fprintf(gp.fp, "\"%d\"", c);
        block++;
    }
    fputc('\n', gp.fp);
    if (block == 0) {
        snprintf(err, errlen, "plot: scatter %s: no point has a label in 0..%d", name, k - 1);
        plot_file_abandon(&dat); plot_file_abandon(&gp);
        return -1;
    }
    return plot_pair_finish(&dat, &gp, dir, name, err, errlen);
}

// ================================================ (c) confusion matrix ==============================================

// `set xtics ("name0" 0, "name1" 1, ...)`: class names as tic labels on axis ("x" or "y").
void plot_gp_name_tics(FILE *fp, const char *axis, const char *const *names, int k) {
    fprintf(fp, "set %stics (", axis);
    for (int i = 0; i < k; i++) {
        if (i) fputs(", ", fp);
        if (names) plot_gp_string(fp, names[i]);
        else fprintf(fp, "\"%d\"", i);
        fprintf(fp, " %d", i);
    }
    fputs(")", fp);
}

int plot_confusion(const char *dir, const char *name, const char *title, const int *counts,
                   const char *const *class_names, int k, char *err, size_t errlen) {
    if (k <= 0) { snprintf(err, errlen, "plot: confusion matrix needs k > 0 classes"); return -1; }
    PlotFile dat, gp;
    if (plot_pair_open(&dat, &gp, dir, name, err, errlen) != 0) return -1;
    int max = 1;
    fputs("# confusion matrix: predicted-class true-class count\n", dat.fp);
    for (int t = 0; t < k; t++)
        for (int p = 0; p < k; p++) {
            int v = counts[t * k + p];
            if (v > max) max = v;
            fprintf(dat.fp, "%d %d %d\n", p, t, v);
        }

    gp_prologue(gp.fp, name, "confusion matrix", 820, 700);
    fputs("set title ", gp.fp); plot_gp_string(gp.fp, title);
    fputs("\nset xlabel \"predicted\"\nset ylabel \"true\"\n", gp.fp);
    plot_gp_name_tics(gp.fp, "x", class_names, k);
    fputs(" rotate by 40 right scale 0\n", gp.fp);
    plot_gp_name_tics(gp.fp, "y", class_names, k);
    fputs(" scale 0\n", gp.fp);
    // row 0 at the top, like a printed matrix
    fprintf(gp.fp, "set xrange [-0.5:%g]\nset yrange [%g:-0.5]\nset size ratio -1\n", k - 0.5, k - 0.5);
    fprintf(gp.fp, "set cbrange [0:%d]\nset cblabel \"count\"\n", max);
    fputs("set palette defined (0 '#f7fbff', 0.25 '#c6dbef', 0.5 '#6baed6', 0.75 '#2171b5', 1 '#08306b')\n", gp.fp);
    // counts in white on dark cells, black on light ones
    fprintf(gp.fp, "plot '%s.dat' using 1:2:3 with image notitle, \\\n"
                    "     '' using 1:2:(sprintf(\"%%d\", $3)):($3 > %g ? 0xffffff : 0x000000) "
                    "with labels tc rgb variable notitle\n", name, 0.55 * max);
    return plot_pair_finish(&dat, &gp, dir, name, err, errlen);
}

// ================================================ (d) box plots =====================================================

int plot_boxes(const char *dir, const char *name, const char *title, const char *ylabel, const float *values,
               const int *groups, int n, const char *const *group_names, int k, char *err, size_t errlen) {
    if (n <= 0 || k <= 0) { snprintf(err, errlen, "plot: box plot %s needs values (n = %d) and groups (k = %d)",
                                     name ? name : "", n, k); return -1; }
    PlotFile dat, gp;
    if (plot_pair_open(&dat, &gp, dir, name, err, errlen) != 0) return -1;
    gp_prologue(gp.fp, name, "box plots per group", 800, 500);
    fputs("set title ", gp.fp); plot_gp_string(gp.fp, title);
    fputs("\nset ylabel ", gp.fp); plot_gp_string(gp.fp, ylabel);
    fputc('\n', gp.fp);
    plot_gp_name_tics(gp.fp, "x", group_names, k);
    fprintf(gp.fp, " rotate by 30 right scale 0\nset xrange [-0.7:%g]\n", k - 0.3);
    fputs("set grid ytics\nset key off\nset style fill solid 0.5 border -1\nset boxwidth 0.6\n", gp.fp);
    fputs("set style boxplot outliers pointtype 7\nset pointsize 0.4\n", gp.fp);
    fputs("plot ", gp.fp);
    int block = 0;
    for (int g = 0; g < k; g++) {
        int count = 0;
        for (int i = 0; i < n; i++) count += groups[i] == g;
        if (count == 0) continue;
        if (block > 0) fputs("\n\n", dat.fp);
        fprintf(dat.fp, "# block %d: group %d ", block, g);
        dat_string(dat.fp, group_names ? group_names[g] : "");
        fputc('\n', dat.fp);
        for (int i = 0; i < n; i++)
            if (groups[i] == g) { dat_number(dat.fp, values[i]); fputc('\n', dat.fp); }
        // a box at x = g: using (g):1 puts every value of the block in one column of the chart
        fprintf(gp.fp, "%s'%s.dat' index %d using (%d):1 with boxplot lt %d", block ? ", \\\n     " : "", name,
                block, g, g % 10 + 1);
        block++;
    }
    fputc('\n', gp.fp);
    if (block == 0) {
        snprintf(err, errlen, "plot: box plot %s: no value has a group in 0..%d", name, k - 1);
        plot_file_abandon(&dat); plot_file_abandon(&gp);
        return -1;
    }
    return plot_pair_finish(&dat, &gp, dir, name, err, errlen);
}

// ================================================ (e) bars ==========================================================

int plot_bars(const char *dir, const char *name, const char *title, const char *ylabel,
              const char *const *labels, const float *values, int n, char *err, size_t errlen) {
    if (n <= 0) { snprintf(err, errlen, "plot: bar chart %s needs at least one bar", name ? name : ""); return -1; }
    PlotFile dat, gp;
    if (plot_pair_open(&dat, &gp, dir, name, err, errlen) != 0) return -1;
    float lo = 0, hi = 0;
    fputs("# bar label value\n", dat.fp);
    for (int i = 0; i < n; i++) {
        fprintf(dat.fp, "%d ", i);
        dat_string(dat.fp, labels ? labels[i] : "");
        fputc(' ', dat.fp);
        dat_number(dat.fp, values[i]);
        fputc('\n', dat.fp);
        if (isfinite(values[i]) && values[i] < lo) lo = values[i];
        if (isfinite(values[i]) && values[i] > hi) hi = values[i];
    }
    gp_prologue(gp.fp, name, "bar chart", 800, 500);
    fputs("set title ", gp.fp); plot_gp_string(gp.fp, title);
    fputs("\nset ylabel ", gp.fp); plot_gp_string(gp.fp, ylabel);
    // room above the tallest bar for its value
    float span = hi - lo > 0 ? hi - lo : 1;
    fprintf(gp.fp, "\nset yrange [%g:%g]\nset xrange [-0.6:%g]\n", lo < 0 ? lo - 0.12 * span : 0, hi + 0.12 * span,
            n - 0.4);
    fputs(n > 6 ? "set xtics rotate by 30 right scale 0\n" : "set xtics norotate scale 0\n", gp.fp);
    fputs("set grid ytics\nset key off\nset style fill solid 0.7 border -1\nset boxwidth 0.6\n", gp.fp);
    // bar i in colour i (lc variable picks line type i + 1), its value printed just above it
    fprintf(gp.fp, "plot '%s.dat' using 1:3:($1 + 1):xtic(2) with boxes lc variable, \\\n"
                    "     '' using 1:3:(sprintf(\"%%.3g\", $3)) with labels offset 0,0.8\n", name);
    return plot_pair_finish(&dat, &gp, dir, name, err, errlen);
}
