/* The model signature: the text format documented in kiln_runtime.h, parsed
 * into entries. Every message reads "SRC: signature line N: expects …, found …". */
#include "kiln_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The format version this runtime reads; the compiler writes the same number. */
#define KILN_SIGNATURE_VERSION "4"

/* Growable arrays of entries and values share one helper. */
static kiln_status kiln_grow(void **items, size_t item_size, size_t n, size_t *cap,
                             const char *src) {
  void *grown;
  size_t grown_cap;
  if (n < *cap) return KILN_OK;
  grown_cap = *cap ? 2 * *cap : 4;
  grown = realloc(*items, grown_cap * item_size);
  if (!grown) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", src);
  *items = grown;
  *cap = grown_cap;
  return KILN_OK;
}

static void kiln_value_free(kiln_value *v) {
  size_t i;
  free(v->name);
  free(v->dims);
  if (v->symbols)
    for (i = 0; i < v->rank; ++i) free(v->symbols[i]);
  free(v->symbols);
}

void kiln__signature_free(kiln_signature *sig) {
  size_t e, i;
  if (!sig) return;
  for (e = 0; e < sig->num_entries; ++e) {
    struct kiln_entry *entry = &sig->entries[e];
    for (i = 0; i < entry->num_inputs; ++i) kiln_value_free(&entry->inputs[i]);
    for (i = 0; i < entry->num_outputs; ++i) kiln_value_free(&entry->outputs[i]);
    free(entry->inputs);
    free(entry->outputs);
    for (i = 0; i < entry->num_symbols; ++i) free(entry->symbols[i].name);
    free(entry->symbols);
    free(entry->name);
  }
  free(sig->entries);
  sig->entries = NULL;
  sig->num_entries = 0;
  free(sig->training.loss);
  free(sig->training.label);
  free(sig->training.source);
  free(sig->training.source_sha256);
  for (i = 0; i < sig->training.num_state; ++i) free(sig->training.state_names[i]);
  free(sig->training.state_names);
  free(sig->training.state_kinds);
  memset(&sig->training, 0, sizeof sig->training);
}

static char *kiln_strdup(const char *s) {
  char *copy = (char *)malloc(strlen(s) + 1);
  if (copy) strcpy(copy, s);
  return copy;
}

/* Entry names and dim symbols: letters, digits and '_', not starting with a digit. */
static int kiln_is_identifier(const char *s, size_t n) {
  size_t i;
  if (n == 0 || (s[0] >= '0' && s[0] <= '9')) return 0;
  for (i = 0; i < n; ++i) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
      return 0;
  }
  return 1;
}

static int kiln_hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/* State of one parse; `where` prefixes every message ("SRC: signature line N: "). */
typedef struct {
  const char *src;
  size_t line;
  kiln_signature *sig;
  size_t entries_cap, inputs_cap, outputs_cap, symbols_cap;
  size_t state_cap;
  int seen_workspace; /* in the current entry */
  int seen_source;    /* the training lines: training, source, state... */
  size_t entry_line;  /* the current entry's line; its bound lines follow it */
} kiln_parser;

#define KILN_PARSE_FAIL(p, status, fmt, ...) \
  kiln__fail(status, "%s: signature line %zu: " fmt, (p)->src, (p)->line, __VA_ARGS__)

/* Decodes a percent-encoded name; fails on raw bytes the encoder would have escaped. */
static kiln_status kiln_decode_name(kiln_parser *p, const char *token, char **out) {
  size_t n = strlen(token), i, k = 0;
  char *name = (char *)malloc(n + 1);
  if (!name) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", p->src);
  for (i = 0; i < n; ++i) {
    unsigned char c = (unsigned char)token[i];
    if (c == '%') {
      /* The terminating NUL is not a hex digit, so this never reads past it. */
      int hi = kiln_hex_value(token[i + 1]);
      int lo = hi >= 0 ? kiln_hex_value(token[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        free(name);
        return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT,
                               "expects %%XX escapes in a name, found '%s'", token);
      }
      c = (unsigned char)(hi * 16 + lo);
      if (c == 0) {
        free(name);
        return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT, "expects a name without %%00, found '%s'",
                               token);
      }
      i += 2;
    } else if (c <= 0x20 || c >= 0x7f) {
      free(name);
      return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT,
                             "expects byte 0x%02X escaped as %%%02X in a name, found it raw", c, c);
    }
    name[k++] = (char)c;
  }
  name[k] = '\0';
  *out = name;
  return KILN_OK;
}

static kiln_status kiln_bad_dims(kiln_parser *p, const char *token) {
  return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT,
                         "expects dims like [1,3,224,224], [N,1000] or [], found '%s'", token);
}

/* Parses "[d,d,...]", each d a decimal size or a symbol; "[]" is a scalar. */
static kiln_status kiln_parse_dims(kiln_parser *p, const char *token, kiln_value *v) {
  size_t len = strlen(token), rank = 1, i;
  const char *q;
  if (len < 2 || token[0] != '[' || token[len - 1] != ']') return kiln_bad_dims(p, token);
  if (len == 2) rank = 0;
  for (q = token; *q; ++q)
    if (*q == ',') ++rank;
  v->rank = rank;
  v->dims = (int64_t *)malloc((rank ? rank : 1) * sizeof(int64_t));
  if (!v->dims) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", p->src);
  q = token + 1;
  for (i = 0; i < rank; ++i) {
    const char *end = q;
    size_t n;
    while (*end != ',' && *end != ']') ++end;
    n = (size_t)(end - q);
    if (n > 0 && q[0] >= '0' && q[0] <= '9') {
      int64_t size = 0;
      size_t k;
      for (k = 0; k < n; ++k) {
        int d = q[k] - '0';
        if (d < 0 || d > 9) return kiln_bad_dims(p, token);
        if (size > (INT64_MAX - d) / 10)
          return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT, "expects dims below 2^63, found '%s'",
                                 token);
        size = size * 10 + d;
      }
      v->dims[i] = size;
    } else if (kiln_is_identifier(q, n)) {
      if (!v->symbols) {
        v->symbols = (char **)calloc(rank, sizeof(char *));
        if (!v->symbols) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", p->src);
      }
      v->symbols[i] = (char *)malloc(n + 1);
      if (!v->symbols[i]) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", p->src);
      memcpy(v->symbols[i], q, n);
      v->symbols[i][n] = '\0';
      v->dims[i] = KILN_DIM_SYMBOLIC;
    } else {
      return kiln_bad_dims(p, token);
    }
    /* The last dim must end at the closing bracket, every other one at a comma. */
    if ((i + 1 < rank) != (*end == ',') || (i + 1 == rank && end != token + len - 1))
      return kiln_bad_dims(p, token);
    q = end + 1;
  }
  return KILN_OK;
}

/* Splits @p line (modified in place) on spaces and tabs into at most @p max tokens. */
static size_t kiln_split(char *line, char **tokens, size_t max) {
  size_t n = 0;
  char *q = line;
  for (;;) {
    while (*q == ' ' || *q == '\t') *q++ = '\0';
    if (!*q) return n;
    if (n < max) tokens[n] = q;
    ++n;
    while (*q && *q != ' ' && *q != '\t') ++q;
  }
}

/* Adds @p name to the current entry's symbols unless it is there; stores its index. */
static kiln_status kiln_add_symbol(kiln_parser *p, struct kiln_entry *entry, const char *name,
                                   size_t *index) {
  size_t i;
  kiln_status st;
  for (i = 0; i < entry->num_symbols; ++i)
    if (strcmp(entry->symbols[i].name, name) == 0) break;
  if (i == entry->num_symbols) {
    st = kiln_grow((void **)&entry->symbols, sizeof *entry->symbols, entry->num_symbols,
                   &p->symbols_cap, p->src);
    if (st != KILN_OK) return st;
    entry->symbols[i].name = kiln_strdup(name);
    if (!entry->symbols[i].name) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", p->src);
    entry->symbols[i].bound = KILN_DIM_UNBOUNDED;
    entry->symbols[i].bound_by_input = 0;
    ++entry->num_symbols;
  }
  *index = i;
  return KILN_OK;
}

/* A bound on a symbol that no input binds could never be checked before a run. */
static kiln_status kiln_finish_entry(kiln_parser *p) {
  struct kiln_entry *entry;
  size_t i;
  if (p->sig->num_entries == 0) return KILN_OK;
  entry = &p->sig->entries[p->sig->num_entries - 1];
  for (i = 0; i < entry->num_symbols; ++i) {
    if (entry->symbols[i].bound == KILN_DIM_UNBOUNDED || entry->symbols[i].bound_by_input) continue;
    /* Bound lines come first, so symbol i was bounded on the i-th line after the entry's. */
    p->line = p->entry_line + 1 + i;
    return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT,
                           "expects bounded symbol '%s' to be a dim of an input of entry '%s', "
                           "found none",
                           entry->symbols[i].name, entry->name);
  }
  return KILN_OK;
}

/* "bound SYMBOL VALUE": before the entry's inputs, VALUE >= 1, one line per symbol. */
static kiln_status kiln_parse_bound(kiln_parser *p, struct kiln_entry *entry, char **tok,
                                    size_t n) {
  int64_t bound = 0;
  size_t index;
  const char *q;
  int ok = n == 3 && tok[2][0] != '\0';
  kiln_status st;
  if (entry->num_inputs || entry->num_outputs || p->seen_workspace)
    return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT,
                           "expects 'bound' lines right after 'entry %s', found one after its "
                           "inputs or outputs",
                           entry->name);
  if (n != 3)
    return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT, "expects 'bound SYMBOL VALUE', found %zu fields",
                           n);
  if (!kiln_is_identifier(tok[1], strlen(tok[1])))
    return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT,
                           "expects a bound's symbol of letters, digits and '_' not starting with "
                           "a digit, found '%s'",
                           tok[1]);
  for (q = tok[2]; ok && *q; ++q) {
    int d = *q - '0';
    if (d < 0 || d > 9 || bound > (INT64_MAX - d) / 10) ok = 0;
    else bound = bound * 10 + d;
  }
  if (!ok || bound < 1)
    return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT,
                           "expects the bound of '%s' to be a decimal from 1 to 2^63-1, found '%s'",
                           tok[1], tok[2]);
  if (kiln__entry_symbol_index(entry, tok[1]) < entry->num_symbols)
    return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT, "expects one bound per symbol, found '%s' twice",
                           tok[1]);
  st = kiln_add_symbol(p, entry, tok[1], &index);
  if (st != KILN_OK) return st;
  entry->symbols[index].bound = bound;
  return KILN_OK;
}

static kiln_status kiln_parse_entry(kiln_parser *p, char **tok, size_t n) {
  kiln_signature *sig = p->sig;
  struct kiln_entry *entry;
  size_t i, line = p->line;
  kiln_status st = kiln_finish_entry(p);
  if (st != KILN_OK) return st;
  p->line = line;
  if (n != 2)
    return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT, "expects 'entry NAME', found %zu fields", n);
  if (!kiln_is_identifier(tok[1], strlen(tok[1])))
    return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT,
                           "expects an entry name of letters, digits and '_' not starting with a "
                           "digit, found '%s'",
                           tok[1]);
  for (i = 0; i < sig->num_entries; ++i)
    if (strcmp(sig->entries[i].name, tok[1]) == 0)
      return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT, "expects distinct entry names, found '%s' twice",
                             tok[1]);
  st = kiln_grow((void **)&sig->entries, sizeof *sig->entries, sig->num_entries, &p->entries_cap,
                 p->src);
  if (st != KILN_OK) return st;
  entry = &sig->entries[sig->num_entries++];
  memset(entry, 0, sizeof *entry);
  p->inputs_cap = p->outputs_cap = p->symbols_cap = 0;
  p->seen_workspace = 0;
  p->entry_line = p->line;
  entry->name = kiln_strdup(tok[1]);
  if (!entry->name) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", p->src);
  return KILN_OK;
}

static kiln_status kiln_parse_workspace(kiln_parser *p, struct kiln_entry *entry, char **tok,
                                        size_t n) {
  unsigned long long bytes = 0;
  const char *q;
  int ok = n == 2 && tok[1][0] != '\0';
  if (p->seen_workspace)
    return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT, "expects one 'workspace' line per entry, found %s",
                           "a second");
  for (q = ok ? tok[1] : ""; ok && *q; ++q) {
    if (*q < '0' || *q > '9' || bytes > (SIZE_MAX / 2 - 9) / 10) ok = 0;
    else bytes = bytes * 10 + (unsigned long long)(*q - '0');
  }
  if (!ok)
    return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT,
                           "expects 'workspace BYTES' with BYTES a decimal below 2^%d, found '%s'",
                           (int)(sizeof(size_t) * 8 - 1), n >= 2 ? tok[1] : "workspace");
  entry->workspace_bytes = (size_t)bytes;
  p->seen_workspace = 1;
  return KILN_OK;
}

static kiln_status kiln_parse_value(kiln_parser *p, struct kiln_entry *entry, char **tok,
                                    size_t n) {
  int is_input = strcmp(tok[0], "input") == 0;
  kiln_value **values = is_input ? &entry->inputs : &entry->outputs;
  size_t *count = is_input ? &entry->num_inputs : &entry->num_outputs;
  size_t *cap = is_input ? &p->inputs_cap : &p->outputs_cap;
  kiln_value *v;
  size_t i;
  kiln_status st;
  if (n != 4)
    return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT, "expects '%s NAME DTYPE DIMS', found %zu fields",
                           tok[0], n);
  st = kiln_grow((void **)values, sizeof **values, *count, cap, p->src);
  if (st != KILN_OK) return st;
  v = &(*values)[(*count)++];
  memset(v, 0, sizeof *v);
  st = kiln_decode_name(p, tok[1], &v->name);
  if (st != KILN_OK) return st;
  if (kiln_dtype_from_name(tok[2], &v->dtype) != KILN_OK)
    return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT,
                           "expects a dtype (f32 f64 f16 bf16 i8 i16 i32 i64 u8 u16 u32 u64 bool), found '%s'",
                           tok[2]);
  st = kiln_parse_dims(p, tok[3], v);
  if (st != KILN_OK) return st;
  if (v->symbols) {
    entry->has_symbolic_dims = 1;
    for (i = 0; i < v->rank; ++i) {
      size_t index;
      if (!v->symbols[i]) continue;
      st = kiln_add_symbol(p, entry, v->symbols[i], &index);
      if (st != KILN_OK) return st;
      if (is_input) entry->symbols[index].bound_by_input = 1;
    }
  } else if (kiln__shape_size(v->dtype, v->rank, v->dims, tok[1], NULL, NULL) != KILN_OK) {
    return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT, "expects a size that fits in memory, found %s",
                           tok[3]);
  }
  for (i = 0; i + 1 < *count; ++i)
    if (strcmp((*values)[i].name, v->name) == 0)
      return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT, "expects distinct %s names, found '%s' twice",
                             tok[0], tok[1]);
  return KILN_OK;
}

/* The losses a training artifact may name; the runtime's accuracy depends on it. */
static int kiln_is_training_loss(const char *loss) {
  return strcmp(loss, "softmax-cross-entropy") == 0 || strcmp(loss, "nll") == 0 ||
         strcmp(loss, "mse") == 0 || strcmp(loss, "bce-logits") == 0;
}

/* "training LOSS LABEL", "source PATH", "source-sha256 HEX", "state NAME
 * KIND": after the entries, in that order, one training and one source line,
 * at most one source-sha256 line. */
static kiln_status kiln_parse_training(kiln_parser *p, char **tok, size_t n) {
  kiln_training *t = &p->sig->training;
  kiln_status st;
  if (strcmp(tok[0], "training") == 0) {
    if (p->sig->num_entries == 0)
      return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT, "expects 'entry NAME' before '%s', found none",
                             tok[0]);
    if (t->loss)
      return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT, "expects one 'training' line, found %s",
                             "a second");
    if (n != 3)
      return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT, "expects 'training LOSS LABEL', found %zu fields",
                             n);
    if (!kiln_is_training_loss(tok[1]))
      return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT,
                             "expects a loss (softmax-cross-entropy nll mse bce-logits), found "
                             "'%.64s'",
                             tok[1]);
    st = kiln_finish_entry(p);
    if (st != KILN_OK) return st;
    t->loss = kiln_strdup(tok[1]);
    if (!t->loss) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", p->src);
    return kiln_decode_name(p, tok[2], &t->label);
  }
  if (!t->loss)
    return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT, "expects a 'training' line before '%s', found none",
                           tok[0]);
  if (strcmp(tok[0], "source") == 0) {
    if (p->seen_source)
      return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT, "expects one 'source' line, found %s",
                             "a second");
    if (n != 2)
      return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT, "expects 'source PATH', found %zu fields", n);
    p->seen_source = 1;
    return kiln_decode_name(p, tok[1], &t->source);
  }
  if (!p->seen_source)
    return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT, "expects a 'source' line before '%s', found none",
                           tok[0]);
  if (strcmp(tok[0], "source-sha256") == 0) {
    size_t i;
    if (t->source_sha256 || t->num_state)
      return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT,
                             "expects at most one 'source-sha256' line, right after 'source', "
                             "found %s", t->source_sha256 ? "a second" : "one after 'state'");
    for (i = 0; n == 2 && tok[1][i]; ++i)
      if (!(tok[1][i] >= '0' && tok[1][i] <= '9') && !(tok[1][i] >= 'a' && tok[1][i] <= 'f')) break;
    if (n != 2 || i != 64 || tok[1][i])
      return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT,
                             "expects 'source-sha256 HEX' with 64 lower-case hex digits, found "
                             "'%.80s'", n >= 2 ? tok[1] : "");
    t->source_sha256 = kiln_strdup(tok[1]);
    if (!t->source_sha256) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", p->src);
    return KILN_OK;
  }
  {
    size_t cap = p->state_cap, i;
    kiln_state_kind kind;
    char *name = NULL;
    if (n != 3)
      return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT, "expects 'state NAME KIND', found %zu fields",
                             n);
    if (strcmp(tok[2], "parameter") == 0) kind = KILN_STATE_PARAMETER;
    else if (strcmp(tok[2], "buffer") == 0) kind = KILN_STATE_BUFFER;
    else if (strcmp(tok[2], "optimizer") == 0) kind = KILN_STATE_OPTIMIZER;
    else
      return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT,
                             "expects a state kind (parameter buffer optimizer), found '%.32s'",
                             tok[2]);
    st = kiln_grow((void **)&t->state_names, sizeof *t->state_names, t->num_state, &cap, p->src);
    if (st == KILN_OK)
      st = kiln_grow((void **)&t->state_kinds, sizeof *t->state_kinds, t->num_state,
                     &p->state_cap, p->src);
    if (st != KILN_OK) return st;
    st = kiln_decode_name(p, tok[1], &name);
    if (st != KILN_OK) return st;
    for (i = 0; i < t->num_state; ++i)
      if (strcmp(t->state_names[i], name) == 0) {
        free(name);
        return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT,
                               "expects distinct state names, found '%s' twice", tok[1]);
      }
    t->state_names[t->num_state] = name;
    t->state_kinds[t->num_state++] = kind;
    return KILN_OK;
  }
}

/* Whether @p line is a `cpu-features` line (the names follow after a space). */
static int kiln_is_cpu_features(const char *line) {
  static const char key[] = "cpu-features";
  return strncmp(line, key, sizeof key - 1) == 0 &&
         (line[sizeof key - 1] == '\0' || line[sizeof key - 1] == ' ' ||
          line[sizeof key - 1] == '\t');
}

static kiln_status kiln_parse_line(kiln_parser *p, char *line) {
  char *tok[4];
  size_t n;
  struct kiln_entry *entry;
  /* The code's CPU features, tested again here: the artifact check reads
     them from the file before dlopen, but a model built from linked-in
     functions (a standalone executable) is checked only here, before any
     of its entry points runs. */
  if (p->line != 1 && kiln_is_cpu_features(line)) {
    if (p->line != 2)
      return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT,
                             "expects 'cpu-features' only on line 2, after 'kiln-model "
                             KILN_SIGNATURE_VERSION "', found it on line %zu", p->line);
    return kiln__cpu_check_features(line + 12, strlen(line + 12), p->src);
  }
  n = kiln_split(line, tok, 4);
  if (p->line == 1) {
    if (n < 1 || strcmp(tok[0], "kiln-model") != 0)
      return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT,
                             "expects 'kiln-model " KILN_SIGNATURE_VERSION
                             "', found '%.32s' (not a Kiln model)",
                             n ? tok[0] : "");
    if (n != 2 || strcmp(tok[1], KILN_SIGNATURE_VERSION) != 0)
      return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT,
                             "expects format version " KILN_SIGNATURE_VERSION
                             ", found '%.32s' (recompile the model with this Kiln)",
                             n >= 2 ? tok[1] : "");
    return KILN_OK;
  }
  if (strcmp(tok[0], "training") == 0 || strcmp(tok[0], "source") == 0 ||
      strcmp(tok[0], "source-sha256") == 0 || strcmp(tok[0], "state") == 0)
    return kiln_parse_training(p, tok, n);
  if (p->sig->training.loss)
    return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT,
                           "expects only 'source', 'source-sha256' and 'state' lines after "
                           "'training', found "
                           "'%.32s'",
                           tok[0]);
  if (strcmp(tok[0], "entry") == 0) return kiln_parse_entry(p, tok, n);
  if (strcmp(tok[0], "input") != 0 && strcmp(tok[0], "output") != 0 &&
      strcmp(tok[0], "workspace") != 0 && strcmp(tok[0], "bound") != 0)
    return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT,
                           "expects 'entry', 'bound', 'input', 'output', 'workspace' or 'training', found "
                           "'%.32s'",
                           tok[0]);
  if (p->sig->num_entries == 0)
    return KILN_PARSE_FAIL(p, KILN_ERROR_FORMAT, "expects 'entry NAME' before '%s', found none",
                           tok[0]);
  entry = &p->sig->entries[p->sig->num_entries - 1];
  if (tok[0][0] == 'w') return kiln_parse_workspace(p, entry, tok, n);
  if (tok[0][0] == 'b') return kiln_parse_bound(p, entry, tok, n);
  return kiln_parse_value(p, entry, tok, n);
}

kiln_status kiln__signature_parse(const char *text, const char *src, kiln_signature *out) {
  kiln_parser p;
  const char *q = text;
  char *line;
  kiln_status st = KILN_OK;
  memset(&p, 0, sizeof p);
  p.src = src;
  p.sig = out;
  line = (char *)malloc(strlen(text) + 1);
  if (!line) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", src);
  while (*q) {
    const char *end = strchr(q, '\n');
    size_t len = end ? (size_t)(end - q) : strlen(q), i;
    int blank = 1;
    ++p.line;
    memcpy(line, q, len);
    line[len] = '\0';
    q += len + (end ? 1 : 0);
    if (len && line[len - 1] == '\r') line[--len] = '\0';
    for (i = 0; i < len; ++i)
      if (line[i] != ' ' && line[i] != '\t') blank = 0;
    if (blank) {
      /* Blank lines are allowed only at the end. */
      const char *rest = q;
      while (*rest == '\n' || *rest == '\r' || *rest == ' ' || *rest == '\t') ++rest;
      if (*rest || p.line == 1)
        st = KILN_PARSE_FAIL(&p, KILN_ERROR_FORMAT, "expects no blank line inside the signature, %s",
                             "found one");
      break;
    }
    st = kiln_parse_line(&p, line);
    if (st != KILN_OK) break;
  }
  free(line);
  if (st == KILN_OK && !out->training.loss) st = kiln_finish_entry(&p);
  if (st == KILN_OK && out->training.loss && !p.seen_source)
    st = kiln__fail(KILN_ERROR_FORMAT,
                    "%s: signature expects a 'source PATH' line after 'training', found none", src);
  if (st == KILN_OK && p.line == 0)
    st = kiln__fail(KILN_ERROR_FORMAT,
                    "%s: signature expects 'kiln-model " KILN_SIGNATURE_VERSION "', found empty text",
                    src);
  if (st == KILN_OK && out->num_entries == 0)
    st = kiln__fail(KILN_ERROR_FORMAT,
                    "%s: signature expects at least one 'entry NAME' line, found none", src);
  if (st != KILN_OK) kiln__signature_free(out);
  return st;
}

size_t kiln__entry_symbol_index(const struct kiln_entry *entry, const char *name) {
  size_t i;
  for (i = 0; i < entry->num_symbols; ++i)
    if (strcmp(entry->symbols[i].name, name) == 0) return i;
  return entry->num_symbols;
}
