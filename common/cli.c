// cli.c: getopt_long over the shared flags plus a chapter's own (see cli.h).
#define _DEFAULT_SOURCE
#include "cli.h"

#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "tensor.h"

enum { OPT_EPOCHS = 1000, OPT_BATCH, OPT_SEED, OPT_DATA, OPT_OUT, OPT_THREADS, OPT_QUICK, OPT_FULL, OPT_PAUSE,
       OPT_HELP, OPT_EXTRA };

static void usage(FILE *f, const Options *o, const CliSpec *spec) {
    fprintf(f, "%s: %s\n\n", spec->program, spec->title);
    if (spec->about) fprintf(f, "%s\n\n", spec->about);
    fprintf(f, "usage: ./%s [options]\n\noptions:\n", spec->program);
    fprintf(f, "  --epochs N     passes over the training set (default %d)\n", o->epochs);
    fprintf(f, "  --batch N      mini-batch size (default %d)\n", o->batch);
    fprintf(f, "  --seed N       random seed; the same seed gives the same run (default %llu)\n",
            (unsigned long long)o->seed);
    fprintf(f, "  --data DIR     directory with Fashion-MNIST's IDX files (default: $FASHION_MNIST_DIR,\n"
               "                 then /usr/share/datasets/fashion-mnist from the package dataset-fashion-mnist)\n");
    fprintf(f, "  --out DIR      where figures are written (default %s)\n", o->out_dir);
    fprintf(f, "  --threads N    threads to use (default: all cores)\n");
    fprintf(f, "  --quick        a small subset and short training: finishes in seconds\n");
    fprintf(f, "  --full         the lecture notebook's full training schedule (slow)\n");
    fprintf(f, "  --pause        wait for Enter between steps (for running it live)\n");
    for (int i = 0; i < spec->nextras; i++) {
        const CliExtra *e = &spec->extras[i];
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", e->name, e->arg ? " " : "", e->arg ? e->arg : "");
        if (strlen(left) <= 14) fprintf(f, "  %-14s %s\n", left, e->help);
        else fprintf(f, "  %s\n  %-14s %s\n", left, "", e->help);        // too long: its help on the next line
    }
    fprintf(f, "  --help         this text\n");
}

static void fail(const Options *o, const CliSpec *spec, const char *fmt, const char *what) {
    fprintf(stderr, "%s: ", spec->program);
    fprintf(stderr, fmt, what);
    fprintf(stderr, "\n\n");
    usage(stderr, o, spec);
    exit(2);
}

// Parse a whole-string number in [min, max], or fail with the usage.
static double parse_number(const Options *o, const CliSpec *spec, const char *flag, const char *text, double min,
                           double max) {
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end != '\0') {
        char msg[160];
        snprintf(msg, sizeof msg, "--%s needs a number, got '%s'", flag, text);
        fail(o, spec, "%s", msg);
    }
    if (v < min || v > max) {
        char msg[160];
        snprintf(msg, sizeof msg, "--%s %s is out of range [%g, %g]", flag, text, min, max);
        fail(o, spec, "%s", msg);
    }
    return v;
}

void cli_parse(Options *o, const CliSpec *spec, int argc, char **argv) {
    static const struct option base[] = {
        {"epochs", required_argument, 0, OPT_EPOCHS}, {"batch", required_argument, 0, OPT_BATCH},
        {"seed", required_argument, 0, OPT_SEED},     {"data", required_argument, 0, OPT_DATA},
        {"out", required_argument, 0, OPT_OUT},       {"threads", required_argument, 0, OPT_THREADS},
        {"quick", no_argument, 0, OPT_QUICK},         {"full", no_argument, 0, OPT_FULL},
        {"pause", no_argument, 0, OPT_PAUSE},         {"help", no_argument, 0, OPT_HELP},
    };
    // The shared options, then the chapter's own, then getopt_long's all-zero terminator. A fixed array: a bad flag
    // exits from inside the loop, and nothing allocated should be left behind (the sanitizer build checks leaks).
    enum { MAX_OPTIONS = 48 };
    static struct option all[MAX_OPTIONS];
    int nbase = (int)(sizeof base / sizeof base[0]);
    assert(nbase + spec->nextras < MAX_OPTIONS);
    memset(all, 0, sizeof all);
    memcpy(all, base, sizeof base);
    for (int i = 0; i < spec->nextras; i++)
        all[nbase + i] = (struct option){spec->extras[i].name, spec->extras[i].arg ? required_argument : no_argument,
                                         0, OPT_EXTRA + i};
    setvbuf(stdout, NULL, _IOLBF, 0);   // line by line, so printed steps and the progress bar (stderr) interleave
    opterr = 0;
    optind = 1;
    int code;
    while ((code = getopt_long(argc, argv, "", all, NULL)) != -1) {
        switch (code) {
        case OPT_EPOCHS: o->epochs = (int)parse_number(o, spec, "epochs", optarg, 1, 100000); o->epochs_set = true; break;
        case OPT_BATCH: o->batch = (int)parse_number(o, spec, "batch", optarg, 1, 65536); o->batch_set = true; break;
        case OPT_SEED: o->seed = (uint64_t)parse_number(o, spec, "seed", optarg, 0, 1e15); break;
        case OPT_DATA: o->data_dir = optarg; break;
        case OPT_OUT: o->out_dir = optarg; break;
        case OPT_THREADS: o->threads = (int)parse_number(o, spec, "threads", optarg, 1, 1024); break;
        case OPT_QUICK: o->quick = true; break;
        case OPT_FULL: o->full = true; break;
        case OPT_PAUSE: o->pause = true; break;
        case OPT_HELP: usage(stdout, o, spec); exit(0);
        case '?': {
            const char *bad = argv[optind - 1];
            if (optopt) fail(o, spec, "option '%s' needs a value", bad);
            fail(o, spec, "unknown option '%s'", bad);
            break;
        }
        default: {
            const CliExtra *e = &spec->extras[code - OPT_EXTRA];
            if (e->arg) *e->number = parse_number(o, spec, e->name, optarg, e->min, e->max);
            else *e->flag = true;
        }
        }
    }
    if (optind < argc) fail(o, spec, "unexpected argument '%s'", argv[optind]);
    if (o->quick && o->full) fail(o, spec, "%s", "--quick and --full exclude each other");
#ifdef _OPENMP
    if (o->threads > 0) omp_set_num_threads(o->threads);
#endif
}

int cli_threads(void) {
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

void cli_step(const Options *o, int number, const char *title, const char *why) {
    if (o->pause && isatty(STDIN_FILENO)) {
        fprintf(stderr, "[press Enter for step %d] ", number);
        int c;
        while ((c = getchar()) != '\n' && c != EOF) {}
    }
    printf("\n---- Step %d: %s ----\n", number, title);
    if (why && *why) printf("%s\n", why);
    fflush(stdout);
}

void cli_result(const char *key, double value) {
    printf("RESULT %s %.6g\n", key, value);
    fflush(stdout);
}

int cli_mkdir_p(const char *path, char *err, size_t errlen) {
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        snprintf(err, errlen, "path too long: %s", path);
        return -1;
    }
    for (char *p = buf + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
                snprintf(err, errlen, "cannot create directory %s: %s", buf, strerror(errno));
                return -1;
            }
            *p = saved;
            if (saved == '\0') break;
        }
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s exists and is not a directory", path);
        return -1;
    }
    return 0;
}
