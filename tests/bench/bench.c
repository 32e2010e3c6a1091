// bench.c: how fast is the library? GEMM GFLOP/s, then training throughput of two small models.
//
// Run with `make bench` (also `make NATIVE=0 bench`, `make NO_OMP=1 bench`). It needs no dataset: every input is
// random, because speed does not depend on what the numbers are.
//
//   Step 1  gemm() at square sizes 64 ... 1024, all threads, best of several runs (wall clock)
//   Step 2  the same with OpenBLAS's cblas_sgemm, when the bench was built with it (libopenblas-dev installed)
//   Step 3  training throughput, images per second for forward + backward + Adam step, batch 128, all threads:
//           (a) chapter 01's convolutional autoencoder (3,805 parameters, MSE)
//           (b) chapter 00's CNN classifier (softmax cross-entropy)
//   Step 4  the same autoencoder in PyTorch (tests/bench/torch_autoencoder.py), when python3 can import torch
//
// The last lines are `RESULT key value`, one per number worth tracking from run to run.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#endif
#ifdef HAVE_OPENBLAS
#include <cblas.h>
#endif

#include "gemm.h"
#include "layers.h"
#include "loss.h"
#include "optim.h"
#include "rng.h"
#include "tensor.h"

// Wall-clock seconds from an arbitrary start.
static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int threads_available(void) {
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

// Let the threads of the previous library go idle before timing the next one (both OpenMP's and OpenBLAS's
// workers spin for a while after a parallel call, and would compete for the cores).
static void settle(void) {
    struct timespec pause = {0, 200 * 1000 * 1000};
    nanosleep(&pause, NULL);
}

// Say so when other processes are competing for the cores (Linux: the 1-minute load average above the number of
// threads we are about to use). Parallel timings then measure the scheduler more than the code: a thread that has
// to wait for its turn holds up the whole team at the end of every parallel region, at every call, and by default
// OpenMP's idle threads spin while they wait, taking turns away from the threads that have work. Setting
// OMP_WAIT_POLICY=passive (idle threads sleep at once) costs a little on an idle machine and helps a lot on a busy
// one: on the development machine, under a load of 8 on 2 cores, the autoencoder trained 6 times faster with it.
static void warn_if_busy(void) {
    FILE *f = fopen("/proc/loadavg", "r");
    if (!f) return;
    double load;
    if (fscanf(f, "%lf", &load) == 1 && load > threads_available() + 0.5) {
        printf("note: load average %.1f on %d thread(s): other processes are competing for the cores, so the timings "
               "below are low and noisy", load, threads_available());
        printf("%s\n", getenv("OMP_WAIT_POLICY") ? "" : " (OMP_WAIT_POLICY=passive makes them less so)");
    }
    fclose(f);
}

// ---- GEMM ---------------------------------------------------------------------------------------------------------

enum { GEMM_SIZES = 5, GEMM_REPEATS = 7 };
static const int gemm_sizes[GEMM_SIZES] = {64, 128, 256, 512, 1024};

typedef void (*SquareGemm)(int n, const float *A, const float *B, float *C);

static void ours(int n, const float *A, const float *B, float *C) {
    gemm(false, false, n, n, n, 1.0f, A, n, B, n, 0.0f, C, n);
}

#ifdef HAVE_OPENBLAS
static void openblas(int n, const float *A, const float *B, float *C) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, A, n, B, n, 0.0f, C, n);
}
#endif

// GFLOP/s of f on n x n x n: the best of GEMM_REPEATS timings, each of enough calls to take a few milliseconds
// (2 n^3 floating-point operations a call).
static double time_gemm(SquareGemm f, int n, const float *A, const float *B, float *C) {
    const double flops = 2.0 * n * n * n;
    int calls = (int)(1e9 / flops);
    if (calls < 1) calls = 1;
    f(n, A, B, C);                                              // warm up: caches, pages, thread pool
    double best = 1e30;
    for (int r = 0; r < GEMM_REPEATS; r++) {
        double t0 = now_s();
        for (int c = 0; c < calls; c++) f(n, A, B, C);
        double dt = (now_s() - t0) / calls;
        if (dt < best) best = dt;
    }
    return flops / best * 1e-9;
}

// Step 1 and 2: fills gflops_512 (ours) and ratio_512 (ours / OpenBLAS, or NAN without OpenBLAS).
// Both libraries are timed twice, in alternation, and keep their better run: a burst of load from another process
// then spoils at most one of the two.
static void bench_gemm(double *gflops_512, double *ratio_512) {
    Rng rng;
    rng_seed(&rng, 1);
    const int nmax = gemm_sizes[GEMM_SIZES - 1];
    float *A = xmalloc((size_t)nmax * nmax * sizeof(float));
    float *B = xmalloc((size_t)nmax * nmax * sizeof(float));
    float *C = xmalloc((size_t)nmax * nmax * sizeof(float));
    float *C_ref = xmalloc((size_t)nmax * nmax * sizeof(float));
    for (size_t i = 0; i < (size_t)nmax * nmax; i++) { A[i] = rng_range(&rng, -1, 1); B[i] = rng_range(&rng, -1, 1); }

    double g_ours[GEMM_SIZES] = {0}, g_blas[GEMM_SIZES] = {0};
#ifdef HAVE_OPENBLAS
    openblas_set_num_threads(threads_available());
#endif
    for (int round = 0; round < 2; round++) {
        for (int s = 0; s < GEMM_SIZES; s++)
            g_ours[s] = fmax(g_ours[s], time_gemm(ours, gemm_sizes[s], A, B, C));
        settle();
#ifdef HAVE_OPENBLAS
        for (int s = 0; s < GEMM_SIZES; s++)
            g_blas[s] = fmax(g_blas[s], time_gemm(openblas, gemm_sizes[s], A, B, C_ref));
        settle();
#endif
    }

    printf("---- Step 1: gemm(), C = A @ B, n x n x n, %d thread(s), best of %d x 2 ----\n", threads_available(),
           GEMM_REPEATS);
    for (int s = 0; s < GEMM_SIZES; s++) printf("  n = %4d   %7.1f GFLOP/s\n", gemm_sizes[s], g_ours[s]);
    *gflops_512 = g_ours[3];
    *ratio_512 = NAN;

#ifdef HAVE_OPENBLAS
    printf("---- Step 2: OpenBLAS cblas_sgemm, same sizes and threads, timed in alternation with ours ----\n");
    printf("  n          OpenBLAS        ours   ours/OpenBLAS   max |ours - OpenBLAS| / max |C|\n");
    for (int s = 0; s < GEMM_SIZES; s++) {
        const int n = gemm_sizes[s];
        ours(n, A, B, C);                                       // both products once more, to compare the numbers
        openblas(n, A, B, C_ref);
        double diff = 0, scale = 0;
        for (size_t i = 0; i < (size_t)n * n; i++) {
            diff = fmax(diff, fabs((double)C[i] - C_ref[i]));
            scale = fmax(scale, fabs((double)C_ref[i]));
        }
        printf("  n = %4d   %7.1f     %7.1f   %13.2f   %.1e\n", n, g_blas[s], g_ours[s], g_ours[s] / g_blas[s],
               diff / scale);
    }
    *ratio_512 = g_ours[3] / g_blas[3];
    settle();
#else
    (void)g_blas;
    (void)C_ref;
    printf("---- Step 2: OpenBLAS: not built in (install libopenblas-dev and rebuild to compare) ----\n");
#endif
    free(A), free(B), free(C), free(C_ref);
}

// ---- training throughput ------------------------------------------------------------------------------------------

enum { TRAIN_BATCH = 128 };
static const double TRAIN_SECONDS = 3.0;        // timed per model, after a few warm-up steps

// The convolutional autoencoder of chapter 01 (Keras's layers and sizes), input (N, 1, 28, 28):
//
//   encoder  Conv2D 16 3x3 same relu  (16, 28, 28)    MaxPool 2 same (16, 14, 14)
//            Conv2D  8 3x3 same relu  ( 8, 14, 14)    MaxPool 2 same ( 8,  7,  7)
//            Conv2D  4 3x3 same relu  ( 4,  7,  7)    MaxPool 2 same ( 4,  4,  4)   <- the code: 64 numbers
//   decoder  Conv2D  8 3x3 same relu  ( 8,  4,  4)    UpSampling 2   ( 8,  8,  8)
//            Conv2D  8 3x3 same relu  ( 8,  8,  8)    UpSampling 2   ( 8, 16, 16)
//            Conv2D 16 3x3 valid relu (16, 14, 14)    UpSampling 2   (16, 28, 28)
//            Conv2D  1 3x3 same sigmoid (1, 28, 28)                                 3,805 parameters
static Net *autoencoder_new(Rng *rng) {
    Net *net = net_new("autoencoder", 1, 28, 28, rng);
    const int enc[3] = {16, 8, 4};
    for (int i = 0; i < 3; i++) {
        net_add(net, conv2d_new(enc[i], 3, 1, PAD_SAME));
        net_add(net, relu_new());
        net_add(net, maxpool2d_new(2, PAD_SAME));
    }
    const int dec[3] = {8, 8, 16};
    for (int i = 0; i < 3; i++) {
        net_add(net, conv2d_new(dec[i], 3, 1, i == 2 ? PAD_VALID : PAD_SAME));
        net_add(net, relu_new());
        net_add(net, upsample2d_new(2));
    }
    net_add(net, conv2d_new(1, 3, 1, PAD_SAME));
    net_add(net, sigmoid_new());
    return net;
}

// The CNN classifier of chapter 00, input (N, 1, 28, 28), 10 classes:
//   Conv2D 32 3x3 same relu, MaxPool 2, Conv2D 64 3x3 same relu, MaxPool 2, Flatten, Dense 128 relu, Dense 10
static Net *cnn_new(Rng *rng) {
    Net *net = net_new("cnn", 1, 28, 28, rng);
    net_add(net, conv2d_new(32, 3, 1, PAD_SAME));
    net_add(net, relu_new());
    net_add(net, maxpool2d_new(2, PAD_VALID));
    net_add(net, conv2d_new(64, 3, 1, PAD_SAME));
    net_add(net, relu_new());
    net_add(net, maxpool2d_new(2, PAD_VALID));
    net_add(net, flatten_new());
    net_add(net, dense_new(128));
    net_add(net, relu_new());
    net_add(net, dense_new(10));
    return net;
}

// One training step on the batch x: forward, loss, backward, Adam. labels == NULL: the autoencoder (MSE against
// x itself); else the classifier (softmax cross-entropy on the logits).
static void train_step(Net *net, Optimizer *opt, const Tensor *x, const int *labels, Tensor *dy) {
    net_zero_grad(net);
    const Tensor *y = net_forward(net, x, true);
    if (labels) loss_softmax_cross_entropy(dy, y, labels, NULL);
    else loss_mse(dy, y, x);
    net_backward(net, dy);
    optim_step(opt);
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

// Images per second of train_step on a random batch of TRAIN_BATCH, from the median time of the steps run in about
// TRAIN_SECONDS (the median, so that a moment of load from another process does not count).
static double train_throughput(Net *net, bool classifier, Rng *rng) {
    Tensor x, dy = {0};
    tensor_init(&x, TRAIN_BATCH, 1, 28, 28);
    for (size_t i = 0; i < tensor_size(&x); i++) x.data[i] = rng_uniform(rng);     // pixels in [0, 1)
    int labels[TRAIN_BATCH];
    for (int i = 0; i < TRAIN_BATCH; i++) labels[i] = (int)rng_below(rng, 10);
    Optimizer *opt = optim_adam_for(net, 1e-3f);

    for (int s = 0; s < 3; s++) train_step(net, opt, &x, classifier ? labels : NULL, &dy);   // warm up
    int steps = 0, cap = 64;
    double *times = xmalloc(cap * sizeof(double));
    const double start = now_s();
    do {
        double t0 = now_s();
        train_step(net, opt, &x, classifier ? labels : NULL, &dy);
        if (steps == cap) times = xrealloc(times, (cap *= 2) * sizeof(double));
        times[steps++] = now_s() - t0;
    } while (now_s() - start < TRAIN_SECONDS);
    qsort(times, steps, sizeof(double), compare_doubles);
    const double median = times[steps / 2];

    free(times);
    optim_free(opt);
    tensor_free(&x);
    tensor_free(&dy);
    return TRAIN_BATCH / median;
}

// Step 3: fills the two throughputs.
static void bench_training(double *autoencoder_ips, double *cnn_ips) {
    Rng rng;
    rng_seed(&rng, 2);
    printf("---- Step 3: training throughput, batch %d, forward + backward + Adam, %d thread(s), %.0f s each ----\n",
           TRAIN_BATCH, threads_available(), TRAIN_SECONDS);
    Net *ae = autoencoder_new(&rng);
    *autoencoder_ips = train_throughput(ae, false, &rng);
    printf("  (a) convolutional autoencoder, %zu parameters, MSE:   %8.0f images/s\n", net_param_count(ae),
           *autoencoder_ips);
    net_free(ae);
    Net *cnn = cnn_new(&rng);
    *cnn_ips = train_throughput(cnn, true, &rng);
    printf("  (b) CNN classifier, %zu parameters, cross-entropy: %8.0f images/s\n", net_param_count(cnn), *cnn_ips);
    net_free(cnn);
}

// ---- PyTorch ------------------------------------------------------------------------------------------------------

// Step 4: run tests/bench/torch_autoencoder.py (the same autoencoder, optimiser and batch) with as many threads as
// we used, and return its images per second; NAN when no python3 can import torch (said in one line).
// The first python3 on PATH may be a private installation without Debian's packages, so the system one is tried too.
static double bench_pytorch(void) {
    const char *script = "tests/bench/torch_autoencoder.py";
    static const char *pythons[] = {"python3", "/usr/bin/python3"};
    printf("---- Step 4: the same autoencoder in PyTorch ----\n");
    fflush(stdout);
    const char *python = NULL;
    char cmd[512];
    for (size_t i = 0; i < sizeof pythons / sizeof pythons[0] && !python; i++) {
        snprintf(cmd, sizeof cmd, "%s -c 'import torch' >/dev/null 2>&1", pythons[i]);
        if (system(cmd) == 0) python = pythons[i];
    }
    if (!python) {
        printf("  skipped: python3 cannot import torch (install python3-torch to compare)\n");
        return NAN;
    }
    FILE *probe = fopen(script, "r");
    if (!probe) {
        printf("  skipped: %s not found (run the bench from the top of the project, as `make bench` does)\n",
               script);
        return NAN;
    }
    fclose(probe);
    snprintf(cmd, sizeof cmd, "%s %s --threads %d --seconds %.0f --batch %d", python, script, threads_available(),
             TRAIN_SECONDS, TRAIN_BATCH);
    FILE *p = popen(cmd, "r");
    if (!p) { printf("  skipped: could not run %s\n", cmd); return NAN; }
    double ips = NAN;
    char line[256];
    while (fgets(line, sizeof line, p)) {
        printf("  %s", line);
        sscanf(line, "images_per_s %lf", &ips);
    }
    if (pclose(p) != 0 || isnan(ips)) { printf("  %s failed; no comparison\n", script); return NAN; }
    return ips;
}

int main(void) {
    warn_if_busy();
    double gflops_512, ratio_512;
    bench_gemm(&gflops_512, &ratio_512);
    double autoencoder_ips, cnn_ips;
    bench_training(&autoencoder_ips, &cnn_ips);
    double torch_ips = bench_pytorch();

    printf("RESULT gemm_gflops_512 %.1f\n", gflops_512);
    if (!isnan(ratio_512)) printf("RESULT gemm_vs_openblas_512 %.2f\n", ratio_512);
    printf("RESULT autoencoder_train_images_per_s %.0f\n", autoencoder_ips);
    printf("RESULT cnn_train_images_per_s %.0f\n", cnn_ips);
    if (!isnan(torch_ips)) printf("RESULT autoencoder_vs_pytorch %.2f\n", autoencoder_ips / torch_ips);
    return 0;
}
