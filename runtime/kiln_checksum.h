/* The checksum of a model library: kiln-compile appends it after the link,
 * the runtime verifies it before dlopen (kiln_artifact.c), so that a library
 * corrupted on disk or in transit is refused with a message instead of
 * crashing inside dlopen or the model's code.
 *
 * The last KILN_CHECKSUM_TRAILER_SIZE bytes of the file are the trailer: the
 * 8-byte tag "KILNSUM1", then the 64-bit checksum (little-endian) of every
 * byte before it, the tag included. The trailer lies after everything an ELF
 * header points at, so dlopen ignores it.
 *
 * The checksum is Kiln's own, not a published one: the runtime depends on
 * nothing beyond libc, and one definition here, included by the C runtime
 * and by the C++ compiler, keeps both sides equal. Eight independent lanes
 * each fold one 64-bit word per 64-byte stripe with steps that are
 * bijective in the lane (xor with the word times an odd constant, a
 * rotation, a multiplication by an odd constant), and the lanes and the
 * length are combined with bijective steps too: any change confined to one
 * aligned 8-byte word (a flipped byte or bit) always changes the checksum,
 * others do with probability about 1 - 2^-64. It detects corruption, not
 * tampering: anyone can recompute it, and a hostile library is code that
 * runs when loaded whatever its checksum.
 *
 * Header only, C99 and C++. */
#ifndef KILN_CHECKSUM_H
#define KILN_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define KILN_CHECKSUM_TAG "KILNSUM1"
#define KILN_CHECKSUM_TAG_SIZE 8
#define KILN_CHECKSUM_TRAILER_SIZE 16
#define KILN_CHECKSUM_LANES 8
#define KILN_CHECKSUM_STRIPE (8 * KILN_CHECKSUM_LANES)

/** Streaming state: feed bytes with kiln_checksum_update(), then kiln_checksum_final(). */
typedef struct kiln_checksum_state {
  uint64_t lane[KILN_CHECKSUM_LANES]; /**< one accumulator per word of a stripe */
  uint64_t length;                    /**< bytes fed so far */
  unsigned char pending[KILN_CHECKSUM_STRIPE]; /**< the start of an incomplete stripe */
  size_t npending;                    /**< bytes in pending */
} kiln_checksum_state;

static const uint64_t kiln_checksum_k1 = 0x9E3779B185EBCA87ULL;
static const uint64_t kiln_checksum_k2 = 0xC2B2AE3D27D4EB4FULL;
static const uint64_t kiln_checksum_k3 = 0x165667B19E3779F9ULL;

/** Rotates @p x left by @p r bits (0 < r < 64). */
static inline uint64_t kiln_checksum_rotl(uint64_t x, unsigned r) {
  return (x << r) | (x >> (64 - r));
}

/** The little-endian 64-bit word at @p p. */
static inline uint64_t kiln_checksum_word(const unsigned char *p) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  uint64_t w;
  memcpy(&w, p, 8);
  return w;
#else
  uint64_t w = 0;
  int i;
  for (i = 7; i >= 0; --i) w = (w << 8) | p[i];
  return w;
#endif
}

/** Folds one 64-byte stripe into the lanes. */
static inline void kiln_checksum_stripe(kiln_checksum_state *s, const unsigned char *p) {
  int i;
  for (i = 0; i < KILN_CHECKSUM_LANES; ++i) {
    uint64_t x = s->lane[i] ^ (kiln_checksum_word(p + 8 * i) * kiln_checksum_k1);
    s->lane[i] = kiln_checksum_rotl(x, 31) * kiln_checksum_k2;
  }
}

/** Starts a checksum. */
static inline void kiln_checksum_init(kiln_checksum_state *s) {
  int i;
  for (i = 0; i < KILN_CHECKSUM_LANES; ++i)
    s->lane[i] = kiln_checksum_k3 * (uint64_t)(i + 1);
  s->length = 0;
  s->npending = 0;
}

/** Feeds @p size bytes at @p data. */
static inline void kiln_checksum_update(kiln_checksum_state *s, const void *data, size_t size) {
  const unsigned char *p = (const unsigned char *)data;
  s->length += size;
  if (s->npending) {
    size_t take = KILN_CHECKSUM_STRIPE - s->npending;
    if (take > size) take = size;
    memcpy(s->pending + s->npending, p, take);
    s->npending += take;
    p += take;
    size -= take;
    if (s->npending < KILN_CHECKSUM_STRIPE) return;
    kiln_checksum_stripe(s, s->pending);
    s->npending = 0;
  }
  while (size >= KILN_CHECKSUM_STRIPE) {
    kiln_checksum_stripe(s, p);
    p += KILN_CHECKSUM_STRIPE;
    size -= KILN_CHECKSUM_STRIPE;
  }
  if (size) {
    memcpy(s->pending, p, size);
    s->npending = size;
  }
}

/** The checksum of every byte fed (the state is spent). */
static inline uint64_t kiln_checksum_final(kiln_checksum_state *s) {
  uint64_t h;
  int i;
  if (s->npending) {
    /* Zero-padded; the length below tells "ab" from "ab\0". */
    memset(s->pending + s->npending, 0, KILN_CHECKSUM_STRIPE - s->npending);
    kiln_checksum_stripe(s, s->pending);
    s->npending = 0;
  }
  h = s->length * kiln_checksum_k1;
  for (i = 0; i < KILN_CHECKSUM_LANES; ++i)
    h = kiln_checksum_rotl(h ^ s->lane[i], 27) * kiln_checksum_k2 + kiln_checksum_k3;
  h ^= h >> 33;
  h *= kiln_checksum_k2;
  h ^= h >> 29;
  h *= kiln_checksum_k3;
  h ^= h >> 32;
  return h;
}

/** The trailer for a file whose bytes before it have the checksum state
 * @p s *before* the tag was fed: feeds the tag, writes tag and checksum
 * into @p out (KILN_CHECKSUM_TRAILER_SIZE bytes). */
static inline void kiln_checksum_trailer(kiln_checksum_state *s, unsigned char *out) {
  uint64_t h;
  int i;
  memcpy(out, KILN_CHECKSUM_TAG, KILN_CHECKSUM_TAG_SIZE);
  kiln_checksum_update(s, out, KILN_CHECKSUM_TAG_SIZE);
  h = kiln_checksum_final(s);
  for (i = 0; i < 8; ++i) out[KILN_CHECKSUM_TAG_SIZE + i] = (unsigned char)(h >> (8 * i));
}

#endif /* KILN_CHECKSUM_H */
