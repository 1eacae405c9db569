//===- Indexing.cpp - border padding, top-k, scatters, one-hot -----------===//
//
// Gathers whose index is computed from data are linalg.generic ops that
// tensor.extract the element they need (every extract index is clamped
// into the tensor). Top-k ranks each element by counting the elements that
// beat it (a reduction, so it needs no sort and ties go to the lower
// index), then picks the element of each rank. Scatters are an scf.for
// nest over the updates that inserts into the result tensor, after a
// reduction over the indices has checked every one of them (docs/
// lowering-choices.md).
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/NNToLinalg/IndexingUtils.h"
#include "compiler/Conversion/NNToLinalg/NNToLinalg.h"
#include "dialects/NN/IR/NNOps.h"

#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::nn;
using namespace kiln::nntolinalg;
using arith::CmpIPredicate;

//===----------------------------------------------------------------------===//
// Helpers (IndexingUtils.h)
//===----------------------------------------------------------------------===//

SmallVector<Value> Emitter::all(Value vec) {
  SmallVector<Value> v;
  for (int64_t i = 0, n = cast<RankedTensorType>(vec.getType()).getDimSize(0); i < n; ++i)
    v.push_back(b.create<tensor::ExtractOp>(loc, vec, idx(i)));
  return v;
}

Value Emitter::only(Value t) {
  SmallVector<Value> zeros(cast<RankedTensorType>(t.getType()).getRank(), idx(0));
  return b.create<tensor::ExtractOp>(loc, t, zeros);
}

void Emitter::requireStatic(RankedTensorType type, ArrayRef<Value> dims, StringRef what) {
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (!type.isDynamicDim(d))
      require(eq(dims[d], i64(type.getDimSize(d))), "expects dim " + Twine(d) + " of " + what +
                                                        " to be " + Twine(type.getDimSize(d)) +
                                                        " (its static size), found another value");
}

void Emitter::requireAllocatable(RankedTensorType type, ArrayRef<Value> dims) {
  if (type.hasStaticShape())
    return;
  int64_t bytes = std::max<int64_t>(1, type.getElementTypeBitWidth() / 8);
  int64_t limit = (int64_t(1) << 40) / bytes;
  Value ok = yes(), count = i64(1);
  for (Value d : dims) {
    // count * d <= limit, asked without multiplying (which could wrap).
    Value safeD = sel(eq(d, i64(0)), i64(1), d);
    Value fits = either(eq(d, i64(0)), le(count, b.create<arith::DivSIOp>(loc, i64(limit), safeD)));
    ok = both(ok, both(ge(d, i64(0)), fits));
    count = mul(count, d);
  }
  require(ok, "expects a result of at most 2^40 bytes (1 TiB), found a larger one");
}

SmallVector<Value> Emitter::dynamicSizes(RankedTensorType type, ArrayRef<Value> dims) {
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      sizes.push_back(toIdx(dims[d]));
  return sizes;
}

namespace {
/// A generic over `tensor` that folds `step(acc, element, coordinates)`
/// into a rank-0 accumulator starting at `init`.
Value fold(OpBuilder &b, Location loc, Value tensor, Value init,
           llvm::function_ref<Value(OpBuilder &, Location, Value, Value, ValueRange)> step) {
  auto type = cast<RankedTensorType>(tensor.getType());
  int64_t rank = type.getRank();
  Value acc = b.create<tensor::EmptyOp>(loc, ArrayRef<int64_t>{}, init.getType());
  acc = b.create<linalg::FillOp>(loc, init, acc).getResult(0);
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank),
                              AffineMap::get(rank, 0, {}, b.getContext())};
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::reduction);
  auto generic = b.create<linalg::GenericOp>(
      loc, acc.getType(), tensor, acc, maps, iters, [&](OpBuilder &nb, Location l, ValueRange a) {
        SmallVector<Value> at;
        for (int64_t d = 0; d < rank; ++d)
          at.push_back(nb.create<linalg::IndexOp>(l, d));
        nb.create<linalg::YieldOp>(l, step(nb, l, a[1], a[0], at));
      });
  return b.create<tensor::ExtractOp>(loc, generic.getResult(0), ValueRange{});
}
} // namespace

Value kiln::nntolinalg::allOf(
    OpBuilder &b, Location loc, Value tensor,
    llvm::function_ref<Value(OpBuilder &, Location, Value, ValueRange)> pred) {
  Value init = b.create<arith::ConstantIntOp>(loc, 1, 1);
  return fold(b, loc, tensor, init,
              [&](OpBuilder &nb, Location l, Value acc, Value x, ValueRange at) -> Value {
                return nb.create<arith::AndIOp>(l, acc, pred(nb, l, x, at));
              });
}

Value kiln::nntolinalg::countOf(
    OpBuilder &b, Location loc, Value tensor,
    llvm::function_ref<Value(OpBuilder &, Location, Value, ValueRange)> pred) {
  Value init = b.create<arith::ConstantIntOp>(loc, 0, 64);
  return fold(b, loc, tensor, init,
              [&](OpBuilder &nb, Location l, Value acc, Value x, ValueRange at) -> Value {
                Value one = nb.create<arith::ExtUIOp>(l, nb.getI64Type(), pred(nb, l, x, at));
                return nb.create<arith::AddIOp>(l, acc, one);
              });
}

Value kiln::nntolinalg::combine(OpBuilder &b, Location loc, StringRef reduction, Value old,
                                Value update) {
  bool fp = isFloat(old.getType());
  if (reduction == "add")
    return fp ? b.create<arith::AddFOp>(loc, old, update).getResult()
              : b.create<arith::AddIOp>(loc, old, update).getResult();
  if (reduction == "mul")
    return fp ? b.create<arith::MulFOp>(loc, old, update).getResult()
              : b.create<arith::MulIOp>(loc, old, update).getResult();
  if (reduction == "max")
    return fp ? b.create<arith::MaximumFOp>(loc, old, update).getResult()
              : b.create<arith::MaxSIOp>(loc, old, update).getResult();
  if (reduction == "min")
    return fp ? b.create<arith::MinimumFOp>(loc, old, update).getResult()
              : b.create<arith::MinSIOp>(loc, old, update).getResult();
  return update;
}

Value kiln::nntolinalg::wrapAndClamp(Emitter &e, Value k, Value n) {
  k = e.toI64(k);
  k = e.sel(e.lt(k, e.i64(0)), e.add(k, n), k);
  k = e.clamp(k, e.i64(0), e.max(e.sub(n, e.i64(1)), e.i64(0)));
  return e.toIdx(k);
}

namespace {

/// True when the ONNX index `k` lies in [-n, n - 1].
Value indexInRange(Emitter &e, Value k, Value n) {
  k = e.toI64(k);
  return e.both(e.ge(k, e.sub(e.i64(0), n)), e.lt(k, n));
}

//===----------------------------------------------------------------------===//
// Border padding
//===----------------------------------------------------------------------===//

/// A generic over the result extracts, per dim, the input element at the
/// clamped (edge) or mirrored (reflect) position of `i - pad_before`.
struct BorderPadLowering : OpConversionPattern<BorderPadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(BorderPadOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Emitter e(rewriter, op);
    Value input = adaptor.getInput();
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank();
    bool reflect = op.getMode() == "reflect";
    SmallVector<Value> pads = e.all(adaptor.getPads()), dims, low, sizes;
    Value ok = e.yes();
    for (Value p : pads)
      ok = e.both(ok, e.both(e.ge(p, e.i64(0)), e.le(p, e.i64(int64_t(1) << 40))));
    e.require(ok, "expects pads from 0 to 2^40 (cropping with negative pads is not supported), "
                  "found another value");
    for (int64_t d = 0; d < rank; ++d) {
      Value n = e.dimI64(input, d), lo = pads[d], hi = pads[rank + d];
      Value none = e.both(e.eq(lo, e.i64(0)), e.eq(hi, e.i64(0)));
      if (reflect)
        e.require(e.either(none, e.both(e.lt(lo, n), e.lt(hi, n))),
                  "expects reflect pads of dim " + Twine(d) +
                      " smaller than its size, found a larger one");
      else
        e.require(e.either(none, e.gt(n, e.i64(0))),
                  "expects no edge pad of dim " + Twine(d) + " when it is empty, found one");
      dims.push_back(e.add(e.add(n, lo), hi));
      low.push_back(e.toIdx(lo));
      sizes.push_back(e.toIdx(n));
    }
    e.requireStatic(type, dims, "the result");
    e.requireAllocatable(type, dims);
    Value init = emptyTensor(rewriter, op.getLoc(), type, e.dynamicSizes(type, dims));
    SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(rank)};
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    auto generic = rewriter.create<linalg::GenericOp>(
        op.getLoc(), type, ValueRange{}, init, maps, iters,
        [&](OpBuilder &b, Location l, ValueRange) {
          SmallVector<Value> at;
          for (int64_t d = 0; d < rank; ++d) {
            Value zero = b.create<arith::ConstantIndexOp>(l, 0);
            Value one = b.create<arith::ConstantIndexOp>(l, 1);
            Value last = b.create<arith::SubIOp>(l, sizes[d], one);
            Value j = b.create<arith::SubIOp>(l, b.create<linalg::IndexOp>(l, d), low[d]);
            if (reflect) {
              // Before the start: -j; past the end: 2 * last - j.
              Value before = b.create<arith::CmpIOp>(l, CmpIPredicate::slt, j, zero);
              j = b.create<arith::SelectOp>(l, before, b.create<arith::SubIOp>(l, zero, j), j);
              Value after = b.create<arith::CmpIOp>(l, CmpIPredicate::sgt, j, last);
              Value mirrored =
                  b.create<arith::SubIOp>(l, b.create<arith::AddIOp>(l, last, last), j);
              j = b.create<arith::SelectOp>(l, after, mirrored, j);
            }
            j = b.create<arith::MaxSIOp>(l, b.create<arith::MinSIOp>(l, j, last), zero);
            at.push_back(j);
          }
          b.create<linalg::YieldOp>(l, b.create<tensor::ExtractOp>(l, input, at).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Top-k
//===----------------------------------------------------------------------===//

/// `x` beats `y` (at positions `i < j` along the axis when `lower` is true):
/// larger (smaller) or equal and earlier.
Value beats(OpBuilder &b, Location l, Value x, Value y, Value lower, bool largest) {
  Value better, equal;
  if (isFloat(x.getType())) {
    better = b.create<arith::CmpFOp>(
        l, largest ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT, x, y);
    equal = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OEQ, x, y);
  } else {
    better = b.create<arith::CmpIOp>(l, largest ? CmpIPredicate::sgt : CmpIPredicate::slt, x, y);
    equal = b.create<arith::CmpIOp>(l, CmpIPredicate::eq, x, y);
  }
  return b.create<arith::OrIOp>(l, better, b.create<arith::AndIOp>(l, equal, lower));
}

/// rank[p] = how many elements along the axis beat element p (a reduction
/// over a second axis coordinate m); then the index of rank j is found by a
/// reduction over the axis, and the value is extracted at it.
struct TopKLowering : OpConversionPattern<TopKOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(TopKOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Emitter e(rewriter, op);
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value input = adaptor.getInput();
    auto inType = cast<RankedTensorType>(input.getType());
    int64_t rank = inType.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    bool largest = op.getLargest();
    Value n = e.dimI64(input, axis), k = e.only(adaptor.getK());
    e.require(e.both(e.ge(k, e.i64(0)), e.le(k, n)),
              "expects k in [0, the size of dim " + Twine(axis) + "], found another value");
    SmallVector<Value> dims;
    for (int64_t d = 0; d < rank; ++d)
      dims.push_back(d == axis ? k : e.dimI64(input, d));
    e.requireStatic(op.getValues().getType(), dims, "the results");

    // Ranks: iteration (d..., m) reads x at d and at d with the axis set to m.
    Type i64 = rewriter.getI64Type();
    auto rankType = RankedTensorType::get(inType.getShape(), i64);
    Value ranks = filled(rewriter, loc, rankType, e.i64(0), dynamicSizes(rewriter, loc, input));
    SmallVector<AffineExpr> self, other;
    for (int64_t d = 0; d < rank; ++d) {
      self.push_back(getAffineDimExpr(d, ctx));
      other.push_back(getAffineDimExpr(d == axis ? rank : d, ctx));
    }
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    iters.push_back(utils::IteratorType::reduction);
    SmallVector<AffineMap> maps{AffineMap::get(rank + 1, 0, self, ctx),
                                AffineMap::get(rank + 1, 0, other, ctx),
                                AffineMap::get(rank + 1, 0, self, ctx)};
    ranks =
        rewriter
            .create<linalg::GenericOp>(
                loc, rankType, ValueRange{input, input}, ranks, maps, iters,
                [&](OpBuilder &b, Location l, ValueRange a) {
                  Value i = b.create<linalg::IndexOp>(l, axis);
                  Value m = b.create<linalg::IndexOp>(l, rank);
                  Value earlier = b.create<arith::CmpIOp>(l, CmpIPredicate::slt, m, i);
                  Value wins = beats(b, l, a[1], a[0], earlier, largest);
                  Value one = b.create<arith::ExtUIOp>(l, b.getI64Type(), wins);
                  b.create<linalg::YieldOp>(l, b.create<arith::AddIOp>(l, a[2], one).getResult());
                })
            .getResult(0);

    // Indices: iteration (d..., i) with d[axis] = j < k finds i of rank j.
    RankedTensorType idxType = op.getIndices().getType();
    Value indices = filled(rewriter, loc, idxType, e.i64(0), e.dynamicSizes(idxType, dims));
    maps = {AffineMap::get(rank + 1, 0, other, ctx), AffineMap::get(rank + 1, 0, self, ctx)};
    indices = rewriter
                  .create<linalg::GenericOp>(
                      loc, idxType, ranks, indices, maps, iters,
                      [&](OpBuilder &b, Location l, ValueRange a) {
                        Value j = b.create<arith::IndexCastOp>(l, b.getI64Type(),
                                                               b.create<linalg::IndexOp>(l, axis));
                        Value i = b.create<arith::IndexCastOp>(l, b.getI64Type(),
                                                               b.create<linalg::IndexOp>(l, rank));
                        Value hit = b.create<arith::CmpIOp>(l, CmpIPredicate::eq, a[0], j);
                        b.create<linalg::YieldOp>(
                            l, b.create<arith::SelectOp>(l, hit, i, a[1]).getResult());
                      })
                  .getResult(0);

    RankedTensorType valType = op.getValues().getType();
    Value lastIdx = e.max(e.sub(n, e.i64(1)), e.i64(0));
    Value values = elementwise(
        rewriter, loc, valType, indices,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          SmallVector<Value> at;
          for (int64_t d = 0; d < rank; ++d) {
            if (d != axis) {
              at.push_back(b.create<linalg::IndexOp>(l, d));
              continue;
            }
            Value c = b.create<arith::MinSIOp>(l, a[0], lastIdx);
            at.push_back(b.create<arith::IndexCastOp>(l, b.getIndexType(), c));
          }
          return b.create<tensor::ExtractOp>(l, input, at);
        },
        {}, e.dynamicSizes(valType, dims));
    rewriter.replaceOp(op, {values, indices});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Scatters
//===----------------------------------------------------------------------===//

/// The scf.for nest over `ubs` (index) carrying the result tensor.
Value scatterLoop(OpBuilder &b, Location loc, ArrayRef<Value> ubs, Value init,
                  llvm::function_ref<Value(OpBuilder &, Location, ValueRange, Value)> body) {
  SmallVector<Value> lbs(ubs.size(), b.create<arith::ConstantIndexOp>(loc, 0));
  SmallVector<Value> steps(ubs.size(), b.create<arith::ConstantIndexOp>(loc, 1));
  scf::LoopNest nest = scf::buildLoopNest(
      b, loc, lbs, ubs, steps, ValueRange{init},
      [&](OpBuilder &nb, Location l, ValueRange ivs, ValueRange args) -> scf::ValueVector {
        return {body(nb, l, ivs, args[0])};
      });
  return nest.results.empty() ? init : nest.results[0];
}

/// Checks every index against its dim, then loops over the indices: each
/// one reads its update and writes the combination at its position.
struct ScatterElementsLowering : OpConversionPattern<ScatterElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ScatterElementsOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Emitter e(rewriter, op);
    Location loc = op.getLoc();
    Value data = adaptor.getData(), indices = adaptor.getIndices(), updates = adaptor.getUpdates();
    int64_t rank = cast<RankedTensorType>(data.getType()).getRank();
    int64_t axis = op.getAxis();
    SmallVector<Value> ubs;
    for (int64_t d = 0; d < rank; ++d) {
      Value ni = e.dimI64(indices, d);
      e.require(e.eq(ni, e.dimI64(updates, d)),
                "expects updates of the indices' shape, found dim " + Twine(d) + " differing");
      if (d != axis)
        e.require(e.le(ni, e.dimI64(data, d)),
                  "expects dim " + Twine(d) + " of the indices no larger than the data's");
      ubs.push_back(e.dimIdx(indices, d));
    }
    Value n = e.dimI64(data, axis);
    Value ok = allOf(rewriter, loc, indices, [&](OpBuilder &b, Location, Value k, ValueRange) {
      Emitter in(b, op);
      return indexInRange(in, k, n);
    });
    e.require(ok, "expects indices along axis " + Twine(axis) +
                      " in [-size, size - 1], found one outside");
    StringRef reduction = op.getReduction();
    Value result = scatterLoop(
        rewriter, loc, ubs, data, [&](OpBuilder &b, Location l, ValueRange ivs, Value acc) {
          Emitter in(b, op);
          Value k = b.create<tensor::ExtractOp>(l, indices, ivs);
          SmallVector<Value> at(ivs);
          at[axis] = wrapAndClamp(in, k, n);
          Value u = b.create<tensor::ExtractOp>(l, updates, ivs);
          Value old = b.create<tensor::ExtractOp>(l, acc, at);
          return b.create<tensor::InsertOp>(l, combine(b, l, reduction, old, u), acc, at)
              .getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Checks every index tuple, then loops over the tuples and the slice each
/// one names.
struct ScatterNDLowering : OpConversionPattern<ScatterNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ScatterNDOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Emitter e(rewriter, op);
    Location loc = op.getLoc();
    Value data = adaptor.getData(), indices = adaptor.getIndices(), updates = adaptor.getUpdates();
    int64_t rank = cast<RankedTensorType>(data.getType()).getRank();
    auto idxType = cast<RankedTensorType>(indices.getType());
    int64_t q = idxType.getRank(), m = idxType.getShape().back();
    SmallVector<Value> ubs;
    for (int64_t d = 0; d + 1 < q; ++d)
      ubs.push_back(e.dimIdx(indices, d));
    for (int64_t d = m; d < rank; ++d)
      ubs.push_back(e.dimIdx(data, d));
    for (auto [d, ub] : llvm::enumerate(ubs))
      e.require(e.eq(e.toI64(ub), e.dimI64(updates, d)),
                "expects updates of shape indices.shape[:-1] + data.shape[" + Twine(m) +
                    ":], found dim " + Twine(d) + " differing");
    Value ok = allOf(rewriter, loc, indices, [&](OpBuilder &b, Location l, Value k, ValueRange at) {
      Emitter in(b, op);
      Value n = in.toI64(b.create<tensor::DimOp>(l, data, at.back()));
      return indexInRange(in, k, n);
    });
    e.require(ok, "expects every index in [-size, size - 1] of the dim it indexes, found one "
                  "outside");
    StringRef reduction = op.getReduction();
    Value result = scatterLoop(
        rewriter, loc, ubs, data, [&](OpBuilder &b, Location l, ValueRange ivs, Value acc) {
          Emitter in(b, op);
          SmallVector<Value> tuple(ivs.take_front(q - 1)), at;
          for (int64_t j = 0; j < m; ++j) {
            tuple.push_back(in.idx(j));
            Value k = b.create<tensor::ExtractOp>(l, indices, tuple);
            tuple.pop_back();
            at.push_back(wrapAndClamp(in, k, in.dimI64(data, j)));
          }
          llvm::append_range(at, ivs.drop_front(q - 1));
          Value u = b.create<tensor::ExtractOp>(l, updates, ivs);
          Value old = b.create<tensor::ExtractOp>(l, acc, at);
          return b.create<tensor::InsertOp>(l, combine(b, l, reduction, old, u), acc, at)
              .getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// One-hot
//===----------------------------------------------------------------------===//

/// A generic over the result compares the new coordinate with the index
/// read at the other coordinates.
struct OneHotLowering : OpConversionPattern<OneHotOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(OneHotOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Emitter e(rewriter, op);
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank(), axis = op.getAxis();
    Value depth = e.only(adaptor.getDepth());
    if (isFloat(depth.getType())) {
      // Checked as a float first: converting NaN, an infinity or a value
      // past i64 gives poison, which no later check can be trusted on.
      Type type = depth.getType();
      auto below = [&](double limit) {
        Value bound = rewriter.create<arith::ConstantOp>(loc, rewriter.getFloatAttr(type, limit));
        return rewriter.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT, depth, bound)
            .getResult();
      };
      Value inRange = below(1099511627776.0); // 2^40: false for NaN and +inf
      e.require(e.either(inRange, below(1.0)),
                "expects a depth below 2^40, found a larger one, an infinity or NaN");
      Value safe = rewriter.create<arith::SelectOp>(
          loc, inRange, depth,
          rewriter.create<arith::ConstantOp>(loc, rewriter.getFloatAttr(type, 0.0)));
      depth = rewriter.create<arith::FPToSIOp>(loc, rewriter.getI64Type(), safe);
    } else {
      depth = e.toI64(depth);
    }
    e.require(e.ge(depth, e.i64(1)), "expects a depth of at least 1, found a smaller one");
    Value indices = adaptor.getIndices();
    SmallVector<Value> dims;
    for (int64_t d = 0, i = 0; d < rank; ++d)
      dims.push_back(d == axis ? depth : e.dimI64(indices, i++));
    e.requireStatic(type, dims, "the result");
    e.requireAllocatable(type, dims);
    SmallVector<Value> values = e.all(adaptor.getValues());
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis)
        exprs.push_back(getAffineDimExpr(d, ctx));
    SmallVector<AffineMap> maps{AffineMap::get(rank, 0, exprs, ctx)};
    Value result = elementwise(
        rewriter, loc, type, indices,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value k = a[0];
          k = isFloat(k.getType())
                  ? b.create<arith::FPToSIOp>(l, b.getI64Type(), k).getResult()
                  : (k.getType().getIntOrFloatBitWidth() < 64
                         ? b.create<arith::ExtSIOp>(l, b.getI64Type(), k).getResult()
                         : k);
          Value zero = b.create<arith::ConstantIntOp>(l, 0, 64);
          Value negative = b.create<arith::CmpIOp>(l, CmpIPredicate::slt, k, zero);
          k = b.create<arith::SelectOp>(l, negative, b.create<arith::AddIOp>(l, k, depth), k);
          Value j =
              b.create<arith::IndexCastOp>(l, b.getI64Type(), b.create<linalg::IndexOp>(l, axis));
          Value hit = b.create<arith::CmpIOp>(l, CmpIPredicate::eq, k, j);
          return b.create<arith::SelectOp>(l, hit, values[1], values[0]);
        },
        maps, e.dynamicSizes(type, dims));
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void kiln::populateNNToLinalgIndexingPatterns(RewritePatternSet &patterns) {
  patterns.add<BorderPadLowering, TopKLowering, ScatterElementsLowering, ScatterNDLowering,
               OneHotLowering>(patterns.getContext());
  populateNNToLinalgIndexingDynamicPatterns(patterns);
}
