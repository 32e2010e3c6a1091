// cli.h: what every chapter program shares at its edges: the command line, step banners, RESULT lines.
//
//   ./chapter03 --epochs 5 --batch 64 --seed 1 --data DIR --out DIR --threads 2 --quick --full --pause --help
//
// A chapter fills an Options with its defaults, adds its own flags as CliExtra entries, and calls cli_parse. A flag
// that is unknown, malformed or out of range prints the usage to stderr and exits with status 2; --help prints it to
// stdout and exits 0.
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int epochs;             // --epochs N       passes over the training set
    int batch;              // --batch N        mini-batch size
    uint64_t seed;          // --seed N         fixes every random choice of the run
    const char *data_dir;   // --data DIR       Fashion-MNIST's IDX files (NULL: $FASHION_MNIST_DIR, then the package)
    const char *out_dir;    // --out DIR        where figures go (default figures/chapterNN)
    int threads;            // --threads N      OpenMP threads (0: all cores)
    bool quick;             // --quick          a small subset and one short epoch: seconds, for tests
    bool full;              // --full           the lecture notebook's full schedule
    bool pause;             // --pause          wait for Enter between steps (for a live lecture)
    bool epochs_set;        // --epochs was given (it then wins over --quick / --full)
    bool batch_set;
} Options;

// A chapter's own flag: a switch (arg == NULL, sets *flag) or a number (arg names it, stored in *number).
typedef struct {
    const char *name;       // long name without dashes: "with-replacement"
    const char *arg;        // NULL for a switch, else the argument's name in --help: "N"
    const char *help;       // one line
    bool *flag;
    double *number;
    double min, max;        // allowed range of *number
} CliExtra;

typedef struct {
    const char *program;    // "chapter03"
    const char *title;      // "Semi-supervised learning: coarse labels for all, fine labels for a few"
    const char *about;      // a few lines for --help: what the program shows, how long it takes
    const CliExtra *extras; // may be NULL
    int nextras;
} CliSpec;

// Parse argv into o (whose fields hold the chapter's defaults). Applies --threads. Exits on --help (0) or error (2).
void cli_parse(Options *o, const CliSpec *spec, int argc, char **argv);
// Print the banner of a step: "---- Step 3: train the autoencoder ----" and a line on why. With --pause, first
// waits for Enter (when stdin is a terminal).
void cli_step(const Options *o, int number, const char *title, const char *why);
// Print a machine-readable result line on stdout: "RESULT key value".
void cli_result(const char *key, double value);
// Make a directory and its parents (like mkdir -p). Returns 0, or -1 with a message in err.
int cli_mkdir_p(const char *path, char *err, size_t errlen);
// Number of OpenMP threads in use (1 without OpenMP).
int cli_threads(void);

#endif
