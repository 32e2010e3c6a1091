// chapter_run.h: run a chapter binary from a Check test and look at what it printed.
//
//   ChapterRun r;
//   chapter_run(&r, "chapter00", "--quick --out /tmp/x");   // runs $CHAPTER_BIN_DIR/chapter00 (default build/bin)
//   ck_assert_int_eq(r.status, 0);
//   double acc;
//   ck_assert(chapter_result(&r, "test_accuracy", &acc));
//
// chapter_expect(program, args, status, in_err, in_out) runs it and checks the exit status and that stderr and
// stdout contain the given texts (NULL: no check); chapter_expect_shared_errors(program) checks what every chapter
// gets from the shared command line (common/cli.c) and data loader.
//
// The binary's stdout and stderr are captured whole (into r.out and r.err, NUL-terminated, freed by
// chapter_run_free). The arguments are passed through /bin/sh, so keep them simple (no quotes needed).
#ifndef CHAPTER_RUN_H
#define CHAPTER_RUN_H

#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
    int status;     // exit status, or -1 if the program did not exit normally (a crash)
    char *out;      // everything it wrote on stdout
    char *err;      // everything it wrote on stderr
} ChapterRun;

static char *chapter_slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return strdup("");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = '\0';
    fclose(f);
    return buf;
}

static inline void chapter_run(ChapterRun *r, const char *program, const char *args) {
    const char *dir = getenv("CHAPTER_BIN_DIR");
    char out_path[] = "/tmp/chapter_out_XXXXXX", err_path[] = "/tmp/chapter_err_XXXXXX";
    int fo = mkstemp(out_path), fe = mkstemp(err_path);
    close(fo);
    close(fe);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s/%s %s </dev/null >%s 2>%s", dir ? dir : "build/bin", program, args, out_path,
             err_path);
    int status = system(cmd);
    r->status = (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
    r->out = chapter_slurp(out_path);
    r->err = chapter_slurp(err_path);
    unlink(out_path);
    unlink(err_path);
}

static inline void chapter_run_free(ChapterRun *r) {
    free(r->out);
    free(r->err);
}

// Find "RESULT key value" in r->out; true and *value set when present.
static inline bool chapter_result(const ChapterRun *r, const char *key, double *value) {
    char pattern[256];
    snprintf(pattern, sizeof pattern, "RESULT %s ", key);
    for (const char *p = r->out; (p = strstr(p, pattern)) != NULL; p++)
        if (p == r->out || p[-1] == '\n') return sscanf(p + strlen(pattern), "%lf", value) == 1;
    return false;
}

// Run `program args`; it must exit with `status`, and its stderr contain in_err and its stdout in_out (either may
// be NULL). A failure names the command and shows what it printed.
static inline void chapter_expect(const char *program, const char *args, int status, const char *in_err,
                                  const char *in_out) {
    ChapterRun r;
    chapter_run(&r, program, args);
    bool ok = r.status == status && (!in_err || strstr(r.err, in_err)) && (!in_out || strstr(r.out, in_out));
    if (!ok)
        fprintf(stderr, "%s %s: exit %d (expected %d)\nstderr: %s\nstdout (start): %.400s\n", program, args, r.status,
                status, r.err, r.out);
    chapter_run_free(&r);
    ck_assert_msg(ok, "%s %s: expected exit %d%s%s%s%s", program, args, status, in_err ? ", stderr with \"" : "",
                  in_err ? in_err : "", in_err ? "\"" : "", in_out ? " and stdout with the expected text" : "");
}

// What the shared command line and data loader promise every chapter: a bad flag exits 2 with the reason and the
// usage, --help exits 0, missing data exits 1 naming the directory and the Debian package that provides it.
static inline void chapter_expect_shared_errors(const char *program) {
    chapter_expect(program, "--epochs 0", 2, "out of range", NULL);
    chapter_expect(program, "--epochs 0", 2, "usage:", NULL);
    chapter_expect(program, "--epochs two", 2, "needs a number", NULL);
    chapter_expect(program, "--quick --full", 2, "exclude each other", NULL);
    chapter_expect(program, "--no-such-flag", 2, "unknown option '--no-such-flag'", NULL);
    chapter_expect(program, "--help", 0, NULL, "--epochs N");
    chapter_expect(program, "--quick --data /nonexistent/dir --out /tmp", 1, "/nonexistent/dir", NULL);
    chapter_expect(program, "--quick --data /nonexistent/dir --out /tmp", 1, "dataset-fashion-mnist", NULL);
}

// A fresh empty directory under /tmp for a chapter's figures; the caller owns the returned string.
static inline char *chapter_tmpdir(void) {
    char *dir = strdup("/tmp/chapter_figs_XXXXXX");
    if (!mkdtemp(dir)) { free(dir); return NULL; }
    return dir;
}

static inline bool chapter_file_exists(const char *dir, const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

#endif
