/* Checks that a file is a Kiln model library before dlopen() maps it.
 *
 * dlopen maps a library's segments as the file's headers describe them; a
 * truncated file maps pages past its end and the first touch raises SIGBUS.
 * Everything dlopen will map is checked here against the file size, read with
 * pread (never mapped), together with the signature's version marker, the
 * CPU features the code was compiled for (kiln_cpu.c) and the checksum kiln-compile appends (kiln_checksum.h), which catches bytes
 * corrupted anywhere, code and initializers included. This gives clear
 * messages for broken or foreign files; it is not a sandbox: a model
 * library is native code that runs with the caller's rights, and a
 * checksum anyone can recompute says nothing about where it came from. */
#define _POSIX_C_SOURCE 200809L
#include "kiln_checksum.h"
#include "kiln_internal.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What the generated signature text starts with; see kiln_runtime.h. */
static const char kiln_marker[] = "kiln-model 4\n";
/* Any version's marker, to tell an old model from a foreign file. */
static const char kiln_marker_any[] = "kiln-model ";

#if defined(__x86_64__)
#define KILN_ELF_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define KILN_ELF_MACHINE EM_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
#define KILN_ELF_MACHINE EM_RISCV
#elif defined(__powerpc64__)
#define KILN_ELF_MACHINE EM_PPC64
#endif

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define KILN_ELF_DATA ELFDATA2MSB
#else
#define KILN_ELF_DATA ELFDATA2LSB
#endif

/* The largest file taken as an artifact: 1920 MiB of weights and the code
   leave room to spare. */
#define KILN_ARTIFACT_MAX_BYTES ((uint64_t)4 << 30)

#define KILN_ARTIFACT_FAIL(...) kiln__fail(KILN_ERROR_LOAD, "cannot load model '%s': " __VA_ARGS__)

/* Reads exactly @p size bytes at @p offset; 0 on a short read or an error. */
static int kiln_read_at(int fd, void *buf, size_t size, uint64_t offset) {
  unsigned char *p = (unsigned char *)buf;
  while (size) {
    ssize_t got = pread(fd, p, size, (off_t)offset);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return 0;
    p += got;
    size -= (size_t)got;
    offset += (uint64_t)got;
  }
  return 1;
}

/* Whether [offset, offset + count * entry) lies within the first @p size bytes. */
static int kiln_table_fits(uint64_t offset, uint64_t count, uint64_t entry, uint64_t size) {
  if (offset > size) return 0;
  if (entry && count > (size - offset) / entry) return 0;
  return 1;
}

static const char *kiln_file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "a special file";
}

/* The ELF header checks that need no other part of the file. */
static kiln_status kiln_check_ehdr(const Elf64_Ehdr *h, const char *path) {
  if (h->e_ident[EI_CLASS] != ELFCLASS64)
    return KILN_ARTIFACT_FAIL("expects a 64-bit ELF file, found ELF class %u", path,
                              (unsigned)h->e_ident[EI_CLASS]);
  if (h->e_ident[EI_DATA] != KILN_ELF_DATA)
    return KILN_ARTIFACT_FAIL("expects an ELF file of this machine's byte order, found data "
                              "encoding %u", path, (unsigned)h->e_ident[EI_DATA]);
  if (h->e_type != ET_DYN)
    return KILN_ARTIFACT_FAIL("expects an ELF shared library (type %u), found type %u%s",
                              path, (unsigned)ET_DYN, (unsigned)h->e_type,
                              h->e_type == ET_EXEC ? " (an executable)"
                              : h->e_type == ET_REL ? " (an object file)" : "");
#ifdef KILN_ELF_MACHINE
  if (h->e_machine != KILN_ELF_MACHINE)
    return KILN_ARTIFACT_FAIL("expects an ELF file for this machine (%u), found machine %u",
                              path, (unsigned)KILN_ELF_MACHINE, (unsigned)h->e_machine);
#endif
  if (h->e_phnum == 0 || h->e_phnum == PN_XNUM || h->e_phentsize != sizeof(Elf64_Phdr))
    return KILN_ARTIFACT_FAIL("expects 1 to %u program headers of %zu bytes, found %u of %u "
                              "bytes", path, (unsigned)PN_XNUM - 1, sizeof(Elf64_Phdr),
                              (unsigned)h->e_phnum, (unsigned)h->e_phentsize);
  if ((h->e_shnum || h->e_shoff) && h->e_shentsize != sizeof(Elf64_Shdr))
    return KILN_ARTIFACT_FAIL("expects section headers of %zu bytes, found %u bytes", path,
                              sizeof(Elf64_Shdr), (unsigned)h->e_shentsize);
  return KILN_OK;
}

/* Program headers: the table and every segment's file bytes inside the file. */
static kiln_status kiln_check_segments(int fd, const Elf64_Ehdr *h, uint64_t size,
                                       const char *path) {
  Elf64_Phdr *ph;
  unsigned i;
  kiln_status st = KILN_OK;
  if (!kiln_table_fits(h->e_phoff, h->e_phnum, sizeof(Elf64_Phdr), size))
    return KILN_ARTIFACT_FAIL("expects the program header table (%u entries at offset %llu) "
                              "inside the file of %llu bytes, found it past the end (truncated "
                              "file?)", path, (unsigned)h->e_phnum,
                              (unsigned long long)h->e_phoff, (unsigned long long)size);
  ph = (Elf64_Phdr *)malloc(h->e_phnum * sizeof *ph);
  if (!ph) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", path);
  errno = 0;
  if (!kiln_read_at(fd, ph, h->e_phnum * sizeof *ph, h->e_phoff)) {
    free(ph);
    return KILN_ARTIFACT_FAIL("cannot read the program headers: %s", path,
                              errno ? strerror(errno) : "short read");
  }
  for (i = 0; i < h->e_phnum && st == KILN_OK; ++i) {
    if (ph[i].p_filesz && !kiln_table_fits(ph[i].p_offset, 1, ph[i].p_filesz, size))
      st = KILN_ARTIFACT_FAIL("expects segment %u (%llu bytes at offset %llu) inside the "
                              "file of %llu bytes, found it past the end (truncated file?)",
                              path, i, (unsigned long long)ph[i].p_filesz,
                              (unsigned long long)ph[i].p_offset, (unsigned long long)size);
    else if (ph[i].p_type == PT_LOAD && ph[i].p_filesz > ph[i].p_memsz)
      st = KILN_ARTIFACT_FAIL("expects segment %u to take at least its %llu file bytes in "
                              "memory, found %llu", path, i,
                              (unsigned long long)ph[i].p_filesz, (unsigned long long)ph[i].p_memsz);
  }
  free(ph);
  return st;
}

/* Section headers, when present: the table and every section's bytes inside the file. */
static kiln_status kiln_check_sections(int fd, const Elf64_Ehdr *h, uint64_t size,
                                       const char *path) {
  uint64_t count = h->e_shnum, i;
  Elf64_Shdr sh;
  if (!h->e_shoff) return KILN_OK; /* optional: the loader does not need them */
  if (count == 0) {
    /* More than SHN_LORESERVE sections: section 0 holds the count. */
    if (!kiln_table_fits(h->e_shoff, 1, sizeof sh, size) ||
        !kiln_read_at(fd, &sh, sizeof sh, h->e_shoff))
      return KILN_ARTIFACT_FAIL("expects the section header table at offset %llu inside the "
                                "file of %llu bytes, found it past the end (truncated file?)", path,
                                (unsigned long long)h->e_shoff, (unsigned long long)size);
    count = sh.sh_size;
  }
  if (!kiln_table_fits(h->e_shoff, count, sizeof sh, size))
    return KILN_ARTIFACT_FAIL("expects the section header table (%llu entries at offset %llu)"
                              " inside the file of %llu bytes, found it past the end (truncated "
                              "file?)", path, (unsigned long long)count,
                              (unsigned long long)h->e_shoff, (unsigned long long)size);
  for (i = 0; i < count; ++i) {
    if (!kiln_read_at(fd, &sh, sizeof sh, h->e_shoff + i * sizeof sh))
      return KILN_ARTIFACT_FAIL("cannot read section header %llu", path,
                                (unsigned long long)i);
    if (sh.sh_type != SHT_NOBITS && sh.sh_size &&
        !kiln_table_fits(sh.sh_offset, 1, sh.sh_size, size))
      return KILN_ARTIFACT_FAIL("expects section %llu (%llu bytes at offset %llu) inside the "
                                "file of %llu bytes, found it past the end (truncated file?)",
                                path, (unsigned long long)i, (unsigned long long)sh.sh_size,
                                (unsigned long long)sh.sh_offset, (unsigned long long)size);
  }
  return KILN_OK;
}

/* The line kiln-compile writes right after the version marker: the CPU
 * features the code may use (kiln_cpu.c), so that an artifact built for
 * AVX-512 is refused here, on an AVX2 machine, rather than dying with SIGILL
 * inside kiln_model_run. */
static const char kiln_cpu_key[] = "cpu-features";

/* The longest `cpu-features` line read; every known feature takes about 400 bytes. */
#define KILN_CPU_LINE_MAX 1024

/* Reads the line at file offset @p at into @p line (NUL-terminated, without
 * its '\n'); 0 when it is not a `cpu-features` line ending within the
 * buffer. */
static int kiln_read_cpu_line(int fd, uint64_t size, uint64_t at, char *line, size_t cap) {
  size_t want, i;
  if (at >= size) return 0;
  want = size - at < cap - 1 ? (size_t)(size - at) : cap - 1;
  if (!kiln_read_at(fd, line, want, at)) return 0;
  for (i = 0; i < want && line[i] != '\n'; ++i)
    if (line[i] == '\0') return 0;
  if (i == want) return 0;
  line[i] = '\0';
  return strncmp(line, kiln_cpu_key, sizeof kiln_cpu_key - 1) == 0 &&
         (line[sizeof kiln_cpu_key - 1] == '\0' || line[sizeof kiln_cpu_key - 1] == ' ' ||
          line[sizeof kiln_cpu_key - 1] == '\t');
}

/* Looks for the version marker in the whole file, from the end backwards (the
 * compiler emits the signature text after the weights, so it is found in the
 * first chunk), in chunks followed by the first bytes of the chunk after them,
 * so that a marker across a boundary is seen; remembers the first marker of
 * another version for the message. The first marker followed by a
 * `cpu-features` line is the signature's: its features are checked against
 * this machine. A marker without one (a weight that happens to hold those
 * bytes, or a library not written by kiln-compile) does not end the search;
 * when no marker has the line, the file needs no CPU features. */
static kiln_status kiln_check_marker(int fd, uint64_t size, const char *path, char *line,
                                     int *has_cpu_line) {
  enum { CHUNK = 1 << 20, OVERLAP = 32 };
  char other[OVERLAP + 1] = "";
  unsigned char carry[OVERLAP];
  unsigned char *buf = (unsigned char *)malloc(CHUNK + OVERLAP);
  uint64_t end = size;
  size_t kept = 0;
  int found = 0;
  *has_cpu_line = 0;
  if (!buf) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", path);
  while (end > 0) {
    size_t want = end < CHUNK ? (size_t)end : CHUNK, have, i;
    errno = 0;
    if (!kiln_read_at(fd, buf, want, end - want)) {
      free(buf);
      return KILN_ARTIFACT_FAIL("cannot read: %s", path, errno ? strerror(errno) : "short read");
    }
    memcpy(buf + want, carry, kept);
    have = kept + want;
    for (i = 0; i + sizeof kiln_marker_any - 1 <= have; ++i) {
      const unsigned char *hit = (const unsigned char *)memchr(buf + i, 'k', have - i);
      if (!hit) break;
      i = (size_t)(hit - buf);
      if ((size_t)(have - i) < sizeof kiln_marker_any - 1) break;
      if (memcmp(hit, kiln_marker_any, sizeof kiln_marker_any - 1) != 0) continue;
      if ((size_t)(have - i) >= sizeof kiln_marker - 1 &&
          memcmp(hit, kiln_marker, sizeof kiln_marker - 1) == 0) {
        /* buf[k] is at file offset end - want + k, the carried bytes too. */
        found = 1;
        if (kiln_read_cpu_line(fd, size, end - want + i + sizeof kiln_marker - 1, line,
                               KILN_CPU_LINE_MAX)) {
          *has_cpu_line = 1;
          free(buf);
          return KILN_OK;
        }
        continue;
      }
      if (!other[0] && (size_t)(have - i) >= sizeof kiln_marker_any + 1) {
        /* "kiln-model " and the version's printable bytes, for the message. */
        size_t k = 0, j = sizeof kiln_marker_any - 1;
        memcpy(other, kiln_marker_any, j);
        k = j;
        while (i + j < have && k < OVERLAP && buf[i + j] > 0x20 && buf[i + j] < 0x7f)
          other[k++] = (char)buf[i + j++];
        other[k] = '\0';
      }
    }
    end -= want;
    kept = want < OVERLAP ? want : OVERLAP;
    memcpy(carry, buf, kept);
  }
  free(buf);
  if (found) return KILN_OK;
  if (other[0])
    return KILN_ARTIFACT_FAIL("expects the version marker 'kiln-model 4', found '%s' "
                              "(recompile the model with this Kiln)", path, other);
  return KILN_ARTIFACT_FAIL("expects the version marker 'kiln-model 4' of a Kiln model, "
                            "found none (not a Kiln model?)", path);
}

/* Verifies the checksum trailer (kiln_checksum.h) against every byte before
 * it, read in chunks. */
static kiln_status kiln_check_checksum(int fd, uint64_t size, const char *path) {
  enum { CHUNK = 1 << 20 };
  unsigned char trailer[KILN_CHECKSUM_TRAILER_SIZE], *buf;
  kiln_checksum_state state;
  uint64_t at = 0, covered, stored = 0, computed;
  int i;
  errno = 0;
  if (size < KILN_CHECKSUM_TRAILER_SIZE ||
      !kiln_read_at(fd, trailer, sizeof trailer, size - sizeof trailer) ||
      memcmp(trailer, KILN_CHECKSUM_TAG, KILN_CHECKSUM_TAG_SIZE) != 0)
    return KILN_ARTIFACT_FAIL("the artifact is corrupted or not from this Kiln: expects the "
                              "checksum trailer '" KILN_CHECKSUM_TAG "' that kiln-compile "
                              "writes at the end of the file, found none (recompile the model)",
                              path);
  buf = (unsigned char *)malloc(CHUNK);
  if (!buf) return kiln__fail(KILN_ERROR_OUT_OF_MEMORY, "%s: out of memory", path);
  covered = size - (KILN_CHECKSUM_TRAILER_SIZE - KILN_CHECKSUM_TAG_SIZE);
  kiln_checksum_init(&state);
  while (at < covered) {
    size_t want = covered - at < CHUNK ? (size_t)(covered - at) : CHUNK;
    errno = 0;
    if (!kiln_read_at(fd, buf, want, at)) {
      free(buf);
      return KILN_ARTIFACT_FAIL("cannot read: %s", path, errno ? strerror(errno) : "short read");
    }
    kiln_checksum_update(&state, buf, want);
    at += want;
  }
  free(buf);
  computed = kiln_checksum_final(&state);
  for (i = 7; i >= 0; --i) stored = (stored << 8) | trailer[KILN_CHECKSUM_TAG_SIZE + i];
  if (stored != computed)
    return KILN_ARTIFACT_FAIL("the artifact is corrupted: checksum mismatch (stored %016llx, "
                              "computed %016llx: the file changed after kiln-compile wrote it)",
                              path, (unsigned long long)stored, (unsigned long long)computed);
  return KILN_OK;
}

kiln_status kiln_model_check_file(const char *path) {
  struct stat st;
  Elf64_Ehdr h;
  kiln_status status;
  uint64_t size;
  char cpu_line[KILN_CPU_LINE_MAX];
  int fd, has_cpu_line = 0;
  if (!path || !*path)
    return kiln__fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_model_check_file: empty path");
  /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
  do fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) return KILN_ARTIFACT_FAIL("cannot open: %s", path, strerror(errno));
  if (fstat(fd, &st) != 0) {
    status = KILN_ARTIFACT_FAIL("cannot stat: %s", path, strerror(errno));
    close(fd);
    return status;
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return KILN_ARTIFACT_FAIL("expects a regular file, found %s", path,
                              kiln_file_kind(st.st_mode));
  }
  size = (uint64_t)st.st_size;
  /* Weights are limited to 1920 MiB, so no artifact comes near this; a
     sparse file of terabytes was read to its end (minutes) before the
     checks below refused it. */
  if (size > KILN_ARTIFACT_MAX_BYTES) {
    close(fd);
    return KILN_ARTIFACT_FAIL("expects an artifact of at most %llu bytes (4 GiB), found %llu",
                              path, (unsigned long long)KILN_ARTIFACT_MAX_BYTES,
                              (unsigned long long)size);
  }
  errno = 0;
  if (size < SELFMAG || !kiln_read_at(fd, h.e_ident, SELFMAG, 0) ||
      memcmp(h.e_ident, ELFMAG, SELFMAG) != 0) {
    close(fd);
    return KILN_ARTIFACT_FAIL("expects an ELF shared library, found a file of %llu bytes "
                              "without the ELF magic (not a Kiln model?)", path,
                              (unsigned long long)size);
  }
  if (size < sizeof h || !kiln_read_at(fd, &h, sizeof h, 0)) {
    close(fd);
    return KILN_ARTIFACT_FAIL("expects an ELF header of %zu bytes, found a file of %llu "
                              "bytes (truncated file?)", path, sizeof h, (unsigned long long)size);
  }
  status = kiln_check_ehdr(&h, path);
  if (status == KILN_OK) status = kiln_check_segments(fd, &h, size, path);
  if (status == KILN_OK) status = kiln_check_sections(fd, &h, size, path);
  if (status == KILN_OK) status = kiln_check_marker(fd, size, path, cpu_line, &has_cpu_line);
  if (status == KILN_OK) status = kiln_check_checksum(fd, size, path);
  close(fd);
  /* Last, so that a corrupted line is reported as the checksum mismatch it is. */
  if (status == KILN_OK && has_cpu_line)
    status = kiln__cpu_check_features(cpu_line + sizeof kiln_cpu_key - 1,
                                      strlen(cpu_line + sizeof kiln_cpu_key - 1), path);
  return status;
}
