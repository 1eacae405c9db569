/* The CPU features an artifact's code may use (the signature's
 * `cpu-features` line, docs/model-abi.md), tested on this machine before any
 * of that code runs: an instruction the processor lacks raises SIGILL and
 * kills the whole process, a server included.
 *
 * Every test reads cpuid directly rather than __builtin_cpu_supports: the
 * builtin reads a table that libgcc or compiler-rt fills, and the features
 * it knows (and their bit positions) depend on which one, of which version,
 * is linked; amx-* need the OS check below anyway. Features that use wider
 * registers also need the OS to save them (XCR0, read with xgetbv): a CPU
 * with AVX-512 under an OS that does not enable the ZMM state still faults. */
#include "kiln_internal.h"

#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

enum { KILN_EAX, KILN_EBX, KILN_ECX, KILN_EDX };

typedef struct {
  const char *name;
  unsigned leaf, subleaf, reg, bit;
  uint64_t xcr0;
} kiln_cpu_feature;

static const kiln_cpu_feature kiln_cpu_features[] = {
#define KILN_CPU_FEATURE(name, leaf, subleaf, reg, bit, xcr0) {name, leaf, subleaf, reg, bit, xcr0},
#include "kiln_cpu_features.def"
#undef KILN_CPU_FEATURE
};

enum { KILN_NUM_CPU_FEATURES = sizeof kiln_cpu_features / sizeof kiln_cpu_features[0] };

/* Whether this machine can run code that uses @p f. */
static int kiln_cpu_has(const kiln_cpu_feature *f) {
#if defined(__x86_64__)
  unsigned r[4] = {0, 0, 0, 0};
  if (!__get_cpuid_count(f->leaf, f->subleaf, &r[KILN_EAX], &r[KILN_EBX], &r[KILN_ECX],
                         &r[KILN_EDX]) ||
      !((r[f->reg] >> f->bit) & 1))
    return 0;
  if (f->xcr0) {
    unsigned a, b, c, d, lo, hi;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE)) return 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if (((((uint64_t)hi << 32) | lo) & f->xcr0) != f->xcr0) return 0;
  }
  return 1;
#else
  (void)f; /* the list names x86 features only; an artifact for x86 never gets here */
  return 0;
#endif
}

int kiln__cpu_feature_present(const char *name, size_t len) {
  size_t i;
  for (i = 0; i < KILN_NUM_CPU_FEATURES; ++i)
    if (strlen(kiln_cpu_features[i].name) == len &&
        memcmp(kiln_cpu_features[i].name, name, len) == 0)
      return kiln_cpu_has(&kiln_cpu_features[i]);
  return -1;
}

kiln_status kiln__cpu_check_features(const char *list, size_t len, const char *src) {
  char missing[512];
  size_t at = 0, used = 0;
  missing[0] = '\0';
  while (at < len) {
    size_t start, n;
    int has;
    /* Spaces or tabs, as between the signature's other fields. */
    while (at < len && (list[at] == ' ' || list[at] == '\t')) ++at;
    start = at;
    while (at < len && list[at] != ' ' && list[at] != '\t') ++at;
    n = at - start;
    if (n == 0) break;
    has = kiln__cpu_feature_present(list + start, n);
    if (has < 0)
      return kiln__fail(KILN_ERROR_LOAD,
                        "cannot load model '%s': expects CPU features from Kiln's list in its "
                        "'cpu-features' line, found '%.*s' (recompile the model with this Kiln)",
                        src, (int)(n > 32 ? 32 : n), list + start);
    if (!has && used + n + 3 < sizeof missing) {
      if (used) {
        memcpy(missing + used, ", ", 2);
        used += 2;
      }
      memcpy(missing + used, list + start, n);
      used += n;
      missing[used] = '\0';
    }
  }
  if (used)
    return kiln__fail(KILN_ERROR_LOAD,
                      "cannot load model '%s': it was compiled for CPU features this machine "
                      "lacks: %s; recompile with --mcpu/--mattr",
                      src, missing);
  return KILN_OK;
}
