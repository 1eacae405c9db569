/* A model that calls back into the runtime, as generated code may: the symbol
 * kiln_parallel_for stays undefined here and is resolved from the host. */
#include "kiln_runtime.h"

/** Signature: y = 2 * x over 1000 elements; the input name decodes to "in put". */
const char *kiln_entry_signature(void) {
  return "kiln-model 4\nentry infer\ninput in%20put f32 [1000]\noutput y f32 [1000]";
}

struct fake_ctx {
  const float *x;
  float *y;
};

static void fake_body(int64_t begin, int64_t end, void *ctx) {
  struct fake_ctx *c = (struct fake_ctx *)ctx;
  int64_t i;
  for (i = begin; i < end; ++i) c->y[i] = 2.0f * c->x[i];
}

/** buffers: x, y. */
static int32_t run(void **buffers, int64_t *dims, const char **error) {
  struct fake_ctx c;
  (void)dims;
  (void)error;
  c.x = (const float *)buffers[0];
  c.y = (float *)buffers[1];
  kiln_parallel_for(1000, fake_body, &c);
  return 0;
}

/** One run function. */
const kiln_run_fn *kiln_entry_functions(void) {
  static const kiln_run_fn functions[] = {run, NULL};
  return functions;
}
