/* `kiln-run TRAIN.so --train ...`: trains a training artifact on .npy arrays
 * (docs/training.md, "Running a training artifact"). Batches are rows along
 * axis 0; an epoch drops its last partial batch; eval pads its last batch
 * with the last real row and counts only real rows. One JSON line per logged
 * step and per eval on stdout; a progress line on stderr when it is a terminal.
 *
 * --shuffle-seed S: epoch e (from 1) visits the rows in the order of a
 * Fisher-Yates shuffle (i from n-1 down to 1, swap i with next() % (i + 1))
 * of 0..n-1, next() being splitmix64 started at S ^ (e * 0xD1B54A32D192ED03).
 * Each epoch's order depends on S and e only, so a run resumed from a
 * checkpoint sees the batches an uninterrupted run would. */
#define _POSIX_C_SOURCE 200809L
#include "kiln_train_internal.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
  const char *prog;
  const char **data; /* NAME=FILE, in order */
  size_t num_data;
  const char **eval; /* NAME=FILE, split from the comma-separated --eval lists */
  size_t num_eval;
  char **eval_lists; /* copies of the --eval values, split in place */
  size_t num_eval_lists;
  long long batch, epochs, log_every;
  int has_seed, has_threads, threads;
  uint64_t seed;
  const char *save, *checkpoint;
} kiln_train_options;

/* One input's arrays: the whole --data/--eval array and the batch tensor fed to the entry. */
typedef struct {
  kiln_tensor *all;
  kiln_tensor *batch;
  size_t row_bytes;
} kiln_train_array;

static void kiln_train_usage(FILE *out, const char *prog) {
  fprintf(out,
          "usage: %s TRAIN.so --train --data NAME=FILE.npy [--data ...] --batch B --epochs E\n"
          "       [--shuffle-seed S] [--log-every K] [--eval NAME=FILE.npy,...] [--save OUT.onnx]\n"
          "       [--checkpoint DIR] [--threads T]\n"
          "Trains a training artifact (kiln-compile --train); see docs/training.md.\n",
          prog);
}

static int kiln_train_usage_error(const char *prog, const char *what, const char *arg) {
  fprintf(stderr, "%s: %s%s%s%s\n", prog, what, arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
  kiln_train_usage(stderr, prog);
  return KILN_CLI_EXIT_USAGE;
}

static int kiln_train_parse_ll(const char *text, long long min, long long *out) {
  char *end;
  long long v;
  if (!text || !*text) return 0;
  errno = 0;
  v = strtoll(text, &end, 10);
  if (*end || errno == ERANGE || v < min) return 0;
  *out = v;
  return 1;
}

/* The options of --train; all but the last (--threads) are its own. */
static const char *const kiln_train_names[] = {"--train",      "--data",      "--batch",
                                               "--epochs",     "--shuffle-seed", "--log-every",
                                               "--eval",       "--save",      "--checkpoint",
                                               "--threads"};
#define KILN_TRAIN_NAME_COUNT (sizeof kiln_train_names / sizeof kiln_train_names[0])

int kiln__cli_is_train_option(const char *arg, size_t len) {
  size_t k;
  for (k = 0; k + 1 < KILN_TRAIN_NAME_COUNT; ++k)
    if (strlen(kiln_train_names[k]) == len && strncmp(arg, kiln_train_names[k], len) == 0) return 1;
  return 0;
}

static int kiln_train_parse(int argc, char **argv, int first, kiln_train_options *o) {
  const char *const *names = kiln_train_names;
  const size_t count = KILN_TRAIN_NAME_COUNT;
  int i;
  for (i = first; i < argc; ++i) {
    const char *arg = argv[i], *eq, *value;
    size_t len, k, which = count;
    if (strncmp(arg, "--", 2) != 0) return kiln_train_usage_error(o->prog, "unexpected argument", arg);
    eq = strchr(arg, '=');
    len = eq ? (size_t)(eq - arg) : strlen(arg);
    for (k = 0; k < count; ++k)
      if (strlen(names[k]) == len && strncmp(arg, names[k], len) == 0) which = k;
    if (which == count) {
      if ((len == 7 && strncmp(arg, "--input", 7) == 0) ||
          (len == 12 && strncmp(arg, "--output-dir", 12) == 0) ||
          (len == 7 && strncmp(arg, "--entry", 7) == 0) ||
          (len == 7 && strncmp(arg, "--bench", 7) == 0))
        return kiln_train_usage_error(o->prog, "option not used with --train:", arg);
      return kiln_train_usage_error(o->prog, "unknown option", arg);
    }
    if (which == 0) {
      if (eq) return kiln_train_usage_error(o->prog, "--train takes no value, got", arg);
      continue;
    }
    if (eq) value = eq + 1;
    else if (i + 1 < argc) value = argv[++i];
    else return kiln_train_usage_error(o->prog, "missing value for", arg);
    switch (which) {
    case 1:
      if (!strchr(value, '=')) return kiln_train_usage_error(o->prog, "--data expects NAME=FILE.npy, got", value);
      o->data[o->num_data++] = value;
      break;
    case 2:
      if (!kiln_train_parse_ll(value, 1, &o->batch))
        return kiln_train_usage_error(o->prog, "--batch expects an integer >= 1, got", value);
      break;
    case 3:
      if (!kiln_train_parse_ll(value, 1, &o->epochs))
        return kiln_train_usage_error(o->prog, "--epochs expects an integer >= 1, got", value);
      break;
    case 4: {
      char *end;
      errno = 0;
      o->seed = (uint64_t)strtoull(value, &end, 10);
      if (!isdigit((unsigned char)value[0]) || *end || errno == ERANGE)
        return kiln_train_usage_error(o->prog, "--shuffle-seed expects an integer from 0 to 2^64-1, got", value);
      o->has_seed = 1;
      break;
    }
    case 5:
      if (!kiln_train_parse_ll(value, 1, &o->log_every))
        return kiln_train_usage_error(o->prog, "--log-every expects an integer >= 1, got", value);
      break;
    case 6: {
      char *list = (char *)malloc(strlen(value) + 1), *item, *save = NULL;
      size_t before = o->num_eval;
      if (!list) return KILN_CLI_EXIT_FAILURE;
      strcpy(list, value);
      o->eval_lists[o->num_eval_lists++] = list;
      for (item = strtok_r(list, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        if (!strchr(item, '='))
          return kiln_train_usage_error(o->prog, "--eval expects NAME=FILE.npy,..., got", value);
        o->eval[o->num_eval++] = item;
      }
      /* "--eval ," or "--eval ''" names nothing: no silent evaluation of nothing. */
      if (o->num_eval == before)
        return kiln_train_usage_error(o->prog, "--eval expects NAME=FILE.npy,..., got", value);
      break;
    }
    case 7:
      if (!*value) return kiln_train_usage_error(o->prog, "--save expects a file name", NULL);
      o->save = value;
      break;
    case 8:
      if (!*value) return kiln_train_usage_error(o->prog, "--checkpoint expects a directory", NULL);
      o->checkpoint = value;
      break;
    default: {
      long long t;
      if (!kiln_train_parse_ll(value, INT_MIN, &t) || t > INT_MAX)
        return kiln_train_usage_error(o->prog, "--threads expects an integer, got", value);
      if (t > KILN_MAX_THREADS)
        return kiln_train_usage_error(
            o->prog, "--threads expects at most 1024 threads (T <= 0: hardware concurrency), got",
            value);
      o->threads = (int)t;
      o->has_threads = 1;
      break;
    }
    }
  }
  if (!o->num_data) return kiln_train_usage_error(o->prog, "--train needs --data NAME=FILE.npy", NULL);
  if (!o->batch) return kiln_train_usage_error(o->prog, "--train needs --batch B", NULL);
  if (!o->epochs) return kiln_train_usage_error(o->prog, "--train needs --epochs E", NULL);
  return -1;
}

/* Finds the batch input NAME of a NAME=FILE argument (the decoded or the percent-encoded
 * spelling; a name may contain '='). */
static int kiln_train_match(const kiln_trainer *t, const char *arg, size_t *index,
                            const char **file) {
  const char *eq;
  char encoded[512];
  for (eq = strchr(arg, '='); eq; eq = strchr(eq + 1, '=')) {
    size_t len = (size_t)(eq - arg), i;
    for (i = 0; i < kiln_trainer_num_batch_inputs(t); ++i) {
      const char *name = kiln_trainer_batch_input_name(t, i);
      kiln__percent_encode(encoded, sizeof encoded, name);
      if ((strlen(name) == len && strncmp(name, arg, len) == 0) ||
          (strlen(encoded) == len && strncmp(encoded, arg, len) == 0)) {
        *index = i;
        *file = eq + 1;
        return 1;
      }
    }
  }
  return 0;
}

static void kiln_train_free_arrays(kiln_train_array *a, size_t n) {
  size_t i;
  if (!a) return;
  for (i = 0; i < n; ++i) {
    kiln_tensor_destroy(a[i].all);
    kiln_tensor_destroy(a[i].batch);
  }
  free(a);
}

/* Reads the arrays of @p args (NAME=FILE, given with @p option) for every
 * batch input (@p skip_label: all but the label), checks them and makes the
 * batch tensors; stores the common row count in @p rows. Prints why on failure. */
static int kiln_train_load(const char *prog, const kiln_trainer *t, const char *option,
                           const char *const *args, size_t n_args, kiln_train_array **out,
                           int64_t *rows) {
  const kiln_entry *train = kiln_trainer_train_entry(t);
  size_t nb = kiln_trainer_num_batch_inputs(t), ns = kiln_trainer_num_state(t), i;
  const char **files = (const char **)calloc(nb, sizeof *files);
  kiln_train_array *arrays = (kiln_train_array *)calloc(nb, sizeof *arrays);
  char name[512], want[256], got[256];
  size_t first = nb;
  *out = NULL;
  if (!files || !arrays) {
    fprintf(stderr, "%s: out of memory\n", prog);
    goto fail;
  }
  for (i = 0; i < n_args; ++i) {
    size_t index;
    const char *file;
    if (!kiln_train_match(t, args[i], &index, &file)) {
      size_t k, len = (size_t)(strchr(args[i], '=') - args[i]);
      fprintf(stderr, "%s: %s: unknown input '%.*s' (the artifact's batch inputs: ", prog, option,
              (int)len, args[i]);
      for (k = 0; k < nb; ++k) {
        kiln__percent_encode(name, sizeof name, kiln_trainer_batch_input_name(t, k));
        fprintf(stderr, "%s%s", k ? ", " : "", name);
      }
      fprintf(stderr, ")\n");
      goto fail;
    }
    kiln__percent_encode(name, sizeof name, kiln_trainer_batch_input_name(t, index));
    if (files[index]) {
      fprintf(stderr, "%s: %s: input '%s' given more than once\n", prog, option, name);
      goto fail;
    }
    files[index] = file;
  }
  for (i = 0; i < nb; ++i) {
    const kiln_value *v = &train->inputs[ns + i];
    const int64_t *dims;
    kiln__percent_encode(name, sizeof name, v->name);
    /* "N" rows, then the per-row dims of the batch input. */
    snprintf(want, sizeof want, "N");
    if (v->rank > 1) {
      strcat(want, "x");
      kiln__format_dims(want + strlen(want), sizeof want - strlen(want), v->rank - 1, v->dims + 1);
    }
    if (!files[i]) {
      fprintf(stderr, "%s: %s: missing input '%s' (%s array of shape %s with N rows; give %s %s=FILE.npy)\n",
              prog, option, name, kiln_dtype_name(v->dtype), want, option, name);
      goto fail;
    }
    if (kiln_npy_read(files[i], &arrays[i].all) != KILN_OK) {
      fprintf(stderr, "%s: %s '%s': %s\n", prog, option, name, kiln_last_error());
      goto fail;
    }
    if (v->dtype == KILN_DTYPE_BF16 && kiln_tensor_dtype(arrays[i].all) == KILN_DTYPE_U16)
      kiln__tensor_retag(arrays[i].all, KILN_DTYPE_BF16);
    dims = kiln_tensor_dims(arrays[i].all);
    if (kiln_tensor_dtype(arrays[i].all) != v->dtype || kiln_tensor_rank(arrays[i].all) != v->rank ||
        (v->rank > 1 && memcmp(dims + 1, v->dims + 1, (v->rank - 1) * sizeof(int64_t)) != 0)) {
      kiln__format_dims(got, sizeof got, kiln_tensor_rank(arrays[i].all), dims);
      fprintf(stderr, "%s: %s '%s': expected %s array of shape %s (N rows), got %s %s\n", prog,
              option, name, kiln_dtype_name(v->dtype), want,
              kiln_dtype_name(kiln_tensor_dtype(arrays[i].all)), got);
      goto fail;
    }
    if (first == nb) {
      first = i;
      *rows = dims[0];
    } else if (dims[0] != *rows) {
      char first_name[512];
      kiln__percent_encode(first_name, sizeof first_name, kiln_trainer_batch_input_name(t, first));
      fprintf(stderr, "%s: %s: expected arrays with the same number of rows, got %lld in '%s' "
              "and %lld in '%s'\n",
              prog, option, (long long)*rows, first_name, (long long)dims[0], name);
      goto fail;
    }
    if (kiln_tensor_create(v->dtype, v->rank, v->dims, &arrays[i].batch) != KILN_OK) {
      fprintf(stderr, "%s: %s\n", prog, kiln_last_error());
      goto fail;
    }
    arrays[i].row_bytes = kiln_tensor_byte_size(arrays[i].batch) / (size_t)v->dims[0];
  }
  free(files);
  *out = arrays;
  return 1;
fail:
  free(files);
  kiln_train_free_arrays(arrays, nb);
  return 0;
}

/* Copies rows order[0..count) of every array into its batch tensor, then pads
 * up to the batch with the last copied row. */
static void kiln_train_fill(kiln_train_array *a, size_t n, const int64_t *order, int64_t count,
                            int64_t batch) {
  size_t i;
  int64_t r;
  for (i = 0; i < n; ++i) {
    char *dst = (char *)kiln_tensor_data(a[i].batch);
    const char *src = (const char *)kiln_tensor_data(a[i].all);
    for (r = 0; r < batch; ++r) {
      int64_t row = order[r < count ? r : count - 1];
      memcpy(dst + (size_t)r * a[i].row_bytes, src + (size_t)row * a[i].row_bytes, a[i].row_bytes);
    }
  }
}

static uint64_t kiln_splitmix64(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* The order epoch @p epoch visits the rows in (see the top of this file). */
static void kiln_train_order(int64_t *order, int64_t n, const kiln_train_options *o, int64_t epoch) {
  int64_t i;
  uint64_t state = o->seed ^ ((uint64_t)epoch * 0xD1B54A32D192ED03ull);
  for (i = 0; i < n; ++i) order[i] = i;
  if (!o->has_seed) return;
  for (i = n - 1; i > 0; --i) {
    int64_t j = (int64_t)(kiln_splitmix64(&state) % (uint64_t)(i + 1)), tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
}

/* A JSON number; JSON has no NaN or infinity, so those are null. */
static void kiln_train_json_number(char *buf, size_t size, double v) {
  if (isfinite(v)) snprintf(buf, size, "%.9g", v);
  else snprintf(buf, size, "null");
}

static const kiln_tensor **kiln_train_batch_views(kiln_train_array *a, size_t n) {
  const kiln_tensor **views = (const kiln_tensor **)calloc(n + 1, sizeof *views);
  size_t i;
  if (views)
    for (i = 0; i < n; ++i) views[i] = a[i].batch;
  return views;
}

/* Runs eval over every row of @p a and prints the epoch's JSON line. */
static int kiln_train_eval(const char *prog, kiln_trainer *t, kiln_train_array *a, int64_t rows,
                           long long epoch) {
  size_t nb = kiln_trainer_num_batch_inputs(t);
  int64_t batch = kiln_trainer_batch_size(t), start, r, correct = 0, counted = 0;
  double loss_sum = 0;
  const kiln_tensor **views = kiln_train_batch_views(a, nb);
  int64_t *rows_order = (int64_t *)malloc((size_t)batch * sizeof *rows_order);
  char loss_text[64], acc_text[64];
  int ok = views && rows_order;
  if (!ok) fprintf(stderr, "%s: out of memory\n", prog);
  for (start = 0; ok && start < rows; start += batch) {
    int64_t valid = rows - start < batch ? rows - start : batch;
    for (r = 0; r < valid; ++r) rows_order[r] = start + r;
    kiln_train_fill(a, nb, rows_order, valid, batch);
    if (kiln_trainer_eval_sums(t, views, nb, valid, &loss_sum, &correct, &counted) != KILN_OK) {
      fprintf(stderr, "%s: %s\n", prog, kiln_last_error());
      ok = 0;
    }
  }
  if (ok) {
    kiln_train_json_number(loss_text, sizeof loss_text, loss_sum / (double)rows);
    if (counted) {
      kiln_train_json_number(acc_text, sizeof acc_text, (double)correct / (double)counted);
      printf("{\"epoch\":%lld,\"eval_loss\":%s,\"accuracy\":%s}\n", epoch, loss_text, acc_text);
    } else {
      printf("{\"epoch\":%lld,\"eval_loss\":%s}\n", epoch, loss_text);
    }
    fflush(stdout);
  }
  free(views);
  free(rows_order);
  return ok;
}

/* Training proper, once the trainer and the arrays are ready. */
static int kiln_train_run(const kiln_train_options *o, const kiln_cli_hooks *hooks,
                          kiln_trainer *t, kiln_train_array *data, int64_t rows,
                          kiln_train_array *eval, int64_t eval_rows) {
  size_t nb = kiln_trainer_num_batch_inputs(t);
  int64_t batch = kiln_trainer_batch_size(t), steps_per_epoch = rows / batch, s, done = 0;
  /* calloc: rows comes from a .npy header (2^62 rows of 0 bytes each is a
     128-byte file), and calloc refuses a count whose bytes wrap. */
  int64_t *order = (int64_t *)calloc((size_t)rows, sizeof *order);
  const kiln_tensor **views = kiln_train_batch_views(data, nb);
  int progress = isatty(2), rc = KILN_CLI_EXIT_FAILURE;
  long long epoch;
  char text[64];
  if (!order) {
    fprintf(stderr, "%s: --data: cannot hold the row order of %lld rows: out of memory\n",
            o->prog, (long long)rows);
    goto done;
  }
  if (!views) {
    fprintf(stderr, "%s: out of memory\n", o->prog);
    goto done;
  }
  if (o->checkpoint) {
    kiln_status st = kiln_trainer_load_checkpoint(t, o->checkpoint, &done);
    if (st != KILN_OK && st != KILN_ERROR_NOT_FOUND) {
      fprintf(stderr, "%s: --checkpoint: %s\n", o->prog, kiln_last_error());
      goto done;
    }
    if (st == KILN_OK && (long long)done >= o->epochs)
      fprintf(stderr,
              "%s: checkpoint '%s' already holds %lld finished epochs (--epochs %lld): "
              "nothing to train\n",
              o->prog, o->checkpoint, (long long)done, o->epochs);
    else if (st == KILN_OK)
      fprintf(stderr, "%s: resuming from checkpoint '%s' after epoch %lld\n", o->prog,
              o->checkpoint, (long long)done);
    else if (kiln__checkpoint_prepare(o->checkpoint) != KILN_OK) {
      fprintf(stderr, "%s: --checkpoint: %s\n", o->prog, kiln_last_error());
      goto done;
    } else
      fprintf(stderr,
              "%s: no checkpoint in '%s' yet: training from the start, saving there after "
              "each epoch\n",
              o->prog, o->checkpoint);
    /* Every epoch ends in a save: refused before training when its counts
       would pass what a checkpoint holds (a checkpoint at 2^62 steps loaded,
       trained an epoch, then could not be saved). */
    {
      int64_t steps = kiln_trainer_steps(t);
      long long todo = o->epochs > done ? o->epochs - (long long)done : 0;
      if (o->epochs > KILN_TRAINER_COUNT_MAX ||
          (todo && (KILN_TRAINER_COUNT_MAX - steps) / steps_per_epoch < todo)) {
        fprintf(stderr,
                "%s: --checkpoint: expects at most 2^62 steps and epochs in all (the most a "
                "checkpoint holds), found %lld steps done before epoch %lld of %lld, at %lld "
                "steps per epoch\n",
                o->prog, (long long)steps, (long long)done + 1, o->epochs,
                (long long)steps_per_epoch);
        goto done;
      }
    }
  }
  for (epoch = (long long)done + 1; epoch <= o->epochs; ++epoch) {
    kiln_train_order(order, rows, o, epoch);
    for (s = 0; s < steps_per_epoch; ++s) {
      float loss;
      int64_t step;
      kiln_train_fill(data, nb, order + s * batch, batch, batch);
      if (kiln_trainer_step(t, views, nb, &loss) != KILN_OK) {
        if (progress) fputc('\n', stderr);
        fprintf(stderr, "%s: epoch %lld: %s\n", o->prog, epoch, kiln_last_error());
        goto done;
      }
      step = kiln_trainer_steps(t);
      if (step % o->log_every == 0) {
        kiln_train_json_number(text, sizeof text, loss);
        printf("{\"epoch\":%lld,\"step\":%lld,\"loss\":%s}\n", epoch, (long long)step, text);
        fflush(stdout);
      }
      if (progress)
        fprintf(stderr, "\repoch %lld/%lld  step %lld/%lld  loss %.6g   ", epoch, o->epochs,
                (long long)s + 1, (long long)steps_per_epoch, (double)loss);
      /* A NaN or infinite loss poisons every parameter: stop, do not save. */
      if (!isfinite(loss)) {
        if (progress) fputc('\n', stderr);
        fprintf(stderr,
                "%s: epoch %lld step %lld: the loss is %s: training diverged (check the data "
                "for NaN or infinity, lower --lr, or recompile with --clip-norm); nothing saved\n",
                o->prog, epoch, (long long)step, isnan(loss) ? "NaN" : "infinite");
        goto done;
      }
    }
    if (progress) fputc('\n', stderr);
    if (eval && !kiln_train_eval(o->prog, t, eval, eval_rows, epoch)) goto done;
    if (o->checkpoint && kiln_trainer_save_checkpoint(t, o->checkpoint, epoch) != KILN_OK) {
      fprintf(stderr, "%s: --checkpoint: %s\n", o->prog, kiln_last_error());
      goto done;
    }
  }
  if (o->save) {
    char error[1024] = "";
    if (hooks->save_onnx(t, kiln_trainer_source(t), o->save, error, sizeof error) != 0) {
      fprintf(stderr, "%s: --save: %s\n", o->prog, error[0] ? error : "failed");
      goto done;
    }
  }
  rc = KILN_CLI_EXIT_OK;
done:
  free(order);
  free(views);
  return rc;
}

/* Whether @p st is the file @p path names (same device and inode). */
static int kiln_train_same_file(const struct stat *st, const char *path) {
  struct stat s;
  return path && stat(path, &s) == 0 && s.st_dev == st->st_dev && s.st_ino == st->st_ino;
}

/* --save replaces its file only after training: naming a file this run reads
 * or writes (the artifact, the source model it was compiled from, a --data or
 * --eval array, the checkpoint's files), directly or through a link, would
 * lose it. Refused before training; prints why and returns 0. (The source's
 * external data files are checked where the model is parsed, SaveONNX.cpp.) */
static int kiln_train_check_save_target(const kiln_train_options *o, const kiln_trainer *t,
                                        const char *model_path) {
  struct stat out;
  char which[256];
  size_t i, index;
  const char *file;
  if (stat(o->save, &out) == 0) {
    if (kiln_train_same_file(&out, model_path)) {
      fprintf(stderr, "%s: --save: expects a file other than the artifact '%s', found the artifact itself\n",
              o->prog, model_path);
      return 0;
    }
    /* The untrained model would be lost, and every later --save of an
       artifact compiled from it refused (its digest changed). */
    if (kiln_train_same_file(&out, kiln_trainer_source(t))) {
      fprintf(stderr,
              "%s: --save: expects a file other than the source model '%s', found the source "
              "model itself\n",
              o->prog, kiln_trainer_source(t));
      return 0;
    }
    for (i = 0; i < o->num_data + o->num_eval; ++i) {
      int is_data = i < o->num_data;
      const char *arg = is_data ? o->data[i] : o->eval[i - o->num_data];
      if (kiln_train_match(t, arg, &index, &file) && kiln_train_same_file(&out, file)) {
        fprintf(stderr, "%s: --save: expects a file other than the %s file '%s', found that file\n",
                o->prog, is_data ? "--data" : "--eval", file);
        return 0;
      }
    }
  }
  if (o->checkpoint && kiln__checkpoint_owns(o->checkpoint, o->save, which, sizeof which)) {
    fprintf(stderr, "%s: --save: expects a file other than the files of --checkpoint '%s', found its '%s'\n",
            o->prog, o->checkpoint, which);
    return 0;
  }
  return 1;
}

int kiln__cli_train(const char *prog, int argc, char **argv, int first, kiln_model *model,
                    const char *model_path, const kiln_cli_hooks *hooks) {
  kiln_train_options o;
  kiln_model *loaded = NULL;
  kiln_trainer *t = NULL;
  kiln_train_array *data = NULL, *eval = NULL;
  int64_t rows = 0, eval_rows = 0;
  size_t i;
  int rc;
  memset(&o, 0, sizeof o);
  o.prog = prog;
  o.log_every = 1;
  {
    /* An --eval list holds at most one NAME=FILE item per byte: room for all of them. */
    size_t items = 1;
    int k;
    for (k = first; k < argc; ++k) items += strlen(argv[k]);
    o.data = (const char **)calloc((size_t)argc + 1, sizeof *o.data);
    o.eval = (const char **)calloc(items, sizeof *o.eval);
    o.eval_lists = (char **)calloc((size_t)argc + 1, sizeof *o.eval_lists);
  }
  if (!o.data || !o.eval || !o.eval_lists) {
    fprintf(stderr, "%s: out of memory\n", prog);
    rc = KILN_CLI_EXIT_FAILURE;
    goto done;
  }
  rc = kiln_train_parse(argc, argv, first, &o);
  if (rc >= 0) goto done;
  rc = KILN_CLI_EXIT_FAILURE;
  if (o.save && (!hooks || !hooks->save_onnx)) {
    fprintf(stderr, "%s: --save needs the ONNX library, which this program is built without "
            "(use kiln-run of a full Kiln build on the artifact as a shared library)\n", prog);
    goto done;
  }
  if (!model) {
    if (kiln_model_load(model_path, &loaded) != KILN_OK) {
      fprintf(stderr, "%s: %s\n", prog, kiln_last_error());
      goto done;
    }
    model = loaded;
  }
  if (kiln_trainer_create(model, &t) != KILN_OK) {
    fprintf(stderr, "%s: --train: %s\n", prog, kiln_last_error());
    goto done;
  }
  if (o.batch != kiln_trainer_batch_size(t)) {
    fprintf(stderr, "%s: --batch %lld: expected the artifact's compiled batch %lld (recompile with "
            "kiln-compile --train --batch %lld for another)\n",
            prog, o.batch, (long long)kiln_trainer_batch_size(t), o.batch);
    goto done;
  }
  if (!kiln_train_load(prog, t, "--data", o.data, o.num_data, &data, &rows)) goto done;
  if (rows < o.batch) {
    fprintf(stderr, "%s: --data: expected at least one batch of %lld rows, got %lld rows (an epoch "
            "drops its last partial batch)\n", prog, o.batch, (long long)rows);
    goto done;
  }
  if (o.num_eval) {
    if (!kiln_train_load(prog, t, "--eval", o.eval, o.num_eval, &eval, &eval_rows)) goto done;
    if (eval_rows < 1) {
      fprintf(stderr, "%s: --eval: expected at least one row, got 0\n", prog);
      goto done;
    }
  }
  if (o.save && access(kiln_trainer_source(t), R_OK) != 0) {
    fprintf(stderr, "%s: --save: cannot read the source model '%s' named by the artifact: %s\n",
            prog, kiln_trainer_source(t), strerror(errno));
    goto done;
  }
  if (o.save && !kiln_train_check_save_target(&o, t, model_path)) goto done;
  if (o.save) {
    /* The output's folder must be writable before any training time is spent. */
    char *copy = strdup(o.save);
    int writable = copy && access(dirname(copy), W_OK) == 0;
    int err = errno;
    free(copy);
    if (!writable) {
      fprintf(stderr, "%s: --save: cannot write into the folder of '%s': %s\n", prog, o.save,
              strerror(err));
      goto done;
    }
    /* Everything --save checks in the source model, before training too. */
    if (hooks->check_save_onnx) {
      char error[1024] = "";
      if (hooks->check_save_onnx(t, kiln_trainer_source(t), o.save, error, sizeof error) != 0) {
        fprintf(stderr, "%s: --save: %s\n", prog, error[0] ? error : "failed");
        goto done;
      }
    }
  }
  if (o.has_threads) kiln_set_num_threads(o.threads);
  rc = kiln_train_run(&o, hooks, t, data, rows, eval, eval_rows);
done:
  kiln_train_free_arrays(data, kiln_trainer_num_batch_inputs(t));
  kiln_train_free_arrays(eval, kiln_trainer_num_batch_inputs(t));
  kiln_trainer_destroy(t);
  kiln_model_destroy(loaded);
  for (i = 0; o.eval_lists && i < o.num_eval_lists; ++i) free(o.eval_lists[i]);
  free(o.eval_lists);
  free((void *)o.data);
  free((void *)o.eval);
  return rc;
}
