// exercise.c: the record of exercises still to do (see exercise.h).
#include "exercise.h"

#include <stdio.h>
#include <string.h>

#define MAX_PENDING 64

static struct {
    char id[16];
    char file[128];
} pending[MAX_PENDING];
static int npending;

static int find(const char *id) {
    for (int i = 0; i < npending; i++)
        if (strcmp(pending[i].id, id) == 0) return i;
    return -1;
}

void exercise_todo_at(const char *id, const char *file, int line) {
    if (find(id) >= 0) return;
    fprintf(stderr, "Exercise %s is not done yet (%s:%d)\n", id, file, line);
    if (npending < MAX_PENDING) {
        snprintf(pending[npending].id, sizeof pending[npending].id, "%s", id);
        snprintf(pending[npending].file, sizeof pending[npending].file, "%s", file);
        npending++;
    }
}

bool exercise_pending(const char *id) { return find(id) >= 0; }

bool exercise_skip_if_pending(const char *id, const char *what) {
    int i = find(id);
    if (i < 0) return false;
    printf("(skipped: %s needs exercise %s; see TODO(%s) in %s)\n", what, id, id, pending[i].file);
    return true;
}
