/* Appends the checksum trailer kiln-compile writes (runtime/kiln_checksum.h)
 * to a library the tests link themselves (the fake models), so that the
 * runtime's check before dlopen accepts it: seal_artifact FILE... */
#include "kiln_checksum.h"

#include <stdio.h>

static int seal(const char *path) {
  unsigned char buf[1 << 16], trailer[KILN_CHECKSUM_TRAILER_SIZE];
  kiln_checksum_state state;
  size_t got;
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    return 1;
  }
  kiln_checksum_init(&state);
  while ((got = fread(buf, 1, sizeof buf, f)) > 0) kiln_checksum_update(&state, buf, got);
  if (ferror(f)) {
    perror(path);
    fclose(f);
    return 1;
  }
  fclose(f);
  kiln_checksum_trailer(&state, trailer);
  f = fopen(path, "ab");
  if (!f || fwrite(trailer, 1, sizeof trailer, f) != sizeof trailer || fclose(f) != 0) {
    perror(path);
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  int i, rc = 0;
  for (i = 1; i < argc; ++i) rc |= seal(argv[i]);
  return rc;
}
