/* NumPy .npy reader (format 1.0, 2.0, 3.0) and writer (format 1.0).
 * Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html */
#define _POSIX_C_SOURCE 200809L
#include "kiln_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the .npy code assumes a little-endian host"
#endif

static const unsigned char kiln_npy_magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

/* What the preamble and header say. */
typedef struct {
  size_t header_offset; /* where the header text starts */
  size_t header_len;
  kiln_dtype dtype;
  size_t rank;
  int64_t *dims; /* malloc'ed, rank entries (at least one slot) */
} kiln_npy_info;

/* The longest header read. A header is a dict of three short fields: a
 * rank-1000 shape of 19-digit dims fits. numpy (>= 1.24) refuses headers over
 * 10000 bytes by default; without a limit a file of 300 MB of spaces was read
 * whole into memory as a header. */
#define KILN_NPY_MAX_HEADER 65536u

/* Reads the magic, version and header length from the first @p n bytes. */
static kiln_status kiln_npy_parse_preamble(const unsigned char *p, size_t n, const char *src,
                                           kiln_npy_info *info) {
  unsigned major, minor;
  if (n < 8 || memcmp(p, kiln_npy_magic, sizeof kiln_npy_magic) != 0)
    return kiln__fail(KILN_ERROR_FORMAT, "%s: not a .npy file (bad magic, expected \\x93NUMPY)", src);
  major = p[6];
  minor = p[7];
  if (major == 1) {
    if (n < 10) return kiln__fail(KILN_ERROR_FORMAT, "%s: truncated .npy preamble", src);
    info->header_len = (size_t)p[8] | ((size_t)p[9] << 8);
    info->header_offset = 10;
  } else if (major == 2 || major == 3) {
    if (n < 12) return kiln__fail(KILN_ERROR_FORMAT, "%s: truncated .npy preamble", src);
    info->header_len = (size_t)p[8] | ((size_t)p[9] << 8) | ((size_t)p[10] << 16) |
                       ((size_t)p[11] << 24);
    info->header_offset = 12;
  } else {
    return kiln__fail(KILN_ERROR_FORMAT,
                      "%s: unsupported .npy format version %u.%u (expected 1.0, 2.0 or 3.0)", src,
                      major, minor);
  }
  if (info->header_len > KILN_NPY_MAX_HEADER)
    return kiln__fail(KILN_ERROR_FORMAT,
                      "%s: expects a .npy header of at most %u bytes, found one of %zu bytes", src,
                      KILN_NPY_MAX_HEADER, info->header_len);
  return KILN_OK;
}

/* A cursor over the header text, which is a Python dict literal. */
typedef struct {
  const char *p;
  const char *end;
} kiln_npy_cursor;

static void kiln_npy_skip_space(kiln_npy_cursor *c) {
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
    ++c->p;
}

static int kiln_npy_accept(kiln_npy_cursor *c, char ch) {
  kiln_npy_skip_space(c);
  if (c->p < c->end && *c->p == ch) {
    ++c->p;
    return 1;
  }
  return 0;
}

/* Parses a quoted string into @p out: 1, or 0 when there is none; -1 for a
 * string no key or descr can be (a control byte such as NUL, which would
 * end the C string early, or more than @p size - 1 bytes): '<f4\0' must not
 * read as '<f4'. */
static int kiln_npy_string(kiln_npy_cursor *c, char *out, size_t size) {
  char quote;
  size_t n = 0;
  int bad = 0;
  kiln_npy_skip_space(c);
  if (c->p >= c->end || (*c->p != '\'' && *c->p != '"')) return 0;
  quote = *c->p++;
  while (c->p < c->end && *c->p != quote) {
    if (*c->p == '\\') return 0; /* no descr or key needs escapes */
    if ((unsigned char)*c->p < 0x20 || *c->p == 0x7f || n + 1 >= size) bad = 1;
    else out[n++] = *c->p;
    ++c->p;
  }
  if (c->p >= c->end) return 0;
  ++c->p;
  out[n] = '\0';
  return bad ? -1 : 1;
}

static int kiln_npy_word(kiln_npy_cursor *c, const char *word) {
  size_t n = strlen(word);
  kiln_npy_skip_space(c);
  if ((size_t)(c->end - c->p) >= n && memcmp(c->p, word, n) == 0) {
    c->p += n;
    return 1;
  }
  return 0;
}

/* Parses a shape tuple such as (), (3,) or (2, 3). */
static kiln_status kiln_npy_shape(kiln_npy_cursor *c, const char *src, kiln_npy_info *info) {
  size_t cap = 4;
  if (!kiln_npy_accept(c, '('))
    return kiln__fail(KILN_ERROR_FORMAT, "%s: malformed .npy header: 'shape' is not a tuple", src);
  info->dims = (int64_t *)malloc(cap * sizeof(int64_t));
  if (!info->dims) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", src);
  info->rank = 0;
  for (;;) {
    int64_t v = 0;
    int digits = 0;
    if (kiln_npy_accept(c, ')')) return KILN_OK;
    kiln_npy_skip_space(c);
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
      int d = *c->p++ - '0';
      if (v > (INT64_MAX - d) / 10)
        return kiln__fail(KILN_ERROR_FORMAT, "%s: .npy shape dim is too large", src);
      v = v * 10 + d;
      ++digits;
    }
    if (!digits)
      return kiln__fail(KILN_ERROR_FORMAT,
                        "%s: malformed .npy header: expected a non-negative integer in 'shape'", src);
    if (c->p < c->end && *c->p == 'L') ++c->p; /* Python 2 long */
    if (info->rank == cap) {
      int64_t *grown;
      if (cap > 4096)
        return kiln__fail(KILN_ERROR_FORMAT, "%s: .npy shape has too many dims", src);
      grown = (int64_t *)realloc(info->dims, 2 * cap * sizeof(int64_t));
      if (!grown) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", src);
      info->dims = grown;
      cap *= 2;
    }
    info->dims[info->rank++] = v;
    if (kiln_npy_accept(c, ',')) continue;
    if (kiln_npy_accept(c, ')')) {
      /* (3) is an int in Python, not a tuple; only (3,) has rank 1. */
      if (info->rank == 1)
        return kiln__fail(KILN_ERROR_FORMAT, "%s: malformed .npy header: 'shape' is not a tuple",
                          src);
      return KILN_OK;
    }
    return kiln__fail(KILN_ERROR_FORMAT, "%s: malformed .npy header: bad 'shape' tuple", src);
  }
}

static kiln_status kiln_npy_descr(const char *descr, const char *src, kiln_dtype *out) {
  static const struct {
    const char *code;
    kiln_dtype dtype;
  } codes[] = {
      {"f4", KILN_DTYPE_F32}, {"f8", KILN_DTYPE_F64}, {"i1", KILN_DTYPE_I8},
      {"i2", KILN_DTYPE_I16}, {"i4", KILN_DTYPE_I32}, {"i8", KILN_DTYPE_I64},
      {"u1", KILN_DTYPE_U8},  {"u2", KILN_DTYPE_U16}, {"u4", KILN_DTYPE_U32},
      {"u8", KILN_DTYPE_U64}, {"b1", KILN_DTYPE_BOOL}, {"f2", KILN_DTYPE_F16},
  };
  size_t i;
  char order = descr[0];
  if (order == '>' && strlen(descr) == 3 && descr[2] != '1')
    return kiln__fail(KILN_ERROR_DTYPE_MISMATCH,
                      "%s: big-endian .npy data ('%s') is not supported (expected little-endian)",
                      src, descr);
  if ((order == '<' || order == '=' || order == '|' || order == '>') && strlen(descr) == 3) {
    for (i = 0; i < sizeof codes / sizeof codes[0]; ++i) {
      if (strcmp(descr + 1, codes[i].code) == 0) {
        /* Byte order means nothing for one-byte types; '|' means nothing for wider ones. */
        if (order == '|' && descr[2] != '1') break;
        *out = codes[i].dtype;
        return KILN_OK;
      }
    }
  }
  return kiln__fail(KILN_ERROR_DTYPE_MISMATCH,
                    "%s: unsupported .npy dtype '%s' (expected one of <f4 <f8 |i1 <i2 <i4 <i8 |u1 "
                    "<u2 <u4 <u8 |b1)",
                    src, descr);
}

/* Parses the header dict; on failure info->dims may hold memory the caller frees. */
static kiln_status kiln_npy_parse_header(const char *text, size_t len, const char *src,
                                         kiln_npy_info *info) {
  kiln_npy_cursor c;
  int have_descr = 0, have_order = 0, have_shape = 0;
  c.p = text;
  c.end = text + len;
  if (!kiln_npy_accept(&c, '{'))
    return kiln__fail(KILN_ERROR_FORMAT, "%s: malformed .npy header: expected '{'", src);
  while (!kiln_npy_accept(&c, '}')) {
    char key[32];
    if (kiln_npy_string(&c, key, sizeof key) != 1 || !kiln_npy_accept(&c, ':'))
      return kiln__fail(KILN_ERROR_FORMAT, "%s: malformed .npy header: expected 'key': value",
                        src);
    if (strcmp(key, "descr") == 0 && !have_descr) {
      char descr[32];
      kiln_status st;
      int got = kiln_npy_string(&c, descr, sizeof descr);
      if (got == 0)
        return kiln__fail(KILN_ERROR_DTYPE_MISMATCH,
                          "%s: unsupported .npy 'descr' (structured dtypes are not supported)", src);
      if (got < 0)
        return kiln__fail(KILN_ERROR_DTYPE_MISMATCH,
                          "%s: unsupported .npy 'descr': it holds a control byte (such as NUL) or "
                          "more than 31 bytes (expected exactly one of <f4 <f8 |i1 <i2 <i4 <i8 "
                          "|u1 <u2 <u4 <u8 |b1)",
                          src);
      st = kiln_npy_descr(descr, src, &info->dtype);
      if (st != KILN_OK) return st;
      have_descr = 1;
    } else if (strcmp(key, "fortran_order") == 0 && !have_order) {
      if (kiln_npy_word(&c, "True"))
        return kiln__fail(KILN_ERROR_FORMAT,
                          "%s: fortran_order True is not supported (expected a C-order array; "
                          "save np.ascontiguousarray(a))",
                          src);
      if (!kiln_npy_word(&c, "False"))
        return kiln__fail(KILN_ERROR_FORMAT,
                          "%s: malformed .npy header: 'fortran_order' is not True or False", src);
      have_order = 1;
    } else if (strcmp(key, "shape") == 0 && !have_shape) {
      kiln_status st = kiln_npy_shape(&c, src, info);
      if (st != KILN_OK) return st;
      have_shape = 1;
    } else {
      return kiln__fail(KILN_ERROR_FORMAT, "%s: malformed .npy header: unexpected key '%s'", src,
                        key);
    }
    if (kiln_npy_accept(&c, ',')) continue;
    if (!kiln_npy_accept(&c, '}'))
      return kiln__fail(KILN_ERROR_FORMAT, "%s: malformed .npy header: expected ',' or '}'", src);
    break;
  }
  kiln_npy_skip_space(&c);
  if (c.p != c.end)
    return kiln__fail(KILN_ERROR_FORMAT, "%s: malformed .npy header: text after '}'", src);
  if (!have_descr || !have_order || !have_shape)
    return kiln__fail(KILN_ERROR_FORMAT,
                      "%s: malformed .npy header: missing key '%s'", src,
                      !have_descr ? "descr" : !have_order ? "fortran_order" : "shape");
  return KILN_OK;
}

/* Parses preamble and header from @p head (the first @p avail bytes of a file of
 * @p total bytes) and allocates the tensor; data_offset receives where data starts. */
static kiln_status kiln_npy_begin(const unsigned char *head, size_t avail, size_t total,
                                  const char *src, kiln_tensor **out, size_t *data_offset) {
  kiln_npy_info info;
  kiln_status st;
  size_t data_bytes;
  memset(&info, 0, sizeof info);
  st = kiln_npy_parse_preamble(head, avail, src, &info);
  if (st != KILN_OK) return st;
  if (info.header_len > total - info.header_offset || info.header_len > avail - info.header_offset)
    return kiln__fail(KILN_ERROR_FORMAT,
                      "%s: truncated .npy file (header needs %zu bytes, file has %zu)", src,
                      info.header_offset + info.header_len, total);
  st = kiln_npy_parse_header((const char *)head + info.header_offset, info.header_len, src, &info);
  /* A shape too large to address is a corrupt file, not a lack of memory. */
  if (st == KILN_OK &&
      kiln__shape_size(info.dtype, info.rank, info.dims, src, NULL, &data_bytes) != KILN_OK)
    st = KILN_ERROR_FORMAT;
  if (st == KILN_OK) {
    size_t offset = info.header_offset + info.header_len;
    if (data_bytes > total - offset)
      st = kiln__fail(KILN_ERROR_FORMAT,
                      "%s: truncated .npy data (expected %zu bytes for shape, found %zu)", src,
                      data_bytes, total - offset);
    *data_offset = offset;
  }
  if (st == KILN_OK) st = kiln_tensor_create(info.dtype, info.rank, info.dims, out);
  free(info.dims);
  return st;
}

kiln_status kiln_npy_read_memory(const void *bytes, size_t size, kiln_tensor **out) {
  kiln_tensor *t = NULL;
  size_t offset = 0;
  kiln_status st;
  if (!out) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_npy_read_memory: out is NULL");
  *out = NULL;
  if (!bytes && size)
    return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_npy_read_memory: bytes is NULL");
  st = kiln_npy_begin((const unsigned char *)bytes, size, size, "<memory>", &t, &offset);
  if (st != KILN_OK) return st;
  if (kiln_tensor_byte_size(t))
    memcpy(kiln_tensor_data(t), (const unsigned char *)bytes + offset, kiln_tensor_byte_size(t));
  st = kiln__check_bool_bytes(t, KILN_ERROR_FORMAT, "<memory>", NULL);
  if (st != KILN_OK) {
    kiln_tensor_destroy(t);
    return st;
  }
  *out = t;
  return KILN_OK;
}

kiln_status kiln__open_regular(const char *path, const char *what, FILE **out) {
  struct stat info;
  int fd, err;
  kiln_status st;
  *out = NULL;
  /* O_NONBLOCK: opening a FIFO must not wait for a writer; the check below
     refuses it before anything is read. */
  fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    err = errno;
    st = kiln__fail(KILN_ERROR_IO, "%s: cannot open: %s", path, strerror(err));
    errno = err;
    return st;
  }
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    close(fd);
    st = kiln__fail(KILN_ERROR_IO, "%s: expects a regular %s", path, what);
    errno = 0;
    return st;
  }
  *out = fdopen(fd, "rb");
  if (!*out) {
    err = errno;
    close(fd);
    st = kiln__fail(KILN_ERROR_IO, "%s: cannot open: %s", path, strerror(err));
    errno = err;
    return st;
  }
  return KILN_OK;
}

kiln_status kiln_npy_read(const char *path, kiln_tensor **out) {
  FILE *f;
  long end;
  size_t total, head_size, got;
  unsigned char preamble[12];
  unsigned char *head = NULL;
  kiln_npy_info info;
  kiln_tensor *t = NULL;
  size_t offset = 0;
  kiln_status st;
  if (!out) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_npy_read: out is NULL");
  *out = NULL;
  if (!path) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_npy_read: path is NULL");
  st = kiln__open_regular(path, ".npy file", &f);
  if (st != KILN_OK) return st;
  if (fseek(f, 0, SEEK_END) != 0 || (end = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
    fclose(f);
    return kiln__fail(KILN_ERROR_IO, "%s: cannot read (not a regular file?)", path);
  }
  total = (size_t)end;
  /* Read the preamble, then exactly the header, so a bogus header length costs nothing. */
  got = fread(preamble, 1, sizeof preamble, f);
  memset(&info, 0, sizeof info);
  st = kiln_npy_parse_preamble(preamble, got, path, &info);
  if (st != KILN_OK) goto done;
  if (info.header_len > total - info.header_offset) {
    st = kiln__fail(KILN_ERROR_FORMAT,
                    "%s: truncated .npy file (header needs %zu bytes, file has %zu)", path,
                    info.header_offset + info.header_len, total);
    goto done;
  }
  head_size = info.header_offset + info.header_len;
  head = (unsigned char *)malloc(head_size);
  if (!head) {
    st = kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", path);
    goto done;
  }
  if (fseek(f, 0, SEEK_SET) != 0 || fread(head, 1, head_size, f) != head_size) {
    st = kiln__fail(KILN_ERROR_IO, "%s: read error", path);
    goto done;
  }
  st = kiln_npy_begin(head, head_size, total, path, &t, &offset);
  if (st != KILN_OK) goto done;
  if (kiln_tensor_byte_size(t) &&
      fread(kiln_tensor_data(t), 1, kiln_tensor_byte_size(t), f) != kiln_tensor_byte_size(t)) {
    st = kiln__fail(KILN_ERROR_IO, "%s: read error in .npy data", path);
    goto done;
  }
  st = kiln__check_bool_bytes(t, KILN_ERROR_FORMAT, path, NULL);
  if (st != KILN_OK) goto done;
  *out = t;
  t = NULL;
done:
  kiln_tensor_destroy(t);
  free(head);
  fclose(f);
  return st;
}

static const char *kiln_npy_descr_of(kiln_dtype dtype) {
  switch (dtype) {
  case KILN_DTYPE_F32: return "<f4";
  case KILN_DTYPE_F64: return "<f8";
  case KILN_DTYPE_I8: return "|i1";
  case KILN_DTYPE_I16: return "<i2";
  case KILN_DTYPE_I32: return "<i4";
  case KILN_DTYPE_I64: return "<i8";
  case KILN_DTYPE_U8: return "|u1";
  case KILN_DTYPE_U16: return "<u2";
  case KILN_DTYPE_U32: return "<u4";
  case KILN_DTYPE_U64: return "<u8";
  case KILN_DTYPE_BOOL: return "|b1";
  case KILN_DTYPE_F16: return "<f2";
  /* numpy has no bfloat16: the bits travel as uint16. */
  case KILN_DTYPE_BF16: return "<u2";
  case KILN_DTYPE_INVALID: break;
  }
  return NULL;
}

kiln_status kiln__npy_write_stream(FILE *f, const char *path, const kiln_tensor *tensor) {
  const char *descr;
  size_t rank, i, len, cap, prefix, total, bytes;
  const int64_t *dims;
  char *header;
  unsigned char preamble[12];
  int ok;
  if (!f || !path || !tensor)
    return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_npy_write: NULL argument");
  descr = kiln_npy_descr_of(kiln_tensor_dtype(tensor));
  if (!descr) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_npy_write: invalid dtype");
  rank = kiln_tensor_rank(tensor);
  dims = kiln_tensor_dims(tensor);
  cap = 128 + rank * 24;
  header = (char *)malloc(cap);
  if (!header) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", path);
  len = (size_t)snprintf(header, cap, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
  for (i = 0; i < rank; ++i)
    len += (size_t)snprintf(header + len, cap - len, "%s%lld", i ? ", " : "", (long long)dims[i]);
  len += (size_t)snprintf(header + len, cap - len, "%s), }", rank == 1 ? "," : "");
  /* Pad with spaces and end with '\n' so the data starts 64-byte aligned. */
  prefix = (len + 1 + 10 <= 65535) ? 10 : 12;
  total = prefix + len + 1;
  total = (total + 63) / 64 * 64;
  {
    size_t padded = total - prefix; /* header length including the newline */
    char *grown = (char *)realloc(header, padded);
    if (!grown) {
      free(header);
      return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", path);
    }
    header = grown;
    memset(header + len, ' ', padded - len - 1);
    header[padded - 1] = '\n';
    len = padded;
  }
  memcpy(preamble, kiln_npy_magic, 6);
  if (prefix == 10) {
    preamble[6] = 1;
    preamble[7] = 0;
    preamble[8] = (unsigned char)(len & 0xff);
    preamble[9] = (unsigned char)(len >> 8);
  } else {
    preamble[6] = 2;
    preamble[7] = 0;
    preamble[8] = (unsigned char)(len & 0xff);
    preamble[9] = (unsigned char)((len >> 8) & 0xff);
    preamble[10] = (unsigned char)((len >> 16) & 0xff);
    preamble[11] = (unsigned char)((len >> 24) & 0xff);
  }
  bytes = kiln_tensor_byte_size(tensor);
  ok = fwrite(preamble, 1, prefix, f) == prefix && fwrite(header, 1, len, f) == len &&
       (bytes == 0 || fwrite(kiln_tensor_data(tensor), 1, bytes, f) == bytes) && fflush(f) == 0;
  free(header);
  if (!ok) return kiln__fail(KILN_ERROR_IO, "%s: write error: %s", path, strerror(errno));
  return KILN_OK;
}

kiln_status kiln_npy_write(const char *path, const kiln_tensor *tensor) {
  FILE *f;
  kiln_status st;
  if (!path || !tensor)
    return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_npy_write: NULL argument");
  if (!kiln_npy_descr_of(kiln_tensor_dtype(tensor)))
    return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_npy_write: invalid dtype");
  f = fopen(path, "wb");
  if (!f) return kiln__fail(KILN_ERROR_IO, "%s: cannot create: %s", path, strerror(errno));
  st = kiln__npy_write_stream(f, path, tensor);
  if (fclose(f) != 0 && st == KILN_OK)
    st = kiln__fail(KILN_ERROR_IO, "%s: write error: %s", path, strerror(errno));
  return st;
}
