//===- Indexing.cpp - operators whose indices or sizes are data -----------===//
//
// Pad (edge and reflect modes), TopK, Scatter, ScatterElements, ScatterND,
// OneHot, NonZero, Compress, Unique, MaxUnpool and NonMaxSuppression. The
// nn ops take their data-dependent inputs (k, pads, depth, thresholds) as
// operands read at run time; a result dim is static where a constant input
// decides it or ONNX shape inference knows it, and the lowering checks the
// data against it.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/ONNX/Ops/Indexing.h"

#include "compiler/Import/ONNX/OpRegistry.h"

#include <limits>

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::onnx_import;

namespace {

Type i64Type(NodeBinder &b) { return b.builder().getI64Type(); }

/// Result `i`'s type: rank `rank`, dims from ONNX shape inference, overridden
/// by `known` where that is static.
RankedTensorType resultType(NodeBinder &b, Type elem, ArrayRef<int64_t> known, int i = 0) {
  SmallVector<int64_t> shape = b.inferredShape(i, known.size());
  for (auto [d, k] : llvm::enumerate(known))
    if (!ShapedType::isDynamic(k))
      shape[d] = k;
  return RankedTensorType::get(shape, elem);
}

/// Input `i` as a 1-D i64 vector of `n` elements (a rank-0 one is reshaped);
/// `what` names it in the error.
FailureOr<Value> int64Vector(NodeBinder &b, int i, int64_t n, StringRef what) {
  FailureOr<Value> v = b.input(i);
  if (failed(v))
    return failure();
  RankedTensorType t = typeOf(*v);
  if (!t.getElementType().isInteger(64) || !t.hasStaticShape() || t.getRank() > 1 ||
      t.getNumElements() != n)
    return b.error() << "expects " << what << " (input " << i << ") to be " << n << " int64 value"
                     << (n == 1 ? "" : "s") << ", found " << t;
  if (t.getRank() == 1)
    return *v;
  return b.builder()
      .create<ReshapeOp>(b.loc(), RankedTensorType::get({1}, t.getElementType()), *v)
      .getResult();
}

int64_t normalize(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

LogicalResult checkAxis(NodeBinder &b, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return b.error() << "expects axis in [" << -rank << ", " << rank - 1 << "], found " << axis;
  return success();
}

//===----------------------------------------------------------------------===//
// TopK
//===----------------------------------------------------------------------===//

/// TopK-1 (k an attribute), -10 (k an input) and -11 (largest, sorted).
LogicalResult importTopK(NodeBinder &b) {
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  RankedTensorType in = typeOf(*x);
  int64_t rank = in.getRank();
  int64_t axis = b.attrInt("axis", -1);
  if (failed(checkAxis(b, axis, rank)))
    return failure();
  axis = normalize(axis, rank);
  std::optional<int64_t> known;
  Value k;
  auto kType = RankedTensorType::get({1}, i64Type(b));
  if (b.opset() < 10) {
    known = b.attrInt("k", -1);
    k = b.intConstant(kType, {*known});
  } else {
    FailureOr<Value> given = int64Vector(b, 1, 1, "k");
    if (failed(given))
      return failure();
    k = *given;
    if (b.constInput(1))
      known = (*b.constInts(1, "k")).front();
  }
  if (known && (*known < 0 || (!in.isDynamicDim(axis) && *known > in.getDimSize(axis))))
    return b.error() << "expects k in [0, " << in.getDimSize(axis) << "], found " << *known;
  if (!isa<FloatType, IntegerType>(in.getElementType()) || in.getElementType().isInteger(1))
    return b.error() << "expects a numeric input, found " << in;
  SmallVector<int64_t> dims(in.getShape());
  dims[axis] = known ? *known : ShapedType::kDynamic;
  RankedTensorType values = resultType(b, in.getElementType(), dims, 0);
  RankedTensorType indices = RankedTensorType::get(values.getShape(), i64Type(b));
  OpBuilder &builder = b.builder();
  auto op = builder.create<TopKOp>(b.loc(), TypeRange{values, indices}, *x, k,
                                   builder.getI64IntegerAttr(axis),
                                   builder.getBoolAttr(b.attrBool("largest", true)),
                                   builder.getBoolAttr(b.attrBool("sorted", true)));
  b.define(0, op.getValues());
  if (b.hasOutput(1))
    b.define(1, op.getIndices());
  return success();
}

//===----------------------------------------------------------------------===//
// Scatters
//===----------------------------------------------------------------------===//

/// Scatter-9 and ScatterElements-11/16/18.
LogicalResult importScatterElements(NodeBinder &b) {
  FailureOr<Value> data = b.input(0), idx = b.input(1), upd = b.input(2);
  if (failed(data) || failed(idx) || failed(upd))
    return failure();
  RankedTensorType dt = typeOf(*data), it = typeOf(*idx), ut = typeOf(*upd);
  int64_t rank = dt.getRank();
  int64_t axis = b.attrInt("axis", 0);
  if (failed(checkAxis(b, axis, rank)))
    return failure();
  if (!it.getElementType().isInteger(32) && !it.getElementType().isInteger(64))
    return b.error() << "expects int32 or int64 indices, found " << it.getElementType();
  if (it.getRank() != rank || ut.getShape() != it.getShape() ||
      ut.getElementType() != dt.getElementType())
    return b.error() << "expects indices of the data's rank and updates of their shape and "
                        "the data's type, found "
                     << dt << ", " << it << ", " << ut;
  std::string reduction = b.attrString("reduction", "none");
  if (!llvm::is_contained({"none", "add", "mul", "max", "min"}, reduction))
    return b.error() << "expects reduction 'none', 'add', 'mul', 'max' or 'min', found "
                     << quoted(reduction);
  if (failed(checkConstIndices(b, *data, normalize(axis, rank), /*nd=*/false)))
    return failure();
  OpBuilder &builder = b.builder();
  b.define(0, builder.create<ScatterElementsOp>(b.loc(), dt, *data, *idx, *upd,
                                                builder.getI64IntegerAttr(normalize(axis, rank)),
                                                builder.getStringAttr(reduction)));
  return success();
}

/// ScatterND-11/16/18.
LogicalResult importScatterND(NodeBinder &b) {
  FailureOr<Value> data = b.input(0), idx = b.input(1), upd = b.input(2);
  if (failed(data) || failed(idx) || failed(upd))
    return failure();
  RankedTensorType dt = typeOf(*data), it = typeOf(*idx), ut = typeOf(*upd);
  if (!it.getElementType().isInteger(64) || it.getRank() < 1 || it.isDynamicDim(it.getRank() - 1) ||
      it.getShape().back() > dt.getRank())
    return b.error() << "expects int64 indices whose last dim is static and at most the data's "
                        "rank ("
                     << dt.getRank() << "), found " << it;
  int64_t m = it.getShape().back();
  SmallVector<int64_t> expected(it.getShape().drop_back());
  llvm::append_range(expected, dt.getShape().drop_front(m));
  bool ok = ut.getRank() == static_cast<int64_t>(expected.size()) &&
            ut.getElementType() == dt.getElementType();
  for (int64_t d = 0; ok && d < ut.getRank(); ++d)
    ok =
        ShapedType::isDynamic(expected[d]) || ut.isDynamicDim(d) || expected[d] == ut.getDimSize(d);
  if (!ok)
    return b.error() << "expects updates of shape indices.shape[:-1] + data.shape[" << m
                     << ":] and the data's type, found " << ut;
  std::string reduction = b.attrString("reduction", "none");
  if (!llvm::is_contained({"none", "add", "mul", "max", "min"}, reduction))
    return b.error() << "expects reduction 'none', 'add', 'mul', 'max' or 'min', found "
                     << quoted(reduction);
  if (failed(checkConstIndices(b, *data, 0, /*nd=*/true)))
    return failure();
  b.define(0, b.builder().create<ScatterNDOp>(b.loc(), dt, *data, *idx, *upd,
                                              b.builder().getStringAttr(reduction)));
  return success();
}

//===----------------------------------------------------------------------===//
// OneHot
//===----------------------------------------------------------------------===//

LogicalResult importOneHot(NodeBinder &b) {
  FailureOr<Value> idx = b.input(0), depth = b.input(1), values = b.input(2);
  if (failed(idx) || failed(depth) || failed(values))
    return failure();
  RankedTensorType it = typeOf(*idx), dt = typeOf(*depth), vt = typeOf(*values);
  int64_t rank = it.getRank() + 1;
  int64_t axis = b.attrInt("axis", -1);
  if (failed(checkAxis(b, axis, rank)))
    return failure();
  axis = normalize(axis, rank);
  if (!dt.hasStaticShape() || dt.getNumElements() != 1 || dt.getElementType().isInteger(1))
    return b.error() << "expects depth (input 1) to be one number, found " << dt;
  if (vt.getRank() != 1 || vt.getDimSize(0) != 2)
    return b.error() << "expects values (input 2) of two elements, found " << vt;
  if (it.getElementType().isInteger(1))
    return b.error() << "expects numeric indices, found " << it;
  SmallVector<int64_t> dims(it.getShape());
  int64_t known = ShapedType::kDynamic;
  if (std::optional<SmallVector<double>> d = b.constNumbers(1)) {
    known = static_cast<int64_t>(d->front());
    if (known < 1)
      return b.error() << "expects a depth of at least 1, found " << d->front();
  }
  dims.insert(dims.begin() + axis, known);
  RankedTensorType type = resultType(b, vt.getElementType(), dims);
  b.define(0, b.builder().create<OneHotOp>(b.loc(), type, *idx, *depth, *values,
                                           b.builder().getI64IntegerAttr(axis)));
  return success();
}

//===----------------------------------------------------------------------===//
// NonZero, Compress, Unique
//===----------------------------------------------------------------------===//

LogicalResult importNonZero(NodeBinder &b) {
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  int64_t rank = std::max<int64_t>(typeOf(*x).getRank(), 1);
  RankedTensorType type = resultType(b, i64Type(b), {rank, ShapedType::kDynamic});
  b.define(0, b.builder().create<NonZeroOp>(b.loc(), type, *x));
  return success();
}

LogicalResult importCompress(NodeBinder &b) {
  FailureOr<Value> x = b.input(0), cond = b.input(1);
  if (failed(x) || failed(cond))
    return failure();
  RankedTensorType in = typeOf(*x), ct = typeOf(*cond);
  if (ct.getRank() != 1 || !ct.getElementType().isInteger(1))
    return b.error() << "expects a 1-D bool condition, found " << ct;
  IntegerAttr axisAttr;
  SmallVector<int64_t> dims{ShapedType::kDynamic};
  if (b.hasAttr("axis")) {
    int64_t axis = b.attrInt("axis", 0);
    if (failed(checkAxis(b, axis, in.getRank())))
      return failure();
    axis = normalize(axis, in.getRank());
    axisAttr = b.builder().getI64IntegerAttr(axis);
    dims.assign(in.getShape().begin(), in.getShape().end());
    dims[axis] = ShapedType::kDynamic;
  }
  RankedTensorType type = resultType(b, in.getElementType(), dims);
  b.define(0, b.builder().create<CompressOp>(b.loc(), type, *x, *cond, axisAttr));
  return success();
}

LogicalResult importUnique(NodeBinder &b) {
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  RankedTensorType in = typeOf(*x);
  if (!isa<FloatType, IntegerType>(in.getElementType()))
    return b.error() << "expects a numeric input, found " << in;
  IntegerAttr axisAttr;
  SmallVector<int64_t> dims{ShapedType::kDynamic};
  int64_t n = in.hasStaticShape() ? in.getNumElements() : ShapedType::kDynamic, at = 0;
  if (b.hasAttr("axis")) {
    int64_t axis = b.attrInt("axis", 0);
    if (failed(checkAxis(b, axis, in.getRank())))
      return failure();
    at = normalize(axis, in.getRank());
    axisAttr = b.builder().getI64IntegerAttr(at);
    dims.assign(in.getShape().begin(), in.getShape().end());
    dims[at] = ShapedType::kDynamic;
    n = in.getDimSize(at);
  }
  RankedTensorType y = resultType(b, in.getElementType(), dims, 0);
  // One distinct count for all three: whichever output inference pinned.
  int64_t count = y.getDimSize(at);
  for (int i : {1, 3})
    if (ShapedType::isDynamic(count) && b.hasOutput(i))
      count = b.inferredShape(i, 1)[0];
  dims[at] = count;
  y = RankedTensorType::get(dims, in.getElementType());
  auto counted = RankedTensorType::get({count}, i64Type(b));
  auto inverse = RankedTensorType::get({n}, i64Type(b));
  auto op =
      b.builder().create<UniqueOp>(b.loc(), TypeRange{y, counted, inverse, counted}, *x, axisAttr,
                                   b.builder().getBoolAttr(b.attrBool("sorted", true)));
  for (int i = 0; i < 4; ++i)
    if (b.hasOutput(i))
      b.define(i, op->getResult(i));
  return success();
}

//===----------------------------------------------------------------------===//
// MaxUnpool, NonMaxSuppression
//===----------------------------------------------------------------------===//

LogicalResult importMaxUnpool(NodeBinder &b) {
  FailureOr<Value> x = b.input(0), idx = b.input(1);
  if (failed(x) || failed(idx))
    return failure();
  RankedTensorType in = typeOf(*x);
  SmallVector<int64_t> kernel = b.attrInts("kernel_shape"), strides = b.attrInts("strides"),
                       pads = b.attrInts("pads");
  int64_t n = in.getRank() - 2;
  if (n < 1 || static_cast<int64_t>(kernel.size()) != n)
    return b.error() << "expects kernel_shape of one size per spatial dim of the input, found "
                     << kernel.size() << " for " << in;
  if (strides.empty())
    strides.assign(n, 1);
  if (pads.empty())
    pads.assign(2 * n, 0);
  if (static_cast<int64_t>(strides.size()) != n || static_cast<int64_t>(pads.size()) != 2 * n)
    return b.error() << "expects " << n << " strides and " << 2 * n << " pads, found "
                     << strides.size() << " and " << pads.size();
  if (!isa<FloatType>(in.getElementType()) || typeOf(*idx).getShape() != in.getShape() ||
      !typeOf(*idx).getElementType().isInteger(64))
    return b.error() << "expects a float input and int64 indices of its shape, found " << in
                     << " and " << typeOf(*idx);
  SmallVector<int64_t> dims{in.getDimSize(0), in.getDimSize(1)};
  Value shape;
  if (b.hasInput(2)) {
    FailureOr<Value> s = int64Vector(b, 2, n + 2, "output_shape");
    if (failed(s))
      return failure();
    shape = *s;
    dims.assign(n + 2, ShapedType::kDynamic);
    if (b.constInput(2))
      dims = *b.constInts(2, "output_shape");
  } else {
    for (int64_t i = 0; i < n; ++i) {
      int64_t d = in.getDimSize(2 + i);
      dims.push_back(
          ShapedType::isDynamic(d) ? d : (d - 1) * strides[i] + kernel[i] - pads[i] - pads[n + i]);
    }
  }
  RankedTensorType type = resultType(b, in.getElementType(), dims);
  OpBuilder &builder = b.builder();
  b.define(0, builder.create<MaxUnpoolOp>(
                  b.loc(), type, *x, *idx, shape, builder.getDenseI64ArrayAttr(kernel),
                  builder.getDenseI64ArrayAttr(strides), builder.getDenseI64ArrayAttr(pads)));
  return success();
}

LogicalResult importNonMaxSuppression(NodeBinder &b) {
  FailureOr<Value> boxes = b.input(0), scores = b.input(1);
  if (failed(boxes) || failed(scores))
    return failure();
  RankedTensorType bt = typeOf(*boxes);
  Type f = bt.getElementType();
  if (!isa<FloatType>(f) || typeOf(*scores).getElementType() != f)
    return b.error() << "expects float boxes and scores of one type, found " << bt << " and "
                     << typeOf(*scores);
  auto one = [&](Type elem) { return RankedTensorType::get({1}, elem); };
  Value maxOut = b.intConstant(one(i64Type(b)), {0});
  if (b.hasInput(2)) {
    FailureOr<Value> v = int64Vector(b, 2, 1, "max_output_boxes_per_class");
    if (failed(v))
      return failure();
    maxOut = *v;
  }
  // An absent score threshold keeps every box: -inf is below any score.
  Value thresholds[2];
  double defaults[2] = {0.0, -std::numeric_limits<double>::infinity()};
  for (int i = 0; i < 2; ++i) {
    if (!b.hasInput(3 + i)) {
      thresholds[i] =
          b.builder().create<ReshapeOp>(b.loc(), one(f), b.scalarConstant(f, defaults[i]));
      continue;
    }
    FailureOr<Value> v = b.input(3 + i);
    if (failed(v))
      return failure();
    RankedTensorType t = typeOf(*v);
    if (t.getElementType() != f || !t.hasStaticShape() || t.getNumElements() != 1)
      return b.error() << "expects " << (i ? "score_threshold" : "iou_threshold")
                       << " to be one value of the boxes' type, found " << t;
    thresholds[i] = *v;
  }
  // The count stays dynamic even where the graph declares one: the run
  // decides it (and a static one would be checked after the selection
  // loops, which code generation does not take).
  auto type = RankedTensorType::get({ShapedType::kDynamic, 3}, i64Type(b));
  b.define(0, b.builder().create<NonMaxSuppressionOp>(
                  b.loc(), type, *boxes, *scores, maxOut, thresholds[0], thresholds[1],
                  b.builder().getBoolAttr(b.attrInt("center_point_box", 0) != 0)));
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// Pad (edge, reflect)
//===----------------------------------------------------------------------===//

LogicalResult kiln::onnx_import::importBorderPad(NodeBinder &b, bool padsAsInput, StringRef mode) {
  FailureOr<Value> x = b.input(0);
  if (failed(x))
    return failure();
  RankedTensorType in = typeOf(*x);
  int64_t rank = in.getRank();
  auto padsType = RankedTensorType::get({2 * rank}, i64Type(b));
  std::optional<SmallVector<int64_t>> known;
  Value pads;
  if (!padsAsInput) {
    known = b.attrInts("pads");
  } else if (b.hasInput(3) || b.constInput(1)) {
    // Axes (opset 18) name the dims the pads are for; the others get none.
    FailureOr<SmallVector<int64_t>> p = b.constInts(1, "pads");
    if (failed(p))
      return failure();
    SmallVector<int64_t> axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    if (b.hasInput(3)) {
      FailureOr<SmallVector<int64_t>> a = b.constInts(3, "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
    int64_t k = axes.size();
    if (static_cast<int64_t>(p->size()) != 2 * k)
      return b.error() << "expects " << 2 * k << " pads (begin and end per axis), found "
                       << p->size();
    known.emplace(2 * rank, 0);
    for (int64_t i = 0; i < k; ++i) {
      if (failed(checkAxis(b, axes[i], rank)))
        return failure();
      int64_t a = normalize(axes[i], rank);
      (*known)[a] = (*p)[i];
      (*known)[rank + a] = (*p)[k + i];
    }
  } else {
    FailureOr<Value> p = int64Vector(b, 1, 2 * rank, "pads");
    if (failed(p))
      return failure();
    pads = *p;
  }
  SmallVector<int64_t> dims(rank, ShapedType::kDynamic);
  if (known) {
    if (static_cast<int64_t>(known->size()) != 2 * rank)
      return b.error() << "expects " << 2 * rank << " pads (begin and end per axis), found "
                       << known->size();
    for (int64_t d = 0; d < rank; ++d) {
      int64_t lo = (*known)[d], hi = (*known)[rank + d], n = in.getDimSize(d);
      if (lo < 0 || hi < 0)
        return b.error() << "expects non-negative pads in mode " << quoted(mode)
                         << " (cropping is not supported), found " << std::min(lo, hi);
      if (mode == "reflect" && !ShapedType::isDynamic(n) && (lo || hi) && (lo >= n || hi >= n))
        return b.error() << "expects reflect pads of dim " << d << " smaller than its size (" << n
                         << "), found " << std::max(lo, hi);
      if (mode == "edge" && n == 0 && (lo || hi))
        return b.error() << "expects no edge pad of dim " << d << ", which is empty";
      if (!ShapedType::isDynamic(n))
        dims[d] = n + lo + hi;
    }
    pads = b.intConstant(padsType, *known);
  }
  RankedTensorType type = resultType(b, in.getElementType(), dims);
  b.define(
      0, b.builder().create<BorderPadOp>(b.loc(), type, *x, pads, b.builder().getStringAttr(mode)));
  return success();
}

void kiln::onnx_import::registerIndexingOps(OpRegistry &r) {
  r.on("TopK", 1, importTopK);
  r.on("Scatter", 9, importScatterElements);
  r.on("ScatterElements", 11, importScatterElements);
  r.on("ScatterND", 11, importScatterND);
  r.on("OneHot", 9, importOneHot);
  r.on("NonZero", 9, importNonZero);
  r.on("Compress", 9, importCompress);
  r.on("Unique", 11, importUnique);
  r.on("MaxUnpool", 9, importMaxUnpool);
  r.on("NonMaxSuppression", 10, importNonMaxSuppression);
}
