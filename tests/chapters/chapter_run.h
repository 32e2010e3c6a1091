// chapter_run.h: run a chapter binary from a Check test and look at what it printed.
//
//   ChapterRun r;
//   chapter_run(&r, "chapter00", "--quick --out /tmp/x");   // runs $CHAPTER_BIN_DIR/chapter00 (default build/bin)
//   ck_assert_int_eq(r.status, 0);
//   double acc;
//   ck_assert(chapter_result(&r, "test_accuracy", &acc));
//
// The binary's stdout and stderr are captured whole (into r.out and r.err, NUL-terminated, freed by
// chapter_run_free). The arguments are passed through /bin/sh, so keep them simple (no quotes needed).
#ifndef CHAPTER_RUN_H
#define CHAPTER_RUN_H

#define _POSIX_C_SOURCE 200809L
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
