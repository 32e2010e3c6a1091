// gemm.c: C = alpha op(A) op(B) + beta C, blocked for the caches, packed, and parallel (the contract is in gemm.h).
//
// Why not three loops. A 512x512 product does 2*512^3 = 268 million floating-point operations on 3 MB of data:
// over 300 operations per float, plenty to keep the arithmetic units busy. Yet the textbook loops (gemm_naive below)
// run at well under 1 GFLOP/s, because they fetch every operand from memory again for every operation. The
// art is in the order of the loops: bring a small piece of A and of B close to the processor (into the caches, then
// into registers) and do all the work that piece allows before moving on. This file is the standard recipe (Goto's
// algorithm, as in GotoBLAS, OpenBLAS and BLIS), in plain C, in five loops around a micro-kernel:
//
//                      NC                                             the five loops, outermost first
//               +-------------+                                       (sizes for this machine below)
//           KC  |  ~B block   |  <- op(B)[pc:pc+KC, jc:jc+NC],        5. jc: NC columns of B and C at a time
//               |   packed    |     packed once per (jc, pc),         4. pc: KC of the shared dimension;
//               +-------------+     lives in L3 (and L2)                      pack B's block into ~B
//                 :NR:                                                3. ic: MC rows of A and C;
//        KC    +-------------+                                                pack A's block into ~A
//     +-----+  |             |                                        2. jr: one NR-wide micro-panel of ~B
//  MC | ~A  |  |  C[ic:ic+MC, jc:jc+NC] += ~A @ ~B                    1. ir: one MR-tall micro-panel of ~A
//     |block|  |             |                                           micro-kernel: the MR x NR tile of C
//     +-----+  +-------------+                                           += (MR x KC) @ (KC x NR), in registers
//    lives in L2
//
// Packing copies a block into a scratch buffer in the order the micro-kernel reads it, so that the kernel walks
// its operands in a few contiguous streams that stay in cache:
//
//   ~B, micro-panels of NR columns, row by row:   b(0,0) b(0,1) ... b(0,NR-1) | b(1,0) ... b(1,NR-1) | ...
//   ~A, micro-panels of MR rows, in whichever orientation A already has: row by row when op(A) = A,
//       column by column when op(A) = A^T (the kernel takes ~A's two strides; see pack_a)
//
// Packing is also where the transposes disappear: a matrix is a pointer with a row stride and a column stride
// (View, below), op(X) = X^T just swaps the two, and the packing loops read through them. Past the last row or
// column (a matrix that is not a multiple of MR or NR), packing writes zeros, so the kernel always computes a whole
// tile and only the store at its end looks at the true edge of C.
//
// Small products are the common case here (each sample of a convolution is one GEMM: 1 to 64 output channels, 9 to
// 600 deep), so three shortcuts skip work that only pays off for big matrices:
//   - a small op(B) with contiguous rows is not packed at all: the kernel reads it where it is (B_IN_PLACE_MAX);
//   - fewer than MR rows (M < MR) skip the tile machinery: gemm_few_rows, or gemm_few_dots when op(B) = B^T;
//   - below ~2 MFLOP, no threads are started.
//
// Threads: a call from serial code splits C into one slab per OpenMP thread and runs the whole algorithm on each
// slab independently (each thread packs what its slab needs into its own buffers); a call from inside a parallel
// region runs on the calling thread only.
//
// Measured with `make bench` (GCC 12 -O3 -march=native) at n = 512 on the 2-core machines this was developed on: an
// AMD EPYC Zen 4, about 100 GFLOP/s on one core and 200 on two, level with OpenBLAS 0.3.21 in the same run; an
// AVX-512 Xeon with -mprefer-vector-width=512 (the Makefile adds it), 215 to 255 on two, 0.84 to 0.86 of OpenBLAS.
#include "gemm.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef _OPENMP
#include <omp.h>
#endif

// ---- the reference ------------------------------------------------------------------------------------------------

void gemm_naive(bool trans_a, bool trans_b, int M, int N, int K,
                float alpha, const float *A, int lda, const float *B, int ldb,
                float beta, float *C, int ldc) {
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double sum = 0;
            for (int k = 0; k < K; k++) {
                float a = trans_a ? A[(size_t)k * lda + i] : A[(size_t)i * lda + k];
                float b = trans_b ? B[(size_t)j * ldb + k] : B[(size_t)k * ldb + j];
                sum += (double)a * b;
            }
            float *c = &C[(size_t)i * ldc + j];
            *c = (float)(alpha * sum + (beta == 0.0f ? 0.0f : beta * *c));
        }
}

// ---- block sizes --------------------------------------------------------------------------------------------------
//
// MR x NR, the register tile. The kernel keeps MR*NR accumulators in vector registers and, per step along K, loads
// NR floats of B and MR floats of A for MR*NR multiply-adds. With AVX-512, NR = 16 is one 512-bit register, and the
// 8 x 16 tile is 8 accumulator registers of the 32, enough independent sums to hide the 4-cycle latency of the
// fused multiply-add on two FMA pipes. (Measured on the Zen 4 development machine, the kernel alone: ~110 GFLOP/s on
// one core, its peak. 8 is also a divisor of most of the course's channel counts.) Without AVX the same tile is 32
// SSE registers' worth and spills a little, which costs speed, not correctness.
//
// KC, the depth of a block: one micro-panel of ~B is KC x NR floats = 256 * 16 * 4 B = 16 KB, half of the 32 KB L1
// data cache, so it stays there while the kernel sweeps all of ~A's micro-panels past it; one micro-panel of ~A
// (8 KB) streams through the other half.
// MC, the rows of a block of ~A: MC x KC floats = 192 * 256 * 4 B = 192 KB, a fifth of the 1 MB L2 per core, which
// leaves room in L2 for the ~B micro-panels streaming through and for the tiles of C.
// NC, the columns of a block of ~B: KC x NC floats = 256 * 4096 * 4 B = 4 MB, a slice of the 32 MB shared L3.
//
// Other machines have other caches; these sizes are not critical (within a factor of two either way costs a few per
// cent) and a product smaller than a block simply uses smaller blocks.
enum { MR = 8, NR = 16, KC = 256, MC = 192, NC = 4096 };

// op(B) up to this many floats (256 KB, a quarter of L2) with contiguous rows is read in place instead of packed: it
// stays in L2 during the product anyway, and packing it would cost as much as one more pass over it.
enum { B_IN_PLACE_MAX = 64 * 1024 };

// One multiply-add, acc + a*b. In ISO C mode (-std=c11) the compiler may not fuse a*b + c into one instruction by
// itself, so where the target has hardware FMA we ask for it with fmaf (one rounding instead of two, and one
// instruction instead of two). Without hardware FMA, fmaf would be a slow library call: use a*b + c.
#ifdef __FMA__
#define GEMM_MADD(acc, a, b) fmaf((a), (b), (acc))
#else
#define GEMM_MADD(acc, a, b) ((acc) + (a) * (b))
#endif

// The micro-kernel is compiled as a function of its own: inlined into the loops around it, GCC 12 runs out of
// registers and moves the accumulators to memory at every step.
// In sanitizer builds it is also left uninstrumented: it reads the packed panels that the (instrumented) packing
// code has just written and writes one tile of C whose bounds the loops around it set; instrumenting its inner
// loop made every sanitizer test about ten times slower. test_gemm checks every edge tile against gemm_naive.
#ifdef __GNUC__
#define GEMM_NOINLINE __attribute__((noinline, no_sanitize("address", "undefined")))
#else
#define GEMM_NOINLINE
#endif

// ---- packing buffers ----------------------------------------------------------------------------------------------
//
// Each thread packs into its own two buffers. They are thread-local and grow on demand: allocated on a thread's
// first call, enlarged (rarely) by a bigger product, reused by every later call and never freed (OpenMP keeps its
// threads alive, and the buffers with them, for the life of the program). The blocked path needs at most
// MC*KC + KC*NC floats (4.2 MB) a thread; gemm_few_dots may ask for one row of K floats.
typedef struct {
    float *data;
    size_t cap;     // floats
} PackBuffer;

static _Thread_local PackBuffer pack_a_buf, pack_b_buf;

// A pointer to at least `floats` floats of buf, 64-byte aligned (one cache line, one AVX-512 register).
static float *pack_buffer(PackBuffer *buf, size_t floats) {
    if (floats > buf->cap) {
        free(buf->data);
        size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;    // aligned_alloc wants a multiple of 64
        buf->data = aligned_alloc(64, bytes);
        if (!buf->data) {
            fprintf(stderr, "gemm: out of memory allocating a %zu-byte packing buffer\n", bytes);
            exit(1);
        }
        buf->cap = bytes / sizeof(float);
    }
    return buf->data;
}

// ---- packing ------------------------------------------------------------------------------------------------------
//
// A matrix view: element (i, j) is at p[i*rs + j*cs]. A row-major matrix with leading dimension ld has rs = ld,
// cs = 1; its transpose is the same memory with rs = 1, cs = ld. That is all a transpose is.
typedef struct {
    const float *p;
    size_t rs, cs;
} View;

// ~A <- X[0:mc, 0:kc] (X = op(A) moved to the block's corner), as ceil(mc/MR) micro-panels of MR x kc floats;
// rows past mc are zero. Each micro-panel is a straight copy in the orientation X already has in memory, so that
// packing A never transposes anything:
//   rows of X contiguous (op(A) = A):       row by row,       (i, p) at dst[i*kc + p]   strides (kc, 1)
//   columns of X contiguous (op(A) = A^T):  column by column, (i, p) at dst[p*MR + i]   strides (1, MR)
// The micro-kernel takes the two strides and reads either layout at full speed (it only ever broadcasts one element
// of ~A at a time, so ~A's elements need not be neighbours; ~B's must be).
static void pack_a(float *restrict dst, View X, int mc, int kc) {
    for (int i0 = 0; i0 < mc; i0 += MR, dst += (size_t)MR * kc) {
        const int rows = mc - i0 < MR ? mc - i0 : MR;
        const float *restrict x = X.p + (size_t)i0 * X.rs;
        if (X.cs == 1) {
            for (int i = 0; i < MR; i++)
                for (int p = 0; p < kc; p++) dst[(size_t)i * kc + p] = i < rows ? x[(size_t)i * X.rs + p] : 0.0f;
        } else {
            for (int p = 0; p < kc; p++)
                for (int i = 0; i < MR; i++) dst[p * MR + i] = i < rows ? x[(size_t)p * X.cs + i] : 0.0f;
        }
    }
}

// ~B <- Y[0:kc, 0:nc] (Y = op(B) moved to the block's corner), as ceil(nc/NR) micro-panels of kc x NR, each stored
// row by row (dst[p*NR + j]); columns past nc are zero.
//   op(B) = B:    a row of the panel is NR contiguous floats of B, a plain copy.
//   op(B) = B^T:  a row of the panel is NR floats a row of B apart: packing transposes. Written with p outside and
//                 a fixed NR inside, GCC turns the loop into whole-register transposes (vpermt2ps with AVX-512),
//                 about three times faster than the same copy with the loops the other way round.
static void pack_b(float *restrict dst, View Y, int kc, int nc) {
    for (int j0 = 0; j0 < nc; j0 += NR, dst += (size_t)NR * kc) {
        const int cols = nc - j0 < NR ? nc - j0 : NR;
        const float *restrict y = Y.p + (size_t)j0 * Y.cs;
        if (Y.cs == 1 && cols == NR) {
            for (int p = 0; p < kc; p++)
                for (int j = 0; j < NR; j++) dst[p * NR + j] = y[(size_t)p * Y.rs + j];
        } else if (Y.cs == 1) {                             // the last, narrower panel
            for (int p = 0; p < kc; p++)
                for (int j = 0; j < NR; j++) dst[p * NR + j] = j < cols ? y[(size_t)p * Y.rs + j] : 0.0f;
        } else if (cols == NR) {                            // here Y.rs == 1
            for (int p = 0; p < kc; p++)
                for (int j = 0; j < NR; j++) dst[p * NR + j] = y[(size_t)j * Y.cs + p];
        } else {
            for (int p = 0; p < kc; p++)
                for (int j = 0; j < NR; j++) dst[p * NR + j] = j < cols ? y[(size_t)j * Y.cs + p] : 0.0f;
        }
    }
}

// ---- the micro-kernel ---------------------------------------------------------------------------------------------
//
// C[0:mr, 0:nr] = alpha * (a @ b)[0:mr, 0:nr] + beta * C[0:mr, 0:nr]   (beta = 0: C is not read)
//   a: one micro-panel of ~A, MR x kc, element (i, p) at a[i*a_rs + p*a_cs] (either layout of pack_a)
//   b: one micro-panel of ~B, kc x NR, row by row: element (p, j) at b[p*b_rs + j] (b_rs = NR when packed; op(B)'s
//      own row stride when read in place)
//   mr <= MR, nr <= NR: the part of the tile that is inside C (the rest is padding, computed and dropped)
//
// The sum is one rank-1 update per step p: acc += (column p of a) (row p of b). The loop order matters to the
// compiler: with j outside and i inside, GCC reads the body as "for each of the NR lanes, MR multiply-adds with a
// broadcast a[i]", vectorises along j, and keeps acc in MR vector registers (one per row: acc[i][0..NR) is one
// 512-bit register with AVX-512): per step, one load of b and MR broadcast-multiply-adds. Written with i outside,
// GCC 12 keeps acc in memory and runs at a tenth of the speed. (Check with `objdump -d`: the loop over p should be
// a vector load and MR `vfmadd231ps ...{1to16}`.)
GEMM_NOINLINE static void gemm_micro_kernel(int kc, const float *restrict a, size_t a_rs, size_t a_cs,
                                            const float *restrict b, size_t b_rs,
                                            float *restrict c, int ldc, int mr, int nr, float alpha, float beta) {
    float acc[MR][NR] = {{0}};
    for (int p = 0; p < kc; p++) {
        for (int j = 0; j < NR; j++)
            for (int i = 0; i < MR; i++)
                acc[i][j] = GEMM_MADD(acc[i][j], a[i * a_rs + p * a_cs], b[p * b_rs + j]);
    }
    for (int i = 0; i < mr; i++) {
        float *ci = c + (size_t)i * ldc;
        if (beta == 0.0f)
            for (int j = 0; j < nr; j++) ci[j] = alpha * acc[i][j];
        else
            for (int j = 0; j < nr; j++) ci[j] = alpha * acc[i][j] + beta * ci[j];
    }
}

// ---- the five loops, on one thread --------------------------------------------------------------------------------
//
// C[0:M, 0:N] = alpha X @ Y + beta C, X = op(A) (M, K), Y = op(B) (K, N) as views; C row-major with ldc.
static void gemm_blocked(int M, int N, int K, float alpha, View X, View Y, float beta, float *C, int ldc) {
    const int kc_max = K < KC ? K : KC;
    const int mc_max = M < MC ? M : MC, nc_max = N < NC ? N : NC;
    float *packed_a = pack_buffer(&pack_a_buf, (size_t)(mc_max + MR - 1) / MR * MR * kc_max);
    float *packed_b = pack_buffer(&pack_b_buf, (size_t)(nc_max + NR - 1) / NR * NR * kc_max);
    // A small op(B) with contiguous rows is read where it is (B_IN_PLACE_MAX): only its last, narrow micro-panel is
    // packed, because a full NR-wide load there would read past the end of the row.
    const bool b_in_place = Y.cs == 1 && (size_t)K * N <= B_IN_PLACE_MAX;

    for (int jc = 0; jc < N; jc += NC) {                                    // loop 5: NC columns
        const int nc = N - jc < NC ? N - jc : NC;
        const int nc_full = nc / NR * NR;                                   // columns in whole micro-panels
        for (int pc = 0; pc < K; pc += KC) {                                // loop 4: KC deep
            const int kc = K - pc < KC ? K - pc : KC;
            // The first block along K applies beta; the later ones add onto what it left.
            const float beta_block = pc == 0 ? beta : 1.0f;
            const View Yb = {Y.p + (size_t)pc * Y.rs + (size_t)jc * Y.cs, Y.rs, Y.cs};   // op(B)[pc.., jc..]
            if (!b_in_place)
                pack_b(packed_b, Yb, kc, nc);
            else if (nc_full < nc)
                pack_b(packed_b + (size_t)nc_full * kc, (View){Yb.p + nc_full, Yb.rs, 1}, kc, nc - nc_full);
            for (int ic = 0; ic < M; ic += MC) {                            // loop 3: MC rows
                const int mc = M - ic < MC ? M - ic : MC;
                pack_a(packed_a, (View){X.p + (size_t)ic * X.rs + (size_t)pc * X.cs, X.rs, X.cs}, mc, kc);
                const size_t a_rs = X.cs == 1 ? (size_t)kc : 1, a_cs = X.cs == 1 ? 1 : MR;   // see pack_a
                for (int jr = 0; jr < nc; jr += NR) {                       // loop 2: one ~B micro-panel
                    const int nr = nc - jr < NR ? nc - jr : NR;
                    // Panel jr/NR of ~B starts at (jr/NR)*NR*kc = jr*kc, and its rows are NR apart; in place, it
                    // is op(B) itself, rows Y.rs apart.
                    const bool packed = !b_in_place || nr < NR;
                    const float *b = packed ? packed_b + (size_t)jr * kc : Yb.p + jr;
                    const size_t b_rs = packed ? NR : Yb.rs;
                    for (int ir = 0; ir < mc; ir += MR) {                   // loop 1: one ~A micro-panel
                        const int mr = mc - ir < MR ? mc - ir : MR;
                        float *c = C + (size_t)(ic + ir) * ldc + jc + jr;
                        gemm_micro_kernel(kc, packed_a + (size_t)ir * kc, a_rs, a_cs, b, b_rs, c, ldc, mr, nr,
                                          alpha, beta_block);
                    }
                }
            }
        }
    }
}

// ---- a few rows (or columns) --------------------------------------------------------------------------------------
//
// With fewer than MR rows (M < MR), the packed kernel would compute MR rows and throw most of them away: for the
// last convolution of the autoencoder (one output channel) that is 8 times the work. Such products go straight to
// the matrices, without packing, in one of two ways depending on how op(B) lies in memory. (The second way also
// serves a transposed B with fewer than NR columns: the weight gradient of a convolution with one input channel has
// 9 columns, and packing B^T would transpose it only to pad it to 16.)
//
// op(B) = B, rows contiguous: build each row of C from rows of op(B), 64 columns at a time,
//
//   C[i, j0:j0+64] = alpha * sum_p X[i, p] * Y[p, j0:j0+64] + beta * C[i, j0:j0+64]
//
// Each step p loads 64 contiguous floats of a row of Y and multiplies them by one number of X: four vector loads and
// four vector multiply-adds with AVX-512, the 64 sums in registers.
enum { ROWS_NB = 64 };

static void gemm_few_rows(int M, int N, int K, float alpha, View X, View Y, float beta, float *C, int ldc) {
    for (int j0 = 0; j0 < N; j0 += ROWS_NB) {
        const int nb = N - j0 < ROWS_NB ? N - j0 : ROWS_NB;
        for (int i = 0; i < M; i++) {
            float acc[ROWS_NB] = {0};
            const float *x = X.p + (size_t)i * X.rs;
            const float *y = Y.p + j0;
            if (nb == ROWS_NB) {                                // a full block: fixed width, vectorised
                for (int p = 0; p < K; p++, y += Y.rs) {
                    const float xip = x[(size_t)p * X.cs];
                    for (int j = 0; j < ROWS_NB; j++) acc[j] = GEMM_MADD(acc[j], xip, y[j]);
                }
            } else {                                            // the last, narrower block
                for (int p = 0; p < K; p++, y += Y.rs) {
                    const float xip = x[(size_t)p * X.cs];
                    for (int j = 0; j < nb; j++) acc[j] = GEMM_MADD(acc[j], xip, y[j]);
                }
            }
            float *ci = C + (size_t)i * ldc + j0;
            if (beta == 0.0f)
                for (int j = 0; j < nb; j++) ci[j] = alpha * acc[j];
            else
                for (int j = 0; j < nb; j++) ci[j] = alpha * acc[j] + beta * ci[j];
        }
    }
}

// op(B) = B^T, so a column of op(B) is a row of B, contiguous: each entry of C is a dot product of two contiguous
// arrays, C[i, j] = alpha * dot(X[i, :], B[j, :]) + beta * C[i, j] (the weight gradient of a convolution with one
// output channel: 1 x 144 entries, each 784 long). gemm_dots8 does eight at a time, so that each load of x serves
// eight multiply-adds, and it keeps DOT_LANES separate partial sums per dot product: the vector lanes. (The compiler
// may not split one running sum into lanes by itself: that would change the order of the additions, which
// -ffast-math allows and we do not. Written out as separate sums, the order is ours and the same on every run.)
enum { DOT_ROWS = 8, DOT_LANES = 8 };

// out[r] = sum_p x[p] * y[r][p] for r < DOT_ROWS: eight dot products of length K.
static void gemm_dots8(float *restrict out, const float *restrict x, const float *const y[DOT_ROWS], int K) {
    float acc[DOT_ROWS][DOT_LANES] = {{0}};
    int p = 0;
    for (; p + DOT_LANES <= K; p += DOT_LANES)                  // lanes outside, rows inside: see the micro-kernel
        for (int l = 0; l < DOT_LANES; l++)
            for (int r = 0; r < DOT_ROWS; r++)
                acc[r][l] = GEMM_MADD(acc[r][l], x[p + l], y[r][p + l]);
    for (int r = 0; r < DOT_ROWS; r++) {
        float sum = 0.0f;
        for (int l = 0; l < DOT_LANES; l++) sum += acc[r][l];
        for (int q = p; q < K; q++) sum = GEMM_MADD(sum, x[q], y[r][q]);     // the last K % DOT_LANES
        out[r] = sum;
    }
}

static void gemm_few_dots(int M, int N, int K, float alpha, View X, View Y, float beta, float *C, int ldc) {
    for (int i = 0; i < M; i++) {
        // Row i of X, contiguous: X itself when op(A) = A, else a copy (K floats) into the thread's A buffer.
        const float *x = X.p + (size_t)i * X.rs;
        if (X.cs != 1) {
            float *row = pack_buffer(&pack_a_buf, (size_t)K);
            for (int p = 0; p < K; p++) row[p] = x[(size_t)p * X.cs];
            x = row;
        }
        float *ci = C + (size_t)i * ldc;
        for (int j0 = 0; j0 < N; j0 += DOT_ROWS) {
            const int nb = N - j0 < DOT_ROWS ? N - j0 : DOT_ROWS;
            // Rows j0 .. j0+7 of B; past the last row, the last row again (computed, then dropped).
            const float *rows[DOT_ROWS];
            for (int r = 0; r < DOT_ROWS; r++) rows[r] = Y.p + (size_t)(r < nb ? j0 + r : N - 1) * Y.cs;
            float dots[DOT_ROWS];
            gemm_dots8(dots, x, rows, K);
            for (int j = 0; j < nb; j++)
                ci[j0 + j] = beta == 0.0f ? alpha * dots[j] : alpha * dots[j] + beta * ci[j0 + j];
        }
    }
}

// ---- one thread's share -------------------------------------------------------------------------------------------

// C = alpha X @ Y + beta C on the calling thread, by whichever path suits the shape.
static void gemm_serial(int M, int N, int K, float alpha, View X, View Y, float beta, float *C, int ldc) {
    if (Y.cs == 1 && M < MR) gemm_few_rows(M, N, K, alpha, X, Y, beta, C, ldc);
    else if (Y.cs != 1 && (M < MR || N < NR)) gemm_few_dots(M, N, K, alpha, X, Y, beta, C, ldc);
    else gemm_blocked(M, N, K, alpha, X, Y, beta, C, ldc);
}

// C = beta C, the whole product when there is nothing to multiply (K = 0 or alpha = 0, as in BLAS: A and B are then
// not read). beta = 0 writes zeros without reading C.
static void gemm_scale(int M, int N, float beta, float *C, int ldc) {
    for (int i = 0; i < M; i++) {
        float *ci = C + (size_t)i * ldc;
        if (beta == 0.0f)
            for (int j = 0; j < N; j++) ci[j] = 0.0f;
        else if (beta != 1.0f)
            for (int j = 0; j < N; j++) ci[j] *= beta;
    }
}

// ---- the entry point ----------------------------------------------------------------------------------------------
//
// Threads. Below ~2 MFLOP (a 100^3 product) a product takes less than ~20 microseconds on one core, and waking the
// other threads costs a few microseconds: such products stay on the calling thread. Larger ones are cut into T
// slabs of C, one per thread, along the longer side of C:
//
//   N >= M: column slabs           M > N: row slabs
//   +----+----+----+               +--------------+
//   | t0 | t1 | t2 |               |      t0      |
//   |    |    |    |               +--------------+
//   |    |    |    |               |      t1      |
//   +----+----+----+               +--------------+
//
// Each thread runs gemm_serial on its slab: it packs all of op(A) (column slabs) or all of op(B) (row slabs) for
// itself, a duplicated copy that costs O(MK) or O(KN) next to the O(MNK/T) multiply-adds, and in exchange no thread
// ever waits for another. Slab edges fall on multiples of NR (or MR) so that only the last slab has a ragged edge.
enum { GEMM_PARALLEL_MIN_FLOPS = 2000000 };

void gemm(bool trans_a, bool trans_b, int M, int N, int K,
          float alpha, const float *A, int lda, const float *B, int ldb,
          float beta, float *C, int ldc) {
    assert(M >= 0 && N >= 0 && K >= 0);
    if (M == 0 || N == 0) return;
    if (K == 0 || alpha == 0.0f) { gemm_scale(M, N, beta, C, ldc); return; }

    // op(A) (M, K) and op(B) (K, N) as views: the transposes are only a swap of strides.
    const View X = trans_a ? (View){A, 1, (size_t)lda} : (View){A, (size_t)lda, 1};
    const View Y = trans_b ? (View){B, 1, (size_t)ldb} : (View){B, (size_t)ldb, 1};

#ifdef _OPENMP
    const double flops = 2.0 * M * N * K;
    const bool split_columns = N >= M;
    const int side = split_columns ? N : M;                     // the side of C that is cut into slabs
    const int unit = split_columns ? NR : MR;                   // slab widths are multiples of this
    const int units = (side + unit - 1) / unit;
    int threads = omp_in_parallel() ? 1 : omp_get_max_threads();
    if (threads > units) threads = units;
    if (threads > 1 && flops >= GEMM_PARALLEL_MIN_FLOPS) {
#pragma omp parallel num_threads(threads)
        {
            // This thread's slab: units [u0, u1) of the side, spread as evenly as whole units allow.
            const int t = omp_get_thread_num(), team = omp_get_num_threads();
            const int u0 = (int)((long)units * t / team), u1 = (int)((long)units * (t + 1) / team);
            const int first = u0 * unit, last = u1 * unit < side ? u1 * unit : side;
            if (last > first) {
                if (split_columns)                              // C[:, first:last] = X @ Y[:, first:last]
                    gemm_serial(M, last - first, K, alpha, X, (View){Y.p + (size_t)first * Y.cs, Y.rs, Y.cs},
                                beta, C + first, ldc);
                else                                            // C[first:last, :] = X[first:last, :] @ Y
                    gemm_serial(last - first, N, K, alpha, (View){X.p + (size_t)first * X.rs, X.rs, X.cs}, Y,
                                beta, C + (size_t)first * ldc, ldc);
            }
        }
        return;
    }
#endif
    gemm_serial(M, N, K, alpha, X, Y, beta, C, ldc);
}
