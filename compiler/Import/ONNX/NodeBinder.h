//===- NodeBinder.h - one ONNX node as an op handler sees it --*- C++ -*-===//
//
// Reads a node's inputs and attributes (with ONNX's defaults), defines its
// outputs, and reports errors in one voice:
//
//   node 'NAME' (OpType, opset N): expects ..., found ...
//
// An attribute of the wrong type (Conv strides given as floats, say) is an
// error, not a silent default: the read reports it and returns the default,
// the node fails, and later errors about the same node are dropped so the
// first cause is the one reported.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_IMPORT_ONNX_NODEBINDER_H
#define KILN_COMPILER_IMPORT_ONNX_NODEBINDER_H

#include "compiler/Import/ONNX/Importer.h"

#include "dialects/NN/IR/NNConstantEval.h"
#include "dialects/NN/IR/NNOps.h"

#include "mlir/IR/BuiltinTypes.h"

namespace kiln::onnx_import {

class NodeBinder {
public:
  NodeBinder(GraphImporter &importer, const onnx::NodeProto &node)
      : importer(importer), proto(node), version(importer.opsetOf(node)) {}

  const onnx::NodeProto &node() const { return proto; }
  llvm::StringRef opType() const { return proto.op_type(); }
  /// The opset the node is read at (its domain's version in the model).
  int64_t opset() const { return version; }
  /// Whether the model is imported for training (ONNXImportOptions::markParameters).
  bool importingForTraining() const { return importer.markParameters; }
  mlir::Location loc() { return importer.nodeLoc(proto); }
  mlir::OpBuilder &builder() { return importer.builder; }
  mlir::MLIRContext *context() { return &importer.ctx; }

  /// An error about this node, starting with its label. After the first
  /// error the node has failed and further diagnostics are dropped.
  mlir::InFlightDiagnostic error();
  /// True once an error was reported about this node.
  bool hasFailed() const { return failedOnce; }

  //===--------------------------------------------------------------------===//
  // Inputs
  //===--------------------------------------------------------------------===//

  int numInputs() const { return proto.input_size(); }
  /// True when input `i` is given (ONNX omits optional inputs with "").
  bool hasInput(int i) const { return i < proto.input_size() && !proto.input(i).empty(); }
  mlir::FailureOr<mlir::Value> input(int i);
  /// Input `i` when present, a null Value when the node omits it.
  mlir::FailureOr<mlir::Value> optionalInput(int i);
  /// Every input of the node, in order.
  mlir::FailureOr<llvm::SmallVector<mlir::Value>> allInputs();
  /// What the importer holds for input `i`.
  mlir::FailureOr<Entry *> inputEntry(int i);
  /// The value of input `i` when it is a constant (folded at import), else
  /// null (also when it is absent).
  mlir::ElementsAttr constInput(int i);
  /// Input `i` as integers known at compile time; `what` names it in the error.
  mlir::FailureOr<llvm::SmallVector<int64_t>> constInts(int i, llvm::StringRef what);
  /// Input `i` as numbers known at compile time (integers converted), or
  /// nothing when it is absent or computed at run time.
  std::optional<llvm::SmallVector<double>> constNumbers(int i);

  //===--------------------------------------------------------------------===//
  // Outputs
  //===--------------------------------------------------------------------===//

  int numOutputs() const { return proto.output_size(); }
  /// True when output `i` is requested.
  bool hasOutput(int i) const { return i < proto.output_size() && !proto.output(i).empty(); }
  void define(int i, mlir::Value v) { importer.values[proto.output(i)] = Entry{v}; }
  void defineEntry(int i, Entry e) { importer.values[proto.output(i)] = std::move(e); }
  /// Output `i`'s dims by ONNX shape inference (kDynamic where unknown).
  llvm::SmallVector<int64_t> inferredShape(int i, int64_t rank) const {
    return importer.inferredShape(proto.output(i), rank);
  }
  /// Defines output 0 as `v` when it was built.
  mlir::LogicalResult defineResult(mlir::FailureOr<mlir::Value> v) {
    if (mlir::failed(v))
      return mlir::failure();
    define(0, *v);
    return mlir::success();
  }

  //===--------------------------------------------------------------------===//
  // Attributes: the value, or `dflt` when absent; a wrong type is an error.
  //===--------------------------------------------------------------------===//

  bool hasAttr(llvm::StringRef name) const { return find(name) != nullptr; }
  int64_t attrInt(llvm::StringRef name, int64_t dflt);
  bool attrBool(llvm::StringRef name, bool dflt) { return attrInt(name, dflt) != 0; }
  double attrFloat(llvm::StringRef name, double dflt);
  std::string attrString(llvm::StringRef name, llvm::StringRef dflt);
  /// Empty when absent.
  llvm::SmallVector<int64_t> attrInts(llvm::StringRef name);
  llvm::SmallVector<float> attrFloats(llvm::StringRef name);
  /// Null when absent.
  const onnx::TensorProto *attrTensor(llvm::StringRef name);
  /// A subgraph attribute (If's branches, Loop's body); null when absent.
  const onnx::GraphProto *attrGraph(llvm::StringRef name);
  /// Imports `graph` at the builder's insertion point with its inputs bound
  /// to `args`; its nodes see the enclosing graph's values. Returns the
  /// values of its outputs. Its names go out of scope afterwards.
  mlir::FailureOr<llvm::SmallVector<mlir::Value>> importSubgraph(const onnx::GraphProto &graph,
                                                                 mlir::ValueRange args);

  //===--------------------------------------------------------------------===//
  // Building
  //===--------------------------------------------------------------------===//

  /// Builds an nn op whose result type is inferred. An inference failure
  /// is one diagnostic: the node's label with the op's message.
  template <typename OpTy, typename... Args>
  mlir::FailureOr<mlir::Value> create(Args &&...args);
  /// `create` for an op with `numResults` results (nn.layer_norm's
  /// statistics, nn.softmax_cross_entropy's log-probabilities).
  template <typename OpTy, typename... Args>
  mlir::FailureOr<mlir::Operation *> createMulti(unsigned numResults, Args &&...args);

  /// A constant of `type` holding the integers `v`.
  mlir::Value intConstant(mlir::RankedTensorType type, llvm::ArrayRef<int64_t> v);
  /// A rank-0 constant of (float) element type `elem` holding `v`.
  mlir::Value scalarConstant(mlir::Type elem, double v);
  mlir::FailureOr<mlir::Type> elementType(int onnxType, llvm::StringRef what) {
    if (std::optional<mlir::Type> type = importer.knownElementType(onnxType))
      return *type;
    return error() << "expects " << what
                   << " to be float, double, float16, bfloat16, int8, int16, int32, int64, uint8, uint16, "
                      "uint32, uint64 or bool, found "
                   << GraphImporter::elementTypeName(onnxType);
  }
  /// A tensor of the node (a tensor attribute's value) as an nn.constant;
  /// an error names the node and the attribute.
  mlir::FailureOr<Entry> importTensor(const onnx::TensorProto &t);

private:
  const onnx::AttributeProto *find(llvm::StringRef name) const;
  /// The attribute `name` when present and of type `type`; reports a wrong type.
  const onnx::AttributeProto *typed(llvm::StringRef name, onnx::AttributeProto::AttributeType type);
  /// `message` from `opName`'s `check` (its shape inference or its operand
  /// constraints) as this node's error.
  mlir::LogicalResult inferenceError(llvm::StringRef opName, llvm::StringRef message,
                                     llvm::StringRef check = "shape inference");
  /// Types `op`'s results by its inference, then checks its operand and
  /// attribute constraints (an integer input to a float-only op), or erases
  /// it and reports either failure as this node's error.
  template <typename OpTy>
  mlir::LogicalResult typeByInference(mlir::Operation *op);

  GraphImporter &importer;
  const onnx::NodeProto &proto;
  int64_t version;
  bool failedOnce = false;
};

/// The ranked tensor type of an nn value (every value the importer builds).
inline mlir::RankedTensorType typeOf(mlir::Value v) {
  return mlir::cast<mlir::RankedTensorType>(v.getType());
}

template <typename OpTy>
mlir::LogicalResult NodeBinder::typeByInference(mlir::Operation *op) {
  llvm::SmallVector<mlir::Type> types;
  std::string message;
  mlir::LogicalResult inferred = mlir::failure();
  {
    // The op's message is kept and reported once, as this node's error.
    mlir::ScopedDiagnosticHandler capture(context(), [&](mlir::Diagnostic &d) {
      if (message.empty())
        message = d.str();
      return mlir::success();
    });
    inferred = OpTy::inferReturnTypes(context(), op->getLoc(), op->getOperands(),
                                      op->getAttrDictionary(), op->getPropertiesStorage(),
                                      op->getRegions(), types);
  }
  if (mlir::failed(inferred)) {
    op->erase();
    return inferenceError(OpTy::getOperationName(), message);
  }
  for (auto [result, type] : llvm::zip(op->getResults(), types))
    result.setType(type);
  // Ops with regions are checked once their bodies are built.
  if (op->getNumRegions() != 0)
    return mlir::success();
  mlir::LogicalResult valid = mlir::failure();
  {
    mlir::ScopedDiagnosticHandler capture(context(), [&](mlir::Diagnostic &d) {
      if (message.empty())
        message = d.str();
      return mlir::success();
    });
    valid = mlir::cast<OpTy>(op).verifyInvariantsImpl();
  }
  if (mlir::failed(valid)) {
    op->erase();
    return inferenceError(OpTy::getOperationName(), message, "operand constraints");
  }
  return mlir::success();
}

template <typename OpTy, typename... Args>
mlir::FailureOr<mlir::Value> NodeBinder::create(Args &&...args) {
  // Built with a placeholder type, then typed by the op's own inference so
  // bad shapes are reported rather than asserted on.
  mlir::Type placeholder = mlir::RankedTensorType::get({}, builder().getF32Type());
  auto op = builder().create<OpTy>(loc(), placeholder, std::forward<Args>(args)...);
  if (mlir::failed(typeByInference<OpTy>(op)))
    return mlir::failure();
  return op->getResult(0);
}

template <typename OpTy, typename... Args>
mlir::FailureOr<mlir::Operation *> NodeBinder::createMulti(unsigned numResults, Args &&...args) {
  llvm::SmallVector<mlir::Type> placeholders(
      numResults, mlir::RankedTensorType::get({}, builder().getF32Type()));
  auto op = builder().create<OpTy>(loc(), placeholders, std::forward<Args>(args)...);
  if (mlir::failed(typeByInference<OpTy>(op)))
    return mlir::failure();
  return op.getOperation();
}

/// nn.conv of `x`, `w` and an optional `bias` with the node's Conv attributes
/// (strides, pads or auto_pad, dilations, group); Ops/ConvPool.cpp, shared by
/// Conv, ConvInteger and QLinearConv.
mlir::FailureOr<mlir::Value> buildConv(NodeBinder &b, mlir::Value x, mlir::Value w,
                                       mlir::Value bias);

/// Constant indices (input 1) range-checked at compile time against `data`
/// along `axis` (or, `nd`, GatherND/ScatterND's walk from `axis`): ONNX makes
/// an index outside [-n, n-1] an error; Ops/DataMovement.cpp, shared by the
/// gathers and the scatters. Success when the indices are not constants.
mlir::LogicalResult checkConstIndices(NodeBinder &b, mlir::Value data, int64_t axis, bool nd);

} // namespace kiln::onnx_import

#endif // KILN_COMPILER_IMPORT_ONNX_NODEBINDER_H
