/* kiln-run MODEL.so [options]: runs a compiled model library; see kiln_cli_main(). */
#include "kiln_runtime.h"

/** Loads the model named by argv[1] and runs the CLI driver on the rest. */
int main(int argc, char **argv) { return kiln_cli_main(argc, argv, NULL); }
