/* A library that exports kiln_entry_functions but not the signature; it carries
 * the version marker, so it gets past the file check to the symbol lookup. */

/** The marker a compiled model's signature starts with, under another symbol. */
const char fake_stray_marker[] = "kiln-model 3\n";

/** A generated run function. */
typedef void (*fake_run_fn)(void **buffers);

/** Never called. */
static void run(void **buffers) { (void)buffers; }

/** One run function. */
const fake_run_fn *kiln_entry_functions(void) {
  static const fake_run_fn functions[] = {run, 0};
  return functions;
}
