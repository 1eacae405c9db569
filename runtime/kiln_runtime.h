/**
 * @file kiln_runtime.h
 * @brief The Kiln C runtime: tensors, .npy files, compiled models, threads and
 * the command-line driver shared by `kiln-run` and standalone model executables.
 *
 * This header is the contract. It is C99 and usable from C++. A C program that
 * includes it and links `libkiln_runtime.a -lm -lpthread -ldl` works.
 *
 * Conventions:
 * - Every fallible function returns a ::kiln_status; on failure a readable
 *   message is available from kiln_last_error() on the same thread.
 * - Handles are opaque. Whoever receives a handle through an `out` parameter
 *   owns it and releases it with the matching `_destroy` function.
 * - On failure, `out` parameters are set to NULL (or left untouched for plain
 *   values) and nothing needs to be released.
 *
 * Contract with generated code: a compiled model exports
 * `const char *kiln_entry_signature(void)`, the signature text below, and
 * `const kiln_run_fn *kiln_entry_functions(void)`, a NULL-terminated array with
 * one run function per entry, in signature order (each is also exported as
 * `int32_t kiln_run_<entry>(void **buffers, int64_t *dims, const char **error)`,
 * see ::kiln_run_fn). The signature text, format version 4:
 * @code
 * kiln-model 4
 * cpu-features <feature> ...
 * entry <entry>
 * bound <symbol> <value>
 * input <name> <dtype> <dims>
 * output <name> <dtype> <dims>
 * workspace <bytes>
 * entry <entry>
 * ...
 * @endcode
 * - Line 1 is the format marker; any other first line or version is refused.
 * - Line 2 may be `cpu-features` and the CPU features the code may use, LLVM
 *   names from the list in kiln_cpu_features.def (kiln-compile always writes
 *   it; empty for a target other than x86). A model whose code needs one this
 *   machine lacks is refused with KILN_ERROR_LOAD (`cannot load model 'SRC':
 *   it was compiled for CPU features this machine lacks: avx512fp16; recompile
 *   with --mcpu/--mattr`), before any of its code runs.
 * - `entry <entry>` starts an entry point and is followed by its `bound` lines,
 *   then its `input` and `output` lines in order, then at most one `workspace`
 *   line (absent means 0). There is at least one entry; the first is the
 *   default entry that the `kiln_model_*` functions use. Entry names are
 *   identifiers (`[A-Za-z_][A-Za-z0-9_]*`) and distinct.
 * - `bound <symbol> <value>`: the largest value (inclusive, a decimal from 1
 *   to 2^63-1) that a dim symbol of the entry may take at run time; at most one
 *   line per symbol, and the symbol must be a dim of one of the entry's inputs.
 *   A symbol without a line is unbounded.
 * - `<name>` is percent-encoded: every byte <= 0x20, '%' and >= 0x7f is written
 *   `%XX`; names are distinct among one entry's inputs and among its outputs.
 * - `<dtype>` is a name accepted by kiln_dtype_from_name().
 * - `<dims>` is `[1,3,224,224]`, `[]` for a scalar, and a dim may be a symbol
 *   (an identifier, e.g. `[N,1000]`): one size named once for the whole entry.
 *   A size may be 0 (a tensor without elements). A symbol that appears only in
 *   outputs is known after the run (e.g. the count of NonZero).
 * - Fields are separated by spaces or tabs; lines end with "\n" or "\r\n";
 *   blank lines may only end the text.
 *
 * A run function gets `buffers`: the entry's inputs, then its outputs, each in
 * signature order, each a contiguous row-major buffer that the caller allocated,
 * then, when the entry's workspace is not 0, a 64-byte aligned workspace of at
 * least that many bytes, whose contents are not kept between runs. An output
 * with a symbolic dim is the exception: its slot holds NULL, and on success the
 * run function stores there a buffer from malloc() that the caller frees (it
 * may stay NULL when the output has no elements). Generated
 * code reads inputs and never writes them. Run functions are called from
 * several threads at once, each call with its own buffers and workspace (one
 * per ::kiln_context), so generated code keeps no mutable state outside them.
 *
 * A training artifact (docs/training.md) ends its signature with the lines
 * @code
 * training <loss> <label>
 * source <path>
 * source-sha256 <hex>
 * state <name> <kind>
 * ...
 * @endcode
 * after every entry, in that order: exactly one `training` line (`<loss>` one
 * of softmax-cross-entropy nll mse bce-logits; `<label>` the name of the
 * train_step input that carries the targets), exactly one `source` line (the
 * path of the model the artifact was compiled from, for `kiln-run --save`),
 * at most one `source-sha256` line (the SHA-256 of that file and its
 * external data files when compiled, tools/common/ModelDigest.h; 64
 * lower-case hex digits: `--save` refuses a source that no longer matches),
 * then one `state` line per STATE tensor in STATE order (`<kind>` one of
 * parameter buffer optimizer; names distinct). Label, path and names are
 * percent-encoded as names are. The lines are optional, so the format
 * version stays 3; a model without them is not a training artifact.
 *
 * Malformed text fails with KILN_ERROR_FORMAT and a message
 * `SRC: signature line N: expects …, found …` (`SRC: signature expects …` when
 * the text as a whole is wrong: empty, or without an entry).
 */
#ifndef KILN_RUNTIME_H
#define KILN_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------- */
/* Status and errors                                                          */
/* ------------------------------------------------------------------------- */

/** Result of every fallible runtime call; KILN_OK is 0, every error is nonzero. */
typedef enum kiln_status {
  KILN_OK = 0,                     /**< success */
  KILN_ERROR_INVALID_ARGUMENT = 1, /**< a NULL handle, a bad index, a negative dim, ... */
  KILN_ERROR_IO = 2,               /**< a file could not be opened, read, written or created */
  KILN_ERROR_FORMAT = 3,           /**< malformed .npy file or model signature */
  KILN_ERROR_DTYPE_MISMATCH = 4,   /**< a tensor's dtype is not the one expected */
  KILN_ERROR_SHAPE_MISMATCH = 5,   /**< a tensor's shape is not the one expected */
  KILN_ERROR_LOAD = 6,             /**< a model library or one of its symbols could not be loaded */
  KILN_ERROR_OUT_OF_MEMORY = 7,    /**< an allocation failed or a size overflowed */
  KILN_ERROR_NOT_FOUND = 8,        /**< a name looked up in a model does not exist */
  KILN_ERROR_COUNT_MISMATCH = 9    /**< wrong number of inputs or outputs */
} kiln_status;

/** Returns a static, lower-case description of @p status (e.g. "shape mismatch"). */
const char *kiln_status_string(kiln_status status);

/**
 * Returns the message of the most recent failure on the calling thread, e.g.
 * `input 'x': expected shape 1x3x8x8, got 1x3x8x9`; "" if none. Successful calls
 * do not clear it. The text stays valid until the next failing call on this thread.
 */
const char *kiln_last_error(void);

/* ------------------------------------------------------------------------- */
/* Element types                                                              */
/* ------------------------------------------------------------------------- */

/** Element type of a tensor. KILN_DTYPE_INVALID (0) is never a valid dtype. */
typedef enum kiln_dtype {
  KILN_DTYPE_INVALID = 0, /**< no dtype; returned by getters on bad arguments */
  KILN_DTYPE_F32 = 1,     /**< IEEE binary32, name "f32" */
  KILN_DTYPE_F64 = 2,     /**< IEEE binary64, name "f64" */
  KILN_DTYPE_I8 = 3,      /**< int8_t, name "i8" */
  KILN_DTYPE_I16 = 4,     /**< int16_t, name "i16" */
  KILN_DTYPE_I32 = 5,     /**< int32_t, name "i32" */
  KILN_DTYPE_I64 = 6,     /**< int64_t, name "i64" */
  KILN_DTYPE_U8 = 7,      /**< uint8_t, name "u8" */
  KILN_DTYPE_U16 = 8,     /**< uint16_t, name "u16" */
  KILN_DTYPE_U32 = 9,     /**< uint32_t, name "u32" */
  KILN_DTYPE_U64 = 10,    /**< uint64_t, name "u64" */
  KILN_DTYPE_BOOL = 11,   /**< one byte, 0 or 1, name "bool" */
  KILN_DTYPE_F16 = 12,    /**< IEEE binary16, name "f16" */
  KILN_DTYPE_BF16 = 13    /**< bfloat16 (the high half of a binary32), name "bf16"; .npy files
                               hold its bits as uint16, numpy having no bfloat16 */
} kiln_dtype;

/** Returns the size in bytes of one element of @p dtype, or 0 if it is not a valid dtype. */
size_t kiln_dtype_size(kiln_dtype dtype);

/** Returns the signature name of @p dtype ("f32", "bool", ...), or "invalid". */
const char *kiln_dtype_name(kiln_dtype dtype);

/** Parses a signature dtype name ("f32", "u8", "bool", ...) into @p out; KILN_ERROR_FORMAT if unknown. */
kiln_status kiln_dtype_from_name(const char *name, kiln_dtype *out);

/* ------------------------------------------------------------------------- */
/* Tensors                                                                    */
/* ------------------------------------------------------------------------- */

/** Opaque dense, contiguous, row-major tensor; it owns its data or wraps caller memory. */
typedef struct kiln_tensor kiln_tensor;

/**
 * Allocates a zero-filled tensor that owns its data (64-byte aligned, never NULL,
 * even for zero elements). @p dims may be NULL when @p rank is 0; dims must be
 * >= 0. The caller owns `*out` and releases it with kiln_tensor_destroy().
 */
kiln_status kiln_tensor_create(kiln_dtype dtype, size_t rank, const int64_t *dims,
                               kiln_tensor **out);

/**
 * Makes a tensor that views @p data without owning it; @p data must stay valid
 * and hold the whole tensor until the tensor is destroyed. @p data may be NULL
 * only for a tensor of zero elements. The caller owns `*out` (not @p data).
 */
kiln_status kiln_tensor_wrap(kiln_dtype dtype, size_t rank, const int64_t *dims,
                             void *data, kiln_tensor **out);

/** Releases @p tensor and, if it owns it, its data. NULL is a no-op. */
void kiln_tensor_destroy(kiln_tensor *tensor);

/** Returns the dtype of @p tensor (KILN_DTYPE_INVALID if NULL). */
kiln_dtype kiln_tensor_dtype(const kiln_tensor *tensor);

/** Returns the rank of @p tensor (0 for a scalar or NULL). */
size_t kiln_tensor_rank(const kiln_tensor *tensor);

/** Returns the rank() dims of @p tensor, owned by the tensor; non-NULL even for rank 0 (NULL if @p tensor is NULL). */
const int64_t *kiln_tensor_dims(const kiln_tensor *tensor);

/** Returns the number of elements of @p tensor (1 for a scalar, 0 if a dim is 0 or @p tensor is NULL). */
size_t kiln_tensor_num_elements(const kiln_tensor *tensor);

/** Returns the size in bytes of the data of @p tensor (elements times dtype size). */
size_t kiln_tensor_byte_size(const kiln_tensor *tensor);

/** Returns the data pointer of @p tensor; writable unless the wrapped memory is read-only. */
void *kiln_tensor_data(const kiln_tensor *tensor);

/** Returns 1 if @p tensor owns its data (made by kiln_tensor_create or a reader), 0 if it wraps memory. */
int kiln_tensor_owns_data(const kiln_tensor *tensor);

/* ------------------------------------------------------------------------- */
/* .npy files                                                                 */
/* ------------------------------------------------------------------------- */

/**
 * Reads a NumPy .npy file (format 1.0, 2.0 or 3.0, C order, little-endian or
 * single-byte descr: '<f4' '<f8' '<f2' '|i1' '<i2' '<i4' '<i8' '|u1' '<u2' '<u4' '<u8'
 * '|b1'; '<' / '=' / '|' are interchangeable). numpy has no bfloat16: a bf16
 * tensor is written with descr '<u2' (its bits), and such a file reads as u16. Fortran order, big-endian data,
 * other dtypes, bad magic, a header over 65536 bytes (numpy's default limit
 * is 10000) and truncated files fail with a message, and so
 * does bool data holding a byte other than 0 or 1 (numpy reads any non-zero
 * byte as True; Kiln's code does not). The caller owns `*out`.
 */
kiln_status kiln_npy_read(const char *path, kiln_tensor **out);

/** Like kiln_npy_read(), from the @p size bytes of a whole .npy file held in memory. */
kiln_status kiln_npy_read_memory(const void *bytes, size_t size, kiln_tensor **out);

/** Writes @p tensor to @p path as .npy format 1.0 (2.0 only if the header needs > 65535 bytes). */
kiln_status kiln_npy_write(const char *path, const kiln_tensor *tensor);

/* ------------------------------------------------------------------------- */
/* Models                                                                     */
/* ------------------------------------------------------------------------- */

/** Opaque compiled model: a parsed signature plus one run function per entry. */
typedef struct kiln_model kiln_model;

/** Opaque entry point of a model (e.g. "infer"); owned by its model, valid until kiln_model_destroy(). */
typedef struct kiln_entry kiln_entry;

/** Type of the generated `kiln_entry_signature` symbol. */
typedef const char *(*kiln_signature_fn)(void);

/**
 * Type of a generated run function (`kiln_run_<entry>`), ABI v3: @p buffers as
 * described at the top of this file, @p dims the inputs' dims (in order) that
 * the caller wrote, followed by room for every output's dims, which the
 * function writes; returns 0 on success, or non-zero with `*error` set to a
 * static message when a run-time shape check failed (having freed what it
 * allocated).
 */
typedef int32_t (*kiln_run_fn)(void **buffers, int64_t *dims, const char **error);

/** Type of the generated `kiln_entry_functions` symbol: the NULL-terminated run functions. */
typedef const kiln_run_fn *(*kiln_functions_fn)(void);

/** A dim the signature names by a symbol (e.g. `N`) rather than a size; see kiln_entry_input_symbol(). */
#define KILN_DIM_SYMBOLIC (-1)

/** The bound of a symbol without a `bound` line (kiln_entry_symbol_bound()). */
#define KILN_DIM_UNBOUNDED (-1)

/**
 * Checks, without loading it, that @p path is a Kiln model library that dlopen()
 * can map safely: a regular file; an ELF64 shared library of this machine's
 * class, byte order and architecture; whose program header table, every
 * segment's file bytes, section header table and every section's bytes lie
 * within the file (a truncated library fails here instead of raising SIGBUS);
 * that holds the signature marker `kiln-model 4`; whose checksum trailer
 * (written by kiln-compile, see kiln_checksum.h) matches every byte before it,
 * so that a byte corrupted anywhere (code, initializers) is refused; and whose
 * signature's `cpu-features` line names only features this machine has
 * (code for others would die of SIGILL when it runs). The file
 * is only read, never mapped or run. Fails with KILN_ERROR_LOAD and a message
 * `cannot load model 'PATH': expects …, found …` (a corrupted file: `…: the
 * artifact is corrupted: checksum mismatch (…)`). This catches broken and
 * foreign files; it is no sandbox: a model library is native code that runs
 * with the caller's rights when loaded, and anyone can recompute a checksum.
 */
kiln_status kiln_model_check_file(const char *path);

/**
 * Loads a compiled model shared library: checks it (kiln_model_check_file()),
 * dlopen()s @p path (a path without '/' is taken relative to the current
 * directory), looks up `kiln_entry_signature` and `kiln_entry_functions`, and
 * parses the signature. Errors name the file and what is wrong, the missing
 * symbol or the malformed signature line. The caller owns `*out`;
 * the library stays loaded until kiln_model_destroy().
 *
 * A model library that calls runtime functions (e.g. kiln_parallel_for) leaves
 * them undefined; the host executable must export them (link with -rdynamic).
 */
kiln_status kiln_model_load(const char *path, kiln_model **out);

/**
 * Makes a model from entry points linked into the program (standalone model
 * executables): parses the text returned by @p signature_fn and binds the
 * NULL-terminated @p run_fns, one per entry in signature order; a count that
 * differs from the signature's entries is KILN_ERROR_FORMAT. The caller owns `*out`.
 */
kiln_status kiln_model_from_functions(kiln_signature_fn signature_fn, const kiln_run_fn *run_fns,
                                      kiln_model **out);

/** Like kiln_model_from_functions() for a signature with exactly one entry, run by @p run_fn. */
kiln_status kiln_model_from_entry(kiln_signature_fn signature_fn, kiln_run_fn run_fn,
                                  kiln_model **out);

/** Releases @p model and unloads its library if kiln_model_load() opened one. NULL is a no-op. */
void kiln_model_destroy(kiln_model *model);

/** Returns the signature text exactly as the model reports it (owned by @p model). */
const char *kiln_model_signature(const kiln_model *model);

/** Returns the number of entries of @p model (at least 1; 0 if NULL). */
size_t kiln_model_num_entries(const kiln_model *model);

/** Returns entry @p index in signature order, or NULL if out of range; entry 0 is the default entry. */
const kiln_entry *kiln_model_entry_at(const kiln_model *model, size_t index);

/** Finds the entry named @p name and stores it in @p entry; KILN_ERROR_NOT_FOUND (and NULL) otherwise. */
kiln_status kiln_model_find_entry(const kiln_model *model, const char *name,
                                  const kiln_entry **entry);

/** Returns the name of @p entry (owned by its model), or NULL if @p entry is NULL. */
const char *kiln_entry_name(const kiln_entry *entry);

/** Returns the planned workspace bytes of @p entry (0: it takes none). */
size_t kiln_entry_workspace_bytes(const kiln_entry *entry);

/** Returns the number of inputs of @p entry. */
size_t kiln_entry_num_inputs(const kiln_entry *entry);

/** Returns the number of outputs of @p entry. */
size_t kiln_entry_num_outputs(const kiln_entry *entry);

/** Returns the decoded name of input @p index of @p entry, or NULL if out of range. */
const char *kiln_entry_input_name(const kiln_entry *entry, size_t index);

/** Returns the dtype of input @p index of @p entry, or KILN_DTYPE_INVALID if out of range. */
kiln_dtype kiln_entry_input_dtype(const kiln_entry *entry, size_t index);

/** Returns the rank of input @p index of @p entry (0 for a scalar or when out of range). */
size_t kiln_entry_input_rank(const kiln_entry *entry, size_t index);

/** Returns the dims of input @p index (KILN_DIM_SYMBOLIC where symbolic; non-NULL even for rank 0), or NULL if out of range. */
const int64_t *kiln_entry_input_dims(const kiln_entry *entry, size_t index);

/** Returns the symbol of dim @p axis of input @p index (e.g. "N"), or NULL if that dim is static or out of range. */
const char *kiln_entry_input_symbol(const kiln_entry *entry, size_t index, size_t axis);

/** Returns the decoded name of output @p index of @p entry, or NULL if out of range. */
const char *kiln_entry_output_name(const kiln_entry *entry, size_t index);

/** Returns the dtype of output @p index of @p entry, or KILN_DTYPE_INVALID if out of range. */
kiln_dtype kiln_entry_output_dtype(const kiln_entry *entry, size_t index);

/** Returns the rank of output @p index of @p entry (0 for a scalar or when out of range). */
size_t kiln_entry_output_rank(const kiln_entry *entry, size_t index);

/** Returns the dims of output @p index (KILN_DIM_SYMBOLIC where symbolic; non-NULL even for rank 0), or NULL if out of range. */
const int64_t *kiln_entry_output_dims(const kiln_entry *entry, size_t index);

/** Returns the symbol of dim @p axis of output @p index, or NULL if that dim is static or out of range. */
const char *kiln_entry_output_symbol(const kiln_entry *entry, size_t index, size_t axis);

/** Returns the number of distinct dim symbols of @p entry (inputs' and outputs'). */
size_t kiln_entry_num_symbols(const kiln_entry *entry);

/** Returns symbol @p index of @p entry (e.g. "N"), in order of first appearance, or NULL if out of range. */
const char *kiln_entry_symbol_name(const kiln_entry *entry, size_t index);

/** Returns the bound of symbol @p index (the largest value it may take), or KILN_DIM_UNBOUNDED if it has none or @p index is out of range. */
int64_t kiln_entry_symbol_bound(const kiln_entry *entry, size_t index);

/** Returns 1 if some input of @p entry has symbol @p index as a dim (its value is known before a run), 0 if only outputs do (known after the run) or out of range. */
int kiln_entry_symbol_bound_by_inputs(const kiln_entry *entry, size_t index);

/**
 * Stores in @p dims (room for kiln_entry_output_rank()) the shape output
 * @p index will have when @p entry runs on @p inputs: its static dims, and the
 * values the inputs give its symbols; KILN_DIM_SYMBOLIC where the dim is known
 * only after the run. Checks the inputs as kiln_entry_check_inputs() does
 * first. After a run, the output tensor itself has the actual shape.
 */
kiln_status kiln_entry_output_shape(const kiln_entry *entry, const kiln_tensor *const *inputs,
                                    size_t n_inputs, size_t index, int64_t *dims);

/** Finds the input of @p entry named @p name and stores its position in @p index; KILN_ERROR_NOT_FOUND otherwise. */
kiln_status kiln_entry_find_input(const kiln_entry *entry, const char *name, size_t *index);

/** Finds the output of @p entry named @p name and stores its position in @p index; KILN_ERROR_NOT_FOUND otherwise. */
kiln_status kiln_entry_find_output(const kiln_entry *entry, const char *name, size_t *index);

/**
 * Checks @p inputs against the signature of @p entry: count, then dtype, rank
 * and static dims of each input, in order; a symbolic dim takes the size where
 * it first appears, must have it in every other input, and must not exceed the
 * symbol's bound. Dims of 0 are legal. Fails with KILN_ERROR_SHAPE_MISMATCH (or
 * the dtype, count or argument error) and a message that names the input and
 * the dim and says what was expected and found, e.g.
 * `input 'x': expected shape 1x3x8x8, got 1x3x8x9`,
 * `input 'y': expected dim 0 (N) = 2 as in input 'x', got 3`,
 * `input 'x': expected dim 0 (N) <= 64 (its bound), got 65`.
 * A bool input must hold only bytes 0 and 1 (generated code reads a bool as
 * one bit): any other byte fails with KILN_ERROR_INVALID_ARGUMENT, e.g.
 * `input 'c': expects bool bytes 0 or 1, found 2 at index 0`. Every run
 * function checks its inputs this way before anything runs.
 */
kiln_status kiln_entry_check_inputs(const kiln_entry *entry, const kiln_tensor *const *inputs,
                                    size_t n_inputs);

/**
 * Runs @p entry of @p model once (see kiln_model_run()). Each output is a new
 * tensor of the output's actual shape: kiln_tensor_rank() and kiln_tensor_dims()
 * tell it after the run, symbolic dims included; an output may have 0 elements.
 */
kiln_status kiln_model_run_entry(kiln_model *model, const kiln_entry *entry,
                                 const kiln_tensor *const *inputs, size_t n_inputs,
                                 kiln_tensor **outputs, size_t n_outputs);

/**
 * Runs @p entry of @p model once into caller-provided outputs (see
 * kiln_model_run_into()). Each output must have the shape the run gives it:
 * its static dims, and for a symbolic dim the value the inputs give that
 * symbol (kiln_entry_output_shape() computes it), checked before the run, e.g.
 * `output 'z': expected shape Nx3 with N = 2, got 3x3`. A dim only the run
 * determines (a symbol no input has) is compared after the run, and the output
 * is left untouched if it differs; kiln_model_run_entry(), which returns
 * outputs of the actual shape, needs no such knowledge.
 */
kiln_status kiln_model_run_entry_into(kiln_model *model, const kiln_entry *entry,
                                      const kiln_tensor *const *inputs, size_t n_inputs,
                                      kiln_tensor *const *outputs, size_t n_outputs);

/* The functions below use the default entry (entry 0), so single-entry callers need no entry handle. */

/** Returns the largest workspace of the model's entries, or 0: what each ::kiln_context (and the model's own, made at load) allocates. */
size_t kiln_model_workspace_bytes(const kiln_model *model);

/** Returns the number of inputs of the default entry. */
size_t kiln_model_num_inputs(const kiln_model *model);

/** Returns the number of outputs of the default entry. */
size_t kiln_model_num_outputs(const kiln_model *model);

/** Returns the decoded name of input @p index of the default entry (owned by @p model), or NULL if out of range. */
const char *kiln_model_input_name(const kiln_model *model, size_t index);

/** Returns the dtype of input @p index of the default entry, or KILN_DTYPE_INVALID if out of range. */
kiln_dtype kiln_model_input_dtype(const kiln_model *model, size_t index);

/** Returns the rank of input @p index of the default entry (0 for a scalar or when out of range). */
size_t kiln_model_input_rank(const kiln_model *model, size_t index);

/** Returns the dims of input @p index of the default entry (owned by @p model, non-NULL even for rank 0), or NULL if out of range. */
const int64_t *kiln_model_input_dims(const kiln_model *model, size_t index);

/** Returns the decoded name of output @p index of the default entry (owned by @p model), or NULL if out of range. */
const char *kiln_model_output_name(const kiln_model *model, size_t index);

/** Returns the dtype of output @p index of the default entry, or KILN_DTYPE_INVALID if out of range. */
kiln_dtype kiln_model_output_dtype(const kiln_model *model, size_t index);

/** Returns the rank of output @p index of the default entry (0 for a scalar or when out of range). */
size_t kiln_model_output_rank(const kiln_model *model, size_t index);

/** Returns the dims of output @p index of the default entry (owned by @p model, non-NULL even for rank 0), or NULL if out of range. */
const int64_t *kiln_model_output_dims(const kiln_model *model, size_t index);

/** Finds the default entry's input named @p name and stores its position in @p index; KILN_ERROR_NOT_FOUND otherwise. */
kiln_status kiln_model_find_input(const kiln_model *model, const char *name, size_t *index);

/** Finds the default entry's output named @p name and stores its position in @p index; KILN_ERROR_NOT_FOUND otherwise. */
kiln_status kiln_model_find_output(const kiln_model *model, const char *name, size_t *index);

/** kiln_entry_check_inputs() on the default entry. */
kiln_status kiln_model_check_inputs(const kiln_model *model, const kiln_tensor *const *inputs,
                                    size_t n_inputs);

/**
 * Runs the default entry of @p model once. Validates the inputs
 * (kiln_model_check_inputs) and runs nothing if they are wrong. On success
 * `outputs[i]` receives a new tensor for output i, owned by the caller; on
 * failure every `outputs[i]` is set to NULL. @p n_outputs must equal
 * kiln_model_num_outputs(). Intermediate values live in the workspace of the
 * model's own context, allocated once at load: concurrent kiln_model_run*
 * calls on one model are safe and take turns. To run one model from several
 * threads at once, give each thread a ::kiln_context (kiln_context_create()).
 */
kiln_status kiln_model_run(kiln_model *model, const kiln_tensor *const *inputs, size_t n_inputs,
                           kiln_tensor **outputs, size_t n_outputs);

/**
 * Runs the default entry of @p model once into caller-provided output tensors
 * (e.g. allocated once for repeated runs). Inputs and outputs are both validated
 * against the signature (see kiln_model_run_entry_into() for symbolic output
 * dims), and nothing runs if any is wrong. The outputs stay owned by the caller.
 */
kiln_status kiln_model_run_into(kiln_model *model, const kiln_tensor *const *inputs,
                                size_t n_inputs, kiln_tensor *const *outputs, size_t n_outputs);

/* ------------------------------------------------------------------------- */
/* Run contexts: one model, many threads                                      */
/* ------------------------------------------------------------------------- */

/**
 * Opaque run context: the workspace that holds a run's intermediate values.
 * Runs on different contexts of one model proceed in parallel (generated code
 * keeps no state outside its workspace); runs on one context take turns, so a
 * context is typically made per thread. A model's kiln_model_run* functions
 * use a context of its own.
 */
typedef struct kiln_context kiln_context;

/**
 * Makes a run context for @p model with its own kiln_model_workspace_bytes()
 * workspace (64-byte aligned), allocated here and reused by every run. The
 * caller owns `*out`, releases it with kiln_context_destroy() and keeps
 * @p model alive until then; @p model itself is not changed.
 */
kiln_status kiln_context_create(const kiln_model *model, kiln_context **out);

/** Releases @p context and its workspace; no run may be in progress on it. NULL is a no-op. */
void kiln_context_destroy(kiln_context *context);

/**
 * Runs @p entry of the context's model once on @p context, as kiln_model_run_entry()
 * does (new outputs owned by the caller, all NULL on failure). @p entry must
 * belong to the model @p context was made for.
 */
kiln_status kiln_context_run_entry(kiln_context *context, const kiln_entry *entry,
                                   const kiln_tensor *const *inputs, size_t n_inputs,
                                   kiln_tensor **outputs, size_t n_outputs);

/** Runs @p entry once on @p context into caller-provided outputs, as kiln_model_run_entry_into() does. */
kiln_status kiln_context_run_entry_into(kiln_context *context, const kiln_entry *entry,
                                        const kiln_tensor *const *inputs, size_t n_inputs,
                                        kiln_tensor *const *outputs, size_t n_outputs);

/** Runs the default entry once on @p context, as kiln_model_run() does. */
kiln_status kiln_context_run(kiln_context *context, const kiln_tensor *const *inputs,
                             size_t n_inputs, kiln_tensor **outputs, size_t n_outputs);

/** Runs the default entry once on @p context into caller-provided outputs, as kiln_model_run_into() does. */
kiln_status kiln_context_run_into(kiln_context *context, const kiln_tensor *const *inputs,
                                  size_t n_inputs, kiln_tensor *const *outputs, size_t n_outputs);

/* ------------------------------------------------------------------------- */
/* Threads                                                                    */
/* ------------------------------------------------------------------------- */

/** The most threads kiln_parallel_for() uses; kiln_set_num_threads() caps larger counts. */
#define KILN_MAX_THREADS 1024

/**
 * Sets the number of threads kiln_parallel_for() uses (the caller counts as one),
 * at most ::KILN_MAX_THREADS;
 * @p n <= 0 means the hardware concurrency. Until called, the default is the
 * environment variable KILN_NUM_THREADS if it is a positive integer, else the
 * hardware concurrency. Takes effect at the next kiln_parallel_for().
 */
void kiln_set_num_threads(int n);

/** Returns the number of threads kiln_parallel_for() uses (>= 1). */
int kiln_get_num_threads(void);

/** Body of a parallel loop: handles indices [begin, end) using @p ctx. */
typedef void (*kiln_parallel_body)(int64_t begin, int64_t end, void *ctx);

/**
 * Calls @p body on disjoint ranges that together cover [0, @p n) exactly once,
 * on a lazily created persistent thread pool, and returns when all are done.
 * Runs inline as body(0, n, ctx) when n < 2, when one thread is configured,
 * when called from inside a running body, or while another thread's
 * kiln_parallel_for is in progress. n <= 0 does nothing. Safe to call from
 * many threads at once (concurrent runs on different contexts do): one caller
 * at a time gets the pool and the others run their loop on their own thread,
 * so no caller waits for another's loop.
 */
void kiln_parallel_for(int64_t n, kiln_parallel_body body, void *ctx);

/* Training: kiln_train.h (STATE kinds, the trainer, checkpoints). */
#include "kiln_train.h"

/* ------------------------------------------------------------------------- */
/* Command-line driver                                                        */
/* ------------------------------------------------------------------------- */

/** Exit statuses of kiln_cli_main(). */
enum kiln_cli_exit {
  KILN_CLI_EXIT_OK = 0,      /**< success, or --help */
  KILN_CLI_EXIT_FAILURE = 1, /**< bad input, load, run or write failure; nothing ran if the inputs were wrong */
  KILN_CLI_EXIT_USAGE = 2    /**< bad command line: unknown option, missing or non-numeric value */
};

/**
 * The driver shared by `kiln-run` and standalone model executables; returns a
 * ::kiln_cli_exit value. With @p model_or_null NULL, argv[1] is the path of a
 * model library to load (as `kiln-run MODEL.so [options]`), otherwise the
 * options start at argv[1] and @p model_or_null stays owned by the caller.
 *
 * Options: `--entry NAME` (the entry to run; default: the model's first),
 * `--input NAME=FILE.npy` (each input of the entry exactly once),
 * `--output-dir DIR` (created if missing; each output written to
 * DIR/<file>.npy, <file> being the output's name with every '/' and control
 * byte (< 0x20, 0x7f) replaced by '_', so one path component inside DIR and
 * never "." or ".."; names that map to the same file or are longer than 251
 * bytes are refused before anything runs; each file is written under a
 * temporary name and renamed, so an existing symbolic or hard link is
 * replaced, never written through), `--threads T`,
 * `--bench N` (one warm-up, N timed runs, prints exactly one JSON line
 * `{"median_ms":M,"min_ms":m,"runs":N}` on stdout), `--help`.
 * Each output is printed and written in its actual shape, symbolic dims
 * and zero-size outputs included; `--help` prints the signature, its `bound`
 * lines included. Without --bench it runs once and prints, per output,
 * `output NAME DTYPE [DIMS] argmax=I max=V` and a line with up to the first 10
 * values, then `time: X.XXX ms`. Names are printed percent-encoded.
 */
int kiln_cli_main(int argc, char **argv, kiln_model *model_or_null);

/**
 * Writes the trained STATE of @p trainer into a copy of the ONNX model at
 * @p source, saved as @p out (`--save`); returns 0, or non-zero with a
 * message in @p error (@p error_size bytes).
 */
typedef int (*kiln_cli_save_onnx_fn)(const kiln_trainer *trainer, const char *source,
                                     const char *out, char *error, size_t error_size);

/** What a host adds to kiln_cli_main_with() beyond the C runtime. */
typedef struct kiln_cli_hooks {
  kiln_cli_save_onnx_fn save_onnx; /**< `--train --save`; NULL: --save is refused (C-only hosts) */
  /** Checks all that save_onnx would check and writes nothing; called before
   *  training so a refusal costs no training time (NULL: not checked early). */
  kiln_cli_save_onnx_fn check_save_onnx;
} kiln_cli_hooks;

/**
 * kiln_cli_main() with @p hooks (may be NULL: none). With `--train` the
 * driver trains a training artifact instead of running an entry:
 * `--train --data NAME=FILE.npy ... --batch B --epochs E [--shuffle-seed S]
 * [--log-every K] [--eval NAME=FILE.npy,...] [--save OUT.onnx]
 * [--checkpoint DIR] [--threads T]`, documented in docs/training.md.
 */
int kiln_cli_main_with(int argc, char **argv, kiln_model *model_or_null,
                       const kiln_cli_hooks *hooks);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_RUNTIME_H */
