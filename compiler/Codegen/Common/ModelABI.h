//===- ModelABI.h - the typed description of a model's entry points -*- C++ -*-===//
//
// One description drives both the generated entry points and the signature
// the runtime reads. It lives on the module as the `kiln.abi` attribute:
//
//   kiln.abi = {entries = [
//     {name = "infer", function = @model, workspace = 4160 : i64,
//      bounds = {N = 64 : i64}, unshared = 8192 : i64,
//      inputs = [{name = "x", dtype = "f32", shape = ["N", 3, 224, 224]}],
//      outputs = [{name = "y", dtype = "f32", shape = ["N", 1000]}]}]}
//
// A dim is a static size or a symbol (an identifier naming one size for the
// whole entry); `bounds` (optional) gives the largest value some of the
// symbols may take at run time; `unshared` (optional) the workspace's bytes
// without reuse. kiln-record-signature writes it, kiln-plan-memory fills in the
// workspaces, kiln-emit-entry-point turns it into symbols and, through
// serializeSignature(), into the text documented in runtime/kiln_runtime.h.
//
// A training artifact (docs/training.md) also carries `kiln.training`, set by
// the training builder and read here so that the signature ends with its
// `training`, `source` and `state` lines:
//
//   kiln.training = {loss = "softmax-cross-entropy", label = "y",
//                    source = "/abs/model.onnx",
//                    state = [{name = "fc.weight", kind = "parameter"}, ...]}
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_CODEGEN_COMMON_MODELABI_H
#define KILN_COMPILER_CODEGEN_COMMON_MODELABI_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kiln::abi {

/// The module attribute that holds the description.
inline constexpr llvm::StringLiteral kAttrName = "kiln.abi";

/// The version of the signature text serializeSignature() writes (3: `bound`
/// lines and run functions that take dims; 4: the `cpu-features` line); the
/// runtime refuses any other (runtime/kiln_signature.c, KILN_SIGNATURE_VERSION).
inline constexpr int kFormatVersion = 4;

/// One dim: a static size, or a symbol when `symbol` is not empty.
struct Dim {
  int64_t size = 0;
  std::string symbol;
  bool isSymbolic() const { return !symbol.empty(); }
};

/// One input or output: its name, the runtime's dtype name and its shape.
struct TensorSpec {
  std::string name;
  std::string dtype;
  llvm::SmallVector<Dim> shape;
};

/// One entry point: its name (an identifier), the function that implements
/// it, its inputs and outputs in calling order, its workspace bytes (0: the
/// function takes no workspace argument), and the bounds of its symbols: the
/// largest value (>= 1, inclusive) each may take at run time, for symbols that
/// are dims of its inputs; a symbol absent here is unbounded. `unshared`
/// (set by kiln-plan-memory, absent before it) is what the workspace would
/// take without reuse: each planned buffer in its own 64-byte-aligned slot.
struct Entry {
  std::string name;
  std::string function;
  std::vector<TensorSpec> inputs, outputs;
  int64_t workspace = 0;
  std::map<std::string, int64_t> bounds = {};
  std::optional<int64_t> unshared = std::nullopt;
};

/// The module attribute that marks a training artifact.
inline constexpr llvm::StringLiteral kTrainingAttrName = "kiln.training";

/// One tensor of a training artifact's STATE: its name (the init outputs',
/// the train_step inputs') and kind: "parameter", "buffer" or "optimizer".
struct StateSpec {
  std::string name;
  std::string kind;
};

/// What the runtime needs to drive a training artifact: the loss (one of
/// softmax-cross-entropy nll mse bce-logits), the label input's name, the
/// source model's path (for `kiln-run --save`) and the STATE in order.
struct Training {
  std::string loss, label, source;
  std::vector<StateSpec> state;
  std::string sourceSha256 = {}; ///< the source file's SHA-256 in hex; empty when not recorded
};

/// The entries of a model in signature order; the first is the default entry.
/// `training` is set for a training artifact (the kiln.training attribute).
struct ModelABI {
  std::vector<Entry> entries;
  std::optional<Training> training = std::nullopt;
};

/// Returns true if `s` is an identifier, `[A-Za-z_][A-Za-z0-9_]*`: entry
/// names and dim symbols, which appear in C symbols and in the signature text.
bool isIdentifier(llvm::StringRef s);

/// The runtime's dtype name of an element type, or "" when it has none.
llvm::StringRef dtypeName(mlir::Type type);

/// Reads and checks the module's description, with kiln.training when present
/// (its STATE must be the outputs of an `init` entry, in order, and the entries
/// train_step, eval and infer must exist); emits an error and fails when either
/// is missing or malformed.
mlir::FailureOr<ModelABI> readABI(mlir::ModuleOp module);

/// Stores `abi` on `module` as the `kiln.abi` attribute.
void writeABI(mlir::ModuleOp module, const ModelABI &abi);

/// The signature text the runtime parses: the format in runtime/kiln_runtime.h;
/// `training`, `source` and `state` lines follow the entries when `abi.training` is set.
/// A `cpu-features` line with `cpuFeatures` (names, in order) follows the
/// version line when `cpuFeatures` is set.
std::string serializeSignature(const ModelABI &abi,
                               std::optional<llvm::ArrayRef<std::string>> cpuFeatures = {});

} // namespace kiln::abi

#endif // KILN_COMPILER_CODEGEN_COMMON_MODELABI_H
