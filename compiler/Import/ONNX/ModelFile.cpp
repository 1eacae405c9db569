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

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>

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

/// How deep messages nest in @p bytes read as a @p root message: the longest
/// chain of sub-messages, found with an explicit stack (the bytes may nest
/// deeper than a recursive reader can go); -1 when the bytes are not
/// well-formed wire format, which is then why protobuf refused them.
static int64_t messageNesting(StringRef bytes, const google::protobuf::Descriptor *root) {
  using google::protobuf::FieldDescriptor;
  struct Frame {
    const google::protobuf::Descriptor *type;
    const uint8_t *end;
  };
  const uint8_t *p = bytes.bytes_begin();
  SmallVector<Frame> stack{{root, bytes.bytes_end()}};
  int64_t deepest = 0;
  auto varint = [&](uint64_t &v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p == stack.back().end)
        return false;
      uint8_t b = *p++;
      v |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80))
        return true;
    }
    return false;
  };
  for (;;) {
    while (p == stack.back().end) {
      if (stack.size() == 1)
        return deepest;
      stack.pop_back();
    }
    uint64_t tag, v;
    if (!varint(tag))
      return -1;
    uint64_t left;
    switch (tag & 7) {
    case 0:
      if (!varint(v))
        return -1;
      break;
    case 1:
    case 5:
      left = stack.back().end - p;
      if (left < ((tag & 7) == 1 ? 8u : 4u))
        return -1;
      p += (tag & 7) == 1 ? 8 : 4;
      break;
    case 2: {
      if (!varint(v) || v > uint64_t(stack.back().end - p))
        return -1;
      const FieldDescriptor *field =
          stack.back().type ? stack.back().type->FindFieldByNumber(static_cast<int>(tag >> 3))
                            : nullptr;
      if (field && field->type() == FieldDescriptor::TYPE_MESSAGE) {
        stack.push_back({field->message_type(), p + v});
        deepest = std::max<int64_t>(deepest, stack.size() - 1);
      } else {
        p += v;
      }
      break;
    }
    default: // groups: ONNX has none
      return -1;
    }
  }
}

/// Most brackets (`{`, `(`, `[`) an ONNX text model may nest: ONNX's text
/// parser recurses once or more per level (a graph attribute's body, a
/// `seq(...)` type), so a deep enough nesting overflows the stack. The same
/// bound as protobuf's recursion limit for binary models.
constexpr int64_t kMaxTextNesting = 100;

/// How deep `text` nests its brackets, outside string literals and `#`
/// comments (no recursion: a loop with a counter).
static int64_t textNesting(StringRef text) {
  int64_t depth = 0, deepest = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\')
          ++i;
    } else if (c == '#') {
      while (i < text.size() && text[i] != '\n')
        ++i;
    } else if (c == '{' || c == '(' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == '}' || c == ')' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

/// At most this many characters of each line of ONNX's text-parser message,
/// which quotes the model's line (a megabyte on one line was echoed whole).
constexpr size_t kMaxQuotedLine = 200;

/// The error for a file protobuf did not parse as a ModelProto: nested past
/// protobuf's recursion limit when that is why (it said only "not a valid
/// ModelProto"), else not one.
static void emitMalformedModel(Location loc, std::optional<StringRef> bytes) {
  int limit = google::protobuf::io::CodedInputStream::GetDefaultRecursionLimit();
  int64_t depth = bytes ? messageNesting(*bytes, onnx::ModelProto::descriptor()) : -1;
  if (depth > limit)
    emitError(loc) << "malformed ONNX model: nested too deeply: expects messages nested at most "
                   << limit << " deep (protobuf's recursion limit), found " << depth;
  else
    emitError(loc) << "malformed ONNX model: the file is not a valid ModelProto";
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
  case StreamParse::Malformed: {
    // Read again only to say why.
    auto bytes = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                             /*RequiresNullTerminator=*/false);
    emitMalformedModel(fileLoc, bytes ? std::optional<StringRef>((*bytes)->getBuffer())
                                      : std::nullopt);
    return nullptr;
  }
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
    if (int64_t depth = textNesting(bytes); depth > kMaxTextNesting) {
      emitError(fileLoc) << "malformed ONNX text: nested too deeply: expects brackets nested at most "
                         << kMaxTextNesting << " deep, found " << depth;
      return nullptr;
    }
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
      for (auto [i, line] : llvm::enumerate(lines)) {
        diag << (i ? "\n  " : " ") << escaped(line.take_front(kMaxQuotedLine));
        if (line.size() > kMaxQuotedLine)
          diag << "... (" << line.size() - kMaxQuotedLine << " more characters)";
      }
      return nullptr;
    }
  } else if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    emitMalformedModel(fileLoc, bytes);
    return nullptr;
  }
  buffer->reset();
  return importModel(model, path, fileLoc, context, options);
}
