/* Dense tensors: owned (allocated here) or wrapping caller memory. */
#define _POSIX_C_SOURCE 200809L
#include "kiln_internal.h"

#include <stdlib.h>
#include <string.h>

/* Wide enough for AVX-512 loads in generated code. */
#define KILN_TENSOR_ALIGNMENT 64

struct kiln_tensor {
  kiln_dtype dtype;
  size_t rank;
  int64_t *dims; /* rank entries, never NULL */
  void *data;
  size_t count;
  size_t bytes;
  int owns_data;
};

static kiln_status kiln_tensor_alloc_header(kiln_dtype dtype, size_t rank, const int64_t *dims,
                                            const char *what, kiln_tensor **out) {
  kiln_tensor *t;
  size_t count, bytes;
  kiln_status st = kiln__shape_size(dtype, rank, dims, what, &count, &bytes);
  if (st != KILN_OK) return st;
  if (rank > SIZE_MAX / sizeof(int64_t) - 1)
    return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: rank %zu is too large", what, rank);
  t = (kiln_tensor *)calloc(1, sizeof *t);
  if (!t) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", what);
  t->dims = (int64_t *)malloc((rank ? rank : 1) * sizeof(int64_t));
  if (!t->dims) {
    free(t);
    return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", what);
  }
  if (rank) memcpy(t->dims, dims, rank * sizeof(int64_t));
  t->dtype = dtype;
  t->rank = rank;
  t->count = count;
  t->bytes = bytes;
  *out = t;
  return KILN_OK;
}

void kiln__tensor_retag(kiln_tensor *tensor, kiln_dtype dtype) {
  if (tensor && kiln_dtype_size(dtype) == kiln_dtype_size(tensor->dtype)) tensor->dtype = dtype;
}

kiln_status kiln_tensor_create(kiln_dtype dtype, size_t rank, const int64_t *dims,
                               kiln_tensor **out) {
  kiln_tensor *t = NULL;
  kiln_status st;
  void *data = NULL;
  if (!out) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_tensor_create: out is NULL");
  *out = NULL;
  st = kiln_tensor_alloc_header(dtype, rank, dims, "kiln_tensor_create", &t);
  if (st != KILN_OK) return st;
  if (posix_memalign(&data, KILN_TENSOR_ALIGNMENT, t->bytes ? t->bytes : 1) != 0) {
    size_t bytes = t->bytes;
    kiln_tensor_destroy(t);
    return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "kiln_tensor_create: cannot allocate %zu bytes",
                      bytes);
  }
  memset(data, 0, t->bytes ? t->bytes : 1);
  t->data = data;
  t->owns_data = 1;
  *out = t;
  return KILN_OK;
}

kiln_status kiln_tensor_wrap(kiln_dtype dtype, size_t rank, const int64_t *dims, void *data,
                             kiln_tensor **out) {
  kiln_tensor *t = NULL;
  kiln_status st;
  if (!out) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_tensor_wrap: out is NULL");
  *out = NULL;
  st = kiln_tensor_alloc_header(dtype, rank, dims, "kiln_tensor_wrap", &t);
  if (st != KILN_OK) return st;
  if (!data && t->bytes != 0) {
    size_t bytes = t->bytes;
    kiln_tensor_destroy(t);
    return kiln__fail(KILN_ERROR_INVALID_ARGUMENT,
                      "kiln_tensor_wrap: data is NULL for a tensor of %zu bytes", bytes);
  }
  t->data = data;
  t->owns_data = 0;
  *out = t;
  return KILN_OK;
}

kiln_status kiln__tensor_adopt(kiln_dtype dtype, size_t rank, const int64_t *dims, void *data,
                               kiln_tensor **out) {
  kiln_status st = kiln_tensor_wrap(dtype, rank, dims, data, out);
  if (st == KILN_OK) (*out)->owns_data = 1;
  return st;
}

void kiln_tensor_destroy(kiln_tensor *tensor) {
  if (!tensor) return;
  if (tensor->owns_data) free(tensor->data);
  free(tensor->dims);
  free(tensor);
}

kiln_dtype kiln_tensor_dtype(const kiln_tensor *tensor) {
  return tensor ? tensor->dtype : KILN_DTYPE_INVALID;
}

size_t kiln_tensor_rank(const kiln_tensor *tensor) { return tensor ? tensor->rank : 0; }

const int64_t *kiln_tensor_dims(const kiln_tensor *tensor) { return tensor ? tensor->dims : NULL; }

size_t kiln_tensor_num_elements(const kiln_tensor *tensor) { return tensor ? tensor->count : 0; }

size_t kiln_tensor_byte_size(const kiln_tensor *tensor) { return tensor ? tensor->bytes : 0; }

void *kiln_tensor_data(const kiln_tensor *tensor) { return tensor ? tensor->data : NULL; }

int kiln_tensor_owns_data(const kiln_tensor *tensor) { return tensor ? tensor->owns_data : 0; }

kiln_status kiln__check_bool_bytes(const kiln_tensor *tensor, kiln_status status,
                                   const char *label, const char *name) {
  const unsigned char *p = (const unsigned char *)kiln_tensor_data(tensor);
  size_t n = kiln_tensor_byte_size(tensor), k;
  if (kiln_tensor_dtype(tensor) != KILN_DTYPE_BOOL) return KILN_OK;
  for (k = 0; k < n; ++k)
    if (p[k] > 1)
      return name ? kiln__fail(status, "%s '%s': expects bool bytes 0 or 1, found %u at index %zu",
                               label, name, (unsigned)p[k], k)
                  : kiln__fail(status, "%s: expects bool bytes 0 or 1, found %u at index %zu",
                               label, (unsigned)p[k], k);
  return KILN_OK;
}
