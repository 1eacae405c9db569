//===- NNShapeOperandOps.cpp - ops whose shape is a run-time value --------===//
//
// Verifiers say what the types can prove (rank from the operand's length,
// static dims that cannot hold); the values themselves are checked by the
// lowering at run time. Canonicalization turns constant operands into the
// attribute forms, keeping the stated result type with a tensor.cast when
// the static form proves more.
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/IR/NNInference.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace kiln::nn;
using namespace kiln::nn::detail;

//===----------------------------------------------------------------------===//
// Verifiers
//===----------------------------------------------------------------------===//

/// The static length of a 1-D index operand, or an error naming `what`.
static FailureOr<int64_t> staticLength(Operation *op, StringRef what, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.isDynamicDim(0))
    return op->emitOpError("expects ") << what << " of static length, found " << t;
  return t.getDimSize(0);
}

/// The result has rank `rank` and the input's element type.
static LogicalResult checkResult(Operation *op, Type elem, int64_t rank) {
  auto out = cast<RankedTensorType>(op->getResult(0).getType());
  if (out.getRank() != rank || out.getElementType() != elem)
    return op->emitOpError("expects a result of rank ")
           << rank << " and element type " << elem << ", found " << out;
  return success();
}

LogicalResult DynamicReshapeOp::verify() {
  FailureOr<int64_t> n = staticLength(*this, "a shape", getShape());
  if (failed(n) || failed(checkResult(*this, getInput().getType().getElementType(), *n)))
    return failure();
  RankedTensorType in = getInput().getType(), out = getOutput().getType();
  if (in.hasStaticShape() && out.hasStaticShape() && in.getNumElements() != out.getNumElements())
    return emitOpError("expects a result with as many elements as the input (")
           << in.getNumElements() << "), found " << shapeStr(out.getShape());
  return success();
}

LogicalResult DynamicExpandOp::verify() {
  FailureOr<int64_t> n = staticLength(*this, "a shape", getShape());
  if (failed(n))
    return failure();
  RankedTensorType in = getInput().getType(), out = getOutput().getType();
  int64_t rank = std::max(in.getRank(), *n);
  if (failed(checkResult(*this, in.getElementType(), rank)))
    return failure();
  // An input dim other than 1 is the result's dim whatever the shape says.
  for (int64_t d = 0; d < in.getRank(); ++d) {
    int64_t dim = in.getDimSize(d), o = out.getDimSize(rank - in.getRank() + d);
    if (dim != 1 && dimsMayDiffer(dim, o))
      return emitOpError("expects result dim ")
             << rank - in.getRank() + d << " to be the input's " << dim << ", found " << o;
  }
  return success();
}

LogicalResult DynamicUnsqueezeOp::verify() {
  FailureOr<int64_t> n = staticLength(*this, "axes", getAxes());
  if (failed(n))
    return failure();
  RankedTensorType in = getInput().getType();
  return checkResult(*this, in.getElementType(), in.getRank() + *n);
}

LogicalResult DynamicSqueezeOp::verify() {
  FailureOr<int64_t> n = staticLength(*this, "axes", getAxes());
  if (failed(n))
    return failure();
  RankedTensorType in = getInput().getType();
  if (*n > in.getRank())
    return emitOpError("expects at most ")
           << in.getRank() << " axes (the input's rank), found " << *n;
  return checkResult(*this, in.getElementType(), in.getRank() - *n);
}

LogicalResult DynamicSliceOp::verify() {
  FailureOr<int64_t> n = staticLength(*this, "starts", getStarts());
  if (failed(n))
    return failure();
  for (auto [what, v] : {std::pair<StringRef, Value>{"ends", getEnds()},
                         {"axes", getAxes()},
                         {"steps", getSteps()}}) {
    if (!v)
      continue;
    FailureOr<int64_t> m = staticLength(*this, what, v);
    if (failed(m))
      return failure();
    if (*m != *n)
      return emitOpError("expects ") << what << " as long as starts (" << *n << "), found " << *m;
  }
  RankedTensorType in = getInput().getType(), out = getOutput().getType();
  if (*n > in.getRank())
    return emitOpError("expects at most ")
           << in.getRank() << " sliced axes (the input's rank), found " << *n;
  if (failed(checkResult(*this, in.getElementType(), in.getRank())))
    return failure();
  for (int64_t d = 0; d < in.getRank(); ++d)
    if (!in.isDynamicDim(d) && !out.isDynamicDim(d) && out.getDimSize(d) > in.getDimSize(d))
      return emitOpError("expects result dim ")
             << d << " no larger than the input's " << in.getDimSize(d) << ", found "
             << out.getDimSize(d);
  return success();
}

LogicalResult DynamicTileOp::verify() {
  FailureOr<int64_t> n = staticLength(*this, "repeats", getRepeats());
  if (failed(n))
    return failure();
  RankedTensorType in = getInput().getType();
  if (*n != in.getRank())
    return emitOpError("expects one repeat count per input dim (")
           << in.getRank() << "), found " << *n;
  return checkResult(*this, in.getElementType(), in.getRank());
}

LogicalResult DynamicPadOp::verify() {
  FailureOr<int64_t> n = staticLength(*this, "pads", getPads());
  if (failed(n))
    return failure();
  RankedTensorType in = getInput().getType(), out = getOutput().getType();
  if (*n != 2 * in.getRank())
    return emitOpError("expects ") << 2 * in.getRank()
                                   << " pads (before and after each input dim), found " << *n;
  if (failed(checkResult(*this, in.getElementType(), in.getRank())))
    return failure();
  if (Value v = getConstantValue()) {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getRank() != 0 || t.getElementType() != in.getElementType())
      return emitOpError("expects constant_value to be a 0-D tensor of ")
             << in.getElementType() << ", found " << t;
  }
  for (int64_t d = 0; d < in.getRank(); ++d)
    if (!in.isDynamicDim(d) && !out.isDynamicDim(d) && out.getDimSize(d) < in.getDimSize(d))
      return emitOpError("expects result dim ")
             << d << " no smaller than the input's " << in.getDimSize(d) << ", found "
             << out.getDimSize(d);
  return success();
}

LogicalResult ConstantOfShapeOp::verify() {
  FailureOr<int64_t> n = staticLength(*this, "a shape", getShape());
  if (failed(n))
    return failure();
  return checkResult(*this, getValue().getType(), *n);
}

LogicalResult DynamicReduceSumOp::verify() {
  FailureOr<int64_t> n = staticLength(*this, "axes", getAxes());
  if (failed(n))
    return failure();
  RankedTensorType in = getInput().getType();
  if (*n < 1 || *n > in.getRank())
    return emitOpError("expects 1 to ") << in.getRank() << " axes (the input's rank), found " << *n;
  return checkResult(*this, in.getElementType(), getKeepDims() ? in.getRank() : in.getRank() - *n);
}

LogicalResult DynamicCumSumOp::verify() {
  RankedTensorType in = getInput().getType();
  if (in.getRank() < 1)
    return emitOpError("expects an input of rank >= 1");
  if (getOutput().getType() != in)
    return emitOpError("expects the result type ") << in << ", found " << getOutput().getType();
  return success();
}

LogicalResult RangeOp::verify() {
  Type elem = getOutput().getType().getElementType();
  for (Value v : {getStart(), getLimit(), getDelta()})
    if (cast<RankedTensorType>(v.getType()).getElementType() != elem)
      return emitOpError("expects start, limit and delta of the result's element type ")
             << elem << ", found " << v.getType();
  return success();
}

//===----------------------------------------------------------------------===//
// Canonicalization: constant operands to the attribute forms
//===----------------------------------------------------------------------===//

/// The elements of `v` when it is a constant integer tensor.
static std::optional<SmallVector<int64_t>> constInts(Value v) {
  DenseIntElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  return llvm::to_vector(llvm::map_range(attr.getValues<APInt>(),
                                         [](const APInt &a) { return a.getSExtValue(); }));
}

/// Replaces `op` by `value` (whose type proves at least as much), casting
/// back to the stated type; fails when the two disagree on a static dim
/// (the run-time check then reports it).
static LogicalResult replaceWithCast(PatternRewriter &rewriter, Operation *op, Value value) {
  Type stated = op->getResult(0).getType();
  if (value.getType() == stated) {
    rewriter.replaceOp(op, value);
    return success();
  }
  if (!tensor::CastOp::areCastCompatible(value.getType(), stated)) {
    rewriter.eraseOp(value.getDefiningOp());
    return rewriter.notifyMatchFailure(op, "the constant operand contradicts the result type");
  }
  rewriter.replaceOpWithNewOp<tensor::CastOp>(op, stated, value);
  return success();
}

/// ONNX Reshape's target for a static input; failure when invalid.
static FailureOr<SmallVector<int64_t>> reshapeTarget(ArrayRef<int64_t> in,
                                                     ArrayRef<int64_t> shape, bool allowZero) {
  int64_t total = 1, known = 1, inferAt = -1;
  for (int64_t d : in)
    total *= d;
  SmallVector<int64_t> out(shape);
  for (auto [i, d] : llvm::enumerate(out)) {
    if (d == 0 && !allowZero) {
      if (i >= in.size())
        return failure();
      d = in[i];
    }
    if (d == -1 && inferAt < 0) {
      inferAt = i;
      continue;
    }
    if (d < 0)
      return failure();
    known *= d;
  }
  if (inferAt >= 0) {
    if (known == 0 || total % known != 0)
      return failure();
    out[inferAt] = total / known;
    known = total;
  }
  if (known != total)
    return failure();
  return out;
}

/// The entries of a 1-D shape operand that are known at compile time, one
/// per element (nullopt where computed at run time): all of a constant, and
/// the constant pieces of an nn.concat (as PyTorch exports build shapes
/// from a run-time batch size and constant feature sizes).
static SmallVector<std::optional<int64_t>> knownEntries(Value shape) {
  int64_t n = cast<RankedTensorType>(shape.getType()).getDimSize(0);
  SmallVector<std::optional<int64_t>> known(n, std::nullopt);
  if (std::optional<SmallVector<int64_t>> all = constInts(shape)) {
    for (auto [i, v] : llvm::enumerate(*all))
      known[i] = v;
    return known;
  }
  auto concat = shape.getDefiningOp<ConcatOp>();
  if (!concat)
    return known;
  int64_t at = 0;
  for (Value piece : concat.getInputs()) {
    int64_t len = cast<RankedTensorType>(piece.getType()).getDimSize(0);
    if (ShapedType::isDynamic(len) || at + len > n)
      return SmallVector<std::optional<int64_t>>(n, std::nullopt);
    if (std::optional<SmallVector<int64_t>> values = constInts(piece))
      for (int64_t i = 0; i < len; ++i)
        known[at + i] = (*values)[i];
    at += len;
  }
  return known;
}

/// `type` with the dims of `dims` that are static and where `type` is
/// dynamic; null when nothing is gained or a static dim disagrees.
static RankedTensorType refined(RankedTensorType type, ArrayRef<int64_t> dims) {
  SmallVector<int64_t> shape(type.getShape());
  bool gained = false;
  for (auto [d, v] : llvm::enumerate(dims)) {
    if (ShapedType::isDynamic(v) || v < 0)
      continue;
    if (!type.isDynamicDim(d)) {
      if (type.getDimSize(d) != v)
        return {};
      continue;
    }
    shape[d] = v;
    gained = true;
  }
  return gained ? RankedTensorType::get(shape, type.getElementType()) : RankedTensorType();
}

namespace {

/// Gives op `Op` the more static result type `refine` proves from partly
/// constant operands, cast back to the stated type for its users.
template <typename Op>
struct RefineResultType : OpRewritePattern<Op> {
  using Refine = RankedTensorType (*)(Op);
  RefineResultType(MLIRContext *ctx, Refine refine) : OpRewritePattern<Op>(ctx), refine(refine) {}
  LogicalResult matchAndRewrite(Op op, PatternRewriter &rewriter) const override {
    RankedTensorType type = refine(op);
    if (!type)
      return rewriter.notifyMatchFailure(op, "no result dim is proven static");
    Operation *clone = rewriter.clone(*op);
    clone->getResult(0).setType(type);
    rewriter.replaceOpWithNewOp<tensor::CastOp>(op, op.getType(), clone->getResult(0));
    return success();
  }
  Refine refine;
};

/// A pattern for op `Op` whose `build` returns the attribute form (or null).
template <typename Op>
struct ConstantOperands : OpRewritePattern<Op> {
  using Build = Value (*)(Op, PatternRewriter &);
  ConstantOperands(MLIRContext *ctx, Build build) : OpRewritePattern<Op>(ctx), build(build) {}
  LogicalResult matchAndRewrite(Op op, PatternRewriter &rewriter) const override {
    Value v = build(op, rewriter);
    if (!v)
      return rewriter.notifyMatchFailure(op, "the shape operand is not a usable constant");
    return replaceWithCast(rewriter, op, v);
  }
  Build build;
};

} // namespace

/// nn.reshape to the static `shape` (the input must be static).
static Value staticReshape(PatternRewriter &rewriter, Operation *op, Value input,
                           ArrayRef<int64_t> shape) {
  RankedTensorType in = cast<RankedTensorType>(input.getType());
  return rewriter.create<ReshapeOp>(op->getLoc(),
                                    RankedTensorType::get(shape, in.getElementType()), input);
}

void DynamicReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                   MLIRContext *ctx) {
  results.add<ConstantOperands<DynamicReshapeOp>>(
      ctx, [](DynamicReshapeOp op, PatternRewriter &rewriter) -> Value {
        std::optional<SmallVector<int64_t>> shape = constInts(op.getShape());
        RankedTensorType in = op.getInput().getType();
        if (!shape || !in.hasStaticShape())
          return {};
        FailureOr<SmallVector<int64_t>> target =
            reshapeTarget(in.getShape(), *shape, op.getAllowzero());
        if (failed(target))
          return {};
        return staticReshape(rewriter, op, op.getInput(), *target);
      });
  results.add<RefineResultType<DynamicReshapeOp>>(ctx, [](DynamicReshapeOp op) {
    RankedTensorType in = op.getInput().getType();
    SmallVector<int64_t> dims;
    for (auto [i, v] : llvm::enumerate(knownEntries(op.getShape()))) {
      int64_t d = ShapedType::kDynamic;
      if (v && *v > 0)
        d = *v;
      else if (v && *v == 0)
        d = op.getAllowzero() ? 0 : (static_cast<int64_t>(i) < in.getRank() ? in.getDimSize(i)
                                                                            : ShapedType::kDynamic);
      dims.push_back(d);
    }
    // A count that cannot match is left for the run-time check to report.
    RankedTensorType type = refined(op.getType(), dims);
    if (type && in.hasStaticShape() && type.hasStaticShape() &&
        in.getNumElements() != type.getNumElements())
      return RankedTensorType();
    return type;
  });
}

void DynamicExpandOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                  MLIRContext *ctx) {
  results.add<ConstantOperands<DynamicExpandOp>>(
      ctx, [](DynamicExpandOp op, PatternRewriter &rewriter) -> Value {
        std::optional<SmallVector<int64_t>> shape = constInts(op.getShape());
        RankedTensorType in = op.getInput().getType();
        SmallVector<int64_t> out;
        if (!shape || !in.hasStaticShape() || llvm::any_of(*shape, [](int64_t d) { return d < 0; }) ||
            failed(broadcastShapes(in.getShape(), *shape, out)))
          return {};
        return rewriter.create<ExpandOp>(op.getLoc(),
                                         RankedTensorType::get(out, in.getElementType()),
                                         op.getInput(), rewriter.getDenseI64ArrayAttr(*shape));
      });
  results.add<RefineResultType<DynamicExpandOp>>(ctx, [](DynamicExpandOp op) {
    RankedTensorType in = op.getInput().getType(), out = op.getType();
    SmallVector<std::optional<int64_t>> known = knownEntries(op.getShape());
    int64_t rank = out.getRank(), inLead = rank - in.getRank(),
            lead = rank - static_cast<int64_t>(known.size());
    SmallVector<int64_t> dims;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t dim = d >= inLead ? in.getDimSize(d - inLead) : 1;
      std::optional<int64_t> want = d >= lead ? known[d - lead] : std::optional<int64_t>(1);
      // An entry other than 1 is the result's (the input's dim is it or 1);
      // an entry of 1 keeps the input's dim.
      if (!want)
        dims.push_back(ShapedType::kDynamic);
      else if (*want > 1 || *want == 0)
        dims.push_back(*want);
      else if (*want == 1)
        dims.push_back(dim);
      else
        dims.push_back(ShapedType::kDynamic);
    }
    return refined(out, dims);
  });
}

void DynamicUnsqueezeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                     MLIRContext *ctx) {
  results.add<ConstantOperands<DynamicUnsqueezeOp>>(
      ctx, [](DynamicUnsqueezeOp op, PatternRewriter &rewriter) -> Value {
        std::optional<SmallVector<int64_t>> axes = constInts(op.getAxes());
        RankedTensorType in = op.getInput().getType();
        if (!axes || !in.hasStaticShape())
          return {};
        int64_t rank = in.getRank() + axes->size();
        SmallVector<bool> inserted(rank, false);
        for (int64_t a : *axes) {
          a = a < 0 ? a + rank : a;
          if (a < 0 || a >= rank || inserted[a])
            return {};
          inserted[a] = true;
        }
        SmallVector<int64_t> shape;
        int64_t next = 0;
        for (int64_t d = 0; d < rank; ++d)
          shape.push_back(inserted[d] ? 1 : in.getDimSize(next++));
        return staticReshape(rewriter, op, op.getInput(), shape);
      });
}

void DynamicSqueezeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                   MLIRContext *ctx) {
  results.add<ConstantOperands<DynamicSqueezeOp>>(
      ctx, [](DynamicSqueezeOp op, PatternRewriter &rewriter) -> Value {
        std::optional<SmallVector<int64_t>> axes = constInts(op.getAxes());
        RankedTensorType in = op.getInput().getType();
        if (!axes || !in.hasStaticShape())
          return {};
        int64_t rank = in.getRank();
        SmallVector<bool> removed(rank, false);
        for (int64_t a : *axes) {
          a = a < 0 ? a + rank : a;
          if (a < 0 || a >= rank || removed[a] || in.getDimSize(a) != 1)
            return {};
          removed[a] = true;
        }
        SmallVector<int64_t> shape;
        for (int64_t d = 0; d < rank; ++d)
          if (!removed[d])
            shape.push_back(in.getDimSize(d));
        return staticReshape(rewriter, op, op.getInput(), shape);
      });
}

void DynamicSliceOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                 MLIRContext *ctx) {
  results.add<ConstantOperands<DynamicSliceOp>>(
      ctx, [](DynamicSliceOp op, PatternRewriter &rewriter) -> Value {
        RankedTensorType in = op.getInput().getType();
        std::optional<SmallVector<int64_t>> starts = constInts(op.getStarts()),
                                            ends = constInts(op.getEnds());
        if (!starts || !ends || !in.hasStaticShape())
          return {};
        int64_t n = starts->size(), rank = in.getRank();
        SmallVector<int64_t> axes, steps(n, 1);
        if (op.getAxes()) {
          std::optional<SmallVector<int64_t>> a = constInts(op.getAxes());
          if (!a)
            return {};
          axes = *a;
        } else {
          axes = llvm::to_vector(llvm::seq<int64_t>(0, n));
        }
        if (op.getSteps()) {
          std::optional<SmallVector<int64_t>> s = constInts(op.getSteps());
          if (!s)
            return {};
          steps = *s;
        }
        SmallVector<int64_t> offsets(rank, 0), sizes(in.getShape()), strides(rank, 1);
        SmallVector<bool> seen(rank, false);
        for (int64_t i = 0; i < n; ++i) {
          int64_t a = axes[i] < 0 ? axes[i] + rank : axes[i];
          if (a < 0 || a >= rank || seen[a] || steps[i] == 0)
            return {};
          seen[a] = true;
          int64_t dim = in.getDimSize(a), step = steps[i];
          int64_t lo = (*starts)[i], hi = (*ends)[i];
          // Bounds beyond int64's range after adding dim are clamped anyway.
          lo = lo < 0 ? std::max<int64_t>(lo, -dim - 1) + dim : lo;
          hi = hi < 0 ? std::max<int64_t>(hi, -dim - 1) + dim : hi;
          int64_t count;
          if (step > 0) {
            lo = std::clamp<int64_t>(lo, 0, dim);
            hi = std::clamp<int64_t>(hi, 0, dim);
            count = hi > lo ? (hi - lo - 1) / step + 1 : 0;
          } else {
            lo = std::clamp<int64_t>(lo, 0, dim - 1);
            hi = std::clamp<int64_t>(hi, -1, dim - 1);
            count = lo > hi ? (lo - hi - 1) / -step + 1 : 0;
          }
          offsets[a] = count ? lo : 0;
          sizes[a] = count;
          strides[a] = step;
        }
        return rewriter.create<SliceOp>(
            op.getLoc(), RankedTensorType::get(sizes, in.getElementType()), op.getInput(),
            rewriter.getDenseI64ArrayAttr(offsets), rewriter.getDenseI64ArrayAttr(sizes),
            rewriter.getDenseI64ArrayAttr(strides));
      });
}

void DynamicTileOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                MLIRContext *ctx) {
  results.add<ConstantOperands<DynamicTileOp>>(
      ctx, [](DynamicTileOp op, PatternRewriter &rewriter) -> Value {
        std::optional<SmallVector<int64_t>> repeats = constInts(op.getRepeats());
        RankedTensorType in = op.getInput().getType();
        if (!repeats || !in.hasStaticShape() ||
            llvm::any_of(*repeats, [](int64_t r) { return r < 0; }))
          return {};
        SmallVector<int64_t> shape;
        for (auto [d, r] : llvm::zip(in.getShape(), *repeats))
          if (llvm::MulOverflow(d, r, shape.emplace_back()))
            return {}; // Left to the run-time tile.
        return rewriter.create<TileOp>(op.getLoc(),
                                       RankedTensorType::get(shape, in.getElementType()),
                                       op.getInput(), rewriter.getDenseI64ArrayAttr(*repeats));
      });
}

void DynamicPadOp::getCanonicalizationPatterns(RewritePatternSet &results, MLIRContext *ctx) {
  results.add<ConstantOperands<DynamicPadOp>>(
      ctx, [](DynamicPadOp op, PatternRewriter &rewriter) -> Value {
        std::optional<SmallVector<int64_t>> pads = constInts(op.getPads());
        RankedTensorType in = op.getInput().getType();
        int64_t rank = in.getRank();
        if (!pads || op.getConstantValue() || !in.hasStaticShape() ||
            static_cast<int64_t>(pads->size()) != 2 * rank ||
            llvm::any_of(*pads, [](int64_t p) { return p < 0; }))
          return {};
        SmallVector<int64_t> low(pads->begin(), pads->begin() + rank),
            high(pads->begin() + rank, pads->end()), shape;
        for (int64_t d = 0; d < rank; ++d)
          shape.push_back(in.isDynamicDim(d) ? ShapedType::kDynamic
                                             : in.getDimSize(d) + low[d] + high[d]);
        return rewriter.create<PadOp>(op.getLoc(),
                                      RankedTensorType::get(shape, in.getElementType()),
                                      op.getInput(), rewriter.getDenseI64ArrayAttr(low),
                                      rewriter.getDenseI64ArrayAttr(high), op.getValueAttr());
      });
}

void ConstantOfShapeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                    MLIRContext *ctx) {
  results.add<ConstantOperands<ConstantOfShapeOp>>(
      ctx, [](ConstantOfShapeOp op, PatternRewriter &rewriter) -> Value {
        std::optional<SmallVector<int64_t>> shape = constInts(op.getShape());
        if (!shape || llvm::any_of(*shape, [](int64_t d) { return d < 0; }))
          return {};
        auto type = RankedTensorType::get(*shape, op.getValue().getType());
        return rewriter.create<ConstantOp>(op.getLoc(),
                                           DenseElementsAttr::get(type, op.getValue()));
      });
  results.add<RefineResultType<ConstantOfShapeOp>>(ctx, [](ConstantOfShapeOp op) {
    SmallVector<int64_t> dims;
    for (std::optional<int64_t> v : knownEntries(op.getShape()))
      dims.push_back(v ? *v : ShapedType::kDynamic);
    return refined(op.getType(), dims);
  });
}

void RangeOp::getCanonicalizationPatterns(RewritePatternSet &results, MLIRContext *ctx) {
  results.add<ConstantOperands<RangeOp>>(ctx, [](RangeOp op, PatternRewriter &rewriter) -> Value {
    Type elem = op.getOutput().getType().getElementType();
    DenseElementsAttr s, l, d;
    if (!matchPattern(op.getStart(), m_Constant(&s)) ||
        !matchPattern(op.getLimit(), m_Constant(&l)) ||
        !matchPattern(op.getDelta(), m_Constant(&d)))
      return {};
    SmallVector<Attribute> values;
    // Small ranges only: a long one would be a large constant.
    constexpr int64_t kMaxFolded = 1 << 16;
    if (isa<FloatType>(elem)) {
      double start = s.getSplatValue<APFloat>().convertToDouble(),
             limit = l.getSplatValue<APFloat>().convertToDouble(),
             delta = d.getSplatValue<APFloat>().convertToDouble();
      double count = delta == 0 ? -1 : std::max(std::ceil((limit - start) / delta), 0.0);
      if (!(count >= 0 && count <= kMaxFolded))
        return {};
      for (int64_t i = 0; i < static_cast<int64_t>(count); ++i)
        values.push_back(rewriter.getFloatAttr(elem, start + i * delta));
    } else {
      int64_t start = s.getSplatValue<APInt>().getSExtValue(),
              limit = l.getSplatValue<APInt>().getSExtValue(),
              delta = d.getSplatValue<APInt>().getSExtValue();
      if (delta == 0)
        return {};
      __int128 span = static_cast<__int128>(limit) - start;
      __int128 count = span / delta + ((span % delta != 0 && (span < 0) == (delta < 0)) ? 1 : 0);
      if (count < 0)
        count = 0;
      if (count > kMaxFolded)
        return {};
      // Each element lies between start and limit, so the sum is exact
      // when wrapped in unsigned arithmetic (the signed one may overflow).
      for (int64_t i = 0; i < static_cast<int64_t>(count); ++i)
        values.push_back(rewriter.getIntegerAttr(
            elem, static_cast<int64_t>(static_cast<uint64_t>(start) +
                                       static_cast<uint64_t>(i) * static_cast<uint64_t>(delta))));
    }
    auto type = RankedTensorType::get({static_cast<int64_t>(values.size())}, elem);
    return rewriter.create<ConstantOp>(op.getLoc(), DenseElementsAttr::get(type, values));
  });
}

void DynamicReduceSumOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                     MLIRContext *ctx) {
  results.add<ConstantOperands<DynamicReduceSumOp>>(
      ctx, [](DynamicReduceSumOp op, PatternRewriter &rewriter) -> Value {
        std::optional<SmallVector<int64_t>> axes = constInts(op.getAxes());
        RankedTensorType in = op.getInput().getType();
        if (!axes || !in.hasStaticShape())
          return {};
        int64_t rank = in.getRank();
        SmallVector<bool> reduced(rank, false);
        for (int64_t &a : *axes) {
          a = a < 0 ? a + rank : a;
          if (a < 0 || a >= rank || reduced[a])
            return {};
          reduced[a] = true;
        }
        SmallVector<int64_t> shape;
        for (int64_t d = 0; d < rank; ++d)
          if (!reduced[d] || op.getKeepDims())
            shape.push_back(reduced[d] ? 1 : in.getDimSize(d));
        return rewriter.create<ReduceSumOp>(
            op.getLoc(), RankedTensorType::get(shape, in.getElementType()), op.getInput(),
            rewriter.getDenseI64ArrayAttr(*axes), op.getKeepDimsAttr());
      });
}

void DynamicCumSumOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                  MLIRContext *ctx) {
  results.add<ConstantOperands<DynamicCumSumOp>>(
      ctx, [](DynamicCumSumOp op, PatternRewriter &rewriter) -> Value {
        DenseIntElementsAttr attr;
        if (!matchPattern(op.getAxis(), m_Constant(&attr)))
          return {};
        int64_t rank = op.getInput().getType().getRank();
        int64_t axis = (*attr.getValues<APInt>().begin()).getSExtValue();
        if (axis < -rank || axis >= rank)
          return {};
        return rewriter.create<CumSumOp>(op.getLoc(), op.getType(), op.getInput(),
                                         rewriter.getI64IntegerAttr(axis), op.getExclusiveAttr(),
                                         op.getReverseAttr());
      });
}
