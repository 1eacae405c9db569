//===- DataMovement.cpp - gathers, slices, padding, layout changes -------===//
//
// Transpose, Concat, Slice, Split, Pad, Gather, GatherElements, GatherND,
// ReverseSequence, Cast, CastLike, Expand, Tile, DepthToSpace,
// SpaceToDepth and Trilu (Resize and Upsample are in Sampling.cpp).
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/ONNX/NodeBinder.h"
#include "compiler/Import/ONNX/Ops/Indexing.h"
#include "compiler/Import/ONNX/Ops/ShapeOperands.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/StringSet.h"

#include <limits>

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::onnx_import;

namespace {

DenseI64ArrayAttr ints(NodeBinder &b, ArrayRef<int64_t> v) {
  return b.builder().getDenseI64ArrayAttr(v);
}

/// Optional constant integer input `i`, empty when omitted.
LogicalResult optionalConstInts(NodeBinder &b, int i, StringRef what, SmallVector<int64_t> &out) {
  if (!b.hasInput(i))
    return success();
  FailureOr<SmallVector<int64_t>> v = b.constInts(i, what);
  if (failed(v))
    return failure();
  out = *v;
  return success();
}

/// ONNX Slice: starts/ends/axes/steps (attributes before opset 10, constant
/// inputs after) clamped per ONNX into nn.slice's offsets, sizes and
/// strides (a slice of a constant folds).
LogicalResult importSlice(NodeBinder &b, bool paramsAsInputs) {
  if (paramsAsInputs && !llvm::all_of(llvm::seq(1, 5), [&](int i) { return constantOrAbsent(b, i); }))
    return importRuntimeSlice(b);
  SmallVector<int64_t> starts, ends, axes, steps;
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> shape = typeOf(*x).getShape();
  int64_t rank = shape.size();
  if (!paramsAsInputs) {
    starts = b.attrInts("starts");
    ends = b.attrInts("ends");
    axes = b.attrInts("axes");
  } else {
    FailureOr<SmallVector<int64_t>> s = b.constInts(1, "starts"), e = b.constInts(2, "ends");
    if (failed(s) || failed(e))
      return failure();
    starts = *s;
    ends = *e;
    if (failed(optionalConstInts(b, 3, "axes", axes)) ||
        failed(optionalConstInts(b, 4, "steps", steps)))
      return failure();
  }
  if (axes.empty())
    axes = llvm::to_vector(llvm::seq<int64_t>(0, starts.size()));
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return b.error() << "expects starts, ends, axes and steps of one length, found "
                     << starts.size() << ", " << ends.size() << ", " << axes.size() << " and "
                     << steps.size();
  SmallVector<int64_t> offsets(rank, 0), sizes(shape), strides(rank, 1);
  SmallVector<bool> seen(rank, false);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t a = axes[i] < 0 ? axes[i] + rank : axes[i];
    if (a < 0 || a >= rank || seen[a])
      return b.error() << "expects distinct axes in [" << -rank << ", " << rank - 1
                       << "], found " << axes[i];
    seen[a] = true;
    int64_t n = shape[a], step = steps[i];
    if (step == 0)
      return b.error() << "expects non-zero steps, found 0 for axis " << axes[i];
    // A dynamic dimension is sliced only whole (nn.slice's dynamic size).
    if (ShapedType::isDynamic(n)) {
      if (step != 1 || starts[i] != 0 || ends[i] < std::numeric_limits<int32_t>::max())
        return b.error() << "expects a dynamic dimension to be sliced whole, found starts "
                         << starts[i] << ", ends " << ends[i] << " and steps " << step
                         << " for axis " << axes[i];
      continue;
    }
    int64_t lo = starts[i] < 0 ? starts[i] + n : starts[i];
    int64_t hi = ends[i] < 0 ? ends[i] + n : ends[i];
    // ceil(span / |step|) as 1 + (span - 1) / |step| in unsigned
    // arithmetic: `span + step - 1` and `-step` overflowed for steps near
    // INT64_MAX and at INT64_MIN (x[0:2^63-1:2^63-1] came out empty).
    int64_t count;
    if (step > 0) {
      lo = std::clamp<int64_t>(lo, 0, n);
      hi = std::clamp<int64_t>(hi, 0, n);
      count = hi > lo ? 1 + static_cast<int64_t>(static_cast<uint64_t>(hi - lo - 1) /
                                                 static_cast<uint64_t>(step))
                      : 0;
    } else {
      lo = std::clamp<int64_t>(lo, -1, n - 1);
      hi = std::clamp<int64_t>(hi, -1, n - 1);
      uint64_t magnitude = 0 - static_cast<uint64_t>(step);
      count = lo > hi ? 1 + static_cast<int64_t>(static_cast<uint64_t>(lo - hi - 1) / magnitude)
                      : 0;
    }
    offsets[a] = count ? lo : 0;
    sizes[a] = count;
    strides[a] = step;
  }
  return b.defineResult(b.create<SliceOp>(*x, ints(b, offsets), ints(b, sizes), ints(b, strides)));
}

/// Split of a dynamic dim: the sizes given (`split`), or equal parts
/// computed at run time (`ceil(n / parts)` each, the last ones smaller with
/// `num_outputs`, else `n` must divide evenly), then a run-time split.
LogicalResult splitDynamicDim(NodeBinder &b, Value x, int64_t axis, ArrayRef<int64_t> split) {
  OpBuilder &builder = b.builder();
  Location loc = b.loc();
  int64_t parts = b.numOutputs();
  auto sizesType = RankedTensorType::get({parts}, builder.getI64Type());
  if (!split.empty()) {
    if (static_cast<int64_t>(split.size()) != parts || llvm::any_of(split, [](int64_t s) {
          return s < 0;
        }))
      return b.error() << "expects " << parts << " non-negative split sizes, found "
                       << split.size() << ": [" << llvm::make_range(split.begin(), split.end())
                       << "]";
    Value sizes = builder.create<ConstantOp>(loc, DenseElementsAttr::get(sizesType, split));
    return splitAtRunTime(b, x, axis, sizes);
  }
  auto i64 = [&](int64_t v) -> Value { return builder.create<arith::ConstantIntOp>(loc, v, 64); };
  Value n = builder.create<arith::IndexCastOp>(loc, builder.getI64Type(),
                                               builder.create<tensor::DimOp>(loc, x, axis));
  if (!b.hasAttr("num_outputs")) {
    Value rem = builder.create<arith::RemSIOp>(loc, n, i64(parts));
    builder.create<cf::AssertOp>(
        loc, builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, rem, i64(0)),
        runTimeLabel(b) + "expects dimension " + std::to_string(axis) + " to divide into " +
            std::to_string(parts) + " equal parts, found a size that does not");
  }
  Value chunk = builder.create<arith::DivSIOp>(
      loc, builder.create<arith::AddIOp>(loc, n, i64(parts - 1)), i64(parts));
  SmallVector<Value> sizes;
  for (int64_t i = 0; i < parts; ++i) {
    // min(chunk, n - i * chunk), at least 0.
    Value left = builder.create<arith::SubIOp>(
        loc, n, builder.create<arith::MulIOp>(loc, chunk, i64(i)));
    sizes.push_back(builder.create<arith::MaxSIOp>(
        loc, builder.create<arith::MinSIOp>(loc, chunk, left), i64(0)));
  }
  Value sizesValue = builder.create<tensor::FromElementsOp>(loc, sizesType, sizes);
  return splitAtRunTime(b, x, axis, sizesValue);
}

/// Split into consecutive nn.slice windows along `axis`: sizes from the
/// `split` attribute (before opset 13) or input, or `num_outputs` (opset 18,
/// the last part smaller), or equal parts.
LogicalResult importSplit(NodeBinder &b, bool splitAsInput) {
  // Opset 18's num_outputs says how many outputs the node has; ONNX makes it
  // an error to disagree with them or to come with `split`.
  if (b.hasAttr("num_outputs")) {
    int64_t num = b.attrInt("num_outputs", 0);
    if (num != static_cast<int64_t>(b.numOutputs()))
      return b.error() << "expects num_outputs equal to the node's " << b.numOutputs()
                       << " outputs, found " << num;
    if (splitAsInput && b.hasInput(1))
      return b.error() << "expects either the split input or num_outputs, found both";
  }
  if (splitAsInput && !constantOrAbsent(b, 1))
    return importRuntimeSplit(b);
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> shape = typeOf(*x).getShape();
  int64_t rank = shape.size();
  int64_t axis = b.attrInt("axis", 0);
  if (axis < -rank || axis >= rank)
    return b.error() << "expects axis in [" << -rank << ", " << rank - 1 << "], found " << axis;
  if (axis < 0)
    axis += rank;
  int64_t n = shape[axis], parts = b.numOutputs();
  SmallVector<int64_t> split;
  if (!splitAsInput)
    split = b.attrInts("split");
  else if (failed(optionalConstInts(b, 1, "split", split)))
    return failure();
  if (ShapedType::isDynamic(n))
    return splitDynamicDim(b, *x, axis, split);
  if (split.empty()) {
    int64_t chunk = (n + parts - 1) / parts;
    if (!b.hasAttr("num_outputs") && n % parts != 0)
      return b.error() << "expects dimension " << axis << " (size " << n << ") to divide into "
                       << parts << " equal parts";
    for (int64_t i = 0; i < parts; ++i)
      split.push_back(std::max<int64_t>(0, std::min(chunk, n - i * chunk)));
  }
  int64_t total = 0;
  for (int64_t s : split)
    total += s;
  if (static_cast<int64_t>(split.size()) != parts || total != n ||
      llvm::any_of(split, [](int64_t s) { return s < 0; }))
    return b.error() << "expects " << parts << " non-negative split sizes adding up to " << n
                     << ", found " << split.size() << " adding up to " << total;
  int64_t offset = 0;
  for (int64_t i = 0; i < parts; ++i) {
    SmallVector<int64_t> offsets(rank, 0), sizes(shape), strides(rank, 1);
    offsets[axis] = split[i] ? offset : 0;
    sizes[axis] = split[i];
    offset += split[i];
    FailureOr<Value> part =
        b.create<SliceOp>(*x, ints(b, offsets), ints(b, sizes), ints(b, strides));
    if (failed(part))
      return failure();
    if (b.hasOutput(i))
      b.define(i, *part);
  }
  return success();
}

/// Pad, constant mode: pads from the attribute (before opset 11) or a
/// constant input, optionally on some `axes` (opset 18), the value from an
/// attribute or a constant scalar input. Edge and reflect modes are
/// Indexing.cpp's.
LogicalResult importPad(NodeBinder &b, bool padsAsInput) {
  std::string mode = b.attrString("mode", "constant");
  if (mode == "edge" || mode == "reflect")
    return importBorderPad(b, padsAsInput, mode);
  if (mode != "constant")
    return b.error() << "supports mode 'constant', 'edge' or 'reflect', found " << quoted(mode);
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  int64_t rank = typeOf(*x).getRank();
  SmallVector<int64_t> pads, axes;
  double value = 0;
  if (padsAsInput && (!constantOrAbsent(b, 1) || !constantOrAbsent(b, 2)) && !b.hasInput(3))
    return importRuntimePad(b);
  if (!padsAsInput) {
    pads = b.attrInts("pads");
    value = b.attrFloat("value", 0.0);
  } else {
    FailureOr<SmallVector<int64_t>> p = b.constInts(1, "pads");
    if (failed(p))
      return failure();
    pads = *p;
    if (b.hasInput(2)) {
      std::optional<SmallVector<double>> v = b.constNumbers(2);
      if (!v || v->size() != 1)
        return b.error() << "expects constant_value (input 2) to be a scalar constant";
      value = v->front();
    }
    if (failed(optionalConstInts(b, 3, "axes", axes)))
      return failure();
  }
  if (axes.empty())
    axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  int64_t k = axes.size();
  if (static_cast<int64_t>(pads.size()) != 2 * k)
    return b.error() << "expects " << 2 * k << " pads (begin and end per axis), found "
                     << pads.size();
  SmallVector<int64_t> low(rank, 0), high(rank, 0);
  for (int64_t i = 0; i < k; ++i) {
    int64_t a = axes[i] < 0 ? axes[i] + rank : axes[i];
    if (a < 0 || a >= rank)
      return b.error() << "expects axes in [" << -rank << ", " << rank - 1 << "], found "
                       << axes[i];
    low[a] = pads[i];
    high[a] = pads[k + i];
  }
  return b.defineResult(
      b.create<PadOp>(*x, ints(b, low), ints(b, high), b.builder().getF64FloatAttr(value)));
}

/// Gather (folded when both inputs are constants).
LogicalResult importGather(NodeBinder &b) {
  FailureOr<Value> x = b.input(0), idx = b.input(1);
  if (failed(x) || failed(idx))
    return failure();
  int64_t axis = b.attrInt("axis", 0);
  FailureOr<Value> y = b.create<GatherOp>(*x, *idx, b.builder().getI64IntegerAttr(axis));
  if (failed(y) || failed(checkConstIndices(b, *x, axis, /*nd=*/false)))
    return failure();
  return b.defineResult(y);
}

/// GatherElements and GatherND: data, indices and one integer attribute
/// (the axis, or batch_dims).
template <typename OpTy, bool nd>
OpHandler withIndices(StringLiteral attr, int64_t dflt) {
  return [attr, dflt](NodeBinder &b) -> LogicalResult {
    FailureOr<Value> x = b.input(0), idx = b.input(1);
    if (failed(x) || failed(idx))
      return failure();
    int64_t value = b.attrInt(attr, dflt);
    FailureOr<Value> y = b.create<OpTy>(*x, *idx, b.builder().getI64IntegerAttr(value));
    if (failed(y) || failed(checkConstIndices(b, *x, value, nd)))
      return failure();
    return b.defineResult(y);
  };
}

LogicalResult importReverseSequence(NodeBinder &b) {
  FailureOr<Value> x = b.input(0), lens = b.input(1);
  if (failed(x) || failed(lens))
    return failure();
  OpBuilder &builder = b.builder();
  int64_t timeAxis = b.attrInt("time_axis", 0);
  FailureOr<Value> y = b.create<ReverseSequenceOp>(
      *x, *lens, builder.getI64IntegerAttr(b.attrInt("batch_axis", 1)),
      builder.getI64IntegerAttr(timeAxis));
  if (failed(y))
    return failure();
  // Constant lengths are checked here, where the generated code would clamp
  // them (ONNX: each in [0, T]); run-time ones by the lowering.
  std::optional<SmallVector<int64_t>> lengths = kiln::nn::constantInts(b.constInput(1));
  ArrayRef<int64_t> shape = typeOf(*x).getShape();
  if (lengths && timeAxis >= 0 && timeAxis < static_cast<int64_t>(shape.size())) {
    int64_t steps = shape[timeAxis];
    for (int64_t v : *lengths) {
      if (v < 0 || (!ShapedType::isDynamic(steps) && v > steps)) {
        InFlightDiagnostic d = b.error() << "expects sequence lengths in [0, ";
        if (ShapedType::isDynamic(steps))
          d << "the time axis size";
        else
          d << steps;
        return d << "], found " << v;
      }
    }
  }
  return b.defineResult(y);
}

/// Cast and CastLike (a cast of a constant folds).
LogicalResult importCast(NodeBinder &b) {
  bool like = b.opType() == "CastLike";
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  Type to;
  if (!like) {
    FailureOr<Type> elem = b.elementType(b.attrInt("to", 0), "Cast target");
    if (failed(elem))
      return failure();
    to = *elem;
  } else {
    FailureOr<Value> target = b.input(1);
    if (failed(target))
      return failure();
    to = typeOf(*target).getElementType();
  }
  RankedTensorType t = typeOf(*x);
  if (t.getElementType() == to)
    return b.defineResult(*x);
  b.define(0, b.builder().create<CastOp>(b.loc(), t.clone(to), *x));
  return success();
}

/// Expand and Tile: data and a constant shape or repeats.
template <typename OpTy>
OpHandler withConstInts(StringLiteral what, LogicalResult (*runtime)(NodeBinder &)) {
  return [what, runtime](NodeBinder &b) -> LogicalResult {
    if (!constantOrAbsent(b, 1))
      return runtime(b);
    FailureOr<Value> x = b.input(0);
    if (failed(x))
      return failure();
    FailureOr<SmallVector<int64_t>> v = b.constInts(1, what);
    if (failed(v))
      return failure();
    return b.defineResult(b.create<OpTy>(*x, ints(b, *v)));
  };
}

LogicalResult importTranspose(NodeBinder &b) {
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  SmallVector<int64_t> perm = b.attrInts("perm");
  if (!b.hasAttr("perm"))
    for (int64_t i = typeOf(*x).getRank() - 1; i >= 0; --i)
      perm.push_back(i);
  return b.defineResult(b.create<TransposeOp>(*x, ints(b, perm)));
}

LogicalResult importConcat(NodeBinder &b) {
  FailureOr<SmallVector<Value>> in = b.allInputs();
  if (failed(in))
    return failure();
  return b.defineResult(
      b.create<ConcatOp>(*in, b.builder().getI64IntegerAttr(b.attrInt("axis", 0))));
}

/// DepthToSpace (DCR or CRD) and SpaceToDepth on NCHW: a reshape, a
/// transpose and a reshape.
LogicalResult importDepthSpace(NodeBinder &b) {
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  RankedTensorType t = typeOf(*x);
  int64_t bs = b.attrInt("blocksize", 0);
  if (t.getRank() != 4 || bs <= 0)
    return b.error() << "expects a rank-4 NCHW input and a positive blocksize, found rank "
                     << t.getRank() << " and blocksize " << bs;
  int64_t n = t.getDimSize(0), c = t.getDimSize(1), h = t.getDimSize(2), w = t.getDimSize(3);
  // A dynamic dim stays dynamic (kDynamic is no number to divide).
  auto scaled = [](int64_t d, int64_t by, bool divide) {
    return ShapedType::isDynamic(d) ? d : divide ? d / by : d * by;
  };
  SmallVector<int64_t> split, perm, out;
  if (b.opType() == "DepthToSpace") {
    if (!ShapedType::isDynamic(c) && c % (bs * bs))
      return b.error() << "expects channels (" << c << ") divisible by blocksize^2 (" << bs * bs
                       << ")";
    int64_t depth = scaled(c, bs * bs, true);
    if (b.attrString("mode", "DCR") == "CRD") {
      split = {n, depth, bs, bs, h, w};
      perm = {0, 1, 4, 2, 5, 3};
    } else {
      split = {n, bs, bs, depth, h, w};
      perm = {0, 3, 4, 1, 5, 2};
    }
    out = {n, depth, scaled(h, bs, false), scaled(w, bs, false)};
  } else {
    if ((!ShapedType::isDynamic(h) && h % bs) || (!ShapedType::isDynamic(w) && w % bs))
      return b.error() << "expects height and width (" << h << ", " << w
                       << ") divisible by blocksize (" << bs << ")";
    split = {n, c, scaled(h, bs, true), bs, scaled(w, bs, true), bs};
    perm = {0, 3, 5, 1, 2, 4};
    out = {n, scaled(c, bs * bs, false), scaled(h, bs, true), scaled(w, bs, true)};
  }
  if (llvm::none_of(t.getShape().drop_front(), ShapedType::isDynamic)) {
    Value parts = b.builder().create<ReshapeOp>(b.loc(), t.clone(split), *x);
    FailureOr<Value> moved = b.create<TransposeOp>(parts, ints(b, perm));
    if (failed(moved))
      return failure();
    b.define(0, b.builder().create<ReshapeOp>(b.loc(), t.clone(out), *moved));
    return success();
  }
  // Dynamic C, H or W: the same through run-time reshapes, their shapes
  // computed from the input's dims after a divisibility check.
  OpBuilder &builder = b.builder();
  Location loc = b.loc();
  auto i64 = [&](int64_t v) -> Value { return builder.create<arith::ConstantIntOp>(loc, v, 64); };
  SmallVector<Value> dims;
  for (int64_t d = 0; d < 4; ++d)
    dims.push_back(builder.create<arith::IndexCastOp>(loc, builder.getI64Type(),
                                                      builder.create<tensor::DimOp>(loc, *x, d)));
  auto divisible = [&](Value v, int64_t by) {
    return builder.create<arith::CmpIOp>(
        loc, arith::CmpIPredicate::eq, builder.create<arith::RemSIOp>(loc, v, i64(by)), i64(0));
  };
  auto div = [&](Value v, int64_t by) -> Value {
    return builder.create<arith::DivSIOp>(loc, v, i64(by));
  };
  auto mul = [&](Value v, int64_t by) -> Value {
    return builder.create<arith::MulIOp>(loc, v, i64(by));
  };
  Value nv = dims[0], cv = dims[1], hv = dims[2], wv = dims[3];
  SmallVector<Value> splitDims, outDims;
  if (b.opType() == "DepthToSpace") {
    builder.create<cf::AssertOp>(loc, divisible(cv, bs * bs),
                                 runTimeLabel(b) + "expects channels divisible by blocksize^2 (" +
                                     std::to_string(bs * bs) + "), found others");
    Value depth = div(cv, bs * bs);
    if (b.attrString("mode", "DCR") == "CRD")
      splitDims = {nv, depth, i64(bs), i64(bs), hv, wv};
    else
      splitDims = {nv, i64(bs), i64(bs), depth, hv, wv};
    outDims = {nv, depth, mul(hv, bs), mul(wv, bs)};
  } else {
    builder.create<cf::AssertOp>(
        loc, builder.create<arith::AndIOp>(loc, divisible(hv, bs), divisible(wv, bs)),
        runTimeLabel(b) + "expects height and width divisible by blocksize (" +
            std::to_string(bs) + "), found others");
    splitDims = {nv, cv, div(hv, bs), i64(bs), div(wv, bs), i64(bs)};
    outDims = {nv, mul(cv, bs * bs), div(hv, bs), div(wv, bs)};
  }
  auto shapeOf = [&](ArrayRef<Value> values) -> Value {
    auto type = RankedTensorType::get({static_cast<int64_t>(values.size())}, builder.getI64Type());
    return builder.create<tensor::FromElementsOp>(loc, type, values);
  };
  // allowzero: the sizes come from the input's own dims, so a 0 is a size
  // (an empty batch), not ONNX Reshape's "copy the input's dim".
  Value parts = builder.create<DynamicReshapeOp>(loc, t.clone(split), *x, shapeOf(splitDims),
                                                 builder.getBoolAttr(true));
  FailureOr<Value> moved = b.create<TransposeOp>(parts, ints(b, perm));
  if (failed(moved))
    return failure();
  b.define(0, builder.create<DynamicReshapeOp>(loc, t.clone(out), *moved, shapeOf(outDims),
                                               builder.getBoolAttr(true)));
  return success();
}

LogicalResult importTrilu(NodeBinder &b) {
  FailureOr<Value> x = b.input(0);
  FailureOr<Value> k = b.optionalInput(1);
  if (failed(x) || failed(k))
    return failure();
  if (*k && (typeOf(*k).getRank() != 0 || !typeOf(*k).getElementType().isInteger(64)))
    return b.error() << "expects k (input 1) to be an int64 scalar, found " << k->getType();
  RankedTensorType t = typeOf(*x);
  if (t.getRank() < 2)
    return b.error() << "expects an input of rank >= 2, found rank " << t.getRank();
  b.define(0, b.builder().create<TriluOp>(b.loc(), t, *x, *k,
                                          b.builder().getBoolAttr(b.attrBool("upper", true))));
  return success();
}

} // namespace

/// Constant indices (input 1) are range-checked at compile time: ONNX makes
/// an index outside [-n, n-1] an error, where the generated code would
/// clamp it. `nd`: GatherND, whose last index dimension walks the data's
/// dimensions from `axis` (batch_dims) on.
LogicalResult kiln::onnx_import::checkConstIndices(NodeBinder &b, Value data, int64_t axis,
                                                 bool nd) {
  ElementsAttr value = b.constInput(1);
  std::optional<SmallVector<int64_t>> idx = kiln::nn::constantInts(value);
  if (!idx)
    return success();
  ArrayRef<int64_t> shape = typeOf(data).getShape(), idxShape = value.getShapedType().getShape();
  int64_t rank = shape.size();
  int64_t k = nd ? (idxShape.empty() ? 0 : idxShape.back()) : 1;
  if (k <= 0)
    return success();
  if (!nd && axis < 0)
    axis += rank;
  for (auto [p, v] : llvm::enumerate(*idx)) {
    int64_t dim = nd ? axis + static_cast<int64_t>(p) % k : axis;
    // A bad axis was reported by the op's inference.
    if (dim < 0 || dim >= rank || ShapedType::isDynamic(shape[dim]))
      continue;
    int64_t n = shape[dim];
    if (v < -n || v >= n)
      return b.error() << "expects indices along dimension " << dim << " in [" << -n << ", "
                       << n - 1 << "], found " << v;
  }
  return success();
}

void kiln::onnx_import::registerDataMovementOps(OpRegistry &r) {
  r.on("Transpose", 1, importTranspose);
  r.on("Concat", 1, importConcat);
  r.on("Slice", 1, [](NodeBinder &b) { return importSlice(b, /*paramsAsInputs=*/false); });
  r.on("Slice", 10, [](NodeBinder &b) { return importSlice(b, /*paramsAsInputs=*/true); });
  r.on("Split", 1, [](NodeBinder &b) { return importSplit(b, /*splitAsInput=*/false); });
  r.on("Split", 13, [](NodeBinder &b) { return importSplit(b, /*splitAsInput=*/true); });
  r.on("Pad", 2, [](NodeBinder &b) { return importPad(b, /*padsAsInput=*/false); });
  r.on("Pad", 11, [](NodeBinder &b) { return importPad(b, /*padsAsInput=*/true); });
  r.on("Gather", 1, importGather);
  r.on("GatherElements", 11, withIndices<GatherElementsOp, false>("axis", 0));
  r.on("GatherND", 11, withIndices<GatherNDOp, true>("batch_dims", 0));
  r.on("ReverseSequence", 10, importReverseSequence);
  r.on("Cast", 6, importCast);
  r.on("CastLike", 15, importCast);
  r.on("Expand", 8, withConstInts<ExpandOp>("the shape", importRuntimeExpand));
  r.on("Tile", 6, withConstInts<TileOp>("repeats", importRuntimeTile));
  r.on("DepthToSpace", 1, importDepthSpace);
  r.on("SpaceToDepth", 1, importDepthSpace);
  r.on("Trilu", 14, importTrilu);
}
