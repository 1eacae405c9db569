/* libFuzzer target: the artifact check kiln-run and kiln_model_load() make
 * before dlopen (ELF header, program and section header tables, segment and
 * section bounds, the signature marker). The input is a file's bytes; the
 * check only reads it, so nothing here is ever mapped or run. */
#include "kiln_runtime.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char path[4096];

static void remove_file(void) { remove(path); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FILE *f;
  if (!path[0]) {
    const char *tmp = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/kiln-fuzz-artifact-%ld.so", tmp && *tmp ? tmp : "/tmp",
             (long)getpid());
    atexit(remove_file);
  }
  f = fopen(path, "wb");
  if (!f) abort();
  if (size && fwrite(data, 1, size, f) != size) abort();
  fclose(f);
  (void)kiln_model_check_file(path);
  return 0;
}
