/* libFuzzer target: the .npy reader, from memory and from a file (the two
 * entry points share the header parser but read the data differently). */
#include "kiln_runtime.h"

#include "fuzz_input_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  kiln_tensor *t = NULL;
  if (kiln_npy_read_memory(data, size, &t) == KILN_OK) kiln_tensor_destroy(t);
  t = NULL;
  if (kiln_npy_read(kiln_fuzz_write_input("-npy.npy", data, size), &t) == KILN_OK)
    kiln_tensor_destroy(t);
  return 0;
}
