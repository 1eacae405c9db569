/* A stand-in for a compiled model with two entries, built as a MODULE (like
 * `cc -shared model.o -lm`) and linked into executables:
 *   infer: sum = a + b, stats/max = max(sum)   (the default entry)
 *   scale: y = 2 * x, through its 16-byte workspace
 *   dynamic: described with a symbolic dim, which the runtime cannot run yet */
#include <stddef.h>
#include <string.h>

/** A generated run function. */
typedef void (*fake_run_fn)(void **buffers);

/** Signature of the fake model. */
const char *kiln_entry_signature(void) {
  return "kiln-model 3\n"
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
void kiln_run_infer(void **buffers) {
  const float *a = (const float *)buffers[0];
  const float *b = (const float *)buffers[1];
  float *sum = (float *)buffers[2];
  float *max = (float *)buffers[3];
  size_t i;
  for (i = 0; i < 6; ++i) sum[i] = a[i] + b[i];
  *max = sum[0];
  for (i = 1; i < 6; ++i)
    if (sum[i] > *max) *max = sum[i];
}

/** buffers: x, y, workspace. */
void kiln_run_scale(void **buffers) {
  const float *x = (const float *)buffers[0];
  float *y = (float *)buffers[1];
  float *scratch = (float *)buffers[2];
  size_t i;
  for (i = 0; i < 4; ++i) scratch[i] = 2.0f * x[i];
  memcpy(y, scratch, 4 * sizeof(float));
}

/** Never called: the runtime refuses entries with symbolic dims. */
void kiln_run_dynamic(void **buffers) { (void)buffers; }

/** The run functions in signature order, NULL-terminated. */
const fake_run_fn *kiln_entry_functions(void) {
  static const fake_run_fn functions[] = {kiln_run_infer, kiln_run_scale, kiln_run_dynamic, NULL};
  return functions;
}
