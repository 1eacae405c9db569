/* A library that exports kiln_entry_functions but not the signature; it carries
 * the version marker, so it gets past the file check to the symbol lookup. */
#include <stdint.h>

/** The marker a compiled model's signature starts with, under another symbol. */
const char fake_stray_marker[] = "kiln-model 4\n";

/** A generated run function. */
typedef int32_t (*fake_run_fn)(void **buffers, int64_t *dims, const char **error);

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
