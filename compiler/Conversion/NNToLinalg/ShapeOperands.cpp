//===- ShapeOperands.cpp - ops whose shape is read at run time -----------===//
//
// nn.dynamic_reshape/expand/unsqueeze/squeeze/slice/tile,
// nn.constant_of_shape and nn.range. The operand's elements are read with
// tensor.extract (its length is static, so every read is in bounds), the
// sizes are computed with arith on i64 by ONNX's rules, and every invalid
// value is a `cf.assert` emitted before anything reads the input with a
// computed index: code generation turns a failed assert into an error
// return (docs/model-abi.md), so no access out of bounds happens after it.
// Results are tensor.reshape, or a linalg.generic over a tensor.empty of
// the computed sizes that extracts the element it needs.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/NNToLinalg/NNToLinalg.h"
#include "compiler/Conversion/NNToLinalg/NNToLinalgUtils.h"
#include "dialects/NN/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/StringExtras.h"

#include <limits>

using namespace mlir;
using namespace kiln;
using namespace kiln::nn;
using namespace kiln::nntolinalg;

namespace {

using arith::CmpIPredicate;

/// Scalar i64 arithmetic and run-time checks for one op.
class Sizes {
public:
  Sizes(OpBuilder &b, Operation *op) : b(b), loc(op->getLoc()) {
    // The name comes from the model: escaped as the importer shows it.
    std::string name;
    if (auto named = dyn_cast<NameLoc>(loc)) {
      llvm::raw_string_ostream os(name);
      llvm::printEscapedString(named.getName().getValue(), os);
    }
    prefix = name.empty() ? (op->getName().getStringRef() + ": ").str()
                          : ("node '" + name + "' (" + op->getName().getStringRef() + "): ").str();
  }

  Value c(int64_t v) { return b.create<arith::ConstantIntOp>(loc, v, 64); }
  Value idx(int64_t v) { return b.create<arith::ConstantIndexOp>(loc, v); }
  /// Element `i` of a 1-D i64 operand.
  Value at(Value vec, int64_t i) { return b.create<tensor::ExtractOp>(loc, vec, idx(i)); }
  SmallVector<Value> all(Value vec) {
    SmallVector<Value> v;
    for (int64_t i = 0, n = cast<RankedTensorType>(vec.getType()).getDimSize(0); i < n; ++i)
      v.push_back(at(vec, i));
    return v;
  }
  /// Dim `d` of `t` as i64.
  Value dim(Value t, int64_t d) {
    auto type = cast<RankedTensorType>(t.getType());
    if (!type.isDynamicDim(d))
      return c(type.getDimSize(d));
    return toI64(b.create<tensor::DimOp>(loc, t, d));
  }
  Value toI64(Value index) { return b.create<arith::IndexCastOp>(loc, b.getI64Type(), index); }
  Value toIndex(Value i64) { return b.create<arith::IndexCastOp>(loc, b.getIndexType(), i64); }
  Value cmp(CmpIPredicate p, Value x, Value y) { return b.create<arith::CmpIOp>(loc, p, x, y); }
  Value eq(Value x, Value y) { return cmp(CmpIPredicate::eq, x, y); }
  Value ne(Value x, Value y) { return cmp(CmpIPredicate::ne, x, y); }
  Value lt(Value x, Value y) { return cmp(CmpIPredicate::slt, x, y); }
  Value ge(Value x, Value y) { return cmp(CmpIPredicate::sge, x, y); }
  Value gt(Value x, Value y) { return cmp(CmpIPredicate::sgt, x, y); }
  Value sel(Value cond, Value x, Value y) { return b.create<arith::SelectOp>(loc, cond, x, y); }
  Value add(Value x, Value y) { return b.create<arith::AddIOp>(loc, x, y); }
  Value sub(Value x, Value y) { return b.create<arith::SubIOp>(loc, x, y); }
  Value mul(Value x, Value y) { return b.create<arith::MulIOp>(loc, x, y); }
  Value max(Value x, Value y) { return b.create<arith::MaxSIOp>(loc, x, y); }
  Value min(Value x, Value y) { return b.create<arith::MinSIOp>(loc, x, y); }
  Value clamp(Value x, Value lo, Value hi) { return min(max(x, lo), hi); }
  Value both(Value x, Value y) { return b.create<arith::AndIOp>(loc, x, y); }
  Value either(Value x, Value y) { return b.create<arith::OrIOp>(loc, x, y); }
  Value yes() { return b.create<arith::ConstantIntOp>(loc, 1, 1); }
  /// `x / y`, with `y` replaced by 1 where it is 0 (a check reports that).
  Value div(Value x, Value y) {
    return b.create<arith::DivSIOp>(loc, x, sel(eq(y, c(0)), c(1), y));
  }
  Value rem(Value x, Value y) {
    return b.create<arith::RemSIOp>(loc, x, sel(eq(y, c(0)), c(1), y));
  }
  /// `x * y` for sizes `x, y >= 0`; `ok` becomes false when the product would
  /// pass `limit` (so it never wraps: a wrapped count could pass the checks
  /// and index out of bounds).
  Value mulWithin(Value x, Value y, int64_t limit, Value &ok) {
    Value fits = either(eq(y, c(0)), cmp(CmpIPredicate::sle, x, div(c(limit), y)));
    ok = both(ok, fits);
    return mul(x, y);
  }
  /// Fails the run unless a result of `type` with sizes `dims` holds at most
  /// kMaxResultBytes: run-time shapes are data, and a huge one must be an
  /// error, not a failed allocation or a wrapped size.
  void requireAllocatable(RankedTensorType type, ArrayRef<Value> dims) {
    if (type.hasStaticShape())
      return;
    int64_t bytes = std::max<int64_t>(1, type.getElementTypeBitWidth() / 8);
    Value ok = yes(), count = c(1);
    for (Value d : dims)
      count = mulWithin(count, d, kMaxResultBytes / bytes, ok);
    require(ok, "expects a result of at most 2^40 bytes (1 TiB) from the run-time shape, "
                "found a larger one");
  }
  static constexpr int64_t kMaxResultBytes = int64_t(1) << 40;

  /// Fails the run with `message` (after the node label) unless `ok`.
  void require(Value ok, const Twine &message) {
    b.create<cf::AssertOp>(loc, ok, prefix + message.str());
  }
  /// Checks `dims` against the static dims of `type`.
  void requireStatic(RankedTensorType type, ArrayRef<Value> dims) {
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (!type.isDynamicDim(d))
        require(eq(dims[d], c(type.getDimSize(d))),
                "expects dim " + Twine(d) + " of the result to be " +
                    Twine(type.getDimSize(d)) + " (its static size), found another value");
  }
  /// The dynamic sizes of `type` among `dims`, as index values.
  SmallVector<Value> dynamicSizes(RankedTensorType type, ArrayRef<Value> dims) {
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (type.isDynamicDim(d))
        sizes.push_back(toIndex(dims[d]));
    return sizes;
  }

  OpBuilder &b;
  Location loc;
  std::string prefix;
};

/// The form of every lowering below: one Sizes for the op's arithmetic and
/// run-time checks, then `lower` builds the value that replaces the op.
template <typename Op>
struct ShapeOperandLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  using OpAdaptor = typename OpConversionPattern<Op>::OpAdaptor;

  virtual Value lower(Op op, OpAdaptor adaptor, Sizes &s, OpBuilder &rewriter) const = 0;

  LogicalResult matchAndRewrite(Op op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const final {
    Sizes s(rewriter, op);
    rewriter.replaceOp(op, lower(op, adaptor, s, rewriter));
    return success();
  }
};

/// `input` with the row-major shape `dims` (checked to hold as many elements).
Value reshapeToDims(Sizes &s, Value input, RankedTensorType type, ArrayRef<Value> dims) {
  auto inType = cast<RankedTensorType>(input.getType());
  if (inType.hasStaticShape() && type.hasStaticShape())
    return reshapeTo(s.b, s.loc, input, type);
  Value shape = s.b.create<tensor::FromElementsOp>(
      s.loc, RankedTensorType::get({type.getRank()}, s.b.getI64Type()), dims);
  return s.b.create<tensor::ReshapeOp>(s.loc, type, input, shape);
}

/// A tensor of `type` (sizes `dims`) whose element at the loop indices is
/// `element(indices)`. `withinInput`: the result has no more elements than
/// an operand (a slice), so its size needs no check (nor, inside a Loop
/// body, a check that has no error path).
Value generate(Sizes &s, RankedTensorType type, ArrayRef<Value> dims,
               function_ref<Value(OpBuilder &, Location, ValueRange)> element,
               bool withinInput = false) {
  if (!withinInput)
    s.requireAllocatable(type, dims);
  Value init = s.b.create<tensor::EmptyOp>(s.loc, type, s.dynamicSizes(type, dims));
  SmallVector<AffineMap> maps{s.b.getMultiDimIdentityMap(type.getRank())};
  SmallVector<utils::IteratorType> iterators(type.getRank(), utils::IteratorType::parallel);
  auto generic = s.b.create<linalg::GenericOp>(
      s.loc, TypeRange{type}, ValueRange{}, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location loc, ValueRange) {
        SmallVector<Value> ivs;
        for (int64_t d = 0; d < type.getRank(); ++d)
          ivs.push_back(nb.create<linalg::IndexOp>(loc, d));
        nb.create<linalg::YieldOp>(loc, element(nb, loc, ivs));
      });
  return generic.getResult(0);
}

/// Checks ONNX Reshape's shape and returns the result dims.
SmallVector<Value> reshapeDims(Sizes &s, Value input, ArrayRef<Value> shape, bool allowZero) {
  int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
  Value total = s.c(1);
  for (int64_t d = 0; d < rank; ++d)
    total = s.mul(total, s.dim(input, d));
  Value ok = s.yes(), known = s.c(1), unknowns = s.c(0), minus1 = s.c(-1), zero = s.c(0);
  Value fitsInt = s.yes();
  SmallVector<Value> dims;
  for (auto [i, entry] : llvm::enumerate(shape)) {
    Value v = entry;
    ok = s.both(ok, s.ge(v, minus1));
    if (!allowZero) {
      if (static_cast<int64_t>(i) < rank)
        v = s.sel(s.eq(v, zero), s.dim(input, i), v);
      else
        s.require(s.ne(v, zero), "expects shape entry " + Twine(i) +
                                     " to be non-zero, since the input has no dim " +
                                     Twine(i) + " to copy");
    }
    Value isUnknown = s.eq(v, minus1);
    unknowns = s.add(unknowns, s.b.create<arith::ExtUIOp>(s.loc, s.b.getI64Type(), isUnknown));
    known = s.mulWithin(known, s.sel(isUnknown, s.c(1), v), std::numeric_limits<int64_t>::max(),
                        fitsInt);
    dims.push_back(v);
  }
  s.require(ok, "expects shape entries of -1 or more, found a smaller one");
  s.require(s.cmp(CmpIPredicate::sle, unknowns, s.c(1)),
            "expects at most one -1 in the shape, found more");
  Value inferred = s.div(total, known);
  Value one = s.eq(unknowns, s.c(1));
  // With a -1: the known part divides the count; without: it is the count.
  Value fits = s.sel(one, s.both(s.ne(known, zero), s.eq(s.rem(total, known), zero)),
                     s.eq(known, total));
  fits = s.both(fits, fitsInt);
  s.require(fits, "expects the shape to hold as many elements as the input");
  for (Value &d : dims)
    d = s.sel(s.eq(d, minus1), inferred, d);
  return dims;
}

struct DynamicReshapeLowering : ShapeOperandLowering<DynamicReshapeOp> {
  using ShapeOperandLowering::ShapeOperandLowering;
  Value lower(DynamicReshapeOp op, OpAdaptor adaptor, Sizes &s, OpBuilder &rewriter) const override {
    SmallVector<Value> dims =
        reshapeDims(s, adaptor.getInput(), s.all(adaptor.getShape()), op.getAllowzero());
    s.requireStatic(op.getType(), dims);
    return reshapeToDims(s, adaptor.getInput(), op.getType(), dims);
  }
};

/// Normalizes each axis against `rank` and checks it is in range and not
/// repeated.
SmallVector<Value> normalizedAxes(Sizes &s, ArrayRef<Value> axes, int64_t rank,
                                  StringRef what = "axes") {
  SmallVector<Value> out;
  Value ok = s.yes(), r = s.c(rank), zero = s.c(0);
  for (Value a : axes) {
    a = s.sel(s.lt(a, zero), s.add(a, r), a);
    ok = s.both(ok, s.both(s.ge(a, zero), s.lt(a, r)));
    out.push_back(a);
  }
  s.require(ok, "expects " + what + " in [-" + Twine(rank) + ", " + Twine(rank) +
                    "), found a value outside");
  Value distinct = s.yes();
  for (size_t i = 0; i < out.size(); ++i)
    for (size_t j = i + 1; j < out.size(); ++j)
      distinct = s.both(distinct, s.ne(out[i], out[j]));
  s.require(distinct, "expects distinct axes, found one twice");
  return out;
}

/// True where one of `axes` (normalized) is `d`.
Value listed(Sizes &s, ArrayRef<Value> axes, int64_t d) {
  Value hit = s.b.create<arith::ConstantIntOp>(s.loc, 0, 1);
  for (Value a : axes)
    hit = s.either(hit, s.eq(a, s.c(d)));
  return hit;
}

struct DynamicUnsqueezeLowering : ShapeOperandLowering<DynamicUnsqueezeOp> {
  using ShapeOperandLowering::ShapeOperandLowering;
  Value lower(DynamicUnsqueezeOp op, OpAdaptor adaptor, Sizes &s, OpBuilder &rewriter) const override {
    Value input = adaptor.getInput();
    int64_t inRank = op.getInput().getType().getRank(), rank = op.getType().getRank();
    SmallVector<Value> axes = normalizedAxes(s, s.all(adaptor.getAxes()), rank);
    // Output dim d is 1 when listed, else input dim `d - (listed before d)`.
    SmallVector<Value> inDims;
    for (int64_t d = 0; d < inRank; ++d)
      inDims.push_back(s.dim(input, d));
    SmallVector<Value> dims;
    Value before = s.c(0);
    for (int64_t d = 0; d < rank; ++d) {
      Value isNew = listed(s, axes, d), from = s.sub(s.c(d), before), v = s.c(1);
      for (int64_t j = 0; j < inRank; ++j)
        v = s.sel(s.both(s.b.create<arith::XOrIOp>(s.loc, isNew, s.yes()), s.eq(from, s.c(j))),
                  inDims[j], v);
      dims.push_back(v);
      before = s.add(before, s.b.create<arith::ExtUIOp>(s.loc, s.b.getI64Type(), isNew));
    }
    s.requireStatic(op.getType(), dims);
    return reshapeToDims(s, input, op.getType(), dims);
  }
};

struct DynamicSqueezeLowering : ShapeOperandLowering<DynamicSqueezeOp> {
  using ShapeOperandLowering::ShapeOperandLowering;
  Value lower(DynamicSqueezeOp op, OpAdaptor adaptor, Sizes &s, OpBuilder &rewriter) const override {
    Value input = adaptor.getInput();
    int64_t inRank = op.getInput().getType().getRank(), rank = op.getType().getRank();
    SmallVector<Value> axes = normalizedAxes(s, s.all(adaptor.getAxes()), inRank);
    SmallVector<Value> dims(rank, s.c(1));
    Value kept = s.c(0), ok = s.yes();
    for (int64_t d = 0; d < inRank; ++d) {
      Value removed = listed(s, axes, d), size = s.dim(input, d);
      ok = s.both(ok, s.either(s.b.create<arith::XOrIOp>(s.loc, removed, s.yes()),
                               s.eq(size, s.c(1))));
      // The input dim lands at output position `kept` when it stays.
      for (int64_t k = 0; k < rank; ++k)
        dims[k] = s.sel(s.both(s.b.create<arith::XOrIOp>(s.loc, removed, s.yes()),
                               s.eq(kept, s.c(k))),
                        size, dims[k]);
      kept = s.add(kept, s.b.create<arith::ExtUIOp>(
                             s.loc, s.b.getI64Type(),
                             s.b.create<arith::XOrIOp>(s.loc, removed, s.yes())));
    }
    s.require(ok, "expects every squeezed dim to be 1, found another size");
    s.requireStatic(op.getType(), dims);
    return reshapeToDims(s, input, op.getType(), dims);
  }
};

struct DynamicExpandLowering : ShapeOperandLowering<DynamicExpandOp> {
  using ShapeOperandLowering::ShapeOperandLowering;
  Value lower(DynamicExpandOp op, OpAdaptor adaptor, Sizes &s, OpBuilder &rewriter) const override {
    Value input = adaptor.getInput();
    RankedTensorType type = op.getType();
    SmallVector<Value> shape = s.all(adaptor.getShape());
    int64_t rank = type.getRank(), inRank = op.getInput().getType().getRank();
    int64_t inLead = rank - inRank, shapeLead = rank - static_cast<int64_t>(shape.size());
    SmallVector<Value> dims, inOne(inRank);
    Value ok = s.yes(), one = s.c(1);
    for (int64_t d = 0; d < rank; ++d) {
      Value in = d >= inLead ? s.dim(input, d - inLead) : one;
      if (d >= inLead)
        inOne[d - inLead] = s.eq(in, one);
      if (d < shapeLead) {
        dims.push_back(in);
        continue;
      }
      Value want = shape[d - shapeLead];
      ok = s.both(ok, s.both(s.ge(want, s.c(0)),
                             s.either(s.either(s.eq(want, in), s.eq(want, one)), s.eq(in, one))));
      dims.push_back(s.sel(s.eq(in, one), want, in));
    }
    s.require(ok, "expects a shape the input broadcasts to, found another");
    s.requireStatic(type, dims);
    return generate(s, type, dims, [&](OpBuilder &b, Location loc, ValueRange iv) -> Value {
      SmallVector<Value> at;
      Value zero = b.create<arith::ConstantIndexOp>(loc, 0);
      for (int64_t j = 0; j < inRank; ++j)
        at.push_back(b.create<arith::SelectOp>(loc, inOne[j], zero, iv[inLead + j]));
      return b.create<tensor::ExtractOp>(loc, input, at);
    });
  }
};

struct DynamicSliceLowering : ShapeOperandLowering<DynamicSliceOp> {
  using ShapeOperandLowering::ShapeOperandLowering;
  Value lower(DynamicSliceOp op, OpAdaptor adaptor, Sizes &s, OpBuilder &rewriter) const override {
    Value input = adaptor.getInput();
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank();
    SmallVector<Value> starts = s.all(adaptor.getStarts()), ends = s.all(adaptor.getEnds());
    int64_t n = starts.size();
    SmallVector<Value> axes, steps;
    if (adaptor.getAxes()) {
      axes = normalizedAxes(s, s.all(adaptor.getAxes()), rank);
    } else {
      for (int64_t i = 0; i < n; ++i)
        axes.push_back(s.c(i));
    }
    Value zero = s.c(0), one = s.c(1), ok = s.yes();
    if (adaptor.getSteps()) {
      steps = s.all(adaptor.getSteps());
      for (Value st : steps)
        ok = s.both(ok, s.ne(st, zero));
      s.require(ok, "expects non-zero steps, found 0");
    } else {
      steps.assign(n, one);
    }
    SmallVector<Value> dims, offsets, strides;
    for (int64_t d = 0; d < rank; ++d) {
      Value size = s.dim(input, d);
      // The dim's (start, end, step): whole unless an axis names it.
      Value lo = zero, hi = size, step = one;
      for (int64_t i = 0; i < n; ++i) {
        Value hit = s.eq(axes[i], s.c(d));
        lo = s.sel(hit, starts[i], lo);
        hi = s.sel(hit, ends[i], hi);
        step = s.sel(hit, steps[i], step);
      }
      // Negative bounds count from the end (clamped first so adding the
      // size cannot overflow), then clamp by the step's sign.
      Value floor = s.sub(s.c(-1), size);
      lo = s.sel(s.lt(lo, zero), s.add(s.max(lo, floor), size), lo);
      hi = s.sel(s.lt(hi, zero), s.add(s.max(hi, floor), size), hi);
      Value forward = s.gt(step, zero), last = s.sub(size, one);
      lo = s.sel(forward, s.clamp(lo, zero, size), s.clamp(lo, zero, last));
      hi = s.sel(forward, s.clamp(hi, zero, size), s.clamp(hi, s.c(-1), last));
      // ceil(span / |step|) for a positive span, else 0.
      Value span = s.sel(forward, s.sub(hi, lo), s.sub(lo, hi));
      Value mag = s.sel(forward, step, s.sub(zero, step));
      Value count = s.sel(s.gt(span, zero), s.add(s.div(s.sub(span, one), mag), one), zero);
      dims.push_back(count);
      offsets.push_back(s.toIndex(lo));
      strides.push_back(s.toIndex(step));
    }
    s.requireStatic(type, dims);
    return generate(s, type, dims, [&](OpBuilder &b, Location loc, ValueRange iv) -> Value {
      SmallVector<Value> at;
      for (int64_t d = 0; d < rank; ++d)
        at.push_back(b.create<arith::AddIOp>(
            loc, offsets[d], b.create<arith::MulIOp>(loc, iv[d], strides[d])));
      return b.create<tensor::ExtractOp>(loc, input, at);
    }, /*withinInput=*/true);
  }
};

struct DynamicTileLowering : ShapeOperandLowering<DynamicTileOp> {
  using ShapeOperandLowering::ShapeOperandLowering;
  Value lower(DynamicTileOp op, OpAdaptor adaptor, Sizes &s, OpBuilder &rewriter) const override {
    Value input = adaptor.getInput();
    RankedTensorType type = op.getType();
    SmallVector<Value> repeats = s.all(adaptor.getRepeats()), dims, inDims;
    Value ok = s.yes(), fits = s.yes();
    for (auto [d, r] : llvm::enumerate(repeats)) {
      ok = s.both(ok, s.ge(r, s.c(0)));
      inDims.push_back(s.toIndex(s.dim(input, d)));
      // Checked like the static tile's shape inference: 4 x 2^62 wrapped to
      // an empty result, and 4 x (2^62 + 1) to the input's size.
      dims.push_back(s.mulWithin(s.dim(input, d), s.max(r, s.c(0)),
                                 std::numeric_limits<int64_t>::max(), fits));
    }
    s.require(ok, "expects non-negative repeat counts, found a negative one");
    s.require(fits, "expects the tiled size of each dimension (input size x repeat count) to "
                    "fit in 64 bits, found a larger one");
    s.requireStatic(type, dims);
    return generate(s, type, dims, [&](OpBuilder &b, Location loc, ValueRange iv) -> Value {
      // Only reached when the result has elements, so no input dim is 0.
      SmallVector<Value> at;
      for (auto [i, n] : llvm::zip(iv, inDims))
        at.push_back(b.create<arith::RemUIOp>(loc, i, n));
      return b.create<tensor::ExtractOp>(loc, input, at);
    });
  }
};

struct ConstantOfShapeLowering : ShapeOperandLowering<ConstantOfShapeOp> {
  using ShapeOperandLowering::ShapeOperandLowering;
  Value lower(ConstantOfShapeOp op, OpAdaptor adaptor, Sizes &s, OpBuilder &rewriter) const override {
    RankedTensorType type = op.getType();
    SmallVector<Value> dims = s.all(adaptor.getShape());
    Value ok = s.yes();
    for (Value d : dims)
      ok = s.both(ok, s.ge(d, s.c(0)));
    s.require(ok, "expects a shape of non-negative sizes, found a negative one");
    s.requireStatic(type, dims);
    s.requireAllocatable(type, dims);
    Value init = rewriter.create<tensor::EmptyOp>(op.getLoc(), type, s.dynamicSizes(type, dims));
    Value value = rewriter.create<arith::ConstantOp>(op.getLoc(), op.getValue());
    return rewriter.create<linalg::FillOp>(op.getLoc(), value, init).getResult(0);
  }
};

struct RangeLowering : ShapeOperandLowering<RangeOp> {
  using ShapeOperandLowering::ShapeOperandLowering;
  Value lower(RangeOp op, OpAdaptor adaptor, Sizes &s, OpBuilder &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type elem = type.getElementType();
    Value start = rewriter.create<tensor::ExtractOp>(loc, adaptor.getStart(), ValueRange{});
    Value limit = rewriter.create<tensor::ExtractOp>(loc, adaptor.getLimit(), ValueRange{});
    Value delta = rewriter.create<tensor::ExtractOp>(loc, adaptor.getDelta(), ValueRange{});
    Value n;
    if (isa<FloatType>(elem)) {
      // The count in f64. A NaN operand is named before the delta's check
      // (a NaN delta was reported as "found 0").
      Value fs = start, fl = limit, fd = delta;
      if (!elem.isF64()) {
        fs = rewriter.create<arith::ExtFOp>(loc, rewriter.getF64Type(), start);
        fl = rewriter.create<arith::ExtFOp>(loc, rewriter.getF64Type(), limit);
        fd = rewriter.create<arith::ExtFOp>(loc, rewriter.getF64Type(), delta);
      }
      auto notNaN = [&](Value v) -> Value {
        return rewriter.create<arith::CmpFOp>(loc, arith::CmpFPredicate::ORD, v, v);
      };
      s.require(notNaN(fs), "expects a start that is not NaN, found NaN");
      s.require(notNaN(fl), "expects a limit that is not NaN, found NaN");
      s.require(notNaN(fd), "expects a delta that is not NaN, found NaN");
      Value zeroF = rewriter.create<arith::ConstantOp>(loc, rewriter.getF64FloatAttr(0));
      s.require(rewriter.create<arith::CmpFOp>(loc, arith::CmpFPredicate::ONE, fd, zeroF),
                "expects a non-zero delta, found 0");
      Value quotient = rewriter.create<math::CeilOp>(
          loc, rewriter.create<arith::DivFOp>(loc, rewriter.create<arith::SubFOp>(loc, fl, fs), fd));
      // Infinite operands can still give NaN: inf - inf, or inf / inf.
      s.require(notNaN(quotient), "expects a count ceil((limit - start) / delta) that is a "
                                  "number, found NaN (from infinite operands)");
      Value count = rewriter.create<arith::MaximumFOp>(loc, quotient, zeroF);
      Value limitF = rewriter.create<arith::ConstantOp>(loc, rewriter.getF64FloatAttr(2147483648.0));
      Value fits = rewriter.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLE, count, limitF);
      s.require(fits, "expects at most 2^31 elements, found more");
      // Only a checked count is converted (NaN converts to poison; in a Loop
      // body the failed check does not stop the code after it).
      n = rewriter.create<arith::FPToSIOp>(loc, rewriter.getI64Type(), s.sel(fits, count, zeroF));
    } else {
      // Exact in i64: ceil((limit - start) / delta), at least 0.
      auto toI64 = [&](Value v) -> Value {
        return elem.isInteger(64) ? v : rewriter.create<arith::ExtSIOp>(loc, rewriter.getI64Type(), v);
      };
      Value is = toI64(start), il = toI64(limit), id = toI64(delta);
      s.require(s.ne(id, s.c(0)), "expects a non-zero delta, found 0");
      // ceil(|limit - start| / |delta|) in unsigned i64 arithmetic, which
      // holds the distance between any two i64 values (the signed
      // difference wraps: Range(-2^63, 2^63 - 1, 2^62) gave 0 elements);
      // 0 when delta points away from limit.
      Value zero = s.c(0), one = s.c(1);
      Value up = s.gt(id, zero);
      Value forward = s.both(up, s.gt(il, is));
      Value backward = s.both(s.lt(id, zero), s.lt(il, is));
      Value dist = s.sel(up, s.sub(il, is), s.sub(is, il));
      Value step = s.sel(up, id, s.sub(zero, id));
      Value safeStep = s.sel(s.eq(step, zero), one, step);
      Value q = rewriter.create<arith::DivUIOp>(loc, s.sub(dist, one), safeStep);
      Value count = s.add(q, one);
      n = s.sel(s.either(forward, backward), count, zero);
      // Unsigned: a count of 2^63 or more is past the limit too.
      s.require(s.cmp(arith::CmpIPredicate::ule, n, s.c(int64_t(1) << 31)),
                "expects at most 2^31 elements, found more");
    }
    SmallVector<Value> dims{n};
    s.requireStatic(type, dims);
    return generate(s, type, dims, [&](OpBuilder &b, Location loc, ValueRange iv) -> Value {
      if (isa<FloatType>(elem)) {
        Value i = b.create<arith::UIToFPOp>(
            loc, elem, b.create<arith::IndexCastOp>(loc, b.getI64Type(), iv[0]));
        return b.create<arith::AddFOp>(loc, start, b.create<arith::MulFOp>(loc, i, delta));
      }
      Value i = b.create<arith::IndexCastOp>(loc, elem, iv[0]);
      return b.create<arith::AddIOp>(loc, start, b.create<arith::MulIOp>(loc, i, delta));
    });
  }
};

/// A generic over the result (sizes `dims`) plus one inner reduction loop of
/// `extent` iterations: `step(builder, loc, indices, k, acc)` gives the new
/// accumulator. The loop's extent comes from a tensor.empty of that size
/// read by no one, since a generic takes loop bounds from its operands.
Value accumulate(Sizes &s, RankedTensorType type, ArrayRef<Value> dims, Value extent,
                 function_ref<Value(OpBuilder &, Location, ValueRange, Value, Value)> step) {
  OpBuilder &b = s.b;
  Location loc = s.loc;
  int64_t rank = type.getRank();
  s.requireAllocatable(type, dims);
  Value init = b.create<tensor::EmptyOp>(loc, type, s.dynamicSizes(type, dims));
  Value zero = isFloat(type.getElementType())
                   ? scalar(b, loc, type.getElementType(), 0.0)
                   : b.create<arith::ConstantOp>(loc, b.getIntegerAttr(type.getElementType(), 0))
                         .getResult();
  Value acc = b.create<linalg::FillOp>(loc, zero, init).getResult(0);
  Value loop = b.create<tensor::EmptyOp>(loc, ArrayRef<int64_t>{ShapedType::kDynamic},
                                         b.getI8Type(), ValueRange{s.toIndex(extent)});
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps{
      AffineMap::get(rank + 1, 0, {getAffineDimExpr(rank, ctx)}, ctx),
      AffineMap::getMultiDimIdentityMap(rank + 1, ctx).getMajorSubMap(rank)};
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  auto generic = b.create<linalg::GenericOp>(
      loc, TypeRange{type}, ValueRange{loop}, ValueRange{acc}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        SmallVector<Value> ivs;
        for (int64_t d = 0; d < rank; ++d)
          ivs.push_back(nb.create<linalg::IndexOp>(nloc, d));
        Value k = nb.create<linalg::IndexOp>(nloc, rank);
        nb.create<linalg::YieldOp>(nloc, step(nb, nloc, ivs, k, args[1]));
      });
  return generic.getResult(0);
}

Value addElement(OpBuilder &b, Location loc, Value x, Value y) {
  if (isFloat(x.getType()))
    return b.create<arith::AddFOp>(loc, x, y);
  return b.create<arith::AddIOp>(loc, x, y);
}

/// Sums over every combination of the reduced dims (decoded from the inner
/// loop index) into the keep-dims shape, then drops the reduced dims when
/// asked to.
struct DynamicReduceSumLowering : ShapeOperandLowering<DynamicReduceSumOp> {
  using ShapeOperandLowering::ShapeOperandLowering;
  Value lower(DynamicReduceSumOp op, OpAdaptor adaptor, Sizes &s, OpBuilder &rewriter) const override {
    Value input = adaptor.getInput();
    RankedTensorType in = op.getInput().getType(), type = op.getType();
    int64_t rank = in.getRank();
    SmallVector<Value> axes = normalizedAxes(s, s.all(adaptor.getAxes()), rank);
    SmallVector<Value> reduced, inDims, kept;
    Value extent = s.c(1);
    for (int64_t d = 0; d < rank; ++d) {
      reduced.push_back(listed(s, axes, d));
      inDims.push_back(s.dim(input, d));
      extent = s.mul(extent, s.sel(reduced[d], inDims[d], s.c(1)));
      kept.push_back(s.sel(reduced[d], s.c(1), inDims[d]));
    }
    // The result dims: kept dims in order (keep_dims: all, reduced as 1).
    SmallVector<Value> dims = kept;
    if (!op.getKeepDims()) {
      dims.assign(type.getRank(), s.c(1));
      Value at = s.c(0);
      for (int64_t d = 0; d < rank; ++d) {
        Value stays = s.b.create<arith::XOrIOp>(s.loc, reduced[d], s.yes());
        for (int64_t k = 0; k < type.getRank(); ++k)
          dims[k] = s.sel(s.both(stays, s.eq(at, s.c(k))), inDims[d], dims[k]);
        at = s.add(at, s.b.create<arith::ExtUIOp>(s.loc, s.b.getI64Type(), stays));
      }
    }
    s.requireStatic(type, dims);
    SmallVector<Value> inSizes;
    for (Value d : inDims)
      inSizes.push_back(s.toIndex(d));
    // With keep_dims the sum is built in the result type itself.
    auto keepType = op.getKeepDims()
                        ? type
                        : RankedTensorType::get(SmallVector<int64_t>(rank, ShapedType::kDynamic),
                                                in.getElementType());
    Value sum = accumulate(
        s, keepType, kept, extent,
        [&](OpBuilder &b, Location loc, ValueRange iv, Value k, Value acc) -> Value {
          // Reduced coordinates are the digits of k, last dim fastest.
          SmallVector<Value> at(rank);
          for (int64_t d = rank - 1; d >= 0; --d) {
            Value flag = reduced[d];
            Value size = b.create<arith::SelectOp>(loc, flag, inSizes[d],
                                                   b.create<arith::ConstantIndexOp>(loc, 1));
            at[d] = b.create<arith::SelectOp>(loc, flag, b.create<arith::RemUIOp>(loc, k, size),
                                              iv[d]);
            k = b.create<arith::DivUIOp>(loc, k, size);
          }
          return addElement(b, loc, acc, b.create<tensor::ExtractOp>(loc, input, at));
        });
    return op.getKeepDims() ? sum : reshapeToDims(s, sum, type, dims);
  }
};

/// Element i sums the input along the axis over the positions the flags
/// select, with the inner loop running along the (run-time) axis.
struct DynamicCumSumLowering : ShapeOperandLowering<DynamicCumSumOp> {
  using ShapeOperandLowering::ShapeOperandLowering;
  Value lower(DynamicCumSumOp op, OpAdaptor adaptor, Sizes &s, OpBuilder &rewriter) const override {
    Value input = adaptor.getInput();
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank();
    Value axis = rewriter.create<tensor::ExtractOp>(op.getLoc(), adaptor.getAxis(), ValueRange{});
    if (!axis.getType().isInteger(64))
      axis = rewriter.create<arith::ExtSIOp>(op.getLoc(), rewriter.getI64Type(), axis);
    SmallVector<Value> axes = normalizedAxes(s, {axis}, rank, "the axis");
    SmallVector<Value> dims, onAxis;
    Value extent = s.c(0);
    for (int64_t d = 0; d < rank; ++d) {
      dims.push_back(s.dim(input, d));
      onAxis.push_back(s.eq(axes[0], s.c(d)));
      extent = s.sel(onAxis[d], dims[d], extent);
    }
    bool reverse = op.getReverse(), exclusive = op.getExclusive();
    Value sum = accumulate(
        s, type, dims, extent,
        [&](OpBuilder &b, Location loc, ValueRange iv, Value k, Value acc) -> Value {
          Value i = b.create<arith::ConstantIndexOp>(loc, 0);
          SmallVector<Value> at;
          for (int64_t d = 0; d < rank; ++d) {
            i = b.create<arith::SelectOp>(loc, onAxis[d], iv[d], i);
            at.push_back(b.create<arith::SelectOp>(loc, onAxis[d], k, iv[d]));
          }
          using P = arith::CmpIPredicate;
          P pred = reverse ? (exclusive ? P::ugt : P::uge) : (exclusive ? P::ult : P::ule);
          Value take = b.create<arith::CmpIOp>(loc, pred, k, i);
          Value next = addElement(b, loc, acc, b.create<tensor::ExtractOp>(loc, input, at));
          return b.create<arith::SelectOp>(loc, take, next, acc);
        });
    return sum;
  }
};

/// tensor.pad with the low and high amounts read from `pads`.
struct DynamicPadLowering : ShapeOperandLowering<DynamicPadOp> {
  using ShapeOperandLowering::ShapeOperandLowering;
  Value lower(DynamicPadOp op, OpAdaptor adaptor, Sizes &s, OpBuilder &rewriter) const override {
    Value input = adaptor.getInput();
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank();
    SmallVector<Value> pads = s.all(adaptor.getPads()), dims;
    // Bounded so that the sizes below cannot wrap.
    Value ok = s.yes();
    for (Value p : pads)
      ok = s.both(ok, s.both(s.ge(p, s.c(0)), s.cmp(CmpIPredicate::sle, p,
                                                     s.c(Sizes::kMaxResultBytes))));
    s.require(ok, "expects pads from 0 to 2^40 (cropping with negative pads is not "
                  "supported), found another value");
    SmallVector<OpFoldResult> low, high;
    for (int64_t d = 0; d < rank; ++d) {
      dims.push_back(s.add(s.add(s.dim(input, d), pads[d]), pads[rank + d]));
      low.push_back(s.toIndex(pads[d]));
      high.push_back(s.toIndex(pads[rank + d]));
    }
    s.requireStatic(type, dims);
    s.requireAllocatable(type, dims);
    Value value = adaptor.getConstantValue()
                      ? rewriter.create<tensor::ExtractOp>(op.getLoc(),
                                                           adaptor.getConstantValue(), ValueRange{})
                      : scalar(rewriter, op.getLoc(), type.getElementType(),
                               op.getValue().convertToDouble());
    return rewriter.create<tensor::PadOp>(op.getLoc(), type, input, low, high, value);
  }
};

} // namespace

void kiln::populateNNToLinalgShapeOperandPatterns(RewritePatternSet &patterns) {
  patterns.add<DynamicPadLowering, DynamicReshapeLowering, DynamicUnsqueezeLowering,
               DynamicSqueezeLowering,
               DynamicExpandLowering, DynamicSliceLowering, DynamicTileLowering,
               ConstantOfShapeLowering, RangeLowering, DynamicReduceSumLowering,
               DynamicCumSumLowering>(patterns.getContext());
}
