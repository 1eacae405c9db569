/* A library whose signature names a dtype the runtime does not know. */

/** A generated run function. */
typedef void (*fake_run_fn)(void **buffers);

/** Malformed signature: f16 on line 3. */
const char *kiln_entry_signature(void) {
  return "kiln-model 3\nentry infer\ninput x f16 [4]\noutput y f32 [4]\n";
}

/** Never called. */
static void run(void **buffers) { (void)buffers; }

/** One run function. */
const fake_run_fn *kiln_entry_functions(void) {
  static const fake_run_fn functions[] = {run, 0};
  return functions;
}
