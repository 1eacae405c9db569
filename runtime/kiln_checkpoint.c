/* Trainer checkpoints: one .npy file per STATE tensor and a manifest,
 * `checkpoint.txt`, renamed into place last (format in docs/training.md):
 *
 *   kiln-checkpoint 1
 *   generation G
 *   epochs E
 *   steps S
 *   state NAME KIND FILE      (one per STATE tensor, in STATE order)
 *
 * Each save is a new generation G whose files are named g<G>-<i>.npy, so
 * writing it never touches the files the current manifest lists: a save cut
 * short leaves the previous checkpoint whole. The previous generation's files
 * are removed once the new manifest is in place. */
#define _POSIX_C_SOURCE 200809L
#include "kiln_train_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KILN_MANIFEST "checkpoint.txt"
/* A manifest is a few lines per STATE tensor; anything larger is not one. */
#define KILN_MANIFEST_MAX_BYTES (16u << 20)

/* A parsed manifest. */
typedef struct {
  int64_t generation, epochs, steps;
  size_t num_state;
  char **names;
  kiln_state_kind *kinds;
  char **files;
} kiln_manifest;

static void kiln_manifest_free(kiln_manifest *m) {
  size_t i;
  for (i = 0; i < m->num_state; ++i) {
    free(m->names[i]);
    free(m->files[i]);
  }
  free(m->names);
  free(m->kinds);
  free(m->files);
  memset(m, 0, sizeof *m);
}

static char *kiln_join(const char *dir, const char *file) {
  char *path = (char *)malloc(strlen(dir) + strlen(file) + 2);
  if (path) sprintf(path, "%s/%s", dir, file);
  return path;
}

/* Decodes %XX escapes of @p token into a new string; NULL when malformed (or out of memory). */
static char *kiln_decode(const char *token) {
  size_t n = strlen(token), i, k = 0;
  char *out = (char *)malloc(n + 1);
  if (!out) return NULL;
  for (i = 0; i < n; ++i) {
    if (token[i] == '%') {
      unsigned v = 0;
      if (sscanf(token + i + 1, "%2x", &v) != 1 || v == 0 || !token[i + 1] || !token[i + 2]) {
        free(out);
        return NULL;
      }
      out[k++] = (char)v;
      i += 2;
    } else {
      out[k++] = token[i];
    }
  }
  out[k] = '\0';
  return out;
}

/* Parses a count in [0, KILN_TRAINER_COUNT_MAX] written as a plain decimal. */
static int kiln_parse_count(const char *s, int64_t *out) {
  char *end;
  long long v;
  if (!*s || *s == '-' || *s == '+') return 0;
  errno = 0;
  v = strtoll(s, &end, 10);
  if (*end || errno || v > KILN_TRAINER_COUNT_MAX) return 0;
  *out = (int64_t)v;
  return 1;
}

/* A FILE field names a file inside the checkpoint directory, never a path. */
static int kiln_is_plain_file(const char *s) {
  return *s && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

#define KILN_MANIFEST_FAIL(fmt, ...) \
  kiln__fail(KILN_ERROR_FORMAT, "checkpoint '%s': line %zu: " fmt, path, line, __VA_ARGS__)

/* Reads @p path into @p m; KILN_ERROR_NOT_FOUND when it does not exist. */
static kiln_status kiln_manifest_read(const char *path, kiln_manifest *m) {
  FILE *f = NULL;
  char *text = NULL, *q, *next;
  size_t size = 0, line = 0, cap = 0;
  size_t seen[3] = {0, 0, 0}; /* the line of generation, epochs and steps; 0 until given */
  kiln_status st;
  memset(m, 0, sizeof *m);
  st = kiln__open_regular(path, "checkpoint manifest", &f);
  if (st != KILN_OK) {
    if (errno == ENOENT) return kiln__fail(KILN_ERROR_NOT_FOUND, "no checkpoint at '%s'", path);
    return st;
  }
  text = (char *)malloc(KILN_MANIFEST_MAX_BYTES + 1);
  if (text) size = fread(text, 1, KILN_MANIFEST_MAX_BYTES + 1, f);
  fclose(f);
  if (!text) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "out of memory");
  if (size > KILN_MANIFEST_MAX_BYTES) {
    free(text);
    return kiln__fail(KILN_ERROR_FORMAT, "checkpoint '%s': expects a manifest below %u bytes, found a larger file", path, KILN_MANIFEST_MAX_BYTES);
  }
  text[size] = '\0';
  for (q = text; *q && st == KILN_OK; q = next) {
    char *tok[5];
    size_t n = 0;
    char *c, *save = NULL;
    next = strchr(q, '\n');
    if (next) *next++ = '\0';
    else next = q + strlen(q);
    ++line;
    for (c = strtok_r(q, " \t\r", &save); c; c = strtok_r(NULL, " \t\r", &save))
      if (n < 5) tok[n++] = c;
      else ++n;
    if (line == 1) {
      if (n != 2 || strcmp(tok[0], "kiln-checkpoint") != 0 || strcmp(tok[1], "1") != 0)
        st = KILN_MANIFEST_FAIL("expects 'kiln-checkpoint 1', found '%.40s'", n ? tok[0] : "");
      continue;
    }
    if (n == 0) continue;
    if (n == 2 && (strcmp(tok[0], "generation") == 0 || strcmp(tok[0], "epochs") == 0 ||
                   strcmp(tok[0], "steps") == 0)) {
      int k = tok[0][0] == 'g' ? 0 : tok[0][0] == 'e' ? 1 : 2;
      int64_t *field = k == 0 ? &m->generation : k == 1 ? &m->epochs : &m->steps;
      /* A count given twice is not one value: refused, not the last one kept. */
      if (seen[k])
        st = KILN_MANIFEST_FAIL("expects '%s' once, found it again (first on line %zu)", tok[0],
                                seen[k]);
      else if (!kiln_parse_count(tok[1], field))
        st = KILN_MANIFEST_FAIL("expects '%s' followed by a decimal from 0 to 2^62, found '%.40s'",
                                tok[0], tok[1]);
      seen[k] = line;
    } else if (n == 4 && strcmp(tok[0], "state") == 0) {
      kiln_state_kind kind = strcmp(tok[2], "parameter") == 0   ? KILN_STATE_PARAMETER
                             : strcmp(tok[2], "buffer") == 0    ? KILN_STATE_BUFFER
                             : strcmp(tok[2], "optimizer") == 0 ? KILN_STATE_OPTIMIZER
                                                                : KILN_STATE_INVALID;
      if (m->num_state == cap) {
        size_t grown = cap ? 2 * cap : 8;
        char **names = (char **)realloc(m->names, grown * sizeof *names);
        if (names) m->names = names;
        {
          char **files = (char **)realloc(m->files, grown * sizeof *files);
          kiln_state_kind *kinds = (kiln_state_kind *)realloc(m->kinds, grown * sizeof *kinds);
          if (files) m->files = files;
          if (kinds) m->kinds = kinds;
          if (!names || !files || !kinds) {
            st = kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "out of memory");
            break;
          }
        }
        cap = grown;
      }
      m->names[m->num_state] = kiln_decode(tok[1]);
      m->files[m->num_state] = kiln_decode(tok[3]);
      m->kinds[m->num_state] = kind;
      ++m->num_state;
      if (!m->names[m->num_state - 1] || !m->files[m->num_state - 1] ||
          !kiln_is_plain_file(m->files[m->num_state - 1]) || kind == KILN_STATE_INVALID)
        st = KILN_MANIFEST_FAIL("expects 'state NAME KIND FILE' with KIND parameter, buffer or "
                                "optimizer and FILE a file name, found '%.40s %.40s %.40s'",
                                tok[1], tok[2], tok[3]);
    } else {
      st = KILN_MANIFEST_FAIL("expects 'generation G', 'epochs E', 'steps S' or 'state NAME KIND "
                              "FILE', found '%.40s' with %zu fields",
                              tok[0], n);
    }
  }
  if (st == KILN_OK && line == 0)
    st = kiln__fail(KILN_ERROR_FORMAT, "checkpoint '%s': expects 'kiln-checkpoint 1', found an "
                    "empty file", path);
  free(text);
  if (st != KILN_OK) kiln_manifest_free(m);
  return st;
}

kiln_status kiln_trainer_load_checkpoint(kiln_trainer *t, const char *dir, int64_t *epochs) {
  kiln_manifest m;
  kiln_tensor **values = NULL;
  char *path;
  size_t i;
  kiln_status st;
  if (!t || !dir || !*dir)
    return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_trainer_load_checkpoint: trainer or dir is NULL or empty");
  path = kiln_join(dir, KILN_MANIFEST);
  if (!path) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "out of memory");
  st = kiln_manifest_read(path, &m);
  if (st != KILN_OK) {
    free(path);
    return st;
  }
  if (m.num_state != t->num_state)
    st = kiln__fail(KILN_ERROR_FORMAT,
                    "checkpoint '%s': expects the artifact's %zu STATE tensors, found %zu",
                    path, t->num_state, m.num_state);
  for (i = 0; i < m.num_state && st == KILN_OK; ++i)
    if (strcmp(m.names[i], t->info->state_names[i]) != 0 || m.kinds[i] != t->info->state_kinds[i])
      st = kiln__fail(KILN_ERROR_FORMAT,
                      "checkpoint '%s': expects STATE %zu to be '%s' (%s), found '%s' (%s)", path,
                      i, t->info->state_names[i], kiln_state_kind_name(t->info->state_kinds[i]),
                      m.names[i], kiln_state_kind_name(m.kinds[i]));
  if (st == KILN_OK) {
    values = (kiln_tensor **)calloc(m.num_state + 1, sizeof *values);
    if (!values) st = kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "out of memory");
  }
  /* Everything is read and checked before the STATE changes. */
  for (i = 0; i < m.num_state && st == KILN_OK; ++i) {
    char *file = kiln_join(dir, m.files[i]);
    if (!file) {
      st = kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "out of memory");
      break;
    }
    st = kiln_npy_read(file, &values[i]);
    if (st == KILN_OK) st = kiln__trainer_check_state_value(t, i, values[i]);
    /* Adam's step count divides its bias correction: a negative or huge one
     * made NaN parameters ("training diverged"), and one at 2^62 would be
     * saved past the counts a checkpoint holds. */
    if (st == KILN_OK && m.kinds[i] == KILN_STATE_OPTIMIZER && strcmp(m.names[i], "step") == 0 &&
        kiln_tensor_dtype(values[i]) == KILN_DTYPE_I64 && kiln_tensor_byte_size(values[i]) == 8) {
      int64_t step;
      memcpy(&step, kiln_tensor_data(values[i]), sizeof step);
      if (step < 0 || step >= KILN_TRAINER_COUNT_MAX)
        st = kiln__fail(KILN_ERROR_FORMAT,
                        "expects the optimizer's step count 'step' from 0 to 2^62 - 1, found %lld",
                        (long long)step);
    }
    if (st != KILN_OK) kiln__fail_prefix(st, "checkpoint '%s': ", path);
    free(file);
  }
  if (st == KILN_OK) {
    for (i = 0; i < m.num_state; ++i) kiln__trainer_store(t, i, values[i]);
    t->steps = m.steps;
    if (epochs) *epochs = m.epochs;
  }
  if (values)
    for (i = 0; i < m.num_state; ++i) kiln_tensor_destroy(values[i]);
  free(values);
  free(path);
  kiln_manifest_free(&m);
  return st;
}

/* mkdir -p @p dir. */
static kiln_status kiln_make_dirs(const char *dir) {
  size_t len = strlen(dir), i;
  char *buf = (char *)malloc(len + 1);
  struct stat sb;
  if (!buf) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "out of memory");
  memcpy(buf, dir, len + 1);
  for (i = 1; i <= len; ++i) {
    if (buf[i] != '/' && buf[i] != '\0') continue;
    buf[i] = '\0';
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
      kiln_status st = kiln__fail(KILN_ERROR_IO, "cannot create checkpoint directory '%s': %s",
                                  buf, strerror(errno));
      free(buf);
      return st;
    }
    buf[i] = dir[i];
  }
  free(buf);
  if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
    return kiln__fail(KILN_ERROR_IO, "cannot create checkpoint directory '%s': %s", dir,
                      stat(dir, &sb) != 0 ? strerror(errno) : "not a directory");
  return KILN_OK;
}

kiln_status kiln__checkpoint_prepare(const char *dir) {
  kiln_status st = kiln_make_dirs(dir);
  if (st != KILN_OK) return st;
  if (access(dir, W_OK | X_OK) != 0)
    return kiln__fail(KILN_ERROR_IO, "cannot write into checkpoint directory '%s': %s", dir,
                      strerror(errno));
  return KILN_OK;
}

/* Whether @p name is one the checkpoint writes: the manifest, its temporary,
   or a generation's "g<G>-<i>.npy". */
static int kiln_is_checkpoint_name(const char *name) {
  const char *p = name;
  if (strcmp(name, KILN_MANIFEST) == 0 || strcmp(name, KILN_MANIFEST ".tmp") == 0) return 1;
  if (*p++ != 'g' || !isdigit((unsigned char)*p)) return 0;
  while (isdigit((unsigned char)*p)) ++p;
  if (*p++ != '-' || !isdigit((unsigned char)*p)) return 0;
  while (isdigit((unsigned char)*p)) ++p;
  return strcmp(p, ".npy") == 0;
}

/* Whether @p dir's file @p name is the file @p target (same device and inode). */
static int kiln_is_same_file(const char *dir, const char *name, const struct stat *target) {
  struct stat s;
  char *path = kiln_join(dir, name);
  int same = path && stat(path, &s) == 0 && s.st_dev == target->st_dev && s.st_ino == target->st_ino;
  free(path);
  return same;
}

int kiln__checkpoint_owns(const char *dir, const char *path, char *which, size_t size) {
  struct stat d, p, target;
  char *copy = strdup(path), *base, *parent;
  const char *found = NULL;
  int exists = stat(path, &target) == 0;
  kiln_manifest m;
  DIR *listing;
  if (!copy || stat(dir, &d) != 0) {
    free(copy);
    return 0;
  }
  /* By name: a file the next save writes, existing or not. */
  base = basename(copy);
  if (kiln_is_checkpoint_name(base)) {
    char *copy2 = strdup(path);
    parent = copy2 ? dirname(copy2) : NULL;
    if (parent && stat(parent, &p) == 0 && p.st_dev == d.st_dev && p.st_ino == d.st_ino)
      found = base;
    if (found) snprintf(which, size, "%s", found);
    free(copy2);
  }
  free(copy);
  if (found || !exists) return found != NULL;
  /* As the same file: the checkpoint's files by their names, and those its manifest lists. */
  listing = opendir(dir);
  if (listing) {
    struct dirent *e;
    while (!found && (e = readdir(listing)) != NULL)
      if (kiln_is_checkpoint_name(e->d_name) && kiln_is_same_file(dir, e->d_name, &target)) {
        snprintf(which, size, "%s", e->d_name);
        found = which;
      }
    closedir(listing);
  }
  if (!found) {
    char *manifest = kiln_join(dir, KILN_MANIFEST);
    if (manifest && kiln_manifest_read(manifest, &m) == KILN_OK) {
      size_t i;
      for (i = 0; !found && i < m.num_state; ++i)
        if (kiln_is_same_file(dir, m.files[i], &target)) {
          snprintf(which, size, "%s", m.files[i]);
          found = which;
        }
      kiln_manifest_free(&m);
    }
    free(manifest);
  }
  return found != NULL;
}

/* Creates @p path afresh (an existing file or link there is removed first, never written through). */
static FILE *kiln_create_fresh(const char *path) {
  int fd;
  FILE *f;
  if (unlink(path) != 0 && errno != ENOENT) return NULL;
  fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
  if (fd < 0) return NULL;
  f = fdopen(fd, "wb");
  if (!f) close(fd);
  return f;
}

/* Whether @p m lists a file named like generation @p g's ("g<G>-<i>.npy"):
   writing that generation would replace a file of the current checkpoint. */
static int kiln_manifest_uses_generation(const kiln_manifest *m, int64_t g) {
  size_t i;
  for (i = 0; i < m->num_state; ++i) {
    const char *f = m->files[i];
    char *end;
    long long v;
    if (f[0] != 'g' || !isdigit((unsigned char)f[1])) continue;
    errno = 0;
    v = strtoll(f + 1, &end, 10);
    if (errno == 0 && *end == '-' && v == g) return 1;
  }
  return 0;
}

/* Writes @p t to the new file @p path. */
static kiln_status kiln_write_npy(const char *path, const kiln_tensor *t) {
  FILE *f = kiln_create_fresh(path);
  kiln_status st;
  if (!f) return kiln__fail(KILN_ERROR_IO, "%s: cannot create: %s", path, strerror(errno));
  st = kiln__npy_write_stream(f, path, t);
  if (fclose(f) != 0 && st == KILN_OK)
    st = kiln__fail(KILN_ERROR_IO, "%s: write error: %s", path, strerror(errno));
  return st;
}

kiln_status kiln_trainer_save_checkpoint(kiln_trainer *t, const char *dir, int64_t epochs) {
  kiln_manifest old;
  char *manifest = NULL, *tmp = NULL, file[64];
  int64_t generation = 1;
  size_t i;
  FILE *f = NULL;
  kiln_status st;
  int have_old = 0;
  if (!t || !dir || !*dir)
    return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_trainer_save_checkpoint: trainer or dir is NULL or empty");
  if (epochs < 0 || epochs > KILN_TRAINER_COUNT_MAX || t->steps > KILN_TRAINER_COUNT_MAX)
    return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_trainer_save_checkpoint: expects epochs and steps from 0 to 2^62, found %lld and %lld", (long long)epochs, (long long)t->steps);
  st = kiln_make_dirs(dir);
  if (st != KILN_OK) return st;
  manifest = kiln_join(dir, KILN_MANIFEST);
  tmp = kiln_join(dir, KILN_MANIFEST ".tmp");
  if (!manifest || !tmp) {
    st = kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "out of memory");
    goto done;
  }
  /* A readable previous checkpoint gives the generation to follow; an
   * unreadable one is replaced. A generation only has to name files the
   * current manifest does not list: after the largest a manifest holds comes
   * 1 again (2^62 + 1 was written, and the checkpoint could not be read back). */
  if (kiln_manifest_read(manifest, &old) == KILN_OK) {
    have_old = 1;
    generation = old.generation;
    do
      generation = generation < KILN_TRAINER_COUNT_MAX ? generation + 1 : 1;
    while (generation == old.generation || kiln_manifest_uses_generation(&old, generation));
  }
  for (i = 0; i < t->num_state && st == KILN_OK; ++i) {
    char *path;
    snprintf(file, sizeof file, "g%" PRId64 "-%zu.npy", generation, i);
    path = kiln_join(dir, file);
    if (!path) {
      st = kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "out of memory");
      break;
    }
    st = kiln_write_npy(path, t->state[t->cur][i]);
    free(path);
  }
  if (st != KILN_OK) goto done;
  f = kiln_create_fresh(tmp);
  if (!f) {
    st = kiln__fail(KILN_ERROR_IO, "%s: cannot create: %s", tmp, strerror(errno));
    goto done;
  }
  fprintf(f, "kiln-checkpoint 1\ngeneration %" PRId64 "\nepochs %" PRId64 "\nsteps %" PRId64 "\n",
          generation, epochs, t->steps);
  for (i = 0; i < t->num_state && st == KILN_OK; ++i) {
    /* Every byte may take 3 when escaped: sized per name, never truncated. */
    size_t size = 3 * strlen(t->info->state_names[i]) + 1;
    char *encoded = (char *)malloc(size);
    if (!encoded) {
      st = kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", tmp);
      break;
    }
    kiln__percent_encode(encoded, size, t->info->state_names[i]);
    fprintf(f, "state %s %s g%" PRId64 "-%zu.npy\n", encoded,
            kiln_state_kind_name(t->info->state_kinds[i]), generation, i);
    free(encoded);
  }
  if (fflush(f) != 0 || fsync(fileno(f)) != 0 || ferror(f))
    st = kiln__fail(KILN_ERROR_IO, "%s: write error: %s", tmp, strerror(errno));
  if (fclose(f) != 0 && st == KILN_OK)
    st = kiln__fail(KILN_ERROR_IO, "%s: write error: %s", tmp, strerror(errno));
  if (st == KILN_OK && rename(tmp, manifest) != 0)
    st = kiln__fail(KILN_ERROR_IO, "%s: cannot rename to %s: %s", tmp, manifest, strerror(errno));
  if (st != KILN_OK) {
    unlink(tmp);
    goto done;
  }
  /* The old generation's files, by the names this code gives them only. */
  if (have_old)
    for (i = 0; i < old.num_state; ++i) {
      char *path;
      snprintf(file, sizeof file, "g%" PRId64 "-%zu.npy", old.generation, i);
      if (strcmp(old.files[i], file) != 0) continue;
      path = kiln_join(dir, file);
      if (path) unlink(path);
      free(path);
    }
done:
  if (have_old) kiln_manifest_free(&old);
  free(manifest);
  free(tmp);
  return st;
}
