/* Compiled models: loading, signature parsing, input validation and running. */
#define _POSIX_C_SOURCE 200809L
#include "kiln_internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for a percent-encoded name in messages; longer names are cut. */
#define KILN_NAME_TEXT 256
/* Room for "1x3x224x224"-style dims in messages. */
#define KILN_DIMS_TEXT 256

typedef struct {
  char *name; /* decoded */
  kiln_dtype dtype;
  size_t rank;
  int64_t *dims; /* at least one slot */
} kiln_model_value;

struct kiln_model {
  char *signature;
  void *library; /* dlopen handle, or NULL for a statically linked model */
  kiln_run_fn run;
  kiln_model_value *inputs;
  size_t num_inputs;
  kiln_model_value *outputs;
  size_t num_outputs;
  /* The planned intermediate buffers ('workspace BYTES'), allocated once and
   * passed after the outputs; `run_lock` serializes runs that share it. */
  size_t workspace_bytes;
  int has_workspace;
  void *workspace;
  pthread_mutex_t run_lock;
};

static void kiln_model_free_values(kiln_model_value *values, size_t n) {
  size_t i;
  for (i = 0; i < n; ++i) {
    free(values[i].name);
    free(values[i].dims);
  }
  free(values);
}

void kiln_model_destroy(kiln_model *model) {
  if (!model) return;
  kiln_model_free_values(model->inputs, model->num_inputs);
  kiln_model_free_values(model->outputs, model->num_outputs);
  free(model->signature);
  free(model->workspace);
  pthread_mutex_destroy(&model->run_lock);
  if (model->library) dlclose(model->library);
  free(model);
}

/* Generated code in a model library may call back into the runtime. This
 * reference pulls those functions into every program that can load a model,
 * so that linking it with -rdynamic exports them to the library. */
void (*const kiln__model_callback_parallel_for)(int64_t, kiln_parallel_body, void *) =
    kiln_parallel_for;

/* ---- signature parsing --------------------------------------------------- */

static int kiln_hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/* Decodes a percent-encoded name; fails on raw bytes the encoder would have escaped. */
static kiln_status kiln_decode_name(const char *token, const char *src, size_t line, char **out) {
  size_t n = strlen(token), i, k = 0;
  char *name = (char *)malloc(n + 1);
  if (!name) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", src);
  for (i = 0; i < n; ++i) {
    unsigned char c = (unsigned char)token[i];
    if (c == '%') {
      /* The terminating NUL is not a hex digit, so this never reads past it. */
      int hi = kiln_hex_value(token[i + 1]);
      int lo = hi >= 0 ? kiln_hex_value(token[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        free(name);
        return kiln__fail(KILN_ERROR_FORMAT,
                          "%s: signature line %zu: bad percent escape in name '%s' (expected %%XX)",
                          src, line, token);
      }
      c = (unsigned char)(hi * 16 + lo);
      if (c == 0) {
        free(name);
        return kiln__fail(KILN_ERROR_FORMAT, "%s: signature line %zu: name '%s' contains %%00", src,
                          line, token);
      }
      i += 2;
    } else if (c <= 0x20 || c >= 0x7f) {
      free(name);
      return kiln__fail(KILN_ERROR_FORMAT,
                        "%s: signature line %zu: name has an unescaped byte 0x%02X (expected %%%02X)",
                        src, line, c, c);
    }
    name[k++] = (char)c;
  }
  name[k] = '\0';
  *out = name;
  return KILN_OK;
}

static kiln_status kiln_parse_dims(const char *token, const char *src, size_t line,
                                   kiln_model_value *value) {
  size_t rank = 1, i;
  const char *p;
  if (strcmp(token, "scalar") == 0) {
    value->rank = 0;
    value->dims = (int64_t *)malloc(sizeof(int64_t));
    if (!value->dims) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", src);
    return KILN_OK;
  }
  for (p = token; *p; ++p)
    if (*p == 'x') ++rank;
  value->dims = (int64_t *)malloc(rank * sizeof(int64_t));
  if (!value->dims) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", src);
  p = token;
  for (i = 0; i < rank; ++i) {
    int64_t v = 0;
    int digits = 0;
    while (*p >= '0' && *p <= '9') {
      int d = *p++ - '0';
      if (v > (INT64_MAX - d) / 10)
        return kiln__fail(KILN_ERROR_FORMAT, "%s: signature line %zu: dim too large in '%s'", src,
                          line, token);
      v = v * 10 + d;
      ++digits;
    }
    if (!digits || (*p != 'x' && *p != '\0'))
      return kiln__fail(KILN_ERROR_FORMAT,
                        "%s: signature line %zu: bad dims '%s' (expected e.g. 1x3x224x224 or scalar)",
                        src, line, token);
    value->dims[i] = v;
    if (*p == 'x') ++p;
  }
  value->rank = rank;
  return KILN_OK;
}

/* Appends one value to a growable array. */
static kiln_status kiln_push_value(kiln_model_value **values, size_t *n, size_t *cap,
                                   const char *src, kiln_model_value **slot) {
  if (*n == *cap) {
    size_t grown_cap = *cap ? 2 * *cap : 4;
    kiln_model_value *grown =
        (kiln_model_value *)realloc(*values, grown_cap * sizeof(kiln_model_value));
    if (!grown) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", src);
    *values = grown;
    *cap = grown_cap;
  }
  *slot = &(*values)[(*n)++];
  memset(*slot, 0, sizeof **slot);
  return KILN_OK;
}

/* Splits @p line (modified in place) on spaces and tabs into at most @p max tokens. */
static size_t kiln_split(char *line, char **tokens, size_t max) {
  size_t n = 0;
  char *p = line;
  for (;;) {
    while (*p == ' ' || *p == '\t') *p++ = '\0';
    if (!*p) return n;
    if (n < max) tokens[n] = p;
    ++n;
    while (*p && *p != ' ' && *p != '\t') ++p;
  }
}

static kiln_status kiln_parse_line(kiln_model *m, char *line, size_t lineno, const char *src,
                                   size_t *in_cap, size_t *out_cap) {
  char *tok[4];
  size_t n = kiln_split(line, tok, 4);
  kiln_model_value *v = NULL;
  kiln_model_value *others;
  size_t n_others, i;
  kiln_status st;
  int is_input;
  if (lineno == 1) {
    if (n < 1 || strcmp(tok[0], "kiln-model") != 0)
      return kiln__fail(KILN_ERROR_FORMAT,
                        "%s: signature line 1: expected 'kiln-model 1', not a Kiln signature", src);
    if (n != 2 || strcmp(tok[1], "1") != 0)
      return kiln__fail(KILN_ERROR_FORMAT,
                        "%s: signature line 1: unsupported signature version (expected 'kiln-model 1')",
                        src);
    return KILN_OK;
  }
  if (n > 0 && strcmp(tok[0], "workspace") == 0) {
    char *end = NULL;
    unsigned long long bytes;
    if (m->has_workspace)
      return kiln__fail(KILN_ERROR_FORMAT, "%s: signature line %zu: second 'workspace' line",
                        src, lineno);
    errno = 0;
    bytes = n == 2 && tok[1][0] >= '0' && tok[1][0] <= '9' ? strtoull(tok[1], &end, 10) : 0;
    if (n != 2 || !end || *end || errno || bytes > (unsigned long long)(SIZE_MAX / 2))
      return kiln__fail(KILN_ERROR_FORMAT,
                        "%s: signature line %zu: expected 'workspace BYTES'", src, lineno);
    m->has_workspace = 1;
    m->workspace_bytes = (size_t)bytes;
    return KILN_OK;
  }
  if (n == 0 || (strcmp(tok[0], "input") != 0 && strcmp(tok[0], "output") != 0))
    return kiln__fail(KILN_ERROR_FORMAT,
                      "%s: signature line %zu: expected 'input', 'output' or 'workspace'", src,
                      lineno);
  if (n != 4)
    return kiln__fail(KILN_ERROR_FORMAT,
                      "%s: signature line %zu: expected '%s NAME DTYPE DIMS', got %zu fields", src,
                      lineno, tok[0], n);
  is_input = tok[0][0] == 'i';
  st = is_input ? kiln_push_value(&m->inputs, &m->num_inputs, in_cap, src, &v)
                : kiln_push_value(&m->outputs, &m->num_outputs, out_cap, src, &v);
  if (st != KILN_OK) return st;
  st = kiln_decode_name(tok[1], src, lineno, &v->name);
  if (st != KILN_OK) return st;
  st = kiln_dtype_from_name(tok[2], &v->dtype);
  if (st != KILN_OK) return kiln__fail_prefix(st, "%s: signature line %zu: ", src, lineno);
  st = kiln_parse_dims(tok[3], src, lineno, v);
  if (st != KILN_OK) return st;
  st = kiln__shape_size(v->dtype, v->rank, v->dims, tok[1], NULL, NULL);
  if (st != KILN_OK) return kiln__fail_prefix(KILN_ERROR_FORMAT, "%s: signature line %zu: ", src, lineno);
  others = is_input ? m->inputs : m->outputs;
  n_others = (is_input ? m->num_inputs : m->num_outputs) - 1;
  for (i = 0; i < n_others; ++i)
    if (strcmp(others[i].name, v->name) == 0)
      return kiln__fail(KILN_ERROR_FORMAT, "%s: signature line %zu: duplicate %s name '%s'", src,
                        lineno, tok[0], tok[1]);
  return KILN_OK;
}

static kiln_status kiln_parse_signature(kiln_model *m, const char *src) {
  const char *p = m->signature;
  size_t lineno = 0, in_cap = 0, out_cap = 0;
  char *line;
  kiln_status st = KILN_OK;
  line = (char *)malloc(strlen(p) + 1);
  if (!line) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", src);
  while (*p) {
    const char *end = strchr(p, '\n');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    ++lineno;
    memcpy(line, p, len);
    line[len] = '\0';
    p += len + (end ? 1 : 0);
    if (len && line[len - 1] == '\r') line[--len] = '\0';
    if (len == 0) {
      /* Blank lines are allowed only at the end. */
      const char *rest = p;
      while (*rest == '\n' || *rest == '\r' || *rest == ' ' || *rest == '\t') ++rest;
      if (*rest || lineno == 1)
        st = kiln__fail(KILN_ERROR_FORMAT, "%s: signature line %zu: empty line", src, lineno);
      break;
    }
    st = kiln_parse_line(m, line, lineno, src, &in_cap, &out_cap);
    if (st != KILN_OK) break;
  }
  free(line);
  if (st == KILN_OK && lineno == 0)
    st = kiln__fail(KILN_ERROR_FORMAT, "%s: signature is empty (expected 'kiln-model 1')", src);
  return st;
}

static kiln_status kiln_model_make(const char *text, const char *src, kiln_run_fn run,
                                   void *library, kiln_model **out) {
  kiln_model *m;
  kiln_status st;
  if (!text)
    return kiln__fail(KILN_ERROR_FORMAT, "%s: kiln_entry_signature returned NULL", src);
  m = (kiln_model *)calloc(1, sizeof *m);
  if (!m) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", src);
  m->signature = (char *)malloc(strlen(text) + 1);
  if (!m->signature) {
    free(m);
    return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", src);
  }
  strcpy(m->signature, text);
  m->run = run;
  pthread_mutex_init(&m->run_lock, NULL);
  st = kiln_parse_signature(m, src);
  if (st == KILN_OK && m->has_workspace) {
    /* 64-byte aligned, the alignment the planner assumes for every offset. */
    size_t bytes = (m->workspace_bytes + 63) / 64 * 64;
    if (posix_memalign(&m->workspace, 64, bytes ? bytes : 64) != 0) {
      m->workspace = NULL;
      st = kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: cannot allocate the %zu-byte workspace",
                      src, m->workspace_bytes);
    }
  }
  if (st != KILN_OK) {
    kiln_model_destroy(m); /* the caller still owns library */
    return st;
  }
  m->library = library;
  *out = m;
  return KILN_OK;
}

kiln_status kiln_model_from_entry(kiln_signature_fn signature_fn, kiln_run_fn run_fn,
                                  kiln_model **out) {
  if (!out) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_model_from_entry: out is NULL");
  *out = NULL;
  if (!signature_fn || !run_fn)
    return kiln__fail(KILN_ERROR_INVALID_ARGUMENT,
                      "kiln_model_from_entry: signature_fn and run_fn must not be NULL");
  return kiln_model_make(signature_fn(), "model", run_fn, NULL, out);
}

kiln_status kiln_model_load(const char *path, kiln_model **out) {
  char *full;
  void *lib, *sig_sym, *run_sym;
  kiln_signature_fn sig_fn;
  kiln_run_fn run_fn;
  kiln_status st;
  if (!out) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_model_load: out is NULL");
  *out = NULL;
  if (!path || !*path) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_model_load: empty path");
  /* dlopen searches the library path for names without '/'; a user means the file here. */
  full = (char *)malloc(strlen(path) + 3);
  if (!full) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", path);
  sprintf(full, "%s%s", strchr(path, '/') ? "" : "./", path);
  dlerror();
  lib = dlopen(full, RTLD_NOW | RTLD_LOCAL);
  free(full);
  if (!lib) {
    const char *why = dlerror();
    return kiln__fail(KILN_ERROR_LOAD, "cannot load model '%s': %s", path, why ? why : "unknown error");
  }
  sig_sym = dlsym(lib, "kiln_entry_signature");
  run_sym = dlsym(lib, "kiln_entry_run");
  if (!sig_sym || !run_sym) {
    dlclose(lib);
    return kiln__fail(KILN_ERROR_LOAD, "model '%s' does not export '%s' (not a Kiln model?)", path,
                      !sig_sym ? "kiln_entry_signature" : "kiln_entry_run");
  }
  /* ISO C has no object-to-function pointer cast; POSIX guarantees the bytes match. */
  memcpy(&sig_fn, &sig_sym, sizeof sig_fn);
  memcpy(&run_fn, &run_sym, sizeof run_fn);
  st = kiln_model_make(sig_fn(), path, run_fn, lib, out);
  if (st != KILN_OK) dlclose(lib);
  return st;
}

/* ---- queries ------------------------------------------------------------- */

size_t kiln_model_workspace_bytes(const kiln_model *model) {
  return model ? model->workspace_bytes : 0;
}

const char *kiln_model_signature(const kiln_model *model) { return model ? model->signature : NULL; }

size_t kiln_model_num_inputs(const kiln_model *model) { return model ? model->num_inputs : 0; }

size_t kiln_model_num_outputs(const kiln_model *model) { return model ? model->num_outputs : 0; }

static const kiln_model_value *kiln_input_at(const kiln_model *m, size_t i) {
  return m && i < m->num_inputs ? &m->inputs[i] : NULL;
}

static const kiln_model_value *kiln_output_at(const kiln_model *m, size_t i) {
  return m && i < m->num_outputs ? &m->outputs[i] : NULL;
}

const char *kiln_model_input_name(const kiln_model *model, size_t index) {
  const kiln_model_value *v = kiln_input_at(model, index);
  return v ? v->name : NULL;
}

kiln_dtype kiln_model_input_dtype(const kiln_model *model, size_t index) {
  const kiln_model_value *v = kiln_input_at(model, index);
  return v ? v->dtype : KILN_DTYPE_INVALID;
}

size_t kiln_model_input_rank(const kiln_model *model, size_t index) {
  const kiln_model_value *v = kiln_input_at(model, index);
  return v ? v->rank : 0;
}

const int64_t *kiln_model_input_dims(const kiln_model *model, size_t index) {
  const kiln_model_value *v = kiln_input_at(model, index);
  return v ? v->dims : NULL;
}

const char *kiln_model_output_name(const kiln_model *model, size_t index) {
  const kiln_model_value *v = kiln_output_at(model, index);
  return v ? v->name : NULL;
}

kiln_dtype kiln_model_output_dtype(const kiln_model *model, size_t index) {
  const kiln_model_value *v = kiln_output_at(model, index);
  return v ? v->dtype : KILN_DTYPE_INVALID;
}

size_t kiln_model_output_rank(const kiln_model *model, size_t index) {
  const kiln_model_value *v = kiln_output_at(model, index);
  return v ? v->rank : 0;
}

const int64_t *kiln_model_output_dims(const kiln_model *model, size_t index) {
  const kiln_model_value *v = kiln_output_at(model, index);
  return v ? v->dims : NULL;
}

static kiln_status kiln_find(const kiln_model_value *values, size_t n, const char *name,
                             const char *kind, size_t *index) {
  char encoded[KILN_NAME_TEXT];
  size_t i;
  if (!name || !index) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_model_find_%s: NULL argument", kind);
  for (i = 0; i < n; ++i) {
    if (strcmp(values[i].name, name) == 0) {
      *index = i;
      return KILN_OK;
    }
  }
  kiln__percent_encode(encoded, sizeof encoded, name);
  return kiln__fail(KILN_ERROR_NOT_FOUND, "model has no %s named '%s'", kind, encoded);
}

kiln_status kiln_model_find_input(const kiln_model *model, const char *name, size_t *index) {
  if (!model) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_model_find_input: model is NULL");
  return kiln_find(model->inputs, model->num_inputs, name, "input", index);
}

kiln_status kiln_model_find_output(const kiln_model *model, const char *name, size_t *index) {
  if (!model) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_model_find_output: model is NULL");
  return kiln_find(model->outputs, model->num_outputs, name, "output", index);
}

/* ---- validation and running ---------------------------------------------- */

static kiln_status kiln_check_values(const kiln_model_value *values, size_t expected,
                                     const kiln_tensor *const *tensors, size_t n,
                                     const char *kind) {
  size_t i, d;
  if (n != expected)
    return kiln__fail(KILN_ERROR_COUNT_MISMATCH, "expected %zu %ss, got %zu", expected, kind, n);
  if (n && !tensors) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "%ss array is NULL", kind);
  for (i = 0; i < n; ++i) {
    const kiln_model_value *v = &values[i];
    const kiln_tensor *t = tensors[i];
    char name[KILN_NAME_TEXT];
    int same = 1;
    kiln__percent_encode(name, sizeof name, v->name);
    if (!t) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "%s '%s': tensor is NULL", kind, name);
    if (kiln_tensor_dtype(t) != v->dtype)
      return kiln__fail(KILN_ERROR_DTYPE_MISMATCH, "%s '%s': expected dtype %s, got %s", kind, name,
                        kiln_dtype_name(v->dtype), kiln_dtype_name(kiln_tensor_dtype(t)));
    if (kiln_tensor_rank(t) != v->rank) same = 0;
    for (d = 0; same && d < v->rank; ++d)
      if (kiln_tensor_dims(t)[d] != v->dims[d]) same = 0;
    if (!same) {
      char want[KILN_DIMS_TEXT], got[KILN_DIMS_TEXT];
      kiln__format_dims(want, sizeof want, v->rank, v->dims);
      kiln__format_dims(got, sizeof got, kiln_tensor_rank(t), kiln_tensor_dims(t));
      return kiln__fail(KILN_ERROR_SHAPE_MISMATCH, "%s '%s': expected shape %s, got %s", kind, name,
                        want, got);
    }
  }
  return KILN_OK;
}

kiln_status kiln_model_check_inputs(const kiln_model *model, const kiln_tensor *const *inputs,
                                    size_t n_inputs) {
  if (!model) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_model_check_inputs: model is NULL");
  return kiln_check_values(model->inputs, model->num_inputs, inputs, n_inputs, "input");
}

kiln_status kiln_model_run_into(kiln_model *model, const kiln_tensor *const *inputs,
                                size_t n_inputs, kiln_tensor *const *outputs, size_t n_outputs) {
  void *stack_buffers[16];
  void **buffers = stack_buffers;
  size_t i, n;
  kiln_status st;
  if (!model) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_model_run: model is NULL");
  st = kiln_check_values(model->inputs, model->num_inputs, inputs, n_inputs, "input");
  if (st != KILN_OK) return st;
  st = kiln_check_values(model->outputs, model->num_outputs, (const kiln_tensor *const *)outputs,
                         n_outputs, "output");
  if (st != KILN_OK) return st;
  n = n_inputs + n_outputs + (model->has_workspace ? 1 : 0);
  if (n > sizeof stack_buffers / sizeof stack_buffers[0]) {
    buffers = (void **)malloc(n * sizeof(void *));
    if (!buffers) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "kiln_model_run: out of memory");
  }
  for (i = 0; i < n_inputs; ++i) buffers[i] = kiln_tensor_data(inputs[i]);
  for (i = 0; i < n_outputs; ++i) buffers[n_inputs + i] = kiln_tensor_data(outputs[i]);
  if (model->has_workspace) buffers[n_inputs + n_outputs] = model->workspace;
  pthread_mutex_lock(&model->run_lock);
  model->run(buffers);
  pthread_mutex_unlock(&model->run_lock);
  if (buffers != stack_buffers) free(buffers);
  return KILN_OK;
}

kiln_status kiln_model_run(kiln_model *model, const kiln_tensor *const *inputs, size_t n_inputs,
                           kiln_tensor **outputs, size_t n_outputs) {
  size_t i;
  kiln_status st;
  if (!model) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_model_run: model is NULL");
  if (n_outputs && !outputs)
    return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_model_run: outputs array is NULL");
  for (i = 0; i < n_outputs; ++i) outputs[i] = NULL;
  st = kiln_check_values(model->inputs, model->num_inputs, inputs, n_inputs, "input");
  if (st != KILN_OK) return st;
  if (n_outputs != model->num_outputs)
    return kiln__fail(KILN_ERROR_COUNT_MISMATCH, "expected %zu outputs, got %zu",
                      model->num_outputs, n_outputs);
  for (i = 0; i < n_outputs && st == KILN_OK; ++i) {
    const kiln_model_value *v = &model->outputs[i];
    st = kiln_tensor_create(v->dtype, v->rank, v->dims, &outputs[i]);
  }
  if (st == KILN_OK) st = kiln_model_run_into(model, inputs, n_inputs, outputs, n_outputs);
  if (st != KILN_OK) {
    for (i = 0; i < n_outputs; ++i) {
      kiln_tensor_destroy(outputs[i]);
      outputs[i] = NULL;
    }
  }
  return st;
}
