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
 * Opens @p path for reading as a stream, without blocking, and only if it is
 * a regular file: a FIFO, a device or a directory is refused before any read
 * (a FIFO would block, a device might never end). @p what names the kind of
 * file in the message ("PATH: expects a regular WHAT"). On failure returns
 * KILN_ERROR_IO with @p *out NULL and leaves errno as the failed open() set it
 * (ENOENT: no such file), or 0 when the file exists but is not regular.
 */
kiln_status kiln__open_regular(const char *path, const char *what, FILE **out);

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

/** Gives @p tensor another dtype of the same element size (u16 bits read from .npy as bf16). */
void kiln__tensor_retag(kiln_tensor *tensor, kiln_dtype dtype);

/**
 * Generated code loads a bool as an LLVM i1, undefined for a byte other than
 * 0 or 1 (a Compress counted 2 as 2 elements and wrote 1, leaving heap memory
 * in its output). Fails with @p status for a bool @p tensor holding such a
 * byte, in one pass: "LABEL 'NAME': expects bool bytes 0 or 1, found B at
 * index K" (or "LABEL: ..." when @p name is NULL). KILN_OK for other dtypes.
 */
kiln_status kiln__check_bool_bytes(const kiln_tensor *tensor, kiln_status status,
                                   const char *label, const char *name);

/** One input or output of an entry, as the signature describes it. */
typedef struct kiln_value {
  char *name;        /**< decoded name */
  kiln_dtype dtype;  /**< element type */
  size_t rank;       /**< number of dims */
  int64_t *dims;     /**< rank sizes (at least one slot); KILN_DIM_SYMBOLIC where symbolic */
  char **symbols;    /**< rank symbol names, NULL where static; NULL when no dim is symbolic */
} kiln_value;

/** One dim symbol of an entry, in order of first appearance (bound lines, inputs, outputs). */
typedef struct kiln_symbol {
  char *name;        /**< the symbol, an identifier */
  int64_t bound;     /**< the largest value it may take (inclusive), or KILN_DIM_UNBOUNDED */
  int bound_by_input; /**< 1 if some input has it as a dim; 0: known only after a run */
} kiln_symbol;

/** One named entry point of a model. */
struct kiln_entry {
  char *name;              /**< the entry's name, an identifier */
  kiln_symbol *symbols;    /**< the entry's dim symbols */
  size_t num_symbols;      /**< number of symbols */
  kiln_value *inputs;      /**< inputs in signature order */
  size_t num_inputs;       /**< number of inputs */
  kiln_value *outputs;     /**< outputs in signature order */
  size_t num_outputs;      /**< number of outputs */
  size_t workspace_bytes;  /**< planned workspace; 0: the run function takes none */
  int has_symbolic_dims;   /**< 1 if any input or output has a symbolic dim */
  kiln_run_fn run;         /**< the generated run function; NULL until the model binds it */
};

/** The `training`, `source` and `state` lines of a training artifact's signature. */
typedef struct kiln_training {
  char *loss;                   /**< NULL when the signature has no `training` line */
  char *label;                  /**< decoded label input name */
  char *source;                 /**< decoded source model path */
  char *source_sha256;          /**< the source's SHA-256 (64 hex digits), NULL when not recorded */
  char **state_names;           /**< decoded STATE names in order */
  kiln_state_kind *state_kinds; /**< their kinds */
  size_t num_state;             /**< number of `state` lines */
} kiln_training;

/** A parsed signature: the entries in signature order, and the training lines if any. */
typedef struct kiln_signature {
  struct kiln_entry *entries; /**< entries in signature order */
  size_t num_entries;         /**< at least one once parsed */
  kiln_training training;     /**< training.loss is NULL unless a training artifact */
} kiln_signature;

/**
 * Parses signature @p text (the format documented in kiln_runtime.h) into @p out,
 * which must be zeroed. Messages start with @p src. On failure @p out is freed.
 */
kiln_status kiln__signature_parse(const char *text, const char *src, kiln_signature *out);

/**
 * Whether this machine can run code that uses the CPU feature @p name (@p len
 * bytes, LLVM's spelling, from kiln_cpu_features.def): 1 or 0, and -1 for a
 * name not in that list (kiln_cpu.c).
 */
int kiln__cpu_feature_present(const char *name, size_t len);

/**
 * Checks a signature's `cpu-features` list (@p len bytes of names separated
 * by spaces) against this machine. Fails with KILN_ERROR_LOAD naming every
 * feature this machine lacks, or naming a feature not in Kiln's list;
 * @p src names the model in the message.
 */
kiln_status kiln__cpu_check_features(const char *list, size_t len, const char *src);

/** Releases what kiln__signature_parse() allocated in @p sig (not @p sig itself). */
void kiln__signature_free(kiln_signature *sig);

/** Formats a value's dims with their symbols ("Nx1000") into @p buf, truncating safely. */
void kiln__format_value_dims(char *buf, size_t size, const kiln_value *v);

/** Returns the index of @p name among @p entry's symbols, or entry->num_symbols if absent. */
size_t kiln__entry_symbol_index(const struct kiln_entry *entry, const char *name);

/**
 * Checks @p inputs against @p entry (count, dtypes, ranks, static dims, one
 * value per symbol across all inputs, bounds) and, on success, writes each
 * input's dims in order to @p dims (may be NULL; room for the sum of the
 * inputs' ranks) and each symbol's value to @p values (may be NULL; room for
 * entry->num_symbols; -1 for symbols no input binds). On failure their contents
 * are unspecified and the message names the input and the dim.
 */
kiln_status kiln__entry_bind_inputs(const struct kiln_entry *entry,
                                    const kiln_tensor *const *inputs, size_t n_inputs,
                                    int64_t *dims, int64_t *values);

/**
 * Checks caller-provided @p outputs against @p entry before a run: count,
 * dtype, rank, static dims, and a symbol the inputs bound (@p values, from
 * kiln__entry_bind_inputs) at that value, e.g. `output 'z': expected shape Nx3
 * with N = 2, got 3x3`. A dim only the run determines is not checked here.
 */
kiln_status kiln__entry_check_caller_outputs(const struct kiln_entry *entry,
                                             const int64_t *values,
                                             const kiln_tensor *const *outputs,
                                             size_t n_outputs);

/**
 * Checks the output dims a run function wrote (@p dims: every output's dims in
 * order) for the outputs with a symbolic dim (a static output's shape is the
 * signature's): their static dims as in the signature, a symbol the inputs
 * bound (@p values, from kiln__entry_bind_inputs) at that value, an
 * output-only symbol >= 0 and the same in every output that has it. Lets the
 * runtime refuse to wrap a buffer in a shape other than the one computed.
 */
kiln_status kiln__entry_check_output_dims(const struct kiln_entry *entry, const int64_t *values,
                                          const int64_t *dims);

/** Returns the parsed signature of @p model (owned by it). */
const kiln_signature *kiln__model_parsed(const kiln_model *model);

/**
 * `--train` of kiln_cli_main_with() (kiln_cli_train.c): parses the options from
 * argv[@p first], loads @p model_path unless @p model is given, trains and
 * returns a ::kiln_cli_exit value.
 */
int kiln__cli_train(const char *prog, int argc, char **argv, int first, kiln_model *model,
                    const char *model_path, const kiln_cli_hooks *hooks);

/** Whether @p arg's first @p len bytes name an option only `--train` takes
    (kiln_cli.c names --train when one is given without it). */
int kiln__cli_is_train_option(const char *arg, size_t len);

/** kiln_parallel_for, referenced from kiln_model.c so that model hosts link it in. */
extern void (*const kiln__model_callback_parallel_for)(int64_t, kiln_parallel_body, void *);

#endif /* KILN_INTERNAL_H */
