/* Minimal use of the Kiln C API: load a compiled model, pick an entry point,
 * feed it .npy inputs, run it once and print each output's name, shape and argmax.
 *
 *   kiln-c-example MODEL.so [--entry NAME] NAME=FILE.npy [NAME=FILE.npy ...]
 */
#include "kiln_runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Element i of t as a double, whatever its dtype (enough for an argmax). */
static double value_at(const kiln_tensor *t, size_t i) {
  const void *d = kiln_tensor_data(t);
  switch (kiln_tensor_dtype(t)) {
  case KILN_DTYPE_F32: return ((const float *)d)[i];
  case KILN_DTYPE_F64: return ((const double *)d)[i];
  case KILN_DTYPE_I8: return ((const int8_t *)d)[i];
  case KILN_DTYPE_I16: return ((const int16_t *)d)[i];
  case KILN_DTYPE_I32: return ((const int32_t *)d)[i];
  case KILN_DTYPE_I64: return (double)((const int64_t *)d)[i];
  case KILN_DTYPE_U8: return ((const uint8_t *)d)[i];
  case KILN_DTYPE_U16: return ((const uint16_t *)d)[i];
  case KILN_DTYPE_U32: return ((const uint32_t *)d)[i];
  case KILN_DTYPE_U64: return (double)((const uint64_t *)d)[i];
  case KILN_DTYPE_BOOL: return ((const uint8_t *)d)[i];
  default: return 0;
  }
}

static int fail(const char *what) {
  fprintf(stderr, "kiln-c-example: %s: %s\n", what, kiln_last_error());
  return 1;
}

int main(int argc, char **argv) {
  kiln_model *model = NULL;
  const kiln_entry *entry; /* owned by the model */
  kiln_tensor **inputs = NULL, **outputs = NULL;
  size_t n_in = 0, n_out = 0, i, k;
  int a = 2, rc = 1;

  if (argc < 2) {
    fprintf(stderr, "usage: %s MODEL.so [--entry NAME] NAME=FILE.npy [NAME=FILE.npy ...]\n",
            argv[0]);
    return 2;
  }
  if (kiln_model_load(argv[1], &model) != KILN_OK) return fail("load");
  /* An artifact may hold several entry points; the first is the default. */
  entry = kiln_model_entry_at(model, 0);
  if (argc > 3 && strcmp(argv[2], "--entry") == 0) {
    if (kiln_model_find_entry(model, argv[3], &entry) != KILN_OK) {
      fail("entry");
      goto done;
    }
    a = 4;
  }
  n_in = kiln_entry_num_inputs(entry);
  n_out = kiln_entry_num_outputs(entry);
  inputs = calloc(n_in + 1, sizeof *inputs);   /* owned: one tensor per input */
  outputs = calloc(n_out + 1, sizeof *outputs); /* filled by kiln_model_run_entry */
  if (!inputs || !outputs) goto done;

  for (; a < argc; ++a) {
    char *eq = strchr(argv[a], '=');
    size_t index;
    if (!eq) {
      fprintf(stderr, "kiln-c-example: expected NAME=FILE.npy, got '%s'\n", argv[a]);
      goto done;
    }
    *eq = '\0';
    if (kiln_entry_find_input(entry, argv[a], &index) != KILN_OK) {
      fail("input");
      goto done;
    }
    kiln_tensor_destroy(inputs[index]);
    inputs[index] = NULL;
    if (kiln_npy_read(eq + 1, &inputs[index]) != KILN_OK) {
      fail(argv[a]);
      goto done;
    }
  }

  /* Running checks every input (present, dtype, shape) before anything runs. */
  if (kiln_model_run_entry(model, entry, (const kiln_tensor *const *)inputs, n_in, outputs,
                           n_out) != KILN_OK) {
    fail("run");
    goto done;
  }

  for (i = 0; i < n_out; ++i) {
    const kiln_tensor *t = outputs[i];
    size_t n = kiln_tensor_num_elements(t), best = 0;
    printf("%s shape=[", kiln_entry_output_name(entry, i));
    for (k = 0; k < kiln_tensor_rank(t); ++k)
      printf("%s%lld", k ? "x" : "", (long long)kiln_tensor_dims(t)[k]);
    for (k = 1; k < n; ++k)
      if (value_at(t, k) > value_at(t, best)) best = k;
    if (n)
      printf("] argmax=%zu\n", best);
    else
      printf("] argmax=none\n");
  }
  rc = 0;

done:
  for (i = 0; inputs && i < n_in; ++i) kiln_tensor_destroy(inputs[i]);
  for (i = 0; outputs && i < n_out; ++i) kiln_tensor_destroy(outputs[i]);
  free(inputs);
  free(outputs);
  kiln_model_destroy(model);
  return rc;
}
