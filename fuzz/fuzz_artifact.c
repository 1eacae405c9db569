/* libFuzzer target: the artifact check kiln-run and kiln_model_load() make
 * before dlopen (ELF header, program and section header tables, segment and
 * section bounds, the signature marker, the checksum trailer). The input is
 * a file's bytes; the check only reads it, so nothing here is ever mapped or
 * run. A mutated seed now fails the checksum after the structural checks
 * (which the fuzzer still reaches); the hash itself reads every byte once. */
#include "kiln_runtime.h"

#include "fuzz_input_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  (void)kiln_model_check_file(kiln_fuzz_write_input("-artifact.so", data, size));
  return 0;
}
