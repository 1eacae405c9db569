/* A library whose signature names a dtype the runtime does not know. */
#include <stdint.h>

/** A generated run function. */
typedef int32_t (*fake_run_fn)(void **buffers, int64_t *dims, const char **error);

/** Malformed signature: c64 on line 3. */
const char *kiln_entry_signature(void) {
  return "kiln-model 4\nentry infer\ninput x c64 [4]\noutput y f32 [4]\n";
}

/** Never called. */
static int32_t run(void **buffers, int64_t *dims, const char **error) {
  (void)buffers;
  (void)dims;
  (void)error;
  return 0;
}

/** One run function. */
const fake_run_fn *kiln_entry_functions(void) {
  static const fake_run_fn functions[] = {run, 0};
  return functions;
}
