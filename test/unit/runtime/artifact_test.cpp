// The file check before dlopen: broken, truncated and foreign files are refused
// with a message, never loaded (a truncated library would raise SIGBUS).
#include "kiln_checksum.h"
extern "C" {
#include "kiln_internal.h" // kiln__cpu_feature_present
}
#include "kiln_runtime.h"

#include <gtest/gtest.h>

#include <elf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace {

std::string fake(const char *name) { return std::string(KILN_FAKE_DIR) + "/" + name + ".so"; }

std::string tmp(const std::string &name) {
  std::filesystem::create_directories(KILN_TEST_TMP);
  return std::string(KILN_TEST_TMP) + "/" + name;
}

std::vector<char> readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string writeFile(const std::string &name, const std::vector<char> &bytes) {
  std::string path = tmp(name);
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

std::string prefix(const std::string &path) { return "cannot load model '" + path + "': "; }

const std::string kNoChecksum =
    "the artifact is corrupted or not from this Kiln: expects the checksum trailer 'KILNSUM1' "
    "that kiln-compile writes at the end of the file, found none (recompile the model)";

// Both entry points refuse the file with KILN_ERROR_LOAD and the same message.
void expectRefused(const std::string &path, const std::string &message) {
  kiln_model *m = reinterpret_cast<kiln_model *>(0x1);
  EXPECT_EQ(kiln_model_check_file(path.c_str()), KILN_ERROR_LOAD) << path;
  EXPECT_EQ(std::string(kiln_last_error()), prefix(path) + message);
  EXPECT_EQ(kiln_model_load(path.c_str(), &m), KILN_ERROR_LOAD) << path;
  EXPECT_EQ(m, nullptr);
  EXPECT_EQ(std::string(kiln_last_error()), prefix(path) + message);
}

struct Library {
  std::vector<char> bytes;
  Elf64_Ehdr header;
  explicit Library(const std::string &path) : bytes(readFile(path)) {
    EXPECT_GE(bytes.size(), sizeof header);
    std::memcpy(&header, bytes.data(), sizeof header);
  }
  Elf64_Phdr segment(unsigned i) const {
    Elf64_Phdr ph;
    std::memcpy(&ph, bytes.data() + header.e_phoff + i * sizeof ph, sizeof ph);
    return ph;
  }
  std::vector<char> truncated(size_t size) const {
    return std::vector<char>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size));
  }
};

} // namespace

TEST(ArtifactCheck, AcceptsAModelLibrary) {
  EXPECT_EQ(kiln_model_check_file(fake("fake_model").c_str()), KILN_OK) << kiln_last_error();
  EXPECT_EQ(kiln_model_check_file(nullptr), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_model_check_file(""), KILN_ERROR_INVALID_ARGUMENT);
}

TEST(ArtifactCheck, RefusesTruncatedLibraries) {
  Library lib(fake("fake_model"));
  const size_t size = lib.bytes.size();

  expectRefused(writeFile("trunc3.so", lib.truncated(3)),
                "expects an ELF shared library, found a file of 3 bytes without the ELF magic "
                "(not a Kiln model?)");
  expectRefused(writeFile("trunc40.so", lib.truncated(40)),
                "expects an ELF header of 64 bytes, found a file of 40 bytes (truncated file?)");
  ASSERT_EQ(lib.header.e_phoff, 64u);
  expectRefused(writeFile("trunc64.so", lib.truncated(64)),
                "expects the program header table (" + std::to_string(lib.header.e_phnum) +
                    " entries at offset 64) inside the file of 64 bytes, found it past the end "
                    "(truncated file?)");

  // Cut inside the segments: the first segment that reaches past the end is named.
  size_t cut = size / 2;
  std::string expected;
  for (unsigned i = 0; i < lib.header.e_phnum && expected.empty(); ++i) {
    Elf64_Phdr ph = lib.segment(i);
    if (ph.p_filesz && ph.p_offset + ph.p_filesz > cut)
      expected = "expects segment " + std::to_string(i) + " (" + std::to_string(ph.p_filesz) +
                 " bytes at offset " + std::to_string(ph.p_offset) + ") inside the file of " +
                 std::to_string(cut) + " bytes, found it past the end (truncated file?)";
  }
  ASSERT_FALSE(expected.empty());
  expectRefused(writeFile("trunc_half.so", lib.truncated(cut)), expected);

  // The linker puts the section header table last, then the checksum
  // trailer follows: losing one byte of the table cuts it.
  const size_t trailer = KILN_CHECKSUM_TRAILER_SIZE;
  ASSERT_EQ(lib.header.e_shoff + lib.header.e_shnum * sizeof(Elf64_Shdr), size - trailer);
  expectRefused(writeFile("trunc_last.so", lib.truncated(size - trailer - 1)),
                "expects the section header table (" + std::to_string(lib.header.e_shnum) +
                    " entries at offset " + std::to_string(lib.header.e_shoff) +
                    ") inside the file of " + std::to_string(size - trailer - 1) +
                    " bytes, found it past the end (truncated file?)");
  // Losing the trailer, or part of it, loses the checksum.
  for (size_t cut : {size - trailer, size - 1})
    expectRefused(writeFile("trunc_trailer.so", lib.truncated(cut)), kNoChecksum);

  // Every truncation is refused by the check, none reaches dlopen.
  for (size_t n = 0; n < size; n += 997) {
    std::string path = writeFile("trunc_any.so", lib.truncated(n));
    EXPECT_EQ(kiln_model_check_file(path.c_str()), KILN_ERROR_LOAD) << n;
  }
}

// A byte corrupted anywhere the structural check does not look (code,
// initialized data) passed it and could crash in dlopen or in the model's
// code; the checksum over the whole file catches it.
TEST(ArtifactCheck, RefusesCorruptedLibraries) {
  Library lib(fake("fake_model"));
  const size_t size = lib.bytes.size();
  auto stored = [&](const std::vector<char> &bytes) {
    uint64_t h = 0;
    for (int i = 7; i >= 0; --i) h = (h << 8) | static_cast<unsigned char>(bytes[size - 8 + i]);
    return h;
  };
  auto computed = [&](const std::vector<char> &bytes) {
    kiln_checksum_state state;
    kiln_checksum_init(&state);
    kiln_checksum_update(&state, bytes.data(), size - 8);
    return kiln_checksum_final(&state);
  };
  auto hex = [](uint64_t v) {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(v));
    return std::string(text);
  };
  ASSERT_EQ(stored(lib.bytes), computed(lib.bytes));

  // One byte of the code section flipped.
  const Elf64_Shdr *text = nullptr;
  std::vector<Elf64_Shdr> sections(lib.header.e_shnum);
  std::memcpy(sections.data(), lib.bytes.data() + lib.header.e_shoff,
              sections.size() * sizeof(Elf64_Shdr));
  for (const Elf64_Shdr &sh : sections)
    if ((sh.sh_flags & SHF_EXECINSTR) && sh.sh_type == SHT_PROGBITS && sh.sh_size > 0 &&
        (!text || sh.sh_size > text->sh_size))
      text = &sh;
  ASSERT_NE(text, nullptr);
  std::vector<char> bad = lib.bytes;
  bad[text->sh_offset + text->sh_size / 2] ^= 0x5a;
  expectRefused(writeFile("corrupt_code.so", bad),
                "the artifact is corrupted: checksum mismatch (stored " + hex(stored(bad)) +
                    ", computed " + hex(computed(bad)) +
                    ": the file changed after kiln-compile wrote it)");

  // The stored checksum itself corrupted.
  bad = lib.bytes;
  bad[size - 1] ^= 0x01;
  expectRefused(writeFile("corrupt_sum.so", bad),
                "the artifact is corrupted: checksum mismatch (stored " + hex(stored(bad)) +
                    ", computed " + hex(computed(bad)) +
                    ": the file changed after kiln-compile wrote it)");

  // A flipped bit anywhere is refused, by one check or another.
  for (size_t at = 0; at < size; at += 61) {
    bad = lib.bytes;
    bad[at] ^= static_cast<char>(1 << (at % 8));
    std::string path = writeFile("corrupt_any.so", bad);
    EXPECT_EQ(kiln_model_check_file(path.c_str()), KILN_ERROR_LOAD) << at;
  }
}

TEST(ArtifactCheck, RefusesFilesThatAreNotLibraries) {
  std::string text = tmp("notes.so");
  std::ofstream(text) << "kiln-model 4\nentry infer\n";
  expectRefused(text, "expects an ELF shared library, found a file of 25 bytes without the ELF "
                      "magic (not a Kiln model?)");

  std::vector<char> noise(4096);
  std::mt19937 rng(11);
  for (char &c : noise) c = static_cast<char>(rng());
  expectRefused(writeFile("noise.so", noise),
                "expects an ELF shared library, found a file of 4096 bytes without the ELF magic "
                "(not a Kiln model?)");
  expectRefused(writeFile("empty.so", {}),
                "expects an ELF shared library, found a file of 0 bytes without the ELF magic "
                "(not a Kiln model?)");

  std::string dir = tmp("a_directory.so");
  std::filesystem::create_directories(dir);
  expectRefused(dir, "expects a regular file, found a directory");
  std::string fifo = tmp("a_fifo.so");
  unlink(fifo.c_str());
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  expectRefused(fifo, "expects a regular file, found a FIFO"); // and does not block
  expectRefused("/dev/null", "expects a regular file, found a character device");
  expectRefused(tmp("missing.so"), "cannot open: No such file or directory");
}

TEST(ArtifactCheck, RefusesLibrariesWithoutTheMarker) {
  expectRefused(fake("fake_not_a_model"),
                "expects the version marker 'kiln-model 4' of a Kiln model, found none (not a "
                "Kiln model?)");

  // A model of another signature version names it.
  Library lib(fake("fake_model"));
  std::string old(lib.bytes.begin(), lib.bytes.end());
  size_t at = 0, replaced = 0;
  while ((at = old.find("kiln-model 4\n", at)) != std::string::npos) {
    old[at + 11] = '1';
    ++replaced;
  }
  ASSERT_GT(replaced, 0u);
  expectRefused(writeFile("old_version.so", std::vector<char>(old.begin(), old.end())),
                "expects the version marker 'kiln-model 4', found 'kiln-model 1' (recompile the "
                "model with this Kiln)");

  // The file is read in 1 MiB chunks from the end: a marker across two chunks counts.
  for (size_t before_boundary : {1u, 5u, 12u}) {
    std::string padded = old + std::string(100, '\0') + "kiln-model 4\n";
    padded += std::string((1u << 20) + before_boundary - 13 - KILN_CHECKSUM_TRAILER_SIZE, '\0');
    // Sealed again, as kiln-compile seals what it links.
    kiln_checksum_state state;
    kiln_checksum_init(&state);
    kiln_checksum_update(&state, padded.data(), padded.size());
    unsigned char trailer[KILN_CHECKSUM_TRAILER_SIZE];
    kiln_checksum_trailer(&state, trailer);
    padded.append(reinterpret_cast<const char *>(trailer), sizeof trailer);
    std::string path = writeFile("straddle.so", std::vector<char>(padded.begin(), padded.end()));
    EXPECT_EQ(kiln_model_check_file(path.c_str()), KILN_OK)
        << before_boundary << ": " << kiln_last_error();
  }
}

// A model library with `text` appended and sealed again, as kiln-compile
// seals what it links.
std::string sealedWith(const char *name, const std::string &text) {
  Library lib(fake("fake_model"));
  std::string bytes(lib.bytes.begin(), lib.bytes.end());
  bytes += text;
  kiln_checksum_state state;
  kiln_checksum_init(&state);
  kiln_checksum_update(&state, bytes.data(), bytes.size());
  unsigned char trailer[KILN_CHECKSUM_TRAILER_SIZE];
  kiln_checksum_trailer(&state, trailer);
  bytes.append(reinterpret_cast<const char *>(trailer), sizeof trailer);
  return writeFile(name, std::vector<char>(bytes.begin(), bytes.end()));
}

// The `cpu-features` line after the marker: code for a feature this machine
// lacks is refused before dlopen (it would die with SIGILL when it runs).
// fake_model's own signature has no such line, so the search goes on to the
// one appended.
TEST(ArtifactCheck, RefusesCodeForCPUFeaturesThisMachineLacks) {
  const char *const names[] = {
#define KILN_CPU_FEATURE(name, ...) name,
#include "kiln_cpu_features.def"
#undef KILN_CPU_FEATURE
  };
  std::string has, lacks;
  for (const char *n : names) {
    int p = kiln__cpu_feature_present(n, std::strlen(n));
    ASSERT_GE(p, 0) << n;
    (p ? has : lacks) += std::string(" ") + n;
  }
  std::string ok = sealedWith("cpu_ok.so", "kiln-model 4\ncpu-features" + has + "\nentry infer\n");
  EXPECT_EQ(kiln_model_check_file(ok.c_str()), KILN_OK) << kiln_last_error();
  std::string none = sealedWith("cpu_none.so", "kiln-model 4\ncpu-features\nentry infer\n");
  EXPECT_EQ(kiln_model_check_file(none.c_str()), KILN_OK) << kiln_last_error();

  expectRefused(sealedWith("cpu_unknown.so", "kiln-model 4\ncpu-features sse3 avx9000\n"),
                "expects CPU features from Kiln's list in its 'cpu-features' line, found "
                "'avx9000' (recompile the model with this Kiln)");
  if (lacks.empty()) GTEST_SKIP() << "this machine has every feature in the list";
  std::string first = lacks.substr(1, lacks.find(' ', 1) == std::string::npos
                                          ? std::string::npos
                                          : lacks.find(' ', 1) - 1);
  expectRefused(sealedWith("cpu_lacks.so", "kiln-model 4\ncpu-features" + has + " " + first +
                                               "\nentry infer\n"),
                "it was compiled for CPU features this machine lacks: " + first +
                    "; recompile with --mcpu/--mattr");
}

TEST(ArtifactCheck, RefusesForeignElfFiles) {
  Library lib(fake("fake_model"));
  auto patched = [&](const char *name, auto edit) {
    Library copy = lib;
    edit(copy.header);
    std::memcpy(copy.bytes.data(), &copy.header, sizeof copy.header);
    return writeFile(name, copy.bytes);
  };
  expectRefused(patched("class32.so", [](Elf64_Ehdr &h) { h.e_ident[EI_CLASS] = ELFCLASS32; }),
                "expects a 64-bit ELF file, found ELF class 1");
  expectRefused(patched("big_endian.so", [](Elf64_Ehdr &h) { h.e_ident[EI_DATA] = ELFDATA2MSB; }),
                "expects an ELF file of this machine's byte order, found data encoding 2");
  expectRefused(patched("object.so", [](Elf64_Ehdr &h) { h.e_type = ET_REL; }),
                "expects an ELF shared library (type 3), found type 1 (an object file)");
  expectRefused(patched("exec.so", [](Elf64_Ehdr &h) { h.e_type = ET_EXEC; }),
                "expects an ELF shared library (type 3), found type 2 (an executable)");
#if defined(__x86_64__)
  expectRefused(patched("arm.so", [](Elf64_Ehdr &h) { h.e_machine = EM_AARCH64; }),
                "expects an ELF file for this machine (62), found machine 183");
#endif
  expectRefused(patched("no_segments.so", [](Elf64_Ehdr &h) { h.e_phnum = 0; }),
                "expects 1 to 65534 program headers of 56 bytes, found 0 of 56 bytes");
  // Offsets near 2^64 must not wrap around when added to sizes.
  expectRefused(patched("far_table.so", [](Elf64_Ehdr &h) { h.e_shoff = ~0ull - 8; }),
                "expects the section header table (" + std::to_string(lib.header.e_shnum) +
                    " entries at offset 18446744073709551607) inside the file of " +
                    std::to_string(lib.bytes.size()) +
                    " bytes, found it past the end (truncated file?)");
}
