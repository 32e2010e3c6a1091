// tsne.h: t-SNE, a 2-d map of high-dimensional points that keeps neighbours together (van der Maaten & Hinton
// 2008), with the Barnes-Hut speed-up (van der Maaten 2014). The chapters draw their latent codes with it.
//
// Letters: N points, D input dimensions; the map y is (N, 2).
//
// 1. Affinities in the input space. For each point i, a Gaussian over its neighbours j:
//        p_{j|i} = exp(-beta_i |x_i - x_j|^2) / sum_k exp(-beta_i |x_i - x_k|^2)
//    with beta_i found by binary search so that the perplexity 2^H(P_i) (H in bits) equals the one asked for: a
//    smooth "number of neighbours" that adapts to dense and sparse regions. Only the 3 * perplexity nearest
//    neighbours are used (the rest have p ~ 0), then the two directions are averaged:
//        p_ij = (p_{j|i} + p_{i|j}) / (2N)          symmetric, sums to 1 over all pairs, sparse
// 2. Affinities in the map, with a heavy-tailed Student-t kernel (so that moderately far points can sit far apart):
//        w_ij = 1 / (1 + |y_i - y_j|^2),   Z = sum_{k != l} w_kl,   q_ij = w_ij / Z
// 3. Move the y_i to minimise KL(P || Q) = sum p_ij log(p_ij / q_ij), whose gradient is
//        dKL/dy_i = 4 sum_j (p_ij - q_ij) w_ij (y_i - y_j)
//                 = 4 [ sum_j p_ij w_ij (y_i - y_j)  -  sum_j w_ij^2 (y_i - y_j) / Z ]
//                        attraction: sparse P, O(N k)   repulsion: all pairs, O(N^2) exactly
//    Barnes-Hut makes the repulsion O(N log N): a quadtree groups the map's points into cells, and a cell that looks
//    small from y_i (cell width < theta * distance to its centre of mass) acts as one heavy point at its centre of
//    mass, carrying all its points' count.
// 4. Optimiser, as in van der Maaten's reference code: gradient descent with momentum (0.5 for the first 250
//    iterations, 0.8 after) and per-coordinate gains (+0.2 when the gradient changes sign against the step, x0.8
//    when it keeps it, never below 0.01). For the first 250 iterations P is multiplied by 12 ("early exaggeration"):
//    clusters pull together tightly first and then have room to separate.
//
// Choices (see tsne_defaults):
//   learning rate: "auto", max(N / early_exaggeration / 4, 50), scikit-learn's form of the rule of Belkina et al.
//     (2019). Their rule is N / early_exaggeration for a gradient without the factor 4; ours keeps the 4, hence / 4.
//     The classic fixed 200 is fine for a few thousand points and too small beyond.
//   initialisation: the first two principal components of x, scaled to standard deviation 1e-4 (scikit-learn's
//     default since 1.2; it keeps the global layout more faithful than a random start), or random N(0, 1e-4^2) as
//     in the original paper.
//   input distances are squared Euclidean, as in the paper (van der Maaten's Barnes-Hut code uses unsquared ones).
//
// Cost: the neighbour search is brute force, N^2 D multiply-adds through GEMM (a second for N = 5,000 pixel
// images), fine up to a few tens of thousands of points. Each iteration then costs O(N log N) with Barnes-Hut:
// N = 5,000 points of D = 64 take about 6 s for 1,000 iterations on 2 cores, N = 2,000 about 1.5 s. The exact
// gradient (theta = 0) costs N^2 per iteration: for checking, and for a few hundred points.
//
// Threads: the neighbour search, the perplexity calibration and the gradient split the points across OpenMP
// threads. Every per-point result is computed on its own and sums over points are done in index order afterwards,
// so the embedding is the same bit for bit with any number of threads.
#ifndef TSNE_H
#define TSNE_H

#include <stdbool.h>
#include <stddef.h>

#include "rng.h"

// Called every opt->report_every iterations (and after the last one) with the current map y (N, 2) and the KL
// divergence of the unexaggerated P. Useful for a progress line or frames of an animation.
typedef void (*TsneProgressFn)(int iteration, double kl, const float *y, int n, void *ctx);

typedef enum { TSNE_INIT_PCA, TSNE_INIT_RANDOM } TsneInit;

typedef struct {
    double perplexity;              // effective number of neighbours, 30 (5 to 50 is usual; must be < N - 1)
    int iterations;                 // 1000
    double early_exaggeration;      // 12
    int exaggeration_iterations;    // 250 (also when the momentum switches from 0.5 to 0.8)
    double learning_rate;           // 0 = auto: max(N / early_exaggeration / 4, 50)
    double theta;                   // Barnes-Hut accuracy, 0.5; 0 = exact O(N^2) repulsion (small N only)
    TsneInit init;                  // TSNE_INIT_PCA
    bool verbose;                   // print a line with the KL divergence every report_every iterations (stdout)
    int report_every;               // 100
    TsneProgressFn progress;        // NULL, or called every report_every iterations
    void *progress_ctx;             // passed to progress
} TsneOptions;

// The defaults above.
TsneOptions tsne_defaults(void);

// The sparse symmetric P (N, N), in compressed sparse rows: the nonzeros of row i are
// col[row_start[i] .. row_start[i+1]) with values val[...], columns increasing.
//
//   row_start  [0, 3, 7, ...]        (N + 1)
//   col        [5 9 12 | 0 2 5 8 ...](nnz)
//   val        [p_05 p_09 p_0,12 | ...]
typedef struct {
    int n;
    int *row_start;                 // (N + 1)
    int *col;                       // (nnz)
    float *val;                     // (nnz), sum over all entries = 1
} TsneAffinities;

// Step 1 above: P from x (N, D) for the given perplexity, over the floor(3 * perplexity + 1) nearest neighbours
// (all N - 1 when fewer), found by brute force with GEMM. Allocates p's arrays (free with tsne_affinities_free).
// Returns 0, or -1 with a message in err when perplexity is not in (0, N - 1).
int tsne_affinities(TsneAffinities *p, const float *x, int n, int d, double perplexity, char *err, size_t errlen);
// Release p's arrays (safe to call twice).
void tsne_affinities_free(TsneAffinities *p);

// Step 3 above: grad (N, 2) = dKL/dy at y (N, 2), with P multiplied by exaggeration. theta > 0 uses Barnes-Hut,
// theta = 0 the exact sum. When kl is not NULL it receives KL(P || Q) for the unexaggerated P.
void tsne_gradient(float *grad, const float *y, const TsneAffinities *p, double exaggeration, double theta,
                   double *kl);

// The whole method: y (N, 2) = the t-SNE map of x (N, D). opt may be NULL for the defaults; rng draws the random
// initialisation (or PCA's starting subspace). The same x, options and seed give the same y. Returns 0, or -1 with a message in err when the options do not fit the data (perplexity too large for
// N, a negative theta, ...); y is then untouched.
int tsne_run(float *y, const float *x, int n, int d, const TsneOptions *opt, Rng *rng, char *err, size_t errlen);

#endif
