/* A stand-in for a compiled model: sum = a + b, stats/max = max(sum).
 * Built as a MODULE (like `cc -shared model.o -lm`) and linked into executables. */
#include <stddef.h>

/** Signature of the fake model. */
const char *kiln_entry_signature(void) {
  return "kiln-model 1\n"
         "input a f32 2x3\n"
         "input b f32 2x3\n"
         "output sum f32 2x3\n"
         "output stats/max f32 scalar\n";
}

/** buffers: a, b, sum, stats/max. */
void kiln_entry_run(void **buffers) {
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
