//===- ExternalData.cpp - tensor bytes from files beside the model -------===//
//
// A model names its external data files itself, so their locations are
// untrusted: each must resolve, after symlinks, to a regular file inside
// the model's directory, and offset and length are strict decimals checked
// against the file and the tensor before anything is mapped.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/ONNX/Importer.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Alignment.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Signals.h"

#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlir;
using namespace kiln::onnx_import;

namespace {

/// Closes a file descriptor on every return path.
struct FileCloser {
  int fd;
  ~FileCloser() {
    if (fd >= 0)
      ::close(fd);
  }
};

/// True when `path` stays inside its base directory by its text alone:
/// no component `..` climbs above where the path started.
bool staysInside(StringRef location) {
  int depth = 0;
  for (auto it = llvm::sys::path::begin(location), end = llvm::sys::path::end(location);
       it != end; ++it) {
    if (*it == "..")
      --depth;
    else if (*it != "." && !it->empty())
      ++depth;
    if (depth < 0)
      return false;
  }
  return true;
}

/// True when `path` is `dir` or below it, compared component by component
/// (so /a/bc is not below /a/b).
bool isWithin(StringRef path, StringRef dir) {
  auto p = llvm::sys::path::begin(path), pe = llvm::sys::path::end(path);
  for (auto d = llvm::sys::path::begin(dir), de = llvm::sys::path::end(dir); d != de; ++d, ++p)
    if (p == pe || *p != *d)
      return false;
  return true;
}

/// The external data mapped so far, and the message for each: a file
/// truncated while it is mapped makes the next read of a lost page a
/// SIGBUS, anywhere in the compiler (folding, layout, the weights object).
/// Appended to only while the (single-threaded) import runs; read by the
/// handler.
struct MappedRange {
  const char *begin, *end;
  std::string message;
};
std::vector<MappedRange> &mappedRanges() {
  static std::vector<MappedRange> ranges;
  return ranges;
}
struct sigaction previousBusAction;

/// SIGBUS in mapped external data: the file shrank under the compiler. Says
/// so, removes the compile's temporary files (as LLVM's handler would) and
/// exits with status 1; a SIGBUS anywhere else goes to the previous handler.
void onBusError(int sig, siginfo_t *info, void *context) {
  const char *at = static_cast<const char *>(info->si_addr);
  for (const MappedRange &r : mappedRanges())
    if (at >= r.begin && at < r.end) {
      ssize_t ignored = ::write(STDERR_FILENO, r.message.data(), r.message.size());
      (void)ignored;
      llvm::sys::RunInterruptHandlers();
      ::_exit(1);
    }
  // Not ours: restored, the fault repeats under the previous handler.
  ::sigaction(SIGBUS, &previousBusAction, nullptr);
  (void)sig;
  (void)context;
}

/// Keeps `data` (mapped from `path`) for onBusError.
void watchMapping(ArrayRef<char> data, StringRef path) {
  static bool installed = false;
  if (!installed) {
    struct sigaction action;
    std::memset(&action, 0, sizeof(action));
    action.sa_sigaction = onBusError;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    installed = ::sigaction(SIGBUS, &action, &previousBusAction) == 0;
  }
  mappedRanges().push_back(
      {data.data(), data.data() + data.size(),
       "error: external data file " + quoted(path) +
           " was truncated while it was being read (it must not change during a compile)\n"});
}

} // namespace

FailureOr<AsmResourceBlob> GraphImporter::externalBlob(const onnx::TensorProto &t, size_t size,
                                                       size_t align, Location loc,
                                                       const std::string &what) {
  auto fail = [&]() { return emitError(loc) << what << ": "; };
  std::optional<std::string> location;
  std::optional<uint64_t> offset, length;
  llvm::StringSet<> seen;
  for (const auto &kv : t.external_data()) {
    if (!seen.insert(kv.key()).second)
      return fail() << "external data key " << quoted(kv.key()) << " appears twice";
    if (kv.key() == "location") {
      location = kv.value();
      continue;
    }
    if (kv.key() != "offset" && kv.key() != "length")
      continue; // checksum and future keys are not needed to read the bytes
    StringRef text = kv.value();
    uint64_t v = 0;
    // Strict decimal: digits only (no sign, no 0x, no spaces), and below 2^63.
    if (text.empty() || !llvm::all_of(text, [](char c) { return c >= '0' && c <= '9'; }))
      return fail() << "expects the external data " << kv.key()
                    << " to be a non-negative decimal integer, found " << quoted(text);
    if (text.getAsInteger(10, v) || v > static_cast<uint64_t>(INT64_MAX))
      return fail() << "expects the external data " << kv.key() << " below 2^63, found "
                    << quoted(text);
    (kv.key() == "offset" ? offset : length) = v;
  }
  if (!location || location->empty())
    return fail() << "expects an external data location";
  // A path is a C string to the system: "w.bin\0../x" would open "w.bin".
  // No file name a model should carry needs a control character either.
  if (llvm::any_of(*location, [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
      }))
    return fail() << "expects an external data location without NUL or other control "
                     "characters, found "
                  << quoted(*location);
  if (length && *length != size)
    return fail() << "expects the external data length to be the tensor's " << size
                  << " bytes, found " << *length;

  // Confinement: relative, no `..` above the model's directory, and after
  // resolving symlinks (of the file and of every directory on the way)
  // still inside it.
  if (llvm::sys::path::is_absolute(*location) || StringRef(*location).starts_with("/") ||
      StringRef(*location).starts_with("\\"))
    return fail() << "expects an external data location relative to the model's directory, "
                     "found "
                  << quoted(*location);
  if (!staysInside(*location))
    return fail() << "external data location " << quoted(*location)
                  << " leaves the model's directory";
  std::string dir = modelDir.empty() ? "." : modelDir;
  llvm::SmallString<256> full(dir), realDir, realFile;
  llvm::sys::path::append(full, *location);
  if (llvm::sys::fs::real_path(dir, realDir) || llvm::sys::fs::real_path(full, realFile))
    return fail() << "cannot open external data file " << quoted(full);
  if (!isWithin(realFile, realDir) || realFile == realDir)
    return fail() << "external data location " << quoted(*location)
                  << " resolves outside the model's directory";

  // Checked on the open file, so what is read is what was checked; a FIFO
  // or device must not block or stream forever.
  FileCloser file{::open(realFile.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC)};
  struct stat st;
  if (file.fd < 0 || ::fstat(file.fd, &st) != 0)
    return fail() << "cannot open external data file " << quoted(full);
  if (!S_ISREG(st.st_mode))
    return fail() << "external data location " << quoted(*location) << " is not a regular file";
  uint64_t start = offset.value_or(0), fileSize = static_cast<uint64_t>(st.st_size);
  if (start > fileSize || size > fileSize - start)
    return fail() << "external data file " << quoted(full) << " is shorter than offset " << start
                  << " + length " << size << " (" << fileSize << " bytes)";

  // Mapped, not read: the pages are the file's, shared with the page cache,
  // and the blob keeps the mapping for as long as the weight lives.
  auto buffer = llvm::MemoryBuffer::getOpenFileSlice(file.fd, full, size,
                                                     static_cast<int64_t>(start));
  if (!buffer)
    return fail() << "cannot read external data file " << quoted(full);
  ArrayRef<char> data((*buffer)->getBufferStart(), size);
  // Also when copied below: the copy reads the mapping.
  if ((*buffer)->getBufferKind() == llvm::MemoryBuffer::MemoryBuffer_MMap)
    watchMapping(data, full);
  if (!llvm::isAddrAligned(llvm::Align(align), data.data()))
    return HeapAsmResourceBlob::allocateAndCopyWithAlign(data, align);
  return AsmResourceBlob(
      data, align, [owner = std::move(*buffer)](void *, size_t, size_t) {},
      /*dataIsMutable=*/false);
}
