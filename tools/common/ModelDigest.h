//===- ModelDigest.h - the digest of an ONNX model and its external data -===//
//
// What `kiln-compile --train` records as `source-sha256` and `kiln-run
// --save` checks before writing trained values into a copy of the source
// model: one SHA-256 over the model file's bytes and, when top-level
// initializers keep their data in external files, over each such file
// (`location` and a NUL, then its bytes; each file once, in the order the
// initializers name them). A model without external data digests to the
// SHA-256 of its file. Header-only: the two tools link different copies of
// LLVM's Support library (kiln-compile through libMLIR, kiln-run statically).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_COMMON_MODELDIGEST_H
#define KILN_TOOLS_COMMON_MODELDIGEST_H

#include "onnx/onnx_pb.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/SHA256.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace kiln::tools {

/// The digest (64 lower-case hex digits) of the model whose file holds
/// `bytes`, parsed as `model`, in directory `dir`. Returns false with `error`
/// set when an external data file cannot be read as a regular file (opened
/// without blocking: a FIFO in its place is an error, not a hang).
inline bool modelDigest(const std::string &bytes, const onnx::ModelProto &model,
                        const std::string &dir, std::string &digest, std::string &error) {
  llvm::SHA256 hash;
  hash.update(llvm::arrayRefFromStringRef(bytes));
  std::set<std::string> seen;
  for (const onnx::TensorProto &init : model.graph().initializer()) {
    if (init.data_location() != onnx::TensorProto::EXTERNAL)
      continue;
    for (const onnx::StringStringEntryProto &entry : init.external_data()) {
      if (entry.key() != "location" || !seen.insert(entry.value()).second)
        continue;
      std::string path = dir + "/" + entry.value();
      int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
      struct stat info;
      if (fd < 0 || ::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        error = "cannot read the external data file '" + path + "' of initializer '" +
                init.name() + "'" + (fd < 0 ? std::string(": ") + std::strerror(errno)
                                            : std::string(": not a regular file"));
        if (fd >= 0)
          ::close(fd);
        return false;
      }
      hash.update(llvm::arrayRefFromStringRef(entry.value()));
      const uint8_t nul = 0;
      hash.update(llvm::ArrayRef<uint8_t>(nul));
      uint8_t chunk[1 << 16];
      ssize_t got;
      while ((got = ::read(fd, chunk, sizeof chunk)) > 0)
        hash.update(llvm::ArrayRef<uint8_t>(chunk, static_cast<size_t>(got)));
      int readErr = got < 0 ? errno : 0;
      ::close(fd);
      if (readErr) {
        error = "cannot read the external data file '" + path + "': " + std::strerror(readErr);
        return false;
      }
    }
  }
  digest = llvm::toHex(hash.final(), /*LowerCase=*/true);
  return true;
}

} // namespace kiln::tools

#endif // KILN_TOOLS_COMMON_MODELDIGEST_H
