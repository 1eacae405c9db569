/* main() of a standalone model executable: the compiler links the model object,
 * this file and the runtime into one program that takes kiln-run's options. */
#include "kiln_runtime.h"

#include <stdio.h>

/** Returns the model's signature text; defined by the compiled model object. */
extern const char *kiln_entry_signature(void);

/** Runs the model on inputs-then-outputs buffers; defined by the compiled model object. */
extern void kiln_entry_run(void **buffers);

/** Builds the model from the linked-in entry points and hands over to the CLI driver. */
int main(int argc, char **argv) {
  kiln_model *model = NULL;
  int rc;
  if (kiln_model_from_entry(kiln_entry_signature, kiln_entry_run, &model) != KILN_OK) {
    fprintf(stderr, "%s: %s\n", argc > 0 ? argv[0] : "model", kiln_last_error());
    return KILN_CLI_EXIT_FAILURE;
  }
  rc = kiln_cli_main(argc, argv, model);
  kiln_model_destroy(model);
  return rc;
}
