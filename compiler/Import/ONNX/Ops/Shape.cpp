//===- Shape.cpp - shapes, reshapes and constants ------------------------===//
//
// Shape, Size, Identity, Constant, ConstantOfShape, EyeLike, Reshape,
// Flatten, Squeeze and Unsqueeze. Shape is nn.shape, a constant when the
// dimensions it reads are static, so the shape chains exporters emit fold
// at import with the rest of the graph's constants.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/ONNX/NodeBinder.h"
#include "compiler/Import/ONNX/Ops/ShapeOperands.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::onnx_import;

namespace {

LogicalResult importShape(NodeBinder &b) {
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  int64_t rank = typeOf(*x).getRank();
  int64_t start = b.attrInt("start", 0), end = b.attrInt("end", rank);
  if (start < 0)
    start += rank;
  if (end < 0)
    end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, start, rank);
  OpBuilder &builder = b.builder();
  return b.defineResult(
      b.create<ShapeOp>(*x, builder.getI64IntegerAttr(start), builder.getI64IntegerAttr(end)));
}

/// Size: the product of the shape (a constant for a static shape).
LogicalResult importSize(NodeBinder &b) {
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  RankedTensorType t = typeOf(*x);
  OpBuilder &builder = b.builder();
  auto scalar = RankedTensorType::get({}, builder.getI64Type());
  if (t.hasStaticShape()) {
    b.define(0, b.intConstant(scalar, {t.getNumElements()}));
    return success();
  }
  FailureOr<Value> shape = b.create<ShapeOp>(*x, builder.getI64IntegerAttr(0),
                                             builder.getI64IntegerAttr(t.getRank()));
  if (failed(shape))
    return failure();
  return b.defineResult(b.create<ReduceProdOp>(*shape, builder.getDenseI64ArrayAttr({0}),
                                               builder.getBoolAttr(false)));
}

LogicalResult importIdentity(NodeBinder &b) {
  FailureOr<Entry *> x = b.inputEntry(0);
  if (failed(x))
    return failure();
  b.defineEntry(0, **x);
  return success();
}

LogicalResult importConstant(NodeBinder &b) {
  if (const onnx::TensorProto *value = b.attrTensor("value")) {
    FailureOr<Entry> e = b.importTensor(*value);
    if (failed(e))
      return failure();
    b.defineEntry(0, *e);
    return success();
  }
  OpBuilder &builder = b.builder();
  auto ints = [&](ArrayRef<int64_t> v, bool isList) {
    SmallVector<int64_t> shape;
    if (isList)
      shape.push_back(v.size());
    b.define(0, b.intConstant(RankedTensorType::get(shape, builder.getI64Type()), v));
    return success();
  };
  auto floats = [&](ArrayRef<float> v, bool isList) {
    SmallVector<int64_t> shape;
    if (isList)
      shape.push_back(v.size());
    auto type = RankedTensorType::get(shape, builder.getF32Type());
    b.define(0, builder.create<ConstantOp>(b.loc(), DenseElementsAttr::get(type, v)));
    return success();
  };
  if (b.hasAttr("value_int"))
    return ints({b.attrInt("value_int", 0)}, false);
  if (b.hasAttr("value_ints"))
    return ints(b.attrInts("value_ints"), true);
  if (b.hasAttr("value_float"))
    return floats({static_cast<float>(b.attrFloat("value_float", 0))}, false);
  if (b.hasAttr("value_floats"))
    return floats(b.attrFloats("value_floats"), true);
  if (b.hasFailed())
    return failure();
  return b.error() << "only value, value_int(s) and value_float(s) constants are supported";
}

LogicalResult importConstantOfShape(NodeBinder &b) {
  if (!constantOrAbsent(b, 0))
    return importRuntimeConstantOfShape(b);
  FailureOr<SmallVector<int64_t>> shape = b.constInts(0, "the shape");
  if (failed(shape))
    return failure();
  if (llvm::any_of(*shape, [](int64_t d) { return d < 0; }))
    return b.error() << "expects a shape of non-negative sizes";
  // `value` is a one-element tensor (default: float 0).
  OpBuilder &builder = b.builder();
  Type elem = builder.getF32Type();
  Attribute splat = builder.getF32FloatAttr(0);
  if (const onnx::TensorProto *value = b.attrTensor("value")) {
    FailureOr<Entry> e = b.importTensor(*value);
    if (failed(e))
      return failure();
    auto c = e->value.getDefiningOp<ConstantOp>();
    auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
    c->erase();
    if (!dense || dense.getNumElements() != 1)
      return b.error() << "expects a one-element value";
    elem = dense.getElementType();
    splat = dense.getSplatValue<Attribute>();
  }
  auto type = RankedTensorType::get(*shape, elem);
  b.define(0, builder.create<ConstantOp>(b.loc(), DenseElementsAttr::get(type, splat)));
  return success();
}

/// EyeLike depends only on the input's (static) shape: a constant.
LogicalResult importEyeLike(NodeBinder &b) {
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  RankedTensorType t = typeOf(*x);
  if (t.getRank() != 2)
    return b.error() << "expects a rank-2 input, found rank " << t.getRank();
  if (!t.hasStaticShape())
    return b.error() << "expects an input of static shape (the result is a constant of that "
                        "shape), found "
                     << t << " (specialize its dims with --input-shape)";
  Type elem = t.getElementType();
  if (b.hasAttr("dtype")) {
    FailureOr<Type> e = b.elementType(b.attrInt("dtype", 1), "EyeLike dtype");
    if (failed(e))
      return failure();
    elem = *e;
  }
  OpBuilder &builder = b.builder();
  int64_t k = b.attrInt("k", 0), rows = t.getDimSize(0), cols = t.getDimSize(1);
  SmallVector<Attribute> values;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      double v = j - i == k ? 1.0 : 0.0;
      values.push_back(isa<FloatType>(elem) ? Attribute(builder.getFloatAttr(elem, v))
                                            : Attribute(builder.getIntegerAttr(elem, v != 0)));
    }
  b.define(0, builder.create<ConstantOp>(b.loc(), DenseElementsAttr::get(t.clone(elem), values)));
  return success();
}

/// Defines output 0 as `x` with a new shape.
LogicalResult reshaped(NodeBinder &b, Value x, ArrayRef<int64_t> shape) {
  b.define(0, b.builder().create<ReshapeOp>(
                  b.loc(), RankedTensorType::get(shape, typeOf(x).getElementType()), x));
  return success();
}

/// Reshape of an input with dynamic sizes: a 0 entry copies the input's size
/// (dynamic or not), one -1 takes what is left. nn.reshape reads the same
/// meaning from its result type only when its convention (the op's
/// description) gives each dynamic size the same source; other shapes need a
/// run-time shape.
LogicalResult reshapeDynamic(NodeBinder &b, Value x, ArrayRef<int64_t> inShape,
                             ArrayRef<int64_t> target, bool allowZero) {
  SmallVector<int64_t> shape, wanted;
  for (auto [i, d] : llvm::enumerate(target)) {
    if (d == 0 && !allowZero && i < inShape.size()) {
      shape.push_back(inShape[i]);
      wanted.push_back(ShapedType::isDynamic(inShape[i]) ? static_cast<int64_t>(i) : -1);
    } else if (d == -1) {
      shape.push_back(ShapedType::kDynamic);
      wanted.push_back(-1);
    } else if (d >= 0 && (d != 0 || allowZero)) {
      shape.push_back(d);
      wanted.push_back(-1);
    } else {
      return b.error() << "invalid shape entry " << d << " at " << i;
    }
  }
  if (llvm::count(target, -1) > 1)
    return b.error() << "the shape has more than one -1";
  // When every dynamic input size is copied by a 0 at its own position, the
  // -1 is what the static sizes leave, a static size: [0, 0, -1] of
  // [?, ?, 2, 256] is [?, ?, 512], which lowers to one collapse (a dynamic
  // -1 would need an expand with two dynamic sizes in one group).
  auto minusOne = llvm::find(target, -1);
  int64_t dynamicIn = llvm::count_if(inShape, ShapedType::isDynamic);
  int64_t copied = 0;
  for (auto [i, d] : llvm::enumerate(target))
    if (d == 0 && !allowZero && i < inShape.size() && ShapedType::isDynamic(inShape[i]))
      ++copied;
  if (minusOne != target.end() && copied == dynamicIn) {
    int64_t staticIn = 1, staticOut = 1;
    for (int64_t d : inShape)
      if (!ShapedType::isDynamic(d))
        staticIn *= d;
    for (auto [i, d] : llvm::enumerate(shape))
      if (static_cast<int64_t>(i) != minusOne - target.begin() && !ShapedType::isDynamic(d))
        staticOut *= d;
    if (staticOut != 0 && staticIn % staticOut == 0)
      shape[minusOne - target.begin()] = staticIn / staticOut;
  }
  auto sources = reshapeDimSources(inShape, shape);
  bool same = sources.has_value();
  for (size_t i = 0; same && i < shape.size(); ++i)
    same = !ShapedType::isDynamic(shape[i]) || (*sources)[i] == wanted[i] ||
           llvm::count_if(shape, ShapedType::isDynamic) == 1;
  if (!same)
    return b.error() << "expects a shape whose dynamic entries are leading or trailing 0s "
                        "and at most one -1 between them for an input with dynamic sizes";
  return reshaped(b, x, shape);
}

LogicalResult importReshape(NodeBinder &b) {
  if (!constantOrAbsent(b, 1))
    return importRuntimeReshape(b);
  FailureOr<SmallVector<int64_t>> target = b.constInts(1, "the shape");
  if (failed(target))
    return failure();
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> inShape = typeOf(*x).getShape();
  bool allowZero = b.attrBool("allowzero", false);
  if (llvm::any_of(inShape, ShapedType::isDynamic))
    return reshapeDynamic(b, *x, inShape, *target, allowZero);
  int64_t total = 1, known = 1, inferAt = -1;
  for (int64_t d : inShape)
    total *= d;
  SmallVector<int64_t> shape(*target);
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (d == 0 && !allowZero) {
      if (i >= inShape.size())
        return b.error() << "shape entry " << i << " is 0 (copy) but the input has rank "
                         << inShape.size();
      d = inShape[i];
    }
    if (d == -1) {
      if (inferAt >= 0)
        return b.error() << "the shape has more than one -1";
      inferAt = i;
      continue;
    }
    if (d < 0)
      return b.error() << "invalid shape entry " << d;
    known *= d;
  }
  if (inferAt >= 0) {
    if (known == 0 || total % known != 0)
      return b.error() << "cannot infer the -1 entry: " << total << " elements do not divide by "
                       << known;
    shape[inferAt] = total / known;
    known = total;
  }
  if (known != total)
    return b.error() << "cannot reshape " << total << " elements into " << known;
  return reshaped(b, *x, shape);
}

/// Squeeze and Unsqueeze; `axesInput`: the axes are an input (opset 13)
/// rather than an attribute.
LogicalResult importUnsqueezeSqueeze(NodeBinder &b, bool unsqueeze, bool axesInput) {
  SmallVector<int64_t> axes;
  if (axesInput && !constantOrAbsent(b, 1))
    return importRuntimeUnsqueezeSqueeze(b, unsqueeze);
  if (axesInput && b.numInputs() > 1) {
    FailureOr<SmallVector<int64_t>> a = b.constInts(1, "axes");
    if (failed(a))
      return failure();
    axes = *a;
  } else if (!axesInput) {
    axes = b.attrInts("axes");
  }
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> inShape = typeOf(*x).getShape();
  SmallVector<int64_t> shape;
  if (unsqueeze) {
    int64_t outRank = inShape.size() + axes.size();
    SmallVector<bool> inserted(outRank, false);
    for (int64_t a : axes) {
      if (a < 0)
        a += outRank;
      if (a < 0 || a >= outRank || inserted[a])
        return b.error() << "invalid or repeated axis in axes";
      inserted[a] = true;
    }
    size_t next = 0;
    for (int64_t i = 0; i < outRank; ++i)
      shape.push_back(inserted[i] ? 1 : inShape[next++]);
  } else {
    int64_t rank = inShape.size();
    SmallVector<bool> removed(rank, false);
    // Without axes every dim of size 1 goes, so the result's rank would
    // depend on the run-time size of a symbolic dim.
    if (axes.empty())
      for (int64_t i = 0; i < rank; ++i) {
        if (ShapedType::isDynamic(inShape[i]))
          return b.error() << "expects axes for Squeeze of an input with symbolic dims (dim " << i
                           << " would be removed if it is 1 at run time), found none; give "
                              "the axes to remove or static sizes (--input-shape)";
        removed[i] = inShape[i] == 1;
      }
    for (int64_t a : axes) {
      if (a < 0)
        a += rank;
      if (a < 0 || a >= rank || inShape[a] != 1)
        return b.error() << "axis " << a << " is out of range or not of size 1";
      removed[a] = true;
    }
    for (int64_t i = 0; i < rank; ++i)
      if (!removed[i])
        shape.push_back(inShape[i]);
  }
  return reshaped(b, *x, shape);
}

LogicalResult importFlatten(NodeBinder &b) {
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  return b.defineResult(
      b.create<FlattenOp>(*x, b.builder().getI64IntegerAttr(b.attrInt("axis", 1))));
}

} // namespace

void kiln::onnx_import::registerShapeOps(OpRegistry &r) {
  r.on("Shape", 1, importShape);
  r.on("Size", 1, importSize);
  r.on("Identity", 1, importIdentity);
  r.on("Constant", 1, importConstant);
  r.on("ConstantOfShape", 9, importConstantOfShape);
  r.on("EyeLike", 9, importEyeLike);
  r.on("Reshape", 5, importReshape);
  r.on("Flatten", 1, importFlatten);
  r.on("Unsqueeze", 1, [](NodeBinder &b) { return importUnsqueezeSqueeze(b, true, false); });
  r.on("Unsqueeze", 13, [](NodeBinder &b) { return importUnsqueezeSqueeze(b, true, true); });
  r.on("Squeeze", 1, [](NodeBinder &b) { return importUnsqueezeSqueeze(b, false, false); });
  r.on("Squeeze", 13, [](NodeBinder &b) { return importUnsqueezeSqueeze(b, false, true); });
}
