/* kiln-run MODEL.so [options]: runs a compiled model library; see kiln_cli_main(). */
#include "kiln_runtime.h"

#ifdef KILN_RUN_SAVE_ONNX
/* tools/kiln-run/SaveONNX.cpp: --train --save, with the ONNX library. */
int kiln_run_save_onnx(const kiln_trainer *trainer, const char *source, const char *out,
                       char *error, size_t error_size);
int kiln_run_check_save_onnx(const kiln_trainer *trainer, const char *source, const char *out,
                             char *error, size_t error_size);
#endif

/** Loads the model named by argv[1] and runs the CLI driver on the rest. */
int main(int argc, char **argv) {
  kiln_cli_hooks hooks = {0};
#ifdef KILN_RUN_SAVE_ONNX
  hooks.save_onnx = kiln_run_save_onnx;
  hooks.check_save_onnx = kiln_run_check_save_onnx;
#endif
  return kiln_cli_main_with(argc, argv, NULL, &hooks);
}
