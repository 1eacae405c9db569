//===- ONNXImporter.cpp - ONNX model -> nn dialect -----------------------===//
//
// One pass over the graph in topological order. Every value either becomes
// an SSA value of the nn function, or, when it is a small integer tensor
// known at compile time (the shape chains exporters emit: Shape, Gather,
// Unsqueeze, Concat, ...), a host constant that is folded here and only
// materialized if a real op consumes it.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/ONNX/ONNXImporter.h"

#include "dialects/NN/NNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/AsmState.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/defs/parser.h"
#include "onnx/onnx_pb.h"
#include "onnx/shape_inference/implementation.h"

#include <fstream>
#include <functional>
#include <map>

using namespace mlir;
using namespace kiln;
using namespace kiln::nn;

namespace {

/// A tensor known at compile time, kept on the host for folding. Only
/// integer data (shapes, axes, indices) is folded; floats are kept as raw
/// bytes and only materialized.
struct HostTensor {
  SmallVector<int64_t> shape;
  Type elementType;
  SmallVector<int64_t> ints; // for integer element types
  bool isInt() const { return isa<IntegerType>(elementType); }
  int64_t numElements() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
};

/// What the importer knows about one ONNX value.
struct Entry {
  Value value;                     // set once materialized
  std::optional<HostTensor> host;  // set for folded integer constants
};

std::vector<std::string> preShapeInferenceProblems(const onnx::ModelProto &model);

class Importer {
public:
  Importer(MLIRContext &ctx, const onnx::ModelProto &model, StringRef path)
      : ctx(ctx), model(model), builder(&ctx), modelDir(llvm::sys::path::parent_path(path)),
        fileName(path) {}

  /// Checks what can be checked before ONNX shape inference: the opset,
  /// unsupported operators (all reported at once) and malformed nodes.
  LogicalResult prepare();
  /// Imports the graph (after shape inference); `prepare` must have succeeded.
  OwningOpRef<ModuleOp> run(const ONNXImportOptions &options);

private:
  using Handler = std::function<LogicalResult(const onnx::NodeProto &)>;

  // Diagnostics.
  InFlightDiagnostic nodeError(const onnx::NodeProto &node);
  Location nodeLoc(const onnx::NodeProto &node);

  // Types and data.
  FailureOr<Type> elementType(int onnxType, Location loc, StringRef what);
  FailureOr<std::vector<char>> tensorBytes(const onnx::TensorProto &t, Type elem,
                                           Location loc);
  FailureOr<Entry> importTensor(const onnx::TensorProto &t, Location loc);
  Value materialize(const HostTensor &h, Location loc);

  // Values.
  FailureOr<Value> input(const onnx::NodeProto &node, int i);
  bool hasInput(const onnx::NodeProto &node, int i) {
    return i < node.input_size() && !node.input(i).empty();
  }
  /// Every input of the node, in order.
  FailureOr<SmallVector<Value>> allInputs(const onnx::NodeProto &node) {
    SmallVector<Value> in;
    for (int i = 0; i < node.input_size(); ++i) {
      FailureOr<Value> v = input(node, i);
      if (failed(v))
        return failure();
      in.push_back(*v);
    }
    return in;
  }
  /// Input `i` when present, a null Value when the node omits it.
  FailureOr<Value> optionalInput(const onnx::NodeProto &node, int i) {
    if (!hasInput(node, i))
      return Value();
    return input(node, i);
  }
  const HostTensor *hostInput(const onnx::NodeProto &node, int i);
  FailureOr<SmallVector<int64_t>> constInts(const onnx::NodeProto &node, int i,
                                            StringRef what);
  void define(const onnx::NodeProto &node, int i, Value v) {
    values[node.output(i)].value = v;
  }
  /// Defines output 0 as `v` when it was built.
  LogicalResult defineResult(const onnx::NodeProto &node, FailureOr<Value> v) {
    if (failed(v))
      return failure();
    define(node, 0, *v);
    return success();
  }
  void defineHost(const onnx::NodeProto &node, int i, HostTensor h) {
    values[node.output(i)] = Entry{Value(), std::move(h)};
  }

  // Attributes.
  const onnx::AttributeProto *attr(const onnx::NodeProto &node, StringRef name);
  int64_t attrInt(const onnx::NodeProto &node, StringRef name, int64_t dflt);
  double attrFloat(const onnx::NodeProto &node, StringRef name, double dflt);
  std::string attrString(const onnx::NodeProto &node, StringRef name, StringRef dflt);
  SmallVector<int64_t> attrInts(const onnx::NodeProto &node, StringRef name);

  /// Builds an nn op whose result type is inferred; inference errors are
  /// reported at the node's location.
  template <typename OpTy, typename... Args>
  FailureOr<Value> create(const onnx::NodeProto &node, Args &&...args);

  // Handlers by family.
  void registerHandlers();
  LogicalResult importConv(const onnx::NodeProto &node);
  LogicalResult importPool(const onnx::NodeProto &node, bool isMax);
  LogicalResult importConvTranspose(const onnx::NodeProto &node);
  LogicalResult importGemm(const onnx::NodeProto &node);
  /// Softmax, LogSoftmax and Hardmax: `along(x, axis)` builds the op along
  /// one axis; before opset 13 the input is first coerced to a matrix.
  LogicalResult importSoftmax(const onnx::NodeProto &node,
                              function_ref<FailureOr<Value>(Value, int64_t)> along);
  /// Hardmax along `axis`: 1 at the first maximum, 0 elsewhere.
  FailureOr<Value> hardmax(const onnx::NodeProto &node, Value x, int64_t axis);
  LogicalResult importLRN(const onnx::NodeProto &node);
  LogicalResult importResize(const onnx::NodeProto &node);
  /// ONNX's einsum equation made explicit for nn.einsum: spaces dropped,
  /// each `...` expanded into capital letters for the operand's extra
  /// dimensions, and an implicit result (no `->`) written out as the
  /// broadcast dimensions then the letters used once, sorted.
  FailureOr<std::string> explicitEinsum(const onnx::NodeProto &node, ArrayRef<Value> inputs);
  LogicalResult importReduce(const onnx::NodeProto &node);
  LogicalResult importArgReduce(const onnx::NodeProto &node, bool isMax);
  LogicalResult importNormalization(const onnx::NodeProto &node);
  LogicalResult importDepthSpace(const onnx::NodeProto &node);
  LogicalResult importLoss(const onnx::NodeProto &node);
  LogicalResult importSlice(const onnx::NodeProto &node);
  LogicalResult importSplit(const onnx::NodeProto &node);
  LogicalResult importPad(const onnx::NodeProto &node);
  LogicalResult importDataMovement(const onnx::NodeProto &node);
  /// True when every present input of `node` is a host constant (so a shape
  /// computation folds it).
  bool allHostInputs(const onnx::NodeProto &node);
  /// A rank-0 constant of element type `elem` (float) holding `v`.
  Value scalarConstant(const onnx::NodeProto &node, Type elem, double v);
  LogicalResult importReshape(const onnx::NodeProto &node);
  LogicalResult importUnsqueezeSqueeze(const onnx::NodeProto &node, bool unsqueeze);
  LogicalResult importClip(const onnx::NodeProto &node);
  LogicalResult importBatchNorm(const onnx::NodeProto &node);
  LogicalResult importConstant(const onnx::NodeProto &node);
  LogicalResult importShapeOps(const onnx::NodeProto &node);
  LogicalResult checkShape(const onnx::NodeProto &node);

  /// Resolves auto_pad into explicit [begin..., end...] pads.
  FailureOr<SmallVector<int64_t>> windowPads(const onnx::NodeProto &node,
                                             ArrayRef<int64_t> inShape,
                                             ArrayRef<int64_t> kernel,
                                             ArrayRef<int64_t> strides,
                                             ArrayRef<int64_t> dilations);

  MLIRContext &ctx;
  const onnx::ModelProto &model;
  OpBuilder builder;
  std::string modelDir, fileName;
  int64_t opset = 0;
  std::map<std::string, Entry> values;
  llvm::StringMap<Handler> handlers;
  std::map<std::string, const onnx::TypeProto *> inferredTypes;
  unsigned resourceCounter = 0;
};

//===----------------------------------------------------------------------===//
// Diagnostics, types, data
//===----------------------------------------------------------------------===//

Location Importer::nodeLoc(const onnx::NodeProto &node) {
  std::string name = node.name().empty() ? node.output_size() ? node.output(0) : "" : node.name();
  return NameLoc::get(StringAttr::get(&ctx, name),
                      FileLineColLoc::get(&ctx, fileName, 0, 0));
}

InFlightDiagnostic Importer::nodeError(const onnx::NodeProto &node) {
  std::string name = node.name().empty() && node.output_size() ? node.output(0) : node.name();
  return emitError(nodeLoc(node)) << "node '" << name << "' (" << node.op_type()
                                  << ", opset " << opset << "): ";
}

FailureOr<Type> Importer::elementType(int t, Location loc, StringRef what) {
  switch (t) {
  case onnx::TensorProto::FLOAT:
    return Type(builder.getF32Type());
  case onnx::TensorProto::DOUBLE:
    return Type(builder.getF64Type());
  case onnx::TensorProto::INT64:
    return Type(builder.getI64Type());
  case onnx::TensorProto::INT32:
    return Type(builder.getI32Type());
  case onnx::TensorProto::INT16:
    return Type(builder.getIntegerType(16));
  case onnx::TensorProto::INT8:
    return Type(builder.getIntegerType(8));
  case onnx::TensorProto::BOOL:
    return Type(builder.getI1Type());
  default:
    return emitError(loc) << what << ": unsupported element type "
                          << onnx::TensorProto::DataType_Name(
                                 static_cast<onnx::TensorProto::DataType>(t))
                          << " (supported: float, double, int8, int16, int32, int64, bool)";
  }
}

FailureOr<std::vector<char>> Importer::tensorBytes(const onnx::TensorProto &t, Type elem,
                                                   Location loc) {
  int64_t n = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || d > (int64_t(1) << 40) / std::max<int64_t>(n, 1))
      return emitError(loc) << "tensor '" << t.name() << "' has an invalid dimension " << d;
    n *= d;
  }
  size_t width = elem.isInteger(1) ? 1 : elem.getIntOrFloatBitWidth() / 8;
  std::vector<char> bytes(n * width);
  auto fromRaw = [&](const std::string &raw) -> LogicalResult {
    if (raw.size() != bytes.size())
      return emitError(loc) << "tensor '" << t.name() << "' holds " << raw.size()
                            << " bytes, expected " << bytes.size();
    std::copy(raw.begin(), raw.end(), bytes.begin());
    return success();
  };
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    std::string location;
    int64_t offset = 0, length = -1;
    for (const auto &kv : t.external_data()) {
      if (kv.key() == "location")
        location = kv.value();
      else if (kv.key() == "offset")
        offset = std::stoll(kv.value());
      else if (kv.key() == "length")
        length = std::stoll(kv.value());
    }
    llvm::SmallString<256> full(modelDir);
    llvm::sys::path::append(full, location);
    std::ifstream in(std::string(full), std::ios::binary);
    if (location.empty() || !in)
      return emitError(loc) << "tensor '" << t.name() << "': cannot open external data file '"
                            << full << "'";
    if (length < 0)
      length = bytes.size();
    std::string raw(length, '\0');
    in.seekg(offset);
    if (!in.read(raw.data(), length))
      return emitError(loc) << "tensor '" << t.name() << "': external data file '" << full
                            << "' is shorter than offset " << offset << " + length " << length;
    if (failed(fromRaw(raw)))
      return failure();
    return bytes;
  }
  if (t.has_raw_data()) {
    if (failed(fromRaw(t.raw_data())))
      return failure();
    return bytes;
  }
  auto copyTyped = [&](const auto &field, auto tag) -> LogicalResult {
    using T = decltype(tag);
    if (static_cast<int64_t>(field.size()) != n)
      return emitError(loc) << "tensor '" << t.name() << "' holds " << field.size()
                            << " values, expected " << n;
    for (int64_t i = 0; i < n; ++i) {
      T v = static_cast<T>(field.Get(i));
      std::memcpy(bytes.data() + i * width, &v, width);
    }
    return success();
  };
  LogicalResult ok = success();
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    ok = copyTyped(t.float_data(), float());
    break;
  case onnx::TensorProto::DOUBLE:
    ok = copyTyped(t.double_data(), double());
    break;
  case onnx::TensorProto::INT64:
    ok = copyTyped(t.int64_data(), int64_t());
    break;
  case onnx::TensorProto::INT32:
    ok = copyTyped(t.int32_data(), int32_t());
    break;
  case onnx::TensorProto::INT16:
    ok = copyTyped(t.int32_data(), int16_t());
    break;
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::BOOL:
    ok = copyTyped(t.int32_data(), int8_t());
    break;
  default:
    return emitError(loc) << "tensor '" << t.name() << "': unsupported data type";
  }
  if (failed(ok))
    return failure();
  return bytes;
}

FailureOr<Entry> Importer::importTensor(const onnx::TensorProto &t, Location loc) {
  FailureOr<Type> elem = elementType(t.data_type(), loc, "tensor '" + t.name() + "'");
  if (failed(elem))
    return failure();
  FailureOr<std::vector<char>> bytes = tensorBytes(t, *elem, loc);
  if (failed(bytes))
    return failure();
  SmallVector<int64_t> shape(t.dims().begin(), t.dims().end());
  auto type = RankedTensorType::get(shape, *elem);
  Entry e;
  int64_t n = type.getNumElements();
  // Small integer tensors are folded on the host (shapes, axes).
  if (isa<IntegerType>(*elem) && !elem->isInteger(1) && n <= 4096) {
    HostTensor h{shape, *elem, {}};
    size_t width = elem->getIntOrFloatBitWidth() / 8;
    for (int64_t i = 0; i < n; ++i) {
      int64_t v = 0;
      switch (width) {
      case 1: v = reinterpret_cast<const int8_t *>(bytes->data())[i]; break;
      case 2: v = reinterpret_cast<const int16_t *>(bytes->data())[i]; break;
      case 4: v = reinterpret_cast<const int32_t *>(bytes->data())[i]; break;
      default: v = reinterpret_cast<const int64_t *>(bytes->data())[i]; break;
      }
      h.ints.push_back(v);
    }
    e.host = std::move(h);
    return e;
  }
  ElementsAttr value;
  if (elem->isInteger(1)) {
    SmallVector<bool> bits(bytes->begin(), bytes->end());
    value = DenseElementsAttr::get(type, ArrayRef<bool>(bits));
  } else if (n <= 16) {
    value = DenseElementsAttr::getFromRawBuffer(type, *bytes);
  } else {
    // Weights live once in a resource blob however many ops use them.
    size_t align = elem->getIntOrFloatBitWidth() / 8;
    AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
        ArrayRef<char>(*bytes), align);
    std::string name = t.name().empty() ? "weight" + std::to_string(resourceCounter++) : t.name();
    value = DenseResourceElementsAttr::get(type, name, std::move(blob));
  }
  e.value = builder.create<ConstantOp>(loc, value);
  return e;
}

Value Importer::materialize(const HostTensor &h, Location loc) {
  auto type = RankedTensorType::get(h.shape, h.elementType);
  SmallVector<APInt> ints;
  for (int64_t v : h.ints)
    ints.push_back(APInt(h.elementType.getIntOrFloatBitWidth(), v, /*isSigned=*/true));
  return builder.create<ConstantOp>(loc, DenseElementsAttr::get(type, ints));
}

FailureOr<Value> Importer::input(const onnx::NodeProto &node, int i) {
  if (!hasInput(node, i))
    return nodeError(node) << "expects input " << i;
  auto it = values.find(node.input(i));
  if (it == values.end())
    return nodeError(node) << "input '" << node.input(i) << "' is not defined before use";
  Entry &e = it->second;
  if (!e.value)
    e.value = materialize(*e.host, nodeLoc(node));
  return e.value;
}

const HostTensor *Importer::hostInput(const onnx::NodeProto &node, int i) {
  if (!hasInput(node, i))
    return nullptr;
  auto it = values.find(node.input(i));
  if (it == values.end() || !it->second.host)
    return nullptr;
  return &*it->second.host;
}

FailureOr<SmallVector<int64_t>> Importer::constInts(const onnx::NodeProto &node, int i,
                                                    StringRef what) {
  const HostTensor *h = hostInput(node, i);
  if (!h)
    return nodeError(node) << "expects " << what
                           << " (input " << i << ") to be a constant known at compile time";
  return SmallVector<int64_t>(h->ints);
}

const onnx::AttributeProto *Importer::attr(const onnx::NodeProto &node, StringRef name) {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t Importer::attrInt(const onnx::NodeProto &node, StringRef name, int64_t dflt) {
  const auto *a = attr(node, name);
  return a ? a->i() : dflt;
}

double Importer::attrFloat(const onnx::NodeProto &node, StringRef name, double dflt) {
  const auto *a = attr(node, name);
  return a ? a->f() : dflt;
}

std::string Importer::attrString(const onnx::NodeProto &node, StringRef name,
                                 StringRef dflt) {
  const auto *a = attr(node, name);
  return a ? a->s() : dflt.str();
}

SmallVector<int64_t> Importer::attrInts(const onnx::NodeProto &node, StringRef name) {
  const auto *a = attr(node, name);
  if (!a)
    return {};
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

template <typename OpTy, typename... Args>
FailureOr<Value> Importer::create(const onnx::NodeProto &node, Args &&...args) {
  Location loc = nodeLoc(node);
  // Built with a placeholder type, then typed by the op's own inference so
  // bad shapes are reported rather than asserted on.
  Type placeholder = RankedTensorType::get({}, builder.getF32Type());
  auto op = builder.create<OpTy>(loc, placeholder, std::forward<Args>(args)...);
  SmallVector<Type> types;
  if (failed(OpTy::inferReturnTypes(&ctx, loc, op->getOperands(), op->getAttrDictionary(),
                                    op->getPropertiesStorage(), op->getRegions(), types))) {
    op->erase();
    nodeError(node) << "the operands and attributes above are not valid for "
                    << OpTy::getOperationName();
    return failure();
  }
  op->getResult(0).setType(types.front());
  return op->getResult(0);
}

static RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

//===----------------------------------------------------------------------===//
// Handlers
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<int64_t>>
Importer::windowPads(const onnx::NodeProto &node, ArrayRef<int64_t> inShape,
                     ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                     ArrayRef<int64_t> dilations) {
  size_t n = kernel.size();
  std::string autoPad = attrString(node, "auto_pad", "NOTSET");
  SmallVector<int64_t> pads = attrInts(node, "pads");
  if (autoPad == "NOTSET") {
    if (pads.empty())
      pads.assign(2 * n, 0);
    return pads;
  }
  pads.assign(2 * n, 0);
  if (autoPad == "VALID")
    return pads;
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return nodeError(node) << "unknown auto_pad '" << autoPad << "'";
  for (size_t i = 0; i < n; ++i) {
    int64_t in = inShape[2 + i];
    int64_t out = (in + strides[i] - 1) / strides[i];
    int64_t total = std::max<int64_t>(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in);
    int64_t small = total / 2, big = total - small;
    pads[i] = autoPad == "SAME_UPPER" ? small : big;
    pads[i + n] = autoPad == "SAME_UPPER" ? big : small;
  }
  return pads;
}

LogicalResult Importer::importConv(const onnx::NodeProto &node) {
  FailureOr<Value> x = input(node, 0), w = input(node, 1);
  if (failed(x) || failed(w))
    return failure();
  FailureOr<Value> biasInput = optionalInput(node, 2);
  if (failed(biasInput))
    return failure();
  Value bias = *biasInput;
  ArrayRef<int64_t> wShape = typeOf(*w).getShape();
  if (wShape.size() < 3 || wShape.size() > 5)
    return nodeError(node) << "supports 1-D, 2-D and 3-D convolution, found a weight of rank "
                           << wShape.size();
  SmallVector<int64_t> kernel(wShape.drop_front(2));
  size_t n = kernel.size();
  SmallVector<int64_t> strides = attrInts(node, "strides"), dilations = attrInts(node, "dilations");
  if (strides.empty())
    strides.assign(n, 1);
  if (dilations.empty())
    dilations.assign(n, 1);
  if (typeOf(*x).getRank() != static_cast<int64_t>(n + 2))
    return nodeError(node) << "expects an input of rank " << n + 2 << ", found "
                           << typeOf(*x).getRank();
  FailureOr<SmallVector<int64_t>> pads =
      windowPads(node, typeOf(*x).getShape(), kernel, strides, dilations);
  if (failed(pads))
    return failure();
  return defineResult(node, create<ConvOp>(
      node, *x, *w, bias, builder.getDenseI64ArrayAttr(strides),
      builder.getDenseI64ArrayAttr(*pads), builder.getDenseI64ArrayAttr(dilations),
      builder.getI64IntegerAttr(attrInt(node, "group", 1))));
}

/// ConvTranspose as a stride-1 convolution: the input with `stride - 1`
/// zeros between elements (reshape, pad, reshape, slice), padded by
/// `dilation * (kernel - 1) - pad` (plus output_padding at the end), with
/// the weight regrouped from [C_in, C_out/g, k...] to [C_out, C_in/g, k...]
/// and flipped spatially (slices with stride -1).
LogicalResult Importer::importConvTranspose(const onnx::NodeProto &node) {
  FailureOr<Value> x = input(node, 0), w = input(node, 1);
  if (failed(x) || failed(w))
    return failure();
  FailureOr<Value> biasInput = optionalInput(node, 2);
  if (failed(biasInput))
    return failure();
  Value bias = *biasInput;
  Location loc = nodeLoc(node);
  RankedTensorType xt = typeOf(*x), wt = typeOf(*w);
  ArrayRef<int64_t> wShape = wt.getShape();
  if (wShape.size() < 3 || wShape.size() > 5 || xt.getRank() != wt.getRank())
    return nodeError(node) << "supports 1-D, 2-D and 3-D transposed convolution with an input of the "
                              "weight's rank, found weight rank "
                           << wShape.size() << " and input rank " << xt.getRank();
  int64_t n = wShape.size() - 2, group = attrInt(node, "group", 1);
  int64_t cin = wShape[0], coutPerGroup = wShape[1];
  if (group <= 0 || cin % group || xt.getDimSize(1) != cin)
    return nodeError(node) << "expects " << cin << " input channels divisible by group " << group
                           << ", found " << xt.getDimSize(1);
  SmallVector<int64_t> kernel(wShape.drop_front(2));
  SmallVector<int64_t> strides = attrInts(node, "strides"), dilations = attrInts(node, "dilations"),
                       outPad = attrInts(node, "output_padding"), pads = attrInts(node, "pads");
  if (strides.empty())
    strides.assign(n, 1);
  if (dilations.empty())
    dilations.assign(n, 1);
  if (outPad.empty())
    outPad.assign(n, 0);
  SmallVector<int64_t> outputShape = attrInts(node, "output_shape");
  std::string autoPad = attrString(node, "auto_pad", "NOTSET");
  if (!outputShape.empty() && static_cast<int64_t>(outputShape.size()) > n)
    outputShape.erase(outputShape.begin(), outputShape.end() - n);
  if (outputShape.empty() && (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER"))
    for (int64_t i = 0; i < n; ++i)
      outputShape.push_back(xt.getDimSize(2 + i) * strides[i]);
  if (!outputShape.empty()) {
    // Pads that give the requested output size.
    pads.assign(2 * n, 0);
    for (int64_t i = 0; i < n; ++i) {
      int64_t total = strides[i] * (xt.getDimSize(2 + i) - 1) + outPad[i] +
                      (kernel[i] - 1) * dilations[i] + 1 - outputShape[i];
      // Floor division, as ONNX's reference computes it (total < 0 when the
      // requested output is larger than the natural one).
      int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
      pads[i] = autoPad == "SAME_UPPER" ? half : total - half;
      pads[n + i] = total - pads[i];
    }
  }
  if (pads.empty())
    pads.assign(2 * n, 0);
  if (static_cast<int64_t>(strides.size()) != n || static_cast<int64_t>(dilations.size()) != n ||
      static_cast<int64_t>(outPad.size()) != n || static_cast<int64_t>(pads.size()) != 2 * n)
    return nodeError(node) << "expects strides, dilations and output_padding of " << n
                           << " values and pads of " << 2 * n;

  // 1. Zeros between input elements: [N, C, H, W] -> [N, C, H, 1, W, 1] ->
  //    pad the unit dims to the stride -> [N, C, H*s, W*s] -> drop the tail.
  Value in = *x;
  if (llvm::any_of(strides, [](int64_t v) { return v != 1; })) {
    SmallVector<int64_t> split{xt.getDimSize(0), cin}, high(2 + 2 * n, 0), merged{xt.getDimSize(0), cin};
    for (int64_t i = 0; i < n; ++i) {
      split.append({xt.getDimSize(2 + i), 1});
      high[2 + 2 * i + 1] = strides[i] - 1;
      merged.push_back(xt.getDimSize(2 + i) * strides[i]);
    }
    Value parts = builder.create<ReshapeOp>(loc, xt.clone(split), in);
    FailureOr<Value> spread = create<PadOp>(
        node, parts, builder.getDenseI64ArrayAttr(SmallVector<int64_t>(2 + 2 * n, 0)),
        builder.getDenseI64ArrayAttr(high), builder.getF64FloatAttr(0.0));
    if (failed(spread))
      return failure();
    Value flat = builder.create<ReshapeOp>(loc, xt.clone(merged), *spread);
    SmallVector<int64_t> sizes(merged), ones(2 + n, 1), zeros(2 + n, 0);
    for (int64_t i = 0; i < n; ++i)
      sizes[2 + i] = (xt.getDimSize(2 + i) - 1) * strides[i] + 1;
    FailureOr<Value> cut = create<SliceOp>(node, flat, builder.getDenseI64ArrayAttr(zeros),
                                           builder.getDenseI64ArrayAttr(sizes),
                                           builder.getDenseI64ArrayAttr(ones));
    if (failed(cut))
      return failure();
    in = *cut;
  }
  // 2. The padding of the equivalent direct convolution.
  SmallVector<int64_t> convPads(2 * n);
  for (int64_t i = 0; i < n; ++i) {
    int64_t full = dilations[i] * (kernel[i] - 1);
    convPads[i] = full - pads[i];
    convPads[n + i] = full - pads[n + i] + outPad[i];
    if (convPads[i] < 0 || convPads[n + i] < 0)
      return nodeError(node) << "pads larger than dilation * (kernel - 1) are not supported, "
                                "found pads "
                             << pads[i] << " and " << pads[n + i] << " for kernel " << kernel[i];
  }
  // 3. The weight regrouped and flipped.
  SmallVector<int64_t> grouped{group, cin / group, coutPerGroup};
  grouped.append(kernel.begin(), kernel.end());
  SmallVector<int64_t> perm{0, 2, 1};
  for (int64_t i = 0; i < n; ++i)
    perm.push_back(3 + i);
  Value wg = builder.create<ReshapeOp>(loc, wt.clone(grouped), *w);
  FailureOr<Value> swapped = create<TransposeOp>(node, wg, builder.getDenseI64ArrayAttr(perm));
  if (failed(swapped))
    return failure();
  SmallVector<int64_t> direct{group * coutPerGroup, cin / group};
  direct.append(kernel.begin(), kernel.end());
  Value wd = builder.create<ReshapeOp>(loc, wt.clone(direct), *swapped);
  SmallVector<int64_t> offsets(2 + n, 0), steps(2 + n, 1);
  for (int64_t i = 0; i < n; ++i) {
    offsets[2 + i] = kernel[i] - 1;
    steps[2 + i] = -1;
  }
  FailureOr<Value> flipped = create<SliceOp>(node, wd, builder.getDenseI64ArrayAttr(offsets),
                                             builder.getDenseI64ArrayAttr(direct),
                                             builder.getDenseI64ArrayAttr(steps));
  if (failed(flipped))
    return failure();
  return defineResult(node, create<ConvOp>(node, in, *flipped, bias,
                                           builder.getDenseI64ArrayAttr(SmallVector<int64_t>(n, 1)),
                                           builder.getDenseI64ArrayAttr(convPads),
                                           builder.getDenseI64ArrayAttr(dilations),
                                           builder.getI64IntegerAttr(group)));
}

LogicalResult Importer::importPool(const onnx::NodeProto &node, bool isMax) {
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  if (node.output_size() > 1 && !node.output(1).empty())
    return nodeError(node) << "the Indices output of MaxPool is not supported";
  SmallVector<int64_t> kernel = attrInts(node, "kernel_shape");
  size_t n = kernel.size();
  if (n < 1 || n > 3)
    return nodeError(node) << "supports 1-D, 2-D and 3-D pooling, found kernel_shape of rank " << n;
  if (typeOf(*x).getRank() != static_cast<int64_t>(n + 2))
    return nodeError(node) << "expects an input of rank " << n + 2 << ", found "
                           << typeOf(*x).getRank();
  SmallVector<int64_t> strides = attrInts(node, "strides"), dilations = attrInts(node, "dilations");
  if (strides.empty())
    strides.assign(n, 1);
  if (dilations.empty())
    dilations.assign(n, 1);
  if (attrInt(node, "storage_order", 0) != 0)
    return nodeError(node) << "storage_order = 1 is not supported";
  if (!isMax && llvm::any_of(dilations, [](int64_t d) { return d != 1; }))
    return nodeError(node) << "AveragePool with dilations is not supported";
  FailureOr<SmallVector<int64_t>> pads =
      windowPads(node, typeOf(*x).getShape(), kernel, strides, dilations);
  if (failed(pads))
    return failure();
  bool ceil = attrInt(node, "ceil_mode", 0) != 0;
  return defineResult(node,
      isMax ? create<MaxPoolOp>(node, *x, builder.getDenseI64ArrayAttr(kernel),
                                builder.getDenseI64ArrayAttr(strides),
                                builder.getDenseI64ArrayAttr(*pads),
                                builder.getDenseI64ArrayAttr(dilations), builder.getBoolAttr(ceil))
            : create<AveragePoolOp>(node, *x, builder.getDenseI64ArrayAttr(kernel),
                                    builder.getDenseI64ArrayAttr(strides),
                                    builder.getDenseI64ArrayAttr(*pads), builder.getBoolAttr(ceil),
                                    builder.getBoolAttr(attrInt(node, "count_include_pad", 0) != 0)));
}

LogicalResult Importer::importGemm(const onnx::NodeProto &node) {
  FailureOr<Value> a = input(node, 0), b = input(node, 1);
  if (failed(a) || failed(b))
    return failure();
  FailureOr<Value> cInput = optionalInput(node, 2);
  if (failed(cInput))
    return failure();
  Value c = *cInput;
  return defineResult(node, create<GemmOp>(
      node, *a, *b, c, builder.getF64FloatAttr(attrFloat(node, "alpha", 1.0)),
      builder.getF64FloatAttr(attrFloat(node, "beta", 1.0)),
      builder.getBoolAttr(attrInt(node, "transA", 0) != 0),
      builder.getBoolAttr(attrInt(node, "transB", 0) != 0)));
}

LogicalResult Importer::importSoftmax(const onnx::NodeProto &node,
                                      function_ref<FailureOr<Value>(Value, int64_t)> along) {
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  RankedTensorType t = typeOf(*x);
  int64_t rank = t.getRank();
  if (opset >= 13)
    return defineResult(node, along(*x, attrInt(node, "axis", -1)));
  // Before opset 13 the input is coerced to a matrix at `axis` and the op
  // runs over its rows.
  int64_t axis = attrInt(node, "axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis > rank)
    return nodeError(node) << "expects axis in [" << -rank << ", " << rank << "], found "
                           << attrInt(node, "axis", 1);
  FailureOr<Value> flat = create<FlattenOp>(node, *x, builder.getI64IntegerAttr(axis));
  if (failed(flat))
    return failure();
  FailureOr<Value> y = along(*flat, 1);
  if (failed(y))
    return failure();
  define(node, 0, builder.create<ReshapeOp>(nodeLoc(node), t, *y));
  return success();
}

FailureOr<Value> Importer::hardmax(const onnx::NodeProto &node, Value x, int64_t axis) {
  RankedTensorType t = typeOf(x);
  int64_t rank = t.getRank();
  if (rank == 0 || axis < -rank || axis >= rank)
    return nodeError(node) << "expects axis in [" << -rank << ", " << rank - 1 << "], found "
                           << axis;
  if (axis < 0)
    axis += rank;
  FailureOr<Value> am = create<ArgMaxOp>(node, x, builder.getI64IntegerAttr(axis),
                                         builder.getBoolAttr(true), builder.getBoolAttr(false));
  if (failed(am))
    return failure();
  // Positions 0..n-1 along the axis, compared with the arg max.
  int64_t n = t.getDimSize(axis);
  SmallVector<int64_t> shape(rank, 1);
  shape[axis] = n;
  SmallVector<APInt> positions;
  for (int64_t i = 0; i < n; ++i)
    positions.push_back(APInt(64, i));
  Value iota = builder.create<ConstantOp>(
      nodeLoc(node), DenseElementsAttr::get(RankedTensorType::get(shape, builder.getI64Type()),
                                            positions));
  FailureOr<Value> hit = create<EqualOp>(node, *am, iota);
  if (failed(hit))
    return failure();
  return Value(builder.create<CastOp>(nodeLoc(node), t, *hit));
}

/// Resize (and Upsample) with constant scales or sizes, nearest or linear,
/// one axis at a time (both are separable): nearest is an nn.gather of
/// constant source indices; linear blends two such gathers with constant
/// weights. Source coordinates follow `coordinate_transformation_mode`;
/// neighbors outside the input take the edge value.
LogicalResult Importer::importResize(const onnx::NodeProto &node) {
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  RankedTensorType t = typeOf(*x);
  int64_t rank = t.getRank();
  bool upsample = node.op_type() == "Upsample";
  std::string mode = attrString(node, "mode", "nearest");
  std::string coord = upsample ? "asymmetric"
                               : attrString(node, "coordinate_transformation_mode",
                                            opset < 11 ? "asymmetric" : "half_pixel");
  // Upsample and Resize-10 have no nearest_mode: they take the floor.
  std::string nearestMode = upsample || opset < 11
                                ? "floor"
                                : attrString(node, "nearest_mode", "round_prefer_floor");
  if (mode != "nearest" && mode != "linear" && mode != "bilinear")
    return nodeError(node) << "mode '" << mode << "' is not supported (supported: nearest, linear)";
  static const llvm::StringSet<> coords = {"half_pixel", "pytorch_half_pixel", "align_corners",
                                           "asymmetric", "tf_half_pixel_for_nn"};
  if (!coords.contains(coord))
    return nodeError(node) << "coordinate_transformation_mode '" << coord << "' is not supported";
  if (attrInt(node, "antialias", 0) != 0 || !attrInts(node, "axes").empty() ||
      attrString(node, "keep_aspect_ratio_policy", "stretch") != "stretch")
    return nodeError(node) << "antialias, axes and keep_aspect_ratio_policy are not supported";

  // Scales (floats) or sizes (ints), constants at compile time.
  SmallVector<double> scales;
  SmallVector<int64_t> sizes;
  int scalesInput = upsample || opset < 11 ? 1 : 2, sizesInput = 3;
  if (upsample && opset < 9) {
    for (float f : attr(node, "scales") ? attr(node, "scales")->floats()
                                        : google::protobuf::RepeatedField<float>())
      scales.push_back(f);
  } else if (hasInput(node, scalesInput) && !(hasInput(node, sizesInput))) {
    FailureOr<Value> sv = input(node, scalesInput);
    if (failed(sv))
      return failure();
    auto c = sv->getDefiningOp<ConstantOp>();
    auto dense = c ? dyn_cast<DenseElementsAttr>(c.getValue()) : DenseElementsAttr();
    if (!dense || !isa<FloatType>(dense.getElementType()))
      return nodeError(node) << "expects scales (input " << scalesInput
                             << ") to be a float constant known at compile time";
    for (APFloat f : dense.getValues<APFloat>())
      scales.push_back(f.convertToDouble());
  }
  if (hasInput(node, sizesInput)) {
    FailureOr<SmallVector<int64_t>> sz = constInts(node, sizesInput, "sizes");
    if (failed(sz))
      return failure();
    sizes = *sz;
  }
  if (scales.empty() && sizes.empty())
    return nodeError(node) << "expects constant scales or sizes";
  if ((!scales.empty() && static_cast<int64_t>(scales.size()) != rank) ||
      (!sizes.empty() && static_cast<int64_t>(sizes.size()) != rank))
    return nodeError(node) << "expects one scale or size per input dimension (" << rank << ")";

  Value y = *x;
  Type elem = t.getElementType();
  for (int64_t a = 0; a < rank; ++a) {
    int64_t in = t.getDimSize(a);
    int64_t out = sizes.empty() ? static_cast<int64_t>(std::floor(in * scales[a])) : sizes[a];
    double scale = sizes.empty() ? scales[a] : static_cast<double>(out) / in;
    if (out <= 0 || scale <= 0)
      return nodeError(node) << "expects a positive output size along axis " << a << ", found "
                             << out;
    if (out == in && scale == 1.0)
      continue;
    auto source = [&](int64_t i) -> double {
      // The integer output length, as PyTorch and ONNX Runtime compute it.
      if (coord == "align_corners")
        return out == 1 ? 0.0 : static_cast<double>(i) * (in - 1) / (out - 1);
      if (coord == "asymmetric")
        return i / scale;
      if (coord == "tf_half_pixel_for_nn")
        return (i + 0.5) / scale;
      if (coord == "pytorch_half_pixel" && out == 1)
        return 0.0;
      return (i + 0.5) / scale - 0.5;
    };
    auto clampIndex = [&](int64_t k) { return std::clamp<int64_t>(k, 0, in - 1); };
    SmallVector<int64_t> idx0, idx1;
    SmallVector<float> w1;
    for (int64_t i = 0; i < out; ++i) {
      double s = source(i);
      if (mode == "nearest") {
        double fl = std::floor(s);
        int64_t k;
        if (nearestMode == "floor")
          k = static_cast<int64_t>(fl);
        else if (nearestMode == "ceil")
          k = static_cast<int64_t>(std::ceil(s));
        else if (s - fl == 0.5)
          k = static_cast<int64_t>(nearestMode == "round_prefer_ceil" ? fl + 1 : fl);
        else
          k = static_cast<int64_t>(std::round(s));
        idx0.push_back(clampIndex(k));
      } else {
        double fl = std::floor(s);
        idx0.push_back(clampIndex(static_cast<int64_t>(fl)));
        idx1.push_back(clampIndex(static_cast<int64_t>(fl) + 1));
        w1.push_back(static_cast<float>(s - fl));
      }
    }
    auto indexConstant = [&](ArrayRef<int64_t> v) -> Value {
      return builder.create<ConstantOp>(
          nodeLoc(node),
          DenseElementsAttr::get(RankedTensorType::get({out}, builder.getI64Type()), v));
    };
    IntegerAttr axis = builder.getI64IntegerAttr(a);
    FailureOr<Value> g0 = create<GatherOp>(node, y, indexConstant(idx0), axis);
    if (failed(g0))
      return failure();
    if (mode == "nearest") {
      y = *g0;
      continue;
    }
    if (!isa<FloatType>(elem))
      return nodeError(node) << "linear resize expects a float input, found " << elem;
    FailureOr<Value> g1 = create<GatherOp>(node, y, indexConstant(idx1), axis);
    if (failed(g1))
      return failure();
    // y = g0 + (g1 - g0) * w1, the weights along the axis.
    SmallVector<int64_t> wShape(rank - a, 1);
    wShape[0] = out;
    SmallVector<double> w1d(w1.begin(), w1.end());
    auto wType = RankedTensorType::get(wShape, elem);
    Value weights = builder.create<ConstantOp>(
        nodeLoc(node),
        isa<Float64Type>(elem) ? DenseElementsAttr::get(wType, ArrayRef<double>(w1d))
                               : DenseElementsAttr::get(wType, ArrayRef<float>(w1)));
    FailureOr<Value> diff = create<SubOp>(node, *g1, *g0);
    if (succeeded(diff))
      diff = create<MulOp>(node, *diff, weights);
    if (succeeded(diff))
      diff = create<AddOp>(node, *g0, *diff);
    if (failed(diff))
      return failure();
    y = *diff;
  }
  define(node, 0, y);
  return success();
}

FailureOr<std::string> Importer::explicitEinsum(const onnx::NodeProto &node,
                                                 ArrayRef<Value> inputs) {
  std::string eq;
  for (char c : attrString(node, "equation", ""))
    if (c != ' ')
      eq.push_back(c);
  StringRef text(eq);
  auto [lhs, rhs] = text.split("->");
  bool implicit = lhs.size() == text.size();
  SmallVector<StringRef> parts;
  lhs.split(parts, ',');
  if (parts.size() != inputs.size())
    return nodeError(node) << "the equation '" << eq << "' names " << parts.size()
                           << " operands, found " << inputs.size();
  // Broadcast dimensions: the largest number any operand's `...` stands for.
  int64_t ellipsis = 0;
  for (auto [part, v] : llvm::zip(parts, inputs)) {
    int64_t named = static_cast<int64_t>(part.size()) - (part.contains("...") ? 3 : 0);
    if (part.contains("..."))
      ellipsis = std::max(ellipsis, typeOf(v).getRank() - named);
  }
  // Letters the equation does not use stand for the broadcast dimensions.
  std::string spare;
  for (char c : std::string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
    if (eq.find(c) == std::string::npos)
      spare.push_back(c);
  if (ellipsis > static_cast<int64_t>(spare.size()))
    return nodeError(node) << "too many broadcast dimensions";
  auto expand = [&](StringRef part, int64_t rank) {
    std::string out;
    size_t at = part.find("...");
    if (at == StringRef::npos)
      return part.str();
    int64_t count = rank - (static_cast<int64_t>(part.size()) - 3);
    out = part.substr(0, at).str();
    for (int64_t i = ellipsis - count; i < ellipsis; ++i)
      out.push_back(spare[i]);
    return out + part.substr(at + 3).str();
  };
  std::string result;
  std::map<char, int> counts;
  std::string explicitLhs;
  for (auto [i, part] : llvm::enumerate(parts)) {
    std::string e = expand(part, typeOf(inputs[i]).getRank());
    for (char c : e)
      ++counts[c];
    explicitLhs += (i ? "," : "") + e;
  }
  if (implicit) {
    result = spare.substr(0, ellipsis);
    for (auto [c, n] : counts)
      if (n == 1 && spare.substr(0, ellipsis).find(c) == std::string::npos)
        result.push_back(c);
  } else {
    std::string r;
    size_t at = rhs.find("...");
    if (at == StringRef::npos) {
      r = rhs.str();
    } else {
      r = rhs.substr(0, at).str();
      r += spare.substr(0, ellipsis) + rhs.substr(at + 3).str();
    }
    result = r;
  }
  return explicitLhs + "->" + result;
}

/// LRN across channels: `x / (bias + alpha / size * sum(x^2 over the size
/// nearest channels))^beta`, the windowed sum an average pool (padding
/// counted) over [N, 1, C, H*W] times `size`.
LogicalResult Importer::importLRN(const onnx::NodeProto &node) {
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  RankedTensorType t = typeOf(*x);
  int64_t size = attrInt(node, "size", 0);
  if (t.getRank() < 3 || size < 1 || !t.hasStaticShape())
    return nodeError(node) << "expects a static input of rank >= 3 and size >= 1, found rank "
                           << t.getRank() << " and size " << size;
  double alpha = attrFloat(node, "alpha", 1e-4), beta = attrFloat(node, "beta", 0.75),
         bias = attrFloat(node, "bias", 1.0);
  int64_t n = t.getDimSize(0), c = t.getDimSize(1), rest = t.getNumElements() / (n * c);
  Type elem = t.getElementType();
  FailureOr<Value> sq = create<MulOp>(node, *x, *x);
  if (failed(sq))
    return failure();
  Value planes = builder.create<ReshapeOp>(nodeLoc(node), t.clone({n, 1, c, rest}), *sq);
  auto ints = [&](ArrayRef<int64_t> v) { return builder.getDenseI64ArrayAttr(v); };
  int64_t before = (size - 1) / 2, after = size - 1 - before;
  FailureOr<Value> avg = create<AveragePoolOp>(node, planes, ints({size, 1}), ints({1, 1}),
                                               ints({before, 0, after, 0}),
                                               builder.getBoolAttr(false), builder.getBoolAttr(true));
  if (failed(avg))
    return failure();
  Value sum = builder.create<ReshapeOp>(nodeLoc(node), t, *avg);
  // bias + alpha * mean (the mean over `size` channels is sum / size).
  FailureOr<Value> scaled = create<MulOp>(node, sum, scalarConstant(node, elem, alpha));
  if (succeeded(scaled))
    scaled = create<AddOp>(node, *scaled, scalarConstant(node, elem, bias));
  if (succeeded(scaled))
    scaled = create<PowOp>(node, *scaled, scalarConstant(node, elem, beta));
  if (failed(scaled))
    return failure();
  return defineResult(node, create<DivOp>(node, *x, *scaled));
}

Value Importer::scalarConstant(const onnx::NodeProto &node, Type elem, double v) {
  auto type = RankedTensorType::get({}, elem);
  return builder.create<ConstantOp>(nodeLoc(node),
                                    DenseElementsAttr::get(type, builder.getFloatAttr(elem, v)));
}

/// Reduce{Sum,Mean,Max,Min,Prod} map onto nn reductions; ReduceL1, ReduceL2,
/// ReduceSumSquare, ReduceLogSum and ReduceLogSumExp are composed from a sum
/// with elementwise ops around it (log-sum-exp shifted by the maximum).
LogicalResult Importer::importReduce(const onnx::NodeProto &node) {
  StringRef type = node.op_type();
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  int64_t rank = typeOf(*x).getRank();
  // Axes moved from an attribute to an optional input: ReduceSum at opset 13,
  // the others at 18.
  SmallVector<int64_t> axes;
  if (node.input_size() > 1) {
    if (hasInput(node, 1)) {
      FailureOr<SmallVector<int64_t>> a = constInts(node, 1, "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
  } else {
    axes = attrInts(node, "axes");
  }
  bool noop = axes.empty() && attrInt(node, "noop_with_empty_axes", 0) != 0;
  if (axes.empty() && !noop)
    axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  noop |= axes.empty(); // a rank-0 input has nothing to reduce
  BoolAttr keep = builder.getBoolAttr(attrInt(node, "keepdims", 1) != 0);
  DenseI64ArrayAttr axesAttr = builder.getDenseI64ArrayAttr(axes);

  auto sum = [&](FailureOr<Value> v) -> FailureOr<Value> {
    if (failed(v) || noop)
      return v;
    return create<ReduceSumOp>(node, *v, axesAttr, keep);
  };
  FailureOr<Value> y = failure();
  if (type == "ReduceSum") {
    y = sum(*x);
  } else if (noop && (type == "ReduceMean" || type == "ReduceMax" || type == "ReduceMin" ||
                      type == "ReduceProd")) {
    y = *x;
  } else if (type == "ReduceMean") {
    y = create<ReduceMeanOp>(node, *x, axesAttr, keep);
  } else if (type == "ReduceMax") {
    y = create<ReduceMaxOp>(node, *x, axesAttr, keep);
  } else if (type == "ReduceMin") {
    y = create<ReduceMinOp>(node, *x, axesAttr, keep);
  } else if (type == "ReduceProd") {
    y = create<ReduceProdOp>(node, *x, axesAttr, keep);
  } else if (type == "ReduceL1") {
    y = sum(create<AbsOp>(node, *x));
  } else if (type == "ReduceSumSquare") {
    y = sum(create<MulOp>(node, *x, *x));
  } else if (type == "ReduceL2") {
    y = sum(create<MulOp>(node, *x, *x));
    if (succeeded(y))
      y = create<SqrtOp>(node, *y);
  } else if (type == "ReduceLogSum") {
    y = sum(*x);
    if (succeeded(y))
      y = create<LogOp>(node, *y);
  } else if (type == "ReduceLogSumExp") {
    if (noop)
      return defineResult(node, *x); // log(exp(x))
    // m + log(sum(exp(x - m))) with m the maximum, kept as size-1 dims.
    BoolAttr kept = builder.getBoolAttr(true);
    FailureOr<Value> m = create<ReduceMaxOp>(node, *x, axesAttr, kept);
    if (failed(m))
      return failure();
    FailureOr<Value> e = create<SubOp>(node, *x, *m);
    if (succeeded(e))
      e = create<ExpOp>(node, *e);
    if (succeeded(e))
      e = create<ReduceSumOp>(node, *e, axesAttr, kept);
    if (succeeded(e))
      e = create<LogOp>(node, *e);
    if (succeeded(e))
      e = create<AddOp>(node, *e, *m);
    if (failed(e))
      return failure();
    y = *e;
    if (!keep.getValue()) {
      SmallVector<int64_t> shape;
      for (auto [d, size] : llvm::enumerate(typeOf(*x).getShape()))
        if (!llvm::is_contained(axes, int64_t(d)) && !llvm::is_contained(axes, int64_t(d) - rank))
          shape.push_back(size);
      y = builder.create<ReshapeOp>(nodeLoc(node),
                                    RankedTensorType::get(shape, typeOf(*x).getElementType()), *y)
              .getResult();
    }
  }
  return defineResult(node, y);
}

LogicalResult Importer::importArgReduce(const onnx::NodeProto &node, bool isMax) {
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  IntegerAttr axis = builder.getI64IntegerAttr(attrInt(node, "axis", 0));
  BoolAttr keep = builder.getBoolAttr(attrInt(node, "keepdims", 1) != 0);
  BoolAttr last = builder.getBoolAttr(attrInt(node, "select_last_index", 0) != 0);
  if (isMax)
    return defineResult(node, create<ArgMaxOp>(node, *x, axis, keep, last));
  return defineResult(node, create<ArgMinOp>(node, *x, axis, keep, last));
}

/// LayerNormalization (opset 17): normalized over dimensions [axis, rank),
/// composed from means; the optional Mean and InvStdDev outputs keep the
/// normalized dimensions as size 1.
/// LayerNormalization (over dimensions [axis, rank)) and
/// InstanceNormalization (over the spatial dimensions 2..., scale and bias
/// per channel) as means: `(x - mean) / sqrt(var + epsilon) * scale + bias`.
/// LayerNormalization's optional Mean and InvStdDev outputs keep the
/// normalized dimensions as size 1.
LogicalResult Importer::importNormalization(const onnx::NodeProto &node) {
  bool instance = node.op_type() == "InstanceNormalization";
  FailureOr<Value> x = input(node, 0), scale = input(node, 1);
  if (failed(x) || failed(scale))
    return failure();
  RankedTensorType t = typeOf(*x);
  int64_t rank = t.getRank();
  int64_t axis = instance ? 2 : attrInt(node, "axis", -1);
  if (axis < -rank || axis >= rank)
    return nodeError(node) << "expects axis in [" << -rank << ", " << rank - 1 << "], found "
                           << axis;
  if (axis < 0)
    axis += rank;
  // Per-channel parameters [C] broadcast as [C, 1, ..., 1].
  auto perChannel = [&](Value v) -> Value {
    if (!instance)
      return v;
    RankedTensorType vt = typeOf(v);
    SmallVector<int64_t> shape(vt.getShape());
    shape.append(rank - 2, 1);
    return builder.create<ReshapeOp>(nodeLoc(node), vt.clone(shape), v);
  };
  DenseI64ArrayAttr axes = builder.getDenseI64ArrayAttr(llvm::to_vector(llvm::seq(axis, rank)));
  BoolAttr kept = builder.getBoolAttr(true);
  FailureOr<Value> mean = create<ReduceMeanOp>(node, *x, axes, kept);
  if (failed(mean))
    return failure();
  FailureOr<Value> centered = create<SubOp>(node, *x, *mean);
  if (failed(centered))
    return failure();
  FailureOr<Value> var = create<MulOp>(node, *centered, *centered);
  if (succeeded(var))
    var = create<ReduceMeanOp>(node, *var, axes, kept);
  if (failed(var))
    return failure();
  Value eps = scalarConstant(node, t.getElementType(), attrFloat(node, "epsilon", 1e-5));
  FailureOr<Value> inv = create<AddOp>(node, *var, eps);
  if (succeeded(inv))
    inv = create<SqrtOp>(node, *inv);
  if (succeeded(inv))
    inv = create<ReciprocalOp>(node, *inv);
  if (failed(inv))
    return failure();
  FailureOr<Value> y = create<MulOp>(node, *centered, *inv);
  if (succeeded(y))
    y = create<MulOp>(node, *y, perChannel(*scale));
  if (succeeded(y) && hasInput(node, 2)) {
    FailureOr<Value> bias = input(node, 2);
    if (failed(bias))
      return failure();
    y = create<AddOp>(node, *y, perChannel(*bias));
  }
  if (failed(y))
    return failure();
  define(node, 0, *y);
  if (!instance && node.output_size() > 1 && !node.output(1).empty())
    define(node, 1, *mean);
  if (!instance && node.output_size() > 2 && !node.output(2).empty())
    define(node, 2, *inv);
  return success();
}

/// DepthToSpace (DCR or CRD) and SpaceToDepth on NCHW: a reshape, a
/// transpose and a reshape.
LogicalResult Importer::importDepthSpace(const onnx::NodeProto &node) {
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  RankedTensorType t = typeOf(*x);
  int64_t b = attrInt(node, "blocksize", 0);
  if (t.getRank() != 4 || b <= 0)
    return nodeError(node) << "expects a rank-4 NCHW input and a positive blocksize, found rank "
                           << t.getRank() << " and blocksize " << b;
  int64_t n = t.getDimSize(0), c = t.getDimSize(1), h = t.getDimSize(2), w = t.getDimSize(3);
  SmallVector<int64_t> split, perm, out;
  if (node.op_type() == "DepthToSpace") {
    if (c % (b * b))
      return nodeError(node) << "expects channels (" << c << ") divisible by blocksize^2 ("
                             << b * b << ")";
    if (attrString(node, "mode", "DCR") == "CRD") {
      split = {n, c / (b * b), b, b, h, w};
      perm = {0, 1, 4, 2, 5, 3};
    } else {
      split = {n, b, b, c / (b * b), h, w};
      perm = {0, 3, 4, 1, 5, 2};
    }
    out = {n, c / (b * b), h * b, w * b};
  } else {
    if (h % b || w % b)
      return nodeError(node) << "expects height and width (" << h << ", " << w
                             << ") divisible by blocksize (" << b << ")";
    split = {n, c, h / b, b, w / b, b};
    perm = {0, 3, 5, 1, 2, 4};
    out = {n, c * b * b, h / b, w / b};
  }
  Value parts = builder.create<ReshapeOp>(nodeLoc(node), t.clone(split), *x);
  FailureOr<Value> moved = create<TransposeOp>(node, parts, builder.getDenseI64ArrayAttr(perm));
  if (failed(moved))
    return failure();
  define(node, 0, builder.create<ReshapeOp>(nodeLoc(node), t.clone(out), *moved));
  return success();
}

/// NegativeLogLikelihoodLoss maps onto nn.nll_loss; SoftmaxCrossEntropyLoss
/// is nn.log_softmax over the class dimension (its optional second output)
/// followed by the same loss.
LogicalResult Importer::importLoss(const onnx::NodeProto &node) {
  FailureOr<Value> scores = input(node, 0), target = input(node, 1);
  if (failed(scores) || failed(target))
    return failure();
  FailureOr<Value> weightInput = optionalInput(node, 2);
  if (failed(weightInput))
    return failure();
  Value weight = *weightInput;
  IntegerAttr ignore;
  if (attr(node, "ignore_index"))
    ignore = builder.getI64IntegerAttr(attrInt(node, "ignore_index", 0));
  StringAttr reduction = builder.getStringAttr(attrString(node, "reduction", "mean"));
  Value logp = *scores;
  if (node.op_type() == "SoftmaxCrossEntropyLoss") {
    FailureOr<Value> lp = create<LogSoftmaxOp>(node, *scores, builder.getI64IntegerAttr(1));
    if (failed(lp))
      return failure();
    logp = *lp;
    if (node.output_size() > 1 && !node.output(1).empty())
      define(node, 1, logp);
  }
  return defineResult(node, create<NLLLossOp>(node, logp, *target, weight, reduction, ignore));
}

bool Importer::allHostInputs(const onnx::NodeProto &node) {
  for (int i = 0; i < node.input_size(); ++i)
    if (hasInput(node, i) && !hostInput(node, i))
      return false;
  return true;
}

/// ONNX Slice on run-time data: starts/ends/axes/steps (attributes before
/// opset 10, constant inputs after) clamped per ONNX into nn.slice's
/// offsets, sizes and strides.
LogicalResult Importer::importSlice(const onnx::NodeProto &node) {
  if (allHostInputs(node))
    return importShapeOps(node);
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> shape = typeOf(*x).getShape();
  int64_t rank = shape.size();
  SmallVector<int64_t> starts, ends, axes, steps;
  if (opset < 10) {
    starts = attrInts(node, "starts");
    ends = attrInts(node, "ends");
    axes = attrInts(node, "axes");
  } else {
    FailureOr<SmallVector<int64_t>> s = constInts(node, 1, "starts"), e = constInts(node, 2, "ends");
    if (failed(s) || failed(e))
      return failure();
    starts = *s;
    ends = *e;
    if (hasInput(node, 3)) {
      FailureOr<SmallVector<int64_t>> a = constInts(node, 3, "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
    if (hasInput(node, 4)) {
      FailureOr<SmallVector<int64_t>> st = constInts(node, 4, "steps");
      if (failed(st))
        return failure();
      steps = *st;
    }
  }
  if (axes.empty())
    axes = llvm::to_vector(llvm::seq<int64_t>(0, starts.size()));
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return nodeError(node) << "expects starts, ends, axes and steps of one length, found "
                           << starts.size() << ", " << ends.size() << ", " << axes.size()
                           << " and " << steps.size();
  SmallVector<int64_t> offsets(rank, 0), sizes(shape), strides(rank, 1);
  SmallVector<bool> seen(rank, false);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t a = axes[i] < 0 ? axes[i] + rank : axes[i];
    if (a < 0 || a >= rank || seen[a])
      return nodeError(node) << "expects distinct axes in [" << -rank << ", " << rank - 1
                             << "], found " << axes[i];
    seen[a] = true;
    int64_t n = shape[a], step = steps[i];
    if (step == 0)
      return nodeError(node) << "expects non-zero steps, found 0 for axis " << axes[i];
    int64_t b = starts[i] < 0 ? starts[i] + n : starts[i];
    int64_t e = ends[i] < 0 ? ends[i] + n : ends[i];
    int64_t count;
    if (step > 0) {
      b = std::clamp<int64_t>(b, 0, n);
      e = std::clamp<int64_t>(e, 0, n);
      count = e > b ? (e - b + step - 1) / step : 0;
    } else {
      b = std::clamp<int64_t>(b, -1, n - 1);
      e = std::clamp<int64_t>(e, -1, n - 1);
      count = b > e ? (b - e - step - 1) / -step : 0;
    }
    offsets[a] = count ? b : 0;
    sizes[a] = count;
    strides[a] = step;
  }
  return defineResult(node, create<SliceOp>(node, *x, builder.getDenseI64ArrayAttr(offsets),
                                            builder.getDenseI64ArrayAttr(sizes),
                                            builder.getDenseI64ArrayAttr(strides)));
}

/// Split into consecutive nn.slice windows along `axis`: sizes from the
/// `split` attribute (before opset 13) or input, or `num_outputs` (opset 18,
/// the last part smaller), or equal parts.
LogicalResult Importer::importSplit(const onnx::NodeProto &node) {
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> shape = typeOf(*x).getShape();
  int64_t rank = shape.size();
  int64_t axis = attrInt(node, "axis", 0);
  if (axis < -rank || axis >= rank)
    return nodeError(node) << "expects axis in [" << -rank << ", " << rank - 1 << "], found "
                           << axis;
  if (axis < 0)
    axis += rank;
  int64_t n = shape[axis], parts = node.output_size();
  SmallVector<int64_t> split;
  if (opset < 13) {
    split = attrInts(node, "split");
  } else if (hasInput(node, 1)) {
    FailureOr<SmallVector<int64_t>> sp = constInts(node, 1, "split");
    if (failed(sp))
      return failure();
    split = *sp;
  }
  if (split.empty()) {
    int64_t chunk = (n + parts - 1) / parts;
    if (!attr(node, "num_outputs") && n % parts != 0)
      return nodeError(node) << "expects dimension " << axis << " (size " << n
                             << ") to divide into " << parts << " equal parts";
    for (int64_t i = 0; i < parts; ++i)
      split.push_back(std::max<int64_t>(0, std::min(chunk, n - i * chunk)));
  }
  int64_t total = 0;
  for (int64_t s : split)
    total += s;
  if (static_cast<int64_t>(split.size()) != parts || total != n ||
      llvm::any_of(split, [](int64_t s) { return s < 0; }))
    return nodeError(node) << "expects " << parts << " non-negative split sizes adding up to "
                           << n << ", found " << split.size() << " adding up to " << total;
  int64_t offset = 0;
  for (int64_t i = 0; i < parts; ++i) {
    SmallVector<int64_t> offsets(rank, 0), sizes(shape), strides(rank, 1);
    offsets[axis] = split[i] ? offset : 0;
    sizes[axis] = split[i];
    offset += split[i];
    FailureOr<Value> part = create<SliceOp>(node, *x, builder.getDenseI64ArrayAttr(offsets),
                                            builder.getDenseI64ArrayAttr(sizes),
                                            builder.getDenseI64ArrayAttr(strides));
    if (failed(part))
      return failure();
    if (!node.output(i).empty())
      define(node, i, *part);
  }
  return success();
}

/// Pad, constant mode: pads from the attribute (before opset 11) or a
/// constant input, optionally on some `axes` (opset 18), the value from an
/// attribute or a constant scalar input.
LogicalResult Importer::importPad(const onnx::NodeProto &node) {
  std::string mode = attrString(node, "mode", "constant");
  if (mode != "constant")
    return nodeError(node) << "supports mode 'constant' only, found '" << mode << "'";
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  RankedTensorType t = typeOf(*x);
  int64_t rank = t.getRank();
  SmallVector<int64_t> pads, axes;
  double value = 0;
  if (opset < 11) {
    pads = attrInts(node, "pads");
    value = attrFloat(node, "value", 0.0);
  } else {
    FailureOr<SmallVector<int64_t>> p = constInts(node, 1, "pads");
    if (failed(p))
      return failure();
    pads = *p;
    if (hasInput(node, 2)) {
      if (const HostTensor *h = hostInput(node, 2)) {
        value = h->ints.empty() ? 0.0 : static_cast<double>(h->ints[0]);
      } else {
        FailureOr<Value> v = input(node, 2);
        if (failed(v))
          return failure();
        auto c = v->getDefiningOp<ConstantOp>();
        auto dense = c ? dyn_cast<DenseElementsAttr>(c.getValue()) : DenseElementsAttr();
        if (!dense || dense.getNumElements() != 1 || !isa<FloatType>(dense.getElementType()))
          return nodeError(node) << "expects constant_value (input 2) to be a scalar constant";
        value = dense.getSplatValue<APFloat>().convertToDouble();
      }
    }
    if (hasInput(node, 3)) {
      FailureOr<SmallVector<int64_t>> a = constInts(node, 3, "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
  }
  if (axes.empty())
    axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  int64_t k = axes.size();
  if (static_cast<int64_t>(pads.size()) != 2 * k)
    return nodeError(node) << "expects " << 2 * k << " pads (begin and end per axis), found "
                           << pads.size();
  SmallVector<int64_t> low(rank, 0), high(rank, 0);
  for (int64_t i = 0; i < k; ++i) {
    int64_t a = axes[i] < 0 ? axes[i] + rank : axes[i];
    if (a < 0 || a >= rank)
      return nodeError(node) << "expects axes in [" << -rank << ", " << rank - 1 << "], found "
                             << axes[i];
    low[a] = pads[i];
    high[a] = pads[k + i];
  }
  return defineResult(node, create<PadOp>(node, *x, builder.getDenseI64ArrayAttr(low),
                                          builder.getDenseI64ArrayAttr(high),
                                          builder.getF64FloatAttr(value)));
}

/// Gather, Cast, CastLike, Expand and Tile on run-time data (each folds on
/// the host when all its inputs are constants there).
LogicalResult Importer::importDataMovement(const onnx::NodeProto &node) {
  StringRef op = node.op_type();
  if (op == "Gather" && allHostInputs(node))
    return importShapeOps(node);
  if (op == "Cast" && allHostInputs(node)) {
    // Integer to integer folds on the host; anything else is computed.
    onnx::TensorProto::DataType to =
        static_cast<onnx::TensorProto::DataType>(attrInt(node, "to", 0));
    if (to == onnx::TensorProto::INT64 || to == onnx::TensorProto::INT32 ||
        to == onnx::TensorProto::INT16 || to == onnx::TensorProto::INT8)
      return importShapeOps(node);
  }
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  if (op == "Gather") {
    FailureOr<Value> idx = input(node, 1);
    if (failed(idx))
      return failure();
    return defineResult(node, create<GatherOp>(node, *x, *idx,
                                               builder.getI64IntegerAttr(attrInt(node, "axis", 0))));
  }
  if (op == "ReverseSequence") {
    FailureOr<Value> lens = input(node, 1);
    if (failed(lens))
      return failure();
    return defineResult(node, create<ReverseSequenceOp>(
                                  node, *x, *lens, builder.getI64IntegerAttr(attrInt(node, "batch_axis", 1)),
                                  builder.getI64IntegerAttr(attrInt(node, "time_axis", 0))));
  }
  if (op == "GatherND") {
    FailureOr<Value> idx = input(node, 1);
    if (failed(idx))
      return failure();
    return defineResult(node, create<GatherNDOp>(node, *x, *idx, builder.getI64IntegerAttr(
                                                                    attrInt(node, "batch_dims", 0))));
  }
  if (op == "GatherElements") {
    FailureOr<Value> idx = input(node, 1);
    if (failed(idx))
      return failure();
    return defineResult(node, create<GatherElementsOp>(
                                  node, *x, *idx, builder.getI64IntegerAttr(attrInt(node, "axis", 0))));
  }
  if (op == "Cast" || op == "CastLike") {
    Type to;
    if (op == "Cast") {
      FailureOr<Type> elem = elementType(attrInt(node, "to", 0), nodeLoc(node), "Cast target");
      if (failed(elem))
        return failure();
      to = *elem;
    } else {
      FailureOr<Value> like = input(node, 1);
      if (failed(like))
        return failure();
      to = typeOf(*like).getElementType();
    }
    RankedTensorType t = typeOf(*x);
    if (t.getElementType() == to)
      return defineResult(node, *x);
    define(node, 0, builder.create<CastOp>(nodeLoc(node), t.clone(to), *x));
    return success();
  }
  FailureOr<SmallVector<int64_t>> ints =
      constInts(node, 1, op == "Expand" ? "the shape" : "repeats");
  if (failed(ints))
    return failure();
  if (op == "Expand")
    return defineResult(node, create<ExpandOp>(node, *x, builder.getDenseI64ArrayAttr(*ints)));
  return defineResult(node, create<TileOp>(node, *x, builder.getDenseI64ArrayAttr(*ints)));
}

LogicalResult Importer::importReshape(const onnx::NodeProto &node) {
  FailureOr<SmallVector<int64_t>> target = constInts(node, 1, "the shape");
  if (failed(target))
    return failure();
  const HostTensor *hx = hostInput(node, 0);
  SmallVector<int64_t> inShape;
  if (hx) {
    inShape = hx->shape;
  } else {
    FailureOr<Value> x = input(node, 0);
    if (failed(x))
      return failure();
    inShape.assign(typeOf(*x).getShape().begin(), typeOf(*x).getShape().end());
  }
  bool allowZero = attrInt(node, "allowzero", 0) != 0;
  int64_t total = 1, known = 1, inferAt = -1;
  for (int64_t d : inShape)
    total *= d;
  SmallVector<int64_t> shape(*target);
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (d == 0 && !allowZero) {
      if (i >= inShape.size())
        return nodeError(node) << "shape entry " << i << " is 0 (copy) but the input has rank "
                               << inShape.size();
      d = inShape[i];
    }
    if (d == -1) {
      if (inferAt >= 0)
        return nodeError(node) << "the shape has more than one -1";
      inferAt = i;
      continue;
    }
    if (d < 0)
      return nodeError(node) << "invalid shape entry " << d;
    known *= d;
  }
  if (inferAt >= 0) {
    if (known == 0 || total % known != 0)
      return nodeError(node) << "cannot infer the -1 entry: " << total
                             << " elements do not divide by " << known;
    shape[inferAt] = total / known;
    known = total;
  }
  if (known != total)
    return nodeError(node) << "cannot reshape " << total << " elements into "
                           << known;
  if (hx) {
    HostTensor h = *hx;
    h.shape = shape;
    defineHost(node, 0, std::move(h));
    return success();
  }
  FailureOr<Value> x = input(node, 0);
  define(node, 0, builder.create<ReshapeOp>(
                      nodeLoc(node), RankedTensorType::get(shape, typeOf(*x).getElementType()), *x));
  return success();
}

LogicalResult Importer::importUnsqueezeSqueeze(const onnx::NodeProto &node, bool unsqueeze) {
  SmallVector<int64_t> axes;
  if (opset >= 13 && node.input_size() > 1) {
    FailureOr<SmallVector<int64_t>> a = constInts(node, 1, "axes");
    if (failed(a))
      return failure();
    axes = *a;
  } else {
    axes = attrInts(node, "axes");
  }
  const HostTensor *hx = hostInput(node, 0);
  SmallVector<int64_t> inShape;
  Value x;
  if (hx) {
    inShape = hx->shape;
  } else {
    FailureOr<Value> xv = input(node, 0);
    if (failed(xv))
      return failure();
    x = *xv;
    inShape.assign(typeOf(x).getShape().begin(), typeOf(x).getShape().end());
  }
  SmallVector<int64_t> shape;
  if (unsqueeze) {
    int64_t outRank = inShape.size() + axes.size();
    SmallVector<bool> inserted(outRank, false);
    for (int64_t a : axes) {
      if (a < 0)
        a += outRank;
      if (a < 0 || a >= outRank || inserted[a])
        return nodeError(node) << "invalid or repeated axis in axes";
      inserted[a] = true;
    }
    size_t next = 0;
    for (int64_t i = 0; i < outRank; ++i)
      shape.push_back(inserted[i] ? 1 : inShape[next++]);
  } else {
    int64_t rank = inShape.size();
    SmallVector<bool> removed(rank, false);
    if (axes.empty())
      for (int64_t i = 0; i < rank; ++i)
        removed[i] = inShape[i] == 1;
    for (int64_t a : axes) {
      if (a < 0)
        a += rank;
      if (a < 0 || a >= rank || inShape[a] != 1)
        return nodeError(node) << "axis " << a << " is out of range or not of size 1";
      removed[a] = true;
    }
    for (int64_t i = 0; i < rank; ++i)
      if (!removed[i])
        shape.push_back(inShape[i]);
  }
  if (hx) {
    HostTensor h = *hx;
    h.shape = shape;
    defineHost(node, 0, std::move(h));
    return success();
  }
  define(node, 0, builder.create<ReshapeOp>(
                      nodeLoc(node), RankedTensorType::get(shape, typeOf(x).getElementType()), x));
  return success();
}

LogicalResult Importer::importClip(const onnx::NodeProto &node) {
  FailureOr<Value> x = input(node, 0);
  if (failed(x))
    return failure();
  FloatAttr lo, hi;
  // Bounds only known at run time become broadcast max/min ops.
  Value runtimeLo, runtimeHi;
  if (opset < 11) {
    if (attr(node, "min"))
      lo = builder.getF64FloatAttr(attrFloat(node, "min", 0));
    if (attr(node, "max"))
      hi = builder.getF64FloatAttr(attrFloat(node, "max", 0));
  } else {
    for (int i : {1, 2}) {
      if (!hasInput(node, i))
        continue;
      FloatAttr &bound = i == 1 ? lo : hi;
      if (const HostTensor *h = hostInput(node, i); h && h->ints.size() == 1) {
        bound = builder.getF64FloatAttr(static_cast<double>(h->ints[0]));
        continue;
      }
      FailureOr<Value> v = input(node, i);
      if (failed(v))
        return failure();
      DenseElementsAttr dense;
      if (auto c = v->getDefiningOp<ConstantOp>())
        dense = dyn_cast<DenseElementsAttr>(c.getValue());
      if (dense && dense.getNumElements() == 1 && isa<FloatType>(dense.getElementType()))
        bound = builder.getF64FloatAttr((*dense.getValues<APFloat>().begin()).convertToDouble());
      else
        (i == 1 ? runtimeLo : runtimeHi) = *v;
    }
  }
  Value y = builder.create<ClipOp>(nodeLoc(node), *x, lo, hi);
  if (runtimeLo) {
    FailureOr<Value> r = create<MaxOp>(node, y, runtimeLo);
    if (failed(r))
      return failure();
    y = *r;
  }
  if (runtimeHi) {
    FailureOr<Value> r = create<MinOp>(node, y, runtimeHi);
    if (failed(r))
      return failure();
    y = *r;
  }
  define(node, 0, y);
  return success();
}

LogicalResult Importer::importBatchNorm(const onnx::NodeProto &node) {
  if (attrInt(node, "training_mode", 0) != 0 ||
      (node.output_size() > 1 && llvm::any_of(llvm::drop_begin(node.output()),
                                              [](const std::string &s) { return !s.empty(); })))
    return nodeError(node) << "only inference-mode BatchNormalization (one output) is supported";
  SmallVector<Value> in;
  for (int i = 0; i < 5; ++i) {
    FailureOr<Value> v = input(node, i);
    if (failed(v))
      return failure();
    in.push_back(*v);
  }
  return defineResult(node, create<BatchNormOp>(node, in[0], in[1], in[2], in[3], in[4],
                                           builder.getF64FloatAttr(attrFloat(node, "epsilon", 1e-5))));
}

LogicalResult Importer::importConstant(const onnx::NodeProto &node) {
  const onnx::AttributeProto *value = attr(node, "value");
  Location loc = nodeLoc(node);
  if (value) {
    FailureOr<Entry> e = importTensor(value->t(), loc);
    if (failed(e))
      return failure();
    values[node.output(0)] = *e;
    return success();
  }
  auto scalarOrList = [&](Type elem, ArrayRef<int64_t> ints, bool isList) {
    HostTensor h{isList ? SmallVector<int64_t>{static_cast<int64_t>(ints.size())}
                        : SmallVector<int64_t>{},
                 elem, SmallVector<int64_t>(ints)};
    defineHost(node, 0, h);
  };
  if (const auto *a = attr(node, "value_int")) {
    scalarOrList(builder.getI64Type(), {a->i()}, false);
    return success();
  }
  if (const auto *a = attr(node, "value_ints")) {
    SmallVector<int64_t> v(a->ints().begin(), a->ints().end());
    scalarOrList(builder.getI64Type(), v, true);
    return success();
  }
  auto floats = [&](ArrayRef<float> v, bool isList) {
    auto type = RankedTensorType::get(isList ? SmallVector<int64_t>{(int64_t)v.size()}
                                             : SmallVector<int64_t>{},
                                      builder.getF32Type());
    define(node, 0, builder.create<ConstantOp>(loc, DenseElementsAttr::get(type, v)));
  };
  if (const auto *a = attr(node, "value_float")) {
    floats({a->f()}, false);
    return success();
  }
  if (const auto *a = attr(node, "value_floats")) {
    SmallVector<float> v(a->floats().begin(), a->floats().end());
    floats(v, true);
    return success();
  }
  return nodeError(node) << "only value, value_int(s) and value_float(s) constants are supported";
}

/// Ops that are only supported when they can be folded on the host: the
/// shape arithmetic exporters emit around Reshape.
LogicalResult Importer::importShapeOps(const onnx::NodeProto &node) {
  StringRef op = node.op_type();
  Location loc = nodeLoc(node);
  (void)loc;
  if ((op == "Shape" || op == "Identity") && !hasInput(node, 0))
    return nodeError(node) << "expects input 0";
  if (op == "Shape") {
    auto it = values.find(node.input(0));
    if (it == values.end())
      return nodeError(node) << "input '" << node.input(0) << "' is not defined before use";
    SmallVector<int64_t> shape = it->second.host
                                     ? it->second.host->shape
                                     : SmallVector<int64_t>(typeOf(it->second.value).getShape());
    int64_t rank = shape.size();
    int64_t start = attrInt(node, "start", 0), end = attrInt(node, "end", rank);
    if (start < 0)
      start += rank;
    if (end < 0)
      end += rank;
    start = std::clamp<int64_t>(start, 0, rank);
    end = std::clamp<int64_t>(end, start, rank);
    SmallVector<int64_t> dims(shape.begin() + start, shape.begin() + end);
    defineHost(node, 0, HostTensor{{static_cast<int64_t>(dims.size())}, builder.getI64Type(), dims});
    return success();
  }
  if (op == "Size") {
    if (!hasInput(node, 0))
      return nodeError(node) << "expects input 0";
    auto it = values.find(node.input(0));
    if (it == values.end())
      return nodeError(node) << "input '" << node.input(0) << "' is not defined before use";
    int64_t n = it->second.host ? it->second.host->numElements()
                                : typeOf(it->second.value).getNumElements();
    defineHost(node, 0, HostTensor{{}, builder.getI64Type(), {n}});
    return success();
  }
  if (op == "Identity") {
    auto it = values.find(node.input(0));
    if (it == values.end())
      return nodeError(node) << "input '" << node.input(0) << "' is not defined before use";
    values[node.output(0)] = it->second;
    return success();
  }
  // The rest need every input on the host.
  SmallVector<const HostTensor *> in;
  for (int i = 0; i < node.input_size(); ++i) {
    if (node.input(i).empty()) {
      in.push_back(nullptr);
      continue;
    }
    const HostTensor *h = hostInput(node, i);
    if (!h)
      return nodeError(node) << "is supported only on constants known at compile time (shape "
                                "computations), but input '"
                             << node.input(i) << "' is computed at run time";
    in.push_back(h);
  }
  auto normAxis = [](int64_t a, int64_t rank) { return a < 0 ? a + rank : a; };
  if (op == "ConstantOfShape") {
    if (!in.size() || !in[0])
      return nodeError(node) << "expects input 0";
    SmallVector<int64_t> shape(in[0]->ints);
    if (llvm::any_of(shape, [](int64_t d) { return d < 0; }))
      return nodeError(node) << "expects a shape of non-negative sizes";
    // `value` is a one-element tensor (default: float 0).
    Type elem = builder.getF32Type();
    Attribute splat = builder.getF32FloatAttr(0);
    if (const onnx::AttributeProto *a = attr(node, "value")) {
      FailureOr<Entry> e = importTensor(a->t(), nodeLoc(node));
      if (failed(e))
        return failure();
      if (e->host) {
        if (e->host->numElements() != 1)
          return nodeError(node) << "expects a one-element value";
        elem = e->host->elementType;
        splat = builder.getIntegerAttr(elem, e->host->ints[0]);
      } else {
        auto c = e->value.getDefiningOp<ConstantOp>();
        auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
        if (!dense || dense.getNumElements() != 1) {
          c->erase();
          return nodeError(node) << "expects a one-element value";
        }
        elem = dense.getElementType();
        splat = dense.getSplatValue<Attribute>();
        c->erase();
      }
    }
    HostTensor h{shape, elem, {}};
    if (isa<IntegerType>(elem) && !elem.isInteger(1) && h.numElements() <= 4096) {
      h.ints.assign(h.numElements(), cast<IntegerAttr>(splat).getInt());
      defineHost(node, 0, std::move(h));
      return success();
    }
    auto type = RankedTensorType::get(shape, elem);
    define(node, 0, builder.create<ConstantOp>(nodeLoc(node), DenseElementsAttr::get(type, splat)));
    return success();
  }
  if (op == "Cast") {
    int to = attrInt(node, "to", 0);
    FailureOr<Type> elem = elementType(to, nodeLoc(node), "Cast target");
    if (failed(elem))
      return failure();
    if (!isa<IntegerType>(*elem) || elem->isInteger(1))
      return nodeError(node) << "folding supports only casts between integer types";
    HostTensor h = *in[0];
    h.elementType = *elem;
    defineHost(node, 0, h);
    return success();
  }
  if (op == "Gather") {
    const HostTensor &data = *in[0], &idx = *in[1];
    int64_t rank = data.shape.size();
    int64_t axis = normAxis(attrInt(node, "axis", 0), rank);
    if (axis < 0 || axis >= rank)
      return nodeError(node) << "axis out of range";
    int64_t outer = 1, inner = 1, dim = data.shape[axis];
    for (int64_t i = 0; i < axis; ++i)
      outer *= data.shape[i];
    for (int64_t i = axis + 1; i < rank; ++i)
      inner *= data.shape[i];
    HostTensor h{{}, data.elementType, {}};
    h.shape.append(data.shape.begin(), data.shape.begin() + axis);
    h.shape.append(idx.shape.begin(), idx.shape.end());
    h.shape.append(data.shape.begin() + axis + 1, data.shape.end());
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t k : idx.ints) {
        if (k < 0)
          k += dim;
        if (k < 0 || k >= dim)
          return nodeError(node) << "index " << k << " out of range for dimension " << dim;
        for (int64_t i = 0; i < inner; ++i)
          h.ints.push_back(data.ints[(o * dim + k) * inner + i]);
      }
    defineHost(node, 0, h);
    return success();
  }
  if (op == "Concat") {
    HostTensor h = *in[0];
    int64_t rank = h.shape.size();
    int64_t axis = normAxis(attrInt(node, "axis", 0), rank);
    if (rank != 1 || axis != 0)
      return nodeError(node) << "folding supports only 1-D concatenation";
    for (size_t i = 1; i < in.size(); ++i) {
      h.ints.append(in[i]->ints.begin(), in[i]->ints.end());
      h.shape[0] += in[i]->shape[0];
    }
    defineHost(node, 0, h);
    return success();
  }
  if (op == "Slice") {
    const HostTensor &data = *in[0];
    if (data.shape.size() != 1)
      return nodeError(node) << "folding supports only 1-D slices";
    SmallVector<int64_t> starts, ends, steps{1};
    if (opset < 10) {
      starts = attrInts(node, "starts");
      ends = attrInts(node, "ends");
    } else {
      starts = in[1]->ints;
      ends = in[2]->ints;
      if (in.size() > 4 && in[4])
        steps = in[4]->ints;
    }
    int64_t n = data.shape[0], step = steps.empty() ? 1 : steps[0];
    if (starts.size() != 1 || ends.size() != 1 || step == 0)
      return nodeError(node) << "folding supports one sliced axis with a non-zero step";
    int64_t s = starts[0] < 0 ? starts[0] + n : starts[0];
    int64_t e = ends[0] < 0 ? ends[0] + n : ends[0];
    HostTensor h{{0}, data.elementType, {}};
    if (step > 0) {
      s = std::clamp<int64_t>(s, 0, n);
      e = std::clamp<int64_t>(e, 0, n);
      for (int64_t i = s; i < e; i += step)
        h.ints.push_back(data.ints[i]);
    } else {
      s = std::clamp<int64_t>(s, -1, n - 1);
      e = std::clamp<int64_t>(e, -1, n - 1);
      for (int64_t i = s; i > e; i += step)
        h.ints.push_back(data.ints[i]);
    }
    h.shape[0] = h.ints.size();
    defineHost(node, 0, h);
    return success();
  }
  // Integer elementwise arithmetic with broadcasting of scalars.
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
    const HostTensor &a = *in[0], &b = *in[1];
    SmallVector<int64_t> shape;
    if (failed(broadcastShapes(a.shape, b.shape, shape)))
      return nodeError(node) << "operand shapes do not broadcast";
    bool aScalar = a.ints.size() == 1, bScalar = b.ints.size() == 1;
    if (!(a.shape == b.shape || aScalar || bScalar))
      return nodeError(node) << "folding supports equal shapes or a scalar operand";
    HostTensor h{shape, a.elementType, {}};
    size_t n = std::max(a.ints.size(), b.ints.size());
    for (size_t i = 0; i < n; ++i) {
      int64_t x = a.ints[aScalar ? 0 : i], y = b.ints[bScalar ? 0 : i];
      if (op == "Div" && y == 0)
        return nodeError(node) << "division by zero";
      h.ints.push_back(op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y : x / y);
    }
    defineHost(node, 0, h);
    return success();
  }
  return nodeError(node) << "has no folding rule";
}

/// Cross-checks Kiln's inferred output shape against ONNX shape inference.
LogicalResult Importer::checkShape(const onnx::NodeProto &node) {
  for (int i = 0; i < node.output_size(); ++i) {
    auto it = values.find(node.output(i));
    if (it == values.end())
      continue;
    auto inferred = inferredTypes.find(node.output(i));
    if (inferred == inferredTypes.end() || !inferred->second->has_tensor_type() ||
        !inferred->second->tensor_type().has_shape())
      continue;
    SmallVector<int64_t> ours =
        it->second.host ? it->second.host->shape
                        : SmallVector<int64_t>(typeOf(it->second.value).getShape());
    const auto &dims = inferred->second->tensor_type().shape().dim();
    bool mismatch = dims.size() != static_cast<int>(ours.size());
    for (int d = 0; !mismatch && d < dims.size(); ++d)
      mismatch = dims[d].has_dim_value() && dims[d].dim_value() != ours[d];
    if (mismatch) {
      std::string theirs;
      for (const auto &d : dims)
        theirs += (theirs.empty() ? "" : "x") +
                  (d.has_dim_value() ? std::to_string(d.dim_value()) : std::string("?"));
      std::string mine;
      for (int64_t d : ours)
        mine += (mine.empty() ? "" : "x") + std::to_string(d);
      return nodeError(node) << "output '" << node.output(i) << "' has shape "
                             << (mine.empty() ? "scalar" : mine)
                             << " but ONNX shape inference says "
                             << (theirs.empty() ? "scalar" : theirs);
    }
  }
  return success();
}

void Importer::registerHandlers() {
  auto unary = [&](auto tag) {
    using OpTy = decltype(tag);
    return [this](const onnx::NodeProto &node) -> LogicalResult {
      FailureOr<Value> x = input(node, 0);
      if (failed(x))
        return failure();
      define(node, 0, builder.create<OpTy>(nodeLoc(node), *x));
      return success();
    };
  };
  handlers["Relu"] = unary(ReluOp());
  handlers["Sigmoid"] = unary(SigmoidOp());
  handlers["Tanh"] = unary(TanhOp());
  handlers["Exp"] = unary(ExpOp());
  handlers["Log"] = unary(LogOp());
  handlers["Erf"] = unary(ErfOp());
  handlers["Sqrt"] = unary(SqrtOp());
  handlers["Reciprocal"] = unary(ReciprocalOp());
  handlers["Neg"] = unary(NegOp());
  handlers["Abs"] = unary(AbsOp());
  handlers["Floor"] = unary(FloorOp());
  handlers["Ceil"] = unary(CeilOp());
  handlers["Softplus"] = unary(SoftplusOp());
  handlers["Sin"] = unary(SinOp());
  handlers["Cos"] = unary(CosOp());
  handlers["Tan"] = unary(TanOp());
  handlers["Asin"] = unary(AsinOp());
  handlers["Acos"] = unary(AcosOp());
  handlers["Atan"] = unary(AtanOp());
  handlers["Sinh"] = unary(SinhOp());
  handlers["Cosh"] = unary(CoshOp());
  handlers["Asinh"] = unary(AsinhOp());
  handlers["Acosh"] = unary(AcoshOp());
  handlers["Atanh"] = unary(AtanhOp());
  handlers["Round"] = unary(RoundOp());
  handlers["Sign"] = unary(SignOp());
  handlers["Softsign"] = unary(SoftsignOp());
  handlers["HardSwish"] = unary(HardSwishOp());
  handlers["Mish"] = unary(MishOp());
  handlers["Not"] = unary(NotOp());
  auto withAlpha = [&](auto tag, double dflt) {
    using OpTy = decltype(tag);
    return [this, dflt](const onnx::NodeProto &node) -> LogicalResult {
      FailureOr<Value> x = input(node, 0);
      if (failed(x))
        return failure();
      define(node, 0, builder.create<OpTy>(nodeLoc(node), *x,
                                           builder.getF64FloatAttr(attrFloat(node, "alpha", dflt))));
      return success();
    };
  };
  handlers["LeakyRelu"] = withAlpha(LeakyReluOp(), 0.01);
  handlers["Elu"] = withAlpha(EluOp(), 1.0);
  handlers["Celu"] = withAlpha(CeluOp(), 1.0);
  handlers["ThresholdedRelu"] = withAlpha(ThresholdedReluOp(), 1.0);
  handlers["Selu"] = [this](const onnx::NodeProto &node) -> LogicalResult {
    FailureOr<Value> x = input(node, 0);
    if (failed(x))
      return failure();
    define(node, 0, builder.create<SeluOp>(
                        nodeLoc(node), *x,
                        builder.getF64FloatAttr(attrFloat(node, "alpha", 1.67326319217681884765625)),
                        builder.getF64FloatAttr(attrFloat(node, "gamma", 1.05070102214813232421875))));
    return success();
  };
  handlers["Shrink"] = [this](const onnx::NodeProto &node) -> LogicalResult {
    FailureOr<Value> x = input(node, 0);
    if (failed(x))
      return failure();
    define(node, 0, builder.create<ShrinkOp>(nodeLoc(node), *x,
                                             builder.getF64FloatAttr(attrFloat(node, "lambd", 0.5)),
                                             builder.getF64FloatAttr(attrFloat(node, "bias", 0.0))));
    return success();
  };
  handlers["HardSigmoid"] = [this](const onnx::NodeProto &node) -> LogicalResult {
    FailureOr<Value> x = input(node, 0);
    if (failed(x))
      return failure();
    define(node, 0, builder.create<HardSigmoidOp>(
                        nodeLoc(node), *x, builder.getF64FloatAttr(attrFloat(node, "alpha", 0.2)),
                        builder.getF64FloatAttr(attrFloat(node, "beta", 0.5))));
    return success();
  };
  // Binary and variadic elementwise ops fold left over their inputs.
  auto binary = [&](auto tag, bool hostFoldable) {
    using OpTy = decltype(tag);
    return [this, hostFoldable](const onnx::NodeProto &node) -> LogicalResult {
      if (hostFoldable && node.input_size() == 2 && hostInput(node, 0) && hostInput(node, 1))
        return importShapeOps(node);
      FailureOr<Value> acc = input(node, 0);
      if (failed(acc))
        return failure();
      for (int i = 1; i < node.input_size(); ++i) {
        FailureOr<Value> rhs = input(node, i);
        if (failed(rhs))
          return failure();
        // Before opset 7, broadcast=1 with an axis aligns rhs at that axis.
        if (opset < 7 && attrInt(node, "broadcast", 0) && attr(node, "axis")) {
          RankedTensorType l = typeOf(*acc), r = typeOf(*rhs);
          int64_t axis = attrInt(node, "axis", 0);
          if (axis < 0)
            axis += l.getRank();
          if (axis < 0 || axis + r.getRank() > l.getRank())
            return nodeError(node) << "legacy broadcast axis " << axis << " is out of range";
          SmallVector<int64_t> shape(axis, 1);
          shape.append(r.getShape().begin(), r.getShape().end());
          shape.resize(l.getRank(), 1);
          rhs = builder.create<ReshapeOp>(nodeLoc(node),
                                          RankedTensorType::get(shape, r.getElementType()), *rhs)
                    .getResult();
        }
        acc = create<OpTy>(node, *acc, *rhs);
        if (failed(acc))
          return failure();
      }
      define(node, 0, *acc);
      return success();
    };
  };
  handlers["Add"] = binary(AddOp(), true);
  handlers["Sub"] = binary(SubOp(), true);
  handlers["Mul"] = binary(MulOp(), true);
  handlers["Div"] = binary(DivOp(), true);
  handlers["Pow"] = binary(PowOp(), false);
  handlers["Max"] = binary(MaxOp(), false);
  handlers["Min"] = binary(MinOp(), false);
  handlers["Sum"] = binary(AddOp(), false);
  handlers["PRelu"] = [this](const onnx::NodeProto &node) -> LogicalResult {
    FailureOr<Value> x = input(node, 0), slope = input(node, 1);
    if (failed(x) || failed(slope))
      return failure();
    // Before opset 7 a 1-D slope of C elements applies along the channels.
    RankedTensorType xt = typeOf(*x), st = typeOf(*slope);
    Value s = *slope;
    if (opset < 7 && st.getRank() == 1 && xt.getRank() >= 3 && st.getDimSize(0) == xt.getDimSize(1)) {
      SmallVector<int64_t> shape{st.getDimSize(0)};
      shape.append(xt.getRank() - 2, 1);
      s = builder.create<ReshapeOp>(nodeLoc(node), st.clone(shape), s);
    }
    return defineResult(node, create<PReluOp>(node, *x, s));
  };
  handlers["Equal"] = binary(EqualOp(), false);
  handlers["Less"] = binary(LessOp(), false);
  handlers["LessOrEqual"] = binary(LessEqualOp(), false);
  handlers["Greater"] = binary(GreaterOp(), false);
  handlers["GreaterOrEqual"] = binary(GreaterEqualOp(), false);
  handlers["And"] = binary(AndOp(), false);
  handlers["Or"] = binary(OrOp(), false);
  handlers["Xor"] = binary(XorOp(), false);
  handlers["Mod"] = [this](const onnx::NodeProto &node) -> LogicalResult {
    FailureOr<Value> a = input(node, 0), b = input(node, 1);
    if (failed(a) || failed(b))
      return failure();
    return defineResult(node, create<ModOp>(node, *a, *b,
                                            builder.getBoolAttr(attrInt(node, "fmod", 0) != 0)));
  };
  handlers["Where"] = [this](const onnx::NodeProto &node) -> LogicalResult {
    FailureOr<Value> c = input(node, 0), a = input(node, 1), b = input(node, 2);
    if (failed(c) || failed(a) || failed(b))
      return failure();
    return defineResult(node, create<WhereOp>(node, *c, *a, *b));
  };
  handlers["Mean"] = [this, sumHandler = binary(AddOp(), false)](const onnx::NodeProto &node)
      -> LogicalResult {
    // The sum of the inputs, then scaled by 1 / count.
    if (failed(sumHandler(node)))
      return failure();
    Value sum = values[node.output(0)].value;
    Type elem = typeOf(sum).getElementType();
    return defineResult(node, create<MulOp>(node, sum,
                                            scalarConstant(node, elem, 1.0 / node.input_size())));
  };
  handlers["MatMul"] = [this](const onnx::NodeProto &node) -> LogicalResult {
    FailureOr<Value> a = input(node, 0), b = input(node, 1);
    if (failed(a) || failed(b))
      return failure();
    return defineResult(node, create<MatMulOp>(node, *a, *b));
  };
  handlers["Gemm"] = [this](const onnx::NodeProto &n) { return importGemm(n); };
  handlers["Conv"] = [this](const onnx::NodeProto &n) { return importConv(n); };
  handlers["ConvTranspose"] = [this](const onnx::NodeProto &n) { return importConvTranspose(n); };
  handlers["MaxPool"] = [this](const onnx::NodeProto &n) { return importPool(n, true); };
  handlers["AveragePool"] = [this](const onnx::NodeProto &n) { return importPool(n, false); };
  auto global = [&](auto tag) {
    using OpTy = decltype(tag);
    return [this](const onnx::NodeProto &node) -> LogicalResult {
      FailureOr<Value> x = input(node, 0);
      if (failed(x))
        return failure();
      return defineResult(node, create<OpTy>(node, *x));
    };
  };
  handlers["GlobalAveragePool"] = global(GlobalAveragePoolOp());
  handlers["GlobalMaxPool"] = global(GlobalMaxPoolOp());
  handlers["BatchNormalization"] = [this](const onnx::NodeProto &n) { return importBatchNorm(n); };
  handlers["Softmax"] = [this](const onnx::NodeProto &n) {
    return importSoftmax(n, [&](Value x, int64_t axis) {
      return create<SoftmaxOp>(n, x, builder.getI64IntegerAttr(axis));
    });
  };
  handlers["LogSoftmax"] = [this](const onnx::NodeProto &n) {
    return importSoftmax(n, [&](Value x, int64_t axis) {
      return create<LogSoftmaxOp>(n, x, builder.getI64IntegerAttr(axis));
    });
  };
  handlers["Hardmax"] = [this](const onnx::NodeProto &n) {
    return importSoftmax(n, [&](Value x, int64_t axis) { return hardmax(n, x, axis); });
  };
  handlers["LRN"] = [this](const onnx::NodeProto &n) { return importLRN(n); };
  // EyeLike depends only on the input's (static) shape: a constant.
  handlers["EyeLike"] = [this](const onnx::NodeProto &node) -> LogicalResult {
    FailureOr<Value> x = input(node, 0);
    if (failed(x))
      return failure();
    RankedTensorType t = typeOf(*x);
    if (t.getRank() != 2)
      return nodeError(node) << "expects a rank-2 input, found rank " << t.getRank();
    Type elem = t.getElementType();
    if (attr(node, "dtype")) {
      FailureOr<Type> e = elementType(attrInt(node, "dtype", 1), nodeLoc(node), "EyeLike dtype");
      if (failed(e))
        return failure();
      elem = *e;
    }
    int64_t k = attrInt(node, "k", 0), rows = t.getDimSize(0), cols = t.getDimSize(1);
    SmallVector<Attribute> values;
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) {
        double v = j - i == k ? 1.0 : 0.0;
        values.push_back(isa<FloatType>(elem) ? Attribute(builder.getFloatAttr(elem, v))
                                              : Attribute(builder.getIntegerAttr(elem, v != 0)));
      }
    define(node, 0, builder.create<ConstantOp>(
                        nodeLoc(node), DenseElementsAttr::get(t.clone(elem), values)));
    return success();
  };
  // MeanVarianceNormalization as ONNX defines it:
  // (x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9) over `axes` (default 0, 2, 3).
  handlers["MeanVarianceNormalization"] = [this](const onnx::NodeProto &node) -> LogicalResult {
    FailureOr<Value> x = input(node, 0);
    if (failed(x))
      return failure();
    SmallVector<int64_t> axes = attrInts(node, "axes");
    if (!attr(node, "axes"))
      axes = {0, 2, 3};
    DenseI64ArrayAttr axesAttr = builder.getDenseI64ArrayAttr(axes);
    BoolAttr kept = builder.getBoolAttr(true);
    Type elem = typeOf(*x).getElementType();
    FailureOr<Value> mean = create<ReduceMeanOp>(node, *x, axesAttr, kept);
    FailureOr<Value> sq = create<MulOp>(node, *x, *x);
    if (failed(mean) || failed(sq))
      return failure();
    FailureOr<Value> meanSq = create<ReduceMeanOp>(node, *sq, axesAttr, kept);
    FailureOr<Value> sqMean = create<MulOp>(node, *mean, *mean);
    if (failed(meanSq) || failed(sqMean))
      return failure();
    FailureOr<Value> std = create<SubOp>(node, *meanSq, *sqMean);
    if (succeeded(std))
      std = create<SqrtOp>(node, *std);
    if (succeeded(std))
      std = create<AddOp>(node, *std, scalarConstant(node, elem, 1e-9));
    FailureOr<Value> centered = create<SubOp>(node, *x, *mean);
    if (failed(std) || failed(centered))
      return failure();
    return defineResult(node, create<DivOp>(node, *centered, *std));
  };
  handlers["Einsum"] = [this](const onnx::NodeProto &node) -> LogicalResult {
    FailureOr<SmallVector<Value>> in = allInputs(node);
    if (failed(in))
      return failure();
    FailureOr<std::string> eq = explicitEinsum(node, *in);
    if (failed(eq))
      return failure();
    return defineResult(node, create<EinsumOp>(node, *in, builder.getStringAttr(*eq)));
  };
  for (StringRef op : {"Resize", "Upsample"})
    handlers[op] = [this](const onnx::NodeProto &n) { return importResize(n); };
  for (const char *reduction : {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd",
                                "ReduceL1", "ReduceL2", "ReduceSumSquare", "ReduceLogSum",
                                "ReduceLogSumExp"})
    handlers[reduction] = [this](const onnx::NodeProto &n) { return importReduce(n); };
  handlers["CumSum"] = [this](const onnx::NodeProto &node) -> LogicalResult {
    FailureOr<Value> x = input(node, 0);
    FailureOr<SmallVector<int64_t>> axis = constInts(node, 1, "axis");
    if (failed(x) || failed(axis))
      return failure();
    if (axis->size() != 1)
      return nodeError(node) << "expects a scalar axis, found " << axis->size() << " values";
    return defineResult(node, create<CumSumOp>(node, *x, builder.getI64IntegerAttr(axis->front()),
                                               builder.getBoolAttr(attrInt(node, "exclusive", 0) != 0),
                                               builder.getBoolAttr(attrInt(node, "reverse", 0) != 0)));
  };
  handlers["ArgMax"] = [this](const onnx::NodeProto &n) { return importArgReduce(n, true); };
  handlers["ArgMin"] = [this](const onnx::NodeProto &n) { return importArgReduce(n, false); };
  for (StringRef op : {"LayerNormalization", "InstanceNormalization"})
    handlers[op] = [this](const onnx::NodeProto &n) { return importNormalization(n); };
  for (StringRef op : {"DepthToSpace", "SpaceToDepth"})
    handlers[op] = [this](const onnx::NodeProto &n) { return importDepthSpace(n); };
  handlers["Trilu"] = [this](const onnx::NodeProto &node) -> LogicalResult {
    FailureOr<Value> x = input(node, 0);
    if (failed(x))
      return failure();
    Value k;
    if (hasInput(node, 1)) {
      FailureOr<Value> kv = input(node, 1);
      if (failed(kv))
        return failure();
      k = *kv;
      if (typeOf(k).getRank() != 0 || !typeOf(k).getElementType().isInteger(64))
        return nodeError(node) << "expects k (input 1) to be an int64 scalar, found " << k.getType();
    }
    RankedTensorType t = typeOf(*x);
    if (t.getRank() < 2)
      return nodeError(node) << "expects an input of rank >= 2, found rank " << t.getRank();
    define(node, 0, builder.create<TriluOp>(nodeLoc(node), t, *x, k,
                                            builder.getBoolAttr(attrInt(node, "upper", 1) != 0)));
    return success();
  };
  handlers["IsNaN"] = [this](const onnx::NodeProto &node) -> LogicalResult {
    FailureOr<Value> x = input(node, 0);
    if (failed(x))
      return failure();
    define(node, 0, builder.create<IsNaNOp>(nodeLoc(node), typeOf(*x).clone(builder.getI1Type()), *x));
    return success();
  };
  handlers["IsInf"] = [this](const onnx::NodeProto &node) -> LogicalResult {
    FailureOr<Value> x = input(node, 0);
    if (failed(x))
      return failure();
    define(node, 0, builder.create<IsInfOp>(
                        nodeLoc(node), typeOf(*x).clone(builder.getI1Type()), *x,
                        builder.getBoolAttr(attrInt(node, "detect_positive", 1) != 0),
                        builder.getBoolAttr(attrInt(node, "detect_negative", 1) != 0)));
    return success();
  };
  handlers["Clip"] = [this](const onnx::NodeProto &n) { return importClip(n); };
  handlers["Reshape"] = [this](const onnx::NodeProto &n) { return importReshape(n); };
  handlers["Unsqueeze"] = [this](const onnx::NodeProto &n) { return importUnsqueezeSqueeze(n, true); };
  handlers["Squeeze"] = [this](const onnx::NodeProto &n) { return importUnsqueezeSqueeze(n, false); };
  handlers["Flatten"] = [this](const onnx::NodeProto &node) -> LogicalResult {
    FailureOr<Value> x = input(node, 0);
    if (failed(x))
      return failure();
    return defineResult(node, create<FlattenOp>(node, *x, builder.getI64IntegerAttr(attrInt(node, "axis", 1))));
  };
  handlers["Transpose"] = [this](const onnx::NodeProto &node) -> LogicalResult {
    FailureOr<Value> x = input(node, 0);
    if (failed(x))
      return failure();
    SmallVector<int64_t> perm = attrInts(node, "perm");
    if (!attr(node, "perm"))
      for (int64_t i = typeOf(*x).getRank() - 1; i >= 0; --i)
        perm.push_back(i);
    return defineResult(node, create<TransposeOp>(node, *x, builder.getDenseI64ArrayAttr(perm)));
  };
  handlers["Concat"] = [this](const onnx::NodeProto &node) -> LogicalResult {
    bool allHost = true;
    for (int i = 0; i < node.input_size(); ++i)
      allHost &= hostInput(node, i) != nullptr;
    if (allHost)
      return importShapeOps(node);
    FailureOr<SmallVector<Value>> in = allInputs(node);
    if (failed(in))
      return failure();
    return defineResult(node, create<ConcatOp>(node, *in, builder.getI64IntegerAttr(attrInt(node, "axis", 0))));
  };
  handlers["Dropout"] = [this](const onnx::NodeProto &node) -> LogicalResult {
    // Inference only: a training_mode input must be a constant false.
    if (hasInput(node, 2)) {
      auto it = values.find(node.input(2));
      ConstantOp c = it == values.end() || !it->second.value
                         ? ConstantOp()
                         : it->second.value.getDefiningOp<ConstantOp>();
      auto dense = c ? dyn_cast<DenseElementsAttr>(c.getValue()) : DenseElementsAttr();
      if (!dense || !dense.isSplat() || !dense.getElementType().isInteger(1) ||
          dense.getSplatValue<bool>())
        return nodeError(node) << "training-mode Dropout is not supported (training_mode "
                                  "must be a constant false)";
    }
    FailureOr<Value> x = input(node, 0);
    if (failed(x))
      return failure();
    define(node, 0, *x);
    // In inference every element is kept: the mask is all true.
    if (node.output_size() > 1 && !node.output(1).empty()) {
      auto maskType = typeOf(*x).clone(builder.getI1Type());
      define(node, 1, builder.create<ConstantOp>(nodeLoc(node),
                                                 DenseElementsAttr::get(maskType, true)));
    }
    return success();
  };
  handlers["Constant"] = [this](const onnx::NodeProto &n) { return importConstant(n); };
  for (StringRef op : {"Shape", "Size", "Identity", "ConstantOfShape"})
    handlers[op] = [this](const onnx::NodeProto &n) { return importShapeOps(n); };
  for (StringRef op : {"Gather", "GatherElements", "GatherND", "ReverseSequence", "Cast", "CastLike",
                       "Expand", "Tile"})
    handlers[op] = [this](const onnx::NodeProto &n) { return importDataMovement(n); };
  handlers["Slice"] = [this](const onnx::NodeProto &n) { return importSlice(n); };
  handlers["Split"] = [this](const onnx::NodeProto &n) { return importSplit(n); };
  handlers["Pad"] = [this](const onnx::NodeProto &n) { return importPad(n); };
  for (StringRef op : {"NegativeLogLikelihoodLoss", "SoftmaxCrossEntropyLoss"})
    handlers[op] = [this](const onnx::NodeProto &n) { return importLoss(n); };
}

//===----------------------------------------------------------------------===//
// The graph
//===----------------------------------------------------------------------===//

LogicalResult Importer::prepare() {
  Location fileLoc = FileLineColLoc::get(&ctx, fileName, 0, 0);
  for (const auto &imp : model.opset_import())
    if (imp.domain().empty() || imp.domain() == "ai.onnx")
      opset = imp.version();
  if (opset == 0)
    return emitError(fileLoc) << "the model imports no version of the default ONNX domain";
  const onnx::GraphProto &graph = model.graph();
  registerHandlers();

  // Every unsupported node, reported at once.
  std::vector<std::string> unsupported;
  for (const auto &node : graph.node()) {
    bool defaultDomain = node.domain().empty() || node.domain() == "ai.onnx";
    if (defaultDomain && handlers.count(node.op_type()))
      continue;
    std::string name = node.name().empty() && node.output_size() ? node.output(0) : node.name();
    int64_t version = opset;
    for (const auto &imp : model.opset_import())
      if (!defaultDomain && imp.domain() == node.domain())
        version = imp.version();
    unsupported.push_back("node '" + name + "' (" +
                          (defaultDomain ? "" : node.domain() + ".") + node.op_type() +
                          ", opset " + std::to_string(version) + ")");
  }
  if (!unsupported.empty()) {
    auto diag = emitError(fileLoc) << unsupported.size() << " unsupported operator"
                                   << (unsupported.size() == 1 ? "" : "s") << " in the model:";
    for (const auto &u : unsupported)
      diag << "\n  " << u;
    return failure();
  }

  // Handlers read output 0 and the inputs they need without re-checking.
  for (const auto &node : graph.node())
    if (node.output_size() == 0 || node.output(0).empty())
      return nodeError(node) << "malformed node: it has no output";

  std::vector<std::string> problems = preShapeInferenceProblems(model);
  if (!problems.empty()) {
    InFlightDiagnostic diag = emitError(fileLoc)
                              << "malformed ONNX model: " << problems.size() << " problem"
                              << (problems.size() == 1 ? "" : "s") << " in its nodes:";
    for (const std::string &p : problems)
      diag << "\n  " << p;
    return failure();
  }
  return success();
}

OwningOpRef<ModuleOp> Importer::run(const ONNXImportOptions &options) {
  Location fileLoc = FileLineColLoc::get(&ctx, fileName, 0, 0);
  const onnx::GraphProto &graph = model.graph();

  for (const auto &vi : graph.value_info())
    inferredTypes[vi.name()] = &vi.type();
  for (const auto &vi : graph.output())
    inferredTypes[vi.name()] = &vi.type();

  llvm::StringSet<> initializerNames;
  for (const auto &init : graph.initializer())
    initializerNames.insert(init.name());

  // The function type: graph inputs that are not initializers.
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  for (const auto &in : graph.input()) {
    if (initializerNames.contains(in.name()))
      continue;
    if (!in.type().has_tensor_type()) {
      emitError(fileLoc) << "graph input '" << in.name() << "' is not a tensor";
      return nullptr;
    }
    const auto &tt = in.type().tensor_type();
    FailureOr<Type> elem = elementType(tt.elem_type(), fileLoc, "graph input '" + in.name() + "'");
    if (failed(elem))
      return nullptr;
    SmallVector<int64_t> shape;
    auto override = options.inputShapes.find(in.name());
    if (override != options.inputShapes.end()) {
      shape = override->second;
      if (tt.has_shape() && tt.shape().dim_size() != static_cast<int>(shape.size())) {
        emitError(fileLoc) << "--input-shape for '" << in.name() << "' gives "
                           << shape.size() << " dimensions, the model has "
                           << tt.shape().dim_size();
        return nullptr;
      }
    } else {
      if (!tt.has_shape()) {
        emitError(fileLoc) << "graph input '" << in.name()
                           << "' has no shape; give one with --input-shape " << in.name()
                           << "=DxDx...";
        return nullptr;
      }
      for (const auto &d : tt.shape().dim()) {
        if (!d.has_dim_value()) {
          emitError(fileLoc) << "graph input '" << in.name() << "' has the symbolic dimension '"
                             << (d.dim_param().empty() ? "?" : d.dim_param())
                             << "'; give a static shape with --input-shape " << in.name()
                             << "=DxDx...";
          return nullptr;
        }
        shape.push_back(d.dim_value());
      }
    }
    argTypes.push_back(RankedTensorType::get(shape, *elem));
    argNames.push_back(in.name());
  }
  for (const auto &[name, _] : options.inputShapes)
    if (!llvm::is_contained(argNames, name.str())) {
      emitError(fileLoc) << "--input-shape names '" << name.str()
                         << "', which is not an input of the model";
      return nullptr;
    }

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  builder.setInsertionPointToEnd(module->getBody());
  auto fn = builder.create<func::FuncOp>(fileLoc, "model", builder.getFunctionType(argTypes, {}));
  Block *body = fn.addEntryBlock();
  builder.setInsertionPointToEnd(body);
  for (auto [i, name] : llvm::enumerate(argNames)) {
    fn.setArgAttr(i, "kiln.name", builder.getStringAttr(name));
    values[name].value = body->getArgument(i);
  }
  for (const auto &init : graph.initializer()) {
    FailureOr<Entry> e = importTensor(init, fileLoc);
    if (failed(e))
      return nullptr;
    values[init.name()] = *e;
  }

  for (const auto &node : graph.node()) {
    if (failed(handlers[node.op_type()](node)) || failed(checkShape(node)))
      return nullptr;
  }

  SmallVector<Value> results;
  SmallVector<Attribute> resultNames;
  for (const auto &out : graph.output()) {
    auto it = values.find(out.name());
    if (it == values.end()) {
      emitError(fileLoc) << "graph output '" << out.name() << "' is never computed";
      return nullptr;
    }
    if (!it->second.value)
      it->second.value = materialize(*it->second.host, fileLoc);
    results.push_back(it->second.value);
    resultNames.push_back(builder.getStringAttr(out.name()));
  }
  builder.create<func::ReturnOp>(fileLoc, results);
  fn.setFunctionType(builder.getFunctionType(argTypes, ValueRange(results).getTypes()));
  fn->setAttr("kiln.result_names", builder.getArrayAttr(resultNames));
  return module;
}

/// Problems ONNX's own shape inference does not survive (it divides by a
/// zero stride and reads missing inputs), found before it runs: nodes with
/// fewer inputs than their schema requires, and window attributes (strides,
/// dilations, kernel_shape, group) below 1 or pads below 0. One line per
/// problem, so every bad node is reported at once.
std::vector<std::string> preShapeInferenceProblems(const onnx::ModelProto &model) {
  constexpr int64_t kMaxRank = 64;
  int64_t opset = 0;
  for (const auto &imp : model.opset_import())
    if (imp.domain().empty() || imp.domain() == "ai.onnx")
      opset = imp.version();
  static const llvm::StringSet<> windowed = {"Conv",         "ConvTranspose", "ConvInteger",
                                             "QLinearConv",  "MaxPool",       "AveragePool",
                                             "LpPool",       "MaxUnpool"};
  // Shapes known before inference: graph inputs and initializers.
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto &in : model.graph().input())
    if (in.type().has_tensor_type() && in.type().tensor_type().has_shape())
      for (const auto &d : in.type().tensor_type().shape().dim())
        shapes[in.name()].push_back(d.has_dim_value() ? d.dim_value() : -1);
  for (const auto &init : model.graph().initializer())
    shapes[init.name()].assign(init.dims().begin(), init.dims().end());
  std::map<std::string, int64_t> ranks;
  for (const auto &[name, shape] : shapes)
    ranks[name] = shape.size();
  auto rankOf = [&](const onnx::NodeProto &node, int i) -> int64_t {
    if (i >= node.input_size())
      return -1;
    auto it = ranks.find(node.input(i));
    return it == ranks.end() ? -1 : it->second;
  };
  std::vector<std::string> problems;
  for (const auto &node : model.graph().node()) {
    std::string name = node.name().empty() && node.output_size() ? node.output(0) : node.name();
    std::string where =
        "node '" + name + "' (" + node.op_type() + ", opset " + std::to_string(opset) + ")";
    const onnx::OpSchema *schema =
        onnx::OpSchemaRegistry::Schema(node.op_type(), static_cast<int>(opset), node.domain());
    if (schema && node.input_size() < schema->min_input())
      problems.push_back(where + ": expects at least " + std::to_string(schema->min_input()) +
                         (schema->min_input() == 1 ? " input" : " inputs") + ", found " +
                         std::to_string(node.input_size()));
    // A 1-D shape operand's length is the result's rank.
    int shapeOperand = node.op_type() == "ConstantOfShape" ? 0
                       : node.op_type() == "Expand" || node.op_type() == "Reshape" ? 1
                                                                                     : -1;
    if (shapeOperand >= 0 && shapeOperand < node.input_size()) {
      auto it = shapes.find(node.input(shapeOperand));
      if (it != shapes.end() && it->second.size() == 1 && it->second[0] > kMaxRank)
        problems.push_back(where + ": expects a shape operand of at most " +
                           std::to_string(kMaxRank) + " elements (the result's rank), found " +
                           std::to_string(it->second[0]));
    }
    if (!windowed.contains(node.op_type()))
      continue;
    int64_t xRank = rankOf(node, 0), wRank = rankOf(node, 1);
    if (xRank >= 0 && xRank < 3)
      problems.push_back(where + ": expects an input of rank >= 3 (N, C, spatial...), found rank " +
                         std::to_string(xRank));
    if (node.op_type().find("Conv") != std::string::npos && xRank >= 0 && wRank >= 0 &&
        xRank != wRank)
      problems.push_back(where + ": expects a weight of the input's rank " +
                         std::to_string(xRank) + ", found rank " + std::to_string(wRank));
    for (const auto &a : node.attribute()) {
      int64_t least;
      if (a.name() == "strides" || a.name() == "dilations" || a.name() == "kernel_shape" ||
          a.name() == "group")
        least = 1;
      else if (a.name() == "pads" || a.name() == "output_padding")
        least = 0;
      else
        continue;
      std::vector<int64_t> values(a.ints().begin(), a.ints().end());
      if (a.type() == onnx::AttributeProto::INT)
        values.push_back(a.i());
      for (int64_t v : values)
        if (v < least) {
          problems.push_back(where + ": expects " + a.name() + " >= " + std::to_string(least) +
                             ", found " + std::to_string(v));
          break;
        }
    }
  }
  return problems;
}

} // namespace

OwningOpRef<ModuleOp> kiln::importONNXFile(StringRef path, MLIRContext &context,
                                           const ONNXImportOptions &options) {
  context.loadDialect<NNDialect, func::FuncDialect>();
  Location fileLoc = FileLineColLoc::get(&context, path, 0, 0);
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path);
  if (!buffer) {
    emitError(fileLoc) << "cannot read '" << path << "': " << buffer.getError().message();
    return nullptr;
  }
  StringRef bytes = (*buffer)->getBuffer();
  onnx::ModelProto model;
  StringRef trimmed = bytes.ltrim();
  bool text = path.ends_with(".onnxtxt") || trimmed.starts_with("<") || trimmed.starts_with("#");
  if (text) {
    std::string copy = bytes.str();
    onnx::OnnxParser parser(copy.c_str());
    auto status = parser.Parse(model);
    if (!status.IsOK()) {
      emitError(fileLoc) << "malformed ONNX text: " << status.ErrorMessage();
      return nullptr;
    }
  } else if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    emitError(fileLoc) << "malformed ONNX model: the file is not a valid ModelProto";
    return nullptr;
  }
  if (!model.has_graph()) {
    emitError(fileLoc) << "malformed ONNX model: no graph";
    return nullptr;
  }
  // Unsupported operators and malformed nodes are reported before ONNX's
  // shape inference runs: it trusts its input and can crash on such nodes.
  Importer importer(context, model, path);
  if (failed(importer.prepare()))
    return nullptr;
  try {
    onnx::ShapeInferenceOptions siOptions(/*check_type=*/false, /*strict_mode=*/0,
                                          /*data_prop=*/true);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), siOptions);
  } catch (const std::exception &e) {
    emitError(fileLoc) << "ONNX shape inference failed: " << e.what();
    return nullptr;
  }
  return importer.run(options);
}
