//===- Importer.h - the graph walk of the ONNX importer -------*- C++ -*-===//
//
// The importer's core: the values of the graph, tensors, the opsets the
// model imports and the node label every diagnostic starts with. Op
// handlers see it only through a NodeBinder.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_IMPORT_ONNX_IMPORTER_H
#define KILN_COMPILER_IMPORT_ONNX_IMPORTER_H

#include "compiler/Import/ONNX/ONNXImporter.h"
#include "compiler/Import/ONNX/OpRegistry.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include "onnx/onnx_pb.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kiln::onnx_import {

/// What the importer knows about one ONNX value: its SSA value. A value
/// known at compile time is an nn.constant (nodes fold as they are built).
struct Entry {
  mlir::Value value;
};

/// Limits that keep a hostile model from making the compiler allocate or
/// loop without bound (docs/onnx-import.md): elements of any tensor, and
/// each pad, stride, dilation and kernel size of a window.
constexpr int64_t kMaxElements = int64_t(1) << 31;
constexpr int64_t kMaxWindow = int64_t(1) << 20;

/// The number of elements of `shape`, or -1 when it exceeds kMaxElements
/// (or a dimension is negative).
int64_t boundedElements(llvm::ArrayRef<int64_t> shape);

/// ONNX's name for an attribute type, as diagnostics spell it ("ints").
llvm::StringRef attributeTypeName(onnx::AttributeProto::AttributeType type);

/// The types of the value fields of `a` that hold something (`f` -> float,
/// `ints` -> ints, ...), in the order of AttributeProto's fields.
llvm::SmallVector<onnx::AttributeProto::AttributeType>
attributeHeldTypes(const onnx::AttributeProto &a);

/// The newest ONNX IR version (`ModelProto.ir_version`) Kiln reads: IR 13,
/// the newest onnx.proto's `Version` enum lists as of ONNX 1.20 (November
/// 2025). Later IR versions are refused until checked (docs/onnx-import.md).
constexpr int64_t kMaxIRVersion = 13;

/// `s` for a diagnostic, with `\` written as `\\` and every byte outside
/// printable ASCII, and `"`, as `\XX` (two hex digits; LLVM's
/// printEscapedString, the escaping of LLVM IR strings): names and paths from a model can hold NUL,
/// newlines or terminal escapes, and must not forge or hide lines of a
/// message. Every string from a model goes through it before it is shown.
std::string escaped(llvm::StringRef s);
/// escaped(s) between single quotes: how diagnostics name a value, a node,
/// an attribute or a file.
std::string quoted(llvm::StringRef s);

/// The domain name the registry and the opset table use: ONNX's default
/// domain is both "" and "ai.onnx".
llvm::StringRef canonicalDomain(llvm::StringRef domain);

/// Every node of `graph` and of the subgraphs in its nodes' attributes (If
/// branches, Loop bodies), outer nodes first.
std::vector<const onnx::NodeProto *> nodesWithin(const onnx::GraphProto &graph);

/// Replaces each node of an operator that Kiln has no handler for, and
/// whose ONNX schema defines it by a function body (HannWindow, ...), by
/// that body, renamed into the graph (Functions.cpp). Returns how many
/// nodes were expanded.
int expandFunctions(onnx::ModelProto &model, const OpRegistry &registry);

class GraphImporter {
public:
  GraphImporter(mlir::MLIRContext &ctx, const onnx::ModelProto &model, llvm::StringRef path,
                const OpRegistry &registry);

  /// The model's IR version is one ONNX has published (1 to kMaxIRVersion),
  /// and each domain is imported once, at an opset that exists (>= 1, and no
  /// newer than this build's ONNX knows for the domains it knows). Runs
  /// before anything reads the opsets.
  mlir::LogicalResult checkVersions();
  /// Checks what can be checked before ONNX shape inference: the graph's
  /// structure, unsupported operators (all reported at once)
  /// and malformed nodes.
  mlir::LogicalResult prepare();
  /// Keeps the element types and shapes the model itself declares for its
  /// graph outputs and value_info (before ONNX shape inference rewrites
  /// them), so that `run` can hold the graph to them.
  void recordDeclaredTypes();
  /// Imports the graph (after shape inference); `prepare` must have succeeded.
  mlir::OwningOpRef<mlir::ModuleOp> run(const ONNXImportOptions &options);

  //===--------------------------------------------------------------------===//
  // What NodeBinder builds on.
  //===--------------------------------------------------------------------===//

  /// The opset the model imports for `domain`, 0 when it imports none.
  int64_t opsetOf(llvm::StringRef domain) const;
  /// The opset a node is read at: its domain's, or the default domain's
  /// when the model does not import the node's domain.
  int64_t opsetOf(const onnx::NodeProto &node) const;
  /// `node 'NAME' (OpType, opset N)`: how every diagnostic names a node
  /// (unnamed nodes are named after their first output; a non-default
  /// domain prefixes the op type).
  std::string nodeLabel(const onnx::NodeProto &node) const;
  mlir::Location nodeLoc(const onnx::NodeProto &node);
  /// An error at the node, starting with its label.
  mlir::InFlightDiagnostic nodeError(const onnx::NodeProto &node);

  mlir::FailureOr<mlir::Type> elementType(int onnxType, mlir::Location loc, llvm::StringRef what);
  /// The element type of an ONNX data type Kiln supports, or nothing.
  std::optional<mlir::Type> knownElementType(int onnxType);
  /// ONNX's name of a data type, or its number when it names none.
  static std::string elementTypeName(int onnxType);
  /// `t` as an nn.constant; errors name it as `what` (default: `tensor
  /// 'NAME'`; a node's tensor attribute names the node and the attribute).
  mlir::FailureOr<Entry> importTensor(const onnx::TensorProto &t, mlir::Location loc,
                                      const std::string &what = "");
  /// Value `name`'s dims as ONNX shape inference (or the graph's declared
  /// outputs) gives them: kDynamic where unknown, all kDynamic when it says
  /// nothing or disagrees on the rank.
  llvm::SmallVector<int64_t> inferredShape(llvm::StringRef name, int64_t rank) const;
  /// Imports a subgraph's nodes at the builder's insertion point, its
  /// inputs bound to `args`; the enclosing values stay visible and the
  /// subgraph's own names are dropped afterwards.
  mlir::FailureOr<llvm::SmallVector<mlir::Value>>
  importSubgraph(const onnx::GraphProto &graph, mlir::ValueRange args, mlir::Location loc);

  mlir::MLIRContext &ctx;
  mlir::OpBuilder builder;
  std::map<std::string, Entry> values;
  /// ONNXImportOptions::markParameters of the running import.
  bool markParameters = false;

private:
  /// The number of elements of `t`'s dims: an error naming the tensor when a
  /// dim is negative or the product passes kMaxElements.
  mlir::FailureOr<int64_t> elementCount(const onnx::TensorProto &t, mlir::Location loc,
                                        const std::string &what);
  /// The bytes of `t` as elements of `elem`, checked against its dims. With
  /// `take`, raw data moves out of the model into the blob (no copy);
  /// external data is mapped from its file, not read.
  mlir::FailureOr<mlir::AsmResourceBlob> tensorBlob(const onnx::TensorProto &t, mlir::Type elem,
                                                    mlir::Location loc, bool take,
                                                    const std::string &what);
  /// `size` bytes of external data, mapped (or copied when the mapping is
  /// not aligned to `align`).
  mlir::FailureOr<mlir::AsmResourceBlob> externalBlob(const onnx::TensorProto &t, size_t size,
                                                      size_t align, mlir::Location loc,
                                                      const std::string &what);
  /// Cross-checks Kiln's inferred output shapes against ONNX shape inference.
  mlir::LogicalResult checkShape(const onnx::NodeProto &node);
  /// `value` against the type the model declares for it (`what` names it):
  /// an element type or a static dim that disagrees is an error; `dims`
  /// false checks the element type and rank only.
  mlir::LogicalResult checkDeclared(const std::string &what, const onnx::TypeProto &declared,
                                    mlir::Value value, bool dims);
  mlir::LogicalResult importNode(const onnx::NodeProto &node);
  /// Folds the ops built for `node` from `first` on (nn ops on constants
  /// become nn.constant) and points the node's outputs at what replaced them.
  void foldNode(const onnx::NodeProto &node, mlir::Operation *first);
  /// The graph's structure (one producer per value, values defined before
  /// use, no duplicate inputs or initializers, outputs that exist), one line
  /// per problem.
  std::vector<std::string> graphProblems() const;
  /// Nodes against their ONNX schema (input, output and attribute counts and
  /// types) and what ONNX's own shape inference would not survive, one line
  /// per problem.
  std::vector<std::string> nodeProblems() const;

  const onnx::ModelProto &model;
  const OpRegistry &registry;
  std::string modelDir, fileName;
  llvm::StringMap<int64_t> opsets;
  std::map<std::string, const onnx::TypeProto *> inferredTypes;
  /// recordDeclaredTypes: graph outputs in order, then value_info by name.
  std::vector<onnx::TypeProto> declaredOutputs;
  std::map<std::string, onnx::TypeProto> declaredValues;
  /// Whether declared static dims are held (not with --input-shape).
  bool checkDims = true;
  unsigned resourceCounter = 0;
  /// The resource attribute each tensor became: its raw data has moved into
  /// the blob, so a second import must not read it again.
  llvm::DenseMap<const onnx::TensorProto *, mlir::ElementsAttr> importedResources;
};

/// Imports a parsed model (from kiln::importONNXFile, ModelFile.cpp): the
/// versions and nodes are checked, functions expanded, ONNX's shape
/// inference cross-checked, then the graph imported. Errors are emitted at
/// `fileLoc`; null on failure.
mlir::OwningOpRef<mlir::ModuleOp> importModel(onnx::ModelProto &model, llvm::StringRef path,
                                              mlir::Location fileLoc, mlir::MLIRContext &context,
                                              const ONNXImportOptions &options);

} // namespace kiln::onnx_import

#endif // KILN_COMPILER_IMPORT_ONNX_IMPORTER_H
