/* A library that exports the signature but not kiln_entry_run. */

/** Signature of a model whose run symbol is missing. */
const char *kiln_entry_signature(void) { return "kiln-model 1\noutput y f32 1\n"; }
