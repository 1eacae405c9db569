/**
 * @file kiln_internal.h
 * @brief Helpers shared by the runtime's .c files; not installed, not part of the contract.
 */
#ifndef KILN_INTERNAL_H
#define KILN_INTERNAL_H

#include "kiln_runtime.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__) || defined(__clang__)
/** printf-style format checking for the error helpers. */
#define KILN_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
/** Thread-local storage class (C99 has none; GCC and Clang spell it __thread). */
#define KILN_THREAD_LOCAL __thread
#else
#define KILN_PRINTF(fmt_index, first_arg)
#define KILN_THREAD_LOCAL _Thread_local
#endif

/** Records a failure message for kiln_last_error() and returns @p status. */
kiln_status kiln__fail(kiln_status status, const char *fmt, ...) KILN_PRINTF(2, 3);

/** Prefixes the current kiln_last_error() message with formatted context and returns @p status. */
kiln_status kiln__fail_prefix(kiln_status status, const char *fmt, ...) KILN_PRINTF(2, 3);

/**
 * Multiplies the dims into an element count and a byte size, rejecting negative
 * dims and overflow (of size_t and of int64_t). @p what names the object in the message.
 */
kiln_status kiln__shape_size(kiln_dtype dtype, size_t rank, const int64_t *dims,
                             const char *what, size_t *count, size_t *bytes);

/** Formats dims as the signature does ("1x3x8x8", "scalar") into @p buf, truncating safely. */
void kiln__format_dims(char *buf, size_t size, size_t rank, const int64_t *dims);

/** Percent-encodes @p name as the signature does into @p buf, truncating safely. */
void kiln__percent_encode(char *buf, size_t size, const char *name);

/**
 * Writes @p tensor as kiln_npy_write() does to the open stream @p f, flushed
 * but not closed; @p path names the file in messages.
 */
kiln_status kiln__npy_write_stream(FILE *f, const char *path, const kiln_tensor *tensor);

/**
 * Like kiln_tensor_wrap(), but the tensor takes over @p data (from malloc, or
 * NULL when it has no elements) and frees it with free().
 */
kiln_status kiln__tensor_adopt(kiln_dtype dtype, size_t rank, const int64_t *dims, void *data,
                               kiln_tensor **out);

/** One input or output of an entry, as the signature describes it. */
typedef struct kiln_value {
  char *name;        /**< decoded name */
  kiln_dtype dtype;  /**< element type */
  size_t rank;       /**< number of dims */
  int64_t *dims;     /**< rank sizes (at least one slot); KILN_DIM_SYMBOLIC where symbolic */
  char **symbols;    /**< rank symbol names, NULL where static; NULL when no dim is symbolic */
} kiln_value;

/** One named entry point of a model. */
struct kiln_entry {
  char *name;              /**< the entry's name, an identifier */
  kiln_value *inputs;      /**< inputs in signature order */
  size_t num_inputs;       /**< number of inputs */
  kiln_value *outputs;     /**< outputs in signature order */
  size_t num_outputs;      /**< number of outputs */
  size_t workspace_bytes;  /**< planned workspace; 0: the run function takes none */
  int has_symbolic_dims;   /**< 1 if any input or output has a symbolic dim */
  kiln_run_fn run;         /**< the generated run function; NULL until the model binds it */
};

/** A parsed signature: the entries in signature order. */
typedef struct kiln_signature {
  struct kiln_entry *entries; /**< entries in signature order */
  size_t num_entries;         /**< at least one once parsed */
} kiln_signature;

/**
 * Parses signature @p text (the format documented in kiln_runtime.h) into @p out,
 * which must be zeroed. Messages start with @p src. On failure @p out is freed.
 */
kiln_status kiln__signature_parse(const char *text, const char *src, kiln_signature *out);

/** Releases what kiln__signature_parse() allocated in @p sig (not @p sig itself). */
void kiln__signature_free(kiln_signature *sig);

/** kiln_parallel_for, referenced from kiln_model.c so that model hosts link it in. */
extern void (*const kiln__model_callback_parallel_for)(int64_t, kiln_parallel_body, void *);

#endif /* KILN_INTERNAL_H */
