/* main() of a standalone model executable: the compiler links the model object,
 * this file and the runtime into one program that takes kiln-run's options. */
#include "kiln_runtime.h"

#include <stdio.h>

/** Returns the model's signature text; defined by the compiled model object. */
extern const char *kiln_entry_signature(void);

/** Returns the model's run functions, one per entry, NULL-terminated; defined by the model object. */
extern const kiln_run_fn *kiln_entry_functions(void);

/** Builds the model from the linked-in entry points and hands over to the CLI driver. */
int main(int argc, char **argv) {
  kiln_model *model = NULL;
  int rc;
  if (kiln_model_from_functions(kiln_entry_signature, kiln_entry_functions(), &model) != KILN_OK) {
    fprintf(stderr, "%s: %s\n", argc > 0 ? argv[0] : "model", kiln_last_error());
    return KILN_CLI_EXIT_FAILURE;
  }
  rc = kiln_cli_main(argc, argv, model);
  kiln_model_destroy(model);
  return rc;
}
