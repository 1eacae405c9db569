/* kiln-runtime-stress: runs one loaded model from many threads at once and
 * checks every result against a serial run, bit for bit.
 *
 *   kiln-runtime-stress MODEL.so --threads T --runs R [--pool-threads P]
 *                       [--output-dir DIR] NAME=FILE.npy ...
 *
 * The inputs come in T variants (floating-point inputs scaled by 1 + v/8), so a
 * run that saw another run's workspace gives the other variant's answer. First
 * every variant runs serially on the model's own context; then T threads start
 * together, each on a context of its own (every fourth thread on the model's
 * own context, the API without contexts, which takes turns), and run R times,
 * cycling through the variants; each output is compared with memcmp. Then the
 * serial runs are repeated and compared. Prints one JSON line; exit 0 when
 * every run matched, 1 otherwise, 2 on bad usage. With --output-dir, variant
 * 0's outputs are written to DIR/output<K>.npy for an independent check. */
#define _POSIX_C_SOURCE 200809L
#include "kiln_runtime.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
  kiln_model *model;
  const kiln_entry *entry;
  size_t n_in, n_out, variants;
  kiln_tensor ***inputs;   /* [variant][input] */
  kiln_tensor ***expected; /* [variant][output], from the serial run */
  int runs;
  pthread_barrier_t start;
} stress;

typedef struct {
  stress *s;
  int index;
  long mismatches;
  long failures;
} worker;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Nonzero if @p got differs from @p want in any byte. */
static int differs(const kiln_tensor *got, const kiln_tensor *want) {
  return kiln_tensor_byte_size(got) != kiln_tensor_byte_size(want) ||
         memcmp(kiln_tensor_data(got), kiln_tensor_data(want), kiln_tensor_byte_size(want)) != 0;
}

/* Runs variant @p v on @p ctx (the model's own context when NULL) into @p out. */
static kiln_status run_variant(stress *s, kiln_context *ctx, size_t v, kiln_tensor **out) {
  const kiln_tensor *const *in = (const kiln_tensor *const *)s->inputs[v];
  return ctx ? kiln_context_run_entry(ctx, s->entry, in, s->n_in, out, s->n_out)
             : kiln_model_run_entry(s->model, s->entry, in, s->n_in, out, s->n_out);
}

static void *work(void *arg) {
  worker *w = (worker *)arg;
  stress *s = w->s;
  kiln_context *ctx = NULL;
  kiln_tensor **out = (kiln_tensor **)calloc(s->n_out + 1, sizeof *out);
  int r;
  size_t k;
  if (!out || (w->index % 4 != 3 && kiln_context_create(s->model, &ctx) != KILN_OK)) {
    fprintf(stderr, "kiln-runtime-stress: thread %d: %s\n", w->index,
            out ? kiln_last_error() : "out of memory");
    w->failures = s->runs;
  }
  pthread_barrier_wait(&s->start);
  for (r = 0; r < s->runs && !w->failures; ++r) {
    size_t v = ((size_t)w->index + (size_t)r) % s->variants;
    if (run_variant(s, ctx, v, out) != KILN_OK) {
      fprintf(stderr, "kiln-runtime-stress: thread %d: %s\n", w->index, kiln_last_error());
      ++w->failures;
      continue;
    }
    for (k = 0; k < s->n_out; ++k) {
      if (differs(out[k], s->expected[v][k])) {
        ++w->mismatches;
        break;
      }
    }
    for (k = 0; k < s->n_out; ++k) kiln_tensor_destroy(out[k]);
  }
  kiln_context_destroy(ctx);
  free(out);
  return NULL;
}

/* A copy of @p t with floating-point elements scaled by @p factor. */
static kiln_tensor *scaled(const kiln_tensor *t, double factor) {
  kiln_tensor *copy = NULL;
  size_t n = kiln_tensor_num_elements(t), i;
  if (kiln_tensor_create(kiln_tensor_dtype(t), kiln_tensor_rank(t), kiln_tensor_dims(t), &copy) !=
      KILN_OK)
    return NULL;
  memcpy(kiln_tensor_data(copy), kiln_tensor_data(t), kiln_tensor_byte_size(t));
  if (kiln_tensor_dtype(t) == KILN_DTYPE_F32)
    for (i = 0; i < n; ++i) ((float *)kiln_tensor_data(copy))[i] *= (float)factor;
  if (kiln_tensor_dtype(t) == KILN_DTYPE_F64)
    for (i = 0; i < n; ++i) ((double *)kiln_tensor_data(copy))[i] *= factor;
  return copy;
}

static int usage(void) {
  fprintf(stderr, "usage: kiln-runtime-stress MODEL.so --threads T --runs R [--pool-threads P] "
                  "[--output-dir DIR] NAME=FILE.npy ...\n");
  return 2;
}

int main(int argc, char **argv) {
  stress s;
  worker *workers = NULL;
  pthread_t *ids = NULL;
  const char *output_dir = NULL;
  int threads = 0, pool = 1, a, t;
  long mismatches = 0, failures = 0, serial_mismatches = 0;
  size_t v, k;
  double serial_ms, concurrent_ms;
  memset(&s, 0, sizeof s);
  if (argc < 2) return usage();
  for (a = 2; a + 1 < argc && strncmp(argv[a], "--", 2) == 0; a += 2) {
    if (strcmp(argv[a], "--threads") == 0) threads = atoi(argv[a + 1]);
    else if (strcmp(argv[a], "--runs") == 0) s.runs = atoi(argv[a + 1]);
    else if (strcmp(argv[a], "--pool-threads") == 0) pool = atoi(argv[a + 1]);
    else if (strcmp(argv[a], "--output-dir") == 0) output_dir = argv[a + 1];
    else return usage();
  }
  if (threads < 1 || s.runs < 1) return usage();
  if (kiln_model_load(argv[1], &s.model) != KILN_OK) {
    fprintf(stderr, "kiln-runtime-stress: %s\n", kiln_last_error());
    return 1;
  }
  kiln_set_num_threads(pool);
  s.entry = kiln_model_entry_at(s.model, 0);
  s.n_in = kiln_entry_num_inputs(s.entry);
  s.n_out = kiln_entry_num_outputs(s.entry);
  s.variants = (size_t)threads;
  s.inputs = (kiln_tensor ***)calloc(s.variants, sizeof *s.inputs);
  s.expected = (kiln_tensor ***)calloc(s.variants, sizeof *s.expected);
  for (v = 0; v < s.variants; ++v) {
    s.inputs[v] = (kiln_tensor **)calloc(s.n_in + 1, sizeof **s.inputs);
    s.expected[v] = (kiln_tensor **)calloc(s.n_out + 1, sizeof **s.expected);
  }
  for (; a < argc; ++a) {
    char *eq = strchr(argv[a], '=');
    kiln_tensor *file = NULL;
    size_t index;
    if (!eq) return usage();
    *eq = '\0';
    if (kiln_entry_find_input(s.entry, argv[a], &index) != KILN_OK ||
        kiln_npy_read(eq + 1, &file) != KILN_OK) {
      fprintf(stderr, "kiln-runtime-stress: %s\n", kiln_last_error());
      return 1;
    }
    for (v = 0; v < s.variants; ++v) s.inputs[v][index] = scaled(file, 1.0 + (double)v / 8.0);
    kiln_tensor_destroy(file);
  }

  serial_ms = now_ms();
  for (v = 0; v < s.variants; ++v) {
    if (run_variant(&s, NULL, v, s.expected[v]) != KILN_OK) {
      fprintf(stderr, "kiln-runtime-stress: %s\n", kiln_last_error());
      return 1;
    }
  }
  serial_ms = now_ms() - serial_ms;
  for (k = 0; output_dir && k < s.n_out; ++k) {
    char path[4096];
    snprintf(path, sizeof path, "%s/output%zu.npy", output_dir, k);
    if (kiln_npy_write(path, s.expected[0][k]) != KILN_OK) {
      fprintf(stderr, "kiln-runtime-stress: %s\n", kiln_last_error());
      return 1;
    }
  }

  workers = (worker *)calloc((size_t)threads, sizeof *workers);
  ids = (pthread_t *)calloc((size_t)threads, sizeof *ids);
  pthread_barrier_init(&s.start, NULL, (unsigned)threads);
  concurrent_ms = now_ms();
  for (t = 0; t < threads; ++t) {
    workers[t].s = &s;
    workers[t].index = t;
    pthread_create(&ids[t], NULL, work, &workers[t]);
  }
  for (t = 0; t < threads; ++t) {
    pthread_join(ids[t], NULL);
    mismatches += workers[t].mismatches;
    failures += workers[t].failures;
  }
  concurrent_ms = now_ms() - concurrent_ms;
  pthread_barrier_destroy(&s.start);

  /* The serial runs again: the same artifact gives the same bits every time. */
  for (v = 0; v < s.variants; ++v) {
    kiln_tensor **again = (kiln_tensor **)calloc(s.n_out + 1, sizeof *again);
    if (run_variant(&s, NULL, v, again) != KILN_OK) ++failures;
    for (k = 0; k < s.n_out; ++k) {
      if (again[k] && differs(again[k], s.expected[v][k])) ++serial_mismatches;
      kiln_tensor_destroy(again[k]);
    }
    free(again);
  }

  printf("{\"threads\":%d,\"runs_per_thread\":%d,\"pool_threads\":%d,\"variants\":%zu,"
         "\"mismatches\":%ld,\"failures\":%ld,\"serial_repeat_mismatches\":%ld,"
         "\"serial_ms\":%.3f,\"concurrent_ms\":%.3f}\n",
         threads, s.runs, pool, s.variants, mismatches, failures, serial_mismatches, serial_ms,
         concurrent_ms);
  if (mismatches || failures || serial_mismatches)
    fprintf(stderr, "kiln-runtime-stress: %ld of %ld concurrent runs differ from the serial run, "
                    "%ld failed, %ld repeated serial outputs differ\n",
            mismatches, (long)threads * s.runs, failures, serial_mismatches);

  for (v = 0; v < s.variants; ++v) {
    for (k = 0; k < s.n_in; ++k) kiln_tensor_destroy(s.inputs[v][k]);
    for (k = 0; k < s.n_out; ++k) kiln_tensor_destroy(s.expected[v][k]);
    free(s.inputs[v]);
    free(s.expected[v]);
  }
  free(s.inputs);
  free(s.expected);
  free(workers);
  free(ids);
  kiln_model_destroy(s.model);
  return mismatches || failures || serial_mismatches ? 1 : 0;
}
