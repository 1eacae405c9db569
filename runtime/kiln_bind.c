/* Symbolic dims at run time: the entry's symbols and bounds, and the binding of
 * every symbol to one value across a run's inputs, checked before anything runs. */
#include "kiln_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for a percent-encoded name in messages; longer names are cut. */
#define KILN_NAME_TEXT 256
/* Room for "1x3x224x224"-style dims in messages. */
#define KILN_DIMS_TEXT 256
/* Symbols bound without a heap allocation; entries rarely have more. */
#define KILN_STACK_SYMBOLS 16
/* The most elements a tensor may have (the importer's kMaxElements). */
#define KILN_MAX_INPUT_EXTENT (INT64_C(1) << 31)

void kiln__format_value_dims(char *buf, size_t size, const kiln_value *v) {
  size_t used = 0, i;
  if (size == 0) return;
  if (!v->symbols) {
    kiln__format_dims(buf, size, v->rank, v->dims);
    return;
  }
  buf[0] = '\0';
  for (i = 0; i < v->rank && used < size; ++i) {
    int k = v->symbols[i]
                ? snprintf(buf + used, size - used, "%s%s", i ? "x" : "", v->symbols[i])
                : snprintf(buf + used, size - used, "%s%lld", i ? "x" : "", (long long)v->dims[i]);
    if (k < 0) break;
    used += (size_t)k;
  }
}

size_t kiln_entry_num_symbols(const kiln_entry *entry) { return entry ? entry->num_symbols : 0; }

const char *kiln_entry_symbol_name(const kiln_entry *entry, size_t index) {
  return entry && index < entry->num_symbols ? entry->symbols[index].name : NULL;
}

int64_t kiln_entry_symbol_bound(const kiln_entry *entry, size_t index) {
  return entry && index < entry->num_symbols ? entry->symbols[index].bound : KILN_DIM_UNBOUNDED;
}

int kiln_entry_symbol_bound_by_inputs(const kiln_entry *entry, size_t index) {
  return entry && index < entry->num_symbols ? entry->symbols[index].bound_by_input : 0;
}

/* Checks one input's dtype, rank and static dims; @p name is its encoded name. */
static kiln_status kiln_check_static(const kiln_value *v, const kiln_tensor *t, const char *name) {
  size_t d;
  int same;
  if (!t) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "input '%s': tensor is NULL", name);
  if (kiln_tensor_dtype(t) != v->dtype)
    return kiln__fail(KILN_ERROR_DTYPE_MISMATCH, "input '%s': expected dtype %s, got %s", name,
                      kiln_dtype_name(v->dtype), kiln_dtype_name(kiln_tensor_dtype(t)));
  same = kiln_tensor_rank(t) == v->rank;
  for (d = 0; same && d < v->rank; ++d)
    if (!(v->symbols && v->symbols[d]) && kiln_tensor_dims(t)[d] != v->dims[d]) same = 0;
  if (!same) {
    char want[KILN_DIMS_TEXT], got[KILN_DIMS_TEXT];
    kiln__format_value_dims(want, sizeof want, v);
    kiln__format_dims(got, sizeof got, kiln_tensor_rank(t), kiln_tensor_dims(t));
    return kiln__fail(KILN_ERROR_SHAPE_MISMATCH, "input '%s': expected shape %s, got %s", name,
                      want, got);
  }
  return KILN_OK;
}

/* The generated loops run over every dim of a tensor, and a tensor with a 0
 * dim still has its other dims to run over: an empty [2^40, 0] input costs
 * 2^40 loop trips, not nothing. So an input's dims, with 0 counted as 1, are
 * held to the limit on a tensor's elements (docs/onnx-import.md): an empty
 * input then costs no more than a full one of the limit's size. */
static kiln_status kiln_check_extent(const kiln_tensor *t, const char *name) {
  const int64_t *dims = kiln_tensor_dims(t);
  size_t rank = kiln_tensor_rank(t), d;
  int64_t extent = 1;
  for (d = 0; d < rank; ++d) {
    int64_t size = dims[d] ? dims[d] : 1;
    if (size > KILN_MAX_INPUT_EXTENT / extent) {
      char got[KILN_DIMS_TEXT];
      kiln__format_dims(got, sizeof got, rank, dims);
      return kiln__fail(KILN_ERROR_SHAPE_MISMATCH,
                        "input '%s': expected dims whose product, counting a dim of 0 as 1, is "
                        "at most 2147483648 (2^31, the most elements a tensor may have; the "
                        "loops of an empty tensor still run over its other dims), got %s",
                        name, got);
    }
    extent *= size;
  }
  return KILN_OK;
}

kiln_status kiln__entry_bind_inputs(const struct kiln_entry *entry,
                                    const kiln_tensor *const *inputs, size_t n_inputs,
                                    int64_t *dims, int64_t *values) {
  int64_t stack_values[KILN_STACK_SYMBOLS];
  size_t stack_first[KILN_STACK_SYMBOLS];
  int64_t *bound = stack_values; /* each symbol's value so far; -1 until an input gives it */
  size_t *first = stack_first;   /* the input that gave it */
  size_t i, d, at = 0;
  kiln_status st = KILN_OK;
  if (n_inputs != entry->num_inputs)
    return kiln__fail(KILN_ERROR_COUNT_MISMATCH, "expected %zu inputs, got %zu", entry->num_inputs,
                      n_inputs);
  if (n_inputs && !inputs) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "inputs array is NULL");
  if (entry->num_symbols > KILN_STACK_SYMBOLS) {
    bound = (int64_t *)malloc(entry->num_symbols * sizeof *bound);
    first = (size_t *)malloc(entry->num_symbols * sizeof *first);
    if (!bound || !first) {
      free(bound == stack_values ? NULL : bound);
      free(first == stack_first ? NULL : first);
      return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "out of memory");
    }
  }
  for (i = 0; i < entry->num_symbols; ++i) bound[i] = -1;
  for (i = 0; i < n_inputs && st == KILN_OK; ++i) {
    const kiln_value *v = &entry->inputs[i];
    const kiln_tensor *t = inputs[i];
    char name[KILN_NAME_TEXT];
    kiln__percent_encode(name, sizeof name, v->name);
    st = kiln_check_static(v, t, name);
    if (st == KILN_OK) st = kiln_check_extent(t, name);
    if (st == KILN_OK) st = kiln__check_bool_bytes(t, KILN_ERROR_INVALID_ARGUMENT, "input", name);
    for (d = 0; st == KILN_OK && d < v->rank; ++d) {
      int64_t size = kiln_tensor_dims(t)[d];
      const char *symbol = v->symbols ? v->symbols[d] : NULL;
      size_t s;
      if (dims) dims[at + d] = size;
      if (!symbol) continue;
      s = kiln__entry_symbol_index(entry, symbol);
      if (bound[s] >= 0 && bound[s] != size) {
        char other[KILN_NAME_TEXT];
        kiln__percent_encode(other, sizeof other, entry->inputs[first[s]].name);
        st = kiln__fail(KILN_ERROR_SHAPE_MISMATCH,
                        "input '%s': expected dim %zu (%s) = %lld as in input '%s', got %lld", name,
                        d, symbol, (long long)bound[s], other, (long long)size);
      } else if (entry->symbols[s].bound != KILN_DIM_UNBOUNDED && size > entry->symbols[s].bound) {
        st = kiln__fail(KILN_ERROR_SHAPE_MISMATCH,
                        "input '%s': expected dim %zu (%s) <= %lld (its bound), got %lld", name, d,
                        symbol, (long long)entry->symbols[s].bound, (long long)size);
      } else if (bound[s] < 0) {
        bound[s] = size;
        first[s] = i;
      }
    }
    at += v->rank;
  }
  if (st == KILN_OK && values) memcpy(values, bound, entry->num_symbols * sizeof *values);
  if (bound != stack_values) free(bound);
  if (first != stack_first) free(first);
  return st;
}

kiln_status kiln_entry_output_shape(const kiln_entry *entry, const kiln_tensor *const *inputs,
                                    size_t n_inputs, size_t index, int64_t *dims) {
  int64_t stack_values[KILN_STACK_SYMBOLS];
  int64_t *values = stack_values;
  const kiln_value *v;
  size_t d;
  kiln_status st;
  if (!entry || !dims)
    return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_entry_output_shape: NULL argument");
  if (index >= entry->num_outputs)
    return kiln__fail(KILN_ERROR_INVALID_ARGUMENT,
                      "kiln_entry_output_shape: expected an output index below %zu, got %zu",
                      entry->num_outputs, index);
  if (entry->num_symbols > KILN_STACK_SYMBOLS) {
    values = (int64_t *)malloc(entry->num_symbols * sizeof *values);
    if (!values) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "out of memory");
  }
  st = kiln__entry_bind_inputs(entry, inputs, n_inputs, NULL, values);
  v = &entry->outputs[index];
  for (d = 0; st == KILN_OK && d < v->rank; ++d) {
    const char *symbol = v->symbols ? v->symbols[d] : NULL;
    int64_t value = symbol ? values[kiln__entry_symbol_index(entry, symbol)] : v->dims[d];
    dims[d] = value < 0 ? KILN_DIM_SYMBOLIC : value;
  }
  if (values != stack_values) free(values);
  return st;
}

kiln_status kiln__entry_check_output_dims(const struct kiln_entry *entry, const int64_t *values,
                                          const int64_t *dims) {
  int64_t stack_seen[KILN_STACK_SYMBOLS];
  int64_t *seen = stack_seen; /* output-only symbols' values, -1 until an output gives one */
  size_t i, d, at = 0;
  kiln_status st = KILN_OK;
  if (entry->num_symbols > KILN_STACK_SYMBOLS) {
    seen = (int64_t *)malloc(entry->num_symbols * sizeof *seen);
    if (!seen) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "out of memory");
  }
  for (i = 0; i < entry->num_symbols; ++i) seen[i] = values[i];
  for (i = 0; i < entry->num_outputs && st == KILN_OK; ++i) {
    const kiln_value *v = &entry->outputs[i];
    char name[KILN_NAME_TEXT];
    kiln__percent_encode(name, sizeof name, v->name);
    /* A static output's shape is the signature's whatever the code wrote. */
    for (d = 0; v->symbols && d < v->rank && st == KILN_OK; ++d) {
      const char *symbol = v->symbols[d];
      int64_t got = dims[at + d];
      size_t s = symbol ? kiln__entry_symbol_index(entry, symbol) : 0;
      int64_t want = symbol ? seen[s] : v->dims[d];
      if (got < 0 || (want >= 0 && got != want)) {
        /* Where the expected value came from: the signature, the inputs or an earlier output. */
        const char *from = !symbol                            ? "as in the signature"
                           : entry->symbols[s].bound_by_input ? "as the inputs give it"
                                                              : "as an earlier output gave it";
        if (want >= 0 && symbol)
          st = kiln__fail(KILN_ERROR_SHAPE_MISMATCH,
                          "entry '%s': output '%s': expected dim %zu (%s) = %lld %s, got %lld",
                          entry->name, name, d, symbol, (long long)want, from, (long long)got);
        else if (want >= 0)
          st = kiln__fail(KILN_ERROR_SHAPE_MISMATCH,
                          "entry '%s': output '%s': expected dim %zu = %lld %s, got %lld",
                          entry->name, name, d, (long long)want, from, (long long)got);
        else
          st = kiln__fail(KILN_ERROR_SHAPE_MISMATCH,
                          "entry '%s': output '%s': expected dim %zu (%s) >= 0, got %lld",
                          entry->name, name, d, symbol, (long long)got);
      } else if (symbol) {
        seen[s] = got;
      }
    }
    at += v->rank;
  }
  if (seen != stack_seen) free(seen);
  return st;
}

kiln_status kiln__entry_check_caller_outputs(const struct kiln_entry *entry,
                                             const int64_t *values,
                                             const kiln_tensor *const *outputs,
                                             size_t n_outputs) {
  size_t i, d;
  if (n_outputs != entry->num_outputs)
    return kiln__fail(KILN_ERROR_COUNT_MISMATCH, "expected %zu outputs, got %zu",
                      entry->num_outputs, n_outputs);
  if (n_outputs && !outputs) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "outputs array is NULL");
  for (i = 0; i < n_outputs; ++i) {
    const kiln_value *v = &entry->outputs[i];
    const kiln_tensor *t = outputs[i];
    char name[KILN_NAME_TEXT];
    int same;
    kiln__percent_encode(name, sizeof name, v->name);
    if (!t) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "output '%s': tensor is NULL", name);
    if (kiln_tensor_dtype(t) != v->dtype)
      return kiln__fail(KILN_ERROR_DTYPE_MISMATCH, "output '%s': expected dtype %s, got %s", name,
                        kiln_dtype_name(v->dtype), kiln_dtype_name(kiln_tensor_dtype(t)));
    same = kiln_tensor_rank(t) == v->rank;
    for (d = 0; same && d < v->rank; ++d) {
      const char *symbol = v->symbols ? v->symbols[d] : NULL;
      /* A symbol only the run determines is checked after it. */
      int64_t want = symbol ? values[kiln__entry_symbol_index(entry, symbol)] : v->dims[d];
      if (want >= 0 && kiln_tensor_dims(t)[d] != want) same = 0;
    }
    if (!same) {
      char want[KILN_DIMS_TEXT], got[KILN_DIMS_TEXT];
      kiln__format_value_dims(want, sizeof want, v);
      kiln__format_dims(got, sizeof got, kiln_tensor_rank(t), kiln_tensor_dims(t));
      if (v->symbols) {
        /* Name what the inputs gave the symbols, e.g. "Nx3 with N = 2". */
        size_t used = strlen(want);
        for (d = 0; d < v->rank && used + 1 < sizeof want; ++d) {
          const char *symbol = v->symbols[d];
          size_t s = symbol ? kiln__entry_symbol_index(entry, symbol) : 0, k;
          int n;
          if (!symbol || values[s] < 0) continue;
          for (k = 0; k < d && !(v->symbols[k] && strcmp(v->symbols[k], symbol) == 0); ++k) continue;
          if (k < d) continue; /* named once */
          n = snprintf(want + used, sizeof want - used, "%s%s = %lld",
                       strchr(want, '=') ? ", " : " with ", symbol, (long long)values[s]);
          if (n < 0) break;
          used += (size_t)n;
        }
      }
      return kiln__fail(KILN_ERROR_SHAPE_MISMATCH, "output '%s': expected shape %s, got %s", name,
                        want, got);
    }
  }
  return KILN_OK;
}
