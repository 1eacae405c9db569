/* A model whose runs wait for each other, to observe whether runs overlap and
 * whether each run has a workspace of its own:
 *   infer: x = {value, wanted, seconds} -> y = {value read back, most runs seen inside}
 * A run writes `value` to its workspace, waits until `wanted` runs are inside at
 * once (at most `seconds`, and at least 2 ms so that overlapping runs interleave),
 * and reports the most runs inside at once since the last time none was,
 * then reads the workspace back: a shared workspace returns another run's value. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <time.h>

/** A generated run function. */
typedef int32_t (*fake_run_fn)(void **buffers, int64_t *dims, const char **error);

/* Runs inside now, and the most inside at once since the last one left. */
static int g_inside = 0, g_peak = 0;

/** Signature: one entry with a workspace. */
const char *kiln_entry_signature(void) {
  return "kiln-model 4\nentry infer\ninput x f32 [3]\noutput y f32 [2]\nworkspace 64\n";
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/** buffers: x, y, workspace. */
int32_t kiln_run_infer(void **buffers, int64_t *dims, const char **error) {
  const float *x = (const float *)buffers[0];
  float *y = (float *)buffers[1];
  volatile float *workspace = (volatile float *)buffers[2];
  struct timespec pause = {0, 200000};
  double start = now_s(), deadline = start + x[2];
  int inside = __atomic_add_fetch(&g_inside, 1, __ATOMIC_SEQ_CST);
  int peak = __atomic_load_n(&g_peak, __ATOMIC_SEQ_CST);
  while (inside > peak &&
         !__atomic_compare_exchange_n(&g_peak, &peak, inside, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
    continue;
  workspace[0] = x[0];
  for (;;) {
    double now = now_s();
    peak = __atomic_load_n(&g_peak, __ATOMIC_SEQ_CST);
    if ((peak >= (int)x[1] || now >= deadline) && now >= start + 0.002) break;
    nanosleep(&pause, 0);
  }
  y[0] = workspace[0];
  y[1] = (float)peak;
  if (__atomic_sub_fetch(&g_inside, 1, __ATOMIC_SEQ_CST) == 0)
    __atomic_store_n(&g_peak, 0, __ATOMIC_SEQ_CST);
  (void)dims;
  (void)error;
  return 0;
}

/** The run functions in signature order, NULL-terminated. */
const fake_run_fn *kiln_entry_functions(void) {
  static const fake_run_fn functions[] = {kiln_run_infer, 0};
  return functions;
}
