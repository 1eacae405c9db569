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

/* What one run needs besides its inputs and outputs: a workspace no other run
 * uses meanwhile. `lock` makes the runs of one context take turns. */
struct kiln_context {
  const kiln_model *model;
  void *workspace; /* 64-byte aligned, the model's workspace_bytes; NULL when 0 */
  pthread_mutex_t lock;
};

struct kiln_model {
  char *signature;
  void *library; /* dlopen handle, or NULL for a statically linked model */
  kiln_signature parsed;
  /* The largest entry's workspace: what every context allocates. */
  size_t workspace_bytes;
  /* The context of kiln_model_run and friends, made at load. */
  kiln_context default_context;
};

/* Allocates @p ctx's workspace for @p model; @p src names the model in messages. */
static kiln_status kiln_context_init(kiln_context *ctx, const kiln_model *model, const char *src) {
  ctx->model = NULL; /* set once the context is whole: kiln_context_fini looks at it */
  ctx->workspace = NULL;
  if (model->workspace_bytes) {
    /* 64-byte aligned, the alignment the planner assumes for every offset. */
    size_t bytes = (model->workspace_bytes + 63) / 64 * 64;
    if (bytes < model->workspace_bytes || posix_memalign(&ctx->workspace, 64, bytes) != 0) {
      ctx->workspace = NULL;
      return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: cannot allocate the %zu-byte workspace",
                        src, model->workspace_bytes);
    }
  }
  pthread_mutex_init(&ctx->lock, NULL);
  ctx->model = model;
  return KILN_OK;
}

static void kiln_context_fini(kiln_context *ctx) {
  if (!ctx->model) return;
  free(ctx->workspace);
  pthread_mutex_destroy(&ctx->lock);
  ctx->model = NULL;
}

void kiln_model_destroy(kiln_model *model) {
  if (!model) return;
  kiln_context_fini(&model->default_context);
  kiln__signature_free(&model->parsed);
  free(model->signature);
  if (model->library) dlclose(model->library);
  free(model);
}

kiln_status kiln_context_create(const kiln_model *model, kiln_context **out) {
  kiln_context *ctx;
  kiln_status st;
  if (!out) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_context_create: out is NULL");
  *out = NULL;
  if (!model) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_context_create: model is NULL");
  ctx = (kiln_context *)calloc(1, sizeof *ctx);
  if (!ctx) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "kiln_context_create: out of memory");
  st = kiln_context_init(ctx, model, "kiln_context_create");
  if (st != KILN_OK) {
    free(ctx);
    return st;
  }
  *out = ctx;
  return KILN_OK;
}

void kiln_context_destroy(kiln_context *context) {
  if (!context) return;
  kiln_context_fini(context);
  free(context);
}

/* Generated code in a model library may call back into the runtime. This
 * reference pulls those functions into every program that can load a model,
 * so that linking it with -rdynamic exports them to the library. */
void (*const kiln__model_callback_parallel_for)(int64_t, kiln_parallel_body, void *) =
    kiln_parallel_for;

/* ---- loading ------------------------------------------------------------- */

static kiln_status kiln_model_make(const char *text, const char *src, const kiln_run_fn *runs,
                                   void *library, kiln_model **out) {
  kiln_model *m;
  kiln_status st;
  size_t n_runs = 0, e;
  if (!text)
    return kiln__fail(KILN_ERROR_FORMAT, "%s: kiln_entry_signature returned NULL", src);
  if (!runs) return kiln__fail(KILN_ERROR_FORMAT, "%s: kiln_entry_functions returned NULL", src);
  m = (kiln_model *)calloc(1, sizeof *m);
  if (!m) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", src);
  m->signature = (char *)malloc(strlen(text) + 1);
  if (!m->signature) {
    free(m);
    return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", src);
  }
  strcpy(m->signature, text);
  st = kiln__signature_parse(m->signature, src, &m->parsed);
  while (st == KILN_OK && runs[n_runs]) ++n_runs;
  if (st == KILN_OK && n_runs != m->parsed.num_entries)
    st = kiln__fail(KILN_ERROR_FORMAT,
                    "%s: expects one run function per signature entry (%zu), found %zu", src,
                    m->parsed.num_entries, n_runs);
  for (e = 0; st == KILN_OK && e < m->parsed.num_entries; ++e) {
    m->parsed.entries[e].run = runs[e];
    if (m->parsed.entries[e].workspace_bytes > m->workspace_bytes)
      m->workspace_bytes = m->parsed.entries[e].workspace_bytes;
  }
  if (st == KILN_OK) st = kiln_context_init(&m->default_context, m, src);
  if (st != KILN_OK) {
    kiln_model_destroy(m); /* the caller still owns library */
    return st;
  }
  m->library = library;
  *out = m;
  return KILN_OK;
}

kiln_status kiln_model_from_functions(kiln_signature_fn signature_fn, const kiln_run_fn *run_fns,
                                      kiln_model **out) {
  if (!out)
    return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_model_from_functions: out is NULL");
  *out = NULL;
  if (!signature_fn || !run_fns)
    return kiln__fail(KILN_ERROR_INVALID_ARGUMENT,
                      "kiln_model_from_functions: signature_fn and run_fns must not be NULL");
  return kiln_model_make(signature_fn(), "model", run_fns, NULL, out);
}

kiln_status kiln_model_from_entry(kiln_signature_fn signature_fn, kiln_run_fn run_fn,
                                  kiln_model **out) {
  kiln_run_fn runs[2];
  if (!out) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_model_from_entry: out is NULL");
  *out = NULL;
  if (!signature_fn || !run_fn)
    return kiln__fail(KILN_ERROR_INVALID_ARGUMENT,
                      "kiln_model_from_entry: signature_fn and run_fn must not be NULL");
  runs[0] = run_fn;
  runs[1] = NULL;
  return kiln_model_make(signature_fn(), "model", runs, NULL, out);
}

kiln_status kiln_model_load(const char *path, kiln_model **out) {
  char *full;
  void *lib, *sig_sym, *fns_sym;
  kiln_signature_fn sig_fn;
  kiln_functions_fn fns_fn;
  kiln_status st;
  if (!out) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_model_load: out is NULL");
  *out = NULL;
  if (!path || !*path) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_model_load: empty path");
  /* dlopen maps what the headers say without checking it against the file. */
  st = kiln_model_check_file(path);
  if (st != KILN_OK) return st;
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
  fns_sym = dlsym(lib, "kiln_entry_functions");
  if (!sig_sym || !fns_sym) {
    dlclose(lib);
    return kiln__fail(KILN_ERROR_LOAD, "model '%s' does not export '%s' (not a Kiln model?)", path,
                      !sig_sym ? "kiln_entry_signature" : "kiln_entry_functions");
  }
  /* ISO C has no object-to-function pointer cast; POSIX guarantees the bytes match. */
  memcpy(&sig_fn, &sig_sym, sizeof sig_fn);
  memcpy(&fns_fn, &fns_sym, sizeof fns_fn);
  st = kiln_model_make(sig_fn(), path, fns_fn(), lib, out);
  if (st != KILN_OK) dlclose(lib);
  return st;
}

/* ---- entries ------------------------------------------------------------- */

const char *kiln_model_signature(const kiln_model *model) { return model ? model->signature : NULL; }

const kiln_signature *kiln__model_parsed(const kiln_model *model) {
  return model ? &model->parsed : NULL;
}

size_t kiln_model_num_entries(const kiln_model *model) {
  return model ? model->parsed.num_entries : 0;
}

const kiln_entry *kiln_model_entry_at(const kiln_model *model, size_t index) {
  return model && index < model->parsed.num_entries ? &model->parsed.entries[index] : NULL;
}

kiln_status kiln_model_find_entry(const kiln_model *model, const char *name,
                                  const kiln_entry **entry) {
  char encoded[KILN_NAME_TEXT];
  size_t i;
  if (!model || !name || !entry)
    return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_model_find_entry: NULL argument");
  *entry = NULL;
  for (i = 0; i < model->parsed.num_entries; ++i) {
    if (strcmp(model->parsed.entries[i].name, name) == 0) {
      *entry = &model->parsed.entries[i];
      return KILN_OK;
    }
  }
  kiln__percent_encode(encoded, sizeof encoded, name);
  return kiln__fail(KILN_ERROR_NOT_FOUND, "model has no entry named '%s'", encoded);
}

const char *kiln_entry_name(const kiln_entry *entry) { return entry ? entry->name : NULL; }

size_t kiln_entry_workspace_bytes(const kiln_entry *entry) {
  return entry ? entry->workspace_bytes : 0;
}

size_t kiln_entry_num_inputs(const kiln_entry *entry) { return entry ? entry->num_inputs : 0; }

size_t kiln_entry_num_outputs(const kiln_entry *entry) { return entry ? entry->num_outputs : 0; }

static const kiln_value *kiln_input_at(const kiln_entry *e, size_t i) {
  return e && i < e->num_inputs ? &e->inputs[i] : NULL;
}

static const kiln_value *kiln_output_at(const kiln_entry *e, size_t i) {
  return e && i < e->num_outputs ? &e->outputs[i] : NULL;
}

static const char *kiln_value_symbol(const kiln_value *v, size_t axis) {
  return v && v->symbols && axis < v->rank ? v->symbols[axis] : NULL;
}

const char *kiln_entry_input_name(const kiln_entry *entry, size_t index) {
  const kiln_value *v = kiln_input_at(entry, index);
  return v ? v->name : NULL;
}

kiln_dtype kiln_entry_input_dtype(const kiln_entry *entry, size_t index) {
  const kiln_value *v = kiln_input_at(entry, index);
  return v ? v->dtype : KILN_DTYPE_INVALID;
}

size_t kiln_entry_input_rank(const kiln_entry *entry, size_t index) {
  const kiln_value *v = kiln_input_at(entry, index);
  return v ? v->rank : 0;
}

const int64_t *kiln_entry_input_dims(const kiln_entry *entry, size_t index) {
  const kiln_value *v = kiln_input_at(entry, index);
  return v ? v->dims : NULL;
}

const char *kiln_entry_input_symbol(const kiln_entry *entry, size_t index, size_t axis) {
  return kiln_value_symbol(kiln_input_at(entry, index), axis);
}

const char *kiln_entry_output_name(const kiln_entry *entry, size_t index) {
  const kiln_value *v = kiln_output_at(entry, index);
  return v ? v->name : NULL;
}

kiln_dtype kiln_entry_output_dtype(const kiln_entry *entry, size_t index) {
  const kiln_value *v = kiln_output_at(entry, index);
  return v ? v->dtype : KILN_DTYPE_INVALID;
}

size_t kiln_entry_output_rank(const kiln_entry *entry, size_t index) {
  const kiln_value *v = kiln_output_at(entry, index);
  return v ? v->rank : 0;
}

const int64_t *kiln_entry_output_dims(const kiln_entry *entry, size_t index) {
  const kiln_value *v = kiln_output_at(entry, index);
  return v ? v->dims : NULL;
}

const char *kiln_entry_output_symbol(const kiln_entry *entry, size_t index, size_t axis) {
  return kiln_value_symbol(kiln_output_at(entry, index), axis);
}

static kiln_status kiln_find(const kiln_value *values, size_t n, const char *name,
                             const char *kind, size_t *index) {
  char encoded[KILN_NAME_TEXT];
  size_t i;
  if (!name || !index) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_entry_find_%s: NULL argument", kind);
  for (i = 0; i < n; ++i) {
    if (strcmp(values[i].name, name) == 0) {
      *index = i;
      return KILN_OK;
    }
  }
  kiln__percent_encode(encoded, sizeof encoded, name);
  return kiln__fail(KILN_ERROR_NOT_FOUND, "model has no %s named '%s'", kind, encoded);
}

kiln_status kiln_entry_find_input(const kiln_entry *entry, const char *name, size_t *index) {
  if (!entry) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_entry_find_input: entry is NULL");
  return kiln_find(entry->inputs, entry->num_inputs, name, "input", index);
}

kiln_status kiln_entry_find_output(const kiln_entry *entry, const char *name, size_t *index) {
  if (!entry) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_entry_find_output: entry is NULL");
  return kiln_find(entry->outputs, entry->num_outputs, name, "output", index);
}

/* ---- the default entry --------------------------------------------------- */

static const kiln_entry *kiln_default(const kiln_model *m) { return kiln_model_entry_at(m, 0); }

size_t kiln_model_workspace_bytes(const kiln_model *model) {
  return model ? model->workspace_bytes : 0;
}

size_t kiln_model_num_inputs(const kiln_model *model) {
  return kiln_entry_num_inputs(kiln_default(model));
}

size_t kiln_model_num_outputs(const kiln_model *model) {
  return kiln_entry_num_outputs(kiln_default(model));
}

const char *kiln_model_input_name(const kiln_model *model, size_t index) {
  return kiln_entry_input_name(kiln_default(model), index);
}

kiln_dtype kiln_model_input_dtype(const kiln_model *model, size_t index) {
  return kiln_entry_input_dtype(kiln_default(model), index);
}

size_t kiln_model_input_rank(const kiln_model *model, size_t index) {
  return kiln_entry_input_rank(kiln_default(model), index);
}

const int64_t *kiln_model_input_dims(const kiln_model *model, size_t index) {
  return kiln_entry_input_dims(kiln_default(model), index);
}

const char *kiln_model_output_name(const kiln_model *model, size_t index) {
  return kiln_entry_output_name(kiln_default(model), index);
}

kiln_dtype kiln_model_output_dtype(const kiln_model *model, size_t index) {
  return kiln_entry_output_dtype(kiln_default(model), index);
}

size_t kiln_model_output_rank(const kiln_model *model, size_t index) {
  return kiln_entry_output_rank(kiln_default(model), index);
}

const int64_t *kiln_model_output_dims(const kiln_model *model, size_t index) {
  return kiln_entry_output_dims(kiln_default(model), index);
}

kiln_status kiln_model_find_input(const kiln_model *model, const char *name, size_t *index) {
  if (!model) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_model_find_input: model is NULL");
  return kiln_entry_find_input(kiln_default(model), name, index);
}

kiln_status kiln_model_find_output(const kiln_model *model, const char *name, size_t *index) {
  if (!model) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_model_find_output: model is NULL");
  return kiln_entry_find_output(kiln_default(model), name, index);
}

/* ---- validation and running ---------------------------------------------- */

kiln_status kiln_entry_check_inputs(const kiln_entry *entry, const kiln_tensor *const *inputs,
                                    size_t n_inputs) {
  if (!entry) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_entry_check_inputs: entry is NULL");
  return kiln__entry_bind_inputs(entry, inputs, n_inputs, NULL, NULL);
}

kiln_status kiln_model_check_inputs(const kiln_model *model, const kiln_tensor *const *inputs,
                                    size_t n_inputs) {
  if (!model) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_model_check_inputs: model is NULL");
  return kiln_entry_check_inputs(kiln_default(model), inputs, n_inputs);
}

/* Checks that @p entry belongs to @p model and can run; @p fn names the caller. */
static kiln_status kiln_check_runnable(const kiln_model *model, const kiln_entry *entry,
                                       const char *fn) {
  if (!model) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "%s: model is NULL", fn);
  if (!entry || entry < model->parsed.entries ||
      entry >= model->parsed.entries + model->parsed.num_entries)
    return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "%s: entry is not one of the model's", fn);
  return KILN_OK;
}

/* Fails unless every dynamically shaped output whose dims the inputs fix
 * (@p values, -1 for symbols only the run gives) has a byte size that fits in
 * a size: the generated code must never be asked for a buffer whose size wraps. */
static kiln_status kiln_check_output_sizes(const kiln_entry *entry, const int64_t *values) {
  int64_t stack_dims[16];
  size_t i, d;
  kiln_status st = KILN_OK;
  for (i = 0; i < entry->num_outputs && st == KILN_OK; ++i) {
    const kiln_value *v = &entry->outputs[i];
    int64_t *dims = stack_dims;
    int known = 1;
    char what[KILN_NAME_TEXT + 64], name[KILN_NAME_TEXT];
    if (!v->symbols) continue;
    if (v->rank > sizeof stack_dims / sizeof stack_dims[0]) {
      dims = (int64_t *)malloc(v->rank * sizeof *dims);
      if (!dims) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "out of memory");
    }
    for (d = 0; d < v->rank; ++d) {
      dims[d] = v->symbols[d] ? values[kiln__entry_symbol_index(entry, v->symbols[d])] : v->dims[d];
      if (dims[d] < 0) known = 0;
    }
    if (known) {
      kiln__percent_encode(name, sizeof name, v->name);
      snprintf(what, sizeof what, "entry '%s': output '%s'", entry->name, name);
      st = kiln__shape_size(v->dtype, v->rank, dims, what, NULL, NULL);
    }
    if (dims != stack_dims) free(dims);
  }
  return st;
}

/* The status of a failed run from the generated code's message: status 1
 * carries no kind, but kiln-entry-checks-to-errors' allocation checks end
 * their messages in fixed text (docs/model-abi.md), so an allocation that
 * failed or would pass 2^62 bytes is KILN_ERROR_OUT_OF_MEMORY. Every other
 * check (dims, shapes, index and target values) stays a shape mismatch. */
static kiln_status kiln_run_error_status(const char *error) {
  static const char *const oom[] = {": out of memory", ": its size is over 2^62 bytes"};
  size_t n = error ? strlen(error) : 0, i;
  for (i = 0; i < sizeof oom / sizeof oom[0]; ++i) {
    size_t k = strlen(oom[i]);
    if (n >= k && strcmp(error + n - k, oom[i]) == 0) return KILN_ERROR_OUT_OF_MEMORY;
  }
  return KILN_ERROR_SHAPE_MISMATCH;
}

/* Runs @p entry on @p ctx after checking everything (ABI v3, docs/model-abi.md).
 * With @p made NULL, @p outputs are the caller's: a dynamically shaped output is
 * handed over by the generated code, checked against the caller's shape and
 * copied in. Otherwise @p made is @p outputs, where kiln_run made the statically
 * shaped outputs and left the others NULL: those take over the buffers handed over. */
static kiln_status kiln_run_impl(kiln_context *ctx, const kiln_entry *entry,
                                 const kiln_tensor *const *inputs, size_t n_inputs,
                                 kiln_tensor *const *outputs, kiln_tensor **made,
                                 size_t n_outputs, const char *fn) {
  void *stack_buffers[16];
  int64_t stack_dims[64];
  void **buffers = stack_buffers;
  int64_t stack_values[16];
  int64_t *values = stack_values;
  int64_t *dims = stack_dims;
  const char *error = NULL;
  size_t i, n, num_dims = 0, at;
  int32_t rc;
  kiln_status st;
  if (!ctx) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "%s: context is NULL", fn);
  st = kiln_check_runnable(ctx->model, entry, fn);
  if (st != KILN_OK) return st;
  /* Each symbol's value from the inputs: what the caller's outputs must have,
   * and what the run's output dims are checked against. */
  if (entry->num_symbols > sizeof stack_values / sizeof stack_values[0]) {
    values = (int64_t *)malloc(entry->num_symbols * sizeof *values);
    if (!values) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", fn);
  }
  st = kiln__entry_bind_inputs(entry, inputs, n_inputs, NULL, values);
  if (st == KILN_OK && !made)
    st = kiln__entry_check_caller_outputs(entry, values, (const kiln_tensor *const *)outputs,
                                          n_outputs);
  if (st == KILN_OK) st = kiln_check_output_sizes(entry, values);
  if (st != KILN_OK) {
    if (values != stack_values) free(values);
    return st;
  }
  n = n_inputs + n_outputs + (entry->workspace_bytes ? 1 : 0);
  for (i = 0; i < n_inputs; ++i) num_dims += entry->inputs[i].rank;
  for (i = 0; i < n_outputs; ++i) num_dims += entry->outputs[i].rank;
  if (n > sizeof stack_buffers / sizeof stack_buffers[0])
    buffers = (void **)malloc(n * sizeof(void *));
  if (num_dims > sizeof stack_dims / sizeof stack_dims[0])
    dims = (int64_t *)malloc(num_dims * sizeof(int64_t));
  if (!buffers || !dims) {
    st = kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", fn);
    goto done;
  }
  for (i = 0, at = 0; i < n_inputs; at += entry->inputs[i].rank, ++i) {
    buffers[i] = kiln_tensor_data(inputs[i]);
    if (entry->inputs[i].rank)
      memcpy(dims + at, kiln_tensor_dims(inputs[i]), entry->inputs[i].rank * sizeof(int64_t));
  }
  /* A dynamically shaped output's slot starts NULL; the code stores the
   * malloc'd buffer it hands over there. */
  for (i = 0; i < n_outputs; ++i)
    buffers[n_inputs + i] = entry->outputs[i].symbols ? NULL : kiln_tensor_data(outputs[i]);
  if (entry->workspace_bytes) buffers[n_inputs + n_outputs] = ctx->workspace;
  /* Generated code keeps no state of its own: the workspace is the only memory
   * two runs could share, so runs on different contexts need no lock. */
  pthread_mutex_lock(&ctx->lock);
  rc = entry->run(buffers, dims, &error);
  pthread_mutex_unlock(&ctx->lock);
  if (rc != 0) {
    st = kiln__fail(kiln_run_error_status(error), "entry '%s': %s", entry->name,
                    error ? error : "the run failed without a message");
    goto done;
  }
  /* The output dims the code wrote must be the ones the inputs imply before
   * any buffer is wrapped in them. */
  st = kiln__entry_check_output_dims(entry, values, dims + at);
  for (i = 0; i < n_outputs; at += entry->outputs[i].rank, ++i) {
    const kiln_value *v = &entry->outputs[i];
    void **slot = &buffers[n_inputs + i];
    if (!v->symbols || st != KILN_OK) continue;
    if (made) {
      st = kiln__tensor_adopt(v->dtype, v->rank, dims + at, *slot, &made[i]);
      if (st == KILN_OK) *slot = NULL;
    } else if (v->rank && memcmp(kiln_tensor_dims(outputs[i]), dims + at,
                                 v->rank * sizeof(int64_t)) != 0) {
      char want[64], got[64];
      kiln__format_dims(want, sizeof want, v->rank, kiln_tensor_dims(outputs[i]));
      kiln__format_dims(got, sizeof got, v->rank, dims + at);
      st = kiln__fail(KILN_ERROR_SHAPE_MISMATCH, "output '%s': expected shape %s, got %s",
                      v->name, want, got);
    } else if (kiln_tensor_byte_size(outputs[i])) {
      memcpy(kiln_tensor_data(outputs[i]), *slot, kiln_tensor_byte_size(outputs[i]));
    }
  }
done:
  /* Buffers handed over and not taken over are ours to free (all of them on
   * failure: the generated code leaves NULL or a malloc'd buffer). */
  if (buffers)
    for (i = 0; i < n_outputs; ++i)
      if (entry->outputs[i].symbols) free(buffers[n_inputs + i]);
  if (buffers != stack_buffers) free(buffers);
  if (dims != stack_dims) free(dims);
  if (values != stack_values) free(values);
  return st;
}

/* Runs @p entry on @p ctx into caller-provided outputs, after checking everything. */
static kiln_status kiln_run_into(kiln_context *ctx, const kiln_entry *entry,
                                 const kiln_tensor *const *inputs, size_t n_inputs,
                                 kiln_tensor *const *outputs, size_t n_outputs, const char *fn) {
  return kiln_run_impl(ctx, entry, inputs, n_inputs, outputs, NULL, n_outputs, fn);
}

/* Like kiln_run_into, into new output tensors; every outputs[i] is NULL on failure. */
static kiln_status kiln_run(kiln_context *ctx, const kiln_entry *entry,
                            const kiln_tensor *const *inputs, size_t n_inputs,
                            kiln_tensor **outputs, size_t n_outputs, const char *fn) {
  size_t i;
  kiln_status st;
  if (n_outputs && !outputs)
    return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "%s: outputs array is NULL", fn);
  for (i = 0; i < n_outputs; ++i) outputs[i] = NULL;
  if (!ctx) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "%s: context is NULL", fn);
  st = kiln_check_runnable(ctx->model, entry, fn);
  if (st != KILN_OK) return st;
  st = kiln__entry_bind_inputs(entry, inputs, n_inputs, NULL, NULL);
  if (st != KILN_OK) return st;
  if (n_outputs != entry->num_outputs)
    return kiln__fail(KILN_ERROR_COUNT_MISMATCH, "expected %zu outputs, got %zu",
                      entry->num_outputs, n_outputs);
  for (i = 0; i < n_outputs && st == KILN_OK; ++i) {
    const kiln_value *v = &entry->outputs[i];
    /* Dynamically shaped outputs are made from what the run hands over. */
    if (!v->symbols) st = kiln_tensor_create(v->dtype, v->rank, v->dims, &outputs[i]);
  }
  if (st == KILN_OK) st = kiln_run_impl(ctx, entry, inputs, n_inputs, outputs, outputs, n_outputs, fn);
  if (st != KILN_OK) {
    for (i = 0; i < n_outputs; ++i) {
      kiln_tensor_destroy(outputs[i]);
      outputs[i] = NULL;
    }
  }
  return st;
}

kiln_status kiln_model_run_entry_into(kiln_model *model, const kiln_entry *entry,
                                      const kiln_tensor *const *inputs, size_t n_inputs,
                                      kiln_tensor *const *outputs, size_t n_outputs) {
  if (!model) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_model_run: model is NULL");
  return kiln_run_into(&model->default_context, entry, inputs, n_inputs, outputs, n_outputs,
                       "kiln_model_run");
}

kiln_status kiln_model_run_entry(kiln_model *model, const kiln_entry *entry,
                                 const kiln_tensor *const *inputs, size_t n_inputs,
                                 kiln_tensor **outputs, size_t n_outputs) {
  size_t i;
  if (!model) {
    for (i = 0; outputs && i < n_outputs; ++i) outputs[i] = NULL;
    return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_model_run: model is NULL");
  }
  return kiln_run(&model->default_context, entry, inputs, n_inputs, outputs, n_outputs,
                  "kiln_model_run");
}

kiln_status kiln_model_run_into(kiln_model *model, const kiln_tensor *const *inputs,
                                size_t n_inputs, kiln_tensor *const *outputs, size_t n_outputs) {
  return kiln_model_run_entry_into(model, kiln_default(model), inputs, n_inputs, outputs,
                                   n_outputs);
}

kiln_status kiln_model_run(kiln_model *model, const kiln_tensor *const *inputs, size_t n_inputs,
                           kiln_tensor **outputs, size_t n_outputs) {
  return kiln_model_run_entry(model, kiln_default(model), inputs, n_inputs, outputs, n_outputs);
}

/* ---- contexts ------------------------------------------------------------- */

kiln_status kiln_context_run_entry_into(kiln_context *context, const kiln_entry *entry,
                                        const kiln_tensor *const *inputs, size_t n_inputs,
                                        kiln_tensor *const *outputs, size_t n_outputs) {
  return kiln_run_into(context, entry, inputs, n_inputs, outputs, n_outputs, "kiln_context_run");
}

kiln_status kiln_context_run_entry(kiln_context *context, const kiln_entry *entry,
                                   const kiln_tensor *const *inputs, size_t n_inputs,
                                   kiln_tensor **outputs, size_t n_outputs) {
  return kiln_run(context, entry, inputs, n_inputs, outputs, n_outputs, "kiln_context_run");
}

kiln_status kiln_context_run_into(kiln_context *context, const kiln_tensor *const *inputs,
                                  size_t n_inputs, kiln_tensor *const *outputs, size_t n_outputs) {
  return kiln_run_into(context, context ? kiln_default(context->model) : NULL, inputs, n_inputs,
                       outputs, n_outputs, "kiln_context_run");
}

kiln_status kiln_context_run(kiln_context *context, const kiln_tensor *const *inputs,
                             size_t n_inputs, kiln_tensor **outputs, size_t n_outputs) {
  return kiln_run(context, context ? kiln_default(context->model) : NULL, inputs, n_inputs,
                  outputs, n_outputs, "kiln_context_run");
}
