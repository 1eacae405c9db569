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

/** kiln_parallel_for, referenced from kiln_model.c so that model hosts link it in. */
extern void (*const kiln__model_callback_parallel_for)(int64_t, kiln_parallel_body, void *);

#endif /* KILN_INTERNAL_H */
