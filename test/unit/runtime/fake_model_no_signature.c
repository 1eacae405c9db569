/* A library that exports kiln_entry_functions but not the signature. */

/** A generated run function. */
typedef void (*fake_run_fn)(void **buffers);

/** Never called. */
static void run(void **buffers) { (void)buffers; }

/** One run function. */
const fake_run_fn *kiln_entry_functions(void) {
  static const fake_run_fn functions[] = {run, 0};
  return functions;
}
