/* A library whose signature names a dtype the runtime does not know. */

/** Malformed signature: f16 on line 2. */
const char *kiln_entry_signature(void) { return "kiln-model 1\ninput x f16 4\noutput y f32 4\n"; }

/** Never called. */
void kiln_entry_run(void **buffers) { (void)buffers; }
