//===- NodeBinder.cpp - one ONNX node as an op handler sees it -----------===//

#include "compiler/Import/ONNX/NodeBinder.h"

#include "dialects/NN/IR/NNConstantEval.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace kiln::onnx_import;

InFlightDiagnostic NodeBinder::error() {
  InFlightDiagnostic diag = importer.nodeError(proto);
  // The first error is the cause; what follows from it would only repeat it.
  if (failedOnce)
    diag.abandon();
  failedOnce = true;
  return diag;
}

LogicalResult NodeBinder::inferenceError(StringRef opName, StringRef message, StringRef check) {
  // The op reports "'nn.x' op expects ..."; the node's label replaces the prefix.
  std::string prefix = ("'" + opName + "' op ").str();
  StringRef text = message;
  if (text.consume_front(prefix) && !text.empty()) {
    InFlightDiagnostic diag = error() << text;
    diag.attachNote() << "reported by the " << check << " of " << opName;
    return diag;
  }
  return error() << "the operands and attributes are not valid for " << opName;
}

FailureOr<Entry *> NodeBinder::inputEntry(int i) {
  if (!hasInput(i))
    return error() << "expects input " << i;
  auto it = importer.values.find(proto.input(i));
  if (it == importer.values.end())
    return error() << "input " << quoted(proto.input(i)) << " is not defined before use";
  return &it->second;
}

FailureOr<Value> NodeBinder::input(int i) {
  FailureOr<Entry *> e = inputEntry(i);
  if (failed(e))
    return failure();
  return (*e)->value;
}

FailureOr<Value> NodeBinder::optionalInput(int i) {
  if (!hasInput(i))
    return Value();
  return input(i);
}

FailureOr<SmallVector<Value>> NodeBinder::allInputs() {
  SmallVector<Value> in;
  for (int i = 0; i < numInputs(); ++i) {
    FailureOr<Value> v = input(i);
    if (failed(v))
      return failure();
    in.push_back(*v);
  }
  return in;
}

ElementsAttr NodeBinder::constInput(int i) {
  if (!hasInput(i))
    return {};
  auto it = importer.values.find(proto.input(i));
  ElementsAttr value;
  if (it == importer.values.end() || !it->second.value ||
      !matchPattern(it->second.value, m_Constant(&value)))
    return {};
  return value;
}

FailureOr<SmallVector<int64_t>> NodeBinder::constInts(int i, StringRef what) {
  std::optional<SmallVector<int64_t>> ints;
  if (ElementsAttr value = constInput(i))
    ints = kiln::nn::constantInts(value);
  if (!ints)
    return error() << "expects " << what << " (input " << i
                   << ") to be a constant known at compile time";
  return *ints;
}

std::optional<SmallVector<double>> NodeBinder::constNumbers(int i) {
  if (ElementsAttr value = constInput(i))
    return kiln::nn::constantFloats(value);
  return std::nullopt;
}

Value NodeBinder::intConstant(RankedTensorType type, ArrayRef<int64_t> v) {
  SmallVector<APInt> ints;
  for (int64_t x : v)
    ints.push_back(APInt(type.getElementTypeBitWidth(), static_cast<uint64_t>(x),
                         /*isSigned=*/true));
  return builder().create<kiln::nn::ConstantOp>(loc(), DenseElementsAttr::get(type, ints));
}

Value NodeBinder::scalarConstant(Type elem, double v) {
  auto type = RankedTensorType::get({}, elem);
  return builder().create<kiln::nn::ConstantOp>(
      loc(), DenseElementsAttr::get(type, builder().getFloatAttr(elem, v)));
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

const onnx::AttributeProto *NodeBinder::find(StringRef name) const {
  for (const auto &a : proto.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

StringRef kiln::onnx_import::attributeTypeName(onnx::AttributeProto::AttributeType type) {
  switch (type) {
  case onnx::AttributeProto::FLOAT: return "float";
  case onnx::AttributeProto::INT: return "int";
  case onnx::AttributeProto::STRING: return "string";
  case onnx::AttributeProto::TENSOR: return "tensor";
  case onnx::AttributeProto::GRAPH: return "graph";
  case onnx::AttributeProto::SPARSE_TENSOR: return "sparse tensor";
  case onnx::AttributeProto::TYPE_PROTO: return "type";
  case onnx::AttributeProto::FLOATS: return "floats";
  case onnx::AttributeProto::INTS: return "ints";
  case onnx::AttributeProto::STRINGS: return "strings";
  case onnx::AttributeProto::TENSORS: return "tensors";
  case onnx::AttributeProto::GRAPHS: return "graphs";
  case onnx::AttributeProto::SPARSE_TENSORS: return "sparse tensors";
  case onnx::AttributeProto::TYPE_PROTOS: return "types";
  default: return "undefined";
  }
}

SmallVector<onnx::AttributeProto::AttributeType>
kiln::onnx_import::attributeHeldTypes(const onnx::AttributeProto &a) {
  using A = onnx::AttributeProto;
  SmallVector<A::AttributeType> held;
  auto add = [&](bool has, A::AttributeType type) {
    if (has)
      held.push_back(type);
  };
  add(a.has_f(), A::FLOAT);
  add(a.has_i(), A::INT);
  add(a.has_s(), A::STRING);
  add(a.has_t(), A::TENSOR);
  add(a.has_g(), A::GRAPH);
  add(a.has_sparse_tensor(), A::SPARSE_TENSOR);
  add(a.has_tp(), A::TYPE_PROTO);
  add(a.floats_size() > 0, A::FLOATS);
  add(a.ints_size() > 0, A::INTS);
  add(a.strings_size() > 0, A::STRINGS);
  add(a.tensors_size() > 0, A::TENSORS);
  add(a.graphs_size() > 0, A::GRAPHS);
  add(a.sparse_tensors_size() > 0, A::SPARSE_TENSORS);
  add(a.type_protos_size() > 0, A::TYPE_PROTOS);
  return held;
}

/// The type of an attribute written before the type field existed (IR
/// version 1), from the field that holds its value (validation allows one).
static onnx::AttributeProto::AttributeType impliedType(const onnx::AttributeProto &a) {
  if (a.type() != onnx::AttributeProto::UNDEFINED)
    return a.type();
  SmallVector<onnx::AttributeProto::AttributeType> held = attributeHeldTypes(a);
  return held.empty() ? onnx::AttributeProto::UNDEFINED : held.front();
}

const onnx::AttributeProto *NodeBinder::typed(StringRef name,
                                              onnx::AttributeProto::AttributeType type) {
  const onnx::AttributeProto *a = find(name);
  if (!a)
    return nullptr;
  onnx::AttributeProto::AttributeType found = impliedType(*a);
  if (found == type)
    return a;
  error() << "expects attribute " << quoted(name) << " of type " << attributeTypeName(type)
          << ", found " << attributeTypeName(found);
  return nullptr;
}

int64_t NodeBinder::attrInt(StringRef name, int64_t dflt) {
  const auto *a = typed(name, onnx::AttributeProto::INT);
  return a ? a->i() : dflt;
}

double NodeBinder::attrFloat(StringRef name, double dflt) {
  const auto *a = typed(name, onnx::AttributeProto::FLOAT);
  return a ? a->f() : dflt;
}

std::string NodeBinder::attrString(StringRef name, StringRef dflt) {
  const auto *a = typed(name, onnx::AttributeProto::STRING);
  return a ? a->s() : dflt.str();
}

SmallVector<int64_t> NodeBinder::attrInts(StringRef name) {
  const auto *a = typed(name, onnx::AttributeProto::INTS);
  if (!a)
    return {};
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

SmallVector<float> NodeBinder::attrFloats(StringRef name) {
  const auto *a = typed(name, onnx::AttributeProto::FLOATS);
  if (!a)
    return {};
  return SmallVector<float>(a->floats().begin(), a->floats().end());
}

const onnx::TensorProto *NodeBinder::attrTensor(StringRef name) {
  const auto *a = typed(name, onnx::AttributeProto::TENSOR);
  return a ? &a->t() : nullptr;
}

FailureOr<Entry> NodeBinder::importTensor(const onnx::TensorProto &t) {
  std::string what = "tensor " + quoted(t.name());
  for (const auto &a : proto.attribute())
    if (a.has_t() && &a.t() == &t)
      what = "attribute " + quoted(a.name());
  FailureOr<Entry> e = importer.importTensor(t, loc(), importer.nodeLabel(proto) + ": " + what);
  if (failed(e))
    failedOnce = true;
  return e;
}

const onnx::GraphProto *NodeBinder::attrGraph(StringRef name) {
  const auto *a = typed(name, onnx::AttributeProto::GRAPH);
  return a ? &a->g() : nullptr;
}

FailureOr<SmallVector<Value>> NodeBinder::importSubgraph(const onnx::GraphProto &graph,
                                                         ValueRange args) {
  if (graph.input_size() != static_cast<int>(args.size()))
    return error() << "expects a subgraph of " << args.size() << " inputs, found "
                   << graph.input_size();
  FailureOr<SmallVector<Value>> results = importer.importSubgraph(graph, args, loc());
  if (failed(results))
    failedOnce = true;
  return results;
}
