// exercise.h: how a chapter's exercises behave before a student has written them.
//
// In a chapter's exercises.c, each exercise N.M is a function whose reference solution sits between markers:
//
//   // TODO(1.1): the L1 activity penalty. Return lambda/N * sum |a| and ADD lambda * sign(a) / N into da.
//   //   a, da: (N, D). Hint: sign(0) is 0.
//   // STUB: exercise_todo("1.1"); return 0.0f;
//   float ex_l1_penalty(float *da, const float *a, int N, int D, float lambda) {
//       /* BEGIN SOLUTION 1.1 */
//       ...the reference code...
//       /* END SOLUTION */
//   }
//
// `make handout` replaces everything from BEGIN SOLUTION to END SOLUTION with the code after "STUB:", so the
// student's copy compiles, runs, and says which exercises are still open:
//
//   Exercise 1.1 is not done yet (chapters/01_autoencoders/exercises.c:42)
//
// printed once per exercise. A chapter asks exercise_pending("1.1") after calling an exercise, and skips (with a
// line saying so) the steps that need it, so a student sees what works.
#ifndef EXERCISE_H
#define EXERCISE_H

#include <stdbool.h>

// Mark exercise `id` as not done: prints the notice the first time, records it for exercise_pending.
#define exercise_todo(id) exercise_todo_at((id), __FILE__, __LINE__)
void exercise_todo_at(const char *id, const char *file, int line);
// true once exercise_todo(id) has run in this process.
bool exercise_pending(const char *id);
// Print "Step skipped: it needs exercise N.M (see the TODO in FILE)" when id is pending; returns exercise_pending(id).
bool exercise_skip_if_pending(const char *id, const char *what);

#endif
