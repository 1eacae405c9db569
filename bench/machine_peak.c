/* The two floors of this machine, measured: the single-thread f32 FMA peak and
 * the single-thread read bandwidth from memory. Prints one JSON line:
 *   {"vector_lanes":16,"fma_gflops":…,"read_gbps":…}
 * Built by bench/run.py with the host's vector features (-march=native). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__AVX512F__)
#define LANES 16
#elif defined(__AVX__)
#define LANES 8
#else
#define LANES 4
#endif
typedef float vec __attribute__((vector_size(LANES * sizeof(float))));

/* More independent accumulators than FMA latency x FMA ports, so the loop is
 * throughput-bound; the compiler keeps them all in registers. */
#define CHAINS 12

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double fma_peak(void) {
  vec acc[CHAINS], a, b;
  long iters = 20000000, i;
  int c;
  double best = 0;
  for (c = 0; c < LANES; ++c) {
    a[c] = 1.0000001f;
    b[c] = 0.9999999f;
  }
  for (c = 0; c < CHAINS; ++c) acc[c] = a * (float)c;
  for (int rep = 0; rep < 5; ++rep) {
    double t0 = now();
    for (i = 0; i < iters; ++i) {
      for (c = 0; c < CHAINS; ++c) acc[c] = acc[c] * a + b;
    }
    double t = now() - t0;
    double gflops = 2.0 * LANES * CHAINS * (double)iters / t * 1e-9;
    if (gflops > best) best = gflops;
  }
  /* Every chain feeds the result, so none is dead code. */
  float sink = 0;
  for (c = 0; c < CHAINS; ++c) sink += acc[c][0];
  if (sink == 12345.0f) printf("#");
  return best;
}

static double read_bandwidth(void) {
  size_t n = (size_t)256 << 20 >> 2; /* 256 MiB of floats: far beyond any cache */
  vec *x = NULL;
  double best = 0;
  if (posix_memalign((void **)&x, 64, n * sizeof(float)) != 0) return 0;
  for (size_t i = 0; i < n / LANES; ++i)
    for (int c = 0; c < LANES; ++c) x[i][c] = (float)(i & 7);
  for (int rep = 0; rep < 5; ++rep) {
    vec s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
    double t0 = now();
    for (size_t i = 0; i + 4 <= n / LANES; i += 4) {
      s0 += x[i];
      s1 += x[i + 1];
      s2 += x[i + 2];
      s3 += x[i + 3];
    }
    double t = now() - t0;
    vec s = s0 + s1 + s2 + s3;
    if (s[0] == -1.0f) printf("#");
    double gbps = n * sizeof(float) / t * 1e-9;
    if (gbps > best) best = gbps;
  }
  free(x);
  return best;
}

int main(void) {
  double gflops = fma_peak();
  double gbps = read_bandwidth();
  printf("{\"vector_lanes\":%d,\"fma_gflops\":%.1f,\"read_gbps\":%.1f}\n", LANES, gflops, gbps);
  return 0;
}
