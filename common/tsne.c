// tsne.c: t-SNE with sparse input affinities and Barnes-Hut repulsion (the method is laid out in tsne.h).
//
// The file follows the steps of tsne.h: nearest neighbours, perplexity calibration, symmetric P; the quadtree;
// the gradient; the optimiser.
#include "tsne.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gemm.h"
#include "pca.h"
#include "tensor.h"

#define KNN_BLOCK_FLOATS (1 << 22)  // the block of the distance matrix computed per GEMM: at most 16 MB
#define PERPLEXITY_STEPS 200        // binary-search steps per point (50 are usually plenty)
#define PERPLEXITY_TOL 1e-5         // |H - log(perplexity)| in nats
#define QUAD_MAX_DEPTH 48           // deeper cells would separate points closer than float precision
#define MIN_GAIN 0.01f

TsneOptions tsne_defaults(void) {
    return (TsneOptions){.perplexity = 30.0, .iterations = 1000, .early_exaggeration = 12.0,
                         .exaggeration_iterations = 250, .learning_rate = 0.0, .theta = 0.5,
                         .init = TSNE_INIT_PCA, .verbose = false, .report_every = 100, .progress = NULL,
                         .progress_ctx = NULL};
}

// ---- Step 1a: the k nearest neighbours of every point ------------------------------------------------------------

// Restore the max-heap order of (dist, idx)[0..size) below position pos: the largest distance sits at the root, so
// the root is the neighbour to drop when a closer one turns up.
static void heap_sift_down(double *dist, int *idx, int size, int pos) {
    for (;;) {
        int big = pos, l = 2 * pos + 1, r = l + 1;
        if (l < size && dist[l] > dist[big]) big = l;
        if (r < size && dist[r] > dist[big]) big = r;
        if (big == pos) return;
        double td = dist[pos]; dist[pos] = dist[big]; dist[big] = td;
        int ti = idx[pos]; idx[pos] = idx[big]; idx[big] = ti;
        pos = big;
    }
}

static void heap_sift_up(double *dist, int *idx, int pos) {
    while (pos > 0) {
        int parent = (pos - 1) / 2;
        if (dist[parent] >= dist[pos]) return;
        double td = dist[pos]; dist[pos] = dist[parent]; dist[parent] = td;
        int ti = idx[pos]; idx[pos] = idx[parent]; idx[parent] = ti;
        pos = parent;
    }
}

// nbr (N, k) = indices of the k nearest neighbours of each point (itself excluded, in no particular order) and
// dist (N, k) = their squared distances. Brute force: |x_i - x_j|^2 = |x_i|^2 + |x_j|^2 - 2 x_i.x_j, with the dot
// products of a block of rows against all points in one GEMM, then a heap keeps the k smallest. The chosen
// neighbours' distances are then recomputed directly, because the expansion above cancels badly for close points.
static void nearest_neighbours(int *nbr, double *dist, const float *x, int n, int d, int k) {
    double *norm2 = xmalloc((size_t)n * sizeof(double));
    for (int i = 0; i < n; i++) {
        double s = 0.0;
        for (int j = 0; j < d; j++) s += (double)x[(size_t)i * d + j] * x[(size_t)i * d + j];
        norm2[i] = s;
    }
    int block = KNN_BLOCK_FLOATS / n < 256 ? KNN_BLOCK_FLOATS / n : 256;     // rows per GEMM
    if (block < 16) block = 16;
    if (block > n) block = n;
    float *dots = xmalloc((size_t)block * n * sizeof(float));               // (block, N)
    for (int first = 0; first < n; first += block) {
        int rows = n - first < block ? n - first : block;
        gemm(false, true, rows, n, d, 1.0f, x + (size_t)first * d, d, x, d, 0.0f, dots, n);
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
        for (int r = 0; r < rows; r++) {
            int i = first + r, size = 0;
            double *hd = dist + (size_t)i * k;
            int *hi = nbr + (size_t)i * k;
            for (int j = 0; j < n; j++) {
                if (j == i) continue;
                double dd = norm2[i] + norm2[j] - 2.0 * dots[(size_t)r * n + j];
                if (size < k) {
                    hd[size] = dd; hi[size] = j;
                    heap_sift_up(hd, hi, size++);
                } else if (dd < hd[0]) {
                    hd[0] = dd; hi[0] = j;
                    heap_sift_down(hd, hi, k, 0);
                }
            }
            for (int m = 0; m < k; m++) {
                const float *a = x + (size_t)i * d, *b = x + (size_t)hi[m] * d;
                double s = 0.0;
                for (int j = 0; j < d; j++) s += ((double)a[j] - b[j]) * ((double)a[j] - b[j]);
                hd[m] = s;
            }
        }
    }
    free(dots);
    free(norm2);
}

// ---- Step 1b: p_{j|i} with the perplexity asked for -------------------------------------------------------------

// prob (k) = p_{j|i} over the k squared distances dist (k) of one point, with beta chosen by binary search so that
// the entropy H = log(sum) + beta <d>  (in nats) equals target = log(perplexity). A larger beta means a narrower
// Gaussian and a smaller H. Distances are shifted by their minimum first, which changes nothing after
// normalisation but keeps exp() from underflowing to 0 for every neighbour.
static void calibrate_point(double *prob, const double *dist, int k, double target) {
    double dmin = INFINITY;
    for (int m = 0; m < k; m++) dmin = fmin(dmin, dist[m]);
    double beta = 1.0, lo = 0.0, hi = INFINITY, sum = 0.0;
    for (int step = 0; step < PERPLEXITY_STEPS; step++) {
        double weighted = 0.0;
        sum = 0.0;
        for (int m = 0; m < k; m++) {
            prob[m] = exp(-beta * (dist[m] - dmin));
            sum += prob[m];
            weighted += (dist[m] - dmin) * prob[m];
        }
        double entropy = log(sum) + beta * weighted / sum;
        if (fabs(entropy - target) < PERPLEXITY_TOL) break;
        if (entropy > target) {                    // too flat: narrow the Gaussian
            lo = beta;
            beta = isinf(hi) ? 2.0 * beta : 0.5 * (beta + hi);
        } else {                                   // too peaked: widen it
            hi = beta;
            beta = 0.5 * (beta + lo);
        }
    }
    for (int m = 0; m < k; m++) prob[m] /= sum;
}

// ---- Step 1c: symmetrise into CSR --------------------------------------------------------------------------------

typedef struct {
    int col;
    float val;
} Entry;

static int entry_by_col(const void *a, const void *b) {
    int ca = ((const Entry *)a)->col, cb = ((const Entry *)b)->col;
    return (ca > cb) - (ca < cb);
}

int tsne_affinities(TsneAffinities *p, const float *x, int n, int d, double perplexity, char *err, size_t errlen) {
    if (!(perplexity > 0.0) || perplexity >= n - 1) {
        if (err && errlen)
            snprintf(err, errlen, "t-SNE: perplexity %g does not fit %d points: it must be above 0 and below N - 1 "
                     "= %d (use more points or a smaller perplexity; 5 to 50 is usual)", perplexity, n, n - 1);
        return -1;
    }
    int k = (int)(3.0 * perplexity + 1.0);
    if (k > n - 1) k = n - 1;
    int *nbr = xmalloc((size_t)n * k * sizeof(int));
    double *dist = xmalloc((size_t)n * k * sizeof(double));
    nearest_neighbours(nbr, dist, x, n, d, k);

    // Conditional p_{j|i}, one row of k per point (reusing dist's memory would save little; clarity wins).
    double *cond = xmalloc((size_t)n * k * sizeof(double));
    double target = log(perplexity);
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (int i = 0; i < n; i++) calibrate_point(cond + (size_t)i * k, dist + (size_t)i * k, k, target);

    // Each p_{j|i} goes to entry (i, j) and to entry (j, i); a pair that are each other's neighbours gets both
    // halves in one entry. First count the entries of each row, then fill, sort by column and merge.
    int *count = xcalloc((size_t)n + 1, sizeof(int));
    for (int i = 0; i < n; i++)
        for (int m = 0; m < k; m++) { count[i]++; count[nbr[(size_t)i * k + m]]++; }
    int *start = xmalloc(((size_t)n + 1) * sizeof(int));
    start[0] = 0;
    for (int i = 0; i < n; i++) start[i + 1] = start[i] + count[i];
    Entry *entries = xmalloc((size_t)start[n] * sizeof(Entry));
    memset(count, 0, (size_t)n * sizeof(int));
    for (int i = 0; i < n; i++)
        for (int m = 0; m < k; m++) {
            int j = nbr[(size_t)i * k + m];
            float v = (float)(cond[(size_t)i * k + m] / (2.0 * n));          // (p_{j|i} + p_{i|j}) / 2N
            entries[start[i] + count[i]++] = (Entry){j, v};
            entries[start[j] + count[j]++] = (Entry){i, v};
        }

    p->n = n;
    p->row_start = xmalloc(((size_t)n + 1) * sizeof(int));
    p->col = xmalloc((size_t)start[n] * sizeof(int));
    p->val = xmalloc((size_t)start[n] * sizeof(float));
    int nnz = 0;
    for (int i = 0; i < n; i++) {
        Entry *row = entries + start[i];
        int len = start[i + 1] - start[i];
        qsort(row, (size_t)len, sizeof(Entry), entry_by_col);
        p->row_start[i] = nnz;
        for (int m = 0; m < len; m++) {
            if (m > 0 && row[m].col == row[m - 1].col) { p->val[nnz - 1] += row[m].val; continue; }
            p->col[nnz] = row[m].col;
            p->val[nnz] = row[m].val;
            nnz++;
        }
    }
    p->row_start[n] = nnz;
    free(entries); free(start); free(count); free(cond); free(dist); free(nbr);
    return 0;
}

void tsne_affinities_free(TsneAffinities *p) {
    free(p->row_start); free(p->col); free(p->val);
    p->row_start = p->col = NULL;
    p->val = NULL;
    p->n = 0;
}

// ---- Step 3a: the Barnes-Hut quadtree ----------------------------------------------------------------------------
//
//   +-------+-------+      A cell is a square (centre, half side). Its points are split by quadrant,
//   |   2   |   3   |      q = (x >= cx) + 2 (y >= cy), into up to four children, until a cell holds one point.
//   |       |  . .  |      Every cell keeps its point count and centre of mass, which is all the repulsion
//   +-------+-------+      needs when the cell is far enough away to act as one heavy point.
//   |   0 . |   1   |
//   |  .    |    .  |      A leaf's points are order[first .. first + count): more than one only for points that
//   +-------+-------+      coincide (or are closer than QUAD_MAX_DEPTH halvings can tell apart).

typedef struct {
    double cx, cy, half;        // the square: centre and half its side
    double mx, my;              // centre of mass of its points
    int count;                  // points inside
    int first;                  // leaf: its points start at order[first]
    int child[4];               // cells of the four quadrants, -1 when empty
    bool leaf;
} QuadCell;

typedef struct {
    QuadCell *cells;            // cells[0] is the root
    int ncells, cap;
    int *order;                 // (N) point indices, grouped cell by cell
    int *scratch, *sorted;      // (N) each, for partitioning: quadrant of each point, points sorted by quadrant
} QuadTree;

// Make the cell for points order[first .. first + count) inside the given square and, below it, its subtree.
// Returns the cell's index. (Indices, not pointers: cells may move when the array grows.)
static int quad_build(QuadTree *t, const float *y, int first, int count, double cx, double cy, double half,
                      int depth) {
    if (t->ncells == t->cap) {
        t->cap *= 2;
        t->cells = xrealloc(t->cells, (size_t)t->cap * sizeof(QuadCell));
    }
    int id = t->ncells++;
    double mx = 0.0, my = 0.0;
    for (int m = first; m < first + count; m++) { mx += y[2 * t->order[m]]; my += y[2 * t->order[m] + 1]; }
    t->cells[id] = (QuadCell){.cx = cx, .cy = cy, .half = half, .mx = mx / count, .my = my / count,
                              .count = count, .first = first, .child = {-1, -1, -1, -1}, .leaf = true};
    if (count == 1 || depth == QUAD_MAX_DEPTH) return id;
    t->cells[id].leaf = false;

    // Counting sort of the cell's points by quadrant (stable, so the tree does not depend on anything but y).
    int qcount[4] = {0, 0, 0, 0}, qstart[4];
    for (int m = first; m < first + count; m++) {
        int i = t->order[m];
        int q = (y[2 * i] >= cx) + 2 * (y[2 * i + 1] >= cy);
        t->scratch[m] = q;
        qcount[q]++;
    }
    qstart[0] = first;
    for (int q = 1; q < 4; q++) qstart[q] = qstart[q - 1] + qcount[q - 1];
    int fill[4] = {qstart[0], qstart[1], qstart[2], qstart[3]};
    for (int m = first; m < first + count; m++) t->sorted[fill[t->scratch[m]]++] = t->order[m];
    memcpy(t->order + first, t->sorted + first, (size_t)count * sizeof(int));

    for (int q = 0; q < 4; q++) {
        if (qcount[q] == 0) continue;
        double h = 0.5 * half;
        int child = quad_build(t, y, qstart[q], qcount[q], cx + (q & 1 ? h : -h), cy + (q & 2 ? h : -h), h,
                               depth + 1);
        t->cells[id].child[q] = child;
    }
    return id;
}

static void quad_init(QuadTree *t, const float *y, int n) {
    t->cap = 2 * n + 16;
    t->cells = xmalloc((size_t)t->cap * sizeof(QuadCell));
    t->ncells = 0;
    t->order = xmalloc((size_t)n * sizeof(int));
    t->scratch = xmalloc((size_t)n * sizeof(int));
    t->sorted = xmalloc((size_t)n * sizeof(int));
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    for (int i = 0; i < n; i++) {
        t->order[i] = i;
        xmin = fmin(xmin, y[2 * i]); xmax = fmax(xmax, y[2 * i]);
        ymin = fmin(ymin, y[2 * i + 1]); ymax = fmax(ymax, y[2 * i + 1]);
    }
    // The root square covers every point, with a little margin so that the largest ones fall inside.
    double half = 0.5 * fmax(xmax - xmin, ymax - ymin) * (1.0 + 1e-6) + 1e-12;
    quad_build(t, y, 0, n, 0.5 * (xmin + xmax), 0.5 * (ymin + ymax), half, 0);
}

static void quad_free(QuadTree *t) {
    free(t->cells); free(t->order); free(t->scratch); free(t->sorted);
}

// Add the repulsion on point i from the points of cell `id`:  f += sum_j w_ij^2 (y_i - y_j),  z += sum_j w_ij.
// A cell narrower than theta times its distance stands for all its points at its centre of mass. (For theta below
// 1/sqrt(2) a cell never passes that test from a point inside it, so a point never repels itself through a summary.)
static void quad_repulse(const QuadTree *t, int id, const float *y, int i, double theta2, double *fx, double *fy,
                         double *z) {
    const QuadCell *c = &t->cells[id];
    double yx = y[2 * i], yy = y[2 * i + 1];
    if (c->leaf) {
        for (int m = c->first; m < c->first + c->count; m++) {
            int j = t->order[m];
            if (j == i) continue;
            double dx = yx - y[2 * j], dy = yy - y[2 * j + 1];
            double w = 1.0 / (1.0 + dx * dx + dy * dy);
            *z += w;
            *fx += w * w * dx;
            *fy += w * w * dy;
        }
        return;
    }
    double dx = yx - c->mx, dy = yy - c->my, d2 = dx * dx + dy * dy;
    double width = 2.0 * c->half;
    if (width * width < theta2 * d2) {                 // width / distance < theta
        double w = 1.0 / (1.0 + d2);
        *z += c->count * w;
        *fx += c->count * w * w * dx;
        *fy += c->count * w * w * dy;
        return;
    }
    for (int q = 0; q < 4; q++)
        if (c->child[q] >= 0) quad_repulse(t, c->child[q], y, i, theta2, fx, fy, z);
}

// ---- Step 3b: the gradient ---------------------------------------------------------------------------------------

void tsne_gradient(float *grad, const float *y, const TsneAffinities *p, double exaggeration, double theta,
                   double *kl) {
    int n = p->n;
    double *attract = xmalloc((size_t)2 * n * sizeof(double));   // (N, 2) sum_j p_ij w_ij (y_i - y_j)
    double *repel = xmalloc((size_t)2 * n * sizeof(double));     // (N, 2) sum_j w_ij^2 (y_i - y_j), before / Z
    double *z_part = xmalloc((size_t)n * sizeof(double));        // (N) sum_j w_ij: Z = sum over i
    double *kl_part = xmalloc((size_t)n * sizeof(double));       // (N) sum_j p_ij log(p_ij / w_ij)
    QuadTree tree;
    if (theta > 0.0) quad_init(&tree, y, n);

#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 32)
#endif
    for (int i = 0; i < n; i++) {
        double ax = 0.0, ay = 0.0, klsum = 0.0;
        for (int e = p->row_start[i]; e < p->row_start[i + 1]; e++) {
            int j = p->col[e];
            double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
            double w = 1.0 / (1.0 + dx * dx + dy * dy), pij = p->val[e];
            ax += pij * w * dx;
            ay += pij * w * dy;
            if (kl && pij > 0.0) klsum += pij * log(pij / w);
        }
        double rx = 0.0, ry = 0.0, zi = 0.0;
        if (theta > 0.0) {
            quad_repulse(&tree, 0, y, i, theta * theta, &rx, &ry, &zi);
        } else {
            for (int j = 0; j < n; j++) {
                if (j == i) continue;
                double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
                double w = 1.0 / (1.0 + dx * dx + dy * dy);
                zi += w;
                rx += w * w * dx;
                ry += w * w * dy;
            }
        }
        attract[2 * i] = ax; attract[2 * i + 1] = ay;
        repel[2 * i] = rx; repel[2 * i + 1] = ry;
        z_part[i] = zi;
        kl_part[i] = klsum;
    }

    // Sums over points in index order: the same result whatever the threads did.
    double z = 0.0, klsum = 0.0;
    for (int i = 0; i < n; i++) { z += z_part[i]; klsum += kl_part[i]; }
    for (int c = 0; c < 2 * n; c++)
        grad[c] = (float)(4.0 * (exaggeration * attract[c] - repel[c] / z));   // dKL/dy = 4 (attract - repel / Z)
    // KL = sum p log(p / q) = sum p log(p / w) + log Z   (q = w / Z and sum p = 1)
    if (kl) *kl = klsum + log(z);

    if (theta > 0.0) quad_free(&tree);
    free(kl_part); free(z_part); free(repel); free(attract);
}

// ---- Step 4: the optimiser ---------------------------------------------------------------------------------------

// -1, 0 or +1, as the reference code's sign() (0 for 0: the first step, from update = 0, always gains +0.2).
static int sign_of(float v) { return (v > 0.0f) - (v < 0.0f); }

static double seconds_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

// y (N, 2): the first two principal components of x, scaled so that the first has standard deviation 1e-4
// (tiny, so that early exaggeration starts from a compact cloud, as with a random start).
static void init_pca(float *y, const float *x, int n, int d, Rng *rng) {
    Pca pca;
    pca_fit(&pca, x, n, d, 2, rng);
    pca_transform(&pca, y, x, n);
    pca_free(&pca);
    double sum = 0.0, sum2 = 0.0;
    for (int i = 0; i < n; i++) { sum += y[2 * i]; sum2 += (double)y[2 * i] * y[2 * i]; }
    double var = sum2 / n - (sum / n) * (sum / n);
    double scale = var > 0.0 ? 1e-4 / sqrt(var) : 0.0;
    for (int c = 0; c < 2 * n; c++) y[c] = (float)(y[c] * scale);
}

int tsne_run(float *y, const float *x, int n, int d, const TsneOptions *opt, Rng *rng, char *err, size_t errlen) {
    TsneOptions o = opt ? *opt : tsne_defaults();
    const char *bad = NULL;
    if (n < 3) bad = "t-SNE needs at least 3 points";
    else if (o.iterations < 0) bad = "t-SNE: iterations must be >= 0";
    else if (!(o.theta >= 0.0)) bad = "t-SNE: theta must be >= 0 (0 = exact, 0.5 = usual Barnes-Hut)";
    else if (!(o.early_exaggeration > 0.0) || o.exaggeration_iterations < 0)
        bad = "t-SNE: early_exaggeration must be > 0 and exaggeration_iterations >= 0";
    else if (!(o.learning_rate >= 0.0)) bad = "t-SNE: learning_rate must be > 0 (or 0 for auto)";
    else if (o.report_every <= 0) bad = "t-SNE: report_every must be > 0 (100 is usual)";
    if (bad) {
        if (err && errlen) snprintf(err, errlen, "%s", bad);
        return -1;
    }
    TsneAffinities p;
    if (tsne_affinities(&p, x, n, d, o.perplexity, err, errlen) != 0) return -1;
    double lr = o.learning_rate > 0.0 ? o.learning_rate : fmax(n / o.early_exaggeration / 4.0, 50.0);
    if (o.verbose)
        printf("t-SNE: %d points of %d dimensions, perplexity %g (%d neighbours), learning rate %g, %s\n", n, d,
               o.perplexity, (int)fmin(3.0 * o.perplexity + 1.0, n - 1), lr,
               o.theta > 0.0 ? "Barnes-Hut" : "exact gradient");

    // Start: a compact cloud around the origin.
    if (o.init == TSNE_INIT_PCA && d >= 2) {
        init_pca(y, x, n, d, rng);
    } else {
        for (int c = 0; c < 2 * n; c++) y[c] = 1e-4f * rng_normal(rng);
    }

    float *grad = xmalloc((size_t)2 * n * sizeof(float));
    float *update = xcalloc((size_t)2 * n, sizeof(float));          // the previous step (momentum)
    float *gains = xmalloc((size_t)2 * n * sizeof(float));
    for (int c = 0; c < 2 * n; c++) gains[c] = 1.0f;
    double t0 = seconds_now();
    for (int it = 0; it < o.iterations; it++) {
        bool exaggerating = it < o.exaggeration_iterations;
        double alpha = exaggerating ? o.early_exaggeration : 1.0;
        float momentum = exaggerating ? 0.5f : 0.8f;
        bool report = (it + 1) % o.report_every == 0 || it + 1 == o.iterations;
        double kl = 0.0;
        tsne_gradient(grad, y, &p, alpha, o.theta, report ? &kl : NULL);

        for (int c = 0; c < 2 * n; c++) {
            // Gains: a coordinate whose last step still points downhill (along -grad: the signs differ) speeds
            // up by 0.2; one whose last step now points uphill has overshot and slows down by x0.8.
            gains[c] = sign_of(grad[c]) != sign_of(update[c]) ? gains[c] + 0.2f : gains[c] * 0.8f;
            if (gains[c] < MIN_GAIN) gains[c] = MIN_GAIN;
            update[c] = momentum * update[c] - (float)lr * gains[c] * grad[c];
            y[c] += update[c];
        }
        // Keep the map centred: KL does not care where it sits, floats do.
        double mx = 0.0, my = 0.0;
        for (int i = 0; i < n; i++) { mx += y[2 * i]; my += y[2 * i + 1]; }
        for (int i = 0; i < n; i++) { y[2 * i] -= (float)(mx / n); y[2 * i + 1] -= (float)(my / n); }

        if (report) {
            if (o.verbose)
                printf("  iteration %4d: KL divergence %.4f%s (%.1f s)\n", it + 1, kl,
                       exaggerating ? " (exaggerating)" : "", seconds_now() - t0);
            if (o.progress) o.progress(it + 1, kl, y, n, o.progress_ctx);
        }
    }
    if (o.verbose) fflush(stdout);
    free(gains); free(update); free(grad);
    tsne_affinities_free(&p);
    return 0;
}
