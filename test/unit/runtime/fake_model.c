/* A stand-in for a compiled model with two entries, built as a MODULE (like
 * `cc -shared model.o -lm`) and linked into executables:
 *   infer: sum = a + b, stats/max = max(sum)   (the default entry)
 *   scale: y = 2 * x, through its 16-byte workspace
 *   dynamic: y = x + 1 for x of any length N (N = 0 too), y handed over;
 *            N > 100 fails with an error message */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/** A generated run function. */
typedef int32_t (*fake_run_fn)(void **buffers, int64_t *dims, const char **error);

/** Signature of the fake model. */
const char *kiln_entry_signature(void) {
  return "kiln-model 4\n"
         "entry infer\n"
         "input a f32 [2,3]\n"
         "input b f32 [2,3]\n"
         "output sum f32 [2,3]\n"
         "output stats/max f32 []\n"
         "workspace 0\n"
         "entry scale\n"
         "input x f32 [4]\n"
         "output y f32 [4]\n"
         "workspace 16\n"
         "entry dynamic\n"
         "input x f32 [N]\n"
         "output y f32 [N]\n";
}

/** buffers: a, b, sum, stats/max. */
int32_t kiln_run_infer(void **buffers, int64_t *dims, const char **error) {
  const float *a = (const float *)buffers[0];
  const float *b = (const float *)buffers[1];
  float *sum = (float *)buffers[2];
  float *max = (float *)buffers[3];
  size_t i;
  for (i = 0; i < 6; ++i) sum[i] = a[i] + b[i];
  *max = sum[0];
  for (i = 1; i < 6; ++i)
    if (sum[i] > *max) *max = sum[i];
  dims[4] = 2; /* after a's and b's dims: sum [2,3]; stats/max has none */
  dims[5] = 3;
  (void)error;
  return 0;
}

/** buffers: x, y, workspace. */
int32_t kiln_run_scale(void **buffers, int64_t *dims, const char **error) {
  const float *x = (const float *)buffers[0];
  float *y = (float *)buffers[1];
  float *scratch = (float *)buffers[2];
  size_t i;
  for (i = 0; i < 4; ++i) scratch[i] = 2.0f * x[i];
  memcpy(y, scratch, 4 * sizeof(float));
  dims[1] = 4;
  (void)error;
  return 0;
}

/** buffers: x, y (a slot: y is handed over); dims: N, then y's N. */
int32_t kiln_run_dynamic(void **buffers, int64_t *dims, const char **error) {
  const float *x = (const float *)buffers[0];
  int64_t i, n = dims[0];
  float *y;
  if (n > 100) {
    *error = "expects at most 100 elements in 'x'";
    return 1;
  }
  y = n ? (float *)malloc((size_t)n * sizeof(float)) : NULL;
  if (n && !y) {
    *error = "out of memory";
    return 1;
  }
  for (i = 0; i < n; ++i) y[i] = x[i] + 1.0f;
  buffers[1] = y;
  dims[1] = n;
  return 0;
}

/** The run functions in signature order, NULL-terminated. */
const fake_run_fn *kiln_entry_functions(void) {
  static const fake_run_fn functions[] = {kiln_run_infer, kiln_run_scale, kiln_run_dynamic, NULL};
  return functions;
}
