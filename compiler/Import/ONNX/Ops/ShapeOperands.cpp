//===- ShapeOperands.cpp - shapes, axes and bounds read at run time ------===//
//
// The run-time forms of Reshape, Unsqueeze, Squeeze, Slice, Expand, Tile
// and ConstantOfShape (called by their family handlers when the shape-like
// input is not a constant), and Range. A result dim is static where ONNX
// shape inference (or the graph's declared output) knows it; the lowering
// checks that the run-time values agree.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/ONNX/Ops/ShapeOperands.h"

#include "compiler/Import/ONNX/OpRegistry.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::onnx_import;

/// Input `i` as a 1-D i64 operand of static length; `what` names it.
static FailureOr<Value> indexOperand(NodeBinder &b, int i, StringRef what) {
  FailureOr<Value> v = b.input(i);
  if (failed(v))
    return failure();
  RankedTensorType t = typeOf(*v);
  if (t.getRank() != 1 || t.isDynamicDim(0) || !t.getElementType().isInteger(64))
    return b.error() << "expects " << what << " (input " << i
                     << ") to be a 1-D int64 tensor of static length, found " << t;
  return *v;
}

/// The result type: rank `rank`, dims from ONNX shape inference, overridden
/// by `proven` where that is static.
static RankedTensorType resultType(NodeBinder &b, Type elem, int64_t rank,
                                   ArrayRef<int64_t> proven = {}, int output = 0) {
  SmallVector<int64_t> shape = b.inferredShape(output, rank);
  for (auto [d, p] : llvm::enumerate(proven))
    if (!ShapedType::isDynamic(p))
      shape[d] = p;
  return RankedTensorType::get(shape, elem);
}

LogicalResult kiln::onnx_import::importRuntimeReshape(NodeBinder &b) {
  FailureOr<Value> x = b.input(0);
  FailureOr<Value> shape = failed(x) ? FailureOr<Value>(failure()) : indexOperand(b, 1, "the shape");
  if (failed(shape))
    return failure();
  bool allowZero = b.attrBool("allowzero", false);
  RankedTensorType type =
      resultType(b, typeOf(*x).getElementType(), typeOf(*shape).getDimSize(0));
  b.define(0, b.builder().create<DynamicReshapeOp>(b.loc(), type, *x, *shape,
                                                   b.builder().getBoolAttr(allowZero)));
  return success();
}

LogicalResult kiln::onnx_import::importRuntimeUnsqueezeSqueeze(NodeBinder &b, bool unsqueeze) {
  FailureOr<Value> x = b.input(0);
  FailureOr<Value> axes = failed(x) ? FailureOr<Value>(failure()) : indexOperand(b, 1, "axes");
  if (failed(axes))
    return failure();
  RankedTensorType in = typeOf(*x);
  int64_t n = typeOf(*axes).getDimSize(0);
  if (unsqueeze) {
    RankedTensorType type = resultType(b, in.getElementType(), in.getRank() + n);
    b.define(0, b.builder().create<DynamicUnsqueezeOp>(b.loc(), type, *x, *axes));
    return success();
  }
  if (n > in.getRank())
    return b.error() << "expects at most " << in.getRank()
                     << " axes (the input's rank), found " << n;
  RankedTensorType type = resultType(b, in.getElementType(), in.getRank() - n);
  b.define(0, b.builder().create<DynamicSqueezeOp>(b.loc(), type, *x, *axes));
  return success();
}

LogicalResult kiln::onnx_import::importRuntimeSlice(NodeBinder &b) {
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  static constexpr StringLiteral names[] = {"starts", "ends", "axes", "steps"};
  SmallVector<Value, 4> params;
  for (int i = 1; i <= 4; ++i) {
    if (!b.hasInput(i)) {
      params.push_back(Value());
      continue;
    }
    FailureOr<Value> v = indexOperand(b, i, names[i - 1]);
    if (failed(v))
      return failure();
    params.push_back(*v);
  }
  int64_t n = typeOf(params[0]).getDimSize(0), rank = typeOf(*x).getRank();
  for (Value v : ArrayRef(params).drop_front())
    if (v && typeOf(v).getDimSize(0) != n)
      return b.error() << "expects starts, ends, axes and steps of one length, found "
                       << n << " starts and " << typeOf(v).getDimSize(0) << " of another";
  if (n > rank)
    return b.error() << "expects at most " << rank << " sliced axes (the input's rank), found "
                     << n;
  // A dim is at most the input's; ONNX shape inference knows the rest.
  RankedTensorType type = resultType(b, typeOf(*x).getElementType(), rank);
  b.define(0, b.builder().create<DynamicSliceOp>(b.loc(), type, *x, params[0], params[1],
                                                 params[2], params[3]));
  return success();
}

LogicalResult kiln::onnx_import::importRuntimeSplit(NodeBinder &b) {
  FailureOr<Value> x = b.input(0);
  FailureOr<Value> split = failed(x) ? FailureOr<Value>(failure()) : indexOperand(b, 1, "split");
  if (failed(split))
    return failure();
  int64_t rank = typeOf(*x).getRank(), axis = b.attrInt("axis", 0), parts = b.numOutputs();
  if (axis < -rank || axis >= rank)
    return b.error() << "expects axis in [" << -rank << ", " << rank - 1 << "], found " << axis;
  if (axis < 0)
    axis += rank;
  if (typeOf(*split).getDimSize(0) != parts)
    return b.error() << "expects " << parts << " split sizes (one per output), found "
                     << typeOf(*split).getDimSize(0);
  return splitAtRunTime(b, *x, axis, *split);
}

std::string kiln::onnx_import::runTimeLabel(NodeBinder &b) {
  const onnx::NodeProto &node = b.node();
  std::string name = node.name().empty() && node.output_size() ? node.output(0) : node.name();
  return "node '" + name + "' (" + node.op_type() + "): ";
}

/// Part i is a run-time slice from the exclusive to the inclusive running
/// sum of the sizes. The sizes are checked first (ONNX: non-negative, adding
/// up to the dim; the slices alone would clamp them, dropping or inventing
/// rows); a static output dim from ONNX shape inference is checked by the
/// slice's lowering.
LogicalResult kiln::onnx_import::splitAtRunTime(NodeBinder &b, Value x, int64_t axis,
                                                Value split) {
  RankedTensorType in = typeOf(x);
  int64_t rank = in.getRank(), parts = b.numOutputs();
  OpBuilder &builder = b.builder();
  Location loc = b.loc();
  {
    auto i64 = [&](int64_t v) { return builder.create<arith::ConstantIntOp>(loc, v, 64); };
    Value rest = builder.create<arith::IndexCastOp>(loc, builder.getI64Type(),
                                                    builder.create<tensor::DimOp>(loc, x, axis));
    Value ok = builder.create<arith::ConstantIntOp>(loc, 1, 1);
    for (int64_t i = 0; i < parts; ++i) {
      Value size = builder.create<tensor::ExtractOp>(
          loc, split, ValueRange{builder.create<arith::ConstantIndexOp>(loc, i)});
      Value fits = builder.create<arith::AndIOp>(
          loc, builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::sge, size, i64(0)),
          builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::sle, size, rest));
      ok = builder.create<arith::AndIOp>(loc, ok, fits);
      rest = builder.create<arith::SubIOp>(
          loc, rest, builder.create<arith::SelectOp>(loc, fits, size, i64(0)));
    }
    ok = builder.create<arith::AndIOp>(
        loc, ok, builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, rest, i64(0)));
    builder.create<cf::AssertOp>(loc, ok,
                                 runTimeLabel(b) + "expects " + std::to_string(parts) +
                                     " non-negative split sizes adding up to dimension " +
                                     std::to_string(axis) + ", found others");
  }
  auto sums = [&](bool exclusive) {
    return b.create<CumSumOp>(split, builder.getI64IntegerAttr(0), builder.getBoolAttr(exclusive),
                              builder.getBoolAttr(false));
  };
  FailureOr<Value> starts = sums(true), ends = sums(false);
  if (failed(starts) || failed(ends))
    return failure();
  auto axes = RankedTensorType::get({1}, builder.getI64Type());
  Value axisValue = builder.create<ConstantOp>(
      b.loc(), DenseElementsAttr::get(axes, ArrayRef<int64_t>{axis}));
  for (int64_t i = 0; i < parts; ++i) {
    auto one = [&](Value v) {
      return b.create<SliceOp>(v, builder.getDenseI64ArrayAttr({i}),
                               builder.getDenseI64ArrayAttr({1}), builder.getDenseI64ArrayAttr({1}));
    };
    FailureOr<Value> lo = one(*starts), hi = one(*ends);
    if (failed(lo) || failed(hi))
      return failure();
    SmallVector<int64_t> proven(in.getShape());
    proven[axis] = ShapedType::kDynamic;
    RankedTensorType type = resultType(b, in.getElementType(), rank, proven, i);
    Value part = builder.create<DynamicSliceOp>(b.loc(), type, x, *lo, *hi, axisValue, Value());
    if (b.hasOutput(i))
      b.define(i, part);
  }
  return success();
}

LogicalResult kiln::onnx_import::importRuntimeExpand(NodeBinder &b) {
  FailureOr<Value> x = b.input(0);
  FailureOr<Value> shape = failed(x) ? FailureOr<Value>(failure()) : indexOperand(b, 1, "the shape");
  if (failed(shape))
    return failure();
  RankedTensorType in = typeOf(*x);
  int64_t rank = std::max(in.getRank(), typeOf(*shape).getDimSize(0));
  // An input dim other than 1 is the result's whatever the shape says.
  SmallVector<int64_t> proven(rank, ShapedType::kDynamic);
  for (int64_t d = 0; d < in.getRank(); ++d)
    if (in.getDimSize(d) != 1)
      proven[rank - in.getRank() + d] = in.getDimSize(d);
  RankedTensorType type = resultType(b, in.getElementType(), rank, proven);
  b.define(0, b.builder().create<DynamicExpandOp>(b.loc(), type, *x, *shape));
  return success();
}

LogicalResult kiln::onnx_import::importRuntimePad(NodeBinder &b) {
  FailureOr<Value> x = b.input(0);
  FailureOr<Value> pads = failed(x) ? FailureOr<Value>(failure()) : indexOperand(b, 1, "pads");
  if (failed(pads))
    return failure();
  RankedTensorType in = typeOf(*x);
  if (typeOf(*pads).getDimSize(0) != 2 * in.getRank())
    return b.error() << "expects " << 2 * in.getRank()
                     << " pads (before and after each input dim), found "
                     << typeOf(*pads).getDimSize(0);
  // constant_value: a constant becomes the `value` attribute, a run-time
  // scalar stays an operand.
  double value = 0;
  Value runtimeValue;
  if (b.hasInput(2)) {
    if (std::optional<SmallVector<double>> v = b.constNumbers(2)) {
      if (v->size() != 1)
        return b.error() << "expects constant_value (input 2) to be a scalar";
      value = v->front();
    } else {
      FailureOr<Value> given = b.input(2);
      if (failed(given))
        return failure();
      if (!typeOf(*given).hasStaticShape() || typeOf(*given).getNumElements() != 1 ||
          typeOf(*given).getElementType() != in.getElementType())
        return b.error() << "expects constant_value (input 2) to be a scalar of the data's type, "
                            "found "
                         << typeOf(*given);
      runtimeValue = *given;
      if (typeOf(*given).getRank() != 0)
        runtimeValue = b.builder().create<ReshapeOp>(
            b.loc(), RankedTensorType::get({}, in.getElementType()), *given);
    }
  }
  RankedTensorType type = resultType(b, in.getElementType(), in.getRank());
  b.define(0, b.builder().create<DynamicPadOp>(b.loc(), type, *x, *pads, runtimeValue,
                                               b.builder().getF64FloatAttr(value)));
  return success();
}

LogicalResult kiln::onnx_import::importRuntimeTile(NodeBinder &b) {
  FailureOr<Value> x = b.input(0);
  FailureOr<Value> repeats = failed(x) ? FailureOr<Value>(failure()) : indexOperand(b, 1, "repeats");
  if (failed(repeats))
    return failure();
  RankedTensorType in = typeOf(*x);
  if (typeOf(*repeats).getDimSize(0) != in.getRank())
    return b.error() << "expects one repeat count per input dim (" << in.getRank()
                     << "), found " << typeOf(*repeats).getDimSize(0);
  RankedTensorType type = resultType(b, in.getElementType(), in.getRank());
  b.define(0, b.builder().create<DynamicTileOp>(b.loc(), type, *x, *repeats));
  return success();
}

LogicalResult kiln::onnx_import::importRuntimeConstantOfShape(NodeBinder &b) {
  FailureOr<Value> shape = indexOperand(b, 0, "the shape");
  if (failed(shape))
    return failure();
  // `value` is a one-element tensor (default: float 0).
  TypedAttr value = b.builder().getF32FloatAttr(0);
  if (const onnx::TensorProto *t = b.attrTensor("value")) {
    FailureOr<Entry> e = b.importTensor(*t);
    if (failed(e))
      return failure();
    auto c = e->value.getDefiningOp<ConstantOp>();
    auto dense = c ? dyn_cast<DenseElementsAttr>(c.getValue()) : DenseElementsAttr();
    if (c && c->use_empty())
      c->erase();
    if (!dense || dense.getNumElements() != 1)
      return b.error() << "expects a one-element value";
    value = cast<TypedAttr>(dense.getValues<Attribute>()[0]);
  }
  RankedTensorType type = resultType(b, value.getType(), typeOf(*shape).getDimSize(0));
  b.define(0, b.builder().create<ConstantOfShapeOp>(b.loc(), type, *shape, value));
  return success();
}

LogicalResult kiln::onnx_import::importRuntimeReduceSum(NodeBinder &b) {
  FailureOr<Value> x = b.input(0);
  FailureOr<Value> axes = failed(x) ? FailureOr<Value>(failure()) : indexOperand(b, 1, "axes");
  if (failed(axes))
    return failure();
  RankedTensorType in = typeOf(*x);
  int64_t n = typeOf(*axes).getDimSize(0);
  bool keep = b.attrBool("keepdims", true);
  if (n > in.getRank())
    return b.error() << "expects at most " << in.getRank() << " axes (the input's rank), found "
                     << n;
  RankedTensorType type = resultType(b, in.getElementType(), keep ? in.getRank() : in.getRank() - n);
  b.define(0, b.builder().create<DynamicReduceSumOp>(b.loc(), type, *x, *axes,
                                                     b.builder().getBoolAttr(keep)));
  return success();
}

LogicalResult kiln::onnx_import::importRuntimeCumSum(NodeBinder &b) {
  FailureOr<Value> x = b.input(0);
  FailureOr<Value> axis = failed(x) ? FailureOr<Value>(failure()) : b.input(1);
  if (failed(axis))
    return failure();
  RankedTensorType t = typeOf(*axis);
  if (t.getRank() != 0 && !(t.getRank() == 1 && t.getDimSize(0) == 1))
    return b.error() << "expects a scalar axis (input 1), found " << t;
  Value a = *axis;
  OpBuilder &builder = b.builder();
  if (t.getRank() == 1)
    a = builder.create<ReshapeOp>(b.loc(), RankedTensorType::get({}, t.getElementType()), a);
  if (typeOf(*x).getRank() == 0)
    return b.error() << "expects an input of rank >= 1";
  b.define(0, builder.create<DynamicCumSumOp>(b.loc(), typeOf(*x), *x, a,
                                              builder.getBoolAttr(b.attrBool("exclusive", false)),
                                              builder.getBoolAttr(b.attrBool("reverse", false))));
  return success();
}

/// Range-11: scalar start, limit and delta of one numeric type.
static LogicalResult importRange(NodeBinder &b) {
  FailureOr<SmallVector<Value>> in = b.allInputs();
  if (failed(in))
    return failure();
  Type elem = typeOf((*in)[0]).getElementType();
  for (Value v : *in)
    if (typeOf(v).getRank() != 0 || typeOf(v).getElementType() != elem || elem.isInteger(1))
      return b.error() << "expects scalar start, limit and delta of one numeric type, found "
                       << typeOf((*in)[0]) << ", " << typeOf((*in)[1]) << " and "
                       << typeOf((*in)[2]);
  // Integer constants: the exact count (ONNX's shape inference wraps
  // `limit - start` in int64, giving 0 for Range(-2^63, 2^63 - 1, 2^62)).
  SmallVector<int64_t> proven;
  std::optional<SmallVector<int64_t>> s = kiln::nn::constantInts(b.constInput(0)),
                                      l = kiln::nn::constantInts(b.constInput(1)),
                                      d = kiln::nn::constantInts(b.constInput(2));
  if (isa<IntegerType>(elem) && s && l && d && s->size() == 1 && l->size() == 1 &&
      d->size() == 1 && d->front() != 0) {
    __int128 span = static_cast<__int128>(l->front()) - s->front(), delta = d->front();
    __int128 count = span / delta + ((span % delta != 0 && (span < 0) == (delta < 0)) ? 1 : 0);
    if (count >= 0 && count <= (int64_t(1) << 31))
      proven.push_back(static_cast<int64_t>(count));
    else if (count < 0)
      proven.push_back(0);
  }
  RankedTensorType type = resultType(b, elem, 1, proven);
  b.define(0, b.builder().create<RangeOp>(b.loc(), type, (*in)[0], (*in)[1], (*in)[2]));
  return success();
}

void kiln::onnx_import::registerShapeOperandOps(OpRegistry &r) { r.on("Range", 11, importRange); }
