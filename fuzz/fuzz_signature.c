/* libFuzzer target: the parser of the "kiln-model 4" signature text that a
 * loaded artifact exports, reached before any of its code runs. */
#include "kiln_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  kiln_signature sig;
  /* The artifact returns a NUL-terminated string: the text ends at the first NUL. */
  char *text = (char *)malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  memset(&sig, 0, sizeof sig);
  kiln__signature_parse(text, "fuzz", &sig);
  kiln__signature_free(&sig);
  free(text);
  return 0;
}
