/* A stand-in for a compiled model with symbolic dims, written against ABI v3
 * (docs/model-abi.md): the run function gets the dims of its inputs and
 * writes those of its outputs, and allocates outputs with a symbolic dim.
 *   pair: z = 2 * x; k = the positions where y is not 0 (K known after the run)
 * N is bounded by 4. */
#include <stdint.h>
#include <stdlib.h>

/** A generated run function, ABI v3. */
typedef int32_t (*fake_run_fn)(void **buffers, int64_t *dims, const char **error);

/** Signature of the fake model. */
const char *kiln_entry_signature(void) {
  return "kiln-model 4\n"
         "entry pair\n"
         "bound N 4\n"
         "input x f32 [N,3]\n"
         "input y i64 [N]\n"
         "output z f32 [N,3]\n"
         "output k i64 [K]\n";
}

/** buffers: x, y, then z and k (NULL on entry; malloc'd here); dims: x[2], y[1], z[2], k[1]. */
int32_t kiln_run_pair(void **buffers, int64_t *dims, const char **error) {
  const float *x = (const float *)buffers[0];
  const int64_t *y = (const int64_t *)buffers[1];
  int64_t n = dims[0], i, count = 0;
  float *z = (float *)malloc((size_t)(n * 3 > 0 ? n * 3 : 1) * sizeof(float));
  int64_t *k = (int64_t *)malloc((size_t)(n > 0 ? n : 1) * sizeof(int64_t));
  if (!z || !k) {
    free(z);
    free(k);
    *error = "node 'pair': out of memory";
    return 1;
  }
  for (i = 0; i < n * 3; ++i) z[i] = 2.0f * x[i];
  for (i = 0; i < n; ++i)
    if (y[i] != 0) k[count++] = i;
  buffers[2] = z;
  buffers[3] = k;
  dims[3] = n;
  dims[4] = 3;
  dims[5] = count;
  return 0;
}

/** The run functions in signature order, NULL-terminated. */
const fake_run_fn *kiln_entry_functions(void) {
  static const fake_run_fn functions[] = {kiln_run_pair, NULL};
  return functions;
}
