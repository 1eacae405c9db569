/* Times a training artifact's train_step through the runtime's trainer API, the
 * way bench/train.py times PyTorch: the artifact loaded and its init run once,
 * the batches cut from two .npy arrays (data input, label) in order, 3 warm-up
 * steps, then ROUNDS rounds of STEPS steps; prints the fastest round as
 * {"steps_per_s":..., "step_ms":...}.
 *
 *   train_loop TRAIN.so X.npy Y.npy THREADS STEPS [ROUNDS]
 *
 * Built by bench/train.py against runtime/kiln_runtime.h and libkiln_runtime.a. */
#include "kiln_runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int fail(const char *what) {
  fprintf(stderr, "train_loop: %s: %s\n", what, kiln_last_error());
  return 1;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Views rows [row, row + batch) of `all` as a tensor of dim 0 = batch. */
static int slice(const kiln_tensor *all, int64_t row, int64_t batch, kiln_tensor **out) {
  size_t rank = kiln_tensor_rank(all);
  const int64_t *dims = kiln_tensor_dims(all);
  int64_t sliced[8];
  if (rank == 0 || rank > 8) return 1;
  size_t row_bytes = kiln_tensor_byte_size(all) / (size_t)dims[0];
  for (size_t i = 0; i < rank; ++i) sliced[i] = dims[i];
  sliced[0] = batch;
  char *data = (char *)kiln_tensor_data(all) + (size_t)row * row_bytes;
  return kiln_tensor_wrap(kiln_tensor_dtype(all), rank, sliced, data, out) != KILN_OK;
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: train_loop TRAIN.so X.npy Y.npy THREADS STEPS [ROUNDS]\n");
    return 2;
  }
  int threads = atoi(argv[4]);
  long steps = atol(argv[5]);
  long rounds = argc > 6 ? atol(argv[6]) : 3;
  kiln_set_num_threads(threads);

  kiln_model *model;
  kiln_trainer *trainer;
  kiln_tensor *x, *y;
  if (kiln_model_load(argv[1], &model) != KILN_OK) return fail("load");
  if (kiln_trainer_create(model, &trainer) != KILN_OK) return fail("trainer");
  if (kiln_npy_read(argv[2], &x) != KILN_OK) return fail(argv[2]);
  if (kiln_npy_read(argv[3], &y) != KILN_OK) return fail(argv[3]);
  int64_t batch = kiln_trainer_batch_size(trainer);
  int64_t n_batches = kiln_tensor_dims(x)[0] / batch;
  if (n_batches < 1 || kiln_trainer_num_batch_inputs(trainer) != 2) {
    fprintf(stderr, "train_loop: expects one data input, a label and at least one batch\n");
    return 1;
  }
  kiln_tensor **views = calloc((size_t)n_batches * 2, sizeof(*views));
  for (int64_t b = 0; b < n_batches; ++b)
    if (slice(x, b * batch, batch, &views[2 * b]) || slice(y, b * batch, batch, &views[2 * b + 1]))
      return fail("slice");

  float loss = 0;
  long done = 0;
  for (int i = 0; i < 3; ++i, ++done)
    if (kiln_trainer_step(trainer, (const kiln_tensor *const *)&views[2 * (done % n_batches)], 2,
                          &loss) != KILN_OK)
      return fail("step");
  double best = 1e30;
  for (long r = 0; r < rounds; ++r) {
    double start = now();
    for (long i = 0; i < steps; ++i, ++done)
      if (kiln_trainer_step(trainer, (const kiln_tensor *const *)&views[2 * (done % n_batches)],
                            2, &loss) != KILN_OK)
        return fail("step");
    double seconds = now() - start;
    if (seconds < best) best = seconds;
  }
  printf("{\"steps_per_s\":%.6g,\"step_ms\":%.6g,\"last_loss\":%.9g}\n", (double)steps / best,
         1e3 * best / (double)steps, (double)loss);

  for (int64_t i = 0; i < 2 * n_batches; ++i) kiln_tensor_destroy(views[i]);
  free(views);
  kiln_tensor_destroy(x);
  kiln_tensor_destroy(y);
  kiln_trainer_destroy(trainer);
  kiln_model_destroy(model);
  return 0;
}
