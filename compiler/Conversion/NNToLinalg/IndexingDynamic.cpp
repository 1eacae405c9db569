//===- IndexingDynamic.cpp - nonzero, compress, unique --------------------===//
//
// Ops whose result size is a count of the data. A reduction counts first;
// the result is a tensor.empty of that size (checked against the static
// dims of the result type), filled by an scf.for over the input that
// carries the result and the next free position. Every insert position is
// also clamped into the result, so no write leaves it.
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

scf::ValueVector kiln::nntolinalg::loopNest(OpBuilder &b, Location loc, ArrayRef<Value> ubs,
                                            ValueRange inits, LoopBody body) {
  if (ubs.empty())
    return body(b, loc, {}, inits);
  SmallVector<Value> lbs(ubs.size(), b.create<arith::ConstantIndexOp>(loc, 0));
  SmallVector<Value> steps(ubs.size(), b.create<arith::ConstantIndexOp>(loc, 1));
  scf::LoopNest nest = scf::buildLoopNest(b, loc, lbs, ubs, steps, inits, body);
  return scf::ValueVector(nest.results.begin(), nest.results.end());
}

scf::ValueVector kiln::nntolinalg::ifThen(OpBuilder &b, Location loc, Value cond, ValueRange args,
                                          BranchBody then) {
  auto op = b.create<scf::IfOp>(
      loc, cond, [&](OpBuilder &nb, Location l) { nb.create<scf::YieldOp>(l, then(nb, l)); },
      [&](OpBuilder &nb, Location l) { nb.create<scf::YieldOp>(l, args); });
  return scf::ValueVector(op.getResults().begin(), op.getResults().end());
}

Value kiln::nntolinalg::isNonZero(OpBuilder &b, Location loc, Value x) {
  if (isFloat(x.getType()))
    return b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNE, x,
                                   scalar(b, loc, x.getType(), 0));
  return b.create<arith::CmpIOp>(loc, CmpIPredicate::ne, x, scalar(b, loc, x.getType(), 0));
}

namespace {

/// `x` read flat (1-D).
Value flattened(Emitter &e, Value x) {
  auto t = cast<RankedTensorType>(x.getType());
  int64_t n = t.hasStaticShape() ? t.getNumElements() : ShapedType::kDynamic;
  auto type = RankedTensorType::get({n}, t.getElementType());
  if (t.getRank() == 1)
    return x;
  SmallVector<Value> dyn;
  if (ShapedType::isDynamic(n)) {
    Value count = e.idx(1);
    for (int64_t d = 0; d < t.getRank(); ++d)
      count = e.b.create<arith::MulIOp>(e.loc, count, e.dimIdx(x, d));
    dyn.push_back(count);
  }
  return reshapeTo(e.b, e.loc, x, type, dyn);
}

/// The slice of `x` at `i` along `axis` (size 1 there).
Value sliceAt(OpBuilder &b, Location loc, Value x, int64_t axis, Value i) {
  auto t = cast<RankedTensorType>(x.getType());
  SmallVector<OpFoldResult> offsets(t.getRank(), b.getIndexAttr(0)), sizes,
      strides(t.getRank(), b.getIndexAttr(1));
  for (int64_t d = 0; d < t.getRank(); ++d)
    sizes.push_back(d == axis ? OpFoldResult(b.getIndexAttr(1))
                              : tensor::getMixedSize(b, loc, x, d));
  offsets[axis] = i;
  return b.create<tensor::ExtractSliceOp>(loc, x, offsets, sizes, strides);
}

/// `slice` (size 1 along `axis`) written into `dest` at `i` along `axis`.
Value insertAt(OpBuilder &b, Location loc, Value slice, Value dest, int64_t axis, Value i) {
  auto t = cast<RankedTensorType>(dest.getType());
  SmallVector<OpFoldResult> offsets(t.getRank(), b.getIndexAttr(0)), sizes,
      strides(t.getRank(), b.getIndexAttr(1));
  for (int64_t d = 0; d < t.getRank(); ++d)
    sizes.push_back(tensor::getMixedSize(b, loc, slice, d));
  offsets[axis] = i;
  return b.create<tensor::InsertSliceOp>(loc, slice, dest, offsets, sizes, strides);
}

//===----------------------------------------------------------------------===//
// NonZero
//===----------------------------------------------------------------------===//

struct NonZeroLowering : OpConversionPattern<NonZeroOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(NonZeroOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Emitter e(rewriter, op);
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
    Value count = countOf(rewriter, loc, x, [](OpBuilder &b, Location l, Value v, ValueRange) {
      return isNonZero(b, l, v);
    });
    RankedTensorType type = op.getType();
    SmallVector<Value> dims{e.i64(type.getDimSize(0)), count};
    e.requireStatic(type, dims, "the result");
    Value out = emptyTensor(rewriter, loc, type, e.dynamicSizes(type, dims));
    SmallVector<Value> ubs;
    for (int64_t d = 0; d < rank; ++d)
      ubs.push_back(e.dimIdx(x, d));
    Value last = e.toIdx(e.max(e.sub(count, e.i64(1)), e.i64(0)));
    scf::ValueVector r = loopNest(
        rewriter, loc, ubs, {out, e.idx(0)},
        [&](OpBuilder &b, Location l, ValueRange ivs, ValueRange args) -> scf::ValueVector {
          Value v = b.create<tensor::ExtractOp>(l, x, ivs);
          return ifThen(b, l, isNonZero(b, l, v), args, [&](OpBuilder &nb, Location l2) {
            Emitter in(nb, op);
            Value at = in.b.create<arith::MinSIOp>(l2, args[1], last);
            Value acc = args[0];
            for (int64_t d = 0; d < std::max<int64_t>(rank, 1); ++d) {
              Value coord = rank ? in.toI64(ivs[d]) : in.i64(0);
              acc = nb.create<tensor::InsertOp>(l2, coord, acc, ValueRange{in.idx(d), at});
            }
            return scf::ValueVector{acc, nb.create<arith::AddIOp>(l2, args[1], in.idx(1))};
          });
        });
    rewriter.replaceOp(op, r[0]);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Compress
//===----------------------------------------------------------------------===//

struct CompressLowering : OpConversionPattern<CompressOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(CompressOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Emitter e(rewriter, op);
    Location loc = op.getLoc();
    Value x = adaptor.getInput(), cond = adaptor.getCondition();
    int64_t axis = 0;
    if (op.getAxis())
      axis = *op.getAxis();
    else
      x = flattened(e, x);
    auto xType = cast<RankedTensorType>(x.getType());
    Value len = e.dimI64(cond, 0);
    e.require(e.le(len, e.dimI64(x, axis)),
              "expects a condition no longer than the compressed dim, found a longer one");
    Value count =
        countOf(rewriter, loc, cond, [](OpBuilder &, Location, Value c, ValueRange) { return c; });
    RankedTensorType type = op.getType();
    SmallVector<Value> dims;
    for (int64_t d = 0; d < xType.getRank(); ++d)
      dims.push_back(d == axis ? count : e.dimI64(x, d));
    e.requireStatic(type, dims, "the result");
    Value out = emptyTensor(rewriter, loc, type, e.dynamicSizes(type, dims));
    Value last = e.toIdx(e.max(e.sub(count, e.i64(1)), e.i64(0)));
    scf::ValueVector r = loopNest(
        rewriter, loc, {e.toIdx(len)}, {out, e.idx(0)},
        [&](OpBuilder &b, Location l, ValueRange ivs, ValueRange args) -> scf::ValueVector {
          Value keep = b.create<tensor::ExtractOp>(l, cond, ivs);
          return ifThen(b, l, keep, args, [&](OpBuilder &nb, Location l2) {
            Value at = nb.create<arith::MinSIOp>(l2, args[1], last);
            Value slice = sliceAt(nb, l2, x, axis, ivs[0]);
            Value acc = insertAt(nb, l2, slice, args[0], axis, at);
            Value one = nb.create<arith::ConstantIndexOp>(l2, 1);
            return scf::ValueVector{acc, nb.create<arith::AddIOp>(l2, args[1], one)};
          });
        });
    rewriter.replaceOp(op, r[0]);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Unique
//===----------------------------------------------------------------------===//

/// `x < y` (`lt`) or `x != y` for floats or integers.
Value compare(OpBuilder &b, Location l, Value x, Value y, bool lt) {
  if (isFloat(x.getType()))
    return b.create<arith::CmpFOp>(l, lt ? arith::CmpFPredicate::OLT : arith::CmpFPredicate::UNE, x,
                                   y);
  return b.create<arith::CmpIOp>(l, lt ? CmpIPredicate::slt : CmpIPredicate::ne, x, y);
}

/// The input is viewed as O x n x I (n slices along the axis, or n elements
/// with O = I = 1). first[i] is the first slice equal to slice i; pos[i]
/// is how many distinct slices precede slice i (in value order when sorted,
/// else in order of first occurrence); a loop over i then writes every
/// output. Slices are compared through diff[i, j], the first flat position
/// where they differ (O * I when equal), a min reduction.
struct UniqueLowering : OpConversionPattern<UniqueOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(UniqueOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Emitter e(rewriter, op);
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getInput();
    auto inType = cast<RankedTensorType>(x.getType());
    Type elem = inType.getElementType(), i64 = rewriter.getI64Type();
    // O x n x I.
    int64_t axis = op.getAxis() ? *op.getAxis() : 0;
    if (!op.getAxis())
      x = flattened(e, x);
    auto xt = cast<RankedTensorType>(x.getType());
    int64_t staticO = 1, staticI = 1;
    Value o = e.idx(1), inner = e.idx(1);
    for (int64_t d = 0; d < xt.getRank(); ++d) {
      if (d == axis)
        continue;
      Value &acc = d < axis ? o : inner;
      int64_t &s = d < axis ? staticO : staticI;
      acc = rewriter.create<arith::MulIOp>(loc, acc, e.dimIdx(x, d));
      s = (ShapedType::isDynamic(s) || xt.isDynamicDim(d)) ? ShapedType::kDynamic
                                                           : s * xt.getDimSize(d);
    }
    int64_t staticN = xt.getDimSize(axis);
    auto x3Type = RankedTensorType::get({staticO, staticN, staticI}, elem);
    SmallVector<Value> x3Dyn, x3Sizes{o, e.dimIdx(x, axis), inner};
    for (auto [s, v] : llvm::zip(x3Type.getShape(), x3Sizes))
      if (ShapedType::isDynamic(s))
        x3Dyn.push_back(v);
    Value x3 = reshapeTo(rewriter, loc, x, x3Type, x3Dyn);
    Value n = e.dimIdx(x, axis);
    Value slices = e.toI64(rewriter.create<arith::MulIOp>(loc, o, inner));
    bool flat = staticO == 1 && staticI == 1;

    // diff[i, j] (only for slices; n x n, bounded).
    Value diff;
    SmallVector<utils::IteratorType> par2(2, utils::IteratorType::parallel);
    auto nn = RankedTensorType::get({staticN, staticN}, i64);
    SmallVector<Value> nnDyn;
    if (ShapedType::isDynamic(staticN))
      nnDyn = {n, n};
    if (!flat) {
      e.require(e.le(e.toI64(n), e.i64(4096)),
                "expects at most 4096 slices along the axis (they are compared pairwise), "
                "found more");
      diff = filled(rewriter, loc, nn, slices, nnDyn);
      auto d = [&](int64_t k) { return getAffineDimExpr(k, ctx); };
      SmallVector<AffineMap> maps{AffineMap::get(4, 0, {d(2), d(0), d(3)}, ctx),
                                  AffineMap::get(4, 0, {d(2), d(1), d(3)}, ctx),
                                  AffineMap::get(4, 0, {d(0), d(1)}, ctx)};
      SmallVector<utils::IteratorType> iters{
          utils::IteratorType::parallel, utils::IteratorType::parallel,
          utils::IteratorType::reduction, utils::IteratorType::reduction};
      diff = rewriter
                 .create<linalg::GenericOp>(
                     loc, nn, ValueRange{x3, x3}, diff, maps, iters,
                     [&](OpBuilder &b, Location l, ValueRange a) {
                       Value at = b.create<arith::AddIOp>(
                           l, b.create<arith::MulIOp>(l, b.create<linalg::IndexOp>(l, 2), inner),
                           b.create<linalg::IndexOp>(l, 3));
                       at = b.create<arith::IndexCastOp>(l, b.getI64Type(), at);
                       Value differs = compare(b, l, a[0], a[1], /*lt=*/false);
                       Value here = b.create<arith::SelectOp>(l, differs, at, a[2]);
                       b.create<linalg::YieldOp>(
                           l, b.create<arith::MinSIOp>(l, here, a[2]).getResult());
                     })
                 .getResult(0);
    }
    // Slice i and slice j: (equal, j's before i's in value order).
    auto relate = [&](OpBuilder &b, Location l, Value i, Value j,
                      Value dij) -> std::pair<Value, Value> {
      Value zero = b.create<arith::ConstantIndexOp>(l, 0);
      if (flat) {
        Value xi = b.create<tensor::ExtractOp>(l, x3, ValueRange{zero, i, zero});
        Value xj = b.create<tensor::ExtractOp>(l, x3, ValueRange{zero, j, zero});
        return {b.create<arith::XOrIOp>(l, compare(b, l, xi, xj, false),
                                        b.create<arith::ConstantIntOp>(l, 1, 1)),
                compare(b, l, xj, xi, true)};
      }
      Value equal = b.create<arith::CmpIOp>(l, CmpIPredicate::eq, dij, slices);
      Value last = b.create<arith::SubIOp>(l, slices, b.create<arith::ConstantIntOp>(l, 1, 64));
      Value at =
          b.create<arith::IndexCastOp>(l, b.getIndexType(), b.create<arith::MinSIOp>(l, dij, last));
      Value oo = b.create<arith::DivUIOp>(l, at, inner),
            tt = b.create<arith::RemUIOp>(l, at, inner);
      Value xi = b.create<tensor::ExtractOp>(l, x3, ValueRange{oo, i, tt});
      Value xj = b.create<tensor::ExtractOp>(l, x3, ValueRange{oo, j, tt});
      Value less = b.create<arith::AndIOp>(
          l, b.create<arith::XOrIOp>(l, equal, b.create<arith::ConstantIntOp>(l, 1, 1)),
          compare(b, l, xj, xi, true));
      return {equal, less};
    };
    // A generic over (i, j) reducing j into a length-n i64 vector.
    auto rowReduce =
        [&](Value init, ValueRange extra,
            function_ref<Value(OpBuilder &, Location, Value, Value, Value, ValueRange, Value)> step)
        -> Value {
      auto vec = RankedTensorType::get({staticN}, i64);
      SmallVector<Value> dyn;
      if (ShapedType::isDynamic(staticN))
        dyn.push_back(n);
      Value out = filled(rewriter, loc, vec, init, dyn);
      SmallVector<Value> ins;
      SmallVector<AffineMap> maps;
      if (!flat) {
        ins.push_back(diff);
        maps.push_back(rewriter.getMultiDimIdentityMap(2));
      }
      for (Value v : extra) {
        ins.push_back(v);
        maps.push_back(AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx));
      }
      if (flat) {
        // Only to give the j loop its size.
        ins.push_back(out);
        maps.push_back(AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx));
      }
      maps.push_back(AffineMap::get(2, 0, {getAffineDimExpr(0, ctx)}, ctx));
      SmallVector<utils::IteratorType> iters{utils::IteratorType::parallel,
                                             utils::IteratorType::reduction};
      return rewriter
          .create<linalg::GenericOp>(
              loc, vec, ins, out, maps, iters,
              [&](OpBuilder &b, Location l, ValueRange a) {
                Value i = b.create<linalg::IndexOp>(l, 0), j = b.create<linalg::IndexOp>(l, 1);
                Value dij = flat ? Value() : a[0];
                ValueRange ex = a.drop_front(flat ? 0 : 1).take_front(extra.size());
                b.create<linalg::YieldOp>(l, step(b, l, i, j, dij, ex, a.back()));
              })
          .getResult(0);
    };
    Value nI64 = e.toI64(n);
    Value first = rowReduce(
        nI64, {},
        [&](OpBuilder &b, Location l, Value i, Value j, Value dij, ValueRange, Value acc) -> Value {
          Value equal = relate(b, l, i, j, dij).first;
          Value jj = b.create<arith::IndexCastOp>(l, b.getI64Type(), j);
          return b.create<arith::MinSIOp>(l, b.create<arith::SelectOp>(l, equal, jj, acc), acc);
        });
    bool sorted = op.getSorted();
    Value pos = rowReduce(
        e.i64(0), {first},
        [&](OpBuilder &b, Location l, Value i, Value j, Value dij, ValueRange ex,
            Value acc) -> Value {
          Value jj = b.create<arith::IndexCastOp>(l, b.getI64Type(), j);
          Value distinct = b.create<arith::CmpIOp>(l, CmpIPredicate::eq, ex[0], jj);
          Value before = sorted ? relate(b, l, i, j, dij).second
                                : b.create<arith::CmpIOp>(l, CmpIPredicate::ult, j, i).getResult();
          Value counts = b.create<arith::AndIOp>(l, distinct, before);
          return b.create<arith::AddIOp>(l, acc,
                                         b.create<arith::ExtUIOp>(l, b.getI64Type(), counts));
        });
    Value count = countOf(rewriter, loc, first,
                          [](OpBuilder &b, Location l, Value f, ValueRange at) -> Value {
                            Value i = b.create<arith::IndexCastOp>(l, b.getI64Type(), at[0]);
                            return b.create<arith::CmpIOp>(l, CmpIPredicate::eq, f, i);
                          });

    // Outputs.
    RankedTensorType yType = op.getOutput().getType();
    SmallVector<Value> yDims;
    for (int64_t d = 0; d < xt.getRank(); ++d)
      yDims.push_back(d == axis ? count : e.dimI64(x, d));
    e.requireStatic(yType, yDims, "the result");
    e.requireStatic(op.getIndices().getType(), {count}, "the indices");
    e.requireStatic(op.getCounts().getType(), {count}, "the counts");
    auto y3Type = RankedTensorType::get({staticO, yType.getDimSize(axis), staticI}, elem);
    SmallVector<Value> y3Dyn, y3Sizes{o, e.toIdx(count), inner};
    for (auto [s, v] : llvm::zip(y3Type.getShape(), y3Sizes))
      if (ShapedType::isDynamic(s))
        y3Dyn.push_back(v);
    Value y3 = emptyTensor(rewriter, loc, y3Type, y3Dyn);
    Value indices = emptyTensor(rewriter, loc, op.getIndices().getType(),
                                e.dynamicSizes(op.getIndices().getType(), {count}));
    Value counts = filled(rewriter, loc, op.getCounts().getType(), e.i64(0),
                          e.dynamicSizes(op.getCounts().getType(), {count}));
    Value inverse = emptyTensor(rewriter, loc, op.getInverseIndices().getType(),
                                e.dynamicSizes(op.getInverseIndices().getType(), {nI64}));
    Value lastPos = e.max(e.sub(count, e.i64(1)), e.i64(0));
    Value lastIn = e.toIdx(e.max(e.sub(nI64, e.i64(1)), e.i64(0)));
    scf::ValueVector r = loopNest(
        rewriter, loc, {n}, {y3, indices, counts, inverse},
        [&](OpBuilder &b, Location l, ValueRange ivs, ValueRange args) -> scf::ValueVector {
          Emitter in(b, op);
          Value i = ivs[0];
          Value f = b.create<tensor::ExtractOp>(l, first, i);
          Value fIdx = in.toIdx(in.min(f, in.toI64(lastIn)));
          Value p = in.clamp(b.create<tensor::ExtractOp>(l, pos, fIdx), in.i64(0), lastPos);
          Value pIdx = in.toIdx(p);
          Value inv = b.create<tensor::InsertOp>(l, p, args[3], i);
          Value c = b.create<tensor::ExtractOp>(l, args[2], pIdx);
          Value cs = b.create<tensor::InsertOp>(l, in.add(c, in.i64(1)), args[2], pIdx);
          SmallVector<Value> carried{args[0], args[1], cs, inv};
          return ifThen(b, l, in.eq(f, in.toI64(i)), carried, [&](OpBuilder &nb, Location l2) {
            Value slice = sliceAt(nb, l2, x3, 1, i);
            Value ys = insertAt(nb, l2, slice, carried[0], 1, pIdx);
            Value is = nb.create<tensor::InsertOp>(
                l2, nb.create<arith::IndexCastOp>(l2, nb.getI64Type(), i), carried[1], pIdx);
            return scf::ValueVector{ys, is, carried[2], carried[3]};
          });
        });
    Value y = reshapeTo(rewriter, loc, r[0], yType, e.dynamicSizes(yType, yDims));
    rewriter.replaceOp(op, {y, r[1], r[3], r[2]});
    return success();
  }
};

} // namespace

void kiln::populateNNToLinalgIndexingDynamicPatterns(RewritePatternSet &patterns) {
  patterns.add<NonZeroLowering, CompressLowering, UniqueLowering>(patterns.getContext());
  populateNNToLinalgIndexingPoolPatterns(patterns);
}
