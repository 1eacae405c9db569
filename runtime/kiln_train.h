/**
 * @file kiln_train.h
 * @brief The training part of the Kiln C runtime's contract: STATE kinds, the
 * trainer (init, step, eval, infer, parameters by name) and checkpoints.
 *
 * Included by kiln_runtime.h, inside its declarations; include that header,
 * not this one. Conventions (statuses, ownership, errors) are kiln_runtime.h's.
 */
#ifndef KILN_TRAIN_H
#define KILN_TRAIN_H

#ifndef KILN_RUNTIME_H
#error "include kiln_runtime.h, which includes kiln_train.h"
#endif

/* ------------------------------------------------------------------------- */
/* Training                                                                   */
/* ------------------------------------------------------------------------- */

/** Kind of a STATE tensor of a training artifact (its signature's `state` lines). */
typedef enum kiln_state_kind {
  KILN_STATE_INVALID = 0,   /**< returned by getters on bad arguments */
  KILN_STATE_PARAMETER = 1, /**< a trained parameter, name "parameter" */
  KILN_STATE_BUFFER = 2,    /**< a non-trained model tensor (batch-norm running stats), "buffer" */
  KILN_STATE_OPTIMIZER = 3  /**< optimizer state (moments, the step count), "optimizer" */
} kiln_state_kind;

/** Returns the signature name of @p kind ("parameter", "buffer", "optimizer"), or "invalid". */
const char *kiln_state_kind_name(kiln_state_kind kind);

/**
 * Opaque trainer: drives a training artifact's entries (docs/training.md) and
 * holds its STATE. The STATE lives in two sets of tensors: train_step reads
 * one set and writes STATE' into the other, then the two swap, so a step
 * never reads what it writes and a failed step leaves the STATE unchanged.
 * A trainer runs on a ::kiln_context of its own; calls on one trainer must
 * not overlap.
 */
typedef struct kiln_trainer kiln_trainer;

/** Returns 1 if @p model's signature has the `training` lines of a training artifact, else 0. */
int kiln_model_is_training(const kiln_model *model);

/**
 * Makes a trainer for @p model and runs its `init` entry. Checks that the
 * model is a training artifact with the layout of docs/training.md: entries
 * `init` (no inputs; outputs the STATE, named by the `state` lines in order),
 * `train_step` (inputs STATE then the batch inputs, the data inputs then the
 * label, last; outputs an f32 scalar loss then STATE'), `eval` (the inputs of
 * train_step; outputs the f32 [B] per-sample loss then the model's outputs)
 * and `infer` (STATE then the data inputs; the model's outputs), all static,
 * every batch input with the same dim 0, the batch B. A model that is not one
 * fails with KILN_ERROR_FORMAT and a message saying what differs. @p model
 * must outlive the trainer; the caller owns `*out`.
 */
kiln_status kiln_trainer_create(kiln_model *model, kiln_trainer **out);

/** Releases @p trainer and its STATE (not its model). NULL is a no-op. */
void kiln_trainer_destroy(kiln_trainer *trainer);

/** Runs `init` again: the STATE returns to its initial values and the step count to 0. */
kiln_status kiln_trainer_reset(kiln_trainer *trainer);

/** Returns the model of @p trainer. */
kiln_model *kiln_trainer_model(const kiln_trainer *trainer);

/** Returns the loss the artifact was compiled with ("softmax-cross-entropy", "nll", "mse", "bce-logits"). */
const char *kiln_trainer_loss(const kiln_trainer *trainer);

/** Returns the decoded name of the label input (the last batch input). */
const char *kiln_trainer_label(const kiln_trainer *trainer);

/** Returns the decoded path of the model the artifact was compiled from (the signature's `source`). */
const char *kiln_trainer_source(const kiln_trainer *trainer);

/** Returns the SHA-256 (64 lower-case hex digits) of that model's file when compiled (the
 *  signature's `source-sha256`), or NULL when the artifact records none. */
const char *kiln_trainer_source_sha256(const kiln_trainer *trainer);

/** Returns the compiled batch size B (dim 0 of every batch input). */
int64_t kiln_trainer_batch_size(const kiln_trainer *trainer);

/** Returns the number of train_step and eval steps' inputs after the STATE: data inputs, then the label. */
size_t kiln_trainer_num_batch_inputs(const kiln_trainer *trainer);

/** Returns the decoded name of batch input @p index (train_step input kiln_trainer_num_state() + @p index), or NULL if out of range. */
const char *kiln_trainer_batch_input_name(const kiln_trainer *trainer, size_t index);

/** Returns the train_step entry, whose inputs after the STATE describe the batch inputs (dtype, dims). */
const kiln_entry *kiln_trainer_train_entry(const kiln_trainer *trainer);

/** Returns the eval entry: outputs the per-sample loss, then the model's outputs. */
const kiln_entry *kiln_trainer_eval_entry(const kiln_trainer *trainer);

/** Returns the infer entry: inputs the STATE then the data inputs (the batch inputs but the label). */
const kiln_entry *kiln_trainer_infer_entry(const kiln_trainer *trainer);

/** Returns the number of STATE tensors. */
size_t kiln_trainer_num_state(const kiln_trainer *trainer);

/** Returns the decoded name of STATE tensor @p index, or NULL if out of range. */
const char *kiln_trainer_state_name(const kiln_trainer *trainer, size_t index);

/** Returns the kind of STATE tensor @p index, or KILN_STATE_INVALID if out of range. */
kiln_state_kind kiln_trainer_state_kind(const kiln_trainer *trainer, size_t index);

/** Returns the number of successful kiln_trainer_step() calls since init (restored by a checkpoint). */
int64_t kiln_trainer_steps(const kiln_trainer *trainer);

/**
 * Runs train_step once on @p batch (kiln_trainer_num_batch_inputs() tensors:
 * the data inputs then the label, shaped as train_step's inputs after the
 * STATE) and stores the batch's mean loss in @p loss (may be NULL). The STATE
 * becomes STATE'; on failure it is unchanged.
 */
kiln_status kiln_trainer_step(kiln_trainer *trainer, const kiln_tensor *const *batch,
                              size_t n_batch, float *loss);

/**
 * Runs eval on @p batch (as kiln_trainer_step() takes it); no STATE changes.
 * `outputs[i]` receives a new tensor for eval's output i (the per-sample loss,
 * then the model's outputs), owned by the caller; all NULL on failure.
 * @p n_outputs must equal kiln_entry_num_outputs(kiln_trainer_eval_entry()).
 */
kiln_status kiln_trainer_eval(kiln_trainer *trainer, const kiln_tensor *const *batch,
                              size_t n_batch, kiln_tensor **outputs, size_t n_outputs);

/**
 * Runs eval on @p batch and adds to @p loss_sum the per-sample losses of its
 * first @p valid_rows rows (rows after them are padding); adds to @p correct
 * and @p counted (both may be NULL) the right predictions and the predictions
 * made: for softmax-cross-entropy and nll the argmax over axis 1 of the first
 * model output against the integer label, per row (and per position after
 * axis 1), for bce-logits (logit > 0) against (label > 0.5) per element, for
 * mse none (@p counted unchanged).
 */
kiln_status kiln_trainer_eval_sums(kiln_trainer *trainer, const kiln_tensor *const *batch,
                                   size_t n_batch, int64_t valid_rows, double *loss_sum,
                                   int64_t *correct, int64_t *counted);

/**
 * Runs infer on @p data (the batch inputs but the label); `outputs[i]`
 * receives a new tensor for the model's output i, owned by the caller (all
 * NULL on failure). @p n_outputs must equal kiln_entry_num_outputs(kiln_trainer_infer_entry()).
 */
kiln_status kiln_trainer_infer(kiln_trainer *trainer, const kiln_tensor *const *data,
                               size_t n_data, kiln_tensor **outputs, size_t n_outputs);

/** Stores in @p copy a new tensor (owned by the caller) holding the current value of STATE tensor @p name; KILN_ERROR_NOT_FOUND if there is none. */
kiln_status kiln_trainer_get(const kiln_trainer *trainer, const char *name, kiln_tensor **copy);

/** Copies @p value into STATE tensor @p name; its dtype and shape must be the STATE tensor's (KILN_ERROR_DTYPE_MISMATCH, KILN_ERROR_SHAPE_MISMATCH). */
kiln_status kiln_trainer_set(kiln_trainer *trainer, const char *name, const kiln_tensor *value);

/**
 * Saves the STATE, the step count and @p epochs (the caller's count of
 * finished epochs) into directory @p dir (created if missing): one .npy file
 * per STATE tensor and a manifest `checkpoint.txt` (format in
 * docs/training.md), written last and renamed into place, so a checkpoint
 * interrupted halfway leaves the previous one readable; the previous one's
 * .npy files are removed afterwards.
 */
kiln_status kiln_trainer_save_checkpoint(kiln_trainer *trainer, const char *dir, int64_t epochs);

/**
 * Loads the checkpoint in @p dir into the STATE and the step count and stores
 * its epoch count in @p epochs (may be NULL). KILN_ERROR_NOT_FOUND when @p dir
 * holds no `checkpoint.txt`; a checkpoint of another artifact (other STATE
 * names, kinds, dtypes or shapes) or a malformed one fails with a message, and
 * then the STATE is unchanged.
 */
kiln_status kiln_trainer_load_checkpoint(kiln_trainer *trainer, const char *dir, int64_t *epochs);

#endif /* KILN_TRAIN_H */
