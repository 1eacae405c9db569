/* The fuzzer's input as a file, for targets whose entry point reads a path:
 * one file per process under $TMPDIR (or /tmp), rewritten for every input and
 * removed at exit. */
#ifndef KILN_FUZZ_INPUT_FILE_H
#define KILN_FUZZ_INPUT_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char kiln_fuzz_path[4096];

static void kiln_fuzz_remove_file(void) { remove(kiln_fuzz_path); }

/** Writes @p data to this process's input file (named with @p suffix the
 *  first time) and returns its path; aborts if the file cannot be written. */
static const char *kiln_fuzz_write_input(const char *suffix, const uint8_t *data, size_t size) {
  FILE *f;
  if (!kiln_fuzz_path[0]) {
    const char *tmp = getenv("TMPDIR");
    snprintf(kiln_fuzz_path, sizeof kiln_fuzz_path, "%s/kiln-fuzz-%ld%s",
             tmp && *tmp ? tmp : "/tmp", (long)getpid(), suffix);
    atexit(kiln_fuzz_remove_file);
  }
  f = fopen(kiln_fuzz_path, "wb");
  if (!f) abort();
  if (size && fwrite(data, 1, size, f) != size) abort();
  fclose(f);
  return kiln_fuzz_path;
}

#endif /* KILN_FUZZ_INPUT_FILE_H */
