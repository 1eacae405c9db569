//===- ModelFile.cpp - reading an ONNX model file ------------------------===//
//
// kiln::importONNXFile: a binary model is parsed from its file as a stream,
// text (.onnxtxt, or bytes that start like it) with ONNX's parser, stdin
// ("-") read up to protobuf's 2 GiB; the ModelProto then goes to
// importModel (Importer.cpp).
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/ONNX/Importer.h"
#include "dialects/NN/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/MemoryBuffer.h"

#include "onnx/defs/parser.h"

#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlir;
using namespace kiln;
using namespace kiln::onnx_import;

namespace {
enum class StreamParse { Parsed, Malformed, NotTried };
} // namespace

/// Parses a binary model from its file as a stream, so the file's bytes are
/// never in memory next to the model that holds them (its weights would be
/// there twice). Only regular files whose first bytes do not look like ONNX
/// text; anything else is NotTried and read whole.
static StreamParse parseBinaryModelFile(StringRef path, onnx::ModelProto &model) {
  if (path == "-" || path.ends_with(".onnxtxt"))
    return StreamParse::NotTried;
  int fd = ::open(path.str().c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return StreamParse::NotTried;
  auto closeFd = llvm::make_scope_exit([&] { ::close(fd); });
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    return StreamParse::NotTried;
  char prefix[4096];
  ssize_t got = ::pread(fd, prefix, sizeof(prefix), 0);
  if (got <= 0)
    return StreamParse::NotTried;
  StringRef start = StringRef(prefix, got).ltrim();
  if (start.empty() || start.starts_with("<") || start.starts_with("#"))
    return StreamParse::NotTried;
  return model.ParseFromFileDescriptor(fd) ? StreamParse::Parsed : StreamParse::Malformed;
}

/// The most bytes a model may have: protobuf parses at most 2 GiB.
static constexpr uint64_t kMaxModelBytes = uint64_t(1) << 31;

/// Reads stdin whole, up to @p limit bytes; file_too_large past it (stdin
/// from /dev/zero or `yes` grew the compiler until it ran out of memory).
static llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> readBoundedStdin(uint64_t limit) {
  std::string bytes;
  char chunk[1 << 16];
  for (;;) {
    ssize_t got = ::read(0, chunk, sizeof(chunk));
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0)
      return std::error_code(errno, std::generic_category());
    if (got == 0)
      break;
    if (bytes.size() + static_cast<uint64_t>(got) > limit)
      return std::make_error_code(std::errc::file_too_large);
    bytes.append(chunk, static_cast<size_t>(got));
  }
  return llvm::MemoryBuffer::getMemBufferCopy(bytes, "<stdin>");
}

OwningOpRef<ModuleOp> kiln::importONNXFile(StringRef path, MLIRContext &context,
                                           const ONNXImportOptions &options) {
  // If and Loop import as scf regions with arith, tensor and cf glue.
  context.loadDialect<nn::NNDialect, func::FuncDialect, scf::SCFDialect, arith::ArithDialect,
                      tensor::TensorDialect, cf::ControlFlowDialect>();
  Location fileLoc = FileLineColLoc::get(&context, path, 0, 0);
  onnx::ModelProto model;
  switch (parseBinaryModelFile(path, model)) {
  case StreamParse::Parsed:
    return importModel(model, path, fileLoc, context, options);
  case StreamParse::Malformed:
    emitError(fileLoc) << "malformed ONNX model: the file is not a valid ModelProto";
    return nullptr;
  case StreamParse::NotTried:
    break;
  }
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      path == "-" ? readBoundedStdin(kMaxModelBytes) : llvm::MemoryBuffer::getFile(path);
  if (!buffer) {
    if (buffer.getError() == std::errc::file_too_large)
      emitError(fileLoc) << "expects a model of at most " << kMaxModelBytes
                         << " bytes (2 GiB, protobuf's limit) on stdin, found more";
    else
      emitError(fileLoc) << "cannot read " << quoted(path) << ": "
                         << buffer.getError().message();
    return nullptr;
  }
  StringRef bytes = (*buffer)->getBuffer();
  StringRef trimmed = bytes.ltrim();
  bool text = path.ends_with(".onnxtxt") || trimmed.starts_with("<") || trimmed.starts_with("#");
  if (text) {
    std::string copy = bytes.str();
    onnx::OnnxParser parser(copy.c_str());
    // ONNX's text parser converts literals with std::stoll and std::stof,
    // which throw on malformed or out-of-range numbers instead of failing.
    onnx::Common::Status status;
    try {
      status = parser.Parse(model);
    } catch (const std::logic_error &e) {
      emitError(fileLoc) << "malformed ONNX text: expects numbers that parse and fit their type, "
                            "found one that does not ("
                         << escaped(e.what()) << ")";
      return nullptr;
    }
    if (!status.IsOK()) {
      // The parser's message quotes the model's text: its lines are kept,
      // each escaped.
      std::string message = status.ErrorMessage();
      SmallVector<StringRef> lines;
      StringRef(message).split(lines, '\n');
      InFlightDiagnostic diag = emitError(fileLoc) << "malformed ONNX text:";
      for (auto [i, line] : llvm::enumerate(lines))
        diag << (i ? "\n  " : " ") << escaped(line);
      return nullptr;
    }
  } else if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    emitError(fileLoc) << "malformed ONNX model: the file is not a valid ModelProto";
    return nullptr;
  }
  buffer->reset();
  return importModel(model, path, fileLoc, context, options);
}
