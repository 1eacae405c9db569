/* A library that exports the signature but not kiln_entry_functions. */

/** Signature of a model whose run functions are missing. */
const char *kiln_entry_signature(void) { return "kiln-model 4\nentry infer\noutput y f32 [1]\n"; }
