/* libFuzzer target: the .npy reader, from memory and from a file (the two
 * entry points share the header parser but read the data differently). */
#include "kiln_runtime.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char path[4096];

static void remove_file(void) { remove(path); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  kiln_tensor *t = NULL;
  FILE *f;
  if (kiln_npy_read_memory(data, size, &t) == KILN_OK) kiln_tensor_destroy(t);
  t = NULL;
  if (!path[0]) {
    const char *tmp = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/kiln-fuzz-npy-%ld.npy", tmp && *tmp ? tmp : "/tmp",
             (long)getpid());
    atexit(remove_file);
  }
  f = fopen(path, "wb");
  if (!f) abort();
  if (size && fwrite(data, 1, size, f) != size) abort();
  fclose(f);
  if (kiln_npy_read(path, &t) == KILN_OK) kiln_tensor_destroy(t);
  return 0;
}
