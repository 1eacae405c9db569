/* The command-line driver shared by kiln-run and standalone model executables. */
#define _POSIX_C_SOURCE 200809L
#include "kiln_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* How many leading values the summary prints per output. */
#define KILN_CLI_SHOWN_VALUES 10

typedef struct {
  const char *prog;       /* for messages */
  int loads_model;        /* kiln-run form: argv[1] is MODEL.so */
  const char *model_path; /* kiln-run form only */
  const char **input_args; /* NAME=FILE strings, in command-line order */
  size_t num_input_args;
  const char *output_dir;
  const char *entry_name; /* --entry; NULL: the default entry */
  int has_threads;
  int threads;
  int bench_runs; /* 0: no --bench */
} kiln_cli_options;

static void kiln_cli_usage(FILE *out, const kiln_cli_options *o) {
  if (o->loads_model)
    fprintf(out, "usage: %s MODEL.so [options]\n", o->prog);
  else
    fprintf(out, "usage: %s [options]\n", o->prog);
  fprintf(out,
          "Runs a compiled Kiln model on .npy inputs.\n"
          "\n"
          "options:\n"
          "  --entry NAME           run the model's entry NAME (default: its first entry)\n"
          "  --input NAME=FILE.npy  value of input NAME; give every input of the entry exactly once\n"
          "  --output-dir DIR       write each output to DIR/FILE.npy, FILE being its name with '/'\n"
          "                         and control characters replaced by '_', so never a path out\n"
          "                         of DIR; an existing FILE.npy is replaced, not written through;\n"
          "                         names that collide or exceed 251 bytes are refused before\n"
          "                         running; DIR is created if missing\n"
          "  --threads T            number of threads, at most 1024 (T <= 0: hardware concurrency)\n"
          "  --bench N              one warm-up run, then N timed runs; print one JSON line\n"
          "                         {\"median_ms\":M,\"min_ms\":m,\"runs\":N} and nothing else\n"
          "  --help                 print this help and the model signature\n"
          "  --train ...            train a training artifact instead (see docs/training.md):\n"
          "                         --train --data NAME=FILE.npy [--data ...] --batch B --epochs E\n"
          "                         [--shuffle-seed S] [--log-every K] [--eval NAME=FILE.npy,...]\n"
          "                         [--save OUT.onnx] [--checkpoint DIR] [--threads T]\n"
          "\n"
          "Without --bench, runs once and prints each output's dtype, shape, argmax, max and\n"
          "first values, then 'time: X.XXX ms'. Exit status: 0 ok, 1 failure, 2 bad usage.\n");
}

static int kiln_cli_usage_error(const kiln_cli_options *o, const char *what, const char *arg) {
  fprintf(stderr, "%s: %s%s%s%s\n", o->prog, what, arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
  kiln_cli_usage(stderr, o);
  return KILN_CLI_EXIT_USAGE;
}

static int kiln_cli_parse_int(const char *text, int *out) {
  char *end;
  long v;
  if (!text || !*text) return 0;
  errno = 0;
  v = strtol(text, &end, 10);
  if (*end != '\0' || errno == ERANGE || v < INT_MIN || v > INT_MAX) return 0;
  *out = (int)v;
  return 1;
}

/* Parses options starting at argv[first]; returns an exit status or -1 to go on. */
static int kiln_cli_parse(int argc, char **argv, int first, kiln_cli_options *o) {
  int i;
  for (i = first; i < argc; ++i) {
    const char *arg = argv[i];
    const char *value = NULL;
    const char *eq;
    size_t name_len;
    const char *names[] = {"--input", "--output-dir", "--threads", "--bench", "--entry"};
    size_t k, which = sizeof names / sizeof names[0];
    if (strncmp(arg, "--", 2) != 0)
      return kiln_cli_usage_error(o, "unexpected argument", arg);
    eq = strchr(arg, '=');
    name_len = eq ? (size_t)(eq - arg) : strlen(arg);
    for (k = 0; k < sizeof names / sizeof names[0]; ++k)
      if (strlen(names[k]) == name_len && strncmp(arg, names[k], name_len) == 0) which = k;
    if (which == sizeof names / sizeof names[0])
      return kiln_cli_usage_error(o,
                                  kiln__cli_is_train_option(arg, name_len)
                                      ? "unknown option (a training option: it needs --train)"
                                      : "unknown option",
                                  arg);
    if (eq) {
      value = eq + 1;
    } else {
      if (i + 1 >= argc) return kiln_cli_usage_error(o, "missing value for", arg);
      value = argv[++i];
    }
    switch (which) {
    case 0:
      if (!strchr(value, '='))
        return kiln_cli_usage_error(o, "--input expects NAME=FILE.npy, got", value);
      o->input_args[o->num_input_args++] = value;
      break;
    case 1:
      if (!*value) return kiln_cli_usage_error(o, "--output-dir expects a directory", NULL);
      o->output_dir = value;
      break;
    case 2:
      if (!kiln_cli_parse_int(value, &o->threads))
        return kiln_cli_usage_error(o, "--threads expects an integer, got", value);
      /* Refused, not capped silently to what the runtime uses. */
      if (o->threads > KILN_MAX_THREADS)
        return kiln_cli_usage_error(
            o, "--threads expects at most 1024 threads (T <= 0: hardware concurrency), got", value);
      o->has_threads = 1;
      break;
    case 3:
      if (!kiln_cli_parse_int(value, &o->bench_runs) || o->bench_runs < 1)
        return kiln_cli_usage_error(o, "--bench expects an integer >= 1, got", value);
      break;
    default:
      if (!*value) return kiln_cli_usage_error(o, "--entry expects an entry name", NULL);
      o->entry_name = value;
      break;
    }
  }
  return -1;
}

static double kiln_cli_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int kiln_cli_compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y ? 1 : 0;
}

/* mkdir -p; on failure returns 0 with errno set. */
static int kiln_cli_make_dirs(const char *path) {
  size_t len = strlen(path), i;
  char *buf = (char *)malloc(len + 1);
  struct stat st;
  int err = 0;
  if (!buf) return 0;
  memcpy(buf, path, len + 1);
  for (i = 1; i <= len && !err; ++i) {
    if (buf[i] == '/' || buf[i] == '\0') {
      char saved = buf[i];
      buf[i] = '\0';
      if (mkdir(buf, 0777) != 0 && errno != EEXIST) err = errno;
      buf[i] = saved;
    }
  }
  free(buf);
  if (!err && stat(path, &st) != 0) err = errno;
  if (!err && !S_ISDIR(st.st_mode)) err = ENOTDIR;
  errno = err;
  return err == 0;
}

/* Longest file name written into --output-dir (NAME_MAX on Linux and the BSDs). */
#define KILN_CLI_MAX_FILE_NAME 255

/* The file name of output @p name inside --output-dir: the name with '/' and
 * control bytes replaced by '_', then ".npy". It is one path component that is
 * never "." or "..", so the file cannot leave the directory. Returns 0 for a
 * name that yields no file name: empty, or too long for the file system. */
static int kiln_cli_output_file(const char *name, char *buf, size_t size) {
  size_t len = strlen(name), i;
  if (len == 0 || len + 4 > KILN_CLI_MAX_FILE_NAME || len + 5 > size) return 0;
  for (i = 0; i < len; ++i) {
    unsigned char c = (unsigned char)name[i];
    buf[i] = (c == '/' || c < 0x20 || c == 0x7f) ? '_' : (char)c;
  }
  memcpy(buf + len, ".npy", 5);
  return 1;
}

/* Checks before anything runs that every output gets its own file name in
 * --output-dir; prints why not and returns 0. */
static int kiln_cli_check_output_files(const kiln_cli_options *o, const kiln_entry *entry) {
  size_t n = kiln_entry_num_outputs(entry), i, j;
  char file_i[KILN_CLI_MAX_FILE_NAME + 1], file_j[KILN_CLI_MAX_FILE_NAME + 1];
  char name_i[512], name_j[512];
  for (i = 0; i < n; ++i) {
    const char *name = kiln_entry_output_name(entry, i);
    kiln__percent_encode(name_i, sizeof name_i, name);
    if (!kiln_cli_output_file(name, file_i, sizeof file_i)) {
      fprintf(stderr,
              "%s: output '%s': expects a name of 1 to %d bytes to write to --output-dir, "
              "found %zu bytes\n",
              o->prog, name_i, KILN_CLI_MAX_FILE_NAME - 4, strlen(name));
      return 0;
    }
    for (j = 0; j < i; ++j) {
      if (!kiln_cli_output_file(kiln_entry_output_name(entry, j), file_j, sizeof file_j) ||
          strcmp(file_i, file_j) != 0)
        continue;
      kiln__percent_encode(name_j, sizeof name_j, kiln_entry_output_name(entry, j));
      fprintf(stderr,
              "%s: outputs '%s' and '%s': expects distinct file names in --output-dir, "
              "found both written to '%s'\n",
              o->prog, name_j, name_i, file_i);
      return 0;
    }
  }
  return 1;
}

/* Writes @p t to a new temporary file in the directory @p dir_fd, then renames
 * it to @p file: an existing symbolic or hard link named @p file is replaced,
 * never written through, and a failed write leaves no partial file behind. */
static kiln_status kiln_cli_write_output(int dir_fd, const char *dir, const char *file,
                                         const kiln_tensor *t) {
  char tmp[64];
  char *path;
  unsigned attempt;
  int fd = -1;
  FILE *f;
  kiln_status st;
  path = (char *)malloc(strlen(dir) + strlen(file) + 2);
  if (!path) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "out of memory");
  sprintf(path, "%s/%s", dir, file);
  for (attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    snprintf(tmp, sizeof tmp, ".kiln-run-%ld-%u.tmp", (long)getpid(), attempt);
    fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) {
    st = kiln__fail(KILN_ERROR_IO, "%s: cannot create: %s", path, strerror(errno));
    free(path);
    return st;
  }
  f = fdopen(fd, "wb");
  if (!f) {
    close(fd);
    st = kiln__fail(KILN_ERROR_IO, "%s: cannot create: %s", path, strerror(errno));
  } else {
    st = kiln__npy_write_stream(f, path, t);
    if (fclose(f) != 0 && st == KILN_OK)
      st = kiln__fail(KILN_ERROR_IO, "%s: write error: %s", path, strerror(errno));
  }
  if (st == KILN_OK && renameat(dir_fd, tmp, dir_fd, file) != 0)
    st = kiln__fail(KILN_ERROR_IO, "%s: cannot create: %s", path, strerror(errno));
  if (st != KILN_OK) unlinkat(dir_fd, tmp, 0);
  free(path);
  return st;
}

/* IEEE binary16 bits as a float. */
static float kiln_cli_f16(uint16_t h) {
  int e = (h >> 10) & 0x1f, m = h & 0x3ff;
  float v = e == 0 ? ldexpf((float)m, -24)
                   : e == 31 ? (m ? NAN : INFINITY) : ldexpf((float)(m | 0x400), e - 25);
  return (h & 0x8000) ? -v : v;
}

/* bfloat16 bits as a float (the high half of a binary32). */
static float kiln_cli_bf16(uint16_t b) {
  uint32_t u = (uint32_t)b << 16;
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

/* Element @p i of @p t as text. */
static void kiln_cli_format_value(char *buf, size_t size, const kiln_tensor *t, size_t i) {
  const void *d = kiln_tensor_data(t);
  switch (kiln_tensor_dtype(t)) {
  case KILN_DTYPE_F32: snprintf(buf, size, "%.6g", (double)((const float *)d)[i]); break;
  case KILN_DTYPE_F64: snprintf(buf, size, "%.6g", ((const double *)d)[i]); break;
  case KILN_DTYPE_I8: snprintf(buf, size, "%d", (int)((const int8_t *)d)[i]); break;
  case KILN_DTYPE_I16: snprintf(buf, size, "%d", (int)((const int16_t *)d)[i]); break;
  case KILN_DTYPE_I32: snprintf(buf, size, "%" PRId32, ((const int32_t *)d)[i]); break;
  case KILN_DTYPE_I64: snprintf(buf, size, "%" PRId64, ((const int64_t *)d)[i]); break;
  case KILN_DTYPE_U8: snprintf(buf, size, "%u", (unsigned)((const uint8_t *)d)[i]); break;
  case KILN_DTYPE_U16: snprintf(buf, size, "%u", (unsigned)((const uint16_t *)d)[i]); break;
  case KILN_DTYPE_U32: snprintf(buf, size, "%" PRIu32, ((const uint32_t *)d)[i]); break;
  case KILN_DTYPE_U64: snprintf(buf, size, "%" PRIu64, ((const uint64_t *)d)[i]); break;
  case KILN_DTYPE_BOOL: snprintf(buf, size, "%d", ((const uint8_t *)d)[i] ? 1 : 0); break;
  case KILN_DTYPE_F16:
    snprintf(buf, size, "%.6g", (double)kiln_cli_f16(((const uint16_t *)d)[i]));
    break;
  case KILN_DTYPE_BF16:
    snprintf(buf, size, "%.6g", (double)kiln_cli_bf16(((const uint16_t *)d)[i]));
    break;
  case KILN_DTYPE_INVALID: snprintf(buf, size, "?"); break;
  }
}

#define KILN_ARGMAX_INT(type)                                                                      \
  do {                                                                                             \
    const type *v = (const type *)d;                                                               \
    for (i = 1; i < n; ++i)                                                                        \
      if (v[i] > v[best]) best = i;                                                                \
  } while (0)

#define KILN_ARGMAX_FLOAT(type)                                                                    \
  do {                                                                                             \
    const type *v = (const type *)d;                                                               \
    if (isnan(v[0])) break;                                                                        \
    for (i = 1; i < n; ++i) {                                                                      \
      if (isnan(v[i])) {                                                                           \
        best = i;                                                                                  \
        break;                                                                                     \
      }                                                                                            \
      if (v[i] > v[best]) best = i;                                                                \
    }                                                                                              \
  } while (0)

/* Index of the first maximum, NaN counting as the maximum (as numpy.argmax); n >= 1. */
static size_t kiln_cli_argmax(const kiln_tensor *t) {
  const void *d = kiln_tensor_data(t);
  size_t n = kiln_tensor_num_elements(t), i, best = 0;
  switch (kiln_tensor_dtype(t)) {
  case KILN_DTYPE_F32: KILN_ARGMAX_FLOAT(float); break;
  case KILN_DTYPE_F64: KILN_ARGMAX_FLOAT(double); break;
  case KILN_DTYPE_I8: KILN_ARGMAX_INT(int8_t); break;
  case KILN_DTYPE_I16: KILN_ARGMAX_INT(int16_t); break;
  case KILN_DTYPE_I32: KILN_ARGMAX_INT(int32_t); break;
  case KILN_DTYPE_I64: KILN_ARGMAX_INT(int64_t); break;
  case KILN_DTYPE_U8:
  case KILN_DTYPE_BOOL: KILN_ARGMAX_INT(uint8_t); break;
  case KILN_DTYPE_U16: KILN_ARGMAX_INT(uint16_t); break;
  case KILN_DTYPE_U32: KILN_ARGMAX_INT(uint32_t); break;
  case KILN_DTYPE_U64: KILN_ARGMAX_INT(uint64_t); break;
  case KILN_DTYPE_F16:
  case KILN_DTYPE_BF16: {
    const uint16_t *v = (const uint16_t *)d;
    float (*value)(uint16_t) = kiln_tensor_dtype(t) == KILN_DTYPE_F16 ? kiln_cli_f16 : kiln_cli_bf16;
    if (isnan(value(v[0]))) break;
    for (i = 1; i < n; ++i) {
      if (isnan(value(v[i]))) {
        best = i;
        break;
      }
      if (value(v[i]) > value(v[best])) best = i;
    }
    break;
  }
  case KILN_DTYPE_INVALID: break;
  }
  return best;
}

static void kiln_cli_print_output(const char *name, const kiln_tensor *t) {
  char encoded[512], dims[256], value[64];
  size_t n = kiln_tensor_num_elements(t), i;
  kiln__percent_encode(encoded, sizeof encoded, name);
  kiln__format_dims(dims, sizeof dims, kiln_tensor_rank(t), kiln_tensor_dims(t));
  printf("output %s %s [%s]", encoded, kiln_dtype_name(kiln_tensor_dtype(t)), dims);
  if (n == 0) {
    printf(" (no elements)\n");
    return;
  }
  i = kiln_cli_argmax(t);
  kiln_cli_format_value(value, sizeof value, t, i);
  printf(" argmax=%zu max=%s\n ", i, value);
  for (i = 0; i < n && i < KILN_CLI_SHOWN_VALUES; ++i) {
    kiln_cli_format_value(value, sizeof value, t, i);
    printf(" %s", value);
  }
  printf("%s\n", n > KILN_CLI_SHOWN_VALUES ? " ..." : "");
}

/* Matches NAME=FILE against the model's inputs; a name may itself contain '='. */
static int kiln_cli_match_input(const kiln_entry *entry, const char *arg, size_t *index,
                                const char **file) {
  const char *eq;
  for (eq = strchr(arg, '='); eq; eq = strchr(eq + 1, '=')) {
    size_t len = (size_t)(eq - arg), i;
    for (i = 0; i < kiln_entry_num_inputs(entry); ++i) {
      const char *name = kiln_entry_input_name(entry, i);
      /* The spelling the messages print (percent-encoded) is accepted too,
         so a name with spaces or non-ASCII bytes can be typed back. */
      char encoded[512];
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

static void kiln_cli_list_inputs(FILE *out, const kiln_entry *entry) {
  size_t i;
  for (i = 0; i < kiln_entry_num_inputs(entry); ++i) {
    char name[512];
    kiln__percent_encode(name, sizeof name, kiln_entry_input_name(entry, i));
    fprintf(out, "%s%s", i ? ", " : "", name);
  }
  if (kiln_entry_num_inputs(entry) == 0) fprintf(out, "none");
}

/* Everything after option parsing and model loading. */
static int kiln_cli_execute(const kiln_cli_options *o, kiln_model *model,
                            const kiln_entry *entry) {
  size_t n_in = kiln_entry_num_inputs(entry), n_out = kiln_entry_num_outputs(entry);
  kiln_tensor **inputs = (kiln_tensor **)calloc(n_in + 1, sizeof *inputs);
  kiln_tensor **outputs = (kiln_tensor **)calloc(n_out + 1, sizeof *outputs);
  const char **files = (const char **)calloc(n_in + 1, sizeof *files);
  double *times = NULL;
  int rc = KILN_CLI_EXIT_FAILURE, dynamic_outputs = 0;
  size_t i;
  char name[512];
  if (!inputs || !outputs || !files) {
    fprintf(stderr, "%s: out of memory\n", o->prog);
    goto done;
  }
  /* Names first, so a typo is reported before any file is read. */
  for (i = 0; i < o->num_input_args; ++i) {
    size_t index;
    const char *file;
    if (!kiln_cli_match_input(entry, o->input_args[i], &index, &file)) {
      size_t len = (size_t)(strchr(o->input_args[i], '=') - o->input_args[i]);
      fprintf(stderr, "%s: unknown input '%.*s' (model inputs: ", o->prog, (int)len,
              o->input_args[i]);
      kiln_cli_list_inputs(stderr, entry);
      fprintf(stderr, ")\n");
      {
        /* A training artifact's default entry is init, which takes nothing. */
        const kiln_entry *train_step = NULL;
        if (!o->entry_name && kiln_model_find_entry(model, "train_step", &train_step) == KILN_OK)
          fprintf(stderr,
                  "%s: note: this is a training artifact, whose default entry 'init' takes no "
                  "inputs: train it with --train, or run --entry infer or --entry eval\n",
                  o->prog);
      }
      goto done;
    }
    kiln__percent_encode(name, sizeof name, kiln_entry_input_name(entry, index));
    if (files[index]) {
      fprintf(stderr, "%s: input '%s' given more than once\n", o->prog, name);
      goto done;
    }
    files[index] = file;
  }
  for (i = 0; i < n_in; ++i) {
    if (!files[i]) {
      char dims[256];
      kiln__percent_encode(name, sizeof name, kiln_entry_input_name(entry, i));
      kiln__format_value_dims(dims, sizeof dims, &entry->inputs[i]);
      fprintf(stderr, "%s: missing input '%s' (expected %s %s; give --input %s=FILE.npy)\n",
              o->prog, name, kiln_dtype_name(kiln_entry_input_dtype(entry, i)), dims, name);
      goto done;
    }
  }
  for (i = 0; i < n_in; ++i) {
    if (kiln_npy_read(files[i], &inputs[i]) != KILN_OK) {
      kiln__percent_encode(name, sizeof name, kiln_entry_input_name(entry, i));
      fprintf(stderr, "%s: input '%s': %s\n", o->prog, name, kiln_last_error());
      goto done;
    }
    /* numpy has no bfloat16: a bf16 input comes as its uint16 bits. */
    if (kiln_entry_input_dtype(entry, i) == KILN_DTYPE_BF16 &&
        kiln_tensor_dtype(inputs[i]) == KILN_DTYPE_U16)
      kiln__tensor_retag(inputs[i], KILN_DTYPE_BF16);
  }
  if (kiln_entry_check_inputs(entry, (const kiln_tensor *const *)inputs, n_in) != KILN_OK) {
    fprintf(stderr, "%s: %s\n", o->prog, kiln_last_error());
    goto done;
  }
  /* Outputs with a symbolic dim come from each run, in their actual shape;
   * static ones are made once and reused, as before. */
  for (i = 0; i < n_out; ++i)
    if (entry->outputs[i].symbols) dynamic_outputs = 1;
  for (i = 0; i < n_out && !dynamic_outputs; ++i) {
    if (kiln_tensor_create(kiln_entry_output_dtype(entry, i), kiln_entry_output_rank(entry, i),
                           kiln_entry_output_dims(entry, i), &outputs[i]) != KILN_OK) {
      fprintf(stderr, "%s: %s\n", o->prog, kiln_last_error());
      goto done;
    }
  }
  if (o->output_dir && !kiln_cli_check_output_files(o, entry)) goto done;
  if (o->output_dir && !kiln_cli_make_dirs(o->output_dir)) {
    fprintf(stderr, "%s: cannot create output directory '%s': %s\n", o->prog, o->output_dir,
            strerror(errno));
    goto done;
  }
  if (o->has_threads) kiln_set_num_threads(o->threads);

  {
    int runs = o->bench_runs ? o->bench_runs : 1;
    int r;
    times = (double *)malloc((size_t)runs * sizeof *times);
    if (!times) {
      fprintf(stderr, "%s: out of memory\n", o->prog);
      goto done;
    }
    for (r = o->bench_runs ? -1 : 0; r < runs; ++r) { /* r == -1: warm-up */
      double start = kiln_cli_now_ms();
      kiln_status st;
      if (dynamic_outputs) {
        for (i = 0; i < n_out; ++i) kiln_tensor_destroy(outputs[i]);
        st = kiln_model_run_entry(model, entry, (const kiln_tensor *const *)inputs, n_in, outputs,
                                  n_out);
      } else {
        st = kiln_model_run_entry_into(model, entry, (const kiln_tensor *const *)inputs, n_in,
                                       outputs, n_out);
      }
      if (st != KILN_OK) {
        fprintf(stderr, "%s: %s\n", o->prog, kiln_last_error());
        goto done;
      }
      if (r >= 0) times[r] = kiln_cli_now_ms() - start;
    }
    if (o->bench_runs) {
      double median;
      qsort(times, (size_t)runs, sizeof *times, kiln_cli_compare_doubles);
      median = runs % 2 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
      printf("{\"median_ms\":%.3f,\"min_ms\":%.3f,\"runs\":%d}\n", median, times[0], runs);
    } else {
      for (i = 0; i < n_out; ++i) kiln_cli_print_output(kiln_entry_output_name(entry, i), outputs[i]);
      printf("time: %.3f ms\n", times[0]);
    }
    fflush(stdout);
  }

  if (o->output_dir) {
    /* Every file goes into the directory opened here, even if its path changes meanwhile. */
    int dir_fd = open(o->output_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) {
      fprintf(stderr, "%s: cannot open output directory '%s': %s\n", o->prog, o->output_dir,
              strerror(errno));
      goto done;
    }
    for (i = 0; i < n_out; ++i) {
      char file[KILN_CLI_MAX_FILE_NAME + 1];
      kiln_cli_output_file(kiln_entry_output_name(entry, i), file, sizeof file);
      if (kiln_cli_write_output(dir_fd, o->output_dir, file, outputs[i]) != KILN_OK) {
        fprintf(stderr, "%s: %s\n", o->prog, kiln_last_error());
        close(dir_fd);
        goto done;
      }
    }
    close(dir_fd);
  }
  rc = KILN_CLI_EXIT_OK;

done:
  if (inputs)
    for (i = 0; i < n_in; ++i) kiln_tensor_destroy(inputs[i]);
  if (outputs)
    for (i = 0; i < n_out; ++i) kiln_tensor_destroy(outputs[i]);
  free(inputs);
  free(outputs);
  free(files);
  free(times);
  return rc;
}

/* The entry --entry names, or the default one; prints why when there is none. */
static const kiln_entry *kiln_cli_entry(const kiln_cli_options *o, const kiln_model *model) {
  const kiln_entry *entry = NULL;
  size_t i;
  if (!o->entry_name) return kiln_model_entry_at(model, 0);
  if (kiln_model_find_entry(model, o->entry_name, &entry) == KILN_OK) return entry;
  fprintf(stderr, "%s: %s (model entries: ", o->prog, kiln_last_error());
  for (i = 0; i < kiln_model_num_entries(model); ++i)
    fprintf(stderr, "%s%s", i ? ", " : "", kiln_entry_name(kiln_model_entry_at(model, i)));
  fprintf(stderr, ")\n");
  return NULL;
}

int kiln_cli_main(int argc, char **argv, kiln_model *model_or_null) {
  return kiln_cli_main_with(argc, argv, model_or_null, NULL);
}

int kiln_cli_main_with(int argc, char **argv, kiln_model *model_or_null,
                       const kiln_cli_hooks *hooks) {
  kiln_cli_options o;
  kiln_model *loaded = NULL;
  kiln_model *model = model_or_null;
  int first = 1, i, rc, help = 0;
  memset(&o, 0, sizeof o);
  o.prog = argc > 0 && argv[0] ? argv[0] : "kiln";
  if (!model_or_null) {
    const char *slash = strrchr(o.prog, '/');
    if (slash) o.prog = slash + 1;
    o.loads_model = 1;
    if (argc >= 2 && argv[1][0] != '-') o.model_path = argv[1];
    first = 2;
  }
  for (i = 1; i < argc; ++i)
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) help = 1;
  if (help) {
    kiln_cli_usage(stdout, &o);
    if (!model && o.model_path && kiln_model_load(o.model_path, &loaded) == KILN_OK) model = loaded;
    else if (!model && o.model_path) fprintf(stderr, "%s: %s\n", o.prog, kiln_last_error());
    if (model) {
      const char *sig = kiln_model_signature(model);
      size_t len = strlen(sig);
      printf("\nmodel signature:\n%s%s", sig, len && sig[len - 1] == '\n' ? "" : "\n");
    }
    kiln_model_destroy(loaded);
    return KILN_CLI_EXIT_OK;
  }
  if (!model_or_null && !o.model_path)
    return kiln_cli_usage_error(&o, argc >= 2 ? "expected MODEL.so before options" : "missing MODEL.so", NULL);
  for (i = first; i < argc; ++i)
    if (strcmp(argv[i], "--train") == 0 || strncmp(argv[i], "--train=", 8) == 0)
      return kiln__cli_train(o.prog, argc, argv, first, model_or_null, o.model_path, hooks);
  o.input_args = (const char **)calloc((size_t)argc + 1, sizeof *o.input_args);
  if (!o.input_args) {
    fprintf(stderr, "%s: out of memory\n", o.prog);
    return KILN_CLI_EXIT_FAILURE;
  }
  rc = kiln_cli_parse(argc, argv, first, &o);
  if (rc < 0 && !model) {
    if (kiln_model_load(o.model_path, &loaded) != KILN_OK) {
      fprintf(stderr, "%s: %s\n", o.prog, kiln_last_error());
      rc = KILN_CLI_EXIT_FAILURE;
    }
    model = loaded;
  }
  if (rc < 0) {
    const kiln_entry *entry = kiln_cli_entry(&o, model);
    rc = entry ? kiln_cli_execute(&o, model, entry) : KILN_CLI_EXIT_FAILURE;
  }
  kiln_model_destroy(loaded);
  free((void *)o.input_args);
  return rc;
}
