/**
 * @file kiln_train_internal.h
 * @brief The trainer's representation, shared by kiln_train.c and kiln_checkpoint.c; not installed.
 */
#ifndef KILN_TRAIN_INTERNAL_H
#define KILN_TRAIN_INTERNAL_H

#include "kiln_internal.h"

/**
 * The most steps, epochs or checkpoint generations a trainer counts: far
 * above any real run, and low enough that counting on from it cannot
 * overflow. A checkpoint holds counts up to it, train_step refuses to pass
 * it, so every count a trainer reaches can be saved and read back.
 */
#define KILN_TRAINER_COUNT_MAX ((int64_t)1 << 62)

/** A trainer: the artifact's entries, checked once, and its STATE in two sets. */
struct kiln_trainer {
  kiln_model *model;           /**< not owned */
  const kiln_training *info;   /**< the signature's training lines (owned by the model) */
  const kiln_entry *init, *train, *eval, *infer;
  kiln_context *ctx;           /**< the trainer's own workspace */
  size_t num_state;            /**< STATE tensors */
  size_t num_batch;            /**< train_step inputs after the STATE: data inputs, then the label */
  int64_t batch;               /**< the compiled batch B */
  kiln_tensor **state[2];      /**< the two STATE sets; state[cur] is current */
  int cur;                     /**< 0 or 1 */
  int64_t steps;               /**< successful train_step runs since init */
  kiln_tensor *loss;           /**< train_step's f32 scalar loss */
  kiln_tensor **eval_out;      /**< eval's outputs, reused by kiln_trainer_eval_sums */
  const kiln_tensor **in;      /**< scratch: an entry's inputs */
  kiln_tensor **out;           /**< scratch: train_step's outputs */
};

/** Checks that @p value has the dtype and shape of STATE tensor @p i; the message names it. */
kiln_status kiln__trainer_check_state_value(const kiln_trainer *t, size_t i,
                                            const kiln_tensor *value);

/** Copies @p value (checked by kiln__trainer_check_state_value) into STATE tensor @p i. */
void kiln__trainer_store(kiln_trainer *t, size_t i, const kiln_tensor *value);

/** Whether writing @p path would replace a file of the checkpoint in @p dir:
 * its manifest (or the manifest's temporary), a g<G>-<i>.npy file it writes,
 * or a file the manifest lists, by name in @p dir or as the same file (device
 * and inode, through links). Stores the checkpoint file's name in @p which
 * (of @p size bytes) when it would. */
int kiln__checkpoint_owns(const char *dir, const char *path, char *which, size_t size);

/* Creates checkpoint directory @p dir (and its parents) when missing and
   checks that files can be made in it, so that a run finds out before
   training rather than at its first save. */
kiln_status kiln__checkpoint_prepare(const char *dir);

#endif /* KILN_TRAIN_INTERNAL_H */
