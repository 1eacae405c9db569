/* The trainer: drives a training artifact's init, train_step, eval and infer
 * entries (docs/training.md) and holds its STATE in two tensor sets that swap
 * after every step. Checkpoints are in kiln_checkpoint.c. */
#include "kiln_train_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *kiln_state_kind_name(kiln_state_kind kind) {
  switch (kind) {
  case KILN_STATE_PARAMETER: return "parameter";
  case KILN_STATE_BUFFER: return "buffer";
  case KILN_STATE_OPTIMIZER: return "optimizer";
  case KILN_STATE_INVALID: break;
  }
  return "invalid";
}

int kiln_model_is_training(const kiln_model *model) {
  const kiln_signature *sig = kiln__model_parsed(model);
  return sig && sig->training.loss != NULL;
}

/* "expects ..., found ..." about the artifact's layout; @p fmt continues "training artifact". */
#define KILN_LAYOUT_FAIL(...) kiln__fail(KILN_ERROR_FORMAT, "training artifact " __VA_ARGS__)

static int kiln_same_dims(const kiln_value *a, const kiln_value *b) {
  return a->rank == b->rank && (a->rank == 0 || memcmp(a->dims, b->dims, a->rank * sizeof(int64_t)) == 0);
}

/* Checks that value @p v (input/output @p index of @p entry) is @p want: name, dtype and dims. */
static kiln_status kiln_expect_value(const kiln_entry *entry, const char *what, size_t index,
                                     const kiln_value *v, const kiln_value *want,
                                     const char *want_from) {
  char got_dims[128], want_dims[128];
  if (strcmp(v->name, want->name) != 0)
    return KILN_LAYOUT_FAIL("expects %s %zu of entry '%s' to be '%s' (%s), found '%s'", what,
                            index, entry->name, want->name, want_from, v->name);
  if (v->dtype != want->dtype || !kiln_same_dims(v, want)) {
    kiln__format_dims(got_dims, sizeof got_dims, v->rank, v->dims);
    kiln__format_dims(want_dims, sizeof want_dims, want->rank, want->dims);
    return KILN_LAYOUT_FAIL("expects %s '%s' of entry '%s' to be %s %s as %s, found %s %s", what,
                            v->name, entry->name, kiln_dtype_name(want->dtype), want_dims,
                            want_from, kiln_dtype_name(v->dtype), got_dims);
  }
  return KILN_OK;
}

static kiln_status kiln_find_training_entry(const kiln_model *model, const char *name,
                                            const kiln_entry **out) {
  size_t i;
  if (kiln_model_find_entry(model, name, out) != KILN_OK)
    return KILN_LAYOUT_FAIL("expects an entry '%s', found none", name);
  if ((*out)->has_symbolic_dims)
    return KILN_LAYOUT_FAIL("expects static shapes, found symbolic dims in entry '%s'", name);
  for (i = 0; i < (*out)->num_outputs; ++i)
    if ((*out)->outputs[i].symbols)
      return KILN_LAYOUT_FAIL("expects static shapes, found symbolic dims in entry '%s'", name);
  return KILN_OK;
}

/* The layout checks of kiln_trainer_create(); fills the entries and counts of @p t. */
static kiln_status kiln_check_layout(kiln_trainer *t) {
  const kiln_training *info = t->info;
  const kiln_entry *init, *train, *eval, *infer;
  size_t i, ns = info->num_state, nb;
  kiln_status st;
  if ((st = kiln_find_training_entry(t->model, "init", &init)) != KILN_OK ||
      (st = kiln_find_training_entry(t->model, "train_step", &train)) != KILN_OK ||
      (st = kiln_find_training_entry(t->model, "eval", &eval)) != KILN_OK ||
      (st = kiln_find_training_entry(t->model, "infer", &infer)) != KILN_OK)
    return st;
  if (ns == 0) return KILN_LAYOUT_FAIL("expects at least one 'state' line, found %s", "none");
  if (init->num_inputs != 0)
    return KILN_LAYOUT_FAIL("expects entry 'init' without inputs, found %zu", init->num_inputs);
  if (init->num_outputs != ns)
    return KILN_LAYOUT_FAIL("expects entry 'init' to output the %zu STATE tensors, found %zu "
                            "outputs",
                            ns, init->num_outputs);
  for (i = 0; i < ns; ++i)
    if (strcmp(init->outputs[i].name, info->state_names[i]) != 0)
      return KILN_LAYOUT_FAIL("expects output %zu of entry 'init' to be STATE '%s', found '%s'", i,
                              info->state_names[i], init->outputs[i].name);
  /* train_step: STATE, data inputs, label -> loss, STATE'. */
  if (train->num_inputs < ns + 1)
    return KILN_LAYOUT_FAIL("expects entry 'train_step' to take the %zu STATE tensors and at "
                            "least the label, found %zu inputs",
                            ns, train->num_inputs);
  for (i = 0; i < ns; ++i)
    if ((st = kiln_expect_value(train, "input", i, &train->inputs[i], &init->outputs[i],
                                "init's output")) != KILN_OK)
      return st;
  nb = train->num_inputs - ns;
  if (strcmp(train->inputs[train->num_inputs - 1].name, info->label) != 0)
    return KILN_LAYOUT_FAIL("expects the last input of entry 'train_step' to be the label '%s', "
                            "found '%s'",
                            info->label, train->inputs[train->num_inputs - 1].name);
  if (train->num_outputs != ns + 1)
    return KILN_LAYOUT_FAIL("expects entry 'train_step' to output the loss and the %zu STATE "
                            "tensors, found %zu outputs",
                            ns, train->num_outputs);
  if (train->outputs[0].dtype != KILN_DTYPE_F32 || train->outputs[0].rank != 0)
    return KILN_LAYOUT_FAIL("expects output 0 of entry 'train_step' to be an f32 scalar loss, "
                            "found %s of rank %zu",
                            kiln_dtype_name(train->outputs[0].dtype), train->outputs[0].rank);
  for (i = 0; i < ns; ++i)
    if ((st = kiln_expect_value(train, "output", i + 1, &train->outputs[i + 1], &init->outputs[i],
                                "init's output")) != KILN_OK)
      return st;
  /* The batch: dim 0 of every batch input. */
  for (i = ns; i < train->num_inputs; ++i) {
    const kiln_value *v = &train->inputs[i];
    if (v->rank == 0 || v->dims[0] < 1)
      return KILN_LAYOUT_FAIL("expects batch input '%s' of entry 'train_step' to have a batch "
                              "dim 0 >= 1, found %s",
                              v->name, v->rank ? "a dim 0 of 0" : "a scalar");
    if (i == ns) t->batch = v->dims[0];
    if (v->dims[0] != t->batch)
      return KILN_LAYOUT_FAIL("expects every batch input of entry 'train_step' to have dim 0 = "
                              "%lld as '%s', found %lld in '%s'",
                              (long long)t->batch, train->inputs[ns].name, (long long)v->dims[0],
                              v->name);
  }
  /* eval: train_step's inputs -> per-sample loss [B], the model's outputs. */
  if (eval->num_inputs != train->num_inputs)
    return KILN_LAYOUT_FAIL("expects entry 'eval' to take train_step's %zu inputs, found %zu",
                            train->num_inputs, eval->num_inputs);
  for (i = 0; i < eval->num_inputs; ++i)
    if ((st = kiln_expect_value(eval, "input", i, &eval->inputs[i], &train->inputs[i],
                                "in train_step")) != KILN_OK)
      return st;
  if (eval->num_outputs < 2 || eval->outputs[0].dtype != KILN_DTYPE_F32 ||
      eval->outputs[0].rank != 1 || eval->outputs[0].dims[0] != t->batch)
    return KILN_LAYOUT_FAIL("expects entry 'eval' to output an f32 [%lld] per-sample loss, then "
                            "the model's outputs, found %zu outputs%s",
                            (long long)t->batch, eval->num_outputs,
                            eval->num_outputs ? " and another first one" : "");
  /* infer: STATE and the data inputs -> the model's outputs (eval's after the loss). */
  if (infer->num_inputs != train->num_inputs - 1)
    return KILN_LAYOUT_FAIL("expects entry 'infer' to take train_step's inputs but the label, "
                            "%zu, found %zu",
                            train->num_inputs - 1, infer->num_inputs);
  for (i = 0; i < infer->num_inputs; ++i)
    if ((st = kiln_expect_value(infer, "input", i, &infer->inputs[i], &train->inputs[i],
                                "in train_step")) != KILN_OK)
      return st;
  if (infer->num_outputs != eval->num_outputs - 1)
    return KILN_LAYOUT_FAIL("expects entry 'infer' to output eval's %zu model outputs, found %zu",
                            eval->num_outputs - 1, infer->num_outputs);
  for (i = 0; i < infer->num_outputs; ++i)
    if ((st = kiln_expect_value(infer, "output", i, &infer->outputs[i], &eval->outputs[i + 1],
                                "in eval")) != KILN_OK)
      return st;
  t->init = init;
  t->train = train;
  t->eval = eval;
  t->infer = infer;
  t->num_state = ns;
  t->num_batch = nb;
  return KILN_OK;
}

void kiln_trainer_destroy(kiln_trainer *t) {
  size_t i, k;
  if (!t) return;
  for (k = 0; k < 2; ++k) {
    if (t->state[k])
      for (i = 0; i < t->num_state; ++i) kiln_tensor_destroy(t->state[k][i]);
    free(t->state[k]);
  }
  if (t->eval_out)
    for (i = 0; t->eval && i < t->eval->num_outputs; ++i) kiln_tensor_destroy(t->eval_out[i]);
  free(t->eval_out);
  kiln_tensor_destroy(t->loss);
  free(t->in);
  free(t->out);
  kiln_context_destroy(t->ctx);
  free(t);
}

kiln_status kiln_trainer_reset(kiln_trainer *t) {
  kiln_status st;
  if (!t) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_trainer_reset: trainer is NULL");
  st = kiln_context_run_entry_into(t->ctx, t->init, NULL, 0, t->state[t->cur], t->num_state);
  if (st != KILN_OK) return kiln__fail_prefix(st, "init: ");
  t->steps = 0;
  return KILN_OK;
}

kiln_status kiln_trainer_create(kiln_model *model, kiln_trainer **out) {
  kiln_trainer *t;
  const kiln_signature *sig = kiln__model_parsed(model);
  size_t i, k, n;
  kiln_status st;
  if (!out) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_trainer_create: out is NULL");
  *out = NULL;
  if (!model) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_trainer_create: model is NULL");
  if (!sig->training.loss)
    return kiln__fail(KILN_ERROR_FORMAT,
                      "expects a training artifact (compiled with kiln-compile --train), found a "
                      "model without 'training' lines in its signature");
  t = (kiln_trainer *)calloc(1, sizeof *t);
  if (!t) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "out of memory");
  t->model = model;
  t->info = &sig->training;
  st = kiln_check_layout(t);
  if (st == KILN_OK) st = kiln_context_create(model, &t->ctx);
  if (st != KILN_OK) {
    kiln_trainer_destroy(t);
    return st;
  }
  n = t->train->num_inputs > t->eval->num_outputs ? t->train->num_inputs : t->eval->num_outputs;
  t->in = (const kiln_tensor **)calloc(n, sizeof *t->in);
  t->out = (kiln_tensor **)calloc(t->num_state + 1, sizeof *t->out);
  t->eval_out = (kiln_tensor **)calloc(t->eval->num_outputs, sizeof *t->eval_out);
  for (k = 0; k < 2; ++k) t->state[k] = (kiln_tensor **)calloc(t->num_state, sizeof(kiln_tensor *));
  if (!t->in || !t->out || !t->eval_out || !t->state[0] || !t->state[1])
    st = kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "out of memory");
  for (k = 0; k < 2 && st == KILN_OK; ++k)
    for (i = 0; i < t->num_state && st == KILN_OK; ++i) {
      const kiln_value *v = &t->init->outputs[i];
      st = kiln_tensor_create(v->dtype, v->rank, v->dims, &t->state[k][i]);
    }
  if (st == KILN_OK) st = kiln_tensor_create(KILN_DTYPE_F32, 0, NULL, &t->loss);
  for (i = 0; i < t->eval->num_outputs && st == KILN_OK; ++i) {
    const kiln_value *v = &t->eval->outputs[i];
    st = kiln_tensor_create(v->dtype, v->rank, v->dims, &t->eval_out[i]);
  }
  if (st == KILN_OK) st = kiln_trainer_reset(t);
  if (st != KILN_OK) {
    kiln_trainer_destroy(t);
    return st;
  }
  *out = t;
  return KILN_OK;
}

kiln_model *kiln_trainer_model(const kiln_trainer *t) { return t ? t->model : NULL; }
const char *kiln_trainer_loss(const kiln_trainer *t) { return t ? t->info->loss : NULL; }
const char *kiln_trainer_label(const kiln_trainer *t) { return t ? t->info->label : NULL; }
const char *kiln_trainer_source(const kiln_trainer *t) { return t ? t->info->source : NULL; }
const char *kiln_trainer_source_sha256(const kiln_trainer *t) {
  return t ? t->info->source_sha256 : NULL;
}
int64_t kiln_trainer_batch_size(const kiln_trainer *t) { return t ? t->batch : 0; }
size_t kiln_trainer_num_batch_inputs(const kiln_trainer *t) { return t ? t->num_batch : 0; }
const kiln_entry *kiln_trainer_train_entry(const kiln_trainer *t) { return t ? t->train : NULL; }
const kiln_entry *kiln_trainer_eval_entry(const kiln_trainer *t) { return t ? t->eval : NULL; }
const kiln_entry *kiln_trainer_infer_entry(const kiln_trainer *t) { return t ? t->infer : NULL; }
size_t kiln_trainer_num_state(const kiln_trainer *t) { return t ? t->num_state : 0; }
int64_t kiln_trainer_steps(const kiln_trainer *t) { return t ? t->steps : 0; }

const char *kiln_trainer_batch_input_name(const kiln_trainer *t, size_t index) {
  return t && index < t->num_batch ? t->train->inputs[t->num_state + index].name : NULL;
}

const char *kiln_trainer_state_name(const kiln_trainer *t, size_t index) {
  return t && index < t->num_state ? t->info->state_names[index] : NULL;
}

kiln_state_kind kiln_trainer_state_kind(const kiln_trainer *t, size_t index) {
  return t && index < t->num_state ? t->info->state_kinds[index] : KILN_STATE_INVALID;
}

/* Fills t->in with the current STATE then @p n_rest tensors of @p rest. */
static kiln_status kiln_gather_inputs(kiln_trainer *t, const kiln_tensor *const *rest,
                                      size_t n_rest, size_t want, const char *fn) {
  size_t i;
  if (!t) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "%s: trainer is NULL", fn);
  if (n_rest != want)
    return kiln__fail(KILN_ERROR_COUNT_MISMATCH, "%s: expected %zu batch inputs, got %zu", fn,
                      want, n_rest);
  if (n_rest && !rest)
    return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "%s: batch array is NULL", fn);
  for (i = 0; i < t->num_state; ++i) t->in[i] = t->state[t->cur][i];
  for (i = 0; i < n_rest; ++i) t->in[t->num_state + i] = rest[i];
  return KILN_OK;
}

kiln_status kiln_trainer_step(kiln_trainer *t, const kiln_tensor *const *batch, size_t n_batch,
                              float *loss) {
  size_t i;
  kiln_status st = kiln_gather_inputs(t, batch, n_batch, t ? t->num_batch : 0, "train_step");
  if (st != KILN_OK) return st;
  /* Past the limit, the step count could no longer be checkpointed. */
  if (t->steps >= KILN_TRAINER_COUNT_MAX)
    return kiln__fail(KILN_ERROR_INVALID_ARGUMENT,
                      "train_step: expects fewer than 2^62 steps in all (the most a checkpoint "
                      "holds), found %lld done", (long long)t->steps);
  t->out[0] = t->loss;
  for (i = 0; i < t->num_state; ++i) t->out[i + 1] = t->state[!t->cur][i];
  st = kiln_context_run_entry_into(t->ctx, t->train, t->in, t->train->num_inputs,
                                   (kiln_tensor *const *)t->out, t->num_state + 1);
  if (st != KILN_OK) return kiln__fail_prefix(st, "train_step: ");
  t->cur = !t->cur;
  ++t->steps;
  if (loss) *loss = *(const float *)kiln_tensor_data(t->loss);
  return KILN_OK;
}

kiln_status kiln_trainer_eval(kiln_trainer *t, const kiln_tensor *const *batch, size_t n_batch,
                              kiln_tensor **outputs, size_t n_outputs) {
  kiln_status st = kiln_gather_inputs(t, batch, n_batch, t ? t->num_batch : 0, "eval");
  if (st != KILN_OK) return st;
  st = kiln_context_run_entry(t->ctx, t->eval, t->in, t->eval->num_inputs, outputs, n_outputs);
  return st == KILN_OK ? st : kiln__fail_prefix(st, "eval: ");
}

kiln_status kiln_trainer_infer(kiln_trainer *t, const kiln_tensor *const *data, size_t n_data,
                               kiln_tensor **outputs, size_t n_outputs) {
  kiln_status st = kiln_gather_inputs(t, data, n_data, t ? t->num_batch - 1 : 0, "infer");
  if (st != KILN_OK) return st;
  st = kiln_context_run_entry(t->ctx, t->infer, t->in, t->infer->num_inputs, outputs, n_outputs);
  return st == KILN_OK ? st : kiln__fail_prefix(st, "infer: ");
}

/* Element @p i of a float or integer tensor's data as a double. */
static double kiln_value_at(kiln_dtype dtype, const void *d, size_t i) {
  switch (dtype) {
  case KILN_DTYPE_F32: return ((const float *)d)[i];
  case KILN_DTYPE_F64: return ((const double *)d)[i];
  case KILN_DTYPE_I8: return ((const int8_t *)d)[i];
  case KILN_DTYPE_I16: return ((const int16_t *)d)[i];
  case KILN_DTYPE_I32: return ((const int32_t *)d)[i];
  case KILN_DTYPE_I64: return (double)((const int64_t *)d)[i];
  case KILN_DTYPE_U8:
  case KILN_DTYPE_BOOL: return ((const uint8_t *)d)[i];
  case KILN_DTYPE_U16: return ((const uint16_t *)d)[i];
  case KILN_DTYPE_U32: return ((const uint32_t *)d)[i];
  case KILN_DTYPE_U64: return (double)((const uint64_t *)d)[i];
  default: return NAN; /* f16/bf16 logits: no accuracy (never equal) */
  }
}

/* Adds the right predictions of @p rows rows to the counts (see kiln_trainer_eval_sums). */
static void kiln_count_correct(const kiln_trainer *t, const kiln_tensor *logits,
                               const kiln_tensor *label, int64_t rows, int64_t *correct,
                               int64_t *counted) {
  const char *loss = t->info->loss;
  const void *ld = kiln_tensor_data(logits), *yd = kiln_tensor_data(label);
  kiln_dtype lt = kiln_tensor_dtype(logits), yt = kiln_tensor_dtype(label);
  size_t per_row = kiln_tensor_num_elements(logits) / (size_t)t->batch, r, k, c;
  int64_t hits = 0, made = 0;
  if (strcmp(loss, "mse") == 0) return;
  if (strcmp(loss, "bce-logits") == 0) {
    if (kiln_tensor_num_elements(label) != kiln_tensor_num_elements(logits)) return;
    for (k = 0; k < (size_t)rows * per_row; ++k) {
      hits += (kiln_value_at(lt, ld, k) > 0) == (kiln_value_at(yt, yd, k) > 0.5);
      ++made;
    }
  } else {
    /* logits [B, C, d...], label [B, d...]: argmax over C at each position. */
    size_t classes = kiln_tensor_rank(logits) >= 2 ? (size_t)kiln_tensor_dims(logits)[1] : 0;
    size_t inner = classes ? per_row / classes : 0;
    if (!classes || kiln_tensor_num_elements(label) != (size_t)t->batch * inner) return;
    for (r = 0; r < (size_t)rows; ++r)
      for (k = 0; k < inner; ++k) {
        size_t base = r * per_row + k, best = 0;
        double best_value = kiln_value_at(lt, ld, base);
        for (c = 1; c < classes; ++c) {
          double v = kiln_value_at(lt, ld, base + c * inner);
          if (v > best_value || (isnan(v) && !isnan(best_value))) best = c, best_value = v;
        }
        hits += (double)best == kiln_value_at(yt, yd, r * inner + k);
        ++made;
      }
  }
  if (correct) *correct += hits;
  if (counted) *counted += made;
}

kiln_status kiln_trainer_eval_sums(kiln_trainer *t, const kiln_tensor *const *batch,
                                   size_t n_batch, int64_t valid_rows, double *loss_sum,
                                   int64_t *correct, int64_t *counted) {
  const float *losses;
  int64_t r;
  kiln_status st = kiln_gather_inputs(t, batch, n_batch, t ? t->num_batch : 0, "eval");
  if (st != KILN_OK) return st;
  if (valid_rows < 0 || valid_rows > t->batch)
    return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "eval: expects 0 to %lld valid rows, found %lld",
                      (long long)t->batch, (long long)valid_rows);
  st = kiln_context_run_entry_into(t->ctx, t->eval, t->in, t->eval->num_inputs,
                                   (kiln_tensor *const *)t->eval_out, t->eval->num_outputs);
  if (st != KILN_OK) return kiln__fail_prefix(st, "eval: ");
  losses = (const float *)kiln_tensor_data(t->eval_out[0]);
  if (loss_sum)
    for (r = 0; r < valid_rows; ++r) *loss_sum += losses[r];
  kiln_count_correct(t, t->eval_out[1], batch[t->num_batch - 1], valid_rows, correct, counted);
  return KILN_OK;
}

/* The index of STATE tensor @p name, or KILN_ERROR_NOT_FOUND naming them all. */
static kiln_status kiln_state_index(const kiln_trainer *t, const char *name, size_t *index,
                                    const char *fn) {
  size_t i;
  char names[512];
  size_t used = 0;
  if (!t || !name) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "%s: trainer or name is NULL", fn);
  for (i = 0; i < t->num_state; ++i)
    if (strcmp(t->info->state_names[i], name) == 0) {
      *index = i;
      return KILN_OK;
    }
  names[0] = '\0';
  for (i = 0; i < t->num_state && used + 1 < sizeof names; ++i) {
    int w = snprintf(names + used, sizeof names - used, "%s'%s'", i ? ", " : "",
                     t->info->state_names[i]);
    if (w < 0) break;
    used += (size_t)w;
  }
  return kiln__fail(KILN_ERROR_NOT_FOUND, "%s: no STATE tensor named '%s' (STATE: %s)", fn, name,
                    names);
}

kiln_status kiln_trainer_get(const kiln_trainer *t, const char *name, kiln_tensor **copy) {
  size_t i;
  const kiln_tensor *v;
  kiln_status st;
  if (!copy) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_trainer_get: copy is NULL");
  *copy = NULL;
  st = kiln_state_index(t, name, &i, "kiln_trainer_get");
  if (st != KILN_OK) return st;
  v = t->state[t->cur][i];
  st = kiln_tensor_create(kiln_tensor_dtype(v), kiln_tensor_rank(v), kiln_tensor_dims(v), copy);
  if (st == KILN_OK && kiln_tensor_byte_size(v))
    memcpy(kiln_tensor_data(*copy), kiln_tensor_data(v), kiln_tensor_byte_size(v));
  return st;
}

kiln_status kiln__trainer_check_state_value(const kiln_trainer *t, size_t i,
                                            const kiln_tensor *value) {
  const kiln_tensor *v = t->state[t->cur][i];
  char want[128], got[128];
  if (!value) return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "STATE '%s': value is NULL",
                                t->info->state_names[i]);
  if (kiln_tensor_dtype(value) != kiln_tensor_dtype(v))
    return kiln__fail(KILN_ERROR_DTYPE_MISMATCH, "STATE '%s': expected dtype %s, got %s",
                      t->info->state_names[i], kiln_dtype_name(kiln_tensor_dtype(v)),
                      kiln_dtype_name(kiln_tensor_dtype(value)));
  if (kiln_tensor_rank(value) != kiln_tensor_rank(v) ||
      (kiln_tensor_rank(v) &&
       memcmp(kiln_tensor_dims(value), kiln_tensor_dims(v), kiln_tensor_rank(v) * sizeof(int64_t)))) {
    kiln__format_dims(want, sizeof want, kiln_tensor_rank(v), kiln_tensor_dims(v));
    kiln__format_dims(got, sizeof got, kiln_tensor_rank(value), kiln_tensor_dims(value));
    return kiln__fail(KILN_ERROR_SHAPE_MISMATCH, "STATE '%s': expected shape %s, got %s",
                      t->info->state_names[i], want, got);
  }
  return KILN_OK;
}

void kiln__trainer_store(kiln_trainer *t, size_t i, const kiln_tensor *value) {
  kiln_tensor *v = t->state[t->cur][i];
  if (kiln_tensor_byte_size(v)) memcpy(kiln_tensor_data(v), kiln_tensor_data(value), kiln_tensor_byte_size(v));
}

kiln_status kiln_trainer_set(kiln_trainer *t, const char *name, const kiln_tensor *value) {
  size_t i;
  kiln_status st = kiln_state_index(t, name, &i, "kiln_trainer_set");
  if (st == KILN_OK) st = kiln__trainer_check_state_value(t, i, value);
  if (st == KILN_OK) kiln__trainer_store(t, i, value);
  return st;
}
