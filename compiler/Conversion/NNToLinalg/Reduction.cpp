//===- Reduction.cpp - reductions, cumsum and arg max/min to linalg ------===//
//
// Each reduction is a generic with reduction iterators over the reduced
// axes; kept dimensions come back by a reshape.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/NNToLinalg/IndexingUtils.h"
#include "compiler/Conversion/NNToLinalg/NNToLinalg.h"
#include "compiler/Conversion/NNToLinalg/NNToLinalgUtils.h"
#include "dialects/NN/IR/NNOps.h"

#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::nn;
using namespace kiln::nntolinalg;

namespace {

enum class ReduceKind { Sum, Mean, Max, Min, Prod };

template <typename Op, ReduceKind Kind>
struct ReduceLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    Type elem = inType.getElementType();
    bool fp = isFloat(elem);
    SmallVector<int64_t> axes;
    int64_t count = 1;
    bool dynamicCount = false;
    for (int64_t a : op.getAxes()) {
      axes.push_back(normalizeAxis(a, inType.getRank()));
      // A dynamic dim (kDynamic) is never multiplied in: counted at run time.
      if (inType.isDynamicDim(axes.back()))
        dynamicCount = true;
      else
        count *= inType.getDimSize(axes.back());
    }
    Value init;
    switch (Kind) {
    case ReduceKind::Sum:
    case ReduceKind::Mean:
      init = scalar(rewriter, loc, elem, 0);
      break;
    case ReduceKind::Prod:
      init = scalar(rewriter, loc, elem, 1);
      break;
    case ReduceKind::Max:
      init = extreme(rewriter, loc, elem, /*largest=*/false);
      break;
    case ReduceKind::Min:
      init = extreme(rewriter, loc, elem, /*largest=*/true);
      break;
    }
    Value reduced = reduce(rewriter, loc, adaptor.getInput(), axes, init,
                           [&](OpBuilder &b, Location l, Value acc, Value x) -> Value {
                             switch (Kind) {
                             case ReduceKind::Sum:
                             case ReduceKind::Mean:
                               return fp ? b.create<arith::AddFOp>(l, acc, x).getResult()
                                         : b.create<arith::AddIOp>(l, acc, x).getResult();
                             case ReduceKind::Prod:
                               return fp ? b.create<arith::MulFOp>(l, acc, x).getResult()
                                         : b.create<arith::MulIOp>(l, acc, x).getResult();
                             case ReduceKind::Max:
                               return maxOf(b, l, acc, x);
                             case ReduceKind::Min:
                               return minOf(b, l, acc, x);
                             }
                             llvm_unreachable("reduction kind");
                           });
    if (Kind == ReduceKind::Mean) {
      Value countV = dynamicCount
                         ? elementCount(rewriter, loc, adaptor.getInput(), axes, elem)
                         : scalar(rewriter, loc, elem, static_cast<double>(count));
      reduced = elementwise(rewriter, loc, cast<RankedTensorType>(reduced.getType()), reduced,
                            [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                              return b.create<arith::DivFOp>(l, args[0], countV);
                            });
    }
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, reduced, op.getType(),
                                     *resultSizes(rewriter, op)));
    return success();
  }
};

/// CumSum: a generic over (result dims..., k) reducing over k, the input read
/// at k along the axis and counted when k <= i (k < i exclusive; k >= i or
/// k > i in reverse). Quadratic in the axis length, and simple.
struct CumSumLowering : OpConversionPattern<CumSumOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CumSumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    Type elem = type.getElementType();
    int64_t rank = type.getRank(), axis = normalizeAxis(op.getAxis(), rank);
    SmallVector<AffineExpr> inExprs, outExprs;
    for (int64_t d = 0; d < rank; ++d) {
      inExprs.push_back(getAffineDimExpr(d == axis ? rank : d, ctx));
      outExprs.push_back(getAffineDimExpr(d, ctx));
    }
    SmallVector<AffineMap> maps{AffineMap::get(rank + 1, 0, inExprs, ctx),
                                AffineMap::get(rank + 1, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    iters.push_back(utils::IteratorType::reduction);
    Value init = filled(rewriter, loc, type, scalar(rewriter, loc, elem, 0),
                        dynamicSizes(rewriter, loc, adaptor.getInput()));
    bool exclusive = op.getExclusive(), reverse = op.getReverse();
    auto pred = reverse ? (exclusive ? arith::CmpIPredicate::sgt : arith::CmpIPredicate::sge)
                        : (exclusive ? arith::CmpIPredicate::slt : arith::CmpIPredicate::sle);
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, type, adaptor.getInput(), init, maps, iters,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value k = b.create<linalg::IndexOp>(l, rank), i = b.create<linalg::IndexOp>(l, axis);
          Value counted = b.create<arith::CmpIOp>(l, pred, k, i);
          Value x = b.create<arith::SelectOp>(l, counted, args[0], scalar(b, l, elem, 0));
          b.create<linalg::YieldOp>(l, isFloat(elem)
                                           ? b.create<arith::AddFOp>(l, args[1], x).getResult()
                                           : b.create<arith::AddIOp>(l, args[1], x).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// Arg max / arg min: one generic reducing the axis into a (value, index)
/// pair; a strictly better value (or, with select_last_index, an equal one)
/// takes the current index.
template <typename Op, bool IsMax>
struct ArgReduceLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    Type elem = inType.getElementType();
    int64_t rank = inType.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    bool last = op.getSelectLastIndex();
    // Shape inference refuses a static empty axis; a dynamic one would give
    // index 0 into nothing.
    if (inType.isDynamicDim(axis)) {
      Emitter e(rewriter, op);
      e.require(e.gt(e.dimI64(adaptor.getInput(), axis), e.i64(0)),
                "expects a non-empty axis, found size 0");
    }
    SmallVector<int64_t> outShape;
    SmallVector<AffineExpr> outExprs;
    SmallVector<utils::IteratorType> iters;
    SmallVector<Value> dyn;
    for (int64_t d = 0; d < rank; ++d) {
      if (d == axis) {
        iters.push_back(utils::IteratorType::reduction);
        continue;
      }
      iters.push_back(utils::IteratorType::parallel);
      outShape.push_back(inType.getDimSize(d));
      outExprs.push_back(getAffineDimExpr(d, ctx));
      if (inType.isDynamicDim(d))
        dyn.push_back(rewriter.create<tensor::DimOp>(loc, adaptor.getInput(), d));
    }
    Type i64 = rewriter.getI64Type();
    auto valueType = RankedTensorType::get(outShape, elem);
    auto indexType = RankedTensorType::get(outShape, i64);
    Value values = filled(rewriter, loc, valueType, extreme(rewriter, loc, elem, !IsMax), dyn);
    Value indices = filled(rewriter, loc, indexType, scalar(rewriter, loc, i64, 0), dyn);
    AffineMap outMap = AffineMap::get(rank, 0, outExprs, ctx);
    SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(rank), outMap, outMap};
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{valueType, indexType}, adaptor.getInput(), ValueRange{values, indices},
        maps, iters, [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0], best = args[1], bestIndex = args[2];
          Value index = b.create<arith::IndexCastOp>(l, i64, b.create<linalg::IndexOp>(l, axis));
          Value better;
          if (isFloat(elem)) {
            // A NaN is the extreme, as numpy's argmax/argmin (ONNX's
            // reference) make it: the first NaN wins, or with
            // select_last_index the last; nothing displaces a NaN but a
            // later NaN then.
            auto pred = IsMax ? (last ? arith::CmpFPredicate::OGE : arith::CmpFPredicate::OGT)
                              : (last ? arith::CmpFPredicate::OLE : arith::CmpFPredicate::OLT);
            Value xNaN = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::UNO, x, x);
            Value bestNumber = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::ORD, best, best);
            better = b.create<arith::CmpFOp>(l, pred, x, best);
            better = b.create<arith::OrIOp>(l, better, xNaN);
            if (!last)
              better = b.create<arith::AndIOp>(l, better, bestNumber);
          } else {
            auto pred = IsMax ? (last ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sgt)
                              : (last ? arith::CmpIPredicate::sle : arith::CmpIPredicate::slt);
            better = b.create<arith::CmpIOp>(l, intPredicate(pred, elem), x, best);
          }
          // The first element always counts, so an axis of only -inf (or
          // only the extreme integer) still yields a valid index.
          Value first = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::eq, index,
                                                scalar(b, l, i64, 0));
          better = b.create<arith::OrIOp>(l, better, first);
          b.create<linalg::YieldOp>(
              l, ValueRange{b.create<arith::SelectOp>(l, better, x, best),
                            b.create<arith::SelectOp>(l, better, index, bestIndex)});
        });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, generic.getResult(1), op.getType(),
                                     *resultSizes(rewriter, op)));
    return success();
  }
};

} // namespace

void kiln::populateNNToLinalgReductionPatterns(RewritePatternSet &patterns) {
  patterns.add<ReduceLowering<ReduceSumOp, ReduceKind::Sum>,
               ReduceLowering<ReduceMeanOp, ReduceKind::Mean>,
               ReduceLowering<ReduceMaxOp, ReduceKind::Max>,
               ReduceLowering<ReduceMinOp, ReduceKind::Min>,
               ReduceLowering<ReduceProdOp, ReduceKind::Prod>, ArgReduceLowering<ArgMaxOp, true>,
               ArgReduceLowering<ArgMinOp, false>, CumSumLowering>(patterns.getContext());
}
