/* Status codes, the thread-local error message, dtypes and small formatting helpers. */
#include "kiln_internal.h"

#include <stdio.h>
#include <string.h>

/* Long enough for a message that names an input and two shapes of rank 32. */
#define KILN_ERROR_CAPACITY 2048

static KILN_THREAD_LOCAL char kiln_error_text[KILN_ERROR_CAPACITY];

const char *kiln_status_string(kiln_status status) {
  switch (status) {
  case KILN_OK: return "ok";
  case KILN_ERROR_INVALID_ARGUMENT: return "invalid argument";
  case KILN_ERROR_IO: return "i/o error";
  case KILN_ERROR_FORMAT: return "format error";
  case KILN_ERROR_DTYPE_MISMATCH: return "dtype mismatch";
  case KILN_ERROR_SHAPE_MISMATCH: return "shape mismatch";
  case KILN_ERROR_LOAD: return "load error";
  case KILN_ERROR_OUT_OF_MEMORY: return "out of memory";
  case KILN_ERROR_NOT_FOUND: return "not found";
  case KILN_ERROR_COUNT_MISMATCH: return "count mismatch";
  }
  return "unknown status";
}

const char *kiln_last_error(void) { return kiln_error_text; }

kiln_status kiln__fail(kiln_status status, const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  vsnprintf(kiln_error_text, sizeof kiln_error_text, fmt, args);
  va_end(args);
  return status;
}

kiln_status kiln__fail_prefix(kiln_status status, const char *fmt, ...) {
  char previous[KILN_ERROR_CAPACITY];
  size_t used;
  va_list args;
  memcpy(previous, kiln_error_text, sizeof previous);
  va_start(args, fmt);
  vsnprintf(kiln_error_text, sizeof kiln_error_text, fmt, args);
  va_end(args);
  used = strlen(kiln_error_text);
  snprintf(kiln_error_text + used, sizeof kiln_error_text - used, "%s", previous);
  return status;
}

/* Indexed by kiln_dtype. */
static const struct {
  const char *name;
  size_t size;
} kiln_dtype_table[] = {
    {"invalid", 0}, {"f32", 4}, {"f64", 8}, {"i8", 1},  {"i16", 2}, {"i32", 4},
    {"i64", 8},     {"u8", 1},  {"u16", 2}, {"u32", 4}, {"u64", 8}, {"bool", 1},
    {"f16", 2},     {"bf16", 2},
};

#define KILN_DTYPE_COUNT (sizeof kiln_dtype_table / sizeof kiln_dtype_table[0])

size_t kiln_dtype_size(kiln_dtype dtype) {
  if ((unsigned)dtype >= KILN_DTYPE_COUNT) return 0;
  return kiln_dtype_table[dtype].size;
}

const char *kiln_dtype_name(kiln_dtype dtype) {
  if ((unsigned)dtype >= KILN_DTYPE_COUNT) return "invalid";
  return kiln_dtype_table[dtype].name;
}

kiln_status kiln_dtype_from_name(const char *name, kiln_dtype *out) {
  size_t i;
  if (!name || !out) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_dtype_from_name: NULL argument");
  for (i = 1; i < KILN_DTYPE_COUNT; ++i) {
    if (strcmp(name, kiln_dtype_table[i].name) == 0) {
      *out = (kiln_dtype)i;
      return KILN_OK;
    }
  }
  return kiln__fail(KILN_ERROR_FORMAT,
                    "unknown dtype '%s' (expected one of f32 f64 f16 bf16 i8 i16 i32 i64 u8 u16 u32 u64 bool)",
                    name);
}

/* Room for dims in kiln__shape_size's message. */
#define KILN_SHAPE_TEXT 256

kiln_status kiln__shape_size(kiln_dtype dtype, size_t rank, const int64_t *dims,
                             const char *what, size_t *count, size_t *bytes) {
  size_t elem = kiln_dtype_size(dtype);
  size_t n = 1;
  int zero = 0;
  size_t i;
  if (elem == 0) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "%s: invalid dtype %d", what, (int)dtype);
  if (rank > 0 && !dims) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "%s: dims is NULL for rank %zu", what, rank);
  /* Check every dim first so a 0 dim does not hide an overflow elsewhere. */
  for (i = 0; i < rank; ++i) {
    if (dims[i] < 0)
      return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "%s: dim %zu is negative (%lld)", what, i,
                        (long long)dims[i]);
    if (dims[i] == 0) zero = 1;
  }
  /* Overflow-checked: a wrapped count would let a tiny buffer pass for a huge one. */
  for (i = 0; i < rank && !zero; ++i) {
    size_t next;
    if (__builtin_mul_overflow(n, (size_t)dims[i], &next) || next > (size_t)(INT64_MAX / elem)) {
      char text[KILN_SHAPE_TEXT];
      kiln__format_dims(text, sizeof text, rank, dims);
      return kiln__fail(KILN_ERROR_OUT_OF_MEMORY,
                        "%s: its shape %s is too large: it needs more than %lld bytes",
                        what, text, (long long)INT64_MAX);
    }
    n = next;
  }
  if (zero) n = 0;
  if (count) *count = n;
  if (bytes) *bytes = n * elem;
  return KILN_OK;
}

void kiln__format_dims(char *buf, size_t size, size_t rank, const int64_t *dims) {
  size_t used = 0;
  size_t i;
  if (size == 0) return;
  buf[0] = '\0';
  if (rank == 0) {
    snprintf(buf, size, "scalar");
    return;
  }
  for (i = 0; i < rank && used < size; ++i) {
    int k = snprintf(buf + used, size - used, "%s%lld", i ? "x" : "", (long long)dims[i]);
    if (k < 0) break;
    used += (size_t)k;
  }
}

void kiln__percent_encode(char *buf, size_t size, const char *name) {
  static const char hex[] = "0123456789ABCDEF";
  size_t used = 0;
  const unsigned char *p;
  if (size == 0) return;
  for (p = (const unsigned char *)name; *p; ++p) {
    if (*p <= 0x20 || *p == '%' || *p >= 0x7f) {
      if (used + 3 >= size) break;
      buf[used++] = '%';
      buf[used++] = hex[*p >> 4];
      buf[used++] = hex[*p & 15];
    } else {
      if (used + 1 >= size) break;
      buf[used++] = (char)*p;
    }
  }
  buf[used] = '\0';
}
